import type { EnrichmentProgress } from '../bindings/EnrichmentProgress';
import type { LibraryEvent } from '../bindings/LibraryEvent';
import type { LibrarySummary } from '../bindings/LibrarySummary';
import type { FailureRecord } from '../bindings/FailureRecord';
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

/** A plausible track for a fake track id (the same id always gives the same track). */
export function fakeTrack(id: number): { title: string; artist: string; album: string; path: string } {
  const artist = ARTISTS[id % ARTISTS.length];
  const title = `${WORDS[(id * 7) % WORDS.length]} ${NOUNS[(id * 3) % NOUNS.length]}`;
  const album = `${WORDS[(id * 11 + 5) % WORDS.length]} ${NOUNS[(id + 4) % NOUNS.length]}`;
  const number = String((id % 12) + 1).padStart(2, '0');
  return { title, artist, album, path: `/home/me/Music/${artist}/${album}/${number} ${title}.flac` };
}

/** Failures left by an earlier run: the fake library's 8 tracks with failed lyrics. */
export function earlierFailures(nowSeconds: number): FailureRecord[] {
  const reasons = [
    'HTTP 500 from lrclib.net',
    'no answer within 30 s',
    'could not resolve lrclib.net',
    'HTTP 503 from lrclib.net',
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
    ...extra,
  };
}

/** The `job_finished` event of job `jobId` with these counts: nothing not found, nothing failed. */
export function jobFinished(
  counts: EnrichmentProgress,
  { jobId = 1, cancelled = false }: { jobId?: number; cancelled?: boolean } = {},
): Extract<LibraryEvent, { type: 'job_finished' }> {
  return {
    type: 'job_finished',
    job_id: jobId,
    result: { job_id: jobId, progress: counts, cancelled, not_found: { artwork: 0, lyrics: 0 }, failures: [] },
  };
}
