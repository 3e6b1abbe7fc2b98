import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { FakeBackend } from './lib/fakeBackend';
import { EMPTY_FIXTURE } from './lib/fixtures';

describe('App', () => {
  it('shows the title, the enrichment panel first and the library card', async () => {
    const { container } = render(App, { backend: new FakeBackend(), locale: 'en-US' });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Gatefold');
    const headings = screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent);
    expect(headings).toEqual(['Enrichment', 'Library']);
    expect(screen.getByRole('heading', { level: 2, name: 'Library' })).toBeTruthy();
    await screen.findByText('1,234');
    expect(container.querySelector('main section')?.getAttribute('aria-labelledby')).toBe('enrich-heading');
  });

  it('switches between Enrich and Settings, keeping the job view alive', async () => {
    const backend = new FakeBackend({ job: { tracks: 0 } });
    render(App, { backend, locale: 'en-US' });
    const enrichTab = screen.getByRole('button', { name: 'Enrich' });
    const settingsTab = screen.getByRole('button', { name: 'Settings' });
    expect(enrichTab.getAttribute('aria-current')).toBe('page');
    expect(settingsTab.getAttribute('aria-current')).toBeNull();
    backend.emitEvents([{ type: 'job_started', job_id: 1, total_tracks: 4, resumed: false }]);

    await fireEvent.click(settingsTab);
    expect(settingsTab.getAttribute('aria-current')).toBe('page');
    await screen.findByLabelText('Batch size');
    expect(screen.queryByRole('heading', { level: 2, name: 'Library' })).toBeNull(); // hidden
    backend.emitEvents([
      {
        type: 'progress',
        job_id: 1,
        progress: {
          total_tracks: 4,
          processed_tracks: 2,
          artwork_fetched: 1,
          lyrics_fetched: 1,
          failed_tracks: 0,
          percent_complete: 50,
        },
      },
    ]);

    await fireEvent.click(enrichTab);
    expect(screen.queryByLabelText('Batch size')).toBeNull();
    const bar = screen.getByRole('progressbar', { name: 'Enrichment progress' });
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('50'));
  });

  it('reloads the library counts when a job ends', async () => {
    const backend = new FakeBackend({ job: { tracks: 0 } });
    render(App, { backend, locale: 'en-US' });
    await screen.findByText('1,234');
    expect(backend.summaryCalls).toBe(1);
    backend.emitEvents([
      {
        type: 'job_finished',
        job_id: 1,
        result: {
          job_id: 1,
          cancelled: false,
          outcomes: [],
          progress: {
            total_tracks: 0,
            processed_tracks: 0,
            artwork_fetched: 0,
            lyrics_fetched: 0,
            failed_tracks: 0,
            percent_complete: 100,
          },
        },
      },
    ]);
    await waitFor(() => expect(backend.summaryCalls).toBe(2));
    // Quietly: the old counts stay on screen, no loading state.
    expect(screen.queryByText(/Loading library/)).toBeNull();
    backend.emit({ kind: 'resync' });
    await waitFor(() => expect(backend.summaryCalls).toBe(3));
  });
});

describe('App library', () => {
  it('has Enrich first and default, then Library and Settings', () => {
    render(App, { backend: new FakeBackend({ job: { tracks: 0 } }), locale: 'en-US' });
    const nav = screen.getByRole('navigation', { name: 'Views' });
    expect([...nav.querySelectorAll('button')].map((b) => b.textContent?.trim())).toEqual(['Enrich', 'Library', 'Settings']);
    expect(screen.getByRole('button', { name: 'Enrich' }).getAttribute('aria-current')).toBe('page');
    // Not mounted before it is first opened.
    expect(screen.queryByRole('list', { name: 'Albums' })).toBeNull();
  });

  it('keeps the Library view (search and all) while another view is shown', async () => {
    render(App, { backend: new FakeBackend({ job: { tracks: 0 } }), locale: 'en-US' });
    await fireEvent.click(screen.getByRole('button', { name: 'Library' }));
    await screen.findByRole('list', { name: 'Albums' });
    await fireEvent.input(screen.getByRole('searchbox'), { target: { value: 'nina' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Enrich' }));
    expect(screen.queryByRole('list', { name: 'Albums' })).toBeNull(); // hidden
    await fireEvent.click(screen.getByRole('button', { name: 'Library' }));
    expect((screen.getByRole('searchbox') as HTMLInputElement).value).toBe('nina');
  });

  it('imports a folder from the empty library card, then shows the counts and the albums', async () => {
    const backend = new FakeBackend({
      summary: EMPTY_FIXTURE,
      albums: 0,
      job: { tracks: 0 },
      scan: { tickMs: 5, steps: 4, albums: 7 },
    });
    render(App, { backend, locale: 'en-US' });
    await fireEvent.click(await screen.findByRole('button', { name: 'Choose music folder…' }));
    await screen.findByRole('progressbar', { name: 'Scan progress' });
    const report = await screen.findByTestId('scan-report');
    expect(report.textContent).toContain('/home/me/Music');
    expect(report.querySelector('[data-scan-stat="added"] dd')?.textContent).toMatch(/^\d+$/);
    // The card reloads: no longer empty.
    await waitFor(() => expect(screen.queryByText('No music imported yet')).toBeNull());
    expect(document.querySelector('[data-stat="albums"] dd')?.textContent).toBe('7');
    await fireEvent.click(screen.getByRole('button', { name: 'Library' }));
    await waitFor(() => expect(screen.getByTestId('album-count').textContent?.trim()).toBe('7 albums'));
    // The same scan is shown in the Library view too.
    expect(screen.getAllByTestId('scan-report').length).toBeGreaterThan(0);
  });

  it('reloads the album grid when a job ends', async () => {
    const backend = new FakeBackend({ job: { tracks: 0 } });
    const listAlbums = vi.spyOn(backend, 'listAlbums');
    render(App, { backend, locale: 'en-US' });
    await fireEvent.click(screen.getByRole('button', { name: 'Library' }));
    await screen.findByRole('list', { name: 'Albums' });
    expect(listAlbums).toHaveBeenCalledTimes(1);
    backend.emit({ kind: 'resync' });
    await waitFor(() => expect(listAlbums).toHaveBeenCalledTimes(2));
  });
});
