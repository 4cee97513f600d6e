// nn.summary(model, inputShape): a layer table like the community's torchsummary / torchinfo
// (PyTorch itself has none), from one traced forward pass.
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { isTensor } from '../tensor/handles.js';
import { Module } from './module.js';
import { Conv2d, Linear } from './layers.js';
import { ModuleDict, ModuleList, Sequential } from './containers.js';

/** One module call of the traced forward pass. */
export interface SummaryRow {
  /** Dotted name, as in namedModules() ('layer1.0.conv1'). */
  name: string;
  /** Class name ('Conv2d'). */
  type: string;
  /** Shape of the output (of its first tensor when it returns several); null when it returns no tensor. */
  outputShape: number[] | null;
  /** Parameters owned by this module itself (not its submodules), so the column adds up to the total when each module runs once. */
  params: number;
}

/** What summary() returns; toString() (and console.log) gives the table. */
export class ModelSummary {
  constructor(
    readonly rows: SummaryRow[],
    readonly totalParams: number,
    readonly trainableParams: number,
    /** Conv and Linear layers on the longest input-to-output path: the depth in a network's name (ResNet-18 -> 18). */
    readonly weightLayers: number,
    /** Every Conv and Linear module, parallel paths included (ResNet-18: 18 + 3 projection shortcuts = 21). */
    readonly weightModules: number,
  ) {}
  toString(): string {
    const fmt = (n: number) => n.toLocaleString('en-US');
    const cells = this.rows.map((r) => [`${r.name} (${r.type})`, r.outputShape ? `[${r.outputShape.join(', ')}]` : '-', fmt(r.params)]);
    const head = ['Layer (type)', 'Output Shape', 'Param #'];
    const wid = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const line = (c: string[]) => `${c[0].padEnd(wid[0])}   ${c[1].padEnd(wid[1])}   ${c[2].padStart(wid[2])}`;
    const total = wid[0] + wid[1] + wid[2] + 6;
    return [
      '-'.repeat(total), line(head), '='.repeat(total), ...cells.map(line), '='.repeat(total),
      `Total params: ${fmt(this.totalParams)}`,
      `Trainable params: ${fmt(this.trainableParams)}`,
      `Non-trainable params: ${fmt(this.totalParams - this.trainableParams)}`,
      `Weight layers (conv + linear on the longest path): ${this.weightLayers}`,
      '-'.repeat(total),
    ].join('\n');
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

const isWeightLayer = (m: Module): boolean =>
  m instanceof Conv2d || m instanceof Linear || /^(Conv(Transpose)?[123]d|Linear)$/.test(m.constructor.name);
const isContainer = (m: Module): boolean => m instanceof Sequential || m instanceof ModuleList || m instanceof ModuleDict;

function tensorsIn(x: unknown, out: Tensor[] = []): Tensor[] {
  if (isTensor(x)) out.push(x);
  else if (Array.isArray(x)) x.forEach((v) => tensorsIn(v, out));
  return out;
}
const count = (ts: Tensor[]): number => ts.reduce((a, t) => a + t.numel(), 0);

/**
 * Runs one forward pass on zeros of `inputShape` (batch dimension included) and lists every module
 * call (containers such as Sequential left out, as torchsummary does) with its output shape and
 * parameter count, plus the total / trainable parameters and the number of weight layers.
 *
 * The pass runs under noGrad in eval mode, so BatchNorm's running statistics and the random
 * generator are untouched; each module's training flag is restored afterwards. Tracing wraps each
 * module's forward for the duration of the call (no hooks) and always unwraps it.
 *
 * Weight layers follow the convention behind the depth in "ResNet-18": Conv and Linear layers counted
 * along the longest path from input to output, so a projection shortcut (a 1×1 conv running beside the
 * two 3×3 convs it bypasses) does not add to it: ResNet-18 has 17 convs + 1 linear = 18 (21 Conv/Linear
 * modules in all, see weightModules). The path is followed through module outputs; a tensor made by a
 * plain function (F.relu, add) is taken as depending on everything computed before it, which is exact
 * for chains and residual blocks.
 * Deviation from torchinfo: nothing is printed; use console.log(summary(...)).
 * @example
 * const s = nn.summary(models.resnet18(), [1, 3, 32, 32]);
 * s.totalParams;  // 11173962
 * s.weightLayers; // 18
 * console.log(s.toString());
 */
export function summary(model: Module, inputShape: readonly number[], o: { dtype?: torch.DType; device?: string } = {}): ModelSummary {
  if (!(model instanceof Module)) throw new TypeError('summary: model must be an nn.Module');
  const params = [...new Set(model.parameters())]; // a shared (tied) parameter counts once, as in PyTorch
  const device = o.device ?? params[0]?.device ?? 'cpu';
  const dtype = o.dtype ?? params.find((p) => torch.isFloatingPoint(p.dtype))?.dtype ?? 'float32';
  const named = model.namedModules();
  const modes = named.map(([, m]) => m.training);
  const rows: SummaryRow[] = [];
  const depth = new WeakMap<Tensor, number>();
  let maxDepth = 0;
  const depthOf = (t: Tensor): number => {
    if (!depth.has(t)) depth.set(t, maxDepth); // made by a function outside any module
    return depth.get(t)!;
  };
  const wrapped = new Map<Module, PropertyDescriptor | undefined>();
  try {
    for (const [name, m] of named) {
      if (wrapped.has(m)) continue; // a module registered twice keeps its first name
      wrapped.set(m, Object.getOwnPropertyDescriptor(m, 'forward'));
      const forward = m.forward;
      const leaf = m.children().length === 0;
      const listed = m !== model && !isContainer(m);
      const own = count(m.parameters({ recurse: false }));
      const traced = (...args: unknown[]): unknown => {
        const row: SummaryRow = { name, type: m.constructor.name, outputShape: null, params: own };
        if (listed) rows.push(row);
        const inDepth = Math.max(0, ...tensorsIn(args).map(depthOf));
        const out = (forward as (...a: unknown[]) => unknown).apply(m, args);
        const outs = tensorsIn(out);
        for (const t of outs) {
          if (leaf) depth.set(t, inDepth + (isWeightLayer(m) ? 1 : 0));
          maxDepth = Math.max(maxDepth, depthOf(t));
        }
        if (outs.length) row.outputShape = [...outs[0].shape];
        return out;
      };
      Object.defineProperty(m, 'forward', { value: traced, configurable: true, writable: true, enumerable: false });
    }
    model.eval();
    torch.tidy(() => torch.noGrad(() => {
      const x = torch.zeros([...inputShape], { dtype, device });
      depth.set(x, 0);
      model.forward(x);
    }));
  } finally {
    for (const [m, desc] of wrapped) {
      if (desc) Object.defineProperty(m, 'forward', desc);
      else delete (m as { forward?: unknown }).forward;
    }
    named.forEach(([, m], i) => { m.training = modes[i]; });
  }
  const trainable = params.filter((p) => p.requiresGrad);
  const weightModules = [...wrapped.keys()].filter(isWeightLayer).length;
  return new ModelSummary(rows, count(params), count(trainable), maxDepth, weightModules);
}
