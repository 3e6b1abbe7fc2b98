//! What the shell keeps between commands.

use std::path::PathBuf;

use gatefold_engine::http::Http;
use gatefold_engine::{BackgroundExecutor, Database, EngineError, EventBus};
use tauri::{AppHandle, Manager};

use crate::error::CommandError;

/// Managed state: the open library (or why it could not be opened: every command then says
/// so, and the window still starts), the event bus the UI listens to, the one job executor and
/// the one HTTP client.
pub struct AppState {
    library: Result<Database, CommandError>,
    pub bus: EventBus,
    pub executor: BackgroundExecutor,
    pub http: Result<Http, CommandError>,
    _log_guard: Option<tracing_appender::non_blocking::WorkerGuard>,
}

impl AppState {
    pub fn new(
        library: Result<Database, EngineError>,
        log_guard: Option<tracing_appender::non_blocking::WorkerGuard>,
    ) -> Self {
        AppState {
            library: library.map_err(CommandError::from),
            bus: EventBus::default(),
            executor: BackgroundExecutor::new(),
            http: Http::new().map_err(CommandError::from),
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
