// The providers' defaults and what a valid provider setting is, for inline feedback in the
// settings form and for the fake backend. The defaults and the bounds of the pace and of the
// requests at once come from the engine (`../bindings/rules.json`, written by a Rust test); the
// checks mirror `crates/engine/src/config/providers.rs` (`problems`, `complete`). The backend re-validates
// every `save_providers` and is authoritative: its `invalid_config` details are shown next to
// the fields just the same.

import type { ProviderId } from '../bindings/ProviderId';
import type { ProviderProblem } from '../bindings/ProviderProblem';
import type { ProviderSettings } from '../bindings/ProviderSettings';
import { formatCount } from './format';
import { RULES, parseWholeNumber, rangeMessage } from './settingsRules';

/**
 * Every provider, on, at its default endpoint, pace and requests at once, in the default order
 * (the engine's `providers::defaults()`; the artwork chain follows it: the scarce iTunes last).
 */
export const DEFAULT_PROVIDERS: readonly Readonly<ProviderSettings>[] = Object.freeze(
  RULES.providers.map((p) => Object.freeze({ ...p })),
);

export const KNOWN_PROVIDERS: readonly string[] = DEFAULT_PROVIDERS.map((p) => p.name);

/** Names for people; an unknown provider is shown by its raw name. */
const PROVIDER_LABELS: Record<ProviderId, string> = {
  lrclib: 'LRCLIB',
  musicbrainz: 'MusicBrainz',
  itunes: 'iTunes',
  deezer: 'Deezer',
  coverartarchive: 'Cover Art Archive',
};

/** What each provider is asked for. */
const PROVIDER_ROLES: Record<ProviderId, string> = {
  lrclib: 'Lyrics',
  musicbrainz: 'Album lookup',
  itunes: 'Artwork',
  deezer: 'Artwork',
  coverartarchive: 'Artwork',
};

/** Whether this build has a provider called `name` (a saved list may name others). */
export function isProviderId(name: string): name is ProviderId {
  return KNOWN_PROVIDERS.includes(name);
}

export function providerLabel(name: string): string {
  return isProviderId(name) ? PROVIDER_LABELS[name] : name;
}

export function providerRole(name: string): string | null {
  return isProviderId(name) ? PROVIDER_ROLES[name] : null;
}

/** What a `ProviderProblem` can be about (`ProviderProblem.field`). */
export const PROVIDER_FIELDS = ['name', 'base_url', 'requests_per_second', 'max_in_flight'] as const;
export type ProviderField = (typeof PROVIDER_FIELDS)[number];

export function isProviderField(field: string): field is ProviderField {
  return (PROVIDER_FIELDS as readonly string[]).includes(field);
}

/** Exclusive lower bound and inclusive upper bound of `requests_per_second`. */
export const RATE_MIN_EXCLUSIVE = RULES.rate_above;
export const RATE_MAX = RULES.rate_at_most;

/** Inclusive bounds of `max_in_flight` (requests sent to one provider at once). */
export const IN_FLIGHT_MIN = RULES.in_flight_min;
export const IN_FLIGHT_MAX = RULES.in_flight_max;

/** Whether `text` parses as an http(s) URL with a host (as the engine's `url` crate checks). */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export function isValidRate(rate: number): boolean {
  return Number.isFinite(rate) && rate > RATE_MIN_EXCLUSIVE && rate <= RATE_MAX;
}

/** A plain decimal number ("5", "0.25", ".5", " 10 "), else `null` ("", "1e3", "-1", "abc"). */
export function parseRate(text: string): number | null {
  const trimmed = text.trim();
  if (!/^(\d{1,15}(\.\d*)?|\.\d+)$/.test(trimmed)) return null;
  return Number(trimmed);
}

/** Whether `value` is a whole number within the engine's bounds of requests at once. */
export function isValidInFlight(value: number): boolean {
  return Number.isInteger(value) && value >= IN_FLIGHT_MIN && value <= IN_FLIGHT_MAX;
}

/**
 * The inline message for requests at once as typed, or `null` when it is fine: worded like the
 * other whole-number settings ("Enter a whole number between 1 and 64", "Between 1 and 64").
 */
export function inFlightError(text: string, locale?: string): string | null {
  const range = { min: IN_FLIGHT_MIN, max: IN_FLIGHT_MAX };
  const value = parseWholeNumber(text);
  if (value === null) return `Enter a whole number ${rangeMessage(range, locale).toLowerCase()}`;
  return isValidInFlight(value) ? null : rangeMessage(range, locale);
}

/** The inline message for a base URL as typed, or `null` when it is fine. */
export function urlError(text: string): string | null {
  return isHttpUrl(text.trim()) ? null : 'Enter an http:// or https:// address with a host name';
}

/** How a pace is shown and typed: requests per second or per minute. */
export type RateUnit = 'second' | 'minute';

export const RATE_UNITS: readonly RateUnit[] = ['second', 'minute'];

/** Seconds in one `unit`. */
function unitSeconds(unit: RateUnit): number {
  return unit === 'minute' ? 60 : 1;
}

/**
 * The unit a pace reads naturally in: per minute under one request a second (iTunes' 1/3 a
 * second is "20 per minute"), else per second (LRCLIB's "5 per second").
 */
export function naturalUnit(requestsPerSecond: number): RateUnit {
  return requestsPerSecond < 1 ? 'minute' : 'second';
}

/** `requestsPerSecond` counted per `unit`. */
export function perUnit(requestsPerSecond: number, unit: RateUnit): number {
  return requestsPerSecond * unitSeconds(unit);
}

/** A pace typed per `unit` as requests per second (what is saved). */
export function toRequestsPerSecond(value: number, unit: RateUnit): number {
  return value / unitSeconds(unit);
}

/**
 * The inline message for a rate as typed per `unit`, or `null` when it is fine. The bounds are
 * `requests_per_second`'s, counted in the unit: at most 1,000 per second, 60,000 per minute.
 */
export function rateError(text: string, locale?: string, unit: RateUnit = 'second'): string | null {
  const rate = parseRate(text);
  const range = `above ${RATE_MIN_EXCLUSIVE}, at most ${formatCount(perUnit(RATE_MAX, unit), locale)}`;
  if (rate === null) return `Enter a number ${range}`;
  return isValidRate(toRequestsPerSecond(rate, unit)) ? null : `Must be ${range}`;
}

/**
 * Every problem in `providers`, like the engine's `problems`: repeated or unknown names, URLs
 * that are not http(s), rates and requests at once out of range (with the engine's messages).
 */
export function providerProblems(providers: readonly ProviderSettings[]): ProviderProblem[] {
  const found: ProviderProblem[] = [];
  const seen = new Set<string>();
  for (const p of providers) {
    const problem = (field: ProviderField, message: string) => found.push({ name: p.name, field, message });
    if (seen.has(p.name)) problem('name', `provider ${p.name} is listed twice`);
    seen.add(p.name);
    if (!KNOWN_PROVIDERS.includes(p.name)) {
      problem('name', `unknown provider ${JSON.stringify(p.name)} (this build has: ${KNOWN_PROVIDERS.join(', ')})`);
    }
    if (!isHttpUrl(p.base_url)) {
      problem('base_url', `provider ${p.name}: ${JSON.stringify(p.base_url)} is not an http(s) URL`);
    }
    if (!isValidRate(p.requests_per_second)) {
      problem(
        'requests_per_second',
        `provider ${p.name}: requests per second must be above 0 and at most 1000, got ${p.requests_per_second}`,
      );
    }
    if (!isValidInFlight(p.max_in_flight)) {
      problem(
        'max_in_flight',
        `provider ${p.name}: requests at once must be a whole number from ${IN_FLIGHT_MIN} to ${IN_FLIGHT_MAX}, got ${p.max_in_flight}`,
      );
    }
  }
  return found;
}

/**
 * A saved list brought up to this build, like the engine's `complete`: unknown and repeated
 * providers dropped, missing ones appended at their defaults, settings they lack (requests at
 * once, 0 or absent in a list saved before it existed) at their defaults, the saved order kept.
 */
export function completeProviders(saved: readonly ProviderSettings[]): ProviderSettings[] {
  const seen = new Set<string>();
  const kept = saved.filter((p) => KNOWN_PROVIDERS.includes(p.name) && !seen.has(p.name) && seen.add(p.name));
  const missing = DEFAULT_PROVIDERS.filter((d) => !seen.has(d.name));
  return [...kept, ...missing].map((p) => ({
    ...p,
    max_in_flight: p.max_in_flight || (DEFAULT_PROVIDERS.find((d) => d.name === p.name)?.max_in_flight ?? 0),
  }));
}

/** Whether `value` looks like the `ProviderProblem[]` of a `saveProviders` rejection. */
export function isProviderProblemList(value: unknown): value is ProviderProblem[] {
  return (
    Array.isArray(value) &&
    value.every((item) => {
      if (typeof item !== 'object' || item === null) return false;
      const v = item as Record<string, unknown>;
      return typeof v.name === 'string' && typeof v.field === 'string' && typeof v.message === 'string';
    })
  );
}

/** A provider as the settings form holds it: the rate as typed, per `unit`; the requests at once as typed. */
export interface ProviderRow {
  name: string;
  enabled: boolean;
  base_url: string;
  rate: string;
  unit: RateUnit;
  inFlight: string;
  /**
   * The loaded rate (requests per second), exact, and how it was first shown: an untouched
   * field keeps it exact.
   */
  loadedRate: number;
  loadedRateText: string;
  loadedUnit: RateUnit;
}

/** A rate for the form: at most 6 significant digits ("0.333333" for iTunes' 1/3). */
export function rateText(rate: number): string {
  return String(Number(rate.toPrecision(6)));
}

/** The form rows for `providers`, each pace in the unit it reads naturally in. */
export function providerRows(providers: readonly ProviderSettings[]): ProviderRow[] {
  return providers.map((p) => {
    const unit = naturalUnit(p.requests_per_second);
    const text = rateText(perUnit(p.requests_per_second, unit));
    return {
      name: p.name,
      enabled: p.enabled,
      base_url: p.base_url,
      rate: text,
      unit,
      inFlight: String(p.max_in_flight),
      loadedRate: p.requests_per_second,
      loadedRateText: text,
      loadedUnit: unit,
    };
  });
}

/** The row's pace in requests per second: exact while untouched, `NaN` when not a number. */
export function rowRequestsPerSecond(row: ProviderRow): number {
  // Showing 1/3 a second as "20" a minute must not save 20/60 when nobody edited it.
  if (row.rate.trim() === row.loadedRateText && row.unit === row.loadedUnit) return row.loadedRate;
  const value = parseRate(row.rate);
  return value === null ? Number.NaN : toRequestsPerSecond(value, row.unit);
}

/**
 * The row shown per `unit`: the typed pace converted ("20" a minute is "0.333333" a second), or
 * left as typed when it is not a number. Back in the loaded unit, an untouched pace is exact again.
 */
export function withUnit(row: ProviderRow, unit: RateUnit): ProviderRow {
  if (unit === row.unit) return row;
  const rps = rowRequestsPerSecond(row);
  const rate = Number.isNaN(rps) ? row.rate : rateText(perUnit(rps, unit));
  return { ...row, unit, rate };
}

/** The settings the rows describe; only meaningful when every row is valid. */
export function rowsToProviders(rows: readonly ProviderRow[]): ProviderSettings[] {
  return rows.map((row) => ({
    name: row.name,
    enabled: row.enabled,
    base_url: row.base_url.trim(),
    requests_per_second: rowRequestsPerSecond(row),
    max_in_flight: parseWholeNumber(row.inFlight) ?? Number.NaN,
  }));
}

/** Same providers, same order, same values. */
export function sameProviders(a: readonly ProviderSettings[], b: readonly ProviderSettings[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (p, i) =>
        p.name === b[i].name &&
        p.enabled === b[i].enabled &&
        p.base_url === b[i].base_url &&
        p.requests_per_second === b[i].requests_per_second &&
        p.max_in_flight === b[i].max_in_flight,
    )
  );
}
