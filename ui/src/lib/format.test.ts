import { afterEach, describe, expect, it, vi } from 'vitest';
import { capitalize, formatCount, formatDuration, formatRate, operationLabel } from './format';

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
    expect(capitalize('waiting for WiFi (now on ethernet (eth0))')).toBe(
      'Waiting for WiFi (now on ethernet (eth0))',
    );
    expect(capitalize('')).toBe('');
  });
});
