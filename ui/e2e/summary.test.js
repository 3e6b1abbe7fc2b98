// @ts-check
// End-to-end check of the production build (ui/dist) in Debian's chromium,
// using the fake backend selected through `?fake=`. Run with `npm run e2e`,
// which builds first.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TIMEOUT, button, distDir, horizontalOverflow, nav, screenshot, useHarness } from './harness.js';

// The system's light scheme: the other files see the app in the dark one (or in both).
const { withApp } = useHarness({ colorScheme: 'light' });

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

describe('library summary screen', () => {
  it('shows the library fixture', { timeout: TIMEOUT }, async () => {
    await withApp('', async ({ page }) => {
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
      assert.equal(await lyrics.locator('tr[data-status="available"] th').textContent(), 'Available');
      assert.equal(await lyrics.locator('tr[data-status="available"] td').first().textContent(), '410');
      assert.equal(await lyrics.locator('tbody tr').count(), 6);
      // Component styles must have been applied (external CSS allowed by the CSP).
      const cardBorder = await page
        .locator('section.card, section[aria-labelledby="library-heading"]')
        .evaluate((el) => getComputedStyle(el).borderTopStyle);
      assert.equal(cardBorder, 'solid');
      await screenshot(page, 'summary.png', { fullPage: true });
    });
  });

  it('fits an 800x600 window without horizontal scrolling', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=library', { viewport: { width: 800, height: 600 } }, async ({ page }) => {
      await nav(page, 'Enrichment').click();
      await page.locator('[data-stat="tracks"] dd').waitFor();
      const overflow = await horizontalOverflow(page);
      assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
      await screenshot(page, 'summary-800x600.png');
    });
  });

  it('shows the error state for ?fake=error', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=error', async ({ page }) => {
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const text = (await alert.textContent()) ?? '';
      assert.match(text, /Could not open the library database/);
      assert.equal(await alert.locator('code').textContent(), 'database');
      assert.equal(await page.locator('[data-stat]').count(), 0);
      await screenshot(page, 'error.png');
    });
  });

  it('welcomes an empty library (?fake=empty); no command that is not installed', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=empty', async ({ page }) => {
      const welcome = page.getByTestId('welcome');
      await welcome.getByRole('heading', { name: 'Welcome to Gatefold' }).waitFor();
      assert.deepEqual(await welcome.locator('button.primary').allTextContents(), ['Choose your music folder']);
      assert.equal(await page.locator('nav').count(), 1);
      assert.doesNotMatch((await page.locator('body').textContent()) ?? '', /gatefold-cli/);
      await screenshot(page, 'empty.png');
      // The Enrichment view points back to the import, with the installed command.
      await nav(page, 'Enrichment').click();
      await page.getByText('No music imported yet').waitFor();
      assert.match((await page.locator('main').textContent()) ?? '', /gatefold scan FOLDER/);
      assert.equal(await page.locator('[data-stat]').count(), 0);
      const enrich = button(page, 'Enrich library');
      assert.equal(await enrich.isDisabled(), true);
      assert.equal(await enrich.evaluate((el) => el.classList.contains('primary')), false);
    });
  });

  it('shows the loading state for ?fake=loading', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=loading', async ({ page }) => {
      await page.getByRole('status').getByText('Loading library').waitFor();
    });
  });
});
