import { describe, expect, it } from 'vitest';
import { XSS_STRING, providerRequests, providerRunsFixture, runResultFixture } from './fixtures';
import {
  providerFigures,
  providerRows,
  providerTotal,
  runProviderParts,
  runRows,
  savingsShort,
  savingsText,
  splitProvider,
} from './providerStats';

const locale = 'en-US';

describe('providerRows', () => {
  it('orders the providers as Settings does, each image server under its API', () => {
    // The engine sends them by name.
    const engineOrder = [...runResultFixture().requests!].sort((a, b) => a.provider.localeCompare(b.provider));
    const rows = providerRows(engineOrder, locale);
    expect(rows.map((r) => [r.label, r.sub])).toEqual([
      ['LRCLIB', false],
      ['MusicBrainz', false],
      ['Cover Art Archive', false],
      ['Deezer', false],
      ['Deezer images', true],
      ['iTunes', false],
      ['iTunes images', true],
    ]);
  });

  it('formats every figure, marks throttles and errors, and says "—" for a time not measured', () => {
    const [row] = providerRows(
      [
        providerRequests('musicbrainz', 1060, {
          throttled: 12,
          failed: 2,
          retries: 14,
          bytes: 2_100_000,
          found: 1000,
          not_found: 48,
          latency_p50_ms: 330,
          latency_p95_ms: null,
        }),
      ],
      locale,
    );
    expect(row.figures).toEqual({
      requests: '1,060',
      found: '1,000',
      notFound: '48',
      throttled: '12',
      errors: '2',
      retries: '14',
      p50: '330 ms',
      p95: '—',
      received: '2.1 MB',
    });
    expect(row.warnings).toEqual({ throttled: true, errors: true });
    expect(providerFigures(providerRequests('lrclib', 0), locale)).toMatchObject({
      p50: '—',
      p95: '—',
      received: '0 B',
    });
  });

  it('keeps an image server without its API as a row of its own, and unknown providers after the known', () => {
    const rows = providerRows(
      [providerRequests(XSS_STRING, 1), providerRequests('itunes images', 3), providerRequests('lrclib', 2)],
      locale,
    );
    expect(rows.map((r) => [r.key, r.label, r.sub])).toEqual([
      ['lrclib', 'LRCLIB', false],
      ['itunes images', 'iTunes images', false],
      [XSS_STRING, XSS_STRING, false],
    ]);
    expect(splitProvider('deezer images')).toEqual({ api: 'deezer', images: true });
    expect(splitProvider('deezer')).toEqual({ api: 'deezer', images: false });
  });

  it('adds every provider up, the image servers included, but not their times', () => {
    const total = providerTotal(runResultFixture().requests!);
    expect(total).toMatchObject({
      sent: 1206 + 1060 + 1048 + 348 + 150 + 198 + 30,
      throttled: 12,
      failed: 6,
      retries: 18,
      found: 980 + 1000 + 500 + 150 + 30,
      not_found: 214 + 48 + 48 + 198 + 168,
      bytes: 3_400_000 + 2_100_000 + 268_000_000 + 1_200_000 + 45_000_000 + 640_000 + 7_800_000,
      latency_p50_ms: null,
      latency_p95_ms: null,
    });
  });
});

describe('savings', () => {
  it('says what was not asked again and what was on disk, leaving out what is zero', () => {
    const all = { remembered_artwork: 3, remembered_lyrics: 40, local_artwork: 12 };
    expect(savingsText(all, locale)).toBe(
      "Not asked again: 3 albums' artwork and 40 tracks' lyrics (nothing found recently); 12 albums' artwork found on disk",
    );
    expect(savingsText({ remembered_artwork: 1, remembered_lyrics: 0, local_artwork: 0 }, locale)).toBe(
      "Not asked again: 1 album's artwork (nothing found recently)",
    );
    expect(savingsText({ remembered_artwork: 0, remembered_lyrics: 1, local_artwork: 1 }, locale)).toBe(
      "Not asked again: 1 track's lyrics (nothing found recently); 1 album's artwork found on disk",
    );
    expect(savingsText({ remembered_artwork: 0, remembered_lyrics: 0, local_artwork: 1200 }, locale)).toBe(
      "Not asked: 1,200 albums' artwork found on disk",
    );
    expect(savingsText({ remembered_artwork: 0, remembered_lyrics: 0, local_artwork: 0 }, locale)).toBe(
      'Nothing skipped yet: every lookup was asked of a provider.',
    );
    expect(savingsShort(all, locale)).toBe('3 artwork, 40 lyrics not asked again; 12 on disk');
    expect(savingsShort({ remembered_artwork: 0, remembered_lyrics: 0, local_artwork: 0 }, locale)).toBe('None');
  });
});

describe('recent runs', () => {
  const now = Date.UTC(2024, 4, 1, 12, 0, 0) / 1000;

  it('says when each run started, how long it took, and its requests per provider', () => {
    const rows = runRows(providerRunsFixture(now), null, locale, 'UTC');
    expect(rows.map((r) => [r.jobId, r.started, r.took, r.requests, r.saved])).toEqual([
      [3, 'May 1, 2024, 11:00 AM', 'Interrupted', '764', '2 artwork, 25 lyrics not asked again; 4 on disk'],
      [2, 'Apr 29, 2024, 12:00 PM', '18 min', '122', '1 artwork, 15 lyrics not asked again; 5 on disk'],
      [1, 'Apr 22, 2024, 12:00 PM', '42 min', '0', '3 on disk'],
    ]);
    expect(rows[0].providers.map((p) => p.text)).toEqual([
      'LRCLIB 322',
      'MusicBrainz 140',
      'Cover Art Archive 250',
      'Deezer 40 + 12 images',
    ]);
    expect(rows[2].providers).toEqual([]);
    // The job running now has no end yet: it runs.
    const running = runRows(providerRunsFixture(now), 3, locale, 'UTC')[0];
    expect(running).toMatchObject({ took: 'Running', running: true });
  });

  it('names an image server without its API by itself', () => {
    expect(runProviderParts([providerRequests('itunes images', 4)], locale)).toEqual([
      { key: 'itunes images', text: 'iTunes images 4' },
    ]);
  });
});
