import type { LibrarySummary } from '../bindings/LibrarySummary';
import { type Backend, BackendError, type BackendErrorPayload } from './backend';
import { LIBRARY_FIXTURE } from './fixtures';

export interface FakeBackendOptions {
  /** Summary to return (defaults to `LIBRARY_FIXTURE`). Ignored if `error` is set. */
  summary?: LibrarySummary;
  /** If set, every call rejects with this error. */
  error?: BackendError | BackendErrorPayload;
  /** Artificial latency in milliseconds (0 = resolve on the next microtask). */
  delayMs?: number;
  /** If true, calls never settle (to look at the loading state). */
  neverSettle?: boolean;
}

/** In-memory `Backend` for tests and for browser design work without Rust. */
export class FakeBackend implements Backend {
  private readonly options: FakeBackendOptions;
  /** Number of `librarySummary` calls made so far. */
  summaryCalls = 0;

  constructor(options: FakeBackendOptions = {}) {
    this.options = options;
  }

  async librarySummary(): Promise<LibrarySummary> {
    this.summaryCalls += 1;
    const { summary = LIBRARY_FIXTURE, error, delayMs = 0, neverSettle = false } = this.options;
    if (neverSettle) await new Promise<never>(() => {});
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (error) {
      throw error instanceof BackendError ? error : BackendError.fromPayload(error);
    }
    // Hand out a copy so callers cannot mutate the configured data.
    return structuredClone(summary);
  }
}
