// @ts-check
// The one setup of the end-to-end tests: the production build on the strict-CSP static server,
// Debian's chromium driven by playwright-core (never downloads a browser), and a page that
// records every console error, page error, failed request, foreign request and dialog.
//
// A test file calls `useHarness()` once at its top level: that starts the server and the browser
// before its tests and closes them after, and gives `withApp`, which opens the app in a fresh
// context, runs the test's steps, asserts that the page recorded no problem and closes the
// context. The locators and steps several files share are here too.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveStatic } from './server.js';

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').Locator} Locator */
/** @typedef {{ width: number, height: number }} Viewport */
/**
 * How to open the app.
 * @typedef {object} OpenOptions
 * @property {Viewport} [viewport] the window size (default 1200×800)
 * @property {'light' | 'dark'} [colorScheme] the system colour scheme to emulate (default dark)
 * @property {() => void} [init] a script to run in the page before the app's own (e.g. to count
 *   what the app does)
 * @property {string} [view] the navigation button to click once the page has loaded (the app
 *   opens on the Library)
 */
/**
 * The app opened in its own browser context, and what went wrong in the page so far.
 * @typedef {{ context: import('playwright-core').BrowserContext, page: Page, problems: string[] }} App
 */
/** @typedef {{ origin: string, browser: import('playwright-core').Browser, close: () => Promise<void> }} Harness */

export const uiDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = join(uiDir, 'dist');
export const resultsDir = join(uiDir, 'test-results');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Per test (the layout test over every window size takes twice this). */
export const TIMEOUT = 90_000;
export const DEFAULT_VIEWPORT = { width: 1200, height: 800 };
/** A hostile album title, track title and failure reason in the `?fake=xss` fixture. */
export const XSS = '<img src=x onerror=alert(1)>';

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
 * @returns {Promise<Harness>}
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
 * Opens the app at `query` in a fresh context; the caller closes the context.
 * @param {{ origin: string, browser: import('playwright-core').Browser }} harness
 * @param {string} query
 * @param {OpenOptions} [options]
 * @returns {Promise<App>}
 */
export async function openApp(harness, query, options = {}) {
  const { origin, browser } = harness;
  const context = await browser.newContext({
    viewport: options.viewport ?? DEFAULT_VIEWPORT,
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
  if (options.view) await nav(page, options.view).click();
  return { context, page, problems };
}

/**
 * Sets up the calling test file: registers the hooks that start the server and the browser
 * before its tests and close them after. Call it once, at the file's top level.
 * @param {OpenOptions} [defaults] options for every app the file opens (each call may override)
 */
export function useHarness(defaults = {}) {
  /** @type {Harness | undefined} */
  let harness;

  before(async () => {
    harness = await startHarness();
  });

  after(async () => {
    await harness?.close();
  });

  /**
   * Opens the app at `query`; the caller closes its context (prefer `withApp`).
   * @param {string} query
   * @param {OpenOptions} [options]
   */
  function open(query, options = {}) {
    assert.ok(harness, 'setup failed');
    return openApp(harness, query, { ...defaults, ...options });
  }

  /**
   * Opens the app at `query`, runs `steps` on it, then asserts that the page recorded no
   * problem (console or page error, failed or foreign request, dialog); the context is closed
   * whether the steps passed or not.
   * @overload
   * @param {string} query
   * @param {(app: App) => Promise<void>} steps
   * @returns {Promise<void>}
   */
  /**
   * @overload
   * @param {string} query
   * @param {OpenOptions} options
   * @param {(app: App) => Promise<void>} steps
   * @returns {Promise<void>}
   */
  /**
   * @param {string} query
   * @param {OpenOptions | ((app: App) => Promise<void>)} optionsOrSteps
   * @param {(app: App) => Promise<void>} [maybeSteps]
   * @returns {Promise<void>}
   */
  async function withApp(query, optionsOrSteps, maybeSteps) {
    const [options, steps] = typeof optionsOrSteps === 'function' ? [{}, optionsOrSteps] : [optionsOrSteps, maybeSteps];
    assert.ok(steps, 'withApp needs the steps to run');
    const app = await open(query, options);
    try {
      await steps(app);
      assert.deepEqual(app.problems, []);
    } finally {
      await app.context.close();
    }
  }

  return { open, withApp };
}

/**
 * A button of the main navigation (Library, Enrichment, Settings).
 * @param {Page} page @param {string} name
 */
export function nav(page, name) {
  return page.getByRole('navigation').getByRole('button', { name, exact: true });
}

/**
 * The button named exactly `name`.
 * @param {Page} page @param {string} name
 */
export function button(page, name) {
  return page.getByRole('button', { name, exact: true });
}

/**
 * The cards of the Library's album grid.
 * @param {Page} page
 */
export function albumCards(page) {
  return page.locator('[aria-label="Albums"] [data-album-id]');
}

/**
 * Opens the albums one after the other, from the first, until one has a track with synced
 * lyrics, and opens that track's lyrics (going back to the grid from each album without).
 * @param {Page} page
 * @param {number} tries how many albums to look at, at most
 * @returns {Promise<boolean>} whether such an album was found (its lyrics are then open)
 */
export async function openSyncedLyrics(page, tries) {
  const detail = page.getByTestId('album-detail');
  for (let i = 0; i < tries; i += 1) {
    await albumCards(page).nth(i).locator('button.open').click();
    await detail.getByRole('table').waitFor();
    const synced = detail.locator('tr', { has: page.locator('[data-lyrics="synced"]') });
    if ((await synced.count()) > 0) {
      await synced.first().locator('.track-open').click();
      return true;
    }
    await detail.getByRole('button', { name: '← All albums' }).click();
  }
  return false;
}

/**
 * Opens the collapsed "Advanced" section of Settings (the engine internals), unless it is open.
 * @param {Page} page
 */
export async function openAdvanced(page) {
  const advanced = page.getByTestId('settings-advanced');
  if ((await advanced.getAttribute('open')) === null) await advanced.locator('summary').click();
}

/**
 * How far the document is wider than the window (0 or less: no horizontal scrolling).
 * @param {Page} page
 */
export function horizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/**
 * Saves a screenshot of the page as `name` in ui/test-results.
 * @param {Page} page
 * @param {string} name
 * @param {{ fullPage?: boolean }} [options]
 */
export async function screenshot(page, name, options = {}) {
  await page.screenshot({ path: join(resultsDir, name), ...options });
}

/**
 * The enrichment progress bar's value (0..100).
 * @param {Page} page
 */
export async function percent(page) {
  const value = await page.getByRole('progressbar', { name: 'Enrichment progress' }).getAttribute('aria-valuenow');
  return Number(value);
}

/**
 * Waits until the progress bar reaches at least `min` percent.
 * @param {Page} page
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
