// @ts-check
// End-to-end check of the Library view on the fake backend, in the production build under the
// app's CSP: browsing albums, an album's tracks, synced lyrics, search, hostile tags and lyrics,
// and importing a folder into an empty library. Run with `npm run e2e`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  TIMEOUT,
  XSS,
  albumCards,
  button,
  horizontalOverflow,
  nav,
  openSyncedLyrics,
  screenshot,
  useHarness,
} from './harness.js';

const { withApp } = useHarness();

/** @param {import('playwright-core').Page} page */
async function openLibrary(page) {
  await button(page, 'Library').click();
  await page.getByRole('list', { name: 'Albums' }).waitFor();
}

/** @param {import('playwright-core').Page} page */
async function albumCount(page) {
  return ((await page.getByTestId('album-count').textContent()) ?? '').trim();
}

/** @param {import('playwright-core').Page} page */
function scrollY(page) {
  return page.evaluate(() => window.scrollY);
}

describe('library view', () => {
  it('browses albums, opens one and a track’s synced lyrics, and comes back', { timeout: TIMEOUT }, async () => {
    await withApp('', async ({ page }) => {
      await openLibrary(page);
      assert.equal(await albumCount(page), '48 albums');
      assert.equal(await albumCards(page).count(), 48);
      // Covers: thumbnails with alt text and a reserved size, placeholders without artwork.
      const img = page.locator('[aria-label="Albums"] img').first();
      assert.match((await img.getAttribute('alt')) ?? '', /^.+ by .+$/);
      assert.equal(await img.getAttribute('width'), '256');
      assert.equal(await img.getAttribute('loading'), 'lazy');
      assert.ok((await page.locator('[aria-label="Albums"] [data-placeholder]').count()) > 0);
      await screenshot(page, 'library.png');

      // Scroll down, then open an album from there with the keyboard.
      await page.evaluate(() => window.scrollTo(0, 900));
      const before = await scrollY(page);
      assert.ok(before > 0, 'the grid scrolls');
      const card = albumCards(page).nth(20);
      const id = await card.getAttribute('data-album-id');
      const openButton = card.getByRole('button');
      const name = (await openButton.textContent())?.replace(/\s+/g, ' ').trim() ?? '';
      await openButton.focus();
      await page.keyboard.press('Enter');
      const detail = page.getByTestId('album-detail');
      await detail.getByRole('table').waitFor();
      assert.ok(name.startsWith((await detail.getByRole('heading', { level: 3 }).textContent()) ?? '?'));
      assert.equal(await scrollY(page), 0);
      const cover = detail.locator('img, [data-placeholder]').first();
      assert.equal(await cover.isVisible(), true);

      // Back: same place, same card focused.
      await detail.getByRole('button', { name: '← All albums' }).click();
      await albumCards(page).first().waitFor();
      assert.equal(await scrollY(page), before);
      assert.equal(
        await page.evaluate(() => document.activeElement?.closest('[data-album-id]')?.getAttribute('data-album-id')),
        id,
      );

      // Find an album with a synced track and open its lyrics.
      assert.ok(await openSyncedLyrics(page, 10), 'an album with synced lyrics');
      const viewer = page.getByTestId('lyrics-viewer');
      const lines = viewer.getByRole('list', { name: 'Synced lyrics' }).getByRole('listitem');
      await lines.first().waitFor();
      const stamps = await viewer.locator('time').allTextContents();
      assert.ok(stamps.length > 5, `${stamps.length} timestamps`);
      for (const stamp of stamps) assert.match(stamp, /^\d{2}:\d{2}\.\d{2}$/);
      assert.deepEqual(stamps, [...stamps].sort(), 'in time order');
      assert.equal(
        await viewer
          .locator('time')
          .first()
          .evaluate((el) => getComputedStyle(el).fontFamily.includes('mono')),
        true,
      );
      assert.doesNotMatch((await viewer.textContent()) ?? '', /\[ar:|\[length:/);
      await viewer.locator('[data-lyrics="synced"]').waitFor();
      await screenshot(page, 'album-lyrics.png', { fullPage: true });

      // Escape closes the lyrics, then goes back to the albums.
      await page.keyboard.press('Escape');
      await viewer.waitFor({ state: 'detached' });
      await page.keyboard.press('Escape');
      await detail.waitFor({ state: 'detached' });
    });
  });

  it('searches titles, artists and tracks, and resets paging', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=big', async ({ page }) => {
      await openLibrary(page);
      assert.equal(await albumCount(page), '10,000 albums');
      assert.equal(await albumCards(page).count(), 60);
      // Scrolling to the end loads the next page by itself.
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await page.waitForFunction(() => document.querySelectorAll('[data-album-id]').length >= 120);
      assert.match((await page.locator('.shown').textContent()) ?? '', /^Showing \d[\d,]* of 10,000 albums$/);

      // An album from the second page, found by its title typed in lower case.
      const title = ((await albumCards(page).nth(90).locator('.title').getAttribute('title')) ?? '').trim();
      const box = page.getByRole('searchbox', { name: 'Search albums, artists and tracks' });
      await box.pressSequentially(title.toLowerCase(), { delay: 20 });
      await page.getByTestId('album-count').getByText(`matching “${title.toLowerCase()}”`).waitFor();
      const total = Number((await albumCount(page)).split(' ')[0].replace(/,/g, ''));
      assert.ok(total > 0 && total < 10_000, `${total} albums match`);
      assert.equal(await albumCards(page).count(), Math.min(60, total));
      const titles = await page
        .locator('[aria-label="Albums"] .title')
        .evaluateAll((els) => els.map((el) => el.getAttribute('title')));
      assert.ok(titles.includes(title), `${title} in ${titles.join(', ')}`);
      assert.ok(titles.every((t) => t?.toLowerCase().includes(title.toLowerCase())));

      // An artist: her 500 albums, and others with a track of hers.
      await box.fill('nina simone');
      await page.getByTestId('album-count').getByText('matching “nina simone”').waitFor();
      assert.ok(Number((await albumCount(page)).split(' ')[0].replace(/,/g, '')) >= 500);

      // A track title: the first album found has that track (or that title).
      await box.fill('');
      await page.getByTestId('album-count').getByText('10,000 albums').waitFor();
      await albumCards(page).first().getByRole('button').click();
      const trackTitle = ((await page.locator('.track-open').first().textContent()) ?? '').trim();
      await page.getByRole('button', { name: '← All albums' }).click();
      await box.fill(trackTitle.toUpperCase());
      await page
        .getByTestId('album-count')
        .getByText(/matching/)
        .waitFor();
      await albumCards(page).first().getByRole('button').click();
      const heading = (await page.getByTestId('album-detail').getByRole('heading', { level: 3 }).textContent()) ?? '';
      const found = (await page.locator('.track-open').allTextContents()).map((t) => t.trim().toLowerCase());
      assert.ok(
        [heading.toLowerCase(), ...found].some((t) => t.includes(trackTitle.toLowerCase())),
        `${trackTitle} in ${heading}: ${found.join(', ')}`,
      );
      await page.getByRole('button', { name: '← All albums' }).click();

      await box.fill('no such album anywhere');
      await page.getByText('No album, artist or track matches “no such album anywhere”.').waitFor();
    });
  });

  it('shows markup in tags and lyrics as text', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=xss', async ({ page }) => {
      await openLibrary(page);
      await page.getByRole('searchbox').fill('test pattern');
      await page.getByTestId('album-count').getByText('1 album matching “test pattern”').waitFor();
      const card = albumCards(page).first();
      assert.equal(await card.locator('.title').getAttribute('title'), XSS);
      await card.getByRole('button', { name: `${XSS} by Test Pattern` }).click();
      const detail = page.getByTestId('album-detail');
      await detail.getByRole('heading', { name: XSS }).waitFor();
      await detail.getByRole('button', { name: XSS }).click();
      const viewer = page.getByTestId('lyrics-viewer');
      await viewer.getByRole('list', { name: 'Synced lyrics' }).getByText(XSS, { exact: true }).waitFor();
      // Only the covers are images, and they are data: URLs; nothing from the tags became one.
      const sources = await page.locator('img').evaluateAll((imgs) => imgs.map((img) => img.getAttribute('src') ?? ''));
      for (const src of sources) assert.match(src, /^data:image\/bmp;base64,/);
      // Give a would-be onerror handler time to fire.
      await page.waitForTimeout(300);
      await screenshot(page, 'library-xss.png', { fullPage: true });
    });
  });

  it(
    'first run: imports the chosen folder with progress, then finds artwork and lyrics',
    { timeout: TIMEOUT },
    async () => {
      await withApp('?fake=empty', async ({ page }) => {
        const welcome = page.getByTestId('welcome');
        await welcome.getByRole('heading', { name: 'Welcome to Gatefold' }).waitFor();
        await screenshot(page, 'welcome.png');
        await button(page, 'Choose your music folder').click();
        // The welcome shows the scan (the summary card on the hidden Enrichment view does too).
        const bar = welcome.getByRole('progressbar', { name: 'Scan progress' });
        await bar.waitFor();
        assert.match((await welcome.getByTestId('scan-progress').textContent()) ?? '', /\/home\/me\/Music/);
        await welcome
          .locator('[data-scan-stat="found"]')
          .getByText(/^[1-9][\d,]* files found$/)
          .waitFor();
        await screenshot(page, 'scan-progress.png');
        const report = welcome.getByTestId('scan-report');
        await report.waitFor({ timeout: 10_000 });
        assert.match((await report.locator('[data-scan-stat="added"] dd').textContent()) ?? '', /^[1-9]/);
        assert.equal(await report.locator('[data-scan-stat="failed"] dd').textContent(), '1');
        assert.equal(await report.locator('[data-scan-stat="removed"] dd').textContent(), '0');
        // Imported: enriching is offered, with the providers and the WiFi-only switch at hand.
        const enrich = button(page, 'Find artwork and lyrics');
        await enrich.waitFor();
        assert.match((await page.getByTestId('welcome-imported').textContent()) ?? '', /tracks in 48\s+albums/);
        await page.getByRole('button', { name: 'Choose the providers' }).waitFor();
        const wifi = page.getByLabel('Only on WiFi');
        await page.waitForFunction(
          () => !(/** @type {HTMLInputElement} */ (document.getElementById('welcome-wifi')).disabled),
        );
        await wifi.check();
        await screenshot(page, 'scan-report.png');
        await enrich.click();
        // The library, with the running job in the header.
        await albumCards(page).first().waitFor();
        assert.equal(await albumCount(page), '48 albums');
        const jobBar = page.getByTestId('job-bar');
        await jobBar.waitFor();
        await jobBar.getByText(/^\d+ %$/).waitFor();
        // The switch was saved: Settings shows it.
        await nav(page, 'Settings').click();
        await page.locator('#setting-require_wifi').waitFor();
        assert.equal(await page.locator('#setting-require_wifi').isChecked(), true);
      });
    },
  );

  it(
    'moves through the grid with the arrow keys, opens with Enter and comes back with Escape',
    { timeout: TIMEOUT },
    async () => {
      await withApp('', async ({ page }) => {
        await openLibrary(page);
        await albumCards(page).first().waitFor();
        // One Tab stop for the grid: from the search box, past the filter, to the first card.
        await page.getByRole('searchbox').focus();
        const active = () =>
          page.evaluate(
            () => document.activeElement?.closest('[data-album-id]')?.getAttribute('data-album-id') ?? null,
          );
        const ids = await albumCards(page).evaluateAll((els) => els.map((el) => el.getAttribute('data-album-id')));
        for (let i = 0; i < 8 && (await active()) === null; i += 1) await page.keyboard.press('Tab');
        assert.equal(await active(), ids[0]);
        // Is the focus visible? The card's ring is drawn by its ::after.
        const ring = await page.evaluate(
          () => getComputedStyle(/** @type {Element} */ (document.activeElement), '::after').outlineStyle,
        );
        assert.equal(ring, 'solid');
        const columns = await albumCards(page).evaluateAll((els) => {
          const top = els[0].getBoundingClientRect().top;
          return els.filter((el) => Math.abs(el.getBoundingClientRect().top - top) < 2).length;
        });
        await page.keyboard.press('ArrowRight');
        assert.equal(await active(), ids[1]);
        await page.keyboard.press('ArrowDown');
        assert.equal(await active(), ids[1 + columns]);
        await page.keyboard.press('ArrowLeft');
        assert.equal(await active(), ids[columns]);
        // Tab leaves the grid; Shift+Tab comes back to the same card.
        await page.keyboard.press('Tab');
        assert.notEqual(await active(), ids[columns]);
        await page.keyboard.press('Shift+Tab');
        assert.equal(await active(), ids[columns]);
        await page.keyboard.press('Enter');
        const detail = page.getByTestId('album-detail');
        await detail.getByRole('table').waitFor();
        await page.keyboard.press('Escape');
        await detail.waitFor({ state: 'detached' });
        assert.equal(await active(), ids[columns]);
      });
    },
  );

  it('filters the albums that miss a cover or lyrics', { timeout: TIMEOUT }, async () => {
    await withApp('', async ({ page }) => {
      await openLibrary(page);
      await page.getByRole('radio', { name: 'No cover' }).check();
      await page
        .getByTestId('album-count')
        .getByText(/^\d+ albums? without a cover$/)
        .waitFor();
      const shown = await albumCards(page).count();
      assert.ok(shown > 0 && shown < 48, `${shown} albums without a cover`);
      assert.equal(await page.locator('[aria-label="Albums"] [data-placeholder]').count(), shown);
      await page.getByRole('radio', { name: 'Both' }).check();
      await page
        .getByTestId('album-count')
        .getByText(/missing a cover and lyrics$/)
        .waitFor();
      await page.getByRole('radio', { name: 'All' }).check();
      await page.getByTestId('album-count').getByText('48 albums', { exact: true }).waitFor();
    });
  });

  it('rescans a folder from the Library view’s header', { timeout: TIMEOUT }, async () => {
    await withApp('', async ({ page }) => {
      await openLibrary(page);
      await page.getByRole('button', { name: 'Add or rescan folder…' }).click();
      // The Enrichment view (hidden) shows the same scan: only the visible one counts here.
      const report = page.getByTestId('scan-report').filter({ visible: true });
      await report.waitFor({ timeout: 10_000 });
      assert.equal(await report.locator('[data-scan-stat="added"] dd').textContent(), '0');
      assert.match((await report.locator('[data-scan-stat="updated"] dd').textContent()) ?? '', /^\d+$/);
    });
  });

  it(
    'enriches an album now: a run for it, or its place at the front of the running job',
    { timeout: TIMEOUT },
    async () => {
      // No job running: a run for this album starts (the header's job bar shows it).
      await withApp('', async ({ page }) => {
        await openLibrary(page);
        await albumCards(page).nth(3).locator('button.open').click();
        const detail = page.getByTestId('album-detail');
        await detail.getByRole('table').waitFor();
        const enrich = detail.getByRole('button', { name: 'Enrich this album now' });
        await enrich.click();
        const outcome = detail.getByTestId('enrich-now-outcome');
        assert.equal(await outcome.getAttribute('aria-live'), 'polite');
        await outcome.getByText('Started enriching this album').waitFor();
        await page.getByTestId('job-bar').waitFor();
        assert.equal(await enrich.isEnabled(), true);
      });
      // A job already running: the album goes to the front of its queue.
      await withApp('?fake=midjob', async ({ page }) => {
        await openLibrary(page);
        await albumCards(page).first().locator('button.open').click();
        const detail = page.getByTestId('album-detail');
        await detail.getByRole('table').waitFor();
        await detail.getByRole('button', { name: 'Enrich this album now' }).click();
        await detail.getByTestId('enrich-now-outcome').getByText('Moved to the front of the running job').waitFor();
      });
      // Another process runs a job on the library: refused, and said why.
      await withApp('?fake=elsewhere', async ({ page }) => {
        await openLibrary(page);
        await albumCards(page).first().locator('button.open').click();
        const detail = page.getByTestId('album-detail');
        await detail.getByRole('button', { name: 'Enrich this album now' }).click();
        const outcome = detail.getByTestId('enrich-now-outcome');
        await outcome.getByText('job_already_running').waitFor();
        assert.match((await outcome.textContent()) ?? '', /Could not enrich this album now: Another Gatefold process/);
      });
    },
  );

  it('fits an 800x600 window without horizontal scrolling', { timeout: TIMEOUT }, async () => {
    await withApp('', { viewport: { width: 800, height: 600 } }, async ({ page }) => {
      await openLibrary(page);
      assert.ok((await horizontalOverflow(page)) <= 0, 'grid overflows');
      await albumCards(page).first().getByRole('button').click();
      await page.locator('.track-open').first().click();
      await page.getByTestId('lyrics-viewer').waitFor();
      assert.ok((await horizontalOverflow(page)) <= 0, 'album overflows');
      await screenshot(page, 'album-800x600.png', { fullPage: true });
    });
  });
});
