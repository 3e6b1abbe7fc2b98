import { describe, expect, it } from 'vitest';
import { LatencyHistogram, ProviderTally, statsReport } from './fakeStats';
import { providerRequests } from './fixtures';

describe('LatencyHistogram', () => {
  it('gives percentiles within 10 %, null before any request, and adds up', () => {
    const h = new LatencyHistogram();
    expect(h.percentile(0.5)).toBeNull();
    for (let ms = 1; ms <= 1000; ms += 1) h.record(ms);
    expect(Math.abs(h.percentile(0.5)! / 500 - 1)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(h.percentile(0.95)! / 950 - 1)).toBeLessThanOrEqual(0.1);
    const slow = new LatencyHistogram();
    slow.record(5000, 1000);
    h.add(slow);
    expect(h.count).toBe(2000);
    expect(Math.abs(h.percentile(0.95)! / 5000 - 1)).toBeLessThanOrEqual(0.1);
  });
});

describe('ProviderTally', () => {
  it('counts requests, retries, answers and bytes by provider, in the engine’s order (times within 10 %)', () => {
    const t = new ProviderTally();
    t.request('musicbrainz', 'throttled', { ms: 50 });
    t.request('musicbrainz', 'answered', { ms: 300, bytes: 2000, retry: true });
    t.answer('musicbrainz', true);
    t.request('deezer images', 'failed', { ms: 900 });
    expect(t.sent).toBe(3);
    expect(t.snapshot()).toEqual([
      providerRequests('deezer images', 1, { failed: 1, latency_p50_ms: 956, latency_p95_ms: 956 }),
      providerRequests('musicbrainz', 2, {
        throttled: 1,
        retries: 1,
        bytes: 2000,
        found: 1,
        latency_p50_ms: 55,
        latency_p95_ms: 304,
      }),
    ]);
  });

  it('adds runs up in the report, newest first, at most `recent` of them listed', () => {
    const run = (jobId: number, sent: number) => ({
      jobId,
      startedAt: 1000 * jobId,
      endedAt: 1000 * jobId + 60,
      tally: ProviderTally.from([
        providerRequests('lrclib', sent, { found: sent, latency_p50_ms: 80, latency_p95_ms: 200 }),
      ]),
      saved: { remembered_artwork: 1, remembered_lyrics: jobId, local_artwork: 0 },
    });
    const report = statsReport([run(3, 30), run(2, 20), run(1, 10)], 2);
    expect(report.runs.map((r) => r.job_id)).toEqual([3, 2]);
    expect(report.runs_counted).toBe(3);
    expect(report.all_time).toEqual([
      expect.objectContaining({ provider: 'lrclib', sent: 60, found: 60, latency_p50_ms: expect.any(Number) }),
    ]);
    expect(Math.abs(report.all_time[0].latency_p50_ms! / 80 - 1)).toBeLessThanOrEqual(0.1);
    expect(report.all_time_saved).toEqual({ remembered_artwork: 3, remembered_lyrics: 6, local_artwork: 0 });
  });
});
