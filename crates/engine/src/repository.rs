//! Repository traits: how the rest of the engine (the enrichment job, the CLI, the desktop shell)
//! reads the library. They carry no SQL; `crate::db` implements them over SQLite, and tests may
//! implement them over anything.
//!
//! Every list is paged by id (`after_id` = the last id of the previous page, 0 for the first), so
//! a 100,000-track library is never loaded whole.

use async_trait::async_trait;

use crate::error::Result;
use crate::model::{Album, Artist, Lyrics, LyricsStatus, TrackRecord};

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

/// Albums, each with its album artist's name and track count.
#[async_trait]
pub trait AlbumRepository: Send + Sync {
    async fn get(&self, id: i64) -> Result<Option<Album>>;
    async fn page(&self, after_id: i64, limit: u32) -> Result<Vec<Album>>;
    async fn count(&self) -> Result<u64>;
}

/// Artists (track artists and album artists alike).
#[async_trait]
pub trait ArtistRepository: Send + Sync {
    async fn get(&self, id: i64) -> Result<Option<Artist>>;
    /// The artist whose name matches `name` ignoring case and spacing.
    async fn find_by_name(&self, name: &str) -> Result<Option<Artist>>;
    async fn page(&self, after_id: i64, limit: u32) -> Result<Vec<Artist>>;
    async fn count(&self) -> Result<u64>;
}
