import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProviderStatsReport } from '../bindings/ProviderStatsReport';
import { BackendError } from '../lib/backend';
import { FakeBackend } from '../lib/fakeBackend';
import { providerRequests, providerRunsFixture } from '../lib/fixtures';
import ProviderStatistics from './ProviderStatistics.svelte';

const locale = 'en-US';
const timeZone = 'UTC';
/** May 1, 2024, 12:00 UTC. */
const NOW = Date.UTC(2024, 4, 1, 12, 0, 0) / 1000;

function plain(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

function section() {
  return screen.getByRole('region', { name: 'Provider statistics' });
}

/** The recent runs' table as rows of cell texts (without the header row), list items joined by " · ". */
function runs(): string[][] {
  const table = within(section()).getByRole('table', { name: /newest first$/ });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) =>
      [...row.children].map((cell) => {
        const items = [...cell.querySelectorAll('li')];
        return items.length > 0 ? items.map((li) => plain(li.textContent)).join(' · ') : plain(cell.textContent);
      }),
    );
}

describe('ProviderStatistics', () => {
  afterEach(() => vi.restoreAllMocks());

  it('adds every run up per provider, says what was not asked, and lists the recent runs', async () => {
    const backend = new FakeBackend({ providerRuns: providerRunsFixture(NOW) });
    const stats = vi.spyOn(backend, 'providerStats');
    render(ProviderStatistics, { backend, locale, timeZone });
    await waitFor(() => expect(screen.getByTestId('stats-savings')).toBeTruthy());
    expect(stats).toHaveBeenCalledWith(5);
    expect(within(section()).getByRole('heading', { level: 2, name: 'Provider statistics' })).toBeTruthy();
    expect(screen.getByTestId('stats-savings').textContent).toBe(
      "Not asked again: 3 albums' artwork and 40 tracks' lyrics (nothing found recently); 12 albums' artwork found on disk",
    );
    const total = (key: string) => section().querySelector(`[data-total="${key}"] dd`)?.textContent;
    expect(total('runs')).toBe('3');
    expect(total('requests')).toBe('886');
    expect(total('received')).toBe('68 MB');

    // Every run added up, per provider, the image server under its API.
    const allTime = within(section()).getByRole('table', { name: 'Every run added up, per provider' });
    expect(
      within(allTime)
        .getAllByRole('rowheader')
        .map((h) => h.textContent?.replace(/\s+/g, ' ').trim()),
    ).toEqual(['LRCLIB', 'MusicBrainz', 'Cover Art Archive', 'Deezer', '↳ images Deezer images', 'All providers']);
    const figure = (provider: string, key: string) =>
      allTime.querySelector(`tr[data-provider="${provider}"] [data-figure="${key}"]`)?.textContent;
    expect(figure('lrclib', 'requests')).toBe('418');
    expect(figure('lrclib', 'found')).toBe('342');
    expect(figure('musicbrainz', 'throttled')).toBe('3');
    expect(figure('total', 'requests')).toBe('886');

    // The recent runs: when, how long, what each provider was asked, what was not.
    expect(within(section()).getByRole('table', { name: 'The 3 runs, newest first' })).toBeTruthy();
    expect(runs()).toEqual([
      [
        'May 1, 2024, 11:00 AM',
        'Interrupted',
        '764',
        'LRCLIB 322 · MusicBrainz 140 · Cover Art Archive 250 · Deezer 40 + 12 images',
        '2 artwork, 25 lyrics not asked again; 4 on disk',
      ],
      [
        'Apr 29, 2024, 12:00 PM',
        '18 min',
        '122',
        'LRCLIB 96 · MusicBrainz 12 · Cover Art Archive 14',
        '1 artwork, 15 lyrics not asked again; 5 on disk',
      ],
      ['Apr 22, 2024, 12:00 PM', '42 min', '0', 'None asked', '3 on disk'],
    ]);
    const headers = within(section())
      .getAllByRole('columnheader')
      .map((h) => h.textContent?.trim());
    expect(headers.slice(-5)).toEqual(['Started', 'Took', 'Requests', 'By provider', 'Not asked']);
  });

  it('says a run under way runs, and how many runs there are beyond those listed', async () => {
    const report: ProviderStatsReport = {
      runs: providerRunsFixture(NOW).slice(0, 1),
      runs_counted: 12,
      all_time: [providerRequests('lrclib', 5000, { latency_p50_ms: null })],
      all_time_saved: { remembered_artwork: 0, remembered_lyrics: 0, local_artwork: 0 },
    };
    const backend = new FakeBackend();
    vi.spyOn(backend, 'providerStats').mockResolvedValue(report);
    render(ProviderStatistics, { backend, locale, timeZone, activeJobId: 3, recent: 1 });
    await waitFor(() => expect(screen.getByTestId('stats-runs')).toBeTruthy());
    expect(within(section()).getByRole('table', { name: 'The 1 most recent of 12 runs, newest first' })).toBeTruthy();
    expect(runs()[0][1]).toBe('Running');
    expect(screen.getByTestId('stats-savings').textContent).toBe(
      'Nothing skipped yet: every lookup was asked of a provider.',
    );
    // One provider: no total row; a time not measured is "—".
    const allTime = within(section()).getByRole('table', { name: 'Every run added up, per provider' });
    expect(allTime.querySelector('tr[data-provider="total"]')).toBeNull();
    expect(allTime.querySelector('tr[data-provider="lrclib"] [data-figure="p50"]')?.textContent).toBe('—');
  });

  it('reloads when told to (a run ended), keeping what it shows meanwhile', async () => {
    const backend = new FakeBackend();
    const first: ProviderStatsReport = {
      runs: [],
      runs_counted: 0,
      all_time: [],
      all_time_saved: { remembered_artwork: 0, remembered_lyrics: 0, local_artwork: 0 },
    };
    const stats = vi.spyOn(backend, 'providerStats').mockResolvedValue(first);
    const { rerender } = render(ProviderStatistics, { backend, locale, timeZone, refreshToken: 0 });
    await waitFor(() => expect(screen.getByTestId('stats-empty')).toBeTruthy());
    expect(stats).toHaveBeenCalledOnce();
    let answer: (report: ProviderStatsReport) => void = () => {};
    stats.mockImplementation(() => new Promise((resolve) => (answer = resolve)));
    await rerender({ refreshToken: 1 });
    expect(stats).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('stats-empty')).toBeTruthy();
    answer({
      runs: providerRunsFixture(NOW).slice(1, 2),
      runs_counted: 1,
      all_time: providerRunsFixture(NOW)[1].providers,
      all_time_saved: { remembered_artwork: 1, remembered_lyrics: 15, local_artwork: 5 },
    });
    await waitFor(() => expect(screen.getByTestId('stats-savings')).toBeTruthy());
    expect(screen.queryByTestId('stats-empty')).toBeNull();
    expect(runs()).toHaveLength(1);
  });

  it('says why it could not load, and tries again on Refresh', async () => {
    const backend = new FakeBackend();
    const stats = vi
      .spyOn(backend, 'providerStats')
      .mockRejectedValueOnce(new BackendError('database', 'database is locked'));
    render(ProviderStatistics, { backend, locale, timeZone });
    await waitFor(() => expect(screen.getByTestId('stats-error').textContent).toContain('database is locked'));
    expect(screen.getByTestId('stats-error').querySelector('code')?.textContent).toBe('database');
    await fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await waitFor(() => expect(screen.queryByTestId('stats-error')).toBeNull());
    expect(stats).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('stats-empty').textContent).toContain('No run yet');
  });
});
