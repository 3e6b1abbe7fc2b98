import type { LibraryEvent } from '../bindings/LibraryEvent';
import { type Backend, type BackendError, type BackendMessage, toBackendError } from './backend';
import {
  type JobState,
  PAUSE_REQUESTED,
  applyJobEvent,
  applyStatus,
  finishingAfterPause,
  initialJobState,
  isActive,
  percentOf,
} from './enrichment';
import { capitalize } from './format';
import { nothingToEnrichText } from './writeBack';

/** A command that succeeded but whose event never came stops blocking the buttons after this. */
export const PENDING_TIMEOUT_MS = 5000;

export type JobCommand = 'start' | 'retry' | 'pause' | 'resume' | 'cancel';

/**
 * What a message did to the job, for whoever shows more than the job itself (the enrichment
 * panel's failures and rate). Observers are called after the state was updated.
 */
export type JobChange =
  /**
   * A batch of events, and the state before it (to fold them one by one again); `stateEvent`
   * when the job started, paused, resumed or ended; `ended` when it ended.
   */
  | { kind: 'events'; events: LibraryEvent[]; before: JobState; stateEvent: boolean; ended: boolean }
  /** The backend dropped events: whatever was folded from them must be reloaded. */
  | { kind: 'resync' }
  /** `enrichmentStatus` replaced the state (a window opened mid-job, or after a resync). */
  | { kind: 'status' };

type JobBackend = Pick<
  Backend,
  'subscribe' | 'enrichmentStatus' | 'startEnrichment' | 'pauseEnrichment' | 'resumeEnrichment' | 'cancelEnrichment'
>;

/**
 * The enrichment job as this window knows it: the state folded from the backend's events
 * (`lib/enrichment.ts`), the command in flight and the last command's error. One for the whole
 * app, so the enrichment panel and the header's job bar show the same job and a Pause in one
 * is seen by the other. Reactive: components read its fields.
 */
export class EnrichmentJob {
  state = $state.raw<JobState>(initialJobState());
  /** The command sent and not yet confirmed by its event. */
  pending = $state<JobCommand | null>(null);
  /** Why the last command was refused. */
  error = $state.raw<BackendError | null>(null);

  readonly #backend: JobBackend;
  readonly #pendingTimeoutMs: number;
  // Callbacks to call, not state: no template or effect reads them, so a SvelteSet would only
  // add tracking to every subscribe and notify.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #observers = new Set<(change: JobChange) => void>();
  #pendingTimer: ReturnType<typeof setTimeout> | undefined;
  /** Job state events seen so far: an `enrichmentStatus` answer older than one is stale. */
  #stateEvents = 0;

  constructor(backend: JobBackend, pendingTimeoutMs = PENDING_TIMEOUT_MS) {
    this.#backend = backend;
    this.#pendingTimeoutMs = pendingTimeoutMs;
  }

  get phase() {
    return this.state.phase;
  }

  get progress() {
    return this.state.progress;
  }

  /** 0..100, whole. */
  get percent(): number {
    return percentOf(this.state.progress);
  }

  /** Running or paused. */
  get active(): boolean {
    return isActive(this.state.phase);
  }

  get pauseCode(): string | null {
    return this.state.pauseReason?.code ?? null;
  }

  /** Operations still finishing after a requested pause (0 once the job is really paused). */
  get finishing(): number {
    return finishingAfterPause(this.state);
  }

  /** "Pausing… (12 finishing)" while a requested pause waits for the running operations. */
  get pausingText(): string | null {
    const n = this.finishing;
    return n > 0 ? `Pausing… (${n} finishing)` : null;
  }

  get canStart(): boolean {
    return this.pending === null && !this.active;
  }

  /** A WiFi pause can be turned into a requested one (it then stays paused when WiFi is back). */
  get canPause(): boolean {
    const { phase } = this.state;
    return this.pending === null && (phase === 'running' || (phase === 'paused' && this.pauseCode !== PAUSE_REQUESTED));
  }

  get canResume(): boolean {
    return this.pending === null && this.state.phase === 'paused' && this.pauseCode === PAUSE_REQUESTED;
  }

  get canCancel(): boolean {
    return this.active && this.pending !== 'cancel' && this.pending !== 'start' && this.pending !== 'retry';
  }

  /** "Running", "Paused", "Waiting for WiFi (now on ethernet)", "Finished"... */
  get statusText(): string {
    const { pending } = this;
    if (pending === 'cancel') return 'Cancelling…';
    if (pending === 'start' || pending === 'retry') return 'Starting…';
    switch (this.state.phase) {
      case 'idle':
        return 'Not started';
      case 'running':
        return pending === 'pause'
          ? 'Pausing…'
          : this.state.resumed
            ? 'Running (continuing an interrupted job)'
            : 'Running';
      case 'paused':
        return this.pausingText ?? capitalize(this.state.pauseReason?.message ?? 'paused');
      case 'finished':
        // A job with no track to enrich still writes back: files changed are said here too.
        return this.state.progress.total_tracks === 0
          ? nothingToEnrichText(this.state.writeBack?.summary ?? null)
          : 'Finished';
      case 'cancelled':
        return 'Cancelled';
      case 'failed':
        return 'Stopped on an error';
    }
  }

  /**
   * Follows the backend's events until the returned function is called, after asking where
   * the job stands (a window opened or reloaded mid-job shows it at once).
   */
  attach(): () => void {
    const unsubscribe = this.#backend.subscribe((message) => this.receive(message));
    void this.loadStatus();
    return () => {
      unsubscribe();
      this.#setPending(null);
    };
  }

  /** Calls `observer` after each change, until the returned function is called. */
  observe(observer: (change: JobChange) => void): () => void {
    this.#observers.add(observer);
    return () => {
      this.#observers.delete(observer);
    };
  }

  /** Folds one backend message (what `attach` does with each; tests may call it directly). */
  receive(message: BackendMessage): void {
    if (message.kind === 'scan') return;
    if (message.kind === 'resync') {
      // A missed pause or end is not fixed by the next progress event; ask.
      void this.loadStatus();
      this.#notify({ kind: 'resync' });
      return;
    }
    const before = this.state;
    let next = before;
    let stateEvent = false;
    let ended = false;
    for (const event of message.events) {
      next = applyJobEvent(next, event);
      switch (event.type) {
        case 'job_started':
        case 'job_paused':
        case 'job_resumed':
          stateEvent = true;
          break;
        case 'job_cancelled':
        case 'job_failed':
        case 'job_finished':
          stateEvent = true;
          ended = true;
          break;
        default:
          break;
      }
    }
    if (stateEvent) this.#stateEvents += 1;
    if (next !== this.state) this.state = next;
    if (stateEvent) this.#setPending(null);
    this.#notify({ kind: 'events', events: message.events, before, stateEvent, ended });
  }

  /** Asks where the job stands; a job event that came meanwhile is newer than the answer. */
  async loadStatus(): Promise<void> {
    const seen = this.#stateEvents;
    try {
      const status = await this.#backend.enrichmentStatus();
      if (this.#stateEvents !== seen) return;
      const next = applyStatus(this.state, status);
      if (next !== this.state) {
        this.state = next;
        this.#notify({ kind: 'status' });
      }
    } catch {
      // Not worth an alert: the next events tell the same, and a backend that cannot answer
      // this shows its error in the failures list and the library view already.
    }
  }

  /** Starts a job; an interrupted one is continued (the engine resumes it on the next start). */
  start = async (): Promise<void> => {
    await this.#run('start', () => this.#backend.startEnrichment({ retryFailed: false }));
  };
  retry = async (): Promise<void> => {
    await this.#run('retry', () => this.#backend.startEnrichment({ retryFailed: true }));
  };
  pause = async (): Promise<void> => {
    await this.#run('pause', () => this.#backend.pauseEnrichment());
  };
  resume = async (): Promise<void> => {
    await this.#run('resume', () => this.#backend.resumeEnrichment());
  };
  cancel = async (): Promise<void> => {
    await this.#run('cancel', () => this.#backend.cancelEnrichment());
  };

  /**
   * Tries the failed operations of `trackIds` again ("Retry" on a failure). Resolves to why it
   * was refused, or `null`: the caller shows the refusal where the user asked (the failure's
   * row), so it is not also the panel's alert (`error`).
   */
  retryTracks = (trackIds: number[]): Promise<BackendError | null> =>
    this.#run('retry', () => this.#backend.startEnrichment({ retryFailed: true, trackIds }), false);

  /** Runs `command`; `report`: a refusal becomes `error` (the panel's alert). Resolves to the refusal. */
  async #run(command: JobCommand, call: () => Promise<void>, report = true): Promise<BackendError | null> {
    this.#setPending(command);
    this.error = null;
    try {
      await call();
      // The state changes when the event arrives; do not block the buttons forever if it never does.
      if (this.pending === command) {
        this.#pendingTimer = setTimeout(() => {
          if (this.pending === command) this.#setPending(null);
        }, this.#pendingTimeoutMs);
      }
      return null;
    } catch (reason) {
      const error = toBackendError(reason);
      if (report) this.error = error;
      if (this.pending === command) this.#setPending(null);
      return error;
    }
  }

  /** Forgets the last command's error (another action is about to report its own). */
  clearError(): void {
    this.error = null;
  }

  #setPending(command: JobCommand | null): void {
    this.pending = command;
    clearTimeout(this.#pendingTimer);
    this.#pendingTimer = undefined;
  }

  #notify(change: JobChange): void {
    for (const observer of [...this.#observers]) observer(change);
  }
}
