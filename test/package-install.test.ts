// torchlab as a dependency, tried as a new user would: `npm pack` the package, install the tarball
// into a fresh project (only the npm registry is used) with no compiler on PATH, type-check a
// user's training script with `tsc --strict`, run it with Node and Deno, require() it from
// CommonJS, run `npx torchlab --help / doctor`, hide libtorch to see the import's one clear error,
// and finally build the addon from the package's own sources with `npx torchlab setup --build`.
// The user's script is test/consumer/train.ts; its output must equal the same script's output
// against this checkout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const CONSUMER = path.join(ROOT, 'test', 'consumer', 'train.ts');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'torchlab-pkg-'));
const project = path.join(tmp, 'project');
const noCompilerBin = path.join(tmp, 'bin');   // node, npm, npx, sh: nothing that compiles
const noCompilerEnv = { ...process.env, PATH: noCompilerBin, FORCE_COLOR: '0', NO_COLOR: '1' };
let tarball: string;
let packInfo: { size: number; unpackedSize: number; entryCount: number; files: { path: string }[] };

function run(cmd: string, args: string[], o: { cwd?: string; env?: NodeJS.ProcessEnv; expectFail?: boolean; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd: o.cwd ?? project, env: o.env ?? noCompilerEnv, encoding: 'utf8', timeout: o.timeoutMs ?? 300_000 });
  if (!o.expectFail) assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.status} ${r.error ?? ''}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

const tsconfig = (o: Record<string, unknown>): string => JSON.stringify({
  compilerOptions: { strict: true, target: 'es2022', types: ['node'], ...o }, files: ['train.ts'],
});

/** The user's script, compiled and run against this checkout (node_modules/torchlab -> the repo): the expected output. */
let reference: unknown;
function referenceOutput(): unknown {
  if (reference !== undefined) return reference;
  const dir = path.join(tmp, 'reference');
  fs.mkdirSync(path.join(dir, 'node_modules', '@types'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'torchlab'));
  fs.symlinkSync(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(dir, 'node_modules', '@types', 'node'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), tsconfig({ module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out' }));
  fs.copyFileSync(CONSUMER, path.join(dir, 'train.ts'));
  run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: dir, env: process.env });
  reference = JSON.parse(run(process.execPath, ['out/train.js'], { cwd: dir, env: process.env }).stdout);
  return reference;
}

/** The script's output parses, learned something, and equals the checkout's. */
function checkTrainOutput(stdout: string, expected: unknown): void {
  const got = JSON.parse(stdout) as { epochLosses: number[]; correct: number; params: number; first: number; reloadedFirst: number; top2Shape: number[] };
  assert.deepEqual(got, expected);
  assert.equal(got.params, 4 * 16 + 16 + 16 * 3 + 3);
  assert.equal(got.epochLosses.length, 5);
  assert.ok(got.epochLosses[4] < got.epochLosses[0] / 2, `loss did not fall: ${got.epochLosses}`);
  assert.ok(got.correct >= 56, `only ${got.correct}/64 right after training`);
  assert.equal(got.reloadedFirst, got.first, 'the saved weights did not load back');
  assert.deepEqual(got.top2Shape, [64, 2]);
}

before(() => {
  // npm pack runs prepack: a clean dist/ and prebuilds/<platform>/ with the addon and its manifest.
  const packed = run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: ROOT, env: process.env, timeoutMs: 600_000 });
  [packInfo] = JSON.parse(packed.stdout.slice(packed.stdout.lastIndexOf('\n[\n') + 1)) as (typeof packInfo & { filename: string })[];
  tarball = path.join(tmp, (packInfo as unknown as { filename: string }).filename);
  fs.mkdirSync(noCompilerBin);
  for (const tool of ['node', 'npm', 'npx', 'sh']) {
    fs.symlinkSync(run('sh', ['-c', `command -v ${tool}`], { cwd: ROOT, env: process.env }).stdout.trim(), path.join(noCompilerBin, tool));
  }
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, 'typescript@5.9', '@types/node@20', 'deno@2'], { timeoutMs: 600_000 });
  fs.copyFileSync(CONSUMER, path.join(project, 'train.ts'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('the tarball holds dist, the native sources and the prebuilt addon; no tests, benches or fixtures', () => {
  const files = packInfo.files.map((f) => f.path);
  for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'native/CMakeLists.txt', 'native/package.json', 'native/core.cc',
    'prebuilds/linux-x64/torchlab.node', 'prebuilds/linux-x64/torchlab.json', 'README.md', 'LICENSE', 'package.json']) {
    assert.ok(files.includes(f), `${f} is not in the tarball`);
  }
  const stray = files.filter((f) => /^(test|bench|examples|scripts|src|build|runs)\//.test(f) || /fixtures|\.map$|\.test\./.test(f));
  assert.deepEqual(stray, []);
  // The README states the tarball's size and file count; keep them honest (within 25%).
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const m = /tarball is ([\d.]+) kB \(([\d.]+) MB unpacked, (\d+) files\)/.exec(readme);
  assert.ok(m, 'the README does not state the tarball\'s size and file count');
  const near = (stated: number, actual: number, what: string): void =>
    assert.ok(Math.abs(stated - actual) / actual < 0.25, `README says ${what} ${stated}, the tarball has ${actual}`);
  near(Number(m[1]), packInfo.size / 1000, 'kB');
  near(Number(m[2]), packInfo.unpackedSize / 1e6, 'MB unpacked');
  near(Number(m[3]), packInfo.entryCount, 'files');
});

test('a user\'s script type-checks under tsc --strict (nodenext and bundler) and trains from the prebuilt addon with no compiler on PATH', () => {
  const found = run('sh', ['-c', 'command -v g++ || command -v gcc || command -v cc || command -v c++ || command -v cmake || command -v make'], { expectFail: true });
  assert.notEqual(found.status, 0, `a compiler is on the test's PATH: ${found.stdout}`);
  assert.ok(!fs.existsSync(path.join(project, 'node_modules/torchlab/build')), 'npm install built something');
  const tsc = path.join(project, 'node_modules/typescript/bin/tsc');
  fs.writeFileSync(path.join(project, 'tsconfig.bundler.json'), tsconfig({ module: 'esnext', moduleResolution: 'bundler', noEmit: true }));
  run('node', [tsc, '-p', 'tsconfig.bundler.json']);
  fs.writeFileSync(path.join(project, 'tsconfig.json'), tsconfig({ module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out' }));
  run('node', [tsc, '-p', '.']);
  checkTrainOutput(run('node', ['out/train.js']).stdout, referenceOutput());
  assert.ok(fs.existsSync(path.join(project, 'tiny.safetensors')));
  assert.ok(!fs.existsSync(path.join(project, 'node_modules/torchlab/build')), 'running built something');
});

test('a wrong type in the user\'s script is a compile error', () => {
  fs.writeFileSync(path.join(project, 'wrong.ts'), "import * as torch from 'torchlab';\nconst s: string = torch.ones([1]).item();\nconsole.log(s);\n");
  fs.writeFileSync(path.join(project, 'tsconfig.wrong.json'), JSON.stringify({
    compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', noEmit: true, types: ['node'] }, files: ['wrong.ts'],
  }));
  const r = run('node', [path.join(project, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.wrong.json'], { expectFail: true });
  assert.match(r.stdout, /wrong\.ts\(2,7\): error TS2322: Type 'number' is not assignable to type 'string'/);
});

test('the same script runs under Deno (deno run -A, local node_modules)', () => {
  const r = run(path.join(project, 'node_modules/.bin/deno'), ['run', '-A', 'train.ts'], { env: { ...noCompilerEnv, DENO_NO_UPDATE_CHECK: '1' } });
  checkTrainOutput(r.stdout, referenceOutput());
});

test('require(\'torchlab\') from a CommonJS file', () => {
  fs.writeFileSync(path.join(project, 'app.cjs'),
    "const torch = require('torchlab');\nconst { nn } = require('torchlab');\nconsole.log(torch.ones([2, 3]).sum().item(), typeof nn.Linear);\n");
  assert.equal(run('node', ['app.cjs']).stdout.trim(), '6 function');
});

test('npx torchlab --help and npx torchlab doctor', () => {
  const help = run('npx', ['torchlab', '--help']).stdout;
  for (const cmd of ['lab', 'train', 'setup', 'doctor']) assert.match(help, new RegExp(`^  ${cmd}\\b`, 'm'));
  const doctor = run('npx', ['torchlab', 'doctor']).stdout;
  assert.match(doctor, /^addon\s+prebuilt: .*node_modules\/torchlab\/prebuilds\/linux-x64\/torchlab\.node$/m);
  assert.match(doctor, /^\s+prebuilt for\s+Debian libtorch1\.13 /m);
  assert.match(doctor, /^libtorch\s+1\.13\.\d \(\/.*libtorch_cpu\.so\.1\.13[.\d]*\), built without CUDA$/m);
  assert.match(doctor, /^BLAS\s+\S*blas/m);
  assert.match(doctor, /^threads\s+\d+ intra-op of \d+ cores/m);
  assert.match(doctor, /^runtime\s+Node 20\./m);
  assert.match(doctor, /^status\s+ok$/m);
  const json = JSON.parse(run('npx', ['torchlab', 'doctor', '--json']).stdout) as { ok: boolean; cuda: { available: boolean } };
  assert.equal(json.ok, true);
  assert.equal(typeof json.cuda.available, 'boolean');
});

// Hiding libtorch needs a private mount namespace: root, or sudo without a password (CI has one of them).
const asRoot = process.getuid?.() === 0 ? [] : spawnSync('sudo', ['-n', 'true']).status === 0 ? ['sudo', '-n'] : null;
test('without libtorch, the import throws one clear error, and doctor exits 1', { skip: asRoot ? false : 'hiding libtorch needs root or sudo (a private mount namespace)' }, () => {
  // Hide every libtorch/c10 library in a private mount namespace: an overlay whose whiteouts
  // (character devices 0:0) remove them from the library folder for this command only.
  const manifest = JSON.parse(fs.readFileSync(path.join(project, 'node_modules/torchlab/prebuilds/linux-x64/torchlab.json'), 'utf8')) as { libraries: Record<string, string> };
  const libDir = path.dirname(fs.realpathSync(path.join('/usr/lib', os.arch() === 'x64' ? 'x86_64-linux-gnu' : 'aarch64-linux-gnu', Object.keys(manifest.libraries)[0])));
  const upper = path.join(tmp, 'ovl-upper'), work = path.join(tmp, 'ovl-work');
  fs.mkdirSync(upper); fs.mkdirSync(work);
  const hidden = fs.readdirSync(libDir).filter((f) => /^lib(torch|c10)/.test(f));
  assert.ok(hidden.length >= 3, `no libtorch in ${libDir}`);
  const script = [
    ...hidden.map((f) => `mknod ${upper}/${f} c 0 0`),
    `mount -t overlay overlay -o lowerdir=${libDir},upperdir=${upper},workdir=${work} ${libDir}`,
    `ls ${libDir} | grep -c '^libtorch' || true`,
    `PATH=${noCompilerBin}`,
    'node -e "import(\'torchlab\')" 2>import.err && echo "import exit 0" || echo "import exit $?"',
    'npx torchlab doctor >doctor.out 2>&1 && echo "doctor exit 0" || echo "doctor exit $?"',
  ].join('\n');
  const [cmd, ...args] = [...asRoot!, 'unshare', '-m', 'sh', '-ec', script];
  const r = spawnSync(cmd, args, { cwd: project, env: process.env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.deepEqual(r.stdout.trim().split('\n'), ['0', 'import exit 1', 'doctor exit 1']);
  const err = fs.readFileSync(path.join(project, 'import.err'), 'utf8');
  assert.equal(err.match(/^Error: /gm)?.length, 1, err);
  assert.match(err, /torchlab: no usable native addon \(libtorch behind Node-API\) was found\./);
  assert.match(err, /built\s+\S+build\/Release\/torchlab\.node: not there/);
  assert.match(err, /prebuilt\s+\S+prebuilds\/linux-x64\/torchlab\.node: it links lib\w+\.so\.1\.13 \(Debian libtorch1\.13 [^)]+\), which is not installed/);
  assert.match(err, /sudo apt-get install --no-install-recommends libtorch1\.13 libopenblas0/);
  assert.match(err, /npx torchlab setup/);
  const doctor = fs.readFileSync(path.join(project, 'doctor.out'), 'utf8');
  assert.match(doctor, /^status\s+BROKEN$/m);
  assert.match(doctor, /which is not installed/);
});

test('LIBTORCH naming another libtorch passes the prebuilt addon over and says to build', () => {
  const r = run('node', ['-e', "import('torchlab')"], { env: { ...noCompilerEnv, LIBTORCH: path.join(tmp, 'no-such-libtorch') }, expectFail: true });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /prebuilt .*: LIBTORCH=\S+no-such-libtorch asks for another libtorch than the one it was built for/);
  assert.match(r.stderr, /npx torchlab setup\s+\(builds the addon against the libtorch LIBTORCH/);
});

test('npx torchlab setup --build compiles the addon from the package\'s sources, and it is used from then on', () => {
  // With the compiler back on PATH; --no-apt: everything it needs is installed on this machine.
  const env = { ...process.env, FORCE_COLOR: '0' };
  const setup = run('npx', ['torchlab', 'setup', '--build', '--no-apt'], { env, timeoutMs: 600_000 });
  assert.match(setup.stdout, /\[setup\] building the native addon against libtorch at \S+ \(system\)/);
  const stamp = JSON.parse(fs.readFileSync(path.join(project, 'node_modules/torchlab/build/torchlab-build.json'), 'utf8')) as { libtorchPrefix: string; torchVersion: string };
  assert.match(stamp.torchVersion, /^1\.13\.\d$/);
  assert.match(run('npx', ['torchlab', 'doctor'], { env }).stdout, /^addon\s+built: .*node_modules\/torchlab\/build\/Release\/torchlab\.node\n\s+built against\s+libtorch 1\.13\.\d at /m);
  checkTrainOutput(run('node', ['out/train.js'], { env }).stdout, referenceOutput());
  // A second setup finds it current.
  assert.match(run('npx', ['torchlab', 'setup', '--no-apt'], { env }).stdout, /the built addon is current/);
});
