import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EnrichmentStatus } from '../bindings/EnrichmentStatus';
import { BackendError } from './backend';
import { FakeBackend } from './fakeBackend';
import { jobFinished, progress } from './fixtures';
import { EnrichmentJob, type JobChange } from './job.svelte';

function setup() {
  const fake = new FakeBackend({ job: { tracks: 0 } });
  const job = new EnrichmentJob(fake, 50);
  const changes: JobChange[] = [];
  job.observe((change) => changes.push(change));
  const detach = job.attach();
  return { fake, job, changes, detach };
}

describe('EnrichmentJob', () => {
  afterEach(() => vi.restoreAllMocks());

  it('folds event batches into one state and tells observers what changed, after the fold', async () => {
    const { fake, job, changes, detach } = setup();
    const seen: string[] = [];
    job.observe(() => seen.push(job.phase));
    fake.emitEvents([
      { type: 'job_started', job_id: 1, total_tracks: 8, resumed: false },
      { type: 'progress', job_id: 1, progress: progress(2, 8) },
    ]);
    expect(job.phase).toBe('running');
    expect(job.percent).toBe(25);
    expect(job.statusText).toBe('Running');
    expect(seen).toEqual(['running']);
    const change = changes.at(-1);
    expect(change).toMatchObject({ kind: 'events', stateEvent: true, ended: false });
    expect(change?.kind === 'events' && change.before.phase).toBe('idle');
    fake.emitEvents([{ type: 'job_paused', job_id: 1, reason: { code: 'requested', message: 'paused' } }]);
    expect(job.canResume).toBe(true);
    expect(job.canPause).toBe(false);
    fake.emitEvents([jobFinished(progress(8, 8))]);
    expect(changes.at(-1)).toMatchObject({ kind: 'events', ended: true });
    expect(job.statusText).toBe('Finished');
    expect(job.canStart).toBe(true);
    fake.emit({ kind: 'resync' });
    expect(changes.at(-1)).toEqual({ kind: 'resync' });
    detach();
  });

  it('takes a running job from enrichmentStatus, unless an event came meanwhile', async () => {
    const fake = new FakeBackend({ job: { tracks: 0 } });
    let answer: (status: EnrichmentStatus | null) => void = () => {};
    vi.spyOn(fake, 'enrichmentStatus').mockImplementation(() => new Promise((resolve) => (answer = resolve)));
    const job = new EnrichmentJob(fake);
    const changes: JobChange[] = [];
    job.observe((change) => changes.push(change));
    job.attach();
    answer({ job_id: 4, progress: progress(30, 120), paused: null, providers: [] });
    await vi.waitFor(() => expect(job.phase).toBe('running'));
    expect(job.percent).toBe(25);
    expect(changes).toEqual([{ kind: 'status' }]);

    // A stale answer (an event came after the question) is dropped.
    void job.loadStatus();
    fake.emitEvents([{ type: 'job_paused', job_id: 4, reason: { code: 'requested', message: 'paused' } }]);
    answer({ job_id: 4, progress: progress(31, 120), paused: null, providers: [] });
    await Promise.resolve();
    await Promise.resolve();
    expect(job.phase).toBe('paused');
  });

  it('blocks the buttons while a command waits for its event, and reports refusals', async () => {
    const { fake, job } = setup();
    vi.spyOn(fake, 'startEnrichment').mockResolvedValue();
    const started = job.start();
    expect(job.pending).toBe('start');
    expect(job.canStart).toBe(false);
    expect(job.statusText).toBe('Starting…');
    await started;
    fake.emitEvents([{ type: 'job_started', job_id: 1, total_tracks: 3, resumed: false }]);
    expect(job.pending).toBeNull();

    vi.spyOn(fake, 'pauseEnrichment').mockRejectedValue(new BackendError('no_job', 'no enrichment is running'));
    await job.pause();
    expect(job.pending).toBeNull();
    expect(job.error).toMatchObject({ code: 'no_job' });
    job.clearError();
    expect(job.error).toBeNull();
  });

  it('stops blocking the buttons when a confirmed command’s event never comes', async () => {
    const { fake, job } = setup();
    fake.emitEvents([{ type: 'job_started', job_id: 1, total_tracks: 3, resumed: false }]);
    vi.spyOn(fake, 'pauseEnrichment').mockResolvedValue();
    await job.pause();
    expect(job.pending).toBe('pause');
    await vi.waitFor(() => expect(job.pending).toBeNull());
  });

  it('is "pausing" while the operations running after a requested pause finish', () => {
    const { fake, job, detach } = setup();
    fake.emitEvents([
      { type: 'job_started', job_id: 1, total_tracks: 100, resumed: false },
      { type: 'progress', job_id: 1, progress: progress(10, 100, { in_flight: 5 }) },
      { type: 'job_paused', job_id: 1, reason: { code: 'requested', message: 'paused' } },
    ]);
    expect(job.finishing).toBe(5);
    expect(job.statusText).toBe('Pausing… (5 finishing)');
    // Resume is possible at once.
    expect(job.canResume).toBe(true);
    fake.emitEvents([{ type: 'progress', job_id: 1, progress: progress(14, 100, { in_flight: 1 }) }]);
    expect(job.statusText).toBe('Pausing… (1 finishing)');
    fake.emitEvents([{ type: 'progress', job_id: 1, progress: progress(15, 100, { in_flight: 0 }) }]);
    expect(job.finishing).toBe(0);
    expect(job.pausingText).toBeNull();
    expect(job.statusText).toBe('Paused');
    // Running operations are not "finishing" while the job runs.
    fake.emitEvents([
      { type: 'job_resumed', job_id: 1 },
      { type: 'progress', job_id: 1, progress: progress(20, 100, { in_flight: 5 }) },
    ]);
    expect(job.finishing).toBe(0);
    expect(job.statusText).toBe('Running');
    detach();
  });

  it('retries chosen tracks, giving a refusal back instead of the panel’s alert', async () => {
    const { fake, job } = setup();
    const start = vi.spyOn(fake, 'startEnrichment').mockResolvedValueOnce();
    expect(await job.retryTracks([4, 5])).toBeNull();
    expect(start).toHaveBeenLastCalledWith({ retryFailed: true, trackIds: [4, 5] });
    expect(job.pending).toBe('retry');
    fake.emitEvents([{ type: 'job_started', job_id: 1, total_tracks: 2, resumed: false }, jobFinished(progress(2, 2))]);
    start.mockRejectedValueOnce(new BackendError('job_already_running', 'busy'));
    const refused = await job.retryTracks([4]);
    expect(refused).toMatchObject({ code: 'job_already_running' });
    expect(job.error).toBeNull();
    expect(job.pending).toBeNull();
  });
});
