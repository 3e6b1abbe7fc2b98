// @ts-check
// Frame-time benchmark of the production build on `?fake=big`, in the same harness as the
// end-to-end tests (strict-CSP static server, Debian's chromium). It MEASURES and prints; it
// asserts nothing about time: frame times depend on the machine and on what else it is doing,
// so they are figures to compare between runs on one machine, not a pass/fail line.
//
//   npm --prefix ui run build && node ui/bench/frames.js     (or: npm --prefix ui run bench)
//
// Two runs: 10,000 failures streaming into the enrichment view (about 8 s), and scrolling,
// paging and searching the 10,000-album grid.
import { openApp, startHarness } from '../e2e/harness.js';

/**
 * Starts recording requestAnimationFrame deltas in the page.
 * @param {import('playwright-core').Page} page
 */
async function startRecording(page) {
  await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.__frames = [];
    w.__recording = true;
    let last = performance.now();
    const tick = (/** @type {number} */ now) => {
      w.__frames.push(now - last);
      last = now;
      if (w.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/**
 * Stops recording; the frame deltas, without the first (it includes the time before recording).
 * @param {import('playwright-core').Page} page
 * @returns {Promise<number[]>}
 */
async function stopRecording(page) {
  const frames = await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.__recording = false;
    return /** @type {number[]} */ (w.__frames);
  });
  return frames.slice(1);
}

/** @param {number[]} sorted @param {number} q */
function quantile(sorted, q) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

/**
 * @param {string} what
 * @param {number[]} frames
 * @param {number} elapsedMs
 */
function report(what, frames, elapsedMs) {
  const sorted = [...frames].sort((a, b) => a - b);
  const ms = (/** @type {number} */ n) => `${n.toFixed(1)} ms`;
  const over = (/** @type {number} */ limit) => frames.filter((f) => f > limit).length;
  console.log(`${what}`);
  console.log(`  ${frames.length} frames in ${(elapsedMs / 1000).toFixed(1)} s`);
  console.log(
    `  frame time: median ${ms(quantile(sorted, 0.5))}, p95 ${ms(quantile(sorted, 0.95))}, ` +
      `max ${ms(sorted.at(-1) ?? 0)}`,
  );
  console.log(`  frames over 50 ms: ${over(50)}, over 100 ms: ${over(100)}`);
}

/** @param {Awaited<ReturnType<typeof startHarness>>} harness */
async function streamFailures(harness) {
  const { context, page } = await openApp(harness, '?fake=big');
  try {
    await page.getByRole('button', { name: 'Enrichment', exact: true }).click();
    await page.getByTestId('failure-count').getByText('0', { exact: true }).waitFor();
    await startRecording(page);
    const started = Date.now();
    await page.getByRole('button', { name: 'Enrich library', exact: true }).click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="job-status"]')?.textContent?.includes('Finished'),
      undefined,
      { timeout: 120_000 },
    );
    const elapsed = Date.now() - started;
    const frames = await stopRecording(page);
    const failures = (await page.getByTestId('failure-count').textContent())?.trim();
    report(`10,000 tracks enriched, ${failures} failures streamed into the list`, frames, elapsed);
  } finally {
    await context.close();
  }
}

/** @param {Awaited<ReturnType<typeof startHarness>>} harness */
async function scrollAlbums(harness) {
  const { context, page } = await openApp(harness, '?fake=big');
  try {
    await page.getByTestId('album-count').getByText('10,000 albums').waitFor();
    // Driven through CSS selectors and plain DOM reads only: role and visibility queries make
    // Playwright compute styles for the thousands of cards `content-visibility` skips, which
    // costs frames the app itself does not.
    const cards = page.locator('[data-album-id]');
    await startRecording(page);
    const started = Date.now();
    // Scroll down like a user with a wheel: every page loads when the end comes near.
    await page.mouse.move(600, 400);
    for (let i = 0; i < 150 && (await cards.count()) < 1200; i += 1) {
      await page.mouse.wheel(0, 1200);
      await page.waitForTimeout(40);
    }
    const loaded = await cards.count();
    // Back up to the top, then a search over all 10,000 albums and their tracks, and back.
    for (let i = 0; i < 20; i += 1) {
      await page.mouse.wheel(0, -6000);
      await page.waitForTimeout(20);
    }
    const countIs = (/** @type {RegExp} */ pattern) =>
      page.waitForFunction(
        ([source, flags]) =>
          new RegExp(source, flags).test(
            document.querySelector('[data-testid="album-count"]')?.textContent?.trim() ?? '',
          ),
        [pattern.source, pattern.flags],
      );
    const search = page.locator('input[type="search"]');
    await search.pressSequentially('harbour', { delay: 40 });
    await countIs(/matching “harbour”$/);
    await search.fill('');
    await countIs(/^10,000 albums$/);
    const elapsed = Date.now() - started;
    const frames = await stopRecording(page);
    report(`10,000-album grid: scrolled until ${loaded} albums were loaded, then searched`, frames, elapsed);
  } finally {
    await context.close();
  }
}

const harness = await startHarness();
try {
  // openApp's default viewport.
  console.log(`Gatefold UI frame times, 1200×800 viewport, ${new Date().toISOString()}`);
  await streamFailures(harness);
  await scrollAlbums(harness);
} finally {
  await harness.close();
}
