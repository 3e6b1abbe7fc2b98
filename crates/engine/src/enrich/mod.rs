//! Enrichment: the background job that fills in artwork and lyrics.
//!
//! * [`EnrichmentConfig`] (builder, validation) and [`EnrichmentProgress`];
//! * [`ArtworkService`] and [`LyricsService`]: what the job asks; providers implement them;
//! * [`EnrichmentJob`]: the job's settings and checks (`job.rs`); once running, `scheduler.rs`
//!   keeps the window of operations full and follows pause, WiFi and cancel, `plan.rs` reads
//!   candidates and turns them into operations, `attempts.rs` runs one operation (permits,
//!   deadline, retries) and `commit.rs` records outcomes and announces them;
//! * [`BackgroundExecutor`]: runs one job at a time, detached, and hands back a [`JobHandle`];
//! * [`NetworkMonitor`]: WiFi-only mode.

mod attempts;
mod commit;
mod executor;
mod job;
pub mod network;
mod plan;
pub mod retry;
mod scheduler;
mod services;

use serde::Serialize;
use ts_rs::TS;

pub use crate::config::{ConfigError, EnrichmentConfig, EnrichmentConfigBuilder};
pub use crate::model::{
    EnrichmentProgress, EnrichmentResult, FoundBySource, LastRun, LastRunState, NotFoundCounts,
    Operation, OperationOutcome, PauseCode, PauseReason, TrackFailure, WriteBackMode,
    WriteBackOutcome,
};
pub use crate::store::ArtworkStore;
pub use executor::{BackgroundExecutor, JobHandle};
pub(crate) use job::STALE_JOB_SECS;
pub use job::{EnrichmentError, EnrichmentJob, JobControl, PreparedJob};
pub use network::{ConnectionKind, LinuxNetworkMonitor, NetworkMonitor, NetworkStatus};
pub use services::{
    AlbumRequest, ArtworkService, FetchError, FetchedArtwork, FetchedLyrics, LyricsRequest,
    LyricsService,
};

/// Where the running job stands, for a window opened (or reloaded) mid-job: built by folding
/// the bus's events with [`EnrichmentStatus::apply`].
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EnrichmentStatus {
    /// The job's id (its row in the library).
    #[ts(type = "number")]
    pub job_id: i64,
    /// The counts so far.
    pub progress: EnrichmentProgress,
    /// Set while the job is paused, with why.
    pub paused: Option<PauseReason>,
    /// What the job has asked each provider so far (its last `ProviderStats` event).
    pub providers: Vec<crate::model::ProviderRequests>,
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
                    providers: Vec::new(),
                });
            }
            E::Progress { job_id, progress } => match status {
                Some(s) if s.job_id == *job_id => s.progress = *progress,
                _ => {
                    *status = Some(EnrichmentStatus {
                        job_id: *job_id,
                        progress: *progress,
                        paused: None,
                        providers: Vec::new(),
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
            E::ProviderStats { job_id, providers } => {
                if let Some(s) = status.as_mut().filter(|s| s.job_id == *job_id) {
                    s.providers.clone_from(providers);
                }
            }
            E::JobCancelled { .. } | E::JobFinished { .. } | E::JobFailed { .. } => *status = None,
            E::TrackUpdated { .. }
            | E::TrackFailed { .. }
            | E::WriteBackFinished { .. }
            | E::Watching { .. }
            | E::FolderImported { .. }
            | E::WatchFailed { .. } => {}
        }
    }
}
