// Data-parallel training by hand (what `torchlab train --nproc N` does for you): the lab's CNN on
// Fashion-MNIST, one DDP rank per process, each on its DistributedSampler share of every epoch.
//   npm run torchlab -- run --nproc-per-node 2 examples/ddp-fashion-mnist.ts [--limit 6000] [--epochs 2]
// (installed package: npx torchlab run --nproc-per-node 2 ddp-fashion-mnist.ts)
import * as torch from '../src/index.js';
import { data, F, models, nn, optim, train } from '../src/index.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const dist = torch.distributed;
await dist.initProcessGroup({ backend: 'gloo' }); // env:// from the launcher
const rank = dist.getRank();
const world = dist.getWorldSize();
const say = (s: string) => { if (rank === 0) console.log(s); };

const full = new data.FashionMNIST({ train: true });
const limit = arg('limit', 6000);
const trainSet = new data.TensorDataset(torch.keep(full.data.narrow(0, 0, limit)), torch.keep(full.targets.narrow(0, 0, limit)));
const testSet = new data.FashionMNIST({ train: false });
const sampler = new data.DistributedSampler(trainSet, { shuffle: true, seed: 0 });
const globalBatch = 128;
const loader = new data.DataLoader(trainSet, { batchSize: globalBatch / world, sampler, transform: new data.ToTensor() });

torch.manualSeed(0);
const net = new models.CNN({ inChannels: 1, imageSize: 28 });
const model = new nn.parallel.DistributedDataParallel(net); // rank 0's weights on every rank
const opt = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
say(`${world} processes × batch ${globalBatch / world} (global ${globalBatch}), ${limit} images, ${torch.getNumThreads()} thread(s) each`);

for (let epoch = 0; epoch < arg('epochs', 2); epoch++) {
  sampler.setEpoch(epoch); // a new shuffle each epoch, the same on every rank
  const t0 = performance.now();
  let sum = 0;
  for (const [x, y] of loader) {
    sum += torch.tidy(() => {
      opt.zeroGrad();
      const loss = F.crossEntropy(model.forward(x), y);
      loss.backward(); // gradients averaged across the ranks, bucket by bucket, during backward
      opt.step();
      return loss.item();
    });
  }
  // every rank's mean loss, averaged (a collective: it does not block the event loop)
  const mean = torch.tensor([sum / loader.length]);
  await dist.allReduce(mean, { op: 'avg' });
  say(`epoch ${epoch}: loss ${mean.item().toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
if (rank === 0) {
  const r = await train.evaluate(net, new data.DataLoader(testSet, { batchSize: 1000, transform: new data.ToTensor() }), { device: 'cpu' });
  console.log(`test accuracy ${r.accuracy.toFixed(1)}% (${r.correct}/${r.total})`);
  net.save('ddp-cnn.safetensors');
}
dist.destroyProcessGroup();
