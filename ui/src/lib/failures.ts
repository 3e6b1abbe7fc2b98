import type { FailureRecord } from '../bindings/FailureRecord';
import type { LibraryEvent } from '../bindings/LibraryEvent';
import type { ProviderId } from '../bindings/ProviderId';
import { type BackendError, JOB_ALREADY_RUNNING_CODE, NOT_FOUND_CODE } from './backend';
import { formatCount } from './format';
import { providerLabel } from './providerRules';

/** A provider a failure is about, parsed from its reason; `other` when it names none. */
export type FailureProvider = ProviderId | 'other';

/** In the order the filter lists them (the engine's default order, then the rest). */
export const FAILURE_PROVIDERS: readonly FailureProvider[] = [
  'lrclib',
  'musicbrainz',
  'coverartarchive',
  'itunes',
  'deezer',
  'other',
];

/** Why an operation failed, in classes people can act on. */
export type FailureCause = 'timeout' | 'connect' | 'throttled' | 'http' | 'malformed' | 'not_image' | 'other';

export const FAILURE_CAUSES: readonly FailureCause[] = [
  'timeout',
  'connect',
  'throttled',
  'http',
  'malformed',
  'not_image',
  'other',
];

const CAUSE_LABELS: Record<FailureCause, string> = {
  timeout: 'Timed out',
  connect: 'Could not connect',
  throttled: 'Throttled',
  http: 'HTTP error',
  malformed: 'Malformed answer',
  not_image: 'Not an image',
  other: 'Other',
};

/** What a failure's reason says, parsed (see `parseReason`). */
export interface ReasonParts {
  provider: FailureProvider;
  /** The provider's image server (iTunes' and Deezer's CDNs), not its API. */
  imageServer: boolean;
  cause: FailureCause;
  /** The HTTP status the reason names, if any. */
  status: number | null;
}

/**
 * The engine names the provider first in every reason from an HTTP provider: `<name>: <what>`
 * (`crates/engine/src/http/mod.rs`), where the name is the provider's id, with " images" for
 * the image CDNs iTunes' and Deezer's answers point to (`providers/settings.rs`).
 */
const PROVIDER_PREFIX = /^(lrclib|musicbrainz|coverartarchive|itunes|deezer)( images)?: /;

/**
 * The cause classes, first match wins, over the whole reason (a provider that is "not asked
 * for now" quotes the failure that stopped it, which is the cause). Throttles first: the
 * engine says "throttled (HTTP 403)" for a provider's own throttle status, "too many requests
 * (HTTP 429)", and a 503 is how MusicBrainz throttles. A truncated answer names its connection
 * error ("the answer was cut off (12 KB received): connection reset"): it is a malformed
 * answer, so those come before connection problems.
 */
const CAUSE_RULES: readonly [FailureCause, RegExp][] = [
  ['throttled', /\bthrottled\b|rate.?limit|too many requests|\bHTTP (?:429|503)\b/i],
  [
    'not_image',
    /image is not usable|not an image|unsupported image format|image does not decode|image header does not read|unreadable image|image declares|image has no pixels|empty image/i,
  ],
  ['malformed', /unexpected answer|not the JSON expected|malformed|cut off|invalid (?:JSON|LRC)/i],
  ['timeout', /timed out|time(?:d)?out|no answer within|deadline/i],
  [
    'connect',
    /could not connect|could not resolve|connection (?:refused|reset|closed|aborted)|dns error|network is unreachable/i,
  ],
  ['http', /\bHTTP \d{3}\b/],
];

/**
 * The provider and the cause class of a failure's `reason`, as the engine words them:
 *   "lrclib: server error (HTTP 500)"                          lrclib, HTTP error 500
 *   "musicbrainz: timed out (operation timed out)"             musicbrainz, timeout
 *   "itunes images: could not connect (Connection refused)"    itunes (image server), connect
 *   "itunes: throttled (HTTP 403)"                             itunes, throttled
 *   "coverartarchive: the image is not usable: ..."            coverartarchive, not an image
 *   "no answer within 30 s"                                    other, timeout
 */
export function parseReason(reason: string): ReasonParts {
  const prefix = PROVIDER_PREFIX.exec(reason);
  const provider = prefix ? (prefix[1] as ProviderId) : 'other';
  const imageServer = prefix?.[2] !== undefined;
  const cause = CAUSE_RULES.find(([, pattern]) => pattern.test(reason))?.[0] ?? 'other';
  const status = /\bHTTP (\d{3})\b/.exec(reason);
  return { provider, imageServer, cause, status: status ? Number(status[1]) : null };
}

/** "LRCLIB", "iTunes (image server)", "Other". */
export function providerText(provider: FailureProvider, imageServer = false): string {
  if (provider === 'other') return 'Other';
  return imageServer ? `${providerLabel(provider)} (image server)` : providerLabel(provider);
}

/** "Timed out", "HTTP error 500", "Throttled (HTTP 429)". */
export function causeText(cause: FailureCause, status: number | null = null): string {
  const label = CAUSE_LABELS[cause];
  if (status === null) return label;
  if (cause === 'http') return `${label} ${status}`;
  return cause === 'throttled' ? `${label} (HTTP ${status})` : label;
}

/** The cause in a sentence, for the expanded row. */
export function causeExplanation(cause: FailureCause, status: number | null = null): string {
  switch (cause) {
    case 'timeout':
      return 'The provider did not answer in time.';
    case 'connect':
      return 'Gatefold could not reach the provider: no network, a name that does not resolve, or a server that refused the connection.';
    case 'throttled':
      return 'The provider asked Gatefold to slow down (too many requests). Retrying later usually works.';
    case 'http':
      return status !== null && status >= 500
        ? `The provider had an error of its own (HTTP ${status}). Retrying later usually works.`
        : `The provider refused the request (HTTP ${status ?? '?'}).`;
    case 'malformed':
      return 'The provider’s answer could not be read: it was not what was expected, or it was cut off.';
    case 'not_image':
      return 'What the provider sent as artwork is not a usable image.';
    case 'other':
      return 'See the reason below.';
  }
}

/** One failed operation of one track, as the failures list shows it. */
export interface FailureRow extends ReasonParts {
  /** `track_id:operation`: a track has at most one failure per operation. */
  key: string;
  track_id: number;
  title: string;
  artist: string;
  album_id: number;
  album: string;
  path: string;
  operation: string;
  reason: string;
  attempts: number;
  /** Unix seconds. */
  failed_at: number;
}

type TrackFailed = Extract<LibraryEvent, { type: 'track_failed' }>;
type TrackUpdated = Extract<LibraryEvent, { type: 'track_updated' }>;

export function failureKey(trackId: number, operation: string): string {
  return `${trackId}:${operation}`;
}

export function rowFromRecord(record: FailureRecord): FailureRow {
  return { key: failureKey(record.track_id, record.operation), ...record, ...parseReason(record.reason) };
}

export function rowFromEvent(event: TrackFailed, nowSeconds: number): FailureRow {
  return {
    key: failureKey(event.track_id, event.operation),
    track_id: event.track_id,
    title: event.title,
    artist: event.artist,
    album_id: event.album_id,
    album: event.album,
    path: event.path,
    operation: event.operation,
    reason: event.reason,
    attempts: event.attempts,
    failed_at: nowSeconds,
    ...parseReason(event.reason),
  };
}

/**
 * The failures shown, oldest first (new ones are appended), one per track and operation, at
 * most `limit` (the oldest drop out). Plain data, not reactive: with 10,000 rows a deep proxy
 * costs more than it helps; the owner bumps a version number after changing it.
 */
export class FailureStore {
  rows: FailureRow[] = [];
  private readonly byKey = new Map<string, FailureRow>();
  /** Failures per track, so the number of tracks is known without a pass over the rows. */
  private readonly perTrack = new Map<number, number>();

  constructor(readonly limit: number) {}

  /** Failures (operations). */
  get size(): number {
    return this.rows.length;
  }

  /** Tracks with at least one failure. */
  get tracks(): number {
    return this.perTrack.size;
  }

  /** Replaces everything with `records` as `listFailures` returns them (newest first). */
  replaceAll(records: FailureRecord[]): void {
    this.rows = [];
    this.byKey.clear();
    this.perTrack.clear();
    for (let i = Math.min(records.length, this.limit) - 1; i >= 0; i -= 1) {
      this.add(rowFromRecord(records[i]));
    }
  }

  /** Appends `row`; an older failure of the same track and operation is replaced. */
  add(row: FailureRow): void {
    const previous = this.byKey.get(row.key);
    if (previous) {
      this.rows.splice(this.rows.indexOf(previous), 1);
      this.#forget(previous);
    }
    this.rows.push(row);
    this.byKey.set(row.key, row);
    this.perTrack.set(row.track_id, (this.perTrack.get(row.track_id) ?? 0) + 1);
    if (this.rows.length > this.limit) {
      const dropped = this.rows.splice(0, this.rows.length - this.limit);
      for (const old of dropped) {
        this.byKey.delete(old.key);
        this.#forget(old);
      }
    }
  }

  /** Removes the failure of `trackId` for `operation`; whether there was one. */
  remove(trackId: number, operation: string): boolean {
    const row = this.byKey.get(failureKey(trackId, operation));
    if (!row) return false;
    this.byKey.delete(row.key);
    this.rows.splice(this.rows.indexOf(row), 1);
    this.#forget(row);
    return true;
  }

  /**
   * A track got artwork or lyrics: its failure for that operation is cleared (the engine
   * clears it too). `lyrics_status` alone is not enough: it also changes when lyrics fail.
   */
  clearFixed(event: TrackUpdated): boolean {
    let changed = false;
    if (event.updated_fields.includes('artwork')) changed = this.remove(event.track_id, 'artwork') || changed;
    if (event.updated_fields.includes('lyrics')) changed = this.remove(event.track_id, 'lyrics') || changed;
    return changed;
  }

  #forget(row: FailureRow): void {
    const left = (this.perTrack.get(row.track_id) ?? 1) - 1;
    if (left > 0) this.perTrack.set(row.track_id, left);
    else this.perTrack.delete(row.track_id);
  }
}

/** Which failures the list shows: `null` is every provider or cause. */
export interface FailureFilter {
  provider: FailureProvider | null;
  cause: FailureCause | null;
}

export const NO_FILTER: FailureFilter = { provider: null, cause: null };

export function isFiltered(filter: FailureFilter): boolean {
  return filter.provider !== null || filter.cause !== null;
}

/** The rows `filter` keeps, in order; `rows` itself when it keeps everything. */
export function filterFailures(rows: readonly FailureRow[], filter: FailureFilter): readonly FailureRow[] {
  if (!isFiltered(filter)) return rows;
  return rows.filter(
    (row) =>
      (filter.provider === null || row.provider === filter.provider) &&
      (filter.cause === null || row.cause === filter.cause),
  );
}

/** How many failures each provider and each cause has, for the filters' choices. */
export function failureCounts(rows: readonly FailureRow[]): {
  providers: Record<FailureProvider, number>;
  causes: Record<FailureCause, number>;
} {
  const providers = Object.fromEntries(FAILURE_PROVIDERS.map((p) => [p, 0])) as Record<FailureProvider, number>;
  const causes = Object.fromEntries(FAILURE_CAUSES.map((c) => [c, 0])) as Record<FailureCause, number>;
  for (const row of rows) {
    providers[row.provider] += 1;
    causes[row.cause] += 1;
  }
  return { providers, causes };
}

/**
 * "12 failures on 9 tracks". The list counts operations (a track can fail its artwork and its
 * lyrics), the job's "Tracks failed" counts tracks: saying both keeps them from seeming to
 * disagree.
 */
export function failureCountText(failures: number, tracks: number, locale?: string): string {
  if (failures === 0) return 'No failures';
  const f = `${formatCount(failures, locale)} ${failures === 1 ? 'failure' : 'failures'}`;
  const t = `${formatCount(tracks, locale)} ${tracks === 1 ? 'track' : 'tracks'}`;
  return `${f} on ${t}`;
}

/** A refused row action (Retry, Show in library, Open folder) in plain words. */
export function actionErrorText(error: BackendError, action: 'retry' | 'show' | 'reveal'): string {
  if (error.code === JOB_ALREADY_RUNNING_CODE) {
    return 'An enrichment job is already running (here or from the command line): retry this track when it has ended.';
  }
  if (error.code === NOT_FOUND_CODE) {
    switch (action) {
      case 'show':
        return 'This album is no longer in the library (its files were removed, or the folder rescanned).';
      case 'reveal':
        // The shell says which file is gone and what to do ("… is no longer there (rescan the folder)").
        return error.message;
      case 'retry':
        return 'This track is no longer in the library.';
    }
  }
  return error.message;
}
