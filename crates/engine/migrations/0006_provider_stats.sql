-- Gatefold library schema, version 6: what each run asked each provider, kept over time.

-- One row per job and provider, added to as the job runs (a resumed job goes on adding to
-- its rows). `latency` is the histogram of request times as JSON (see `http::stats`), so the
-- percentiles of several runs can be computed from their rows.
CREATE TABLE provider_stats (
    job_id    INTEGER NOT NULL REFERENCES enrichment_jobs(id) ON DELETE CASCADE,
    provider  TEXT NOT NULL,
    sent      INTEGER NOT NULL DEFAULT 0,
    throttled INTEGER NOT NULL DEFAULT 0,
    failed    INTEGER NOT NULL DEFAULT 0,
    retries   INTEGER NOT NULL DEFAULT 0,
    bytes     INTEGER NOT NULL DEFAULT 0,
    found     INTEGER NOT NULL DEFAULT 0,
    not_found INTEGER NOT NULL DEFAULT 0,
    latency   TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (job_id, provider)
) STRICT;

-- Lookups a job did not make: albums and tracks whose "not found" was still fresh when it
-- started, and albums whose artwork was found on disk.
ALTER TABLE enrichment_jobs ADD COLUMN remembered_artwork INTEGER NOT NULL DEFAULT 0;
ALTER TABLE enrichment_jobs ADD COLUMN remembered_lyrics INTEGER NOT NULL DEFAULT 0;
ALTER TABLE enrichment_jobs ADD COLUMN local_artwork INTEGER NOT NULL DEFAULT 0;

PRAGMA user_version = 6;
