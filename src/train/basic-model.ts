// BasicModel: the notebook's base class, for porting it as is. Subclass it, define forward, and
// call fit / predict exactly where the notebook does:
//   cnn.fit(trainDataloader, optimizer, 10, DEVICE); cnn.predict(testDataloader, DEVICE);
//
// Deviations from the notebook: fit/trainEpoch/predict are async (batches are prefetched and the
// loss plot is rendered off-thread) — `await` them; in a notebook (tslab, Deno) the loss plot shows
// under the cell as the notebook's matplotlib plot does; elsewhere plotLossProgression writes an SVG
// and a PNG and returns the PNG's path.
import * as path from 'node:path';
import { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { evaluateWithBatchMeans, trainEpoch, type Batches } from './epoch.js';
import type { EvalResult } from './records.js';

export interface BasicFitOptions {
  /** Plot the loss progression after training (default true, as in the notebook). */
  plotLoss?: boolean;
  /** Where the plot goes (default 'runs/notebook/loss-progression.png'; in a notebook, no file unless given). */
  plotPath?: string;
}

let plotCount = 0;

export abstract class BasicModel extends Module {
  /**
   * Trains for `epochs` epochs with a progress bar per epoch; returns every step's loss.
   * @example const losses = await cnn.fit(trainDataloader, optimizer, 10, 'cpu');
   */
  async fit(trainDataloader: Batches, optimizer: Optimizer, epochs: number, device: string, o: BasicFitOptions = {}): Promise<number[]> {
    const losses: number[] = [];
    for (let epoch = 0; epoch < epochs; epoch++) {
      losses.push(...(await this.trainEpoch(trainDataloader, optimizer, epoch, device)));
    }
    if (o.plotLoss ?? true) {
      const { lossProgressionSpec } = await import('./plot-specs.js');
      const { showPlot } = await import('./notebook-display.js');
      const shown = await showPlot(lossProgressionSpec([{ name: this.constructor.name, losses }]));
      // In a notebook the plot is the output; a file is written there only when asked for (plotPath).
      if (!shown || o.plotPath) {
        const file = await this.plotLossProgression(losses, { path: o.plotPath });
        console.log(`Loss progression plot: ${file}`);
      }
    }
    return losses;
  }

  /** One epoch of training (the notebook's train_epoch); returns the epoch's per-step losses. */
  async trainEpoch(trainDataloader: Batches, optimizer: Optimizer, epochIdx: number, device: string): Promise<number[]> {
    const r = await trainEpoch(this, trainDataloader, optimizer, { epoch: epochIdx, device });
    if (r.divergence) console.log(r.divergence.message);
    return r.losses;
  }

  /**
   * Evaluates and prints the notebook's line, e.g.
   * `Test set: Avg. loss: 0.0045, Accuracy: 9012/10000 (90%)`.
   * "Avg. loss" is the notebook's figure: the sum of per-batch mean losses divided by the number of
   * samples (so it depends on the batch size); the returned `loss` is the true mean per sample.
   */
  async predict(testDataloader: Batches, device: string): Promise<EvalResult> {
    const { result: r, batchMeanSum } = await evaluateWithBatchMeans(this, testDataloader, { device });
    this.eval(); // the notebook leaves the model in eval mode after predict
    const notebookLoss = batchMeanSum / r.total;
    console.log(`Test set: Avg. loss: ${notebookLoss.toFixed(4)}, Accuracy: ${r.correct}/${r.total} (${r.accuracy.toFixed(0)}%)`);
    return r;
  }

  /** The notebook's "Loss progression across steps" plot, as SVG + PNG; returns the PNG path. */
  async plotLossProgression(losses: number[], o: { path?: string } = {}): Promise<string> {
    const { savePlot, lossProgressionSpec } = await import('./plots.js');
    const file = o.path ?? path.join('runs', 'notebook', `loss-progression${plotCount++ ? `-${plotCount}` : ''}.png`);
    const saved = await savePlot(lossProgressionSpec([{ name: this.constructor.name, losses }]), path.dirname(file), path.basename(file, '.png'));
    return saved.png;
  }
}
