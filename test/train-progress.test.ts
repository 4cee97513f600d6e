// The training progress bar: formatTqdm against tqdm's own format_meter output (tqdm 4.x,
// default bar_format, ascii=False, ncols=None → a 10-cell bar), and ProgressBar on a non-terminal stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import * as torch from '../src/index.js';
import { ProgressBar, formatTqdm } from '../src/train/index.js';
import { formatInterval, formatNum, formatBar } from '../src/train/progress.js';

torch.setNumThreads(1);

test('formatTqdm: the lines tqdm prints for the same state', () => {
  // tqdm.format_meter(110, 235, 5.47, prefix='Epoch 3', postfix='loss=0.412, stage=train'):
  // percentage '{:3.0f}' rounds 46.8 up; the rate is '{:5.2f}it/s'
  assert.equal(formatTqdm({ desc: 'Epoch 3', n: 110, total: 235, elapsed: 5.47, postfix: { loss: 0.41234, stage: 'train' } }),
    'Epoch 3:  47%|████▋     | 110/235 [00:05<00:06, 20.11it/s, loss=0.412, stage=train]');
  // the start: no rate, no remaining time
  assert.equal(formatTqdm({ desc: 'Epoch 0', n: 0, total: 235, elapsed: 0 }), 'Epoch 0:   0%|          | 0/235 [00:00<?, ?it/s]');
  assert.equal(formatTqdm({ desc: 'Epoch 0', n: 0, total: 235, elapsed: 3.2 }), 'Epoch 0:   0%|          | 0/235 [00:03<?, ?it/s]');
  // the end
  assert.equal(formatTqdm({ desc: 'Epoch 9', n: 235, total: 235, elapsed: 11.75, postfix: { loss: 0.25, stage: 'train' } }),
    'Epoch 9: 100%|██████████| 235/235 [00:11<00:00, 20.00it/s, loss=0.25, stage=train]');
  // slower than 1 it/s: seconds per iteration, padded to 5 characters as tqdm does; no desc, no colon
  assert.equal(formatTqdm({ desc: '', n: 3, total: 10, elapsed: 4.5 }), ' 30%|███       | 3/10 [00:04<00:10,  1.50s/it]');
  assert.equal(formatTqdm({ desc: 'x', n: 1, total: 8, elapsed: 1 }), 'x:  12%|█▎        | 1/8 [00:01<00:07,  1.00it/s]'); // 12.5 → 12 (half to even), exactly 1 it/s
  // hours
  assert.equal(formatTqdm({ desc: 'Epoch 1', n: 50, total: 1000, elapsed: 4000, postfix: { loss: 1.5e-5 } }),
    'Epoch 1:   5%|▌         | 50/1000 [1:06:40<21:06:40, 80.00s/it, loss=1.5e-5]');
  // fast: wide rate, bar cell boundaries
  assert.equal(formatTqdm({ desc: 'Epoch 2', n: 469, total: 469, elapsed: 2.5 }), 'Epoch 2: 100%|██████████| 469/469 [00:02<00:00, 187.60it/s]');
  assert.equal(formatTqdm({ desc: 'E', n: 999, total: 1000, elapsed: 9.99 }), 'E: 100%|█████████▉| 999/1000 [00:09<00:00, 100.00it/s]');
});

test('formatTqdm parts: intervals, bar cells, postfix numbers (tqdm.format_num)', () => {
  assert.equal(formatInterval(0), '00:00');
  assert.equal(formatInterval(59.99), '00:59');
  assert.equal(formatInterval(61), '01:01');
  assert.equal(formatInterval(3599), '59:59');
  assert.equal(formatInterval(3600), '1:00:00');
  assert.equal(formatInterval(36_061), '10:01:01');
  assert.equal(formatInterval(NaN), '?');
  assert.equal(formatBar(0), '          ');
  assert.equal(formatBar(1), '██████████');
  assert.equal(formatBar(0.05), '▌         '); // 4 eighths of a cell
  assert.equal(formatBar(0.5), '█████     ');
  assert.equal(formatBar(0.99), '█████████▉');
  assert.equal(formatBar(2), '██████████');
  // format_num: '{:.3g}' without the exponent's leading zero, unless str(n) is as short
  const cases: [number, string][] = [
    [0.41234, '0.412'], [0.4, '0.4'], [2.302585, '2.3'], [1e-5, '1e-5'], [1.5e-7, '1.5e-7'], [0.000123456, '0.000123'],
    [12345.678, '1.23e+4'], [1234, '1234'], [7, '7'], [0, '0'], [0.1 + 0.2, '0.3'], [100.5, '100'], [1e20, '1e+20'],
    [NaN, 'nan'], [Infinity, 'inf'],
  ];
  for (const [v, s] of cases) assert.equal(formatNum(v), s, `format_num(${v})`);
});

class FakeStream extends Writable {
  chunks: string[] = [];
  isTTY = false;
  columns = 120;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(chunk.toString());
    cb();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

const LINE = /^Epoch 4: +\d+%\|[ ▏▎▍▌▋▊▉█]{10}\| \d+\/6 \[\d\d:\d\d<(\d\d:\d\d|\?), +(\?|\d+\.\d\d)(it\/s|s\/it)(, loss=[\d.e+-]+, stage=train)?\]$/;

test('ProgressBar on a non-terminal stream: plain lines, the last one at 100%', async () => {
  const stream = new FakeStream();
  const bar = new ProgressBar(6, 'Epoch 4', { stream: stream as unknown as NodeJS.WriteStream, nonTtyInterval: 25 });
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setTimeout(r, 20));
    bar.update(1, { loss: 1 / (i + 1), stage: 'train' });
  }
  bar.close();
  bar.close(); // idempotent
  bar.update(1); // ignored after close
  const text = stream.text;
  assert.ok(!/[\x1b\r]/.test(text), `no escape codes or carriage returns: ${JSON.stringify(text)}`);
  assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'), `one newline per line, no blank line: ${JSON.stringify(text.slice(-20))}`);
  const lines = text.trimEnd().split('\n');
  assert.ok(lines.length >= 3, `periodic lines: ${lines.length}`);
  for (const l of lines) assert.match(l, LINE);
  assert.match(lines[0], /^Epoch 4:   0%\|          \| 0\/6 \[00:00<\?, \?it\/s\]$/);
  assert.match(lines.at(-1)!, /^Epoch 4: 100%\|██████████\| 6\/6 \[00:00<00:00, +\d+\.\d\dit\/s, loss=0\.167, stage=train\]$/);
  const counts = lines.map((l) => Number(/\| (\d+)\/6/.exec(l)![1]));
  assert.deepEqual(counts, [...counts].sort((a, b) => a - b), 'counts never go back');
  assert.equal(bar.line().split('|')[2].trim().split(' ')[0], '6/6');
});

test('ProgressBar: a fast loop prints the start and the final line only (default interval)', () => {
  const stream = new FakeStream();
  const bar = new ProgressBar(6, 'Epoch 4', { stream: stream as unknown as NodeJS.WriteStream });
  for (let i = 0; i < 6; i++) bar.update(1, { loss: 0.5, stage: 'train' });
  bar.close();
  const lines = stream.text.split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[2], '');
  assert.equal(lines[0], 'Epoch 4:   0%|          | 0/6 [00:00<?, ?it/s]');
  assert.match(lines[1], /^Epoch 4: 100%\|██████████\| 6\/6 \[00:00<00:00, +\d+\.\d\dit\/s, loss=0\.5, stage=train\]$/);
});
