import type { ScanReport } from '../bindings/ScanReport';
import type { WatchStatus } from '../bindings/WatchStatus';
import { capitalize, formatCount } from './format';

/** Watch failures kept on screen at most, newest first (the log has every one). */
export const WATCH_FAILURES_KEPT = 5;

/** Something the watch could not do (`watch_failed`), with when it was heard. */
export interface WatchFailure {
  /** The folder it could not import; empty: new music could not be enriched (or no watch). */
  folder: string;
  message: string;
  at: Date;
}

/** An import by the watch that changed the library (`folder_imported`), with when it was heard. */
export interface WatchImport {
  report: ScanReport;
  at: Date;
}

/** Seconds between two rescans of a polled watch (0 when the value is not a number). */
export function pollSeconds(status: Pick<WatchStatus, 'poll_every_secs'>): number {
  const seconds = Number(status.poll_every_secs);
  return Number.isFinite(seconds) ? seconds : 0;
}

function plural(count: number, one: string, many: string, locale?: string): string {
  return `${formatCount(count, locale)} ${count === 1 ? one : many}`;
}

/** "Watching 2 folders for new music", or how a polled watch finds it. */
export function watchHeadline(status: WatchStatus, locale?: string): string {
  const count = status.folders.length;
  if (count === 0) return 'No music folder to watch';
  const folders = plural(count, 'folder', 'folders', locale);
  if (status.mode === 'polling') {
    return `Not watching: rescanning ${folders} every ${formatCount(pollSeconds(status), locale)} s for new music`;
  }
  return `Watching ${folders} for new music`;
}

/** A polled watch's reason, split around its first command (written `` `like this` `` by the engine). */
export interface ReasonParts {
  /** The text before the command (all of it when there is none), capitalised. */
  before: string;
  /** The command to run, to be shown apart and copied; `null` when the reason names none. */
  command: string | null;
  /** The text after the command (more `` `code` `` in it is shown as code). */
  after: TextPart[];
}

export interface TextPart {
  text: string;
  code: boolean;
}

/** `text` split into plain and `` `code` `` parts (an unpaired backtick is plain text). */
export function codeParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  const pattern = /`([^`]+)`/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) parts.push({ text: text.slice(last, match.index), code: false });
    parts.push({ text: match[1], code: true });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), code: false });
  return parts;
}

export function reasonParts(reason: string): ReasonParts {
  const parts = codeParts(reason.trim());
  const at = parts.findIndex((part) => part.code);
  if (at < 0) return { before: capitalize(reason.trim()), command: null, after: [] };
  const before = parts
    .slice(0, at)
    .map((part) => part.text)
    .join('')
    .trim();
  const after = parts.slice(at + 1);
  if (after.length > 0 && !after[0].code) after[0] = { ...after[0], text: after[0].text.trimStart() };
  return { before: capitalize(before), command: parts[at].text, after: after.filter((p) => p.text !== '') };
}

/** Whether an import changed the library (a polled watch reports every rescan, most with nothing). */
export function importChanged(report: ScanReport): boolean {
  return report.added + report.updated + report.removed > 0;
}

/** The last name of `path`, after "…/" ("/home/me/Music/Air/Moon Safari" → "…/Moon Safari"). */
export function shortFolder(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const cut = trimmed.lastIndexOf('/');
  if (cut <= 0) return trimmed === '' ? path : trimmed;
  return `…/${trimmed.slice(cut + 1)}`;
}

/** "12:04" (as the locale writes the time of day). */
export function formatClock(at: Date, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone }).format(at);
}

/**
 * "Imported 3 new tracks from …/Album, 12:04"; "Imported 2 new tracks and updated 1 track
 * from …"; "Removed 4 tracks from …".
 */
export function importText(imported: WatchImport, locale?: string, timeZone?: string): string {
  const { report, at } = imported;
  const clauses: string[] = [];
  if (report.added > 0) clauses.push(`imported ${plural(report.added, 'new track', 'new tracks', locale)}`);
  if (report.updated > 0) clauses.push(`updated ${plural(report.updated, 'track', 'tracks', locale)}`);
  if (report.removed > 0) clauses.push(`removed ${plural(report.removed, 'track', 'tracks', locale)}`);
  const said =
    clauses.length === 0
      ? 'found no change in'
      : `${clauses.length === 1 ? clauses[0] : `${clauses.slice(0, -1).join(', ')} and ${clauses.at(-1)}`} from`;
  return `${capitalize(said)} ${shortFolder(report.root)}, ${formatClock(at, locale, timeZone)}`;
}

/** A watch failure in a sentence: what could not be imported, or the engine's own words. */
export function watchFailureText(failure: Pick<WatchFailure, 'folder' | 'message'>): string {
  const message = failure.message.trim();
  if (failure.folder === '') return capitalize(message === '' ? 'new music could not be enriched' : message);
  return `Could not import ${failure.folder}: ${message}`;
}
