import type { ScanEvent } from '../bindings/ScanEvent';
import type { ScanReport } from '../bindings/ScanReport';

/** A file the scan could not read, left out, or removed (a killed write-back's leftover). */
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
  /** The latest problems (at most `PROBLEMS_KEPT`), oldest first. */
  problems: ScanProblem[];
  /** Set when the scan finished. */
  report: ScanReport | null;
}

/** A scan of a big, messy folder can report thousands of problems; a few tell the story. */
export const PROBLEMS_KEPT = 5;

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
    problems: [],
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
    case 'file_failed':
    case 'skipped':
    case 'removed': {
      const kind = event.type === 'file_failed' ? 'failed' : event.type;
      const problems = [...progress.problems, { kind, path: event.path, reason: event.reason } as ScanProblem];
      return {
        ...progress,
        failed: progress.failed + (kind === 'failed' ? 1 : 0),
        skipped: progress.skipped + (kind === 'skipped' ? 1 : 0),
        cleaned: progress.cleaned + (kind === 'removed' ? 1 : 0),
        problems: problems.slice(-PROBLEMS_KEPT),
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

/** 0..100, whole numbers, 100 only once finished. */
export function scanPercent(progress: ScanProgress): number {
  if (progress.report) return 100;
  if (progress.total <= 0) return 0;
  return Math.min(99, Math.floor((progress.processed / progress.total) * 100));
}
