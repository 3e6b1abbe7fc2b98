// @ts-check
// End-to-end check of the production build (ui/dist) in Debian's chromium,
// using the fake backend selected through `?fake=`. Run with `npm run e2e`,
// which builds first.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveStatic } from './server.js';

const uiDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = join(uiDir, 'dist');
const resultsDir = join(uiDir, 'test-results');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TIMEOUT = 60_000;

/** @type {{ origin: string, close: () => Promise<void> } | undefined} */
let server;
/** @type {import('playwright-core').Browser | undefined} */
let browser;

before(async () => {
  assert.ok(existsSync(join(distDir, 'index.html')), 'ui/dist is missing: run `vite build` first');
  await mkdir(resultsDir, { recursive: true });
  server = await serveStatic(distDir);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

after(async () => {
  await browser?.close().catch(() => {});
});

after(async () => {
  await server?.close();
});

/**
 * Opens the app at `query` and records console errors, page errors, failed
 * requests and requests to any origin other than the local server.
 * @param {string} query
 * @param {{ width: number, height: number }} [viewport]
 */
async function openApp(query, viewport = { width: 1200, height: 800 }) {
  assert.ok(browser && server, 'setup failed');
  const origin = server.origin;
  const context = await browser.newContext({ viewport, locale: 'en-US' });
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
    if (url.origin !== origin && url.protocol !== 'data:') {
      problems.push(`request to foreign origin: ${request.url()}`);
    }
  });
  await page.goto(`${origin}/${query}`, { waitUntil: 'load' });
  return { context, page, problems };
}

describe('production build', () => {
  it('has no inline scripts and no remote references in index.html and CSS', async () => {
    const html = await readFile(join(distDir, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0, 'expected a module script');
    for (const [, attrs, body] of scripts) {
      assert.match(attrs, /\bsrc="\.\//, `script must be a relative file: ${attrs}`);
      assert.equal(body.trim(), '', 'inline script body');
    }
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, 'remote reference in index.html');
    const cssFiles = (await readdir(join(distDir, 'assets'))).filter((f) => f.endsWith('.css'));
    assert.ok(cssFiles.length > 0, 'expected extracted CSS');
    for (const file of cssFiles) {
      const css = await readFile(join(distDir, 'assets', file), 'utf8');
      assert.doesNotMatch(css, /url\(\s*['"]?(https?:)?\/\//, `remote url() in ${file}`);
      assert.doesNotMatch(css, /@import/, `@import in ${file}`);
    }
  });
});

/** @param {import('playwright-core').Page} page @param {string} name */
function nav(page, name) {
  return page.getByRole('navigation').getByRole('button', { name, exact: true });
}

describe('library summary screen', () => {
  it('shows the library fixture', { timeout: TIMEOUT }, async () => {
    const { context, page, problems } = await openApp('');
    try {
      assert.equal(await page.locator('h1').textContent(), 'Gatefold');
      // The Library is home; its header counts the tracks.
      assert.equal(await nav(page, 'Library').getAttribute('aria-current'), 'page');
      await page.getByTestId('library-counts').getByText('1,234 tracks by 45 artists').waitFor();
      // The summary card is on the Enrichment view.
      await nav(page, 'Enrichment').click();
      const tracks = page.locator('[data-stat="tracks"] dd');
      await tracks.waitFor();
      assert.equal(await tracks.textContent(), '1,234');
      assert.equal(await page.locator('[data-stat="albums"] dd').textContent(), '98');
      assert.equal(await page.locator('[data-stat="artists"] dd').textContent(), '45');
      assert.equal(await page.locator('[data-stat="artwork-missing"] dd').textContent(), '300');
      const lyrics = page.getByRole('table', { name: 'Lyrics' });
      assert.equal(
        await lyrics.locator('tr[data-status="available"] th').textContent(),
        'Available',
      );
      assert.equal(await lyrics.locator('tr[data-status="available"] td').first().textContent(), '410');
      assert.equal(await lyrics.locator('tbody tr').count(), 6);
      // Component styles must have been applied (external CSS allowed by the CSP).
      const cardBorder = await page
        .locator('section.card, section[aria-labelledby="library-heading"]')
        .evaluate((el) => getComputedStyle(el).borderTopStyle);
      assert.equal(cardBorder, 'solid');
      await page.screenshot({ path: join(resultsDir, 'summary.png'), fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  it('fits an 800x600 window without horizontal scrolling', { timeout: TIMEOUT }, async () => {
    const { context, page, problems } = await openApp('?fake=library', { width: 800, height: 600 });
    try {
      await nav(page, 'Enrichment').click();
      await page.locator('[data-stat="tracks"] dd').waitFor();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
      await page.screenshot({ path: join(resultsDir, 'summary-800x600.png') });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  it('shows the error state for ?fake=error', { timeout: TIMEOUT }, async () => {
    const { context, page, problems } = await openApp('?fake=error');
    try {
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const text = (await alert.textContent()) ?? '';
      assert.match(text, /Could not open the library database/);
      assert.equal(await alert.locator('code').textContent(), 'database_unavailable');
      assert.equal(await page.locator('[data-stat]').count(), 0);
      await page.screenshot({ path: join(resultsDir, 'error.png') });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  it('welcomes an empty library (?fake=empty); no command that is not installed', { timeout: TIMEOUT }, async () => {
    const { context, page, problems } = await openApp('?fake=empty');
    try {
      const welcome = page.getByTestId('welcome');
      await welcome.getByRole('heading', { name: 'Welcome to Gatefold' }).waitFor();
      assert.deepEqual(await welcome.locator('button.primary').allTextContents(), ['Choose your music folder']);
      assert.equal(await page.locator('nav').count(), 1);
      assert.doesNotMatch((await page.locator('body').textContent()) ?? '', /gatefold-cli/);
      await page.screenshot({ path: join(resultsDir, 'empty.png') });
      // The Enrichment view points back to the import, with the installed command.
      await nav(page, 'Enrichment').click();
      await page.getByText('No music imported yet').waitFor();
      assert.match((await page.locator('main').textContent()) ?? '', /gatefold scan FOLDER/);
      assert.equal(await page.locator('[data-stat]').count(), 0);
      const enrich = page.getByRole('button', { name: 'Enrich library', exact: true });
      assert.equal(await enrich.isDisabled(), true);
      assert.equal(await enrich.evaluate((el) => el.classList.contains('primary')), false);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  it('shows the loading state for ?fake=loading', { timeout: TIMEOUT }, async () => {
    const { context, page, problems } = await openApp('?fake=loading');
    try {
      await page.getByRole('status').getByText('Loading library').waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
