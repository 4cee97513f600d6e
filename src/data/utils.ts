// torch.utils for torchlab: torchvision.utils' image grids (makeGrid, saveImage) and torch.utils.data.
// @example
// import * as torch from 'torchlab';
// const [train, val] = torch.utils.data.randomSplit(ds, [0.9, 0.1]);
// torch.utils.saveImage(torch.utils.makeGrid(images, { nrow: 5 }), 'grid.png');
export * from './image.js';
export * as data from './utils-data.js';
