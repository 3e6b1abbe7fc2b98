//! Writes the results of a folder scan: artists, albums and tracks upserted in one transaction per
//! batch, local lyrics stored, deleted files removed, orphans pruned.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sqlx::sqlite::SqlitePool;
use sqlx::{Sqlite, Transaction};

use super::{path_bytes, path_from_bytes};
use crate::error::Result;
use crate::model::{FileStamp, ScannedTrack};
use crate::model::{LyricsStatus, UNKNOWN_ALBUM, UNKNOWN_ARTIST, VARIOUS_ARTISTS};
use crate::normalize::name_key;

/// Lyrics sources that come from the files themselves (and go when the files change).
const LOCAL_LYRICS_SOURCES: [&str; 2] = ["sidecar", "embedded"];

/// What the last scan saw of a file: enough to tell whether it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KnownFile {
    pub id: i64,
    pub audio: FileStamp,
    pub folder_cover: Option<(PathBuf, i64)>,
    pub lyrics_sidecar: Option<(PathBuf, i64)>,
}

type KnownRow = (
    i64,
    Vec<u8>,
    i64,
    i64,
    Option<Vec<u8>>,
    Option<i64>,
    Option<Vec<u8>>,
    Option<i64>,
);

pub(crate) async fn known_files_under(
    pool: &SqlitePool,
    root: &Path,
) -> Result<HashMap<PathBuf, KnownFile>> {
    let mut prefix = path_bytes(root);
    if prefix.last() != Some(&b'/') {
        prefix.push(b'/');
    }
    let rows: Vec<KnownRow> = sqlx::query_as(
        "SELECT id, path, size, mtime_ns, folder_cover_path, folder_cover_mtime_ns, \
                lyrics_sidecar_path, lyrics_sidecar_mtime_ns \
         FROM tracks WHERE substr(path, 1, length(?1)) = ?1",
    )
    .bind(prefix)
    .fetch_all(pool)
    .await?;
    let stamp = |path: Option<Vec<u8>>, mtime: Option<i64>| {
        path.map(|p| (path_from_bytes(p), mtime.unwrap_or(0)))
    };
    Ok(rows
        .into_iter()
        .map(
            |(id, path, size, mtime_ns, cover, cover_mtime, sidecar, sidecar_mtime)| {
                (
                    path_from_bytes(path),
                    KnownFile {
                        id,
                        audio: FileStamp { size, mtime_ns },
                        folder_cover: stamp(cover, cover_mtime),
                        lyrics_sidecar: stamp(sidecar, sidecar_mtime),
                    },
                )
            },
        )
        .collect())
}

#[derive(Debug, Clone, Copy)]
struct AlbumEntry {
    id: i64,
    artist_id: i64,
    artist_tagged: bool,
}

/// Writes one import run. Artist and album ids are cached across batches; a database error ends
/// the run (the writer must not be used after one, as its caches may name rolled-back rows).
#[derive(Debug)]
pub(crate) struct ImportWriter {
    pool: SqlitePool,
    hold: super::ClockHold,
    artists: HashMap<String, i64>,
    albums: HashMap<String, AlbumEntry>,
}

impl ImportWriter {
    pub(crate) async fn new(pool: SqlitePool, hold: super::ClockHold) -> Result<Self> {
        let artists: Vec<(String, i64)> = sqlx::query_as("SELECT name_key, id FROM artists")
            .fetch_all(&pool)
            .await?;
        let albums: Vec<(String, i64, i64, bool)> = sqlx::query_as(
            "SELECT group_key, id, album_artist_id, album_artist_tagged FROM albums",
        )
        .fetch_all(&pool)
        .await?;
        Ok(ImportWriter {
            pool,
            hold,
            artists: artists.into_iter().collect(),
            albums: albums
                .into_iter()
                .map(|(key, id, artist_id, artist_tagged)| {
                    (
                        key,
                        AlbumEntry {
                            id,
                            artist_id,
                            artist_tagged,
                        },
                    )
                })
                .collect(),
        })
    }

    /// Inserts or updates `tracks` in one transaction.
    pub(crate) async fn write_batch(&mut self, tracks: &[ScannedTrack]) -> Result<()> {
        let _hold = self.hold.guard();
        let mut tx = super::begin_write(&self.pool).await?;
        for track in tracks {
            self.write_track(&mut tx, track).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn artist_id(&mut self, tx: &mut Transaction<'_, Sqlite>, name: &str) -> Result<i64> {
        let _hold = self.hold.guard();
        let key = name_key(name);
        if let Some(id) = self.artists.get(&key) {
            return Ok(*id);
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO artists (name, name_key) VALUES (?1, ?2) \
             ON CONFLICT(name_key) DO UPDATE SET name_key = excluded.name_key RETURNING id",
        )
        .bind(name.trim())
        .bind(&key)
        .fetch_one(&mut **tx)
        .await?;
        self.artists.insert(key, id);
        Ok(id)
    }

    async fn album_id(
        &mut self,
        tx: &mut Transaction<'_, Sqlite>,
        track: &ScannedTrack,
        track_artist_id: i64,
    ) -> Result<i64> {
        let _hold = self.hold.guard();
        let title = track.album.as_deref().unwrap_or(UNKNOWN_ALBUM);
        let key = album_group_key(title, &track.album_folder);
        let tagged_artist = match track.album_artist.as_deref() {
            Some(name) => Some(self.artist_id(tx, name).await?),
            None => None,
        };
        match self.albums.get(&key).copied() {
            None => {
                let artist_id = tagged_artist.unwrap_or(track_artist_id);
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO albums (title, album_artist_id, album_artist_tagged, year, folder, \
                                         group_key, mb_release_id, mb_release_group_id) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
                )
                .bind(title.trim())
                .bind(artist_id)
                .bind(tagged_artist.is_some())
                .bind(track.year)
                .bind(path_bytes(&track.album_folder))
                .bind(&key)
                .bind(&track.mb_release_id)
                .bind(&track.mb_release_group_id)
                .fetch_one(&mut **tx)
                .await?;
                let entry = AlbumEntry {
                    id,
                    artist_id,
                    artist_tagged: tagged_artist.is_some(),
                };
                self.albums.insert(key, entry);
                Ok(id)
            }
            Some(mut entry) => {
                // The album artist: a tag wins; without one, the one track artist, or "Various
                // Artists" as soon as a second artist appears (a compilation).
                let new_artist = match (tagged_artist, entry.artist_tagged) {
                    (Some(tagged), _) => Some((tagged, true)),
                    (None, true) => None,
                    (None, false) if entry.artist_id == track_artist_id => None,
                    (None, false) => Some((self.artist_id(tx, VARIOUS_ARTISTS).await?, false)),
                };
                if let Some((artist_id, tagged)) = new_artist
                    && (artist_id != entry.artist_id || tagged != entry.artist_tagged)
                {
                    sqlx::query(
                        "UPDATE albums SET album_artist_id = ?2, album_artist_tagged = ?3, \
                                           updated_at = unixepoch() WHERE id = ?1",
                    )
                    .bind(entry.id)
                    .bind(artist_id)
                    .bind(tagged)
                    .execute(&mut **tx)
                    .await?;
                    entry.artist_id = artist_id;
                    entry.artist_tagged = tagged;
                    self.albums.insert(key, entry);
                }
                if track.year.is_some()
                    || track.mb_release_id.is_some()
                    || track.mb_release_group_id.is_some()
                {
                    sqlx::query(
                        "UPDATE albums SET year = coalesce(year, ?2), \
                                           mb_release_id = coalesce(mb_release_id, ?3), \
                                           mb_release_group_id = coalesce(mb_release_group_id, ?4) \
                         WHERE id = ?1 AND (year IS NULL OR mb_release_id IS NULL \
                                            OR mb_release_group_id IS NULL)",
                    )
                    .bind(entry.id)
                    .bind(track.year)
                    .bind(&track.mb_release_id)
                    .bind(&track.mb_release_group_id)
                    .execute(&mut **tx)
                    .await?;
                }
                Ok(entry.id)
            }
        }
    }

    async fn write_track(
        &mut self,
        tx: &mut Transaction<'_, Sqlite>,
        track: &ScannedTrack,
    ) -> Result<()> {
        let _hold = self.hold.guard();
        let artist_name = track
            .artist
            .as_deref()
            .or(track.album_artist.as_deref())
            .unwrap_or(UNKNOWN_ARTIST);
        let artist_id = self.artist_id(tx, artist_name).await?;
        let album_id = self.album_id(tx, track, artist_id).await?;
        let (cover_path, cover_mtime) = split_stamp(&track.folder_cover);
        let (sidecar_path, sidecar_mtime) = split_stamp(&track.lyrics_sidecar);
        // A track that joins an album with artwork shares it; one that changes album takes the
        // new album's.
        let (track_id,): (i64,) = sqlx::query_as(
            "INSERT INTO tracks (path, title, artist_id, album_id, track_number, track_total, \
                                 disc_number, disc_total, duration_ms, format, size, mtime_ns, \
                                 mb_recording_id, mb_track_id, has_embedded_picture, \
                                 folder_cover_path, folder_cover_mtime_ns, lyrics_sidecar_path, \
                                 lyrics_sidecar_mtime_ns, artwork_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
                     ?18, ?19, (SELECT artwork_id FROM albums WHERE id = ?4)) \
             ON CONFLICT(path) DO UPDATE SET \
                title = excluded.title, artist_id = excluded.artist_id, \
                album_id = excluded.album_id, track_number = excluded.track_number, \
                track_total = excluded.track_total, disc_number = excluded.disc_number, \
                disc_total = excluded.disc_total, duration_ms = excluded.duration_ms, \
                format = excluded.format, size = excluded.size, mtime_ns = excluded.mtime_ns, \
                mb_recording_id = excluded.mb_recording_id, mb_track_id = excluded.mb_track_id, \
                has_embedded_picture = excluded.has_embedded_picture, \
                folder_cover_path = excluded.folder_cover_path, \
                folder_cover_mtime_ns = excluded.folder_cover_mtime_ns, \
                lyrics_sidecar_path = excluded.lyrics_sidecar_path, \
                lyrics_sidecar_mtime_ns = excluded.lyrics_sidecar_mtime_ns, \
                artwork_id = CASE WHEN tracks.album_id = excluded.album_id THEN tracks.artwork_id \
                                  ELSE excluded.artwork_id END, \
                updated_at = unixepoch() \
             RETURNING id",
        )
        .bind(path_bytes(&track.path))
        .bind(&track.title)
        .bind(artist_id)
        .bind(album_id)
        .bind(track.track_number)
        .bind(track.track_total)
        .bind(track.disc_number)
        .bind(track.disc_total)
        .bind(track.duration_ms.and_then(|ms| i64::try_from(ms).ok()))
        .bind(track.format)
        .bind(track.stamp.size)
        .bind(track.stamp.mtime_ns)
        .bind(&track.mb_recording_id)
        .bind(&track.mb_track_id)
        .bind(track.has_embedded_picture)
        .bind(cover_path)
        .bind(cover_mtime)
        .bind(sidecar_path)
        .bind(sidecar_mtime)
        .fetch_one(&mut **tx)
        .await?;

        match &track.local_lyrics {
            Some(lyrics) if lyrics.instrumental => {
                sqlx::query("DELETE FROM lyrics WHERE track_id = ?1")
                    .bind(track_id)
                    .execute(&mut **tx)
                    .await?;
                set_lyrics_status(tx, track_id, LyricsStatus::Instrumental).await?;
            }
            Some(lyrics) => {
                sqlx::query(
                    "INSERT INTO lyrics (track_id, plain, synced, source) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT(track_id) DO UPDATE SET plain = excluded.plain, \
                        synced = excluded.synced, source = excluded.source, \
                        updated_at = unixepoch()",
                )
                .bind(track_id)
                .bind(&lyrics.plain)
                .bind(&lyrics.synced)
                .bind(lyrics.source.as_str())
                .execute(&mut **tx)
                .await?;
                set_lyrics_status(tx, track_id, LyricsStatus::Available).await?;
            }
            None => {
                // Lyrics that came from the files are gone with them; lyrics a provider found
                // stay.
                let removed =
                    sqlx::query("DELETE FROM lyrics WHERE track_id = ?1 AND source IN (?2, ?3)")
                        .bind(track_id)
                        .bind(LOCAL_LYRICS_SOURCES[0])
                        .bind(LOCAL_LYRICS_SOURCES[1])
                        .execute(&mut **tx)
                        .await?
                        .rows_affected();
                if removed > 0 {
                    set_lyrics_status(tx, track_id, LyricsStatus::NotFetched).await?;
                }
            }
        }
        Ok(())
    }

    /// Deletes the tracks with these ids (their lyrics go with them).
    pub(crate) async fn remove_tracks(&mut self, ids: &[i64]) -> Result<u64> {
        let _hold = self.hold.guard();
        let mut tx = super::begin_write(&self.pool).await?;
        let mut removed = 0;
        for id in ids {
            removed += sqlx::query("DELETE FROM tracks WHERE id = ?1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        tx.commit().await?;
        Ok(removed)
    }

    /// Deletes albums without tracks and artists that no track or album names.
    pub(crate) async fn prune_orphans(&mut self) -> Result<()> {
        let _hold = self.hold.guard();
        let mut tx = super::begin_write(&self.pool).await?;
        delete_orphans(&mut tx).await?;
        tx.commit().await?;
        // Ids of pruned rows must not be served from the caches.
        *self = ImportWriter::new(self.pool.clone(), self.hold.clone()).await?;
        Ok(())
    }
}

/// Deletes albums without tracks and artists that no track or album names, in `tx`.
pub(crate) async fn delete_orphans(tx: &mut Transaction<'_, Sqlite>) -> Result<()> {
    sqlx::query("DELETE FROM albums WHERE id NOT IN (SELECT album_id FROM tracks)")
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "DELETE FROM artists WHERE id NOT IN (SELECT artist_id FROM tracks) \
                               AND id NOT IN (SELECT album_artist_id FROM albums)",
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn set_lyrics_status(
    tx: &mut Transaction<'_, Sqlite>,
    track_id: i64,
    status: LyricsStatus,
) -> Result<()> {
    sqlx::query("UPDATE tracks SET lyrics_status = ?2 WHERE id = ?1")
        .bind(track_id)
        .bind(status)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

fn split_stamp(stamp: &Option<(PathBuf, i64)>) -> (Option<Vec<u8>>, Option<i64>) {
    match stamp {
        Some((path, mtime)) => (Some(path_bytes(path)), Some(*mtime)),
        None => (None, None),
    }
}

/// Albums are told apart by title and album folder: the tracks of one folder with one album
/// title are one album (a compilation's many track artists included), the discs of a multi-disc
/// set share their album folder (see `scan::album_folder`), and two albums that share a title
/// (two "Greatest Hits") stay apart because they sit in different folders.
fn album_group_key(title: &str, album_folder: &Path) -> String {
    let folder = match album_folder.to_str() {
        Some(s) => s.to_owned(),
        None => path_bytes(album_folder)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
    };
    format!("{}\u{0}{}", name_key(title), folder)
}
