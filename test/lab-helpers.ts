// Shared by the lab's end-to-end tests: run the `torchlab` command in a child process and check
// the files a lab run leaves behind.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { readRun } from '../src/train/metrics.js';
import type { RunResult } from '../src/train/records.js';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Runs `torchlab <args>` (from source) and returns its output; fails the test on a non-zero exit. */
export function torchlab(args: string[], o: { timeoutMs?: number; expectFail?: boolean } = {}): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: o.timeoutMs ?? 600_000, env: { ...process.env, FORCE_COLOR: '0' },
  });
  if (!o.expectFail) assert.equal(r.status, 0, `torchlab ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** Decodes a PNG and returns its size and the share of non-white pixels. */
export function checkPng(file: string): { width: number; height: number; inked: number } {
  const png = PNG.sync.read(fs.readFileSync(file));
  let inked = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i] < 240 || png.data[i + 1] < 240 || png.data[i + 2] < 240) inked++;
  return { width: png.width, height: png.height, inked: inked / (png.width * png.height) };
}

/** Checks an experiment directory: each run's files parse, every plot is a valid SVG + a non-blank PNG, the report names each run. */
export function checkExperimentDir(dir: string, runIds: string[], reportDir: string): Map<string, RunResult> {
  const runs = new Map<string, RunResult>();
  for (const id of runIds) {
    const runDir = fs.existsSync(path.join(dir, id)) ? path.join(dir, id) : findRunDir(path.dirname(dir), id);
    for (const f of ['config.json', 'metrics.jsonl', 'checkpoint.safetensors', 'model.safetensors']) {
      assert.ok(fs.existsSync(path.join(runDir, f)), `${runDir}/${f} is missing`);
    }
    const run = readRun(runDir);
    assert.equal(run.name, id);
    assert.ok(run.steps.length > 0, `${id}: no steps recorded`);
    assert.ok(run.epochs.length > 0 || run.status === 'diverged', `${id}: no epochs recorded`);
    assert.ok(run.test !== null && run.test.total > 0, `${id}: no test result`);
    runs.set(id, run);
  }
  const plots = path.join(dir, 'plots');
  const pngs = fs.readdirSync(plots).filter((f) => f.endsWith('.png'));
  assert.ok(pngs.length >= 4, `${plots}: expected at least 4 plots, found ${pngs.join(', ')}`);
  for (const f of pngs) {
    const svg = fs.readFileSync(path.join(plots, f.replace(/\.png$/, '.svg')), 'utf8');
    assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, `${f}: SVG header`);
    assert.match(svg, /<\/svg>\s*$/, `${f}: SVG is complete`);
    const png = checkPng(path.join(plots, f));
    assert.ok(png.width >= 300 && png.height >= 200, `${f}: ${png.width}x${png.height}`);
    assert.ok(png.inked > 0.02, `${f} looks blank (${(png.inked * 100).toFixed(1)}% inked)`);
  }
  const md = fs.readFileSync(path.join(reportDir, 'report.md'), 'utf8');
  const html = fs.readFileSync(path.join(reportDir, 'report.html'), 'utf8');
  for (const id of runIds) {
    assert.ok(md.includes(`| ${id} |`), `report.md's table does not name run ${id}`);
    assert.ok(html.includes(id), `report.html does not name run ${id}`);
  }
  return runs;
}

function findRunDir(out: string, id: string): string {
  for (const e of fs.readdirSync(out)) {
    const d = path.join(out, e, id);
    if (fs.existsSync(path.join(d, 'metrics.jsonl'))) return d;
  }
  throw new Error(`no run directory named ${id} under ${out}`);
}
