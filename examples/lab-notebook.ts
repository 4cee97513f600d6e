// The lab notebook (learning rate, momentum, batch normalization, residual connections) translated to
// TypeScript cell by cell, with its exercises filled in, so the two can be read side by side. Each
// `// In [ ]:` marks a notebook code cell; its markdown is condensed into comments. Same models, same
// hyperparameters, same order. The cells of the top of the notebook are here; the three parts follow in
//   examples/lab-notebook/cnn.ts          ## run simple model  + # Momentum
//   examples/lab-notebook/batch-norm.ts   # Batch normalization
//   examples/lab-notebook/resnet.ts       # Residual connections
// and examples/lab-notebook/setup.ts holds the command line and the stand-ins for Jupyter's inline output.
//
// Run it (from the repository root):
//   node --import tsx examples/lab-notebook.ts                                  # all of it, the notebook's epochs
//   node --import tsx examples/lab-notebook.ts --limit 2000 --epochs-scale 0.1  # a quick version (~10 min on 2 cores)
// The full run trains 8 models (10 + 5 + 10 + 3×50 + 2×30 epochs): on a CPU that takes many hours (the two
// ResNet-18s most of it); with CUDA (torch.cuda.isAvailable()) far less. Add --resnet-width 16 to the quick
// version to make its ResNets 16× cheaper.
//
// Options:
//   --dataset fashion-mnist|cifar10  default fashion-mnist (or env LAB_DATASET). The notebook leaves its first
//        dataset as an exercise and later loads CIFAR-10 with download=True; this machine may be offline, so
//        the default is Fashion-MNIST from Debian's dataset-fashion-mnist (1 channel, 28×28: in_channels=1,
//        Linear(32*7*7, 10), ResNet's conv1 with 1 input channel) for the whole notebook. `--dataset cifar10`
//        is the notebook's CIFAR-10 (download=True into ./data/; 3 channels, 32×32, Linear(2048, 10)).
//   --epochs-scale S   every epoch count × S (rounded, at least 1); default 1
//   --limit N          train on the first N training images only (default: all)
//   --test-limit N     test on the first N test images only (default: all)
//   --only PARTS       comma-separated subset of cnn (learning rate + momentum), bn (batch normalization),
//                      resnet (residual connections); default all
//   --resnet-width W   the ResNet's first-stage channels (the notebook's 64 is the default; then W, 2W, 4W, 8W)
//   --out DIR          where the sample grids and the loss plots go (default runs/lab-notebook)
//   --data-root DIR    CIFAR-10's root, the notebook's ./data/ by default (cifar-10-batches-bin/ is downloaded there)
//   --seed N           torch.manualSeed(N) first (default 0; the notebook does not seed)
//
// Deviations, forced by the setting: fit/predict are async (awaited); with no inline matplotlib, show()
// writes the grid to a PNG and fit() each loss plot to a PNG, printing their paths; the progress bars go
// to stderr as tqdm's do; num_workers is dropped (the DataLoader cuts a whole batch in one op and runs the
// dataset's transform on it); next(iter(loader)) is loader.firstBatch(), a batch the cell owns (freed by its tidy).
import * as torch from '../src/index.js';
import { Compose, DataLoader, ToTensor } from '../src/data/index.js';
import { PARTS, SEED, disposeDataset, loadDataset, makeGrid, show } from './lab-notebook/setup.js';
import { learningRateAndMomentum } from './lab-notebook/cnn.js';
import { batchNormalization, batchNormDataCell } from './lab-notebook/batch-norm.js';
import { residualConnections } from './lab-notebook/resnet.js';

torch.manualSeed(SEED);

// In [ ]:  %load_ext autoreload / %autoreload 2   (nothing to do outside Jupyter)

// # On the previous episode...
// In the previous lab, neural networks built with PyTorch showed that a CNN does well on MNIST and, depending
// on its complexity, "good" on CIFAR10. But deep learning does not work out of the box or like magic: we must
// go to great lengths to replicate MNIST's success on other datasets. This lab explores common pitfalls and
// simple tips and tricks, easy to add to our pipeline, that resolve them:
// * the importance of the learning rate
// * batch normalization
// * residual connections
// For convenience, we copy-paste the necessary code from the previous lab.

// In [ ]:  class BasicModel(nn.Module): __init__, forward, fit, plot_loss_progression, train_epoch, predict
// torchlab ships this cell as BasicModel (src/train/basic-model.ts), imported by the parts: fit() runs
// train_epoch for each epoch (a tqdm-like bar, cross-entropy, zero_grad / backward / step, every step's loss)
// then plots the loss progression; predict() prints
// `Test set: Avg. loss: {test_loss:.4f}, Accuracy: {correct}/{len(dataset)} ({accuracy:.0f}%)`.

// For every model we want to create, we create a new class that extends BasicModel and implements its
// constructor and forward.

// In [ ]:  first we load all the necessary libraries   (the imports above)

// In [ ]:  (exercise: the transform and the datasets; see --dataset above)
const transform = new Compose([
  new ToTensor(), // uint8 [0, 255] -> float32 [0, 1], as torchvision.transforms.ToTensor()
]);
// load the train dataset   (torchvision.datasets.FashionMNIST(..., train=True, transform=transform))
let trainDataset = loadDataset(true, transform);
// load the test dataset
let testDataset = loadDataset(false, transform);

// In [ ]:
// define the hyperparameters
const BATCH_SIZE = 1024;
const TEST_BATCH_SIZE = 1024;
const LEARNING_RATE = 0.01; // (the notebook defines it; each cell then passes its own lr)
void LEARNING_RATE;

// find out which device is available
const DEVICE = torch.cuda.isAvailable() ? 'cuda' : 'cpu';
console.log(DEVICE);

// In [ ]:
const trainDataloader = new DataLoader(trainDataset, { batchSize: BATCH_SIZE, shuffle: true });
const testDataloader = new DataLoader(testDataset, { batchSize: TEST_BATCH_SIZE, shuffle: false });

// Now, let's visualize some samples.

// In [ ]:
torch.tidy(() => {
  const images = trainDataloader.firstBatch()[0].narrow(0, 0, 10); // next(iter(train_dataloader))[0][:10]
  const grid = makeGrid(images, { nrow: 5, padding: 10 });
  show(grid);
});

// At first glance, we can see that this dataset is far more complex than MNIST.

// ## run simple model  ...  # Momentum   (examples/lab-notebook/cnn.ts)
if (PARTS.has('cnn')) await learningRateAndMomentum({ trainDataloader, testDataloader }, DEVICE);

// # Batch normalization   (examples/lab-notebook/batch-norm.ts)
if (PARTS.has('bn') || PARTS.has('resnet')) {
  disposeDataset(trainDataset);
  disposeDataset(testDataset);
  const loaders = batchNormDataCell(transform); // batch size 256; CIFAR-10 in the notebook
  ({ trainDataset, testDataset } = loaders);
  if (PARTS.has('bn')) await batchNormalization(loaders, DEVICE);

  // # Residual connections   (examples/lab-notebook/resnet.ts)
  if (PARTS.has('resnet')) await residualConnections(loaders, DEVICE);
}
