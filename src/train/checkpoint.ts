// Training checkpoints: everything needed to continue a run exactly where an epoch ended.
// One safetensors file (so weights are readable by any safetensors tool, PyTorch included):
//   model.<key>              the model's stateDict (parameters and buffers)
//   optimizer.<i>.<name>     the optimizer's per-parameter state tensors (momentum buffers, ...)
//   rng.cpu                  the CPU generator's state (shuffling, dropout, augmentation)
// and one metadata entry "torchlab.checkpoint" holding JSON: the format version, epochs done, the
// optimizer's param groups and non-tensor state, the scheduler's state and caller extras.
// Written atomically (temp file + rename): a run killed while saving keeps the previous checkpoint.
//
// Deviation from PyTorch: PyTorch pickles a dict with torch.save; torchlab has no pickle.
// The CUDA generators' states are not saved, so only CPU runs resume bit for bit.
import * as fs from 'node:fs';
import * as torch from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';
import { Module } from '../nn/module.js';
import { Optimizer, type OptimizerStateDict, type ParamState } from '../optim/optimizer.js';
import { checkOptions, describe } from '../tensor/args.js';
import { fromJson, toJson } from './metrics.js';

const KEY = 'torchlab.checkpoint';

/** A misspelt part ({ opt } for { optimizer }) would silently be left out of the checkpoint. */
function checkParts(parts: CheckpointParts, where: string): CheckpointParts {
  const p = checkOptions(parts, `${where}: parts`, ['model', 'optimizer', 'scheduler']) as CheckpointParts;
  if (!(p.model instanceof Module)) throw new TypeError(`${where}: parts.model must be an nn.Module, got ${describe(p.model)}`);
  if (p.optimizer != null && !(p.optimizer instanceof Optimizer)) throw new TypeError(`${where}: parts.optimizer must be an Optimizer, got ${describe(p.optimizer)}`);
  return p;
}
const FORMAT = 1;

/** What a scheduler needs for checkpoints (every torchlab LR scheduler and ReduceLROnPlateau). */
export interface StatefulScheduler {
  stateDict(): Record<string, unknown>;
  loadStateDict(state: Record<string, unknown>): void;
}

export interface CheckpointParts {
  model: Module;
  optimizer?: Optimizer | null;
  scheduler?: StatefulScheduler | null;
}

export interface CheckpointInfo {
  /** Epochs completed when the checkpoint was written (the epoch to continue with). */
  epoch: number;
  /** Whatever the caller stored (fit stores its step counter and elapsed time). */
  extra: Record<string, unknown>;
}

/**
 * Saves model, optimizer, scheduler and RNG state after `epoch` epochs.
 * @example train.saveCheckpoint('runs/a/checkpoint.safetensors', { model, optimizer }, 3);
 */
export function saveCheckpoint(file: string, parts: CheckpointParts, epoch: number, extra: Record<string, unknown> = {}): void {
  checkParts(parts, 'saveCheckpoint');
  if (!Number.isInteger(epoch) || epoch < 0) throw new RangeError(`saveCheckpoint: epoch must be a non-negative integer, got ${epoch}`);
  torch.tidy(() => {
    const tensors: Record<string, Tensor> = {};
    for (const [k, t] of Object.entries(parts.model.stateDict())) tensors[`model.${k}`] = t;
    let optimizer: unknown = null;
    if (parts.optimizer) {
      const sd = parts.optimizer.stateDict();
      const plain: Record<string, Record<string, unknown>> = {};
      for (const [i, st] of Object.entries(sd.state)) {
        plain[i] = {};
        for (const [name, v] of Object.entries(st)) {
          if (v !== null && typeof v === 'object') tensors[`optimizer.${i}.${name}`] = v;
          else plain[i][name] = v;
        }
      }
      optimizer = { paramGroups: sd.paramGroups, state: plain };
    }
    tensors['rng.cpu'] = torch.getRngState();
    const meta = { format: FORMAT, epoch, optimizer, scheduler: parts.scheduler ? parts.scheduler.stateDict() : null, extra };
    torch.save(tensors, file, { [KEY]: toJson(meta) });
  });
}

/**
 * Restores what saveCheckpoint wrote into the given model / optimizer / scheduler (and the CPU RNG).
 * Errors name the file and what does not match (a different model or optimizer).
 */
export function loadCheckpoint(file: string, parts: CheckpointParts): CheckpointInfo {
  checkParts(parts, 'loadCheckpoint');
  if (!fs.existsSync(file)) throw new Error(`checkpoint not found: ${file}`);
  return torch.tidy(() => {
    const { tensors, metadata } = torch.loadWithMetadata(file);
    const raw = metadata[KEY];
    if (raw === undefined) throw new Error(`${file} is not a torchlab checkpoint (no "${KEY}" metadata)`);
    const meta = fromJson(raw) as { format: number; epoch: number; optimizer: { paramGroups: OptimizerStateDict['paramGroups']; state: Record<string, Record<string, unknown>> } | null; scheduler: Record<string, unknown> | null; extra: Record<string, unknown> };
    if (meta.format !== FORMAT) throw new Error(`${file}: checkpoint format ${meta.format} is not supported (expected ${FORMAT})`);
    const model: Record<string, Tensor> = {};
    const optState: Record<number, ParamState> = {};
    for (const [k, t] of Object.entries(tensors)) {
      if (k.startsWith('model.')) model[k.slice(6)] = t;
      else if (k.startsWith('optimizer.')) {
        const [, i, name] = /^optimizer\.(\d+)\.(.+)$/.exec(k) ?? [];
        if (i === undefined) throw new Error(`${file}: malformed optimizer tensor name '${k}'`);
        (optState[Number(i)] ??= {})[name] = t;
      }
    }
    try {
      parts.model.loadStateDict(model);
    } catch (e) {
      throw new Error(`${file}: the checkpoint does not fit this model: ${(e as Error).message}`);
    }
    if (parts.optimizer) {
      if (!meta.optimizer) throw new Error(`${file}: the checkpoint has no optimizer state`);
      for (const [i, st] of Object.entries(meta.optimizer.state)) Object.assign((optState[Number(i)] ??= {}), st);
      try {
        parts.optimizer.loadStateDict({ paramGroups: meta.optimizer.paramGroups, state: optState });
      } catch (e) {
        throw new Error(`${file}: the checkpoint does not fit this optimizer: ${(e as Error).message}`);
      }
    }
    if (parts.scheduler) {
      if (!meta.scheduler) throw new Error(`${file}: the checkpoint has no scheduler state`);
      parts.scheduler.loadStateDict(meta.scheduler);
    }
    if (tensors['rng.cpu']) torch.setRngState(tensors['rng.cpu']);
    return { epoch: meta.epoch, extra: meta.extra ?? {} };
  });
}
