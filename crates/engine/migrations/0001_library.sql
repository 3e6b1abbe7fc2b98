-- Gatefold library schema, version 1.
-- Paths are stored as BLOBs holding the file system's raw bytes, so names that are not valid
-- UTF-8 survive unchanged. Times are Unix seconds (created/updated) or nanoseconds (mtime).

CREATE TABLE artists (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL,
    -- case- and space-folded name: one row per artist however the tags spell its case
    name_key  TEXT NOT NULL UNIQUE,
    musicbrainz_id TEXT
) STRICT;

CREATE TABLE artworks (
    id             INTEGER PRIMARY KEY,
    content_hash   TEXT NOT NULL UNIQUE,
    mime           TEXT NOT NULL,
    width          INTEGER NOT NULL CHECK (width > 0),
    height         INTEGER NOT NULL CHECK (height > 0),
    byte_size      INTEGER NOT NULL CHECK (byte_size > 0),
    -- relative to the artwork store the engine was given
    storage_path   TEXT NOT NULL,
    thumbnail_path TEXT,
    source         TEXT NOT NULL,
    created_at     INTEGER NOT NULL DEFAULT (unixepoch())
) STRICT;

CREATE TABLE albums (
    id                  INTEGER PRIMARY KEY,
    title               TEXT NOT NULL,
    album_artist_id     INTEGER NOT NULL REFERENCES artists(id),
    -- 1 when the album artist came from an album-artist tag; 0 when it was derived from the
    -- track artists (one artist, or "Various Artists" once a second one appears)
    album_artist_tagged INTEGER NOT NULL DEFAULT 0 CHECK (album_artist_tagged IN (0, 1)),
    year                INTEGER,
    folder              BLOB NOT NULL,
    group_key           TEXT NOT NULL UNIQUE,
    mb_release_id       TEXT,
    mb_release_group_id TEXT,
    artwork_id          INTEGER REFERENCES artworks(id) ON DELETE SET NULL,
    created_at          INTEGER NOT NULL DEFAULT (unixepoch()),
    updated_at          INTEGER NOT NULL DEFAULT (unixepoch())
) STRICT;
CREATE INDEX albums_by_artist ON albums(album_artist_id);

CREATE TABLE tracks (
    id                      INTEGER PRIMARY KEY,
    path                    BLOB NOT NULL UNIQUE,
    title                   TEXT NOT NULL,
    artist_id               INTEGER NOT NULL REFERENCES artists(id),
    album_id                INTEGER NOT NULL REFERENCES albums(id),
    track_number            INTEGER,
    track_total             INTEGER,
    disc_number             INTEGER,
    disc_total              INTEGER,
    duration_ms             INTEGER,
    format                  TEXT NOT NULL,
    size                    INTEGER NOT NULL,
    mtime_ns                INTEGER NOT NULL,
    mb_recording_id         TEXT,
    mb_track_id             TEXT,
    has_embedded_picture    INTEGER NOT NULL DEFAULT 0 CHECK (has_embedded_picture IN (0, 1)),
    folder_cover_path       BLOB,
    folder_cover_mtime_ns   INTEGER,
    lyrics_sidecar_path     BLOB,
    lyrics_sidecar_mtime_ns INTEGER,
    artwork_id              INTEGER REFERENCES artworks(id) ON DELETE SET NULL,
    lyrics_status           TEXT NOT NULL DEFAULT 'not_fetched' CHECK (lyrics_status IN
        ('not_fetched', 'fetching', 'available', 'instrumental', 'unavailable', 'failed')),
    created_at              INTEGER NOT NULL DEFAULT (unixepoch()),
    updated_at              INTEGER NOT NULL DEFAULT (unixepoch())
) STRICT;
CREATE INDEX tracks_by_album ON tracks(album_id);
CREATE INDEX tracks_by_artist ON tracks(artist_id);
-- the enrichment job pages through these two selections by id
CREATE INDEX tracks_missing_artwork ON tracks(id) WHERE artwork_id IS NULL;
CREATE INDEX tracks_by_lyrics_status ON tracks(lyrics_status, id);

CREATE TABLE lyrics (
    track_id   INTEGER PRIMARY KEY REFERENCES tracks(id) ON DELETE CASCADE,
    plain      TEXT,
    synced     TEXT,
    -- 'sidecar', 'embedded', or the provider that supplied them
    source     TEXT NOT NULL,
    updated_at INTEGER NOT NULL DEFAULT (unixepoch()),
    CHECK (plain IS NOT NULL OR synced IS NOT NULL)
) STRICT;

PRAGMA user_version = 1;
