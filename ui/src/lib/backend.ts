import type { LibrarySummary } from '../bindings/LibrarySummary';

/**
 * Everything the UI needs from the Rust side. Components receive a `Backend`
 * and never talk to Tauri directly, so they can run against `FakeBackend` in
 * tests and in a plain browser.
 *
 * Every method rejects with a `BackendError` on failure.
 */
export interface Backend {
  librarySummary(): Promise<LibrarySummary>;
}

/** The error shape the Rust commands serialize: `{ code, message }`. */
export interface BackendErrorPayload {
  code: string;
  message: string;
}

/** An error reported by the backend, carrying its machine-readable `code`. */
export class BackendError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'BackendError';
    this.code = code;
  }

  static fromPayload(payload: BackendErrorPayload): BackendError {
    return new BackendError(payload.code, payload.message);
  }
}

/** Code used when a rejection does not have the `{ code, message }` shape. */
export const UNEXPECTED_ERROR_CODE = 'unexpected';

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
