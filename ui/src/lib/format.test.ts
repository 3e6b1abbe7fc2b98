import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  capitalize,
  formatCount,
  formatDuration,
  formatRate,
  formatTrackDuration,
  initials,
  lyricsBadge,
  operationLabel,
  writeBackText,
} from './format';

describe('formatCount', () => {
  afterEach(() => vi.restoreAllMocks());

  it('groups thousands in the given locale', () => {
    expect(formatCount(1234567, 'en-US')).toBe('1,234,567');
    expect(formatCount(999, 'en-US')).toBe('999');
  });

  it('groups by itself when the engine has no locale data', () => {
    // An engine without grouping data: NumberFormat prints plain digits.
    vi.spyOn(Intl, 'NumberFormat').mockImplementation(function () {
      return { format: (n: number) => String(Math.trunc(n)) } as Intl.NumberFormat;
    } as unknown as typeof Intl.NumberFormat);
    expect(formatCount(10000)).toBe('10,000');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-1234)).toBe('-1,234');
    expect(formatCount(999)).toBe('999');
  });
});

describe('formatRate / formatDuration / labels', () => {
  it('shows a rate with one decimal below 10', () => {
    expect(formatRate(null)).toBe('—');
    expect(formatRate(Number.NaN)).toBe('—');
    expect(formatRate(2.46, 'en-US')).toBe('2.5');
    expect(formatRate(0, 'en-US')).toBe('0.0');
    expect(formatRate(195.4, 'en-US')).toBe('195');
    expect(formatRate(12345, 'en-US')).toBe('12,345');
  });

  it('shows a remaining time for people', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(-1)).toBe('—');
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(7.2)).toBe('8 s');
    expect(formatDuration(60)).toBe('1 min');
    expect(formatDuration(185)).toBe('3 min 5 s');
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(7440)).toBe('2 h 4 min');
  });

  it('labels operations and capitalizes messages', () => {
    expect(operationLabel('artwork')).toBe('Artwork');
    expect(operationLabel('lyrics')).toBe('Lyrics');
    expect(operationLabel('video')).toBe('video');
    expect(capitalize('waiting for WiFi (now on ethernet (eth0))')).toBe('Waiting for WiFi (now on ethernet (eth0))');
    expect(capitalize('')).toBe('');
    expect(capitalize('élan')).toBe('Élan');
    // A letter outside the BMP (two UTF-16 units) is not split.
    expect(capitalize('𐐨 deseret')).toBe('𐐀 deseret');
  });
});

describe('library formatting', () => {
  it('formats track lengths as m:ss', () => {
    expect(formatTrackDuration(187_000)).toBe('3:07');
    expect(formatTrackDuration(59_600)).toBe('1:00');
    expect(formatTrackDuration(3_723_000)).toBe('1:02:03');
    expect(formatTrackDuration(0)).toBe('0:00');
    expect(formatTrackDuration(null)).toBe('—');
  });

  it('takes initials for artwork placeholders', () => {
    expect(initials('Blue Lights')).toBe('BL');
    expect(initials('homogenic')).toBe('H');
    expect(initials('Ágætis byrjun (Deluxe)')).toBe('ÁB');
    expect(initials('<img src=x onerror=alert(1)>')).toBe('IS');
    expect(initials('...')).toBe('');
  });

  it('labels the lyrics badge', () => {
    const badge = (lyrics_status: Parameters<typeof lyricsBadge>[0]['lyrics_status'], lyrics_synced = false) =>
      lyricsBadge({ lyrics_status, lyrics_synced }).label;
    expect(badge('available', true)).toBe('Synced');
    expect(badge('available')).toBe('Plain');
    expect(badge('instrumental')).toBe('Instrumental');
    expect(badge('unavailable')).toBe('Not found');
    expect(badge('failed')).toBe('Failed');
    expect(badge('not_fetched')).toBe('Not fetched');
    expect(badge('fetching')).toBe('Fetching');
  });

  it('words a write-back summary in one line', () => {
    const summary = {
      mode: 'sidecar' as const,
      dry_run: false,
      written: 12,
      unchanged: 0,
      skipped: 1,
      failed: 0,
      cleaned: 0,
    };
    expect(writeBackText(summary, 'en-US')).toBe('Wrote 12 files beside your music; 1 skipped, 0 failed');
    expect(writeBackText({ ...summary, dry_run: true, written: 1 }, 'en-US')).toBe(
      'Dry run: would write 1 file beside your music; 1 skipped, 0 failed',
    );
    expect(writeBackText({ ...summary, mode: 'embed', written: 1200, unchanged: 3 }, 'en-US')).toBe(
      'Wrote tags in 1,200 files; 3 already up to date, 1 skipped, 0 failed',
    );
    expect(writeBackText({ ...summary, mode: 'embed', dry_run: true }, 'en-US')).toBe(
      'Dry run: would write tags in 12 files; 1 skipped, 0 failed',
    );
    expect(writeBackText({ ...summary, cleaned: 2 }, 'en-US')).toBe(
      'Wrote 12 files beside your music; 1 skipped, 0 failed; removed 2 leftover temporary files',
    );
  });
});
