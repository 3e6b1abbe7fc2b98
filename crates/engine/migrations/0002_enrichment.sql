-- Gatefold library schema, version 2: what the enrichment job remembers.

-- When the providers were last asked for an album's artwork (with artwork_id NULL: not found);
-- a "not found" is not asked again before the configured age.
ALTER TABLE albums ADD COLUMN artwork_checked_at INTEGER;
-- Likewise for a track's lyrics (with lyrics_status 'unavailable').
ALTER TABLE tracks ADD COLUMN lyrics_checked_at INTEGER;

-- One row per job. A job that did not finish (a crash, a quit) is picked up by the next run,
-- which continues its counts. `heartbeat_at` tells a live job from a dead one.
CREATE TABLE enrichment_jobs (
    id               INTEGER PRIMARY KEY,
    state            TEXT NOT NULL CHECK (state IN ('running', 'paused', 'cancelled', 'finished')),
    config           TEXT NOT NULL,
    total_tracks     INTEGER NOT NULL DEFAULT 0,
    processed_tracks INTEGER NOT NULL DEFAULT 0,
    artwork_fetched  INTEGER NOT NULL DEFAULT 0,
    lyrics_fetched   INTEGER NOT NULL DEFAULT 0,
    failed_tracks    INTEGER NOT NULL DEFAULT 0,
    retry_failed     INTEGER NOT NULL DEFAULT 0 CHECK (retry_failed IN (0, 1)),
    -- the process running it; with a fresh heartbeat, another run is refused
    owner_pid        INTEGER NOT NULL,
    started_at       INTEGER NOT NULL DEFAULT (unixepoch()),
    heartbeat_at     INTEGER NOT NULL DEFAULT (unixepoch()),
    finished_at      INTEGER
) STRICT;

-- Operations that failed for good (after their retries), until they succeed or the track goes.
CREATE TABLE enrichment_failures (
    track_id  INTEGER NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
    operation TEXT NOT NULL CHECK (operation IN ('artwork', 'lyrics')),
    reason    TEXT NOT NULL,
    attempts  INTEGER NOT NULL,
    job_id    INTEGER REFERENCES enrichment_jobs(id) ON DELETE SET NULL,
    failed_at INTEGER NOT NULL DEFAULT (unixepoch()),
    PRIMARY KEY (track_id, operation)
) STRICT;

-- Settings saved by the desktop app (and read by the CLI): one JSON document per key.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

PRAGMA user_version = 2;
