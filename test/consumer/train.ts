// A user's first training script, as the README's "Use torchlab in your project" shows it. The
// package test (test/package-install.test.ts) type-checks it with `tsc --strict` in a fresh project
// that installed the packed tarball, runs it with Node and with Deno, and checks what it prints.
import * as torch from 'torchlab';
import { nn, optim, data, F, type Tensor } from 'torchlab';

class TinyNet extends nn.Module {
  fc1 = new nn.Linear(4, 16);
  fc2 = new nn.Linear(16, 3);
  forward(x: Tensor): Tensor {
    return this.fc2.forward(F.relu(this.fc1.forward(x)));
  }
}

torch.manualSeed(0);
const x = torch.randn([64, 4]);
const y = x.narrow(1, 0, 3).argmax(1);              // a learnable rule: the largest of the first three features
const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 16, shuffle: true, seed: 0 });

const model = new TinyNet();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
const epochLosses: number[] = [];
for (let epoch = 0; epoch < 5; epoch++) {
  let total = 0;
  for (const [xb, yb] of loader) {
    const loss: number = torch.tidy(() => {
      optimizer.zeroGrad();
      const l = F.crossEntropy(model.forward(xb), yb);
      l.backward();
      optimizer.step();
      return l.item();
    });
    total += loss;
  }
  epochLosses.push(total / loader.length);
}

model.eval();
const { correct, topScore, top2Shape } = torch.noGrad(() => torch.tidy(() => {
  const logits = model.forward(x);
  const { values, indices } = logits.max(1);           // a named tuple, as in PyTorch
  const [, top2] = logits.topk(2, 1);                  // or destructured as a pair
  return { correct: indices.eq(y).sum().item(), topScore: values.max().item(), top2Shape: top2.shape };
}));
const first = model.fc1.weight.index(0, 0).item();
model.save('tiny.safetensors');
const reloaded = new TinyNet().load('tiny.safetensors');
console.log(JSON.stringify({
  epochLosses, correct, topScore, top2Shape, first,
  reloadedFirst: reloaded.fc1.weight.index(0, 0).item(),
  params: model.parameters().reduce((n, p) => n + p.numel(), 0),
}));
