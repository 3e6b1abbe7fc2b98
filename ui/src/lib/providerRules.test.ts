import { describe, expect, it } from 'vitest';
import rules from '../bindings/rules.json';
import {
  DEFAULT_PROVIDERS,
  IN_FLIGHT_MAX,
  IN_FLIGHT_MIN,
  completeProviders,
  inFlightError,
  isHttpUrl,
  isValidInFlight,
  isProviderProblemList,
  parseRate,
  providerLabel,
  providerRole,
  providerProblems,
  naturalUnit,
  perUnit,
  providerRows,
  rateError,
  rowsToProviders,
  toRequestsPerSecond,
  withUnit,
  sameProviders,
  urlError,
} from './providerRules';

describe('providerRules', () => {
  it('has valid engine defaults with a label and a role each', () => {
    expect(providerProblems(DEFAULT_PROVIDERS)).toEqual([]);
    for (const p of DEFAULT_PROVIDERS) {
      expect(providerLabel(p.name), 'a name for people').not.toBe(p.name);
      expect(providerRole(p.name)).not.toBeNull();
    }
    expect(providerLabel('coverartarchive')).toBe('Cover Art Archive');
    expect(providerLabel('someday')).toBe('someday');
    expect(providerRole('someday')).toBeNull();
  });

  it('accepts http(s) URLs with a host only', () => {
    for (const url of [
      'https://lrclib.net',
      'http://localhost:3000',
      'https://proxy.example/lrclib/',
      'http://[::1]:8080',
    ]) {
      expect(isHttpUrl(url), url).toBe(true);
    }
    for (const url of ['', 'lrclib.net', 'ftp://lrclib.net', 'file:///etc/passwd', 'https://', 'javascript:alert(1)']) {
      expect(isHttpUrl(url), url).toBe(false);
    }
    expect(urlError(' https://lrclib.net ')).toBeNull();
    expect(urlError('ftp://x')).toBe('Enter an http:// or https:// address with a host name');
  });

  it('parses plain decimal rates and words the range', () => {
    expect(parseRate('5')).toBe(5);
    expect(parseRate(' 0.25 ')).toBe(0.25);
    expect(parseRate('.5')).toBe(0.5);
    for (const text of ['', 'abc', '-1', '1e3', '1,5', 'Infinity']) expect(parseRate(text), text).toBeNull();
    expect(rateError('10', 'en-US')).toBeNull();
    expect(rateError('1000', 'en-US')).toBeNull();
    expect(rateError('0', 'en-US')).toBe('Must be above 0, at most 1,000');
    expect(rateError('1000.5', 'en-US')).toBe('Must be above 0, at most 1,000');
    expect(rateError('fast', 'en-US')).toBe('Enter a number above 0, at most 1,000');
  });

  it('finds every problem with the engine’s messages', () => {
    const problems = providerProblems([
      { name: 'lrclib', enabled: true, base_url: 'ftp://lrclib.net', requests_per_second: 0, max_in_flight: 65 },
      { name: 'lrclib', enabled: true, base_url: 'https://lrclib.net', requests_per_second: 5, max_in_flight: 2 },
      { name: 'napster', enabled: false, base_url: 'https://napster.com', requests_per_second: 1001, max_in_flight: 0 },
    ]);
    expect(problems).toEqual([
      { name: 'lrclib', field: 'base_url', message: 'provider lrclib: "ftp://lrclib.net" is not an http(s) URL' },
      {
        name: 'lrclib',
        field: 'requests_per_second',
        message: 'provider lrclib: requests per second must be above 0 and at most 1000, got 0',
      },
      {
        name: 'lrclib',
        field: 'max_in_flight',
        message: 'provider lrclib: requests at once must be a whole number from 1 to 64, got 65',
      },
      { name: 'lrclib', field: 'name', message: 'provider lrclib is listed twice' },
      {
        name: 'napster',
        field: 'name',
        message: 'unknown provider "napster" (this build has: lrclib, musicbrainz, coverartarchive, deezer, itunes)',
      },
      {
        name: 'napster',
        field: 'requests_per_second',
        message: 'provider napster: requests per second must be above 0 and at most 1000, got 1001',
      },
      {
        name: 'napster',
        field: 'max_in_flight',
        message: 'provider napster: requests at once must be a whole number from 1 to 64, got 0',
      },
    ]);
    expect(isProviderProblemList(problems)).toBe(true);
    expect(isProviderProblemList([{ field: 'batch_size', value: 0, min: 1, max: 10 }])).toBe(false);
    expect(isProviderProblemList(null)).toBe(false);
  });

  it('completes a saved list like the engine: unknown and repeated dropped, missing appended', () => {
    const saved = [
      {
        name: 'itunes',
        enabled: false,
        base_url: 'https://itunes.apple.com',
        requests_per_second: 2,
        max_in_flight: 3,
      },
      { name: 'napster', enabled: true, base_url: 'https://napster.com', requests_per_second: 1, max_in_flight: 1 },
      { name: 'itunes', enabled: true, base_url: 'https://x.example', requests_per_second: 3, max_in_flight: 1 },
      { name: 'lrclib', enabled: true, base_url: 'https://lrclib.example', requests_per_second: 5, max_in_flight: 16 },
    ];
    expect(completeProviders(saved).map((p) => p.name)).toEqual([
      'itunes',
      'lrclib',
      'musicbrainz',
      'coverartarchive',
      'deezer',
    ]);
    expect(completeProviders(saved)[0]).toEqual(saved[0]);
    expect(completeProviders(saved)[1].max_in_flight).toBe(16);
  });

  it('fills in the default requests at once of a list saved before the setting existed (0)', () => {
    const saved = [
      { name: 'lrclib', enabled: true, base_url: 'https://lrclib.example', requests_per_second: 5, max_in_flight: 0 },
      {
        name: 'coverartarchive',
        enabled: true,
        base_url: 'https://coverartarchive.org',
        requests_per_second: 10,
        max_in_flight: 0,
      },
    ];
    const completed = completeProviders(saved);
    expect(completed.map((p) => [p.name, p.max_in_flight])).toEqual([
      ['lrclib', 2],
      ['coverartarchive', 4],
      ['musicbrainz', 1],
      ['deezer', 2],
      ['itunes', 1],
    ]);
    expect(completed[0].base_url).toBe('https://lrclib.example');
    // Not the saved list itself.
    expect(saved[0].max_in_flight).toBe(0);
  });

  it('has the engine’s default order and requests at once: Deezer before the scarce iTunes', () => {
    expect(DEFAULT_PROVIDERS.map((p) => [p.name, p.max_in_flight])).toEqual([
      ['lrclib', 2],
      ['musicbrainz', 1],
      ['coverartarchive', 4],
      ['deezer', 2],
      ['itunes', 1],
    ]);
  });

  it('checks requests at once against the engine’s bounds, as a whole number', () => {
    // From rules.json, not written here.
    expect([IN_FLIGHT_MIN, IN_FLIGHT_MAX]).toEqual([rules.in_flight_min, rules.in_flight_max]);
    expect(isValidInFlight(IN_FLIGHT_MIN)).toBe(true);
    expect(isValidInFlight(IN_FLIGHT_MAX)).toBe(true);
    expect(isValidInFlight(16)).toBe(true);
    for (const value of [IN_FLIGHT_MIN - 1, IN_FLIGHT_MAX + 1, 2.5, Number.NaN, -1]) {
      expect(isValidInFlight(value), String(value)).toBe(false);
    }
    expect(inFlightError('4', 'en-US')).toBeNull();
    expect(inFlightError(' 16 ', 'en-US')).toBeNull();
    expect(inFlightError('64', 'en-US')).toBeNull();
    expect(inFlightError('0', 'en-US')).toBe('Between 1 and 64');
    expect(inFlightError('65', 'en-US')).toBe('Between 1 and 64');
    for (const text of ['2.5', '', 'many', '-1', '1e1']) {
      expect(inFlightError(text, 'en-US'), text).toBe('Enter a whole number between 1 and 64');
    }
  });

  it('keeps the requests at once as typed in a row, and saves them as a number', () => {
    const rows = providerRows(DEFAULT_PROVIDERS);
    expect(rows.map((row) => row.inFlight)).toEqual(['2', '1', '4', '2', '1']);
    rows[0].inFlight = ' 16 ';
    const edited = rowsToProviders(rows);
    expect(edited[0].max_in_flight).toBe(16);
    // A change of requests at once alone is a change.
    expect(sameProviders(edited, DEFAULT_PROVIDERS)).toBe(false);
    rows[0].inFlight = '2';
    expect(sameProviders(rowsToProviders(rows), DEFAULT_PROVIDERS)).toBe(true);
    rows[0].inFlight = '2.5';
    expect(rowsToProviders(rows)[0].max_in_flight).toBeNaN();
  });

  it('shows each pace per second or per minute, whichever reads naturally', () => {
    const rows = providerRows(DEFAULT_PROVIDERS);
    const shown = Object.fromEntries(rows.map((row) => [row.name, `${row.rate} per ${row.unit}`]));
    expect(shown).toEqual({
      lrclib: '5 per second',
      musicbrainz: '1 per second',
      coverartarchive: '10 per second',
      itunes: '20 per minute',
      deezer: '10 per second',
    });
    expect(naturalUnit(0.5)).toBe('minute');
    expect(naturalUnit(1)).toBe('second');
    expect(perUnit(0.25, 'minute')).toBe(15);
    expect(toRequestsPerSecond(30, 'minute')).toBe(0.5);
  });

  it('validates a pace in its unit, against the per-second bounds', () => {
    expect(rateError('60000', 'en-US', 'minute')).toBeNull();
    expect(rateError('0.5', 'en-US', 'minute')).toBeNull();
    expect(rateError('60001', 'en-US', 'minute')).toBe('Must be above 0, at most 60,000');
    expect(rateError('0', 'en-US', 'minute')).toBe('Must be above 0, at most 60,000');
    expect(rateError('often', 'en-US', 'minute')).toBe('Enter a number above 0, at most 60,000');
    expect(rateError('1000', 'en-US', 'second')).toBeNull();
  });

  it('converts a pace when its unit changes, and saves requests per second', () => {
    const rows = providerRows(DEFAULT_PROVIDERS);
    const itunes = rows.findIndex((row) => row.name === 'itunes');
    const perSecond = withUnit(rows[itunes], 'second');
    expect(perSecond).toMatchObject({ rate: '0.333333', unit: 'second' });
    // Back per minute, untouched: the exact 1/3 is saved, not 0.333333.
    const back = withUnit(perSecond, 'minute');
    expect(back).toMatchObject({ rate: '20', unit: 'minute' });
    expect(rowsToProviders([back])[0].requests_per_second).toBe(1 / 3);
    // LRCLIB typed per minute: 120 a minute is saved as 2 a second.
    const lrclib = withUnit({ ...rows[0], rate: '2' }, 'minute');
    expect(lrclib.rate).toBe('120');
    expect(rowsToProviders([{ ...lrclib, rate: '90' }])[0].requests_per_second).toBe(1.5);
    // Not a number: kept as typed, in the new unit.
    expect(withUnit({ ...rows[0], rate: 'x' }, 'minute')).toMatchObject({ rate: 'x', unit: 'minute' });
    expect(withUnit(rows[0], 'second')).toBe(rows[0]);
  });

  it('shows 1/3 a second as 20 a minute but keeps it exact unless edited', () => {
    const rows = providerRows(DEFAULT_PROVIDERS);
    // iTunes comes last: after LRCLIB, MusicBrainz, the Cover Art Archive and Deezer.
    const itunes = 4; // (0-based)
    expect(rows[itunes].rate).toBe('20');
    expect(rows[itunes].unit).toBe('minute');
    expect(rowsToProviders(rows)).toEqual(DEFAULT_PROVIDERS);
    expect(sameProviders(rowsToProviders(rows), DEFAULT_PROVIDERS)).toBe(true);
    rows[itunes].rate = '30';
    rows[0].base_url = ' https://lrclib.example ';
    const edited = rowsToProviders(rows);
    expect(edited[itunes].requests_per_second).toBe(0.5);
    expect(edited[0].base_url).toBe('https://lrclib.example');
    expect(sameProviders(edited, DEFAULT_PROVIDERS)).toBe(false);
    rows[itunes].rate = 'x';
    expect(rowsToProviders(rows)[itunes].requests_per_second).toBeNaN();
    // Order matters.
    expect(sameProviders([...DEFAULT_PROVIDERS].reverse(), DEFAULT_PROVIDERS)).toBe(false);
  });
});
