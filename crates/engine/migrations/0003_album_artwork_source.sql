-- Gatefold library schema, version 3. The same image (one content-addressed artworks row) can
-- be one album's folder cover and another's embedded picture: where an album's artwork came
-- from is the album's own fact.
ALTER TABLE albums ADD COLUMN artwork_source TEXT;

PRAGMA user_version = 3;
