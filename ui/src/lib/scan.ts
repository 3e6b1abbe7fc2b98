import type { ScanEvent } from '../bindings/ScanEvent';
import type { ScanReport } from '../bindings/ScanReport';

/**
 * A file the scan could not read, left out, or removed (a killed write-back's leftover). The
 * path is kept exactly as the engine sent it: a name in decomposed form (NFD, as macOS writes
 * "e" + U+0301) is another name than the composed one on Linux, so it is neither normalised
 * nor merged with it, and a copied path names the file on disk.
 */
export interface ScanProblem {
  kind: 'failed' | 'skipped' | 'removed';
  path: string;
  reason: string;
}

/** Where a folder scan stands, as far as its events tell. */
export interface ScanProgress {
  root: string | null;
  /** Audio files found. */
  files: number;
  /** Of those, new or changed files that have to be read. */
  toRead: number;
  processed: number;
  total: number;
  failed: number;
  skipped: number;
  /** Temporary files a killed write-back left, removed. */
  cleaned: number;
  /** The files that could not be read, in the order reported: the first `FAILURES_KEPT`. */
  failures: ScanProblem[];
  /** Paths skipped on purpose and leftovers removed, in the order reported: the first `NOTES_KEPT`. */
  notes: ScanProblem[];
  /** Set when the scan finished. */
  report: ScanReport | null;
}

/**
 * Failed files listed at most: the report names every one a person would go through (the rest
 * is "and N more"); a scan of a big, broken folder can report thousands, which would only
 * cost memory and a page no one reads.
 */
export const FAILURES_KEPT = 200;

/** Skipped and removed paths listed at most (the rest is "and N more"). */
export const NOTES_KEPT = 50;

export function emptyScanProgress(root: string | null = null): ScanProgress {
  return {
    root,
    files: 0,
    toRead: 0,
    processed: 0,
    total: 0,
    failed: 0,
    skipped: 0,
    cleaned: 0,
    failures: [],
    notes: [],
    report: null,
  };
}

/** The progress after `event` (a new object; `progress` is not changed). */
export function applyScanEvent(progress: ScanProgress, event: ScanEvent): ScanProgress {
  switch (event.type) {
    case 'started':
      return { ...emptyScanProgress(event.root), files: event.files, toRead: event.to_read, total: event.to_read };
    case 'progress':
      return { ...progress, processed: event.processed, total: event.total };
    case 'file_failed': {
      const problem: ScanProblem = { kind: 'failed', path: event.path, reason: event.reason };
      return {
        ...progress,
        failed: progress.failed + 1,
        failures: progress.failures.length < FAILURES_KEPT ? [...progress.failures, problem] : progress.failures,
      };
    }
    case 'skipped':
    case 'removed': {
      const problem: ScanProblem = { kind: event.type, path: event.path, reason: event.reason };
      return {
        ...progress,
        skipped: progress.skipped + (event.type === 'skipped' ? 1 : 0),
        cleaned: progress.cleaned + (event.type === 'removed' ? 1 : 0),
        notes: progress.notes.length < NOTES_KEPT ? [...progress.notes, problem] : progress.notes,
      };
    }
    case 'finished':
      return {
        ...progress,
        root: event.report.root,
        files: event.report.files,
        processed: progress.total,
        report: event.report,
      };
    default: {
      // An event this UI does not know yet (a newer engine): nothing to change.
      const unknown: never = event;
      void unknown;
      return progress;
    }
  }
}

/**
 * How many failed files the list leaves out: the report's count (or the events' count, before
 * the report) beyond those listed.
 */
export function failuresNotListed(progress: ScanProgress): number {
  const total = Math.max(progress.report?.failed ?? 0, progress.failed);
  return Math.max(0, total - progress.failures.length);
}

/** Likewise for the skipped and removed paths. */
export function notesNotListed(progress: ScanProgress): number {
  const total = Math.max(
    (progress.report?.skipped ?? 0) + (progress.report?.cleaned ?? 0),
    progress.skipped + progress.cleaned,
  );
  return Math.max(0, total - progress.notes.length);
}

/** 0..100, whole numbers, 100 only once finished. */
export function scanPercent(progress: ScanProgress): number {
  if (progress.report) return 100;
  if (progress.total <= 0) return 0;
  return Math.min(99, Math.floor((progress.processed / progress.total) * 100));
}
