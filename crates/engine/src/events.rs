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
    /// The track's artwork (it got its album's new artwork).
    Artwork,
    /// The track's stored lyrics text.
    Lyrics,
    /// The track's lyrics status.
    LyricsStatus,
}

/// Everything the engine announces.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum LibraryEvent {
    /// A track changed in the library.
    TrackUpdated {
        /// The track that changed.
        #[ts(type = "number")]
        track_id: i64,
        /// What changed: reload these from the library.
        updated_fields: Vec<TrackField>,
    },
    /// A job's counts (at most ten per second, whatever the throughput).
    Progress {
        /// The job the counts are for.
        #[ts(type = "number")]
        job_id: i64,
        /// Its counts so far, earlier runs of a resumed job included.
        progress: EnrichmentProgress,
    },
    /// A job started (`resumed`: it continues one a crash or a quit interrupted).
    JobStarted {
        /// The job that started.
        #[ts(type = "number")]
        job_id: i64,
        /// Tracks the job covers, those a resumed job already processed included.
        total_tracks: u32,
        /// It continues an interrupted job, whose counts carry over.
        resumed: bool,
    },
    /// A job paused: asked to, or waiting for WiFi.
    JobPaused {
        /// The job that paused.
        #[ts(type = "number")]
        job_id: i64,
        /// Why it paused.
        reason: PauseReason,
    },
    /// A paused job continues (asked to, or back on WiFi).
    JobResumed {
        /// The job that continues.
        #[ts(type = "number")]
        job_id: i64,
    },
    /// A job was cancelled; what it committed stays.
    JobCancelled {
        /// The job that was cancelled.
        #[ts(type = "number")]
        job_id: i64,
        /// Its counts when it stopped.
        progress: EnrichmentProgress,
    },
    /// An operation on a track failed for good (after its retries).
    TrackFailed {
        /// The job the operation belonged to.
        #[ts(type = "number")]
        job_id: i64,
        /// The track the operation was for.
        #[ts(type = "number")]
        track_id: i64,
        /// The track's title, for display.
        title: String,
        /// The track's artist, for display.
        artist: String,
        /// Which operation failed.
        operation: Operation,
        /// The last error, for people.
        reason: String,
        /// How many attempts were made, the first included.
        attempts: u32,
    },
    /// A job could not start or stopped on an error (`code` as in `EngineError::code`).
    JobFailed {
        /// Machine-readable reason (`database`, `io`, ...).
        code: crate::error::ErrorCode,
        /// The error, for people.
        message: String,
    },
    /// Found artwork and lyrics were written beside the music after a job (write-back on).
    WriteBackFinished {
        /// What write-back wrote, skipped and failed on, in counts.
        summary: WriteBackSummary,
    },
    /// A job ended (finished, or after `JobCancelled`); the per-track outcomes are in the result.
    JobFinished {
        /// The job that ended.
        #[ts(type = "number")]
        job_id: i64,
        /// What the job did: its counts and its failures.
        #[ts(as = "EnrichmentResult")]
        result: Arc<EnrichmentResult>,
    },
}

/// What a subscriber receives.
#[derive(Debug, Clone)]
pub enum BusMessage {
    /// The next event.
    Event(LibraryEvent),
    /// This many events were dropped because the subscriber was too slow: resync.
    Lagged {
        /// How many events were lost.
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

    /// A new subscriber, which receives the events published from now on.
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
