// The plots of one experiment: the notebook's loss progression (all runs overlaid), train/test
// curves, final accuracy bars, the LR range test, and gradient flow when it was recorded.
import type { FindLrResult } from '../train/find-lr.js';
import type { RunResult } from '../train/records.js';
import { accuracyBarsSpec, epochCurvesSpec, gradFlowOverTimeSpec, gradFlowSpec, lossProgressionSpec, lrFinderSpec, savePlot } from '../train/plots.js';
import type { PlotRef } from './report.js';

/** Saves the plots of these runs (and of the LR range test, if any) under dir. */
export async function experimentPlots(runs: RunResult[], lr: FindLrResult | null, dir: string): Promise<PlotRef[]> {
  const plots: PlotRef[] = [];
  const add = async (name: string, title: string, caption: string, s: Parameters<typeof savePlot>[0]): Promise<void> => {
    const f = await savePlot(s, dir, name);
    plots.push({ title, svg: f.svg, png: f.png, caption });
  };
  await add('loss-progression', 'Loss progression across steps', 'Training loss at every step, one line per run (the notebook\'s plot).',
    // A run that diverged at its first step has no finite loss to draw: it is left out of this plot.
    lossProgressionSpec(runs.filter((r) => r.steps.length > 0)
      .map((r) => ({ name: r.name, losses: r.steps.map((s) => s.loss).concat(r.divergence ? [r.divergence.value] : []) }))));
  await add('accuracy-curves', 'Accuracy per epoch', 'Train (solid) and test (dashed) accuracy after each epoch.',
    epochCurvesSpec(runs.map((r) => ({ name: r.name, epochs: r.epochs })), 'accuracy', { title: 'Accuracy per epoch' }));
  await add('loss-curves', 'Loss per epoch', 'Mean train loss and test loss after each epoch.',
    epochCurvesSpec(runs.map((r) => ({ name: r.name, epochs: r.epochs })), 'loss', { title: 'Loss per epoch' }));
  await add('test-accuracy', 'Final test accuracy', 'Test accuracy at the end of each run; diverged runs are marked.',
    accuracyBarsSpec(runs.map((r) => ({ name: r.name, accuracy: r.test?.accuracy ?? null, status: r.status }))));
  if (lr && lr.lrs.length > 1) {
    await add('lr-finder', 'LR range test', 'Smoothed loss while the learning rate grows exponentially; the rule marks the suggestion.',
      lrFinderSpec({ lrs: lr.lrs, losses: lr.losses, suggestedLr: lr.suggestedLr }));
  }
  const withFlow = runs.filter((r) => r.gradFlow.length > 0);
  if (withFlow.length > 0) {
    const series = withFlow.map((r) => ({ name: r.name, gradFlow: r.gradFlow }));
    await add('gradient-flow', 'Gradient flow by layer', 'Mean gradient norm of each layer\'s weights (input on the left), log scale.', gradFlowSpec(series));
    await add('gradient-flow-first-layer', 'First layer gradient over training', 'Gradient norm of the first convolution\'s weights at each recorded step, log scale.',
      gradFlowOverTimeSpec(series));
  }
  return plots;
}
