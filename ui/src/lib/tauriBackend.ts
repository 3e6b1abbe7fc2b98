import { invoke } from '@tauri-apps/api/core';
import type { LibrarySummary } from '../bindings/LibrarySummary';
import { type Backend, toBackendError } from './backend';

/** Calls a Tauri command, turning any rejection into a `BackendError`. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toBackendError(reason);
  }
}

/** The real backend: Tauri commands implemented in Rust. */
export class TauriBackend implements Backend {
  librarySummary(): Promise<LibrarySummary> {
    return call<LibrarySummary>('library_summary');
  }
}
