-- Gatefold library schema, version 4: which match won. Beside the source of an album's artwork
-- and of a track's lyrics, the candidate the providers' answer was accepted as (a release id,
-- a record id, the matched names and the confidence score), for people checking a result.
ALTER TABLE albums ADD COLUMN artwork_match TEXT;
ALTER TABLE lyrics ADD COLUMN matched TEXT;

PRAGMA user_version = 4;
