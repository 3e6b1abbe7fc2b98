//! `EventBus`: what the engine tells its front ends, over `tokio::sync::broadcast`.
//!
//! Publishing never waits: a slow subscriber cannot slow a job down. Two kinds of subscriber:
//! - [`EventBus::subscribe`]: a window on the stream. One that falls more than the bus's
//!   capacity behind loses the oldest events and is told so ([`BusMessage::Lagged`]) so it can
//!   resync from the library (e.g. reload the summary). For views of the state: the window.
//! - [`EventBus::subscribe_all`]: every event, in order, whatever the subscriber's pace. For a
//!   record of the run: the CLI's `--json` lines, which a program reads and cannot resync.
//!   What it has not read yet is queued for it (about 300 bytes an event), so its memory is what
//!   its reader has not caught up with, never the job's speed.

use std::sync::{Arc, Mutex};

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
        /// The track's album (its id in the library).
        #[ts(type = "number")]
        album_id: i64,
        /// The track's album title, for display.
        album: String,
        /// The track's file path (bytes that are not UTF-8 shown lossily).
        path: String,
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
        /// The files it wrote, skipped, failed on or cleaned up, the first
        /// [`WriteBackReport::LIMIT`](crate::model::WriteBackReport::LIMIT) of them.
        files: Vec<crate::model::WriteBackFile>,
        /// Files beyond those listed.
        more_files: u32,
    },
    /// What the running job has asked each provider so far (every couple of seconds while
    /// it asks, and once more at its end).
    ProviderStats {
        /// The job.
        #[ts(type = "number")]
        job_id: i64,
        /// Each provider asked so far in this run, by name.
        providers: Vec<crate::model::ProviderRequests>,
    },
    /// The music folders are watched (again: the list changed), and how.
    Watching {
        /// The folders, how they are watched, and why not with OS notifications.
        status: crate::model::WatchStatus,
    },
    /// The watch imported a music folder (or a folder in one) after a change.
    FolderImported {
        /// What the import found.
        report: crate::model::ScanReport,
    },
    /// The watch could not import a folder, or not enrich new music.
    WatchFailed {
        /// The folder (empty for enrichment).
        folder: String,
        /// What went wrong, for people.
        message: String,
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
    /// The subscribers that get every event (see the module comment); gone ones are dropped.
    every: Arc<Mutex<Vec<tokio::sync::mpsc::UnboundedSender<LibraryEvent>>>>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus::new(4096)
    }
}

impl EventBus {
    /// A bus that keeps up to `capacity` events for its slowest windowed subscriber.
    pub fn new(capacity: usize) -> Self {
        EventBus {
            tx: broadcast::channel(capacity.max(1)).0,
            every: Arc::default(),
        }
    }

    /// Sends `event` to every subscriber; never waits (no subscriber is fine too).
    pub fn publish(&self, event: LibraryEvent) {
        {
            let mut every = self.every.lock().unwrap_or_else(|e| e.into_inner());
            if !every.is_empty() {
                every.retain(|tx| tx.send(event.clone()).is_ok());
            }
        }
        let _ = self.tx.send(event);
    }

    /// A subscriber that receives every event published from now on, in order, however slowly
    /// it reads (see the module comment).
    pub fn subscribe_all(&self) -> EverySubscription {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        self.every
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(tx);
        EverySubscription { rx }
    }

    /// A new subscriber, which receives the events published from now on.
    pub fn subscribe(&self) -> Subscription {
        Subscription {
            rx: self.tx.subscribe(),
        }
    }
}

/// A subscriber that misses nothing ([`EventBus::subscribe_all`]).
#[derive(Debug)]
pub struct EverySubscription {
    rx: tokio::sync::mpsc::UnboundedReceiver<LibraryEvent>,
}

impl EverySubscription {
    /// The next event; `None` once every bus handle is gone and all were read.
    pub async fn recv(&mut self) -> Option<LibraryEvent> {
        self.rx.recv().await
    }

    /// The next event if one is waiting.
    pub fn try_recv(&mut self) -> Option<LibraryEvent> {
        self.rx.try_recv().ok()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn updated(track_id: i64) -> LibraryEvent {
        LibraryEvent::TrackUpdated {
            track_id,
            updated_fields: vec![TrackField::Artwork],
        }
    }

    #[tokio::test]
    async fn a_subscriber_of_every_event_misses_none_however_far_behind() {
        let bus = EventBus::new(8);
        let mut window = bus.subscribe();
        let mut every = bus.subscribe_all();
        for id in 0..10_000 {
            bus.publish(updated(id));
        }
        assert!(
            matches!(window.recv().await, Some(BusMessage::Lagged { .. })),
            "the window lost the oldest"
        );
        for id in 0..10_000 {
            match every.try_recv() {
                Some(LibraryEvent::TrackUpdated { track_id, .. }) => assert_eq!(track_id, id),
                other => panic!("event {id}: {other:?}"),
            }
        }
        assert!(every.try_recv().is_none());

        // A subscriber that is gone is dropped from the bus, not sent to.
        drop(every);
        bus.publish(updated(0));
        assert!(bus.every.lock().unwrap().is_empty());
    }
}
