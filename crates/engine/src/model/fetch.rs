//! What a service brings back: found artwork or lyrics, or why an attempt failed. Plain data,
//! shared by the HTTP layer, the providers, the artwork store and the job.

use std::time::Duration;

/// Artwork a service found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedArtwork {
    /// The image file's bytes, checked to decode.
    pub bytes: Vec<u8>,
    /// `image/jpeg`, `image/png`, ...
    pub mime: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Where it came from (`embedded`, `folder`, `coverartarchive`, `itunes`, ...).
    pub source: String,
    /// It was already on disk (embedded or beside the files): nothing was fetched.
    pub local: bool,
    /// Which candidate won, for people checking the result: the release, record or file, the
    /// names it was matched on, and the confidence score.
    pub matched: Option<String>,
}

/// What a service found for one track's lyrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchedLyrics {
    /// Lyrics were found (at least one of `plain` and `synced`).
    Found {
        /// Plain text, if the source has it.
        plain: Option<String>,
        /// LRC text with `[mm:ss.xx]` timestamps, if the source has it.
        synced: Option<String>,
        /// The service that found them (e.g. `lrclib`).
        source: String,
        /// Which candidate won (record, names, duration, score).
        matched: Option<String>,
    },
    /// The track has no vocals.
    Instrumental {
        /// The service that says so (e.g. `lrclib`).
        source: String,
    },
    /// The service knows no lyrics for the track.
    NotFound,
}

/// Why an attempt failed, and whether another attempt may succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// May pass on retry: a timeout, a connection error, HTTP 429 or 5xx, a provider's throttle
    /// signal. `retry_after` is the server's own wait, when it gave one.
    #[error("{reason}")]
    Transient {
        /// What went wrong, for people.
        reason: String,
        /// How long the server asked to wait before the next attempt, if it said.
        retry_after: Option<Duration>,
    },
    /// The service could not be reached at all (no connection could be made, its name did not
    /// resolve). Retryable like `Transient`; a job that sees it while the machine has no
    /// network waits for the network instead of counting the attempt.
    #[error("{reason}")]
    Unreachable {
        /// What went wrong, for people.
        reason: String,
    },
    /// Will not pass on retry: invalid input, an answer that makes no sense.
    #[error("{reason}")]
    Permanent {
        /// What went wrong, for people.
        reason: String,
    },
}

impl FetchError {
    /// A failure worth retrying, with no wait asked by the server.
    pub fn transient(reason: impl Into<String>) -> Self {
        FetchError::Transient {
            reason: reason.into(),
            retry_after: None,
        }
    }

    /// A failure that retrying will not fix.
    pub fn permanent(reason: impl Into<String>) -> Self {
        FetchError::Permanent {
            reason: reason.into(),
        }
    }

    /// A service that could not be reached at all (see [`FetchError::Unreachable`]).
    pub fn unreachable(reason: impl Into<String>) -> Self {
        FetchError::Unreachable {
            reason: reason.into(),
        }
    }

    /// Whether another attempt may succeed (the error is `Transient` or `Unreachable`).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            FetchError::Transient { .. } | FetchError::Unreachable { .. }
        )
    }

    /// Whether no connection to the service could be made (see [`FetchError::Unreachable`]).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, FetchError::Unreachable { .. })
    }

    /// The wait the server asked for before retrying; `None` when it named none or the error is
    /// permanent.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Transient { retry_after, .. } => *retry_after,
            FetchError::Unreachable { .. } | FetchError::Permanent { .. } => None,
        }
    }
}
