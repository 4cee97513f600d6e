// %% [markdown]
// # Training tips and tricks: learning rate, momentum, batch normalization, residual connections
//
// The lab notebook in TypeScript with torchlab (libtorch underneath: PyTorch's kernels, numbers and
// gradients). Run the cells in order; bars, sample grids and loss plots show under the cells. (Generated
// from `examples/lab-notebook.nb.ts` by `scripts/build-notebook.ts`: edit that file, not the `.ipynb`.)
//
// ## Where we are
//
// Last time a small CNN built with PyTorch did very well on MNIST and reasonably on CIFAR-10. That
// can give the impression that deep learning just works. It does not: getting MNIST-like results on
// harder data takes care, and this lab looks at three things that make a large difference and cost
// almost nothing to add to a training pipeline:
// * the learning rate (and momentum),
// * batch normalization,
// * residual connections.
//
// The Python notebook first copies the previous lab's `BasicModel` (fit, train_epoch, predict, the
// loss plot). torchlab ships that class as `train.BasicModel`: `fit` trains with a tqdm bar per epoch
// and plots the loss of every step, `predict` prints the test loss and accuracy. Each model below
// extends it and only defines its layers and `forward`.

// %%
// Quick switch: a fast run (a few thousand images, one epoch per model, a narrow ResNet) to check
// that everything works. Set it to true here, or start Jupyter with TORCHLAB_QUICK=1.
const QUICK: boolean = process.env.TORCHLAB_QUICK === '1';
// The dataset: Fashion-MNIST (Debian's dataset-fashion-mnist, offline). For the Python notebook's
// CIFAR-10 (downloaded once into ./data/), change this one line to 'cifar10'.
const DATASET = 'fashion-mnist' as 'fashion-mnist' | 'cifar10';

// %%
// first we load all the necessary libraries
import * as torch from 'torchlab';
import { nn, F, optim, data, train, utils, type Tensor } from 'torchlab';
torch.manualSeed(0); // (the Python notebook does not seed; this makes runs repeatable)

// %% [markdown]
// Exercise: the transform and the datasets. `ToTensor` turns uint8 pixels in [0, 255] into float32
// in [0, 1]. The dataset's shape decides two numbers the models need: the input channels (1 for
// Fashion-MNIST, 3 for CIFAR-10) and the features after the two 2×2 poolings (32 channels × 7×7, or
// × 8×8 for 32×32 CIFAR-10 images).

// %%
const transform = new data.Compose([
  new data.ToTensor(),
]);
const IN_CHANNELS = DATASET === 'cifar10' ? 3 : 1;
const IMAGE_SIZE = DATASET === 'cifar10' ? 32 : 28;
const FLAT_FEATURES = 32 * (IMAGE_SIZE / 4) * (IMAGE_SIZE / 4);

/** One split of the dataset; with QUICK, only its first images. */
function loadDataset(isTrain: boolean): data.TensorDataset | data.FashionMNIST | data.CIFAR10 {
  const ds = DATASET === 'cifar10'
    ? new data.CIFAR10({ root: './data/', train: isTrain, download: true })
    : new data.FashionMNIST({ train: isTrain });
  const n = QUICK ? (isTrain ? 4096 : 2000) : ds.length;
  if (n >= ds.length) return ds;
  const sub = new data.TensorDataset(torch.keep(ds.data.narrow(0, 0, n).clone()), torch.keep(ds.targets.narrow(0, 0, n).clone()));
  ds.dispose();
  return sub;
}
const epochs = (n: number): number => (QUICK ? 1 : n); // the notebook's epochs, or 1 with QUICK

let trainDataset = loadDataset(true); // the train dataset
let testDataset = loadDataset(false); // the test dataset
console.log(`${DATASET}: ${trainDataset.length} training and ${testDataset.length} test images${QUICK ? ' (quick run)' : ''}`);

// %%
let BATCH_SIZE = 1024; // the hyperparameters
let TEST_BATCH_SIZE = 1024;
const LEARNING_RATE = 0.01;
const DEVICE = torch.cuda.isAvailable() ? 'cuda' : 'cpu'; // which device is available
console.log(DEVICE);

// %%
// (the Python notebook's num_workers=2 has no counterpart: the DataLoader cuts a whole batch in one op;
// `transform: transform` is spelled out because tslab does not rewrite shorthand properties to cell variables)
let trainDataloader = new data.DataLoader(trainDataset, { batchSize: BATCH_SIZE, shuffle: true, transform: transform });
let testDataloader = new data.DataLoader(testDataset, { batchSize: TEST_BATCH_SIZE, shuffle: false, transform: transform });

// %%
// Let's look at a few training images.
/** next(iter(loader))[0]: the first batch's images. */
function firstImages(loader: data.DataLoader): Tensor {
  const it = loader[Symbol.iterator]();
  const [images] = it.next().value as [Tensor, Tensor];
  it.return?.();
  return images;
}
function show(img: Tensor): void {
  utils.imshow(img); // the notebook's plt.imshow: a PNG under the cell
}
torch.tidy(() => {
  const images = firstImages(trainDataloader).narrow(0, 0, 10);
  const grid = utils.makeGrid(images, { nrow: 5, padding: 10 });
  show(grid);
});

// %% [markdown]
// Already at a glance these images are much more varied than MNIST's digits.
//
// ## A simple model

// %%
class CNN extends train.BasicModel {
  conv: nn.Sequential;
  out: nn.Linear;
  constructor() {
    super();
    this.conv = new nn.Sequential(
      new nn.Conv2d(IN_CHANNELS, 16, 3, { stride: 1, padding: 1 }), // exercise: in_channels
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Conv2d(16, 32, 3, { stride: 1, padding: 1 }),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
    );
    // fully connected layer, output 10 classes (exercise: its in_features)
    this.out = new nn.Linear(FLAT_FEATURES, 10);
  }
  forward(x: Tensor): Tensor {
    x = this.conv.forward(x); // exercise: convolutions, flatten to (batch, features), linear layer
    x = x.view(x.size(0), -1);
    return this.out.forward(x);
  }
}

// %%
// Every cell below declares its own names (cnn, cnnFast, ...): the models, losses and results stay
// around for comparison, and a cell whose statements are all declarations shows no value of its own.
const cnn = new CNN().to(DEVICE);
const optimizer = new optim.SGD(cnn.parameters(), { lr: 0.001 });
const cnnLosses = await cnn.fit(trainDataloader, optimizer, epochs(10), DEVICE, { plotLoss: true });
const cnnResult = await cnn.predict(testDataloader, DEVICE);

// %%
const cnnFast = new CNN().to(DEVICE);
const optimizerFast = new optim.SGD(cnnFast.parameters(), { lr: 0.9 });
const cnnFastLosses = await cnnFast.fit(trainDataloader, optimizerFast, epochs(5), DEVICE, { plotLoss: true });
const cnnFastResult = await cnnFast.predict(testDataloader, DEVICE);

// %% [markdown]
// With lr 0.001 the loss falls, but slowly; with lr 0.9 the steps are so large that training jumps
// around (or diverges) instead of settling.
//
// ## Momentum
//
// So far we used (mini-batch) stochastic gradient descent. For one sample, each step moves the weights
// against the gradient, scaled by the learning rate η:
//
// $$\mathbf{w}^{(\tau+1)} \gets \mathbf{w}^{(\tau)} - \eta\nabla \mathcal{L}(\mathbf{x}, y;\mathbf{w}^{(\tau)})$$
//
// Momentum keeps a running velocity: each step adds the new gradient to γ times the previous update, so
// directions that agree from step to step build up speed:
//
// $$\mathbf{v}^{(\tau+1)} \gets \gamma\mathbf{v}^{(\tau)} + \nabla \mathcal{L}(\mathbf{x}, y;\mathbf{w}^{(\tau)}), \qquad \mathbf{w}^{(\tau+1)} \gets \mathbf{w}^{(\tau)} - \eta \mathbf{v}^{(\tau+1)}$$
//
// Besides converging faster, it damps oscillations and helps cross ravines around local optima; Ruder's
// overview of gradient descent algorithms [1] compares it with the other optimizers.
//
// [1] S. Ruder, "An overview of gradient descent optimization algorithms", arXiv:1609.04747, 2016.

// %%
// The slow version (lr 0.001) again, with momentum γ = 0.9 (the exercise). What will happen?
const cnnMomentum = new CNN().to(DEVICE);
const optimizerMomentum = new optim.SGD(cnnMomentum.parameters(), { lr: 0.001, momentum: 0.9 });
const cnnMomentumLosses = await cnnMomentum.fit(trainDataloader, optimizerMomentum, epochs(10), DEVICE, { plotLoss: true });
const cnnMomentumResult = await cnnMomentum.predict(testDataloader, DEVICE);

// %% [markdown]
// ## Batch normalization
//
// We want to learn fast *and* converge. A small learning rate converges, too slowly; a large one makes
// training erratic, and gradients can explode or vanish as the chain rule multiplies them layer after
// layer, so that the lower layers stop learning. Batch normalization [2] aims at both:
// 1. **Its goals**: stable gradients, higher learning rates (so faster convergence), less dependence on
//    the initialization.
// 2. **What it computes**, over a mini-batch $\mathcal{B}=\{x_i\}_{i=1}^m$, with learned γ and β:
//    $\mu_{\mathcal{B}}=\frac{1}{m}\sum_i x_i$,
//    $\sigma^2_{\mathcal{B}}=\frac{1}{m}\sum_i (x_i-\mu_{\mathcal{B}})^2$,
//    $\hat{x}_i=\frac{x_i-\mu_{\mathcal{B}}}{\sqrt{\sigma^2_{\mathcal{B}}+\epsilon}}$,
//    $y_i=\gamma \hat{x}_i+\beta$: each mini-batch is normalized with its own statistics, then scaled
//    and shifted.
// 3. **Why it works** is debated. Its authors argue it reduces *internal covariate shift*: every
//    mini-batch has different statistics, so each layer's input distribution keeps moving and the layer
//    chases a moving target; normalizing holds it steady and keeps activations in range. Santurkar et
//    al. [3] find instead that it makes the loss landscape much smoother, so gradients are more
//    predictable and training can take larger steps.
//
// [2] S. Ioffe, C. Szegedy, "Batch Normalization: Accelerating Deep Network Training by Reducing Internal
// Covariate Shift", ICML 2015. [3] S. Santurkar et al., "How Does Batch Normalization Help Optimization?", NeurIPS 2018.

// %%
// smaller batches from here on: the models get larger and memory may run short
BATCH_SIZE = 256;
TEST_BATCH_SIZE = 256;
// (the Python notebook loads CIFAR-10 here; this notebook keeps the dataset chosen at the top)
torch.dispose([trainDataset.data, trainDataset.targets, testDataset.data, testDataset.targets]);
trainDataset = loadDataset(true);
testDataset = loadDataset(false);
trainDataloader = new data.DataLoader(trainDataset, { batchSize: BATCH_SIZE, shuffle: true, transform: transform });
testDataloader = new data.DataLoader(testDataset, { batchSize: TEST_BATCH_SIZE, shuffle: false, transform: transform });
torch.tidy(() => show(utils.makeGrid(firstImages(trainDataloader).narrow(0, 0, 10), { nrow: 5, padding: 10 })));

// %%
// the CNN from above (the Python notebook's CNN_Cifar10), as the baseline
class CNN_Cifar10 extends CNN {}

// %%
const cnnBaseline = new CNN_Cifar10().to(DEVICE);
const optimizerBaseline = new optim.SGD(cnnBaseline.parameters(), { lr: 0.01, momentum: 0.9 });
const cnnBaselineLosses = await cnnBaseline.fit(trainDataloader, optimizerBaseline, epochs(50), DEVICE, { plotLoss: true });
const cnnBaselineResult = await cnnBaseline.predict(testDataloader, DEVICE);

// %%
// The same CNN with batch normalization. Where does it go? (the exercise) After each convolution,
// before its ReLU: Conv -> BatchNorm2d(out_channels) -> ReLU -> MaxPool, so each conv's outputs are
// normalized per channel.
class CNNwithBN extends train.BasicModel {
  conv: nn.Sequential;
  out: nn.Linear;
  constructor() {
    super();
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
    this.out = new nn.Linear(FLAT_FEATURES, 10);
  }
  forward(x: Tensor): Tensor {
    x = this.conv.forward(x);
    x = x.view(x.size(0), -1);
    return this.out.forward(x);
  }
}

// %%
const cnn2 = new CNNwithBN().to(DEVICE);
const optimizer2 = new optim.SGD(cnn2.parameters(), { lr: 0.01, momentum: 0.9 });
const cnn2Losses = await cnn2.fit(trainDataloader, optimizer2, epochs(50), DEVICE, { plotLoss: true });
const cnn2Result = await cnn2.predict(testDataloader, DEVICE);

// %%
// Batch normalization lets us raise the learning rate. Does the model learn faster with lr 0.05?
const cnn2Fast = new CNNwithBN().to(DEVICE);
const optimizer2Fast = new optim.SGD(cnn2Fast.parameters(), { lr: 0.05, momentum: 0.9 });
const cnn2FastLosses = await cnn2Fast.fit(trainDataloader, optimizer2Fast, epochs(50), DEVICE, { plotLoss: true });
const cnn2FastResult = await cnn2Fast.predict(testDataloader, DEVICE);

// %% [markdown]
// ## Residual connections
//
// Deeper networks can represent more, but stacking layers stops paying off: backpropagating to the
// early layers multiplies many small factors, the gradient vanishes, and accuracy saturates or even
// drops. Skip connections [4] fix this: the gradient flows back through the shortcut, and a block that
// has nothing to add can learn the identity, so a deeper network does at least as well as a shallower
// one.
//
// First the network without skip connections. A ResNet is made of four stages (64, 128, 256, 512
// channels), each of two blocks; a block is a module, repeated to build the stages. The ImageNet
// ResNet is too large here, so, like the Python notebook, we build a smaller one for 32×32 (or 28×28)
// images. (With QUICK its stages are 8, 16, 32, 64 channels wide.)
//
// [4] K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning for Image Recognition", CVPR 2016.

// %%
class WrongBlock extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  conv2: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  constructor(inPlanes: number, planes: number, stride = 1) {
    super();
    this.conv1 = new nn.Conv2d(inPlanes, planes, 3, { stride, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(planes);
    this.conv2 = new nn.Conv2d(planes, planes, 3, { stride: 1, padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2d(planes);
  }
  forward(x: Tensor): Tensor {
    x = F.relu(this.bn1.forward(this.conv1.forward(x)));
    x = F.relu(this.bn2.forward(this.conv2.forward(x)));
    return x;
  }
}

type Block = new (inPlanes: number, planes: number, stride?: number) => nn.Module;
const WIDTH = QUICK ? 8 : 64; // the first stage's channels (the Python notebook's 64)

class ResNet extends train.BasicModel {
  private inPlanes = WIDTH; // _make_layer's bookkeeping, not state
  conv1 = new nn.Conv2d(IN_CHANNELS, WIDTH, 3, { stride: 1, padding: 1, bias: false });
  bn1 = new nn.BatchNorm2d(WIDTH);
  layer1: nn.Sequential;
  layer2: nn.Sequential;
  layer3: nn.Sequential;
  layer4: nn.Sequential;
  linear: nn.Linear;
  constructor(block: Block, numBlocks: number[], numClasses = 10) {
    super();
    this.layer1 = this.makeLayer(block, WIDTH, numBlocks[0], 1);
    this.layer2 = this.makeLayer(block, 2 * WIDTH, numBlocks[1], 2);
    this.layer3 = this.makeLayer(block, 4 * WIDTH, numBlocks[2], 2);
    this.layer4 = this.makeLayer(block, 8 * WIDTH, numBlocks[3], 2);
    this.linear = new nn.Linear(8 * WIDTH, numClasses);
  }
  /** The notebook's _make_layer: the first block has `stride`, the others 1. */
  private makeLayer(block: Block, planes: number, numBlocks: number, stride: number): nn.Sequential {
    const layers: nn.Module[] = [];
    for (const s of [stride, ...Array<number>(numBlocks - 1).fill(1)]) {
      layers.push(new block(this.inPlanes, planes, s));
      this.inPlanes = planes;
    }
    return new nn.Sequential(...layers);
  }
  forward(x: Tensor): Tensor {
    let out = F.relu(this.bn1.forward(this.conv1.forward(x)));
    out = this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(out))));
    out = F.avgPool2d(out, 4); // the last map is 4×4 for 32×32 and 28×28 inputs alike
    out = out.view(out.size(0), -1);
    return this.linear.forward(out);
  }
}

// %%
// initialize the model
const plainResNet = new ResNet(WrongBlock, [2, 2, 2, 2]).to(DEVICE);
// define the optimizer
const plainOptimizer = new optim.Adam(plainResNet.parameters(), { lr: 0.01 });
// train the ResNet
const plainResNetLosses = await plainResNet.fit(trainDataloader, plainOptimizer, epochs(30), DEVICE, { plotLoss: true });
// predict with the trained model
const plainResNetResult = await plainResNet.predict(testDataloader, DEVICE);

// %% [markdown]
// How many layers does this model have? Counting the layers with weights (convolutions and linear
// layers), as the 18 of "ResNet-18" does: 1 + 4 stages × 2 blocks × 2 convolutions + 1 linear = 18.
// nn.summary counts them along the longest path from input to output:

// %%
const s = nn.summary(plainResNet, [1, IN_CHANNELS, IMAGE_SIZE, IMAGE_SIZE]);
console.log(`${s.weightLayers} weight layers: ResNet-${s.weightLayers}, ${s.totalParams.toLocaleString('en-US')} parameters`);

// %% [markdown]
// Now the skip connections. The shortcut cannot always be the identity: when a block changes the
// resolution (stride ≠ 1) or the number of channels (in_planes ≠ planes), its input no longer has the
// shape of its output, and the shortcut becomes a 1×1 convolution followed by batch normalization.
// Fill in the block's forward (the exercise).

// %%
class CorrectBlock extends nn.Module {
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  conv2: nn.Conv2d;
  bn2: nn.BatchNorm2d;
  shortcut: nn.Sequential;
  constructor(inPlanes: number, planes: number, stride = 1) {
    super();
    this.conv1 = new nn.Conv2d(inPlanes, planes, 3, { stride, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(planes);
    this.conv2 = new nn.Conv2d(planes, planes, 3, { stride: 1, padding: 1, bias: false });
    this.bn2 = new nn.BatchNorm2d(planes);
    // Why the if? x must have the block's output shape to be added to it (an empty Sequential is the identity)
    this.shortcut = new nn.Sequential();
    if (stride !== 1 || inPlanes !== planes) {
      this.shortcut = new nn.Sequential(
        new nn.Conv2d(inPlanes, planes, 1, { stride, bias: false }),
        new nn.BatchNorm2d(planes),
      );
    }
  }
  forward(x: Tensor): Tensor {
    // conv-bn-relu, conv-bn, plus the shortcut of the block's input, then relu
    let out = F.relu(this.bn1.forward(this.conv1.forward(x)));
    out = this.bn2.forward(this.conv2.forward(out));
    return F.relu(out.add(this.shortcut.forward(x)));
  }
}

// %%
// initialize the model with the CorrectBlock
const model = new ResNet(CorrectBlock, [2, 2, 2, 2]).to(DEVICE);
// define the optimizer
const resNetOptimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
// train the ResNet
const resNetLosses = await model.fit(trainDataloader, resNetOptimizer, epochs(30), DEVICE, { plotLoss: true });
// predict with the trained model
const resNetResult = await model.predict(testDataloader, DEVICE);

// %%
// Let's take a look at our model
model
