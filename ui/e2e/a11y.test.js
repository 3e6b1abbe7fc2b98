// @ts-check
// WCAG 2 A and AA, contrast included, checked with axe-core in both colour schemes on the
// welcome view, the library grid, an album with synced lyrics, the enrichment panel with
// failures (one open, filtered), the run summary and the Providers card (live and after a run,
// as a table and as definition rows), the provider statistics, the write-back card after a run,
// the wait for the network (panel and job bar), the last run after a restart, and the settings
// view (a URL from the environment, a provider's requests at once out of range, the write-back
// preview and its empty state too), the music folders (a folder added and its import, a refusal,
// the removal's confirm dialog and its outcome), a watch that polls (its warning in Settings and
// its note on the Library) and an album's "Enrich this album now" with its outcome.
// axe.min.js from node_modules is evaluated in the page through the DevTools protocol:
// `page.addScriptTag({ path })` inserts it as an inline <script>, which the app's CSP
// (`default-src 'self'`, as in the Tauri shell) rightly refuses.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  TIMEOUT,
  albumCards,
  button,
  nav,
  openAdvanced,
  openSyncedLyrics,
  useHarness,
  waitForPercent,
} from './harness.js';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const { withApp } = useHarness();

/**
 * Runs axe (WCAG 2 A and AA rules) on the page as shown and fails with every violation listed.
 * @param {import('playwright-core').Page} page
 * @param {string} where
 */
async function assertAccessible(page, where) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(await readFile(AXE_PATH, 'utf8'));
  // Let transitions (the progress bar's) settle, so colours are measured as they end up.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  /** @type {{ id: string, impact: string, help: string, nodes: string[] }[]} */
  const violations = await page.evaluate(async () => {
    const axe = /** @type {any} */ (window).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return result.violations.map((/** @type {any} */ v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes
        .slice(0, 5)
        .map((/** @type {any} */ n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  });
  if (violations.length > 0) {
    console.log(`axe violations on ${where}:\n${JSON.stringify(violations, null, 2)}`);
  }
  assert.deepEqual(violations, [], `${where}: ${violations.map((v) => v.id).join(', ')}`);
}

for (const colorScheme of /** @type {const} */ (['dark', 'light'])) {
  describe(`accessibility, ${colorScheme} scheme`, () => {
    it('the welcome view, the import and the offer to enrich', { timeout: TIMEOUT }, async () => {
      await withApp('?fake=empty', { colorScheme }, async ({ page }) => {
        await page.getByRole('heading', { name: 'Welcome to Gatefold' }).waitFor();
        // The system scheme is followed.
        const scheme = await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme);
        assert.equal(scheme, colorScheme);
        await assertAccessible(page, `welcome (${colorScheme})`);
        await button(page, 'Choose your music folder').click();
        await page.getByRole('button', { name: 'Find artwork and lyrics' }).waitFor();
        await page.getByTestId('welcome').getByTestId('scan-report').waitFor();
        await assertAccessible(page, `welcome offer (${colorScheme})`);
      });
    });

    it('the library grid and an album with synced lyrics', { timeout: TIMEOUT }, async () => {
      await withApp('', { colorScheme }, async ({ page }) => {
        await albumCards(page).first().waitFor();
        await assertAccessible(page, `library (${colorScheme})`);
        // An album with a synced track, its lyrics open.
        assert.ok(await openSyncedLyrics(page, 12), 'an album with synced lyrics');
        await page.getByRole('list', { name: 'Synced lyrics' }).waitFor();
        await assertAccessible(page, `album with lyrics (${colorScheme})`);
      });
    });

    it('the enrichment panel with failures, and the job bar', { timeout: TIMEOUT }, async () => {
      await withApp('?fake=xss', { colorScheme }, async ({ page }) => {
        await nav(page, 'Enrichment').click();
        await button(page, 'Enrich library').click();
        await waitForPercent(page, 100);
        await page.locator('[aria-label="Failures"] [data-failure]').first().waitFor();
        // The run's summary card (its sources, what is missing with its links, the requests table).
        await page.getByRole('region', { name: 'Run summary' }).getByRole('table', { name: 'Requests' }).waitFor();
        // The run's Providers card, and the statistics with the run in them.
        await page
          .getByRole('region', { name: 'Providers' })
          .getByRole('table', { name: 'Requests and answers per provider in this run' })
          .waitFor();
        await page
          .getByRole('region', { name: 'Provider statistics' })
          .getByRole('table', { name: 'The run, newest first' })
          .waitFor();
        await assertAccessible(page, `enrichment with failures, the run summary and providers (${colorScheme})`);
        // A failure open, with its actions and a refusal in plain words; a filter in use.
        await page.locator('[aria-label="Failures"] [data-failure] button.expand').first().click();
        const detail = page.getByTestId('failure-detail');
        await detail.waitFor();
        await detail.getByRole('button', { name: 'Open folder' }).click();
        await detail.getByRole('status').waitFor();
        await assertAccessible(page, `enrichment, a failure open (${colorScheme})`);
        await page.getByLabel('Cause', { exact: true }).selectOption('throttled');
        await page.getByTestId('failure-shown').waitFor();
        await assertAccessible(page, `enrichment, failures filtered (${colorScheme})`);
      });
      // After a restart: the last run, interrupted (with Continue), or run by the command line.
      for (const scenario of ['interrupted', 'elsewhere']) {
        await withApp(`?fake=${scenario}`, { colorScheme, view: 'Enrichment' }, async ({ page }) => {
          await page.getByTestId('last-run').waitFor();
          await assertAccessible(page, `last run, ${scenario} (${colorScheme})`);
        });
      }
      // Waiting for the network: the panel's status and hint, then the job bar from the Library
      // (each in its own window: the fake's outage lasts a few seconds).
      await withApp('?fake=offline', { colorScheme, view: 'Enrichment' }, async ({ page }) => {
        await button(page, 'Enrich library').click();
        await page.getByTestId('network-hint').waitFor();
        await assertAccessible(page, `enrichment waiting for the network (${colorScheme})`);
      });
      await withApp('?fake=offline', { colorScheme, view: 'Enrichment' }, async ({ page }) => {
        await button(page, 'Enrich library').click();
        await page.getByTestId('network-hint').waitFor();
        await nav(page, 'Library').click();
        await page.getByTestId('job-bar').getByText('Waiting for the network', { exact: true }).waitFor();
        await assertAccessible(page, `job bar waiting for the network (${colorScheme})`);
      });
      // The write-back after a run: its card with written, skipped, failed and removed files.
      await withApp('?fake=writeback', { colorScheme, view: 'Enrichment' }, async ({ page }) => {
        await button(page, 'Enrich library').click();
        const card = page.getByRole('region', { name: 'Write-back' });
        await card.locator('li.file[data-outcome="failed"]').waitFor({ timeout: 30_000 });
        await assertAccessible(page, `enrichment with the write-back card (${colorScheme})`);
      });
      // The Providers card live (a job already running when the window opened, paused so it
      // stays), wide and narrow (its definition rows), and the statistics of earlier runs.
      for (const viewport of [undefined, { width: 800, height: 600 }]) {
        const size = viewport ? `${viewport.width}×${viewport.height}` : 'default size';
        await withApp('?fake=midjob', { colorScheme, view: 'Enrichment', viewport }, async ({ page }) => {
          const card = page.getByRole('region', { name: 'Providers' });
          await card.locator('[data-provider="lrclib"]').first().waitFor({ state: 'attached' });
          await button(page, 'Pause').click();
          await button(page, 'Resume').waitFor();
          await card.getByText('Paused: the counts so far').waitFor();
          const shown = viewport ? card.getByRole('list') : card.getByRole('table');
          assert.equal(await shown.isVisible(), true, `the card's ${viewport ? 'list' : 'table'} at ${size}`);
          await assertAccessible(page, `the live Providers card at ${size} (${colorScheme})`);
        });
        await withApp('?fake=interrupted', { colorScheme, view: 'Enrichment', viewport }, async ({ page }) => {
          await page.getByTestId('stats-savings').waitFor();
          await assertAccessible(page, `provider statistics at ${size} (${colorScheme})`);
        });
      }
      // The header's job bar, from the Library, while a job runs (paused, so it stays).
      await withApp('?fake=midjob', { colorScheme }, async ({ page }) => {
        const bar = page.getByTestId('job-bar');
        await bar.getByRole('button', { name: 'Pause' }).click();
        await bar.getByRole('button', { name: 'Resume' }).waitFor();
        await assertAccessible(page, `job bar (${colorScheme})`);
      });
    });

    it('the music folders, a polled watch, and enriching an album now', { timeout: TIMEOUT }, async () => {
      await withApp('?fake=folders', { colorScheme, view: 'Settings' }, async ({ page }) => {
        const section = page.getByRole('region', { name: 'Music folders' });
        await section.getByText('Watching 2 folders for new music').waitFor();
        await assertAccessible(page, `music folders (${colorScheme})`);
        // A folder added, imported; then the same one refused under the list.
        await button(page, 'Add folder…').click();
        await section.getByTestId('scan-report').waitFor();
        await button(page, 'Add folder…').click();
        await section.getByTestId('music-folder-error').waitFor();
        await assertAccessible(page, `music folders, an import and a refusal (${colorScheme})`);
        // The confirm dialog, then what the removal did.
        await page.getByRole('button', { name: 'Remove /media/me/USB Drive/Vinyl rips' }).click();
        await page.getByRole('dialog', { name: 'Remove this music folder?' }).waitFor();
        await assertAccessible(page, `remove folder dialog (${colorScheme})`);
        await button(page, 'Remove folder').click();
        await section.getByTestId('music-folder-removed').waitFor();
        await assertAccessible(page, `music folders, one removed (${colorScheme})`);
        // The watch's import of new music on the Library view.
        await nav(page, 'Library').click();
        await page.getByTestId('watch-import').waitFor({ timeout: 15_000 });
        await assertAccessible(page, `library, the watch's import (${colorScheme})`);
      });
      await withApp('?fake=polling', { colorScheme }, async ({ page }) => {
        await page.getByTestId('library-watch-polling').waitFor();
        await assertAccessible(page, `library, a polled watch (${colorScheme})`);
        await nav(page, 'Settings').click();
        const warning = page.getByTestId('watch-polling');
        await warning.waitFor();
        await warning.getByRole('button', { name: 'Copy command' }).click();
        await warning
          .getByRole('status')
          .getByText(/^(Copied|Selected: press Ctrl\+C to copy it)$/)
          .waitFor();
        await assertAccessible(page, `settings, a polled watch (${colorScheme})`);
      });
      await withApp('?fake=midjob', { colorScheme }, async ({ page }) => {
        await albumCards(page).first().locator('button.open').click();
        const detail = page.getByTestId('album-detail');
        await detail.getByRole('table').waitFor();
        await detail.getByRole('button', { name: 'Enrich this album now' }).click();
        await detail.getByText('Moved to the front of the running job').waitFor();
        await assertAccessible(page, `album, enriched now (${colorScheme})`);
      });
      await withApp('?fake=elsewhere', { colorScheme }, async ({ page }) => {
        await albumCards(page).first().locator('button.open').click();
        const detail = page.getByTestId('album-detail');
        await detail.getByRole('button', { name: 'Enrich this album now' }).click();
        await detail.getByText('job_already_running').waitFor();
        await assertAccessible(page, `album, not enriched now (${colorScheme})`);
      });
    });

    it('the settings view, with an invalid value and the leave dialog', { timeout: TIMEOUT }, async () => {
      await withApp('', { colorScheme }, async ({ page }) => {
        await nav(page, 'Settings').click();
        await page.getByRole('list', { name: 'Providers in priority order' }).waitFor();
        assert.equal(await page.getByLabel('lrclib requests at once').isVisible(), true);
        await assertAccessible(page, `settings (${colorScheme})`);
        // A provider's requests at once out of range: the field marked, its message under it.
        await page.getByLabel('lrclib requests at once').fill('65');
        await page.locator('[data-provider="lrclib"]').getByText('Between 1 and 64').waitFor();
        await assertAccessible(page, `settings with requests at once out of range (${colorScheme})`);
        await page.getByLabel('lrclib requests at once').fill('2');
        await openAdvanced(page);
        await page.getByLabel('Max concurrent', { exact: true }).fill('100');
        await page.locator('[data-setting="max_concurrent"]').getByText('Between 1 and 64').waitFor();
        await assertAccessible(page, `settings with an error (${colorScheme})`);
        await nav(page, 'Library').click();
        await page.getByRole('dialog', { name: 'Unsaved settings' }).waitFor();
        await assertAccessible(page, `leave dialog (${colorScheme})`);
      });
      // The write-back preview: the files by folder, skipped ones with their reasons; and the
      // empty state of a library with nothing to write.
      await withApp('', { colorScheme, view: 'Settings' }, async ({ page }) => {
        await page.getByLabel('Write back').selectOption('sidecar');
        await button(page, 'Preview').click();
        await page
          .getByRole('region', { name: 'What Sidecar files would write now' })
          .locator('li.file[data-outcome="skipped"]')
          .first()
          .waitFor();
        await assertAccessible(page, `settings, the write-back preview (${colorScheme})`);
      });
      await withApp('?fake=empty', { colorScheme, view: 'Settings' }, async ({ page }) => {
        await page.getByLabel('Write back').selectOption('embed');
        await button(page, 'Preview').click();
        await page.getByTestId('write-back-empty').waitFor();
        await assertAccessible(page, `settings, nothing to write (${colorScheme})`);
      });
      // A provider whose saved URL an environment variable replaces.
      await withApp('?fake=override', { colorScheme, view: 'Settings' }, async ({ page }) => {
        await page
          .locator('[data-provider="lrclib"] [data-testid="url-in-use"]')
          .getByText('GATEFOLD_LRCLIB_URL')
          .waitFor();
        await assertAccessible(page, `settings, a URL from the environment (${colorScheme})`);
      });
    });
  });
}
