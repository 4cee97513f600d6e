// The lab notebook's CNNs, with the notebook's field names so stateDict() keys match it
// (conv.0.weight, conv.0.bias, conv.3.weight, ..., out.weight, out.bias).
import type { Tensor } from '../tensor/index.js';
import { Module } from '../nn/module.js';
import { BatchNorm2d, Conv2d, Linear } from '../nn/layers.js';
import { MaxPool2d, ReLU } from '../nn/simple-layers.js';
import { Sequential } from '../nn/containers.js';
import { checkOptions } from '../tensor/args.js';

const CNN_KEYS = ['inChannels', 'imageSize', 'numClasses'];

export interface CNNOptions {
  /** Channels of the input images: 3 for CIFAR-10 (default, as in the notebook), 1 for (Fashion-)MNIST. */
  inChannels?: number;
  /** Input height and width (or one number for square images); default 32 (CIFAR-10). */
  imageSize?: number | [number, number];
  /** Default 10. */
  numClasses?: number;
}

/** 32 channels × (H/4) × (W/4): the features left after the two 2×2 max pools (floor, as MaxPool2d). */
function flatFeatures(imageSize: number | [number, number]): number {
  const [h, w] = typeof imageSize === 'number' ? [imageSize, imageSize] : imageSize;
  for (const s of [h, w]) {
    if (!Number.isInteger(s) || s < 4) throw new RangeError(`imageSize: expected integers >= 4, got ${String(imageSize)}`);
  }
  return 32 * Math.floor(Math.floor(h / 2) / 2) * Math.floor(Math.floor(w / 2) / 2);
}

/** conv-relu-pool-conv-relu-pool, with a BatchNorm2d after each conv (before its ReLU) when bn is set. */
function features(inChannels: number, bn: boolean): Sequential {
  const conv = (i: number, o: number) => new Conv2d(i, o, 3, { stride: 1, padding: 1 });
  return new Sequential(
    conv(inChannels, 16), ...(bn ? [new BatchNorm2d(16)] : []), new ReLU(), new MaxPool2d(2),
    conv(16, 32), ...(bn ? [new BatchNorm2d(32)] : []), new ReLU(), new MaxPool2d(2),
  );
}

/**
 * The notebook's CNN: conv16-relu-pool-conv32-relu-pool-linear. The linear layer's in-features are
 * 32·(H/4)·(W/4): 2048 for 3×32×32 CIFAR-10, 1568 for 1×28×28 Fashion-MNIST.
 * @example
 * const cnn = new models.CNN({ inChannels: 1, imageSize: 28 });
 * const logits = cnn.forward(torch.randn([8, 1, 28, 28])); // [8, 10]
 */
export class CNN extends Module {
  conv: Sequential;
  out: Linear;
  constructor(options?: CNNOptions) {
    super();
    const o = checkOptions(options, 'CNN', CNN_KEYS);
    this.conv = features(o.inChannels ?? 3, false);
    this.out = new Linear(flatFeatures(o.imageSize ?? 32), o.numClasses ?? 10);
  }
  forward(x: Tensor): Tensor {
    const h = this.conv.forward(x);
    // reshape, not the notebook's view: a channels_last h (fit's memory format) cannot be viewed
    // flat; reshape copies it into the same NCHW order (and is a view, as before, when contiguous).
    return this.out.forward(h.reshape(h.size(0), -1));
  }
}

/**
 * The notebook's CNNwithBN: the CNN with a BatchNorm2d after each conv, before the ReLU, so
 * conv.0 conv, conv.1 bn, conv.4 conv, conv.5 bn. (The notebook spells the class `CNNwithBN`.)
 * @example
 * const net = new models.CNNWithBN(); // CIFAR-10: 3×32×32 -> 10 logits
 * net.eval(); // use the running statistics
 */
export class CNNWithBN extends Module {
  conv: Sequential;
  out: Linear;
  constructor(options?: CNNOptions) {
    super();
    const o = checkOptions(options, 'CNNWithBN', CNN_KEYS);
    this.conv = features(o.inChannels ?? 3, true);
    this.out = new Linear(flatFeatures(o.imageSize ?? 32), o.numClasses ?? 10);
  }
  forward(x: Tensor): Tensor {
    const h = this.conv.forward(x);
    // reshape, not the notebook's view: a channels_last h (fit's memory format) cannot be viewed
    // flat; reshape copies it into the same NCHW order (and is a view, as before, when contiguous).
    return this.out.forward(h.reshape(h.size(0), -1));
  }
}
