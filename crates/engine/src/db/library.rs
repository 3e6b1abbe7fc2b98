//! SQLite implementations of the repository traits.

use async_trait::async_trait;
use sqlx::sqlite::SqlitePool;

use super::{ClockHold, path_from_bytes};
use crate::error::Result;
use crate::model::{Lyrics, LyricsStatus, TrackRecord};
use crate::repository::TrackRepository;

/// The columns of a track with its artist, album and album artist (a `TrackRow`).
macro_rules! track_columns {
    () => {
        "t.id, t.path, t.title, t.artist_id, ar.name AS artist, t.album_id, \
         al.title AS album, aa.name AS album_artist, t.track_number, t.disc_number, \
         t.duration_ms, t.format, t.mb_recording_id, al.mb_release_id, t.artwork_id, \
         t.lyrics_status, t.has_embedded_picture, t.folder_cover_path, t.lyrics_sidecar_path"
    };
}
pub(super) use track_columns;

/// The joins those columns need.
macro_rules! track_joins {
    () => {
        "FROM tracks t \
         JOIN artists ar ON ar.id = t.artist_id \
         JOIN albums al ON al.id = t.album_id \
         JOIN artists aa ON aa.id = al.album_artist_id "
    };
}
pub(super) use track_joins;

/// A whole track query: a track with its names, in one statement, then `$tail`.
macro_rules! track_select {
    ($tail:literal) => {
        concat!("SELECT ", track_columns!(), " ", track_joins!(), $tail)
    };
}

#[derive(sqlx::FromRow)]
pub(super) struct TrackRow {
    id: i64,
    path: Vec<u8>,
    title: String,
    artist_id: i64,
    artist: String,
    album_id: i64,
    album: String,
    album_artist: String,
    track_number: Option<u32>,
    disc_number: Option<u32>,
    duration_ms: Option<u64>,
    format: String,
    mb_recording_id: Option<String>,
    mb_release_id: Option<String>,
    artwork_id: Option<i64>,
    lyrics_status: LyricsStatus,
    has_embedded_picture: bool,
    folder_cover_path: Option<Vec<u8>>,
    lyrics_sidecar_path: Option<Vec<u8>>,
}

impl From<TrackRow> for TrackRecord {
    fn from(row: TrackRow) -> Self {
        TrackRecord {
            id: row.id,
            path: path_from_bytes(row.path),
            title: row.title,
            artist_id: row.artist_id,
            artist: row.artist,
            album_id: row.album_id,
            album: row.album,
            album_artist: row.album_artist,
            track_number: row.track_number,
            disc_number: row.disc_number,
            duration_ms: row.duration_ms,
            format: row.format,
            mb_recording_id: row.mb_recording_id,
            mb_release_id: row.mb_release_id,
            artwork_id: row.artwork_id,
            lyrics_status: row.lyrics_status,
            has_embedded_picture: row.has_embedded_picture,
            folder_cover_path: row.folder_cover_path.map(path_from_bytes),
            lyrics_sidecar_path: row.lyrics_sidecar_path.map(path_from_bytes),
        }
    }
}

fn records(rows: Vec<TrackRow>) -> Vec<TrackRecord> {
    rows.into_iter().map(TrackRecord::from).collect()
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// [`TrackRepository`] over the library database.
#[derive(Debug, Clone)]
pub struct SqliteTrackRepository {
    pool: SqlitePool,
    hold: ClockHold,
}

impl SqliteTrackRepository {
    pub(crate) fn new(pool: SqlitePool, hold: ClockHold) -> Self {
        SqliteTrackRepository { pool, hold }
    }
}

#[async_trait]
impl TrackRepository for SqliteTrackRepository {
    async fn get(&self, id: i64) -> Result<Option<TrackRecord>> {
        let _hold = self.hold.guard();
        let row: Option<TrackRow> = sqlx::query_as(track_select!("WHERE t.id = ?1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(TrackRecord::from))
    }

    async fn page(&self, after_id: i64, limit: u32) -> Result<Vec<TrackRecord>> {
        let _hold = self.hold.guard();
        let rows = sqlx::query_as(track_select!("WHERE t.id > ?1 ORDER BY t.id LIMIT ?2"))
            .bind(after_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(records(rows))
    }

    async fn find_by_missing_artwork(&self, after_id: i64, limit: u32) -> Result<Vec<TrackRecord>> {
        let _hold = self.hold.guard();
        let rows = sqlx::query_as(track_select!(
            "WHERE t.artwork_id IS NULL AND t.id > ?1 ORDER BY t.id LIMIT ?2"
        ))
        .bind(after_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(records(rows))
    }

    async fn find_by_lyrics_status(
        &self,
        status: LyricsStatus,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<TrackRecord>> {
        let _hold = self.hold.guard();
        let rows = sqlx::query_as(track_select!(
            "WHERE t.lyrics_status = ?1 AND t.id > ?2 ORDER BY t.id LIMIT ?3"
        ))
        .bind(status)
        .bind(after_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(records(rows))
    }

    async fn tracks_of_album(&self, album_id: i64) -> Result<Vec<TrackRecord>> {
        let _hold = self.hold.guard();
        let rows = sqlx::query_as(track_select!(
            "WHERE t.album_id = ?1 \
             ORDER BY coalesce(t.disc_number, 1), t.track_number IS NULL, t.track_number, t.path"
        ))
        .bind(album_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(records(rows))
    }

    async fn lyrics(&self, track_id: i64) -> Result<Option<Lyrics>> {
        let _hold = self.hold.guard();
        let row: Option<(i64, Option<String>, Option<String>, String)> = sqlx::query_as(
            "SELECT track_id, plain, synced, source FROM lyrics WHERE track_id = ?1",
        )
        .bind(track_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(track_id, plain, synced, source)| Lyrics {
            track_id,
            plain,
            synced,
            source,
        }))
    }

    async fn count(&self) -> Result<u64> {
        let _hold = self.hold.guard();
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM tracks")
            .fetch_one(&self.pool)
            .await?;
        Ok(count(n))
    }
}
