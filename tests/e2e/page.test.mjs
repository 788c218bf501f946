// End to end: the built page (dist/) in Debian's headless Chromium through playwright-core.
// Run: node --test   (from tests/e2e, after `trunk build` has filled dist/)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const DIST = process.env.DIST ?? join(here, '../../dist');
const OUT = join(here, 'test-output');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps trying to reach the internet.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

let server, url, browser, context, page;
const outside = [];
const pageErrors = [];

/** The ledger's counts, read in one go (they move every frame). */
const ledger = () => page.evaluate(() => Object.fromEntries(['produced', 'acked', 'consumed'].map((k) => [k,
  Number(document.querySelector(`[data-testid="${k}-count"]`).textContent.replace(/[^0-9]/g, '') || '0')])));

before(async () => {
  await mkdir(OUT, { recursive: true });
  ({ server, url } = await serve(DIST, 0));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  // Every request must stay on 127.0.0.1: anything else is recorded and refused.
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.protocol === 'data:' || u.protocol === 'blob:' || u.hostname === '127.0.0.1') return route.continue();
    outside.push(u.href);
    return route.abort();
  });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(url);
});

after(async () => {
  await browser?.close();
  server?.close();
});

test('the default scenario starts running on load and a record reaches the consumer', async () => {
  const toggle = page.getByTestId('play-toggle');
  await toggle.waitFor({ timeout: 30_000 });
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
  assert.equal(await page.locator('[data-testid^="broker-"]').count(), 3, 'three brokers drawn');
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="consumed-count"]');
    return el && Number(el.textContent.replace(/[^0-9]/g, '')) > 0;
  }, null, { timeout: 60_000 });
  const l = await ledger();
  assert.ok(l.produced >= l.consumed, `never more consumed than produced: ${JSON.stringify(l)}`);
  assert.match(await page.getByTestId('trace-hash').textContent(), /^[0-9a-f]+$/);
});

test('clicking a broker crashes it, and clicking again restarts it', async () => {
  const broker = page.getByTestId('broker-2');
  assert.equal(await broker.getAttribute('data-state'), 'up');
  await broker.click();
  await page.waitForSelector('[data-testid="broker-2"][data-state="down"]', { timeout: 15_000 });
  await page.screenshot({ path: join(OUT, 'broker-2-crashed.png') });
  await broker.click();
  await page.waitForSelector('[data-testid="broker-2"][data-state="up"]', { timeout: 15_000 });
});

test('speed and step controls drive virtual time', async () => {
  const toggle = page.getByTestId('play-toggle');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false', 'paused');
  const t0 = await page.getByTestId('virtual-time').textContent();
  await page.getByTestId('step').click();
  await page.waitForFunction((t) => document.querySelector('[data-testid="virtual-time"]').textContent !== t, t0);
  await page.getByTestId('speed').fill('2');
  await toggle.click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(OUT, 'running-100x.png') });
});

test('at 1000× frames keep coming (median frame interval < 200 ms; p95 reported)', async (t) => {
  await page.getByTestId('speed').fill('3');
  const toggle = page.getByTestId('play-toggle');
  if ((await toggle.getAttribute('aria-pressed')) !== 'true') await toggle.click();
  const gaps = await page.evaluate(() => new Promise((done) => {
    const out = []; let last = performance.now();
    const end = last + 2000;
    const tick = (now) => { out.push(now - last); last = now; if (now < end) requestAnimationFrame(tick); else done(out); };
    requestAnimationFrame(tick);
  }));
  gaps.sort((a, b) => a - b);
  const p95 = gaps[Math.floor(gaps.length * 0.95)];
  const median = gaps[Math.floor(gaps.length / 2)];
  t.diagnostic(`1000×: ${gaps.length} frames in 2 s, median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
  await page.screenshot({ path: join(OUT, 'running-1000x.png') });
  // A shared CI machine can be busy: this catches a death spiral (every frame slower than the last), not jank.
  assert.ok(median < 200, `median frame interval ${median.toFixed(1)} ms`);
});

test('right-click a broker → crash from the menu; seeking the timeline back shows it alive again', async () => {
  const toggle = page.getByTestId('play-toggle');
  if ((await toggle.getAttribute('aria-pressed')) === 'true') await toggle.click();
  await page.getByTestId('speed').fill('0');
  const before = Number(await page.getByTestId('timeline').inputValue());
  assert.ok(before > 0, 'the scrubber follows virtual time');
  await page.getByTestId('broker-3').click({ button: 'right' });
  await page.getByTestId('fault-menu').waitFor({ timeout: 5_000 });
  await page.screenshot({ path: join(OUT, 'fault-menu.png') });
  await page.getByTestId('menu-crash').click();
  await page.waitForSelector('[data-testid="broker-3"][data-state="down"]', { timeout: 15_000 });
  for (let i = 0; i < 5; i++) await page.getByTestId('step').click();
  await page.getByTestId('timeline').fill(String(Math.max(0, before - 1)));
  await page.waitForSelector('[data-testid="broker-3"][data-state="up"]', { timeout: 15_000 });
  assert.equal(await page.getByTestId('fork-notice').getAttribute('data-replaying'), 'true', 'behind the horizon: replaying');
  await page.screenshot({ path: join(OUT, 'seek-back.png') });
  // Forward to the end again: the logged crash is replayed.
  const max = await page.getByTestId('timeline').getAttribute('max');
  await page.getByTestId('timeline').fill(max);
  await page.waitForSelector('[data-testid="broker-3"][data-state="down"]', { timeout: 15_000 });
  await page.getByTestId('broker-3').click();
  await page.waitForSelector('[data-testid="broker-3"][data-state="up"]', { timeout: 15_000 });
});

test('the language toggle switches to 繁體中文 and back, with the same test ids', async () => {
  await page.getByTestId('lang-toggle').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="step"]').textContent.includes('單步'));
  assert.equal(await page.locator('.app').getAttribute('lang'), 'zh-Hant-TW');
  assert.match(await page.locator('.ledger').textContent(), /已確認/);
  await page.screenshot({ path: join(OUT, 'zh-tw.png') });
  await page.getByTestId('lang-toggle').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="step"]').textContent.includes('step'));
});

test('clicking a replica strip opens the inspector; the .log download starts with a batch header', async () => {
  await page.getByTestId('strip-1-orders-0').click();
  await page.getByTestId('inspector').waitFor({ timeout: 5_000 });
  await page.getByTestId('lookup-offset').fill('3');
  await page.getByTestId('lookup-offset').press('Enter');
  await page.getByTestId('lookup-steps').waitFor({ timeout: 5_000 });
  await page.screenshot({ path: join(OUT, 'inspector.png') });
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.getByTestId('download-segment').click()]);
  const name = download.suggestedFilename();
  assert.match(name, /^\d{20}\.log$/);
  const bytes = await readFile(await download.path());
  assert.ok(bytes.length >= 61, `a whole batch header: ${bytes.length} bytes`);
  assert.equal(bytes.readBigInt64BE(0), BigInt(Number(name.slice(0, 20))), 'baseOffset = the segment base offset');
  assert.equal(bytes[16], 2, 'magic = 2 (RecordBatch v2)');
  await page.getByTestId('tab-events').click();
  await page.getByTestId('events-tab').waitFor({ timeout: 5_000 });
  await page.screenshot({ path: join(OUT, 'events-tab.png') });
});

test('keyboard: space toggles play, ? shows the shortcuts, Escape hides them', async () => {
  const toggle = page.getByTestId('play-toggle');
  const was = await toggle.getAttribute('aria-pressed');
  await page.keyboard.press('Escape');
  await page.locator('.ledger').click();
  await page.keyboard.press('Space');
  await page.waitForFunction((w) => document.querySelector('[data-testid="play-toggle"]').getAttribute('aria-pressed') !== w, was);
  await page.keyboard.press('?');
  await page.getByTestId('help').waitFor({ timeout: 5_000 });
  await page.keyboard.press('Escape');
  await page.getByTestId('help').waitFor({ state: 'detached', timeout: 5_000 });
});

test('a lesson link opens lesson 6 with narration, and its acked-then-lost record shows by the end', async () => {
  const lesson = await context.newPage();
  lesson.on('pageerror', (e) => pageErrors.push(String(e)));
  await lesson.goto(`${url}#lesson=06-acks1-acked-then-lost&seed=7`);
  const text = lesson.getByTestId('narration-text');
  await text.waitFor({ timeout: 30_000 });
  assert.match(await text.textContent(), /acks=1/);
  // The first step points at producer 1; later ones at partitions (every replica of orders-0) and brokers.
  await lesson.waitForSelector('[data-testid="producer-1"].narration-target', { timeout: 10_000 });
  assert.equal(await lesson.getByTestId('lesson-picker').inputValue(), '06-acks1-acked-then-lost');
  assert.equal(await lesson.getByTestId('seed').inputValue(), '7');
  // 100× (the slider is log10 of the speed): the lesson's 16 virtual seconds take a fraction of a second.
  await lesson.getByTestId('speed').fill('2');
  await lesson.waitForFunction(() => {
    const el = document.querySelector('[data-testid="acked-lost-count"]');
    return el && Number(el.textContent.replace(/[^0-9]/g, '')) > 0;
  }, null, { timeout: 60_000 });
  await lesson.waitForFunction(() => /acked-then-lost = 1/.test(document.querySelector('[data-testid="narration-text"]').textContent),
    null, { timeout: 60_000 });
  // The last step points at broker 2, which the scene highlights; the 繁中 toggle switches the text.
  await lesson.waitForSelector('[data-testid="broker-2"].narration-target', { timeout: 10_000 });
  await lesson.getByTestId('narration-lang-zh').click();
  assert.match(await text.textContent(), /broker 2/);
  assert.match(await text.textContent(), /領導者/);
  await lesson.screenshot({ path: join(OUT, 'lesson-06-end.png') });
  // Share puts the lesson, seed and moment into the address bar.
  await lesson.getByTestId('share').click();
  assert.match(lesson.url(), /#lesson=06-acks1-acked-then-lost&seed=7&t=\d+$/);
  await lesson.close();
});

test('a malformed share link shows a message and the default scenario, without an error', async () => {
  const bad = await context.newPage();
  bad.on('pageerror', (e) => pageErrors.push(String(e)));
  await bad.goto(`${url}#scenario=%%%%&seed=x`);
  await bad.getByTestId('play-toggle').waitFor({ timeout: 30_000 });
  assert.match(await bad.locator('.ledger').textContent(), /could not be opened/);
  assert.equal(await bad.locator('[data-testid^="broker-"]').count(), 3, 'the default scenario runs');
  await bad.close();
});

// ── Content-Security-Policy, config panel, presenter mode, scenario files (uia) ──

test('the page carries a CSP without unsafe-eval or inline script, and runs under it without a violation', async () => {
  const html = await (await fetch(url)).text();
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
  assert.ok(csp, 'a CSP meta tag in the served page');
  assert.doesNotMatch(csp, /'unsafe-eval'/, "no 'unsafe-eval' ('wasm-unsafe-eval' only)");
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /connect-src 'self'/);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script to hash');
  const p = await context.newPage();
  const errors = [];
  p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  p.on('pageerror', (e) => pageErrors.push(String(e)));
  await p.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await p.goto(url);
  await p.waitForFunction(() => Number(document.querySelector('[data-testid="produced-count"]')?.textContent.replace(/[^0-9]/g, '') || '0') > 0,
    null, { timeout: 60_000 });
  assert.deepEqual(await p.evaluate(() => window.cspViolations), [], 'no CSP violation');
  assert.deepEqual(errors.filter((e) => /Content Security Policy|Refused/i.test(e)), []);
  // The policy is enforced (and the listener hears it): an injected inline script is refused.
  await p.evaluate(() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.head.append(s); });
  await p.waitForFunction(() => window.cspViolations.length > 0);
  assert.match((await p.evaluate(() => window.cspViolations))[0], /^script-src/);
  assert.equal(await p.evaluate(() => window.ran), undefined);
  await p.close();
});

test('config tab: a live topic key becomes a command on the timeline, a bad value is refused naming the key, a static key restarts the run', async () => {
  await page.keyboard.press('Escape');
  await page.getByTestId('open-config').click();
  await page.getByTestId('config-panel').waitFor({ timeout: 5_000 });
  const minIsr = page.getByTestId('config-topic-orders-min.insync.replicas');
  assert.equal(await minIsr.inputValue(), '2', 'inherited from the brokers (default.json)');
  await minIsr.fill('0');
  await minIsr.press('Enter');
  await page.waitForSelector('[data-testid="config-message"][data-ok="false"]', { timeout: 5_000 });
  assert.match(await page.getByTestId('config-message').textContent(), /min\.insync\.replicas.*out of range/);
  await minIsr.fill('3');
  await minIsr.press('Enter');
  await page.waitForSelector('[data-testid="config-message"][data-ok="true"]', { timeout: 5_000 });
  await page.screenshot({ path: join(OUT, 'config-tab.png') });
  await page.getByTestId('tab-events').click();
  await page.waitForFunction(() => /AlterTopicConfig.*min\.insync\.replicas.*"3"/.test(document.querySelector('[data-testid="events-tab"]').textContent),
    null, { timeout: 10_000 });
  // acks needs a new producer: the run restarts with acks=1 and replays the command above.
  await page.getByTestId('tab-config').click();
  const t = Number((await page.getByTestId('virtual-time').textContent()).replace(/[^0-9.]/g, ''));
  await page.getByTestId('config-section-producer-1').locator('summary').click();
  await page.getByTestId('config-producer-1-acks').selectOption('1');
  await page.waitForFunction(() => /restarted/.test(document.querySelector('[data-testid="config-message"]')?.textContent ?? ''), null, { timeout: 10_000 });
  assert.equal(await page.getByTestId('config-producer-1-acks').inputValue(), '1');
  const after = Number((await page.getByTestId('virtual-time').textContent()).replace(/[^0-9.]/g, ''));
  assert.ok(after < t || t === 0, `virtual time restarted: ${t} → ${after}`);
});

test('presenter mode: ⛶ enlarges the type and hides the side panel; P turns it off', async () => {
  assert.ok(await page.getByTestId('side-panel').isVisible(), 'the config tab is open');
  const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.ledger')).fontSize));
  const before = await size();
  await page.getByTestId('presenter-toggle').click();
  await page.waitForSelector('[data-testid="app"].presenter', { timeout: 5_000 });
  assert.ok(await page.getByTestId('side-panel').isHidden(), 'side panel hidden');
  assert.ok((await size()) > before, `larger type: ${before} → ${await size()}`);
  await page.screenshot({ path: join(OUT, 'presenter.png') });
  await page.keyboard.press('p');
  await page.waitForSelector('[data-testid="app"]:not(.presenter)', { timeout: 5_000 });
});

test('a malformed scenario file shows the parser message without injecting HTML; save gives a file that loads', async () => {
  const bad = '{"profile": "kafka-3.6", "cluster": {"brokers": 3}, "topics": [<img src=x onerror="window.pwned=1">]}';
  await page.getByTestId('load-scenario').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(bad) });
  await page.waitForFunction(() => /could not open bad\.json: .*line 1/.test(document.querySelector('.ledger').textContent), null, { timeout: 5_000 });
  assert.equal(await page.locator('.ledger img').count(), 0, 'the file text is text, never HTML');
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await page.locator('[data-testid^="broker-"]').count(), 3, 'the run goes on');
  await page.screenshot({ path: join(OUT, 'load-malformed.png') });
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.getByTestId('save-scenario').click()]);
  const saved = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(saved.producers[0].config.acks, '1');
  assert.ok(saved.timeline.some((c) => c.command.type === 'alterTopicConfig' && c.command.value === '3'), 'the command issued is in the file');
  await page.getByTestId('load-scenario').setInputFiles({ name: 'saved.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(saved)) });
  await page.waitForFunction(() => /opened saved\.json/.test(document.querySelector('.ledger').textContent), null, { timeout: 5_000 });
});

test('dropping a .log file opens it in the inspector, decoded; a damaged one shows the decoder error', async () => {
  await page.getByTestId('strip-1-orders-0').click();
  await page.waitForSelector('[data-testid="inspector"] .batches tr:nth-child(2)', { timeout: 30_000 });
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.getByTestId('download-segment').click()]);
  const bytes = await readFile(await dl.path());
  const drop = async (name, buf) => {
    const dt = await page.evaluateHandle(({ name, data }) => {
      const d = new DataTransfer();
      d.items.add(new File([new Uint8Array(data)], name));
      return d;
    }, { name, data: [...buf] });
    await page.dispatchEvent('[data-testid="app"]', 'drop', { dataTransfer: dt });
  };
  await drop(dl.suggestedFilename(), bytes);
  await page.getByTestId('dropped-log').waitFor({ timeout: 5_000 });
  assert.equal(await page.getByTestId('dropped-log-error').count(), 0);
  assert.ok((await page.locator('[data-testid="dropped-log"] .batches tr').count()) >= 2, 'batches decoded');
  const bad = Buffer.from(bytes);
  bad[bad.length - 1] ^= 0xff;
  await drop('damaged.log', bad);
  await page.waitForSelector('[data-testid="dropped-log-error"]', { timeout: 5_000 });
  assert.match(await page.getByTestId('dropped-log-error').textContent(), /CRC mismatch/);
  await page.screenshot({ path: join(OUT, 'dropped-log.png') });
});

test('a lesson resets to its start, and "try it yourself" leaves the narration and plays on from there', async () => {
  const l = await context.newPage();
  l.on('pageerror', (e) => pageErrors.push(String(e)));
  await l.goto(`${url}#lesson=04-the-train`);
  await l.getByTestId('narration-text').waitFor({ timeout: 30_000 });
  await l.getByTestId('speed').fill('1');
  const secs = async () => Number((await l.getByTestId('virtual-time').textContent()).replace(/[^0-9.]/g, ''));
  await l.waitForFunction(() => Number(document.querySelector('[data-testid="virtual-time"]').textContent.replace(/[^0-9.]/g, '')) > 3, null, { timeout: 30_000 });
  await l.getByTestId('lesson-reset').click();
  assert.ok((await secs()) < 3, 'back at the start');
  assert.equal(await l.getByTestId('lesson-picker').inputValue(), '04-the-train');
  await l.waitForFunction(() => Number(document.querySelector('[data-testid="virtual-time"]').textContent.replace(/[^0-9.]/g, '')) > 2, null, { timeout: 30_000 });
  const at = await secs();
  await l.getByTestId('lesson-try').click();
  await l.getByTestId('narration').waitFor({ state: 'detached', timeout: 5_000 });
  assert.ok((await secs()) >= at - 0.5, 'free play continues from the lesson\'s moment');
  assert.equal(await l.getByTestId('lesson-picker').inputValue(), '');
  await l.screenshot({ path: join(OUT, 'lesson-free-play.png') });
  await l.close();
});

test('a lesson picked from the picker is fetched from lessons/ (not compiled into the wasm) and narrates', async () => {
  const l = await context.newPage();
  l.on('pageerror', (e) => pageErrors.push(String(e)));
  const fetched = [];
  l.on('request', (r) => { if (/\/lessons\//.test(r.url())) fetched.push(new URL(r.url()).pathname); });
  await l.goto(url);
  await l.getByTestId('virtual-time').waitFor({ timeout: 30_000 });
  assert.deepEqual(fetched, ['/lessons/index.json'], 'the page starts with the index only');
  await l.getByTestId('lesson-picker').selectOption('09-transactions');
  await l.getByTestId('narration-text').waitFor({ timeout: 10_000 });
  assert.deepEqual(fetched, ['/lessons/index.json', '/lessons/09-transactions.json']);
  assert.match(l.url(), /#lesson=09-transactions$/);
  assert.match(await l.getByTestId('narration-text').textContent(), /\S/);
  await l.getByTestId('lesson-picker').selectOption('');
  await l.getByTestId('narration').waitFor({ state: 'detached', timeout: 5_000 });
  await l.close();
});

test('the page is cross-origin isolated, and a wasm trap (a release-build panic) shows the internal-error banner', async () => {
  // A page of its own: the trap below is a page error on purpose, which the shared page must not have.
  const own = await context.newPage();
  const errors = [];
  own.on('pageerror', (e) => errors.push(String(e)));
  await own.goto(url);
  await own.getByTestId('play-toggle').waitFor({ timeout: 30_000 });
  assert.equal(await own.evaluate(() => globalThis.crossOriginIsolated), true, 'COOP + COEP served');
  assert.equal(await own.locator('#fatal.shown').count(), 0, 'no banner before the trap');
  // The release wasm aborts a panic with `unreachable`, which reaches the page as this error.
  await own.evaluate(() => setTimeout(() => { throw new WebAssembly.RuntimeError('unreachable'); }));
  await own.locator('#fatal.shown').waitFor({ timeout: 5_000 });
  assert.match(await own.locator('#fatal').textContent(), /internal error: RuntimeError: unreachable/);
  assert.equal(errors.length, 1, `the trap itself is the one page error: ${errors}`);
  await own.close();
});

test('no request left 127.0.0.1 and the page raised no error', () => {
  assert.deepEqual(outside, []);
  assert.deepEqual(pageErrors, []);
});
