// The lab notebook's ResNet for CIFAR-10 and its two blocks: PlainBlock (the notebook's
// WrongBlock, no skip connection) and ResidualBlock (its CorrectBlock). Field names and module
// order are the notebook's, so stateDict() keys and toString() equal PyTorch's for the same
// Python classes (named ResNet / PlainBlock / ResidualBlock).
import type { Tensor } from '../tensor/index.js';
import * as F from '../nn/functional.js';
import { Module } from '../nn/module.js';
import { BatchNorm2d, Conv2d, Linear } from '../nn/layers.js';
import { Sequential } from '../nn/containers.js';
import { checkInt, checkOptions } from '../tensor/args.js';
import { keywordArgs } from '../nn/options.js';

/** A block class: new (inPlanes, planes, stride) like the notebook's `block(in_planes, planes, stride)`. */
export type BlockClass = new (inPlanes: number, planes: number, stride?: number) => Module;

const conv3x3 = (i: number, o: number, stride: number) => new Conv2d(i, o, 3, { stride, padding: 1, bias: false });

/**
 * The notebook's WrongBlock: relu(bn1(conv1 x)) then relu(bn2(conv2 ·)), no skip connection.
 * @example const b = new models.PlainBlock(64, 128, 2); // [N, 64, 32, 32] -> [N, 128, 16, 16]
 */
export class PlainBlock extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  constructor(inPlanes: number, planes: number, stride?: number | { stride?: number }) {
    super();
    stride = checkInt(keywordArgs('PlainBlock', [inPlanes, planes, stride], ['inPlanes', 'planes', 'stride']).stride ?? 1, 'stride');
    this.conv1 = conv3x3(inPlanes, planes, stride);
    this.bn1 = new BatchNorm2d(planes);
    this.conv2 = conv3x3(planes, planes, 1);
    this.bn2 = new BatchNorm2d(planes);
  }
  forward(x: Tensor): Tensor {
    const h = F.relu(this.bn1.forward(this.conv1.forward(x)));
    return F.relu(this.bn2.forward(this.conv2.forward(h)));
  }
}

/**
 * The notebook's CorrectBlock: relu(bn2(conv2(relu(bn1(conv1 x)))) + shortcut(x)). The shortcut is a
 * 1×1 conv + BatchNorm2d when the stride is not 1 or the channel count changes (the shapes would not
 * match otherwise), else an empty Sequential (the identity), printed `(shortcut): Sequential()`.
 * @example const b = new models.ResidualBlock(64, 64); // identity shortcut
 */
export class ResidualBlock extends Module {
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  shortcut: Sequential;
  constructor(inPlanes: number, planes: number, stride?: number | { stride?: number }) {
    super();
    stride = checkInt(keywordArgs('ResidualBlock', [inPlanes, planes, stride], ['inPlanes', 'planes', 'stride']).stride ?? 1, 'stride');
    this.conv1 = conv3x3(inPlanes, planes, stride);
    this.bn1 = new BatchNorm2d(planes);
    this.conv2 = conv3x3(planes, planes, 1);
    this.bn2 = new BatchNorm2d(planes);
    this.shortcut = stride !== 1 || inPlanes !== planes
      ? new Sequential(new Conv2d(inPlanes, planes, 1, { stride, bias: false }), new BatchNorm2d(planes))
      : new Sequential();
  }
  forward(x: Tensor): Tensor {
    const h = F.relu(this.bn1.forward(this.conv1.forward(x)));
    return F.relu(this.bn2.forward(this.conv2.forward(h)).add(this.shortcut.forward(x)));
  }
}

export interface ResNetOptions {
  /** Default 10 (CIFAR-10). */
  numClasses?: number;
  /** Channels of the input images: 3 (default) for CIFAR-10, 1 for (Fashion-)MNIST. */
  inChannels?: number;
  /** Channels of the first stage; the four stages have width, 2·width, 4·width, 8·width. Default 64. */
  width?: number;
}

/**
 * The notebook's ResNet: conv3x3-bn-relu, four stages of blocks (the first block of stages 2-4 has
 * stride 2), global average pooling, linear. Deviations from the notebook, both generalizations that
 * change nothing for its settings: `inChannels` and `width` (the notebook has 3 and 64) are options;
 * the notebook pools with F.avg_pool2d(out, 4), which is global pooling only for a 4×4 final map
 * (3×32×32 CIFAR-10 and 1×28×28 Fashion-MNIST both give 4×4), so that is used when the map is 4×4
 * and adaptiveAvgPool2d(1) otherwise (other image sizes).
 * @example
 * const net = new models.ResNet(models.ResidualBlock, [2, 2, 2, 2]); // = resnet18()
 * const logits = net.forward(torch.randn([2, 3, 32, 32])); // [2, 10]
 */
export class ResNet extends Module {
  /** Channels entering the next block made by makeLayer (the notebook's `in_planes`; not state). */
  private inPlanes: number;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  layer4: Sequential;
  linear: Linear;
  constructor(block: BlockClass, numBlocks: readonly number[], options?: ResNetOptions) {
    super();
    const o = checkOptions(options, 'ResNet', ['numClasses', 'inChannels', 'width']);
    if (numBlocks.length !== 4 || numBlocks.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new RangeError(`numBlocks: expected 4 positive integers, got [${numBlocks.join(', ')}]`);
    }
    const w = o.width ?? 64;
    if (!Number.isInteger(w) || w < 1) throw new RangeError(`width: expected a positive integer, got ${w}`);
    this.inPlanes = w;
    this.conv1 = conv3x3(o.inChannels ?? 3, w, 1);
    this.bn1 = new BatchNorm2d(w);
    this.layer1 = this.makeLayer(block, w, numBlocks[0], 1);
    this.layer2 = this.makeLayer(block, 2 * w, numBlocks[1], 2);
    this.layer3 = this.makeLayer(block, 4 * w, numBlocks[2], 2);
    this.layer4 = this.makeLayer(block, 8 * w, numBlocks[3], 2);
    this.linear = new Linear(8 * w, o.numClasses ?? 10);
  }
  private makeLayer(block: BlockClass, planes: number, n: number, stride: number): Sequential {
    const layers: Module[] = [];
    for (const s of [stride, ...Array<number>(n - 1).fill(1)]) {
      layers.push(new block(this.inPlanes, planes, s));
      this.inPlanes = planes;
    }
    return new Sequential(...layers);
  }
  forward(x: Tensor): Tensor {
    let out = F.relu(this.bn1.forward(this.conv1.forward(x)));
    out = this.layer4.forward(this.layer3.forward(this.layer2.forward(this.layer1.forward(out))));
    const [h, w] = out.shape.slice(2);
    out = h === 4 && w === 4 ? F.avgPool2d(out, 4) : F.adaptiveAvgPool2d(out, 1);
    return this.linear.forward(out.view(out.size(0), -1));
  }
}

/**
 * ResNet-18 for CIFAR-10: ResNet(block, [2, 2, 2, 2]); 11,173,962 parameters with ResidualBlock.
 * `block` defaults to ResidualBlock (pass PlainBlock for the notebook's no-skip network).
 * @example const net = models.resnet18({ block: models.PlainBlock, width: 16 });
 */
export function resnet18(options?: ResNetOptions & { block?: BlockClass }): ResNet {
  const { block, ...rest } = checkOptions(options, 'resnet18', ['block', 'numClasses', 'inChannels', 'width']);
  return new ResNet(block ?? ResidualBlock, [2, 2, 2, 2], rest);
}
