// @ts-check
// Layouts that use the screen, from 800×600 to 2560×1440: nothing scrolls sideways, the album
// grid gains columns as the window widens (counted from where the cards are), album and lyrics
// sit side by side when wide and stacked when narrow, and no main control is cut off.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TIMEOUT, albumCards, button, nav, openAdvanced, screenshot, useHarness } from './harness.js';

const SIZES = [
  { width: 800, height: 600 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
  { width: 2560, height: 1440 },
];

const { withApp } = useHarness();

/** Whether the page scrolls sideways. @param {import('playwright-core').Page} page */
async function sideways(page) {
  return page.evaluate(() => {
    const scroller = /** @type {Element} */ (document.scrollingElement);
    return { scrollWidth: scroller.scrollWidth, innerWidth: window.innerWidth };
  });
}

/** @param {import('playwright-core').Page} page @param {string} where */
async function assertNoSideways(page, where) {
  const { scrollWidth, innerWidth } = await sideways(page);
  assert.ok(scrollWidth <= innerWidth, `${where}: scrollWidth ${scrollWidth} > innerWidth ${innerWidth}`);
}

/**
 * Every control is inside the viewport horizontally (not cut off at either side).
 * @param {import('playwright-core').Page} page
 * @param {import('playwright-core').Locator[]} controls
 * @param {string} where
 */
async function assertInside(page, controls, where) {
  const width = await page.evaluate(() => window.innerWidth);
  for (const control of controls) {
    const box = await control.boundingBox();
    const name = (await control.getAttribute('aria-label')) ?? (await control.textContent())?.trim() ?? '?';
    assert.ok(box, `${where}: ${name} is not shown`);
    assert.ok(
      box.x >= 0 && box.x + box.width <= width + 0.5,
      `${where}: ${name} at ${box.x}..${box.x + box.width} of ${width}`,
    );
  }
}

/** Columns of the album grid: the cards on the first card's row. @param {import('playwright-core').Page} page */
function gridColumns(page) {
  return albumCards(page).evaluateAll((cards) => {
    const top = cards[0].getBoundingClientRect().top;
    const lefts = cards
      .filter((card) => Math.abs(card.getBoundingClientRect().top - top) < 2)
      .map((card) => card.getBoundingClientRect().left);
    return new Set(lefts.map(Math.round)).size;
  });
}

describe('layout', () => {
  it(
    'fills every window size without sideways scrolling; the grid grows with the width',
    { timeout: TIMEOUT * 2 },
    async () => {
      /** @type {number[]} */
      const columns = [];
      for (const size of SIZES) {
        const where = `${size.width}×${size.height}`;
        await withApp('', { viewport: size }, async ({ page }) => {
          // The library grid.
          const cards = albumCards(page);
          await cards.first().waitFor();
          await assertNoSideways(page, `${where} library`);
          columns.push(await gridColumns(page));
          await assertInside(
            page,
            [
              nav(page, 'Library'),
              nav(page, 'Enrichment'),
              nav(page, 'Settings'),
              page.getByRole('button', { name: 'Add or rescan folder…' }),
              page.getByRole('searchbox'),
              ...['All', 'No cover', 'No lyrics', 'Both'].map((name) =>
                page.locator('.filter label', { hasText: name }),
              ),
              cards.first(),
            ],
            `${where} library`,
          );
          // The grid uses the width: its right edge is near the window's.
          const gridRight = await page
            .locator('[aria-label="Albums"]')
            .evaluate((el) => el.getBoundingClientRect().right);
          assert.ok(gridRight > size.width - 120, `${where}: the grid ends at ${gridRight}`);
          await screenshot(page, `layout-library-${size.width}x${size.height}.png`);

          // An album with a track's lyrics: side by side when wide, stacked when narrow.
          const withSynced = albumCards(page).first();
          await withSynced.locator('button.open').click();
          const detail = page.getByTestId('album-detail');
          await detail.locator('.track-open').first().click();
          const viewer = page.getByTestId('lyrics-viewer');
          await viewer.waitFor();
          await assertNoSideways(page, `${where} album`);
          const table = await detail.locator('table').boundingBox();
          const lyrics = await viewer.boundingBox();
          assert.ok(table && lyrics);
          if (size.width >= 1440) {
            assert.ok(lyrics.x >= table.x + table.width - 1, `${where}: lyrics beside the tracks`);
          } else {
            assert.ok(lyrics.y >= table.y + table.height - 1, `${where}: lyrics below the tracks`);
          }
          await assertInside(
            page,
            [detail.getByRole('button', { name: '← All albums' }), page.getByRole('button', { name: 'Close lyrics' })],
            `${where} album`,
          );
          await page.keyboard.press('Escape');
          await page.keyboard.press('Escape');

          // Enrichment and Settings.
          await nav(page, 'Enrichment').click();
          await page.getByTestId('failure-count').waitFor();
          await assertNoSideways(page, `${where} enrichment`);
          await assertInside(
            page,
            ['Enrich library', 'Retry failed', 'Pause', 'Resume', 'Cancel', 'Export CSV'].map((name) =>
              button(page, name),
            ),
            `${where} enrichment`,
          );
          await nav(page, 'Settings').click();
          await page.getByRole('list', { name: 'Providers in priority order' }).waitFor();
          await openAdvanced(page);
          await assertNoSideways(page, `${where} settings`);
          await assertInside(
            page,
            [
              button(page, 'Save'),
              button(page, 'Discard'),
              page.getByRole('button', { name: 'Restore defaults' }),
              page.getByLabel('Batch size', { exact: true }),
              page.getByLabel('deezer pace unit'),
              page.getByLabel('deezer requests at once'),
              page.getByRole('button', { name: 'Move deezer up' }),
            ],
            `${where} settings`,
          );
          // The Save button stays in view at the bottom of a long form.
          const save = await button(page, 'Save').boundingBox();
          assert.ok(save && save.y + save.height <= size.height, `${where}: Save is below the window`);
        });
      }
      console.log(`grid columns at ${SIZES.map((s) => s.width).join(', ')} px: ${columns.join(', ')}`);
      for (let i = 1; i < columns.length; i += 1) {
        assert.ok(columns[i] > columns[i - 1], `columns ${columns.join(', ')} do not grow with the width`);
      }
    },
  );

  it('welcomes an empty library at every size, its main action in view', { timeout: TIMEOUT }, async () => {
    for (const size of SIZES) {
      const where = `${size.width}×${size.height}`;
      await withApp('?fake=empty', { viewport: size }, async ({ page }) => {
        const choose = button(page, 'Choose your music folder');
        await choose.waitFor();
        await assertNoSideways(page, `${where} welcome`);
        await assertInside(page, [choose, nav(page, 'Library'), nav(page, 'Settings')], `${where} welcome`);
        const box = await choose.boundingBox();
        assert.ok(box && box.y + box.height <= size.height, `${where}: the main action is below the window`);
        await screenshot(page, `layout-welcome-${size.width}x${size.height}.png`);
      });
    }
  });

  it('keeps the header in view when scrolling, with the running job', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=midjob', { viewport: { width: 1440, height: 900 } }, async ({ page }) => {
      await albumCards(page).first().waitFor();
      const bar = page.getByTestId('job-bar');
      await bar.getByText(/^\d+ %$/).waitFor();
      await page.evaluate(() => window.scrollTo(0, 1500));
      await page.waitForFunction(() => window.scrollY > 1000);
      const header = await page.locator('header').boundingBox();
      assert.ok(header && Math.abs(header.y) < 1, `the header is at ${header?.y}`);
      assert.equal(await bar.isVisible(), true);
      // Pause while it runs (Dismiss once it ended: the fake job is short).
      await assertInside(page, [bar.getByRole('button').last()], 'job bar');
      await screenshot(page, 'layout-sticky-header.png');
    });
  });
});
