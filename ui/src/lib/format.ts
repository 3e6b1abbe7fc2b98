import type { LyricsStatus } from '../bindings/LyricsStatus';
import type { Operation } from '../bindings/Operation';
import type { WriteBackSummary } from '../bindings/WriteBackSummary';

/**
 * Integer with thousands separators, e.g. 1234 -> "1,234" in en-US. Some engines (WebKitGTK in a
 * bare environment) have no locale data and do not group at all; then commas are inserted.
 */
export function formatCount(value: number, locale?: string): string {
  const text = new Intl.NumberFormat(locale, { maximumFractionDigits: 0, useGrouping: true }).format(value);
  if (Math.abs(value) >= 1000 && /^-?\d+$/.test(text)) {
    return text.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }
  return text;
}

/** Display order and human labels. `Record` makes a new Rust variant a type error here. */
export const LYRICS_STATUS_LABELS: Record<LyricsStatus, string> = {
  not_fetched: 'Not fetched',
  fetching: 'Fetching',
  available: 'Available',
  instrumental: 'Instrumental',
  unavailable: 'Unavailable',
  failed: 'Failed',
};

export const LYRICS_STATUS_ORDER = Object.keys(LYRICS_STATUS_LABELS) as LyricsStatus[];

export interface LyricsRow {
  status: string;
  label: string;
  count: number;
}

/**
 * One row per known status (missing counts are 0), in display order, followed
 * by any status the backend sent that this UI does not know yet (raw key as label).
 */
export function lyricsRows(lyrics: Partial<Record<string, number>>): LyricsRow[] {
  const known: LyricsRow[] = LYRICS_STATUS_ORDER.map((status) => ({
    status,
    label: LYRICS_STATUS_LABELS[status],
    count: lyrics[status] ?? 0,
  }));
  const unknown: LyricsRow[] = Object.entries(lyrics)
    .filter(([status]) => !(status in LYRICS_STATUS_LABELS))
    .map(([status, count]) => ({ status, label: status, count: count ?? 0 }));
  return [...known, ...unknown];
}

/** "Artwork" / "Lyrics". `Record` makes a new Rust operation a type error here. */
export const OPERATION_LABELS: Record<Operation, string> = {
  artwork: 'Artwork',
  lyrics: 'Lyrics',
};

/** A label for an operation name, the raw name for one this UI does not know yet. */
export function operationLabel(operation: string): string {
  return Object.hasOwn(OPERATION_LABELS, operation) ? OPERATION_LABELS[operation as Operation] : operation;
}

/** A rate (tracks per second): "12", "2.5" (one decimal below 10), "1,185"; "—" when unknown. */
export function formatRate(perSecond: number | null, locale?: string): string {
  if (perSecond === null || !Number.isFinite(perSecond) || perSecond < 0) return '—';
  const digits = perSecond < 10 ? 1 : 0;
  const text = new Intl.NumberFormat(locale, {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  }).format(perSecond);
  return perSecond >= 1000 ? formatCount(perSecond, locale) : text;
}

/** A remaining time for people: "8 s", "3 min 5 s", "2 h 4 min", "—" when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const total = Math.ceil(seconds);
  if (total < 60) return `${total} s`;
  if (total < 3600) {
    const minutes = Math.floor(total / 60);
    const rest = total % 60;
    return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
  }
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

/**
 * Upper-cases the first letter: "waiting for WiFi" -> "Waiting for WiFi". By code point, so a
 * letter outside the BMP is not split in half.
 */
export function capitalize(text: string): string {
  const first = text.codePointAt(0);
  if (first === undefined) return text;
  const letter = String.fromCodePoint(first);
  return letter.toUpperCase() + text.slice(letter.length);
}

/** A track length: "3:07", "1:02:03" from an hour on; "—" when unknown. */
export function formatTrackDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  const total = Math.round(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** Up to two initials for an artwork placeholder: "Blue Lights" -> "BL", "Homogenic" -> "H". */
export function initials(title: string): string {
  const words = title.match(/[\p{L}\p{N}]+/gu) ?? [];
  return words
    .slice(0, 2)
    .map((word) => [...word][0].toLocaleUpperCase())
    .join('');
}

/** The lyrics badge of a track: its kind (for styling) and label. */
export interface LyricsBadge {
  kind: 'synced' | 'plain' | 'instrumental' | 'not-found' | 'failed' | 'not-fetched' | 'fetching';
  label: string;
}

export function lyricsBadge(track: { lyrics_status: LyricsStatus; lyrics_synced: boolean }): LyricsBadge {
  switch (track.lyrics_status) {
    case 'available':
      return track.lyrics_synced ? { kind: 'synced', label: 'Synced' } : { kind: 'plain', label: 'Plain' };
    case 'instrumental':
      return { kind: 'instrumental', label: 'Instrumental' };
    case 'unavailable':
      return { kind: 'not-found', label: 'Not found' };
    case 'failed':
      return { kind: 'failed', label: 'Failed' };
    case 'fetching':
      return { kind: 'fetching', label: 'Fetching' };
    case 'not_fetched':
      return { kind: 'not-fetched', label: 'Not fetched' };
    default: {
      // A status this UI does not know yet (a newer engine): shown by its raw name.
      const unknown: string = track.lyrics_status;
      return { kind: 'not-fetched', label: unknown };
    }
  }
}

function files(count: number, locale?: string): string {
  return `${formatCount(count, locale)} ${count === 1 ? 'file' : 'files'}`;
}

/**
 * One line about a write-back: "Wrote 12 files beside your music; 1 skipped, 0 failed",
 * "Dry run: would write 12 files beside your music; ...", "Wrote tags in 3 files; ...".
 */
export function writeBackText(summary: WriteBackSummary, locale?: string): string {
  const n = files(summary.written, locale);
  const what =
    summary.mode === 'embed'
      ? summary.dry_run
        ? `would write tags in ${n}`
        : `Wrote tags in ${n}`
      : summary.dry_run
        ? `would write ${n} beside your music`
        : `Wrote ${n} beside your music`;
  const unchanged = summary.unchanged > 0 ? `${formatCount(summary.unchanged, locale)} already up to date, ` : '';
  const rest = `${unchanged}${formatCount(summary.skipped, locale)} skipped, ${formatCount(summary.failed, locale)} failed`;
  const cleaned =
    summary.cleaned > 0
      ? `; removed ${formatCount(summary.cleaned, locale)} leftover temporary ${summary.cleaned === 1 ? 'file' : 'files'}`
      : '';
  return `${summary.dry_run ? 'Dry run: ' : ''}${what}; ${rest}${cleaned}`;
}
