// MultiheadAttention and TransformerEncoderLayer with PyTorch 1.13's arguments, parameters
// (in_proj_weight, in_proj_bias, out_proj.*), init and printing. The attention is
// torch/nn/functional.py's multi_head_attention_forward (its general path) written with tensor ops:
// the same projections, scaling before the product, masks as -inf added before the softmax, dropout
// on the weights, the per-head weights averaged when asked. TODO(generated ops):
// aten::_native_multi_head_attention (PyTorch's inference fast path; same numbers to rounding).
// Deviation: no static_k / static_v (PyTorch's functional-only arguments).
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { checkBool, checkInt, checkNumber, checkOptions, describe } from '../tensor/args.js';
import { pad } from './functional.js';
import * as F from './functional.js';
import * as init from './init.js';
import { Module, Parameter } from './module.js';
import { keywordArgs } from './options.js';
import { Linear } from './layers.js';
import { Dropout } from './simple-layers.js';
import { LayerNorm } from './norm-layers.js';

/** PyTorch's name for MultiheadAttention's output projection (a Linear that quantization leaves alone). */
class NonDynamicallyQuantizableLinear extends Linear {}

export interface MultiheadAttentionOptions {
  dropout?: number;
  bias?: boolean;
  /** Learnt biases appended to the keys and values (bias_k, bias_v). */
  addBiasKv?: boolean;
  /** A batch of zeros appended to the keys and values. */
  addZeroAttn?: boolean;
  /** Key / value feature sizes (default embedDim); when they differ, q/k/v_proj_weight replace in_proj_weight, as in PyTorch. */
  kdim?: number | null;
  vdim?: number | null;
  batchFirst?: boolean;
  device?: string;
  dtype?: torch.DType;
}
export interface MHAForwardOptions {
  /** (N, S) or (S): true (or -inf) where a key is padding, to be ignored. */
  keyPaddingMask?: Tensor | null;
  needWeights?: boolean;
  /** (L, S) or (N·numHeads, L, S): true (or a float added to the scores) where attention is not allowed. */
  attnMask?: Tensor | null;
  averageAttnWeights?: boolean;
}
export type MHAForward = (query: Tensor, key: Tensor, value: Tensor, options?: MHAForwardOptions) => [Tensor, Tensor | null];

/**
 * Attention over numHeads heads; forward(query, key, value, options) returns [output, weights]
 * (weights null unless needWeights, averaged over heads unless averageAttnWeights is false).
 * @example const mha = new nn.MultiheadAttention(16, 4, { batchFirst: true }); const [y, w] = mha.forward(x, x, x);
 */
export class MultiheadAttention extends Module<MHAForward> {
  // declared in PyTorch's registration order (the state_dict's order)
  inProjWeight: Tensor | null = null;
  qProjWeight: Tensor | null = null;
  kProjWeight: Tensor | null = null;
  vProjWeight: Tensor | null = null;
  inProjBias: Tensor | null;
  outProj: Linear;
  biasK: Tensor | null = null;
  biasV: Tensor | null = null;
  readonly kdim: number;
  readonly vdim: number;
  readonly addZeroAttn: boolean;
  readonly embedDim: number;
  readonly numHeads: number;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly headDim: number;
  constructor(embedDim: number | MultiheadAttentionOptions & { embedDim?: number; numHeads?: number }, numHeads?: number | MultiheadAttentionOptions,
    dropout?: number | MultiheadAttentionOptions, bias?: boolean | MultiheadAttentionOptions, options?: MultiheadAttentionOptions) {
    super();
    const a = keywordArgs('MultiheadAttention', [embedDim, numHeads, dropout, bias, options],
      ['embedDim', 'numHeads', 'dropout', 'bias', 'addBiasKv', 'addZeroAttn', 'kdim', 'vdim', 'batchFirst', 'device', 'dtype'], 4) as unknown as MultiheadAttentionOptions & { embedDim: number; numHeads: number };
    this.embedDim = checkInt(a.embedDim, 'embedDim');
    this.numHeads = checkInt(a.numHeads, 'numHeads');
    this.dropout = checkNumber(a.dropout ?? 0, 'dropout');
    this.batchFirst = checkBool(a.batchFirst, 'batchFirst');
    this.headDim = Math.floor(this.embedDim / this.numHeads);
    if (this.headDim * this.numHeads !== this.embedDim) throw new RangeError('embed_dim must be divisible by num_heads');
    this.kdim = a.kdim === undefined || a.kdim === null ? this.embedDim : checkInt(a.kdim, 'kdim');
    this.vdim = a.vdim === undefined || a.vdim === null ? this.embedDim : checkInt(a.vdim, 'vdim');
    this.addZeroAttn = checkBool(a.addZeroAttn, 'addZeroAttn');
    const opts = { device: a.device, dtype: a.dtype };
    const withBias = checkBool(a.bias, 'bias', true);
    const e = this.embedDim;
    if (this.kdim === e && this.vdim === e) {
      this.inProjWeight = Parameter(torch.empty([3 * e, e], opts));
    } else {
      this.qProjWeight = Parameter(torch.empty([e, e], opts));
      this.kProjWeight = Parameter(torch.empty([e, this.kdim], opts));
      this.vProjWeight = Parameter(torch.empty([e, this.vdim], opts));
    }
    this.inProjBias = withBias ? Parameter(torch.empty([3 * e], opts)) : null;
    // PyTorch creates out_proj (drawing its Linear init) before _reset_parameters draws in_proj_weight
    this.outProj = new NonDynamicallyQuantizableLinear(e, e, { bias: withBias, ...opts });
    if (checkBool(a.addBiasKv, 'addBiasKv')) {
      this.biasK = Parameter(torch.empty([1, 1, e], opts));
      this.biasV = Parameter(torch.empty([1, 1, e], opts));
    }
    this.resetParameters();
  }
  /** PyTorch's _reset_parameters: xavier_uniform for the projections, zero biases (out_proj.weight keeps Linear's init), xavier_normal for bias_k/v. */
  resetParameters(): void {
    if (this.inProjWeight) init.xavierUniform_(this.inProjWeight);
    else [this.qProjWeight, this.kProjWeight, this.vProjWeight].forEach((w) => init.xavierUniform_(w!));
    if (this.inProjBias) {
      init.zeros_(this.inProjBias);
      init.zeros_(this.outProj.bias!);
    }
    if (this.biasK) init.xavierNormal_(this.biasK);
    if (this.biasV) init.xavierNormal_(this.biasV);
  }
  forward(query: Tensor, key: Tensor, value: Tensor, options?: MHAForwardOptions): [Tensor, Tensor | null] {
    const o = checkOptions(options, 'MultiheadAttention.forward', ['keyPaddingMask', 'needWeights', 'attnMask', 'averageAttnWeights']);
    const needWeights = checkBool(o.needWeights, 'needWeights', true);
    const average = checkBool(o.averageAttnWeights, 'averageAttnWeights', true);
    return torch.tidy(() => {
      const batched = query.dim() === 3;
      if (!batched && query.dim() !== 2) throw new RangeError(`query should be unbatched 2D or batched 3D tensor but received ${query.dim()}-D query tensor`);
      if (key.dim() !== query.dim() || value.dim() !== query.dim()) throw new RangeError(`For ${batched ? 'batched (3-D)' : 'unbatched (2-D)'} query, expected key and value to be ${query.dim()}-D, but found ${key.dim()}-D and ${value.dim()}-D tensors respectively`);
      const selfAttn = query === key && key === value, kvSame = key === value;
      // to (L, N, E)
      const prep = (t: Tensor): Tensor => (!batched ? t.unsqueeze(1) : this.batchFirst ? t.transpose(0, 1) : t);
      const q0 = prep(query), k0 = selfAttn ? q0 : prep(key), v0 = kvSame ? k0 : prep(value);
      let kpm = o.keyPaddingMask ?? null;
      if (kpm && !batched) kpm = kpm.unsqueeze(0);
      const [tgtLen, bsz, e] = q0.shape, srcLen0 = k0.shape[0];
      if (e !== this.embedDim) throw new torch.TorchError(`was expecting embedding dimension of ${this.embedDim}, but got ${e}`, 'AssertionError');
      const packed = this.inProjWeight !== null;
      if (packed ? k0.shape.join() !== v0.shape.join() : k0.shape.slice(0, 2).join() !== v0.shape.slice(0, 2).join()) {
        throw new torch.TorchError(`key shape [${k0.shape.join(', ')}] does not match value shape [${v0.shape.join(', ')}]`, 'AssertionError');
      }
      // _in_projection_packed, or _in_projection with separate weights
      let q: Tensor, k: Tensor, v: Tensor;
      const b = this.inProjBias;
      if (!packed) {
        const [bq, bk, bv] = b ? b.chunk(3) : [null, null, null];
        [q, k, v] = [F.linear(q0, this.qProjWeight!, bq), F.linear(k0, this.kProjWeight!, bk), F.linear(v0, this.vProjWeight!, bv)];
      } else if (selfAttn) {
        [q, k, v] = F.linear(q0, this.inProjWeight!, b).chunk(3, -1);
      } else {
        const [wq, wk, wv] = this.inProjWeight!.chunk(3);
        const [bq, bk, bv] = b ? b.chunk(3) : [null, null, null];
        q = F.linear(q0, wq, bq);
        if (kvSame) {
          [k, v] = F.linear(k0, torch.cat([wk, wv]), b ? torch.cat([bk!, bv!]) : null).chunk(2, -1);
        } else {
          k = F.linear(k0, wk, bk);
          v = F.linear(v0, wv, bv);
        }
      }
      let mask = o.attnMask ?? null;
      if (mask) {
        if (mask.dtype !== 'bool' && !torch.isFloatingPoint(mask.dtype)) throw new TypeError(`Only float, byte, and bool types are supported for attn_mask, not ${mask.dtype}`);
        if (mask.dim() === 2) {
          if (mask.shape.join() !== `${tgtLen},${srcLen0}`) throw new torch.TorchError(`The shape of the 2D attn_mask is [${mask.shape.join(', ')}], but should be (${tgtLen}, ${srcLen0}).`, 'RuntimeError');
          mask = mask.unsqueeze(0);
        } else if (mask.dim() === 3) {
          if (mask.shape.join() !== `${bsz * this.numHeads},${tgtLen},${srcLen0}`) throw new torch.TorchError(`The shape of the 3D attn_mask is [${mask.shape.join(', ')}], but should be (${bsz * this.numHeads}, ${tgtLen}, ${srcLen0}).`, 'RuntimeError');
        } else {
          throw new torch.TorchError(`attn_mask's dimension ${mask.dim()} is not supported`, 'RuntimeError');
        }
      }
      if (this.biasK && this.biasV) {
        k = torch.cat([k, this.biasK.repeat([1, bsz, 1])]);
        v = torch.cat([v, this.biasV.repeat([1, bsz, 1])]);
        if (mask) mask = pad(mask, [0, 1]);
        if (kpm) kpm = pad(kpm, [0, 1]);
      }
      const h = this.numHeads, hd = this.headDim;
      q = q.contiguous().view([tgtLen, bsz * h, hd]).transpose(0, 1);
      k = k.contiguous().view([k.shape[0], bsz * h, hd]).transpose(0, 1);
      v = v.contiguous().view([v.shape[0], bsz * h, hd]).transpose(0, 1);
      if (this.addZeroAttn) {
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
      let weights = F.softmax(mask ? mask.add(scores) : scores, -1);
      if (this.training && this.dropout > 0) weights = F.dropout(weights, this.dropout, true);
      let out = weights.bmm(v).transpose(0, 1).contiguous().view([tgtLen * bsz, e]);
      out = F.linear(out, this.outProj.weight, this.outProj.bias).view([tgtLen, bsz, e]);
      if (!batched) out = out.squeeze(1);
      else if (this.batchFirst) out = out.transpose(1, 0);
      if (!needWeights) return [out, null] as [Tensor, Tensor | null];
      let w = weights.view([bsz, h, tgtLen, srcLen]);
      if (average) w = w.sum(1).div(h);
      if (!batched) w = w.squeeze(0);
      return [out, w] as [Tensor, Tensor | null];
    });
  }
}

export type Activation = 'relu' | 'gelu' | ((x: Tensor) => Tensor);
export interface TransformerEncoderLayerOptions {
  dimFeedforward?: number;
  dropout?: number;
  activation?: Activation;
  layerNormEps?: number;
  batchFirst?: boolean;
  normFirst?: boolean;
  device?: string;
  dtype?: torch.DType;
}
/**
 * One encoder block of "Attention Is All You Need": self-attention and a feed-forward network, each
 * with dropout, a residual connection and a LayerNorm (after each, or before with normFirst).
 * forward(src, srcMask?, srcKeyPaddingMask?) as PyTorch.
 * @example const layer = new nn.TransformerEncoderLayer(512, 8, { batchFirst: true }); layer.forward(torch.rand([32, 10, 512]))
 */
export class TransformerEncoderLayer extends Module<(src: Tensor, srcMask?: Tensor | null, srcKeyPaddingMask?: Tensor | null) => Tensor> {
  selfAttn: MultiheadAttention;
  linear1: Linear;
  dropout: Dropout;
  linear2: Linear;
  readonly normFirst: boolean;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout1: Dropout;
  dropout2: Dropout;
  readonly activation: (x: Tensor) => Tensor;
  constructor(dModel: number | TransformerEncoderLayerOptions & { dModel?: number; nhead?: number }, nhead?: number | TransformerEncoderLayerOptions,
    dimFeedforward?: number | TransformerEncoderLayerOptions, dropout?: number | TransformerEncoderLayerOptions,
    activation?: Activation | TransformerEncoderLayerOptions, options?: TransformerEncoderLayerOptions) {
    super();
    const a = keywordArgs('TransformerEncoderLayer', [dModel, nhead, dimFeedforward, dropout, activation, options],
      ['dModel', 'nhead', 'dimFeedforward', 'dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst', 'device', 'dtype'], 5) as unknown as TransformerEncoderLayerOptions & { dModel: number; nhead: number };
    const d = checkInt(a.dModel, 'dModel');
    const ff = checkInt(a.dimFeedforward ?? 2048, 'dimFeedforward');
    const p = checkNumber(a.dropout ?? 0.1, 'dropout');
    const opts = { device: a.device, dtype: a.dtype };
    this.selfAttn = new MultiheadAttention(d, checkInt(a.nhead, 'nhead'), { dropout: p, batchFirst: checkBool(a.batchFirst, 'batchFirst'), ...opts });
    this.linear1 = new Linear(d, ff, opts);
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, d, opts);
    this.normFirst = checkBool(a.normFirst, 'normFirst');
    const eps = checkNumber(a.layerNormEps ?? 1e-5, 'layerNormEps');
    this.norm1 = new LayerNorm(d, { eps, ...opts });
    this.norm2 = new LayerNorm(d, { eps, ...opts });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    const act = a.activation ?? 'relu';
    if (act === 'relu') this.activation = F.relu;
    else if (act === 'gelu') this.activation = (x) => F.gelu(x);
    else if (typeof act === 'function') this.activation = act;
    else throw new TypeError(`activation should be relu/gelu, not ${describe(act)}`);
  }
  forward(src: Tensor, srcMask?: Tensor | null, srcKeyPaddingMask?: Tensor | null): Tensor {
    return torch.tidy(() => {
      const sa = (x: Tensor): Tensor => this.dropout1.forward(
        this.selfAttn.forward(x, x, x, { attnMask: srcMask ?? null, keyPaddingMask: srcKeyPaddingMask ?? null, needWeights: false })[0]);
      const ffn = (x: Tensor): Tensor => this.dropout2.forward(this.linear2.forward(this.dropout.forward(this.activation(this.linear1.forward(x)))));
      let x = src;
      if (this.normFirst) {
        x = x.add(sa(this.norm1.forward(x)));
        return x.add(ffn(this.norm2.forward(x)));
      }
      x = this.norm1.forward(x.add(sa(x)));
      return this.norm2.forward(x.add(ffn(x)));
    });
  }
}
