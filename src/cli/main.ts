#!/usr/bin/env node
// The `torchlab` command: the lab notebook's experiments, training runs, sample grids and model
// summaries from the shell, and `setup` / `doctor` for the install.   torchlab --help   lists everything.
// Only the actions load the native addon (commands.js, doctor): `--help`, `setup` and `doctor` work
// when there is no usable addon yet.
import { Command, Option } from '@commander-js/extra-typings';
import { DATASETS, EXPERIMENTS, MODELS, OPTIMIZERS } from '../lab/experiments.js';
import { deviceName, integer, jobsOption, nonNegativeInt, positiveInt, positiveNumber, unitInterval, widthsOption } from './options.js';

const commands = () => import('./commands.js');
const nprocOption = () => new Option('--nproc <n>', 'data-parallel processes on this machine (DDP, as `torchlab run`); --batch-size stays the global batch; only rank 0 writes').argParser(positiveInt);
/** With --nproc N > 1 (and not already a rank): run this same command as N ranks; the exit status, or undefined to go on here. */
async function asRanks(nproc: number | undefined): Promise<number | undefined> {
  if (!nproc || nproc < 2 || process.env.WORLD_SIZE) return undefined;
  const { relaunchAsRanks } = await import('./run.js');
  return relaunchAsRanks(nproc);
}

// (the values of train/memory-format.ts's MemoryFormatOption; not imported: it would load libtorch for --help)
const memoryFormatOption = () => new Option('--memory-format <format>', 'conv nets\' memory format: auto (measure and pick the faster), channels-last or contiguous')
  .choices(['auto', 'channels-last', 'contiguous'] as const).default('auto' as const);
const datasetOption = () => new Option('--dataset <name>', 'fashion-mnist (offline, Debian\'s files) or cifar10 (downloaded)').choices(DATASETS).default('fashion-mnist' as const);
const deviceOption = () => new Option('--device <device>', 'cpu, cuda or cuda:N (default: cuda when available, else cpu)').argParser(deviceName);
const seedOption = () => new Option('--seed <n>', 'seed for weights and shuffling').argParser(integer).default(0);
const dataDirOption = () => new Option('--data-dir <dir>', 'dataset folder (Fashion-MNIST IDX files, or where CIFAR-10 is downloaded; default ./data)');
const mirrorOption = () => new Option('--mirror <url>', 'CIFAR-10 mirror base URL (default: env TORCHLAB_CIFAR_MIRROR, then the official site)');

const program = new Command()
  .name('torchlab')
  .description('PyTorch-grade deep learning in TypeScript: the lab notebook\'s experiments and more')
  .showHelpAfterError('(run with --help for usage)')
  .enablePositionalOptions();  // `torchlab run ... script.ts --flag`: the script's flags stay the script's

program.command('lab')
  .description('run the notebook\'s experiments and write plots and a report (report.html, report.md)')
  .argument('<experiment>', `${EXPERIMENTS.join(' | ')} | all`)
  .addOption(datasetOption())
  .addOption(new Option('--preset <preset>', 'quick (default on CPU: lab all in about 10 min on 2 cores) or full (the notebook\'s epochs, default on CUDA)').choices(['quick', 'full'] as const))
  .option('--epochs <n>', 'epochs of every run (overrides the preset)', positiveInt)
  .option('--batch-size <n>', 'training batch size of every run', positiveInt)
  .option('--lr <lr>', 'learning rate of every run', positiveNumber)
  .option('--limit <n>', 'training samples per run', positiveInt)
  .option('--test-limit <n>', 'test samples (default: the whole test set)', positiveInt)
  .addOption(seedOption())
  .addOption(deviceOption())
  .option('--out <dir>', 'where runs and reports go', 'runs')
  .option('--resume', 'continue killed runs from their checkpoints')
  .option('--amp', 'bf16 autocast (CUDA)')
  .addOption(memoryFormatOption())
  .option('--no-progress', 'no progress bars')
  .option('--jobs <n>', 'runs trained at the same time, each in its own process with cores / n threads, like make -j (auto: one per core; 1 on CUDA, with --nproc or for one run)', jobsOption, 'auto' as const)
  .addOption(nprocOption())
  .addOption(dataDirOption())
  .addOption(mirrorOption())
  .action(async (experiment, o) => {
    if (experiment !== 'all' && !(EXPERIMENTS as readonly string[]).includes(experiment)) {
      program.error(`error: unknown experiment '${experiment}'; expected one of ${EXPERIMENTS.join(', ')}, all`);
    }
    const status = await asRanks(o.nproc);
    if (status !== undefined) { process.exitCode = status; return; }
    const { labCommand } = await commands();
    await labCommand(experiment as Parameters<typeof labCommand>[0], o);
  });

program.command('train')
  .description('train one model and write its run directory, plots and report')
  .addOption(new Option('--model <model>', 'the model').choices(MODELS).default('cnn' as const))
  .addOption(datasetOption())
  .addOption(new Option('--optimizer <name>', 'the optimizer').choices(OPTIMIZERS).default('sgd' as const))
  .option('--lr <lr>', 'learning rate', positiveNumber, 0.01)
  .option('--momentum <m>', 'momentum (SGD, RMSprop)', unitInterval, 0)
  .option('--epochs <n>', 'epochs', positiveInt, 10)
  .option('--batch-size <n>', 'training batch size', positiveInt, 256)
  .option('--width <n>', 'ResNet width (first stage channels)', positiveInt, 64)
  .option('--limit <n>', 'training samples', positiveInt)
  .option('--test-limit <n>', 'test samples', positiveInt)
  .option('--grad-flow-every <n>', 'record per-layer gradient norms every n steps (0: off)', nonNegativeInt, 0)
  .addOption(seedOption())
  .addOption(deviceOption())
  .option('--out <dir>', 'parent folder of the run directory', 'runs')
  .option('--name <name>', 'run directory name (default from model, optimizer and lr)')
  .option('--resume', 'continue from the run directory\'s checkpoint')
  .option('--amp', 'bf16 autocast (CUDA)')
  .addOption(memoryFormatOption())
  .option('--no-progress', 'no progress bars')
  .addOption(nprocOption())
  .addOption(dataDirOption())
  .addOption(mirrorOption())
  .action(async (o) => {
    if (o.name !== undefined && !/^[\w.-]+$/.test(o.name)) program.error(`error: --name must be a plain folder name (letters, digits, . _ -), got '${o.name}'`);
    const status = await asRanks(o.nproc);
    if (status !== undefined) { process.exitCode = status; return; }
    await (await commands()).trainCommand(o);
  });

program.command('speedrun')
  .description('time-to-accuracy recipe after airbench (whitening, Dirac init, label smoothing, alternating flips, flip TTA, EMA): per-seed and mean accuracy and wall time, a plot of accuracy against time')
  .argument('<dataset>', 'fashion-mnist | cifar10')
  .option('--seeds <n>', 'runs, with seeds --seed, --seed+1, ...', positiveInt, 5)
  .addOption(seedOption())
  .option('--epochs <n>', 'epochs (default: the recipe\'s)', positiveInt)
  .option('--batch-size <n>', 'training batch size (default: the recipe\'s)', positiveInt)
  .option('--widths <a,b,c>', 'channels of the three conv groups (default: the recipe\'s)', widthsOption)
  .addOption(new Option('--memory-format <format>', 'layout of conv weights and activations (default: channels_last, faster here by measurement)').choices(['channels_last', 'contiguous'] as const))
  .option('--label-smoothing <x>', 'label smoothing (default 0.2)', unitInterval)
  .option('--no-ema', 'no lookahead EMA of the weights')
  .option('--no-tta', 'no flip test-time augmentation')
  .option('--no-flip', 'no alternating flips in training')
  .option('--limit <n>', 'training samples (for quick tries and tests)', positiveInt)
  .option('--test-limit <n>', 'test samples', positiveInt)
  .option('--out <dir>', 'where speedrun.json, speedrun.md and the plot go', 'runs/speedrun')
  .option('--no-progress', 'no progress line')
  .addOption(dataDirOption())
  .action(async (dataset, o) => {
    if (dataset !== 'fashion-mnist' && dataset !== 'cifar10') program.error(`error: unknown dataset '${dataset}'; expected fashion-mnist or cifar10`);
    const { speedrunCommand } = await import('./speedrun.js');
    await speedrunCommand(dataset as 'fashion-mnist' | 'cifar10', o);
  });

program.command('samples')
  .description('save a grid of random training images as PNG (the notebook\'s make_grid cell)')
  .addOption(datasetOption())
  .option('--count <n>', 'images', positiveInt, 10)
  .option('--nrow <n>', 'images per row', positiveInt, 5)
  .option('--padding <n>', 'pixels between images', nonNegativeInt, 10)
  .option('--test', 'from the test split')
  .addOption(seedOption())
  .option('--out <file>', 'PNG file', 'runs/samples.png')
  .addOption(dataDirOption())
  .addOption(mirrorOption())
  .action(async (o) => (await commands()).samplesCommand({ ...o, progress: false }));

program.command('summary')
  .description('print a model and its layer table (output shapes, parameters)')
  .argument('<model>', MODELS.join(' | '))
  .addOption(datasetOption())
  .option('--width <n>', 'ResNet width', positiveInt, 64)
  .action(async (model, o) => {
    if (!(MODELS as readonly string[]).includes(model)) program.error(`error: unknown model '${model}'; expected one of ${MODELS.join(', ')}`);
    (await commands()).summaryCommand(model as (typeof MODELS)[number], o);
  });

program.command('run')
  .description('start a script as N data-parallel processes, as torchrun does (RANK, WORLD_SIZE, MASTER_ADDR, ... set for dist.initProcessGroup())')
  .argument('<script>', 'the script (.ts runs with tsx, .js/.mjs with node)')
  .argument('[args...]', 'the script\'s own arguments')
  .option('--nproc-per-node <n>', 'processes on this node', positiveInt, 1)
  .option('--nnodes <n>', 'nodes (one `torchlab run` on each)', positiveInt, 1)
  .option('--node-rank <n>', 'this node\'s index in [0, nnodes)', nonNegativeInt, 0)
  .option('--master-addr <addr>', 'address of the node that runs rank 0', '127.0.0.1')
  .option('--master-port <port>', 'free port on that node for the rendezvous', positiveInt, 29500)
  .passThroughOptions()
  .action(async (script, args, o) => {
    const { runRanks } = await import('./run.js');
    process.exitCode = await runRanks(script, args, o);
  });

program.command('setup')
  .description('make torchlab ready here: libtorch, OpenBLAS, the lab\'s data and font with apt when missing; the addon built when no prebuilt one fits')
  .option('--build', 'build the addon from source even when the prebuilt one fits (LIBTORCH / LIBTORCH_USE_PYTORCH choose the libtorch)')
  .option('--no-apt', 'install nothing with apt; fail naming what is missing')
  .option('--with-chromium', 'also install Chromium (the report\'s browser tests)')
  .option('--with-jupyter', 'also install Jupyter and the tslab and Deno kernels (the notebook tests)')
  .action(async (o) => {
    const { setup } = await import('./setup.js');
    await setup({ build: o.build ?? false, apt: o.apt, withChromium: o.withChromium ?? false, withJupyter: o.withJupyter ?? false });
  });

program.command('notebook')
  .description('the lab as a Jupyter notebook in TypeScript: installs Jupyter and the kernel, copies lab-notebook.ipynb here')
  .addOption(new Option('--kernel <kernel>', 'tslab (Node) or deno').choices(['tslab', 'deno'] as const).default('tslab' as const))
  .option('--execute', 'run it headless (nbclient) and write the executed notebook and an HTML export')
  .option('--force', 'replace an existing lab-notebook.ipynb')
  .option('--no-apt', 'install nothing with apt; fail naming what is missing')
  .action(async (o) => {
    const { notebookCommand } = await import('./notebook.js');
    notebookCommand({ kernel: o.kernel, execute: o.execute ?? false, force: o.force ?? false, apt: o.apt });
  });

program.command('doctor')
  .description('print libtorch, CUDA, BLAS, threads and where the addon came from; exit 1 when torchlab cannot run')
  .option('--json', 'print the report as JSON')
  .action(async (o) => {
    const { doctor, formatDoctor } = await import('./doctor.js');
    const report = await doctor();
    console.log(o.json ? JSON.stringify(report, null, 2) : formatDoctor(report));
    if (!report.ok) process.exitCode = 1;
  });

try {
  await program.parseAsync();
} catch (e) {
  // Errors from torchlab (bad data folder, failed download, ...) are reported in one line, not as a stack trace.
  console.error(`torchlab: ${e instanceof Error ? e.message : String(e)}`);
  if (process.env.TORCHLAB_DEBUG) console.error(e);
  process.exitCode = 1;
}
