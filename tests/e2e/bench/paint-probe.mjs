// What one kind of DOM change costs Blink per frame, apart from the app's own script: the frames
// scenario runs 3 s and is paused (space), then a requestAnimationFrame loop makes one kind of change
// each frame (a fresh page per kind) while a DevTools trace measures the main thread's CPU per frame
// and its heaviest events. A diagnostic for BENCHMARKS.md ("Stop 15"), not a test, not in .ci/bench.
// Run: DIST=target/bench-dist node tests/e2e/bench/paint-probe.mjs   (V=idle,onex,... picks kinds)
import { readFile } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const DIST = process.env.DIST ?? join(here, '../../../dist');
const SCENARIO = join(here, '../../../static/scenarios/bench/frames.json');
const SECONDS = 3;
/** Each kind: the body of a function of the frame number `n`. */
const KINDS = {
  idle: '',
  flights: `document.querySelectorAll('g.flight:not(.idle)').forEach((g, i) => g.style.transform = 'translate(' + (300 + (n * 3 + i * 7) % 600) + 'px, ' + (60 + i) + 'px)');`,
  onex: `document.querySelector('rect.cell').setAttribute('x', String(10 + n % 50));`,
  onemark: `const t = document.querySelector('text.mark'); t.firstChild.nodeValue = 'HW ' + n + ' · LEO ' + (n + 1);`,
  marks: `document.querySelectorAll('text.mark').forEach((t) => t.firstChild.nodeValue = 'HW ' + n + ' · LEO ' + (n + 1));`,
  cellfill: `document.querySelectorAll('rect.cell').forEach((r, i) => { if (i % 20 === n % 20) r.setAttribute('fill', n % 2 ? 'url(#hatch-1)' : '#E69F00'); });`,
  cellx: `document.querySelectorAll('rect.cell').forEach((r, i) => { if (i % 20 === n % 20) r.setAttribute('x', String(10 + n % 50)); });`,
  shift: `document.querySelectorAll('g.cells').forEach((g) => g.setAttribute('transform', 'translate(' + (n % 30) + ' 0)'));`,
  lines: `document.querySelectorAll('line.hw').forEach((l) => { l.setAttribute('x1', String(100 + n % 30)); l.setAttribute('x2', String(100 + n % 30)); });`,
};

const { server, url } = await serve(DIST, 0);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const json = JSON.stringify(JSON.parse(await readFile(SCENARIO, 'utf8')));
try {
  for (const kind of (process.env.V ?? Object.keys(KINDS).join(',')).split(',')) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await page.goto(`${url}#scenario=${deflateRawSync(Buffer.from(json), { level: 9 }).toString('base64url')}`);
    await page.waitForSelector('[data-testid^="broker-"]');
    await page.waitForTimeout(3000);
    await page.keyboard.press(' ');
    await page.waitForTimeout(500);
    await page.evaluate((body) => {
      const change = new Function('n', body);
      let n = 0;
      const tick = () => { change(n++); requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    }, KINDS[kind]);
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    await page.waitForTimeout(SECONDS * 1000);
    const { traceEvents } = JSON.parse((await browser.stopTracing()).toString());
    await context.close();
    const main = traceEvents.find((e) => e.name === 'thread_name' && e.args.name === 'CrRendererMain');
    const evs = traceEvents.filter((e) => e.ph === 'X' && e.dur !== undefined && e.pid === main.pid && e.tid === main.tid)
      .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    let cpu = 0;
    const stack = [];
    for (const e of evs) {
      while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
      const up = stack[stack.length - 1];
      if (up) up.childCpu = (up.childCpu ?? 0) + (e.tdur ?? 0);
      else cpu += e.tdur ?? 0;
      stack.push(e);
    }
    const self = new Map();
    for (const e of evs) self.set(e.name, (self.get(e.name) ?? 0) + (e.tdur ?? 0) - (e.childCpu ?? 0));
    const frames = evs.filter((e) => e.name === 'FireAnimationFrame').length || 1;
    const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, us]) => `${k} ${(us / 1000 / frames).toFixed(2)}`).join(', ');
    console.log(`${kind.padEnd(9)} ${frames} frames, ${(cpu / 1000 / frames).toFixed(2)} ms CPU per frame | ${top}`);
  }
} finally {
  await browser.close();
  server.close();
}
