//! A desktop notification when a long enrichment run ends while the window is in the
//! background: the user who went elsewhere hears that it is done, the one watching is not
//! interrupted.

use std::time::{Duration, Instant};

use gatefold_engine::enrich::EnrichmentResult;
use gatefold_engine::{BusMessage, EventBus, LibraryEvent};
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

/// Runs shorter than this end without a notification.
const LONG_RUN: Duration = Duration::from_secs(60);

/// Listens on `bus` for the ends of runs for as long as the app runs.
pub fn on_long_runs(app: AppHandle, bus: &EventBus) {
    let mut sub = bus.subscribe();
    tauri::async_runtime::spawn(async move {
        let mut started: Option<Instant> = None;
        while let Some(message) = sub.recv().await {
            let BusMessage::Event(event) = message else {
                continue;
            };
            match event {
                LibraryEvent::JobStarted { .. } => started = Some(Instant::now()),
                LibraryEvent::JobFinished { result, .. } => {
                    let Some(start) = started.take() else {
                        continue;
                    };
                    let focused = app
                        .get_webview_window("main")
                        .and_then(|w| w.is_focused().ok())
                        .unwrap_or(false);
                    if let Some((title, body)) = note(&result, start.elapsed(), focused)
                        && let Err(err) =
                            app.notification().builder().title(title).body(body).show()
                    {
                        tracing::warn!(%err, "could not show the end-of-run notification");
                    }
                }
                _ => {}
            }
        }
    });
}

/// The notification for a run that ended after `took`, when the window had the focus or
/// not: `None` for a short run or a watched window.
fn note(result: &EnrichmentResult, took: Duration, focused: bool) -> Option<(String, String)> {
    if focused || took < LONG_RUN {
        return None;
    }
    let p = &result.progress;
    let title = if result.cancelled {
        "Enrichment cancelled"
    } else {
        "Enrichment finished"
    };
    let mut body = format!(
        "{} tracks: artwork for {}, lyrics for {}",
        p.processed_tracks, p.artwork_fetched, p.lyrics_fetched
    );
    if p.failed_tracks > 0 {
        body.push_str(&format!(", {} failed", p.failed_tracks));
    }
    Some((title.to_owned(), body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatefold_engine::EnrichmentProgress;

    fn result(failed: u32, cancelled: bool) -> EnrichmentResult {
        let mut progress = EnrichmentProgress::new(10);
        for n in 0..10 {
            progress.processed(n < failed);
        }
        EnrichmentResult {
            job_id: 1,
            progress,
            cancelled,
            not_found: Default::default(),
            found_by: Default::default(),
            requests: Vec::new(),
            failures: Vec::new(),
            write_back: None,
        }
    }

    #[test]
    fn only_a_long_run_in_the_background_is_announced() {
        let long = Duration::from_secs(600);
        assert_eq!(note(&result(0, false), long, true), None, "watched");
        assert_eq!(
            note(&result(0, false), Duration::from_secs(5), false),
            None,
            "short"
        );
        let (title, body) = note(&result(2, false), long, false).unwrap();
        assert_eq!(title, "Enrichment finished");
        assert_eq!(body, "10 tracks: artwork for 0, lyrics for 0, 2 failed");
        let (title, _) = note(&result(0, true), long, false).unwrap();
        assert_eq!(title, "Enrichment cancelled");
    }
}
