// Allowed ranges and defaults of the enrichment settings, for inline feedback in the settings
// form and for the fake backend. They come from `../bindings/rules.json`, which a Rust test
// writes from the engine's own `SettingsRules::current()` (`make test` fails when the committed
// file is stale), so the form can never offer a range or a default the engine does not have.
// The backend re-validates every `save_settings` and is authoritative.

import type { ConfigError } from '../bindings/ConfigError';
import type { EnrichmentConfig } from '../bindings/EnrichmentConfig';
import type { SettingsRules } from '../bindings/SettingsRules';
import rulesJson from '../bindings/rules.json';
import { formatCount } from './format';

/** The engine's rules, as the Rust type describes them. */
export const RULES: SettingsRules = rulesJson as SettingsRules;

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

/** Inclusive ranges, by setting. */
export const SETTING_RANGES = Object.freeze(
  Object.fromEntries(RULES.ranges.map(({ field, min, max }) => [field, { min, max }])),
) as Readonly<Record<NumericSetting, SettingRange>>;

/** In the order `validate_all` checks them. */
export const NUMERIC_SETTINGS = RULES.ranges.map((r) => r.field) as NumericSetting[];

export const DEFAULT_SETTINGS: Readonly<EnrichmentConfig> = Object.freeze({ ...RULES.defaults });

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
