// Per-op overhead in torchlab: `a.add(b)` on 1-element float32 tensors, in µs per op (PyTorch's
// twin: bench/tiny_torch.py). The kernel itself is a few ns, so this measures the binding: the JS
// wrapper, the Node-API call, libtorch's dispatcher, and freeing the result.
//
//   node --import tsx bench/tiny.ts [--ops 200000] [--reps 5] [--batch 1000] [--threads N] [--json FILE]
//
// Variants (each: `reps` repetitions of `ops` ops; the best and the median repetition are reported):
//   tidy      torch.tidy around each batch of `batch` ops; the results are freed when the tidy ends
//   dispose   c = a.add(b); c.dispose()
//   generated tidy, but through the generated binding: torch.aten.add(a, b)
//   native    the addon alone, no Tensor objects: native.addT(ha, hb, 1) + native.dispose(h)
//             (a floor for the two above: what the JS layer in src/tensor adds is the difference)
import * as torch from '../src/index.js';
import { native } from '../src/tensor/native.js';
import { defaultThreads, emit, fmt, intFlag, median, parseFlags } from './common.js';

const flags = parseFlags();
const ops = intFlag(flags, 'ops', 200_000);
const reps = intFlag(flags, 'reps', 5);
const batch = intFlag(flags, 'batch', 1000);
const threads = intFlag(flags, 'threads', defaultThreads());
torch.setNumThreads(threads);
console.log(`torchlab tiny add: threads ${torch.getNumThreads()}, ${reps} x ${ops} ops, tidy batch ${batch}`);

const a = torch.keep(torch.ones([1]));
const b = torch.keep(torch.ones([1]));

function usPerOp(body: (n: number) => void): { best: number; median: number } {
  body(Math.min(ops, 20_000)); // warmup: JIT + allocator
  const runs: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    body(ops);
    runs.push(((performance.now() - t0) * 1e3) / ops);
  }
  return { best: Math.min(...runs), median: median(runs) };
}

const variants: Record<string, (n: number) => void> = {
  tidy: (n) => {
    for (let done = 0; done < n; done += batch) {
      const m = Math.min(batch, n - done);
      torch.tidy(() => {
        for (let i = 0; i < m; i++) a.add(b);
      });
    }
  },
  dispose: (n) => {
    for (let i = 0; i < n; i++) a.add(b).dispose();
  },
  // the generated path (scripts/gen-ops): torch.aten.add resolves the overload from the schema
  // (add.Tensor), fills alpha's default and calls native.aten['add.Tensor']
  generated: (n) => {
    for (let done = 0; done < n; done += batch) {
      const m = Math.min(batch, n - done);
      torch.tidy(() => {
        for (let i = 0; i < m; i++) torch.aten.add(a, b);
      });
    }
  },
  native: (n) => {
    // Tensor keeps its handle private: use two raw handles made here (ones([1]), float32, cpu).
    const hA = native.ones([1], -1, null, false) as number;
    const hB = native.ones([1], -1, null, false) as number;
    for (let i = 0; i < n; i++) native.dispose(native.addT(hA, hB, 1));
    native.dispose(hA);
    native.dispose(hB);
  },
};

const results: Record<string, { best: number; median: number }> = {};
for (const [name, body] of Object.entries(variants)) {
  results[name] = usPerOp(body);
  console.log(`  ${name.padEnd(8)} ${fmt(results[name].best, 3)} µs/op best, ${fmt(results[name].median, 3)} median`);
}
console.log(`  live tensors after: ${torch.memory().numTensors}`);
emit(flags, { bench: 'tiny', threads: torch.getNumThreads(), ops, reps, usPerOp: results });
