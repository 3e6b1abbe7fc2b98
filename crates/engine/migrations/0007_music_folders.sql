-- Gatefold library schema, version 7: the library's music folders, which it imports and
-- watches. Paths are the folders' exact bytes (absolute, links resolved).
CREATE TABLE music_folders (
    path     BLOB PRIMARY KEY,
    added_at INTEGER NOT NULL DEFAULT (unixepoch())
) STRICT;

-- A library made before this remembers the folders its tracks are in: the top folders of
-- its tracks are not known, so nothing is added here; the next scan of a folder adds it.

PRAGMA user_version = 7;
