//! [`TrackRepository`]: the library's tracks, read page by page, with no SQL in sight;
//! `crate::db` implements it over SQLite. Tests and the bench read the library through it, and
//! it is the API for tools built on the engine. The job and the window do not: the job reads
//! its candidates with the per-operation flags of one query (`Database::candidates_page`), the
//! window reads the shapes it shows (`db/browse.rs`).
//!
//! Every list is paged by id (`after_id` = the last id of the previous page, 0 for the first), so
//! a 100,000-track library is never loaded whole.

use async_trait::async_trait;

use crate::error::Result;
use crate::model::{Lyrics, LyricsStatus, TrackRecord};

/// Tracks, each read together with its artist and album names (one query per page, never N+1).
#[async_trait]
pub trait TrackRepository: Send + Sync {
    /// One track, or `None` when no track has that id.
    async fn get(&self, id: i64) -> Result<Option<TrackRecord>>;

    /// Up to `limit` tracks with an id above `after_id`, in id order.
    async fn page(&self, after_id: i64, limit: u32) -> Result<Vec<TrackRecord>>;

    /// Up to `limit` tracks without artwork with an id above `after_id`, in id order.
    async fn find_by_missing_artwork(&self, after_id: i64, limit: u32) -> Result<Vec<TrackRecord>>;

    /// Up to `limit` tracks in lyrics status `status` with an id above `after_id`, in id order.
    async fn find_by_lyrics_status(
        &self,
        status: LyricsStatus,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<TrackRecord>>;

    /// The tracks of one album, in disc and track order.
    async fn tracks_of_album(&self, album_id: i64) -> Result<Vec<TrackRecord>>;

    /// The stored lyrics of a track, if any.
    async fn lyrics(&self, track_id: i64) -> Result<Option<Lyrics>>;

    /// How many tracks the library holds.
    async fn count(&self) -> Result<u64>;
}
