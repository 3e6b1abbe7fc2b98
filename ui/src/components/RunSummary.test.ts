import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { EnrichmentResult } from '../bindings/EnrichmentResult';
import { XSS_STRING, jobFinished, progress, providerRequests, runResultFixture } from '../lib/fixtures';
import RunSummary from './RunSummary.svelte';

const locale = 'en-US';

function fixtureResult(change: Partial<EnrichmentResult> = {}): EnrichmentResult {
  const { counts, ...extras } = runResultFixture();
  return { ...jobFinished(counts, extras).result, ...change };
}

function plain(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** The sources of a found group, as "label count" lines. */
function sources(group: 'artwork' | 'lyrics'): string[] {
  const box = screen.getByTestId('run-summary').querySelector(`[data-found="${group}"]`) as HTMLElement;
  return [...box.querySelectorAll('dl > div')].map((row) =>
    plain(`${row.querySelector('dt')?.textContent} ${row.querySelector('dd')?.textContent}`),
  );
}

describe('RunSummary', () => {
  it('says where the finds came from, what is missing, how long it took and what was asked', () => {
    render(RunSummary, { result: fixtureResult(), tookMs: 185_000, locale, onshowmissing: () => {} });
    const card = screen.getByRole('region', { name: 'Run summary' });
    expect(within(card).getByRole('heading', { level: 3, name: 'Run summary' })).toBeTruthy();
    expect(screen.getByTestId('run-outcome').textContent).toBe('Finished');
    expect(screen.getByTestId('run-took').textContent).toBe('3 min 5 s');

    expect(plain(within(card).getByRole('heading', { name: /^Artwork found/ }).textContent)).toBe(
      'Artwork found: 1,030 tracks',
    );
    expect(sources('artwork')).toEqual([
      'Cover Art Archive 700',
      'Deezer 150',
      'embedded in the files 100',
      'cover file in the folder 50',
      'iTunes 30',
    ]);
    expect(plain(within(card).getByRole('heading', { name: /^Lyrics found/ }).textContent)).toBe(
      'Lyrics found: 980 tracks',
    );
    expect(sources('lyrics')).toEqual(['LRCLIB 900', 'instrumental 80']);

    const missing = screen.getByTestId('run-missing');
    expect(plain(missing.querySelector('[data-missing="artwork"] span')?.textContent)).toBe(
      '164 tracks with no cover found',
    );
    expect(plain(missing.querySelector('[data-missing="lyrics"] span')?.textContent)).toBe(
      '214 tracks with no lyrics found',
    );

    const table = within(card).getByRole('table', { name: 'Requests' });
    const headers = within(table)
      .getAllByRole('columnheader')
      .map((h) => h.textContent);
    expect(headers).toEqual(['Provider', 'Requests', 'Received']);
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((row) => [...row.children].map((cell) => plain(cell.textContent)));
    expect(rows).toEqual([
      ['LRCLIB', '1,206 (6 failed, p50 80 ms)', '3.4 MB'],
      ['MusicBrainz', '1,060 (12 throttled, p50 330 ms)', '2.1 MB'],
      ['Cover Art Archive', '1,048 (p50 420 ms)', '268 MB'],
      ['Deezer', '348 (p50 120 ms)', '1.2 MB'],
      ['Deezer images', '150 (p50 180 ms)', '45 MB'],
      ['iTunes', '198 (p50 170 ms)', '640 kB'],
      ['iTunes images', '30 (p50 230 ms)', '7.8 MB'],
    ]);
    // Each provider names its row.
    expect(within(table).getByRole('rowheader', { name: 'MusicBrainz' })).toBeTruthy();
  });

  it('opens the Library filtered to what is missing', async () => {
    const onshowmissing = vi.fn();
    render(RunSummary, { result: fixtureResult(), locale, onshowmissing });
    await fireEvent.click(screen.getByRole('button', { name: 'Show albums with no cover' }));
    expect(onshowmissing).toHaveBeenLastCalledWith('artwork');
    await fireEvent.click(screen.getByRole('button', { name: 'Show albums with no lyrics' }));
    expect(onshowmissing).toHaveBeenLastCalledWith('lyrics');
    expect(onshowmissing).toHaveBeenCalledTimes(2);
  });

  it('offers no link without a place to show the albums, and no time it did not measure', () => {
    render(RunSummary, { result: fixtureResult(), tookMs: null, locale });
    expect(screen.queryByRole('button')).toBeNull();
    expect(screen.queryByTestId('run-took')).toBeNull();
    expect(screen.getByTestId('run-missing').textContent).toContain('164 tracks with no cover found');
  });

  it('says what a cancelled run did, and the tracks that failed', () => {
    const result = fixtureResult({
      cancelled: true,
      not_found: { artwork: 0, lyrics: 1 },
      failures: [
        { track_id: 7, operation: 'artwork', reason: 'deezer: request refused (HTTP 403)', attempts: 1 },
        { track_id: 7, operation: 'lyrics', reason: 'lrclib: server error (HTTP 500)', attempts: 4 },
        { track_id: 9, operation: 'lyrics', reason: 'lrclib: server error (HTTP 500)', attempts: 4 },
      ],
    });
    render(RunSummary, { result, tookMs: 4_200, locale, onshowmissing: () => {} });
    expect(screen.getByTestId('run-summary').dataset.outcome).toBe('cancelled');
    expect(screen.getByTestId('run-outcome').textContent).toBe('Cancelled: what the run did before it stopped');
    expect(screen.getByTestId('run-took').textContent).toBe('5 s');
    const missing = screen.getByTestId('run-missing');
    // Nothing "not found" for artwork: no line, no link.
    expect(missing.querySelector('[data-missing="artwork"]')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Show albums with no cover' })).toBeNull();
    expect(plain(missing.querySelector('[data-missing="lyrics"] span')?.textContent)).toBe(
      '1 track with no lyrics found',
    );
    expect(plain(missing.querySelector('[data-missing="failed"]')?.textContent)).toBe(
      '2 tracks failed: see Failures below (Retry failed tries them again)',
    );
  });

  it('says so when nothing was found, nothing is missing and no provider was asked', () => {
    render(RunSummary, { result: jobFinished(progress(0, 0)).result, tookMs: 0, locale });
    expect(screen.getByText('No artwork found in this run.')).toBeTruthy();
    expect(screen.getByText('No lyrics found in this run.')).toBeTruthy();
    expect(screen.getByTestId('run-missing').textContent).toContain('Nothing: every track this run looked at');
    expect(screen.queryByRole('table')).toBeNull();
    expect(screen.getByText(/^No provider was asked/)).toBeTruthy();
    expect(screen.getByTestId('run-took').textContent).toBe('0 s');
  });

  it('shows sources and providers it does not know as they come, as text', () => {
    const result = fixtureResult({
      found_by: { artwork: { [XSS_STRING]: 2 }, lyrics: { musixmatch: 3 } },
      requests: [providerRequests(XSS_STRING, 2, { bytes: 10 })],
    });
    const { container } = render(RunSummary, { result, locale });
    expect(sources('artwork')).toEqual([`${XSS_STRING} 2`]);
    expect(sources('lyrics')).toEqual(['musixmatch 3']);
    expect(within(screen.getByRole('table')).getByRole('rowheader').textContent).toBe(XSS_STRING);
    expect(container.querySelector('img')).toBeNull();
  });
});
