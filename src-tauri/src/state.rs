//! What the shell keeps between commands.

use std::path::PathBuf;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use gatefold_engine::enrich::EnrichmentStatus;
use gatefold_engine::watch::WatchStatus;
use gatefold_engine::{BusMessage, Database, EngineError, ErrorCode, Library, LibraryEvent};
use tauri::{AppHandle, Manager};

use crate::error::CommandError;

/// Managed state: the open library (or why it could not be opened: every command then says
/// so, and the window still starts), with its event bus, job executor and HTTP client.
pub struct AppState {
    library: Result<Library, CommandError>,
    /// The running job as the bus last told it (see [`AppState::track_job_status`]).
    status: Arc<Mutex<Option<EnrichmentStatus>>>,
    /// The watch of the music folders as the bus last told it.
    watch: Arc<Mutex<Option<WatchStatus>>>,
    scanning: Arc<AtomicBool>,
    _log_guard: Option<tracing_appender::non_blocking::WorkerGuard>,
}

/// Held while a scan runs; the next scan may start once it is dropped.
pub struct ScanGuard(Arc<AtomicBool>);

impl Drop for ScanGuard {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl AppState {
    pub fn new(
        library: Result<Library, EngineError>,
        log_guard: Option<tracing_appender::non_blocking::WorkerGuard>,
    ) -> Self {
        AppState {
            library: library.map_err(CommandError::from),
            status: Arc::default(),
            watch: Arc::default(),
            scanning: Arc::default(),
            _log_guard: log_guard,
        }
    }

    /// Keeps [`AppState::job_status`] current by folding the bus's events (a lag resets it to
    /// "unknown until the next progress event", which comes within 100 ms while a job runs).
    pub fn track_job_status(&self) {
        let Ok(library) = &self.library else {
            return;
        };
        let status = Arc::clone(&self.status);
        let watch = Arc::clone(&self.watch);
        let mut events = library.bus().subscribe();
        tauri::async_runtime::spawn(async move {
            while let Some(message) = events.recv().await {
                let BusMessage::Event(event) = message else {
                    continue;
                };
                if let LibraryEvent::Watching { status } = &event {
                    *watch.lock().unwrap_or_else(|e| e.into_inner()) = Some(status.clone());
                }
                let mut current = status.lock().unwrap_or_else(|e| e.into_inner());
                EnrichmentStatus::apply(&mut current, &event);
            }
        });
    }

    /// How the music folders are watched, once the watch has started.
    pub fn watch_status(&self) -> Option<WatchStatus> {
        self.watch.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The running job's state, if one runs.
    pub fn job_status(&self) -> Option<EnrichmentStatus> {
        self.library.as_ref().ok()?.running_job()?;
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Marks a scan as running; `scan_running` if one already is.
    pub fn begin_scan(&self) -> Result<ScanGuard, CommandError> {
        if self.scanning.swap(true, Ordering::AcqRel) {
            return Err(CommandError::new(
                ErrorCode::ScanRunning,
                "a scan is already running; wait for it to finish",
            ));
        }
        Ok(ScanGuard(Arc::clone(&self.scanning)))
    }

    /// The open library, or why it could not be opened.
    pub fn library(&self) -> Result<&Library, CommandError> {
        self.library.as_ref().map_err(Clone::clone)
    }

    /// The library's database (reads and settings). Pass what its calls return through
    /// [`AppState::named`], so a storage error names the library.
    pub fn database(&self) -> Result<&Database, CommandError> {
        Ok(self.library()?.database())
    }

    /// `result` as a command's: an engine error about the library's files (a full disk, a
    /// read-only library) names the library, as the CLI's do.
    pub fn named<T>(&self, result: gatefold_engine::Result<T>) -> Result<T, CommandError> {
        result.map_err(|err| match self.database() {
            Ok(db) => CommandError::from(err.in_library(db.path())),
            Err(_) => CommandError::from(err),
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A storage error from a database command names the library, as the CLI's do.
    #[allow(clippy::expect_used, reason = "a test: a panic is the test failing")]
    #[tokio::test]
    async fn storage_errors_of_commands_name_the_library() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("library.db");
        let state = AppState::new(Library::open(&path).await, None);
        let refused = state
            .named::<()>(Err(EngineError::Storage {
                path: None,
                cause: "it is read-only".into(),
                code: ErrorCode::ReadOnlyLibrary,
            }))
            .expect_err("an error");
        assert_eq!(refused.code, ErrorCode::ReadOnlyLibrary);
        assert!(
            refused.message.contains(&path.display().to_string()),
            "{}",
            refused.message
        );
        state.library().expect("open").close().await;
    }
}
