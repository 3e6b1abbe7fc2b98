/**
 * An exponentially weighted average over time, bias-corrected: `sum` and `weight` both decay by
 * `exp(-elapsed / timeConstant)` per step and gain the new sample with the weight the step adds.
 * The estimate `sum / weight` is therefore the first sample at first, then a time-weighted
 * average of every sample so far while they span less than about one time constant, and from
 * then on mostly the last few time constants: early on it is not dragged towards 0 (as a plain
 * average started at 0 would be) nor stuck on one noisy first sample.
 */
export interface Smoothed {
  sum: number;
  weight: number;
}

export const EMPTY_SMOOTHED: Smoothed = { sum: 0, weight: 0 };

/**
 * `smoothed` after a sample `value` that held for `elapsedMs` (a rate measured over that
 * span): a longer span counts for more, and older samples fade with `timeConstantMs`.
 */
export function smoothStep(smoothed: Smoothed, value: number, elapsedMs: number, timeConstantMs: number): Smoothed {
  if (!(elapsedMs > 0) || !Number.isFinite(value)) return smoothed;
  const keep = Math.exp(-elapsedMs / timeConstantMs);
  return {
    sum: smoothed.sum * keep + value * (1 - keep),
    weight: smoothed.weight * keep + (1 - keep),
  };
}

/** The smoothed value, `null` before the first sample. */
export function smoothedValue(smoothed: Smoothed): number | null {
  return smoothed.weight > 0 ? smoothed.sum / smoothed.weight : null;
}

/**
 * Tracks per second, smoothed over the processed-track deltas, and the time left at that rate.
 * Progress comes in lumps (a batch of outcomes committed at once, operations ending together,
 * events coalesced to ten a second), so the rate over one interval swings from 0 to several
 * times the pace, and a time left taken from it swings by minutes. The deltas go through two
 * exponential averages in a row (`smoothStep`, `timeConstantMs` each): two stages flatten the
 * ripple of periodic lumps far more than one stage of the same total lag (with 50 tracks
 * committed every 2.5 s, 0.5 % against 7 % peak to peak), and the estimate still follows a
 * real change of pace (a provider throttling, the network slowing) within about a minute,
 * without overshooting. Time spent paused does not count: call `reset()` on pause and on resume.
 */
export class RateMeter {
  /** The sample the next delta is measured from. */
  private anchor: { at: number; processed: number } | null = null;
  /** The latest count, for the time left (it may be ahead of `anchor`). */
  private latest: number | null = null;
  private first: Smoothed = EMPTY_SMOOTHED;
  private second: Smoothed = EMPTY_SMOOTHED;

  /**
   * @param timeConstantMs how fast older deltas fade, per stage (seconds: the pace of the job,
   *   not of one batch)
   * @param minStepMs a delta is taken only over at least this long; closer samples wait for
   *   the next (events of one batch arrive together)
   */
  constructor(
    private readonly timeConstantMs = 15_000,
    private readonly minStepMs = 400,
  ) {}

  /** Records that `processed` tracks were done at time `at` (milliseconds). */
  record(processed: number, at: number): void {
    const anchor = this.anchor;
    if (anchor && (processed < anchor.processed || at < anchor.at)) this.reset();
    this.latest = processed;
    if (!this.anchor) {
      this.anchor = { at, processed };
      return;
    }
    const elapsed = at - this.anchor.at;
    if (elapsed < this.minStepMs) return;
    const rate = ((processed - this.anchor.processed) * 1000) / elapsed;
    this.first = smoothStep(this.first, rate, elapsed, this.timeConstantMs);
    this.second = smoothStep(this.second, smoothedValue(this.first) ?? rate, elapsed, this.timeConstantMs);
    this.anchor = { at, processed };
  }

  reset(): void {
    this.anchor = null;
    this.latest = null;
    this.first = EMPTY_SMOOTHED;
    this.second = EMPTY_SMOOTHED;
  }

  /** Tracks per second, or `null` until there is enough to tell. */
  rate(): number | null {
    return smoothedValue(this.second);
  }

  /** Seconds until `total` at the current rate; `null` when unknown or stalled. */
  etaSeconds(total: number): number | null {
    if (this.latest === null) return null;
    const remaining = total - this.latest;
    if (remaining <= 0) return 0;
    const rate = this.rate();
    if (rate === null || rate <= 0) return null;
    return remaining / rate;
  }
}
