// @ts-check
// WCAG 2 A and AA, contrast included, checked with axe-core in both colour schemes on the
// welcome view, the library grid, an album with synced lyrics, the enrichment panel with
// failures and the settings view. axe.min.js from node_modules is evaluated in the page through
// the DevTools protocol: `page.addScriptTag({ path })` inserts it as an inline <script>, which
// the app's CSP (`default-src 'self'`, as in the Tauri shell) rightly refuses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { TIMEOUT, openApp, startHarness, waitForPercent } from './harness.js';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** @type {Awaited<ReturnType<typeof startHarness>> | undefined} */
let harness;

before(async () => {
  harness = await startHarness();
});

after(async () => {
  await harness?.close();
});

/** @param {import('playwright-core').Page} page @param {string} name */
function nav(page, name) {
  return page.getByRole('navigation').getByRole('button', { name, exact: true });
}

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
      nodes: v.nodes.slice(0, 5).map((/** @type {any} */ n) => `${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  });
  if (violations.length > 0) {
    console.log(`axe violations on ${where}:\n${JSON.stringify(violations, null, 2)}`);
  }
  assert.deepEqual(violations, [], `${where}: ${violations.map((v) => v.id).join(', ')}`);
}

for (const colorScheme of /** @type {const} */ (['dark', 'light'])) {
  describe(`accessibility, ${colorScheme} scheme`, () => {
    /** @param {string} query @param {{ width: number, height: number }} [viewport] */
    function open(query, viewport) {
      assert.ok(harness, 'setup failed');
      return openApp(harness, query, viewport, { colorScheme });
    }

    it('the welcome view, the import and the offer to enrich', { timeout: TIMEOUT }, async () => {
      const { context, page, problems } = await open('?fake=empty');
      try {
        await page.getByRole('heading', { name: 'Welcome to Gatefold' }).waitFor();
        // The system scheme is followed.
        const scheme = await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme);
        assert.equal(scheme, colorScheme);
        await assertAccessible(page, `welcome (${colorScheme})`);
        await page.getByRole('button', { name: 'Choose your music folder', exact: true }).click();
        await page.getByRole('button', { name: 'Find artwork and lyrics' }).waitFor();
        await page.getByTestId('welcome').getByTestId('scan-report').waitFor();
        await assertAccessible(page, `welcome offer (${colorScheme})`);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    it('the library grid and an album with synced lyrics', { timeout: TIMEOUT }, async () => {
      const { context, page, problems } = await open('');
      try {
        const cards = page.locator('[aria-label="Albums"] [data-album-id]');
        await cards.first().waitFor();
        await assertAccessible(page, `library (${colorScheme})`);
        // An album with a synced track, its lyrics open.
        const detail = page.getByTestId('album-detail');
        let found = false;
        for (let i = 0; i < 12 && !found; i += 1) {
          await cards.nth(i).locator('button.open').click();
          await detail.getByRole('table').waitFor();
          const synced = detail.locator('tr', { has: page.locator('[data-lyrics="synced"]') });
          if ((await synced.count()) > 0) {
            found = true;
            await synced.first().locator('.track-open').click();
          } else {
            await detail.getByRole('button', { name: '← All albums' }).click();
          }
        }
        assert.ok(found, 'an album with synced lyrics');
        await page.getByRole('list', { name: 'Synced lyrics' }).waitFor();
        await assertAccessible(page, `album with lyrics (${colorScheme})`);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });

    it('the enrichment panel with failures, and the job bar', { timeout: TIMEOUT }, async () => {
      const { context, page, problems } = await open('?fake=xss');
      try {
        await nav(page, 'Enrichment').click();
        await page.getByRole('button', { name: 'Enrich library', exact: true }).click();
        await waitForPercent(page, 100);
        await page.locator('[aria-label="Failures"] [data-failure]').first().waitFor();
        await assertAccessible(page, `enrichment with failures (${colorScheme})`);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
      // The header's job bar, from the Library, while a job runs (paused, so it stays).
      const midjob = await open('?fake=midjob');
      try {
        const bar = midjob.page.getByTestId('job-bar');
        await bar.getByRole('button', { name: 'Pause' }).click();
        await bar.getByRole('button', { name: 'Resume' }).waitFor();
        await assertAccessible(midjob.page, `job bar (${colorScheme})`);
        assert.deepEqual(midjob.problems, []);
      } finally {
        await midjob.context.close();
      }
    });

    it('the settings view, with an invalid value and the leave dialog', { timeout: TIMEOUT }, async () => {
      const { context, page, problems } = await open('');
      try {
        await nav(page, 'Settings').click();
        await page.getByRole('list', { name: 'Providers in priority order' }).waitFor();
        await assertAccessible(page, `settings (${colorScheme})`);
        await page.getByTestId('settings-advanced').locator('summary').click();
        await page.getByLabel('Max concurrent', { exact: true }).fill('100');
        await page.locator('[data-setting="max_concurrent"]').getByText('Between 1 and 64').waitFor();
        await assertAccessible(page, `settings with an error (${colorScheme})`);
        await nav(page, 'Library').click();
        await page.getByRole('dialog', { name: 'Unsaved settings' }).waitFor();
        await assertAccessible(page, `leave dialog (${colorScheme})`);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  });
}
