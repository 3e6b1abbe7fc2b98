import type { LibrarySummary } from '../bindings/LibrarySummary';

/** A plausible, non-trivial library used by the fake backend by default. */
export const LIBRARY_FIXTURE: LibrarySummary = {
  tracks: 1234,
  albums: 98,
  artists: 45,
  artwork_missing: 300,
  lyrics: {
    not_fetched: 700,
    fetching: 4,
    available: 410,
    instrumental: 60,
    unavailable: 52,
    failed: 8,
  },
};

export const EMPTY_FIXTURE: LibrarySummary = {
  tracks: 0,
  albums: 0,
  artists: 0,
  artwork_missing: 0,
  lyrics: {},
};

export const ERROR_FIXTURE = {
  code: 'database_unavailable',
  message: 'Could not open the library database',
} as const;
