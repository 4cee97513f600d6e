// Blocking helpers for code that is synchronous anyway (a training step: backward already waits
// for DDP's all-reduce on the calling thread). Not part of torch.distributed's API, whose
// collectives never block the event loop.
import * as torch from '../tensor/index.js';
import { ddpNative } from '../tensor/distributed-native.js';
import { groupState } from './process-group.js';

/** The mean of `value` over every rank (an all-gather of one number per rank), blocking. */
export function meanAcrossRanksSync(value: number): number {
  groupState('meanAcrossRanksSync');
  return torch.tidy(() => {
    const all = ddpNative.allGather(torch.tensor([value], { dtype: 'float64' }));
    return all.reduce((a, t) => a + t.item(), 0) / all.length;
  });
}
