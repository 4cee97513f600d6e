// The lab's lessons from synthetic run results: each verdict follows the numbers, including when a
// lesson does not show, and the sentences name the runs' own learning rates and epoch counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunResult } from '../src/train/records.js';
import { lessonsFor } from '../src/lab/lessons.js';

function run(name: string, lr: number, accuracies: number[], o: Partial<RunResult> = {}): RunResult {
  return {
    name, config: { lr, momentum: 0 }, status: 'completed', divergence: null, steps: [], gradFlow: [], seconds: 1,
    epochs: accuracies.map((a, epoch) => ({ epoch, trainLoss: 2 - a / 100, trainAccuracy: a, testLoss: 2 - a / 100, testAccuracy: a, lr, seconds: 1 })),
    test: { loss: 1, accuracy: accuracies.at(-1)!, correct: 0, total: 100 },
    ...o,
  };
}

const lrRuns = (): Map<string, RunResult> => new Map([
  ['sgd-lr0.001', run('sgd-lr0.001', 0.001, [20])],
  ['sgd-lr0.01', run('sgd-lr0.01', 0.01, [55])],
  ['sgd-lr0.9', run('sgd-lr0.9', 0.9, [10])],
]);

test('learning-rate: the LR range test verdict depends on where its suggestion falls', () => {
  const finder = (suggestedLr: number | null) => lessonsFor('learning-rate', { runs: lrRuns(), chance: 10, lrFinder: { suggestedLr, diverged: true } })
    .find((l) => l.claim === 'lr-finder-suggests')!;
  const inside = finder(0.3);
  assert.equal(inside.holds, true);
  assert.match(inside.text, /suggests lr ≈ 0\.30 .*, between the too-small 0\.001 and the too-large 0\.9: a short sweep finds a usable learning rate/);
  const above = finder(1.2);
  assert.equal(above.holds, false);
  assert.match(above.text, /suggests lr ≈ 1\.2 .*, at or above the too-large 0\.9: .*just before the loss blew up.*\(the lesson did not show in this run\)\.$/);
  const below = finder(1e-4);
  assert.equal(below.holds, false);
  assert.match(below.text, /at or below the too-small 0\.001: .*barely begun to fall.*did not show/);
  const none = finder(null);
  assert.equal(none.holds, false);
  assert.match(none.text, /too few points/);
});

test('learning-rate and momentum: one epoch is "1 epoch"; the sentences use the runs\' own lrs', () => {
  const [slow, high] = lessonsFor('learning-rate', { runs: lrRuns(), chance: 10 });
  assert.equal(slow.holds, true);
  assert.match(slow.text, /^lr 0\.001 reached 20\.0% after 1 epoch; lr 0\.01 reached 55\.0% after 1 epoch \(\+35\.0 points\)/);
  assert.equal(high.holds, true, 'stuck at chance counts as failing');
  assert.match(high.text, /lr 0\.9 ended at 10\.0% test accuracy after 1 epoch/);
  const runs = new Map([
    ['sgd-lr0.001', run('sgd-lr0.001', 0.002, [20, 25])],
    ['sgd-lr0.001-momentum0.9', run('m', 0.002, [30, 31], { config: { lr: 0.002, momentum: 0.8 } })],
  ]);
  const [mom] = lessonsFor('momentum', { runs, chance: 10 });
  assert.equal(mom.holds, false, '+6 points is not "much faster"');
  assert.match(mom.text, /^lr 0\.002 reached 25\.0% after 2 epochs; with momentum 0\.8, 31\.0% \(\+6\.0 points\).*did not show/);
});
