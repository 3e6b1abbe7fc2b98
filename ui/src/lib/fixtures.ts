import type { EnrichmentProgress } from '../bindings/EnrichmentProgress';
import type { LibraryEvent } from '../bindings/LibraryEvent';
import type { LibrarySummary } from '../bindings/LibrarySummary';
import type { FailureRecord } from '../bindings/FailureRecord';
import type { FoundBySource } from '../bindings/FoundBySource';
import type { LastRun } from '../bindings/LastRun';
import type { NotFoundCounts } from '../bindings/NotFoundCounts';
import type { ProviderRequests } from '../bindings/ProviderRequests';
import type { RunStats } from '../bindings/RunStats';
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
 * One provider's requests as the engine counts them: `sent`, nothing throttled, failed, found
 * or received and no time measured unless `extra` says.
 */
export function providerRequests(
  provider: string,
  sent: number,
  extra: Partial<Omit<ProviderRequests, 'provider' | 'sent'>> = {},
): ProviderRequests {
  return {
    provider,
    sent,
    throttled: 0,
    failed: 0,
    retries: 0,
    bytes: 0,
    found: 0,
    not_found: 0,
    latency_p50_ms: null,
    latency_p95_ms: null,
    ...extra,
  };
}

/**
 * The provider statistics of three runs, newest first, as the library keeps them: job 3 (an
 * hour before `nowSeconds`, interrupted: no end, as `lastRunFixture('interrupted', ...)`), job 2
 * (two days before, 18 minutes) and job 1 (nine days before, 42 minutes). Their savings add up
 * to 3 albums' artwork and 40 tracks' lyrics not asked again, and 12 albums' artwork on disk.
 */
export function providerRunsFixture(nowSeconds: number): RunStats[] {
  const day = 86_400;
  return [
    {
      job_id: 3,
      started_at: nowSeconds - 3600,
      ended_at: null,
      providers: [
        providerRequests('coverartarchive', 250, {
          bytes: 60_000_000,
          found: 118,
          not_found: 14,
          latency_p50_ms: 410,
          latency_p95_ms: 1250,
        }),
        providerRequests('deezer', 40, { bytes: 130_000, found: 12, not_found: 28, latency_p50_ms: 115 }),
        providerRequests('deezer images', 12, { bytes: 3_600_000, latency_p50_ms: 190, latency_p95_ms: 480 }),
        providerRequests('lrclib', 322, {
          failed: 2,
          retries: 2,
          bytes: 900_000,
          found: 272,
          not_found: 48,
          latency_p50_ms: 85,
          latency_p95_ms: 260,
        }),
        providerRequests('musicbrainz', 140, {
          throttled: 3,
          retries: 3,
          bytes: 330_000,
          found: 132,
          not_found: 5,
          latency_p50_ms: 340,
          latency_p95_ms: 950,
        }),
      ],
      saved: { remembered_artwork: 2, remembered_lyrics: 25, local_artwork: 4 },
    },
    {
      job_id: 2,
      started_at: nowSeconds - 2 * day,
      ended_at: nowSeconds - 2 * day + 18 * 60,
      providers: [
        providerRequests('lrclib', 96, {
          bytes: 250_000,
          found: 70,
          not_found: 26,
          latency_p50_ms: 90,
          latency_p95_ms: 310,
        }),
        providerRequests('musicbrainz', 12, {
          bytes: 28_000,
          found: 9,
          not_found: 3,
          latency_p50_ms: 360,
          latency_p95_ms: 800,
        }),
        providerRequests('coverartarchive', 14, {
          bytes: 2_900_000,
          found: 5,
          not_found: 4,
          latency_p50_ms: 450,
          latency_p95_ms: 1400,
        }),
      ],
      saved: { remembered_artwork: 1, remembered_lyrics: 15, local_artwork: 5 },
    },
    {
      job_id: 1,
      started_at: nowSeconds - 9 * day,
      ended_at: nowSeconds - 9 * day + 42 * 60,
      providers: [],
      saved: { remembered_artwork: 0, remembered_lyrics: 0, local_artwork: 3 },
    },
  ];
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
      providerRequests('lrclib', 1206, {
        failed: 6,
        retries: 6,
        bytes: 3_400_000,
        found: 980,
        not_found: 214,
        latency_p50_ms: 80,
        latency_p95_ms: 240,
      }),
      providerRequests('musicbrainz', 1060, {
        throttled: 12,
        retries: 12,
        bytes: 2_100_000,
        found: 1000,
        not_found: 48,
        latency_p50_ms: 330,
        latency_p95_ms: 910,
      }),
      providerRequests('coverartarchive', 1048, {
        bytes: 268_000_000,
        found: 500,
        not_found: 48,
        latency_p50_ms: 420,
        latency_p95_ms: 1300,
      }),
      // The artwork chain in its default order: Deezer before the scarce iTunes. An image
      // server answers no lookup: it sends the image a lookup found.
      providerRequests('deezer', 348, {
        bytes: 1_200_000,
        found: 150,
        not_found: 198,
        latency_p50_ms: 120,
        latency_p95_ms: 380,
      }),
      providerRequests('deezer images', 150, { bytes: 45_000_000, latency_p50_ms: 180, latency_p95_ms: 520 }),
      providerRequests('itunes', 198, {
        bytes: 640_000,
        found: 30,
        not_found: 168,
        latency_p50_ms: 170,
        latency_p95_ms: 460,
      }),
      providerRequests('itunes images', 30, { bytes: 7_800_000, latency_p50_ms: 230, latency_p95_ms: 610 }),
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
