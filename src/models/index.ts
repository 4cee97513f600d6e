// torchlab.models: the lab notebook's networks (PyTorch has no such namespace; torchvision.models
// is the closest, and its resnet18 is the ImageNet variant, not this CIFAR one).
export { CNN, CNNWithBN, type CNNOptions } from './cnn.js';
export { ResNet, PlainBlock, ResidualBlock, resnet18, type ResNetOptions, type BlockClass } from './resnet.js';
