import type { LibrarySummary } from '../bindings/LibrarySummary';
import { type Backend, type BackendError, toBackendError } from './backend';

export type SummaryState =
  { kind: 'loading' } | { kind: 'ready'; summary: LibrarySummary } | { kind: 'error'; error: BackendError };

/**
 * The library's counts, loaded once for everything that shows them (the app decides between
 * the welcome and the library with them, the Library view's header and the summary card show
 * them), and reloaded when the library changed. Reactive: components read `state`.
 */
export class LibrarySummaryStore {
  state = $state.raw<SummaryState>({ kind: 'loading' });

  readonly #backend: Pick<Backend, 'librarySummary'>;
  #latest = 0;

  constructor(backend: Pick<Backend, 'librarySummary'>) {
    this.#backend = backend;
  }

  /** The counts when loaded, else `null`. */
  get summary(): LibrarySummary | null {
    return this.state.kind === 'ready' ? this.state.summary : null;
  }

  /**
   * Loads the counts. `quietly` keeps the shown counts on screen meanwhile (no loading state);
   * only the answer to the latest call is kept.
   */
  async load(quietly = false): Promise<void> {
    const request = ++this.#latest;
    if (!quietly || this.state.kind !== 'ready') this.state = { kind: 'loading' };
    try {
      const summary = await this.#backend.librarySummary();
      if (request === this.#latest) this.state = { kind: 'ready', summary };
    } catch (reason) {
      if (request === this.#latest) this.state = { kind: 'error', error: toBackendError(reason) };
    }
  }
}
