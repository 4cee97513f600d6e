// Drives Debian's headless Chromium through playwright-core for tests that must see a page the
// way a person would: serves a directory on 127.0.0.1, records everything that went wrong while
// loading (console errors, uncaught exceptions, failed requests), and decodes screenshots.
// playwright-core never downloads a browser; the system one is used, so a missing one is an
// error with the install command, not a silent skip.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PNG } from 'pngjs';

export const CHROMIUM = '/usr/bin/chromium';

// Required on this offline machine: without them Chromium tries to reach update, sync and QUIC
// endpoints and logs failures that have nothing to do with the page under test.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `browser tests need Debian's Chromium at ${CHROMIUM}, which is missing: ` +
        `install it with 'sudo apt-get install --no-install-recommends chromium' (CI installs it)`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface FileServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** Every path requested, in order, so a test can prove a page loaded nothing but itself. */
  requests: string[];
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.css': 'text/css',
  '.js': 'text/javascript',
};

/** Serves the files under `root` read-only on an ephemeral 127.0.0.1 port. */
export async function serveDir(root: string): Promise<FileServer> {
  const base = path.resolve(root);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    const file = path.resolve(base, `.${decodeURIComponent(url.pathname)}`);
    if (file !== base && !file.startsWith(base + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
  /** HTTP responses with status >= 400 (a 404 is not a "failed request" to Chromium). */
  badResponses: string[];
}

export function noProblems(p: PageProblems): boolean {
  return p.consoleErrors.length + p.pageErrors.length + p.failedRequests.length + p.badResponses.length === 0;
}

/**
 * Opens `url` in a fresh context (viewport in CSS pixels, device scale 1 so screenshot pixels equal
 * CSS pixels) and waits for the load event. Listeners are attached before navigation, so
 * problems during parsing are caught too.
 */
export async function openPage(
  browser: Browser,
  url: string,
  viewport: { width: number; height: number },
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], failedRequests: [], badResponses: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') problems.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => problems.pageErrors.push(e.message));
  page.on('requestfailed', (r) => problems.failedRequests.push(`${r.url()}: ${r.failure()?.errorText ?? '?'}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.badResponses.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  return { context, page, problems };
}

export interface PixelStats {
  width: number;
  height: number;
  /** Fraction (0-1) of pixels that are not (near) white. */
  nonWhite: number;
  /** Distinct RGB colors. */
  colors: number;
}

/** Decodes a screenshot and summarizes it: enough to tell a drawn plot from a blank box. */
export function pixelStats(png: Buffer): PixelStats {
  const img = PNG.sync.read(png);
  const colors = new Set<number>();
  let nonWhite = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    const r = img.data[i], g = img.data[i + 1], b = img.data[i + 2];
    colors.add((r << 16) | (g << 8) | b);
    if (r < 240 || g < 240 || b < 240) nonWhite++;
  }
  return { width: img.width, height: img.height, nonWhite: nonWhite / (img.width * img.height), colors: colors.size };
}
