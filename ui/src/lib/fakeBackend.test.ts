import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LibraryEvent } from '../bindings/LibraryEvent';
import type { ProviderRequests } from '../bindings/ProviderRequests';
import type { ScanEvent } from '../bindings/ScanEvent';
import { type BackendMessage, BackendError } from './backend';
import { FakeBackend } from './fakeBackend';
import { parseReason } from './failures';
import { EMPTY_FIXTURE, XSS_STRING, earlierFailures, lastRunFixture, providerRunsFixture } from './fixtures';
import { DEFAULT_PROVIDERS } from './providerRules';
import { DEFAULT_SETTINGS } from './settingsRules';

function record(fake: FakeBackend) {
  const messages: BackendMessage[] = [];
  fake.subscribe((m) => messages.push(m));
  const events = () => messages.flatMap((m) => (m.kind === 'events' ? m.events : []));
  const types = () => events().map((e) => e.type);
  return { messages, events, types };
}

function last<T extends LibraryEvent['type']>(events: LibraryEvent[], type: T) {
  return events.filter((e): e is Extract<LibraryEvent, { type: T }> => e.type === type).at(-1);
}

describe('FakeBackend job', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs a job to the end in batches, with failures that have human reasons', async () => {
    const fake = new FakeBackend({
      job: { tracks: 30, tickMs: 10, tracksPerTick: 4, artworkFailureRate: 0.3, lyricsFailureRate: 0.2 },
    });
    const { messages, events, types } = record(fake);
    await fake.startEnrichment({ retryFailed: false });
    expect(fake.running).toBe(true);
    await vi.runAllTimersAsync();
    expect(fake.running).toBe(false);
    expect(types()[0]).toBe('job_started');
    expect(types().at(-1)).toBe('job_finished');
    // Batched: far fewer messages than events.
    expect(messages.length).toBeLessThan(events().length / 2);
    const finished = last(events(), 'job_finished')!;
    expect(finished.result.cancelled).toBe(false);
    expect(finished.result.progress).toMatchObject({ total_tracks: 30, processed_tracks: 30, percent_complete: 100 });
    const failures = events().filter((e) => e.type === 'track_failed');
    expect(failures.length).toBeGreaterThan(0);
    expect(finished.result.progress.failed_tracks).toBe(new Set(failures.map((f) => f.track_id)).size);
    expect(finished.result.failures).toHaveLength(failures.length);
    for (const f of failures) {
      // Worded as the engine words them: the provider first, or the operation's own timeout.
      expect(f.reason).toMatch(/^(coverartarchive|musicbrainz|lrclib|itunes images|deezer): |^no answer within 30 s$/);
      expect(parseReason(f.reason).cause).not.toBe('other');
      expect(f.attempts === 1 || f.attempts === DEFAULT_SETTINGS.max_retries + 1).toBe(true);
      // With the album and the path, for the list and the CSV.
      expect(f.album).not.toBe('');
      expect(f.path).toMatch(/^\/home\/me\/Music\/.+\.flac$/);
      expect(f.album_id).toBeGreaterThan(0);
    }
    // Progress never goes backwards.
    const processed = events().flatMap((e) => (e.type === 'progress' ? [e.progress.processed_tracks] : []));
    expect(processed).toEqual([...processed].sort((a, b) => a - b));
    // listFailures returns what failed, newest first.
    const listed = await fake.listFailures(1000);
    expect(listed).toHaveLength(failures.length);
    expect(listed[0].track_id).toBe(failures.at(-1)!.track_id);
    expect(await fake.listFailures(2)).toHaveLength(2);
    // Nothing left for a second run.
    await fake.startEnrichment({ retryFailed: false });
    await vi.runAllTimersAsync();
    expect(last(events(), 'job_started')!.total_tracks).toBe(0);
  });

  it('pauses, resumes and cancels on request', async () => {
    const fake = new FakeBackend({ job: { tracks: 100, tickMs: 10, tracksPerTick: 2 } });
    const { events, types } = record(fake);
    await fake.startEnrichment({ retryFailed: false });
    await vi.advanceTimersByTimeAsync(35);
    expect(last(events(), 'progress')!.progress.in_flight).toBe(DEFAULT_SETTINGS.max_concurrent);
    await fake.pauseEnrichment();
    await vi.advanceTimersByTimeAsync(1);
    expect(last(events(), 'job_paused')!.reason).toEqual({ code: 'requested', message: 'paused' });
    const pausedAt = events().length;
    const atPause = last(events(), 'progress')!.progress;
    // Like the engine: the operations running finish, one progress event each, none starts.
    await vi.advanceTimersByTimeAsync(200);
    const draining = events()
      .slice(pausedAt)
      .flatMap((e) => (e.type === 'progress' ? [e.progress] : []));
    expect(draining.map((p) => p.in_flight)).toEqual([4, 3, 2, 1, 0]);
    expect(draining.map((p) => p.processed_tracks - atPause.processed_tracks)).toEqual([1, 2, 3, 4, 5]);
    const before = last(events(), 'progress')!.progress.processed_tracks;
    expect((await fake.enrichmentStatus())?.progress.in_flight).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(last(events(), 'progress')!.progress.processed_tracks).toBe(before);
    await fake.resumeEnrichment();
    await vi.advanceTimersByTimeAsync(50);
    expect(types()).toContain('job_resumed');
    expect(last(events(), 'progress')!.progress.processed_tracks).toBeGreaterThan(before);
    await fake.cancelEnrichment();
    await vi.advanceTimersByTimeAsync(1);
    expect(types().slice(-2)).toEqual(['job_cancelled', 'job_finished']);
    expect(last(events(), 'job_finished')!.result.cancelled).toBe(true);
    expect(fake.running).toBe(false);
    await expect(fake.pauseEnrichment()).rejects.toMatchObject({ code: 'no_job' });
    // The rest is still to do.
    await fake.startEnrichment({ retryFailed: false });
    await vi.advanceTimersByTimeAsync(1);
    expect(last(events(), 'job_started')!.total_tracks).toBeLessThan(100);
    expect(last(events(), 'job_started')!.total_tracks).toBeGreaterThan(0);
  });

  it('can stop on an error with job_failed', async () => {
    const fake = new FakeBackend({ job: { tracks: 40, tickMs: 10, tracksPerTick: 4, failAt: 0.5 } });
    const { events, types } = record(fake);
    await fake.startEnrichment({ retryFailed: false });
    await vi.runAllTimersAsync();
    expect(types().filter((t) => t.startsWith('job_'))).toEqual(['job_started', 'job_failed']);
    expect(last(events(), 'job_failed')).toEqual({
      type: 'job_failed',
      code: 'database',
      message: 'database is locked',
    });
    expect(last(events(), 'progress')!.progress.processed_tracks).toBe(20);
    expect(fake.running).toBe(false);
  });

  it('refuses a second job while one runs', async () => {
    const fake = new FakeBackend({ job: { tracks: 10 } });
    await fake.startEnrichment({ retryFailed: false });
    await expect(fake.startEnrichment({ retryFailed: false })).rejects.toMatchObject({
      code: 'job_already_running',
    });
    fake.dispose();
  });

  it('waits for WiFi when WiFi-only is on, and goes on when it is back', async () => {
    const fake = new FakeBackend({
      settings: { ...DEFAULT_SETTINGS, require_wifi: true },
      job: { tracks: 40, tickMs: 10, tracksPerTick: 4, wifiDropAt: 0.5, wifiOutageMs: 300 },
    });
    const { events, types } = record(fake);
    await fake.startEnrichment({ retryFailed: false });
    await vi.advanceTimersByTimeAsync(100);
    expect(last(events(), 'job_paused')!.reason).toEqual({
      code: 'waiting_for_wifi',
      message: 'waiting for WiFi (now on ethernet (eth0))',
    });
    // Half done when WiFi went; the operations running then finished, no more started.
    expect(last(events(), 'progress')!.progress).toMatchObject({
      processed_tracks: 20 + DEFAULT_SETTINGS.max_concurrent,
      in_flight: 0,
    });
    await vi.runAllTimersAsync();
    const order = types().filter((t) => t.startsWith('job_'));
    expect(order).toEqual(['job_started', 'job_paused', 'job_resumed', 'job_finished']);
    expect(last(events(), 'job_finished')!.result.progress.processed_tracks).toBe(40);
  });

  it('waits for the network when it is gone, counting no failure, and goes on by itself', async () => {
    const fake = new FakeBackend({
      job: {
        tracks: 40,
        tickMs: 10,
        tracksPerTick: 4,
        offlineAt: 0.5,
        offlineMs: 300,
        artworkFailureRate: 0,
        lyricsFailureRate: 0,
      },
    });
    const { events, types } = record(fake);
    await fake.startEnrichment({ retryFailed: false });
    await vi.advanceTimersByTimeAsync(100);
    expect(last(events(), 'job_paused')!.reason).toEqual({
      code: 'waiting_for_network',
      message: 'waiting for the network (no connection)',
    });
    // Nothing running can end without a network: the progress stops where it was.
    expect(last(events(), 'progress')!.progress.processed_tracks).toBe(20);
    expect(await fake.enrichmentStatus()).toMatchObject({ paused: { code: 'waiting_for_network' } });
    await vi.advanceTimersByTimeAsync(100);
    expect(last(events(), 'progress')!.progress.processed_tracks).toBe(20);
    await vi.runAllTimersAsync();
    const order = types().filter((t) => t.startsWith('job_'));
    expect(order).toEqual(['job_started', 'job_paused', 'job_resumed', 'job_finished']);
    const finished = last(events(), 'job_finished')!;
    expect(finished.result.progress).toMatchObject({ processed_tracks: 40, failed_tracks: 0 });
    expect(types()).not.toContain('track_failed');
    expect(finished.result.failures).toEqual([]);
  });

  it('keeps a requested pause over the network wait, and waits again on resume while offline', async () => {
    const fake = new FakeBackend({
      job: { tracks: 40, tickMs: 10, tracksPerTick: 4, offlineAt: 0.5, offlineMs: 300 },
    });
    const { events } = record(fake);
    await fake.startEnrichment({ retryFailed: false });
    await vi.advanceTimersByTimeAsync(100);
    expect(last(events(), 'job_paused')!.reason.code).toBe('waiting_for_network');
    await fake.pauseEnrichment();
    await vi.advanceTimersByTimeAsync(1);
    expect(last(events(), 'job_paused')!.reason.code).toBe('requested');
    await fake.resumeEnrichment();
    await vi.advanceTimersByTimeAsync(1);
    expect(last(events(), 'job_paused')!.reason.code).toBe('waiting_for_network');
    // The network is back: the job goes on by itself.
    await vi.advanceTimersByTimeAsync(300);
    expect(last(events(), 'job_resumed')).toBeDefined();
    await vi.runAllTimersAsync();
    expect(last(events(), 'job_finished')!.result.progress.processed_tracks).toBe(40);
  });

  it('says where the finds came from and what each provider was asked, adding up with the counts', async () => {
    const fake = new FakeBackend({
      job: { tracks: 400, tickMs: 10, tracksPerTick: 40, artworkFailureRate: 0.05, lyricsFailureRate: 0.05 },
    });
    const { events } = record(fake);
    await fake.startEnrichment({ retryFailed: false });
    await vi.runAllTimersAsync();
    const { result } = last(events(), 'job_finished')!;
    const sum = (counts: Partial<Record<string, number>>) => Object.values(counts).reduce((a, n) => a! + n!, 0);
    // Every find has a source, and every source counted is a find.
    expect(sum(result.found_by.artwork)).toBe(result.progress.artwork_fetched);
    expect(sum(result.found_by.lyrics)).toBe(result.progress.lyrics_fetched);
    expect(Object.keys(result.found_by.artwork).sort()).toEqual(
      ['coverartarchive', 'deezer', 'embedded', 'folder', 'itunes'].sort(),
    );
    expect(Object.keys(result.found_by.lyrics).sort()).toEqual(['instrumental', 'lrclib']);
    // Artwork and lyrics: found, not found or failed, once per track.
    const failed = (op: string) => result.failures.filter((f) => f.operation === op).length;
    expect(result.progress.artwork_fetched + result.not_found.artwork + failed('artwork')).toBe(400);
    expect(result.progress.lyrics_fetched + result.not_found.lyrics + failed('lyrics')).toBe(400);
    // Only providers that were asked, in the chain's order.
    const providers = result.requests.map((r) => r.provider);
    expect(providers).toEqual([
      'musicbrainz',
      'coverartarchive',
      'deezer',
      'deezer images',
      'itunes',
      'itunes images',
      'lrclib',
    ]);
    for (const r of result.requests) {
      expect(r.sent).toBeGreaterThan(0);
      expect(r.throttled + r.failed).toBeLessThanOrEqual(r.sent);
      expect(r.bytes).toBeGreaterThanOrEqual(0);
    }
    const asked = (name: string) => result.requests.find((r) => r.provider === name)!;
    // LRCLIB is asked at least once per lyrics operation; a cover from a CDN is one request each.
    expect(asked('lrclib').sent).toBeGreaterThanOrEqual(400);
    expect(asked('itunes images').sent).toBeGreaterThanOrEqual(result.found_by.artwork.itunes!);
    expect(asked('deezer images').sent).toBeGreaterThanOrEqual(result.found_by.artwork.deezer!);
    // The failures' own requests are counted as failed (or throttled) for the provider they name.
    const lrclibFailures = result.failures.filter((f) => f.reason.startsWith('lrclib: '));
    if (lrclibFailures.length > 0) expect(asked('lrclib').failed + asked('lrclib').throttled).toBeGreaterThan(0);
  });

  it('reports what a cancelled run did until it stopped', async () => {
    const fake = new FakeBackend({ job: { tracks: 100, tickMs: 10, tracksPerTick: 10 } });
    const { events } = record(fake);
    await fake.startEnrichment({ retryFailed: false });
    await vi.advanceTimersByTimeAsync(35);
    await fake.cancelEnrichment();
    await vi.runAllTimersAsync();
    const { result } = last(events(), 'job_finished')!;
    expect(result.cancelled).toBe(true);
    expect(result.progress.processed_tracks).toBeLessThan(100);
    const sum = (counts: Partial<Record<string, number>>) => Object.values(counts).reduce((a, n) => a! + n!, 0);
    expect(sum(result.found_by.artwork)).toBe(result.progress.artwork_fetched);
    expect(sum(result.found_by.lyrics)).toBe(result.progress.lyrics_fetched);
    expect(result.requests.length).toBeGreaterThan(0);
  });

  it('does not pause for ethernet when WiFi-only is off', async () => {
    const fake = new FakeBackend({ job: { tracks: 40, tickMs: 10, tracksPerTick: 4, wifiDropAt: 0.5 } });
    const { types } = record(fake);
    await fake.startEnrichment({ retryFailed: false });
    await vi.runAllTimersAsync();
    expect(types()).not.toContain('job_paused');
  });

  it('retries earlier failures only when asked, clearing the ones that now work', async () => {
    const fake = new FakeBackend({
      failures: earlierFailures(1_700_000_000),
      job: { tracks: 0, tickMs: 5, lyricsFailureRate: 0.5 },
    });
    const { events } = record(fake);
    await fake.startEnrichment({ retryFailed: false });
    await vi.runAllTimersAsync();
    expect(last(events(), 'job_started')!.total_tracks).toBe(0);
    await fake.startEnrichment({ retryFailed: true });
    await vi.runAllTimersAsync();
    expect(last(events(), 'job_started')!.total_tracks).toBe(8);
    const stillFailing = events().filter((e) => e.type === 'track_failed').length;
    expect(stillFailing).toBeLessThan(8);
    expect(await fake.listFailures(100)).toHaveLength(stillFailing);
  });

  it('retries only the tracks asked for', async () => {
    const fake = new FakeBackend({
      failures: earlierFailures(1_700_000_000),
      job: { tracks: 0, tickMs: 5, lyricsFailureRate: 0 },
    });
    const { events } = record(fake);
    await fake.startEnrichment({ retryFailed: true, trackIds: [9003] });
    await vi.runAllTimersAsync();
    expect(last(events(), 'job_started')!.total_tracks).toBe(1);
    const listed = await fake.listFailures(100);
    expect(listed).toHaveLength(7);
    expect(listed.some((f) => f.track_id === 9003)).toBe(false);
    // A track that did not fail: nothing to do.
    await fake.startEnrichment({ retryFailed: true, trackIds: [1] });
    await vi.runAllTimersAsync();
    expect(last(events(), 'job_started')!.total_tracks).toBe(0);
  });

  it('remembers the last run, and continues an interrupted one', async () => {
    const fake = new FakeBackend({
      lastRun: lastRunFixture('interrupted', 1_700_000_000, { processed: 30, total: 50, jobId: 7 }),
      job: { tracks: 50, tickMs: 5, tracksPerTick: 5 },
    });
    const { events } = record(fake);
    expect(await fake.lastRun()).toMatchObject({ job_id: 7, state: 'interrupted', ended_at: null });
    await fake.startEnrichment({ retryFailed: false });
    await vi.advanceTimersByTimeAsync(1);
    // The same job, its counts carried over: 20 tracks were left.
    expect(last(events(), 'job_started')).toEqual({ type: 'job_started', job_id: 7, total_tracks: 50, resumed: true });
    expect(last(events(), 'progress')!.progress).toMatchObject({ processed_tracks: 30, total_tracks: 50 });
    await vi.runAllTimersAsync();
    const run = await fake.lastRun();
    expect(run).toMatchObject({ job_id: 7, state: 'finished', progress: { processed_tracks: 50, in_flight: 0 } });
    expect(run!.ended_at).not.toBeNull();
    // The next one is a new job.
    await fake.startEnrichment({ retryFailed: false });
    await vi.runAllTimersAsync();
    expect(last(events(), 'job_started')).toMatchObject({ job_id: 8, resumed: false, total_tracks: 0 });
  });

  it('records a cancelled run, and refuses to start while another process runs one', async () => {
    const fake = new FakeBackend({ job: { tracks: 50, tickMs: 5 } });
    expect(await fake.lastRun()).toBeNull();
    await fake.startEnrichment({ retryFailed: false });
    await vi.advanceTimersByTimeAsync(12);
    await fake.cancelEnrichment();
    expect(await fake.lastRun()).toMatchObject({ state: 'cancelled' });
    fake.dispose();

    const busy = new FakeBackend({ lastRun: lastRunFixture('running_elsewhere', 1_700_000_000) });
    await expect(busy.startEnrichment({ retryFailed: false })).rejects.toMatchObject({
      code: 'job_already_running',
      message: expect.stringMatching(/another Gatefold process/i),
    });
  });

  it('puts the hostile string into titles and reasons', async () => {
    const fake = new FakeBackend({ job: { tracks: 12, tickMs: 5, hostile: true, artworkFailureRate: 1 } });
    const { events } = record(fake);
    await fake.startEnrichment({ retryFailed: false });
    await vi.runAllTimersAsync();
    const failures = events().filter((e) => e.type === 'track_failed');
    expect(failures.some((f) => f.title === XSS_STRING)).toBe(true);
    expect(failures.every((f) => f.reason.includes(XSS_STRING))).toBe(true);
  });

  it('stops delivering after unsubscribe', async () => {
    const fake = new FakeBackend({ job: { tracks: 10, tickMs: 5 } });
    const seen: BackendMessage[] = [];
    const unsubscribe = fake.subscribe((m) => seen.push(m));
    unsubscribe();
    await fake.startEnrichment({ retryFailed: false });
    await vi.runAllTimersAsync();
    expect(seen).toEqual([]);
  });
});

describe('FakeBackend settings', () => {
  it('keeps valid settings and hands out copies', async () => {
    const fake = new FakeBackend();
    expect(await fake.getSettings()).toEqual(DEFAULT_SETTINGS);
    const changed = { ...DEFAULT_SETTINGS, max_concurrent: 12, require_wifi: true };
    await fake.saveSettings(changed);
    changed.max_concurrent = 99;
    const loaded = await fake.getSettings();
    expect(loaded).toEqual({ ...DEFAULT_SETTINGS, max_concurrent: 12, require_wifi: true });
    loaded.batch_size = 1;
    expect((await fake.getSettings()).batch_size).toBe(50);
  });

  it('rejects out-of-range settings with invalid_config details and saves nothing', async () => {
    const fake = new FakeBackend();
    const result = fake.saveSettings({ ...DEFAULT_SETTINGS, max_concurrent: 65, max_retries: 11 });
    await expect(result).rejects.toBeInstanceOf(BackendError);
    await expect(result).rejects.toMatchObject({
      code: 'invalid_config',
      message: 'max_concurrent must be between 1 and 64, got 65',
      details: [
        { field: 'max_concurrent', value: 65, min: 1, max: 64 },
        { field: 'max_retries', value: 11, min: 0, max: 10 },
      ],
    });
    expect(await fake.getSettings()).toEqual(DEFAULT_SETTINGS);
    expect(fake.saveCalls).toBe(0);
  });

  it('rejects every call when configured with an error', async () => {
    const fake = new FakeBackend({ error: { code: 'database', message: 'gone' } });
    await expect(fake.getSettings()).rejects.toMatchObject({ code: 'database' });
    await expect(fake.listFailures(10)).rejects.toMatchObject({ code: 'database' });
    await expect(fake.startEnrichment({ retryFailed: false })).rejects.toMatchObject({ code: 'database' });
  });
});

describe('FakeBackend library', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('pages and searches albums, and lists tracks and lyrics', async () => {
    const fake = new FakeBackend();
    const page = await fake.listAlbums('', 0, 10);
    expect(page.total).toBe(48);
    expect(page.albums).toHaveLength(10);
    const tracks = await fake.albumTracks(page.albums[0].id);
    expect(tracks).toHaveLength(page.albums[0].track_count);
    const lyrics = await fake.trackLyrics(tracks[0].id);
    expect(lyrics.track_id).toBe(tracks[0].id);
    expect(fake.artworkUrl(7, 'thumb')).toMatch(/^data:image\/bmp;base64,.+#thumb$/);
  });

  it('filters albums by what they miss', async () => {
    const fake = new FakeBackend();
    const all = (await fake.listAlbums('', 0, 100)).albums;
    const noCover = await fake.listAlbums('', 0, 100, 'artwork');
    expect(noCover.total).toBe(all.filter((a) => a.artwork === null).length);
    expect(noCover.albums.every((a) => a.artwork === null)).toBe(true);
    const noLyrics = await fake.listAlbums('', 0, 100, 'lyrics');
    for (const album of noLyrics.albums) {
      const tracks = await fake.albumTracks(album.id);
      expect(tracks.some((t) => t.lyrics_status !== 'available' && t.lyrics_status !== 'instrumental')).toBe(true);
    }
    const both = await fake.listAlbums('', 0, 100, 'both');
    const lyricsIds = new Set(noLyrics.albums.map((a) => a.id));
    expect(both.albums.map((a) => a.id)).toEqual(noCover.albums.filter((a) => lyricsIds.has(a.id)).map((a) => a.id));
    expect((await fake.listAlbums('', 0, 100, null)).total).toBe(all.length);
  });

  it('rejects unknown albums and tracks with not_found', async () => {
    const fake = new FakeBackend();
    await expect(fake.albumTracks(123_456)).rejects.toMatchObject({
      code: 'not_found',
      message: 'album 123456 not found',
    });
    await expect(fake.trackLyrics(42)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('scans a folder into an empty library with scan events, then counts it', async () => {
    const fake = new FakeBackend({ summary: EMPTY_FIXTURE, albums: 0, scan: { tickMs: 10, steps: 5, albums: 6 } });
    const scans: ScanEvent[] = [];
    fake.subscribe((m) => {
      if (m.kind === 'scan') scans.push(m.event);
    });
    expect(await fake.chooseFolder()).toBe('/home/me/Music');
    const done = fake.scanFolder('/home/me/Music');
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.scanning).toBe(true);
    await expect(fake.scanFolder('/elsewhere')).rejects.toMatchObject({ code: 'scan_running' });
    await vi.runAllTimersAsync();
    const report = await done;
    expect(scans.map((e) => e.type)).toEqual([
      'started',
      'progress',
      'file_failed',
      'progress',
      'progress',
      'progress',
      'progress',
      'finished',
    ]);
    expect(scans[0]).toEqual({ type: 'started', root: '/home/me/Music', files: report.files, to_read: report.files });
    expect(scans.at(-2)).toEqual({ type: 'progress', processed: report.files, total: report.files });
    expect(report).toMatchObject({
      root: '/home/me/Music',
      added: report.files - 1,
      failed: 1,
      updated: 0,
      removed: 0,
    });
    expect((await fake.listAlbums('', 0, 60)).total).toBe(6);
    const summary = await fake.librarySummary();
    expect(summary).toMatchObject({ albums: 6, tracks: report.files });
    // A rescan finds a few changed files.
    const again = fake.scanFolder('/home/me/Music');
    await vi.runAllTimersAsync();
    expect(await again).toMatchObject({ added: 0, updated: expect.any(Number), unchanged: expect.any(Number) });
  });

  it('refuses folders that cannot be scanned', async () => {
    const fake = new FakeBackend();
    await expect(fake.scanFolder('')).rejects.toMatchObject({ code: 'invalid_scan_root', message: 'no folder given' });
    await expect(fake.scanFolder('music')).rejects.toMatchObject({ code: 'invalid_scan_root' });
    await expect(fake.scanFolder('/media/missing')).rejects.toMatchObject({
      code: 'invalid_scan_root',
      message: '/media/missing does not exist',
    });
  });

  it('downloads text files in a browser and returns their name', async () => {
    const fake = new FakeBackend();
    const blobs: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return 'blob:x';
    });
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    expect(await fake.saveTextFile('failures.csv', '\uFEFFa,b\r\n')).toBe('failures.csv');
    expect(click).toHaveBeenCalledOnce();
    expect(blobs[0].type).toBe('text/csv;charset=utf-8');
    expect(fake.savedFiles).toEqual([{ name: 'failures.csv', contents: '\uFEFFa,b\r\n' }]);
    click.mockRestore();
  });
});

describe('FakeBackend failures actions', () => {
  it('gives an album card, and reveals tracks in the file manager', async () => {
    const fake = new FakeBackend();
    expect(await fake.albumCard(3)).toMatchObject({ id: 3 });
    await expect(fake.albumCard(999)).rejects.toMatchObject({ code: 'not_found' });
    await fake.revealTrack(9001);
    expect(fake.revealed).toEqual([9001]);
    await expect(fake.revealTrack(0)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('gives each failure an album of the library, by id and title', async () => {
    const fake = new FakeBackend({ failures: earlierFailures(1_700_000_000) });
    for (const failure of await fake.listFailures(100)) {
      const card = await fake.albumCard(failure.album_id);
      expect(card.title).toBe(failure.album);
    }
  });
});

describe('FakeBackend providers', () => {
  it('starts with the defaults and keeps valid changes in order', async () => {
    const fake = new FakeBackend();
    expect(await fake.getProviders()).toEqual(DEFAULT_PROVIDERS);
    const reordered = [...DEFAULT_PROVIDERS].reverse().map((p) => ({ ...p, enabled: p.name !== 'itunes' }));
    await fake.saveProviders(reordered);
    expect(await fake.getProviders()).toEqual(reordered);
    expect(fake.providerSaveCalls).toBe(1);
  });

  it('refuses invalid lists with every problem as details, and saves nothing', async () => {
    const fake = new FakeBackend();
    const bad = DEFAULT_PROVIDERS.map((p) => ({ ...p }));
    bad[0].base_url = 'lrclib.net';
    bad.find((p) => p.name === 'deezer')!.requests_per_second = 0;
    const result = fake.saveProviders(bad);
    await expect(result).rejects.toMatchObject({
      code: 'invalid_config',
      message: 'provider lrclib: "lrclib.net" is not an http(s) URL',
      details: [
        { name: 'lrclib', field: 'base_url', message: 'provider lrclib: "lrclib.net" is not an http(s) URL' },
        {
          name: 'deezer',
          field: 'requests_per_second',
          message: 'provider deezer: requests per second must be above 0 and at most 1000, got 0',
        },
      ],
    });
    expect(await fake.getProviders()).toEqual(DEFAULT_PROVIDERS);
    expect(fake.providerSaveCalls).toBe(0);
  });

  it('refuses requests at once outside the engine’s bounds, with its message', async () => {
    const fake = new FakeBackend();
    for (const value of [0, 65, 2.5]) {
      const bad = DEFAULT_PROVIDERS.map((p) => ({
        ...p,
        max_in_flight: p.name === 'lrclib' ? value : p.max_in_flight,
      }));
      const message = `provider lrclib: requests at once must be a whole number from 1 to 64, got ${value}`;
      await expect(fake.saveProviders(bad)).rejects.toMatchObject({
        code: 'invalid_config',
        message,
        details: [{ name: 'lrclib', field: 'max_in_flight', message }],
      });
    }
    expect(fake.providerSaveCalls).toBe(0);
    // A self-hosted LRCLIB can take 16 at once; the bounds themselves are fine.
    const ok = DEFAULT_PROVIDERS.map((p) => ({ ...p, max_in_flight: p.name === 'lrclib' ? 16 : 64 }));
    await fake.saveProviders(ok);
    expect((await fake.getProviders()).map((p) => p.max_in_flight)).toEqual([16, 64, 64, 64, 64]);
    await fake.saveProviders(DEFAULT_PROVIDERS.map((p) => ({ ...p, max_in_flight: 1 })));
    expect(fake.providerSaveCalls).toBe(2);
  });

  it('fills in the default requests at once of a list saved before the setting existed', async () => {
    const saved = DEFAULT_PROVIDERS.map((p) => ({ ...p, max_in_flight: 0 }));
    const fake = new FakeBackend({ providers: saved });
    expect(await fake.getProviders()).toEqual(DEFAULT_PROVIDERS);
  });

  it('says which URL each provider is asked at, and which variable replaces the saved one', async () => {
    const fake = new FakeBackend({ envUrls: { lrclib: 'http://127.0.0.1:8080' } });
    const urls = await fake.providerUrls();
    expect(urls.map((u) => u.id)).toEqual(DEFAULT_PROVIDERS.map((p) => p.name));
    expect(urls[0]).toEqual({
      id: 'lrclib',
      url: 'http://127.0.0.1:8080',
      env_var: 'GATEFOLD_LRCLIB_URL',
      overridden: true,
    });
    expect(urls.find((u) => u.id === 'deezer')).toMatchObject({ url: 'https://api.deezer.com', overridden: false });
    // A saved URL is in use at once, unless a variable replaces it.
    await fake.saveProviders(
      DEFAULT_PROVIDERS.map((p) => ({
        ...p,
        base_url: p.name === 'lrclib' || p.name === 'deezer' ? 'https://x.example' : p.base_url,
      })),
    );
    const after = await fake.providerUrls();
    expect(after.find((u) => u.id === 'lrclib')?.url).toBe('http://127.0.0.1:8080');
    expect(after.find((u) => u.id === 'deezer')?.url).toBe('https://x.example');
  });

  it('appends providers missing from a saved list', async () => {
    const fake = new FakeBackend({ providers: [DEFAULT_PROVIDERS[4]] });
    expect((await fake.getProviders()).map((p) => p.name)).toEqual([
      'itunes',
      'lrclib',
      'musicbrainz',
      'coverartarchive',
      'deezer',
    ]);
  });
});

describe('FakeBackend job status', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports the running job, paused or not, and null without one', async () => {
    const fake = new FakeBackend({ job: { tracks: 20, tickMs: 10, tracksPerTick: 2 } });
    expect(await fake.enrichmentStatus()).toBeNull();
    await fake.startEnrichment({ retryFailed: false });
    await vi.advanceTimersByTimeAsync(25);
    const running = await fake.enrichmentStatus();
    expect(running).toMatchObject({ job_id: 1, paused: null, progress: { total_tracks: 20 } });
    expect(running!.progress.processed_tracks).toBeGreaterThan(0);
    await fake.pauseEnrichment();
    await vi.advanceTimersByTimeAsync(0);
    expect((await fake.enrichmentStatus())!.paused).toEqual({ code: 'requested', message: 'paused' });
    await fake.cancelEnrichment();
    expect(await fake.enrichmentStatus()).toBeNull();
    fake.dispose();
  });

  it('can be created mid-job (startAt), the first part done without events', async () => {
    const fake = new FakeBackend({ job: { tracks: 100, tickMs: 10, tracksPerTick: 10, startAt: 0.4 } });
    const { events } = record(fake);
    const status = await fake.enrichmentStatus();
    expect(status).toMatchObject({ job_id: 1, paused: null });
    expect(status!.progress).toMatchObject({ total_tracks: 100, processed_tracks: 40, percent_complete: 40 });
    expect(fake.running).toBe(true);
    await vi.runAllTimersAsync();
    const progress = events().filter((e) => e.type === 'progress');
    expect(progress[0]).toMatchObject({ progress: { processed_tracks: 50 } });
    expect(last(events(), 'job_finished')!.result.progress.processed_tracks).toBe(100);
  });

  it('announces a write-back after a finished job when it is on, listing the files', async () => {
    const fake = new FakeBackend({
      settings: { ...DEFAULT_SETTINGS, write_back: 'sidecar' },
      job: { tracks: 10, tickMs: 10, tracksPerTick: 5, artworkFailureRate: 0, lyricsFailureRate: 0 },
    });
    const { types, events } = record(fake);
    await fake.startEnrichment({ retryFailed: false });
    await vi.runAllTimersAsync();
    expect(types().slice(-2)).toEqual(['job_finished', 'write_back_finished']);
    const report = last(events(), 'write_back_finished')!;
    const { summary, files, more_files } = report;
    expect(summary).toMatchObject({ mode: 'sidecar', dry_run: false, failed: 0, cleaned: 0 });
    expect(summary.written).toBeGreaterThan(0);
    // Every file is listed (or counted beyond the list), like the engine: none left unchanged yet.
    expect(summary.unchanged).toBe(0);
    expect(files.length + more_files).toBe(summary.written + summary.skipped);
    expect(files.length).toBeLessThanOrEqual(200);
    expect(new Set(files.map((f) => f.outcome.outcome))).toEqual(new Set(['written', 'skipped']));
    // This run's finds are there too: lyrics beside the job's tracks.
    expect(files.some((f) => f.target === 'lyrics_file' && /\.(lrc|txt)$/.test(f.path))).toBe(true);

    // The next write-back finds them up to date, and only counts them.
    await fake.startEnrichment({ retryFailed: false });
    await vi.runAllTimersAsync();
    const again = last(events(), 'write_back_finished')!;
    expect(again.summary.written).toBe(0);
    expect(again.summary.unchanged).toBe(summary.written);
    expect(again.files.every((f) => f.outcome.outcome === 'skipped')).toBe(true);

    const off = new FakeBackend({ job: { tracks: 10, tickMs: 10, tracksPerTick: 5 } });
    const offEvents = record(off);
    await off.startEnrichment({ retryFailed: false });
    await vi.runAllTimersAsync();
    expect(offEvents.types()).not.toContain('write_back_finished');
  });

  it('removes a leftover and meets a full disk once when told to (writeBackProblems)', async () => {
    const fake = new FakeBackend({
      settings: { ...DEFAULT_SETTINGS, write_back: 'sidecar' },
      writeBackProblems: true,
      job: { tracks: 10, tickMs: 10, tracksPerTick: 5, artworkFailureRate: 0, lyricsFailureRate: 0 },
    });
    const { events } = record(fake);
    // A dry run removes nothing and meets no full disk.
    const preview = await fake.writeBackPreview('sidecar');
    expect(preview.summary).toMatchObject({ cleaned: 0, failed: 0 });
    await fake.startEnrichment({ retryFailed: false });
    await vi.runAllTimersAsync();
    const { summary, files } = last(events(), 'write_back_finished')!;
    expect(summary).toMatchObject({ cleaned: 1, failed: 1 });
    expect(files[0]).toMatchObject({ target: 'temporary', outcome: { outcome: 'removed' } });
    expect(files[0].path).toMatch(/\/\.gatefold-\d+-0\.tmp$/);
    const failed = files.find((f) => f.outcome.outcome === 'failed');
    expect(failed?.target).toBe('lyrics_file');
    expect(failed?.outcome).toMatchObject({ reason: expect.stringMatching(/No space left on device/) });
  });
});

describe('FakeBackend write-back preview', () => {
  it('says what a write-back of the fake library would write, as a dry run', async () => {
    const fake = new FakeBackend();
    const report = await fake.writeBackPreview('sidecar');
    const { summary, files, more_files } = report;
    expect(summary).toMatchObject({ mode: 'sidecar', dry_run: true, unchanged: 0, failed: 0, cleaned: 0 });
    expect(files.length + more_files).toBe(summary.written + summary.skipped);
    expect(new Set(files.map((f) => f.outcome.outcome))).toEqual(new Set(['would_write', 'skipped']));
    // A cover file per album folder at most, named by its type; lyrics beside tracks.
    const covers = files.filter((f) => f.target === 'cover_file');
    const folders = covers.map((f) => f.path.slice(0, f.path.lastIndexOf('/')));
    expect(new Set(folders).size).toBe(folders.length);
    expect(covers.every((f) => /^\/home\/me\/Music\/.+\/cover\.(jpg|png)$/.test(f.path))).toBe(true);
    const lyrics = files.filter((f) => f.target === 'lyrics_file');
    expect(lyrics.length).toBeGreaterThan(covers.length);
    expect(lyrics.every((f) => /\.(lrc|txt)$/.test(f.path))).toBe(true);
    // The engine's order: every cover, then the lyrics.
    const firstLyrics = files.findIndex((f) => f.target === 'lyrics_file');
    expect(files.slice(firstLyrics).every((f) => f.target === 'lyrics_file')).toBe(true);
    // Some are left alone, with the engine's reasons.
    const reasons = files.flatMap((f) => (f.outcome.outcome === 'skipped' ? [f.outcome.reason] : []));
    expect(reasons.some((r) => /already exists and is not Gatefold's \(overwrite replaces it\)$/.test(r))).toBe(true);
    expect(reasons.some((r) => /is read-only$/.test(r))).toBe(true);
    // Nothing was written: the same preview again.
    expect(await fake.writeBackPreview('sidecar')).toEqual(report);
  });

  it('embeds into the tracks themselves', async () => {
    // A small library, so the list reaches the lyrics (the covers come first).
    const { files, more_files } = await new FakeBackend({ albums: 12 }).writeBackPreview('embed');
    expect(more_files).toBe(0);
    expect(new Set(files.map((f) => f.target))).toEqual(new Set(['embedded_cover', 'embedded_lyrics']));
    expect(files.every((f) => /\.(flac|mp3|m4a|ogg|opus)$/.test(f.path))).toBe(true);
  });

  it('lists 200 files of a big library and counts the rest', async () => {
    const { summary, files, more_files } = await new FakeBackend({ albums: 2_000 }).writeBackPreview('sidecar');
    expect(files).toHaveLength(200);
    expect(more_files).toBe(summary.written + summary.skipped - 200);
    expect(more_files).toBeGreaterThan(0);
  });

  it('has nothing to write when off, or for an empty library', async () => {
    expect(await new FakeBackend().writeBackPreview('off')).toEqual({
      summary: { mode: 'off', dry_run: true, written: 0, unchanged: 0, skipped: 0, failed: 0, cleaned: 0 },
      files: [],
      more_files: 0,
    });
    const empty = await new FakeBackend({ albums: 0 }).writeBackPreview('embed');
    expect(empty.files).toEqual([]);
    expect(empty.summary.written).toBe(0);
  });

  it('rejects like every call when the backend is broken', async () => {
    const fake = new FakeBackend({ error: { code: 'database', message: 'database is locked' } });
    await expect(fake.writeBackPreview('sidecar')).rejects.toMatchObject({ code: 'database' });
  });
});

describe('FakeBackend provider statistics', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const byName = (providers: ProviderRequests[]) => Object.fromEntries(providers.map((p) => [p.provider, p]));

  it('sends the run’s counts every statsMs while it runs and once more at its end', async () => {
    // 200 tracks, 10 a tick of 10 ms: 20 ticks; a provider_stats every 5 ticks.
    const fake = new FakeBackend({ job: { tracks: 200, tickMs: 10, tracksPerTick: 10, statsMs: 50 } });
    const { events, types } = record(fake);
    await fake.startEnrichment({ retryFailed: false });
    await vi.advanceTimersByTimeAsync(75);
    const live = events().filter((e) => e.type === 'provider_stats');
    expect(live.length).toBeGreaterThanOrEqual(1);
    // What the status answers mid-run is the last event's.
    const status = await fake.enrichmentStatus();
    expect(status?.providers).toEqual(live.at(-1)!.providers);
    await vi.runAllTimersAsync();
    const all = events().filter((e) => e.type === 'provider_stats');
    expect(all.length).toBe(4);
    // The last comes before the end, and says what the result says.
    expect(types().slice(-2)).toEqual(['provider_stats', 'job_finished']);
    const { result } = last(events(), 'job_finished')!;
    expect(byName(all.at(-1)!.providers)).toEqual(byName(result.requests));
    // Cumulative, by name (the engine's order), with every figure.
    const sent = all.map((e) => e.providers.reduce((sum, p) => sum + p.sent, 0));
    expect(sent).toEqual([...sent].sort((a, b) => a - b));
    const final = all.at(-1)!.providers;
    expect(final.map((p) => p.provider)).toEqual(final.map((p) => p.provider).sort());
    for (const p of final) {
      expect(p.retries).toBeLessThanOrEqual(p.sent);
      expect(p.latency_p50_ms).toBeGreaterThan(0);
      expect(p.latency_p95_ms).toBeGreaterThanOrEqual(p.latency_p50_ms!);
    }
    const lrclib = byName(final).lrclib;
    // One lookup per lyrics operation that did not fail: found or not.
    expect(lrclib.found + lrclib.not_found).toBe(200 - result.failures.filter((f) => f.operation === 'lyrics').length);
    expect(lrclib.found).toBe(result.found_by.lyrics.lrclib! + (result.found_by.lyrics.instrumental ?? 0));
    // An image server sends covers; it answers no lookup.
    expect(byName(final)['deezer images']).toMatchObject({ found: 0, not_found: 0 });
  });

  it('keeps each run’s statistics, every run added up, and what the runs did not ask', async () => {
    const fake = new FakeBackend({
      job: { tracks: 120, tickMs: 10, tracksPerTick: 20, artworkFailureRate: 0.2, lyricsFailureRate: 0.2 },
    });
    const { events } = record(fake);
    expect(await fake.providerStats()).toEqual({
      runs: [],
      runs_counted: 0,
      all_time: [],
      all_time_saved: { remembered_artwork: 0, remembered_lyrics: 0, local_artwork: 0 },
    });
    await fake.startEnrichment({ retryFailed: false });
    await vi.runAllTimersAsync();
    const first = last(events(), 'job_finished')!.result;
    let report = await fake.providerStats();
    expect(report.runs_counted).toBe(1);
    expect(report.runs[0]).toMatchObject({ job_id: first.job_id });
    expect(report.runs[0].ended_at).not.toBeNull();
    expect(byName(report.runs[0].providers)).toEqual(byName(first.requests));
    expect(report.all_time).toEqual(report.runs[0].providers);
    // Covers already on disk: no provider asked for those albums.
    expect(report.runs[0].saved.local_artwork).toBeGreaterThan(0);
    expect(report.runs[0].saved.remembered_artwork).toBe(0);

    // A retry of the failures: what nothing had last time is not asked again.
    await fake.startEnrichment({ retryFailed: true });
    await vi.runAllTimersAsync();
    const second = last(events(), 'job_finished')!.result;
    report = await fake.providerStats();
    expect(report.runs.map((r) => r.job_id)).toEqual([second.job_id, first.job_id]);
    expect(report.runs[0].saved.remembered_lyrics).toBeGreaterThan(0);
    expect(report.runs[0].saved.remembered_artwork).toBeGreaterThan(0);
    const sum = (key: 'sent' | 'bytes' | 'found') => (name: string) =>
      report.runs.reduce((acc, run) => acc + (byName(run.providers)[name]?.[key] ?? 0), 0);
    for (const p of report.all_time) {
      expect(p.sent).toBe(sum('sent')(p.provider));
      expect(p.bytes).toBe(sum('bytes')(p.provider));
      expect(p.found).toBe(sum('found')(p.provider));
    }
    expect(report.all_time_saved.remembered_lyrics).toBe(
      report.runs[0].saved.remembered_lyrics + report.runs[1].saved.remembered_lyrics,
    );
    // Only the newest when asked for one.
    expect((await fake.providerStats(1)).runs.map((r) => r.job_id)).toEqual([second.job_id]);
  });

  it('adds to the statistics it was given, and its status has a mid-job run’s counts at once', async () => {
    const now = 1_714_564_800;
    const fake = new FakeBackend({
      providerRuns: providerRunsFixture(now),
      job: { tracks: 100, tickMs: 10, tracksPerTick: 10, startAt: 0.5 },
    });
    const status = await fake.enrichmentStatus();
    // A new job comes after the runs the library knows.
    expect(status?.job_id).toBe(4);
    expect(status!.providers.length).toBeGreaterThan(0);
    expect(status!.providers.find((p) => p.provider === 'lrclib')!.sent).toBeGreaterThanOrEqual(50);
    const report = await fake.providerStats();
    expect(report.runs_counted).toBe(4);
    expect(report.runs.map((r) => [r.job_id, r.ended_at])).toEqual([
      [4, null],
      [3, null],
      [2, now - 2 * 86_400 + 18 * 60],
      [1, now - 9 * 86_400 + 42 * 60],
    ]);
    expect(report.runs[1].providers.find((p) => p.provider === 'lrclib')).toMatchObject({
      sent: 322,
      found: 272,
      latency_p50_ms: expect.closeTo(85, -1),
    });
    expect(report.all_time_saved).toEqual({
      remembered_artwork: 3,
      remembered_lyrics: 40,
      local_artwork: 12 + report.runs[0].saved.local_artwork,
    });
    fake.dispose();
  });
});

describe('FakeBackend music folders and the watch', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('has the library’s folder, watched; an empty library has none', async () => {
    const fake = new FakeBackend();
    expect(await fake.musicFolders()).toEqual(['/home/me/Music']);
    expect(await fake.watchStatus()).toEqual({
      folders: ['/home/me/Music'],
      mode: 'events',
      reason: null,
      poll_every_secs: 60,
    });
    const empty = new FakeBackend({ summary: EMPTY_FIXTURE, albums: 0 });
    expect(await empty.musicFolders()).toEqual([]);
  });

  it('adds a folder and restarts the watch, refusing what the engine refuses, in its words', async () => {
    const fake = new FakeBackend();
    const { events } = record(fake);
    expect(await fake.addMusicFolder('/mnt/nas/Music/')).toBe('/mnt/nas/Music');
    await vi.advanceTimersByTimeAsync(0);
    expect(last(events(), 'watching')?.status.folders).toEqual(['/home/me/Music', '/mnt/nas/Music']);
    expect(await fake.musicFolders()).toEqual(['/home/me/Music', '/mnt/nas/Music']);
    const refusals: [string, string][] = [
      [
        '/home/me/Music/Air',
        '/home/me/Music/Air: is already in the library, as part of the music folder /home/me/Music',
      ],
      ['/mnt/nas/Music', '/mnt/nas/Music: is already in the library, as part of the music folder /mnt/nas/Music'],
      ['/media/missing', '/media/missing: cannot be used as a music folder: No such file or directory (os error 2)'],
      ['Music', 'Music: cannot be used as a music folder: No such file or directory (os error 2)'],
      ['/home/me/song.flac', '/home/me/song.flac: is not a folder'],
    ];
    for (const [path, message] of refusals) {
      await expect(fake.addMusicFolder(path), path).rejects.toMatchObject({ code: 'invalid_music_folder', message });
    }
    expect(await fake.musicFolders()).toEqual(['/home/me/Music', '/mnt/nas/Music']);
  });

  it('folds the music folders inside an added one into it', async () => {
    const fake = new FakeBackend({ watch: { folders: ['/home/me/Music', '/mnt/nas/Music'] } });
    expect(await fake.addMusicFolder('/home/me')).toBe('/home/me');
    expect(await fake.musicFolders()).toEqual(['/home/me', '/mnt/nas/Music']);
    // The albums of /home/me/Music (all but the other folder's 4) came with it: removing the
    // outer folder takes them out.
    expect(await fake.removeMusicFolder('/home/me')).toBeGreaterThan(0);
    expect((await fake.listAlbums('', 0, 1)).total).toBe(4);
    expect(await fake.musicFolders()).toEqual(['/mnt/nas/Music']);
  });

  it('removes a folder with its tracks (the count it answers), and refuses one that is not a music folder', async () => {
    const fake = new FakeBackend({ watch: { folders: ['/home/me/Music', '/media/usb'] } });
    const { events } = record(fake);
    expect((await fake.listAlbums('', 0, 1)).total).toBe(48);
    await expect(fake.removeMusicFolder('/home/me/Music/Air')).rejects.toMatchObject({
      code: 'invalid_music_folder',
      message:
        '/home/me/Music/Air: is not a music folder of this library (its music folders: /home/me/Music, /media/usb)',
    });
    const removed = await fake.removeMusicFolder('/media/usb');
    // From now on the summary counts the library (the fixture's numbers were made up).
    const left = await fake.librarySummary();
    expect((await fake.listAlbums('', 0, 1)).total).toBe(48 - 4);
    expect(left.albums).toBe(48 - 4);
    // The tracks answered are those of the 4 albums gone.
    const all = new FakeBackend();
    all.dispose();
    expect(removed).toBe(
      (await all.listAlbums('', 0, 48)).albums.filter((a) => a.id > 44).reduce((sum, a) => sum + a.track_count, 0),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(last(events(), 'watching')?.status.folders).toEqual(['/home/me/Music']);
    await fake.removeMusicFolder('/home/me/Music');
    expect((await fake.listAlbums('', 0, 1)).total).toBe(0);
    expect((await fake.librarySummary()).tracks).toBe(0);
    await expect(fake.removeMusicFolder('/home/me/Music')).rejects.toMatchObject({
      message: '/home/me/Music: is not a music folder of this library (it has none)',
    });
  });

  it('imports a folder added, then finds new music in it (folder_imported)', async () => {
    const fake = new FakeBackend({ scan: { tickMs: 10, steps: 4 }, watch: { importAfterMs: 100 } });
    const { events } = record(fake);
    const kept = await fake.addMusicFolder('/mnt/nas/Music');
    // Its scan brings a few albums (the scan makes nothing new a music folder: it is one).
    const scanned = fake.scanFolder(kept);
    await vi.advanceTimersByTimeAsync(60);
    const report = await scanned;
    expect(report).toMatchObject({ root: '/mnt/nas/Music', added: report.files - 1, failed: 1 });
    expect((await fake.listAlbums('', 0, 1)).total).toBe(48 + 6);
    await vi.advanceTimersByTimeAsync(100);
    const imported = last(events(), 'folder_imported');
    expect(imported?.report.root).toMatch(/^\/mnt\/nas\/Music\/.+\/.+$/);
    expect(imported?.report.added).toBeGreaterThan(0);
    expect((await fake.listAlbums('', 0, 1)).total).toBe(48 + 6 + 1);
    // Removing the folder takes out what was imported from it.
    await fake.removeMusicFolder('/mnt/nas/Music');
    expect((await fake.listAlbums('', 0, 1)).total).toBe(48);
    fake.dispose();
  });

  it('makes a scanned folder a music folder', async () => {
    const fake = new FakeBackend({ summary: EMPTY_FIXTURE, albums: 0, scan: { tickMs: 1, steps: 2 } });
    const done = fake.scanFolder('/home/me/Music');
    await vi.runAllTimersAsync();
    await done;
    expect(await fake.musicFolders()).toEqual(['/home/me/Music']);
  });

  it('starts a run for new music only with auto_enrich on', async () => {
    const off = new FakeBackend({ job: { tracks: 10 } });
    const offEvents = record(off);
    off.importNewMusic();
    await vi.advanceTimersByTimeAsync(0);
    expect(offEvents.types()).toEqual(['folder_imported']);
    const on = new FakeBackend({ job: { tracks: 10 }, settings: { ...DEFAULT_SETTINGS, auto_enrich: true } });
    const onEvents = record(on);
    on.importNewMusic();
    await vi.advanceTimersByTimeAsync(0);
    expect(onEvents.types().slice(0, 2)).toEqual(['folder_imported', 'job_started']);
    on.dispose();
  });

  it('tells why it polls, in the engine’s words, and tells failures', async () => {
    const fake = new FakeBackend({ watch: { mode: 'polling', directories: 12408, maxUserWatches: 8192 } });
    const status = await fake.watchStatus();
    expect(status?.mode).toBe('polling');
    expect(status?.reason).toBe(
      'the system cannot watch all 12408 music folders (its limit, fs.inotify.max_user_watches, is 8192): new ' +
        'music is found by rescanning every 60 s instead. To watch them, raise the limit: ' +
        '`sudo sysctl fs.inotify.max_user_watches=524288` (and add that line to /etc/sysctl.d/90-gatefold.conf ' +
        'to keep it)',
    );
    const { events } = record(fake);
    fake.failWatch('', 'new music cannot be enriched: database is locked');
    expect(events()).toEqual([
      { type: 'watch_failed', folder: '', message: 'new music cannot be enriched: database is locked' },
    ]);
  });

  it('keeps auto_enrich with the other settings', async () => {
    const fake = new FakeBackend();
    expect((await fake.getSettings()).auto_enrich).toBe(false);
    await fake.saveSettings({ ...DEFAULT_SETTINGS, auto_enrich: true });
    expect((await fake.getSettings()).auto_enrich).toBe(true);
  });
});

describe('FakeBackend enrich this album now', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('starts a run for the album’s tracks when no job runs', async () => {
    const fake = new FakeBackend({ job: { tracks: 96, tickMs: 10, tracksPerTick: 1 } });
    const { events } = record(fake);
    expect(await fake.enrichAlbumNow(5)).toBe('started');
    await vi.advanceTimersByTimeAsync(0);
    // The fake's job tracks of album 5: ids 4, 52 (id % 48 + 1 = 5).
    expect(last(events(), 'job_started')?.total_tracks).toBe(2);
    await vi.runAllTimersAsync();
    const updated = events().flatMap((e) => (e.type === 'track_updated' ? [e.track_id] : []));
    expect(new Set(updated)).toEqual(new Set([4, 52]));
    // Done: asked again, it asks all of them again.
    expect(await fake.enrichAlbumNow(5)).toBe('started');
    await vi.advanceTimersByTimeAsync(0);
    expect(last(events(), 'job_started')?.total_tracks).toBe(2);
    expect(fake.albumsNow).toEqual([5, 5]);
    fake.dispose();
  });

  it('moves the album to the head of a running job', async () => {
    const fake = new FakeBackend({ job: { tracks: 96, tickMs: 10, tracksPerTick: 2, startAt: 0.25 } });
    const { events } = record(fake);
    const total = (await fake.enrichmentStatus())?.progress.total_tracks;
    expect(await fake.enrichAlbumNow(48)).toBe('prioritized');
    // The next tick settles album 48's tracks (ids 47, 95) first.
    await vi.advanceTimersByTimeAsync(10);
    expect(events().flatMap((e) => (e.type === 'track_updated' ? [e.track_id] : []))).toEqual([47, 95]);
    expect((await fake.enrichmentStatus())?.progress.total_tracks).toBe(total);
    fake.dispose();
  });

  it('refuses an unknown album, and while another process runs a job', async () => {
    const fake = new FakeBackend();
    await expect(fake.enrichAlbumNow(4242)).rejects.toMatchObject({
      code: 'not_found',
      message: 'album 4242 not found',
    });
    const elsewhere = new FakeBackend({ lastRun: lastRunFixture('running_elsewhere', 1_700_000_000) });
    await expect(elsewhere.enrichAlbumNow(1)).rejects.toMatchObject({ code: 'job_already_running' });
    expect(elsewhere.running).toBe(false);
  });
});
