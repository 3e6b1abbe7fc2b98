import type { Backend } from './backend';
import { FakeBackend } from './fakeBackend';
import { EMPTY_FIXTURE, ERROR_FIXTURE, LIBRARY_FIXTURE, earlierFailures } from './fixtures';
import { DEFAULT_SETTINGS } from './settingsRules';
import { TauriBackend } from './tauriBackend';

export const FAKE_SCENARIOS = ['library', 'empty', 'error', 'loading', 'wifi', 'xss', 'big', 'midjob'] as const;
export type FakeScenario = (typeof FAKE_SCENARIOS)[number];

function isFakeScenario(value: string): value is FakeScenario {
  return (FAKE_SCENARIOS as readonly string[]).includes(value);
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Builds the fake backend for a `?fake=` scenario. */
export function fakeBackendFor(scenario: FakeScenario): FakeBackend {
  switch (scenario) {
    case 'library':
      return new FakeBackend({ summary: LIBRARY_FIXTURE, failures: earlierFailures(nowSeconds()) });
    case 'empty':
      // "Choose your music folder" imports a few dozen albums.
      return new FakeBackend({ summary: EMPTY_FIXTURE, albums: 0, job: { tracks: 0 } });
    case 'error':
      return new FakeBackend({ error: ERROR_FIXTURE });
    case 'loading':
      return new FakeBackend({ neverSettle: true });
    case 'wifi':
      // WiFi-only is on; the network drops to ethernet a third of the way in, for 2.5 s.
      return new FakeBackend({
        summary: LIBRARY_FIXTURE,
        settings: { ...DEFAULT_SETTINGS, require_wifi: true },
        job: { wifiDropAt: 0.3, wifiOutageMs: 2500 },
      });
    case 'xss':
      // Titles, failure reasons and lyrics that would run script if inserted as HTML.
      return new FakeBackend({
        summary: LIBRARY_FIXTURE,
        hostileLibrary: true,
        job: { tracks: 120, hostile: true, artworkFailureRate: 0.5, lyricsFailureRate: 0.2 },
      });
    case 'big':
      // 10,000 albums; 10,000 tracks to enrich, every artwork fails: 10,000 failures streamed
      // in about 8 s.
      return new FakeBackend({
        summary: { ...LIBRARY_FIXTURE, tracks: 10_000 },
        albums: 10_000,
        job: {
          tracks: 10_000,
          tickMs: 50,
          tracksPerTick: 60,
          artworkFailureRate: 1,
          lyricsFailureRate: 0,
        },
      });
    case 'midjob':
      // A job is 40 % done when the page opens (as after a reload mid-job); the rest takes
      // about 12 s.
      return new FakeBackend({
        summary: LIBRARY_FIXTURE,
        failures: earlierFailures(nowSeconds()),
        job: { startAt: 0.4, tickMs: 100, tracksPerTick: 4 },
      });
  }
}

/**
 * Tauri when running inside the Tauri webview, otherwise the fake backend.
 * In a browser the fake's data is chosen with `?fake=` (see `FAKE_SCENARIOS`;
 * default `library`; unknown values fall back to `library`).
 */
export function selectBackend(win: Window = window): Backend {
  if (win.__TAURI_INTERNALS__ !== undefined) return new TauriBackend();
  const requested = new URLSearchParams(win.location.search).get('fake') ?? 'library';
  return fakeBackendFor(isFakeScenario(requested) ? requested : 'library');
}
