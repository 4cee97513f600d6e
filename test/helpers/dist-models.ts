// The model and data of test/ddp.test.ts, shared by its ranks (dist-ddp.ts) and its one-process reference.
import * as torch from '../../src/index.js';
import { nn, type Tensor } from '../../src/index.js';

/** Seeded per rank by the callers, so that only DDP's broadcast makes the replicas equal. */
export function makeMlp(seed: number, hidden = 32): nn.Sequential {
  torch.manualSeed(seed);
  return new nn.Sequential(new nn.Linear(6, hidden), new nn.ReLU(), new nn.Linear(hidden, hidden), new nn.ReLU(), new nn.Linear(hidden, 4));
}
/** `steps` batches of B rows, the same on every rank and in the reference. */
export function makeData(steps: number, B: number): { x: Tensor; y: Tensor } {
  torch.manualSeed(123);
  return { x: torch.randn([steps * B, 6]), y: torch.randint(0, 4, [steps * B]) };
}
/** The equivalence test's width: 1.5 MB of parameters, more than DDP's 1 MiB first bucket. */
export const EQUIV_HIDDEN = 600;
