import type { LyricsStatus } from '../bindings/LyricsStatus';

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
