//! What the desktop app's library view reads: albums paged and searchable, an album's tracks,
//! a track's lyrics, an artwork's files.

use super::{Database, count_u32};
use crate::error::{EngineError, Result};
use crate::model::{
    AlbumCard, AlbumPage, ArtworkInfo, LyricsStatus, MissingFilter, TrackListItem, TrackLyrics,
};

/// `text` as a LIKE pattern that matches it anywhere, `%`, `_` and `\` taken literally.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Albums matching ?1 (a LIKE pattern) by title, album artist, or any track's title or artist,
/// and missing what ?2 says (`MissingFilter::as_str`; NULL: no such condition). A track misses
/// lyrics unless they are available or it is instrumental.
macro_rules! album_filter {
    () => {
        "FROM albums al JOIN artists aa ON aa.id = al.album_artist_id \
         WHERE (?1 = '%%' OR al.title LIKE ?1 ESCAPE '\\' OR aa.name LIKE ?1 ESCAPE '\\' \
            OR EXISTS (SELECT 1 FROM tracks t JOIN artists ar ON ar.id = t.artist_id \
                       WHERE t.album_id = al.id \
                         AND (t.title LIKE ?1 ESCAPE '\\' OR ar.name LIKE ?1 ESCAPE '\\'))) \
           AND (?2 IS NULL OR ((?2 = 'lyrics' OR al.artwork_id IS NULL) \
                AND (?2 = 'artwork' OR EXISTS (SELECT 1 FROM tracks t WHERE t.album_id = al.id \
                     AND t.lyrics_status NOT IN ('available', 'instrumental'))))) "
    };
}

/// The columns of an [`AlbumRow`], over `al` (the album) with [`album_card_joins`].
macro_rules! album_card_columns {
    () => {
        "SELECT al.id, al.title, aa.name AS album_artist, al.year, \
                (SELECT count(*) FROM tracks t WHERE t.album_id = al.id) AS track_count, \
                (SELECT count(*) FROM tracks t WHERE t.album_id = al.id \
                    AND t.lyrics_status = 'available') AS lyrics_available, \
                aw.id AS artwork_id, aw.width, aw.height, aw.mime, \
                coalesce(al.artwork_source, aw.source) AS artwork_source, aw.thumbnail_path "
    };
}

/// The album artist and the artwork of `al`.
macro_rules! album_card_joins {
    () => {
        "JOIN artists aa ON aa.id = al.album_artist_id \
         LEFT JOIN artworks aw ON aw.id = al.artwork_id "
    };
}

#[derive(sqlx::FromRow)]
struct AlbumRow {
    id: i64,
    title: String,
    album_artist: String,
    year: Option<i64>,
    track_count: i64,
    lyrics_available: i64,
    artwork_id: Option<i64>,
    width: Option<i64>,
    height: Option<i64>,
    mime: Option<String>,
    artwork_source: Option<String>,
    thumbnail_path: Option<String>,
}

impl From<AlbumRow> for AlbumCard {
    fn from(r: AlbumRow) -> Self {
        AlbumCard {
            artwork: artwork_info(
                r.artwork_id,
                r.width,
                r.height,
                r.mime,
                r.artwork_source,
                r.thumbnail_path.as_deref(),
            ),
            id: r.id,
            title: r.title,
            album_artist: r.album_artist,
            year: r.year.and_then(|y| i32::try_from(y).ok()),
            track_count: count_u32(r.track_count),
            lyrics_available: count_u32(r.lyrics_available),
        }
    }
}

fn artwork_info(
    id: Option<i64>,
    width: Option<i64>,
    height: Option<i64>,
    mime: Option<String>,
    source: Option<String>,
    thumbnail: Option<&str>,
) -> Option<ArtworkInfo> {
    Some(ArtworkInfo {
        id: id?,
        width: u32::try_from(width?).ok()?,
        height: u32::try_from(height?).ok()?,
        mime: mime?,
        source: source?,
        has_thumbnail: thumbnail.is_some(),
    })
}

/// Where an artwork's files are, relative to the artwork store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtworkFiles {
    /// The full-size image, relative to the artwork store.
    pub storage_path: String,
    /// The JPEG thumbnail, relative to the artwork store; `None` when none could be made.
    pub thumbnail_path: Option<String>,
    /// The full-size image's MIME type, e.g. `image/jpeg` (thumbnails are always JPEG).
    pub mime: String,
}

impl Database {
    /// Albums whose title, album artist, or a track's title or artist contains `query` (all
    /// albums when it is blank), and that miss what `missing` says (any when `None`), sorted by
    /// album artist, year and title: `limit` from `offset`.
    pub async fn albums_page(
        &self,
        query: &str,
        missing: Option<MissingFilter>,
        offset: u32,
        limit: u32,
    ) -> Result<AlbumPage> {
        let _hold = self.hold.guard();
        let pattern = contains_pattern(query.trim());
        let missing = missing.map(MissingFilter::as_str);
        let (total,): (i64,) = sqlx::query_as(concat!("SELECT count(*) ", album_filter!()))
            .bind(&pattern)
            .bind(missing)
            .fetch_one(&self.pool)
            .await?;
        let rows: Vec<AlbumRow> = sqlx::query_as(concat!(
            album_card_columns!(),
            "FROM (SELECT al.id ",
            album_filter!(),
            ") hit JOIN albums al ON al.id = hit.id ",
            album_card_joins!(),
            "ORDER BY aa.name_key, al.year, lower(al.title), al.id \
             LIMIT ?3 OFFSET ?4"
        ))
        .bind(&pattern)
        .bind(missing)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        Ok(AlbumPage {
            albums: rows.into_iter().map(AlbumCard::from).collect(),
            total: count_u32(total),
        })
    }

    /// One album as the grid shows it; `NotFound` when there is no such album.
    pub async fn album_card(&self, album_id: i64) -> Result<AlbumCard> {
        let _hold = self.hold.guard();
        let row: Option<AlbumRow> = sqlx::query_as(concat!(
            album_card_columns!(),
            "FROM albums al ",
            album_card_joins!(),
            "WHERE al.id = ?1"
        ))
        .bind(album_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(AlbumCard::from)
            .ok_or_else(|| EngineError::NotFound(format!("album {album_id}")))
    }

    /// Where a track's file is; `NotFound` when there is no such track.
    pub async fn track_path(&self, track_id: i64) -> Result<std::path::PathBuf> {
        let _hold = self.hold.guard();
        let row: Option<(Vec<u8>,)> = sqlx::query_as("SELECT path FROM tracks WHERE id = ?1")
            .bind(track_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|(path,)| super::path_from_bytes(path))
            .ok_or_else(|| EngineError::NotFound(format!("track {track_id}")))
    }

    /// An album's tracks in disc and track order; `NotFound` when there is no such album.
    pub async fn album_tracks(&self, album_id: i64) -> Result<Vec<TrackListItem>> {
        let _hold = self.hold.guard();
        let exists: Option<(i64,)> = sqlx::query_as("SELECT id FROM albums WHERE id = ?1")
            .bind(album_id)
            .fetch_optional(&self.pool)
            .await?;
        if exists.is_none() {
            return Err(EngineError::NotFound(format!("album {album_id}")));
        }
        let tracks: Vec<TrackListItem> = sqlx::query_as(
            "SELECT t.id, t.title, ar.name AS artist, t.track_number, t.disc_number, \
                    t.duration_ms, t.format, \
                    (t.artwork_id IS NOT NULL OR al.artwork_id IS NOT NULL) AS has_artwork, \
                    t.lyrics_status, l.source AS lyrics_source, \
                    (l.synced IS NOT NULL) AS lyrics_synced \
             FROM tracks t \
             JOIN artists ar ON ar.id = t.artist_id \
             JOIN albums al ON al.id = t.album_id \
             LEFT JOIN lyrics l ON l.track_id = t.id \
             WHERE t.album_id = ?1 \
             ORDER BY coalesce(t.disc_number, 1), t.track_number IS NULL, t.track_number, \
                      lower(t.title), t.id",
        )
        .bind(album_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(tracks)
    }

    /// A track with its lyrics; `NotFound` when there is no such track.
    pub async fn track_lyrics(&self, track_id: i64) -> Result<TrackLyrics> {
        let _hold = self.hold.guard();
        #[derive(sqlx::FromRow)]
        struct Row {
            title: String,
            artist: String,
            album: String,
            lyrics_status: LyricsStatus,
            plain: Option<String>,
            synced: Option<String>,
            source: Option<String>,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT t.title, ar.name AS artist, al.title AS album, t.lyrics_status, \
                    l.plain, l.synced, l.source \
             FROM tracks t \
             JOIN artists ar ON ar.id = t.artist_id \
             JOIN albums al ON al.id = t.album_id \
             LEFT JOIN lyrics l ON l.track_id = t.id \
             WHERE t.id = ?1",
        )
        .bind(track_id)
        .fetch_optional(&self.pool)
        .await?;
        let row = row.ok_or_else(|| EngineError::NotFound(format!("track {track_id}")))?;
        Ok(TrackLyrics {
            track_id,
            title: row.title,
            artist: row.artist,
            album: row.album,
            lyrics_status: row.lyrics_status,
            plain: row.plain,
            synced: row.synced,
            source: row.source,
        })
    }

    /// The files of artwork `id` (relative to the artwork store), if there is such artwork.
    pub async fn artwork_files(&self, id: i64) -> Result<Option<ArtworkFiles>> {
        let _hold = self.hold.guard();
        let row: Option<(String, Option<String>, String)> =
            sqlx::query_as("SELECT storage_path, thumbnail_path, mime FROM artworks WHERE id = ?1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(
            row.map(|(storage_path, thumbnail_path, mime)| ArtworkFiles {
                storage_path,
                thumbnail_path,
                mime,
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::contains_pattern;

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(contains_pattern(""), "%%");
    }
}
