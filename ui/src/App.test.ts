import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { FakeBackend } from './lib/fakeBackend';

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
