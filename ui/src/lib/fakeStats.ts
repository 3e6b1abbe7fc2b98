// The fake backend's provider statistics, counted the way the engine counts them
// (`crates/engine/src/http/stats.rs`, `db/stats.rs`): per provider name, the requests sent and
// how they ended, the lookups answered with something usable or not, the retries, the bytes,
// and a latency histogram (log buckets within 10 %, so runs add up and percentiles stay honest
// across them); per run, what was not asked (`Savings`); and the report `provider_stats` gives.

import type { ProviderRequests } from '../bindings/ProviderRequests';
import type { ProviderStatsReport } from '../bindings/ProviderStatsReport';
import type { RunStats } from '../bindings/RunStats';
import type { Savings } from '../bindings/Savings';

/** Bucket growth: a percentile read from the histogram is within 10 % of the true one. */
const GROWTH = 1.1;

function bucketOf(ms: number): number {
  return ms <= 1 ? 0 : Math.ceil(Math.log(ms) / Math.log(GROWTH));
}

function valueOf(bucket: number): number {
  return Math.round(GROWTH ** bucket);
}

/** Request times in milliseconds, by log bucket. */
export class LatencyHistogram {
  private readonly buckets = new Map<number, number>();
  private total = 0;

  get count(): number {
    return this.total;
  }

  record(ms: number, times = 1): void {
    if (!Number.isFinite(ms) || ms < 0 || times <= 0) return;
    const bucket = bucketOf(ms);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + times);
    this.total += times;
  }

  add(other: LatencyHistogram): void {
    for (const [bucket, n] of other.buckets) this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + n);
    this.total += other.total;
  }

  clone(): LatencyHistogram {
    const copy = new LatencyHistogram();
    copy.add(this);
    return copy;
  }

  /** The time `q` (0..1) of the requests had their answer within; `null` before any request. */
  percentile(q: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (const bucket of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(bucket) ?? 0;
      if (seen >= rank) return valueOf(bucket);
    }
    return null;
  }
}

type Counts = Omit<ProviderRequests, 'provider' | 'latency_p50_ms' | 'latency_p95_ms'>;

function zero(): Counts {
  return { sent: 0, throttled: 0, failed: 0, retries: 0, bytes: 0, found: 0, not_found: 0 };
}

const COUNT_KEYS = Object.keys(zero()) as (keyof Counts)[];

/** How one request ended: an answer (found or not, with its body), a throttle, another failure. */
export type RequestEnd = 'answered' | 'throttled' | 'failed';

/** What one run (or several added up) asked each provider, by name. */
export class ProviderTally {
  private readonly byName = new Map<string, { counts: Counts; latency: LatencyHistogram }>();

  private entry(provider: string) {
    let e = this.byName.get(provider);
    if (!e) {
      e = { counts: zero(), latency: new LatencyHistogram() };
      this.byName.set(provider, e);
    }
    return e;
  }

  /** Counts one request to `provider` that ended as `ended` after `ms`; `retry`: sent again after a throttle or failure. */
  request(
    provider: string,
    ended: RequestEnd,
    { bytes = 0, ms, retry = false }: { bytes?: number; ms: number; retry?: boolean },
  ): void {
    const { counts, latency } = this.entry(provider);
    counts.sent += 1;
    if (retry) counts.retries += 1;
    if (ended === 'throttled') counts.throttled += 1;
    if (ended === 'failed') counts.failed += 1;
    if (ended === 'answered') counts.bytes += bytes;
    latency.record(ms);
  }

  /** Counts one lookup `provider` answered, with something usable (`found`) or not. */
  answer(provider: string, found: boolean): void {
    const { counts } = this.entry(provider);
    if (found) counts.found += 1;
    else counts.not_found += 1;
  }

  /** Requests sent to every provider. */
  get sent(): number {
    let sum = 0;
    for (const { counts } of this.byName.values()) sum += counts.sent;
    return sum;
  }

  add(other: ProviderTally): this {
    for (const [name, theirs] of other.byName) {
      const mine = this.entry(name);
      for (const key of COUNT_KEYS) mine.counts[key] += theirs.counts[key];
      mine.latency.add(theirs.latency);
    }
    return this;
  }

  clone(): ProviderTally {
    return new ProviderTally().add(this);
  }

  /** Every provider asked, by name (the engine's order), with the percentiles filled in. */
  snapshot(): ProviderRequests[] {
    return [...this.byName.entries()]
      .filter(([, e]) => e.counts.sent > 0 || e.counts.found > 0 || e.counts.not_found > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([provider, { counts, latency }]) => ({
        provider,
        ...counts,
        latency_p50_ms: latency.percentile(0.5),
        latency_p95_ms: latency.percentile(0.95),
      }));
  }

  /**
   * A tally with these counts (a run the fake did not simulate: a fixture's). The latencies are
   * made up to give back about the same percentiles: most at the median, the slowest at p95.
   */
  static from(requests: readonly ProviderRequests[]): ProviderTally {
    const tally = new ProviderTally();
    for (const r of requests) {
      const e = tally.entry(r.provider);
      for (const key of COUNT_KEYS) e.counts[key] += r[key];
      const p50 = r.latency_p50_ms;
      const p95 = r.latency_p95_ms ?? p50;
      if (p50 === null || p95 === null || r.sent === 0) continue;
      const fast = Math.ceil(r.sent * 0.55);
      const slow = Math.floor(r.sent * 0.06);
      e.latency.record(p50, fast);
      e.latency.record((p50 + p95) / 2, r.sent - fast - slow);
      e.latency.record(p95, slow);
    }
    return tally;
  }
}

export function noSavings(): Savings {
  return { remembered_artwork: 0, remembered_lyrics: 0, local_artwork: 0 };
}

/** One run as the library keeps its statistics. */
export interface FakeRun {
  jobId: number;
  /** Unix seconds. */
  startedAt: number;
  endedAt: number | null;
  tally: ProviderTally;
  saved: Savings;
}

export function fakeRunFrom(run: RunStats): FakeRun {
  return {
    jobId: run.job_id,
    startedAt: run.started_at,
    endedAt: run.ended_at,
    tally: ProviderTally.from(run.providers),
    saved: { ...run.saved },
  };
}

/** Like the engine's `provider_stats`: the `recent` newest of `runs` (newest first), and all of them added up. */
export function statsReport(runs: readonly FakeRun[], recent: number): ProviderStatsReport {
  const all = new ProviderTally();
  const saved = noSavings();
  for (const run of runs) {
    all.add(run.tally);
    saved.remembered_artwork += run.saved.remembered_artwork;
    saved.remembered_lyrics += run.saved.remembered_lyrics;
    saved.local_artwork += run.saved.local_artwork;
  }
  const take = Math.max(0, Math.min(100, Math.floor(Number.isFinite(recent) ? recent : 5)));
  return {
    runs: runs.slice(0, take).map((run) => ({
      job_id: run.jobId,
      started_at: run.startedAt,
      ended_at: run.endedAt,
      providers: run.tally.snapshot(),
      saved: { ...run.saved },
    })),
    runs_counted: runs.length,
    all_time: all.snapshot(),
    all_time_saved: saved,
  };
}
