import { convertFileSrc, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { AlbumCard } from '../bindings/AlbumCard';
import type { AlbumNow } from '../bindings/AlbumNow';
import type { AlbumPage } from '../bindings/AlbumPage';
import type { EnrichmentConfig } from '../bindings/EnrichmentConfig';
import type { EnrichmentStatus } from '../bindings/EnrichmentStatus';
import type { FailureRecord } from '../bindings/FailureRecord';
import type { LastRun } from '../bindings/LastRun';
import type { LibraryEvent } from '../bindings/LibraryEvent';
import type { LibrarySummary } from '../bindings/LibrarySummary';
import type { ProviderSettings } from '../bindings/ProviderSettings';
import type { ProviderStatsReport } from '../bindings/ProviderStatsReport';
import type { ProviderUrl } from '../bindings/ProviderUrl';
import type { ScanEvent } from '../bindings/ScanEvent';
import type { ScanReport } from '../bindings/ScanReport';
import type { TrackListItem } from '../bindings/TrackListItem';
import type { TrackLyrics } from '../bindings/TrackLyrics';
import type { WatchStatus } from '../bindings/WatchStatus';
import type { WriteBackMode } from '../bindings/WriteBackMode';
import type { WriteBackReport } from '../bindings/WriteBackReport';
import {
  type ArtworkSize,
  type Backend,
  type BackendListener,
  type MissingFilter,
  type StartEnrichmentOptions,
  toBackendError,
} from './backend';

/** Tauri event carrying a batch of engine events (payload: `LibraryEvent[]`). */
export const LIBRARY_EVENTS = 'library-events';
/** Tauri event telling the UI it missed events and must reload (no payload). */
export const LIBRARY_RESYNC = 'library-resync';
/** Tauri event carrying one event of a running folder scan (payload: `ScanEvent`). */
export const SCAN_EVENTS = 'scan-events';
/**
 * The custom URI scheme Rust serves artwork from, by id only (`<id>/thumb`, `<id>/full`), so
 * the webview never gets a file path or a general file-reading protocol.
 */
export const ARTWORK_PROTOCOL = 'artwork';

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

  startEnrichment({ retryFailed, trackIds }: StartEnrichmentOptions): Promise<void> {
    // `trackIds` always sent: `null` (the whole library) rather than an absent key.
    return call<void>('start_enrichment', { retryFailed, trackIds: trackIds ?? null });
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

  enrichmentStatus(): Promise<EnrichmentStatus | null> {
    return call<EnrichmentStatus | null>('enrichment_status');
  }

  lastRun(): Promise<LastRun | null> {
    return call<LastRun | null>('last_run');
  }

  providerStats(recent?: number): Promise<ProviderStatsReport> {
    // Always sent: `null` (the engine's default, 5 runs) rather than an absent key.
    return call<ProviderStatsReport>('provider_stats', { recent: recent ?? null });
  }

  listAlbums(query: string, offset: number, limit: number, missing: MissingFilter | null = null): Promise<AlbumPage> {
    // Always sent: `null` (all albums) rather than an absent key, so the command's
    // `Option<String>` argument is explicit.
    return call<AlbumPage>('list_albums', { query, offset, limit, missing });
  }

  albumTracks(albumId: number): Promise<TrackListItem[]> {
    return call<TrackListItem[]>('album_tracks', { albumId });
  }

  trackLyrics(trackId: number): Promise<TrackLyrics> {
    return call<TrackLyrics>('track_lyrics', { trackId });
  }

  albumCard(albumId: number): Promise<AlbumCard> {
    return call<AlbumCard>('album_card', { albumId });
  }

  revealTrack(trackId: number): Promise<void> {
    return call<void>('reveal_track', { trackId });
  }

  artworkUrl(artworkId: number, size: ArtworkSize): string {
    return convertFileSrc(`${artworkId}/${size}`, ARTWORK_PROTOCOL);
  }

  chooseFolder(): Promise<string | null> {
    return call<string | null>('choose_folder');
  }

  scanFolder(path: string): Promise<ScanReport> {
    return call<ScanReport>('scan_folder', { path });
  }

  musicFolders(): Promise<string[]> {
    return call<string[]>('music_folders');
  }

  addMusicFolder(path: string): Promise<string> {
    return call<string>('add_music_folder', { path });
  }

  removeMusicFolder(path: string): Promise<number> {
    return call<number>('remove_music_folder', { path });
  }

  watchStatus(): Promise<WatchStatus | null> {
    return call<WatchStatus | null>('watch_status');
  }

  enrichAlbumNow(albumId: number): Promise<AlbumNow> {
    return call<AlbumNow>('enrich_album_now', { albumId });
  }

  getProviders(): Promise<ProviderSettings[]> {
    return call<ProviderSettings[]>('get_providers');
  }

  saveProviders(providers: ProviderSettings[]): Promise<void> {
    return call<void>('save_providers', { providers });
  }

  providerUrls(): Promise<ProviderUrl[]> {
    return call<ProviderUrl[]>('provider_urls');
  }

  /** Rust shows the save dialog and writes the file: a blob download does not work in WebKitGTK. */
  saveTextFile(suggestedName: string, contents: string): Promise<string | null> {
    return call<string | null>('save_text_file', { suggestedName, contents });
  }

  /** A dry run in Rust: the engine decides every file as a write-back would, and writes none. */
  writeBackPreview(mode: WriteBackMode): Promise<WriteBackReport> {
    return call<WriteBackReport>('write_back_preview', { mode });
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
    keep(
      listen<ScanEvent>(SCAN_EVENTS, (event) => {
        if (closed) return;
        const payload: unknown = event.payload;
        if (
          typeof payload === 'object' &&
          payload !== null &&
          typeof (payload as { type?: unknown }).type === 'string'
        ) {
          listener({ kind: 'scan', event: payload as ScanEvent });
        } else {
          console.error(`${SCAN_EVENTS} payload is not a ScanEvent`);
        }
      }),
      SCAN_EVENTS,
    );
    return () => {
      closed = true;
      for (const unlisten of unlisteners.splice(0)) unlisten();
    };
  }
}
