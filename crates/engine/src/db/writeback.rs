//! What write-back needs to know of each track: what it has on disk already, and what the
//! library found for it.

use std::path::PathBuf;

use super::{Database, path_from_bytes};
use crate::error::Result;

/// One track, as write-back sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteBackTrack {
    /// The track's row id.
    pub id: i64,
    /// The audio file's absolute path.
    pub path: PathBuf,
    /// The album's row id (tracks of one album share its artwork).
    pub album_id: i64,
    /// The file already carries an embedded front-cover picture.
    pub has_embedded_picture: bool,
    /// The import found a cover/folder image beside the track.
    pub has_folder_cover: bool,
    /// Where the stored lyrics came from (`sidecar`, `embedded`, `lrclib`, ...), if any.
    pub lyrics_source: Option<String>,
    /// The album's artwork: its file in the artwork store, mime, and where it came from.
    pub artwork: Option<WriteBackArtwork>,
}

/// An album's stored artwork.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteBackArtwork {
    /// The image file, relative to the artwork store.
    pub storage_path: String,
    /// The image's type: `image/jpeg`, `image/png`, `image/webp` or `image/gif`.
    pub mime: String,
    /// Where it came from: `embedded`, `folder`, `coverartarchive`, `itunes`, `deezer`, ...
    pub source: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    path: Vec<u8>,
    album_id: i64,
    has_embedded_picture: bool,
    has_folder_cover: bool,
    lyrics_source: Option<String>,
    storage_path: Option<String>,
    mime: Option<String>,
    artwork_source: Option<String>,
}

impl Database {
    /// Up to `limit` tracks with an id above `after_id`.
    pub async fn writeback_page(&self, after_id: i64, limit: u32) -> Result<Vec<WriteBackTrack>> {
        let _hold = self.hold.guard();
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT t.id, t.path, t.album_id, t.has_embedded_picture, \
                    (t.folder_cover_path IS NOT NULL) AS has_folder_cover, \
                    l.source AS lyrics_source, aw.storage_path, aw.mime, \
                    coalesce(al.artwork_source, aw.source) AS artwork_source \
             FROM tracks t \
             JOIN albums al ON al.id = t.album_id \
             LEFT JOIN lyrics l ON l.track_id = t.id \
             LEFT JOIN artworks aw ON aw.id = al.artwork_id \
             WHERE t.id > ?1 ORDER BY t.id LIMIT ?2",
        )
        .bind(after_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(WriteBackTrack::from).collect())
    }
}

impl From<Row> for WriteBackTrack {
    fn from(r: Row) -> Self {
        WriteBackTrack {
            id: r.id,
            path: path_from_bytes(r.path),
            album_id: r.album_id,
            has_embedded_picture: r.has_embedded_picture,
            has_folder_cover: r.has_folder_cover,
            lyrics_source: r.lyrics_source,
            artwork: match (r.storage_path, r.mime, r.artwork_source) {
                (Some(storage_path), Some(mime), Some(source)) => Some(WriteBackArtwork {
                    storage_path,
                    mime,
                    source,
                }),
                _ => None,
            },
        }
    }
}
