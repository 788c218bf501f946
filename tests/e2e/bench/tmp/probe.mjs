import { readFile } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { serve } from '/work/wt/frames/tests/e2e/serve.mjs';
const { server, url } = await serve(process.env.DIST, 0);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
const json = JSON.stringify(JSON.parse(await readFile('/work/wt/frames/static/scenarios/bench/frames.json', 'utf8')));
await page.goto(`${url}#scenario=${deflateRawSync(Buffer.from(json), { level: 9 }).toString('base64url')}`);
await page.waitForSelector('[data-testid^="broker-"]');
await page.waitForTimeout(1500);
const out = await page.evaluate(() => new Promise((done) => {
  const strip = document.querySelector('[data-testid="strip-1-orders-0"]') ?? document.querySelector('[data-testid^="strip-"]');
  const log = [];
  const obs = new MutationObserver((recs) => {
    const add = [], rem = [];
    for (const r of recs) {
      r.addedNodes.forEach((n) => n.classList?.contains('cell') && add.push(n.dataset.offset));
      r.removedNodes.forEach((n) => n.classList?.contains('cell') && rem.push(n.dataset.offset));
    }
    log.push(`+[${add}] -[${rem}] now=[${[...strip.querySelectorAll('.cell')].map((c) => c.dataset.offset).join(',')}]`);
  });
  obs.observe(strip, { subtree: true, childList: true });
  setTimeout(() => { obs.disconnect(); done([strip.dataset.testid, ...log.slice(0, 8)]); }, 1000);
}));
console.log(out.join('\n'));
await browser.close(); server.close();
