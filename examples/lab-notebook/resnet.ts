// The lab notebook, "# Residual connections": WrongBlock (no skip connection) and the ResNet with
// _make_layer (makeLayer), trained with Adam lr 0.01 for 30 epochs; "How many layers does the above
// model have?" answered by counting; CorrectBlock with its forward filled in (the shortcut), trained
// the same way; the model printed. Run through examples/lab-notebook.ts.
import { nn, F, optim, type Tensor } from '../../src/index.js';
import { BasicModel } from '../../src/train/index.js';
import type { DataLoader } from '../../src/data/index.js';
import { IMAGE_SIZE, IN_CHANNELS, RESNET_WIDTH, epochs, plot } from './setup.js';

// # Residual connections
// Deeper networks build more complex representations and perform better, but we cannot simply stack as
// many layers as we want: backpropagating to early layers multiplies many small values, the gradient
// vanishes, performance saturates and even degrades. Skip connections [3] reconcile the two: the gradient
// flows through the shortcut, which mitigates the vanishing gradient, and a block can learn the identity,
// so a higher layer performs at least as well as a lower one.
// [3] K. He, X. Zhang, S. Ren, J. Sun, "Deep Residual Learning for Image Recognition", CVPR 2016,
//     pp. 770–778. doi: 10.1109/CVPR.2016.90.
//
// First, we build the network with no skip connections. The ResNet consists of "super-blocks" (64, 128,
// 256, 512 channels), each of two blocks that start after one residual connection and finish just before
// one. We build an nn.Module per block and repeat it to make the super-blocks and the whole architecture.
// That ResNet is meant for ImageNet; for computational reasons we make a simpler version for CIFAR10.

// In [ ]:
export class WrongBlock extends nn.Module {
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
    x = this.conv1.forward(x);
    x = this.bn1.forward(x);
    x = F.relu(x);

    x = this.conv2.forward(x);
    x = this.bn2.forward(x);
    x = F.relu(x);

    return x;
  }
}

/** A block class, called as the notebook's block(in_planes, planes, stride). */
export type Block = new (inPlanes: number, planes: number, stride?: number) => nn.Module;

export class ResNet extends BasicModel {
  private inPlanes: number; // the notebook's self.in_planes: makeLayer's bookkeeping, not state
  conv1: nn.Conv2d;
  bn1: nn.BatchNorm2d;
  layer1: nn.Sequential;
  layer2: nn.Sequential;
  layer3: nn.Sequential;
  layer4: nn.Sequential;
  linear: nn.Linear;
  // w: the first stage's channels, the notebook's 64 unless --resnet-width says otherwise (stages w, 2w, 4w, 8w).
  constructor(block: Block, numBlocks: number[], numClasses = 10, w = RESNET_WIDTH) {
    super();
    this.inPlanes = w;

    this.conv1 = new nn.Conv2d(IN_CHANNELS /* 3 for CIFAR-10, 1 for Fashion-MNIST */, w, 3, { stride: 1, padding: 1, bias: false });
    this.bn1 = new nn.BatchNorm2d(w);
    this.layer1 = this.makeLayer(block, w, numBlocks[0], 1);
    this.layer2 = this.makeLayer(block, 2 * w, numBlocks[1], 2);
    this.layer3 = this.makeLayer(block, 4 * w, numBlocks[2], 2);
    this.layer4 = this.makeLayer(block, 8 * w, numBlocks[3], 2);
    this.linear = new nn.Linear(8 * w, numClasses);
  }

  /** The notebook's _make_layer: the first block has `stride`, the others 1. */
  private makeLayer(block: Block, planes: number, numBlocks: number, stride: number): nn.Sequential {
    const strides = [stride, ...Array<number>(numBlocks - 1).fill(1)];
    const layers: nn.Module[] = [];
    for (const s of strides) {
      layers.push(new block(this.inPlanes, planes, s));
      this.inPlanes = planes;
    }
    return new nn.Sequential(...layers);
  }

  forward(x: Tensor): Tensor {
    let out = F.relu(this.bn1.forward(this.conv1.forward(x)));
    out = this.layer1.forward(out);
    out = this.layer2.forward(out);
    out = this.layer3.forward(out);
    out = this.layer4.forward(out);
    out = F.avgPool2d(out, 4); // the last map is 4×4 for 32×32 CIFAR-10 and for 28×28 Fashion-MNIST alike
    out = out.view(out.size(0), -1);
    out = this.linear.forward(out);
    return out;
  }
}

// Now, we add skip connections. Sometimes the skip connection cannot simply be an identity function, since
// the dimensions will not match. Identify the condition when this is necessary: when the block changes the
// resolution (stride != 1) or the number of channels (in_planes != planes). In that case the shortcut is a
// convolution followed by BatchNorm. Fill the code below!

// In [ ]:
export class CorrectBlock extends nn.Module {
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

    // take a look at this.shortcut. Why is the if-statement necessary?
    // (x must have the block's output shape to be added to it; an empty Sequential is the identity)
    this.shortcut = new nn.Sequential();
    if (stride !== 1 || inPlanes !== planes) {
      this.shortcut = new nn.Sequential(
        new nn.Conv2d(inPlanes, planes, 1, { stride, bias: false }),
        new nn.BatchNorm2d(planes),
      );
    }
  }
  forward(x: Tensor): Tensor {
    // (exercise) conv-bn-relu, conv-bn, plus the shortcut of the block's input, then relu
    let out = F.relu(this.bn1.forward(this.conv1.forward(x)));
    out = this.bn2.forward(this.conv2.forward(out));
    out = out.add(this.shortcut.forward(x));
    out = F.relu(out);
    return out;
  }
}

export async function residualConnections(
  { trainDataloader, testDataloader }: { trainDataloader: DataLoader; testDataloader: DataLoader },
  DEVICE: string,
): Promise<ResNet> {
  // In [ ]:  (the cell after WrongBlock / ResNet)
  // initialize the model
  let model = new ResNet(WrongBlock, [2, 2, 2, 2]).to(DEVICE);
  // define the optimizer
  let optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  // train the ResNet
  await model.fit(trainDataloader, optimizer, epochs(30), DEVICE, plot('resnet-wrongblock-adam-lr0.01'));
  // predict with the trained model
  await model.predict(testDataloader, DEVICE);

  // How many layers does the above model have?
  // (answer, computed) Counting the layers with weights, convolutions and linear layers, as the 18 of
  // "ResNet-18" does (BatchNorm, ReLU and pooling are not counted): nn.summary traces one forward pass and
  // counts them along the longest input-to-output path.
  const s = nn.summary(model, [1, IN_CHANNELS, IMAGE_SIZE, IMAGE_SIZE]);
  const convs = model.modules().filter((m) => m instanceof nn.Conv2d).length;
  const linears = model.modules().filter((m) => m instanceof nn.Linear).length;
  console.log(`How many layers does the above model have? ${s.weightLayers} weight layers ` +
    `(${convs} conv + ${linears} linear): ResNet-${s.weightLayers}, ${s.totalParams.toLocaleString('en-US')} parameters`);

  // In [ ]:
  // initialize the model using the CorrectBlock module you created
  model = new ResNet(CorrectBlock, [2, 2, 2, 2]).to(DEVICE);
  // define the optimizer
  optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  // train the ResNet
  await model.fit(trainDataloader, optimizer, epochs(30), DEVICE, plot('resnet-correctblock-adam-lr0.01'));
  // predict with the trained model
  await model.predict(testDataloader, DEVICE);

  // In [ ]:
  // Let's take a look at our model
  console.log(String(model));
  return model;
}
