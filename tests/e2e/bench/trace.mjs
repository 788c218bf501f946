// Where the renderer's main thread goes per frame in the frames scenario, from a DevTools timeline
// trace: wall time busy and THREAD CPU time per requestAnimationFrame, and the heaviest trace events by
// self CPU time (FunctionCall = script and wasm; Paint, Layout, recalcStyle, ... = Blink). Thread CPU
// is what the page itself spent, so it moves less than frame times when other builds load the machine.
// While frames are slower than 20 per second each one covers the driver's 50 ms cap of virtual time,
// so CPU per frame compares builds at equal work. A diagnostic for BENCHMARKS.md, not part of .ci/bench.
// Run: DIST=target/bench-dist node tests/e2e/bench/trace.mjs   (TRACE_SECONDS=4; SLOWER=n presses
// "-" n times first (halves the speed each, down to 0.1x); TRACE_OUT=file.json keeps the trace;
// FIXED_DT=1 hands every requestAnimationFrame callback a clock that steps exactly 1/60 s per frame,
// so each frame covers 16.7 ms of virtual time however slowly the loaded machine draws: CPU per frame
// then compares builds at equal virtual work per frame, whatever the frame rate (a busy machine still
// inflates the CPU time itself: the two cores share their caches))
import { readFile, writeFile } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const DIST = process.env.DIST ?? join(here, '../../../dist');
const SCENARIO = join(here, '../../../static/scenarios/bench/frames.json');
const SECONDS = Number(process.env.TRACE_SECONDS ?? 4);

const { server, url } = await serve(DIST, 0);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'] });
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  if (process.env.FIXED_DT) {
    await page.addInitScript(() => {
      const raf = window.requestAnimationFrame.bind(window);
      let n = 0;
      window.requestAnimationFrame = (cb) => raf(() => cb((n += 1) * 1000 / 60));
    });
  }
  const json = JSON.stringify(JSON.parse(await readFile(SCENARIO, 'utf8')));
  await page.goto(`${url}#scenario=${deflateRawSync(Buffer.from(json), { level: 9 }).toString('base64url')}`);
  await page.waitForSelector('[data-testid^="broker-"]');
  await page.waitForTimeout(3000); // as page.mjs: the strips have filled their windows
  for (let i = 0; i < Number(process.env.SLOWER ?? 0); i++) await page.keyboard.press('-');
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  await page.waitForTimeout(SECONDS * 1000);
  const buf = await browser.stopTracing();
  if (process.env.TRACE_OUT) await writeFile(process.env.TRACE_OUT, buf); // opens in DevTools
  const { traceEvents } = JSON.parse(buf.toString());
  const main = traceEvents.find((e) => e.name === 'thread_name' && e.args.name === 'CrRendererMain');
  const evs = traceEvents.filter((e) => e.ph === 'X' && e.dur !== undefined && e.pid === main.pid && e.tid === main.tid)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  // Top-level events give busy wall and CPU time; each event's self CPU time is its own less its children's.
  let busy = 0, cpu = 0;
  const stack = [];
  for (const e of evs) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    const up = stack[stack.length - 1];
    if (up) { up.childCpu = (up.childCpu ?? 0) + (e.tdur ?? 0); e.childOf = true; }
    else { busy += e.dur; cpu += e.tdur ?? 0; }
    stack.push(e);
  }
  const self = new Map();
  for (const e of evs) self.set(e.name, (self.get(e.name) ?? 0) + (e.tdur ?? 0) - (e.childCpu ?? 0));
  const frames = evs.filter((e) => e.name === 'FireAnimationFrame').length;
  const perFrame = (us) => (frames ? (us / 1000 / frames).toFixed(1) : '-');
  console.log(`main thread: ${(frames / SECONDS).toFixed(1)} frames/s; busy ${(busy / 1000 / SECONDS).toFixed(0)} ms per s (${perFrame(busy)} ms per frame); thread CPU ${(cpu / 1000 / SECONDS).toFixed(0)} ms per s (${perFrame(cpu)} ms per frame)`);
  // Per frame (one requestAnimationFrame to the next): the main thread's CPU, and how many frames
  // the app left undrawn (no Paint: the driver holds a frame that took a checkpoint or a summary).
  const fires = evs.filter((e) => e.name === 'FireAnimationFrame');
  const tops = evs.filter((e) => !e.childOf);
  const per = [];
  let held = 0;
  for (let i = 0, j = 0; i + 1 < fires.length; i++) {
    let sum = 0, painted = false;
    for (; j < tops.length && tops[j].ts < fires[i + 1].ts; j++) if (tops[j].ts >= fires[i].ts) sum += tops[j].tdur ?? 0;
    for (const e of evs) if (e.name === 'Paint' && e.ts >= fires[i].ts && e.ts < fires[i + 1].ts) { painted = true; break; }
    if (!painted) held++;
    per.push(sum / 1000);
  }
  per.sort((a, b) => a - b);
  const q = (p) => (per.length ? per[Math.min(per.length - 1, Math.floor(per.length * p))].toFixed(1) : '-');
  console.log(`per frame: main-thread CPU p50 ${q(0.5)}, p95 ${q(0.95)}, max ${q(1)} ms; ${held} of ${per.length} frames not drawn`);
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`${perFrame(us).padStart(7)} ms CPU per frame  ${name}`);
  }
} finally {
  await browser.close();
  server.close();
}
