// Where a frame's time goes in the frames scenario (5 brokers x 12 partitions x RF 3, 500 records/s):
// Chromium's Performance.getMetrics (script, layout, style) over a few seconds and the CPU profile's
// heaviest functions by self time. A diagnostic for BENCHMARKS.md, not a test and not part of .ci/bench.
// Run: DIST=target/bench-dist node tests/e2e/bench/profile.mjs   (PROFILE_SECONDS=5 by default)
import { readFile } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const DIST = process.env.DIST ?? join(here, '../../../dist');
const SCENARIO = join(here, '../../../static/scenarios/bench/frames.json');
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 5);

const { server, url } = await serve(DIST, 0);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
  const json = JSON.stringify(JSON.parse(await readFile(SCENARIO, 'utf8')));
  await page.goto(`${url}#scenario=${deflateRawSync(Buffer.from(json), { level: 9 }).toString('base64url')}`);
  await page.waitForSelector('[data-testid^="broker-"]');
  await page.waitForTimeout(1000);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const before = await metrics();
  await cdp.send('Profiler.start');
  await page.waitForTimeout(SECONDS * 1000);
  const { profile } = await cdp.send('Profiler.stop');
  const after = await metrics();
  for (const k of ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration', 'LayoutCount', 'RecalcStyleCount', 'Nodes', 'JSHeapUsedSize']) {
    console.log(`${k}: ${k.endsWith('Duration') ? ((after[k] - before[k]) * 1000 / SECONDS).toFixed(0) + ' ms per wall second' : after[k] - (k === 'Nodes' || k === 'JSHeapUsedSize' ? 0 : before[k])}`);
  }
  const self = new Map();
  const dt = profile.timeDeltas;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const f = byId.get(id).callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}`;
    self.set(name, (self.get(name) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${(100 * ms / total).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${name}`);
  }
} finally {
  await browser.close();
  server.close();
}
