//! What the job asks of the outside world: `ArtworkService` finds an album's cover,
//! `LyricsService` finds lyrics for an album's tracks. The job drives them (scheduling, retries,
//! timeouts, persistence); the providers behind them never touch the database.

use std::time::Duration;

use async_trait::async_trait;

use crate::model::TrackRecord;

/// An album, as the artwork service sees it.
#[derive(Debug, Clone)]
pub struct AlbumRequest {
    pub album_id: i64,
    pub title: String,
    pub album_artist: String,
    pub mb_release_id: Option<String>,
    /// The album's tracks this job knows of (for embedded pictures and the album folder).
    pub tracks: Vec<TrackRecord>,
}

/// Artwork a service found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedArtwork {
    pub bytes: Vec<u8>,
    /// `image/jpeg`, `image/png`, ...
    pub mime: String,
    pub width: u32,
    pub height: u32,
    /// Where it came from (`embedded`, `folder`, `coverartarchive`, `itunes`, ...).
    pub source: String,
    /// It was already on disk (embedded or beside the files): nothing was fetched.
    pub local: bool,
    /// Which candidate won, for people checking the result: the release, record or file, the
    /// names it was matched on, and the confidence score.
    pub matched: Option<String>,
}

/// Tracks of one album whose lyrics are wanted, so a service may answer them together.
#[derive(Debug, Clone)]
pub struct LyricsRequest {
    pub album_id: i64,
    pub album: String,
    pub album_artist: String,
    pub tracks: Vec<TrackRecord>,
}

/// What a service found for one track's lyrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchedLyrics {
    Found {
        plain: Option<String>,
        synced: Option<String>,
        source: String,
        /// Which candidate won (record, names, duration, score).
        matched: Option<String>,
    },
    /// The track has no vocals.
    Instrumental {
        source: String,
    },
    NotFound,
}

/// Why an attempt failed, and whether another attempt may succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// May pass on retry: a timeout, a connection error, HTTP 429 or 5xx, a provider's throttle
    /// signal. `retry_after` is the server's own wait, when it gave one.
    #[error("{reason}")]
    Transient {
        reason: String,
        retry_after: Option<Duration>,
    },
    /// Will not pass on retry: invalid input, an answer that makes no sense.
    #[error("{reason}")]
    Permanent { reason: String },
}

impl FetchError {
    pub fn transient(reason: impl Into<String>) -> Self {
        FetchError::Transient {
            reason: reason.into(),
            retry_after: None,
        }
    }

    pub fn permanent(reason: impl Into<String>) -> Self {
        FetchError::Permanent {
            reason: reason.into(),
        }
    }

    pub fn is_retryable(&self) -> bool {
        matches!(self, FetchError::Transient { .. })
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Transient { retry_after, .. } => *retry_after,
            FetchError::Permanent { .. } => None,
        }
    }
}

/// Finds album artwork. `Ok(None)` means no source has it (not an error).
#[async_trait]
pub trait ArtworkService: Send + Sync {
    async fn fetch_artwork(
        &self,
        album: &AlbumRequest,
    ) -> Result<Option<FetchedArtwork>, FetchError>;
}

/// Finds lyrics for the tracks of one album; returns one result per requested track (a track
/// missing from the answer counts as a permanent failure of the service).
#[async_trait]
pub trait LyricsService: Send + Sync {
    async fn fetch_lyrics(
        &self,
        request: &LyricsRequest,
    ) -> Vec<(i64, Result<FetchedLyrics, FetchError>)>;
}
