// Allowed ranges and defaults of the enrichment settings, for inline feedback in the settings
// form and for the fake backend. They mirror `crates/engine/src/enrich/config.rs`
// (`EnrichmentConfig::default` and the `*_RANGE` constants). The backend re-validates every
// `save_settings` and is authoritative: if the two ever disagree, its `invalid_config` details
// are shown next to the fields just the same.

import type { ConfigError } from '../bindings/ConfigError';
import type { EnrichmentConfig } from '../bindings/EnrichmentConfig';
import { formatCount } from './format';

/** The settings that are numbers (all of them bounded). */
export type NumericSetting = {
  [K in keyof EnrichmentConfig]: EnrichmentConfig[K] extends number ? K : never;
}[keyof EnrichmentConfig];

/** The settings that are switches. */
export type BooleanSetting = {
  [K in keyof EnrichmentConfig]: EnrichmentConfig[K] extends boolean ? K : never;
}[keyof EnrichmentConfig];

export interface SettingRange {
  min: number;
  max: number;
}

/** Inclusive ranges. `Record` makes a new numeric field in the Rust type a type error here. */
export const SETTING_RANGES: Record<NumericSetting, SettingRange> = {
  batch_size: { min: 1, max: 10_000 },
  max_concurrent: { min: 1, max: 64 },
  max_retries: { min: 0, max: 10 },
  base_retry_delay_ms: { min: 1, max: 60_000 },
  operation_timeout_secs: { min: 1, max: 600 },
  not_found_max_age_days: { min: 0, max: 3650 },
};

/** In the order `validate_all` checks them. */
export const NUMERIC_SETTINGS = Object.keys(SETTING_RANGES) as NumericSetting[];

export const DEFAULT_SETTINGS: Readonly<EnrichmentConfig> = Object.freeze({
  batch_size: 50,
  max_concurrent: 5,
  enable_artwork: true,
  enable_lyrics: true,
  require_wifi: false,
  max_retries: 3,
  base_retry_delay_ms: 100,
  operation_timeout_secs: 30,
  not_found_max_age_days: 30,
  write_back: 'off',
});

export function isNumericSetting(field: string): field is NumericSetting {
  return Object.hasOwn(SETTING_RANGES, field);
}

/** A whole, non-negative decimal number ("42", " 7 "), else `null` ("", "1.5", "-3", "1e3"). */
export function parseWholeNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,15}$/.test(trimmed)) return null;
  return Number(trimmed);
}

/** `null` when `value` is allowed for `field`, else the same `ConfigError` Rust reports. */
export function checkSetting(field: NumericSetting, value: number): ConfigError | null {
  const { min, max } = SETTING_RANGES[field];
  if (Number.isInteger(value) && value >= min && value <= max) return null;
  return { field, value, min, max };
}

/** Every out-of-range setting, like `EnrichmentConfig::validate_all`. */
export function validateSettings(config: EnrichmentConfig): ConfigError[] {
  return NUMERIC_SETTINGS.map((field) => checkSetting(field, config[field])).filter(
    (error): error is ConfigError => error !== null,
  );
}

/** "Between 1 and 64" (grouped for the locale: "Between 1 and 10,000"). */
export function rangeMessage(range: SettingRange, locale?: string): string {
  return `Between ${formatCount(range.min, locale)} and ${formatCount(range.max, locale)}`;
}

/**
 * The inline message for what the user typed into a numeric field, or `null` when it is fine.
 * Not a whole number: "Enter a whole number between 1 and 64"; out of range: "Between 1 and 64".
 */
export function fieldError(field: NumericSetting, text: string, locale?: string): string | null {
  const range = SETTING_RANGES[field];
  const value = parseWholeNumber(text);
  if (value === null) {
    return `Enter a whole number ${rangeMessage(range, locale).toLowerCase()}`;
  }
  return checkSetting(field, value) === null ? null : rangeMessage(range, locale);
}

/** Whether `value` looks like the `ConfigError[]` of an `invalid_config` rejection. */
export function isConfigErrorList(value: unknown): value is ConfigError[] {
  return (
    Array.isArray(value) &&
    value.every(
      (item) =>
        typeof item === 'object' &&
        item !== null &&
        typeof (item as Record<string, unknown>).field === 'string' &&
        typeof (item as Record<string, unknown>).min === 'number' &&
        typeof (item as Record<string, unknown>).max === 'number',
    )
  );
}
