// What a write-back writes (or, in Settings' preview, would write) and where, for people: the
// files of a `WriteBackReport` (the `write_back_preview` answer, or the `write_back_finished`
// event) grouped by folder, each with what goes into it and, when it is left alone, why.
// Write-back is the one thing Gatefold does to the user's music folder, so it is never only a
// count: the files are named.

import type { ItemOutcome } from '../bindings/ItemOutcome';
import type { WriteBackFile } from '../bindings/WriteBackFile';
import type { WriteBackMode } from '../bindings/WriteBackMode';
import type { WriteBackSummary } from '../bindings/WriteBackSummary';
import type { WriteTarget } from '../bindings/WriteTarget';
import { formatCount } from './format';

/**
 * Files a report lists at most (the engine's `WriteBackReport::LIMIT`): what a person reads;
 * `more_files` counts the rest. The fake backend cuts its reports at the same place.
 */
export const WRITE_BACK_FILES_LISTED = 200;

/** The modes as Settings names them. `Record` makes a new Rust mode a type error here. */
export const WRITE_BACK_MODE_LABELS: Record<WriteBackMode, string> = {
  off: 'Off',
  sidecar: 'Sidecar files',
  embed: 'Embed in tags',
};

/** A mode for people; one this UI does not know yet (a newer engine) as it comes. */
export function modeLabel(mode: string): string {
  return Object.hasOwn(WRITE_BACK_MODE_LABELS, mode) ? WRITE_BACK_MODE_LABELS[mode as WriteBackMode] : mode;
}

/** What goes into a file, for people. `Record` makes a new Rust target a type error here. */
export const WRITE_TARGET_LABELS: Record<WriteTarget, string> = {
  cover_file: 'Cover file',
  lyrics_file: 'Lyrics file',
  embedded_cover: 'Cover in the tags',
  embedded_lyrics: 'Lyrics in the tags',
  temporary: 'Leftover temporary file',
};

/** The order of a file's targets in its folder: the cover before the lyrics. */
const TARGET_ORDER: readonly string[] = Object.keys(WRITE_TARGET_LABELS);

/** A target for people; one this UI does not know yet as it comes. */
export function targetLabel(target: string): string {
  return Object.hasOwn(WRITE_TARGET_LABELS, target) ? WRITE_TARGET_LABELS[target as WriteTarget] : target;
}

/** What came of a file, in a word or two. */
const OUTCOME_LABELS: Record<ItemOutcome['outcome'], string> = {
  written: 'Written',
  would_write: 'Would write',
  unchanged: 'Up to date',
  skipped: 'Skipped',
  failed: 'Failed',
  removed: 'Removed',
};

/** An outcome for people; one this UI does not know yet as it comes. */
export function outcomeLabel(outcome: string): string {
  return Object.hasOwn(OUTCOME_LABELS, outcome) ? OUTCOME_LABELS[outcome as ItemOutcome['outcome']] : outcome;
}

/** Why a file was left alone, failed or removed, as the engine words it; `null` for the others. */
export function outcomeReason(outcome: ItemOutcome): string | null {
  return 'reason' in outcome && typeof outcome.reason === 'string' && outcome.reason !== '' ? outcome.reason : null;
}

/**
 * A path's folder and file name, split at the last separator (`/`, or `\` on Windows). Kept
 * exactly as the engine sent them: a copied folder names the folder on disk.
 */
export function splitPath(path: string): { folder: string; name: string } {
  const at = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (at < 0) return { folder: '', name: path };
  // A file at the root keeps its root ("/" rather than "").
  return { folder: at === 0 ? path.slice(0, 1) : path.slice(0, at), name: path.slice(at + 1) };
}

export interface WriteBackRow {
  /** Unique in the report (its place in it): one audio file can take a cover and lyrics. */
  key: string;
  path: string;
  /** The file's name in its folder. */
  name: string;
  target: string;
  /** What goes into it: "Cover file", "Lyrics in the tags"... */
  what: string;
  /** `written`, `would_write`, `skipped`, `failed`, `removed` (for styling and tests). */
  outcome: string;
  /** "Written", "Skipped"... */
  outcomeText: string;
  /** Why it was skipped, failed or removed; `null` when written. */
  reason: string | null;
}

export interface FolderGroup {
  folder: string;
  rows: WriteBackRow[];
}

/**
 * The files by folder: folders in name order, files by name within a folder (numbers in names
 * compared as numbers: "Disc 2" before "Disc 10", "2 ..." before "10 ..."), the cover before the
 * lyrics of the same file. The engine sends them in the order it did them (every cover, then
 * every lyrics file), which scatters an album's files; a person checks folder by folder.
 */
export function groupByFolder(files: readonly WriteBackFile[], locale?: string): FolderGroup[] {
  const collator = new Intl.Collator(locale, { numeric: true });
  const byFolder = new Map<string, WriteBackRow[]>();
  files.forEach((file, i) => {
    const { folder, name } = splitPath(file.path);
    const rows = byFolder.get(folder) ?? [];
    rows.push({
      key: String(i),
      path: file.path,
      name,
      target: file.target,
      what: targetLabel(file.target),
      outcome: file.outcome.outcome,
      outcomeText: outcomeLabel(file.outcome.outcome),
      reason: outcomeReason(file.outcome),
    });
    byFolder.set(folder, rows);
  });
  const rank = (target: string) => {
    const i = TARGET_ORDER.indexOf(target);
    return i < 0 ? TARGET_ORDER.length : i;
  };
  return [...byFolder.entries()]
    .map(([folder, rows]) => ({
      folder,
      rows: rows.sort(
        (a, b) => collator.compare(a.name, b.name) || rank(a.target) - rank(b.target) || Number(a.key) - Number(b.key),
      ),
    }))
    .sort((a, b) => collator.compare(a.folder, b.folder));
}

export interface CountRow {
  key: 'written' | 'unchanged' | 'skipped' | 'failed' | 'cleaned';
  label: string;
  count: number;
}

/**
 * The report's counts: written (or, in a dry run, would write), already up to date, skipped and
 * failed always (a zero there is news too); leftovers removed only when there were some.
 */
export function countRows(summary: WriteBackSummary): CountRow[] {
  const rows: CountRow[] = [
    { key: 'written', label: summary.dry_run ? 'Would write' : 'Written', count: summary.written },
    { key: 'unchanged', label: 'Already up to date', count: summary.unchanged },
    { key: 'skipped', label: 'Skipped', count: summary.skipped },
    { key: 'failed', label: 'Failed', count: summary.failed },
  ];
  if (summary.cleaned > 0) rows.push({ key: 'cleaned', label: 'Leftovers removed', count: summary.cleaned });
  return rows;
}

/** "and 1 more file", "and 1,234 more files": what the list leaves out (the counts have them). */
export function moreFilesText(more: number, locale?: string): string {
  return `and ${formatCount(more, locale)} more ${more === 1 ? 'file' : 'files'}`;
}

function filesText(count: number, locale?: string): string {
  return `${formatCount(count, locale)} ${count === 1 ? 'file' : 'files'}`;
}

/**
 * Why a report (a preview, or the write-back after a job) lists no file: "Nothing to write: …".
 * Nothing found by a provider yet (what is on disk already is the user's), or everything found
 * is written already (those files are only counted).
 */
export function nothingToWriteText(summary: WriteBackSummary, locale?: string): string {
  if (summary.mode === 'off') return 'Nothing to write: write-back is off.';
  if (summary.unchanged > 0) {
    return `Nothing to write: what the providers found is already there (${filesText(summary.unchanged, locale)} up to date).`;
  }
  return (
    'Nothing to write: the providers have found no artwork or lyrics yet. ' +
    'Covers and lyrics that were already in your music folder are yours and are never written back.'
  );
}

/** Files the write-back changed in the music folder: written, and leftovers removed (none in a dry run). */
export function changedFiles(summary: WriteBackSummary): number {
  return summary.dry_run ? 0 : summary.written + summary.cleaned;
}

/**
 * The write-back card's first sentence, on the music folder, which must never be left to guess:
 * it was changed (and how), or it was not. (The counts follow it.)
 */
export function musicFolderText(summary: WriteBackSummary): string {
  if (summary.dry_run) return 'A dry run: nothing in your music folder was changed.';
  if (changedFiles(summary) === 0) return 'Nothing in your music folder was changed.';
  const how =
    summary.written === 0
      ? 'leftover temporary files of an interrupted write-back were removed'
      : summary.mode === 'embed'
        ? 'the cover and lyrics were written into the tags of audio files (the audio itself is not changed)'
        : 'cover and lyrics files were written beside your music';
  return `Your music folder was changed: ${how}.`;
}

/**
 * The job status of a run that had no track to enrich: "Nothing to do", unless the write-back
 * after it changed files in the music folder, which must not hide under those words.
 */
export function nothingToEnrichText(summary: WriteBackSummary | null, locale?: string): string {
  const changed = summary ? changedFiles(summary) : 0;
  return changed > 0 ? `Nothing to enrich; write-back changed ${filesText(changed, locale)}` : 'Nothing to do';
}
