/// <reference lib="dom" />
// page.evaluate() callbacks run in the browser.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { keyIdOf } from '../src/lib/ids.js';
import { ManualClock } from '../src/lib/clock.js';
import { startEmulator, type RunningEmulator } from '../src/testkit.js';
import { launchBrowser, openConsole } from './helpers/browser.js';

// The README's screenshots: SCREENSHOT_DIR=docs npx tap test/console.test.ts
const SHOTS = process.env.SCREENSHOT_DIR ?? join(tmpdir(), 'console-screenshots');
mkdirSync(SHOTS, { recursive: true });

const start = (t: Test, options: Parameters<typeof startEmulator>[0] = {}) =>
  startEmulator({ maxEventLoopDelayMs: 0, deps: { clock: new ManualClock(Date.UTC(2026, 10, 24, 12)) }, ...options }).then((e) => {
    t.teardown(() => e.close());
    return e;
  });

async function api(emulator: RunningEmulator, path: string, key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'z-image', size: '256x256', response_format: 'b64_json', ...body }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const submit = (e: RunningEmulator, key: string, prompt: string, extra: Record<string, unknown> = {}) =>
  api(e, '/v1/async/images/generations', key, { prompt, ...extra }).then((r) => r.body.jobId as string);

const job = (page: Page, id: string) => page.locator(`li.job[data-job-id="${id}"]`);

t.test('console', async (t) => {
  const browser = await launchBrowser(t);

  t.test('a submitted job appears live; advancing the clock from the page completes it with a loaded thumbnail that opens full size', async (t) => {
    const emulator = await start(t);
    const { page, problems } = await openConsole(t, browser, emulator.url);
    await page.getByRole('heading', { name: /Async jobs/ }).waitFor();
    t.same(problems, [], 'no console errors and no failed requests on load');

    const id = await submit(emulator, 'sk-demo-app', 'a lighthouse at dusk', { n: 2, size: '512x512' });
    await job(page, id).waitFor();
    t.equal(await job(page, id).getAttribute('data-status'), 'pending', 'pushed by the server, no reload');

    await page.getByRole('button', { name: 'Advance 1 s' }).click();
    await page.locator(`li.job[data-job-id="${id}"][data-status="processing"]`).waitFor();
    await page.getByRole('button', { name: 'Advance 10 s' }).click();
    await page.locator(`li.job[data-job-id="${id}"][data-status="completed"]`).waitFor();
    const card = job(page, id);
    t.match(await card.locator('.timeline').innerText(), /pending\s+12:00:00\.000[\s\S]*processing\s+12:00:01\.000[\s\S]*completed\s+12:00:02\.900/);
    t.match(await card.innerText(), 'Charged 0.006 0G');

    const thumb = page.getByRole('button', { name: `Open image 2 of job ${id} full size` });
    await page.waitForFunction((sel) => {
      const img = document.querySelector<HTMLImageElement>(sel);
      return img !== null && img.complete && img.naturalWidth > 0;
    }, `li.job[data-job-id="${id}"] .thumb:nth-child(2) img`);
    t.equal(await card.locator('.thumb img').first().evaluate((img: HTMLImageElement) => img.naturalWidth), 160, 'a 160 px thumbnail');
    await thumb.click();
    const dialog = page.getByRole('dialog', { name: `Image 2 of job ${id}` });
    await dialog.waitFor();
    await page.waitForFunction(() => (document.querySelector<HTMLImageElement>('dialog[open] img')?.naturalWidth ?? 0) > 0);
    t.equal(await dialog.locator('img').evaluate((img: HTMLImageElement) => img.naturalWidth), 512, 'full size');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // More traffic, for the screenshot: a second key, a sync request, a forced error, a job still running.
    await submit(emulator, 'sk-demo-batch', 'a red fox in the snow', { model: 'flux-1-schnell' });
    await api(emulator, '/v1/images/generations', 'sk-demo-app', { prompt: 'a quick sketch' });
    await api(emulator, '/v1/images/generations', 'sk-demo-app', { prompt: 'a quick sketch' }, { 'x-emulator-fault': 'rate_limit_exceeded' });
    await emulator.control.armFault({ fault: 'no_available_provider', match: { model: 'flux-1-schnell' }, times: 3 });
    await page.getByRole('button', { name: 'Advance 10 s' }).click();
    const running = await submit(emulator, 'sk-demo-app', 'a harbour at night');
    await job(page, running).waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.thumb img')].every((i) => i.complete && i.naturalWidth > 0) && document.querySelectorAll('.thumb img').length === 3);
    t.same(problems, [], 'no errors along the way');
    await page.screenshot({ path: join(SHOTS, 'console-desktop.png'), fullPage: false });
    t.equal(await page.evaluate(() => document.documentElement.scrollWidth), 1280, 'no horizontal scrolling at 1280 px');
  });

  t.test('arming a fault from the form makes the next API request fail with it; the list shows fired/remaining; disarm', async (t) => {
    const emulator = await start(t);
    const { page, problems } = await openConsole(t, browser, emulator.url);
    await page.getByLabel('Fault', { exact: true }).selectOption('rate_limit_exceeded');
    await page.getByLabel('Route').selectOption('/v1/images/generations');
    await page.getByLabel(/^Times/).fill('1');
    await page.getByRole('button', { name: 'Arm fault' }).click();
    const rule = page.locator('.rules li', { hasText: 'rate_limit_exceeded' });
    await rule.waitFor();
    t.match(await rule.innerText(), /fired 0 · remaining 1/);

    const failed = await api(emulator, '/v1/images/generations', 'sk-x', { prompt: 'x' });
    t.equal(failed.status, 429);
    t.equal(failed.body.error.code, 'rate_limit_exceeded');
    await page.locator('.rules li', { hasText: 'fired 1 · remaining 0' }).waitFor();
    t.equal((await api(emulator, '/v1/images/generations', 'sk-x', { prompt: 'x' })).status, 200, 'times: 1');

    await rule.getByRole('button', { name: /^Disarm rate_limit_exceeded/ }).click();
    await rule.waitFor({ state: 'detached' });
    t.same((await emulator.control.faultCatalog()).data.length > 0, true);
    t.same(problems, []);
  });

  t.test('provider outage toggles from the page; the catalog agrees', async (t) => {
    const emulator = await start(t);
    const { page, problems } = await openConsole(t, browser, emulator.url);
    await page.getByRole('button', { name: 'Start outage: Aurora Compute' }).click();
    await page.getByRole('button', { name: 'End outage: Aurora Compute' }).waitFor();
    const providers = (await (await fetch(`${emulator.baseURL}/providers`)).json()) as { data: { provider_address?: string; address?: string; is_healthy: boolean }[] };
    const aurora = providers.data.filter((p) => JSON.stringify(p).includes('0xa11ce'));
    t.ok(aurora.length > 0 && aurora.every((p) => !p.is_healthy), '/v1/providers shows the outage');
    await page.getByRole('button', { name: 'End outage: Aurora Compute' }).click();
    await page.getByRole('button', { name: 'Start outage: Aurora Compute' }).waitFor();
    t.same(problems, []);
  });

  t.test('the key filter shows one key; resetting that key leaves the others', async (t) => {
    const emulator = await start(t);
    const mine = await submit(emulator, 'sk-team-a', 'mine');
    const theirs = await submit(emulator, 'sk-team-b', 'theirs');
    const { page, problems } = await openConsole(t, browser, emulator.url);
    await job(page, theirs).waitFor();
    t.notOk((await page.content()).includes('sk-team-a'), 'keys are never shown, only key ids');
    await page.getByLabel('Filter by key').selectOption(keyIdOf('sk-team-a'));
    await job(page, theirs).waitFor({ state: 'detached' });
    t.equal(await job(page, mine).count(), 1);
    await page.getByRole('button', { name: `Reset key ${keyIdOf('sk-team-a')}` }).click();
    await job(page, theirs).waitFor();
    t.equal(await page.getByLabel('Filter by key').inputValue(), '', 'the filter falls back to every key');
    t.equal(await job(page, mine).count(), 0, "the key's job is gone");
    t.equal((await emulator.control.requests()).data.length, 1, "only the other key's journal is left");
    await page.getByRole('button', { name: 'Reset everything' }).click();
    await job(page, theirs).waitFor({ state: 'detached' });
    t.same(problems, []);
  });

  t.test('every control is labelled and reachable with the keyboard', async (t) => {
    const emulator = await start(t);
    await submit(emulator, 'sk-kb', 'keyboard');
    const { page } = await openConsole(t, browser, emulator.url);
    await page.getByRole('heading', { name: /Async jobs/ }).waitFor();
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('button, input, select')]
        .filter((el) => !(el.getAttribute('aria-label') || (el as HTMLInputElement).labels?.length || (el.tagName === 'BUTTON' && el.textContent?.trim())))
        .map((el) => el.outerHTML),
    );
    t.same(unlabelled, []);
    const reached = new Set<string>();
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      reached.add(await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return el?.getAttribute('aria-label') ?? (el as HTMLInputElement | null)?.labels?.[0]?.textContent ?? el?.textContent ?? '';
      }));
    }
    for (const name of ['Advance 10 s', 'Arm fault', 'Start outage: Aurora Compute', 'Reset everything']) t.ok([...reached].some((r) => r.includes(name)), `Tab reaches ${name}`);
    t.ok([...reached].some((r) => r.startsWith('Fault')), 'Tab reaches the fault select');
    // Advance from the keyboard alone.
    const before = (await emulator.control.clock()).nowMs;
    await page.getByRole('button', { name: 'Advance 1 min' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('.message')?.textContent?.includes('Advance 1 min: done'));
    t.equal((await emulator.control.clock()).nowMs, before + 60_000);
    // Until edited, the field follows the emulator's time (the browser may drop zero seconds).
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>('#clock-target')?.value.startsWith('2026-11-24T12:01'));
    await page.getByRole('button', { name: 'Set clock' }).click();
    await page.waitForFunction(() => document.querySelector('.message')?.textContent?.includes('Set clock: done'));
    await page.getByLabel('Set to (UTC)').fill('2026-11-24T13:30:00.000');
    await page.getByRole('button', { name: 'Set clock' }).click();
    await page.waitForFunction(() => document.querySelector('.message')?.textContent?.includes('Set clock: done'));
    t.equal((await emulator.control.clock()).now, '2026-11-24T13:30:00.000Z', 'set from the page, read as UTC');
  });

  t.test('with EMULATOR_ADMIN_TOKEN: a labelled password input first, no data before it, the token never in a URL', async (t) => {
    const emulator = await start(t, { adminToken: 'console-secret' });
    await submit(emulator, 'sk-secret-app', 'hidden until unlocked');
    const { page, problems, urls } = await openConsole(t, browser, emulator.url);
    const input = page.getByLabel(/token/i);
    await input.waitFor();
    t.equal(await input.getAttribute('type'), 'password');
    t.same(problems, [], 'asking for the token is not a failed request');
    t.equal(await page.locator('li.job').count(), 0, 'no data before the token');
    t.notOk(urls.some((u) => u.includes('/_emulator/') && !u.includes('/_emulator/ui')), 'no data request before the token');

    await input.fill('not-the-token');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('alert').filter({ hasText: 'refused' }).waitFor();
    t.equal(await page.locator('li.job').count(), 0);

    await page.getByLabel(/token/i).fill('console-secret');
    const events = page.waitForRequest((r) => r.url().includes('/_emulator/events'));
    await page.getByRole('button', { name: 'Unlock' }).click();
    t.equal((await events).headers().authorization, 'Bearer console-secret', 'sent in a header');
    await page.locator('li.job').waitFor();
    t.equal(await page.evaluate(() => sessionStorage.getItem('0g-emulator-admin-token')), 'console-secret');

    await page.reload();
    await page.locator('li.job').waitFor();
    t.pass('the tab keeps the token across a reload');
    await page.getByRole('button', { name: 'Forget token' }).click();
    await page.getByLabel(/token/i).waitFor();
    t.equal(await page.evaluate(() => sessionStorage.getItem('0g-emulator-admin-token')), null);
    t.notOk(urls.some((u) => u.includes('console-secret')), 'never in a URL');
  });

  t.test('phone viewport (390 px): everything fits without horizontal scrolling', async (t) => {
    const emulator = await start(t);
    const done = await submit(emulator, 'sk-phone', 'a lighthouse at dusk', { n: 2 });
    await emulator.control.advance(10_000);
    await api(emulator, '/v1/images/generations', 'sk-phone', { prompt: 'a quick sketch' });
    await emulator.control.armFault({ fault: 'no_available_provider', times: 2 });
    const { page, problems } = await openConsole(t, browser, emulator.url, { width: 390, height: 844 });
    await page.locator(`li.job[data-job-id="${done}"][data-status="completed"]`).waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.thumb img')].filter((i) => i.complete && i.naturalWidth > 0).length === 2);
    const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    t.same(widths, { scroll: 390, client: 390 });
    const overflowing = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('body *')].filter((el) => el.getBoundingClientRect().right > 390.5).map((el) => el.className || el.tagName),
    );
    t.same(overflowing, [], 'no element reaches past the viewport');
    await page.getByRole('button', { name: 'Advance 1 s' }).waitFor();
    t.same(problems, []);
    await page.screenshot({ path: join(SHOTS, 'console-phone.png'), fullPage: false });
  });
});
