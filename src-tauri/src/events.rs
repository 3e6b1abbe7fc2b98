//! Forwards the engine's `EventBus` to the window: events in batches on `library-events` (at
//! most ten batches a second, so 100,000 track updates do not flood the webview; progress is
//! already coalesced by the job), and `library-resync` when the forwarder lagged and the UI
//! must reload what it shows.

use std::time::Duration;

use gatefold_engine::{BusMessage, EventBus, LibraryEvent};
use tauri::{AppHandle, Emitter};

/// Event name of a batch of `LibraryEvent`s.
pub const LIBRARY_EVENTS: &str = "library-events";
/// Event name telling the UI to reload: events were dropped.
pub const LIBRARY_RESYNC: &str = "library-resync";

const FLUSH_EVERY: Duration = Duration::from_millis(100);
const MAX_BATCH: usize = 2000;

pub fn forward(app: AppHandle, bus: &EventBus) {
    let mut sub = bus.subscribe();
    tauri::async_runtime::spawn(async move {
        let mut batch: Vec<LibraryEvent> = Vec::new();
        let mut tick = tokio::time::interval(FLUSH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let emit = |app: &AppHandle, batch: &mut Vec<LibraryEvent>| {
            if !batch.is_empty() {
                if let Err(err) = app.emit(LIBRARY_EVENTS, &*batch) {
                    tracing::warn!(%err, "could not send events to the window");
                }
                batch.clear();
            }
        };
        loop {
            tokio::select! {
                message = sub.recv() => match message {
                    Some(BusMessage::Event(event)) => {
                        // Job state changes go out at once, in order with what came before.
                        let urgent = !matches!(event, LibraryEvent::TrackUpdated { .. } | LibraryEvent::Progress { .. });
                        batch.push(event);
                        if urgent || batch.len() >= MAX_BATCH {
                            emit(&app, &mut batch);
                        }
                    }
                    Some(BusMessage::Lagged { missed }) => {
                        tracing::warn!(missed, "event forwarder lagged; asking the window to resync");
                        batch.clear();
                        if let Err(err) = app.emit(LIBRARY_RESYNC, ()) {
                            tracing::warn!(%err, "could not ask the window to resync");
                        }
                    }
                    None => break,
                },
                _ = tick.tick() => emit(&app, &mut batch),
            }
        }
    });
}
