// Embedding, LayerNorm and GroupNorm with PyTorch 1.13's arguments, init and printing.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { checkBool, checkInt, checkNumber, checkOptions, checkShape } from '../tensor/args.js';
import * as F from './functional.js';
import * as FL from './functional-layers.js';
import * as init from './init.js';
import { Module, Parameter } from './module.js';
import { keywordArgs } from './options.js';
import { pyBool, pyFloat, pyTuple } from './repr.js';

export interface EmbeddingOptions {
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  /** Deviation: only false (PyTorch's default) is supported until aten::embedding_backward is bound. */
  scaleGradByFreq?: boolean;
  /** Deviation: only false; torchlab has no sparse gradients. */
  sparse?: boolean;
  /** A weight to use instead of a freshly initialised one (PyTorch's `_weight`). */
  _weight?: Tensor | null;
  device?: string;
  dtype?: torch.DType;
}
/**
 * A lookup table of numEmbeddings vectors of size embeddingDim, indexed by int64 tensors.
 * @example const emb = new nn.Embedding(10, 3, { paddingIdx: 0 }); emb.forward(torch.tensor([[0n, 2n]])).shape // [1, 2, 3]
 */
export class Embedding extends Module {
  weight: Tensor;
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options?: EmbeddingOptions) {
    super();
    const o = checkOptions(options, 'Embedding', ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse', '_weight', 'device', 'dtype']);
    checkInt(numEmbeddings, 'numEmbeddings');
    checkInt(embeddingDim, 'embeddingDim');
    let pad = o.paddingIdx ?? null;
    if (pad !== null) {
      checkInt(pad, 'paddingIdx');
      if (pad >= numEmbeddings || pad < -numEmbeddings) throw new RangeError('Padding_idx must be within num_embeddings');
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    this.maxNorm = o.maxNorm === undefined || o.maxNorm === null ? null : checkNumber(o.maxNorm, 'maxNorm');
    this.normType = checkNumber(o.normType ?? 2, 'normType');
    this.scaleGradByFreq = checkBool(o.scaleGradByFreq, 'scaleGradByFreq');
    this.sparse = checkBool(o.sparse, 'sparse');
    if (this.scaleGradByFreq || this.sparse) throw new RangeError('Embedding: scaleGradByFreq and sparse are not supported (torchlab has no sparse gradients)');
    if (o._weight) {
      if (o._weight.shape.join() !== `${numEmbeddings},${embeddingDim}`) throw new RangeError('Shape of weight does not match num_embeddings and embedding_dim');
      this.weight = Parameter(o._weight);
    } else {
      this.weight = Parameter(torch.empty([numEmbeddings, embeddingDim], { device: o.device, dtype: o.dtype }));
      this.resetParameters();
    }
  }
  /** N(0, 1), then the padding row zeroed, as PyTorch. */
  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) torch.noGrad(() => this.weight.select(0, this.paddingIdx!).fill_(0));
  }
  /** nn.Embedding.from_pretrained: a table holding `embeddings` (frozen unless freeze is false). */
  static fromPretrained(embeddings: Tensor, options?: Omit<EmbeddingOptions, '_weight' | 'device' | 'dtype'> & { freeze?: boolean }): Embedding {
    const { freeze = true, ...rest } = checkOptions(options, 'Embedding.fromPretrained', ['freeze', 'paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse']);
    if (embeddings.dim() !== 2) throw new RangeError('Embeddings parameter is expected to be 2-dimensional');
    const e = new Embedding(embeddings.shape[0], embeddings.shape[1], { ...rest, _weight: embeddings.detach().clone() });
    e.weight.requiresGrad_(!freeze);
    return e;
  }
  forward(x: Tensor): Tensor {
    return FL.embedding(x, this.weight, { paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType });
  }
  extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    return s;
  }
}

export interface LayerNormOptions { eps?: number; elementwiseAffine?: boolean; device?: string; dtype?: torch.DType }
/**
 * Normalises over the trailing normalizedShape dimensions, with a learnt per-element affine.
 * @example new nn.LayerNorm(512), new nn.LayerNorm([10, 10], { elementwiseAffine: false })
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;
  weight: Tensor | null;
  bias: Tensor | null;
  constructor(normalizedShape: number | number[] | LayerNormOptions & { normalizedShape?: number | number[] },
    eps?: number | LayerNormOptions, elementwiseAffine?: boolean | LayerNormOptions, options?: LayerNormOptions) {
    super();
    const a = keywordArgs('LayerNorm', [normalizedShape, eps, elementwiseAffine, options], ['normalizedShape', 'eps', 'elementwiseAffine', 'device', 'dtype'], 3);
    if (a.normalizedShape === undefined) throw new TypeError("LayerNorm: missing required argument 'normalizedShape'");
    this.normalizedShape = [...checkShape(a.normalizedShape, 'normalizedShape')];
    this.eps = checkNumber(a.eps ?? 1e-5, 'eps');
    this.elementwiseAffine = checkBool(a.elementwiseAffine, 'elementwiseAffine', true);
    const opts = { device: a.device as string, dtype: a.dtype as torch.DType };
    this.weight = this.elementwiseAffine ? Parameter(torch.empty(this.normalizedShape, opts)) : null;
    this.bias = this.elementwiseAffine ? Parameter(torch.empty(this.normalizedShape, opts)) : null;
    this.resetParameters();
  }
  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }
  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

export interface GroupNormOptions { eps?: number; affine?: boolean; device?: string; dtype?: torch.DType }
/**
 * Normalises each of numGroups groups of channels of (N, C, ...), with a learnt per-channel affine.
 * @example new nn.GroupNorm(4, 32)
 */
export class GroupNorm extends Module {
  readonly numGroups: number;
  readonly numChannels: number;
  readonly eps: number;
  readonly affine: boolean;
  weight: Tensor | null;
  bias: Tensor | null;
  constructor(numGroups: number, numChannels: number, eps?: number | GroupNormOptions, affine?: boolean | GroupNormOptions, options?: GroupNormOptions) {
    super();
    const a = keywordArgs('GroupNorm', [eps, affine, options], ['eps', 'affine', 'device', 'dtype'], 2);
    this.numGroups = checkInt(numGroups, 'numGroups');
    this.numChannels = checkInt(numChannels, 'numChannels');
    if (numChannels % numGroups !== 0) throw new RangeError('num_channels must be divisible by num_groups');
    this.eps = checkNumber(a.eps ?? 1e-5, 'eps');
    this.affine = checkBool(a.affine, 'affine', true);
    const opts = { device: a.device as string, dtype: a.dtype as torch.DType };
    this.weight = this.affine ? Parameter(torch.empty([numChannels], opts)) : null;
    this.bias = this.affine ? Parameter(torch.empty([numChannels], opts)) : null;
    this.resetParameters();
  }
  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }
  forward(x: Tensor): Tensor {
    return FL.groupNorm(x, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }
  extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}
