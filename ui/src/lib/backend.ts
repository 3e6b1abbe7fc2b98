import type { AlbumCard } from '../bindings/AlbumCard';
import type { AlbumNow } from '../bindings/AlbumNow';
import type { AlbumPage } from '../bindings/AlbumPage';
import type { CommandError } from '../bindings/CommandError';
import type { EnrichmentConfig } from '../bindings/EnrichmentConfig';
import type { EnrichmentStatus } from '../bindings/EnrichmentStatus';
import type { ErrorCode } from '../bindings/ErrorCode';
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

/**
 * What `subscribe` delivers. The Rust side batches engine events (so a job over 100,000 tracks
 * does not flood the webview) and sends `resync` when the UI fell behind and events were
 * dropped: the UI must then reload what it shows instead of trusting its running totals.
 * A folder scan reports its progress one `scan` message per event.
 */
export type BackendMessage =
  { kind: 'events'; events: LibraryEvent[] } | { kind: 'resync' } | { kind: 'scan'; event: ScanEvent };

export type BackendListener = (message: BackendMessage) => void;

export interface StartEnrichmentOptions {
  /** Also try again the tracks whose last attempt failed. */
  retryFailed: boolean;
  /**
   * Only these tracks (absent: the whole library). With `retryFailed`, "retry this one": the
   * failed operations of these tracks are tried again.
   */
  trackIds?: number[];
}

/**
 * Which albums `listAlbums` keeps, by what they lack (the engine filters the same way):
 * `artwork`: albums without artwork; `lyrics`: albums with at least one track whose
 * `lyrics_status` is neither `available` nor `instrumental`; `both`: both at once.
 */
export type MissingFilter = 'artwork' | 'lyrics' | 'both';

export const MISSING_FILTERS: readonly MissingFilter[] = ['artwork', 'lyrics', 'both'];

/** `thumb`: the 256 px thumbnail (only when `ArtworkInfo.has_thumbnail`); `full`: the stored image. */
export type ArtworkSize = 'thumb' | 'full';

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

  /** The running job (for a window opened or reloaded mid-job), `null` when none runs. */
  enrichmentStatus(): Promise<EnrichmentStatus | null>;
  /**
   * The library's most recent job, whoever ran it (this window, an earlier run of the app, the
   * command line): how it stands and its counts. `null` when no job ever ran on the library.
   */
  lastRun(): Promise<LastRun | null>;

  /**
   * What the providers were asked, as the library keeps it: the `recent` newest runs (5 when
   * not given; the engine gives at most 100), newest first, each with its requests per provider
   * and what it did not have to ask; and every run added up.
   */
  providerStats(recent?: number): Promise<ProviderStatsReport>;

  /**
   * Albums whose title, album artist, or a track's title or artist contains `query`
   * (case-insensitive; all albums when blank), sorted by album artist, year and title.
   * With `missing`, only the albums that lack it (see `MissingFilter`); `null` or absent: all.
   */
  listAlbums(query: string, offset: number, limit: number, missing?: MissingFilter | null): Promise<AlbumPage>;
  /** An album's tracks in disc and track order; rejects with `not_found` for an unknown album. */
  albumTracks(albumId: number): Promise<TrackListItem[]>;
  /** A track with its lyrics; rejects with `not_found` for an unknown track. */
  trackLyrics(trackId: number): Promise<TrackLyrics>;
  /** One album as the grid shows it (to open its detail from elsewhere); rejects with `not_found`. */
  albumCard(albumId: number): Promise<AlbumCard>;
  /** Opens the system file manager at the track's file; rejects with `not_found` for an unknown track. */
  revealTrack(trackId: number): Promise<void>;
  /** An image URL for artwork `artworkId` (synchronous: no request until an `<img>` loads it). */
  artworkUrl(artworkId: number, size: ArtworkSize): string;

  /** Asks the user for a folder (a native dialog); `null` when they cancel. */
  chooseFolder(): Promise<string | null>;
  /**
   * Imports the music under `path` into the library. Progress arrives through `subscribe` as
   * `scan` messages. Rejects with `invalid_scan_root` (the message says why) or `scan_running`.
   */
  scanFolder(path: string): Promise<ScanReport>;

  /** The library's music folders (absolute paths): the folders it imports and watches. */
  musicFolders(): Promise<string[]>;
  /**
   * Makes `path` a music folder, watched from now on; resolves to the folder as kept (absolute,
   * links resolved). It does not import: `scanFolder` the folder kept then. Rejects with
   * `invalid_music_folder` (the message names why: not a readable folder, or inside a music
   * folder already); music folders inside it are folded into it.
   */
  addMusicFolder(path: string): Promise<string>;
  /**
   * Forgets the music folder `path` and removes its tracks from the library (the files stay);
   * resolves to how many tracks left. Rejects with `invalid_music_folder` when `path` is not one
   * of the music folders.
   */
  removeMusicFolder(path: string): Promise<number>;
  /**
   * How the music folders are watched while the app runs (`null` until the watch started);
   * `watching` events tell each (re)start.
   */
  watchStatus(): Promise<WatchStatus | null>;
  /**
   * Enriches album `albumId` now: with a job running, its tracks go to the head of the job's
   * queue (`prioritized`); otherwise a run for them starts (`started`). Rejects with
   * `not_found` (unknown album), `not_on_wifi`, or `job_already_running` (another process runs
   * a job on the library).
   */
  enrichAlbumNow(albumId: number): Promise<AlbumNow>;

  /** The providers in priority order. */
  getProviders(): Promise<ProviderSettings[]>;
  /**
   * Validates and saves. Problems reject with code `invalid_config` and
   * `details: ProviderProblem[]`; nothing is saved then.
   */
  saveProviders(providers: ProviderSettings[]): Promise<void>;
  /**
   * The URL each provider is asked at now, and whether an environment variable
   * (`GATEFOLD_<NAME>_URL`) overrides the saved one.
   */
  providerUrls(): Promise<ProviderUrl[]>;

  /**
   * Lets the user save `contents` as a text file (a save dialog suggesting `suggestedName`);
   * the path written, or `null` when they cancel.
   */
  saveTextFile(suggestedName: string, contents: string): Promise<string | null>;

  /**
   * What a write-back in `mode` would write now and where: a dry run over the whole library
   * (nothing is written), as the write-back after a job would do it. `files` lists the first
   * 200 files written, skipped or failed on (those already up to date are only counted);
   * `more_files` counts the rest. `off` answers an empty report. Rejects with `database` or `io`.
   */
  writeBackPreview(mode: WriteBackMode): Promise<WriteBackReport>;

  /** Delivers event batches, resync requests and scan events until the returned function is called. */
  subscribe(listener: BackendListener): () => void;
}

/**
 * The error shape the Rust commands serialize (`CommandError`: `{ code, message, details? }`),
 * or one the UI makes up for a rejection without that shape (`unexpected`).
 */
export type BackendErrorPayload = Omit<CommandError, 'code'> & { code: BackendErrorCode };

/** Every code a backend error may carry: the engine's, and the UI's own `unexpected`. */
export type BackendErrorCode = ErrorCode | 'unexpected';

/** An error reported by the backend, carrying its machine-readable `code`. */
export class BackendError extends Error {
  readonly code: BackendErrorCode;
  readonly details?: unknown;

  constructor(code: BackendErrorCode, message: string, details?: unknown) {
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
export const UNEXPECTED_ERROR_CODE: BackendErrorCode = 'unexpected';

/**
 * Code of a `saveSettings` rejection whose `details` are `ConfigError[]`, and of a
 * `saveProviders` rejection whose `details` are `ProviderProblem[]`.
 */
export const INVALID_CONFIG_CODE: BackendErrorCode = 'invalid_config';

/** `albumTracks` / `trackLyrics` of an id the library does not have. */
export const NOT_FOUND_CODE: BackendErrorCode = 'not_found';
/** `scanFolder` of a path that cannot be scanned (missing, not a folder, ...). */
export const INVALID_SCAN_ROOT_CODE: BackendErrorCode = 'invalid_scan_root';
/** `scanFolder` while another scan runs. */
export const SCAN_RUNNING_CODE: BackendErrorCode = 'scan_running';
/** `startEnrichment` while a job runs (in this window or another process, the command line). */
export const JOB_ALREADY_RUNNING_CODE: BackendErrorCode = 'job_already_running';
/** `addMusicFolder` / `removeMusicFolder` of a folder that cannot be added or is not one. */
export const INVALID_MUSIC_FOLDER_CODE: BackendErrorCode = 'invalid_music_folder';
/** A job (or `enrichAlbumNow`) refused because WiFi-only is on and the machine is not on WiFi. */
export const NOT_ON_WIFI_CODE: BackendErrorCode = 'not_on_wifi';

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
