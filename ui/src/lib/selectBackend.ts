import type { Backend } from './backend';
import { FakeBackend } from './fakeBackend';
import { EMPTY_FIXTURE, ERROR_FIXTURE, LIBRARY_FIXTURE } from './fixtures';
import { TauriBackend } from './tauriBackend';

export const FAKE_SCENARIOS = ['library', 'empty', 'error', 'loading'] as const;
export type FakeScenario = (typeof FAKE_SCENARIOS)[number];

function isFakeScenario(value: string): value is FakeScenario {
  return (FAKE_SCENARIOS as readonly string[]).includes(value);
}

/** Builds the fake backend for a `?fake=` scenario. */
export function fakeBackendFor(scenario: FakeScenario): FakeBackend {
  switch (scenario) {
    case 'library':
      return new FakeBackend({ summary: LIBRARY_FIXTURE });
    case 'empty':
      return new FakeBackend({ summary: EMPTY_FIXTURE });
    case 'error':
      return new FakeBackend({ error: ERROR_FIXTURE });
    case 'loading':
      return new FakeBackend({ neverSettle: true });
  }
}

/**
 * Tauri when running inside the Tauri webview, otherwise the fake backend.
 * In a browser the fake's data is chosen with `?fake=library|empty|error|loading`
 * (default `library`; unknown values fall back to `library`).
 */
export function selectBackend(win: Window = window): Backend {
  if (win.__TAURI_INTERNALS__ !== undefined) return new TauriBackend();
  const requested = new URLSearchParams(win.location.search).get('fake') ?? 'library';
  return fakeBackendFor(isFakeScenario(requested) ? requested : 'library');
}
