/**
 * Tracks per second over a sliding window of progress samples, and the time left at that rate.
 * Time spent paused does not count: call `reset()` on pause and on resume.
 */
export class RateMeter {
  private samples: { at: number; processed: number }[] = [];

  /**
   * @param windowMs how far back samples count (a few seconds: recent speed, not noise)
   * @param minSpanMs no rate until the samples span at least this long
   */
  constructor(
    private readonly windowMs = 5000,
    private readonly minSpanMs = 400,
  ) {}

  /** Records that `processed` tracks were done at time `at` (milliseconds). */
  record(processed: number, at: number): void {
    const last = this.samples.at(-1);
    if (last && (processed < last.processed || at < last.at)) this.samples = [];
    this.samples.push({ at, processed });
    // Keep one sample older than the window so the span covers the whole window.
    while (this.samples.length > 2 && at - this.samples[1].at >= this.windowMs) {
      this.samples.shift();
    }
  }

  reset(): void {
    this.samples = [];
  }

  /** Tracks per second, or `null` until there is enough to tell. */
  rate(): number | null {
    if (this.samples.length < 2) return null;
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const span = last.at - first.at;
    if (span < this.minSpanMs) return null;
    return ((last.processed - first.processed) * 1000) / span;
  }

  /** Seconds until `total` at the current rate; `null` when unknown or stalled. */
  etaSeconds(total: number): number | null {
    const rate = this.rate();
    const last = this.samples.at(-1);
    if (!last) return null;
    const remaining = total - last.processed;
    if (remaining <= 0) return 0;
    if (rate === null || rate <= 0) return null;
    return remaining / rate;
  }
}
