//! Typed commands the UI invokes. Each returns `Result<T, CommandError>`; the UI's
//! `TauriBackend` (ui/src/lib/tauriBackend.ts) calls them by these names.

use gatefold_engine::db::FailureRecord;
use gatefold_engine::enrich::{EnrichmentConfig, EnrichmentStatus, LastRun};
use gatefold_engine::model::{MissingFilter, WriteBackMode, WriteBackReport};
use gatefold_engine::providers::settings::{ProviderSettings, ProviderUrl};
use gatefold_engine::{
    AlbumCard, AlbumPage, ErrorCode, LibrarySummary, ScanEvent, ScanReport, TrackListItem,
    TrackLyrics,
};
use tauri::State;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_dialog::DialogExt;

use crate::error::CommandError;
use crate::state::AppState;

/// Counts of tracks, albums, artists, missing artwork and lyrics statuses.
#[tauri::command]
pub async fn library_summary(state: State<'_, AppState>) -> Result<LibrarySummary, CommandError> {
    state.named(state.database()?.summary().await)
}

/// The saved enrichment settings (the defaults until something was saved).
#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Result<EnrichmentConfig, CommandError> {
    state.named(state.database()?.enrichment_config().await)
}

/// Saves the enrichment settings for the next run. Out-of-range values are refused with
/// `invalid_config` and every offending field in `details`; nothing is saved then.
#[tauri::command]
pub async fn save_settings(
    state: State<'_, AppState>,
    config: EnrichmentConfig,
) -> Result<(), CommandError> {
    match state.named(state.database()?.save_enrichment_config(&config).await)? {
        Ok(()) => Ok(()),
        Err(problems) => Err(CommandError::invalid(&problems, |p| {
            format!("invalid setting: {p}")
        })),
    }
}

/// The providers in priority order, as saved (the defaults until something was saved).
#[tauri::command]
pub async fn get_providers(
    state: State<'_, AppState>,
) -> Result<Vec<ProviderSettings>, CommandError> {
    state.named(state.database()?.provider_settings().await)
}

/// Saves the provider list (order, on/off, base URLs, pace). Problems are refused with
/// `invalid_config` and every `ProviderProblem` in `details`; nothing is saved then.
#[tauri::command]
pub async fn save_providers(
    state: State<'_, AppState>,
    providers: Vec<ProviderSettings>,
) -> Result<(), CommandError> {
    match state.named(state.database()?.save_provider_settings(&providers).await)? {
        Ok(()) => Ok(()),
        Err(problems) => Err(CommandError::invalid(&problems, |p| p.message.clone())),
    }
}

/// Starts enriching the library in the background with the saved settings (write-back after
/// it when that is on); with `track_ids`, only those tracks (a failure's "Retry"). Every refusal (`invalid_config`, `not_on_wifi`, `job_already_running`)
/// comes back from this call; events follow on `library-events`.
#[tauri::command]
pub async fn start_enrichment(
    state: State<'_, AppState>,
    retry_failed: bool,
    track_ids: Option<Vec<i64>>,
) -> Result<(), CommandError> {
    let library = state.library()?;
    let mut request = library.saved_request().await?;
    request.retry_failed = retry_failed;
    request.only_tracks = track_ids;
    let handle = library.start_enrichment(request).await?;
    tauri::async_runtime::spawn(async move {
        // Write-back's outcome and the job's own failures reach the window as events; only
        // an error that ended the job is logged here.
        if let Err(err) = handle.join().await {
            tracing::error!(%err, "enrichment stopped on an error");
        }
    });
    Ok(())
}

/// "Enrich this album now": the album goes to the head of the running job's queue
/// (`prioritized`), or a run for its tracks starts (`started`).
#[tauri::command]
pub async fn enrich_album_now(
    state: State<'_, AppState>,
    album_id: i64,
) -> Result<gatefold_engine::model::AlbumNow, CommandError> {
    Ok(state.library()?.enrich_album_now(album_id).await?)
}

fn running(state: &AppState) -> Result<gatefold_engine::enrich::JobControl, CommandError> {
    state
        .library()?
        .running_job()
        .ok_or_else(|| CommandError::new(ErrorCode::NoJob, "no enrichment is running"))
}

#[tauri::command]
pub async fn pause_enrichment(state: State<'_, AppState>) -> Result<(), CommandError> {
    running(&state)?.pause();
    Ok(())
}

#[tauri::command]
pub async fn resume_enrichment(state: State<'_, AppState>) -> Result<(), CommandError> {
    running(&state)?.resume();
    Ok(())
}

/// Stops the running job within a second; what it found is kept.
#[tauri::command]
pub async fn cancel_enrichment(state: State<'_, AppState>) -> Result<(), CommandError> {
    running(&state)?.cancel();
    Ok(())
}

/// The failures recorded, newest first, at most `limit`.
#[tauri::command]
pub async fn list_failures(
    state: State<'_, AppState>,
    limit: u32,
) -> Result<Vec<FailureRecord>, CommandError> {
    state.named(state.database()?.failures(limit).await)
}

/// The running job's state (`None` when no job runs), so a window opened or reloaded mid-job
/// shows it at once; events carry it on from there.
#[tauri::command]
pub async fn enrichment_status(
    state: State<'_, AppState>,
) -> Result<Option<EnrichmentStatus>, CommandError> {
    Ok(state.job_status())
}

/// Albums whose title, album artist, or a track's title or artist contains `query`: `limit`
/// from `offset`, with the total.
#[tauri::command]
pub async fn list_albums(
    state: State<'_, AppState>,
    query: String,
    missing: Option<MissingFilter>,
    offset: u32,
    limit: u32,
) -> Result<AlbumPage, CommandError> {
    state.named(
        state
            .database()?
            .albums_page(&query, missing, offset, limit.min(500))
            .await,
    )
}

/// An album's tracks in disc and track order (`not_found` for an unknown album).
#[tauri::command]
pub async fn album_tracks(
    state: State<'_, AppState>,
    album_id: i64,
) -> Result<Vec<TrackListItem>, CommandError> {
    state.named(state.database()?.album_tracks(album_id).await)
}

/// A track with its lyrics (`not_found` for an unknown track).
#[tauri::command]
pub async fn track_lyrics(
    state: State<'_, AppState>,
    track_id: i64,
) -> Result<TrackLyrics, CommandError> {
    state.named(state.database()?.track_lyrics(track_id).await)
}

/// Asks the user for a music folder with the native picker; `None` when they cancel.
#[tauri::command]
pub async fn choose_folder(app: AppHandle) -> Result<Option<String>, CommandError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut picker = app.dialog().file().set_title("Choose your music folder");
    // It opens in the user's Music folder (or home), not on an empty "Recent" list.
    if let Some(start) = [app.path().audio_dir(), app.path().home_dir()]
        .into_iter()
        .flatten()
        .find(|dir| dir.is_dir())
    {
        picker = picker.set_directory(start);
    }
    picker.pick_folder(move |folder| {
        let _ = tx.send(folder);
    });
    let picked = rx.await.map_err(|_| {
        CommandError::new(ErrorCode::Internal, "the folder picker closed unexpectedly")
    })?;
    picked
        .map(|folder| {
            folder
                .into_path()
                .map(|p| p.display().to_string())
                .map_err(|e| CommandError::new(ErrorCode::InvalidScanRoot, e.to_string()))
        })
        .transpose()
}

/// Tauri event carrying one `ScanEvent` while `scan_folder` runs.
pub const SCAN_EVENTS: &str = "scan-events";

/// Imports `path` into the library (again: only what changed is read), emitting `scan-events`
/// as it goes (progress at most ten times a second). One scan at a time (`scan_running`).
#[tauri::command]
pub async fn scan_folder(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> Result<ScanReport, CommandError> {
    let library = state.library()?;
    let _scan = state.begin_scan()?;
    let mut last_progress = std::time::Instant::now() - std::time::Duration::from_secs(1);
    let report = library
        .scan(
            std::path::Path::new(&path),
            &gatefold_engine::ScanOptions::default(),
            |event| {
                if let ScanEvent::Progress { processed, total } = event
                    && processed < total
                {
                    if last_progress.elapsed() < std::time::Duration::from_millis(100) {
                        return;
                    }
                    last_progress = std::time::Instant::now();
                }
                if let Err(err) = app.emit(SCAN_EVENTS, &event) {
                    tracing::warn!(%err, "a scan event could not reach the window");
                }
            },
        )
        .await?;
    Ok(report)
}

/// Shows the native "save as" dialog and writes `contents` there (the failures CSV: a web
/// download does not work in WebKitGTK). Returns the path written, `None` when cancelled.
#[tauri::command]
pub async fn save_text_file(
    app: AppHandle,
    suggested_name: String,
    contents: String,
) -> Result<Option<String>, CommandError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    app.dialog()
        .file()
        .set_file_name(&suggested_name)
        .save_file(move |file| {
            let _ = tx.send(file);
        });
    let picked = rx.await.map_err(|_| {
        CommandError::new(ErrorCode::Internal, "the save dialog closed unexpectedly")
    })?;
    let Some(file) = picked else {
        return Ok(None);
    };
    let path = file
        .into_path()
        .map_err(|e| CommandError::new(ErrorCode::Io, e.to_string()))?;
    tokio::fs::write(&path, contents)
        .await
        .map_err(|e| CommandError::new(ErrorCode::Io, format!("{}: {e}", path.display())))?;
    Ok(Some(path.display().to_string()))
}

/// The library's most recent job and how it stands (`None` before the first): what the
/// enrichment view shows after a restart, with "Continue" for an interrupted one.
#[tauri::command]
pub async fn last_run(state: State<'_, AppState>) -> Result<Option<LastRun>, CommandError> {
    Ok(state.library()?.last_run().await?)
}

/// What the providers were asked: the `recent` newest runs (5 when not given), and every
/// run added up (the Providers card).
#[tauri::command]
pub async fn provider_stats(
    state: State<'_, AppState>,
    recent: Option<u32>,
) -> Result<gatefold_engine::model::ProviderStatsReport, CommandError> {
    Ok(state
        .library()?
        .provider_stats(recent.unwrap_or(5).min(100))
        .await?)
}

/// The library's music folders (imported and watched).
#[tauri::command]
pub async fn music_folders(state: State<'_, AppState>) -> Result<Vec<String>, CommandError> {
    Ok(state
        .library()?
        .music_folders()
        .await?
        .iter()
        .map(|f| f.display().to_string())
        .collect())
}

/// Makes `path` a music folder (watched from now on); returns it as kept (absolute, links
/// resolved). The window then imports it with `scan_folder`. Refused, naming why, when it is
/// not a readable folder or is inside a music folder already.
#[tauri::command]
pub async fn add_music_folder(
    state: State<'_, AppState>,
    path: String,
) -> Result<String, CommandError> {
    Ok(state
        .library()?
        .add_music_folder(std::path::Path::new(&path))
        .await?
        .display()
        .to_string())
}

/// Forgets the music folder `path` and removes its tracks from the library (the files stay);
/// returns how many tracks went.
#[tauri::command]
pub async fn remove_music_folder(
    state: State<'_, AppState>,
    path: String,
) -> Result<u64, CommandError> {
    Ok(state
        .library()?
        .remove_music_folder(std::path::Path::new(&path))
        .await?)
}

/// How the music folders are watched (`None` until the watch has started).
#[tauri::command]
pub async fn watch_status(
    state: State<'_, AppState>,
) -> Result<Option<gatefold_engine::watch::WatchStatus>, CommandError> {
    Ok(state.watch_status())
}

/// Each provider's base URL in use now, and whether an environment variable overrides the
/// saved one.
#[tauri::command]
pub async fn provider_urls(state: State<'_, AppState>) -> Result<Vec<ProviderUrl>, CommandError> {
    Ok(state.library()?.provider_urls().await?)
}

/// One album as the grid shows it (`not_found` for an unknown album): a failure's "Show in
/// library".
#[tauri::command]
pub async fn album_card(
    state: State<'_, AppState>,
    album_id: i64,
) -> Result<AlbumCard, CommandError> {
    state.named(state.database()?.album_card(album_id).await)
}

/// Shows a library track's file in the system's file manager (`not_found` for an unknown
/// track). Only tracks of the library: the window names an id, never a path.
#[tauri::command]
pub async fn reveal_track(state: State<'_, AppState>, track_id: i64) -> Result<(), CommandError> {
    let path = state.named(state.database()?.track_path(track_id).await)?;
    if !path.exists() {
        return Err(CommandError::new(
            ErrorCode::NotFound,
            format!("{} is no longer there (rescan the folder)", path.display()),
        ));
    }
    tauri_plugin_opener::reveal_item_in_dir(&path).map_err(|e| {
        CommandError::new(
            ErrorCode::Io,
            format!("could not show {} in the file manager: {e}", path.display()),
        )
    })
}

/// What a write-back in `mode` would write now and where (a dry run: nothing is written), for
/// the settings before write-back is turned on.
#[tauri::command]
pub async fn write_back_preview(
    state: State<'_, AppState>,
    mode: WriteBackMode,
) -> Result<WriteBackReport, CommandError> {
    Ok(state.library()?.write_back_preview(mode).await?)
}
