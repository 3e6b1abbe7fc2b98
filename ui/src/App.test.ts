import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from './App.svelte';
import { FakeBackend, type FakeBackendOptions } from './lib/fakeBackend';
import { EMPTY_FIXTURE, earlierFailures, jobFinished, progress, runResultFixture } from './lib/fixtures';
import { VIEW_STORAGE_KEY } from './lib/viewMemory';

const locale = 'en-US';

// The app remembers its view in localStorage, which jsdom keeps for the whole file: every test
// starts as on a first start.
beforeEach(() => localStorage.clear());

function navButton(name: string): HTMLButtonElement {
  return within(screen.getByRole('navigation', { name: 'Views' })).getByRole('button', { name }) as HTMLButtonElement;
}

/** An empty library whose folder scan is quick. */
function emptyBackend(scan: FakeBackendOptions['scan'] = {}) {
  return new FakeBackend({
    summary: EMPTY_FIXTURE,
    albums: 0,
    job: { tracks: 0 },
    scan: { tickMs: 5, steps: 4, albums: 7, ...scan },
  });
}

describe('App', () => {
  afterEach(() => vi.restoreAllMocks());

  it('opens on the Library, with Library, Enrichment and Settings in the navigation', async () => {
    const backend = new FakeBackend({ job: { tracks: 0 } });
    render(App, { backend, locale });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Gatefold');
    const nav = screen.getByRole('navigation', { name: 'Views' });
    expect([...nav.querySelectorAll('button')].map((b) => b.textContent?.trim())).toEqual([
      'Library',
      'Enrichment',
      'Settings',
    ]);
    expect(navButton('Library').getAttribute('aria-current')).toBe('page');
    await screen.findByRole('list', { name: 'Albums' });
    expect(screen.getByTestId('library-counts').textContent).toBe('1,234 tracks by 45 artists');
    // One summary for the whole app (the Library header and the summary card share it).
    expect(backend.summaryCalls).toBe(1);
    // The enrichment view is there but hidden.
    expect(screen.queryByRole('heading', { level: 2, name: 'Enrichment' })).toBeNull();
  });

  it('switches to Enrichment and Settings, keeping the job view alive', async () => {
    const backend = new FakeBackend({ job: { tracks: 0 } });
    render(App, { backend, locale });
    backend.emitEvents([{ type: 'job_started', job_id: 1, total_tracks: 4, resumed: false }]);
    await fireEvent.click(navButton('Settings'));
    expect(navButton('Settings').getAttribute('aria-current')).toBe('page');
    await screen.findByLabelText('Batch size');
    backend.emitEvents([{ type: 'progress', job_id: 1, progress: progress(2, 4) }]);
    await fireEvent.click(navButton('Enrichment'));
    expect(screen.getByRole('heading', { level: 2, name: 'Enrichment' })).toBeTruthy();
    const bar = screen.getByRole('progressbar', { name: 'Enrichment progress' });
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('50'));
    expect(screen.getByRole('heading', { level: 2, name: 'Your library' })).toBeTruthy();
  });

  it('reloads the library counts when a job ends or the backend asks for a resync', async () => {
    const backend = new FakeBackend({ job: { tracks: 0 } });
    render(App, { backend, locale });
    await screen.findByTestId('library-counts');
    expect(backend.summaryCalls).toBe(1);
    backend.emitEvents([jobFinished(progress(0, 0))]);
    await waitFor(() => expect(backend.summaryCalls).toBe(2));
    // Quietly: the counts stay on screen, no loading state.
    expect(screen.queryByText(/Loading library/)).toBeNull();
    expect(screen.getByTestId('library-counts')).toBeTruthy();
    backend.emit({ kind: 'resync' });
    await waitFor(() => expect(backend.summaryCalls).toBe(3));
  });

  it('shows the provider statistics on the Enrichment view, reloaded when a run ends', async () => {
    const backend = new FakeBackend({ job: { tracks: 12, tickMs: 5, tracksPerTick: 6 } });
    const stats = vi.spyOn(backend, 'providerStats');
    render(App, { backend, locale });
    await fireEvent.click(navButton('Enrichment'));
    const section = screen.getByRole('region', { name: 'Provider statistics' });
    await waitFor(() => expect(within(section).getByTestId('stats-empty')).toBeTruthy());
    expect(stats).toHaveBeenCalledOnce();
    await fireEvent.click(screen.getByRole('button', { name: 'Enrich library' }));
    // The run's card links to the statistics.
    const card = await screen.findByRole('region', { name: 'Providers' });
    expect(within(card).getByRole('link', { name: 'All runs' }).getAttribute('href')).toBe('#provider-statistics');
    expect(section.id).toBe('provider-statistics');
    await waitFor(() => expect(section.querySelector('[data-total="runs"] dd')?.textContent).toBe('1'));
    expect(stats.mock.calls.length).toBeGreaterThanOrEqual(2);
    const { runs } = await backend.providerStats();
    const sent = runs[0].providers.reduce((sum, p) => sum + p.sent, 0);
    expect(section.querySelector('[data-total="requests"] dd')?.textContent).toBe(String(sent));
    expect(within(section).getByTestId('stats-savings').textContent).toMatch(/found on disk|Nothing skipped yet/);
  });

  it('keeps the Library view (search and all) while another view is shown', async () => {
    render(App, { backend: new FakeBackend({ job: { tracks: 0 } }), locale });
    await screen.findByRole('list', { name: 'Albums' });
    await fireEvent.input(screen.getByRole('searchbox'), { target: { value: 'nina' } });
    await fireEvent.click(navButton('Enrichment'));
    expect(screen.queryByRole('list', { name: 'Albums' })).toBeNull(); // hidden
    await fireEvent.click(navButton('Library'));
    expect((screen.getByRole('searchbox') as HTMLInputElement).value).toBe('nina');
  });

  it('reloads the album grid when the backend asks for a resync', async () => {
    const backend = new FakeBackend({ job: { tracks: 0 } });
    const listAlbums = vi.spyOn(backend, 'listAlbums');
    render(App, { backend, locale });
    await screen.findByRole('list', { name: 'Albums' });
    expect(listAlbums).toHaveBeenCalledTimes(1);
    backend.emit({ kind: 'resync' });
    await waitFor(() => expect(listAlbums).toHaveBeenCalledTimes(2));
  });

  it('shows the load error in place of the library', async () => {
    render(App, { backend: new FakeBackend({ error: { code: 'database', message: 'no db' } }), locale });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('no db');
    expect(screen.queryByRole('list', { name: 'Albums' })).toBeNull();
    expect(screen.getByRole('navigation', { name: 'Views' })).toBeTruthy();
  });
});

describe('App view memory', () => {
  it('opens on the view shown when it was last closed', async () => {
    const backend = new FakeBackend({ job: { tracks: 0 } });
    const first = render(App, { backend, locale });
    await fireEvent.click(navButton('Enrichment'));
    expect(localStorage.getItem(VIEW_STORAGE_KEY)).toBe('enrich');
    first.unmount();

    render(App, { backend: new FakeBackend({ job: { tracks: 0 } }), locale });
    expect(navButton('Enrichment').getAttribute('aria-current')).toBe('page');
    expect(screen.getByRole('heading', { level: 2, name: 'Enrichment' })).toBeTruthy();
  });

  it('opens Settings, mounted, when that was the last view', async () => {
    localStorage.setItem(VIEW_STORAGE_KEY, 'settings');
    render(App, { backend: new FakeBackend({ job: { tracks: 0 } }), locale });
    expect(navButton('Settings').getAttribute('aria-current')).toBe('page');
    await screen.findByLabelText('Batch size');
  });

  it('falls back to the Library for a value it does not know', async () => {
    localStorage.setItem(VIEW_STORAGE_KEY, 'review');
    render(App, { backend: new FakeBackend({ job: { tracks: 0 } }), locale });
    expect(navButton('Library').getAttribute('aria-current')).toBe('page');
    await screen.findByRole('list', { name: 'Albums' });
  });

  it('works without a storage', async () => {
    render(App, { backend: new FakeBackend({ job: { tracks: 0 } }), locale, viewStorage: null });
    await fireEvent.click(navButton('Settings'));
    expect(navButton('Settings').getAttribute('aria-current')).toBe('page');
    expect(localStorage.getItem(VIEW_STORAGE_KEY)).toBeNull();
  });
});

describe('App failures', () => {
  it('shows a failure’s album in the Library', async () => {
    const backend = new FakeBackend({ job: { tracks: 0 }, failures: earlierFailures(1_700_000_000) });
    const failure = (await backend.listFailures(1))[0];
    const { container } = render(App, { backend, locale });
    await fireEvent.click(navButton('Enrichment'));
    const toggle = await waitFor(() => {
      const found = container.querySelector<HTMLButtonElement>(
        `[data-failure="${failure.track_id}:lyrics"] button.expand`,
      );
      expect(found).toBeTruthy();
      return found!;
    });
    await fireEvent.click(toggle);
    const detail = await screen.findByTestId('failure-detail');
    await fireEvent.click(within(detail).getByRole('button', { name: 'Show in library' }));
    await waitFor(() => expect(navButton('Library').getAttribute('aria-current')).toBe('page'));
    const album = await screen.findByTestId('album-detail');
    expect(within(album).getByRole('heading', { level: 3 }).textContent).toBe(failure.album);
    // "All albums" goes to the grid.
    await fireEvent.click(within(album).getByRole('button', { name: '← All albums' }));
    await screen.findByRole('list', { name: 'Albums' });
  });

  it('opens the Library filtered to what a run left missing, from its summary', async () => {
    const backend = new FakeBackend({ job: { tracks: 0 } });
    const listAlbums = vi.spyOn(backend, 'listAlbums');
    const { container } = render(App, { backend, locale });
    await screen.findByRole('list', { name: 'Albums' });
    // A search typed before: "the albums with no cover" are all of them.
    await fireEvent.input(screen.getByRole('searchbox'), { target: { value: 'nina' } });
    await fireEvent.click(navButton('Enrichment'));
    const { counts, ...extras } = runResultFixture();
    backend.emitEvents([{ type: 'job_started', job_id: 1, total_tracks: 1200, resumed: false }]);
    backend.emitEvents([jobFinished(counts, extras)]);
    const card = await screen.findByTestId('run-summary');
    await fireEvent.click(within(card).getByRole('button', { name: 'Show albums with no cover' }));
    await waitFor(() => expect(navButton('Library').getAttribute('aria-current')).toBe('page'));
    const noCover = screen.getByRole('radio', { name: 'No cover' }) as HTMLInputElement;
    await waitFor(() => expect(noCover.checked).toBe(true));
    expect(document.activeElement).toBe(noCover);
    expect((screen.getByRole('searchbox') as HTMLInputElement).value).toBe('');
    await waitFor(() => expect(listAlbums).toHaveBeenLastCalledWith('', 0, expect.any(Number), 'artwork'));
    await waitFor(() => expect(screen.getByTestId('album-count').textContent).toMatch(/albums? without a cover$/));

    // The lyrics link, from an album's detail: the grid comes back, filtered.
    const firstAlbum = await waitFor(() => {
      const found = container.querySelector<HTMLButtonElement>('[data-album-id] button.open');
      expect(found).toBeTruthy();
      return found!;
    });
    await fireEvent.click(firstAlbum);
    await screen.findByTestId('album-detail');
    await fireEvent.click(navButton('Enrichment'));
    await fireEvent.click(within(card).getByRole('button', { name: 'Show albums with no lyrics' }));
    await waitFor(() =>
      expect((screen.getByRole('radio', { name: 'No lyrics' }) as HTMLInputElement).checked).toBe(true),
    );
    expect(screen.queryByTestId('album-detail')).toBeNull();
    await waitFor(() => expect(listAlbums).toHaveBeenLastCalledWith('', 0, expect.any(Number), 'lyrics'));
    await waitFor(() => expect(screen.getByTestId('album-count').textContent).toMatch(/albums? missing lyrics$/));
  });
});

describe('App first run', () => {
  it('welcomes an empty library with one main action and what Gatefold will do', async () => {
    const { container } = render(App, { backend: emptyBackend(), locale });
    const welcome = await screen.findByTestId('welcome');
    expect(within(welcome).getByRole('heading', { level: 2 }).textContent).toBe('Welcome to Gatefold');
    const primary = welcome.querySelectorAll('button.primary');
    expect([...primary].map((b) => b.textContent?.trim())).toEqual(['Choose your music folder']);
    const text = welcome.textContent?.replace(/\s+/g, ' ');
    expect(text).toMatch(
      /imports the music in that folder, then finds the missing cover artwork and lyrics: first from the files themselves, then online/,
    );
    expect(text).toMatch(/never changed, unless you turn on write-back in Settings/);
    expect(container.textContent).not.toContain('gatefold-cli');
    // The navigation is there (the real-window test waits for it on an empty library).
    expect(screen.getByRole('navigation', { name: 'Views' })).toBeTruthy();
    expect(screen.queryByRole('list', { name: 'Albums' })).toBeNull();
  });

  it('imports the chosen folder with progress, then offers to find artwork and lyrics', async () => {
    const backend = emptyBackend();
    const chooseFolder = vi.spyOn(backend, 'chooseFolder');
    const scanFolder = vi.spyOn(backend, 'scanFolder');
    const start = vi.spyOn(backend, 'startEnrichment');
    render(App, { backend, locale });
    await fireEvent.click(await screen.findByRole('button', { name: 'Choose your music folder' }));
    expect(chooseFolder).toHaveBeenCalledOnce();
    await screen.findByRole('progressbar', { name: 'Scan progress' });
    expect(scanFolder).toHaveBeenCalledWith('/home/me/Music');
    // Imported: the offer, with the counts, the providers and the WiFi-only switch.
    const enrich = await screen.findByRole('button', { name: 'Find artwork and lyrics' });
    expect(enrich.classList.contains('primary')).toBe(true);
    expect(screen.getByTestId('welcome-imported').textContent).toMatch(/^\s*[\d,]+\s+tracks in 7\s+albums\./);
    expect(screen.getByRole('button', { name: 'Choose the providers' })).toBeTruthy();
    await screen.findByText(/asks LRCLIB, MusicBrainz, Cover Art Archive, Deezer and iTunes\./);
    const wifi = screen.getByLabelText('Only on WiFi') as HTMLInputElement;
    await waitFor(() => expect(wifi.disabled).toBe(false));
    expect(wifi.checked).toBe(false);

    await fireEvent.click(enrich);
    expect(start).toHaveBeenCalledWith({ retryFailed: false });
    // The welcome is over: the library, with the job in the header.
    await waitFor(() => expect(screen.queryByTestId('welcome')).toBeNull());
    await screen.findByRole('list', { name: 'Albums' });
    await screen.findByTestId('job-bar');
    backend.dispose();
  });

  it('goes back to the welcome when the folder picker is cancelled', async () => {
    const backend = emptyBackend({ folder: null });
    const scanFolder = vi.spyOn(backend, 'scanFolder');
    render(App, { backend, locale });
    const choose = await screen.findByRole('button', { name: 'Choose your music folder' });
    await fireEvent.click(choose);
    await waitFor(() =>
      expect((screen.getByRole('button', { name: 'Choose your music folder' }) as HTMLButtonElement).disabled).toBe(
        false,
      ),
    );
    expect(scanFolder).not.toHaveBeenCalled();
    expect(screen.getByRole('heading', { name: 'Welcome to Gatefold' })).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('saves the WiFi-only switch at once, and Settings shows it', async () => {
    const backend = emptyBackend();
    render(App, { backend, locale });
    await fireEvent.click(await screen.findByRole('button', { name: 'Choose your music folder' }));
    const wifi = (await screen.findByLabelText('Only on WiFi')) as HTMLInputElement;
    await waitFor(() => expect(wifi.disabled).toBe(false));
    await fireEvent.click(wifi);
    await waitFor(() => expect(backend.saveCalls).toBe(1));
    expect((await backend.getSettings()).require_wifi).toBe(true);
    // The providers link goes to Settings, where the switch shows what was saved.
    await fireEvent.click(screen.getByRole('button', { name: 'Choose the providers' }));
    expect(navButton('Settings').getAttribute('aria-current')).toBe('page');
    await screen.findByRole('list', { name: 'Providers in priority order' });
    const settingsWifi = screen
      .getAllByLabelText('Only on WiFi')
      .find((el) => el.id === 'setting-require_wifi') as HTMLInputElement;
    expect(settingsWifi.checked).toBe(true);
    await waitFor(() => expect(document.activeElement?.id).toBe('settings-providers'));
    // Back to the Library: the offer is still there.
    await fireEvent.click(navButton('Library'));
    expect(screen.getByRole('button', { name: 'Find artwork and lyrics' })).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Not now: show my library' }));
    await screen.findByRole('list', { name: 'Albums' });
  });

  it('does not put “Enrich library” first on an empty library', async () => {
    render(App, { backend: emptyBackend(), locale });
    await screen.findByTestId('welcome');
    await fireEvent.click(navButton('Enrichment'));
    const enrich = screen.getByRole('button', { name: 'Enrich library' }) as HTMLButtonElement;
    expect(enrich.disabled).toBe(true);
    expect(enrich.classList.contains('primary')).toBe(false);
    expect(screen.getByTestId('enrich-empty').textContent).toContain('Your library is empty');
    expect(screen.getByTestId('job-status').textContent).toContain('Nothing to enrich yet');
    expect(screen.getByRole('progressbar', { name: 'Enrichment progress' }).getAttribute('aria-valuenow')).toBe('0');
    await fireEvent.click(screen.getByRole('button', { name: 'Import music…' }));
    expect(navButton('Library').getAttribute('aria-current')).toBe('page');
    expect(screen.getByRole('heading', { name: 'Welcome to Gatefold' })).toBeTruthy();
  });
});

describe('App job bar', () => {
  it('shows a running job from every view but Enrichment, with Pause and Resume', async () => {
    const backend = new FakeBackend({ job: { tracks: 0 } });
    const pause = vi.spyOn(backend, 'pauseEnrichment');
    const resume = vi.spyOn(backend, 'resumeEnrichment');
    render(App, { backend, locale });
    await screen.findByRole('list', { name: 'Albums' });
    expect(screen.queryByTestId('job-bar')).toBeNull();
    backend.emitEvents([
      { type: 'job_started', job_id: 3, total_tracks: 800, resumed: false },
      { type: 'progress', job_id: 3, progress: progress(336, 800) },
    ]);
    const bar = await screen.findByTestId('job-bar');
    expect(bar.textContent).toContain('Enriching');
    expect(bar.textContent).toContain('42 %');
    expect(bar.textContent).toContain('336 / 800 tracks');
    // Not inside the navigation: the views keep their buttons to themselves.
    expect(screen.getByRole('navigation').contains(bar)).toBe(false);

    await fireEvent.click(within(bar).getByRole('button', { name: 'Pause' }));
    expect(pause).toHaveBeenCalledOnce();
    // The operations running finish first.
    backend.emitEvents([
      { type: 'job_paused', job_id: 3, reason: { code: 'requested', message: 'paused' } },
      { type: 'progress', job_id: 3, progress: progress(338, 800, { in_flight: 3 }) },
    ]);
    await waitFor(() => expect(bar.textContent).toContain('Pausing… (3 finishing)'));
    backend.emitEvents([{ type: 'progress', job_id: 3, progress: progress(341, 800, { in_flight: 0 }) }]);
    await waitFor(() => expect(bar.textContent).toContain('Paused'));
    expect(bar.textContent).not.toContain('Pausing');
    await fireEvent.click(within(bar).getByRole('button', { name: 'Resume' }));
    expect(resume).toHaveBeenCalledOnce();

    // The same job, the same bar, from Settings.
    await fireEvent.click(navButton('Settings'));
    expect(screen.getByTestId('job-bar')).toBeTruthy();
    // On the enrichment view the panel shows it all: no bar.
    await fireEvent.click(navButton('Enrichment'));
    expect(screen.queryByTestId('job-bar')).toBeNull();
    expect(screen.getByRole('progressbar', { name: 'Enrichment progress' }).getAttribute('aria-valuenow')).toBe('42');
    await fireEvent.click(navButton('Library'));
    // The bar opens the enrichment view.
    await fireEvent.click(within(screen.getByTestId('job-bar')).getByRole('button', { name: /Enriching|Paused/ }));
    expect(navButton('Enrichment').getAttribute('aria-current')).toBe('page');
  });

  it('shows a job that was running before the window opened, from enrichmentStatus', async () => {
    const backend = new FakeBackend({ job: { tracks: 0 } });
    vi.spyOn(backend, 'enrichmentStatus').mockResolvedValue({
      job_id: 9,
      progress: progress(120, 400),
      paused: { code: 'waiting_for_wifi', message: 'waiting for WiFi (now on ethernet)' },
      providers: [],
    });
    render(App, { backend, locale });
    const bar = await screen.findByTestId('job-bar');
    expect(bar.textContent).toContain('Waiting for WiFi');
    expect(bar.textContent).toContain('30 %');
    expect(bar.textContent).toContain('120 / 400 tracks');
    // A WiFi pause goes on by itself; Pause makes it a requested one.
    expect((within(bar).getByRole('button', { name: 'Pause' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('says the job waits for the network, offering Pause, not Resume', async () => {
    const backend = new FakeBackend({ job: { tracks: 0 } });
    const resume = vi.spyOn(backend, 'resumeEnrichment');
    render(App, { backend, locale });
    await screen.findByRole('list', { name: 'Albums' });
    backend.emitEvents([
      { type: 'job_started', job_id: 3, total_tracks: 800, resumed: false },
      { type: 'progress', job_id: 3, progress: progress(200, 800, { in_flight: 4 }) },
      {
        type: 'job_paused',
        job_id: 3,
        reason: { code: 'waiting_for_network', message: 'waiting for the network (no connection)' },
      },
    ]);
    const bar = await screen.findByTestId('job-bar');
    await waitFor(() => expect(bar.textContent).toContain('Waiting for the network'));
    expect(bar.textContent).not.toContain('Paused');
    expect(bar.textContent).not.toContain('Pausing');
    expect(within(bar).queryByRole('button', { name: 'Resume' })).toBeNull();
    expect((within(bar).getByRole('button', { name: 'Pause' }) as HTMLButtonElement).disabled).toBe(false);
    // It goes on by itself.
    backend.emitEvents([{ type: 'job_resumed', job_id: 3 }]);
    await waitFor(() => expect(bar.textContent).toContain('Enriching'));
    expect(resume).not.toHaveBeenCalled();
  });

  it('tells how a job ended until dismissed', async () => {
    const backend = new FakeBackend({ job: { tracks: 0 } });
    render(App, { backend, locale });
    await screen.findByRole('list', { name: 'Albums' });
    backend.emitEvents([
      { type: 'job_started', job_id: 3, total_tracks: 2, resumed: false },
      jobFinished(progress(2, 2), { jobId: 3 }),
    ]);
    const bar = await screen.findByTestId('job-bar');
    expect(bar.textContent).toContain('Enrichment finished');
    expect(bar.textContent).toContain('100 %');
    await fireEvent.click(within(bar).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByTestId('job-bar')).toBeNull();
  });

  it('does not repeat the end of a job watched on the enrichment view', async () => {
    const backend = new FakeBackend({ job: { tracks: 0 } });
    render(App, { backend, locale });
    await fireEvent.click(navButton('Enrichment'));
    backend.emitEvents([{ type: 'job_started', job_id: 5, total_tracks: 2, resumed: false }]);
    backend.emitEvents([jobFinished(progress(2, 2), { jobId: 5 })]);
    await fireEvent.click(navButton('Library'));
    expect(screen.queryByTestId('job-bar')).toBeNull();
    // A job that ends while the Library is shown is told there.
    backend.emitEvents([{ type: 'job_started', job_id: 6, total_tracks: 2, resumed: false }]);
    await screen.findByTestId('job-bar');
    await fireEvent.click(navButton('Enrichment'));
    await fireEvent.click(navButton('Library'));
    expect(screen.getByTestId('job-bar').textContent).toContain('Enriching');
    backend.emitEvents([jobFinished(progress(2, 2), { jobId: 6 })]);
    await waitFor(() => expect(screen.getByTestId('job-bar').textContent).toContain('Enrichment finished'));
  });
});

describe('App unsaved settings', () => {
  async function editSettings() {
    const backend = new FakeBackend({ job: { tracks: 0 } });
    render(App, { backend, locale });
    await fireEvent.click(navButton('Settings'));
    const retries = (await screen.findByLabelText('Max retries')) as HTMLInputElement;
    await fireEvent.input(retries, { target: { value: '7' } });
    await screen.findByTestId('unsaved');
    return { backend };
  }

  it('asks before leaving Settings with unsaved edits; Stay keeps them', async () => {
    await editSettings();
    await fireEvent.click(navButton('Library'));
    const dialog = screen.getByRole('dialog', { name: 'Unsaved settings' });
    expect(
      within(dialog)
        .getAllByRole('button')
        .map((b) => b.textContent?.trim()),
    ).toEqual(['Save', 'Discard', 'Stay']);
    expect(navButton('Settings').getAttribute('aria-current')).toBe('page');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Stay' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(navButton('Settings').getAttribute('aria-current')).toBe('page');
    expect((screen.getByLabelText('Max retries') as HTMLInputElement).value).toBe('7');
  });

  it('Discard forgets the edits and goes on', async () => {
    const { backend } = await editSettings();
    await fireEvent.click(navButton('Enrichment'));
    await fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Discard' }));
    expect(navButton('Enrichment').getAttribute('aria-current')).toBe('page');
    await fireEvent.click(navButton('Settings'));
    expect((screen.getByLabelText('Max retries') as HTMLInputElement).value).toBe('3');
    expect(backend.saveCalls).toBe(0);
  });

  it('Save saves the edits and goes on; they are there on the way back', async () => {
    const { backend } = await editSettings();
    await fireEvent.click(navButton('Library'));
    await fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(navButton('Library').getAttribute('aria-current')).toBe('page'));
    expect(backend.saveCalls).toBe(1);
    expect((await backend.getSettings()).max_retries).toBe(7);
    await fireEvent.click(navButton('Settings'));
    expect((screen.getByLabelText('Max retries') as HTMLInputElement).value).toBe('7');
    expect(screen.queryByTestId('unsaved')).toBeNull();
  });

  it('offers only Discard and Stay when the edits are not valid', async () => {
    await editSettings();
    await fireEvent.input(screen.getByLabelText('Max retries'), { target: { value: '99' } });
    await fireEvent.click(navButton('Library'));
    const dialog = screen.getByRole('dialog');
    expect(
      within(dialog)
        .getAllByRole('button')
        .map((b) => b.textContent?.trim()),
    ).toEqual(['Discard', 'Stay']);
  });

  it('keeps unsaved edits across views when nothing asks (no edits: no dialog)', async () => {
    render(App, { backend: new FakeBackend({ job: { tracks: 0 } }), locale });
    await fireEvent.click(navButton('Settings'));
    await screen.findByLabelText('Max retries');
    await fireEvent.click(navButton('Library'));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(navButton('Library').getAttribute('aria-current')).toBe('page');
  });

  describe('the watch over the music folders', () => {
    function imported(added: number, updated = 0, removed = 0) {
      return {
        type: 'folder_imported' as const,
        report: {
          root: '/home/me/Music/Air/Moon Safari',
          files: 10,
          added,
          updated,
          unchanged: 10 - added - updated,
          removed,
          failed: 0,
          cleaned: 0,
          skipped: 0,
          elapsed_ms: 30,
        },
      };
    }

    it('refreshes the library when the watch imported changes, with a line saying so', async () => {
      const backend = new FakeBackend({ job: { tracks: 0 } });
      const listAlbums = vi.spyOn(backend, 'listAlbums');
      render(App, { backend, locale });
      await screen.findByTestId('library-counts');
      expect(backend.summaryCalls).toBe(1);
      const albumCalls = listAlbums.mock.calls.length;
      // A polled watch's rescan that found nothing: no news, no reload.
      backend.emitEvents([imported(0)]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(backend.summaryCalls).toBe(1);
      expect(screen.queryByTestId('watch-import')).toBeNull();
      backend.emitEvents([imported(3)]);
      await waitFor(() => expect(backend.summaryCalls).toBe(2));
      await waitFor(() => expect(listAlbums.mock.calls.length).toBeGreaterThan(albumCalls));
      const line = screen.getByTestId('watch-import');
      expect(line.textContent?.trim()).toMatch(/^Imported 3 new tracks from …\/Moon Safari, \d\d:\d\d( [AP]M)?$/);
      expect(line.getAttribute('title')).toBe('/home/me/Music/Air/Moon Safari');
      expect(line.closest('[aria-live]')).toBeTruthy();
    });

    it('shows the watch’s failures on the Library view', async () => {
      const backend = new FakeBackend({ job: { tracks: 0 } });
      render(App, { backend, locale });
      await screen.findByTestId('library-counts');
      backend.failWatch('', 'new music cannot be enriched: database is locked');
      const failure = await screen.findByTestId('library-watch-failure');
      expect(failure.textContent).toContain('New music cannot be enriched: database is locked');
      await fireEvent.click(within(failure).getByRole('button', { name: 'Dismiss' }));
      expect(screen.queryByTestId('library-watch-failure')).toBeNull();
    });

    it('says on the Library that the folders are rescanned, and shows why in Settings', async () => {
      const backend = new FakeBackend({ job: { tracks: 0 }, watch: { mode: 'polling', directories: 12408 } });
      render(App, { backend, locale });
      const note = await screen.findByTestId('library-watch-polling');
      expect(note.textContent).toContain('New music is found by rescanning every 60 s');
      await fireEvent.click(within(note).getByRole('button', { name: 'How to fix it' }));
      expect(navButton('Settings').getAttribute('aria-current')).toBe('page');
      const warning = await screen.findByTestId('watch-polling');
      expect(within(warning).getByTestId('watch-command').textContent).toBe(
        'sudo sysctl fs.inotify.max_user_watches=524288',
      );
      await waitFor(() => expect(document.activeElement?.id).toBe('settings-music-folders'));
    });

    it('adds a folder from Settings, importing it with progress, and the library grows', async () => {
      const backend = new FakeBackend({ job: { tracks: 0 }, scan: { folder: '/mnt/nas/Music', tickMs: 5, steps: 4 } });
      render(App, { backend, locale });
      await screen.findByTestId('library-counts');
      await fireEvent.click(navButton('Settings'));
      await fireEvent.click(await screen.findByRole('button', { name: 'Add folder…' }));
      await screen.findByRole('progressbar', { name: 'Scan progress' });
      await screen.findByText('Watching 2 folders for new music');
      // The scan finished: the library reloads.
      await waitFor(() => expect(backend.summaryCalls).toBeGreaterThan(1));
      expect((await backend.listAlbums('', 0, 1)).total).toBe(48 + 6);
      backend.dispose();
    });

    it('reloads the library counts when a folder is removed in Settings', async () => {
      const backend = new FakeBackend({ job: { tracks: 0 }, watch: { folders: ['/home/me/Music', '/media/usb'] } });
      render(App, { backend, locale });
      await screen.findByTestId('library-counts');
      await fireEvent.click(navButton('Settings'));
      await fireEvent.click(await screen.findByRole('button', { name: 'Remove /media/usb' }));
      await fireEvent.click(screen.getByRole('button', { name: 'Remove folder' }));
      await screen.findByTestId('music-folder-removed');
      await waitFor(() => expect(backend.summaryCalls).toBe(2));
      await fireEvent.click(navButton('Library'));
      await waitFor(() =>
        expect(screen.getByTestId('library-counts').textContent).not.toBe('1,234 tracks by 45 artists'),
      );
    });
  });
});
