// The lab notebook, "# Batch normalization": the data cell (batch size 256; CIFAR-10 in the notebook),
// CNN_Cifar10 (SGD lr 0.01, momentum 0.9, 50 epochs), CNNwithBN with the BatchNorm placement filled in
// (the same, then lr 0.05). Run through examples/lab-notebook.ts.
import { nn, optim, type Tensor } from '../../src/index.js';
import { BasicModel } from '../../src/train/index.js';
import { DataLoader, type Compose } from '../../src/data/index.js';
import { FLAT_FEATURES, IN_CHANNELS, epochs, loadDataset, makeGrid, plot, show, type LabDataset } from './setup.js';
import * as torch from '../../src/index.js';

// # Batch normalization
// We want to learn fast and converge at the same time. A small learning rate converges, but too slowly; a
// large one makes training inconsistent (we bounce all over the place and never converge) and causes
// exploding or vanishing gradients: the chain rule's products compound and keep the lower layers from learning.
// Can we have the best of both worlds? Enter Batch Normalization.
// 1. What does it aim to solve? Avoid unstable gradients, allow faster learning rates (faster convergence),
//    reduce the effect of initialization.
// 2. What does it do? Over a mini-batch B = {x_i}, i = 1..m, learn γ and β that scale properly:
//      μ_B = (1/m) Σ x_i                      (mini-batch mean)
//      σ²_B = (1/m) Σ (x_i - μ_B)²            (mini-batch variance)
//      x̂_i = (x_i - μ_B) / sqrt(σ²_B + ε)     (normalize)
//      y_i = γ x̂_i + β ≡ BN_γ,β(x_i)          (scale and shift)
// 3. Why does it work? Not perfectly clear. The authors [1] say it alleviates internal covariate shift: every
//    mini-batch has different statistics, so each layer's input distribution jumps around and it learns a
//    "moving target"; BN keeps the inputs normalized and the distribution steady, placates exploding/vanishing
//    gradients and allows higher learning rates. [2] says it "makes the optimization landscape significantly
//    smoother", so gradients behave more predictably and training is faster.
// [1] S. Ioffe and C. Szegedy, "Batch Normalization: Accelerating Deep Network Training by Reducing Internal
//     Covariate Shift", ICML 2015, pp. 448–456. https://proceedings.mlr.press/v37/ioffe15.html
// [2] S. Santurkar, D. Tsipras, A. Ilyas, A. Madry, "How Does Batch Normalization Help Optimization?",
//     NeurIPS 2018, vol. 31.

export interface Loaders {
  trainDataset: LabDataset;
  testDataset: LabDataset;
  trainDataloader: DataLoader;
  testDataloader: DataLoader;
}

/** The notebook's data cell of this part (the ResNet part uses its loaders too). */
export function batchNormDataCell(transform: Compose): Loaders {
  // In [ ]:
  // we make the batch sizes smaller for computational reasons
  // we will later use larger models and memory might become an issue
  const BATCH_SIZE = 256;
  const TEST_BATCH_SIZE = 256;
  // (transform: the same Compose([ToTensor()]), passed in)

  // load the train dataset   (CIFAR10(root='./data/', train=True, download=True, transform=transform) with --dataset cifar10)
  const trainDataset = loadDataset(true, transform);
  // load the test dataset
  const testDataset = loadDataset(false, transform);

  const trainDataloader = new DataLoader(trainDataset, { batchSize: BATCH_SIZE, shuffle: true });
  const testDataloader = new DataLoader(testDataset, { batchSize: TEST_BATCH_SIZE, shuffle: false });

  torch.tidy(() => {
    const images = trainDataloader.firstBatch()[0].narrow(0, 0, 10); // next(iter(train_dataloader))[0][:10]
    const grid = makeGrid(images, { nrow: 5, padding: 10 });
    show(grid);
  });
  return { trainDataset, testDataset, trainDataloader, testDataloader };
}

// In [ ]:
// redo the previous cnn architecture with batch normalization
// where does the batch normalization go?
export class CNN_Cifar10 extends BasicModel {
  conv: nn.Sequential;
  out: nn.Linear;
  constructor() {
    super();
    // We use a Sequential, i.e. the inputs passes through each of
    // the modules below, one-by-one
    this.conv = new nn.Sequential(
      new nn.Conv2d(IN_CHANNELS /* in_channels: 3 for CIFAR-10, 1 for Fashion-MNIST */, 16, 3, { stride: 1, padding: 1 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(16, 32, 3, { stride: 1, padding: 1 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
    );
    // fully connected layer, output 10 classes
    this.out = new nn.Linear(FLAT_FEATURES /* 2048 for CIFAR-10, 32*7*7 for Fashion-MNIST */, 10);
  }
  forward(x: Tensor): Tensor {
    x = this.conv.forward(x);
    x = x.view(x.size(0), -1);
    x = this.out.forward(x);
    return x;
  }
}

// In [ ]:  (the notebook trains CNN_Cifar10 here; see batchNormalization below, which keeps the cell order)

// In [ ]:
export class CNNwithBN extends BasicModel {
  conv: nn.Sequential;
  out: nn.Linear;
  constructor() {
    super();
    // We use a Sequential, i.e. the inputs passes through each of
    // the modules below, one-by-one

    // take the previous CNN and add batch norm.
    // Where should the BN be added?   (exercise) After each convolution, before its ReLU:
    // Conv -> BN -> ReLU -> Pool, so BN normalizes the conv's outputs per channel (BatchNorm2d(out_channels)).
    this.conv = new nn.Sequential(
      new nn.Conv2d(IN_CHANNELS, 16, 3, { stride: 1, padding: 1 }),
      new nn.BatchNorm2d(16),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(16, 32, 3, { stride: 1, padding: 1 }),
      new nn.BatchNorm2d(32),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
    );
    // fully connected layer, output 10 classes   (the notebook's Linear(2048, 10): CIFAR-10)
    this.out = new nn.Linear(FLAT_FEATURES, 10);
  }
  forward(x: Tensor): Tensor {
    x = this.conv.forward(x);
    x = x.view(x.size(0), -1);
    x = this.out.forward(x);
    return x;
  }
}

export async function batchNormalization({ trainDataloader, testDataloader }: Loaders, DEVICE: string): Promise<void> {
  // In [ ]:  (the cell after CNN_Cifar10's class)
  const cnn = new CNN_Cifar10().to(DEVICE);
  let optimizer = new optim.SGD(cnn.parameters(), { lr: 0.01, momentum: 0.9 });
  await cnn.fit(trainDataloader, optimizer, epochs(50), DEVICE, plot('cnn_cifar10-sgd-lr0.01-momentum0.9'));
  await cnn.predict(testDataloader, DEVICE);

  // In [ ]:  (the cell after CNNwithBN's class)
  let cnn2 = new CNNwithBN().to(DEVICE);
  optimizer = new optim.SGD(cnn2.parameters(), { lr: 0.01, momentum: 0.9 });
  await cnn2.fit(trainDataloader, optimizer, epochs(50), DEVICE, plot('cnnwithbn-sgd-lr0.01-momentum0.9'));
  await cnn2.predict(testDataloader, DEVICE);

  // One of the benefits of Batch Norm is that it allows us to use higher learning rates. Adapt the code
  // above to do so. Does the model learn faster?

  // In [ ]:
  cnn2 = new CNNwithBN().to(DEVICE);
  optimizer = new optim.SGD(cnn2.parameters(), { lr: 0.05, momentum: 0.9 });
  await cnn2.fit(trainDataloader, optimizer, epochs(50), DEVICE, plot('cnnwithbn-sgd-lr0.05-momentum0.9'));
  await cnn2.predict(testDataloader, DEVICE);
}
