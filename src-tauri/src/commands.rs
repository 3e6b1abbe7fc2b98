//! Typed commands the UI invokes. Each returns `Result<T, CommandError>`.

use gatefold_engine::LibrarySummary;
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

/// Counts of tracks, albums, artists, missing artwork and lyrics statuses.
#[tauri::command]
pub async fn library_summary(state: State<'_, AppState>) -> Result<LibrarySummary, CommandError> {
    Ok(state.database()?.summary().await?)
}
