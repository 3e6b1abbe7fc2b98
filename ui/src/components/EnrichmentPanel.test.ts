import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LibraryEvent } from '../bindings/LibraryEvent';
import { BackendError } from '../lib/backend';
import { FakeBackend } from '../lib/fakeBackend';
import { XSS_STRING, earlierFailures, jobFinished, progress } from '../lib/fixtures';
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
    operation: 'artwork',
    reason: 'HTTP 503 from coverartarchive.org',
    attempts: 4,
    ...extra,
  };
}

/** A panel on a fake whose own job never runs; the test plays the events. */
async function setup(options: ConstructorParameters<typeof FakeBackend>[0] = {}, now?: () => number) {
  const fake = new FakeBackend({ job: { tracks: 0 }, ...options });
  const onjobend = vi.fn();
  const onresync = vi.fn();
  const result = render(EnrichmentPanel, { backend: fake, locale, onjobend, onresync, ...(now ? { now } : {}) });
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
      album: 'Pastel Blues',
      path: `/m/${id}.flac`,
      operation: 'artwork' as const,
      reason: 'HTTP 503 from coverartarchive.org',
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
    expect(text).toContain('1,"Hello, ""World""",Nina Simone,,,artwork,HTTP 503 from coverartarchive.org,4,');
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
    vi.spyOn(fake, 'enrichmentStatus').mockResolvedValue({ job_id: 4, progress: progress(480, 1200), paused: null });
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
    });
    fake.emit({ kind: 'resync' });
    await waitFor(() => expect(screen.getByRole('status').textContent?.trim()).toBe('Paused'));
    expect(status).toHaveBeenCalledOnce();
  });

  it('shows what the write-back did after the job', async () => {
    const { play } = await setup();
    await play({ type: 'job_started', job_id: 1, total_tracks: 2, resumed: false }, jobFinished(progress(2, 2)), {
      type: 'write_back_finished',
      summary: { mode: 'sidecar', dry_run: false, written: 12, unchanged: 0, skipped: 1, failed: 0, cleaned: 0 },
    });
    await waitFor(() =>
      expect(screen.getByTestId('write-back').textContent).toBe(
        'Wrote 12 files beside your music; 1 skipped, 0 failed',
      ),
    );
    await play({ type: 'job_started', job_id: 2, total_tracks: 2, resumed: false });
    await waitFor(() => expect(screen.queryByTestId('write-back')).toBeNull());
    await play({
      type: 'write_back_finished',
      summary: { mode: 'embed', dry_run: true, written: 3, unchanged: 0, skipped: 0, failed: 0, cleaned: 0 },
    });
    await waitFor(() =>
      expect(screen.getByTestId('write-back').textContent).toMatch(/^Dry run: would write tags in 3 files/),
    );
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
