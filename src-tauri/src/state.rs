//! What the shell keeps between commands.

use std::path::PathBuf;

use gatefold_engine::{Database, EngineError};
use tauri::{AppHandle, Manager};

use crate::error::CommandError;

/// Managed state: the open library, or why it could not be opened (shown by every command, so
/// the window still starts and tells the user).
pub struct AppState {
    library: Result<Database, CommandError>,
    _log_guard: Option<tracing_appender::non_blocking::WorkerGuard>,
}

impl AppState {
    pub fn new(
        library: Result<Database, EngineError>,
        log_guard: Option<tracing_appender::non_blocking::WorkerGuard>,
    ) -> Self {
        AppState {
            library: library.map_err(CommandError::from),
            _log_guard: log_guard,
        }
    }

    pub fn database(&self) -> Result<&Database, CommandError> {
        self.library.as_ref().map_err(Clone::clone)
    }
}

/// `GATEFOLD_DB` when set, else `library.db` in the app data dir (the folder `gatefold-cli`
/// uses too).
pub fn database_path(app: &AppHandle) -> Result<PathBuf, Box<dyn std::error::Error>> {
    if let Some(path) = std::env::var_os("GATEFOLD_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    Ok(app.path().app_data_dir()?.join("library.db"))
}
