// `torchlab doctor`: what this torchlab runs on and whether it works. It loads the addon itself
// (not at the command's start), so that a broken install is reported, not thrown.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { packageRoot, torchlabVersion } from '../tensor/addon.js';

export interface DoctorReport {
  ok: boolean;
  torchlab: { version: string; path: string };
  runtime: { node: string; deno?: string; platform: string };
  /** Where the addon came from; the error when none loaded. */
  addon?: { kind: string; path: string; builtAgainst?: string; prebuiltFor?: string; passedOver: string[] };
  libtorch?: { version: string; library?: string; cuda: boolean };
  cuda?: { available: boolean; devices: number };
  blas?: { inUse: string[]; buildInfo?: string };
  threads?: { intraOp: number; cores: number; backend?: string };
  check?: string;
  error?: string;
}

/** The shared libraries of this process whose path matches `re` (Linux: /proc/self/maps). */
function mappedLibraries(re: RegExp): string[] {
  try {
    const paths = readFileSync('/proc/self/maps', 'utf8').split('\n').map((l) => l.trim().split(/\s+/)[5]).filter((p) => p && re.test(p));
    return [...new Set(paths)];
  } catch { return []; }
}

export async function doctor(): Promise<DoctorReport> {
  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno?.version.deno;
  const report: DoctorReport = {
    ok: false,
    torchlab: { version: torchlabVersion, path: packageRoot },
    runtime: { node: process.versions.node, ...(deno ? { deno } : {}), platform: `${process.platform}-${process.arch}` },
  };
  let torch: typeof import('../tensor/index.js');
  try {
    torch = await import('../tensor/index.js');
  } catch (e) {
    report.error = e instanceof Error ? e.message : String(e);
    return report;
  }
  const o = torch.addonOrigin;
  report.addon = {
    kind: o.kind, path: o.path,
    ...(o.built ? { builtAgainst: `libtorch ${o.built.torchVersion} at ${o.built.libtorchPrefix} (${o.built.builtAt})` } : {}),
    ...(o.prebuilt ? { prebuiltFor: `${o.prebuilt.libtorchPackage} on ${o.prebuilt.platform} (${o.prebuilt.builtAt})` } : {}),
    passedOver: o.candidates.filter((c) => c.rejected).map((c) => `${c.kind} ${c.path}: ${c.rejected}`),
  };
  const config = torch.config.show();
  const setting = (name: string): string | undefined => new RegExp(`${name}=([^,\\s]+)`).exec(config)?.[1];
  report.libtorch = { version: torch.libtorchVersion, library: mappedLibraries(/libtorch_cpu\.so/)[0], cuda: setting('USE_CUDA') === 'ON' };
  report.cuda = { available: torch.cuda.isAvailable(), devices: torch.cuda.deviceCount() };
  report.blas = { inUse: mappedLibraries(/(lib(open)?blas|libmkl|libblis)[^/]*\.so/), buildInfo: setting('BLAS_INFO') };
  report.threads = { intraOp: torch.getNumThreads(), cores: availableParallelism(), backend: /ATen parallel backend: (.*)/.exec(torch.config.parallelInfo())?.[1] };
  try {
    // A forward and a backward through libtorch: (1+2+3+4)·2 = 20, d/dx = 2 everywhere.
    const x = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.mul(2).sum();
    y.backward();
    const grad = x.grad!;
    if (y.item() !== 20 || !grad.eq(2).all().item()) throw new Error(`wrong results: sum ${y.item()}, grad ${grad.toString()}`);
    report.check = 'a forward and backward pass gave the right numbers';
    torch.dispose([x, y, grad]);
    report.ok = true;
  } catch (e) {
    report.error = `the addon loaded but a tensor computation failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  return report;
}

export function formatDoctor(r: DoctorReport): string {
  const rows: [string, string][] = [
    ['torchlab', `${r.torchlab.version} (${r.torchlab.path})`],
    ['runtime', `Node ${r.runtime.node}${r.runtime.deno ? `, Deno ${r.runtime.deno}` : ''} on ${r.runtime.platform}`],
  ];
  if (r.addon) {
    rows.push(['addon', `${r.addon.kind}: ${r.addon.path}`]);
    if (r.addon.builtAgainst) rows.push(['  built against', r.addon.builtAgainst]);
    if (r.addon.prebuiltFor) rows.push(['  prebuilt for', r.addon.prebuiltFor]);
    for (const p of r.addon.passedOver) rows.push(['  passed over', p]);
  }
  if (r.libtorch) rows.push(['libtorch', `${r.libtorch.version}${r.libtorch.library ? ` (${r.libtorch.library})` : ''}, built ${r.libtorch.cuda ? 'with' : 'without'} CUDA`]);
  if (r.cuda) rows.push(['CUDA', r.cuda.available ? `available, ${r.cuda.devices} device(s)` : 'not available']);
  if (r.blas) rows.push(['BLAS', `${r.blas.inUse.join(', ') || 'none mapped'}${r.blas.buildInfo ? ` (libtorch BLAS_INFO=${r.blas.buildInfo})` : ''}`]);
  if (r.threads) rows.push(['threads', `${r.threads.intraOp} intra-op of ${r.threads.cores} cores${r.threads.backend ? `, ${r.threads.backend} backend` : ''}`]);
  if (r.check) rows.push(['check', r.check]);
  rows.push(['status', r.ok ? 'ok' : 'BROKEN']);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  if (r.error) lines.push(r.error);
  return lines.join('\n');
}
