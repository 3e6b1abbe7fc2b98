//! What the enrichment job reads and writes: the selection (tracks that need artwork or lyrics),
//! outcomes (committed as they happen, with the job's counts, in one transaction per group),
//! failures, "not found" memory, and the job rows that let a crashed or quit job resume.

use std::path::Path;

use sqlx::{Sqlite, Transaction};

use super::library::{track_columns, track_joins};
use super::{Database, path_from_bytes};
use crate::error::{EngineError, Result};
use crate::model::{EnrichmentProgress, LastRun, LastRunState, NotFoundCounts, Operation};
use crate::model::{LyricsStatus, TrackRecord};

/// Which tracks a job works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Work on artwork: tracks whose album has none (with `retry_failed`: whose artwork failed).
    pub artwork: bool,
    /// Work on lyrics: tracks that have none (with `retry_failed`: whose lyrics failed).
    pub lyrics: bool,
    /// Only what failed before ("retry failed"), instead of what was never asked.
    pub retry_failed: bool,
    /// Unix time: "not found" answers older than this are asked again.
    pub not_found_before: i64,
    /// Only these tracks (a failure's "Retry"), when set; else every track that needs work.
    pub only_tracks: Option<Vec<i64>>,
}

impl Selection {
    /// `only_tracks` as the JSON array `json_each` reads (`?5`), or NULL for every track.
    pub(super) fn only_tracks_json(&self) -> Option<String> {
        self.only_tracks.as_deref().map(json_ids)
    }
}

/// A track the job will work on, and what it needs.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The track as stored.
    pub track: TrackRecord,
    /// Artwork is to be fetched for its album.
    pub needs_artwork: bool,
    /// Lyrics are to be fetched for it.
    pub needs_lyrics: bool,
}

/// A stored artwork image (the bytes are in the artwork store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtworkRow {
    /// SHA-256 of the image bytes, lowercase hex; the same image is stored once.
    pub content_hash: String,
    /// `image/jpeg`, `image/png`, `image/webp` or `image/gif`.
    pub mime: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Size of the image file, in bytes.
    pub byte_size: u64,
    /// The image file, relative to the artwork store.
    pub storage_path: String,
    /// The 256 px JPEG for the UI, when one could be made.
    pub thumbnail_path: Option<String>,
    /// Where it came from (`embedded`, `folder`, `coverartarchive`, `itunes`, ...).
    pub source: String,
    /// Which candidate won (stored with the album, not the image).
    pub matched: Option<String>,
}

/// One outcome to commit.
#[derive(Debug, Clone)]
pub enum OutcomeWrite {
    /// An album got artwork: store the image, set it on the album and its tracks.
    ArtworkFound {
        /// The album the artwork is for.
        album_id: i64,
        /// The image, already saved in the artwork store.
        artwork: ArtworkRow,
    },
    /// No source had artwork for an album; remembered so it is not asked again for a while.
    ArtworkNotFound {
        /// The album no source had artwork for.
        album_id: i64,
    },
    /// A track got lyrics; its status becomes `available`.
    LyricsFound {
        /// The track the lyrics are for.
        track_id: i64,
        /// Unsynced lyrics text; `None` when the source had none.
        plain: Option<String>,
        /// Time-stamped lyrics in LRC format; `None` when the source had none.
        synced: Option<String>,
        /// Where they came from (e.g. `lrclib`).
        source: String,
        /// Which candidate won (record, names, duration, score), for people checking.
        matched: Option<String>,
    },
    /// A track has no vocals; its status becomes `instrumental`.
    LyricsInstrumental {
        /// The instrumental track.
        track_id: i64,
    },
    /// No source had lyrics for a track; its status becomes `unavailable`.
    LyricsNotFound {
        /// The track no source had lyrics for.
        track_id: i64,
    },
    /// An operation failed for good after its retries; recorded as a failure.
    Failed {
        /// The track the operation was for.
        track_id: i64,
        /// Which operation failed.
        operation: Operation,
        /// The last error, for people.
        reason: String,
        /// How many attempts were made, the first included.
        attempts: u32,
    },
}

/// A job row that did not finish, to be continued.
#[derive(Debug, Clone)]
pub struct JobStart {
    /// The job's row id.
    pub id: i64,
    /// A previous run of this job stopped early (crash or quit); its counts carry over.
    pub resumed: bool,
    /// Counts carried over from the earlier run; all zero for a new job.
    pub carried: EnrichmentProgress,
    /// "Not found" counts carried over likewise.
    pub carried_not_found: NotFoundCounts,
}

/// A failure as `gatefold-cli failures` and the UI list it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct FailureRecord {
    /// The track that failed.
    #[ts(type = "number")]
    pub track_id: i64,
    /// The track's title.
    pub title: String,
    /// The track's artist.
    pub artist: String,
    /// The track's album (its id in the library).
    #[ts(type = "number")]
    pub album_id: i64,
    /// The track's album title.
    pub album: String,
    /// The track's file path (bytes that are not UTF-8 shown lossily).
    pub path: String,
    /// Which operation failed.
    pub operation: Operation,
    /// The last error, for people.
    pub reason: String,
    /// How many attempts were made, the first included.
    pub attempts: u32,
    /// When it failed, in seconds since the Unix epoch.
    #[ts(type = "number")]
    pub failed_at: i64,
}

/// Whether a track needs artwork. Parameters: ?1 artwork wanted, ?3 retry failed only, ?4 the
/// not-found cutoff.
macro_rules! needs_artwork {
    () => {
        "(CASE WHEN ?3 THEN ?1 AND EXISTS (SELECT 1 FROM enrichment_failures f \
                 WHERE f.track_id = t.id AND f.operation = 'artwork') \
          ELSE ?1 AND t.artwork_id IS NULL AND al.artwork_id IS NULL \
             AND (al.artwork_checked_at IS NULL OR al.artwork_checked_at < ?4) \
             AND NOT EXISTS (SELECT 1 FROM enrichment_failures f \
                 WHERE f.track_id = t.id AND f.operation = 'artwork') END)"
    };
}

/// Whether a track needs lyrics. Parameters: ?2 lyrics wanted, ?3 retry failed only, ?4 the
/// not-found cutoff.
macro_rules! needs_lyrics {
    () => {
        "(CASE WHEN ?3 THEN ?2 AND t.lyrics_status = 'failed' \
          ELSE ?2 AND (t.lyrics_status = 'not_fetched' \
             OR (t.lyrics_status = 'unavailable' AND coalesce(t.lyrics_checked_at, 0) < ?4)) END)"
    };
}

/// The condition shared by the page and count queries: a track that needs either, among
/// the tracks ?5 names (a JSON array; NULL: every track).
macro_rules! candidate_where {
    () => {
        concat!(
            "(",
            needs_artwork!(),
            " OR ",
            needs_lyrics!(),
            ") AND (?5 IS NULL OR t.id IN (SELECT value FROM json_each(?5)))"
        )
    };
}

#[derive(sqlx::FromRow)]
struct OpenJobRow {
    id: i64,
    owner_pid: i64,
    heartbeat_at: i64,
    #[sqlx(flatten)]
    counts: JobCountsRow,
}

/// A job row's counts, as they were committed.
#[derive(sqlx::FromRow)]
struct JobCountsRow {
    total_tracks: i64,
    processed_tracks: i64,
    artwork_fetched: i64,
    lyrics_fetched: i64,
    failed_tracks: i64,
    artwork_not_found: i64,
    lyrics_not_found: i64,
}

impl JobCountsRow {
    fn counts(&self) -> (EnrichmentProgress, NotFoundCounts) {
        let count = |n: i64| u32::try_from(n).unwrap_or(0);
        let mut progress = EnrichmentProgress::new(count(self.total_tracks));
        progress.processed_tracks = count(self.processed_tracks);
        progress.artwork_fetched = count(self.artwork_fetched);
        progress.lyrics_fetched = count(self.lyrics_fetched);
        progress.failed_tracks = count(self.failed_tracks);
        progress.set_total(count(self.total_tracks));
        let not_found = NotFoundCounts {
            artwork: count(self.artwork_not_found),
            lyrics: count(self.lyrics_not_found),
        };
        (progress, not_found)
    }
}

/// Whether the process `owner` still runs a job whose last heartbeat was at `heartbeat`.
fn owner_alive(owner: i64, heartbeat: i64, now: i64, stale_after_secs: i64) -> bool {
    now - heartbeat < stale_after_secs && Path::new(&format!("/proc/{owner}")).exists()
}

#[derive(sqlx::FromRow)]
struct LastJobRow {
    id: i64,
    state: String,
    owner_pid: i64,
    heartbeat_at: i64,
    started_at: i64,
    finished_at: Option<i64>,
    #[sqlx(flatten)]
    counts: JobCountsRow,
}

#[derive(sqlx::FromRow)]
struct FailureRow {
    track_id: i64,
    title: String,
    artist: String,
    album_id: i64,
    album: String,
    path: Vec<u8>,
    operation: Operation,
    reason: String,
    attempts: i64,
    failed_at: i64,
}

#[derive(sqlx::FromRow)]
struct CandidateRow {
    #[sqlx(flatten)]
    track: super::library::TrackRow,
    needs_artwork: bool,
    needs_lyrics: bool,
}

impl From<CandidateRow> for Candidate {
    fn from(r: CandidateRow) -> Self {
        Candidate {
            track: r.track.into(),
            needs_artwork: r.needs_artwork,
            needs_lyrics: r.needs_lyrics,
        }
    }
}

impl Database {
    /// Tracks a crash left in `fetching` go back to `not_fetched`.
    pub async fn recover_interrupted_lyrics(&self) -> Result<u64> {
        let _hold = self.hold.guard();
        Ok(sqlx::query(
            "UPDATE tracks SET lyrics_status = 'not_fetched' WHERE lyrics_status = 'fetching'",
        )
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    /// How many tracks `selection` holds.
    pub async fn count_candidates(&self, selection: &Selection) -> Result<u32> {
        let _hold = self.hold.guard();
        let (n,): (i64,) = sqlx::query_as(concat!(
            "SELECT count(*) FROM tracks t JOIN albums al ON al.id = t.album_id WHERE ",
            candidate_where!()
        ))
        .bind(selection.artwork)
        .bind(selection.lyrics)
        .bind(selection.retry_failed)
        .bind(selection.not_found_before)
        .bind(selection.only_tracks_json())
        .fetch_one(&self.pool)
        .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Up to `limit` candidates with an id below `before_id`, newest first (one query): music
    /// added recently goes before the back catalogue.
    pub async fn candidates_page(
        &self,
        selection: &Selection,
        before_id: i64,
        limit: u32,
    ) -> Result<Vec<Candidate>> {
        self.candidates(selection, before_id, limit, None).await
    }

    /// The candidates of one album (what "enrich this album now" puts first), newest first.
    pub async fn album_candidates(
        &self,
        selection: &Selection,
        album_id: i64,
    ) -> Result<Vec<Candidate>> {
        self.candidates(selection, i64::MAX, u32::MAX, Some(album_id))
            .await
    }

    async fn candidates(
        &self,
        selection: &Selection,
        before_id: i64,
        limit: u32,
        album_id: Option<i64>,
    ) -> Result<Vec<Candidate>> {
        let _hold = self.hold.guard();
        let rows: Vec<CandidateRow> = sqlx::query_as(concat!(
            "SELECT ",
            track_columns!(),
            ", ",
            needs_artwork!(),
            " AS needs_artwork, ",
            needs_lyrics!(),
            " AS needs_lyrics ",
            track_joins!(),
            "WHERE t.id < ?6 AND (?8 IS NULL OR t.album_id = ?8) AND ",
            candidate_where!(),
            " ORDER BY t.id DESC LIMIT ?7"
        ))
        .bind(selection.artwork)
        .bind(selection.lyrics)
        .bind(selection.retry_failed)
        .bind(selection.not_found_before)
        .bind(selection.only_tracks_json())
        .bind(before_id)
        .bind(i64::from(limit))
        .bind(album_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(Candidate::from).collect())
    }

    /// Marks tracks whose lyrics are being fetched (a crash leaves them for recovery).
    pub async fn mark_lyrics_fetching(&self, track_ids: &[i64]) -> Result<()> {
        let _hold = self.hold.guard();
        sqlx::query("UPDATE tracks SET lyrics_status = 'fetching' WHERE id IN (SELECT value FROM json_each(?1))")
            .bind(json_ids(track_ids))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Starts a job, or continues the one a crash or a quit left unfinished. Refuses when
    /// another live process runs one.
    pub async fn start_job(
        &self,
        config_json: &str,
        retry_failed: bool,
        now: i64,
        stale_after_secs: i64,
    ) -> Result<JobStart> {
        let _hold = self.hold.guard();
        // IMMEDIATE: the write lock is taken before the read, so two processes claiming at
        // once queue on the busy timeout (one wins, the other then sees its job) instead of
        // failing with "database is locked" when a read lock cannot be upgraded.
        let mut tx = super::begin_write(&self.pool).await?;
        let open: Option<OpenJobRow> = sqlx::query_as(
            "SELECT id, owner_pid, heartbeat_at, total_tracks, processed_tracks, artwork_fetched, \
                    lyrics_fetched, failed_tracks, artwork_not_found, lyrics_not_found \
             FROM enrichment_jobs WHERE state IN ('running', 'paused') ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?;
        let pid = i64::from(std::process::id());
        if let Some(OpenJobRow {
            id,
            owner_pid: owner,
            heartbeat_at: heartbeat,
            counts,
        }) = open
        {
            if owner != pid && owner_alive(owner, heartbeat, now, stale_after_secs) {
                return Err(EngineError::JobAlreadyRunning { pid: owner });
            }
            sqlx::query(
                "UPDATE enrichment_jobs SET state = 'running', owner_pid = ?2, heartbeat_at = ?3, \
                                            config = ?4, retry_failed = ?5 WHERE id = ?1",
            )
            .bind(id)
            .bind(pid)
            .bind(now)
            .bind(config_json)
            .bind(retry_failed)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            let (carried, carried_not_found) = counts.counts();
            return Ok(JobStart {
                id,
                resumed: true,
                carried,
                carried_not_found,
            });
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO enrichment_jobs (state, config, retry_failed, owner_pid, started_at, heartbeat_at) \
             VALUES ('running', ?1, ?2, ?3, ?4, ?4) RETURNING id",
        )
        .bind(config_json)
        .bind(retry_failed)
        .bind(pid)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(JobStart {
            id,
            resumed: false,
            carried: EnrichmentProgress::new(0),
            carried_not_found: NotFoundCounts::default(),
        })
    }

    /// The library's most recent job and how it stands (`None` before the first): a job whose
    /// process is gone (no heartbeat for `stale_after_secs`, or no such process) before its
    /// end is `Interrupted`, and the next start continues it.
    pub async fn last_job(&self, now: i64, stale_after_secs: i64) -> Result<Option<LastRun>> {
        let _hold = self.hold.guard();
        let row: Option<LastJobRow> = sqlx::query_as(
            "SELECT id, state, owner_pid, heartbeat_at, started_at, finished_at, total_tracks, \
                    processed_tracks, artwork_fetched, lyrics_fetched, failed_tracks, \
                    artwork_not_found, lyrics_not_found \
             FROM enrichment_jobs ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let state = match row.state.as_str() {
            "finished" => LastRunState::Finished,
            "cancelled" => LastRunState::Cancelled,
            _ if !owner_alive(row.owner_pid, row.heartbeat_at, now, stale_after_secs) => {
                LastRunState::Interrupted
            }
            _ if row.owner_pid == i64::from(std::process::id()) => LastRunState::Running,
            _ => LastRunState::RunningElsewhere,
        };
        let (progress, not_found) = row.counts.counts();
        Ok(Some(LastRun {
            job_id: row.id,
            state,
            progress,
            not_found,
            started_at: row.started_at,
            ended_at: row.finished_at,
        }))
    }

    /// Records that the job is alive (and its state: running or paused).
    pub async fn job_heartbeat(&self, job_id: i64, paused: bool, now: i64) -> Result<()> {
        let _hold = self.hold.guard();
        sqlx::query("UPDATE enrichment_jobs SET heartbeat_at = ?2, state = ?3 WHERE id = ?1 AND state IN ('running', 'paused')")
            .bind(job_id)
            .bind(now)
            .bind(if paused { "paused" } else { "running" })
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends a job: `finished`, or `cancelled` (a cancelled job is not resumed).
    pub async fn end_job(
        &self,
        job_id: i64,
        cancelled: bool,
        counts: JobCounts<'_>,
        now: i64,
    ) -> Result<()> {
        let _hold = self.hold.guard();
        let mut tx = super::begin_write(&self.pool).await?;
        sqlx::query(
            "UPDATE tracks SET lyrics_status = 'not_fetched' WHERE lyrics_status = 'fetching'",
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE enrichment_jobs SET state = ?2, finished_at = ?3 WHERE id = ?1")
            .bind(job_id)
            .bind(if cancelled { "cancelled" } else { "finished" })
            .bind(now)
            .execute(&mut *tx)
            .await?;
        write_counts(&mut tx, job_id, counts).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Commits outcomes and the job's counts together, in one transaction with a handful of
    /// statements whatever the number of outcomes (lyrics and statuses go in as JSON arrays);
    /// returns the tracks that got artwork.
    pub async fn apply_outcomes(
        &self,
        job_id: i64,
        writes: &[OutcomeWrite],
        counts: JobCounts<'_>,
        now: i64,
    ) -> Result<Vec<i64>> {
        let _hold = self.hold.guard();
        let mut lyrics_rows = Vec::new();
        let mut by_status: Vec<(LyricsStatus, Vec<i64>)> = Vec::new();
        let mut settled_lyrics = Vec::new();
        let mut status =
            |s: LyricsStatus, id: i64| match by_status.iter_mut().find(|(k, _)| *k == s) {
                Some((_, ids)) => ids.push(id),
                None => by_status.push((s, vec![id])),
            };
        let mut per_album = Vec::new();
        let mut failures = Vec::new();
        for write in writes {
            match write {
                OutcomeWrite::LyricsFound {
                    track_id,
                    plain,
                    synced,
                    source,
                    matched,
                } => {
                    lyrics_rows.push(serde_json::json!({ "id": track_id, "plain": plain, "synced": synced, "source": source, "matched": matched }));
                    status(LyricsStatus::Available, *track_id);
                    settled_lyrics.push(*track_id);
                }
                OutcomeWrite::LyricsInstrumental { track_id } => {
                    status(LyricsStatus::Instrumental, *track_id);
                    settled_lyrics.push(*track_id);
                }
                OutcomeWrite::LyricsNotFound { track_id } => {
                    status(LyricsStatus::Unavailable, *track_id);
                    settled_lyrics.push(*track_id);
                }
                OutcomeWrite::Failed {
                    track_id,
                    operation: Operation::Lyrics,
                    ..
                } => {
                    status(LyricsStatus::Failed, *track_id);
                    failures.push(write);
                }
                OutcomeWrite::Failed { .. } => failures.push(write),
                OutcomeWrite::ArtworkFound { .. } | OutcomeWrite::ArtworkNotFound { .. } => {
                    per_album.push(write)
                }
            }
        }

        let mut tx = super::begin_write(&self.pool).await?;
        let mut with_artwork = Vec::new();
        for write in per_album {
            with_artwork.extend(apply_artwork(&mut tx, write, now).await?);
        }
        if !lyrics_rows.is_empty() {
            sqlx::query(
                "INSERT INTO lyrics (track_id, plain, synced, source, matched, updated_at) \
                 SELECT value ->> '$.id', value ->> '$.plain', value ->> '$.synced', value ->> '$.source', \
                        value ->> '$.matched', ?2 \
                 FROM json_each(?1) WHERE true \
                 ON CONFLICT(track_id) DO UPDATE SET plain = excluded.plain, synced = excluded.synced, \
                    source = excluded.source, matched = excluded.matched, updated_at = excluded.updated_at",
            )
            .bind(serde_json::Value::Array(lyrics_rows).to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        for (lyrics_status, ids) in &by_status {
            sqlx::query(
                "UPDATE tracks SET lyrics_status = ?1, lyrics_checked_at = ?2, updated_at = ?2 \
                 WHERE id IN (SELECT value FROM json_each(?3))",
            )
            .bind(lyrics_status)
            .bind(now)
            .bind(json_ids(ids))
            .execute(&mut *tx)
            .await?;
        }
        if !settled_lyrics.is_empty() {
            sqlx::query(
                "DELETE FROM enrichment_failures WHERE operation = 'lyrics' \
                 AND track_id IN (SELECT value FROM json_each(?1))",
            )
            .bind(json_ids(&settled_lyrics))
            .execute(&mut *tx)
            .await?;
        }
        for write in failures {
            if let OutcomeWrite::Failed {
                track_id,
                operation,
                reason,
                attempts,
            } = write
            {
                sqlx::query(
                    "INSERT INTO enrichment_failures (track_id, operation, reason, attempts, job_id, failed_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
                     ON CONFLICT(track_id, operation) DO UPDATE SET reason = excluded.reason, \
                        attempts = excluded.attempts, job_id = excluded.job_id, failed_at = excluded.failed_at",
                )
                .bind(track_id)
                .bind(operation)
                .bind(reason)
                .bind(attempts)
                .bind(job_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        write_counts(&mut tx, job_id, counts).await?;
        tx.commit().await?;
        Ok(with_artwork)
    }

    /// Failures recorded so far, newest first.
    pub async fn failures(&self, limit: u32) -> Result<Vec<FailureRecord>> {
        let _hold = self.hold.guard();
        let rows: Vec<FailureRow> = sqlx::query_as(
            "SELECT f.track_id, t.title, ar.name AS artist, t.album_id, al.title AS album, t.path, \
                    f.operation, f.reason, \
                    f.attempts, f.failed_at \
             FROM enrichment_failures f \
             JOIN tracks t ON t.id = f.track_id \
             JOIN artists ar ON ar.id = t.artist_id \
             JOIN albums al ON al.id = t.album_id \
             ORDER BY f.failed_at DESC, f.track_id LIMIT ?1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |FailureRow {
                     track_id,
                     title,
                     artist,
                     album_id,
                     album,
                     path,
                     operation,
                     reason,
                     attempts,
                     failed_at,
                 }| {
                    FailureRecord {
                        track_id,
                        title,
                        artist,
                        album_id,
                        album,
                        path: path_from_bytes(path).display().to_string(),
                        operation,
                        reason,
                        attempts: u32::try_from(attempts).unwrap_or(0),
                        failed_at,
                    }
                },
            )
            .collect())
    }
}

async fn write_counts(
    tx: &mut Transaction<'_, Sqlite>,
    job_id: i64,
    (p, not_found): JobCounts<'_>,
) -> Result<()> {
    sqlx::query(
        "UPDATE enrichment_jobs SET total_tracks = ?2, processed_tracks = ?3, artwork_fetched = ?4, \
                                    lyrics_fetched = ?5, failed_tracks = ?6, \
                                    artwork_not_found = ?7, lyrics_not_found = ?8 WHERE id = ?1",
    )
    .bind(job_id)
    .bind(p.total_tracks)
    .bind(p.processed_tracks)
    .bind(p.artwork_fetched)
    .bind(p.lyrics_fetched)
    .bind(p.failed_tracks)
    .bind(not_found.artwork)
    .bind(not_found.lyrics)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A job's counts as they are committed: its progress and its "not found" counts.
pub type JobCounts<'a> = (&'a EnrichmentProgress, &'a NotFoundCounts);

/// Applies an album's artwork outcome; returns the tracks whose artwork it set.
async fn apply_artwork(
    tx: &mut Transaction<'_, Sqlite>,
    write: &OutcomeWrite,
    now: i64,
) -> Result<Vec<i64>> {
    let album_id = match write {
        OutcomeWrite::ArtworkFound { album_id, .. }
        | OutcomeWrite::ArtworkNotFound { album_id } => *album_id,
        _ => return Ok(Vec::new()),
    };
    let mut with_artwork = Vec::new();
    if let OutcomeWrite::ArtworkFound { artwork, .. } = write {
        let (artwork_id,): (i64,) = sqlx::query_as(
            "INSERT INTO artworks (content_hash, mime, width, height, byte_size, storage_path, source, thumbnail_path) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT(content_hash) DO UPDATE SET content_hash = excluded.content_hash RETURNING id",
        )
        .bind(&artwork.content_hash)
        .bind(&artwork.mime)
        .bind(artwork.width)
        .bind(artwork.height)
        .bind(i64::try_from(artwork.byte_size).unwrap_or(i64::MAX))
        .bind(&artwork.storage_path)
        .bind(&artwork.source)
        .bind(&artwork.thumbnail_path)
        .fetch_one(&mut **tx)
        .await?;
        sqlx::query(
            "UPDATE albums SET artwork_id = ?2, artwork_source = ?4, artwork_match = ?5, \
                               artwork_checked_at = ?3, updated_at = ?3 WHERE id = ?1",
        )
        .bind(album_id)
        .bind(artwork_id)
        .bind(now)
        .bind(&artwork.source)
        .bind(&artwork.matched)
        .execute(&mut **tx)
        .await?;
        with_artwork = sqlx::query_scalar(
            "UPDATE tracks SET artwork_id = ?2, updated_at = ?3 WHERE album_id = ?1 RETURNING id",
        )
        .bind(album_id)
        .bind(artwork_id)
        .bind(now)
        .fetch_all(&mut **tx)
        .await?;
    } else {
        sqlx::query("UPDATE albums SET artwork_checked_at = ?2 WHERE id = ?1")
            .bind(album_id)
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(
        "DELETE FROM enrichment_failures WHERE operation = 'artwork' \
         AND track_id IN (SELECT id FROM tracks WHERE album_id = ?1)",
    )
    .bind(album_id)
    .execute(&mut **tx)
    .await?;
    Ok(with_artwork)
}

/// Ids as a JSON array, for `json_each`.
fn json_ids(ids: &[i64]) -> String {
    serde_json::Value::from(ids.to_vec()).to_string()
}
