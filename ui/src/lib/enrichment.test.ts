import { describe, expect, it } from 'vitest';
import { jobFinished, progress, providerRequests, runResultFixture } from './fixtures';
import {
  applyJobEvent,
  applyStatus,
  initialJobState,
  isActive,
  percentOf,
  requestsSent,
  waitingLabel,
} from './enrichment';

describe('applyJobEvent', () => {
  it('follows a job from start through pause and resume to the end', () => {
    let s = initialJobState();
    expect(s.phase).toBe('idle');
    s = applyJobEvent(s, { type: 'job_started', job_id: 3, total_tracks: 10, resumed: false });
    expect(s).toMatchObject({ phase: 'running', jobId: 3, progress: { total_tracks: 10 } });
    s = applyJobEvent(s, { type: 'progress', job_id: 3, progress: progress(4, 10) });
    expect(s.progress.processed_tracks).toBe(4);
    expect(s.phase).toBe('running');
    const reason = { code: 'waiting_for_wifi' as const, message: 'waiting for WiFi (now on ethernet (eth0))' };
    s = applyJobEvent(s, { type: 'job_paused', job_id: 3, reason });
    expect(s).toMatchObject({ phase: 'paused', pauseReason: reason });
    // Progress while paused (the last operations in flight) keeps the pause.
    s = applyJobEvent(s, { type: 'progress', job_id: 3, progress: progress(5, 10) });
    expect(s.phase).toBe('paused');
    expect(s.pauseReason).toEqual(reason);
    s = applyJobEvent(s, { type: 'job_resumed', job_id: 3 });
    expect(s).toMatchObject({ phase: 'running', pauseReason: null });
    s = applyJobEvent(s, jobFinished(progress(10, 10), { jobId: 3 }));
    expect(s).toMatchObject({ phase: 'finished', progress: { processed_tracks: 10 } });
    expect(isActive(s.phase)).toBe(false);
  });

  it('ends as cancelled after job_cancelled and a cancelled job_finished', () => {
    let s = applyJobEvent(initialJobState(), { type: 'job_started', job_id: 1, total_tracks: 5, resumed: true });
    expect(s.resumed).toBe(true);
    s = applyJobEvent(s, { type: 'job_cancelled', job_id: 1, progress: progress(2, 5) });
    expect(s.phase).toBe('cancelled');
    s = applyJobEvent(s, jobFinished(progress(2, 5), { cancelled: true }));
    expect(s.phase).toBe('cancelled');
    expect(s.progress.processed_tracks).toBe(2);
  });

  it('ends as failed on job_failed, keeping the progress, until the next job starts', () => {
    let s = applyJobEvent(initialJobState(), { type: 'job_started', job_id: 2, total_tracks: 5, resumed: false });
    s = applyJobEvent(s, { type: 'progress', job_id: 2, progress: progress(3, 5) });
    s = applyJobEvent(s, { type: 'job_failed', code: 'database', message: 'database is locked' });
    expect(s).toMatchObject({
      phase: 'failed',
      error: { code: 'database', message: 'database is locked' },
      progress: { processed_tracks: 3 },
    });
    expect(isActive(s.phase)).toBe(false);
    s = applyJobEvent(s, { type: 'job_started', job_id: 3, total_tracks: 2, resumed: false });
    expect(s).toMatchObject({ phase: 'running', error: null });
  });

  it('treats progress of an unseen job as a running job', () => {
    const s = applyJobEvent(initialJobState(), { type: 'progress', job_id: 9, progress: progress(1, 2) });
    expect(s).toMatchObject({ phase: 'running', jobId: 9 });
  });

  it('returns the same state for per-track events', () => {
    const s = initialJobState();
    expect(applyJobEvent(s, { type: 'track_updated', track_id: 1, updated_fields: ['artwork'] })).toBe(s);
  });

  it('returns the same state for the watch’s events, mid-job too', () => {
    let s = applyJobEvent(initialJobState(), { type: 'job_started', job_id: 3, total_tracks: 10, resumed: false });
    s = applyJobEvent(s, { type: 'progress', job_id: 3, progress: progress(4, 10) });
    const status = {
      folders: ['/m'],
      mode: 'events' as const,
      reason: null,
      poll_every_secs: 60,
    };
    const report = {
      root: '/m/A',
      files: 2,
      added: 2,
      updated: 0,
      unchanged: 0,
      removed: 0,
      failed: 0,
      cleaned: 0,
      skipped: 0,
      elapsed_ms: 5,
    };
    expect(applyJobEvent(s, { type: 'watching', status })).toBe(s);
    expect(applyJobEvent(s, { type: 'folder_imported', report })).toBe(s);
    expect(applyJobEvent(s, { type: 'watch_failed', folder: '', message: 'new music cannot be enriched' })).toBe(s);
  });
});

describe('percentOf', () => {
  it('floors and clamps, and shows 100 only when done', () => {
    expect(percentOf(progress(1, 3))).toBe(33);
    expect(percentOf(progress(0, 0))).toBe(100);
    expect(percentOf({ ...progress(999, 1000), percent_complete: 100 })).toBe(99);
    expect(percentOf({ ...progress(1, 1), percent_complete: 140 })).toBe(100);
    expect(percentOf({ ...progress(0, 1), percent_complete: Number.NaN })).toBe(0);
  });
});

describe('write-back and status', () => {
  const summary = {
    mode: 'sidecar' as const,
    dry_run: false,
    written: 3,
    unchanged: 0,
    skipped: 0,
    failed: 0,
    cleaned: 0,
  };

  it('keeps the write-back report (counts and files) after the job, until the next starts', () => {
    const files = [
      { path: '/m/A/cover.jpg', target: 'cover_file' as const, outcome: { outcome: 'written' as const } },
      {
        path: '/m/A/01 x.lrc',
        target: 'lyrics_file' as const,
        outcome: { outcome: 'skipped' as const, reason: '/m/A/01 x.lrc already exists and is not Gatefold’s' },
      },
    ];
    const report = { summary, files, more_files: 2 };
    let s = applyJobEvent(initialJobState(), { type: 'job_started', job_id: 1, total_tracks: 2, resumed: false });
    s = applyJobEvent(s, { type: 'write_back_finished', ...report });
    expect(s.writeBack).toEqual(report);
    s = applyJobEvent(s, jobFinished(progress(2, 2)));
    expect(s.writeBack).toEqual(report);
    s = applyJobEvent(s, { type: 'job_started', job_id: 2, total_tracks: 2, resumed: false });
    expect(s.writeBack).toBeNull();
  });

  it('takes a running or paused job from enrichment_status', () => {
    const reason = { code: 'waiting_for_wifi' as const, message: 'waiting for WiFi (now on ethernet (eth0))' };
    const running = applyStatus(initialJobState(), {
      job_id: 7,
      progress: progress(40, 100),
      paused: null,
      providers: [],
    });
    expect(running).toMatchObject({ phase: 'running', jobId: 7, pauseReason: null, progress: progress(40, 100) });
    const paused = applyStatus(initialJobState(), {
      job_id: 7,
      progress: progress(40, 100),
      paused: reason,
      providers: [],
    });
    expect(paused).toMatchObject({ phase: 'paused', pauseReason: reason });
  });

  it('keeps progress that an event already moved further, for the same job only', () => {
    let s = applyJobEvent(initialJobState(), { type: 'progress', job_id: 7, progress: progress(50, 100) });
    expect(
      applyStatus(s, { job_id: 7, progress: progress(40, 100), paused: null, providers: [] }).progress.processed_tracks,
    ).toBe(50);
    expect(
      applyStatus(s, { job_id: 8, progress: progress(40, 100), paused: null, providers: [] }).progress.processed_tracks,
    ).toBe(40);
    s = applyJobEvent(s, { type: 'progress', job_id: 7, progress: progress(10, 100) });
    expect(
      applyStatus(s, { job_id: 7, progress: progress(40, 100), paused: null, providers: [] }).progress.processed_tracks,
    ).toBe(40);
  });

  it('ends a job shown as active when none runs any more, and leaves others alone', () => {
    const idle = initialJobState();
    expect(applyStatus(idle, null)).toBe(idle);
    const active = applyJobEvent(idle, { type: 'job_started', job_id: 1, total_tracks: 5, resumed: false });
    expect(applyStatus(active, null).phase).toBe('finished');
  });
});

describe('the run result and the waits', () => {
  it('keeps what the run did from job_finished, until the next job starts', () => {
    const { counts, ...extras } = runResultFixture();
    let s = applyJobEvent(initialJobState(), { type: 'job_started', job_id: 4, total_tracks: 1200, resumed: false });
    expect(s.result).toBeNull();
    const finished = jobFinished(counts, { ...extras, jobId: 4 });
    s = applyJobEvent(s, finished);
    expect(s.result).toEqual(finished.result);
    expect(s.result?.found_by.artwork.coverartarchive).toBe(700);
    // Progress of another job (its start missed) is not the run the result is about.
    expect(applyJobEvent(s, { type: 'progress', job_id: 5, progress: progress(1, 10) }).result).toBeNull();
    expect(applyStatus(s, { job_id: 5, progress: progress(1, 10), paused: null, providers: [] }).result).toBeNull();
    // No job running: the ended one stays shown with its result.
    expect(applyStatus(s, null).result).toEqual(finished.result);
    s = applyJobEvent(s, { type: 'job_started', job_id: 5, total_tracks: 10, resumed: false });
    expect(s.result).toBeNull();
  });

  it('keeps a cancelled run’s result, and has none for a job that stopped on an error', () => {
    let s = applyJobEvent(initialJobState(), { type: 'job_started', job_id: 1, total_tracks: 5, resumed: false });
    s = applyJobEvent(s, { type: 'job_cancelled', job_id: 1, progress: progress(2, 5) });
    s = applyJobEvent(s, jobFinished(progress(2, 5), { cancelled: true, notFound: { artwork: 1, lyrics: 0 } }));
    expect(s).toMatchObject({ phase: 'cancelled', result: { cancelled: true, not_found: { artwork: 1 } } });
    s = applyJobEvent(s, { type: 'job_started', job_id: 2, total_tracks: 5, resumed: false });
    s = applyJobEvent(s, { type: 'job_failed', code: 'database', message: 'database is locked' });
    expect(s.result).toBeNull();
  });

  it('pauses for the network like for WiFi, and names both waits', () => {
    const reason = { code: 'waiting_for_network' as const, message: 'waiting for the network (no connection)' };
    let s = applyJobEvent(initialJobState(), { type: 'job_started', job_id: 1, total_tracks: 5, resumed: false });
    s = applyJobEvent(s, { type: 'job_paused', job_id: 1, reason });
    expect(s).toMatchObject({ phase: 'paused', pauseReason: reason });
    s = applyJobEvent(s, { type: 'job_resumed', job_id: 1 });
    expect(s).toMatchObject({ phase: 'running', pauseReason: null });
    expect(waitingLabel('waiting_for_network')).toBe('Waiting for the network');
    expect(waitingLabel('waiting_for_wifi')).toBe('Waiting for WiFi');
    expect(waitingLabel('requested')).toBeNull();
    expect(waitingLabel(null)).toBeNull();
    expect(waitingLabel('something_newer')).toBeNull();
  });
});

describe('the run’s provider counts', () => {
  const lrclib = (sent: number) => providerRequests('lrclib', sent, { found: sent, latency_p50_ms: 80 });

  it('keeps the newest provider_stats of the job, until the next job starts', () => {
    let s = applyJobEvent(initialJobState(), { type: 'job_started', job_id: 4, total_tracks: 10, resumed: false });
    expect(s.providerStats).toBeNull();
    s = applyJobEvent(s, { type: 'provider_stats', job_id: 4, providers: [lrclib(10)] });
    expect(s.providerStats).toEqual({ jobId: 4, providers: [lrclib(10)] });
    // Cumulative: the next replaces it.
    s = applyJobEvent(s, { type: 'provider_stats', job_id: 4, providers: [lrclib(25)] });
    expect(s.providerStats?.providers[0].sent).toBe(25);
    // Progress of the same job keeps it; the end too.
    s = applyJobEvent(s, { type: 'progress', job_id: 4, progress: progress(5, 10) });
    expect(s.providerStats?.providers[0].sent).toBe(25);
    s = applyJobEvent(s, jobFinished(progress(10, 10), { jobId: 4 }));
    expect(s.providerStats?.jobId).toBe(4);
    expect(
      applyJobEvent(s, { type: 'job_started', job_id: 5, total_tracks: 1, resumed: false }).providerStats,
    ).toBeNull();
    // Progress of another job (its start missed) is not the run the counts are about.
    expect(applyJobEvent(s, { type: 'progress', job_id: 6, progress: progress(1, 10) }).providerStats).toBeNull();
  });

  it('takes the counts from enrichment_status, unless an event already brought newer ones', () => {
    const status = { job_id: 7, progress: progress(40, 100), paused: null, providers: [lrclib(30)] };
    expect(applyStatus(initialJobState(), status).providerStats).toEqual({ jobId: 7, providers: [lrclib(30)] });
    const newer = applyJobEvent(initialJobState(), { type: 'provider_stats', job_id: 7, providers: [lrclib(50)] });
    expect(applyStatus(newer, status).providerStats?.providers[0].sent).toBe(50);
    const older = applyJobEvent(initialJobState(), { type: 'provider_stats', job_id: 7, providers: [lrclib(20)] });
    expect(applyStatus(older, status).providerStats?.providers[0].sent).toBe(30);
    // Another job's counts are not kept.
    expect(applyStatus(newer, { ...status, job_id: 8 }).providerStats).toEqual({ jobId: 8, providers: [lrclib(30)] });
    expect(requestsSent([lrclib(30), providerRequests('deezer images', 5)])).toBe(35);
  });
});
