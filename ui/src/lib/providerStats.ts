// What the Providers card and the provider statistics say: each provider's requests and answers
// as table rows (an image server under the API whose answers point to it), the totals, what the
// library did not have to ask, and the recent runs. From `ProviderRequests` (the run's
// `provider_stats` events, `EnrichmentStatus.providers`, a result's `requests`) and the
// `provider_stats` command's `ProviderStatsReport`.

import type { ProviderRequests } from '../bindings/ProviderRequests';
import type { RunStats } from '../bindings/RunStats';
import type { Savings } from '../bindings/Savings';
import { formatCount, formatDuration } from './format';
import { formatDateTime } from './lastRun';
import { KNOWN_PROVIDERS } from './providerRules';
import { formatBytes, formatLatency, requestProviderName } from './runSummary';

/** The figures of one row, formatted. */
export interface ProviderFigures {
  requests: string;
  found: string;
  notFound: string;
  throttled: string;
  errors: string;
  retries: string;
  p50: string;
  p95: string;
  received: string;
}

export type FigureKey = keyof ProviderFigures;

/** The columns after the provider's name, in order: key, header, and a longer name where the header is short. */
export const FIGURE_COLUMNS: readonly { key: FigureKey; label: string; title?: string }[] = [
  { key: 'requests', label: 'Requests' },
  { key: 'found', label: 'Found' },
  { key: 'notFound', label: 'Not found' },
  { key: 'throttled', label: 'Throttled' },
  { key: 'errors', label: 'Errors' },
  { key: 'retries', label: 'Retries' },
  { key: 'p50', label: 'p50', title: 'Median time to the whole answer' },
  { key: 'p95', label: 'p95', title: '95th percentile time to the whole answer' },
  { key: 'received', label: 'Received' },
];

/** Figures that warn when not zero (a throttle, an error): said by the number, marked too. */
export const WARNING_FIGURES: readonly FigureKey[] = ['throttled', 'errors'];

export interface ProviderRow {
  /** The provider's name as the engine counts it (a stable key). */
  key: string;
  /** For people: "MusicBrainz", "Deezer images". */
  label: string;
  /** An image server shown under its API's row (the row shows "images"; `label` names it in full). */
  sub: boolean;
  figures: ProviderFigures;
  /** Throttled or errors, by figure, for marking the cells. */
  warnings: Partial<Record<FigureKey, boolean>>;
}

const IMAGES = / images$/;

/** `deezer images` -> `{ api: 'deezer', images: true }`; `lrclib` -> `{ api: 'lrclib', images: false }`. */
export function splitProvider(provider: string): { api: string; images: boolean } {
  const match = IMAGES.exec(provider);
  return match ? { api: provider.slice(0, match.index), images: true } : { api: provider, images: false };
}

function count(value: number, locale?: string): string {
  return Number.isFinite(value) && value >= 0 ? formatCount(value, locale) : '—';
}

function positive(value: number): boolean {
  return Number.isFinite(value) && value > 0;
}

/** One provider's figures for people; "—" for a time not measured. */
export function providerFigures(r: ProviderRequests, locale?: string): ProviderFigures {
  return {
    requests: count(r.sent, locale),
    found: count(r.found, locale),
    notFound: count(r.not_found, locale),
    throttled: count(r.throttled, locale),
    errors: count(r.failed, locale),
    retries: count(r.retries, locale),
    p50: formatLatency(r.latency_p50_ms, locale),
    p95: formatLatency(r.latency_p95_ms, locale),
    received: formatBytes(r.bytes, locale),
  };
}

/** The rank of an API in the app's provider order (Settings' default order); unknown ones after. */
function rank(api: string): number {
  const i = KNOWN_PROVIDERS.indexOf(api);
  return i < 0 ? KNOWN_PROVIDERS.length : i;
}

/**
 * One row per provider, in the app's provider order (LRCLIB, MusicBrainz, Cover Art Archive,
 * Deezer, iTunes; providers this UI does not know after them, by name), each image server right
 * after the API whose answers point to it, as a sub-row (`sub`). An image server whose API is
 * not in the list keeps a row of its own. Every provider keeps its own row and figures: nothing
 * is added into another (a percentile of two servers cannot be added up).
 */
export function providerRows(providers: readonly ProviderRequests[], locale?: string): ProviderRow[] {
  const apis = new Set(providers.map((p) => p.provider));
  return [...providers]
    .map((r) => ({ r, ...splitProvider(r.provider) }))
    .sort(
      (a, b) =>
        rank(a.api) - rank(b.api) ||
        (a.api < b.api ? -1 : a.api > b.api ? 1 : 0) ||
        Number(a.images) - Number(b.images),
    )
    .map(({ r, api, images }) => ({
      key: r.provider,
      label: requestProviderName(r.provider),
      sub: images && apis.has(api),
      figures: providerFigures(r, locale),
      warnings: { throttled: positive(r.throttled), errors: positive(r.failed) },
    }));
}

/**
 * Every provider added up (the image servers included), for the table's total row. Times are
 * not added (`null`): the percentiles of several servers do not add up.
 */
export function providerTotal(providers: readonly ProviderRequests[]): ProviderRequests {
  const sum = (f: (r: ProviderRequests) => number) =>
    providers.reduce((acc, r) => acc + (Number.isFinite(f(r)) ? f(r) : 0), 0);
  return {
    provider: 'total',
    sent: sum((r) => r.sent),
    throttled: sum((r) => r.throttled),
    failed: sum((r) => r.failed),
    retries: sum((r) => r.retries),
    bytes: sum((r) => r.bytes),
    found: sum((r) => r.found),
    not_found: sum((r) => r.not_found),
    latency_p50_ms: null,
    latency_p95_ms: null,
  };
}

function plural(n: number, one: string, many: string, locale?: string): string {
  return `${formatCount(n, locale)} ${n === 1 ? one : many}`;
}

/**
 * What the library did not have to ask, in a sentence: "Not asked again: 3 albums' artwork and
 * 40 tracks' lyrics (nothing found recently); 12 albums' artwork found on disk". Parts that are
 * zero are left out; all zero: "Nothing skipped yet: every lookup was asked of a provider."
 */
export function savingsText(saved: Savings, locale?: string): string {
  const remembered: string[] = [];
  if (positive(saved.remembered_artwork)) {
    remembered.push(`${plural(saved.remembered_artwork, "album's", "albums'", locale)} artwork`);
  }
  if (positive(saved.remembered_lyrics)) {
    remembered.push(`${plural(saved.remembered_lyrics, "track's", "tracks'", locale)} lyrics`);
  }
  const local = positive(saved.local_artwork)
    ? `${plural(saved.local_artwork, "album's", "albums'", locale)} artwork found on disk`
    : null;
  if (remembered.length > 0) {
    const first = `Not asked again: ${remembered.join(' and ')} (nothing found recently)`;
    return local === null ? first : `${first}; ${local}`;
  }
  if (local !== null) return `Not asked: ${local}`;
  return 'Nothing skipped yet: every lookup was asked of a provider.';
}

/** A run's savings in a table cell: "2 artwork, 25 lyrics not asked again; 4 on disk"; "None". */
export function savingsShort(saved: Savings, locale?: string): string {
  const remembered: string[] = [];
  if (positive(saved.remembered_artwork)) remembered.push(`${formatCount(saved.remembered_artwork, locale)} artwork`);
  if (positive(saved.remembered_lyrics)) remembered.push(`${formatCount(saved.remembered_lyrics, locale)} lyrics`);
  const parts: string[] = [];
  if (remembered.length > 0) parts.push(`${remembered.join(', ')} not asked again`);
  if (positive(saved.local_artwork)) parts.push(`${formatCount(saved.local_artwork, locale)} on disk`);
  return parts.length === 0 ? 'None' : parts.join('; ');
}

export interface RunProviderPart {
  key: string;
  text: string;
}

/**
 * A run's requests per provider, in the app's provider order, each image server with its API:
 * "LRCLIB 1,206", "Deezer 348 + 150 images"; an image server without its API by its own name.
 */
export function runProviderParts(providers: readonly ProviderRequests[], locale?: string): RunProviderPart[] {
  const byName = new Map(providers.map((p) => [p.provider, p]));
  const parts: RunProviderPart[] = [];
  for (const row of providerRows(providers, locale)) {
    if (row.sub) continue;
    const { api, images } = splitProvider(row.key);
    const own = byName.get(row.key);
    const cdn = images ? undefined : byName.get(`${api} images`);
    let text = `${row.label} ${count(own?.sent ?? 0, locale)}`;
    if (cdn) text += ` + ${count(cdn.sent, locale)} images`;
    parts.push({ key: row.key, text });
  }
  return parts;
}

export interface RunRow {
  jobId: number;
  started: string;
  /** "18 min"; "Running" for the job under way; "Interrupted" for one that did not end. */
  took: string;
  running: boolean;
  requests: string;
  providers: RunProviderPart[];
  saved: string;
}

/** The recent runs' rows; `activeJobId`: the job running now (its run has no end yet). */
export function runRows(
  runs: readonly RunStats[],
  activeJobId: number | null,
  locale?: string,
  timeZone?: string,
): RunRow[] {
  return runs.map((run) => {
    const running = run.ended_at === null && run.job_id === activeJobId;
    const took =
      run.ended_at === null
        ? running
          ? 'Running'
          : 'Interrupted'
        : run.ended_at >= run.started_at
          ? formatDuration(run.ended_at - run.started_at)
          : '—';
    return {
      jobId: run.job_id,
      started: formatDateTime(run.started_at, locale, timeZone),
      took,
      running,
      requests: count(
        run.providers.reduce((sum, p) => sum + (Number.isFinite(p.sent) ? p.sent : 0), 0),
        locale,
      ),
      providers: runProviderParts(run.providers, locale),
      saved: savingsShort(run.saved, locale),
    };
  });
}
