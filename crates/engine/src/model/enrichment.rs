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

/// An operation that failed for good (after its retries) in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TrackFailure {
    #[ts(type = "number")]
    pub track_id: i64,
    pub operation: Operation,
    pub reason: String,
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

/// What a job did: its counts and its failures. (Not a list of every track: a run over a
/// library of any size returns, and sends to the window, what a person reads.)
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct EnrichmentResult {
    #[ts(type = "number")]
    pub job_id: i64,
    pub progress: EnrichmentProgress,
    pub cancelled: bool,
    /// In this run (a continued job's earlier runs are in `progress` only).
    pub not_found: NotFoundCounts,
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
    Written { summary: WriteBackSummary },
    /// It stopped on an error (`code` as in `EngineError::code`).
    Failed { code: String, message: String },
}

impl EnrichmentResult {
    /// Some operation failed for good.
    pub fn has_failures(&self) -> bool {
        !self.failures.is_empty()
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
