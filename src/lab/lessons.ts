// The lab's lessons, stated from this run's numbers. Each lesson is a sentence with the measured
// values and a verdict computed from them: when a lesson does not show (too few epochs, an unlucky
// seed), the report says so instead of repeating the notebook's claim.
import type { RunResult } from '../train/records.js';
import type { ExperimentId } from './experiments.js';

export interface Lesson {
  /** Which claim of the notebook this checks, e.g. 'momentum-speeds-up'. */
  claim: string;
  /** Whether the numbers of this run support the claim. */
  holds: boolean;
  /** The sentence in the report. */
  text: string;
}

export interface LessonInputs {
  runs: Map<string, RunResult>;
  /** 100 / number of classes. */
  chance: number;
  lrFinder?: { suggestedLr: number | null; diverged: boolean } | null;
}

const pct = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(1)}%`);
const acc = (r: RunResult | undefined): number => r?.test?.accuracy ?? NaN;
const epochsOf = (r: RunResult | undefined): number => r?.epochs.length ?? 0;
const epochsText = (r: RunResult | undefined): string => (epochsOf(r) === 1 ? '1 epoch' : `${epochsOf(r)} epochs`);
const points = (d: number): string => `${d >= 0 ? '+' : ''}${d.toFixed(1)} points`;
const verdict = (holds: boolean, yes: string, no: string): string => (holds ? yes : `${no} (the lesson did not show in this run)`);

/** Ratio of the mean gradient norm of the first weight to that of the last weight (how much gradient reaches the input side). */
export function firstToLastGradRatio(run: RunResult | undefined): number {
  if (!run || run.gradFlow.length === 0) return NaN;
  const names = Object.keys(run.gradFlow[0].norms).filter((n) => n.endsWith('weight') && !/bn|norm|shortcut\.1/.test(n));
  if (names.length < 2) return NaN;
  const mean = (n: string): number => run.gradFlow.reduce((s, g) => s + (g.norms[n] ?? 0), 0) / run.gradFlow.length;
  return mean(names[0]) / mean(names[names.length - 1]);
}

function divergedText(r: RunResult, chance: number): string {
  if (r.divergence) {
    return `lr ${r.config.lr} diverged: ${r.divergence.message.replace(/; the learning rate.*$/, '')} (test accuracy afterwards ${pct(acc(r))}, chance is ${pct(chance)})`;
  }
  const last = r.epochs.at(-1);
  return `lr ${r.config.lr} ended at ${pct(acc(r))} test accuracy after ${epochsText(r)} (chance is ${pct(chance)}; last train loss ${last ? last.trainLoss.toFixed(4) : 'n/a'})`;
}

/** The lessons of one experiment, from its runs (keyed by run id). */
export function lessonsFor(id: ExperimentId, x: LessonInputs): Lesson[] {
  const r = (k: string): RunResult | undefined => x.runs.get(k);
  const out: Lesson[] = [];
  if (id === 'learning-rate') {
    const slow = r('sgd-lr0.001');
    const mid = r('sgd-lr0.01');
    const high = r('sgd-lr0.9');
    if (slow && mid) {
      const holds = acc(mid) - acc(slow) >= 5;
      out.push({ claim: 'small-lr-is-slow', holds, text: `lr ${slow.config.lr} reached ${pct(acc(slow))} after ${epochsText(slow)}; lr ${mid.config.lr} reached ${pct(acc(mid))} after ${epochsText(mid)} (${points(acc(mid) - acc(slow))}): ` +
        verdict(holds, 'too small a learning rate learns slowly', 'the smaller learning rate was not clearly slower') + '.' });
    }
    if (high) {
      const holds = high.status === 'diverged' || acc(high) <= x.chance + 10;
      out.push({ claim: 'large-lr-fails', holds, text: `${divergedText(high, x.chance)}: ` +
        verdict(holds, 'too large a learning rate makes training fail', 'the large learning rate still learned') + '.' });
    }
    if (x.lrFinder) {
      const s = x.lrFinder.suggestedLr;
      // The claim: the range test lands between the run that learned too slowly and the one that failed.
      const small = slow ? Number(slow.config.lr) : 0.001;
      const large = high ? Number(high.config.lr) : 0.9;
      const holds = s !== null && s > small && s < large;
      const where = s === null ? '' : s <= small ? `, at or below the too-small ${small}` : s >= large ? `, at or above the too-large ${large}` : `, between the too-small ${small} and the too-large ${large}`;
      out.push({ claim: 'lr-finder-suggests', holds, text: s !== null
        ? `The LR range test suggests lr ≈ ${s.toPrecision(2)} (where the smoothed loss falls fastest)${where}: ` +
          verdict(holds, 'a short sweep finds a usable learning rate without a full training run each',
            s >= large ? 'the sweep\'s steepest fall came just before the loss blew up, too high to train with'
              : 'the sweep\'s steepest fall came where the loss had barely begun to fall') + '.'
        : 'The LR range test recorded too few points to suggest a learning rate (the lesson did not show in this run).' });
    }
  } else if (id === 'momentum') {
    const plain = r('sgd-lr0.001');
    const mom = r('sgd-lr0.001-momentum0.9');
    if (plain && mom) {
      const holds = acc(mom) - acc(plain) >= 10;
      out.push({ claim: 'momentum-speeds-up', holds, text: `lr ${plain.config.lr} reached ${pct(acc(plain))} after ${epochsText(plain)}; with momentum ${mom.config.momentum}, ${pct(acc(mom))} (${points(acc(mom) - acc(plain))}): ` +
        verdict(holds, 'momentum makes the same learning rate converge much faster', 'momentum did not clearly help') + '.' });
    }
  } else if (id === 'batchnorm') {
    const noBn = r('cnn-sgd-lr0.01');
    const bn = r('cnn-bn-sgd-lr0.01');
    const bnHigh = r('cnn-bn-sgd-lr0.05');
    if (noBn && bn) {
      const holds = acc(bn) > acc(noBn);
      out.push({ claim: 'batchnorm-helps', holds, text: `After ${epochsText(bn)} at lr 0.01 (momentum 0.9): without BatchNorm ${pct(acc(noBn))}, with BatchNorm ${pct(acc(bn))} (${points(acc(bn) - acc(noBn))}): ` +
        verdict(holds, 'BatchNorm trains faster at equal epochs', 'BatchNorm did not beat the plain CNN') + '.' });
    }
    if (bn && bnHigh) {
      const holds = bnHigh.status === 'completed' && acc(bnHigh) > x.chance + 10;
      out.push({ claim: 'batchnorm-allows-higher-lr', holds, text: `With BatchNorm at 5x the learning rate (0.05): ${bnHigh.status === 'diverged' ? 'diverged' : pct(acc(bnHigh))} (vs ${pct(acc(bn))} at 0.01): ` +
        verdict(holds, 'BatchNorm keeps training stable at a higher learning rate', 'the higher learning rate failed') + '.' });
    }
  } else if (id === 'residual') {
    const plain = r('resnet18-plain');
    const res = r('resnet18-residual');
    if (plain && res) {
      const holds = acc(res) > acc(plain);
      out.push({ claim: 'residual-beats-plain', holds, text: `After ${epochsText(res)}: plain ResNet-18 ${pct(acc(plain))}, residual ResNet-18 ${pct(acc(res))} (${points(acc(res) - acc(plain))}): ` +
        verdict(holds, 'skip connections make the deep network train better', 'the residual network did not beat the plain one') + '.' });
      // He et al.'s "degradation": the plain deep network is harder to optimize, so its training loss stays higher.
      const lp = plain.epochs.at(-1)?.trainLoss ?? NaN;
      const lr = res.epochs.at(-1)?.trainLoss ?? NaN;
      if (Number.isFinite(lp) && Number.isFinite(lr)) {
        const holds1 = lr < lp;
        out.push({ claim: 'residual-optimizes-better', holds: holds1, text: `Final training loss: plain ${lp.toFixed(4)}, residual ${lr.toFixed(4)}: ` +
          verdict(holds1, 'the residual network is easier to optimize (lower training loss, not just better test accuracy)', 'the plain network optimized as well') + '.' });
      }
      const rp = firstToLastGradRatio(plain);
      const rr = firstToLastGradRatio(res);
      if (Number.isFinite(rp) && Number.isFinite(rr)) {
        const holds2 = rr > rp;
        out.push({ claim: 'residual-gradient-flow', holds: holds2, text: `Gradient reaching the first convolution, relative to the classifier's (ratio of mean weight-gradient norms): plain ${rp.toPrecision(3)}, residual ${rr.toPrecision(3)}: ` +
          verdict(holds2, 'skip connections carry more gradient back to the early layers', 'the plain network\'s early layers got as much gradient: with BatchNorm in every block its gradients do not vanish at this depth, ' +
            'as He et al. (2015) also observed, tracing the plain network\'s worse training to harder optimization rather than vanishing gradients') + '.' });
      }
    }
  }
  return out;
}
