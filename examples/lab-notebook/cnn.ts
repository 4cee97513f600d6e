// The lab notebook, "## run simple model" and "# Momentum": the CNN with SGD at lr 0.001 (10 epochs) and
// lr 0.9 (5 epochs), then lr 0.001 with momentum 0.9 (10 epochs). Run through examples/lab-notebook.ts.
import { nn, optim, type Tensor } from '../../src/index.js';
import { BasicModel } from '../../src/train/index.js';
import type { DataLoader } from '../../src/data/index.js';
import { FLAT_FEATURES, IN_CHANNELS, epochs, plot } from './setup.js';

// In [ ]:  (exercises: in_channels, the Linear's in_features, forward)
export class CNN extends BasicModel {
  conv: nn.Sequential;
  out: nn.Linear;
  constructor() {
    super();
    // We use a Sequential, i.e. the inputs passes through each of
    // the modules below, one-by-one
    this.conv = new nn.Sequential(
      new nn.Conv2d(IN_CHANNELS /* in_channels: 1 for Fashion-MNIST, 3 for CIFAR-10 */, 16, 3, { stride: 1, padding: 1 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(16, 32, 3, { stride: 1, padding: 1 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
    );
    // fully connected layer, output 10 classes
    this.out = new nn.Linear(FLAT_FEATURES /* 32*7*7 for Fashion-MNIST, 2048 for CIFAR-10 */, 10);
  }
  forward(x: Tensor): Tensor {
    x = this.conv.forward(x);
    x = x.view(x.size(0), -1); // flatten: (batch, 32, H/4, W/4) -> (batch, 32*H/4*W/4)
    x = this.out.forward(x);
    return x;
  }
}

export async function learningRateAndMomentum(
  { trainDataloader, testDataloader }: { trainDataloader: DataLoader; testDataloader: DataLoader },
  DEVICE: string,
): Promise<void> {
  // In [ ]:
  let cnn = new CNN().to(DEVICE);
  let optimizer = new optim.SGD(cnn.parameters(), { lr: 0.001 });
  await cnn.fit(trainDataloader, optimizer, epochs(10), DEVICE, plot('cnn-sgd-lr0.001'));
  await cnn.predict(testDataloader, DEVICE);

  // In [ ]:
  cnn = new CNN().to(DEVICE);
  optimizer = new optim.SGD(cnn.parameters(), { lr: 0.9 });
  await cnn.fit(trainDataloader, optimizer, epochs(5), DEVICE, plot('cnn-sgd-lr0.9'));
  await cnn.predict(testDataloader, DEVICE);

  // # Momentum
  // We have used (mini-batch) stochastic gradient descent; for one sample the update is
  //   w(τ+1) <- w(τ) - η ∇L(x, y; w(τ)).
  // Momentum encourages faster convergence by folding the previous update into the current one:
  //   v(τ+1) <- γ v(τ) + ∇L(x, y; w(τ)),   w(τ+1) <- w(τ) - η v(τ).
  // It also dampens oscillations and helps navigate ravines around local optima [1].
  // [1] Ruder, S., 2016. An overview of gradient descent optimization algorithms. arXiv:1609.04747.

  // In [ ]:
  // Let's change the "slow" version by simply adding momentum to the optimizer.
  // We will use the default value of γ=0.9   (exercise: momentum: 0.9)
  // What do you think will happen?
  cnn = new CNN().to(DEVICE);
  optimizer = new optim.SGD(cnn.parameters(), { lr: 0.001, momentum: 0.9 });
  await cnn.fit(trainDataloader, optimizer, epochs(10), DEVICE, plot('cnn-sgd-lr0.001-momentum0.9'));
  await cnn.predict(testDataloader, DEVICE);
}
