import type { EnrichmentConfig } from '../bindings/EnrichmentConfig';
import type { FailureRecord } from '../bindings/FailureRecord';
import type { LibraryEvent } from '../bindings/LibraryEvent';
import type { LibrarySummary } from '../bindings/LibrarySummary';

/**
 * What `subscribe` delivers. The Rust side batches engine events (so a job over 100,000 tracks
 * does not flood the webview) and sends `resync` when the UI fell behind and events were
 * dropped: the UI must then reload what it shows instead of trusting its running totals.
 */
export type BackendMessage = { kind: 'events'; events: LibraryEvent[] } | { kind: 'resync' };

export type BackendListener = (message: BackendMessage) => void;

export interface StartEnrichmentOptions {
  /** Also try again the tracks whose last attempt failed. */
  retryFailed: boolean;
}

/**
 * Everything the UI needs from the Rust side. Components receive a `Backend`
 * and never talk to Tauri directly, so they can run against `FakeBackend` in
 * tests and in a plain browser.
 *
 * Every method rejects with a `BackendError` on failure.
 */
export interface Backend {
  librarySummary(): Promise<LibrarySummary>;

  /** Starts an enrichment job; progress arrives through `subscribe`. */
  startEnrichment(options: StartEnrichmentOptions): Promise<void>;
  pauseEnrichment(): Promise<void>;
  resumeEnrichment(): Promise<void>;
  cancelEnrichment(): Promise<void>;

  /** The saved settings (the defaults when nothing was saved yet). */
  getSettings(): Promise<EnrichmentConfig>;
  /**
   * Validates and saves. Out-of-range values reject with code `invalid_config` and
   * `details: ConfigError[]`; nothing is saved then.
   */
  saveSettings(config: EnrichmentConfig): Promise<void>;

  /** Recorded failures, newest first, at most `limit`. */
  listFailures(limit: number): Promise<FailureRecord[]>;

  /** Delivers event batches and resync requests until the returned function is called. */
  subscribe(listener: BackendListener): () => void;
}

/** The error shape the Rust commands serialize: `{ code, message, details? }`. */
export interface BackendErrorPayload {
  code: string;
  message: string;
  /** Machine-readable extra data, e.g. `ConfigError[]` for `invalid_config`. */
  details?: unknown;
}

/** An error reported by the backend, carrying its machine-readable `code`. */
export class BackendError extends Error {
  readonly code: string;
  readonly details?: unknown;

  constructor(code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'BackendError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }

  static fromPayload(payload: BackendErrorPayload): BackendError {
    return new BackendError(payload.code, payload.message, payload.details ?? undefined);
  }
}

/** Code used when a rejection does not have the `{ code, message }` shape. */
export const UNEXPECTED_ERROR_CODE = 'unexpected';

/** Code of a `saveSettings` rejection whose `details` are `ConfigError[]`. */
export const INVALID_CONFIG_CODE = 'invalid_config';

export function isBackendErrorPayload(value: unknown): value is BackendErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.message === 'string';
}

/**
 * Normalizes anything a backend call may reject with into a `BackendError`.
 * `{ code, message }` payloads keep their code; anything else (Tauri reports
 * e.g. unknown commands as plain strings) gets `UNEXPECTED_ERROR_CODE`.
 */
export function toBackendError(reason: unknown): BackendError {
  if (reason instanceof BackendError) return reason;
  if (isBackendErrorPayload(reason)) return BackendError.fromPayload(reason);
  if (reason instanceof Error) return new BackendError(UNEXPECTED_ERROR_CODE, reason.message);
  if (typeof reason === 'string') return new BackendError(UNEXPECTED_ERROR_CODE, reason);
  return new BackendError(UNEXPECTED_ERROR_CODE, 'Unknown error from the backend');
}
