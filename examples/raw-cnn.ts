// The lab notebook's CNN written with the raw tensor API only (no nn.Module yet): conv16-relu-
// pool-conv32-relu-pool-linear, PyTorch's default init, and torch.optim.SGD's update rule.
// Shared by the demo, the memory test and the benchmark.
import * as torch from '../src/index.js';
import { F, type Tensor } from '../src/index.js';

export interface RawCNN {
  params: Tensor[];
  forward(x: Tensor): Tensor;
}

/** U(-1/sqrt(fanIn), 1/sqrt(fanIn)): what nn.Conv2d / nn.Linear's reset_parameters give. */
function uniformParam(shape: number[], fanIn: number): Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  return torch.empty(shape).uniform_(-bound, bound).requiresGrad_();
}

export function createCNN(o: { inChannels: number; imageSize: number; numClasses?: number }): RawCNN {
  const flat = 32 * Math.floor(o.imageSize / 4) ** 2;
  const w1 = uniformParam([16, o.inChannels, 3, 3], o.inChannels * 9);
  const b1 = uniformParam([16], o.inChannels * 9);
  const w2 = uniformParam([32, 16, 3, 3], 16 * 9);
  const b2 = uniformParam([32], 16 * 9);
  const w3 = uniformParam([o.numClasses ?? 10, flat], flat);
  const b3 = uniformParam([o.numClasses ?? 10], flat);
  return {
    params: [w1, b1, w2, b2, w3, b3],
    forward(x: Tensor): Tensor {
      let h = F.maxPool2d(F.relu(F.conv2d(x, w1, b1, { padding: 1 })), 2);
      h = F.maxPool2d(F.relu(F.conv2d(h, w2, b2, { padding: 1 })), 2);
      return F.linear(h.view(h.size(0), -1), w3, b3);
    },
  };
}

/** torch.optim.SGD(params, lr, momentum).step(): buf = momentum * buf + grad; p -= lr * buf. */
export class RawSGD {
  private bufs: (Tensor | null)[];
  constructor(private params: Tensor[], private lr: number, private momentum = 0) {
    this.bufs = params.map(() => null);
  }
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }
  step(): void {
    torch.noGrad(() => {
      this.params.forEach((p, i) => {
        const g = p.grad;
        if (!g) return;
        let d = g;
        if (this.momentum !== 0) {
          const buf = this.bufs[i];
          if (buf === null) this.bufs[i] = torch.keep(g.clone());
          else buf.mul_(this.momentum).add_(g);
          d = this.bufs[i]!;
        }
        p.add_(d, { alpha: -this.lr });
        g.dispose();
      });
    });
  }
}
