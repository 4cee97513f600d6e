// LSTM and GRU with PyTorch 1.13's arguments, parameters (weight_ih_l0, weight_hh_l0_reverse, ...),
// init and printing. The recurrence is ATen's CPU path written out per time step (RNN.cpp: the
// input projection of the whole sequence first, then per step linear_hh(h) + that, the gates in
// PyTorch's order), so outputs and gradients are PyTorch's to float rounding.
// TODO(generated ops): aten::lstm, aten::gru (one call for the whole stack, and PackedSequence).
// Deviation: no PackedSequence inputs.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { checkBool, checkInt, checkNumber } from '../tensor/args.js';
import * as F from './functional.js';
import * as init from './init.js';
import { Module, Parameter } from './module.js';
import { keywordArgs } from './options.js';
import { warnOnce } from './warnings.js';
import { pyBool, pyFloat } from './repr.js';

export interface RNNOptions {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  /** Dropout on the outputs of each layer but the last, while training. */
  dropout?: number;
  bidirectional?: boolean;
  /** LSTM only: project the hidden state to this size (weight_hr_l*), 0 for none. */
  projSize?: number;
  device?: string;
  dtype?: torch.DType;
}
type Arg<T> = T | RNNOptions;
type GArg<T> = T | Omit<RNNOptions, 'projSize'>;
const NAMES = ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional'];

abstract class RNNBase<Fwd extends (...a: never[]) => unknown> extends Module<Fwd> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly projSize: number;
  constructor(name: string, gates: number, args: unknown[]) {
    super();
    const names = gates === 4 ? [...NAMES, 'projSize', 'device', 'dtype'] : [...NAMES, 'device', 'dtype'];
    const a = keywordArgs(name, args, names, gates === 4 ? 8 : 7);
    if (a.inputSize === undefined || a.hiddenSize === undefined) throw new TypeError(`${name}: missing required arguments 'inputSize' and 'hiddenSize'`);
    this.inputSize = checkInt(a.inputSize, 'inputSize');
    this.hiddenSize = checkInt(a.hiddenSize, 'hiddenSize');
    this.numLayers = checkInt(a.numLayers ?? 1, 'numLayers');
    this.bias = checkBool(a.bias, 'bias', true);
    this.batchFirst = checkBool(a.batchFirst, 'batchFirst');
    this.dropout = checkNumber(a.dropout ?? 0, 'dropout');
    this.bidirectional = checkBool(a.bidirectional, 'bidirectional');
    this.projSize = checkInt(a.projSize ?? 0, 'projSize');
    if (this.projSize < 0) throw new RangeError('proj_size should be a positive integer or zero to disable projections');
    if (this.projSize >= this.hiddenSize) throw new RangeError('proj_size has to be smaller than hidden_size');
    if (this.hiddenSize <= 0) throw new RangeError('hidden_size must be greater than zero');
    if (this.numLayers <= 0) throw new RangeError('num_layers must be greater than zero');
    if (this.dropout < 0 || this.dropout > 1) throw new RangeError('dropout should be a number in range [0, 1] representing the probability of an element being zeroed');
    if (this.dropout > 0 && this.numLayers === 1) {
      warnOnce(`dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout=${this.dropout} and num_layers=1`);
    }
    const opts = { device: a.device as string, dtype: a.dtype as torch.DType };
    const dirs = this.bidirectional ? 2 : 1;
    const real = this.projSize || this.hiddenSize; // the size of h
    // Fields named so that their snake_case keys are PyTorch's, registered in PyTorch's order.
    const self = this as unknown as Record<string, Tensor>;
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < dirs; d++) {
        const sfx = `L${l}${d === 1 ? 'Reverse' : ''}`;
        const inSize = l === 0 ? this.inputSize : real * dirs;
        self[`weightIh${sfx}`] = Parameter(torch.empty([gates * this.hiddenSize, inSize], opts));
        self[`weightHh${sfx}`] = Parameter(torch.empty([gates * this.hiddenSize, real], opts));
        if (this.bias) {
          self[`biasIh${sfx}`] = Parameter(torch.empty([gates * this.hiddenSize], opts));
          self[`biasHh${sfx}`] = Parameter(torch.empty([gates * this.hiddenSize], opts));
        }
        if (this.projSize > 0) self[`weightHr${sfx}`] = Parameter(torch.empty([this.projSize, this.hiddenSize], opts));
      }
    }
    this.resetParameters();
  }
  /** PyTorch's: every parameter U(±1/√hiddenSize), in registration order. */
  resetParameters(): void {
    const stdv = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters()) init.uniform_(p, -stdv, stdv);
  }
  protected weights(layer: number, dir: number): [Tensor, Tensor, Tensor | null, Tensor | null, Tensor | null] {
    const self = this as unknown as Record<string, Tensor>;
    const sfx = `L${layer}${dir === 1 ? 'Reverse' : ''}`;
    return [self[`weightIh${sfx}`], self[`weightHh${sfx}`], self[`biasIh${sfx}`] ?? null, self[`biasHh${sfx}`] ?? null, self[`weightHr${sfx}`] ?? null];
  }
  /** One step: new hidden state(s) from the precomputed input projection xw (N, G·H). */
  protected abstract cell(xw: Tensor, state: Tensor[], whh: Tensor, bhh: Tensor | null, whr: Tensor | null): Tensor[];

  /** Runs the stack on (L, N, H_in) input (already time-major, batched); states: per kind, (D·layers, N, H). */
  protected run(input: Tensor, states: Tensor[]): [Tensor, Tensor[]] {
    const dirs = this.bidirectional ? 2 : 1;
    const finals: Tensor[][] = states.map(() => []);
    let x = input;
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < dirs; d++) {
        const [wih, whh, bih, bhh, whr] = this.weights(l, d);
        const xw = F.linear(x, wih, bih).unbind(0);
        let state = states.map((s) => s.select(0, l * dirs + d));
        const steps: Tensor[] = new Array(xw.length);
        for (let i = 0; i < xw.length; i++) {
          const t = d === 0 ? i : xw.length - 1 - i;
          state = this.cell(xw[t], state, whh, bhh, whr);
          steps[t] = state[0];
        }
        outs.push(torch.stack(steps, 0));
        state.forEach((s, k) => finals[k].push(s));
      }
      x = dirs === 1 ? outs[0] : torch.cat(outs, 2);
      if (this.dropout > 0 && this.training && l < this.numLayers - 1) x = F.dropout(x, this.dropout, true);
    }
    return [x, finals.map((f) => torch.stack(f, 0))];
  }
  /** Batch-first / unbatched input to (L, N, H_in); the initial states (zeros when not given), checked. */
  protected prepare(input: Tensor, hx: Tensor[] | null, kinds: number): [Tensor, Tensor[], boolean] {
    const name = this.constructor.name;
    if (input.dim() !== 2 && input.dim() !== 3) throw new RangeError(`${name}: Expected input to be 2-D or 3-D but received ${input.dim()}-D tensor`);
    const batched = input.dim() === 3;
    let x = batched ? input : input.unsqueeze(1);
    if (batched && this.batchFirst) x = x.transpose(0, 1);
    if (x.shape[2] !== this.inputSize) throw new torch.TorchError(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${x.shape[2]}`, 'RuntimeError');
    const sizes = [this.projSize || this.hiddenSize, this.hiddenSize]; // h (projected), c
    const states = hx
      ? hx.map((h, k) => {
        const expected = [this.numLayers * (this.bidirectional ? 2 : 1), x.shape[1], sizes[k]];
        if (batched ? h.dim() !== 3 : h.dim() !== 2) throw new RangeError(`${name}: For ${batched ? 'batched 3-D' : 'unbatched 2-D'} input, hx should also be ${batched ? '3-D' : '2-D'} but got ${h.dim()}-D tensor`);
        const s = batched ? h : h.unsqueeze(1);
        if (s.shape.join() !== expected.join()) throw new torch.TorchError(`Expected hidden size (${expected.join(', ')}), got [${s.shape.join(', ')}]`, 'RuntimeError');
        return s;
      })
      : Array.from({ length: kinds }, (_, k) =>
        torch.zeros([this.numLayers * (this.bidirectional ? 2 : 1), x.shape[1], sizes[k]], { dtype: input.dtype, device: input.device }));
    return [x, states, batched];
  }
  protected finish(out: Tensor, states: Tensor[], batched: boolean): [Tensor, Tensor[]] {
    if (!batched) return [out.squeeze(1), states.map((s) => s.squeeze(1))];
    return [this.batchFirst ? out.transpose(0, 1) : out, states];
  }
  extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${pyBool(this.bias)}`;
    if (this.batchFirst) s += `, batch_first=${pyBool(this.batchFirst)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(this.bidirectional)}`;
    return s;
  }
}

export type LSTMForward = (input: Tensor, hx?: [Tensor, Tensor] | null) => [Tensor, [Tensor, Tensor]];
/**
 * Long short-term memory over (L, N, H_in) (or (N, L, H_in) with batchFirst, or unbatched (L, H_in)).
 * forward(input, [h0, c0]?) returns [output, [hN, cN]] as PyTorch.
 * @example const lstm = new nn.LSTM(10, 20, 2); const [out, [h, c]] = lstm.forward(torch.randn([5, 3, 10]));
 */
export class LSTM extends RNNBase<LSTMForward> {
  constructor(inputSize: number | RNNOptions & { inputSize: number; hiddenSize: number }, hiddenSize?: Arg<number>, numLayers?: Arg<number>, bias?: Arg<boolean>,
    batchFirst?: Arg<boolean>, dropout?: Arg<number>, bidirectional?: Arg<boolean>, projSize?: Arg<number>, options?: RNNOptions) {
    super('LSTM', 4, [inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, projSize, options]);
  }
  protected cell(xw: Tensor, [h, c]: Tensor[], whh: Tensor, bhh: Tensor | null, whr: Tensor | null): Tensor[] {
    const [i, f, g, o] = F.linear(h, whh, bhh).add(xw).chunk(4, 1);
    const cy = f.sigmoid().mul(c).add(i.sigmoid().mul(g.tanh()));
    const hy = o.sigmoid().mul(cy.tanh());
    return [whr ? hy.matmul(whr.t()) : hy, cy]; // ATen's matmul_hr
  }
  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    if (hx && (!Array.isArray(hx) || hx.length !== 2)) throw new TypeError('LSTM: hx must be [h0, c0]');
    return torch.tidy(() => {
      const [x, states, batched] = this.prepare(input, hx ?? null, 2);
      const [out, finals] = this.run(x, states);
      const [o, [h, c]] = this.finish(out, finals, batched);
      return [o, [h, c]] as [Tensor, [Tensor, Tensor]];
    });
  }
}

export type GRUOptions = Omit<RNNOptions, 'projSize'>;
export type GRUForward = (input: Tensor, hx?: Tensor | null) => [Tensor, Tensor];
/**
 * Gated recurrent unit; forward(input, h0?) returns [output, hN] as PyTorch.
 * @example const gru = new nn.GRU(10, 20, { batchFirst: true }); const [out, h] = gru.forward(torch.randn([3, 5, 10]));
 */
export class GRU extends RNNBase<GRUForward> {
  constructor(inputSize: number | GRUOptions & { inputSize: number; hiddenSize: number }, hiddenSize?: GArg<number>, numLayers?: GArg<number>, bias?: GArg<boolean>,
    batchFirst?: GArg<boolean>, dropout?: GArg<number>, bidirectional?: GArg<boolean>, options?: GRUOptions) {
    super('GRU', 3, [inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional, options]);
  }
  protected cell(xw: Tensor, [h]: Tensor[], whh: Tensor, bhh: Tensor | null): Tensor[] {
    const [ir, iz, inn] = xw.chunk(3, 1);
    const [hr, hz, hn] = F.linear(h, whh, bhh).chunk(3, 1);
    const r = hr.add(ir).sigmoid();
    const z = hz.add(iz).sigmoid();
    const n = inn.add(hn.mul(r)).tanh();
    return [h.sub(n).mul(z).add(n)];
  }
  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor] {
    return torch.tidy(() => {
      const [x, states, batched] = this.prepare(input, hx ? [hx] : null, 1);
      const [out, finals] = this.run(x, states);
      const [o, [h]] = this.finish(out, finals, batched);
      return [o, h] as [Tensor, Tensor];
    });
  }
}
