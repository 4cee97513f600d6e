// MultiheadAttention and TransformerEncoderLayer with PyTorch 1.13's arguments, parameters
// (in_proj_weight or q/k/v_proj_weight, in_proj_bias, out_proj.*, bias_k/v), init and printing.
// The attention is F.multiHeadAttentionForward (functional-attention.ts), as PyTorch's module calls
// F.multi_head_attention_forward.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { checkBool, checkInt, checkNumber, checkOptions, describe } from '../tensor/args.js';
import { multiHeadAttentionForward } from './functional-attention.js';
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
    return torch.tidy(() => {
      const batched = query.dim() === 3;
      // batch-first to (L, N, E), keeping the very same tensor where it was (self-attention projects once)
      let [q, k, v] = [query, key, value];
      if (this.batchFirst && batched) {
        q = query.transpose(1, 0);
        k = key === query ? q : key.transpose(1, 0);
        v = value === key ? k : value.transpose(1, 0);
      }
      const separate = this.inProjWeight === null;
      const [out, weights] = multiHeadAttentionForward(q, k, v, this.embedDim, this.numHeads, this.inProjWeight, this.inProjBias,
        this.biasK, this.biasV, this.addZeroAttn, this.dropout, this.outProj.weight, this.outProj.bias, {
          training: this.training, keyPaddingMask: o.keyPaddingMask, needWeights: o.needWeights, attnMask: o.attnMask,
          useSeparateProjWeight: separate, qProjWeight: this.qProjWeight, kProjWeight: this.kProjWeight, vProjWeight: this.vProjWeight,
          averageAttnWeights: o.averageAttnWeights,
        });
      return [this.batchFirst && batched ? out.transpose(1, 0) : out, weights] as [Tensor, Tensor | null];
    });
  }
}

/** 'relu', 'gelu', a function (not printed) or a module (printed last, as PyTorch registers it). */
export type Activation = 'relu' | 'gelu' | ((x: Tensor) => Tensor) | Module;
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
  readonly activation: ((x: Tensor) => Tensor) | Module;
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
    else if (typeof act === 'function' || act instanceof Module) this.activation = act;
    else throw new TypeError(`activation should be relu/gelu, not ${describe(act)}`);
  }
  private act(x: Tensor): Tensor {
    return this.activation instanceof Module ? this.activation.forward(x) : this.activation(x);
  }
  forward(src: Tensor, srcMask?: Tensor | null, srcKeyPaddingMask?: Tensor | null): Tensor {
    return torch.tidy(() => {
      const sa = (x: Tensor): Tensor => this.dropout1.forward(
        this.selfAttn.forward(x, x, x, { attnMask: srcMask ?? null, keyPaddingMask: srcKeyPaddingMask ?? null, needWeights: false })[0]);
      const ffn = (x: Tensor): Tensor => this.dropout2.forward(this.linear2.forward(this.dropout.forward(this.act(this.linear1.forward(x)))));
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
