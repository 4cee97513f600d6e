// A raw-tensor demo: train the lab notebook's CNN for one epoch on Fashion-MNIST (Debian's
// dataset-fashion-mnist, offline) with the raw tensor API, printing the loss as it goes and the
// test accuracy at the end.  Run: node --import tsx examples/demo-fashion-mnist.ts
import * as torch from '../src/index.js';
import { F, type Tensor } from '../src/index.js';
import { FashionMNIST } from '../src/data/index.js';
import { createCNN, RawSGD } from './raw-cnn.js';

const ROOT = process.env.FASHION_MNIST_DIR; // default: Debian's /usr/share/datasets/fashion-mnist
const BATCH = 64;
const LR = 0.01;
const MOMENTUM = 0.9;
const limit = Number(process.env.DEMO_LIMIT ?? 0); // >0: use only this many training images

/** The whole split as tensors: images through ToTensor() (uint8 -> float32 in [0, 1]), int64 labels. */
function loadSplit(train: boolean): { x: Tensor; y: Tensor } {
  const ds = new FashionMNIST({ root: ROOT, train });
  const out = torch.tidy(() => ({ x: ds.data.float().div(255), y: ds.targets.clone() }));
  ds.dispose();
  return out;
}

torch.manualSeed(0);
const t0 = Date.now();
const train = loadSplit(true);
const test = loadSplit(false);
const nTrain = limit > 0 ? Math.min(limit, train.x.size(0)) : train.x.size(0);
console.log(`Fashion-MNIST: ${train.x.size(0)} train / ${test.x.size(0)} test images from ${ROOT ?? 'Debian\'s dataset-fashion-mnist'} ` +
  `(libtorch ${torch.libtorchVersion}, ${torch.getNumThreads()} threads)`);

const cnn = createCNN({ inChannels: 1, imageSize: 28 });
const opt = new RawSGD(cnn.params, LR, MOMENTUM);
const steps = Math.ceil(nTrain / BATCH);
const order = torch.randperm(train.x.size(0)).narrow(0, 0, nTrain);
let running = 0;
for (let step = 0; step < steps; step++) {
  const loss = torch.tidy(() => {
    const idx = order.narrow(0, step * BATCH, Math.min(BATCH, nTrain - step * BATCH));
    const x = train.x.indexSelect(0, idx);
    const y = train.y.indexSelect(0, idx);
    opt.zeroGrad();
    const l = F.crossEntropy(cnn.forward(x), y);
    l.backward();
    opt.step();
    return l.item() as number;
  });
  running += loss;
  if ((step + 1) % 100 === 0 || step === steps - 1) {
    console.log(`epoch 0 step ${String(step + 1).padStart(4)}/${steps}  loss ${loss.toFixed(4)}  avg ${(running / (step + 1)).toFixed(4)}`);
  }
}

// The notebook's predict(): summed batch losses / dataset size, and accuracy.
let testLoss = 0;
let correct = 0;
const nTest = test.x.size(0);
torch.noGrad(() => {
  for (let i = 0; i < nTest; i += 1000) {
    torch.tidy(() => {
      const x = test.x.narrow(0, i, Math.min(1000, nTest - i));
      const y = test.y.narrow(0, i, Math.min(1000, nTest - i));
      const out = cnn.forward(x);
      testLoss += F.crossEntropy(out, y).item() as number;
      correct += out.argmax(1).eq(y).sum().item() as number;
    });
  }
});
testLoss /= nTest;
console.log(`Test set: Avg. loss: ${testLoss.toFixed(4)}, Accuracy: ${correct}/${nTest} (${Math.round((100 * correct) / nTest)}%)`);
console.log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s; live tensors: ${torch.memory().numTensors}`);
