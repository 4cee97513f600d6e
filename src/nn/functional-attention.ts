// F.multiHeadAttentionForward: torch/nn/functional.py's multi_head_attention_forward (its general
// path) written with tensor ops: the same in-projections (packed or separate), bias_k/v and zero
// attention appended to keys and values, masks as -inf added to the scores (baddbmm's sum), the
// query scaled before the product, softmax, dropout on the weights, out-projection, the per-head
// weights averaged when asked. Values and gradients are PyTorch's to float rounding (tested).
// TODO(generated ops): aten::_native_multi_head_attention (PyTorch's inference fast path).
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { checkBool, checkInt, checkNumber, checkOptions } from '../tensor/args.js';
import { dropout, linear, pad, softmax } from './functional.js';

export interface MultiHeadAttentionForwardOptions {
  /** Dropout applies only when training (default true, as PyTorch's function). */
  training?: boolean;
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  attnMask?: Tensor | null;
  useSeparateProjWeight?: boolean;
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  averageAttnWeights?: boolean;
}
/**
 * Attention of (L, N, E) queries over (S, N, E_k) keys and (S, N, E_v) values (or unbatched (L, E)),
 * with PyTorch's positional arguments; returns [output (L, N, E), weights (N, L, S) or per head, or null].
 * Passing the very same tensor as query, key and value (self-attention) projects once, as PyTorch.
 * @example F.multiHeadAttentionForward(x, x, x, 8, 2, mha.inProjWeight, mha.inProjBias, null, null, false, 0, mha.outProj.weight, mha.outProj.bias)
 */
export function multiHeadAttentionForward(query: Tensor, key: Tensor, value: Tensor, embedDimToCheck: number, numHeads: number,
  inProjWeight: Tensor | null, inProjBias: Tensor | null, biasK: Tensor | null, biasV: Tensor | null, addZeroAttn: boolean,
  dropoutP: number, outProjWeight: Tensor, outProjBias: Tensor | null, options?: MultiHeadAttentionForwardOptions): [Tensor, Tensor | null] {
  const o = checkOptions(options, 'multiHeadAttentionForward', ['training', 'keyPaddingMask', 'needWeights', 'attnMask',
    'useSeparateProjWeight', 'qProjWeight', 'kProjWeight', 'vProjWeight', 'averageAttnWeights']);
  checkInt(embedDimToCheck, 'embedDimToCheck');
  checkInt(numHeads, 'numHeads');
  checkNumber(dropoutP, 'dropoutP');
  addZeroAttn = checkBool(addZeroAttn, 'addZeroAttn');
  const training = checkBool(o.training, 'training', true);
  const needWeights = checkBool(o.needWeights, 'needWeights', true);
  const average = checkBool(o.averageAttnWeights, 'averageAttnWeights', true);
  return torch.tidy(() => {
    const batched = query.dim() === 3;
    if (!batched && query.dim() !== 2) throw new RangeError(`query should be unbatched 2D or batched 3D tensor but received ${query.dim()}-D query tensor`);
    if (key.dim() !== query.dim() || value.dim() !== query.dim()) throw new RangeError(`For ${batched ? 'batched (3-D)' : 'unbatched (2-D)'} query, expected key and value to be ${query.dim()}-D, but found ${key.dim()}-D and ${value.dim()}-D tensors respectively`);
    const selfAttn = query === key && key === value, kvSame = key === value;
    // to (L, N, E)
    const prep = (t: Tensor): Tensor => (!batched ? t.unsqueeze(1) : t);
    const q0 = prep(query), k0 = selfAttn ? q0 : prep(key), v0 = kvSame ? k0 : prep(value);
    let kpm = o.keyPaddingMask ?? null;
    if (kpm && !batched) kpm = kpm.unsqueeze(0);
    const [tgtLen, bsz, e] = q0.shape, srcLen0 = k0.shape[0];
    if (e !== embedDimToCheck) throw new torch.TorchError(`was expecting embedding dimension of ${embedDimToCheck}, but got ${e}`, 'AssertionError');
    const packed = !checkBool(o.useSeparateProjWeight, 'useSeparateProjWeight');
    if (packed && !inProjWeight) throw new TypeError('use_separate_proj_weight is False but in_proj_weight is None');
    if (!packed && (!o.qProjWeight || !o.kProjWeight || !o.vProjWeight)) throw new TypeError('use_separate_proj_weight is True but q_proj_weight, k_proj_weight or v_proj_weight is None');
    if (packed ? k0.shape.join() !== v0.shape.join() : k0.shape.slice(0, 2).join() !== v0.shape.slice(0, 2).join()) {
      throw new torch.TorchError(`key shape [${k0.shape.join(', ')}] does not match value shape [${v0.shape.join(', ')}]`, 'AssertionError');
    }
    // _in_projection_packed, or _in_projection with separate weights
    let q: Tensor, k: Tensor, v: Tensor;
    const b = inProjBias;
    if (!packed) {
      const [bq, bk, bv] = b ? b.chunk(3) : [null, null, null];
      [q, k, v] = [linear(q0, o.qProjWeight!, bq), linear(k0, o.kProjWeight!, bk), linear(v0, o.vProjWeight!, bv)];
    } else if (selfAttn) {
      [q, k, v] = linear(q0, inProjWeight!, b).chunk(3, -1);
    } else {
      const [wq, wk, wv] = inProjWeight!.chunk(3);
      const [bq, bk, bv] = b ? b.chunk(3) : [null, null, null];
      q = linear(q0, wq, bq);
      if (kvSame) {
        [k, v] = linear(k0, torch.cat([wk, wv]), b ? torch.cat([bk!, bv!]) : null).chunk(2, -1);
      } else {
        k = linear(k0, wk, bk);
        v = linear(v0, wv, bv);
      }
    }
    let mask = o.attnMask ?? null;
    if (mask) {
      if (mask.dtype !== 'bool' && !torch.isFloatingPoint(mask.dtype)) throw new TypeError(`Only float, byte, and bool types are supported for attn_mask, not ${mask.dtype}`);
      if (mask.dim() === 2) {
        if (mask.shape.join() !== `${tgtLen},${srcLen0}`) throw new torch.TorchError(`The shape of the 2D attn_mask is [${mask.shape.join(', ')}], but should be (${tgtLen}, ${srcLen0}).`, 'RuntimeError');
        mask = mask.unsqueeze(0);
      } else if (mask.dim() === 3) {
        if (mask.shape.join() !== `${bsz * numHeads},${tgtLen},${srcLen0}`) throw new torch.TorchError(`The shape of the 3D attn_mask is [${mask.shape.join(', ')}], but should be (${bsz * numHeads}, ${tgtLen}, ${srcLen0}).`, 'RuntimeError');
      } else {
        throw new torch.TorchError(`attn_mask's dimension ${mask.dim()} is not supported`, 'RuntimeError');
      }
    }
    if (biasK && biasV) {
      k = torch.cat([k, biasK.repeat([1, bsz, 1])]);
      v = torch.cat([v, biasV.repeat([1, bsz, 1])]);
      if (mask) mask = pad(mask, [0, 1]);
      if (kpm) kpm = pad(kpm, [0, 1]);
    }
    const h = numHeads, hd = Math.floor(e / numHeads);
    if (hd * h !== e) throw new torch.TorchError(`embed_dim ${e} not divisible by num_heads ${h}`, 'AssertionError');
    q = q.contiguous().view([tgtLen, bsz * h, hd]).transpose(0, 1);
    k = k.contiguous().view([k.shape[0], bsz * h, hd]).transpose(0, 1);
    v = v.contiguous().view([v.shape[0], bsz * h, hd]).transpose(0, 1);
    if (addZeroAttn) {
      const zeros = torch.zeros([bsz * h, 1, hd], { dtype: k.dtype, device: k.device });
      k = torch.cat([k, zeros], 1);
      v = torch.cat([v, zeros], 1);
      if (mask) mask = pad(mask, [0, 1]);
      if (kpm) kpm = pad(kpm, [0, 1]);
    }
    const srcLen = k.shape[1];
    if (kpm) {
      if (kpm.dtype !== 'bool' && !torch.isFloatingPoint(kpm.dtype)) throw new TypeError('only bool and floating types of key_padding_mask are supported');
      if (kpm.shape.join() !== `${bsz},${srcLen}`) throw new torch.TorchError(`expecting key_padding_mask shape of (${bsz}, ${srcLen}), but got [${kpm.shape.join(', ')}]`, 'AssertionError');
      const m = kpm.view([bsz, 1, 1, srcLen]).expand([-1, h, -1, -1]).reshape([bsz * h, 1, srcLen]);
      mask = !mask ? m : mask.dtype === 'bool' ? mask.logicalOr(m) : mask.maskedFill(m, -Infinity);
    }
    if (mask && mask.dtype === 'bool') mask = torch.zeros(mask.shape, { dtype: q.dtype, device: q.device }).maskedFill(mask, -Infinity);
    const qScaled = q.div(Math.sqrt(hd));
    const scores = qScaled.bmm(k.transpose(-2, -1)); // baddbmm(mask, q, kᵀ): the same sum
    let weights = softmax(mask ? mask.add(scores) : scores, -1);
    if (training && dropoutP > 0) weights = dropout(weights, dropoutP, true);
    let out = weights.bmm(v).transpose(0, 1).contiguous().view([tgtLen * bsz, e]);
    out = linear(out, outProjWeight, outProjBias).view([tgtLen, bsz, e]);
    if (!batched) out = out.squeeze(1);
    if (!needWeights) return [out, null] as [Tensor, Tensor | null];
    let w = weights.view([bsz, h, tgtLen, srcLen]);
    if (average) w = w.sum(1).div(h);
    if (!batched) w = w.squeeze(0);
    return [out, w] as [Tensor, Tensor | null];
  });
}
