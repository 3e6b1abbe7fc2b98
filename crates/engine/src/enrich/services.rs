//! What the job asks of the outside world: `ArtworkService` finds an album's cover,
//! `LyricsService` finds lyrics for an album's tracks. The job drives them (scheduling, retries,
//! timeouts, persistence); the providers behind them never touch the database.

use async_trait::async_trait;

use crate::model::TrackRecord;
pub use crate::model::{FetchError, FetchedArtwork, FetchedLyrics};

/// An album, as the artwork service sees it.
#[derive(Debug, Clone)]
pub struct AlbumRequest {
    /// The album's row id.
    pub album_id: i64,
    /// The album's title.
    pub title: String,
    /// The album's artist.
    pub album_artist: String,
    /// The MusicBrainz release id from the tags, if any (not checked to be a valid id).
    pub mb_release_id: Option<String>,
    /// The album's tracks this job knows of (for embedded pictures and the album folder).
    pub tracks: Vec<TrackRecord>,
}

/// Tracks of one album whose lyrics are wanted, so a service may answer them together.
#[derive(Debug, Clone)]
pub struct LyricsRequest {
    /// The album's row id.
    pub album_id: i64,
    /// The album's title.
    pub album: String,
    /// The album's artist.
    pub album_artist: String,
    /// The tracks whose lyrics are wanted (the album's tracks in one page of the job).
    pub tracks: Vec<TrackRecord>,
}

/// Finds album artwork. `Ok(None)` means no source has it (not an error).
#[async_trait]
pub trait ArtworkService: Send + Sync {
    /// One attempt at the album's cover: `Ok(None)` when no source has it; an error says
    /// whether another attempt may succeed.
    async fn fetch_artwork(
        &self,
        album: &AlbumRequest,
    ) -> Result<Option<FetchedArtwork>, FetchError>;

    /// Whether the service bounds each of its own requests in time (the HTTP providers: each
    /// request within the operation timeout, from when it is sent, never counting the wait
    /// behind a rate limit). The job then sets no deadline on a whole call, which may queue and
    /// make several requests; otherwise each call gets the operation timeout.
    fn bounds_each_request(&self) -> bool {
        false
    }
}

/// Finds lyrics for the tracks of one album; returns one result per requested track (a track
/// missing from the answer counts as a permanent failure of the service).
#[async_trait]
pub trait LyricsService: Send + Sync {
    /// One attempt for the request's tracks: a result per requested track, with its track id.
    async fn fetch_lyrics(
        &self,
        request: &LyricsRequest,
    ) -> Vec<(i64, Result<FetchedLyrics, FetchError>)>;

    /// Whether the service bounds each of its own requests in time (the HTTP providers: each
    /// request within the operation timeout, from when it is sent, never counting the wait
    /// behind a rate limit). The job then sets no deadline on a whole call, which may queue and
    /// make several requests; otherwise each call gets the operation timeout.
    fn bounds_each_request(&self) -> bool {
        false
    }

    /// How many requests the service takes at once (its in-flight bound), when it has one:
    /// the job lets at least this many lyrics operations run, so a provider set to take 16
    /// at once gets 16 whatever `max_concurrent` says.
    fn max_in_flight(&self) -> Option<usize> {
        None
    }
}
