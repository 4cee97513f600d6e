// examples/lab-notebook.ts, the lab notebook's port, run as a reader would (a child process), cut down to
// a few images and one or a few epochs per model: it must finish, print the notebook's
// `Test set: ...` line for each of its 8 trained models, answer "How many layers?" with ResNet-18's 18,
// print the final model, and leave the sample grids and the loss plots as PNGs that decode. The
// notebook's own CIFAR-10 (--dataset cifar10) runs on a small made-up copy in CIFAR's binary format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEST_SET = /^Test set: Avg\. loss: (\d+\.\d{4}), Accuracy: (\d+)\/(\d+) \((\d+)%\)$/gm;

/** Runs the port from the repository root (where tsx resolves) with its files going to `out`. */
function runNotebook(out: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'examples/lab-notebook.ts', '--out', out, ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, LAB_DATASET: undefined },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function decodePng(file: string): PNG {
  assert.ok(existsSync(file), `${file} exists`);
  const png = PNG.sync.read(readFileSync(file));
  assert.ok(png.width > 0 && png.height > 0, `${file} has pixels`);
  return png;
}

test('lab notebook port: every part, quick settings', () => {
  const out = mkdtempSync(join(tmpdir(), 'torchlab-lab-notebook-'));
  try {
    const r = runNotebook(out, ['--limit', '256', '--test-limit', '200', '--epochs-scale', '0.02', '--resnet-width', '8']);
    assert.equal(r.status, 0, `exit code 0\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr.slice(-3000)}`);
    const lines = r.stdout.split('\n');
    assert.match(lines[0], /^(cpu|cuda)$/, 'the notebook prints DEVICE first');

    // CNN ×3 (lr 0.001, lr 0.9, momentum), CNN_Cifar10, CNNwithBN ×2, ResNet with WrongBlock / CorrectBlock.
    const results = [...r.stdout.matchAll(TEST_SET)];
    assert.equal(results.length, 8, `8 Test set lines:\n${r.stdout}`);
    for (const [line, loss, correct, total, pct] of results) {
      assert.equal(Number(total), 200, line);
      assert.ok(Number(correct) <= 200 && Number.isFinite(Number(loss)), line);
      assert.equal(Number(pct), Math.round((100 * Number(correct)) / 200), line);
    }

    // "How many layers does the above model have?": ResNet-18's 17 convs + 1 linear.
    assert.match(r.stdout, /How many layers does the above model have\? 18 weight layers \(17 conv \+ 1 linear\): ResNet-18/);
    // The last cell prints the model: a ResNet of CorrectBlocks with projection shortcuts.
    const print = r.stdout.slice(r.stdout.lastIndexOf('\nResNet(\n') + 1);
    assert.match(print, /^ResNet\(\n {2}\(conv1\): Conv2d\(1, 8, kernel_size=\(3, 3\)/);
    assert.match(print, /\(0\): CorrectBlock\(/);
    assert.match(print, /\(shortcut\): Sequential\(\n\s+\(0\): Conv2d\(8, 16, kernel_size=\(1, 1\), stride=\(2, 2\), bias=False\)/);
    assert.match(print, /\(linear\): Linear\(in_features=64, out_features=10, bias=True\)\n\)\s*$/);

    // The sample grids: 10 Fashion-MNIST images of 28×28, 5 per row, padding 10 -> 200×86 RGB.
    const grids = [...r.stdout.matchAll(/^Sample grid: (.+)$/gm)].map((m) => m[1]);
    assert.deepEqual(grids, [join(out, 'samples.png'), join(out, 'samples-2.png')]);
    for (const g of grids) {
      const png = decodePng(g);
      assert.deepEqual([png.width, png.height], [5 * (28 + 10) + 10, 2 * (28 + 10) + 10]);
    }

    // One loss plot per trained model, at the printed paths.
    const plots = [...r.stdout.matchAll(/^Loss progression plot: (.+)$/gm)].map((m) => m[1]);
    assert.equal(plots.length, 8);
    assert.equal(new Set(plots).size, 8, 'each model has its own plot');
    for (const p of plots) decodePng(p);
    assert.equal(readdirSync(out).filter((f) => f.startsWith('loss-') && f.endsWith('.png')).length, 8);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('lab notebook port: --only picks parts; bad options exit 2 with the usage', () => {
  const out = mkdtempSync(join(tmpdir(), 'torchlab-lab-notebook-'));
  try {
    const r = runNotebook(out, ['--only', 'bn', '--limit', '256', '--test-limit', '100', '--epochs-scale', '0.02']);
    assert.equal(r.status, 0, r.stderr.slice(-3000));
    assert.equal([...r.stdout.matchAll(TEST_SET)].length, 3, r.stdout); // CNN_Cifar10, CNNwithBN lr 0.01 and 0.05
    assert.doesNotMatch(r.stdout, /How many layers/);

    for (const bad of [['--dataset', 'mnist'], ['--only', 'gan'], ['--limit', '0'], ['--epochs-scale', 'x']]) {
      const b = runNotebook(out, bad);
      assert.equal(b.status, 2, `${bad.join(' ')}: exit 2`);
      assert.match(b.stderr, new RegExp(`${bad[0]}: expected`));
      assert.match(b.stderr, /usage: node --import tsx examples\/lab-notebook\.ts/);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

/** A made-up CIFAR-10 in the official binary layout: 5 train files of `perBatch` records, `nTest` test records. */
function fakeCifar10(root: string, perBatch: number, nTest: number): void {
  const dir = join(root, 'cifar-10-batches-bin');
  mkdirSync(dir, { recursive: true });
  let seed = 1;
  const records = (n: number) => {
    const b = Buffer.alloc(n * (1 + 3 * 32 * 32));
    for (let i = 0; i < b.length; i++) b[i] = (seed = (seed * 1103515245 + 12345) % 2 ** 31) >> 23;
    for (let r = 0; r < n; r++) b[r * (1 + 3 * 32 * 32)] = r % 10; // the label byte
    return b;
  };
  for (let i = 1; i <= 5; i++) writeFileSync(join(dir, `data_batch_${i}.bin`), records(perBatch));
  writeFileSync(join(dir, 'test_batch.bin'), records(nTest));
  writeFileSync(join(dir, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n');
}

test('lab notebook port: --dataset cifar10 builds the notebook\'s 3-channel 32×32 models', () => {
  const out = mkdtempSync(join(tmpdir(), 'torchlab-lab-notebook-'));
  try {
    fakeCifar10(join(out, 'data'), 40, 60);
    const r = runNotebook(join(out, 'runs'), ['--dataset', 'cifar10', '--data-root', join(out, 'data'), '--epochs-scale', '0.02', '--resnet-width', '8']);
    assert.equal(r.status, 0, `exit code 0\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr.slice(-3000)}`);
    const results = [...r.stdout.matchAll(TEST_SET)];
    assert.equal(results.length, 8, r.stdout);
    for (const m of results) assert.equal(Number(m[3]), 60, m[0]);
    assert.match(r.stdout, /How many layers does the above model have\? 18 weight layers \(17 conv \+ 1 linear\)/);
    assert.match(r.stdout, /^ {2}\(conv1\): Conv2d\(3, 8, kernel_size=\(3, 3\)/m);
    // 10 images of 3×32×32, 5 per row, padding 10.
    const png = decodePng(join(out, 'runs', 'samples.png'));
    assert.deepEqual([png.width, png.height], [5 * (32 + 10) + 10, 2 * (32 + 10) + 10]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
