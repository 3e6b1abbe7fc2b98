//! `EventBus`: what the engine tells its front ends, over `tokio::sync::broadcast`.
//!
//! Publishing never waits: a slow subscriber cannot slow a job down. A subscriber that falls
//! more than the bus's capacity behind loses the oldest events and is told so
//! ([`BusMessage::Lagged`]) so it can resync from the library (e.g. reload the summary).

use std::sync::Arc;

use serde::Serialize;
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::model::{
    EnrichmentProgress, EnrichmentResult, Operation, PauseReason, WriteBackSummary,
};

/// A field of a track that changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TrackField {
    Artwork,
    Lyrics,
    LyricsStatus,
}

/// Everything the engine announces.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum LibraryEvent {
    /// A track changed in the library.
    TrackUpdated {
        #[ts(type = "number")]
        track_id: i64,
        updated_fields: Vec<TrackField>,
    },
    /// A job's counts (at most ten per second, whatever the throughput).
    Progress {
        #[ts(type = "number")]
        job_id: i64,
        progress: EnrichmentProgress,
    },
    /// A job started (`resumed`: it continues one a crash or a quit interrupted).
    JobStarted {
        #[ts(type = "number")]
        job_id: i64,
        total_tracks: u32,
        resumed: bool,
    },
    /// A job paused: asked to, or waiting for WiFi.
    JobPaused {
        #[ts(type = "number")]
        job_id: i64,
        reason: PauseReason,
    },
    JobResumed {
        #[ts(type = "number")]
        job_id: i64,
    },
    /// A job was cancelled; what it committed stays.
    JobCancelled {
        #[ts(type = "number")]
        job_id: i64,
        progress: EnrichmentProgress,
    },
    /// An operation on a track failed for good (after its retries).
    TrackFailed {
        #[ts(type = "number")]
        job_id: i64,
        #[ts(type = "number")]
        track_id: i64,
        title: String,
        artist: String,
        operation: Operation,
        reason: String,
        attempts: u32,
    },
    /// A job could not start or stopped on an error (`code` as in `EngineError::code`).
    JobFailed { code: String, message: String },
    /// Found artwork and lyrics were written beside the music after a job (write-back on).
    WriteBackFinished { summary: WriteBackSummary },
    /// A job ended (finished, or after `JobCancelled`); the per-track outcomes are in the result.
    JobFinished {
        #[ts(type = "number")]
        job_id: i64,
        #[ts(as = "EnrichmentResult")]
        result: Arc<EnrichmentResult>,
    },
}

/// What a subscriber receives.
#[derive(Debug, Clone)]
pub enum BusMessage {
    Event(LibraryEvent),
    /// This many events were dropped because the subscriber was too slow: resync.
    Lagged {
        missed: u64,
    },
}

/// The engine's event bus. Cloning it gives another handle to the same bus.
#[derive(Debug, Clone)]
pub struct EventBus {
    tx: broadcast::Sender<LibraryEvent>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus::new(4096)
    }
}

impl EventBus {
    /// A bus that keeps up to `capacity` events for its slowest subscriber.
    pub fn new(capacity: usize) -> Self {
        EventBus {
            tx: broadcast::channel(capacity.max(1)).0,
        }
    }

    /// Sends `event` to every subscriber; never waits (no subscriber is fine too).
    pub fn publish(&self, event: LibraryEvent) {
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> Subscription {
        Subscription {
            rx: self.tx.subscribe(),
        }
    }
}

/// One subscriber's view of the bus.
#[derive(Debug)]
pub struct Subscription {
    rx: broadcast::Receiver<LibraryEvent>,
}

impl Subscription {
    /// The next message; `None` once every bus handle is gone.
    pub async fn recv(&mut self) -> Option<BusMessage> {
        match self.rx.recv().await {
            Ok(event) => Some(BusMessage::Event(event)),
            Err(broadcast::error::RecvError::Lagged(missed)) => Some(BusMessage::Lagged { missed }),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    /// The next message if one is waiting.
    pub fn try_recv(&mut self) -> Option<BusMessage> {
        match self.rx.try_recv() {
            Ok(event) => Some(BusMessage::Event(event)),
            Err(broadcast::error::TryRecvError::Lagged(missed)) => {
                Some(BusMessage::Lagged { missed })
            }
            Err(_) => None,
        }
    }
}
