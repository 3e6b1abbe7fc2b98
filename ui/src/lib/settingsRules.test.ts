import { describe, expect, it } from 'vitest';
import type { EnrichmentConfig } from '../bindings/EnrichmentConfig';
import {
  DEFAULT_SETTINGS,
  NUMERIC_SETTINGS,
  SETTING_RANGES,
  checkSetting,
  fieldError,
  isConfigErrorList,
  isNumericSetting,
  parseWholeNumber,
  rangeMessage,
  validateSettings,
} from './settingsRules';

describe('settingsRules', () => {
  it('has a range, from the engine, for every numeric setting, and valid frozen defaults', () => {
    const numeric = Object.entries(DEFAULT_SETTINGS)
      .filter(([, value]) => typeof value === 'number')
      .map(([field]) => field)
      .sort();
    expect([...NUMERIC_SETTINGS].sort()).toEqual(numeric);
    for (const field of NUMERIC_SETTINGS) {
      const { min, max } = SETTING_RANGES[field];
      expect(min).toBeLessThanOrEqual(max);
    }
    expect(validateSettings(DEFAULT_SETTINGS)).toEqual([]);
    expect(Object.isFrozen(DEFAULT_SETTINGS)).toBe(true);
  });

  it('accepts both ends of each range and refuses one past them', () => {
    for (const field of NUMERIC_SETTINGS) {
      const { min, max } = SETTING_RANGES[field];
      expect(checkSetting(field, min)).toBeNull();
      expect(checkSetting(field, max)).toBeNull();
      expect(checkSetting(field, max + 1)).toEqual({ field, value: max + 1, min, max });
      if (min > 0) expect(checkSetting(field, min - 1)).toEqual({ field, value: min - 1, min, max });
    }
    expect(checkSetting('max_concurrent', 2.5)).not.toBeNull();
  });

  it('lists every problem like validate_all', () => {
    const config: EnrichmentConfig = {
      ...DEFAULT_SETTINGS,
      batch_size: 0,
      max_concurrent: 65,
      not_found_max_age_days: 4000,
    };
    expect(validateSettings(config)).toEqual([
      { field: 'batch_size', value: 0, min: 1, max: 10000 },
      { field: 'max_concurrent', value: 65, min: 1, max: 64 },
      { field: 'not_found_max_age_days', value: 4000, min: 0, max: 3650 },
    ]);
  });

  it('parses whole numbers only', () => {
    expect(parseWholeNumber('42')).toBe(42);
    expect(parseWholeNumber(' 7 ')).toBe(7);
    expect(parseWholeNumber('0')).toBe(0);
    for (const bad of ['', ' ', '1.5', '-3', '1e3', '12abc', '+4', '0x10', '9'.repeat(16)]) {
      expect(parseWholeNumber(bad), bad).toBeNull();
    }
  });

  it('words the inline messages with the allowed range', () => {
    expect(fieldError('max_concurrent', '5', 'en-US')).toBeNull();
    expect(fieldError('max_concurrent', '65', 'en-US')).toBe('Between 1 and 64');
    expect(fieldError('max_concurrent', '0', 'en-US')).toBe('Between 1 and 64');
    expect(fieldError('batch_size', '20000', 'en-US')).toBe('Between 1 and 10,000');
    expect(fieldError('max_retries', '', 'en-US')).toBe('Enter a whole number between 0 and 10');
    expect(fieldError('max_retries', '2.5', 'en-US')).toBe('Enter a whole number between 0 and 10');
    expect(rangeMessage({ min: 0, max: 3650 }, 'en-US')).toBe('Between 0 and 3,650');
  });

  it('recognises ConfigError lists and numeric setting names', () => {
    expect(isConfigErrorList([{ field: 'batch_size', value: 0, min: 1, max: 10 }])).toBe(true);
    expect(isConfigErrorList([])).toBe(true);
    expect(isConfigErrorList([{ field: 'batch_size' }])).toBe(false);
    expect(isConfigErrorList({ field: 'batch_size', min: 1, max: 2 })).toBe(false);
    expect(isConfigErrorList(undefined)).toBe(false);
    expect(isNumericSetting('max_retries')).toBe(true);
    expect(isNumericSetting('enable_lyrics')).toBe(false);
    expect(isNumericSetting('toString')).toBe(false);
  });
});
