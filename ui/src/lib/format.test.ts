import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatCount } from './format';

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
