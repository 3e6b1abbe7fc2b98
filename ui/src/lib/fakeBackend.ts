import type { AlbumPage } from '../bindings/AlbumPage';
import type { EnrichmentConfig } from '../bindings/EnrichmentConfig';
import type { EnrichmentProgress } from '../bindings/EnrichmentProgress';
import type { EnrichmentStatus } from '../bindings/EnrichmentStatus';
import type { FailureRecord } from '../bindings/FailureRecord';
import type { LibraryEvent } from '../bindings/LibraryEvent';
import type { LibrarySummary } from '../bindings/LibrarySummary';
import type { Operation } from '../bindings/Operation';
import type { OperationOutcome } from '../bindings/OperationOutcome';
import type { PauseReason } from '../bindings/PauseReason';
import type { ProviderSettings } from '../bindings/ProviderSettings';
import type { ScanEvent } from '../bindings/ScanEvent';
import type { ScanReport } from '../bindings/ScanReport';
import type { TrackField } from '../bindings/TrackField';
import type { TrackListItem } from '../bindings/TrackListItem';
import type { TrackLyrics } from '../bindings/TrackLyrics';
import type { NotFoundCounts } from '../bindings/NotFoundCounts';
import type { TrackFailure } from '../bindings/TrackFailure';
import {
  type ArtworkSize,
  type Backend,
  BackendError,
  type BackendErrorPayload,
  type BackendListener,
  type BackendMessage,
  INVALID_CONFIG_CODE,
  INVALID_SCAN_ROOT_CODE,
  type MissingFilter,
  NOT_FOUND_CODE,
  SCAN_RUNNING_CODE,
  type StartEnrichmentOptions,
} from './backend';
import { downloadText } from './csv';
import { FAKE_LIBRARY_ALBUMS, FAKE_MUSIC_FOLDER, FakeLibrary, fakeArtworkUrl } from './fakeLibrary';
import { LIBRARY_FIXTURE, XSS_STRING, fakeTrack, unit } from './fixtures';
import { DEFAULT_PROVIDERS, completeProviders, providerProblems } from './providerRules';
import { DEFAULT_SETTINGS, validateSettings } from './settingsRules';

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
  /** Every 3rd track's title and every failure's reason carry `XSS_STRING`. */
  hostile: boolean;
  /** After this share (0..1) of the job it stops on an error (`job_failed`). `null`: never. */
  failAt: number | null;
  /**
   * The first job is already running when the fake is created, this share (0..1) of it done:
   * a window opened (or reloaded) mid-job. `null`: no job until one is started.
   */
  startAt: number | null;
}

export const DEFAULT_JOB: FakeJobOptions = {
  tracks: 800,
  tickMs: 40,
  tracksPerTick: 8,
  artworkFailureRate: 0.03,
  lyricsFailureRate: 0.03,
  wifiDropAt: null,
  wifiOutageMs: 2500,
  hostile: false,
  failAt: null,
  startAt: null,
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
}

interface FakeJob {
  id: number;
  /** Tracks still to settle, with the operations each needs. */
  queue: { trackId: number; ops: Operation[] }[];
  next: number;
  progress: EnrichmentProgress;
  notFound: NotFoundCounts;
  failed: TrackFailure[];
  userPause: boolean;
  pausedFor: PauseReason | null;
  retry: boolean;
  timer: ReturnType<typeof setTimeout> | null;
}

const ARTWORK_REASONS: [string, boolean][] = [
  // [reason, transient (retried up to max_retries)]
  ['HTTP 503 from coverartarchive.org', true],
  ['no answer within {timeout} s', true],
  ['HTTP 429 from musicbrainz.org: rate limited', true],
  ['connection reset by coverartarchive.org', true],
  ['coverartarchive.org sent text/html, not an image', false],
];

const LYRICS_REASONS: [string, boolean][] = [
  ['HTTP 500 from lrclib.net', true],
  ['no answer within {timeout} s', true],
  ['could not resolve lrclib.net', true],
  ['lrclib.net sent malformed LRC (line 12)', false],
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
    if (this.jobOptions.startAt !== null) this.startMidJob(this.jobOptions.startAt);
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
    const fresh = this.library.albums === 0;
    const target = fresh ? new FakeLibrary(this.scanOptions.albums, this.options.hostileLibrary) : this.library;
    const files = target.tracks;
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

  async enrichmentStatus(): Promise<EnrichmentStatus | null> {
    return this.settle(() => {
      const job = this.job;
      if (!job) return null;
      return {
        job_id: job.id,
        progress: { ...job.progress },
        paused: job.pausedFor ? { ...job.pausedFor } : null,
      };
    });
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

  async startEnrichment({ retryFailed }: StartEnrichmentOptions): Promise<void> {
    return this.settle(() => {
      if (this.job) {
        throw new BackendError('job_already_running', 'An enrichment job is already running');
      }
      const job = this.begin(retryFailed);
      // Events arrive after the command returned, as from Rust.
      job.timer = setTimeout(() => {
        this.emitEvents([
          { type: 'job_started', job_id: job.id, total_tracks: job.progress.total_tracks, resumed: false },
          { type: 'progress', job_id: job.id, progress: { ...job.progress } },
        ]);
        this.schedule(job);
      }, 0);
    });
  }

  /** Makes the job: every pending track (plus the failed ones when retrying), nothing done yet. */
  private begin(retryFailed: boolean): FakeJob {
    const ops: Operation[] = [];
    if (this.settings.enable_artwork) ops.push('artwork');
    if (this.settings.enable_lyrics) ops.push('lyrics');
    const queue = ops.length === 0 ? [] : [...this.pending].map((trackId) => ({ trackId, ops }));
    if (retryFailed) {
      const failed = new Map<number, Operation[]>();
      for (const record of this.failures.values()) {
        if (!ops.includes(record.operation)) continue;
        failed.set(record.track_id, [...(failed.get(record.track_id) ?? []), record.operation]);
      }
      for (const [trackId, failedOps] of failed) queue.push({ trackId, ops: failedOps });
    }
    this.run += 1;
    const job: FakeJob = {
      id: this.nextJobId++,
      queue,
      next: 0,
      progress: {
        total_tracks: queue.length,
        processed_tracks: 0,
        artwork_fetched: 0,
        lyrics_fetched: 0,
        failed_tracks: 0,
        percent_complete: queue.length === 0 ? 100 : 0,
      },
      notFound: { artwork: 0, lyrics: 0 },
      failed: [],
      userPause: false,
      pausedFor: null,
      retry: retryFailed,
      timer: null,
    };
    this.job = job;
    this.network = null;
    this.wifiDropped = false;
    return job;
  }

  /** A job that ran before anyone listened: its first `share` settled without events. */
  private startMidJob(share: number): void {
    const job = this.begin(false);
    const done = Math.floor(job.queue.length * Math.min(1, Math.max(0, share)));
    const unheard: LibraryEvent[] = [];
    for (; job.next < done; job.next += 1) this.settleTrack(job, job.queue[job.next], unheard);
    updatePercent(job.progress);
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
      setTimeout(() => {
        this.emitEvents([
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
    if (this.job === job) this.job = null;
  }

  /** Like the engine: paused when asked, else when WiFi is required and gone. */
  private updatePause(job: FakeJob): LibraryEvent[] {
    if (this.job !== job) return [];
    const want = job.userPause
      ? requestedPause()
      : this.settings.require_wifi && this.network !== null
        ? wifiPause(this.network)
        : null;
    if (samePause(want, job.pausedFor)) return [];
    job.pausedFor = want;
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
    const { failAt } = this.jobOptions;
    if (failAt !== null && job.pausedFor === null && job.next >= Math.floor(job.queue.length * failAt)) {
      this.stop(job);
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
      events.push({ type: 'progress', job_id: job.id, progress: { ...job.progress } });
    }
    if (job.next >= job.queue.length && job.pausedFor === null) {
      this.stop(job);
      events.push(this.finished(job, false));
      this.scheduleWriteBack(job);
    } else {
      this.schedule(job);
    }
    this.emitEvents(events);
  }

  /** Like the engine: after a finished job, what was found is written beside the music. */
  private scheduleWriteBack(job: FakeJob): void {
    const mode = this.settings.write_back;
    if (mode === 'off') return;
    const written = job.progress.artwork_fetched + job.progress.lyrics_fetched;
    this.writeBackTimer = setTimeout(() => {
      this.writeBackTimer = null;
      this.emitEvents([
        {
          type: 'write_back_finished',
          summary: { mode, dry_run: false, written, unchanged: 0, skipped: written > 0 ? 1 : 0, failed: 0, cleaned: 0 },
        },
      ]);
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
        failures: [...job.failed],
      },
    };
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
          operation,
          reason,
          attempts,
        });
      } else {
        this.failures.delete(key);
        const found = unit(trackId, this.run, 4);
        if (operation === 'artwork') {
          result = found < 0.85 ? { kind: 'fetched', source: 'coverartarchive' } : { kind: 'not_found' };
          if (result.kind === 'fetched') {
            artworkFound = true;
            fields.push('artwork');
          }
        } else if (found < 0.75) {
          result = { kind: 'fetched', source: 'lrclib' };
          lyricsFound = true;
          fields.push('lyrics', 'lyrics_status');
        } else if (found < 0.85) {
          result = { kind: 'instrumental' };
          lyricsFound = true;
          fields.push('lyrics_status');
        } else {
          result = { kind: 'not_found' };
          fields.push('lyrics_status');
        }
      }
      if (result.kind === 'not_found') job.notFound[operation] += 1;
    }
    if (fields.length > 0) {
      events.push({ type: 'track_updated', track_id: trackId, updated_fields: fields });
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
    this.scanTimer = null;
    this.writeBackTimer = null;
    this.listeners.clear();
  }
}
