import { describe, expect, it } from 'vitest';
import type { FailureRecord } from '../bindings/FailureRecord';
import { BackendError } from './backend';
import {
  type FailureCause,
  type FailureProvider,
  FailureStore,
  NO_FILTER,
  actionErrorText,
  causeText,
  failureCountText,
  failureCounts,
  filterFailures,
  parseReason,
  providerText,
  rowFromEvent,
  rowFromRecord,
} from './failures';

function record(
  track_id: number,
  operation: 'artwork' | 'lyrics',
  failed_at: number,
  reason = 'lrclib: server error (HTTP 503)',
): FailureRecord {
  return {
    track_id,
    title: `T${track_id}`,
    artist: 'A',
    album_id: 7,
    album: 'Al',
    path: `/m/${track_id}.flac`,
    operation,
    reason,
    attempts: 4,
    failed_at,
  };
}

function failed(track_id: number, operation: 'artwork' | 'lyrics', reason = 'lrclib: timed out (operation timed out)') {
  return rowFromEvent(
    {
      type: 'track_failed',
      job_id: 1,
      track_id,
      title: `T${track_id}`,
      artist: 'A',
      album_id: 3,
      album: 'Homogenic',
      path: `/music/Björk/Homogenic/${track_id}.flac`,
      operation,
      reason,
      attempts: 2,
    },
    1000,
  );
}

describe('parseReason', () => {
  // Reasons as the engine words them (crates/engine/src/http/mod.rs, http/circuit.rs,
  // providers/*.rs, enrich/attempts.rs).
  const table: [string, FailureProvider, boolean, FailureCause, number | null][] = [
    ['lrclib: server error (HTTP 500)', 'lrclib', false, 'http', 500],
    ['lrclib: server error (HTTP 503)', 'lrclib', false, 'throttled', 503],
    ['lrclib: too many requests (HTTP 429)', 'lrclib', false, 'throttled', 429],
    ['musicbrainz: throttled (HTTP 503)', 'musicbrainz', false, 'throttled', 503],
    ['itunes: throttled (HTTP 403)', 'itunes', false, 'throttled', 403],
    ['deezer: throttled (Quota limit exceeded)', 'deezer', false, 'throttled', null],
    ['lrclib: request refused (HTTP 400)', 'lrclib', false, 'http', 400],
    ['coverartarchive: request refused (HTTP 403)', 'coverartarchive', false, 'http', 403],
    ['musicbrainz: timed out (operation timed out)', 'musicbrainz', false, 'timeout', null],
    ['lrclib: no answer within 10 s', 'lrclib', false, 'timeout', null],
    ['no answer within 30 s', 'other', false, 'timeout', null],
    ['itunes images: could not connect (Connection refused (os error 111))', 'itunes', true, 'connect', null],
    [
      'deezer images: could not connect (dns error: failed to lookup address information)',
      'deezer',
      true,
      'connect',
      null,
    ],
    [
      'lrclib: unexpected answer (not the JSON expected): expected value at line 1 column 1',
      'lrclib',
      false,
      'malformed',
      null,
    ],
    [
      'musicbrainz: the answer was cut off (12 KB received): connection reset by peer',
      'musicbrainz',
      false,
      'malformed',
      null,
    ],
    [
      'coverartarchive: the image is not usable: not an image (unknown format)',
      'coverartarchive',
      false,
      'not_image',
      null,
    ],
    [
      'deezer: the image is not usable: image declares 20000 × 20000 pixels (400 megapixels), over the 40 megapixel limit',
      'deezer',
      false,
      'not_image',
      null,
    ],
    [
      'musicbrainz: not asked for now: its last requests failed (musicbrainz: timed out (operation timed out)); asked again in 30 s',
      'musicbrainz',
      false,
      'timeout',
      null,
    ],
    [
      'lrclib: not asked for now: its last requests failed (lrclib: server error (HTTP 502)); asked again in 60 s',
      'lrclib',
      false,
      'http',
      502,
    ],
    ['deezer: error 100: Limit exceeded', 'deezer', false, 'other', null],
    ['lrclib: an answer of 3.0 MB is over the 1.0 MB limit', 'lrclib', false, 'other', null],
    ['lrclib: request failed (error sending request)', 'lrclib', false, 'other', null],
    ['could not store the image: No space left on device (os error 28)', 'other', false, 'other', null],
    ['the job ended before this could start', 'other', false, 'other', null],
    // Not the engine's prefix: a name that only looks like one, a provider this UI does not know.
    ['LRCLIB: server error (HTTP 500)', 'other', false, 'http', 500],
    ['spotify: timed out (operation timed out)', 'other', false, 'timeout', null],
  ];

  it.each(table)('%s', (reason, provider, imageServer, cause, status) => {
    expect(parseReason(reason)).toEqual({ provider, imageServer, cause, status });
  });

  it('says the provider and the cause in plain words', () => {
    expect(providerText('itunes', true)).toBe('iTunes (image server)');
    expect(providerText('coverartarchive')).toBe('Cover Art Archive');
    expect(providerText('other')).toBe('Other');
    expect(causeText('http', 500)).toBe('HTTP error 500');
    expect(causeText('throttled', 429)).toBe('Throttled (HTTP 429)');
    expect(causeText('throttled')).toBe('Throttled');
    expect(causeText('timeout')).toBe('Timed out');
  });
});

describe('rows', () => {
  it('takes album and path from a live failure, and parses its reason', () => {
    const row = failed(4, 'lyrics', 'lrclib: server error (HTTP 500)');
    expect(row).toMatchObject({
      key: '4:lyrics',
      album_id: 3,
      album: 'Homogenic',
      path: '/music/Björk/Homogenic/4.flac',
      provider: 'lrclib',
      cause: 'http',
      status: 500,
      failed_at: 1000,
    });
    expect(rowFromRecord(record(1, 'artwork', 5))).toMatchObject({ key: '1:artwork', album_id: 7, cause: 'throttled' });
  });
});

describe('FailureStore', () => {
  it('stores listFailures results (newest first) oldest first', () => {
    const store = new FailureStore(100);
    store.replaceAll([record(3, 'lyrics', 30), record(2, 'artwork', 20), record(1, 'artwork', 10)]);
    expect(store.rows.map((r) => r.track_id)).toEqual([1, 2, 3]);
    expect(store.rows[0].key).toBe('1:artwork');
  });

  it('appends new failures and replaces an older one of the same track and operation', () => {
    const store = new FailureStore(100);
    store.replaceAll([record(2, 'artwork', 20), record(1, 'artwork', 10)]);
    store.add(failed(3, 'artwork'));
    store.add(failed(1, 'artwork', 'again'));
    store.add(failed(1, 'lyrics'));
    expect(store.rows.map((r) => r.key)).toEqual(['2:artwork', '3:artwork', '1:artwork', '1:lyrics']);
    const again = store.rows[2];
    expect(again.reason).toBe('again');
    // The event carries the album and the path.
    expect(again.album).toBe('Homogenic');
    expect(again.path).toBe('/music/Björk/Homogenic/1.flac');
  });

  it('keeps at most `limit`, dropping the oldest', () => {
    const store = new FailureStore(3);
    for (let id = 1; id <= 5; id += 1) store.add(failed(id, 'artwork'));
    expect(store.rows.map((r) => r.track_id)).toEqual([3, 4, 5]);
    store.add(failed(1, 'artwork'));
    expect(store.rows.map((r) => r.track_id)).toEqual([4, 5, 1]);
    expect(store.size).toBe(3);
    expect(store.tracks).toBe(3);
  });

  it('counts failures and the tracks they are on', () => {
    const store = new FailureStore(100);
    store.add(failed(1, 'artwork'));
    store.add(failed(1, 'lyrics'));
    store.add(failed(2, 'lyrics'));
    expect([store.size, store.tracks]).toEqual([3, 2]);
    store.add(failed(1, 'lyrics', 'again'));
    expect([store.size, store.tracks]).toEqual([3, 2]);
    store.remove(1, 'artwork');
    expect([store.size, store.tracks]).toEqual([2, 2]);
    store.remove(1, 'lyrics');
    expect([store.size, store.tracks]).toEqual([1, 1]);
    store.replaceAll([record(5, 'lyrics', 3), record(5, 'artwork', 2), record(6, 'artwork', 1)]);
    expect([store.size, store.tracks]).toEqual([3, 2]);
  });

  it('clears a failure when the track got what failed', () => {
    const store = new FailureStore(10);
    store.add(failed(1, 'artwork'));
    store.add(failed(1, 'lyrics'));
    store.add(failed(2, 'lyrics'));
    expect(store.clearFixed({ type: 'track_updated', track_id: 1, updated_fields: ['lyrics_status'] })).toBe(false);
    expect(store.clearFixed({ type: 'track_updated', track_id: 1, updated_fields: ['artwork'] })).toBe(true);
    expect(store.rows.map((r) => r.key)).toEqual(['1:lyrics', '2:lyrics']);
    expect(store.clearFixed({ type: 'track_updated', track_id: 2, updated_fields: ['lyrics', 'lyrics_status'] })).toBe(
      true,
    );
    expect(store.rows.map((r) => r.key)).toEqual(['1:lyrics']);
    expect(store.remove(9, 'lyrics')).toBe(false);
  });
});

describe('filters and counts', () => {
  const rows = [
    failed(1, 'lyrics', 'lrclib: server error (HTTP 500)'),
    failed(2, 'lyrics', 'lrclib: timed out (operation timed out)'),
    failed(3, 'artwork', 'itunes images: could not connect (Connection refused (os error 111))'),
    failed(4, 'artwork', 'musicbrainz: timed out (operation timed out)'),
    failed(5, 'artwork', 'no answer within 30 s'),
  ];

  it('keeps what the provider and cause filters ask for, in order', () => {
    expect(filterFailures(rows, NO_FILTER)).toBe(rows);
    const keys = (filter: Parameters<typeof filterFailures>[1]) => filterFailures(rows, filter).map((r) => r.track_id);
    expect(keys({ provider: 'lrclib', cause: null })).toEqual([1, 2]);
    expect(keys({ provider: null, cause: 'timeout' })).toEqual([2, 4, 5]);
    expect(keys({ provider: 'lrclib', cause: 'timeout' })).toEqual([2]);
    expect(keys({ provider: 'itunes', cause: null })).toEqual([3]);
    expect(keys({ provider: 'other', cause: null })).toEqual([5]);
    expect(keys({ provider: 'deezer', cause: null })).toEqual([]);
  });

  it('counts each provider and cause', () => {
    const { providers, causes } = failureCounts(rows);
    expect(providers).toEqual({ lrclib: 2, musicbrainz: 1, coverartarchive: 0, itunes: 1, deezer: 0, other: 1 });
    expect(causes).toMatchObject({ timeout: 3, connect: 1, http: 1, throttled: 0, other: 0 });
  });

  it('says how many failures on how many tracks', () => {
    expect(failureCountText(12, 9, 'en-US')).toBe('12 failures on 9 tracks');
    expect(failureCountText(1, 1, 'en-US')).toBe('1 failure on 1 track');
    expect(failureCountText(10_000, 10_000, 'en-US')).toBe('10,000 failures on 10,000 tracks');
    expect(failureCountText(0, 0, 'en-US')).toBe('No failures');
  });

  it('says why a row action was refused', () => {
    expect(actionErrorText(new BackendError('job_already_running', 'busy'), 'retry')).toMatch(
      /already running .* retry this track when it has ended/,
    );
    expect(actionErrorText(new BackendError('not_found', 'album 9 not found'), 'show')).toMatch(/album is no longer/);
    expect(
      actionErrorText(new BackendError('not_found', '/m/a.flac is no longer there (rescan the folder)'), 'reveal'),
    ).toBe('/m/a.flac is no longer there (rescan the folder)');
    expect(actionErrorText(new BackendError('not_found', 'track 9 not found'), 'retry')).toMatch(
      /no longer in the library/,
    );
    expect(actionErrorText(new BackendError('io', 'no file manager'), 'reveal')).toBe('no file manager');
  });
});
