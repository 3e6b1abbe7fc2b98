import type { ScanEvent } from '../bindings/ScanEvent';
import type { ScanReport } from '../bindings/ScanReport';
import { type Backend, type BackendError, toBackendError } from './backend';
import { type ScanProgress, applyScanEvent, emptyScanProgress } from './scan';

export type ScanPhase = 'idle' | 'choosing' | 'scanning' | 'done' | 'error';

/**
 * The folder scan, shared by every place that offers it (the empty library card, the Library
 * view's header) so they all show the same scan. Reactive: components read its fields.
 */
export class FolderScanner {
  phase = $state<ScanPhase>('idle');
  progress = $state.raw<ScanProgress>(emptyScanProgress());
  error = $state.raw<BackendError | null>(null);

  readonly #backend: Pick<Backend, 'chooseFolder' | 'scanFolder' | 'subscribe'>;
  readonly #onfinished: ((report: ScanReport) => void) | undefined;

  constructor(
    backend: Pick<Backend, 'chooseFolder' | 'scanFolder' | 'subscribe'>,
    /** A scan finished: the library changed. */
    onfinished?: (report: ScanReport) => void,
  ) {
    this.#backend = backend;
    this.#onfinished = onfinished;
  }

  /** A folder is being chosen or scanned: starting another makes no sense. */
  get busy(): boolean {
    return this.phase === 'choosing' || this.phase === 'scanning';
  }

  /** Follows scan events (also of a scan started elsewhere) until the returned function is called. */
  attach(): () => void {
    return this.#backend.subscribe((message) => {
      if (message.kind === 'scan') this.#onEvent(message.event);
    });
  }

  /** Asks for a folder, then scans it. Cancelling the dialog changes nothing. */
  async chooseAndScan(): Promise<void> {
    if (this.busy) return;
    const before = this.phase;
    this.phase = 'choosing';
    let path: string | null;
    try {
      path = await this.#backend.chooseFolder();
    } catch (reason) {
      this.#fail(reason);
      return;
    }
    if (path === null) {
      this.phase = before;
      return;
    }
    await this.scan(path);
  }

  async scan(path: string): Promise<void> {
    this.phase = 'scanning';
    this.error = null;
    this.progress = emptyScanProgress(path);
    try {
      const report = await this.#backend.scanFolder(path);
      // The `finished` event may have come first.
      if (this.phase === 'scanning') this.#finish(report);
    } catch (reason) {
      this.#fail(reason);
    }
  }

  /** Hides the last report or error. */
  dismiss(): void {
    if (this.busy) return;
    this.phase = 'idle';
    this.error = null;
    this.progress = emptyScanProgress();
  }

  #onEvent(event: ScanEvent): void {
    if (event.type === 'started' && this.phase !== 'scanning') {
      // A scan this window did not start (or whose command has not returned yet elsewhere).
      this.phase = 'scanning';
      this.error = null;
    }
    if (this.phase !== 'scanning') return;
    this.progress = applyScanEvent(this.progress, event);
    if (event.type === 'finished') this.#finish(event.report);
  }

  #finish(report: ScanReport): void {
    if (this.progress.report === null) this.progress = applyScanEvent(this.progress, { type: 'finished', report });
    this.phase = 'done';
    this.#onfinished?.(report);
  }

  #fail(reason: unknown): void {
    this.error = toBackendError(reason);
    this.phase = 'error';
  }
}
