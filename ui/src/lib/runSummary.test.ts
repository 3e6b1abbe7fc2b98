import { describe, expect, it } from 'vitest';
import { providerRequests } from './fixtures';
import {
  elapsedMs,
  formatBytes,
  formatLatency,
  requestCountText,
  requestProviderName,
  requestRows,
  runOutcomeText,
  sourceName,
  sourceRows,
  sourceTotal,
  tracksText,
} from './runSummary';

const locale = 'en-US';

describe('sourceName', () => {
  it('names every source the engine reports for people', () => {
    expect(sourceName('coverartarchive')).toBe('Cover Art Archive');
    expect(sourceName('itunes')).toBe('iTunes');
    expect(sourceName('deezer')).toBe('Deezer');
    expect(sourceName('embedded')).toBe('embedded in the files');
    expect(sourceName('folder')).toBe('cover file in the folder');
    expect(sourceName('lrclib')).toBe('LRCLIB');
    expect(sourceName('instrumental')).toBe('instrumental');
  });

  it('shows a source it does not know as it comes', () => {
    expect(sourceName('discogs')).toBe('discogs');
    expect(sourceName('')).toBe('');
    // Not fooled by names of Object.prototype.
    expect(sourceName('constructor')).toBe('constructor');
    expect(sourceName('toString')).toBe('toString');
  });
});

describe('requestProviderName', () => {
  it('names providers and their image servers', () => {
    expect(requestProviderName('musicbrainz')).toBe('MusicBrainz');
    expect(requestProviderName('coverartarchive')).toBe('Cover Art Archive');
    expect(requestProviderName('lrclib')).toBe('LRCLIB');
    expect(requestProviderName('itunes images')).toBe('iTunes images');
    expect(requestProviderName('deezer images')).toBe('Deezer images');
  });

  it('shows a provider it does not know as it comes', () => {
    expect(requestProviderName('discogs')).toBe('discogs');
    expect(requestProviderName('discogs images')).toBe('discogs images');
    expect(requestProviderName(' images')).toBe(' images');
  });
});

describe('sourceRows / sourceTotal', () => {
  it('lists the sources that found something, most first, ties by name', () => {
    const rows = sourceRows({ itunes: 40, coverartarchive: 312, embedded: 40, folder: 0, discogs: 2 });
    expect(rows).toEqual([
      { source: 'coverartarchive', label: 'Cover Art Archive', count: 312 },
      { source: 'embedded', label: 'embedded in the files', count: 40 },
      { source: 'itunes', label: 'iTunes', count: 40 },
      { source: 'discogs', label: 'discogs', count: 2 },
    ]);
    expect(sourceTotal({ itunes: 40, coverartarchive: 312, embedded: 40, folder: 0, discogs: 2 })).toBe(394);
  });

  it('leaves out missing, negative and non-numbers', () => {
    const counts = { lrclib: 3, instrumental: undefined, x: -1, y: Number.NaN } as Partial<Record<string, number>>;
    expect(sourceRows(counts).map((r) => r.source)).toEqual(['lrclib']);
    expect(sourceRows({})).toEqual([]);
    expect(sourceTotal({})).toBe(0);
  });
});

describe('formatBytes', () => {
  it('says bytes in decimal units, one decimal below 10', () => {
    expect(formatBytes(0, locale)).toBe('0 B');
    expect(formatBytes(512, locale)).toBe('512 B');
    expect(formatBytes(999, locale)).toBe('999 B');
    expect(formatBytes(1000, locale)).toBe('1.0 kB');
    expect(formatBytes(1500, locale)).toBe('1.5 kB');
    expect(formatBytes(340_000, locale)).toBe('340 kB');
    expect(formatBytes(2_400_000, locale)).toBe('2.4 MB');
    expect(formatBytes(268_000_000, locale)).toBe('268 MB');
    expect(formatBytes(3_400_000_000, locale)).toBe('3.4 GB');
    expect(formatBytes(12_000_000_000_000, locale)).toBe('12 TB');
  });

  it('moves to the next unit rather than say 1,000 of one', () => {
    expect(formatBytes(999_999, locale)).toBe('1.0 MB');
    expect(formatBytes(9_960_000, locale)).toBe('10 MB');
    expect(formatBytes(9_940_000, locale)).toBe('9.9 MB');
    // No unit above TB: counted in TB.
    expect(formatBytes(5_000_000_000_000_000, locale)).toBe('5,000 TB');
  });

  it('follows the locale, and says "—" for what is not a size', () => {
    expect(formatBytes(1500, 'de-DE')).toBe('1,5 kB');
    expect(formatBytes(-1, locale)).toBe('—');
    expect(formatBytes(Number.NaN, locale)).toBe('—');
    expect(formatBytes(Number.POSITIVE_INFINITY, locale)).toBe('—');
  });
});

describe('requestCountText / requestRows', () => {
  const ok = providerRequests('lrclib', 1204, { bytes: 3_400_000 });

  it('says throttled and failed only when not zero, and the median time when measured', () => {
    expect(requestCountText(ok, locale)).toBe('1,204');
    expect(requestCountText({ ...ok, throttled: 3 }, locale)).toBe('1,204 (3 throttled)');
    expect(requestCountText({ ...ok, failed: 1 }, locale)).toBe('1,204 (1 failed)');
    expect(requestCountText({ ...ok, throttled: 3, failed: 1 }, locale)).toBe('1,204 (3 throttled, 1 failed)');
    expect(requestCountText({ ...ok, latency_p50_ms: 80, latency_p95_ms: 240 }, locale)).toBe('1,204 (p50 80 ms)');
    expect(requestCountText({ ...ok, throttled: 3, latency_p50_ms: 1240.4 }, locale)).toBe(
      '1,204 (3 throttled, p50 1,240 ms)',
    );
  });

  it('makes one row per provider, in the order given', () => {
    const rows = requestRows(
      [
        providerRequests('musicbrainz', 1060, { throttled: 12, bytes: 2_100_000, latency_p50_ms: 330 }),
        providerRequests('itunes images', 150, { bytes: 45_000_000 }),
        ok,
      ],
      locale,
    );
    expect(rows).toEqual([
      {
        provider: 'musicbrainz',
        label: 'MusicBrainz',
        requests: '1,060 (12 throttled, p50 330 ms)',
        received: '2.1 MB',
        troubled: true,
      },
      { provider: 'itunes images', label: 'iTunes images', requests: '150', received: '45 MB', troubled: false },
      { provider: 'lrclib', label: 'LRCLIB', requests: '1,204', received: '3.4 MB', troubled: false },
    ]);
    expect(requestRows([], locale)).toEqual([]);
  });
});

describe('formatLatency', () => {
  it('says milliseconds, whole and grouped, and "—" when none was measured', () => {
    expect(formatLatency(80, locale)).toBe('80 ms');
    expect(formatLatency(79.6, locale)).toBe('80 ms');
    expect(formatLatency(12_345, locale)).toBe('12,345 ms');
    expect(formatLatency(0, locale)).toBe('0 ms');
    expect(formatLatency(null, locale)).toBe('—');
    expect(formatLatency(undefined, locale)).toBe('—');
    expect(formatLatency(Number.NaN, locale)).toBe('—');
    expect(formatLatency(-1, locale)).toBe('—');
  });
});

describe('the rest of the card', () => {
  it('says how the run ended', () => {
    expect(runOutcomeText({ cancelled: false })).toBe('Finished');
    expect(runOutcomeText({ cancelled: true })).toBe('Cancelled: what the run did before it stopped');
  });

  it('counts tracks', () => {
    expect(tracksText(1, locale)).toBe('1 track');
    expect(tracksText(0, locale)).toBe('0 tracks');
    expect(tracksText(1234, locale)).toBe('1,234 tracks');
  });

  it('measures the run between two readings of one clock, when both are known', () => {
    expect(elapsedMs(1000, 186_000)).toBe(185_000);
    expect(elapsedMs(5, 5)).toBe(0);
    expect(elapsedMs(null, 5)).toBeNull();
    expect(elapsedMs(5, null)).toBeNull();
    // A clock that went backwards says nothing true.
    expect(elapsedMs(10, 5)).toBeNull();
  });
});
