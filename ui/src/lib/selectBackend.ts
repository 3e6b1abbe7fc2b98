import type { Backend } from './backend';
import { FakeBackend } from './fakeBackend';
import { FAKE_MUSIC_FOLDER } from './fakeLibrary';
import {
  EMPTY_FIXTURE,
  ERROR_FIXTURE,
  LIBRARY_FIXTURE,
  earlierFailures,
  lastRunFixture,
  providerRunsFixture,
} from './fixtures';
import { DEFAULT_SETTINGS } from './settingsRules';
import { TauriBackend } from './tauriBackend';

export const FAKE_SCENARIOS = [
  'library',
  'empty',
  'error',
  'loading',
  'wifi',
  'offline',
  'xss',
  'big',
  'midjob',
  'interrupted',
  'elsewhere',
  'override',
  'writeback',
  'folders',
  'polling',
] as const;
export type FakeScenario = (typeof FAKE_SCENARIOS)[number];

/** The `folders` scenario's second music folder, and the one its folder picker gives. */
export const FAKE_USB_FOLDER = '/media/me/USB Drive/Vinyl rips';
export const FAKE_NAS_FOLDER = '/mnt/nas/Music';

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
    case 'offline':
      // The machine loses its network a quarter of the way in, for 5 s: the job waits for it
      // (no failure counted) and goes on by itself. No failure at all otherwise, so the list
      // shows only the 8 earlier ones whatever the wait did.
      return new FakeBackend({
        summary: LIBRARY_FIXTURE,
        failures: earlierFailures(nowSeconds()),
        job: { offlineAt: 0.25, offlineMs: 5000, artworkFailureRate: 0, lyricsFailureRate: 0 },
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
    case 'interrupted':
      // After a restart: the last job stopped 40 % in (320 of 800 tracks); Continue resumes it.
      // The library's provider statistics have it and two runs before it.
      return new FakeBackend({
        summary: LIBRARY_FIXTURE,
        failures: earlierFailures(nowSeconds()),
        lastRun: lastRunFixture('interrupted', nowSeconds(), { processed: 320, total: 800 }),
        providerRuns: providerRunsFixture(nowSeconds()),
      });
    case 'elsewhere':
      // The command line runs a job on this library: the window can only watch.
      return new FakeBackend({
        summary: LIBRARY_FIXTURE,
        failures: earlierFailures(nowSeconds()),
        lastRun: lastRunFixture('running_elsewhere', nowSeconds(), { processed: 500, total: 800 }),
      });
    case 'override':
      // GATEFOLD_LRCLIB_URL is set: LRCLIB is asked there, whatever URL is saved.
      return new FakeBackend({
        summary: LIBRARY_FIXTURE,
        failures: earlierFailures(nowSeconds()),
        envUrls: { lrclib: 'http://127.0.0.1:8080' },
      });
    case 'writeback':
      // Write-back is on (sidecar files): after a job it removes a leftover temporary file of an
      // interrupted write-back and cannot write one lyrics file (the disk is full).
      return new FakeBackend({
        summary: LIBRARY_FIXTURE,
        failures: earlierFailures(nowSeconds()),
        settings: { ...DEFAULT_SETTINGS, write_back: 'sidecar' },
        writeBackProblems: true,
      });
    case 'folders':
      // Two music folders (the second a USB drive's); "Add folder…" picks a NAS share, and 3 s
      // after it was added the watch finds an album of new music there.
      return new FakeBackend({
        summary: LIBRARY_FIXTURE,
        failures: earlierFailures(nowSeconds()),
        watch: { folders: [FAKE_MUSIC_FOLDER, FAKE_USB_FOLDER], importAfterMs: 3000 },
        scan: { folder: FAKE_NAS_FOLDER },
      });
    case 'polling':
      // The system cannot watch the library's 12,408 folders (inotify's limit is 8,192): the
      // watch rescans them every 60 s, and says why and what to do.
      return new FakeBackend({
        summary: LIBRARY_FIXTURE,
        failures: earlierFailures(nowSeconds()),
        watch: { mode: 'polling', directories: 12_408, maxUserWatches: 8192, pollEverySecs: 60 },
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
