//! `gatefold-cli folders` and `gatefold-cli watch`: the library's music folders, and watching
//! them. The folder rules and the watch are the engine's ([`Library::add_music_folder`],
//! [`Library::watch`]); this turns them into lines.

use std::time::Duration;

use gatefold_engine::watch::{WatchMode, WatchOptions, until_ctrl_c};
use gatefold_engine::{ErrorCode, Library, LibraryEvent};

use crate::output::Output;
use crate::{EXIT_FAILED, EXIT_OK, FoldersAction};

pub(crate) async fn run(library: &Library, action: FoldersAction, out: &Output) -> u8 {
    match action {
        FoldersAction::List => match library.music_folders().await {
            Ok(folders) => {
                out.folders(&folders);
                EXIT_OK
            }
            Err(err) => {
                out.engine_error(&err);
                EXIT_FAILED
            }
        },
        FoldersAction::Add { folder } => match library.add_music_folder(&folder).await {
            Ok(added) => {
                out.folder_added(&added);
                crate::scan(library, &added, out).await
            }
            Err(err) => {
                out.engine_error(&err);
                EXIT_FAILED
            }
        },
        FoldersAction::Remove { folder } => match library.remove_music_folder(&folder).await {
            Ok(removed) => {
                out.folder_removed(&folder, removed);
                EXIT_OK
            }
            Err(err) => {
                out.engine_error(&err);
                EXIT_FAILED
            }
        },
    }
}

pub(crate) async fn watch(library: &Library, enrich: bool, poll_secs: u64, out: &Output) -> u8 {
    match library.music_folders().await {
        Ok(folders) if folders.is_empty() => {
            out.error(
                ErrorCode::InvalidMusicFolder,
                "the library has no music folders: add one with `gatefold-cli folders add FOLDER`",
            );
            return EXIT_FAILED;
        }
        Ok(_) => {}
        Err(err) => {
            out.engine_error(&err);
            return EXIT_FAILED;
        }
    }
    let options = WatchOptions {
        force_enrich: enrich,
        poll_every: Duration::from_secs(poll_secs.max(1)),
        ..WatchOptions::default()
    };
    let mut events = library.bus().subscribe_all();
    let watching = library.watch(options, until_ctrl_c());
    tokio::pin!(watching);
    loop {
        tokio::select! {
            ended = &mut watching => {
                while let Some(event) = events.try_recv() {
                    out.watch_event(&event);
                }
                return match ended {
                    Ok(()) => EXIT_OK,
                    Err(err) => {
                        out.engine_error(&err);
                        EXIT_FAILED
                    }
                };
            }
            Some(event) = events.recv() => out.watch_event(&event),
        }
    }
}

/// How the watch is going, for people.
pub(crate) fn describe(event: &LibraryEvent) -> Option<(bool, String)> {
    Some(match event {
        LibraryEvent::Watching { status } => match (&status.mode, &status.reason) {
            (WatchMode::Events, _) => (
                false,
                format!(
                    "Watching {} (Ctrl-C stops)",
                    if status.folders.is_empty() {
                        "no music folders yet".to_owned()
                    } else {
                        status.folders.join(", ")
                    }
                ),
            ),
            (WatchMode::Polling, reason) => (
                true,
                format!(
                    "Not watching, rescanning every {} s: {}",
                    status.poll_every_secs,
                    reason
                        .as_deref()
                        .unwrap_or("the system cannot watch the folders")
                ),
            ),
        },
        LibraryEvent::FolderImported { report }
            if report.added + report.updated + report.removed + report.failed > 0 =>
        {
            (
                false,
                format!(
                    "Imported {}: {} added, {} updated, {} removed, {} failed",
                    report.root, report.added, report.updated, report.removed, report.failed
                ),
            )
        }
        LibraryEvent::WatchFailed { folder, message } => (
            true,
            if folder.is_empty() {
                message.clone()
            } else {
                format!("{folder}: {message}")
            },
        ),
        LibraryEvent::JobStarted { total_tracks, .. } => {
            (false, format!("Enriching {total_tracks} tracks"))
        }
        LibraryEvent::JobFinished { result, .. } => (
            false,
            format!(
                "Enriched {}/{} tracks: artwork {}, lyrics {}, {} failed",
                result.progress.processed_tracks,
                result.progress.total_tracks,
                result.progress.artwork_fetched,
                result.progress.lyrics_fetched,
                result.progress.failed_tracks
            ),
        ),
        LibraryEvent::JobPaused { reason, .. } => (false, format!("Paused: {}", reason.message)),
        _ => return None,
    })
}
