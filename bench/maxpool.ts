// Issue 14: F.maxPool2d's 2×2 / stride 2 fast path (native/fast_pool.cc) against libtorch's own
// kernel, which F.maxPool2dWithIndices still calls (the one PyTorch 1.13 runs for nn.MaxPool2d(2)),
// in one process, alternating, on the lab CNN's pooled shapes; plus ATen on channels_last input.
//   node --import tsx bench/maxpool.ts [rounds]
import * as torch from '../src/index.js';
import { F, type Tensor } from '../src/index.js';

const rounds = Number(process.argv[2] ?? 3);
const shapes = [[1024, 16, 28, 28], [1024, 32, 14, 14], [256, 16, 28, 28], [256, 32, 14, 14]];
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
/** Median milliseconds of 20 calls after 3 warm-up calls. */
function time(f: () => void): number {
  for (let i = 0; i < 3; i++) f();
  const t: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return median(t);
}
const fwd = (pool: (x: Tensor) => Tensor, x: Tensor) => () => torch.tidy(() => { pool(x); });
const fwdBwd = (pool: (x: Tensor) => Tensor, x: Tensor) => () => torch.tidy(() => { const y = pool(x); y.backward(torch.onesLike(y)); });
const fast = (x: Tensor) => F.maxPool2d(x, 2);
const aten = (x: Tensor) => F.maxPool2dWithIndices(x, 2)[0];

console.log(`threads ${torch.getNumThreads()}, median ms of 20 calls, median over ${rounds} rounds (ReLU'd random input, as after a conv + ReLU)`);
console.log('shape | forward: fast / ATen NCHW / ATen NHWC | forward+backward: fast / ATen NCHW / ATen NHWC');
for (const s of shapes) {
  const x = torch.tidy(() => torch.keep(torch.randn(s).relu().requiresGrad_(true)));
  const xl = torch.tidy(() => torch.keep(x.detach().contiguous({ memoryFormat: 'channels_last' }).requiresGrad_(true)));
  const r: number[][] = [[], [], [], [], [], []];
  for (let k = 0; k < rounds; k++) {
    r[0].push(time(fwd(fast, x)));
    r[1].push(time(fwd(aten, x)));
    r[2].push(time(fwd(aten, xl)));
    r[3].push(time(fwdBwd(fast, x)));
    r[4].push(time(fwdBwd(aten, x)));
    r[5].push(time(fwdBwd(aten, xl)));
  }
  const m = r.map((v) => median(v).toFixed(2));
  console.log(`${s.join('x')} | ${m[0]} / ${m[1]} / ${m[2]} | ${m[3]} / ${m[4]} / ${m[5]}`);
  torch.dispose([x, xl]);
}
