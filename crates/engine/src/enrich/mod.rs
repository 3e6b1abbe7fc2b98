//! Enrichment: the background job that fills in artwork and lyrics.
//!
//! * [`EnrichmentConfig`] (builder, validation) and [`EnrichmentProgress`];
//! * [`ArtworkService`] and [`LyricsService`]: what the job asks; providers implement them;
//! * [`EnrichmentJob`]: scheduling, retries, timeouts, pause, cancel, resume (see `job.rs`);
//! * [`BackgroundExecutor`]: runs one job at a time, detached, and hands back a [`JobHandle`];
//! * [`NetworkMonitor`]: WiFi-only mode.

mod config;
mod executor;
mod job;
pub mod network;
mod progress;
pub mod retry;
mod services;
mod store;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use config::{ConfigError, EnrichmentConfig, EnrichmentConfigBuilder, WriteBackMode};
pub use executor::{BackgroundExecutor, JobHandle};
pub use job::{EnrichmentError, EnrichmentJob, JobControl, PreparedJob};
pub use network::{ConnectionKind, LinuxNetworkMonitor, NetworkMonitor, NetworkStatus};
pub use progress::EnrichmentProgress;
pub use services::{
    AlbumRequest, ArtworkService, FetchError, FetchedArtwork, FetchedLyrics, LyricsRequest,
    LyricsService,
};
pub use store::ArtworkStore;

/// The two things the job fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[ts(export)]
pub enum Operation {
    Artwork,
    Lyrics,
}

/// What came of one operation for one track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum OperationOutcome {
    /// Fetched from a provider.
    Fetched {
        source: String,
    },
    /// Found on disk (embedded, or an image beside the files): nothing was fetched.
    AlreadyPresent {
        source: String,
    },
    NotFound,
    /// Lyrics only: the track has no vocals.
    Instrumental,
    Failed {
        reason: String,
        attempts: u32,
    },
}

/// The outcomes of one track; `None` for an operation the track did not need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TrackOutcome {
    #[ts(type = "number")]
    pub track_id: i64,
    pub artwork: Option<OperationOutcome>,
    pub lyrics: Option<OperationOutcome>,
}

/// What a job did.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EnrichmentResult {
    #[ts(type = "number")]
    pub job_id: i64,
    pub progress: EnrichmentProgress,
    pub cancelled: bool,
    /// One entry per track processed in this run, in the order they were settled.
    pub outcomes: Vec<TrackOutcome>,
    /// What write-back after the job did, when it ran (the job's return value only: the
    /// `JobFinished` event goes out before write-back starts, `WriteBackFinished` after it).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub write_back: Option<WriteBackOutcome>,
}

/// What write-back after a job came to.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "status", rename_all = "snake_case")]
#[ts(export)]
pub enum WriteBackOutcome {
    /// It ran; the summary counts what was written, skipped and failed.
    Written {
        summary: crate::writeback::WriteBackSummary,
    },
    /// It stopped on an error (`code` as in `EngineError::code`).
    Failed { code: String, message: String },
}

impl EnrichmentResult {
    /// Some operation failed for good.
    pub fn has_failures(&self) -> bool {
        self.outcomes.iter().any(|o| {
            matches!(o.artwork, Some(OperationOutcome::Failed { .. }))
                || matches!(o.lyrics, Some(OperationOutcome::Failed { .. }))
        })
    }
}

/// Why a job is paused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PauseReason {
    /// `requested` or `waiting_for_wifi`.
    pub code: String,
    /// For people: "paused", "waiting for WiFi (now on ethernet (eth0))".
    pub message: String,
}

impl PauseReason {
    pub fn requested() -> Self {
        PauseReason {
            code: "requested".into(),
            message: "paused".into(),
        }
    }

    pub fn waiting_for_wifi(network: &str) -> Self {
        PauseReason {
            code: "waiting_for_wifi".into(),
            message: format!("waiting for WiFi (now on {network})"),
        }
    }
}

/// Where the running job stands, for a window opened (or reloaded) mid-job: built by folding
/// the bus's events with [`EnrichmentStatus::apply`].
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EnrichmentStatus {
    #[ts(type = "number")]
    pub job_id: i64,
    pub progress: EnrichmentProgress,
    /// Set while the job is paused, with why.
    pub paused: Option<PauseReason>,
}

impl EnrichmentStatus {
    /// Folds `event` into `status` (`None`: no job runs).
    pub fn apply(status: &mut Option<EnrichmentStatus>, event: &crate::events::LibraryEvent) {
        use crate::events::LibraryEvent as E;
        match event {
            E::JobStarted {
                job_id,
                total_tracks,
                ..
            } => {
                *status = Some(EnrichmentStatus {
                    job_id: *job_id,
                    progress: EnrichmentProgress::new(*total_tracks),
                    paused: None,
                });
            }
            E::Progress { job_id, progress } => match status {
                Some(s) if s.job_id == *job_id => s.progress = *progress,
                _ => {
                    *status = Some(EnrichmentStatus {
                        job_id: *job_id,
                        progress: *progress,
                        paused: None,
                    });
                }
            },
            E::JobPaused { job_id, reason } => {
                if let Some(s) = status.as_mut().filter(|s| s.job_id == *job_id) {
                    s.paused = Some(reason.clone());
                }
            }
            E::JobResumed { job_id } => {
                if let Some(s) = status.as_mut().filter(|s| s.job_id == *job_id) {
                    s.paused = None;
                }
            }
            E::JobCancelled { .. } | E::JobFinished { .. } | E::JobFailed { .. } => *status = None,
            E::TrackUpdated { .. } | E::TrackFailed { .. } | E::WriteBackFinished { .. } => {}
        }
    }
}
