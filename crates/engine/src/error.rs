//! The engine's error type. Every variant names what went wrong and where, and maps to a stable
//! machine-readable code (`EngineError::code`) that the CLI and the desktop shell pass on as is.

use std::path::PathBuf;

/// Errors the engine reports to its callers.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The file exists but is not a Gatefold library (another SQLite database, or not SQLite at
    /// all). It was not modified.
    #[error("{path} is not a Gatefold library database: {reason}; it was left untouched")]
    NotAGatefoldDatabase { path: PathBuf, reason: String },

    /// The library was written by a newer Gatefold. It was not modified.
    #[error(
        "{path} was created by a newer version of Gatefold (schema version {found}, this build \
         supports up to {supported}); it was left untouched"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    /// A file or folder the engine needed could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The folder given to a scan is not a readable folder.
    #[error("cannot scan {path}: {reason}")]
    InvalidScanRoot { path: PathBuf, reason: String },

    /// A database operation failed.
    #[error("library database error: {0}")]
    Database(#[from] sqlx::Error),

    /// Bringing the database schema up to date failed; the migration was rolled back.
    #[error("library database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),

    /// Another process runs an enrichment job on this library.
    #[error(
        "another Gatefold process (pid {pid}) is enriching this library; wait for it or stop it"
    )]
    JobAlreadyRunning { pid: i64 },

    /// A background task of the engine stopped unexpectedly.
    #[error("internal error: {0}")]
    Internal(String),

    /// The library has no such item (an album or track id that does not exist, or no longer).
    #[error("no such {0} in the library")]
    NotFound(String),

    /// A value stored in the database is not one this build understands.
    #[error("library database holds an invalid value: {0}")]
    Corrupt(String),
}

impl EngineError {
    /// A stable, machine-readable code for the error, for JSON output and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::NotAGatefoldDatabase { .. } => "not_a_gatefold_database",
            EngineError::NewerSchema { .. } => "newer_schema",
            EngineError::Io { .. } => "io",
            EngineError::InvalidScanRoot { .. } => "invalid_scan_root",
            EngineError::Database(_) => "database",
            EngineError::Migration(_) => "migration",
            EngineError::JobAlreadyRunning { .. } => "job_already_running",
            EngineError::Internal(_) => "internal",
            EngineError::Corrupt(_) => "corrupt_database",
            EngineError::NotFound(_) => "not_found",
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        EngineError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result alias used throughout the engine.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;
