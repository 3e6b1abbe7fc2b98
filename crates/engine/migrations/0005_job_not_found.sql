-- Gatefold library schema, version 5: a job's "not found" counts, committed with the outcomes
-- they count like its other counts, so a job resumed after a crash reports what the library holds.
ALTER TABLE enrichment_jobs ADD COLUMN artwork_not_found INTEGER NOT NULL DEFAULT 0;
ALTER TABLE enrichment_jobs ADD COLUMN lyrics_not_found INTEGER NOT NULL DEFAULT 0;

PRAGMA user_version = 5;
