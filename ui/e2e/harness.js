// @ts-check
// Shared setup of the end-to-end tests: the production build on the strict-CSP static server,
// Debian's chromium driven by playwright-core (never downloads a browser), and a page that
// records every console error, page error, failed request, foreign request and dialog.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveStatic } from './server.js';

export const uiDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = join(uiDir, 'dist');
export const resultsDir = join(uiDir, 'test-results');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const TIMEOUT = 90_000;

/** Same launch flags as summary.test.js. */
export const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts the server and the browser.
 * @returns {Promise<{ origin: string, browser: import('playwright-core').Browser, close: () => Promise<void> }>}
 */
export async function startHarness() {
  assert.ok(existsSync(join(distDir, 'index.html')), 'ui/dist is missing: run `vite build` first');
  await mkdir(resultsDir, { recursive: true });
  const server = await serveStatic(distDir);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS });
  return {
    origin: server.origin,
    browser,
    close: async () => {
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}

/**
 * Opens the app at `query` in a fresh context.
 * @param {{ origin: string, browser: import('playwright-core').Browser }} harness
 * @param {string} query
 * @param {{ width: number, height: number }} [viewport]
 * @param {{ colorScheme?: 'light' | 'dark', init?: () => void }} [options] the system colour
 *   scheme to emulate (default dark), and a script to run in the page before the app's own
 *   (e.g. to count what the app does)
 */
export async function openApp(harness, query, viewport = { width: 1200, height: 800 }, options = {}) {
  const { origin, browser } = harness;
  const context = await browser.newContext({
    viewport,
    locale: 'en-US',
    acceptDownloads: true,
    colorScheme: options.colorScheme ?? 'dark',
  });
  if (options.init) await context.addInitScript(options.init);
  const page = await context.newPage();
  /** @type {string[]} */
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`),
  );
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== origin && url.protocol !== 'data:' && url.protocol !== 'blob:') {
      problems.push(`request to foreign origin: ${request.url()}`);
    }
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.type()} ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(`${origin}/${query}`, { waitUntil: 'load' });
  return { context, page, problems };
}

/**
 * The enrichment progress bar's value (0..100).
 * @param {import('playwright-core').Page} page
 */
export async function percent(page) {
  const value = await page.getByRole('progressbar', { name: 'Enrichment progress' }).getAttribute('aria-valuenow');
  return Number(value);
}

/**
 * Waits until the progress bar reaches at least `min` percent.
 * @param {import('playwright-core').Page} page
 * @param {number} min
 * @param {number} [timeout]
 */
export async function waitForPercent(page, min, timeout = 30_000) {
  await page.waitForFunction(
    (m) => Number(document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')) >= m,
    min,
    { timeout },
  );
}
