// Shared set-up for end-to-end files: dist/ served on 127.0.0.1, Debian's headless Chromium, one
// fresh browser context per call (its own IndexedDB), every request off 127.0.0.1 refused and kept,
// page errors and console errors kept.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
/** Where screenshots go. */
export const OUT = join(here, 'test-output');
const DIST = process.env.DIST ?? join(here, '../../dist');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps trying to reach the internet.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Starts the server and the browser; `open(hash)` gives a page in a fresh context, `close()` ends both. */
export async function harness() {
  await mkdir(OUT, { recursive: true });
  const { server, url } = await serve(DIST, 0);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  const problems = { outside: [], pageErrors: [], consoleErrors: [] };
  const open = async (hash = '') => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      const local = u.protocol === 'data:' || u.protocol === 'blob:' || u.hostname === '127.0.0.1';
      if (!local) problems.outside.push(u.href);
      return local ? route.continue() : route.abort();
    });
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.pageErrors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') problems.consoleErrors.push(m.text()); });
    await page.goto(url + hash);
    await page.getByTestId('play-toggle').waitFor({ timeout: 30_000 });
    return page;
  };
  const close = async () => { await browser.close(); server.close(); };
  return { open, close, problems };
}

/** Sets play or pause through the toggle. */
export async function setPlaying(page, on) {
  const toggle = page.getByTestId('play-toggle');
  if (((await toggle.getAttribute('aria-pressed')) === 'true') !== on) await toggle.click();
}

/** Virtual time shown in the top bar, in seconds. */
export async function virtualSeconds(page) {
  return Number((await page.getByTestId('virtual-time').textContent()).replace(/[^0-9.]/g, ''));
}
