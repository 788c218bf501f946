// End to end, the side panel's views: charts (producer metrics, lag, the ledger's alarm), the
// sequence diagram, and the record inspector opened by clicking a record cell on a replica strip.
// Run: node --test   (from tests/e2e, after `trunk build` has filled dist/)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { harness, OUT, setPlaying } from './harness.mjs';

let h;
before(async () => { h = await harness(); });
after(async () => { await h?.close(); });

test('the charts tab plots the producer metrics and lag; the sequence tab draws the latest messages', async () => {
  const page = await h.open();
  await page.getByTestId('speed').fill('1');
  await page.waitForFunction(() => /^([5-9]|\d\d+)\./.test(document.querySelector('[data-testid="virtual-time"]').textContent), null, { timeout: 30_000 });
  await page.getByTestId('open-events').click();
  await page.getByTestId('tab-charts').click();
  const line = page.locator('[data-testid="chart-records"] polyline[data-series="P1"]');
  await line.waitFor({ timeout: 10_000 });
  assert.ok((await line.getAttribute('points')).split(' ').length >= 3, 'a few seconds of records/s');
  assert.ok(await page.locator('[data-testid="chart-lag"] polyline').count() >= 1, 'lag per partition');
  assert.equal(await page.getByTestId('charts-alarm').getAttribute('data-alarm'), 'false', 'a healthy cluster: no alarm');
  await page.screenshot({ path: join(OUT, 'charts-tab.png') });
  await page.getByTestId('tab-sequence').click();
  await page.getByTestId('sequence-tab').waitFor({ timeout: 5_000 });
  const arrows = await page.locator('[data-testid="sequence-tab"] .msg').count();
  assert.ok(arrows > 0 && arrows <= 60, `bounded: ${arrows} arrows`);
  await page.screenshot({ path: join(OUT, 'sequence-tab.png') });
  await page.context().close();
});

test('clicking a record cell opens the record inspector above the segment view', async () => {
  const page = await h.open('#lesson=06-acks1-acked-then-lost&t=12000');
  // Broker 1 (crashed) still holds "world" at offset 1, which broker 2 (the new leader) never fetched.
  await page.locator('[data-testid="strip-1-orders-0"] .cell[data-offset="1"]').click();
  const view = page.getByTestId('record-view');
  await view.waitFor({ timeout: 10_000 });
  assert.equal(await view.getAttribute('data-ledger'), 'AckedThenLost');
  assert.equal(await view.getAttribute('data-committed'), 'false');
  assert.match(await page.getByTestId('record-why').textContent(), /null key/);
  assert.equal(await page.locator('[data-testid="record-holders"] .holder[data-holding="same"]').count(), 1, 'only broker 1 has it');
  assert.ok(await page.locator('[data-testid="inspector"] .batches').count() === 1, 'the segment view is still there');
  await page.screenshot({ path: join(OUT, 'record-inspector.png') });
  await setPlaying(page, false);
  await page.context().close();
});

test('no request left 127.0.0.1, and no page or console error', () => {
  assert.deepEqual(h.problems.outside, []);
  assert.deepEqual(h.problems.pageErrors, []);
  assert.deepEqual(h.problems.consoleErrors, []);
});
