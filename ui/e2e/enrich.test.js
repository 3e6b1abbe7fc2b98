// @ts-check
// End-to-end check of the Enrich and Settings views on the fake backend, in the production
// build under `Content-Security-Policy: default-src 'self'`. Run with `npm run e2e`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  TIMEOUT,
  XSS,
  button,
  horizontalOverflow,
  nav,
  openAdvanced,
  percent,
  screenshot,
  useHarness,
  waitForPercent,
} from './harness.js';

// Every app opens on the Enrichment view (the app itself opens on the Library).
const { withApp } = useHarness({ view: 'Enrichment' });

/** @param {import('playwright-core').Page} page */
function status(page) {
  return page.getByTestId('job-status');
}

/** @param {import('playwright-core').Page} page */
function failureRows(page) {
  return page.locator('[role="table"][aria-label="Failures"] [role="row"][data-failure]');
}

/** @param {string | null} text */
function plain(text) {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * Records every text the job status shows from now on (in `window.__statuses`), so a state
 * that lasts a moment (pausing while the running operations end) is seen without timing.
 * @param {import('playwright-core').Page} page
 */
async function recordStatuses(page) {
  await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    const el = /** @type {HTMLElement} */ (document.querySelector('[data-testid="job-status"]'));
    /** @type {string[]} */
    const seen = [];
    w.__statuses = seen;
    const note = () => {
      const text = (el.textContent ?? '').trim();
      if (seen.at(-1) !== text) seen.push(text);
    };
    note();
    new MutationObserver(note).observe(el, { childList: true, characterData: true, subtree: true });
  });
}

/**
 * The facts of the open failure's details, by label.
 * @param {import('playwright-core').Locator} detail
 */
async function facts(detail) {
  return detail
    .locator('dl > div')
    .evaluateAll((items) =>
      Object.fromEntries(
        items.map((item) => [item.querySelector('dt')?.textContent ?? '', item.querySelector('dd')?.textContent ?? '']),
      ),
    );
}

describe('enrichment panel', () => {
  it('runs a job to 100 %, lists failures with reasons, pauses and resumes', { timeout: TIMEOUT }, async () => {
    await withApp('', async ({ page }) => {
      // The Enrichment view, with the earlier failures loaded.
      assert.equal(await nav(page, 'Enrichment').getAttribute('aria-current'), 'page');
      await page.getByTestId('failure-count').getByText('8', { exact: true }).waitFor();
      assert.equal(await percent(page), 0);
      assert.equal(await button(page, 'Pause').isDisabled(), true);
      assert.equal(await button(page, 'Resume').isDisabled(), true);
      assert.equal(await button(page, 'Cancel').isDisabled(), true);

      await button(page, 'Enrich library').click();
      await waitForPercent(page, 25);
      assert.equal(await button(page, 'Enrich library').isDisabled(), true);
      assert.equal(await button(page, 'Pause').isEnabled(), true);
      assert.equal(await button(page, 'Cancel').isEnabled(), true);
      await page.locator('[data-job-stat="rate"] dd').getByText(/^\d/).waitFor();
      await screenshot(page, 'enrich-panel.png', { fullPage: true });

      // Pause: the operations running finish ("Pausing… (n finishing)"), then the bar stops
      // and Resume is the way on.
      await recordStatuses(page);
      await button(page, 'Pause').click();
      await status(page).getByText('Paused', { exact: true }).waitFor();
      const statuses = /** @type {string[]} */ (await page.evaluate(() => /** @type {any} */ (window).__statuses));
      const pausing = statuses.findIndex((text) => /^Pausing… \(\d+ finishing\)$/.test(text));
      assert.ok(pausing > 0, `no "Pausing… (n finishing)" in ${JSON.stringify(statuses)}`);
      assert.equal(statuses.at(-1), 'Paused');
      assert.ok(statuses.indexOf('Paused') > pausing, JSON.stringify(statuses));
      assert.equal(await button(page, 'Resume').isEnabled(), true);
      assert.equal(await button(page, 'Pause').isDisabled(), true);
      const pausedAt = await percent(page);
      assert.ok(pausedAt > 0 && pausedAt < 100, `paused at ${pausedAt} %`);
      await page.waitForTimeout(400);
      assert.equal(await percent(page), pausedAt, 'the bar moved while paused');

      await button(page, 'Resume').click();
      await status(page).getByText('Running', { exact: true }).waitFor();
      await waitForPercent(page, 100);
      await status(page).getByText('Finished', { exact: true }).waitFor();
      assert.equal(await button(page, 'Enrich library').isEnabled(), true);
      assert.match((await page.locator('[data-job-stat="processed"] dd').textContent()) ?? '', /^800 \/ 800$/);

      // A failure of this run, with its human reason.
      const fresh = failureRows(page).last();
      assert.doesNotMatch((await fresh.getAttribute('data-failure')) ?? '', /^900\d:/);
      const cells = await fresh.locator('[role="cell"]').allTextContents();
      assert.equal(cells.length, 5);
      assert.match(cells[2], /^(Artwork|Lyrics)$/);
      assert.match(cells[3], /^(coverartarchive|musicbrainz|lrclib|itunes images|deezer): |^no answer within 30 s$/);
      assert.match(cells[4], /^\d+$/);
      const failed = Number(await page.locator('[data-job-stat="failed"] dd').textContent());
      assert.ok(failed > 0, 'some tracks failed');
    });
  });

  it(
    'opens a failure by keyboard: its details, Open folder, Show in library, Retry',
    { timeout: TIMEOUT },
    async () => {
      await withApp('', async ({ page }) => {
        await page.getByTestId('failure-count').getByText('8', { exact: true }).waitFor();
        assert.equal(plain(await page.getByTestId('failure-summary').textContent()), '8 failures on 8 tracks');
        const row = failureRows(page).first();
        const key = await row.getAttribute('data-failure');
        const toggle = row.locator('button.expand');
        assert.equal(await toggle.getAttribute('aria-expanded'), 'false');

        // From the list's scroller, Tab reaches the row's button, with a visible focus ring.
        await page.getByTestId('failure-viewport').focus();
        await page.keyboard.press('Tab');
        assert.equal(
          await toggle.evaluate((el) => el === document.activeElement && el.matches(':focus-visible')),
          true,
        );
        assert.notEqual(await toggle.evaluate((el) => getComputedStyle(el).outlineStyle), 'none');
        await page.keyboard.press('Enter');
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        const detail = page.getByTestId('failure-detail');
        await detail.waitFor();
        assert.equal(await toggle.getAttribute('aria-controls'), await detail.getAttribute('id'));
        const shown = await facts(detail);
        assert.match(shown.Reason, /^(lrclib: |no answer within 30 s)/);
        assert.match(shown.Provider, /^(LRCLIB|Other)$/);
        assert.match(shown.Cause, /^(HTTP error 500|Timed out|Could not connect|Throttled \(HTTP 503\))$/);
        assert.equal(shown.Attempts, '4');
        assert.equal(shown.Operation, 'Lyrics');
        assert.match(shown.Path, /^\/home\/me\/Music\/.+\.flac$/);
        assert.notEqual(shown.Album, '—');
        await screenshot(page, 'enrich-failure-open.png');

        // Every action is a Tab away; Space and Enter press them.
        await page.keyboard.press('Tab');
        assert.equal(
          await detail.getByRole('button', { name: 'Retry' }).evaluate((el) => el === document.activeElement),
          true,
        );
        await page.keyboard.press('Tab');
        await page.keyboard.press('Tab');
        const reveal = detail.getByRole('button', { name: 'Open folder' });
        assert.equal(
          await reveal.evaluate((el) => el === document.activeElement && el.matches(':focus-visible')),
          true,
        );
        await page.keyboard.press('Space');
        await detail.getByRole('status').getByText('Opened in your file manager.').waitFor();
        await page.keyboard.press('Shift+Tab');
        await page.keyboard.press('Enter');
        // "Show in library": the Library, with the failure's album open.
        const album = page.getByTestId('album-detail');
        await album.waitFor();
        assert.equal(await nav(page, 'Library').getAttribute('aria-current'), 'page');
        assert.equal(await album.getByRole('heading', { level: 3 }).textContent(), shown.Album);
        await screenshot(page, 'failure-album.png');

        // Back on the failure: Retry runs a job of that one track; the list is then reloaded.
        await nav(page, 'Enrichment').click();
        assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
        await detail.getByRole('button', { name: 'Retry' }).click();
        await status(page).getByText('Finished', { exact: true }).waitFor();
        assert.match((await page.locator('[data-job-stat="processed"] dd').textContent()) ?? '', /^1 \/ 1$/);
        const left = Number(await page.getByTestId('failure-count').textContent());
        assert.ok(left >= 7 && left <= 8, `${left} failures left`);
        // Escape closes an open row, back on its button.
        if ((await page.locator(`[data-failure="${key}"]`).count()) > 0) {
          await detail.getByRole('button', { name: 'Retry' }).focus();
          await page.keyboard.press('Escape');
          await detail.waitFor({ state: 'detached' });
          assert.equal(await toggle.evaluate((el) => el === document.activeElement), true);
        }
      });
    },
  );

  it('filters the failures by provider and cause, and exports what is shown', { timeout: TIMEOUT }, async () => {
    await withApp('', async ({ page }) => {
      await page.getByTestId('failure-count').getByText('8', { exact: true }).waitFor();
      const provider = page.getByLabel('Provider', { exact: true });
      const cause = page.getByLabel('Cause', { exact: true });
      assert.equal(await provider.inputValue(), '');
      // The earlier failures: six from LRCLIB, two operation timeouts that name no provider.
      await provider.selectOption('lrclib');
      await page.waitForFunction(
        () => document.querySelectorAll('[aria-label="Failures"] [data-failure]').length === 6,
      );
      assert.equal(plain(await page.getByTestId('failure-summary').textContent()), '8 failures on 8 tracks, 6 shown');
      await cause.selectOption('timeout');
      await page.getByText('No failure matches these filters.').waitFor();
      assert.equal(await failureRows(page).count(), 0);
      assert.equal(await button(page, 'Export shown as CSV').isDisabled(), true);
      await provider.selectOption('');
      await page.waitForFunction(
        () => document.querySelectorAll('[aria-label="Failures"] [data-failure]').length === 2,
      );
      await screenshot(page, 'enrich-filters.png');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        button(page, 'Export shown as CSV').click(),
      ]);
      const text = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');
      const lines = text.split('\r\n').filter((line) => line !== '');
      assert.equal(lines.length, 3);
      assert.ok(
        lines.slice(1).every((line) => line.includes(',no answer within 30 s,')),
        text,
      );
      // The album and path columns are filled.
      assert.ok(
        lines.slice(1).every((line) => /,\/home\/me\/Music\/[^,]+\.flac,/.test(line)),
        text,
      );
      await cause.selectOption('');
      await page.waitForFunction(
        () => document.querySelectorAll('[aria-label="Failures"] [data-failure]').length === 8,
      );
      assert.equal(await button(page, 'Export CSV').isEnabled(), true);
    });
  });

  it('shows the last run after a restart, and continues an interrupted one', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=interrupted', async ({ page }) => {
      const card = page.getByTestId('last-run');
      await card.waitFor();
      assert.equal(plain(await card.getByTestId('last-run-state').textContent()), 'Interrupted');
      assert.match(plain(await card.getByTestId('last-run-when').textContent()), /^Started \S/);
      assert.equal(await card.locator('[data-last-run="processed"] dd').textContent(), '320 / 800');
      assert.equal(await page.getByRole('progressbar', { name: 'Enrichment progress' }).count(), 0);
      await screenshot(page, 'enrich-last-run.png');
      await card.getByRole('button', { name: 'Continue' }).click();
      await status(page).getByText('Running (continuing an interrupted job)', { exact: true }).waitFor();
      assert.equal(await card.count(), 0);
      assert.ok((await percent(page)) >= 40, 'the counts carried over');
      await waitForPercent(page, 100);
      await status(page).getByText('Finished', { exact: true }).waitFor();
      assert.equal(await page.locator('[data-job-stat="processed"] dd').textContent(), '800 / 800');
      // The library now says when it ran.
      assert.match(plain(await page.getByTestId('run-when').textContent()), /^Started .+; ended .+\. Not found: /);
    });
  });

  it('says when the command line runs a job on the library', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=elsewhere', async ({ page }) => {
      const card = page.getByTestId('last-run');
      await card.waitFor();
      assert.equal(
        plain(await card.getByTestId('last-run-state').textContent()),
        'Running in another Gatefold process',
      );
      assert.match(plain(await card.textContent()), /the command line/);
      assert.equal(await card.locator('[data-last-run="processed"] dd').textContent(), '500 / 800');
      assert.equal(await button(page, 'Enrich library').isDisabled(), true);
      assert.equal(await button(page, 'Retry failed').isDisabled(), true);
    });
  });

  it('shows the WiFi pause reason and goes on by itself', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=wifi', async ({ page }) => {
      await button(page, 'Enrich library').click();
      await status(page).getByText('Waiting for WiFi (now on ethernet (eth0))', { exact: true }).waitFor();
      assert.equal(await button(page, 'Resume').isDisabled(), true);
      assert.equal(await button(page, 'Cancel').isEnabled(), true);
      await page.getByText('Continues by itself when WiFi is back').waitFor();
      await screenshot(page, 'enrich-wifi.png');
      await status(page).getByText('Running', { exact: true }).waitFor({ timeout: 10_000 });
      await waitForPercent(page, 100);
    });
  });

  it(
    'waits for the network without failing, says so in the panel and the job bar, then goes on',
    { timeout: TIMEOUT },
    async () => {
      await withApp('?fake=offline', async ({ page }) => {
        await page.getByTestId('failure-count').getByText('8', { exact: true }).waitFor();
        await recordStatuses(page);
        await button(page, 'Enrich library').click();
        const waiting = 'Waiting for the network (no connection)';
        await status(page).getByText(waiting, { exact: true }).waitFor();
        // It goes on by itself: no Resume; Pause (a requested pause instead) and Cancel stay.
        assert.equal(await button(page, 'Resume').isDisabled(), true);
        assert.equal(await button(page, 'Pause').isEnabled(), true);
        assert.equal(await button(page, 'Cancel').isEnabled(), true);
        await page
          .getByTestId('network-hint')
          .getByText(/Continues by itself when the network is back/)
          .waitFor();
        // The wait is no failure.
        assert.equal(await page.getByTestId('failure-count').textContent(), '8');
        assert.equal(await page.locator('[data-job-stat="failed"] dd').textContent(), '0');
        await screenshot(page, 'enrich-offline.png');

        // The header's job bar, from the Library, says the same in few words.
        await nav(page, 'Library').click();
        const bar = page.getByTestId('job-bar');
        await bar.getByText('Waiting for the network', { exact: true }).waitFor();
        assert.equal(await bar.getByRole('button', { name: 'Resume' }).count(), 0);
        assert.equal(await bar.getByRole('button', { name: 'Pause' }).isEnabled(), true);
        // The network comes back: the job goes on.
        await bar.getByText('Enriching', { exact: true }).waitFor({ timeout: 20_000 });
        await nav(page, 'Enrichment').click();
        await status(page).getByText('Finished', { exact: true }).waitFor({ timeout: 30_000 });

        const seen = /** @type {string[]} */ (await page.evaluate(() => /** @type {any} */ (window).__statuses));
        const at = (/** @type {string} */ text, from = 0) => seen.indexOf(text, from);
        const waitAt = at(waiting);
        assert.ok(at('Running') >= 0 && at('Running') < waitAt, `running, then waiting: ${seen.join(' → ')}`);
        assert.ok(at('Running', waitAt) > waitAt, `waiting, then running again: ${seen.join(' → ')}`);
        assert.ok(at('Finished') > at('Running', waitAt), `then finished: ${seen.join(' → ')}`);
        assert.ok(!seen.includes('Paused'), `never "Paused": ${seen.join(' → ')}`);
        assert.equal(await page.getByTestId('failure-count').textContent(), '8');
        assert.equal(await percent(page), 100);
      });
    },
  );

  it('sums up a finished run, and opens the Library on what is still missing', { timeout: TIMEOUT }, async () => {
    await withApp('', async ({ page }) => {
      await button(page, 'Enrich library').click();
      await status(page).getByText('Finished', { exact: true }).waitFor({ timeout: 30_000 });
      const card = page.getByRole('region', { name: 'Run summary' });
      await card.waitFor();
      assert.equal(plain(await card.getByTestId('run-outcome').textContent()), 'Finished');
      // A duration, measured by the window (its value depends on the machine: only its form).
      assert.match(plain(await card.getByTestId('run-took').textContent()), /^\d+ s$|^\d+ min( \d+ s)?$/);
      // Where the finds came from adds up to the job's counts.
      /** @param {'artwork' | 'lyrics'} group */
      const sourceCounts = async (group) =>
        (await card.locator(`[data-found="${group}"] dd`).allTextContents()).map((t) => Number(t.replace(/,/g, '')));
      const sum = (/** @type {number[]} */ counts) => counts.reduce((a, b) => a + b, 0);
      const stat = async (/** @type {string} */ key) =>
        Number(((await page.locator(`[data-job-stat="${key}"] dd`).textContent()) ?? '').replace(/,/g, ''));
      assert.equal(sum(await sourceCounts('artwork')), await stat('artwork'));
      assert.equal(sum(await sourceCounts('lyrics')), await stat('lyrics'));
      const artworkSources = await card.locator('[data-found="artwork"] dt').allTextContents();
      for (const name of [
        'Cover Art Archive',
        'iTunes',
        'Deezer',
        'embedded in the files',
        'cover file in the folder',
      ]) {
        assert.ok(artworkSources.includes(name), `${name} in ${artworkSources.join(', ')}`);
      }
      assert.deepEqual((await card.locator('[data-found="lyrics"] dt').allTextContents()).sort(), [
        'LRCLIB',
        'instrumental',
      ]);
      // Requests per provider, with the bytes in human units.
      const requests = card.getByRole('table', { name: 'Requests' });
      assert.deepEqual(await requests.getByRole('rowheader').allTextContents(), [
        'MusicBrainz',
        'Cover Art Archive',
        'Deezer',
        'Deezer images',
        'iTunes',
        'iTunes images',
        'LRCLIB',
      ]);
      for (const received of await requests.locator('tbody td:last-child').allTextContents()) {
        assert.match(received, /^[\d.,]+ (B|kB|MB|GB)$/);
      }
      await card.scrollIntoViewIfNeeded();
      await screenshot(page, 'enrich-summary.png');

      // "Show albums with no cover": the Library, filtered.
      await card.getByRole('button', { name: 'Show albums with no cover' }).click();
      await page.getByRole('heading', { level: 2, name: 'Library' }).waitFor();
      assert.equal(await nav(page, 'Library').getAttribute('aria-current'), 'page');
      await page.getByRole('radio', { name: 'No cover', checked: true }).waitFor();
      await page
        .getByTestId('album-count')
        .getByText(/albums? without a cover$/)
        .waitFor();
      // And back: "no lyrics".
      await nav(page, 'Enrichment').click();
      await card.getByRole('button', { name: 'Show albums with no lyrics' }).click();
      await page.getByRole('radio', { name: 'No lyrics', checked: true }).waitFor();
      await page
        .getByTestId('album-count')
        .getByText(/albums? missing lyrics$/)
        .waitFor();
    });
  });

  it('cancels a job, and sums up what it did', { timeout: TIMEOUT }, async () => {
    await withApp('', async ({ page }) => {
      await button(page, 'Enrich library').click();
      await waitForPercent(page, 5);
      await button(page, 'Cancel').click();
      await status(page).getByText('Cancelled', { exact: true }).waitFor();
      const at = await percent(page);
      assert.ok(at < 100, `cancelled at ${at} %`);
      assert.equal(await button(page, 'Enrich library').isEnabled(), true);
      assert.equal(await button(page, 'Pause').isDisabled(), true);
      assert.equal(await button(page, 'Cancel').isDisabled(), true);
      const card = page.getByTestId('run-summary');
      await card.waitFor();
      assert.equal(await card.getAttribute('data-outcome'), 'cancelled');
      assert.equal(
        plain(await card.getByTestId('run-outcome').textContent()),
        'Cancelled: what the run did before it stopped',
      );
      assert.ok((await card.getByRole('table', { name: 'Requests' }).getByRole('rowheader').count()) > 0);
    });
  });

  it('shows hostile titles and reasons as text', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=xss', async ({ page }) => {
      await button(page, 'Enrich library').click();
      await waitForPercent(page, 100);
      const list = page.getByRole('table', { name: 'Failures' });
      await list.getByText(XSS, { exact: true }).first().waitFor();
      await list.getByText(`: ${XSS}`).first().waitFor();
      // The only images are the (hidden) Library's covers, data: URLs; none came from the data.
      assert.equal(
        await page.locator('img:not([src^="data:image/bmp;base64,"])').count(),
        0,
        'markup from data became an element',
      );
      assert.equal(await page.getByRole('table', { name: 'Failures' }).locator('img').count(), 0);
      // Give a would-be onerror handler time to fire.
      await page.waitForTimeout(300);
    });
  });

  it('exports the failures as a CSV download', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=xss', async ({ page }) => {
      await button(page, 'Enrich library').click();
      await waitForPercent(page, 100);
      const count = Number(await page.getByTestId('failure-count').textContent());
      const [download] = await Promise.all([page.waitForEvent('download'), button(page, 'Export CSV').click()]);
      assert.match(download.suggestedFilename(), /^gatefold-failures-\d{4}-\d{2}-\d{2}\.csv$/);
      const path = await download.path();
      const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
      const lines = text.split('\r\n');
      assert.equal(lines[0], 'track_id,title,artist,album,path,operation,reason,attempts,failed_at');
      assert.equal(lines.at(-1), '', 'ends with CRLF');
      assert.equal(lines.length, count + 2);
      assert.ok(text.includes(XSS), 'the reason is in the file verbatim');
    });
  });

  it(
    'fits an 800x600 window mid-run and with the run summary, without horizontal scrolling',
    { timeout: TIMEOUT },
    async () => {
      await withApp('', { viewport: { width: 800, height: 600 } }, async ({ page }) => {
        await button(page, 'Enrich library').click();
        await waitForPercent(page, 20);
        const overflow = await horizontalOverflow(page);
        assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
        await screenshot(page, 'enrich-800x600.png');
        const card = page.getByTestId('run-summary');
        await card.waitFor({ timeout: 30_000 });
        const after = await horizontalOverflow(page);
        assert.ok(after <= 0, `horizontal overflow of ${after}px with the summary`);
        // The requests table fits the card: nothing to scroll sideways inside it either.
        const inner = await card.locator('.table-box').evaluate((el) => el.scrollWidth - el.clientWidth);
        assert.ok(inner <= 0, `the requests table overflows by ${inner}px`);
        await card.scrollIntoViewIfNeeded();
        await screenshot(page, 'enrich-summary-800x600.png');
      });
    },
  );

  it('shows a job that was already running when the window opened', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=midjob', async ({ page }) => {
      // From enrichment_status (the fake's first 40 % sent no events); the Vitest tests check
      // that the status alone shows it, without waiting for an event.
      await page.waitForFunction(
        () => Number(document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')) >= 40,
      );
      const at = await percent(page);
      assert.ok(at >= 40 && at < 100, `${at} %`);
      await status(page).getByText('Running', { exact: true }).waitFor();
      assert.match((await page.locator('[data-job-stat="processed"] dd').textContent()) ?? '', /^3\d\d \/ 800$/);
      assert.equal(await button(page, 'Enrich library').isDisabled(), true);
      assert.equal(await button(page, 'Pause').isEnabled(), true);
      assert.equal(await button(page, 'Resume').isDisabled(), true);
      assert.equal(await button(page, 'Cancel').isEnabled(), true);
      // Failures of the part done before the window opened are listed.
      assert.ok(Number(await page.getByTestId('failure-count').textContent()) > 8);
      await screenshot(page, 'enrich-midjob.png');
      // And it goes on from the events.
      await waitForPercent(page, at + 5);
      await button(page, 'Pause').click();
      await status(page).getByText('Paused', { exact: true }).waitFor();
    });
  });

  it(
    'lists the files the write-back wrote after a run, by folder, labelled as write-back',
    { timeout: TIMEOUT },
    async () => {
      await withApp('', async ({ page }) => {
        await nav(page, 'Settings').click();
        await page.getByLabel('Write back').selectOption('sidecar');
        await page.getByText('Writes cover.jpg into album folders').waitFor();
        await button(page, 'Save').click();
        await page.getByText('Settings saved.').waitFor();
        await nav(page, 'Enrichment').click();
        await button(page, 'Enrich library').click();
        await waitForPercent(page, 100);
        // Its own card, after the run summary: the music folder was changed, and how.
        const card = page.getByRole('region', { name: 'Write-back' });
        await card.waitFor({ timeout: 30_000 });
        assert.equal(
          plain(await card.getByTestId('write-back-folder').textContent()),
          'Your music folder was changed: cover and lyrics files were written beside your music.',
        );
        assert.match(
          plain(await card.getByTestId('write-back').textContent()),
          /^Wrote [\d,]+ files beside your music; [\d,]+ skipped, 0 failed$/,
        );
        const counts = Object.fromEntries(
          await card
            .getByTestId('write-back-counts')
            .locator('div')
            .evaluateAll((rows) =>
              rows.map((row) => [
                row.querySelector('dt')?.textContent,
                Number(row.querySelector('dd')?.textContent?.replace(/,/g, '')),
              ]),
            ),
        );
        assert.ok(counts.Written > 0, JSON.stringify(counts));
        assert.equal(counts.Failed, 0);
        // Every file: 200 listed by folder, the rest said.
        const files = card.getByRole('region', { name: 'Files written back' });
        const listed = await files.locator('li.file').count();
        assert.equal(listed, 200);
        const more = Number(((await card.getByTestId('write-back-more').textContent()) ?? '').replace(/[^\d]/g, ''));
        assert.equal(listed + more, counts.Written + counts.Skipped);
        const folders = await files
          .locator('[data-folder]')
          .evaluateAll((els) => els.map((el) => el.getAttribute('data-folder') ?? ''));
        assert.ok(folders.length > 1);
        assert.ok(
          folders.every((f) => f.startsWith('/home/me/Music/')),
          folders.join(', '),
        );
        const written = files.locator('li.file[data-outcome="written"]');
        assert.ok((await written.count()) > 0);
        assert.equal(await files.locator('li.file[data-outcome="would_write"]').count(), 0);
        const what = new Set(await files.locator('li.file .what').allTextContents());
        assert.ok(what.has('Lyrics file'), [...what].join(', '));
        const reason = await files.locator('li.file[data-outcome="skipped"] .reason').first().textContent();
        assert.match(reason ?? '', /already exists and is not Gatefold's|is read-only|a cover image of its own/);
        // Not hidden under a status: the run finished, and the card says what happened on disk.
        assert.equal(plain(await status(page).textContent()), 'Finished');
        await card.scrollIntoViewIfNeeded();
        await screenshot(page, 'enrich-write-back.png');

        // What was written is up to date now: a new preview counts it, and writes only the rest.
        await nav(page, 'Settings').click();
        await button(page, 'Preview').click();
        const preview = page.getByRole('region', { name: 'What Sidecar files would write now' });
        await preview.waitFor();
        const upToDate = preview.locator('[data-count="unchanged"] dd');
        assert.equal(Number(((await upToDate.textContent()) ?? '').replace(/,/g, '')), counts.Written);
        assert.equal(plain(await preview.locator('[data-count="written"] dd').textContent()), '0');
      });
    },
  );

  it('shows a write-back that removed a leftover and failed on a file, at 800x600', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=writeback', { viewport: { width: 800, height: 600 } }, async ({ page }) => {
      await button(page, 'Enrich library').click();
      const card = page.getByRole('region', { name: 'Write-back' });
      await card.waitFor({ timeout: 30_000 });
      const files = card.getByRole('region', { name: 'Files written back' });
      const removed = files.locator('li.file[data-outcome="removed"]');
      assert.equal(plain(await removed.locator('.what').textContent()), 'Leftover temporary file');
      assert.match((await removed.locator('.reason').textContent()) ?? '', /interrupted write-back left/);
      const failed = files.locator('li.file[data-outcome="failed"]');
      assert.match((await failed.locator('.reason').textContent()) ?? '', /No space left on device/);
      assert.equal(plain(await card.locator('[data-count="failed"] dd').textContent()), '1');
      assert.equal(plain(await card.locator('[data-count="cleaned"] dd').textContent()), '1');
      const overflow = await horizontalOverflow(page);
      assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
      // The list scrolls by keyboard: it takes the focus.
      await files.focus();
      assert.equal(await files.evaluate((el) => el === document.activeElement), true);
      await page.keyboard.press('PageDown');
      await page.waitForFunction(
        () => (document.querySelector('[aria-label="Files written back"]')?.scrollTop ?? 0) > 0,
      );
      await card.scrollIntoViewIfNeeded();
      await screenshot(page, 'enrich-write-back-800x600.png');
    });
  });
});

/** "1,204" or "1,204 (3 throttled, p50 80 ms)" -> 1204. @param {string | null} text */
function leadingNumber(text) {
  return Number(/^[\d,]+/.exec(plain(text))?.[0].replace(/,/g, '') ?? Number.NaN);
}

describe('providers card and statistics', () => {
  it(
    'shows what a run asks each provider, live (after a reload too), then the run’s figures',
    { timeout: TIMEOUT },
    async () => {
      // A job 40 % done when the page opens: the card has its counts from enrichment_status at once.
      await withApp('?fake=midjob', async ({ page }) => {
        const card = page.getByRole('region', { name: 'Providers' });
        const table = card.getByRole('table', { name: 'Requests and answers per provider so far in this run' });
        await table.waitFor();
        assert.equal(await card.getAttribute('data-live'), 'true');
        assert.equal(plain(await card.getByTestId('providers-state').textContent()), 'Live: updated every 2 seconds');
        assert.deepEqual(
          await table
            .getByRole('rowheader')
            .allTextContents()
            .then((t) => t.map(plain)),
          [
            'LRCLIB',
            'MusicBrainz',
            'Cover Art Archive',
            'Deezer',
            '↳ images Deezer images',
            'iTunes',
            '↳ images iTunes images',
            'All providers',
          ],
        );
        const figure = (/** @type {string} */ provider, /** @type {string} */ key) =>
          table.locator(`tr[data-provider="${provider}"] [data-figure="${key}"]`);
        const first = leadingNumber(await figure('lrclib', 'requests').textContent());
        assert.ok(first >= 320, `LRCLIB was asked ${first} times by 40 %`);
        assert.match(plain(await figure('lrclib', 'p50').textContent()), /^\d+ ms$/);
        assert.match(plain(await figure('coverartarchive', 'received').textContent()), /^[\d.,]+ (kB|MB|GB)$/);
        await screenshot(page, 'enrich-providers-live.png');
        // The provider_stats events move it on, every 2 s.
        await page.waitForFunction(
          (n) =>
            Number(
              document
                .querySelector('[data-testid="providers-card"] tr[data-provider="lrclib"] [data-figure="requests"]')
                ?.textContent?.replace(/,/g, ''),
            ) > n,
          first,
          { timeout: 10_000 },
        );
        // At its end: the run's figures, as its summary says them.
        await status(page).getByText('Finished', { exact: true }).waitFor({ timeout: 30_000 });
        await card.getByRole('table', { name: 'Requests and answers per provider in this run' }).waitFor();
        assert.equal(await card.getAttribute('data-live'), 'false');
        const summary = page.getByRole('region', { name: 'Run summary' }).getByRole('table', { name: 'Requests' });
        const summed = (await summary.locator('tbody td:nth-child(2)').allTextContents()).map(leadingNumber);
        assert.match(
          plain(await summary.locator('tr[data-provider="lrclib"] td').first().textContent()),
          /p50 \d+ ms\)$/,
        );
        const total = leadingNumber(
          await card.locator('table tr[data-provider="total"] [data-figure="requests"]').textContent(),
        );
        assert.equal(
          total,
          summed.reduce((a, b) => a + b, 0),
        );
        // The statistics have the run now (reloaded when it ended).
        const stats = page.getByRole('region', { name: 'Provider statistics' });
        await stats.locator('[data-total="runs"] dd').getByText('1', { exact: true }).waitFor();
        assert.equal(leadingNumber(await stats.locator('[data-total="requests"] dd').textContent()), total);
        assert.notEqual(
          plain(
            await stats.getByRole('table', { name: 'The run, newest first' }).locator('tbody td').first().textContent(),
          ),
          'Running',
        );
        // The card's link goes there.
        await card.getByRole('link', { name: 'All runs' }).click();
        await page.waitForFunction(() => location.hash === '#provider-statistics');
        const box = await stats.boundingBox();
        assert.ok(box && box.y < 800, 'the statistics are scrolled into view');
      });
    },
  );

  it('shows the library’s statistics over time, and adds a continued run to them', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=interrupted', async ({ page }) => {
      const stats = page.getByRole('region', { name: 'Provider statistics' });
      await stats.getByTestId('stats-savings').waitFor();
      assert.equal(
        plain(await stats.getByTestId('stats-savings').textContent()),
        "Not asked again: 3 albums' artwork and 40 tracks' lyrics (nothing found recently); 12 albums' artwork found on disk",
      );
      assert.equal(await stats.locator('[data-total="runs"] dd').textContent(), '3');
      assert.equal(await stats.locator('[data-total="requests"] dd').textContent(), '886');
      const allTime = stats.getByRole('table', { name: 'Every run added up, per provider' });
      assert.equal(
        plain(await allTime.locator('tr[data-provider="lrclib"] [data-figure="requests"]').textContent()),
        '418',
      );
      assert.equal(
        plain(await allTime.locator('tr[data-provider="lrclib"] [data-figure="found"]').textContent()),
        '342',
      );
      const runs = stats.getByRole('table', { name: 'The 3 runs, newest first' });
      assert.deepEqual((await runs.locator('tbody tr td:nth-child(2)').allTextContents()).map(plain), [
        'Interrupted',
        '18 min',
        '42 min',
      ]);
      assert.equal(
        plain(await runs.locator('tbody tr').first().locator('td').nth(2).textContent()),
        'LRCLIB 322MusicBrainz 140Cover Art Archive 250Deezer 40 + 12 images',
      );
      await stats.scrollIntoViewIfNeeded();
      await screenshot(page, 'enrich-statistics.png');
      // Continue the interrupted job: once it ended, its run has an end and more requests.
      await page.getByTestId('last-run').getByRole('button', { name: 'Continue' }).click();
      await status(page).getByText('Finished', { exact: true }).waitFor({ timeout: 30_000 });
      await runs
        .locator('tbody tr')
        .first()
        .locator('td')
        .first()
        .getByText(/^\d+ (s|min|h)\b/)
        .waitFor();
      assert.equal(await stats.locator('[data-total="runs"] dd').textContent(), '3');
      assert.ok(leadingNumber(await stats.locator('[data-total="requests"] dd').textContent()) > 886);
    });
  });
});

describe('settings view', () => {
  it('previews what write-back would write and where, by keyboard, before saving', { timeout: TIMEOUT }, async () => {
    await withApp('', { view: 'Settings' }, async ({ page }) => {
      const select = page.getByLabel('Write back');
      await select.waitFor();
      assert.equal(await button(page, 'Preview').count(), 0, 'no preview while write-back is off');
      await select.selectOption('sidecar');
      // By keyboard: Tab from the select reaches Preview, Enter asks.
      await select.focus();
      await page.keyboard.press('Tab');
      assert.equal(await button(page, 'Preview').evaluate((el) => el === document.activeElement), true);
      await page.keyboard.press('Enter');
      const preview = page.getByRole('region', { name: 'What Sidecar files would write now' });
      await preview.waitFor();
      await page
        .getByRole('status')
        .getByText(/^Preview ready: Sidecar files would write [\d,]+ files, skip [\d,]+\.$/)
        .waitFor();
      assert.match(plain(await preview.textContent()), /nothing was written/);
      const written = Number(
        ((await preview.locator('[data-count="written"] dd').textContent()) ?? '').replace(/,/g, ''),
      );
      assert.ok(written > 0);
      const files = preview.getByRole('region', { name: 'Files Sidecar files would write' });
      // Folder by folder, in order; each file with what goes in it.
      const folders = await files
        .locator('[data-folder]')
        .evaluateAll((els) => els.map((el) => el.getAttribute('data-folder') ?? ''));
      assert.ok(folders.length > 5);
      assert.deepEqual(
        folders,
        [...folders].sort((a, b) => a.localeCompare(b, 'en-US', { numeric: true })),
      );
      const cover = files.locator('li.file[data-target="cover_file"][data-outcome="would_write"]').first();
      assert.match(plain(await cover.textContent()), /^cover\.(jpg|png) Cover file Would write$/);
      const lyrics = files.locator('li.file[data-target="lyrics_file"][data-outcome="would_write"]').first();
      assert.match(plain(await lyrics.textContent()), /^\d+ .+\.(lrc|txt) Lyrics file Would write$/);
      const skipped = files.locator('li.file[data-outcome="skipped"]').first();
      assert.match(plain(await skipped.locator('.reason').textContent()), /.+/);
      // The default library: every file listed.
      assert.equal(await preview.getByTestId('write-back-more').count(), 0);
      // Nothing saved by a preview.
      await page.getByTestId('unsaved').waitFor();
      await preview.scrollIntoViewIfNeeded();
      await screenshot(page, 'settings-write-back-preview.png');

      await page.setViewportSize({ width: 800, height: 600 });
      const overflow = await horizontalOverflow(page);
      assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px at 800x600`);
      await preview.scrollIntoViewIfNeeded();
      await screenshot(page, 'settings-write-back-preview-800x600.png');

      // Another mode: the sidecar preview goes; embedding writes into the tracks themselves.
      await select.selectOption('embed');
      assert.equal(await preview.count(), 0);
      await button(page, 'Preview').click();
      const embed = page.getByRole('region', { name: 'What Embed in tags would write now' });
      await embed.waitFor();
      assert.ok((await embed.getByText('Cover in the tags').count()) > 0);
      // More than 200 files: "and N more".
      assert.match(plain(await embed.getByTestId('write-back-more').textContent()), /^and [\d,]+ more files/);
      await select.selectOption('off');
      assert.equal(await page.getByTestId('write-back-preview').count(), 0);
    });
  });

  it('says "and N more" for a big library, and "Nothing to write" for an empty one', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=big', { view: 'Settings' }, async ({ page }) => {
      await page.getByLabel('Write back').selectOption('sidecar');
      await button(page, 'Preview').click();
      const preview = page.getByRole('region', { name: 'What Sidecar files would write now' });
      await preview.waitFor();
      assert.equal(await preview.locator('li.file').count(), 200);
      assert.match(plain(await preview.getByTestId('write-back-more').textContent()), /^and [\d,]+ more files/);
    });
    await withApp('?fake=empty', { view: 'Settings' }, async ({ page }) => {
      await page.getByLabel('Write back').selectOption('sidecar');
      await button(page, 'Preview').click();
      const empty = page.getByTestId('write-back-empty');
      await empty.waitFor();
      assert.match(plain(await empty.textContent()), /^Nothing to write: /);
      assert.equal(await page.getByTestId('write-back-files').count(), 0);
    });
  });

  it('refuses invalid values inline, saves valid ones, and loads them back', { timeout: TIMEOUT }, async () => {
    await withApp('', async ({ page }) => {
      await nav(page, 'Settings').click();
      assert.equal(await nav(page, 'Settings').getAttribute('aria-current'), 'page');
      // The engine internals are under "Advanced", collapsed at first.
      const concurrent = page.getByLabel('Max concurrent', { exact: true });
      await page.getByTestId('settings-advanced').waitFor();
      assert.equal(await concurrent.isVisible(), false);
      await openAdvanced(page);
      await concurrent.waitFor();
      assert.equal(await concurrent.inputValue(), '5');
      const save = button(page, 'Save');
      assert.equal(await save.isDisabled(), true, 'nothing to save yet');

      await concurrent.fill('100');
      const block = page.locator('[data-setting="max_concurrent"]');
      await block.getByText('Between 1 and 64', { exact: true }).waitFor();
      assert.equal(await concurrent.getAttribute('aria-invalid'), 'true');
      assert.equal(await save.isDisabled(), true);
      await page.getByLabel('Batch size', { exact: true }).fill('0');
      await page.locator('[data-setting="batch_size"]').getByText('Between 1 and 10,000').waitFor();
      await screenshot(page, 'settings.png', { fullPage: true });
      // Enter in a field does not save either.
      await concurrent.press('Enter');
      await page.getByLabel('Batch size', { exact: true }).fill('200');

      await concurrent.fill('12');
      assert.equal(await block.getByText('Between 1 and 64').count(), 0);
      await page.getByLabel('Only on WiFi').check();
      assert.equal(await save.isEnabled(), true);
      await save.click();
      await page.getByText('Settings saved.').waitFor();

      // The fake keeps settings in memory: leave and come back instead of reloading.
      await nav(page, 'Enrichment').click();
      assert.equal(await page.getByLabel('Max concurrent', { exact: true }).isVisible(), false);
      await nav(page, 'Settings').click();
      await page.getByLabel('Max concurrent', { exact: true }).waitFor();
      assert.equal(await page.getByLabel('Max concurrent', { exact: true }).inputValue(), '12');
      assert.equal(await page.getByLabel('Batch size', { exact: true }).inputValue(), '200');
      assert.equal(await page.getByLabel('Only on WiFi').isChecked(), true);
      assert.equal(await page.getByLabel('Max retries', { exact: true }).inputValue(), '3');
    });
  });

  it('edits providers: invalid values block the save, the order persists', { timeout: TIMEOUT }, async () => {
    await withApp('', async ({ page }) => {
      await nav(page, 'Settings').click();
      const providers = page.getByRole('list', { name: 'Providers in priority order' });
      await providers.waitFor();
      const order = () =>
        page.locator('[data-provider]').evaluateAll((els) => els.map((el) => el.getAttribute('data-provider')));
      // The scarce iTunes is asked last.
      assert.deepEqual(await order(), ['lrclib', 'musicbrainz', 'coverartarchive', 'deezer', 'itunes']);
      // Paces read naturally: iTunes' third of a request a second is 20 a minute.
      assert.equal(await page.getByLabel('itunes requests per minute').inputValue(), '20');
      assert.equal(await page.getByLabel('itunes pace unit').inputValue(), 'minute');
      assert.equal(await page.getByLabel('lrclib requests per second').inputValue(), '5');
      // Requests at once, each provider's own.
      assert.equal(await page.getByLabel('lrclib requests at once').inputValue(), '2');
      assert.equal(await page.getByLabel('coverartarchive requests at once').inputValue(), '4');
      assert.equal(await page.getByLabel('itunes requests at once').inputValue(), '1');

      await page.getByRole('button', { name: 'Move deezer up' }).click();
      assert.deepEqual(await order(), ['lrclib', 'musicbrainz', 'deezer', 'coverartarchive', 'itunes']);
      await page.getByLabel('Use itunes').uncheck();

      // Invalid values: messages under the fields, Save off, Enter saves nothing.
      const url = page.getByLabel('deezer base URL');
      await url.fill('api.deezer.com');
      const deezer = page.locator('[data-provider="deezer"]');
      await deezer.getByText('Enter an http:// or https:// address with a host name').waitFor();
      const rate = page.getByLabel('lrclib requests per second');
      await rate.fill('0');
      await page.locator('[data-provider="lrclib"]').getByText('Must be above 0, at most 1,000').waitFor();
      const atOnce = page.getByLabel('musicbrainz requests at once');
      await atOnce.fill('65');
      await page.locator('[data-provider="musicbrainz"]').getByText('Between 1 and 64').waitFor();
      assert.equal(await atOnce.getAttribute('aria-invalid'), 'true');
      await openAdvanced(page);
      await page.getByLabel('Max retries', { exact: true }).fill('4');
      assert.equal(await button(page, 'Save').isDisabled(), true);
      await rate.press('Enter');
      await screenshot(page, 'settings-providers.png', { fullPage: true });
      // Leaving with unsaved (and invalid) edits asks: Discard or Stay, no Save.
      await nav(page, 'Enrichment').click();
      const dialog = page.getByRole('dialog', { name: 'Unsaved settings' });
      await dialog.waitFor();
      assert.deepEqual(await dialog.getByRole('button').allTextContents(), ['Discard', 'Stay']);
      await dialog.getByRole('button', { name: 'Discard' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await nav(page, 'Enrichment').getAttribute('aria-current'), 'page');
      await nav(page, 'Settings').click();
      // Nothing was saved: neither the settings nor the providers.
      await providers.waitFor();
      assert.deepEqual(await order(), ['lrclib', 'musicbrainz', 'coverartarchive', 'deezer', 'itunes']);
      assert.equal(await page.getByLabel('Max retries', { exact: true }).inputValue(), '3');
      assert.equal(await page.getByLabel('musicbrainz requests at once').inputValue(), '1');

      // Valid: saved, and loaded back in the same order.
      await page.getByRole('button', { name: 'Move itunes up' }).click();
      await page.getByLabel('Use itunes').uncheck();
      // A self-hosted LRCLIB can take more at once.
      await page.getByLabel('lrclib requests at once').fill('16');
      await page.getByLabel('deezer base URL').fill('https://deezer.example/api');
      await page.getByLabel('lrclib requests per second').fill('2.5');
      // Deezer per minute: 300 a minute is saved as 5 a second.
      await page.getByLabel('deezer pace unit').selectOption('minute');
      assert.equal(await page.getByLabel('deezer requests per minute').inputValue(), '600');
      await page.getByLabel('deezer requests per minute').fill('300');
      // Leaving asks; Save saves and goes on.
      await nav(page, 'Library').click();
      const dialog2 = page.getByRole('dialog', { name: 'Unsaved settings' });
      await dialog2.getByRole('button', { name: 'Save' }).click();
      await dialog2.waitFor({ state: 'detached' });
      assert.equal(await nav(page, 'Library').getAttribute('aria-current'), 'page');
      await nav(page, 'Settings').click();
      await providers.waitFor();
      assert.deepEqual(await order(), ['lrclib', 'musicbrainz', 'coverartarchive', 'itunes', 'deezer']);
      assert.equal(await page.getByLabel('Use itunes').isChecked(), false);
      assert.equal(await page.getByLabel('lrclib requests at once').inputValue(), '16');
      assert.equal(await page.getByLabel('deezer requests at once').inputValue(), '2');
      assert.equal(await page.getByLabel('deezer base URL').inputValue(), 'https://deezer.example/api');
      assert.equal(await page.getByLabel('lrclib requests per second').inputValue(), '2.5');
      assert.equal(await page.getByLabel('itunes requests per minute').inputValue(), '20');
      assert.equal(await page.getByLabel('deezer requests per second').inputValue(), '5');
      assert.equal(await page.getByTestId('unsaved').count(), 0);
    });
  });
});
