// The speedrun's network, after airbench94 (github.com/KellerJordan/cifar10-airbench): a frozen 2×2
// whitening conv, three conv groups (conv-pool-BN-GELU-conv-BN-GELU) with Dirac-initialised convs and
// BatchNorm without a trained scale, a global max pool and a bias-free linear head whose logits are
// scaled by 1/9. bench/speedrun_torch.py builds the same net in PyTorch.
// Two CPU changes, measured (BENCHMARKS.md section 11): ReLU after the whitening conv (its filters
// come in ± pairs, so ReLU keeps all the information, as CReLU; GELU there was the largest
// activation of the step) and GELU's tanh approximation in the groups (a step 1.12x faster than
// exact GELU's erf on 2 cores, the same accuracy within the seeds' spread).
import * as torch from '../../tensor/index.js';
import type { Tensor } from '../../tensor/index.js';
import { Module } from '../../nn/module.js';
import { BatchNorm2d, Conv2d, Linear } from '../../nn/layers.js';
import * as F from '../../nn/functional.js';

/** airbench's BatchNorm: eps 1e-12, running statistics with airbench's momentum 0.6 (PyTorch's 0.4), no trained scale. */
function batchNorm(n: number): BatchNorm2d {
  const bn = new BatchNorm2d(n, { eps: 1e-12, momentum: 0.4 });
  bn.weight!.requiresGrad_(false);
  return bn;
}

/** A 3×3 'same' conv without bias whose first `cin` filters start as the identity (an implicit residual). */
function diracConv(cin: number, cout: number): Conv2d {
  const conv = new Conv2d(cin, cout, 3, { padding: 1, bias: false });
  // nn.init.dirac_(w[:cin]) (torchlab has no dirac_): zero those filters, then a 1 at each centre tap.
  torch.noGrad(() => torch.tidy(() => {
    conv.weight.narrow(0, 0, Math.min(cin, cout)).zero_();
    for (let i = 0; i < Math.min(cin, cout); i++) conv.weight.select(0, i).select(0, i).select(0, 1).select(0, 1).fill_(1);
  }));
  return conv;
}

export class ConvGroup extends Module {
  conv1: Conv2d;
  norm1: BatchNorm2d;
  conv2: Conv2d;
  norm2: BatchNorm2d;
  constructor(cin: number, cout: number, readonly approximate: 'none' | 'tanh' = 'tanh') {
    super();
    this.conv1 = diracConv(cin, cout);
    this.norm1 = batchNorm(cout);
    this.conv2 = diracConv(cout, cout);
    this.norm2 = batchNorm(cout);
  }
  forward(x: Tensor): Tensor {
    // pool before the first BatchNorm, as airbench: the norm and GELU then run on a quarter of the pixels
    const o = { approximate: this.approximate };
    const h = F.gelu(this.norm1.forward(F.maxPool2d(this.conv1.forward(x), 2)), o);
    return F.gelu(this.norm2.forward(this.conv2.forward(h)), o);
  }
}

export class SpeedrunNet extends Module {
  whiten: Conv2d;
  group1: ConvGroup;
  group2: ConvGroup;
  group3: ConvGroup;
  head: Linear;
  constructor(readonly widths: readonly [number, number, number], readonly inChannels = 1, numClasses = 10, approximate: 'none' | 'tanh' = 'tanh') {
    super();
    if (widths.length !== 3 || widths.some((w) => !Number.isInteger(w) || w < 1)) {
      throw new RangeError(`widths: expected three positive integers, got ${JSON.stringify(widths)}`);
    }
    const k = 2 * inChannels * 4; // the 2×2 patch's eigenvectors and their negatives
    this.whiten = new Conv2d(inChannels, k, 2, { padding: 0, bias: true });
    this.whiten.weight.requiresGrad_(false);
    this.group1 = new ConvGroup(k, widths[0], approximate);
    this.group2 = new ConvGroup(widths[0], widths[1], approximate);
    this.group3 = new ConvGroup(widths[1], widths[2], approximate);
    this.head = new Linear(widths[2], numClasses, { bias: false });
  }
  forward(x: Tensor): Tensor {
    let h = F.relu(this.whiten.forward(x));
    h = this.group3.forward(this.group2.forward(this.group1.forward(h)));
    // global max pool: airbench's MaxPool2d(3) on its 3×3 map; amax over H, W is the same for any size
    const pooled = h.flatten(2).max(2)[0];
    return this.head.forward(pooled).div(9);
  }
}

/**
 * Symmetric eigen-decomposition by cyclic Jacobi rotations (torchlab binds no linalg_eigh; the
 * matrices here are the 4×4 or 12×12 patch covariances). Returns eigenvalues ascending, as
 * torch.linalg.eigh, and eigenvectors as rows.
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) { // columns p, q
          const mkp = m[k * n + p], mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) { // rows p, q
          const mpk = m[p * n + k], mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) { // eigenvectors as columns of v
          const vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[i * n + i] - m[j * n + j]);
  const values = Float64Array.from(order, (i) => m[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((col, row) => { for (let k = 0; k < n; k++) vectors[row * n + k] = v[k * n + col]; });
  return { values, vectors };
}

/**
 * airbench's init_whitening_conv: the whitening conv's filters are the eigenvectors of the 2×2 patch
 * covariance of `images` (normalised, N×C×H×W) scaled by 1/sqrt(eigenvalue + eps), and their negatives.
 */
export function initWhitening(conv: Conv2d, images: Tensor, eps = 5e-4): void {
  const c = images.size(1);
  const [kh, kw] = conv.kernelSize;
  const d = c * kh * kw;
  const cov = torch.tidy(() => {
    const patches = images.unfold(2, kh, 1).unfold(3, kw, 1).transpose(1, 3).reshape([-1, d]).double();
    return patches.t().matmul(patches).div(patches.size(0)).contiguous().data() as Float64Array;
  });
  const { values, vectors } = symmetricEigen(cov, d);
  const w = new Float32Array(2 * d * d);
  for (let r = 0; r < d; r++) {
    const scale = 1 / Math.sqrt(values[r] + eps);
    for (let k = 0; k < d; k++) {
      w[r * d + k] = vectors[r * d + k] * scale;
      w[(r + d) * d + k] = -vectors[r * d + k] * scale;
    }
  }
  torch.noGrad(() => torch.tidy(() => {
    conv.weight.copy_(torch.fromBuffer(w, [2 * d, c, kh, kw]));
    conv.bias?.zero_();
  }));
}
