// The page benchmarks, against a release build in dist/ (`trunk build --release --offline`): bundle size,
// first interactive render, and frame times with 5 brokers x 12 partitions x RF 3 at 500 records/s.
// Prints `ROW|figure|target|measured|ratio` lines for .ci/bench. Not a test: `node --test` skips this folder.
// Run: node tests/e2e/bench/page.mjs   (FRAMES_SECONDS=10 by default)
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync, deflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const DIST = process.env.DIST ?? join(here, '../../../dist');
const FRAMES_SCENARIO = join(here, '../../../static/scenarios/bench/frames.json');
const SECONDS = Number(process.env.FRAMES_SECONDS ?? 10);
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

const row = (figure, target, measured, ratio) => console.log(`ROW|${figure}|${target}|${measured}|${ratio.toFixed(2)}`);

/** Gzipped size of the release wasm (level 9, as a server would send it). */
async function bundle() {
  const wasm = (await readdir(DIST)).filter((f) => f.endsWith('.wasm'));
  if (wasm.length !== 1) throw new Error(`expected one .wasm in ${DIST}, found ${wasm.join(', ') || 'none'}`);
  const bytes = await readFile(join(DIST, wasm[0]));
  const gz = gzipSync(bytes, { level: 9 }).length;
  console.log(`bundle: ${wasm[0]} ${bytes.length} bytes raw, ${gz} gzipped`);
  row('release wasm, gzipped', '<= 300 KB', `${(gz / 1024).toFixed(0)} KB (${(bytes.length / 1024).toFixed(0)} KB raw)`, 300 * 1024 / gz);
}

/** A fresh page (empty IndexedDB, so nothing is restored) that records when the first broker is drawn. */
async function open(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await context.route('**/*', (r) => (new URL(r.request().url()).hostname === '127.0.0.1' ? r.continue() : r.abort()));
  const page = await context.newPage();
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.querySelector('[data-testid^="broker-"]') && document.querySelector('[data-testid="play-toggle"]')) {
        window.__firstRenderMs = performance.now();
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__firstRenderMs !== undefined, null, { timeout: 30_000 });
  return { context, page, firstRenderMs: await page.evaluate(() => window.__firstRenderMs) };
}

/** Navigation start to the first broker and the play button in the DOM, default scenario, best of 3. */
async function firstRender(browser, url) {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const { context, firstRenderMs } = await open(browser, url);
    times.push(firstRenderMs);
    await context.close();
  }
  console.log(`first render: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
  const best = Math.min(...times);
  row('first interactive render (localhost)', '<= 1000 ms', `${best.toFixed(0)} ms (best of 3; worst ${Math.max(...times).toFixed(0)})`, 1000 / best);
}

/** requestAnimationFrame intervals over SECONDS of the frames scenario at 1x, and the DOM size. */
async function frames(browser, url) {
  const json = JSON.stringify(JSON.parse(await readFile(FRAMES_SCENARIO, 'utf8')));
  const packed = deflateRawSync(Buffer.from(json), { level: 9 }).toString('base64url');
  const { context, page } = await open(browser, `${url}#scenario=${packed}`);
  // The cluster forms and every strip fills its window of cells, so the DOM count starts from a full page.
  await page.waitForTimeout(3000);
  const result = await page.evaluate((seconds) => new Promise((done) => {
    const nodes = () => document.getElementsByTagName('*').length;
    const start = nodes();
    const stamps = [];
    const tick = (t) => {
      stamps.push(t);
      if (t - stamps[0] < seconds * 1000) requestAnimationFrame(tick);
      else done({ stamps, start, end: nodes(), isolated: globalThis.crossOriginIsolated === true });
    };
    requestAnimationFrame(tick);
  }), SECONDS);
  const produced = await page.evaluate(() => document.querySelector('[data-testid="produced-count"]')?.textContent ?? '?');
  await context.close();
  const gaps = result.stamps.slice(1).map((t, i) => t - result.stamps[i]).sort((a, b) => a - b);
  const p95 = gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * 0.95))];
  // A frame interval over 1.5 vsyncs (25 ms at 60 Hz) is a missed frame; the rest is timestamp jitter.
  const missed = gaps.filter((g) => g > 25).length;
  const counts = {};
  for (const g of gaps) counts[g.toFixed(2)] = (counts[g.toFixed(2)] ?? 0) + 1;
  const histogram = Object.entries(counts)
    .sort((a, b) => b[1] - a[1]).slice(0, 6).map(([g, n]) => `${g}x${n}`).join(' ');
  console.log(`frames: ${gaps.length} frames in ${SECONDS} s, median ${gaps[gaps.length >> 1].toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, max ${gaps[gaps.length - 1].toFixed(1)} ms, ${missed} over 25 ms; produced ${produced}; commonest intervals ${histogram}; crossOriginIsolated ${result.isolated}`);
  row('frame time p95, 5 brokers x 12 partitions x RF 3, 500 records/s', '<= 16.7 ms', `${p95.toFixed(1)} ms over ${gaps.length} frames`, 16.7 / p95);
  row('DOM nodes over the frames run', 'bounded (end <= 1.1 x start)', `${result.start} -> ${result.end}`, 1.1 * result.start / result.end);
}

const { server, url } = await serve(DIST, 0);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ARGS });
try {
  await bundle();
  await firstRender(browser, url);
  await frames(browser, url);
} finally {
  await browser.close();
  server.close();
}
