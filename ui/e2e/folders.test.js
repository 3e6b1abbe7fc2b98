// @ts-check
// End-to-end check of the music folders and their watch on the fake backend, in the production
// build under the app's CSP: adding a folder in Settings (imported with the scan's progress),
// what the engine refuses, removing one after the confirm dialog, the watch's import of new
// music told on the Library view, and a watch that polls because the system cannot watch every
// folder (`?fake=polling`). Run with `npm run e2e`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TIMEOUT, albumCards, button, nav, screenshot, useHarness } from './harness.js';

const { withApp } = useHarness();

const USB = '/media/me/USB Drive/Vinyl rips';
const NAS = '/mnt/nas/Music';

/**
 * The music folders listed in Settings.
 * @param {import('playwright-core').Page} page
 */
async function folders(page) {
  return page.getByRole('list', { name: 'Music folders' }).locator('li code').allTextContents();
}

/**
 * The album count the Library view shows ("48 albums").
 * @param {import('playwright-core').Page} page
 */
async function albumCount(page) {
  return ((await page.getByTestId('album-count').textContent()) ?? '').trim();
}

describe('music folders', () => {
  it(
    'adds a folder in Settings, refuses it again, removes another, and hears the watch',
    { timeout: TIMEOUT },
    async () => {
      await withApp('?fake=folders', { view: 'Settings' }, async ({ page }) => {
        const section = page.getByRole('region', { name: 'Music folders' });
        await section.getByRole('list', { name: 'Music folders' }).waitFor();
        assert.deepEqual(await folders(page), ['/home/me/Music', USB]);
        await section.getByText('Watching 2 folders for new music').waitFor();

        // Add: the folder picker, then the import with its progress, right here.
        await button(page, 'Add folder…').click();
        await section.getByRole('progressbar', { name: 'Scan progress' }).waitFor();
        const report = section.getByTestId('scan-report');
        await report.waitFor();
        assert.match((await report.textContent()) ?? '', new RegExp(`Scanned\\s+${NAS}`));
        await section.getByText('Watching 3 folders for new music').waitFor();
        assert.deepEqual(await folders(page), ['/home/me/Music', USB, NAS]);

        // The same folder again: refused under the list, in the engine's words.
        await button(page, 'Add folder…').click();
        const error = section.getByTestId('music-folder-error');
        await error.waitFor();
        assert.match(
          (await error.textContent()) ?? '',
          /Could not add the folder:\s+\/mnt\/nas\/Music: is already in the library, as part of the music folder \/mnt\/nas\/Music/,
        );
        assert.equal(await error.getByText('invalid_music_folder').isVisible(), true);
        await screenshot(page, 'music-folders.png');

        // Remove: asked first; Cancel keeps it, then the removal says how many tracks left.
        await page.getByRole('button', { name: `Remove ${USB}` }).click();
        const dialog = page.getByRole('dialog', { name: 'Remove this music folder?' });
        await dialog.waitFor();
        assert.match(((await dialog.textContent()) ?? '').replace(/\s+/g, ' '), /The files stay on disk as they are/);
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialog.waitFor({ state: 'detached' });
        assert.deepEqual(await folders(page), ['/home/me/Music', USB, NAS]);
        await page.getByRole('button', { name: `Remove ${USB}` }).click();
        await dialog.getByRole('button', { name: 'Remove folder' }).click();
        const removed = section.getByTestId('music-folder-removed');
        await removed.waitFor();
        assert.match(
          ((await removed.textContent()) ?? '').replace(/\s+/g, ' '),
          /^Removed \/media\/me\/USB Drive\/Vinyl rips: \d+ tracks left the library\. The files were not touched\.$/,
        );
        assert.deepEqual(await folders(page), ['/home/me/Music', NAS]);
        await section.getByText('Watching 2 folders for new music').waitFor();

        // The Library counts what is left; the watch then finds an album of new music in the
        // folder added (3 s after it was added), and the Library shows it at once.
        await nav(page, 'Library').click();
        await albumCards(page).first().waitFor();
        const imported = page.getByTestId('watch-import');
        await imported.waitFor({ timeout: 15_000 });
        assert.match((await imported.textContent()) ?? '', /^\s*Imported \d+ new tracks from …\/.+, \d\d:\d\d/);
        // 48 albums, 4 of them on the USB drive gone, 6 from the NAS, and the new one.
        await page.getByTestId('album-count').getByText('51 albums').waitFor();
        assert.equal(await albumCount(page), '51 albums');
      });
    },
  );

  it('keeps “Enrich new music automatically” with the other settings', { timeout: TIMEOUT }, async () => {
    await withApp('', { view: 'Settings' }, async ({ page }) => {
      const box = page.getByLabel('Enrich new music automatically');
      assert.equal(await box.isChecked(), false);
      await box.check();
      await button(page, 'Save').click();
      await page.getByText('Settings saved.').waitFor();
      await nav(page, 'Library').click();
      await nav(page, 'Settings').click();
      assert.equal(await page.getByLabel('Enrich new music automatically').isChecked(), true);
    });
  });

  it('says when the folders are rescanned, not watched, and why (?fake=polling)', { timeout: TIMEOUT }, async () => {
    await withApp('?fake=polling', async ({ page }) => {
      const note = page.getByTestId('library-watch-polling');
      await note.waitFor();
      assert.match((await note.textContent()) ?? '', /New music is found by rescanning every 60 s/);
      await note.getByRole('button', { name: 'How to fix it' }).click();
      const warning = page.getByTestId('watch-polling');
      await warning.waitFor();
      assert.equal(await warning.isVisible(), true);
      assert.equal(
        await page.evaluate(() => document.activeElement?.id),
        'settings-music-folders',
        'the music folders have the focus',
      );
      assert.match(
        (await warning.getByTestId('watch-reason').textContent()) ?? '',
        /^The system cannot watch all 12408 music folders \(its limit, fs\.inotify\.max_user_watches, is 8192\)/,
      );
      assert.equal(
        await warning.getByTestId('watch-command').textContent(),
        'sudo sysctl fs.inotify.max_user_watches=524288',
      );
      assert.equal(
        ((await page.getByTestId('watch-status').textContent()) ?? '').trim(),
        'Not watching: rescanning 1 folder every 60 s for new music',
      );
      // Copied, or (no clipboard for this page) selected for Ctrl+C.
      await warning.getByRole('button', { name: 'Copy command' }).click();
      await warning
        .getByRole('status')
        .getByText(/^(Copied|Selected: press Ctrl\+C to copy it)$/)
        .waitFor();
      await screenshot(page, 'watch-polling.png');
    });
  });
});
