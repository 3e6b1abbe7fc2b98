import type { AlbumCard } from '../bindings/AlbumCard';
import type { AlbumNow } from '../bindings/AlbumNow';
import type { AlbumPage } from '../bindings/AlbumPage';
import type { EnrichmentConfig } from '../bindings/EnrichmentConfig';
import type { EnrichmentProgress } from '../bindings/EnrichmentProgress';
import type { EnrichmentStatus } from '../bindings/EnrichmentStatus';
import type { FailureRecord } from '../bindings/FailureRecord';
import type { FoundBySource } from '../bindings/FoundBySource';
import type { LastRun } from '../bindings/LastRun';
import type { LibraryEvent } from '../bindings/LibraryEvent';
import type { LibrarySummary } from '../bindings/LibrarySummary';
import type { Operation } from '../bindings/Operation';
import type { OperationOutcome } from '../bindings/OperationOutcome';
import type { PauseReason } from '../bindings/PauseReason';
import type { ProviderRequests } from '../bindings/ProviderRequests';
import type { ProviderSettings } from '../bindings/ProviderSettings';
import type { ProviderStatsReport } from '../bindings/ProviderStatsReport';
import type { ProviderUrl } from '../bindings/ProviderUrl';
import type { RunStats } from '../bindings/RunStats';
import type { Savings } from '../bindings/Savings';
import type { ScanEvent } from '../bindings/ScanEvent';
import type { ScanReport } from '../bindings/ScanReport';
import type { TrackField } from '../bindings/TrackField';
import type { TrackListItem } from '../bindings/TrackListItem';
import type { TrackLyrics } from '../bindings/TrackLyrics';
import type { WatchMode } from '../bindings/WatchMode';
import type { WatchStatus } from '../bindings/WatchStatus';
import type { NotFoundCounts } from '../bindings/NotFoundCounts';
import type { TrackFailure } from '../bindings/TrackFailure';
import type { WriteBackFile } from '../bindings/WriteBackFile';
import type { WriteBackMode } from '../bindings/WriteBackMode';
import type { WriteBackReport } from '../bindings/WriteBackReport';
import {
  type ArtworkSize,
  type Backend,
  BackendError,
  type BackendErrorPayload,
  type BackendListener,
  type BackendMessage,
  INVALID_CONFIG_CODE,
  INVALID_MUSIC_FOLDER_CODE,
  INVALID_SCAN_ROOT_CODE,
  JOB_ALREADY_RUNNING_CODE,
  type MissingFilter,
  NOT_FOUND_CODE,
  SCAN_RUNNING_CODE,
  type StartEnrichmentOptions,
} from './backend';
import { downloadText } from './csv';
import {
  FAKE_LIBRARY_ALBUMS,
  FAKE_MUSIC_FOLDER,
  FakeLibrary,
  type WriteBackCandidate,
  coverCandidate,
  fakeArtworkUrl,
  lyricsCandidate,
} from './fakeLibrary';
import { LIBRARY_FIXTURE, XSS_STRING, fakeAlbumArtist, fakeAlbumTitle, fakeTrack, unit } from './fixtures';
import { parseReason } from './failures';
import { type FakeRun, ProviderTally, type RequestEnd, fakeRunFrom, noSavings, statsReport } from './fakeStats';
import { DEFAULT_PROVIDERS, completeProviders, isProviderId, providerProblems } from './providerRules';
import { DEFAULT_SETTINGS, validateSettings } from './settingsRules';
import { WRITE_BACK_FILES_LISTED } from './writeBack';

/** How the simulated enrichment job behaves. */
export interface FakeJobOptions {
  /** Tracks the first job has to do (ids 1..tracks). */
  tracks: number;
  /** Milliseconds between two batches of events. */
  tickMs: number;
  /** Tracks settled per batch. */
  tracksPerTick: number;
  /** Share (0..1) of artwork operations that fail. */
  artworkFailureRate: number;
  /** Share (0..1) of lyrics operations that fail. */
  lyricsFailureRate: number;
  /**
   * After this share (0..1) of the job the network switches to ethernet for `wifiOutageMs`;
   * the job pauses for it only when the settings say `require_wifi`. `null`: WiFi throughout.
   */
  wifiDropAt: number | null;
  wifiOutageMs: number;
  /**
   * After this share (0..1) of the job the machine has no network for `offlineMs`: the job
   * waits for it (`waiting_for_network`), counting no failure, and goes on by itself when it
   * is back. `null`: online throughout.
   */
  offlineAt: number | null;
  offlineMs: number;
  /** Every 3rd track's title and every failure's reason carry `XSS_STRING`. */
  hostile: boolean;
  /** After this share (0..1) of the job it stops on an error (`job_failed`). `null`: never. */
  failAt: number | null;
  /**
   * The first job is already running when the fake is created, this share (0..1) of it done:
   * a window opened (or reloaded) mid-job. `null`: no job until one is started.
   */
  startAt: number | null;
  /**
   * Milliseconds between two `provider_stats` events while the job asks providers (the engine
   * sends one every 2 s, and once more at the end); counted in ticks, at least one.
   */
  statsMs: number;
}

export const DEFAULT_JOB: FakeJobOptions = {
  tracks: 800,
  tickMs: 40,
  tracksPerTick: 8,
  artworkFailureRate: 0.03,
  lyricsFailureRate: 0.03,
  wifiDropAt: null,
  wifiOutageMs: 2500,
  offlineAt: null,
  offlineMs: 2500,
  hostile: false,
  failAt: null,
  startAt: null,
  statsMs: 2000,
};

/** How the simulated folder scan behaves. */
export interface FakeScanOptions {
  /** What `chooseFolder` returns (`null`: the user cancels the dialog). */
  folder: string | null;
  /** Albums found in a folder scanned into an empty library. */
  albums: number;
  /** Milliseconds between two progress events. */
  tickMs: number;
  /** Progress events from start to end. */
  steps: number;
}

export const DEFAULT_SCAN: FakeScanOptions = {
  folder: FAKE_MUSIC_FOLDER,
  albums: FAKE_LIBRARY_ALBUMS,
  tickMs: 60,
  steps: 20,
};

/** How the simulated watch over the music folders behaves. */
export interface FakeWatchOptions {
  /**
   * The music folders when the fake is created; `null`: `FAKE_MUSIC_FOLDER` when the library
   * has music, none when it is empty. The albums are the first folder's, but for
   * `ALBUMS_PER_EXTRA_FOLDER` in each other one.
   */
  folders: string[] | null;
  /** `polling`: the system cannot watch every folder, so they are rescanned (with the reason why). */
  mode: WatchMode;
  /** Seconds between two rescans of a polled watch. */
  pollEverySecs: number;
  /** Folders under the music folders, each a watch, for a polled watch's reason. */
  directories: number;
  /** The system's limit (`fs.inotify.max_user_watches`), for a polled watch's reason. */
  maxUserWatches: number;
  /**
   * Milliseconds after a folder was added until the watch finds an album of new music in it
   * (`folder_imported`, after the folder's own import); `null`: never.
   */
  importAfterMs: number | null;
}

export const DEFAULT_WATCH: FakeWatchOptions = {
  folders: null,
  mode: 'events',
  pollEverySecs: 60,
  directories: 0,
  maxUserWatches: 8192,
  importAfterMs: null,
};

/** Albums the fake puts in each music folder but the first (of those it is created with). */
export const ALBUMS_PER_EXTRA_FOLDER = 4;
/** Albums a scan finds in a music folder never imported before (into a library with music). */
export const NEW_FOLDER_ALBUMS = 6;

/**
 * Why a watch polls, worded as the engine words it (`watch_limit_reason` in
 * `crates/engine/src/watch.rs`).
 */
export function watchLimitReason(directories: number, maxUserWatches: number, pollEverySecs: number): string {
  return (
    `the system cannot watch all ${directories} music folders (its limit, fs.inotify.max_user_watches, ` +
    `is ${maxUserWatches}): new music is found by rescanning every ${pollEverySecs} s instead. To watch ` +
    'them, raise the limit: `sudo sysctl fs.inotify.max_user_watches=524288` (and add that line to ' +
    '/etc/sysctl.d/90-gatefold.conf to keep it)'
  );
}

/** `path` without trailing or doubled slashes (the engine resolves it; the fake only tidies it). */
function tidyFolder(path: string): string {
  const tidy = path.trim().replace(/\/+/g, '/');
  return tidy.length > 1 ? tidy.replace(/\/$/, '') : tidy;
}

/** Whether `path` is `folder` or inside it. */
function within(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder === '/' ? '/' : `${folder}/`);
}

export interface FakeBackendOptions {
  /** Summary to return (defaults to `LIBRARY_FIXTURE`). Ignored if `error` is set. */
  summary?: LibrarySummary;
  /** If set, every call rejects with this error. */
  error?: BackendError | BackendErrorPayload;
  /** Artificial latency in milliseconds (0 = resolve on the next microtask). */
  delayMs?: number;
  /** If true, calls never settle (to look at the loading state). */
  neverSettle?: boolean;
  /** The simulated job (defaults: `DEFAULT_JOB`). */
  job?: Partial<FakeJobOptions>;
  /** Settings to start with (defaults: `DEFAULT_SETTINGS`). */
  settings?: EnrichmentConfig;
  /** Failures recorded before (e.g. `earlierFailures(...)`), newest first. */
  failures?: FailureRecord[];
  /** Albums in the library (defaults to `FAKE_LIBRARY_ALBUMS`; 0: nothing imported yet). */
  albums?: number;
  /** Album 1 has `XSS_STRING` in its tags and in its first track's lyrics. */
  hostileLibrary?: boolean;
  /** The simulated folder scan (defaults: `DEFAULT_SCAN`). */
  scan?: Partial<FakeScanOptions>;
  /** Provider settings to start with (defaults: `DEFAULT_PROVIDERS`). */
  providers?: ProviderSettings[];
  /**
   * The library's last job when the fake is created (`lastRun()`), as after a restart.
   * `interrupted`: its first `processed_tracks` tracks are done and the next start continues
   * it; `running_elsewhere`: another process runs it, so starting one is refused.
   */
  lastRun?: LastRun | null;
  /** `GATEFOLD_<NAME>_URL` set in the environment, by provider name: these URLs are used instead of the saved ones. */
  envUrls?: Partial<Record<string, string>>;
  /**
   * The write-back after a job meets trouble: it removes a temporary file an interrupted
   * write-back left (once), and one lyrics file cannot be written (the disk is full).
   */
  writeBackProblems?: boolean;
  /**
   * Provider statistics of earlier runs (`providerStats()`), newest first, as the library kept
   * them (e.g. `providerRunsFixture(...)`); the runs the fake simulates are added in front.
   */
  providerRuns?: RunStats[];
  /** The music folders and their watch (defaults: `DEFAULT_WATCH`). */
  watch?: Partial<FakeWatchOptions>;
}

/** The process id of the interrupted write-back whose temporary file the fake finds (a dead one). */
const DEAD_WRITER_PID = 4_194_311;

interface FakeJob {
  id: number;
  /** Unix seconds. */
  startedAt: number;
  /** Tracks still to settle, with the operations each needs. */
  queue: { trackId: number; ops: Operation[] }[];
  next: number;
  progress: EnrichmentProgress;
  notFound: NotFoundCounts;
  /** This run's finds per source (they add up to the run's share of the found counts). */
  foundBy: FoundBySource;
  /** What this run asked each provider, by its HTTP name. */
  requests: ProviderTally;
  /** Ticks since the start, to send `provider_stats` every `statsMs`. */
  ticks: number;
  /** The last `provider_stats` sent (what `enrichmentStatus` answers with). */
  lastStats: ProviderRequests[];
  /** Requests counted when `lastStats` was taken: nothing new, no event (as the engine). */
  statsSent: number;
  /** Lookups this run did not make: remembered "not found", artwork already on disk. */
  saved: Savings;
  /** Albums whose artwork this run found on disk. */
  localAlbums: Set<number>;
  /** The library's statistics of this job (a continued job's earlier runs included). */
  record: FakeRun;
  /** What a continued job's earlier runs asked and saved (the record is that plus this run). */
  earlier: ProviderTally;
  earlierSaved: Savings;
  failed: TrackFailure[];
  userPause: boolean;
  pausedFor: PauseReason | null;
  /**
   * Operations still finishing after a pause: like the engine, a pause stops new operations
   * and lets those running end, one per tick here, each with a progress event.
   */
  draining: number;
  retry: boolean;
  timer: ReturnType<typeof setTimeout> | null;
}

// Worded as the engine words them: `<provider>: <what>` (`crates/engine/src/http/mod.rs`),
// " images" for an image CDN, no provider for the operation timeout (`enrich/attempts.rs`).
const ARTWORK_REASONS: [string, boolean][] = [
  // [reason, transient (retried up to max_retries)]
  ['coverartarchive: server error (HTTP 502)', true],
  ['no answer within {timeout} s', true],
  ['musicbrainz: throttled (HTTP 503)', true],
  ['musicbrainz: timed out (operation timed out)', true],
  ['itunes images: could not connect (Connection refused (os error 111))', true],
  ['coverartarchive: the image is not usable: not an image (unknown format)', true],
  ['deezer: request refused (HTTP 403)', false],
];

const LYRICS_REASONS: [string, boolean][] = [
  ['lrclib: server error (HTTP 500)', true],
  ['lrclib: no answer within {timeout} s', true],
  ['lrclib: could not connect (dns error: failed to lookup address information)', true],
  ['lrclib: unexpected answer (not the JSON expected): expected value at line 1 column 1', true],
  ['lrclib: request refused (HTTP 400)', false],
];

function updatePercent(p: EnrichmentProgress): void {
  p.percent_complete = p.total_tracks === 0 ? 100 : (p.processed_tracks / p.total_tracks) * 100;
}

function requestedPause(): PauseReason {
  return { code: 'requested', message: 'paused' };
}

function wifiPause(network: string): PauseReason {
  return { code: 'waiting_for_wifi', message: `waiting for WiFi (now on ${network})` };
}

function networkPause(): PauseReason {
  return { code: 'waiting_for_network', message: 'waiting for the network (no connection)' };
}

/**
 * The order the summary lists providers in: the artwork chain as the engine asks it by default
 * (the album lookup, then each source and its image server, the scarce iTunes last), then lyrics.
 */
const REQUEST_ORDER = [
  'musicbrainz',
  'coverartarchive',
  'deezer',
  'deezer images',
  'itunes',
  'itunes images',
  'lrclib',
];

/** Body sizes the simulated providers answer with (bytes; images vary around these). */
const BODY_BYTES = {
  lookup: 2_400,
  index: 1_800,
  cover: 240_000,
  lyrics: 3_200,
  instrumental: 350,
} as const;

/**
 * Typical times (ms) from sending a request to its whole answer, per provider, before the
 * body's own download time (a fast 2 MB/s link); each request varies around it.
 */
const LATENCY_MS: Record<string, number> = {
  lrclib: 85,
  musicbrainz: 330,
  coverartarchive: 420,
  deezer: 120,
  'deezer images': 180,
  itunes: 170,
  'itunes images': 230,
};

/** A provider name as a number, to vary its requests' times apart from the others'. */
function nameSeed(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return h & 0xffff;
}

function samePause(a: PauseReason | null, b: PauseReason | null): boolean {
  return a?.code === b?.code && a?.message === b?.message;
}

/**
 * In-memory `Backend` for tests and for browser design work without Rust. Enrichment is a
 * timer-driven simulation that sends the same events as the engine, in batches.
 */
export class FakeBackend implements Backend {
  private readonly options: FakeBackendOptions;
  private readonly jobOptions: FakeJobOptions;
  private readonly scanOptions: FakeScanOptions;
  private readonly listeners = new Set<BackendListener>();
  private settings: EnrichmentConfig;
  private providers: ProviderSettings[];
  private library: FakeLibrary;
  /** The configured summary until a scan; then it is counted from `library`. */
  private summary: LibrarySummary | null;
  private scanTimer: ReturnType<typeof setTimeout> | null = null;
  private writeBackTimer: ReturnType<typeof setTimeout> | null = null;
  /** Recorded failures by `track_id:operation`, in the order they happened. */
  private readonly failures = new Map<string, FailureRecord>();
  /** Tracks no job has settled yet. */
  private readonly pending: Set<number>;
  private job: FakeJob | null = null;
  private nextJobId = 1;
  private run = 0;
  private network: string | null = null;
  private wifiDropped = false;
  private wifiTimer: ReturnType<typeof setTimeout> | null = null;
  /** The machine has no network (the `offlineAt` outage). */
  private offline = false;
  private offlineDropped = false;
  private offlineTimer: ReturnType<typeof setTimeout> | null = null;
  /** What `lastRun()` answers. */
  private lastRunRecord: LastRun | null;
  /** An interrupted job the next start continues. */
  private resumable: LastRun | null = null;
  /**
   * What the jobs found from the providers, by fake track id (`fakeTrack`): the write-back
   * writes it beside (or into) those tracks, besides what the library already had.
   */
  private readonly finds = new Map<number, { artwork: boolean; lyrics: boolean }>();
  /** Files a write-back wrote (`target\0path`): the next one finds them up to date. */
  private readonly writtenBack = new Set<string>();
  /** The interrupted write-back's leftover is gone (`writeBackProblems`). */
  private leftoverRemoved = false;
  /** The library's provider statistics, one per job, newest first (`providerStats()`). */
  private readonly runs: FakeRun[];
  /**
   * What no source had lately, as the engine remembers it (`not_found_max_age_days`): albums
   * whose artwork and tracks whose lyrics the next runs do not ask for again (their savings).
   */
  private readonly rememberedArtwork = new Set<number>();
  private readonly rememberedLyrics = new Set<number>();
  private readonly watchOptions: FakeWatchOptions;
  /** The music folders, sorted. */
  private folders: string[];
  /** Albums imported from each music folder (a folder added and not scanned yet has none). */
  private readonly folderAlbums = new Map<string, number>();
  /** The watch's pending imports of new music. */
  private readonly watchTimers = new Set<ReturnType<typeof setTimeout>>();

  /** Number of `librarySummary` calls made so far. */
  summaryCalls = 0;
  /** Number of `listFailures` calls made so far. */
  failureCalls = 0;
  /** Number of successful `saveSettings` calls. */
  saveCalls = 0;
  /** Number of successful `saveProviders` calls. */
  providerSaveCalls = 0;
  /** What `saveTextFile` saved, in order. */
  readonly savedFiles: { name: string; contents: string }[] = [];
  /** The tracks `revealTrack` showed in the file manager, in order. */
  readonly revealed: number[] = [];
  /** What `enrichAlbumNow` was asked, in order. */
  readonly albumsNow: number[] = [];

  constructor(options: FakeBackendOptions = {}) {
    this.options = options;
    this.jobOptions = { ...DEFAULT_JOB, ...options.job };
    this.scanOptions = { ...DEFAULT_SCAN, ...options.scan };
    this.settings = structuredClone(options.settings ?? { ...DEFAULT_SETTINGS });
    this.providers = completeProviders(options.providers ?? DEFAULT_PROVIDERS);
    this.library = new FakeLibrary(options.albums ?? FAKE_LIBRARY_ALBUMS, options.hostileLibrary);
    this.summary = options.summary ?? LIBRARY_FIXTURE;
    this.pending = new Set(Array.from({ length: this.jobOptions.tracks }, (_, i) => i + 1));
    for (const record of [...(options.failures ?? [])].reverse()) {
      this.failures.set(`${record.track_id}:${record.operation}`, structuredClone(record));
    }
    this.lastRunRecord = options.lastRun ? structuredClone(options.lastRun) : null;
    this.runs = (options.providerRuns ?? []).map(fakeRunFrom).sort((a, b) => b.jobId - a.jobId);
    // New jobs come after the ones the statistics know.
    for (const run of this.runs) this.nextJobId = Math.max(this.nextJobId, run.jobId + 1);
    if (this.lastRunRecord?.state === 'interrupted') {
      // What the interrupted run did is done: the tracks it processed are not pending.
      this.resumable = structuredClone(this.lastRunRecord);
      for (let id = 1; id <= this.resumable.progress.processed_tracks; id += 1) this.pending.delete(id);
    }
    if (this.jobOptions.startAt !== null) this.startMidJob(this.jobOptions.startAt);
    this.watchOptions = { ...DEFAULT_WATCH, ...options.watch };
    const albums = this.library.albums;
    this.folders = [...(this.watchOptions.folders ?? (albums > 0 ? [FAKE_MUSIC_FOLDER] : []))].map(tidyFolder).sort();
    // The albums are the first folder's, but for a few in each other one.
    let left = albums;
    for (const folder of this.folders.slice(1).reverse()) {
      const here = Math.min(left, ALBUMS_PER_EXTRA_FOLDER);
      this.folderAlbums.set(folder, here);
      left -= here;
    }
    if (this.folders.length > 0 && albums > 0) this.folderAlbums.set(this.folders[0], left);
  }

  /** Applies the configured latency, never-settling and error to a call. */
  private async settle<T>(produce: () => T): Promise<T> {
    const { error, delayMs = 0, neverSettle = false } = this.options;
    if (neverSettle) await new Promise<never>(() => {});
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (error) {
      throw error instanceof BackendError ? error : BackendError.fromPayload(error);
    }
    return produce();
  }

  async librarySummary(): Promise<LibrarySummary> {
    this.summaryCalls += 1;
    // Hand out a copy so callers cannot mutate the configured data.
    return this.settle(() => structuredClone(this.summary ?? this.library.summary()));
  }

  async listAlbums(
    query: string,
    offset: number,
    limit: number,
    missing: MissingFilter | null = null,
  ): Promise<AlbumPage> {
    return this.settle(() => this.library.page(query, offset, limit, missing));
  }

  async albumTracks(albumId: number): Promise<TrackListItem[]> {
    return this.settle(() => {
      const tracks = this.library.albumTracks(albumId);
      if (!tracks) throw new BackendError(NOT_FOUND_CODE, `album ${albumId} not found`);
      return tracks;
    });
  }

  async trackLyrics(trackId: number): Promise<TrackLyrics> {
    return this.settle(() => {
      const lyrics = this.library.trackLyrics(trackId);
      if (!lyrics) throw new BackendError(NOT_FOUND_CODE, `track ${trackId} not found`);
      return lyrics;
    });
  }

  artworkUrl(artworkId: number, size: ArtworkSize): string {
    return fakeArtworkUrl(artworkId, size);
  }

  async albumCard(albumId: number): Promise<AlbumCard> {
    return this.settle(() => {
      const card = this.library.card(albumId);
      if (!card) throw new BackendError(NOT_FOUND_CODE, `album ${albumId} not found`);
      return card;
    });
  }

  /** A plain browser has no file manager to open: records the track (tests read `revealed`). */
  async revealTrack(trackId: number): Promise<void> {
    return this.settle(() => {
      if (!Number.isInteger(trackId) || trackId < 1) {
        throw new BackendError(NOT_FOUND_CODE, `track ${trackId} not found`);
      }
      this.revealed.push(trackId);
    });
  }

  async chooseFolder(): Promise<string | null> {
    return this.settle(() => this.scanOptions.folder);
  }

  async scanFolder(path: string): Promise<ScanReport> {
    const done = await this.settle(() => this.beginScan(path));
    return done;
  }

  /** Whether a simulated scan is under way. */
  get scanning(): boolean {
    return this.scanTimer !== null;
  }

  /**
   * Checks `path` like the engine, then "reads" the folder over `steps` ticks. Into an empty
   * library every file is new; a rescan finds a few changed files. One file cannot be read.
   */
  private beginScan(path: string): Promise<ScanReport> {
    if (this.scanning) throw new BackendError(SCAN_RUNNING_CODE, 'a scan is already running');
    const root = path.trim();
    if (!root.startsWith('/')) {
      throw new BackendError(
        INVALID_SCAN_ROOT_CODE,
        root === '' ? 'no folder given' : `${root} is not an absolute path`,
      );
    }
    if (root.includes('missing')) throw new BackendError(INVALID_SCAN_ROOT_CODE, `${root} does not exist`);
    const { tickMs, steps } = this.scanOptions;
    // Into an empty library, everything is new; in a music folder imported before, a few files
    // changed; a folder never imported brings a few albums.
    const outer = this.folders.find((folder) => within(root, folder));
    const importedBefore = outer !== undefined && this.folderAlbums.has(outer);
    const newAlbums = this.library.albums === 0 ? this.scanOptions.albums : importedBefore ? 0 : NEW_FOLDER_ALBUMS;
    const fresh = newAlbums > 0;
    const target = fresh ? new FakeLibrary(this.library.albums + newAlbums, this.options.hostileLibrary) : this.library;
    const files = target.tracks - (fresh ? this.library.tracks : 0);
    const toRead = fresh ? files : Math.min(files, Math.max(1, Math.round(files * 0.03)));
    const failed = toRead > 0 ? 1 : 0;
    const report: ScanReport = {
      root,
      files,
      added: fresh ? toRead - failed : 0,
      updated: fresh ? 0 : toRead - failed,
      unchanged: files - toRead,
      removed: 0,
      failed,
      skipped: 0,
      cleaned: 0,
      elapsed_ms: tickMs * steps,
    };
    const scan = (event: ScanEvent) => this.emit({ kind: 'scan', event });
    return new Promise((resolve) => {
      let step = 0;
      const tick = () => {
        if (step === 0) scan({ type: 'started', root, files, to_read: toRead });
        if (step === Math.floor(steps / 2) && failed > 0) {
          scan({
            type: 'file_failed',
            path: `${root}/Unknown Artist/Untitled/03 Track.mp3`,
            reason: 'not an audio file that can be read (invalid MPEG frame header)',
          });
        }
        if (step > 0) scan({ type: 'progress', processed: Math.round((toRead * step) / steps), total: toRead });
        if (step >= steps) {
          this.scanTimer = null;
          this.library = target;
          // From now on the card counts what the scan found.
          this.summary = null;
          // Like the engine, a scan makes its folder a music folder (unless it is in one).
          const folder = this.rememberFolder(root);
          this.folderAlbums.set(folder, (this.folderAlbums.get(folder) ?? 0) + newAlbums);
          scan({ type: 'finished', report });
          resolve(structuredClone(report));
          return;
        }
        step += 1;
        this.scanTimer = setTimeout(tick, tickMs);
      };
      this.scanTimer = setTimeout(tick, 0);
    });
  }

  async getProviders(): Promise<ProviderSettings[]> {
    return this.settle(() => completeProviders(this.providers));
  }

  async musicFolders(): Promise<string[]> {
    return this.settle(() => [...this.folders]);
  }

  /**
   * Like the engine: refuses a path that is no readable folder (one with `missing` in it does not
   * exist, a file is no folder) or is inside a music folder, naming why; folds the music folders
   * inside it into it. Then the watch restarts (`watching`) and, with `importAfterMs`, finds new
   * music in the folder a little later.
   */
  async addMusicFolder(path: string): Promise<string> {
    return this.settle(() => {
      const invalid = (reason: string) => new BackendError(INVALID_MUSIC_FOLDER_CODE, `${path}: ${reason}`);
      const root = tidyFolder(path);
      if (!root.startsWith('/') || root.includes('missing')) {
        throw invalid('cannot be used as a music folder: No such file or directory (os error 2)');
      }
      if (/\.(flac|mp3|m4a|ogg|opus|wav)$/i.test(root)) throw invalid('is not a folder');
      const outer = this.folders.find((folder) => within(root, folder));
      if (outer !== undefined) throw invalid(`is already in the library, as part of the music folder ${outer}`);
      this.rememberFolder(root);
      const { importAfterMs } = this.watchOptions;
      if (importAfterMs !== null) this.importLater(root, importAfterMs);
      return root;
    });
  }

  /**
   * Like the engine: forgets the music folder and takes its albums out of the library (the fake
   * drops as many albums as it imported from there); refuses a path that is not one, naming them.
   */
  async removeMusicFolder(path: string): Promise<number> {
    return this.settle(() => {
      const folder = this.folders.find((f) => f === path || f === tidyFolder(path));
      if (folder === undefined) {
        throw new BackendError(
          INVALID_MUSIC_FOLDER_CODE,
          this.folders.length === 0
            ? `${path}: is not a music folder of this library (it has none)`
            : `${path}: is not a music folder of this library (its music folders: ${this.folders.join(', ')})`,
        );
      }
      const albums = this.folderAlbums.get(folder) ?? 0;
      this.folderAlbums.delete(folder);
      this.folders = this.folders.filter((f) => f !== folder);
      const before = this.library.tracks;
      if (albums > 0) {
        this.library = new FakeLibrary(Math.max(0, this.library.albums - albums), this.options.hostileLibrary);
        this.summary = null;
      }
      this.watchRestarted();
      return before - this.library.tracks;
    });
  }

  async watchStatus(): Promise<WatchStatus | null> {
    return this.settle(() => this.watchNow());
  }

  /** The watch as it stands: every music folder, watched or (`mode: polling`) rescanned, and why. */
  private watchNow(): WatchStatus {
    const { mode, pollEverySecs, maxUserWatches } = this.watchOptions;
    // Each album is a folder, under an artist's, under the music folder.
    const directories = this.watchOptions.directories || this.folders.length + this.library.albums * 2;
    return {
      folders: [...this.folders],
      mode,
      reason: mode === 'polling' ? watchLimitReason(directories, maxUserWatches, pollEverySecs) : null,
      poll_every_secs: pollEverySecs,
    };
  }

  /** Makes `root` a music folder unless it is in one, folding those inside it; the folder it is in now. */
  private rememberFolder(root: string): string {
    const outer = this.folders.find((folder) => within(root, folder));
    if (outer !== undefined) return outer;
    const inside = this.folders.filter((folder) => within(folder, root));
    if (inside.length > 0) {
      let albums = 0;
      for (const folder of inside) {
        albums += this.folderAlbums.get(folder) ?? 0;
        this.folderAlbums.delete(folder);
      }
      this.folderAlbums.set(root, albums);
    }
    this.folders = [...this.folders.filter((folder) => !inside.includes(folder)), root].sort();
    this.watchRestarted();
    return root;
  }

  /** Like the engine, the watch restarts on the new folders and says so (after the command returned). */
  private watchRestarted(): void {
    const status = this.watchNow();
    this.later(() => this.emitEvents([{ type: 'watching', status }]), 0);
  }

  private later(run: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.watchTimers.delete(timer);
      run();
    }, ms);
    this.watchTimers.add(timer);
  }

  /** The watch finds new music in `folder` after `ms` (after a scan under way ends). */
  private importLater(folder: string, ms: number): void {
    this.later(() => {
      if (!this.folders.includes(folder)) return;
      if (this.scanning) this.importLater(folder, this.scanOptions.tickMs);
      else this.importNewMusic(folder);
    }, ms);
  }

  /**
   * What the watch does when an album's files arrive in a music folder (the first one unless
   * `folder` is given): imports it (`folder_imported`, the album's folder as the root) and, with
   * `auto_enrich` on and no job running, starts a run for the new music. Returns the report
   * (`null` without a music folder).
   */
  importNewMusic(folder: string | null = null): ScanReport | null {
    const into = folder ?? this.folders[0];
    if (into === undefined) return null;
    const target = new FakeLibrary(this.library.albums + 1, this.options.hostileLibrary);
    const card = target.card(target.albums);
    const tracks = target.tracks - this.library.tracks;
    this.library = target;
    this.summary = null;
    this.folderAlbums.set(into, (this.folderAlbums.get(into) ?? 0) + 1);
    const report: ScanReport = {
      root: `${into}/${card?.album_artist ?? 'Unknown Artist'}/${card?.title ?? 'Untitled'}`,
      files: tracks,
      added: tracks,
      updated: 0,
      unchanged: 0,
      removed: 0,
      failed: 0,
      cleaned: 0,
      skipped: 0,
      elapsed_ms: 120,
    };
    this.emitEvents([{ type: 'folder_imported', report: structuredClone(report) }]);
    if (this.settings.auto_enrich && this.job === null && this.lastRunRecord?.state !== 'running_elsewhere') {
      this.launch(this.begin(false, undefined, this.resumable), this.resumable !== null);
    }
    return report;
  }

  /** What the watch could not do, as the engine tells it (`folder` empty: enriching new music). */
  failWatch(folder: string, message: string): void {
    this.emitEvents([{ type: 'watch_failed', folder, message }]);
  }

  /**
   * Like the engine: with a job running, the album's tracks go to the head of its queue
   * (`prioritized`, added to it if it did not have them); otherwise a run for them starts
   * (`started`: the tracks not enriched yet, or all of them again when none is left).
   */
  async enrichAlbumNow(albumId: number): Promise<AlbumNow> {
    return this.settle(() => {
      if (!this.library.card(albumId)) throw new BackendError(NOT_FOUND_CODE, `album ${albumId} not found`);
      if (this.lastRunRecord?.state === 'running_elsewhere') {
        throw new BackendError(
          JOB_ALREADY_RUNNING_CODE,
          'Another Gatefold process (the command line, pid 4242) is running a job on this library',
        );
      }
      this.albumsNow.push(albumId);
      const ids = Array.from({ length: this.jobOptions.tracks }, (_, i) => i + 1).filter(
        (id) => fakeTrack(id).album_id === albumId,
      );
      const job = this.job;
      if (job) {
        this.prioritize(job, ids);
        return 'prioritized';
      }
      const waiting = ids.filter((id) => this.pending.has(id));
      this.launch(this.begin(false, waiting.length > 0 ? waiting : ids, null, true), false);
      return 'started';
    });
  }

  /** Moves `trackIds` to the head of what `job` has left to do, adding those it did not have. */
  private prioritize(job: FakeJob, trackIds: number[]): void {
    const wanted = new Set(trackIds);
    const left = job.queue.slice(job.next);
    const first = left.filter((item) => wanted.has(item.trackId));
    const rest = left.filter((item) => !wanted.has(item.trackId));
    const ops = this.operations();
    const queued = new Set(first.map((item) => item.trackId));
    const added = ops.length === 0 ? [] : trackIds.filter((id) => !queued.has(id)).map((trackId) => ({ trackId, ops }));
    job.queue = [...job.queue.slice(0, job.next), ...first, ...added, ...rest];
    job.progress.total_tracks += added.length;
    updatePercent(job.progress);
  }

  /** Like the engine: the saved URL, unless `GATEFOLD_<NAME>_URL` (`envUrls`) replaces it. */
  async providerUrls(): Promise<ProviderUrl[]> {
    return this.settle(() =>
      completeProviders(this.providers)
        .filter((p) => isProviderId(p.name))
        .map((p) => {
          const env = this.options.envUrls?.[p.name];
          return {
            id: p.name as ProviderUrl['id'],
            url: env ?? p.base_url,
            env_var: `GATEFOLD_${p.name.toUpperCase()}_URL`,
            overridden: env !== undefined,
          };
        }),
    );
  }

  async saveProviders(providers: ProviderSettings[]): Promise<void> {
    return this.settle(() => {
      const problems = providerProblems(providers);
      if (problems.length > 0) throw new BackendError(INVALID_CONFIG_CODE, problems[0].message, problems);
      this.providers = structuredClone(providers);
      this.providerSaveCalls += 1;
    });
  }

  /** A browser download (a plain browser has no save dialog to show); returns the file name. */
  async saveTextFile(suggestedName: string, contents: string): Promise<string | null> {
    return this.settle(() => {
      const type = suggestedName.endsWith('.csv') ? 'text/csv;charset=utf-8' : 'text/plain;charset=utf-8';
      downloadText(suggestedName, contents, type);
      this.savedFiles.push({ name: suggestedName, contents });
      return suggestedName;
    });
  }

  /** Like the engine's dry run: every file decided as a write-back would, none written. */
  async writeBackPreview(mode: WriteBackMode): Promise<WriteBackReport> {
    return this.settle(() => this.writeBack(mode, true));
  }

  /**
   * What a write-back in `mode` writes for the library and the jobs' finds, in the engine's
   * order (the covers by folder, then the lyrics); `dryRun` decides the same and writes
   * nothing. A file written before is up to date (only counted); the report lists the first
   * `WRITE_BACK_FILES_LISTED` others and counts the rest, as the engine does.
   */
  private writeBack(mode: WriteBackMode, dryRun: boolean): WriteBackReport {
    const report: WriteBackReport = {
      summary: { mode, dry_run: dryRun, written: 0, unchanged: 0, skipped: 0, failed: 0, cleaned: 0 },
      files: [],
      more_files: 0,
    };
    if (mode === 'off') return report;
    const { summary } = report;
    const note = (file: WriteBackFile) => {
      if (report.files.length < WRITE_BACK_FILES_LISTED) report.files.push(file);
      else report.more_files += 1;
    };
    const trouble = this.options.writeBackProblems === true && !dryRun;
    if (trouble && !this.leftoverRemoved) {
      // Only a real write-back cleans up (a dry run changes nothing, not even this).
      this.leftoverRemoved = true;
      summary.cleaned += 1;
      note({
        path: `${FAKE_MUSIC_FOLDER}/${fakeAlbumArtist(3)}/${fakeAlbumTitle(3)}/.gatefold-${DEAD_WRITER_PID}-0.tmp`,
        target: 'temporary',
        outcome: {
          outcome: 'removed',
          reason: `a temporary file an interrupted write-back left (its process ${DEAD_WRITER_PID} is gone)`,
        },
      });
    }
    let diskFull = trouble;
    for (const candidate of this.writeBackCandidates(mode)) {
      const { path, target, skip } = candidate;
      const key = `${target}\u0000${path}`;
      if (this.writtenBack.has(key)) {
        summary.unchanged += 1;
      } else if (skip !== null) {
        summary.skipped += 1;
        note({ path, target, outcome: { outcome: 'skipped', reason: skip } });
      } else if (diskFull && target === 'lyrics_file') {
        // The first lyrics file meets a full disk; it is tried again by the next write-back.
        diskFull = false;
        summary.failed += 1;
        note({
          path,
          target,
          outcome: { outcome: 'failed', reason: `cannot write ${path}: No space left on device (os error 28)` },
        });
      } else {
        summary.written += 1;
        note({ path, target, outcome: { outcome: dryRun ? 'would_write' : 'written' } });
        if (!dryRun) this.writtenBack.add(key);
      }
    }
    return report;
  }

  /**
   * Every file a write-back in `mode` would consider: the library's (`FakeLibrary`), then the
   * jobs' finds beside their tracks; the covers sorted by folder (the engine goes folder by
   * folder), one per folder or file whoever found it.
   */
  private writeBackCandidates(mode: 'sidecar' | 'embed'): WriteBackCandidate[] {
    const { covers, lyrics } = this.library.writeBackCandidates(mode);
    const seen = new Set([...covers, ...lyrics].map((c) => `${c.target}\u0000${c.path}`));
    const add = (list: WriteBackCandidate[], candidate: WriteBackCandidate) => {
      const key = `${candidate.target}\u0000${candidate.path}`;
      if (seen.has(key)) return;
      seen.add(key);
      list.push(candidate);
    };
    const sources = new Map<number, string | null>();
    for (const [trackId, found] of this.finds) {
      const track = fakeTrack(trackId);
      if (found.artwork) {
        if (!sources.has(track.album_id)) {
          sources.set(track.album_id, this.library.card(track.album_id)?.artwork?.source ?? null);
        }
        const place = mode === 'embed' ? track.path : track.path.slice(0, track.path.lastIndexOf('/'));
        add(covers, coverCandidate(mode, track.album_id, place, 'image/jpeg', sources.get(track.album_id) ?? null));
      }
      if (found.lyrics) {
        const synced = unit(trackId, 10) < 0.7;
        add(lyrics, lyricsCandidate(mode, track.album_id, track.path, synced, unit(trackId, 9)));
      }
    }
    covers.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return [...covers, ...lyrics];
  }

  async lastRun(): Promise<LastRun | null> {
    return this.settle(() => structuredClone(this.lastRunRecord));
  }

  async enrichmentStatus(): Promise<EnrichmentStatus | null> {
    return this.settle(() => {
      const job = this.job;
      if (!job) return null;
      return {
        job_id: job.id,
        progress: { ...job.progress },
        paused: job.pausedFor ? { ...job.pausedFor } : null,
        providers: job.lastStats.map((r) => ({ ...r })),
      };
    });
  }

  /** Like the engine: the `recent` newest runs' statistics (5 by default), and every run added up. */
  async providerStats(recent = 5): Promise<ProviderStatsReport> {
    return this.settle(() => statsReport(this.runs, recent));
  }

  async getSettings(): Promise<EnrichmentConfig> {
    return this.settle(() => structuredClone(this.settings));
  }

  async saveSettings(config: EnrichmentConfig): Promise<void> {
    return this.settle(() => {
      const problems = validateSettings(config);
      if (problems.length > 0) {
        const first = problems[0];
        throw new BackendError(
          INVALID_CONFIG_CODE,
          `${first.field} must be between ${first.min} and ${first.max}, got ${first.value}`,
          problems,
        );
      }
      this.settings = structuredClone(config);
      this.saveCalls += 1;
    });
  }

  async listFailures(limit: number): Promise<FailureRecord[]> {
    this.failureCalls += 1;
    return this.settle(() =>
      [...this.failures.values()]
        .reverse()
        .slice(0, Math.max(0, limit))
        .map((record) => structuredClone(record)),
    );
  }

  subscribe(listener: BackendListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Sends `message` to every subscriber (tests use it to play events directly). */
  emit(message: BackendMessage): void {
    for (const listener of [...this.listeners]) listener(message);
  }

  /** Sends a batch of events. */
  emitEvents(events: LibraryEvent[]): void {
    if (events.length > 0) this.emit({ kind: 'events', events });
  }

  /** Whether a simulated job is under way. */
  get running(): boolean {
    return this.job !== null;
  }

  async startEnrichment({ retryFailed, trackIds }: StartEnrichmentOptions): Promise<void> {
    return this.settle(() => {
      if (this.job) {
        throw new BackendError(JOB_ALREADY_RUNNING_CODE, 'An enrichment job is already running');
      }
      if (this.lastRunRecord?.state === 'running_elsewhere') {
        throw new BackendError(
          JOB_ALREADY_RUNNING_CODE,
          'Another Gatefold process (the command line, pid 4242) is running a job on this library',
        );
      }
      // Like the engine, a start continues an interrupted job (a retry of chosen tracks does not).
      const resumed = trackIds === undefined && !retryFailed ? this.resumable : null;
      this.launch(this.begin(retryFailed, trackIds, resumed), resumed !== null);
    });
  }

  /** Starts the simulation of `job`: its events arrive after the command returned, as from Rust. */
  private launch(job: FakeJob, resumed: boolean): void {
    job.timer = setTimeout(() => {
      this.emitEvents([
        { type: 'job_started', job_id: job.id, total_tracks: job.progress.total_tracks, resumed },
        { type: 'progress', job_id: job.id, progress: { ...job.progress } },
      ]);
      this.schedule(job);
    }, 0);
  }

  /** The operations a job does, as the settings say. */
  private operations(): Operation[] {
    const ops: Operation[] = [];
    if (this.settings.enable_artwork) ops.push('artwork');
    if (this.settings.enable_lyrics) ops.push('lyrics');
    return ops;
  }

  /**
   * Makes the job: every pending track (plus the failed ones when retrying), nothing done yet;
   * with `trackIds`, only those tracks (`everyTrack`: pending or not); a `resumed` job keeps its
   * id and counts.
   */
  private begin(
    retryFailed: boolean,
    trackIds?: number[],
    resumed: LastRun | null = null,
    everyTrack = false,
  ): FakeJob {
    const ops = this.operations();
    const only = trackIds === undefined ? null : new Set(trackIds);
    const chosen = (trackId: number) => only === null || only.has(trackId);
    const tracks = everyTrack && trackIds !== undefined ? trackIds : [...this.pending].filter(chosen);
    const queue = ops.length === 0 ? [] : tracks.map((trackId) => ({ trackId, ops }));
    if (retryFailed) {
      const failed = new Map<number, Operation[]>();
      for (const record of this.failures.values()) {
        if (!ops.includes(record.operation) || !chosen(record.track_id)) continue;
        failed.set(record.track_id, [...(failed.get(record.track_id) ?? []), record.operation]);
      }
      for (const [trackId, failedOps] of failed) queue.push({ trackId, ops: failedOps });
    }
    this.run += 1;
    // What the library remembers no source had is not asked again (in the job's scope).
    const saved = noSavings();
    if (ops.includes('artwork')) {
      const albums = only === null ? this.rememberedArtwork : new Set([...only].map((id) => fakeTrack(id).album_id));
      saved.remembered_artwork = [...albums].filter((album) => this.rememberedArtwork.has(album)).length;
    }
    if (ops.includes('lyrics')) {
      saved.remembered_lyrics = [...this.rememberedLyrics].filter(chosen).length;
    }
    const done = resumed?.progress.processed_tracks ?? 0;
    const progress: EnrichmentProgress = resumed
      ? { ...resumed.progress, total_tracks: done + queue.length, in_flight: 0 }
      : {
          total_tracks: queue.length,
          processed_tracks: 0,
          artwork_fetched: 0,
          lyrics_fetched: 0,
          failed_tracks: 0,
          percent_complete: 0,
          in_flight: 0,
        };
    updatePercent(progress);
    const id = resumed?.job_id ?? this.nextJobId++;
    const startedAt = resumed?.started_at ?? Math.floor(Date.now() / 1000);
    // A continued job adds to its statistics; a new one starts its own.
    let record = this.runs.find((run) => run.jobId === id);
    if (!record) {
      record = { jobId: id, startedAt, endedAt: null, tally: new ProviderTally(), saved: noSavings() };
      this.runs.push(record);
      this.runs.sort((a, b) => b.jobId - a.jobId);
    }
    record.endedAt = null;
    const job: FakeJob = {
      id,
      startedAt,
      queue,
      next: 0,
      progress,
      notFound: { artwork: 0, lyrics: 0 },
      foundBy: { artwork: {}, lyrics: {} },
      requests: new ProviderTally(),
      ticks: 0,
      lastStats: [],
      statsSent: 0,
      saved,
      localAlbums: new Set(),
      record,
      earlier: record.tally.clone(),
      earlierSaved: { ...record.saved },
      failed: [],
      userPause: false,
      pausedFor: null,
      draining: 0,
      retry: retryFailed,
      timer: null,
    };
    if (resumed) {
      this.resumable = null;
      this.nextJobId = Math.max(this.nextJobId, resumed.job_id + 1);
    }
    this.job = job;
    this.network = null;
    this.wifiDropped = false;
    this.offline = false;
    this.offlineDropped = false;
    this.updateInFlight(job);
    return job;
  }

  /** Operations running, as the engine counts them: up to `max_concurrent` while it runs. */
  private updateInFlight(job: FakeJob): void {
    const left = job.queue.length - job.next;
    job.progress.in_flight = job.pausedFor !== null ? job.draining : Math.min(left, this.settings.max_concurrent);
  }

  /** What `lastRun()` says once `job` ended. */
  private recordLastRun(job: FakeJob, state: LastRun['state']): void {
    job.record.endedAt = state === 'finished' || state === 'cancelled' ? Math.floor(Date.now() / 1000) : null;
    this.lastRunRecord = {
      job_id: job.id,
      state,
      progress: { ...job.progress, in_flight: 0 },
      not_found: { ...job.notFound },
      started_at: job.startedAt,
      ended_at: state === 'finished' || state === 'cancelled' ? Math.floor(Date.now() / 1000) : null,
    };
  }

  /** A job that ran before anyone listened: its first `share` settled without events. */
  private startMidJob(share: number): void {
    const job = this.begin(false);
    const done = Math.floor(job.queue.length * Math.min(1, Math.max(0, share)));
    const unheard: LibraryEvent[] = [];
    for (; job.next < done; job.next += 1) this.settleTrack(job, job.queue[job.next], unheard);
    // Its statistics were stored and sent as it went: `enrichmentStatus` has the last ones.
    this.storeStats(job, unheard);
    updatePercent(job.progress);
    this.updateInFlight(job);
    this.schedule(job);
  }

  async pauseEnrichment(): Promise<void> {
    return this.settle(() => {
      const job = this.requireJob();
      job.userPause = true;
      setTimeout(() => this.emitEvents(this.updatePause(job)), 0);
    });
  }

  async resumeEnrichment(): Promise<void> {
    return this.settle(() => {
      const job = this.requireJob();
      job.userPause = false;
      setTimeout(() => this.emitEvents(this.updatePause(job)), 0);
    });
  }

  async cancelEnrichment(): Promise<void> {
    return this.settle(() => {
      const job = this.requireJob();
      this.stop(job);
      job.draining = 0;
      job.progress.in_flight = 0;
      this.recordLastRun(job, 'cancelled');
      const events: LibraryEvent[] = [];
      this.storeStats(job, events);
      setTimeout(() => {
        this.emitEvents([
          ...events,
          { type: 'job_cancelled', job_id: job.id, progress: { ...job.progress } },
          this.finished(job, true),
        ]);
      }, 0);
    });
  }

  private requireJob(): FakeJob {
    if (!this.job) throw new BackendError('no_job', 'no enrichment is running');
    return this.job;
  }

  private schedule(job: FakeJob): void {
    job.timer = setTimeout(() => this.tick(job), this.jobOptions.tickMs);
  }

  private stop(job: FakeJob): void {
    if (job.timer !== null) clearTimeout(job.timer);
    job.timer = null;
    if (this.wifiTimer !== null) clearTimeout(this.wifiTimer);
    this.wifiTimer = null;
    if (this.offlineTimer !== null) clearTimeout(this.offlineTimer);
    this.offlineTimer = null;
    if (this.job === job) this.job = null;
  }

  /**
   * Like the engine: paused when asked, else when the network is gone, else when WiFi is
   * required and gone.
   */
  private updatePause(job: FakeJob): LibraryEvent[] {
    if (this.job !== job) return [];
    const want = job.userPause
      ? requestedPause()
      : this.offline
        ? networkPause()
        : this.settings.require_wifi && this.network !== null
          ? wifiPause(this.network)
          : null;
    if (samePause(want, job.pausedFor)) return [];
    // Pausing: what runs now finishes (`draining`); resuming: the slots fill again. Without a
    // network nothing running can finish: those attempts wait and run again when it is back.
    if (want !== null && job.pausedFor === null) job.draining = job.progress.in_flight;
    if (want === null || want.code === 'waiting_for_network') job.draining = 0;
    job.pausedFor = want;
    this.updateInFlight(job);
    return [want ? { type: 'job_paused', job_id: job.id, reason: want } : { type: 'job_resumed', job_id: job.id }];
  }

  private tick(job: FakeJob): void {
    if (this.job !== job) return;
    const events: LibraryEvent[] = [];
    const { wifiDropAt, wifiOutageMs } = this.jobOptions;
    if (wifiDropAt !== null && !this.wifiDropped && job.next >= Math.floor(job.queue.length * wifiDropAt)) {
      this.wifiDropped = true;
      this.network = 'ethernet (eth0)';
      this.wifiTimer = setTimeout(() => {
        this.wifiTimer = null;
        this.network = null;
        this.emitEvents(this.updatePause(job));
      }, wifiOutageMs);
      events.push(...this.updatePause(job));
    }
    const { offlineAt, offlineMs } = this.jobOptions;
    if (offlineAt !== null && !this.offlineDropped && job.next >= Math.floor(job.queue.length * offlineAt)) {
      this.offlineDropped = true;
      this.offline = true;
      this.offlineTimer = setTimeout(() => {
        this.offlineTimer = null;
        this.offline = false;
        this.emitEvents(this.updatePause(job));
      }, offlineMs);
      events.push(...this.updatePause(job));
    }
    const { failAt } = this.jobOptions;
    if (failAt !== null && job.pausedFor === null && job.next >= Math.floor(job.queue.length * failAt)) {
      this.stop(job);
      job.progress.in_flight = 0;
      this.recordLastRun(job, 'interrupted');
      this.resumable = structuredClone(this.lastRunRecord);
      this.storeStats(job, events);
      events.push({ type: 'job_failed', code: 'database', message: 'database is locked' });
      this.emitEvents(events);
      return;
    }
    if (job.pausedFor === null) {
      const end = Math.min(job.queue.length, job.next + this.jobOptions.tracksPerTick);
      for (; job.next < end; job.next += 1) {
        this.settleTrack(job, job.queue[job.next], events);
      }
      updatePercent(job.progress);
      this.updateInFlight(job);
      events.push({ type: 'progress', job_id: job.id, progress: { ...job.progress } });
    } else if (job.draining > 0) {
      // Paused: one of the operations that were running ends.
      if (job.next < job.queue.length) {
        this.settleTrack(job, job.queue[job.next], events);
        job.next += 1;
      }
      job.draining = job.next < job.queue.length ? job.draining - 1 : 0;
      updatePercent(job.progress);
      this.updateInFlight(job);
      events.push({ type: 'progress', job_id: job.id, progress: { ...job.progress } });
    }
    job.ticks += 1;
    const ending = job.next >= job.queue.length && job.pausedFor === null;
    if (ending || job.ticks % this.statsEvery() === 0) this.storeStats(job, events);
    if (ending) {
      this.stop(job);
      this.recordLastRun(job, 'finished');
      events.push(this.finished(job, false));
      this.scheduleWriteBack();
    } else {
      this.schedule(job);
    }
    this.emitEvents(events);
  }

  /**
   * Like the engine: after a finished job, what the providers found (this run's and the
   * library's) is written beside the music or into the tags, and the files are listed.
   */
  private scheduleWriteBack(): void {
    const mode = this.settings.write_back;
    if (mode === 'off') return;
    this.writeBackTimer = setTimeout(() => {
      this.writeBackTimer = null;
      this.emitEvents([{ type: 'write_back_finished', ...this.writeBack(mode, false) }]);
    }, this.jobOptions.tickMs);
  }

  private finished(job: FakeJob, cancelled: boolean): LibraryEvent {
    return {
      type: 'job_finished',
      job_id: job.id,
      result: {
        job_id: job.id,
        progress: { ...job.progress },
        cancelled,
        not_found: { ...job.notFound },
        found_by: structuredClone(job.foundBy),
        requests: this.requestsOf(job),
        failures: [...job.failed],
      },
    };
  }

  /** Ticks between two `provider_stats` events. */
  private statsEvery(): number {
    const { statsMs, tickMs } = this.jobOptions;
    return Math.max(1, Math.round(statsMs / Math.max(1, tickMs)));
  }

  /**
   * Like the engine every 2 s and at the end: adds what the run counted to the library's
   * statistics of its job, and sends the run's counts so far (`provider_stats`), unless nothing
   * was asked since the last time.
   */
  private storeStats(job: FakeJob, events: LibraryEvent[]): void {
    job.saved.local_artwork = job.localAlbums.size;
    job.record.tally = job.earlier.clone().add(job.requests);
    job.record.saved = {
      remembered_artwork: job.earlierSaved.remembered_artwork + job.saved.remembered_artwork,
      remembered_lyrics: job.earlierSaved.remembered_lyrics + job.saved.remembered_lyrics,
      local_artwork: job.earlierSaved.local_artwork + job.saved.local_artwork,
    };
    const sent = job.requests.sent;
    if (sent === job.statsSent) return;
    job.statsSent = sent;
    job.lastStats = job.requests.snapshot();
    events.push({ type: 'provider_stats', job_id: job.id, providers: job.lastStats.map((r) => ({ ...r })) });
  }

  /** Only the providers the run asked, in the order the engine's chain asks them. */
  private requestsOf(job: FakeJob): ProviderRequests[] {
    const rank = (provider: string) => {
      const i = REQUEST_ORDER.indexOf(provider);
      return i < 0 ? REQUEST_ORDER.length : i;
    };
    return job.requests
      .snapshot()
      .filter((r) => r.sent > 0)
      .sort((a, b) => rank(a.provider) - rank(b.provider) || a.provider.localeCompare(b.provider));
  }

  /**
   * Counts one request to `provider` as the HTTP layer does: answered (with its body), throttled
   * or failed, after a time that varies around the provider's typical one (a failure waited
   * long, a throttle came back at once); `retry`: the same request again after a throttle or
   * failure.
   */
  private ask(
    job: FakeJob,
    provider: string,
    ended: RequestEnd,
    { bytes = 0, retry = false }: { bytes?: number; retry?: boolean } = {},
  ): void {
    const base = LATENCY_MS[provider] ?? 200;
    const u = unit(job.requests.sent, nameSeed(provider), this.run);
    const ms =
      ended === 'failed'
        ? base * (4 + 4 * u)
        : ended === 'throttled'
          ? base * (0.3 + 0.2 * u)
          : base * (0.55 + 1.6 * u ** 3) + bytes / 2000;
    job.requests.request(provider, ended, { bytes, ms, retry });
  }

  /**
   * The requests behind a failed operation: each attempt asked the provider its reason names
   * ("no answer within 30 s" names none: the operation's deadline, not a request, ended it), the
   * ones after the first again (retries). A throttle was throttled, an unusable image was an
   * answer (the check after it failed).
   */
  private askFailed(job: FakeJob, reason: string, attempts: number, seed: number): void {
    const { provider, imageServer, cause } = parseReason(reason);
    if (provider === 'other') return;
    const name = imageServer ? `${provider} images` : provider;
    for (let i = 0; i < attempts; i += 1) {
      const retry = i > 0;
      if (cause === 'throttled') this.ask(job, name, 'throttled', { retry });
      else if (cause === 'not_image') {
        this.ask(job, name, 'answered', { bytes: Math.round(BODY_BYTES.cover * (0.2 + seed)), retry });
      } else this.ask(job, name, 'failed', { retry });
    }
  }

  /**
   * An artwork operation that ended without failing: a cover already on disk (no request), or
   * the chain asked in the default order (MusicBrainz to find the release, the Cover Art
   * Archive for it, then Deezer, then iTunes, each with its image server) until one had it;
   * `null` asks them all. Each lookup is counted as answered with something usable or not, as
   * the engine's providers count them (an image server's download is no lookup).
   */
  private askArtwork(job: FakeJob, source: string | null, seed: number): void {
    if (source === 'embedded' || source === 'folder') return;
    const size = (base: number) => Math.round(base * (0.6 + seed * 0.8));
    // Now and then MusicBrainz says "slow down" first (its 1 request a second), then answers.
    const throttled = seed < 0.02;
    if (throttled) this.ask(job, 'musicbrainz', 'throttled');
    this.ask(job, 'musicbrainz', 'answered', { bytes: size(BODY_BYTES.lookup), retry: throttled });
    // No release found for an album nobody has: the archive has nothing to be asked about.
    const release = source !== null || seed >= 0.5;
    job.requests.answer('musicbrainz', release);
    if (release) {
      if (source === 'coverartarchive') {
        this.ask(job, 'coverartarchive', 'answered', { bytes: size(BODY_BYTES.index) });
        this.ask(job, 'coverartarchive', 'answered', { bytes: size(BODY_BYTES.cover) });
        job.requests.answer('coverartarchive', true);
        return;
      }
      // The archive has no cover for the release: a 404, no body.
      this.ask(job, 'coverartarchive', 'answered');
      job.requests.answer('coverartarchive', false);
    }
    for (const provider of ['deezer', 'itunes']) {
      this.ask(job, provider, 'answered', { bytes: size(BODY_BYTES.lookup) });
      job.requests.answer(provider, source === provider);
      if (source === provider) {
        this.ask(job, `${provider} images`, 'answered', { bytes: size(BODY_BYTES.cover) });
        return;
      }
    }
  }

  /** A lyrics operation that ended without failing: one LRCLIB lookup (a 404 when not found). */
  private askLyrics(job: FakeJob, kind: 'lyrics' | 'instrumental' | 'not_found', seed: number): void {
    const throttled = seed < 0.01;
    if (throttled) this.ask(job, 'lrclib', 'throttled');
    const bytes = kind === 'lyrics' ? BODY_BYTES.lyrics : kind === 'instrumental' ? BODY_BYTES.instrumental : 0;
    this.ask(job, 'lrclib', 'answered', { bytes: Math.round(bytes * (0.5 + seed)), retry: throttled });
    job.requests.answer('lrclib', kind !== 'not_found');
  }

  /** Where a found cover came from: on disk for some, else the first source of the chain that had it. */
  private static artworkSource(roll: number): string {
    if (roll < 0.12) return 'embedded';
    if (roll < 0.18) return 'folder';
    if (roll < 0.75) return 'coverartarchive';
    if (roll < 0.92) return 'deezer';
    return 'itunes';
  }

  private settleTrack(job: FakeJob, item: { trackId: number; ops: Operation[] }, events: LibraryEvent[]): void {
    const { trackId, ops } = item;
    const track = fakeTrack(trackId);
    const hostile = this.jobOptions.hostile && trackId % 3 === 0;
    const title = hostile ? XSS_STRING : track.title;
    const fields: TrackField[] = [];
    let failed = false;
    let artworkFound = false;
    let lyricsFound = false;
    /** Found by a provider (not on disk already, not an instrumental): written back. */
    let artworkFetched = false;
    let lyricsFetched = false;
    for (const operation of ops) {
      const roll = unit(trackId, this.run, operation === 'artwork' ? 1 : 2);
      const failRate =
        (operation === 'artwork' ? this.jobOptions.artworkFailureRate : this.jobOptions.lyricsFailureRate) *
        (job.retry ? 0.5 : 1);
      const key = `${trackId}:${operation}`;
      let result: OperationOutcome;
      if (roll < failRate) {
        const reasons = operation === 'artwork' ? ARTWORK_REASONS : LYRICS_REASONS;
        const [template, transient] = reasons[Math.floor(unit(trackId, this.run, 3) * reasons.length)];
        const plain = template.replace('{timeout}', String(this.settings.operation_timeout_secs));
        const reason = this.jobOptions.hostile ? `${plain}: ${XSS_STRING}` : plain;
        const attempts = transient ? this.settings.max_retries + 1 : 1;
        result = { kind: 'failed', reason, attempts };
        failed = true;
        this.askFailed(job, plain, attempts, unit(trackId, this.run, 5));
        job.failed.push({ track_id: trackId, operation, reason, attempts });
        this.failures.delete(key);
        this.failures.set(key, {
          track_id: trackId,
          ...track,
          title,
          operation,
          reason,
          attempts,
          failed_at: Math.floor(Date.now() / 1000),
        });
        events.push({
          type: 'track_failed',
          job_id: job.id,
          track_id: trackId,
          title,
          artist: track.artist,
          album_id: track.album_id,
          album: track.album,
          path: track.path,
          operation,
          reason,
          attempts,
        });
      } else {
        this.failures.delete(key);
        const found = unit(trackId, this.run, 4);
        const seed = unit(trackId, this.run, 5);
        if (operation === 'artwork') {
          if (found < 0.85) {
            const source = FakeBackend.artworkSource(seed);
            result =
              source === 'embedded' || source === 'folder'
                ? { kind: 'already_present', source }
                : { kind: 'fetched', source };
            artworkFound = true;
            artworkFetched = result.kind === 'fetched';
            fields.push('artwork');
            this.askArtwork(job, source, unit(trackId, this.run, 6));
          } else {
            result = { kind: 'not_found' };
            this.askArtwork(job, null, unit(trackId, this.run, 6));
          }
        } else if (found < 0.75) {
          result = { kind: 'fetched', source: 'lrclib' };
          lyricsFound = true;
          lyricsFetched = true;
          fields.push('lyrics', 'lyrics_status');
          this.askLyrics(job, 'lyrics', seed);
        } else if (found < 0.85) {
          result = { kind: 'instrumental' };
          lyricsFound = true;
          fields.push('lyrics_status');
          this.askLyrics(job, 'instrumental', seed);
        } else {
          result = { kind: 'not_found' };
          fields.push('lyrics_status');
          this.askLyrics(job, 'not_found', seed);
        }
      }
      if (result.kind === 'not_found') job.notFound[operation] += 1;
      // Remembered: what no source had is not asked again by the next runs for a while.
      if (operation === 'artwork') {
        if (result.kind === 'not_found') this.rememberedArtwork.add(track.album_id);
        else if (result.kind === 'fetched' || result.kind === 'already_present') {
          this.rememberedArtwork.delete(track.album_id);
        }
        if (result.kind === 'already_present') job.localAlbums.add(track.album_id);
      } else if (result.kind === 'not_found') {
        this.rememberedLyrics.add(trackId);
      } else if (result.kind !== 'failed') {
        this.rememberedLyrics.delete(trackId);
      }
      // Like the engine's `found_by`: a find is counted for its source, an instrumental as one.
      if (result.kind === 'fetched' || result.kind === 'already_present') {
        const by = job.foundBy[operation];
        by[result.source] = (by[result.source] ?? 0) + 1;
      } else if (result.kind === 'instrumental') {
        job.foundBy.lyrics.instrumental = (job.foundBy.lyrics.instrumental ?? 0) + 1;
      }
    }
    if (fields.length > 0) {
      events.push({ type: 'track_updated', track_id: trackId, updated_fields: fields });
    }
    // What a provider found is the write-back's to write (what was on disk stays the user's).
    if (artworkFetched || lyricsFetched) {
      const before = this.finds.get(trackId);
      this.finds.set(trackId, {
        artwork: artworkFetched || (before?.artwork ?? false),
        lyrics: lyricsFetched || (before?.lyrics ?? false),
      });
    }
    const p = job.progress;
    p.processed_tracks += 1;
    if (artworkFound) p.artwork_fetched += 1;
    if (lyricsFound) p.lyrics_fetched += 1;
    if (failed) p.failed_tracks += 1;
    this.pending.delete(trackId);
  }

  /** Stops any simulated job without events (tests call it when done). */
  dispose(): void {
    if (this.job) this.stop(this.job);
    for (const timer of [this.scanTimer, this.writeBackTimer]) if (timer !== null) clearTimeout(timer);
    for (const timer of this.watchTimers) clearTimeout(timer);
    this.watchTimers.clear();
    this.scanTimer = null;
    this.writeBackTimer = null;
    this.listeners.clear();
  }
}
