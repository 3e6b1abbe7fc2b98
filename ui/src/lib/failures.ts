import type { FailureRecord } from '../bindings/FailureRecord';
import type { LibraryEvent } from '../bindings/LibraryEvent';

/** One failed operation of one track, as the failures list shows it. */
export interface FailureRow {
  /** `track_id:operation`: a track has at most one failure per operation. */
  key: string;
  track_id: number;
  title: string;
  artist: string;
  /** Empty for failures seen live (the event does not carry it) until the list is reloaded. */
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
  return { key: failureKey(record.track_id, record.operation), ...record };
}

export function rowFromEvent(event: TrackFailed, nowSeconds: number): FailureRow {
  return {
    key: failureKey(event.track_id, event.operation),
    track_id: event.track_id,
    title: event.title,
    artist: event.artist,
    album: '',
    path: '',
    operation: event.operation,
    reason: event.reason,
    attempts: event.attempts,
    failed_at: nowSeconds,
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

  constructor(readonly limit: number) {}

  get size(): number {
    return this.rows.length;
  }

  /** Replaces everything with `records` as `listFailures` returns them (newest first). */
  replaceAll(records: FailureRecord[]): void {
    this.rows = [];
    this.byKey.clear();
    for (let i = Math.min(records.length, this.limit) - 1; i >= 0; i -= 1) {
      this.add(rowFromRecord(records[i]));
    }
  }

  /** Appends `row`; an older failure of the same track and operation is replaced. */
  add(row: FailureRow): void {
    const previous = this.byKey.get(row.key);
    if (previous) {
      this.rows.splice(this.rows.indexOf(previous), 1);
      // A live event lacks album and path: keep what the list knew.
      if (row.album === '') row = { ...row, album: previous.album, path: previous.path };
    }
    this.rows.push(row);
    this.byKey.set(row.key, row);
    if (this.rows.length > this.limit) {
      const dropped = this.rows.splice(0, this.rows.length - this.limit);
      for (const old of dropped) this.byKey.delete(old.key);
    }
  }

  /** Removes the failure of `trackId` for `operation`; whether there was one. */
  remove(trackId: number, operation: string): boolean {
    const row = this.byKey.get(failureKey(trackId, operation));
    if (!row) return false;
    this.byKey.delete(row.key);
    this.rows.splice(this.rows.indexOf(row), 1);
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
}
