import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LibraryEvent } from '../bindings/LibraryEvent';
import { BackendError, type MissingFilter } from '../lib/backend';
import { FakeBackend } from '../lib/fakeBackend';
import {
  XSS_STRING,
  earlierFailures,
  jobFinished,
  lastRunFixture,
  progress,
  providerRequests,
  runResultFixture,
  writeBackFixture,
} from '../lib/fixtures';
import { DEFAULT_SETTINGS } from '../lib/settingsRules';
import { LAST_RUN_POLL_MS } from '../lib/lastRun';
import EnrichmentPanel from './EnrichmentPanel.svelte';
import { ROW_HEIGHT } from './FailureList.svelte';

const locale = 'en-US';

function failed(track_id: number, extra: Partial<Extract<LibraryEvent, { type: 'track_failed' }>> = {}): LibraryEvent {
  return {
    type: 'track_failed',
    job_id: 1,
    track_id,
    title: `Song ${track_id}`,
    artist: 'Nina Simone',
    album_id: 3,
    album: 'Pastel Blues',
    path: `/music/Nina Simone/Pastel Blues/${track_id}.flac`,
    operation: 'artwork',
    reason: 'coverartarchive: server error (HTTP 502)',
    attempts: 4,
    ...extra,
  };
}

/** A panel on a fake whose own job never runs; the test plays the events. */
async function setup(
  options: ConstructorParameters<typeof FakeBackend>[0] = {},
  now?: () => number,
  props: { onshowmissing?: (filter: MissingFilter) => void } = {},
) {
  const fake = new FakeBackend({ job: { tracks: 0 }, ...options });
  const onjobend = vi.fn();
  const onresync = vi.fn();
  const result = render(EnrichmentPanel, {
    backend: fake,
    locale,
    onjobend,
    onresync,
    ...(now ? { now } : {}),
    ...props,
  });
  await waitFor(() => expect(fake.failureCalls).toBe(1));
  const play = async (...events: LibraryEvent[]) => {
    fake.emitEvents(events);
    await Promise.resolve();
  };
  return { fake, onjobend, onresync, play, ...result };
}

function bar() {
  return screen.getByRole('progressbar', { name: 'Enrichment progress' });
}

function button(name: string): HTMLButtonElement {
  return screen.getByRole('button', { name });
}

function enabled() {
  return ['Enrich library', 'Retry failed', 'Pause', 'Resume', 'Cancel'].filter((name) => !button(name).disabled);
}

function stat(container: HTMLElement, key: string) {
  return container.querySelector(`[data-job-stat="${key}"] dd`)?.textContent;
}

function rows(container: HTMLElement) {
  return container.querySelectorAll('[role="row"][data-failure]');
}

describe('EnrichmentPanel', () => {
  afterEach(() => vi.restoreAllMocks());

  it('moves the progress bar and counts with progress events', async () => {
    const { play, container } = await setup();
    expect(bar().getAttribute('aria-valuenow')).toBe('0');
    expect(bar().getAttribute('aria-valuemax')).toBe('100');
    await play(
      { type: 'job_started', job_id: 1, total_tracks: 1200, resumed: false },
      {
        type: 'progress',
        job_id: 1,
        progress: progress(480, 1200, { artwork_fetched: 300, lyrics_fetched: 410, failed_tracks: 12 }),
      },
    );
    await waitFor(() => expect(bar().getAttribute('aria-valuenow')).toBe('40'));
    expect(bar().getAttribute('aria-valuetext')).toBe('480 of 1,200 tracks (40 %)');
    expect(stat(container, 'processed')).toBe('480 / 1,200');
    expect(stat(container, 'artwork')).toBe('300');
    expect(stat(container, 'lyrics')).toBe('410');
    expect(stat(container, 'failed')).toBe('12');
    expect(container.querySelector('progress')?.value).toBe(40);
    await play({ type: 'progress', job_id: 1, progress: progress(1200, 1200) });
    await waitFor(() => expect(bar().getAttribute('aria-valuenow')).toBe('100'));
  });

  it('computes the rate and the time left from progress over time', async () => {
    let clock = 0;
    const { play, container } = await setup({}, () => clock);
    await play({ type: 'job_started', job_id: 1, total_tracks: 250, resumed: false });
    clock = 0;
    await play({ type: 'progress', job_id: 1, progress: progress(0, 250) });
    expect(stat(container, 'rate')).toBe('—');
    clock = 1000;
    await play({ type: 'progress', job_id: 1, progress: progress(50, 250) });
    await waitFor(() => expect(stat(container, 'rate')).toBe('50'));
    expect(stat(container, 'eta')).toBe('4 s');
    // Paused: no rate, no time left.
    await play({ type: 'job_paused', job_id: 1, reason: { code: 'requested', message: 'paused' } });
    await waitFor(() => expect(stat(container, 'rate')).toBe('—'));
    expect(stat(container, 'eta')).toBe('—');
  });

  it('enables only the buttons that make sense in each state', async () => {
    const { play } = await setup({ failures: earlierFailures(1_700_000_000) });
    await waitFor(() => expect(enabled()).toEqual(['Enrich library', 'Retry failed']));
    expect(screen.getByRole('status').textContent).toContain('Not started');

    await play({ type: 'job_started', job_id: 1, total_tracks: 10, resumed: false });
    await waitFor(() => expect(enabled()).toEqual(['Pause', 'Cancel']));
    expect(screen.getByRole('status').textContent).toContain('Running');

    await play({ type: 'job_paused', job_id: 1, reason: { code: 'requested', message: 'paused' } });
    await waitFor(() => expect(enabled()).toEqual(['Resume', 'Cancel']));
    expect(screen.getByRole('status').textContent).toContain('Paused');

    await play({ type: 'job_resumed', job_id: 1 });
    await waitFor(() => expect(enabled()).toEqual(['Pause', 'Cancel']));

    await play(jobFinished(progress(10, 10)));
    await waitFor(() => expect(enabled()).toEqual(['Enrich library', 'Retry failed']));
    expect(screen.getByRole('status').textContent).toContain('Finished');
  });

  it('disables "Retry failed" when nothing failed', async () => {
    await setup();
    expect(enabled()).toEqual(['Enrich library']);
  });

  it('shows why the job waits for WiFi; it resumes by itself, so Resume stays off', async () => {
    const { play, container } = await setup();
    await play(
      { type: 'job_started', job_id: 1, total_tracks: 10, resumed: false },
      {
        type: 'job_paused',
        job_id: 1,
        reason: { code: 'waiting_for_wifi', message: 'waiting for WiFi (now on ethernet (eth0))' },
      },
    );
    await waitFor(() =>
      expect(screen.getByRole('status').textContent?.trim()).toBe('Waiting for WiFi (now on ethernet (eth0))'),
    );
    expect(container.textContent).toContain('Continues by itself when WiFi is back');
    expect(enabled()).toEqual(['Pause', 'Cancel']);
    await play({ type: 'job_resumed', job_id: 1 });
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Running'));
    expect(container.textContent).not.toContain('Continues by itself');
  });

  it('sends the commands and waits for the events before changing state', async () => {
    const { fake, play } = await setup({ failures: earlierFailures(1_700_000_000) });
    const start = vi.spyOn(fake, 'startEnrichment').mockResolvedValue();
    const pause = vi.spyOn(fake, 'pauseEnrichment').mockResolvedValue();
    const cancel = vi.spyOn(fake, 'cancelEnrichment').mockResolvedValue();
    await waitFor(() => expect(button('Retry failed').disabled).toBe(false));

    await fireEvent.click(button('Retry failed'));
    expect(start).toHaveBeenLastCalledWith({ retryFailed: true });
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Starting'));
    expect(enabled()).toEqual([]);
    await play({ type: 'job_started', job_id: 1, total_tracks: 8, resumed: false });
    await waitFor(() => expect(enabled()).toEqual(['Pause', 'Cancel']));

    await fireEvent.click(button('Pause'));
    expect(pause).toHaveBeenCalledOnce();
    await waitFor(() => expect(enabled()).toEqual(['Cancel']));
    await play({ type: 'job_paused', job_id: 1, reason: { code: 'requested', message: 'paused' } });
    await waitFor(() => expect(enabled()).toEqual(['Resume', 'Cancel']));

    await fireEvent.click(button('Cancel'));
    expect(cancel).toHaveBeenCalledOnce();
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Cancelling'));
    await play(
      { type: 'job_cancelled', job_id: 1, progress: progress(3, 8) },
      jobFinished(progress(3, 8), { cancelled: true }),
    );
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Cancelled'));
    await fireEvent.click(button('Enrich library'));
    expect(start).toHaveBeenLastCalledWith({ retryFailed: false });
  });

  it('shows a job that stopped on an error, and allows a new one', async () => {
    const { play, onjobend } = await setup();
    await play(
      { type: 'job_started', job_id: 1, total_tracks: 10, resumed: false },
      { type: 'progress', job_id: 1, progress: progress(4, 10) },
      { type: 'job_failed', code: 'database', message: 'database is <b>locked</b>' },
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('database is <b>locked</b>');
    expect(alert.querySelector('b')).toBeNull();
    expect(within(alert).getByText('database').tagName).toBe('CODE');
    expect(screen.getByRole('status').textContent).toContain('Stopped on an error');
    expect(bar().getAttribute('aria-valuenow')).toBe('40');
    expect(enabled()).toEqual(['Enrich library']);
    expect(onjobend).toHaveBeenCalledOnce();
  });

  it('shows a refused command as an alert, as text', async () => {
    const { fake } = await setup();
    vi.spyOn(fake, 'startEnrichment').mockRejectedValue(
      new BackendError('job_already_running', 'Another <b>job</b> is running'),
    );
    await fireEvent.click(button('Enrich library'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Another <b>job</b> is running');
    expect(alert.querySelector('b')).toBeNull();
    expect(within(alert).getByText('job_already_running').tagName).toBe('CODE');
    expect(button('Enrich library').disabled).toBe(false);
  });

  it('lists failures live with title, artist, operation, reason and attempts', async () => {
    const { play, container } = await setup();
    await play(
      { type: 'job_started', job_id: 1, total_tracks: 10, resumed: false },
      failed(1),
      failed(2, { title: 'Feeling Good', operation: 'lyrics', reason: 'no answer within 30 s', attempts: 1 }),
    );
    await waitFor(() => expect(rows(container)).toHaveLength(2));
    const cells = [...rows(container)[1].querySelectorAll('[role="cell"]')].map((c) => c.textContent);
    expect(cells).toEqual(['Feeling Good', 'Nina Simone', 'Lyrics', 'no answer within 30 s', '1']);
    expect(screen.getByTestId('failure-count').textContent).toBe('2');
    // Fixed later in the job: the failure goes away.
    await play({ type: 'track_updated', track_id: 1, updated_fields: ['artwork'] });
    await waitFor(() => expect(rows(container)).toHaveLength(1));
  });

  it('renders hostile titles and reasons as text', async () => {
    const { play, container } = await setup();
    await play(
      failed(1, { title: XSS_STRING, artist: '<script>alert(2)</script>', reason: `HTTP 502: ${XSS_STRING}` }),
    );
    await waitFor(() => expect(rows(container)).toHaveLength(1));
    const list = screen.getByRole('table', { name: 'Failures' });
    expect(list.querySelector('img')).toBeNull();
    expect(list.querySelector('script')).toBeNull();
    expect(within(list).getByText(XSS_STRING).tagName).toBe('SPAN');
    expect(within(list).getByText('<script>alert(2)</script>')).toBeTruthy();
    expect(within(list).getByText(`HTTP 502: ${XSS_STRING}`).getAttribute('title')).toBe(`HTTP 502: ${XSS_STRING}`);
  });

  it('renders only the visible rows of 10,000 failures', async () => {
    const { play, container } = await setup();
    const events = Array.from({ length: 10_000 }, (_, i) => failed(i + 1));
    await play(...events);
    await waitFor(() => expect(screen.getByTestId('failure-count').textContent).toBe('10,000'));
    const table = screen.getByRole('table', { name: 'Failures' });
    expect(table.getAttribute('aria-rowcount')).toBe('10001');
    const rendered = rows(container).length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(40);
    // Scrolling shows the rows there, and still only a few.
    const viewport = screen.getByTestId('failure-viewport');
    viewport.scrollTop = 5000 * ROW_HEIGHT;
    await fireEvent.scroll(viewport);
    await waitFor(() => expect(container.querySelector('[aria-rowindex="5002"]')?.textContent).toContain('Song 5001'));
    expect(rows(container).length).toBeLessThan(40);
    expect(container.textContent).not.toContain('Song 1 ');
  });

  it('loads earlier failures first, oldest at the top, and appends new ones', async () => {
    const { play, container } = await setup({ failures: earlierFailures(1_700_000_000) });
    await waitFor(() => expect(rows(container)).toHaveLength(8));
    // earlierFailures is newest first: the oldest (9008) is shown first.
    expect(rows(container)[0].getAttribute('data-failure')).toBe('9008:lyrics');
    await play(failed(5));
    await waitFor(() => expect(rows(container)).toHaveLength(9));
    expect(rows(container)[8].getAttribute('data-failure')).toBe('5:artwork');
  });

  it('reloads failures on resync and tells the app', async () => {
    const { fake, onresync } = await setup();
    fake.emit({ kind: 'resync' });
    await waitFor(() => expect(fake.failureCalls).toBe(2));
    expect(onresync).toHaveBeenCalledOnce();
  });

  it('keeps live changes that arrive while a resync reload is in flight', async () => {
    const { fake, play, container } = await setup();
    await play(failed(1), failed(2));
    await waitFor(() => expect(rows(container)).toHaveLength(2));
    // The reload answers with a snapshot taken before the next events.
    let answer: (records: Awaited<ReturnType<FakeBackend['listFailures']>>) => void = () => {};
    vi.spyOn(fake, 'listFailures').mockImplementation(() => new Promise((resolve) => (answer = resolve)));
    fake.emit({ kind: 'resync' });
    await play(failed(3), { type: 'track_updated', track_id: 1, updated_fields: ['artwork'] });
    const stale = [1, 2].reverse().map((id) => ({
      track_id: id,
      title: `Song ${id}`,
      artist: 'Nina Simone',
      album_id: 3,
      album: 'Pastel Blues',
      path: `/m/${id}.flac`,
      operation: 'artwork' as const,
      reason: 'coverartarchive: server error (HTTP 502)',
      attempts: 4,
      failed_at: 1_700_000_000,
    }));
    answer(stale);
    await waitFor(() =>
      expect([...rows(container)].map((r) => r.getAttribute('data-failure'))).toEqual(['2:artwork', '3:artwork']),
    );
  });

  it('tells the app when a job ended', async () => {
    const { play, onjobend } = await setup();
    await play({ type: 'job_started', job_id: 1, total_tracks: 0, resumed: false });
    expect(onjobend).not.toHaveBeenCalled();
    await play(jobFinished(progress(0, 0)));
    expect(onjobend).toHaveBeenCalledOnce();
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Nothing to do'));
  });

  it('exports the failures as CSV through saveTextFile, and says where it went', async () => {
    const { play, fake } = await setup();
    expect(button('Export CSV').disabled).toBe(true);
    await play(failed(1, { title: 'Hello, "World"' }));
    await waitFor(() => expect(button('Export CSV').disabled).toBe(false));
    const saveTextFile = vi.spyOn(fake, 'saveTextFile').mockResolvedValue('/home/me/failures.csv');
    await fireEvent.click(button('Export CSV'));
    expect(saveTextFile).toHaveBeenCalledOnce();
    const [name, text] = saveTextFile.mock.calls[0];
    expect(name).toMatch(/^gatefold-failures-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text.slice(1).split('\r\n')[0]).toBe('track_id,title,artist,album,path,operation,reason,attempts,failed_at');
    // A failure seen live has its album and path (the event carries them).
    expect(text).toContain(
      '1,"Hello, ""World""",Nina Simone,Pastel Blues,/music/Nina Simone/Pastel Blues/1.flac,artwork,coverartarchive: server error (HTTP 502),4,',
    );
    await screen.findByText('/home/me/failures.csv');
  });

  it('says nothing when the save dialog is cancelled, and shows a failed save', async () => {
    const { play, fake, container } = await setup();
    await play(failed(1));
    await waitFor(() => expect(button('Export CSV').disabled).toBe(false));
    const saveTextFile = vi.spyOn(fake, 'saveTextFile').mockResolvedValue(null);
    await fireEvent.click(button('Export CSV'));
    await waitFor(() => expect(button('Export CSV').disabled).toBe(false));
    expect(container.textContent).not.toContain('Exported to');
    saveTextFile.mockRejectedValue(new BackendError('io', 'disk full'));
    await fireEvent.click(button('Export CSV'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('disk full');
  });

  it('downloads the CSV in a browser (the fake backend)', async () => {
    const { play } = await setup();
    await play(failed(1));
    await waitFor(() => expect(button('Export CSV').disabled).toBe(false));
    const blobs: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return 'blob:x';
    });
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    await fireEvent.click(button('Export CSV'));
    await waitFor(() => expect(click).toHaveBeenCalledOnce());
    const text = (await blobs[0].text()).replace(/^\uFEFF/, '');
    expect(text.split('\r\n')[0]).toBe('track_id,title,artist,album,path,operation,reason,attempts,failed_at');
  });

  it('shows a job already running when it opens (enrichment_status), then follows events', async () => {
    const fake = new FakeBackend({ job: { tracks: 0 } });
    vi.spyOn(fake, 'enrichmentStatus').mockResolvedValue({
      job_id: 4,
      progress: progress(480, 1200),
      paused: null,
      providers: [],
    });
    const { container } = render(EnrichmentPanel, { backend: fake, locale });
    await waitFor(() => expect(bar().getAttribute('aria-valuenow')).toBe('40'));
    expect(stat(container, 'processed')).toBe('480 / 1,200');
    expect(screen.getByRole('status').textContent).toContain('Running');
    expect(enabled()).toEqual(['Pause', 'Cancel']);
    fake.emitEvents([{ type: 'progress', job_id: 4, progress: progress(600, 1200) }]);
    await waitFor(() => expect(bar().getAttribute('aria-valuenow')).toBe('50'));
  });

  it('shows a paused job and its reason at once', async () => {
    const fake = new FakeBackend({ job: { tracks: 0 } });
    vi.spyOn(fake, 'enrichmentStatus').mockResolvedValue({
      job_id: 4,
      progress: progress(300, 1200),
      paused: { code: 'waiting_for_wifi', message: 'waiting for WiFi (now on ethernet (eth0))' },
      providers: [],
    });
    const first = render(EnrichmentPanel, { backend: fake, locale });
    await waitFor(() =>
      expect(screen.getByRole('status').textContent?.trim()).toBe('Waiting for WiFi (now on ethernet (eth0))'),
    );
    expect(enabled()).toEqual(['Pause', 'Cancel']);
    first.unmount();

    const other = new FakeBackend({ job: { tracks: 0 } });
    vi.spyOn(other, 'enrichmentStatus').mockResolvedValue({
      job_id: 4,
      progress: progress(300, 1200),
      paused: { code: 'requested', message: 'paused' },
      providers: [],
    });
    render(EnrichmentPanel, { backend: other, locale });
    await waitFor(() => expect(screen.getByRole('status').textContent?.trim()).toBe('Paused'));
    expect(enabled()).toEqual(['Resume', 'Cancel']);
  });

  it('ignores a status answer that a job event overtook', async () => {
    const fake = new FakeBackend({ job: { tracks: 0 } });
    let answer: (status: null) => void = () => {};
    vi.spyOn(fake, 'enrichmentStatus').mockImplementation(() => new Promise((resolve) => (answer = resolve)));
    render(EnrichmentPanel, { backend: fake, locale });
    fake.emitEvents([{ type: 'job_started', job_id: 9, total_tracks: 10, resumed: false }]);
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Running'));
    answer(null);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(screen.getByRole('status').textContent).toContain('Running');
  });

  it('asks for the job status again on resync', async () => {
    const { fake } = await setup();
    const status = vi.spyOn(fake, 'enrichmentStatus').mockResolvedValue({
      job_id: 2,
      progress: progress(5, 10),
      paused: { code: 'requested', message: 'paused' },
      providers: [],
    });
    fake.emit({ kind: 'resync' });
    await waitFor(() => expect(screen.getByRole('status').textContent?.trim()).toBe('Paused'));
    expect(status).toHaveBeenCalledOnce();
  });

  it('shows what the write-back did after the job, in its own card, until the next job starts', async () => {
    const { play } = await setup();
    const report = writeBackFixture('written');
    await play({ type: 'job_started', job_id: 1, total_tracks: 2, resumed: false }, jobFinished(progress(2, 2)), {
      type: 'write_back_finished',
      ...report,
    });
    const card = await screen.findByRole('region', { name: 'Write-back' });
    expect(screen.getByTestId('write-back').textContent).toBe(
      'Wrote 43 files beside your music; 6 already up to date, 1 skipped, 1 failed; removed 1 leftover temporary file',
    );
    expect(within(card).getByText(/^Your music folder was changed/)).toBeTruthy();
    // Next to the run summary, after it.
    const summary = screen.getByRole('region', { name: 'Run summary' });
    expect(summary.compareDocumentPosition(card) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    const files = within(card).getByRole('region', { name: 'Files written back' });
    expect(files.querySelectorAll('[data-folder]')).toHaveLength(2);
    expect(within(files).getByText(/No space left on device/)).toBeTruthy();
    expect(screen.getByTestId('write-back-more').textContent).toMatch(/and 40 more files/);
    expect(screen.getByRole('status').textContent?.trim()).toBe('Finished');

    await play({ type: 'job_started', job_id: 2, total_tracks: 2, resumed: false });
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Write-back' })).toBeNull());
  });

  it('does not let a write-back hide under "Nothing to do"', async () => {
    const { play } = await setup();
    await play({ type: 'job_started', job_id: 1, total_tracks: 0, resumed: false }, jobFinished(progress(0, 0)));
    await waitFor(() => expect(screen.getByRole('status').textContent?.trim()).toBe('Nothing to do'));
    const report = writeBackFixture('written');
    report.summary = { ...report.summary, written: 14, cleaned: 0 };
    await play({ type: 'write_back_finished', ...report });
    await waitFor(() =>
      expect(screen.getByRole('status').textContent?.trim()).toBe('Nothing to enrich; write-back changed 14 files'),
    );
    expect(screen.getByRole('region', { name: 'Write-back' })).toBeTruthy();
  });

  it('lists what the fake wrote back after its own job', async () => {
    const fake = new FakeBackend({
      settings: { ...DEFAULT_SETTINGS, write_back: 'sidecar' },
      job: { tracks: 40, tickMs: 1, tracksPerTick: 20, artworkFailureRate: 0, lyricsFailureRate: 0 },
    });
    render(EnrichmentPanel, { backend: fake, locale });
    await fireEvent.click(await screen.findByRole('button', { name: 'Enrich library' }));
    const card = await screen.findByRole('region', { name: 'Write-back' }, { timeout: 5000 });
    const files = within(card).getByRole('region', { name: 'Files written back' });
    const outcomes = new Set([...files.querySelectorAll('li.file')].map((li) => li.getAttribute('data-outcome')));
    expect(outcomes.has('written')).toBe(true);
    expect([...outcomes].every((o) => o === 'written' || o === 'skipped')).toBe(true);
    fake.dispose();
  });

  it('opens on a fake that is mid-job, showing the job at once', async () => {
    const fake = new FakeBackend({ job: { tracks: 100, tickMs: 10_000, tracksPerTick: 1, startAt: 0.4 } });
    render(EnrichmentPanel, { backend: fake, locale });
    await waitFor(() => expect(bar().getAttribute('aria-valuenow')).toBe('40'));
    expect(enabled()).toEqual(['Pause', 'Cancel']);
    fake.dispose();
  });

  it('does not show an error as an alert when earlier failures cannot be loaded', async () => {
    const fake = new FakeBackend({ error: { code: 'database', message: 'locked' } });
    render(EnrichmentPanel, { backend: fake, locale });
    await screen.findByText(/Could not load earlier failures: locked/);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('runs a whole simulated job to 100 %', async () => {
    const fake = new FakeBackend({
      job: { tracks: 40, tickMs: 2, tracksPerTick: 5, artworkFailureRate: 0.25, lyricsFailureRate: 0 },
    });
    const { container } = render(EnrichmentPanel, { backend: fake, locale });
    await waitFor(() => expect(fake.failureCalls).toBe(1));
    await fireEvent.click(button('Enrich library'));
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Finished'), { timeout: 3000 });
    expect(bar().getAttribute('aria-valuenow')).toBe('100');
    expect(stat(container, 'processed')).toBe('40 / 40');
    const failures = await fake.listFailures(100);
    expect(failures.length).toBeGreaterThan(0);
    expect(screen.getByTestId('failure-count').textContent).toBe(String(failures.length));
    expect(stat(container, 'failed')).toBe(String(failures.length));
  });
});

describe('EnrichmentPanel pausing', () => {
  it('says "Pausing… (n finishing)" until the operations running have ended, then "Paused"', async () => {
    const { play } = await setup();
    await play(
      { type: 'job_started', job_id: 1, total_tracks: 100, resumed: false },
      { type: 'progress', job_id: 1, progress: progress(40, 100, { in_flight: 5 }) },
      { type: 'job_paused', job_id: 1, reason: { code: 'requested', message: 'paused' } },
    );
    await waitFor(() => expect(screen.getByTestId('job-status').textContent?.trim()).toBe('Pausing… (5 finishing)'));
    // Resume and Cancel work at once; the count follows the progress events.
    expect(enabled()).toEqual(['Resume', 'Cancel']);
    await play({ type: 'progress', job_id: 1, progress: progress(43, 100, { in_flight: 2 }) });
    await waitFor(() => expect(screen.getByTestId('job-status').textContent?.trim()).toBe('Pausing… (2 finishing)'));
    await play({ type: 'progress', job_id: 1, progress: progress(45, 100, { in_flight: 0 }) });
    await waitFor(() => expect(screen.getByTestId('job-status').textContent?.trim()).toBe('Paused'));
  });

  it('keeps the WiFi wording for a WiFi pause', async () => {
    const { play } = await setup();
    await play(
      { type: 'job_started', job_id: 1, total_tracks: 100, resumed: false },
      {
        type: 'job_paused',
        job_id: 1,
        reason: { code: 'waiting_for_wifi', message: 'waiting for WiFi (now on ethernet)' },
      },
      { type: 'progress', job_id: 1, progress: progress(40, 100, { in_flight: 3 }) },
    );
    await waitFor(() =>
      expect(screen.getByTestId('job-status').textContent?.trim()).toBe('Waiting for WiFi (now on ethernet)'),
    );
  });
});

describe('EnrichmentPanel waiting for the network', () => {
  const offline = { code: 'waiting_for_network' as const, message: 'waiting for the network (no connection)' };

  it('says it waits for the network, offers no Resume (it goes on by itself) and keeps Cancel', async () => {
    const { play, container } = await setup({ failures: earlierFailures(1_700_000_000) });
    await waitFor(() => expect(screen.getByTestId('failure-count').textContent).toBe('8'));
    await play(
      { type: 'job_started', job_id: 1, total_tracks: 100, resumed: false },
      { type: 'progress', job_id: 1, progress: progress(30, 100, { in_flight: 4 }) },
      { type: 'job_paused', job_id: 1, reason: offline },
    );
    // Not "Paused", and not "Pausing…" either: the operations running wait for the network too.
    await waitFor(() =>
      expect(screen.getByTestId('job-status').textContent?.trim()).toBe('Waiting for the network (no connection)'),
    );
    expect(screen.getByTestId('network-hint').textContent).toContain('Continues by itself when the network is back');
    expect(container.textContent).not.toContain('Continues by itself when WiFi is back');
    // Pause turns it into a requested pause; Resume is not needed; Cancel stays.
    expect(enabled()).toEqual(['Pause', 'Cancel']);
    expect(stat(container, 'eta')).toBe('—');
    // The wait is not a failure: the list and the job's count are as they were.
    expect(screen.getByTestId('failure-count').textContent).toBe('8');
    expect(stat(container, 'failed')).toBe('0');

    await play({ type: 'job_resumed', job_id: 1 });
    await waitFor(() => expect(screen.getByTestId('job-status').textContent?.trim()).toBe('Running'));
    expect(screen.queryByTestId('network-hint')).toBeNull();
    expect(screen.getByTestId('failure-count').textContent).toBe('8');
  });

  it('shows the network wait of a job already paused when it opens', async () => {
    const fake = new FakeBackend({ job: { tracks: 0 } });
    vi.spyOn(fake, 'enrichmentStatus').mockResolvedValue({
      job_id: 4,
      progress: progress(10, 50),
      paused: offline,
      providers: [],
    });
    render(EnrichmentPanel, { backend: fake, locale });
    await waitFor(() =>
      expect(screen.getByTestId('job-status').textContent?.trim()).toBe('Waiting for the network (no connection)'),
    );
    expect(enabled()).toEqual(['Pause', 'Cancel']);
  });
});

describe('EnrichmentPanel run summary', () => {
  function finishedRun(jobId = 1, cancelled = false) {
    const { counts, ...extras } = runResultFixture();
    return jobFinished(counts, { ...extras, jobId, cancelled });
  }

  it('sums up a run that ended, timed from its start to its end by the panel’s clock', async () => {
    let clock = 0;
    const onshowmissing = vi.fn();
    const { play } = await setup({}, () => clock, { onshowmissing });
    clock = 1_000;
    await play(
      { type: 'job_started', job_id: 1, total_tracks: 1200, resumed: false },
      { type: 'progress', job_id: 1, progress: progress(100, 1200) },
    );
    await waitFor(() => expect(screen.getByTestId('job-status').textContent).toContain('Running'));
    // No summary while the job runs.
    expect(screen.queryByTestId('run-summary')).toBeNull();
    clock = 186_000;
    await play(finishedRun());
    const card = await screen.findByRole('region', { name: 'Run summary' });
    expect(within(card).getByTestId('run-outcome').textContent).toBe('Finished');
    expect(within(card).getByTestId('run-took').textContent).toBe('3 min 5 s');
    expect(card.querySelector('[data-found="artwork"] [data-source="coverartarchive"] dd')?.textContent).toBe('700');
    expect(card.querySelector('[data-found="lyrics"] [data-source="lrclib"] dd')?.textContent).toBe('900');
    expect(within(card).getByRole('table', { name: 'Requests' })).toBeTruthy();
    await fireEvent.click(within(card).getByRole('button', { name: 'Show albums with no cover' }));
    expect(onshowmissing).toHaveBeenCalledWith('artwork');
    await fireEvent.click(within(card).getByRole('button', { name: 'Show albums with no lyrics' }));
    expect(onshowmissing).toHaveBeenCalledWith('lyrics');

    // The next job starts: the card goes until that one ends.
    clock = 200_000;
    await play({ type: 'job_started', job_id: 2, total_tracks: 5, resumed: false });
    await waitFor(() => expect(screen.queryByTestId('run-summary')).toBeNull());
    clock = 202_500;
    await play(jobFinished(progress(5, 5), { jobId: 2 }));
    expect((await screen.findByTestId('run-took')).textContent).toBe('3 s');
  });

  it('sums up a cancelled run with what it did', async () => {
    let clock = 0;
    const { play } = await setup({}, () => clock);
    await play({ type: 'job_started', job_id: 1, total_tracks: 1200, resumed: false });
    clock = 42_000;
    await play({ type: 'job_cancelled', job_id: 1, progress: progress(1200, 1200) }, finishedRun(1, true));
    const card = await screen.findByTestId('run-summary');
    expect(card.dataset.outcome).toBe('cancelled');
    expect(within(card).getByTestId('run-outcome').textContent).toBe('Cancelled: what the run did before it stopped');
    expect(within(card).getByTestId('run-took').textContent).toBe('42 s');
  });

  it('gives no time for a job whose start it did not hear, and no card for one that stopped on an error', async () => {
    const { play } = await setup({}, () => 5_000);
    // Opened mid-job: the progress of a job it never saw start.
    await play({ type: 'progress', job_id: 1, progress: progress(600, 1200) }, finishedRun(1));
    const card = await screen.findByTestId('run-summary');
    expect(within(card).queryByTestId('run-took')).toBeNull();
    // Without a place to show albums, no link.
    expect(within(card).queryByRole('button')).toBeNull();
    await play(
      { type: 'job_started', job_id: 2, total_tracks: 5, resumed: false },
      { type: 'job_failed', code: 'database', message: 'database is locked' },
    );
    await waitFor(() => expect(screen.getByTestId('job-status').textContent).toContain('Stopped on an error'));
    expect(screen.queryByTestId('run-summary')).toBeNull();
  });
});

describe('EnrichmentPanel failures', () => {
  function summary() {
    return screen.getByTestId('failure-summary').textContent?.replace(/\s+/g, ' ').trim();
  }

  function expandButton(container: HTMLElement, key: string): HTMLButtonElement {
    return container.querySelector(`[data-failure="${key}"] button.expand`) as HTMLButtonElement;
  }

  async function openRow(container: HTMLElement, key: string) {
    await waitFor(() => expect(expandButton(container, key)).toBeTruthy());
    await fireEvent.click(expandButton(container, key));
    return screen.findByTestId('failure-detail');
  }

  it('counts failures and the tracks they are on; the job counts tracks', async () => {
    const { play, container } = await setup();
    expect(summary()).toBe('No failures');
    await play(
      { type: 'job_started', job_id: 1, total_tracks: 10, resumed: false },
      failed(1),
      failed(1, { operation: 'lyrics', reason: 'lrclib: server error (HTTP 500)' }),
      failed(2),
      { type: 'progress', job_id: 1, progress: progress(2, 10, { failed_tracks: 2 }) },
    );
    await waitFor(() => expect(summary()).toBe('3 failures on 2 tracks'));
    expect(screen.getByTestId('failure-count').textContent).toBe('3');
    expect(container.querySelector('[data-job-stat="failed"] dt')?.textContent).toBe('Tracks failed');
    expect(stat(container, 'failed')).toBe('2');
  });

  it('reloads the list from the library when a job ends: the library is the truth', async () => {
    const { fake, play, container } = await setup({ failures: earlierFailures(1_700_000_000) });
    await waitFor(() => expect(rows(container)).toHaveLength(8));
    // A retry: live failures the library no longer has once the job ended ("not found" or
    // found after all, which no event says).
    await play({ type: 'job_started', job_id: 2, total_tracks: 8, resumed: false }, failed(1), failed(2));
    await waitFor(() => expect(rows(container)).toHaveLength(10));
    const remaining = (await fake.listFailures(100)).slice(0, 3);
    vi.spyOn(fake, 'listFailures').mockResolvedValue(remaining);
    await play(jobFinished(progress(8, 8), { jobId: 2 }));
    await waitFor(() => expect(rows(container)).toHaveLength(3));
    expect(summary()).toBe('3 failures on 3 tracks');
    // A cancelled job too.
    vi.spyOn(fake, 'listFailures').mockResolvedValue([]);
    await play(
      { type: 'job_started', job_id: 3, total_tracks: 8, resumed: false },
      { type: 'job_cancelled', job_id: 3, progress: progress(1, 8) },
    );
    await waitFor(() => expect(rows(container)).toHaveLength(0));
  });

  it('opens a row with a real button to show the failure in plain words', async () => {
    const { play, container } = await setup();
    await play(
      failed(7, {
        title: 'Jóga',
        artist: 'Björk',
        album: 'Homogenic',
        path: '/music/Björk/Homogenic/03 Jóga.flac',
        reason: 'itunes images: could not connect (Connection refused (os error 111))',
        attempts: 4,
      }),
    );
    const toggle = await waitFor(() => {
      const found = expandButton(container, '7:artwork');
      expect(found).toBeTruthy();
      return found;
    });
    expect(toggle.tagName).toBe('BUTTON');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByTestId('failure-detail')).toBeNull();
    await fireEvent.click(toggle);
    const detail = await screen.findByTestId('failure-detail');
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(toggle.getAttribute('aria-controls')).toBe(detail.id);
    const facts = Object.fromEntries(
      [...detail.querySelectorAll('dl div')].map((d) => [
        d.querySelector('dt')?.textContent,
        d.querySelector('dd')?.textContent,
      ]),
    );
    expect(facts).toMatchObject({
      Reason: 'itunes images: could not connect (Connection refused (os error 111))',
      Provider: 'iTunes (image server)',
      Cause: 'Could not connect',
      Attempts: '4',
      Operation: 'Artwork',
      Album: 'Homogenic',
      Path: '/music/Björk/Homogenic/03 Jóga.flac',
    });
    expect(facts.When).not.toBe('—');
    expect(detail.textContent).toContain('Gatefold could not reach the provider');
    // The details are a row of the table, after the open one.
    const table = screen.getByRole('table', { name: 'Failures' });
    expect(table.getAttribute('aria-rowcount')).toBe('3');
    expect(detail.closest('[role="row"]')?.getAttribute('aria-rowindex')).toBe('3');
    // Escape closes them, back on the row's button.
    await fireEvent.keyDown(within(detail).getByRole('button', { name: 'Retry' }), { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('failure-detail')).toBeNull());
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(toggle);
    expect(table.getAttribute('aria-rowcount')).toBe('2');
  });

  it('retries one track, and shows a refusal in the row', async () => {
    const { fake, play, container } = await setup();
    await play(failed(5));
    const start = vi.spyOn(fake, 'startEnrichment').mockResolvedValueOnce();
    let detail = await openRow(container, '5:artwork');
    await fireEvent.click(within(detail).getByRole('button', { name: 'Retry' }));
    expect(start).toHaveBeenLastCalledWith({ retryFailed: true, trackIds: [5] });
    await within(detail).findByText(/Retrying this track/);
    await play(
      { type: 'job_started', job_id: 2, total_tracks: 1, resumed: false },
      jobFinished(progress(1, 1), { jobId: 2 }),
    );

    // Another process runs a job: the refusal is said where the user asked, in plain words.
    start.mockRejectedValueOnce(new BackendError('job_already_running', 'a job is already running'));
    await waitFor(() => expect(rows(container)).toHaveLength(0));
    await play(failed(6));
    detail = await openRow(container, '6:artwork');
    await fireEvent.click(within(detail).getByRole('button', { name: 'Retry' }));
    const alert = await within(detail).findByRole('alert');
    expect(alert.textContent).toMatch(/already running .* retry this track when it has ended/);
    expect(within(alert).getByText('job_already_running').tagName).toBe('CODE');
    // Not also the panel's alert.
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(enabled()).toContain('Enrich library');
  });

  it('shows the album in the library, and the file in the file manager', async () => {
    const fake = new FakeBackend({ job: { tracks: 0 } });
    const onshowalbum = vi.fn();
    const { container } = render(EnrichmentPanel, { backend: fake, locale, onshowalbum });
    fake.emitEvents([failed(5, { album_id: 3 }), failed(6, { album_id: 999 })]);
    let detail = await openRow(container, '5:artwork');
    await fireEvent.click(within(detail).getByRole('button', { name: 'Show in library' }));
    await waitFor(() => expect(onshowalbum).toHaveBeenCalledOnce());
    expect(onshowalbum.mock.calls[0][0]).toMatchObject({ id: 3 });
    await fireEvent.click(within(detail).getByRole('button', { name: 'Open folder' }));
    await within(detail).findByText('Opened in your file manager.');
    expect(fake.revealed).toEqual([5]);

    // Errors are said in the row.
    detail = await openRow(container, '6:artwork');
    await fireEvent.click(within(detail).getByRole('button', { name: 'Show in library' }));
    expect((await within(detail).findByRole('alert')).textContent).toMatch(/album is no longer in the library/);
    vi.spyOn(fake, 'revealTrack').mockRejectedValue(new BackendError('io', 'no file manager found'));
    await fireEvent.click(within(detail).getByRole('button', { name: 'Open folder' }));
    await waitFor(() => expect(within(detail).getByRole('alert').textContent).toContain('no file manager found'));
  });

  it('does not offer "Show in library" without a place to show it', async () => {
    const { play, container } = await setup();
    await play(failed(5));
    const detail = await openRow(container, '5:artwork');
    expect(within(detail).queryByRole('button', { name: 'Show in library' })).toBeNull();
    expect(within(detail).getByRole('button', { name: 'Open folder' })).toBeTruthy();
  });

  it('filters by provider and by cause, and exports what is shown', async () => {
    const { fake, play, container } = await setup();
    await play(
      failed(1, { operation: 'lyrics', reason: 'lrclib: server error (HTTP 500)' }),
      failed(2, { operation: 'lyrics', reason: 'lrclib: timed out (operation timed out)' }),
      failed(3, { reason: 'musicbrainz: timed out (operation timed out)' }),
      failed(4, { reason: 'deezer: throttled (Quota limit exceeded)' }),
    );
    await waitFor(() => expect(rows(container)).toHaveLength(4));
    const provider = screen.getByLabelText('Provider') as HTMLSelectElement;
    const cause = screen.getByLabelText('Cause') as HTMLSelectElement;
    expect(provider.value).toBe('');
    expect(provider.selectedOptions[0].textContent).toBe('All');
    expect([...provider.options].map((o) => o.textContent)).toContain('LRCLIB (2)');
    await fireEvent.change(provider, { target: { value: 'lrclib' } });
    await waitFor(() => expect(rows(container)).toHaveLength(2));
    expect(summary()).toBe('4 failures on 4 tracks, 2 shown');
    await fireEvent.change(cause, { target: { value: 'timeout' } });
    await waitFor(() => expect(rows(container)).toHaveLength(1));
    expect(rows(container)[0].getAttribute('data-failure')).toBe('2:lyrics');

    const saveTextFile = vi.spyOn(fake, 'saveTextFile').mockResolvedValue('/tmp/f.csv');
    await fireEvent.click(button('Export shown as CSV'));
    const text = saveTextFile.mock.calls[0][1].slice(1);
    expect(text.split('\r\n').filter((l) => l !== '')).toHaveLength(2);
    expect(text).toContain('lrclib: timed out');

    // Nothing matches: said, and nothing to export.
    await fireEvent.change(provider, { target: { value: 'itunes' } });
    await screen.findByText('No failure matches these filters.');
    expect(button('Export shown as CSV').disabled).toBe(true);
    // "All" again.
    await fireEvent.change(provider, { target: { value: '' } });
    await fireEvent.change(cause, { target: { value: '' } });
    await waitFor(() => expect(rows(container)).toHaveLength(4));
    expect(summary()).toBe('4 failures on 4 tracks');
  });
});

describe('EnrichmentPanel last run', () => {
  const NOW = 1_714_564_800;

  it('shows the last run after a restart, and continues an interrupted one', async () => {
    const fake = new FakeBackend({
      lastRun: lastRunFixture('interrupted', NOW, { processed: 320, total: 800 }),
      job: { tracks: 800, tickMs: 10_000 },
    });
    const start = vi.spyOn(fake, 'startEnrichment');
    const { container } = render(EnrichmentPanel, { backend: fake, locale });
    const card = await screen.findByTestId('last-run');
    expect(within(card).getByTestId('last-run-state').textContent?.trim()).toBe('Interrupted');
    expect(within(card).getByTestId('last-run-when').textContent).toMatch(/^Started .*2024/);
    expect(card.textContent).toContain('Continue picks it up where it stopped');
    const counts = Object.fromEntries(
      [...card.querySelectorAll('[data-last-run]')].map((d) => [
        d.getAttribute('data-last-run'),
        d.querySelector('dd')?.textContent,
      ]),
    );
    expect(counts).toEqual({
      processed: '320 / 800',
      artwork: '128',
      lyrics: '224',
      failed: '9',
      'not-found': '32, 48',
    });
    // In place of the empty progress block.
    expect(screen.queryByRole('progressbar', { name: 'Enrichment progress' })).toBeNull();

    await fireEvent.click(within(card).getByRole('button', { name: 'Continue' }));
    expect(start).toHaveBeenCalledWith({ retryFailed: false });
    // The live job from its first event: the same job, continued.
    await waitFor(() => expect(screen.queryByTestId('last-run')).toBeNull());
    await waitFor(() => expect(bar().getAttribute('aria-valuenow')).toBe('40'));
    expect(stat(container, 'processed')).toBe('320 / 800');
    expect(screen.getByTestId('job-status').textContent).toContain('continuing an interrupted job');
    fake.dispose();
  });

  it('reloads the last run when a job ends, and says when it ran', async () => {
    const fake = new FakeBackend({ job: { tracks: 0 } });
    const lastRun = vi.spyOn(fake, 'lastRun');
    render(EnrichmentPanel, { backend: fake, locale });
    await waitFor(() => expect(lastRun).toHaveBeenCalledOnce());
    expect(screen.queryByTestId('last-run')).toBeNull();
    lastRun.mockResolvedValue({ ...lastRunFixture('finished', NOW, { processed: 2, total: 2 }), job_id: 1 });
    fake.emitEvents([{ type: 'job_started', job_id: 1, total_tracks: 2, resumed: false }, jobFinished(progress(2, 2))]);
    await waitFor(() => expect(lastRun).toHaveBeenCalledTimes(2));
    // The live job stays shown, with when it ran and what was not found.
    const when = await screen.findByTestId('run-when');
    expect(when.textContent?.replace(/\s+/g, ' ')).toMatch(
      /^Started .*; ended .*\(20 min\)\. Not found: 0 artwork, 0 lyrics\.$/,
    );
    expect(screen.getByTestId('job-status').textContent).toContain('Finished');
  });

  it('says when another process runs a job, and follows it until it ends', async () => {
    vi.useFakeTimers();
    try {
      const fake = new FakeBackend({ lastRun: lastRunFixture('running_elsewhere', NOW), job: { tracks: 0 } });
      const lastRun = vi.spyOn(fake, 'lastRun');
      const listFailures = vi.spyOn(fake, 'listFailures');
      const onlibrarychange = vi.fn();
      render(EnrichmentPanel, { backend: fake, locale, onlibrarychange });
      await vi.advanceTimersByTimeAsync(0);
      const card = screen.getByTestId('last-run');
      expect(within(card).getByTestId('last-run-state').textContent?.trim()).toBe(
        'Running in another Gatefold process',
      );
      expect(card.textContent).toContain('the command line');
      expect(within(card).queryByRole('button', { name: 'Continue' })).toBeNull();
      // A job cannot start here meanwhile.
      expect(button('Enrich library').disabled).toBe(true);
      expect(lastRun).toHaveBeenCalledTimes(1);

      // It is asked again now and then, with its counts.
      lastRun.mockResolvedValueOnce(lastRunFixture('running_elsewhere', NOW, { processed: 500 }));
      await vi.advanceTimersByTimeAsync(LAST_RUN_POLL_MS);
      expect(lastRun).toHaveBeenCalledTimes(2);
      expect(screen.getByTestId('last-run').querySelector('[data-last-run="processed"] dd')?.textContent).toBe(
        '500 / 800',
      );

      // It ended: the library changed.
      lastRun.mockResolvedValue(lastRunFixture('finished', NOW, { processed: 800 }));
      const failureCalls = listFailures.mock.calls.length;
      await vi.advanceTimersByTimeAsync(LAST_RUN_POLL_MS);
      expect(within(screen.getByTestId('last-run')).getByTestId('last-run-state').textContent?.trim()).toBe('Finished');
      expect(onlibrarychange).toHaveBeenCalledOnce();
      expect(listFailures.mock.calls.length).toBe(failureCalls + 1);
      expect(button('Enrich library').disabled).toBe(false);
      // And not asked again.
      await vi.advanceTimersByTimeAsync(LAST_RUN_POLL_MS * 3);
      expect(lastRun).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('EnrichmentPanel providers card', () => {
  afterEach(() => vi.restoreAllMocks());

  function card() {
    return screen.getByRole('region', { name: 'Providers' });
  }

  /** The card's table as rows of cell texts (the header row first). */
  function table(): string[][] {
    const t = within(card()).getByRole('table');
    return within(t)
      .getAllByRole('row')
      .map((row) => [...row.children].map((cell) => (cell.textContent ?? '').replace(/\s+/g, ' ').trim()));
  }

  function cell(provider: string, figure: string) {
    return card().querySelector(`table tr[data-provider="${provider}"] [data-figure="${figure}"]`)?.textContent;
  }

  it('shows each provider’s counts from the provider_stats events, live while the job runs', async () => {
    const { play } = await setup();
    expect(screen.queryByRole('region', { name: 'Providers' })).toBeNull();
    await play({ type: 'job_started', job_id: 1, total_tracks: 100, resumed: false });
    await waitFor(() => expect(screen.getByTestId('providers-none').textContent).toContain('No provider asked yet'));
    expect(screen.getByTestId('providers-card').dataset.live).toBe('true');
    expect(screen.getByTestId('providers-state').textContent?.trim()).toBe('Live: updated every 2 seconds');
    await play({
      type: 'provider_stats',
      job_id: 1,
      providers: [
        providerRequests('musicbrainz', 40, {
          throttled: 2,
          retries: 2,
          found: 36,
          not_found: 2,
          bytes: 96_000,
          latency_p50_ms: 320,
          latency_p95_ms: 880,
        }),
        providerRequests('lrclib', 100, { found: 80, not_found: 20, bytes: 250_000, latency_p50_ms: 80 }),
      ],
    });
    await waitFor(() => expect(within(card()).getByRole('table')).toBeTruthy());
    expect(
      within(card()).getByRole('table', { name: 'Requests and answers per provider so far in this run' }),
    ).toBeTruthy();
    expect(table()).toEqual([
      ['Provider', 'Requests', 'Found', 'Not found', 'Throttled', 'Errors', 'Retries', 'p50', 'p95', 'Received'],
      ['LRCLIB', '100', '80', '20', '0', '0', '0', '80 ms', '—', '250 kB'],
      ['MusicBrainz', '40', '36', '2', '2', '0', '2', '320 ms', '880 ms', '96 kB'],
      ['All providers', '140', '116', '22', '2', '0', '2', 'not added up', 'not added up', '346 kB'],
    ]);
    // Each column and row is named by its header.
    expect(within(card()).getAllByRole('columnheader')).toHaveLength(10);
    expect(within(card()).getByRole('rowheader', { name: 'LRCLIB' })).toBeTruthy();
    // A throttle is said by its number, and marked.
    expect(card().querySelector('tr[data-provider="musicbrainz"] [data-figure="throttled"]')?.classList).toContain(
      'warn',
    );
    // The next event replaces the counts (they are the run's so far).
    await play({
      type: 'provider_stats',
      job_id: 1,
      providers: [
        providerRequests('lrclib', 260, { found: 200, not_found: 60, latency_p50_ms: 85, latency_p95_ms: 300 }),
      ],
    });
    await waitFor(() => expect(cell('lrclib', 'requests')).toBe('260'));
    expect(cell('lrclib', 'p95')).toBe('300 ms');
    expect(card().querySelector('tr[data-provider="musicbrainz"]')).toBeNull();
  });

  it('shows a running job’s counts at once after a reload, from enrichment_status', async () => {
    const fake = new FakeBackend({ job: { tracks: 0 } });
    vi.spyOn(fake, 'enrichmentStatus').mockResolvedValue({
      job_id: 4,
      progress: progress(480, 1200),
      paused: { code: 'requested', message: 'paused' },
      providers: [providerRequests('lrclib', 480, { found: 400, not_found: 80 })],
    });
    render(EnrichmentPanel, { backend: fake, locale });
    await waitFor(() => expect(cell('lrclib', 'requests')).toBe('480'));
    // No request timed yet: "—", not 0 ms.
    expect(cell('lrclib', 'p50')).toBe('—');
    expect(cell('lrclib', 'p95')).toBe('—');
    expect(screen.getByTestId('providers-state').textContent?.trim()).toBe('Paused: the counts so far');
    // And the events take over.
    fake.emitEvents([{ type: 'provider_stats', job_id: 4, providers: [providerRequests('lrclib', 500)] }]);
    await waitFor(() => expect(cell('lrclib', 'requests')).toBe('500'));
  });

  it('puts each image server under its API, and adds every row up in the total', async () => {
    const { play } = await setup();
    const { requests } = runResultFixture();
    await play(
      { type: 'job_started', job_id: 1, total_tracks: 1200, resumed: false },
      // The engine sends them by name.
      {
        type: 'provider_stats',
        job_id: 1,
        providers: [...requests!].sort((a, b) => a.provider.localeCompare(b.provider)),
      },
    );
    await waitFor(() => expect(within(card()).getByRole('table')).toBeTruthy());
    const names = within(card())
      .getAllByRole('rowheader')
      .map((h) => h.textContent?.replace(/\s+/g, ' ').trim());
    expect(names).toEqual([
      'LRCLIB',
      'MusicBrainz',
      'Cover Art Archive',
      'Deezer',
      '↳ images Deezer images',
      'iTunes',
      '↳ images iTunes images',
      'All providers',
    ]);
    // Read out as "Deezer images", shown as "↳ images" under Deezer.
    expect(within(card()).getByRole('rowheader', { name: 'Deezer images' })).toBeTruthy();
    const sub = card().querySelector('table tr[data-provider="deezer images"]')!;
    expect(sub.classList).toContain('sub');
    expect(sub.querySelector('[aria-hidden="true"]')?.textContent?.replace(/\s+/g, ' ').trim()).toBe('↳ images');
    expect(cell('deezer images', 'requests')).toBe('150');
    expect(cell('deezer images', 'received')).toBe('45 MB');
    // The total counts every request, the image servers' too.
    expect(cell('total', 'requests')).toBe('4,040');
    expect(cell('total', 'received')).toBe('328 MB');
    expect(card().textContent).toContain('“images”: the server the covers of the provider above come from');
  });

  it('shows the run’s figures after it ended, from its result, and none for a run that asked nothing', async () => {
    const { play } = await setup();
    const { counts, ...extras } = runResultFixture();
    await play(
      { type: 'job_started', job_id: 1, total_tracks: 1200, resumed: false },
      { type: 'provider_stats', job_id: 1, providers: [providerRequests('lrclib', 3)] },
      jobFinished(counts, extras),
    );
    await waitFor(() => expect(screen.getByTestId('providers-card').dataset.live).toBe('false'));
    expect(screen.getByTestId('providers-state').textContent?.trim()).toBe('This run');
    expect(within(card()).getByRole('table', { name: 'Requests and answers per provider in this run' })).toBeTruthy();
    expect(cell('lrclib', 'requests')).toBe('1,206');
    expect(cell('lrclib', 'errors')).toBe('6');
    expect(cell('musicbrainz', 'p95')).toBe('910 ms');
    // The next run starts with nothing asked; it ends having asked nothing: no card.
    await play({ type: 'job_started', job_id: 2, total_tracks: 0, resumed: false });
    await waitFor(() => expect(screen.getByTestId('providers-none')).toBeTruthy());
    await play(jobFinished(progress(0, 0), { jobId: 2 }));
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Providers' })).toBeNull());
  });

  it('links to every run’s statistics when told where they are', async () => {
    const fake = new FakeBackend({ job: { tracks: 0 } });
    render(EnrichmentPanel, { backend: fake, locale, statisticsHref: '#provider-statistics' });
    await waitFor(() => expect(fake.failureCalls).toBe(1));
    fake.emitEvents([{ type: 'job_started', job_id: 1, total_tracks: 1, resumed: false }]);
    const link = await screen.findByRole('link', { name: 'All runs' });
    expect(link.getAttribute('href')).toBe('#provider-statistics');
  });
});
