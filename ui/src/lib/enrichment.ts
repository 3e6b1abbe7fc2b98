import type { EnrichmentProgress } from '../bindings/EnrichmentProgress';
import type { EnrichmentResult } from '../bindings/EnrichmentResult';
import type { EnrichmentStatus } from '../bindings/EnrichmentStatus';
import type { LibraryEvent } from '../bindings/LibraryEvent';
import type { PauseReason } from '../bindings/PauseReason';
import type { ProviderRequests } from '../bindings/ProviderRequests';
import type { WriteBackReport } from '../bindings/WriteBackReport';

/**
 * What a run has asked each provider so far (its last `provider_stats` event, or
 * `enrichment_status`'s `providers` after a reload): cumulative counts for that run.
 */
export interface ProviderSnapshot {
  jobId: number;
  providers: ProviderRequests[];
}

/** Where the enrichment job stands, as far as the events tell. */
export type JobPhase = 'idle' | 'running' | 'paused' | 'finished' | 'cancelled' | 'failed';

export interface JobState {
  phase: JobPhase;
  jobId: number | null;
  progress: EnrichmentProgress;
  /** Set while `phase` is `paused`. */
  pauseReason: PauseReason | null;
  /** The job continues one that was interrupted (the app was closed mid-run). */
  resumed: boolean;
  /** Set when `phase` is `failed`: why the job could not start or stopped. */
  error: { code: string; message: string } | null;
  /**
   * What the write-back after the last job did (its `write_back_finished`: the counts, and the
   * files written, skipped, failed or cleaned up, the first 200 of them); set after the job,
   * cleared when the next starts.
   */
  writeBack: WriteBackReport | null;
  /**
   * What the run that ended did (its `job_finished` result: finds per source, not found,
   * requests per provider), for the summary card; cleared when the next job starts. `null` for
   * a job that stopped on an error or whose end was not heard.
   */
  result: EnrichmentResult | null;
  /**
   * The run's provider counts so far (live every ~2 s while it asks providers, once more at
   * its end), for the Providers card; cleared when the next job starts. `null` until the first.
   */
  providerStats: ProviderSnapshot | null;
}

export const PAUSE_REQUESTED = 'requested';
export const PAUSE_WAITING_FOR_WIFI = 'waiting_for_wifi';
/**
 * A service could not be reached and the machine has no network: the job waits, counting those
 * attempts as no failure, and goes on by itself (`job_resumed`) when the network is back.
 */
export const PAUSE_WAITING_FOR_NETWORK = 'waiting_for_network';

/**
 * A pause the job leaves by itself (WiFi or the network back), in a few words for the header's
 * job bar: "Waiting for WiFi", "Waiting for the network"; `null` for a requested pause (the bar
 * says "Paused", or "Pausing…" while operations finish) and for a code this UI does not know.
 */
export function waitingLabel(code: string | null): string | null {
  switch (code) {
    case PAUSE_WAITING_FOR_WIFI:
      return 'Waiting for WiFi';
    case PAUSE_WAITING_FOR_NETWORK:
      return 'Waiting for the network';
    default:
      return null;
  }
}

export function emptyProgress(total = 0): EnrichmentProgress {
  return {
    total_tracks: total,
    processed_tracks: 0,
    artwork_fetched: 0,
    lyrics_fetched: 0,
    failed_tracks: 0,
    percent_complete: 0,
    in_flight: 0,
  };
}

export function initialJobState(): JobState {
  return {
    phase: 'idle',
    jobId: null,
    progress: emptyProgress(),
    pauseReason: null,
    resumed: false,
    error: null,
    writeBack: null,
    result: null,
    providerStats: null,
  };
}

/** Requests sent to every provider of `providers` (the image servers included). */
export function requestsSent(providers: readonly ProviderRequests[]): number {
  return providers.reduce((sum, p) => sum + (Number.isFinite(p.sent) ? p.sent : 0), 0);
}

/** Whether a job is under way (running or paused). */
export function isActive(phase: JobPhase): boolean {
  return phase === 'running' || phase === 'paused';
}

/**
 * The state after `event`. Returns `state` itself for events that do not change the job
 * (`track_updated`, `track_failed`, the watch's), so callers can tell nothing changed.
 */
export function applyJobEvent(state: JobState, event: LibraryEvent): JobState {
  switch (event.type) {
    case 'job_started':
      return {
        phase: 'running',
        jobId: event.job_id,
        progress: emptyProgress(event.total_tracks),
        pauseReason: null,
        resumed: event.resumed,
        error: null,
        writeBack: null,
        result: null,
        providerStats: null,
      };
    case 'progress':
      return {
        ...state,
        jobId: event.job_id,
        progress: event.progress,
        // Progress of a job this UI did not see start (opened mid-run, or after a resync).
        phase: isActive(state.phase) && state.jobId === event.job_id ? state.phase : 'running',
        pauseReason: state.jobId === event.job_id ? state.pauseReason : null,
        // A job this UI did not see start is not the one whose result it holds.
        result: state.jobId === event.job_id ? state.result : null,
        providerStats: state.providerStats?.jobId === event.job_id ? state.providerStats : null,
      };
    case 'job_paused':
      return { ...state, jobId: event.job_id, phase: 'paused', pauseReason: event.reason };
    case 'job_resumed':
      return { ...state, jobId: event.job_id, phase: 'running', pauseReason: null };
    case 'job_cancelled':
      return {
        ...state,
        jobId: event.job_id,
        phase: 'cancelled',
        progress: event.progress,
        pauseReason: null,
      };
    case 'job_failed':
      return {
        ...state,
        phase: 'failed',
        pauseReason: null,
        error: { code: event.code, message: event.message },
      };
    case 'job_finished':
      return {
        ...state,
        jobId: event.job_id,
        phase: event.result.cancelled ? 'cancelled' : 'finished',
        progress: event.result.progress,
        pauseReason: null,
        result: event.result,
      };
    case 'write_back_finished':
      return { ...state, writeBack: { summary: event.summary, files: event.files, more_files: event.more_files } };
    case 'provider_stats':
      // Cumulative counts of the run: the newest replaces what was shown.
      return { ...state, providerStats: { jobId: event.job_id, providers: event.providers } };
    case 'track_updated':
    case 'track_failed':
      return state;
    // The watch over the music folders: no job state (a run it starts sends `job_started`).
    case 'watching':
    case 'folder_imported':
    case 'watch_failed':
      return state;
    default: {
      // An event type this UI does not know yet (a newer engine): nothing to change.
      const unknown: never = event;
      void unknown;
      return state;
    }
  }
}

/**
 * The state after asking the backend where the job stands (`enrichment_status`), for a window
 * opened or reloaded mid-job, or after a resync. A running job replaces what the state showed
 * (keeping progress an event already moved further); `null` means no job runs, so a job still
 * shown as active ended while its end event was missed.
 */
export function applyStatus(state: JobState, status: EnrichmentStatus | null): JobState {
  if (status === null) {
    return isActive(state.phase) ? { ...state, phase: 'finished', pauseReason: null } : state;
  }
  const sameJob = state.jobId === status.job_id;
  const further = sameJob && state.progress.processed_tracks > status.progress.processed_tracks;
  // The counts are cumulative: an event that came after the answer was taken has more requests.
  const shown = state.providerStats?.jobId === status.job_id ? state.providerStats : null;
  const statusProviders = Array.isArray(status.providers) ? status.providers : [];
  const providersFurther = shown !== null && requestsSent(shown.providers) > requestsSent(statusProviders);
  return {
    phase: status.paused ? 'paused' : 'running',
    jobId: status.job_id,
    progress: further ? state.progress : status.progress,
    pauseReason: status.paused,
    resumed: sameJob && state.resumed,
    error: null,
    writeBack: null,
    result: null,
    providerStats: providersFurther ? shown : { jobId: status.job_id, providers: statusProviders },
  };
}

/**
 * Operations still finishing after a requested pause, or 0. The engine sends `job_paused` as
 * soon as the pause is asked; the operations already running (up to `max_concurrent` of them)
 * still finish, and their progress events keep coming. The pause is complete when none is
 * left, so until then the job is "pausing", not "paused". (A WiFi pause finishes them the same
 * way, but its own message says why it waits.)
 */
export function finishingAfterPause(state: JobState): number {
  if (state.phase !== 'paused' || state.pauseReason?.code !== PAUSE_REQUESTED) return 0;
  const inFlight = state.progress.in_flight;
  return Number.isFinite(inFlight) && inFlight > 0 ? inFlight : 0;
}

/** 0..100, whole numbers, never 100 before the last track is done. */
export function percentOf(progress: EnrichmentProgress): number {
  const { percent_complete: percent, processed_tracks: done, total_tracks: total } = progress;
  if (!Number.isFinite(percent)) return 0;
  const whole = Math.floor(Math.min(100, Math.max(0, percent)));
  return whole === 100 && total > 0 && done < total ? 99 : whole;
}
