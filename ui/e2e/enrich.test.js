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

      // Pause: the bar stops and Resume is the way on.
      await button(page, 'Pause').click();
      await status(page).getByText('Paused', { exact: true }).waitFor();
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
      assert.match(cells[3], /coverartarchive|musicbrainz|lrclib|no answer within 30 s/);
      assert.match(cells[4], /^\d+$/);
      const failed = Number(await page.locator('[data-job-stat="failed"] dd').textContent());
      assert.ok(failed > 0, 'some tracks failed');
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

  it('cancels a job', { timeout: TIMEOUT }, async () => {
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

  it('fits an 800x600 window mid-run without horizontal scrolling', { timeout: TIMEOUT }, async () => {
    await withApp('', { viewport: { width: 800, height: 600 } }, async ({ page }) => {
      await button(page, 'Enrich library').click();
      await waitForPercent(page, 20);
      const overflow = await horizontalOverflow(page);
      assert.ok(overflow <= 0, `horizontal overflow of ${overflow}px`);
      await screenshot(page, 'enrich-800x600.png');
    });
  });

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

  it('tells what the write-back did after a job', { timeout: TIMEOUT }, async () => {
    await withApp('', async ({ page }) => {
      await nav(page, 'Settings').click();
      await page.getByLabel('Write back').selectOption('sidecar');
      await page.getByText('Writes cover.jpg into album folders').waitFor();
      await button(page, 'Save').click();
      await page.getByText('Settings saved.').waitFor();
      await nav(page, 'Enrichment').click();
      await button(page, 'Enrich library').click();
      await waitForPercent(page, 100);
      const line = page.getByTestId('write-back');
      await line.waitFor();
      assert.match((await line.textContent()) ?? '', /^Wrote [\d,]+ files beside your music; 1 skipped, 0 failed$/);
    });
  });
});

describe('settings view', () => {
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
      assert.deepEqual(await order(), ['lrclib', 'musicbrainz', 'coverartarchive', 'itunes', 'deezer']);
      // Paces read naturally: iTunes' third of a request a second is 20 a minute.
      assert.equal(await page.getByLabel('itunes requests per minute').inputValue(), '20');
      assert.equal(await page.getByLabel('itunes pace unit').inputValue(), 'minute');
      assert.equal(await page.getByLabel('lrclib requests per second').inputValue(), '5');

      await page.getByRole('button', { name: 'Move deezer up' }).click();
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
      assert.deepEqual(await order(), ['lrclib', 'musicbrainz', 'coverartarchive', 'itunes', 'deezer']);
      assert.equal(await page.getByLabel('Max retries', { exact: true }).inputValue(), '3');

      // Valid: saved, and loaded back in the same order.
      await page.getByRole('button', { name: 'Move deezer up' }).click();
      await page.getByLabel('Use itunes').uncheck();
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
      assert.deepEqual(await order(), ['lrclib', 'musicbrainz', 'coverartarchive', 'deezer', 'itunes']);
      assert.equal(await page.getByLabel('Use itunes').isChecked(), false);
      assert.equal(await page.getByLabel('deezer base URL').inputValue(), 'https://deezer.example/api');
      assert.equal(await page.getByLabel('lrclib requests per second').inputValue(), '2.5');
      assert.equal(await page.getByLabel('itunes requests per minute').inputValue(), '20');
      assert.equal(await page.getByLabel('deezer requests per second').inputValue(), '5');
      assert.equal(await page.getByTestId('unsaved').count(), 0);
    });
  });
});
