// Data-parallel runs of `torchlab train / lab --nproc N`: each rank joins the process group that
// `torchlab run` set up (RANK, WORLD_SIZE, ... in the environment), trains a DDP-wrapped model on
// its DistributedSampler share of every epoch, and only rank 0 writes (metrics, checkpoints,
// weights, plots, reports). --batch-size stays the global batch: each rank takes batch / N.
import { destroyProcessGroup, getRank, getWorldSize, initProcessGroup, isInitialized } from '../distributed/index.js';
import { meanAcrossRanksSync } from '../distributed/blocking.js';

export interface DataParallelInfo {
  rank: number;
  worldSize: number;
}

/** This process's place in a data-parallel run, or null when it runs alone. */
export function dataParallelInfo(): DataParallelInfo | null {
  return isInitialized() && getWorldSize() > 1 ? { rank: getRank(), worldSize: getWorldSize() } : null;
}

/** Joins the process group when started as one rank of several (WORLD_SIZE > 1), else null. */
export async function joinFromEnvironment(): Promise<DataParallelInfo | null> {
  if (!(Number(process.env.WORLD_SIZE ?? 1) > 1)) return null;
  if (!isInitialized()) await initProcessGroup({ backend: 'gloo' });
  return dataParallelInfo();
}

export function leave(): void {
  if (isInitialized()) destroyProcessGroup();
}

/** Each rank's batch: the global batch split evenly (a clear error otherwise). */
export function perRankBatch(globalBatch: number, dp: DataParallelInfo | null): number {
  if (!dp) return globalBatch;
  if (globalBatch % dp.worldSize !== 0) {
    throw new RangeError(`--batch-size ${globalBatch} is the global batch and must divide evenly between the ${dp.worldSize} processes`);
  }
  return globalBatch / dp.worldSize;
}

/** The loss every rank agrees on: the mean of the ranks' batch losses (so a NaN anywhere stops every rank at once). */
export const globalLoss = (loss: number): number => meanAcrossRanksSync(loss);
