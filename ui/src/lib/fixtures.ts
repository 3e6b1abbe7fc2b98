import type { EnrichmentProgress } from '../bindings/EnrichmentProgress';
import type { LibraryEvent } from '../bindings/LibraryEvent';
import type { LibrarySummary } from '../bindings/LibrarySummary';
import type { FailureRecord } from '../bindings/FailureRecord';
import type { FoundBySource } from '../bindings/FoundBySource';
import type { LastRun } from '../bindings/LastRun';
import type { NotFoundCounts } from '../bindings/NotFoundCounts';
import type { ProviderRequests } from '../bindings/ProviderRequests';
import type { WriteBackReport } from '../bindings/WriteBackReport';
import type { BackendErrorPayload } from './backend';

/** A plausible, non-trivial library used by the fake backend by default. */
export const LIBRARY_FIXTURE: LibrarySummary = {
  tracks: 1234,
  albums: 98,
  artists: 45,
  artwork_missing: 300,
  lyrics: {
    not_fetched: 700,
    fetching: 4,
    available: 410,
    instrumental: 60,
    unavailable: 52,
    failed: 8,
  },
};

export const EMPTY_FIXTURE: LibrarySummary = {
  tracks: 0,
  albums: 0,
  artists: 0,
  artwork_missing: 0,
  lyrics: {},
};

export const ERROR_FIXTURE: BackendErrorPayload = {
  code: 'database',
  message: 'Could not open the library database',
};

/** A string that would run script if it were ever inserted as HTML. */
export const XSS_STRING = '<img src=x onerror=alert(1)>';

export const ARTISTS = [
  'Nina Simone',
  'Radiohead',
  'Björk',
  'Miles Davis',
  'Portishead',
  'Sigur Rós',
  'Khruangbin',
  'Fela Kuti',
  'Joni Mitchell',
  'Aphex Twin',
  'Massive Attack',
  'Boards of Canada',
  'Alice Coltrane',
  'Talk Talk',
  'Mulatu Astatke',
  'Cocteau Twins',
  'Ryuichi Sakamoto',
  'Tinariwen',
  'Stereolab',
  'Caetano Veloso',
];

export const WORDS = [
  'Blue',
  'Night',
  'River',
  'Glass',
  'Summer',
  'Echo',
  'Northern',
  'Paper',
  'Silver',
  'Morning',
  'Static',
  'Velvet',
  'Harbour',
  'Orange',
  'Quiet',
  'Distant',
  'Golden',
  'Hollow',
  'Electric',
  'Winter',
];

export const NOUNS = [
  'Lights',
  'Garden',
  'Song',
  'Lines',
  'Waves',
  'Rooms',
  'Heart',
  'Skies',
  'Fields',
  'Machine',
  'Signals',
  'Dreams',
  'Tides',
  'Stairs',
  'Letters',
];

/** Albums in the default fake library ("a few dozen"). */
export const FAKE_LIBRARY_ALBUMS = 48;

/** The title of the fake library's album `id` (`fakeLibrary.ts`; album 1 differs in the `xss` scenario). */
export function fakeAlbumTitle(id: number): string {
  const cycle = Math.floor((id - 1) / 60);
  const base = `${WORDS[id % WORDS.length]} ${NOUNS[id % NOUNS.length]}`;
  return cycle > 0 ? `${base} ${cycle + 1}` : base;
}

/** Whether the fake library's album `id` is a compilation ("Various Artists"). */
export function fakeAlbumIsCompilation(id: number): boolean {
  return id % 11 === 5;
}

/** The album artist of the fake library's album `id`. */
export function fakeAlbumArtist(id: number): string {
  return fakeAlbumIsCompilation(id) ? 'Various Artists' : ARTISTS[(id * 3) % ARTISTS.length];
}

/**
 * A plausible track for a fake track id (the same id always gives the same track). Its album
 * is one of the default fake library's albums (id and title), so a failure's "Show in library"
 * opens an album that is there; its path has an accent or two (Björk, Sigur Rós).
 */
export function fakeTrack(id: number): {
  title: string;
  artist: string;
  album_id: number;
  album: string;
  path: string;
} {
  const artist = ARTISTS[id % ARTISTS.length];
  const title = `${WORDS[(id * 7) % WORDS.length]} ${NOUNS[(id * 3) % NOUNS.length]}`;
  const albumId = (id % FAKE_LIBRARY_ALBUMS) + 1;
  const album = fakeAlbumTitle(albumId);
  const number = String((id % 12) + 1).padStart(2, '0');
  return {
    title,
    artist,
    album_id: albumId,
    album,
    path: `/home/me/Music/${fakeAlbumArtist(albumId)}/${album}/${number} ${title}.flac`,
  };
}

/** Failures left by an earlier run: the fake library's 8 tracks with failed lyrics. */
export function earlierFailures(nowSeconds: number): FailureRecord[] {
  // Worded as the engine words them (`crates/engine/src/http/mod.rs`).
  const reasons = [
    'lrclib: server error (HTTP 500)',
    'no answer within 30 s',
    'lrclib: could not connect (dns error: failed to lookup address information)',
    'lrclib: server error (HTTP 503)',
  ];
  return Array.from({ length: 8 }, (_, i) => {
    const id = 9001 + i;
    return {
      track_id: id,
      ...fakeTrack(id),
      operation: 'lyrics',
      reason: reasons[i % reasons.length],
      attempts: 4,
      // Two days ago, a minute apart, newest first (as list_failures returns them).
      failed_at: nowSeconds - 2 * 86_400 - i * 60,
    };
  });
}

/**
 * The library's last job as found after a restart: `state`, `processed` of `total` tracks done,
 * started an hour before `nowSeconds` (ended 20 minutes later when it ended).
 */
export function lastRunFixture(
  state: LastRun['state'],
  nowSeconds: number,
  { processed = 320, total = 800, jobId = 3 }: { processed?: number; total?: number; jobId?: number } = {},
): LastRun {
  const ended = state === 'finished' || state === 'cancelled';
  return {
    job_id: jobId,
    state,
    progress: progress(processed, total, {
      artwork_fetched: Math.floor(processed * 0.4),
      lyrics_fetched: Math.floor(processed * 0.7),
      failed_tracks: Math.floor(processed * 0.03),
    }),
    not_found: { artwork: Math.floor(processed * 0.1), lyrics: Math.floor(processed * 0.15) },
    started_at: nowSeconds - 3600,
    ended_at: ended ? nowSeconds - 2400 : null,
  };
}

/** Deterministic 0..1 from a few integers (the same fake data and jobs replay the same way). */
export function unit(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    h = Math.imul(h ^ (part & 0xffff), 0x01000193);
    h = Math.imul(h ^ (part >>> 16), 0x01000193);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return (h >>> 0) / 0x1_0000_0000;
}

/** A job's counts: `processed` of `total` tracks, nothing found or failed unless `extra` says. */
export function progress(
  processed: number,
  total: number,
  extra: Partial<EnrichmentProgress> = {},
): EnrichmentProgress {
  return {
    total_tracks: total,
    processed_tracks: processed,
    artwork_fetched: 0,
    lyrics_fetched: 0,
    failed_tracks: 0,
    percent_complete: total === 0 ? 100 : (processed / total) * 100,
    in_flight: 0,
    ...extra,
  };
}

/** What a `job_finished` result carries beyond its counts (`jobFinished`'s options). */
export interface RunExtras {
  jobId?: number;
  cancelled?: boolean;
  notFound?: NotFoundCounts;
  foundBy?: FoundBySource;
  requests?: ProviderRequests[];
}

/**
 * The `job_finished` event of job `jobId` with these counts: by default nothing not found,
 * nothing failed, no source and no request (a job that had nothing to ask).
 */
export function jobFinished(
  counts: EnrichmentProgress,
  {
    jobId = 1,
    cancelled = false,
    notFound = { artwork: 0, lyrics: 0 },
    foundBy = { artwork: {}, lyrics: {} },
    requests = [],
  }: RunExtras = {},
): Extract<LibraryEvent, { type: 'job_finished' }> {
  return {
    type: 'job_finished',
    job_id: jobId,
    result: {
      job_id: jobId,
      progress: counts,
      cancelled,
      not_found: { ...notFound },
      found_by: structuredClone(foundBy),
      requests: structuredClone(requests),
      failures: [],
    },
  };
}

/**
 * A run of 1,200 tracks as the engine reports it: finds from every kind of source (they add up
 * to `artwork_fetched` and `lyrics_fetched`), what was not found, and the requests of each
 * provider it asked, one of them throttled and one failing.
 */
export function runResultFixture(): RunExtras & { counts: EnrichmentProgress } {
  return {
    counts: progress(1200, 1200, { artwork_fetched: 1030, lyrics_fetched: 980, failed_tracks: 12 }),
    notFound: { artwork: 164, lyrics: 214 },
    foundBy: {
      artwork: { coverartarchive: 700, deezer: 150, itunes: 30, embedded: 100, folder: 50 },
      lyrics: { lrclib: 900, instrumental: 80 },
    },
    requests: [
      { provider: 'lrclib', sent: 1206, throttled: 0, failed: 6, bytes: 3_400_000 },
      { provider: 'musicbrainz', sent: 1060, throttled: 12, failed: 0, bytes: 2_100_000 },
      { provider: 'coverartarchive', sent: 1048, throttled: 0, failed: 0, bytes: 268_000_000 },
      // The artwork chain in its default order: Deezer before the scarce iTunes.
      { provider: 'deezer', sent: 348, throttled: 0, failed: 0, bytes: 1_200_000 },
      { provider: 'deezer images', sent: 150, throttled: 0, failed: 0, bytes: 45_000_000 },
      { provider: 'itunes', sent: 198, throttled: 0, failed: 0, bytes: 640_000 },
      { provider: 'itunes images', sent: 30, throttled: 0, failed: 0, bytes: 7_800_000 },
    ],
  };
}

/**
 * A sidecar write-back over two album folders, in the engine's order (covers, then lyrics):
 * `written` after a job (with a leftover temporary file removed and a full disk on one file),
 * `would_write` for a preview (a dry run, which removes nothing and meets no full disk). 40
 * more files are only counted, as beyond the engine's list.
 */
export function writeBackFixture(done: 'written' | 'would_write' = 'written'): WriteBackReport {
  const dryRun = done === 'would_write';
  const blue = '/home/me/Music/Nina Simone/Pastel Blues';
  const glass = '/home/me/Music/Björk/Glass Waves/CD2';
  const files: WriteBackReport['files'] = [
    ...(dryRun
      ? []
      : [
          {
            path: `${blue}/.gatefold-4194311-0.tmp`,
            target: 'temporary' as const,
            outcome: {
              outcome: 'removed' as const,
              reason: 'a temporary file an interrupted write-back left (its process 4194311 is gone)',
            },
          },
        ]),
    { path: `${glass}/cover.jpg`, target: 'cover_file', outcome: { outcome: done } },
    {
      path: `${blue}/cover.jpg`,
      target: 'cover_file',
      outcome: {
        outcome: 'skipped',
        reason: `${blue}/cover.jpg already exists and is not Gatefold's (overwrite replaces it)`,
      },
    },
    { path: `${blue}/10 Sinnerman.lrc`, target: 'lyrics_file', outcome: { outcome: done } },
    { path: `${blue}/2 Be My Husband.txt`, target: 'lyrics_file', outcome: { outcome: done } },
    dryRun
      ? { path: `${glass}/01 Hunter.lrc`, target: 'lyrics_file', outcome: { outcome: done } }
      : {
          path: `${glass}/01 Hunter.lrc`,
          target: 'lyrics_file',
          outcome: {
            outcome: 'failed',
            reason: `cannot write ${glass}/01 Hunter.lrc: No space left on device (os error 28)`,
          },
        },
  ];
  return {
    summary: {
      mode: 'sidecar',
      dry_run: dryRun,
      written: dryRun ? 44 : 43,
      unchanged: 6,
      skipped: 1,
      failed: dryRun ? 0 : 1,
      cleaned: dryRun ? 0 : 1,
    },
    files,
    more_files: 40,
  };
}
