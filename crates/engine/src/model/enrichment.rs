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
    Written { summary: WriteBackSummary },
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
