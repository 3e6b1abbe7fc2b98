import type { FailureRow } from './failures';

export type CsvValue = string | number | boolean | null | undefined;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF, quotes doubled.
 * A text starting with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` so a spreadsheet shows
 * it instead of running it as a formula (titles and reasons come from files and servers).
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows of fields into CSV text, CRLF line ends, a CRLF after the last row. */
export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return rows.map((row) => row.map(csvField).join(',') + '\r\n').join('');
}

export const FAILURE_CSV_HEADER = [
  'track_id',
  'title',
  'artist',
  'album',
  'path',
  'operation',
  'reason',
  'attempts',
  'failed_at',
] as const;

/** Unix seconds as UTC ISO 8601 ("2024-05-01T12:00:00Z"); empty when unknown. */
export function isoTime(unixSeconds: number): string {
  if (!Number.isFinite(unixSeconds) || unixSeconds <= 0) return '';
  return new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** The failures list as CSV, one row per failure in list order, with a header row. */
export function failuresToCsv(rows: readonly FailureRow[]): string {
  return toCsv([
    FAILURE_CSV_HEADER,
    ...rows.map((r) => [
      r.track_id,
      r.title,
      r.artist,
      r.album,
      r.path,
      r.operation,
      r.reason,
      r.attempts,
      isoTime(r.failed_at),
    ]),
  ]);
}

/** "gatefold-failures-2024-05-01.csv" (local date). */
export function failuresFileName(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `gatefold-failures-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.csv`;
}

/** The byte order mark that makes spreadsheet programs read a CSV file as UTF-8 ("Björk"). */
export const UTF8_BOM = '\uFEFF';

/** The failures CSV file's contents: the BOM, then the CSV. */
export function failuresCsvFile(rows: readonly FailureRow[]): string {
  return UTF8_BOM + failuresToCsv(rows);
}

/**
 * Saves `contents` as a browser download named `fileName` (the fake backend's `saveTextFile`; in
 * the Tauri webview a blob download does nothing, so Rust writes the file there).
 */
export function downloadText(
  fileName: string,
  contents: string,
  type = 'text/plain;charset=utf-8',
  doc: Document = document,
): void {
  const url = URL.createObjectURL(new Blob([contents], { type }));
  const link = doc.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  doc.body.append(link);
  link.click();
  link.remove();
  // Revoke later: revoking at once can cancel the download in some engines.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
