import type { LibraryEvent } from '../bindings/LibraryEvent';
import type { ScanReport } from '../bindings/ScanReport';
import type { WatchStatus } from '../bindings/WatchStatus';
import type { Backend, BackendMessage } from './backend';
import { WATCH_FAILURES_KEPT, type WatchFailure, type WatchImport, importChanged } from './watch';

type WatchBackend = Pick<Backend, 'watchStatus' | 'subscribe'>;

/**
 * The watch over the music folders, as this window knows it: how it watches (`watch_status`,
 * then each `watching` event), the last import that changed the library (`folder_imported`)
 * and what it could not do (`watch_failed`). One for the whole app, so Settings and the Library
 * view show the same. Reactive: components read its fields.
 */
export class MusicWatch {
  /** `null` until the watch started (or while its status is asked). */
  status = $state.raw<WatchStatus | null>(null);
  /** The last import by the watch that added, updated or removed tracks. */
  lastImport = $state.raw<WatchImport | null>(null);
  /** What the watch could not do, newest first (the last `WATCH_FAILURES_KEPT`). */
  failures = $state.raw<WatchFailure[]>([]);
  /** Bumped by each `watching` event: the watch restarted, the music folders may have changed. */
  restarts = $state(0);

  readonly #backend: WatchBackend;
  readonly #onimported: ((report: ScanReport) => void) | undefined;
  readonly #now: () => Date;
  /** `watching` events seen: a status answer older than one is stale. */
  #seen = 0;

  constructor(
    backend: WatchBackend,
    /** The watch imported changes (added, updated or removed tracks): the library changed. */
    onimported?: (report: ScanReport) => void,
    // A timestamp kept as it was taken, never changed: nothing to track.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    now: () => Date = () => new Date(),
  ) {
    this.#backend = backend;
    this.#onimported = onimported;
    this.#now = now;
  }

  /** Polled, not watched: the reason says why and what to do. */
  get polling(): boolean {
    return this.status?.mode === 'polling';
  }

  /** Follows the backend's events until the returned function is called, after asking the status. */
  attach(): () => void {
    const unsubscribe = this.#backend.subscribe((message) => this.receive(message));
    void this.load();
    return unsubscribe;
  }

  /** Asks how the folders are watched; a `watching` event that came meanwhile is newer. */
  async load(): Promise<void> {
    const seen = this.#seen;
    try {
      const status = await this.#backend.watchStatus();
      if (this.#seen === seen) this.status = status;
    } catch {
      // Not worth an alert: the next `watching` event tells the same.
    }
  }

  receive(message: BackendMessage): void {
    if (message.kind === 'scan') return;
    if (message.kind === 'resync') {
      void this.load();
      return;
    }
    for (const event of message.events) this.#apply(event);
  }

  /** Hides one failure (by its place in `failures`). */
  dismissFailure(index: number): void {
    this.failures = this.failures.filter((_, i) => i !== index);
  }

  #apply(event: LibraryEvent): void {
    switch (event.type) {
      case 'watching':
        this.#seen += 1;
        this.status = event.status;
        this.restarts += 1;
        break;
      case 'folder_imported':
        // A polled watch reports every rescan; only one that changed something is news.
        if (!importChanged(event.report)) break;
        this.lastImport = { report: event.report, at: this.#now() };
        this.#onimported?.(event.report);
        break;
      case 'watch_failed':
        this.failures = [{ folder: event.folder, message: event.message, at: this.#now() }, ...this.failures].slice(
          0,
          WATCH_FAILURES_KEPT,
        );
        break;
      default:
        break;
    }
  }
}
