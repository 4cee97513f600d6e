// The memory format conv nets train in: channels_last where this machine runs the model faster
// in it, decided by measurement (a short calibration on the first batch), not by a fixed rule.
//
// Why measure: channels_last (NHWC) lets oneDNN skip the layout reorders around every conv and
// BatchNorm, which PyTorch 1.13 measured 1.07-1.29x faster on this 2-core CPU; on other CPUs, other
// widths or on CUDA without tensor cores it can be slower. PyTorch never converts by itself (users
// call model.to(memory_format=torch.channels_last)); torchlab's fit does it when it pays.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import type { Module } from '../nn/module.js';
import { describe } from '../tensor/args.js';

/** fit's memoryFormat: measure and pick ('auto', the default), or force one layout. */
export type MemoryFormatOption = 'auto' | 'channels-last' | 'contiguous';
export const MEMORY_FORMATS: readonly MemoryFormatOption[] = ['auto', 'channels-last', 'contiguous'];

export function checkMemoryFormat(v: unknown, who: string): MemoryFormatOption {
  if (v === undefined) return 'auto';
  if (typeof v !== 'string' || !(MEMORY_FORMATS as readonly string[]).includes(v)) {
    throw new TypeError(`${who}: memoryFormat must be one of ${MEMORY_FORMATS.join(', ')}, got ${describe(v)}`);
  }
  return v as MemoryFormatOption;
}

/** The model's conv weights (4-D floating parameters); none: the memory format does not matter. */
const convWeights = (model: Module): Tensor[] => model.parameters().filter((p) => p.dim() === 4 && torch.isFloatingPoint(p.dtype));

/** The layout the model's conv weights are in now (null when it has none). */
export function modelMemoryFormat(model: Module): torch.MemoryFormat | null {
  const w = convWeights(model);
  if (w.length === 0) return null;
  return w.some((p) => torch.isChannelsLast(p) && !p.isContiguous()) ? 'channels_last' : 'contiguous_format';
}

/** A batch input laid out for a model in `format` (4-D inputs only; others pass through). */
export function inputFor(x: Tensor, format: torch.MemoryFormat | null): Tensor {
  return format === 'channels_last' && x.dim() === 4 ? torch.toMemoryFormat(x, 'channels_last') : x;
}

// Decisions by (device, threads, model structure, input shape): in memory, and on disk so that
// later processes skip the calibration (best effort: an unwritable cache only costs the measurement).
const decided = new Map<string, torch.MemoryFormat>();
const cacheFile = (): string => path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'torchlab', 'memory-format.json');

export function readCache(): Record<string, torch.MemoryFormat> {
  try {
    return JSON.parse(fs.readFileSync(cacheFile(), 'utf8')) as Record<string, torch.MemoryFormat>;
  } catch {
    return {};
  }
}

/**
 * Adds one decision to the cache file. Several processes may write it at once (`torchlab lab
 * --jobs N` calibrates in every worker): the read-merge-write runs under a lock file, so that no
 * decision another process just wrote is lost, and the new file replaces the old by rename, so that
 * a reader never sees half of it.
 * (Exported for the tests.)
 */
export function writeCache(key: string, format: torch.MemoryFormat): void {
  try {
    fs.mkdirSync(path.dirname(cacheFile()), { recursive: true });
    withFileLock(`${cacheFile()}.lock`, () => {
      const all = { ...readCache(), [key]: format };
      const tmp = `${cacheFile()}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, `${JSON.stringify(all, null, 1)}\n`);
      fs.renameSync(tmp, cacheFile());
    });
  } catch {
    // read-only home, full disk: the decision is still kept in memory
  }
}

/**
 * Runs `fn` holding `lock` (created exclusively; waits up to 2 s for another holder, and removes a
 * lock older than 10 s, left by a killed process). Without the lock by then, runs anyway: the cache
 * is only an optimization and the rename keeps the file whole.
 */
function withFileLock(lock: string, fn: () => void): void {
  const deadline = Date.now() + 2000;
  let held = false;
  while (!held) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      held = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || Date.now() > deadline) break;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 10_000) fs.rmSync(lock, { force: true });
      } catch { /* gone meanwhile */ }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // sleep 10 ms
    }
  }
  try {
    fn();
  } finally {
    if (held) fs.rmSync(lock, { force: true });
  }
}

function keyOf(model: Module, x: Tensor): string {
  const params = model.parameters().map((p) => p.shape.join('x')).join(',');
  const structure = createHash('sha1').update(`${model.toString()}\n${params}`).digest('hex').slice(0, 16);
  // the CPU's model too: a cache shared by machines (an NFS home) must not carry one's decision to another
  return [x.device, os.cpus()[0]?.model ?? '', torch.getNumThreads(), x.dtype, x.shape.join('x'), structure].join('|');
}

/** One forward + backward in milliseconds (the update is left out: its cost does not depend on the layout). */
function timeStep(model: Module, x: Tensor, y: Tensor, lossFn: (o: Tensor, t: Tensor) => Tensor): number {
  const t0 = performance.now();
  torch.tidy(() => {
    const l = lossFn(model.forward(x), y);
    l.backward();
    l.item();
  });
  return performance.now() - t0;
}

// The calibration's extra rounds stop when they would take it past this (ResNet-18 width 64: none).
const CLOSE_CALL_BUDGET_MS = 4000;

/**
 * Measures a training step's forward + backward of `model` on batch (x, y) in both layouts (each
 * run once to warm oneDNN's primitive caches, then timed twice, alternating, and up to four more times
 * when the two are within 10% and the rounds fit in 4 s) and returns the faster. Leaves no trace:
 * BatchNorm running statistics and the RNG state (dropout) are restored, gradients are cleared
 * (the caller zeroes them next anyway), parameters are only read. Costs six to fourteen forward+backward passes.
 */
export function calibrateMemoryFormat(model: Module, x: Tensor, y: Tensor, lossFn: (o: Tensor, t: Tensor) => Tensor): torch.MemoryFormat {
  return torch.tidy(() => {
    const buffers = model.buffers();
    const saved = buffers.map((b) => b.clone());
    const rng = torch.getRngState();
    const formats: torch.MemoryFormat[] = ['channels_last', 'contiguous_format'];
    const ms: number[] = [Infinity, Infinity];
    try {
      // warm-up, then the best of two alternating timings (one alone mispicked by the noise of a busy
      // machine); while the two are within 10% of each other, up to four more rounds if they fit in
      // CLOSE_CALL_BUDGET_MS (a coin flip between close layouts cost the lab's CNN runs ~20% on one
      // thread: the noise of this 2-core VM is ±15%).
      const started = performance.now();
      const round = (timed: boolean) => formats.forEach((f, i) => {
        model.to({ memoryFormat: f });
        try {
          const t = timeStep(model, inputFor(x, f), y, lossFn);
          if (timed) ms[i] = Math.min(ms[i], t);
        } catch (e) {
          // A forward that cannot take channels_last (e.g. x.view(n, -1) on an NHWC map, which
          // fails in PyTorch too) keeps the default layout; a failure in it is the model's own.
          if (f === 'contiguous_format') throw e;
          ms[i] = Infinity;
        }
      });
      for (const timed of [false, true, true]) round(timed);
      const close = () => Math.max(...ms) < 1.1 * Math.min(...ms);
      for (let extra = 0; extra < 4 && close(); extra++) {
        const perRound = (performance.now() - started) / (3 + extra);
        if (performance.now() - started + perRound > CLOSE_CALL_BUDGET_MS) break;
        round(true);
      }
    } finally {
      torch.noGrad(() => buffers.forEach((b, i) => b.copy_(saved[i])));
      torch.setRngState(rng);
      for (const p of model.parameters()) p.grad = null;
    }
    return ms[0] < ms[1] ? 'channels_last' : 'contiguous_format';
  });
}

/**
 * Puts `model` in the layout `option` asks for (for 'auto': the calibrated one, cached) and returns
 * it (null: the model has no conv weights, nothing to do). `x`, `y`: a batch, for the calibration.
 */
export function applyMemoryFormat(model: Module, option: MemoryFormatOption, x: Tensor, y: Tensor,
  lossFn: (o: Tensor, t: Tensor) => Tensor): torch.MemoryFormat | null {
  if (convWeights(model).length === 0 || x.dim() !== 4) return null;
  let format: torch.MemoryFormat;
  if (option === 'channels-last') format = 'channels_last';
  else if (option === 'contiguous') format = 'contiguous_format';
  else {
    const key = keyOf(model, x);
    const known = decided.get(key) ?? readCache()[key];
    if (known === 'channels_last' || known === 'contiguous_format') format = known;
    else {
      format = calibrateMemoryFormat(model, x, y, lossFn);
      writeCache(key, format);
    }
    decided.set(key, format);
  }
  model.to({ memoryFormat: format });
  return format;
}
