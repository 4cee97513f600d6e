// torchvision.datasets: image datasets held as tensors, and the download/extract helpers behind them.
export { VisionDataset, type VisionDatasetOptions } from './vision.js';
export { MNIST, FashionMNIST, DEBIAN_FASHION_MNIST, type MNISTOptions } from './mnist.js';
export { CIFAR10, CIFAR100, type CIFAROptions } from './cifar.js';
export { downloadUrl, downloadUrlSync, md5File, type DownloadOptions } from './download.js';
export { extractTar, readTar } from './tar.js';
