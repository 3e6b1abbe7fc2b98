// What the enrichment panel's summary card says about a run that ended in this window: where its
// finds came from, what is still missing, how long it took and what it asked each provider, all
// from the `job_finished` event's `EnrichmentResult` (the time from this window's clock).

import type { EnrichmentResult } from '../bindings/EnrichmentResult';
import type { ProviderRequests } from '../bindings/ProviderRequests';
import { formatCount } from './format';
import { isProviderId, providerLabel } from './providerRules';

/**
 * Sources that are not providers: what was already on disk, and lyrics found to be an
 * instrumental. Worded to read after a count ("20 embedded in the files").
 */
const LOCAL_SOURCES: Record<string, string> = {
  embedded: 'embedded in the files',
  folder: 'cover file in the folder',
  instrumental: 'instrumental',
};

/**
 * A `found_by` source for people: "Cover Art Archive", "iTunes", "LRCLIB", "embedded in the
 * files", "cover file in the folder", "instrumental"; a source this UI does not know yet (a
 * newer engine, a new provider) as it comes.
 */
export function sourceName(source: string): string {
  // Own keys only: a source called "constructor" is not Object's.
  if (Object.hasOwn(LOCAL_SOURCES, source)) return LOCAL_SOURCES[source];
  return isProviderId(source) ? providerLabel(source) : source;
}

/**
 * A provider of `requests` for people: "MusicBrainz", "iTunes images" (the image server an
 * iTunes answer points to, counted apart from the API: `<provider> images`); unknown as it comes.
 */
export function requestProviderName(provider: string): string {
  const images = / images$/.exec(provider);
  const base = images ? provider.slice(0, images.index) : provider;
  if (!isProviderId(base)) return provider;
  return images ? `${providerLabel(base)} images` : providerLabel(base);
}

export interface SourceRow {
  /** The source as the engine names it (a stable key). */
  source: string;
  label: string;
  count: number;
}

/**
 * One row per source that found something, most first (ties by name, so the order is stable);
 * zero and malformed counts are left out: the card says what was found, not what could have been.
 */
export function sourceRows(counts: Partial<Record<string, number>>): SourceRow[] {
  return Object.entries(counts)
    .filter((entry): entry is [string, number] => {
      const n = entry[1];
      return typeof n === 'number' && Number.isFinite(n) && n > 0;
    })
    .map(([source, count]) => ({ source, label: sourceName(source), count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/** The sum of a `found_by` map (tracks found for one operation in the run). */
export function sourceTotal(counts: Partial<Record<string, number>>): number {
  return sourceRows(counts).reduce((sum, row) => sum + row.count, 0);
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

/**
 * Bytes for people, in decimal units (1 kB = 1,000 B, as file managers count downloads): "0 B",
 * "512 B", "1.5 kB", "12 MB", "3.4 GB". One decimal below 10, whole numbers from 10 on; a value
 * that would round to 1,000 of a unit is said in the next one ("1.0 MB", not "1,000 kB").
 */
export function formatBytes(bytes: number, locale?: string): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1000) return `${formatCount(Math.round(bytes), locale)} B`;
  let unit = 0;
  let value = bytes;
  while (unit < BYTE_UNITS.length - 1 && value >= 999.5) {
    value /= 1000;
    unit += 1;
  }
  // 9.96 MB rounds to "10.0": said as "10 MB".
  const digits = value < 9.95 ? 1 : 0;
  const text = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
    value,
  );
  return `${text} ${BYTE_UNITS[unit]}`;
}

/**
 * A request time for people, in milliseconds: "80 ms", "1,240 ms"; "—" when none was measured
 * (`null`: no request yet) or it is not a time.
 */
export function formatLatency(ms: number | null | undefined, locale?: string): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  return `${formatCount(Math.round(ms), locale)} ms`;
}

/**
 * A provider's requests in one cell: "1,204", "1,204 (p50 80 ms)", or "1,204 (3 throttled,
 * 1 failed, p50 80 ms)": throttled and failed only when not zero (most runs have none, and a
 * column of zeros hides the one that counts), and the median time to an answer when measured.
 */
export function requestCountText(requests: ProviderRequests, locale?: string): string {
  const extra: string[] = [];
  if (requests.throttled > 0) extra.push(`${formatCount(requests.throttled, locale)} throttled`);
  if (requests.failed > 0) extra.push(`${formatCount(requests.failed, locale)} failed`);
  const p50 = requests.latency_p50_ms;
  if (p50 !== null && p50 !== undefined && Number.isFinite(p50) && p50 >= 0) {
    extra.push(`p50 ${formatLatency(p50, locale)}`);
  }
  const sent = formatCount(requests.sent, locale);
  return extra.length === 0 ? sent : `${sent} (${extra.join(', ')})`;
}

export interface RequestRow {
  provider: string;
  label: string;
  requests: string;
  received: string;
  /** Some of its requests were throttled or failed (the row is marked). */
  troubled: boolean;
}

/** The requests table's rows, in the order the engine gives them. */
export function requestRows(requests: readonly ProviderRequests[], locale?: string): RequestRow[] {
  return requests.map((r) => ({
    provider: r.provider,
    label: requestProviderName(r.provider),
    requests: requestCountText(r, locale),
    received: formatBytes(r.bytes, locale),
    troubled: r.throttled > 0 || r.failed > 0,
  }));
}

/** "1 track" / "34 tracks". */
export function tracksText(count: number, locale?: string): string {
  return `${formatCount(count, locale)} ${count === 1 ? 'track' : 'tracks'}`;
}

/**
 * The card's first line: how the run ended. A cancelled run's result holds what it did before
 * it stopped, and a continued job's result only this run (its counts so far are above).
 */
export function runOutcomeText(result: Pick<EnrichmentResult, 'cancelled'>): string {
  return result.cancelled ? 'Cancelled: what the run did before it stopped' : 'Finished';
}

/**
 * Milliseconds between two readings of the same clock, `null` when either is unknown (the job
 * started before this window was listening) or the clock went backwards.
 */
export function elapsedMs(startedAt: number | null, endedAt: number | null): number | null {
  if (startedAt === null || endedAt === null) return null;
  const ms = endedAt - startedAt;
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}
