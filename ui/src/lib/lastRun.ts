import type { LastRun } from '../bindings/LastRun';
import type { LastRunState } from '../bindings/LastRunState';
import { formatCount, formatDuration } from './format';

/**
 * How often the panel asks again while another process runs a job on the library: this window
 * gets no events from it, so its counts and its end are only seen by asking.
 */
export const LAST_RUN_POLL_MS = 5000;

const STATE_TEXT: Record<LastRunState, string> = {
  finished: 'Finished',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
  running: 'Running',
  running_elsewhere: 'Running in another Gatefold process',
};

/** "Finished", "Interrupted", ...; an unknown state (a newer engine) by its raw name. */
export function lastRunStateText(state: LastRunState): string {
  return Object.hasOwn(STATE_TEXT, state) ? STATE_TEXT[state] : state;
}

/** What the state means for the user, when it needs saying. */
export function lastRunNote(state: LastRunState): string | null {
  switch (state) {
    case 'interrupted':
      return 'Gatefold stopped before this job ended (the app was closed, or the job stopped on an error). Continue picks it up where it stopped; what it found is kept.';
    case 'running_elsewhere':
      return 'Another Gatefold process (the command line) is running a job on this library. Its counts are updated here; a new job can start when it has ended.';
    default:
      return null;
  }
}

/** Unix seconds as a local date and time ("May 1, 2024, 2:00 PM" in en-US). */
export function formatDateTime(unixSeconds: number, locale?: string, timeZone?: string): string {
  if (!Number.isFinite(unixSeconds) || unixSeconds <= 0) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(
    new Date(unixSeconds * 1000),
  );
}

/**
 * When the run was: "Started May 1, 2024, 12:00 PM; ended May 1, 2024, 12:18 PM (18 min)", or
 * only its start while it has no end (interrupted, running elsewhere).
 */
export function lastRunWhen(run: Pick<LastRun, 'started_at' | 'ended_at'>, locale?: string, timeZone?: string): string {
  const started = `Started ${formatDateTime(run.started_at, locale, timeZone)}`;
  if (run.ended_at === null) return started;
  const took = run.ended_at >= run.started_at ? ` (${formatDuration(run.ended_at - run.started_at)})` : '';
  return `${started}; ended ${formatDateTime(run.ended_at, locale, timeZone)}${took}`;
}

/** The run's counts, labelled, in the order the card shows them. */
export function lastRunCounts(run: LastRun, locale?: string): { key: string; label: string; value: string }[] {
  const p = run.progress;
  return [
    {
      key: 'processed',
      label: 'Tracks processed',
      value: `${formatCount(p.processed_tracks, locale)} / ${formatCount(p.total_tracks, locale)}`,
    },
    { key: 'artwork', label: 'Artwork found', value: formatCount(p.artwork_fetched, locale) },
    { key: 'lyrics', label: 'Lyrics found', value: formatCount(p.lyrics_fetched, locale) },
    { key: 'failed', label: 'Tracks failed', value: formatCount(p.failed_tracks, locale) },
    {
      key: 'not-found',
      label: 'Not found (artwork, lyrics)',
      value: `${formatCount(run.not_found.artwork, locale)}, ${formatCount(run.not_found.lyrics, locale)}`,
    },
  ];
}
