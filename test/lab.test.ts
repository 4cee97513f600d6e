// End to end: each experiment of `torchlab lab` on a small slice of Fashion-MNIST, through the
// command line, checking the files it leaves (runs, metrics, plots, report), plus the command's
// other subcommands and its handling of bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkExperimentDir, checkPng, torchlab } from './lab-helpers.js';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'torchlab-lab-'));
const SLICE = ['--limit', '512', '--test-limit', '500', '--epochs', '1', '--no-progress', '--out', out];

const RUNS: Record<string, string[]> = {
  'learning-rate': ['sgd-lr0.001', 'sgd-lr0.01', 'sgd-lr0.9'],
  momentum: ['sgd-lr0.001', 'sgd-lr0.001-momentum0.9'],
  batchnorm: ['cnn-sgd-lr0.01', 'cnn-bn-sgd-lr0.01', 'cnn-bn-sgd-lr0.05'],
  residual: ['resnet18-plain', 'resnet18-residual'],
};

for (const [exp, ids] of Object.entries(RUNS)) {
  test(`lab ${exp} on a small slice leaves parseable runs, valid plots and a report naming each run`, () => {
    const { stdout } = torchlab(['lab', exp, ...SLICE]);
    const dir = path.join(out, exp);
    const runs = checkExperimentDir(dir, ids, dir);
    for (const r of runs.values()) {
      assert.equal(r.config.epochs, 1);
      assert.equal(r.config.trainSamples, 512);
      assert.equal(r.test!.total, 500);
      assert.equal(r.steps.length, Math.ceil(512 / Number(r.config.batchSize)));
    }
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'lab.json'), 'utf8'));
    assert.equal(summary.experiments[0].id, exp);
    assert.deepEqual(summary.experiments[0].runs.map((r: { name: string }) => r.name), ids);
    // Every lesson is printed and lands in the report, with the accuracy numbers it was computed from.
    const md = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
    assert.ok(summary.experiments[0].lessons.length > 0);
    for (const l of summary.experiments[0].lessons) {
      assert.ok(stdout.includes(l.text), `lesson not printed: ${l.text}`);
      assert.ok(md.includes(l.text.replace(/[<>&*_]/g, (c: string) => `\\${c}`)) || md.includes(l.text), `lesson not in report.md: ${l.text}`);
    }
    for (const r of runs.values()) assert.ok(md.includes(`${r.test!.accuracy.toFixed(1)}%`), `report.md lacks ${r.name}'s accuracy`);
    if (exp === 'learning-rate') {
      assert.ok(fs.existsSync(path.join(dir, 'plots', 'lr-finder.png')));
      const f = summary.experiments[0].lrFinder as { suggestedLr: number | null; lrs: number[]; losses: (number | null)[]; rawLosses: (number | null)[] };
      assert.ok(f.lrs.length > 10, `lr sweep of ${f.lrs.length} points`);
      assert.equal(f.losses.length, f.lrs.length);
      assert.equal(f.rawLosses.length, f.lrs.length);
      assert.ok(f.lrs.every((lr, i) => i === 0 || lr > f.lrs[i - 1]), 'lrs grow');
      assert.ok(f.suggestedLr === null || f.lrs.includes(f.suggestedLr), 'the suggestion is one of the swept lrs');
    }
    if (exp === 'residual') {
      assert.ok(checkPng(path.join(dir, 'plots', 'gradient-flow.png')).inked > 0.02);
      assert.ok(runs.get('resnet18-residual')!.gradFlow.length > 0);
      assert.ok(Object.keys(runs.get('resnet18-residual')!.gradFlow[0].norms)[0].startsWith('conv1'));
    }
  });
}

test('lab --resume re-uses finished runs (same numbers, no retraining)', () => {
  const before = fs.readFileSync(path.join(out, 'momentum', 'sgd-lr0.001-momentum0.9', 'metrics.jsonl'), 'utf8');
  const { stdout } = torchlab(['lab', 'momentum', ...SLICE, '--resume']);
  assert.match(stdout, /resuming from .*checkpoint\.safetensors after epoch 0/);
  const after = fs.readFileSync(path.join(out, 'momentum', 'sgd-lr0.001-momentum0.9', 'metrics.jsonl'), 'utf8');
  const steps = (s: string) => s.split('\n').filter((l) => l.includes('"type":"step"'));
  assert.deepEqual(steps(after), steps(before));
});

test('train, samples and summary subcommands', () => {
  const { stdout } = torchlab(['train', '--model', 'cnn-bn', '--epochs', '2', '--limit', '256', '--test-limit', '200', '--batch-size', '64',
    '--momentum', '0.9', '--no-progress', '--out', out, '--name', 'bn-run']);
  assert.match(stdout, /bn-run reached \d+\.\d% test accuracy \(\d+\/200\) after 2 epochs/);
  const dir = path.join(out, 'bn-run');
  checkExperimentDir(dir, [], dir);
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  assert.equal(cfg.model, 'cnn-bn');
  assert.equal(cfg.optimizerOptions.momentum, 0.9);

  const png = path.join(out, 'samples.png');
  const s = torchlab(['samples', '--out', png]);
  assert.match(s.stdout, /10 fashion-mnist training images \(/);
  const size = checkPng(png);
  assert.equal(size.width, 5 * 28 + 6 * 10); // makeGrid: nrow 5, padding 10
  assert.equal(size.height, 2 * 28 + 3 * 10);

  const sum = torchlab(['summary', 'resnet18', '--width', '16']);
  assert.match(sum.stdout, /ResNet\(/);
  assert.match(sum.stdout, /Weight layers \(conv \+ linear on the longest path\): 18/);
});

test('bad input: clear one-line errors, non-zero exit, no stack trace', () => {
  const cases: [string[], RegExp][] = [
    [['lab', 'nope'], /unknown experiment 'nope'/],
    [['lab', 'momentum', '--lr', 'fast'], /'--lr <lr>' argument 'fast' is invalid\. expected a positive number/],
    [['lab', 'momentum', '--dataset', 'imagenet'], /argument 'imagenet' is invalid\. Allowed choices are fashion-mnist, cifar10/],
    [['lab', 'momentum', '--epochs', '0'], /expected a positive integer, got '0'/],
    [['train', '--device', 'tpu'], /expected cpu, cuda or cuda:N, got 'tpu'/],
    [['train', '--name', '../x'], /--name must be a plain folder name/],
    [['train', '--data-dir', '/nonexistent', '--epochs', '1'], /^torchlab: .*\/nonexistent/m],
    [['summary', 'vgg'], /unknown model 'vgg'/],
  ];
  for (const [args, re] of cases) {
    const r = torchlab(args, { expectFail: true });
    assert.notEqual(r.status, 0, `${args.join(' ')} should fail`);
    assert.match(r.stderr, re, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${args.join(' ')} printed a stack trace`);
  }
});
