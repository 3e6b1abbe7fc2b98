import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { EnrichmentConfig } from '../bindings/EnrichmentConfig';
import type { FailureRecord } from '../bindings/FailureRecord';
import type { LibraryEvent } from '../bindings/LibraryEvent';
import type { LibrarySummary } from '../bindings/LibrarySummary';
import {
  type Backend,
  type BackendListener,
  type StartEnrichmentOptions,
  toBackendError,
} from './backend';

/** Tauri event carrying a batch of engine events (payload: `LibraryEvent[]`). */
export const LIBRARY_EVENTS = 'library-events';
/** Tauri event telling the UI it missed events and must reload (no payload). */
export const LIBRARY_RESYNC = 'library-resync';

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

  startEnrichment({ retryFailed }: StartEnrichmentOptions): Promise<void> {
    return call<void>('start_enrichment', { retryFailed });
  }

  pauseEnrichment(): Promise<void> {
    return call<void>('pause_enrichment');
  }

  resumeEnrichment(): Promise<void> {
    return call<void>('resume_enrichment');
  }

  cancelEnrichment(): Promise<void> {
    return call<void>('cancel_enrichment');
  }

  getSettings(): Promise<EnrichmentConfig> {
    return call<EnrichmentConfig>('get_settings');
  }

  saveSettings(config: EnrichmentConfig): Promise<void> {
    return call<void>('save_settings', { config });
  }

  listFailures(limit: number): Promise<FailureRecord[]> {
    return call<FailureRecord[]>('list_failures', { limit });
  }

  subscribe(listener: BackendListener): () => void {
    let closed = false;
    const unlisteners: UnlistenFn[] = [];
    const keep = (registration: Promise<UnlistenFn>, name: string) => {
      registration.then(
        (unlisten) => {
          if (closed) unlisten();
          else unlisteners.push(unlisten);
        },
        (reason: unknown) => {
          // Usually a missing `core:event:allow-listen` permission in the capability.
          console.error(`Could not listen to ${name}: ${toBackendError(reason).message}`);
        },
      );
    };
    keep(
      listen<LibraryEvent[]>(LIBRARY_EVENTS, (event) => {
        if (closed) return;
        if (Array.isArray(event.payload)) {
          listener({ kind: 'events', events: event.payload });
        } else {
          // Not the documented shape: do not guess, reload instead.
          console.error(`${LIBRARY_EVENTS} payload is not an array of LibraryEvent`);
          listener({ kind: 'resync' });
        }
      }),
      LIBRARY_EVENTS,
    );
    keep(
      listen<null>(LIBRARY_RESYNC, () => {
        if (!closed) listener({ kind: 'resync' });
      }),
      LIBRARY_RESYNC,
    );
    return () => {
      closed = true;
      for (const unlisten of unlisteners.splice(0)) unlisten();
    };
  }
}
