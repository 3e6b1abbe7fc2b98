//! The engine's error type. Every variant names what went wrong and where, and maps to a stable
//! machine-readable code (`EngineError::code`) that the CLI and the desktop shell pass on as is.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Every machine-readable error code the engine and its front ends report: in CLI `--json`
/// error lines, in `JobFailed` events, and as the `code` of a command error in the window. Its
/// TypeScript twin is generated, so the UI can only name codes that exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// The file is not a Gatefold library; it was left untouched.
    NotAGatefoldDatabase,
    /// The library was written by a newer Gatefold; it was left untouched.
    NewerSchema,
    /// A file or folder could not be read or written.
    Io,
    /// The folder given to a scan is not a readable folder.
    InvalidScanRoot,
    /// A database operation failed.
    Database,
    /// Bringing the schema up to date failed (rolled back).
    Migration,
    /// Another job (in this process or another) is enriching the library.
    JobAlreadyRunning,
    /// A bug or a stopped background task.
    Internal,
    /// The library is damaged, or holds a value this build does not understand.
    CorruptDatabase,
    /// No such album, track or artwork in the library.
    NotFound,
    /// A setting is out of range or a provider setting is unusable.
    InvalidConfig,
    /// WiFi-only is on and the machine is not on WiFi.
    NotOnWifi,
    /// Pause, resume or cancel while no job runs.
    NoJob,
    /// A scan was asked for while another runs.
    ScanRunning,
    /// The CLI could not start its async runtime.
    Runtime,
    /// The CLI was given no library path and found no default one.
    NoDatabasePath,
    /// The disk holding the library is full.
    DiskFull,
    /// The library (its file, its `-wal`/`-shm`, or its folder) cannot be written.
    ReadOnlyLibrary,
    /// The disk failed to read or write the library.
    DiskIo,
    /// A command that only reads was pointed at a library that does not exist (it makes none).
    NoLibrary,
    /// A folder given as a music folder cannot be one (missing, not a folder, unreadable,
    /// inside another, or not one of the library's).
    InvalidMusicFolder,
}

impl ErrorCode {
    /// The code as it is written (`job_already_running`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotAGatefoldDatabase => "not_a_gatefold_database",
            ErrorCode::NewerSchema => "newer_schema",
            ErrorCode::Io => "io",
            ErrorCode::InvalidScanRoot => "invalid_scan_root",
            ErrorCode::Database => "database",
            ErrorCode::Migration => "migration",
            ErrorCode::JobAlreadyRunning => "job_already_running",
            ErrorCode::Internal => "internal",
            ErrorCode::CorruptDatabase => "corrupt_database",
            ErrorCode::NotFound => "not_found",
            ErrorCode::InvalidConfig => "invalid_config",
            ErrorCode::NotOnWifi => "not_on_wifi",
            ErrorCode::NoJob => "no_job",
            ErrorCode::ScanRunning => "scan_running",
            ErrorCode::Runtime => "runtime",
            ErrorCode::NoDatabasePath => "no_database_path",
            ErrorCode::DiskFull => "disk_full",
            ErrorCode::ReadOnlyLibrary => "read_only_library",
            ErrorCode::DiskIo => "disk_io",
            ErrorCode::NoLibrary => "no_library",
            ErrorCode::InvalidMusicFolder => "invalid_music_folder",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Errors the engine reports to its callers.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The file exists but is not a Gatefold library (another SQLite database, or not SQLite at
    /// all). It was not modified.
    #[error("{path} is not a Gatefold library database: {reason}; it was left untouched")]
    NotAGatefoldDatabase {
        /// The file that was opened.
        path: PathBuf,
        /// Why it is not one, for people ("it is a folder", ...).
        reason: String,
    },

    /// The library was written by a newer Gatefold. It was not modified.
    #[error(
        "{path} was created by a newer version of Gatefold (schema version {found}, this build \
         supports up to {supported}); it was left untouched"
    )]
    NewerSchema {
        /// The library file.
        path: PathBuf,
        /// The schema version the file has.
        found: i64,
        /// The newest schema version this build supports.
        supported: i64,
    },

    /// A file or folder the engine needed could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system reported.
        #[source]
        source: std::io::Error,
    },

    /// The folder given to a scan is not a readable folder.
    #[error("cannot scan {path}: {reason}")]
    InvalidScanRoot {
        /// The folder given.
        path: PathBuf,
        /// Why it cannot be scanned, for people.
        reason: String,
    },

    /// A folder given as a music folder cannot be one.
    #[error("{path}: {reason}")]
    InvalidMusicFolder {
        /// The folder given.
        path: PathBuf,
        /// Why, for people.
        reason: String,
    },

    /// A database operation failed.
    #[error("library database error: {0}")]
    Database(sqlx::Error),

    /// The library's files cannot be written or read: the disk is full, they are read-only,
    /// the disk failed, or the file is damaged. Says which library once the caller knows it ([`EngineError::in_library`]).
    #[error("{}: {cause}", match path {
        Some(path) => format!("the library {} cannot be used", path.display()),
        None => "the library cannot be used".to_owned(),
    })]
    Storage {
        /// The library's database file, when known.
        path: Option<PathBuf>,
        /// What is wrong, for people (with SQLite's own words).
        cause: String,
        /// `DiskFull`, `ReadOnlyLibrary`, `DiskIo` or `CorruptDatabase`.
        code: ErrorCode,
    },

    /// A command that only reads found no library at the path (and made none).
    #[error("there is no library at {path} yet; `gatefold-cli scan FOLDER` (or the app) makes one")]
    NoLibrary {
        /// The library path given.
        path: PathBuf,
    },

    /// Bringing the database schema up to date failed; the migration was rolled back.
    #[error("library database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),

    /// Another process runs an enrichment job on this library.
    #[error(
        "another Gatefold process (pid {pid}) is enriching this library; wait for it or stop it"
    )]
    JobAlreadyRunning {
        /// The process id of the process running the job.
        pid: i64,
    },

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
    pub fn code(&self) -> ErrorCode {
        match self {
            EngineError::NotAGatefoldDatabase { .. } => ErrorCode::NotAGatefoldDatabase,
            EngineError::NewerSchema { .. } => ErrorCode::NewerSchema,
            EngineError::Io { .. } => ErrorCode::Io,
            EngineError::InvalidScanRoot { .. } => ErrorCode::InvalidScanRoot,
            EngineError::InvalidMusicFolder { .. } => ErrorCode::InvalidMusicFolder,
            EngineError::Database(_) => ErrorCode::Database,
            EngineError::Storage { code, .. } => *code,
            EngineError::Migration(_) => ErrorCode::Migration,
            EngineError::JobAlreadyRunning { .. } => ErrorCode::JobAlreadyRunning,
            EngineError::Internal(_) => ErrorCode::Internal,
            EngineError::Corrupt(_) => ErrorCode::CorruptDatabase,
            EngineError::NotFound(_) => ErrorCode::NotFound,
            EngineError::NoLibrary { .. } => ErrorCode::NoLibrary,
        }
    }

    /// This error, naming the library at `path` when it is about the library's files.
    pub fn in_library(self, path: &std::path::Path) -> Self {
        match self {
            EngineError::Storage {
                path: None,
                cause,
                code,
            } => EngineError::Storage {
                path: Some(path.to_path_buf()),
                cause,
                code,
            },
            other => other,
        }
    }

    /// Whether this is SQLite refusing access to the library's files: read-only (`SQLITE_READONLY`
    /// and its kinds) or unable to open one (`SQLITE_CANTOPEN`).
    pub(crate) fn is_sqlite_access_error(&self) -> bool {
        match self {
            EngineError::Storage { code, .. } => *code == ErrorCode::ReadOnlyLibrary,
            EngineError::Database(err) => err
                .as_database_error()
                .and_then(|db| db.code())
                .and_then(|c| c.parse::<i32>().ok())
                .is_some_and(|c| c & 0xff == 14),
            _ => false,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        EngineError::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<sqlx::Error> for EngineError {
    /// SQLite's "database or disk is full", "attempt to write a readonly database" and "disk
    /// I/O error" become [`EngineError::Storage`] with the cause in plain words; the rest stays
    /// a database error.
    fn from(err: sqlx::Error) -> Self {
        let Some(db) = err.as_database_error() else {
            return EngineError::Database(err);
        };
        // The primary result code is the extended code's low byte.
        let primary = db
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .map(|c| c & 0xff);
        let (code, cause) = match primary {
            Some(13) => (
                ErrorCode::DiskFull,
                "the disk is full; free some space and try again",
            ),
            Some(8) => (
                ErrorCode::ReadOnlyLibrary,
                "it is read-only (the file, its -wal or -shm, or its folder cannot be written)",
            ),
            Some(10) => (ErrorCode::DiskIo, "the disk failed to read or write it"),
            // SQLITE_CORRUPT and SQLITE_NOTADB past the header check: damaged pages.
            Some(11 | 26) => (
                ErrorCode::CorruptDatabase,
                "it is damaged (restore it from a backup, or move it away and scan again)",
            ),
            _ => return EngineError::Database(err),
        };
        EngineError::Storage {
            path: None,
            cause: format!("{cause} (SQLite: {})", db.message()),
            code,
        }
    }
}

/// Result alias used throughout the engine.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;
