//! What an enrichment job does and reports: its operations and their outcomes, its result, why
//! it is paused. Plain data, shared by the job, the database, the events and the front ends.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{EnrichmentProgress, WriteBackSummary};

/// The two things the job fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[ts(export)]
pub enum Operation {
    /// The album's cover image.
    Artwork,
    /// The track's lyrics.
    Lyrics,
}

/// What came of one operation for one track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum OperationOutcome {
    /// Fetched from a provider.
    Fetched {
        /// The provider it came from (`coverartarchive`, `itunes`, `deezer`, `lrclib`, ...).
        source: String,
    },
    /// Found on disk (embedded, or an image beside the files): nothing was fetched.
    AlreadyPresent {
        /// Where it was found: `embedded` or `folder`.
        source: String,
    },
    /// No source had it; remembered, and not asked again for a while.
    NotFound,
    /// Lyrics only: the track has no vocals.
    Instrumental,
    /// It failed for good, after its retries.
    Failed {
        /// The last error, for people.
        reason: String,
        /// How many attempts were made, the first included.
        attempts: u32,
    },
}

/// An operation that failed for good (after its retries) in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TrackFailure {
    /// The track the operation was for.
    #[ts(type = "number")]
    pub track_id: i64,
    /// Which operation failed.
    pub operation: Operation,
    /// The last error, for people.
    pub reason: String,
    /// How many attempts were made, the first included.
    pub attempts: u32,
}

/// Operations of a run that found nothing (remembered, and not asked again for a while).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct NotFoundCounts {
    /// Tracks whose album's artwork no source had.
    pub artwork: u32,
    /// Tracks whose lyrics no source had.
    pub lyrics: u32,
}

/// How the library's last job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LastRunState {
    /// It ran to its end.
    Finished,
    /// The user stopped it.
    Cancelled,
    /// Its process went away before the end (a crash, a quit, a kill): the next start
    /// continues it.
    Interrupted,
    /// This process runs it now.
    Running,
    /// Another process (the command line) runs it now.
    RunningElsewhere,
}

/// The library's most recent enrichment job, as the window shows it after a restart.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct LastRun {
    /// The job's id.
    #[ts(type = "number")]
    pub job_id: i64,
    /// Whether it finished, was cancelled, was interrupted or still runs.
    pub state: LastRunState,
    /// Its counts when it ended (or now).
    pub progress: crate::model::EnrichmentProgress,
    /// What it found nothing for.
    pub not_found: NotFoundCounts,
    /// When it started, in seconds since the Unix epoch.
    #[ts(type = "number")]
    pub started_at: i64,
    /// When it ended, in seconds since the Unix epoch; `None` when it did not end.
    #[ts(type = "number | null")]
    pub ended_at: Option<i64>,
}

/// Where a run's finds came from: tracks per source (`lrclib`, `coverartarchive`, `embedded`,
/// `folder`, ...; `instrumental` for lyrics found to be an instrumental).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FoundBySource {
    /// Tracks that got artwork, per source.
    pub artwork: std::collections::BTreeMap<String, u32>,
    /// Tracks that got lyrics, per source.
    pub lyrics: std::collections::BTreeMap<String, u32>,
}

impl FoundBySource {
    /// Counts one track's find for `operation` from `source`.
    pub fn count(&mut self, operation: Operation, source: &str) {
        let by = match operation {
            Operation::Artwork => &mut self.artwork,
            Operation::Lyrics => &mut self.lyrics,
        };
        *by.entry(source.to_owned()).or_default() += 1;
    }
}

/// What a job did: its counts and its failures. (Not a list of every track: a run over a
/// library of any size returns, and sends to the window, what a person reads.)
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EnrichmentResult {
    /// The job's id.
    #[ts(type = "number")]
    pub job_id: i64,
    /// The final counts, earlier runs of a resumed job included.
    pub progress: EnrichmentProgress,
    /// The job was cancelled before it finished.
    pub cancelled: bool,
    /// In this run (a continued job's earlier runs are in `progress` only).
    pub not_found: NotFoundCounts,
    /// Where this run's finds came from (a continued job's earlier runs are not in it).
    pub found_by: FoundBySource,
    /// What this run asked each provider (only those it asked), as the requests went out.
    pub requests: Vec<crate::http::stats::ProviderRequests>,
    /// Every operation of this run that failed for good, in the order they were settled.
    pub failures: Vec<TrackFailure>,
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
        /// What was written, skipped and failed on, in counts.
        summary: WriteBackSummary,
    },
    /// It stopped on an error (`code` as in `EngineError::code`).
    Failed {
        /// Machine-readable reason (`database`, `io`, ...).
        code: crate::error::ErrorCode,
        /// The error, for people.
        message: String,
    },
}

impl EnrichmentResult {
    /// Some operation failed for good.
    pub fn has_failures(&self) -> bool {
        !self.failures.is_empty()
    }
}

/// What paused a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PauseCode {
    /// Someone asked for it.
    Requested,
    /// WiFi-only is on and the machine left WiFi.
    WaitingForWifi,
    /// A service could not be reached and the machine has no network: the job waits for it
    /// (the attempts that met it are not counted) and goes on when it is back.
    WaitingForNetwork,
}

/// Why a job is paused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PauseReason {
    /// What paused it.
    pub code: PauseCode,
    /// For people: "paused", "waiting for WiFi (now on ethernet (eth0))".
    pub message: String,
}

impl PauseReason {
    /// Paused because someone asked to (`requested`).
    pub fn requested() -> Self {
        PauseReason {
            code: PauseCode::Requested,
            message: "paused".into(),
        }
    }

    /// Paused until the computer is on an unmetered WiFi again; `network` describes the
    /// connection it is on now (e.g. `ethernet (eth0)`, `metered WiFi (wlan0)`).
    pub fn waiting_for_wifi(network: &str) -> Self {
        PauseReason {
            code: PauseCode::WaitingForWifi,
            message: format!("waiting for WiFi (now on {network})"),
        }
    }

    /// Paused until the machine has a network again.
    pub fn waiting_for_network() -> Self {
        PauseReason {
            code: PauseCode::WaitingForNetwork,
            message: "waiting for the network (no connection)".into(),
        }
    }
}

/// What "enrich this album now" did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AlbumNow {
    /// A job was running: the album went to the head of its queue.
    Prioritized,
    /// No job was running: a run for the album's tracks started.
    Started,
}
