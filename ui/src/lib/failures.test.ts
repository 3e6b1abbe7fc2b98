import { describe, expect, it } from 'vitest';
import type { FailureRecord } from '../bindings/FailureRecord';
import { FailureStore, rowFromEvent } from './failures';

function record(track_id: number, operation: 'artwork' | 'lyrics', failed_at: number): FailureRecord {
  return {
    track_id,
    title: `T${track_id}`,
    artist: 'A',
    album: 'Al',
    path: `/m/${track_id}.flac`,
    operation,
    reason: 'HTTP 503',
    attempts: 4,
    failed_at,
  };
}

function failed(track_id: number, operation: 'artwork' | 'lyrics', reason = 'timeout') {
  return rowFromEvent(
    { type: 'track_failed', job_id: 1, track_id, title: `T${track_id}`, artist: 'A', operation, reason, attempts: 2 },
    1000,
  );
}

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
    // The event has no album or path; the earlier record did.
    expect(again.album).toBe('Al');
    expect(again.path).toBe('/m/1.flac');
  });

  it('keeps at most `limit`, dropping the oldest', () => {
    const store = new FailureStore(3);
    for (let id = 1; id <= 5; id += 1) store.add(failed(id, 'artwork'));
    expect(store.rows.map((r) => r.track_id)).toEqual([3, 4, 5]);
    store.add(failed(1, 'artwork'));
    expect(store.rows.map((r) => r.track_id)).toEqual([4, 5, 1]);
    expect(store.size).toBe(3);
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
