import { describe, expect, it } from 'vitest';
import type { LastRun } from '../bindings/LastRun';
import { progress } from './fixtures';
import { formatDateTime, lastRunCounts, lastRunNote, lastRunStateText, lastRunWhen } from './lastRun';

const run: LastRun = {
  job_id: 7,
  state: 'finished',
  progress: progress(1200, 1200, { artwork_fetched: 300, lyrics_fetched: 870, failed_tracks: 9 }),
  not_found: { artwork: 40, lyrics: 120 },
  started_at: 1_714_564_800, // 2024-05-01 12:00 UTC
  ended_at: 1_714_565_880, // 18 minutes later
};

/** ICU versions differ in the space before "PM" (U+202F or a plain one). */
function plain(text: string): string {
  return text.replace(/\s/g, ' ');
}

describe('last run', () => {
  it('says when it ran, in local time', () => {
    expect(plain(formatDateTime(run.started_at, 'en-US', 'UTC'))).toBe('May 1, 2024, 12:00 PM');
    expect(plain(lastRunWhen(run, 'en-US', 'UTC'))).toBe(
      'Started May 1, 2024, 12:00 PM; ended May 1, 2024, 12:18 PM (18 min)',
    );
    expect(plain(lastRunWhen({ ...run, ended_at: null }, 'en-US', 'UTC'))).toBe('Started May 1, 2024, 12:00 PM');
    expect(formatDateTime(0, 'en-US', 'UTC')).toBe('—');
  });

  it('names its state and says what it means', () => {
    expect(lastRunStateText('finished')).toBe('Finished');
    expect(lastRunStateText('interrupted')).toBe('Interrupted');
    expect(lastRunStateText('running')).toBe('Running');
    expect(lastRunStateText('running_elsewhere')).toBe('Running in another Gatefold process');
    expect(lastRunNote('interrupted')).toMatch(/Continue picks it up where it stopped/);
    expect(lastRunNote('running_elsewhere')).toMatch(/command line/);
    expect(lastRunNote('finished')).toBeNull();
  });

  it('lists its counts', () => {
    expect(lastRunCounts(run, 'en-US').map(({ label, value }) => `${label}: ${value}`)).toEqual([
      'Tracks processed: 1,200 / 1,200',
      'Artwork found: 300',
      'Lyrics found: 870',
      'Tracks failed: 9',
      'Not found (artwork, lyrics): 40, 120',
    ]);
  });
});
