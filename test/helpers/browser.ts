import { chromium, type Browser, type Page } from 'playwright-core';
import type { Test } from 'tap';

/**
 * Debian's chromium, headless; playwright gives every launch a fresh profile
 * directory (it refuses --user-data-dir) and removes it on close. The emulator points
 * FONTCONFIG_FILE at an empty configuration for its own renders (src/render/fontconfig.ts);
 * the browser gets the machine's fonts back.
 */
export async function launchBrowser(t: Test): Promise<Browser> {
  const env = { ...process.env };
  delete env.FONTCONFIG_FILE;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    env,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.teardown(() => browser.close());
  return browser;
}

export interface ConsolePage {
  page: Page;
  /** Console errors, page errors, failed requests and 4xx/5xx answers seen so far. */
  problems: string[];
  /** Every URL the page requested. */
  urls: string[];
}

export async function openConsole(t: Test, browser: Browser, baseUrl: string, viewport = { width: 1280, height: 800 }): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport });
  t.teardown(() => context.close());
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  const urls: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => urls.push(r.url()));
  page.on('requestfailed', (r) => r.failure()?.errorText !== 'net::ERR_ABORTED' && problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()}: ${r.url()}`));
  await page.goto(`${baseUrl}/_emulator/ui`);
  return { page, problems, urls };
}
