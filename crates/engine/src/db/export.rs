//! Everything the library knows of each track, for `gatefold-cli export`: one query per page.

use serde::Serialize;

use super::{Database, path_from_bytes};
use crate::error::Result;
use crate::model::LyricsStatus;

/// Lyrics as exported: synced (with its timestamps) when there are synced lyrics, else plain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedLyrics {
    /// `synced` or `plain`.
    pub kind: &'static str,
    /// The lyrics: LRC with `[mm:ss.xx]` timestamps when `kind` is `synced`, else plain text.
    pub text: String,
    /// Where they came from: `sidecar`, `embedded`, `lrclib`, ...
    pub source: String,
    /// Which candidate won (record, names, score), when a provider found them.
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    pub matched: Option<String>,
}

/// The album's artwork as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedArtwork {
    /// Relative to the artwork store (the caller knows where that is).
    pub file: String,
    /// The 256 px JPEG thumbnail, relative to the artwork store; `None` when none was made.
    pub thumbnail: Option<String>,
    /// The image's type: `image/jpeg`, `image/png`, `image/webp` or `image/gif`.
    pub mime: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Where it came from: `embedded`, `folder`, `coverartarchive`, `itunes`, `deezer`, ...
    pub source: String,
    /// Which candidate won (release or album, names, score; or the file it was found in).
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    pub matched: Option<String>,
}

/// One track, with everything Gatefold knows of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedTrack {
    /// The track's row id.
    pub id: i64,
    /// For display (lossy when the name is not valid UTF-8).
    pub path: String,
    /// The path's exact bytes, base64, when it is not valid UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_b64: Option<String>,
    /// The title tag, else the file name without its extension.
    pub title: String,
    /// The track's artist (`Unknown artist` when untagged).
    pub artist: String,
    /// The album's row id (`enrich --album ID`).
    pub album_id: i64,
    /// The album's title (`Unknown album` when untagged).
    pub album: String,
    /// The album's artist.
    pub album_artist: String,
    /// The album's release year, if tagged.
    pub year: Option<i64>,
    /// Track number, if tagged.
    pub track_number: Option<i64>,
    /// Disc number, if tagged.
    pub disc_number: Option<i64>,
    /// Length in milliseconds, if known.
    pub duration_ms: Option<i64>,
    /// The audio format: `flac`, `mp3`, `m4a`, `ogg`, `opus`, `wav`, ..., or `other`.
    pub format: String,
    /// Where the track stands with its lyrics.
    pub lyrics_status: LyricsStatus,
    /// The stored lyrics; `None` when there are none.
    pub lyrics: Option<ExportedLyrics>,
    /// The track's artwork (its own, else its album's); `None` when there is none.
    pub artwork: Option<ExportedArtwork>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    path: Vec<u8>,
    title: String,
    artist: String,
    album_id: i64,
    album: String,
    album_artist: String,
    year: Option<i64>,
    track_number: Option<i64>,
    disc_number: Option<i64>,
    duration_ms: Option<i64>,
    format: String,
    lyrics_status: LyricsStatus,
    plain: Option<String>,
    synced: Option<String>,
    lyrics_source: Option<String>,
    lyrics_match: Option<String>,
    storage_path: Option<String>,
    thumbnail_path: Option<String>,
    mime: Option<String>,
    width: Option<i64>,
    height: Option<i64>,
    artwork_source: Option<String>,
    artwork_match: Option<String>,
}

impl From<Row> for ExportedTrack {
    fn from(r: Row) -> Self {
        let path = path_from_bytes(r.path.clone());
        let path_b64 = crate::model::path_b64(&path);
        let lyrics = match (r.synced, r.plain, r.lyrics_source) {
            (Some(text), _, Some(source)) => Some(ExportedLyrics {
                kind: "synced",
                text,
                source,
                matched: r.lyrics_match,
            }),
            (None, Some(text), Some(source)) => Some(ExportedLyrics {
                kind: "plain",
                text,
                source,
                matched: r.lyrics_match,
            }),
            _ => None,
        };
        let artwork = match (r.storage_path, r.mime, r.width, r.height, r.artwork_source) {
            (Some(file), Some(mime), Some(w), Some(h), Some(source)) => Some(ExportedArtwork {
                file,
                thumbnail: r.thumbnail_path,
                mime,
                width: u32::try_from(w).unwrap_or(0),
                height: u32::try_from(h).unwrap_or(0),
                source,
                matched: r.artwork_match,
            }),
            _ => None,
        };
        ExportedTrack {
            id: r.id,
            path: path.display().to_string(),
            path_b64,
            title: r.title,
            artist: r.artist,
            album_id: r.album_id,
            album: r.album,
            album_artist: r.album_artist,
            year: r.year,
            track_number: r.track_number,
            disc_number: r.disc_number,
            duration_ms: r.duration_ms,
            format: r.format,
            lyrics_status: r.lyrics_status,
            lyrics,
            artwork,
        }
    }
}

impl Database {
    /// Up to `limit` tracks with an id above `after_id`, everything included.
    pub async fn export_page(&self, after_id: i64, limit: u32) -> Result<Vec<ExportedTrack>> {
        let _hold = self.hold.guard();
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT t.id, t.path, t.title, ar.name AS artist, t.album_id, al.title AS album, aa.name AS album_artist, \
                    al.year, t.track_number, t.disc_number, t.duration_ms, t.format, t.lyrics_status, \
                    l.plain, l.synced, l.source AS lyrics_source, l.matched AS lyrics_match, \
                    aw.storage_path, aw.thumbnail_path, aw.mime, aw.width, aw.height, coalesce(al.artwork_source, aw.source) AS artwork_source, \
                    al.artwork_match \
             FROM tracks t \
             JOIN artists ar ON ar.id = t.artist_id \
             JOIN albums al ON al.id = t.album_id \
             JOIN artists aa ON aa.id = al.album_artist_id \
             LEFT JOIN lyrics l ON l.track_id = t.id \
             LEFT JOIN artworks aw ON aw.id = coalesce(t.artwork_id, al.artwork_id) \
             WHERE t.id > ?1 ORDER BY t.id LIMIT ?2",
        )
        .bind(after_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(ExportedTrack::from).collect())
    }
}
