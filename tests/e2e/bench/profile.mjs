// Where a frame's time goes in the frames scenario (5 brokers x 12 partitions x RF 3, 500 records/s):
// Chromium's Performance.getMetrics (script, layout, style) over a few seconds and the CPU profile's
// heaviest functions by self time, then the DOM mutations per second (nodes added and removed by
// element and class, attributes set by name) and the DOM size after a longer run (MUTATION_SECONDS, 2 by
// default; DOM_SECONDS, 0 = skip). A diagnostic for BENCHMARKS.md, not a test and not part of .ci/bench.
// Run: DIST=target/bench-dist node tests/e2e/bench/profile.mjs   (PROFILE_SECONDS=5 by default;
// PROFILE_OUT=file.cpuprofile keeps the raw profile)
import { readFile, writeFile } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const DIST = process.env.DIST ?? join(here, '../../../dist');
const SCENARIO = join(here, '../../../static/scenarios/bench/frames.json');
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 5);
const MUTATION_SECONDS = Number(process.env.MUTATION_SECONDS ?? 2);
const DOM_SECONDS = Number(process.env.DOM_SECONDS ?? 0);

/** Stages of a frame, by the mangled Rust names their functions carry in a build with a name section. */
const STAGES = [
  ['whole frame callback (driver tick + view reduce + render)', /FrameLoop|request_animation_frame|closure.*invoke/],
  ['engine: History::run / Sim', /History.*run|kafkascope::sim::|Sim.*advance/],
  ['driver: store checkpoint', /store::|Store.*checkpoint/],
  ['driver: history snapshot', /maybe_snapshot/],
  ['view state: ViewState::reduce/apply', /ViewState.*(reduce|apply)|view_model/],
  ['yew: render + reconcile', /yew::(html::component|dom_bundle|scheduler)/],
  ['yew: reconcile (DOM diff) only', /yew::dom_bundle/],
];

/** Counts, per second over `seconds`, the nodes added and removed (by `tag.class`) and attributes set. */
function countMutations(seconds) {
  return new Promise((done) => {
    const counts = {};
    const bump = (k) => { counts[k] = (counts[k] ?? 0) + 1; };
    const name = (n) => (n.nodeType === 1 ? `${n.tagName.toLowerCase()}${n.classList.length ? '.' + n.classList[0] : ''}` : `#${n.nodeName}`);
    const obs = new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'attributes') bump(`attr ${r.attributeName}`);
        else if (r.type === 'characterData') bump('text changed');
        else {
          r.addedNodes.forEach((n) => bump(`+ ${name(n)}`));
          r.removedNodes.forEach((n) => bump(`- ${name(n)}`));
        }
      }
    });
    obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    let frames = 0;
    const start = performance.now();
    const tick = () => { frames++; if (performance.now() - start < seconds * 1000) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    setTimeout(() => {
      obs.takeRecords();
      obs.disconnect();
      done({ counts, frames });
    }, seconds * 1000);
  });
}

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
  if (process.env.PROFILE_OUT) await writeFile(process.env.PROFILE_OUT, JSON.stringify(profile)); // opens in DevTools
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
  // Inclusive time of the frame's stages: each sample counts once for every stage on its stack.
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map(STAGES.map(([label]) => [label, 0]));
  profile.samples.forEach((id, i) => {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at).callFrame.functionName;
      for (const [label, pattern] of STAGES) if (pattern.test(name)) seen.add(label);
      const module = /kafkascope_web::(components::\w+|[a-z_]+)::/.exec(name);
      if (module) seen.add(`web module ${module[1]}`);
    }
    for (const label of seen) inclusive.set(label, (inclusive.get(label) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  console.log('inclusive time by stage (share of all samples, idle included):');
  for (const [label, ms] of inclusive) console.log(`${(100 * ms / total).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${label}`);
  const { counts, frames } = await page.evaluate(countMutations, MUTATION_SECONDS);
  console.log(`DOM mutations per second over ${MUTATION_SECONDS} s (${(frames / MUTATION_SECONDS).toFixed(0)} frames per second):`);
  for (const [k, n] of Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${(n / MUTATION_SECONDS).toFixed(0).padStart(8)}  ${k}`);
  }
  if (DOM_SECONDS > 0) {
    const nodes = () => page.evaluate(() => document.getElementsByTagName('*').length);
    const start = await nodes();
    await page.waitForTimeout(DOM_SECONDS * 1000);
    console.log(`DOM nodes: ${start} -> ${await nodes()} over ${DOM_SECONDS} more s`);
  }
} finally {
  await browser.close();
  server.close();
}
