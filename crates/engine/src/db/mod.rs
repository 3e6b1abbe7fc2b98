//! The library database. ALL of Gatefold's SQL lives in this module and its children: the rest of
//! the engine talks to it through the repository traits (`crate::repository`) and the typed
//! functions here.
//!
//! Opening is careful not to touch files that are not ours: before SQLite is allowed to write
//! anything (WAL mode, migrations), the file header is read by hand and its SQLite application id
//! and schema version are checked. A foreign SQLite database, a file that is not SQLite at all, or
//! a library from a newer Gatefold is refused with a clear error and left byte-for-byte unchanged.

mod browse;
mod enrich;
mod export;
mod folders;
mod header;
mod import;
mod library;
mod settings;
mod stats;
mod writeback;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection};

use crate::error::{EngineError, Result};
use crate::model::{LibrarySummary, LyricsStatus};
use header::Header;

pub use browse::ArtworkFiles;
pub use enrich::{ArtworkRow, Candidate, FailureRecord, JobStart, OutcomeWrite, Selection};
pub use export::{ExportedArtwork, ExportedLyrics, ExportedTrack};
pub(crate) use import::{ImportWriter, KnownFile};
pub use library::SqliteTrackRepository;
pub use writeback::{WriteBackArtwork, WriteBackTrack};

/// SQLite `application_id` of a Gatefold library: "GTFD".
pub const APPLICATION_ID: i32 = 0x4754_4644;

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// How long a connection waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The newest schema version this build knows (the highest migration; each migration also sets
/// `PRAGMA user_version` to its own number).
pub fn schema_version() -> i64 {
    MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}

/// An open Gatefold library.
#[derive(Debug, Clone)]
pub struct Database {
    pool: SqlitePool,
    path: PathBuf,
    hold: ClockHold,
    /// Opened with SQLite's read-only mode: every write fails with `ReadOnlyLibrary`.
    read_only: bool,
}

/// Keeps tokio's paused clock from jumping while a query runs (see
/// [`Database::hold_paused_clock`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct ClockHold(Arc<AtomicBool>);

/// Alive while a query runs; see [`ClockHold`].
pub(crate) struct HoldGuard(#[allow(dead_code)] std::sync::mpsc::Sender<()>);

impl ClockHold {
    pub(crate) fn guard(&self) -> Option<HoldGuard> {
        if !self.0.load(Ordering::Relaxed) {
            return None;
        }
        // A blocking task that lives until the guard drops: while one runs, tokio does not
        // auto-advance a paused clock.
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        drop(tokio::task::spawn_blocking(move || {
            let _ = rx.recv();
        }));
        Some(HoldGuard(tx))
    }
}

/// What the file at the database path is, judged from its first bytes only.
#[derive(Debug, PartialEq, Eq)]
enum ExistingFile {
    /// No file, or an empty one: a new library will be created.
    New,
    /// A Gatefold library at this schema version (may be older than this build's).
    Gatefold { user_version: i64 },
}

impl Database {
    /// Opens the library at `path`, creating it (and its parent folder) when it does not exist,
    /// and brings its schema up to date.
    ///
    /// A new library is made whole beside `path` and then linked into place, so `path` is
    /// either absent or a complete library, whenever the process dies. After a schema change
    /// the WAL is checkpointed, so the main file carries the header too.
    ///
    /// A library this process cannot write (its file, or its folder and side files, are
    /// read-only to this user) is opened read-only instead ([`Database::open_read_only`]): it
    /// can be looked at, and every write is refused as `ReadOnlyLibrary`, naming it.
    pub async fn open(path: &Path) -> Result<Self> {
        if let ExistingFile::Gatefold { user_version } = inspect_file(path)?
            && user_version == schema_version()
            && !writable(path)
        {
            tracing::info!(path = %path.display(), "the library cannot be written: opened read-only");
            return Self::open_read_only(path).await;
        }
        Self::open_writable(path).await
    }

    /// [`Database::open`] for a library this process may write.
    async fn open_writable(path: &Path) -> Result<Self> {
        if inspect_file(path)? == ExistingFile::New {
            create(path).await?;
        }
        let ExistingFile::Gatefold {
            user_version: header_version,
        } = inspect_file(path)?
        else {
            return Err(EngineError::NotAGatefoldDatabase {
                path: path.to_path_buf(),
                reason: "it disappeared while it was being created".to_owned(),
            });
        };

        let before = SideFilesBefore::note(path);
        let db = match Self::connect(path, connect_options(path), false).await {
            Ok(db) => db,
            Err(err) => return Err(before.refused(path, err)),
        };
        let migrated = async {
            let user_version = db.confirm_ours().await?;
            MIGRATOR.run(&db.pool).await?;
            if header_version.min(user_version) < schema_version() {
                db.checkpoint().await?;
            }
            Ok::<_, EngineError>(())
        }
        .await;
        if let Err(err) = migrated {
            db.pool.close().await;
            return Err(before.refused(path, err));
        }
        tracing::debug!(path = %path.display(), schema = schema_version(), "library database open");
        Ok(db)
    }

    /// A pool of connections to the library at `path`.
    async fn connect(path: &Path, options: SqliteConnectOptions, read_only: bool) -> Result<Self> {
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options)
            .await?;
        Ok(Database {
            pool,
            path: path.to_path_buf(),
            hold: ClockHold::default(),
            read_only,
        })
    }

    /// Opens the existing library at `path` for reading only, for the commands that only look
    /// (`status`, `export`, `failures`): nothing is created, migrated or checkpointed, and every
    /// write is refused by SQLite (`ReadOnlyLibrary`). Works for a user who may only read the
    /// library and its folder.
    ///
    /// No library there is [`EngineError::NoLibrary`]. A library of an older schema is brought
    /// up to date first when it can be written (as any command would), and refused naming the
    /// upgrade it needs when it cannot.
    pub async fn open_read_only(path: &Path) -> Result<Self> {
        let user_version = match inspect_file(path)? {
            ExistingFile::New => {
                return Err(EngineError::NoLibrary {
                    path: path.to_path_buf(),
                });
            }
            ExistingFile::Gatefold { user_version } => user_version,
        };
        if user_version < schema_version() {
            if writable(path) {
                let db = Self::open_writable(path).await?;
                db.close().await;
            } else {
                return Err(EngineError::Storage {
                    path: Some(path.to_path_buf()),
                    cause: format!(
                        "it was written by an older Gatefold and needs an upgrade (schema {user_version} \
                         to {}), which needs write access to it and its folder",
                        schema_version()
                    ),
                    code: crate::error::ErrorCode::ReadOnlyLibrary,
                });
            }
        }
        let options = |immutable: bool| {
            SqliteConnectOptions::new()
                .filename(path)
                .read_only(true)
                .immutable(immutable)
                .foreign_keys(true)
                .busy_timeout(BUSY_TIMEOUT)
        };
        let connect = |immutable: bool| async move {
            let db = Self::connect(path, options(immutable), true).await?;
            if let Err(err) = db.confirm_ours().await {
                db.pool.close().await;
                return Err(err);
            }
            Ok::<_, EngineError>(db)
        };
        let before = SideFilesBefore::note(path);
        let db = match connect(false).await {
            Ok(db) => db,
            // SQLite cannot read a WAL library when it may not create or lock the `-shm` file
            // (a folder the user may only read). With no frames left in the WAL (a library
            // closed cleanly), the main file is the whole library: it is read as immutable,
            // which needs no side file.
            Err(err) if err.is_sqlite_access_error() && !wal_holds_frames(path) => {
                tracing::debug!(path = %path.display(), %err, "read-only without -shm: immutable");
                connect(true).await.map_err(|err| err.in_library(path))?
            }
            Err(err) => return Err(before.refused(path, err)),
        };
        tracing::debug!(path = %path.display(), "library database open read-only");
        Ok(db)
    }

    /// Whether this library was opened read-only (writes are refused).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The header said "ours"; asks SQLite too, and closes the pool when it is not. Returns
    /// the schema version SQLite sees.
    async fn confirm_ours(&self) -> Result<i64> {
        let path = &self.path;
        let (application_id, user_version): (i32, i64) = sqlx::query_as(
            "SELECT application_id, user_version FROM pragma_application_id, pragma_user_version",
        )
        .fetch_one(&self.pool)
        .await?;
        if application_id != APPLICATION_ID {
            self.pool.close().await;
            return Err(EngineError::NotAGatefoldDatabase {
                path: path.to_path_buf(),
                reason: format!("its SQLite application id is {application_id:#x}"),
            });
        }
        if user_version > schema_version() {
            self.pool.close().await;
            return Err(EngineError::NewerSchema {
                path: path.to_path_buf(),
                found: user_version,
                supported: schema_version(),
            });
        }
        Ok(user_version)
    }

    /// Copies the WAL into the main file and empties it.
    async fn checkpoint(&self) -> Result<()> {
        let _hold = self.hold.guard();
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// For tests that pause tokio's clock: SQLite works on a thread tokio cannot see, so with
    /// the clock paused tokio would auto-advance it while a query runs (timing out the pool and
    /// skewing every measured duration). With this on, each query keeps a blocking task alive,
    /// which tokio's current-thread runtime honours: queries take no virtual time. Costs a
    /// blocking-pool hand-off per query; off by default.
    pub fn hold_paused_clock(&self, on: bool) {
        self.hold.0.store(on, Ordering::Relaxed);
    }

    /// The file this library lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Checkpoints the WAL into the main file (leaving it empty) and closes every connection.
    /// (A library that was not closed is fine too: SQLite replays the WAL on the next open.
    /// SQLite may leave the emptied `-wal` and `-shm` beside it: the pool closes its connections
    /// in parallel and none may see itself last.)
    pub async fn close(&self) {
        if self.read_only {
            self.pool.close().await;
            return;
        }
        if let Err(err) = self.checkpoint().await {
            tracing::warn!(%err, "WAL checkpoint on close failed");
        }
        self.pool.close().await;
    }

    /// SQLite's `PRAGMA integrity_check`: `["ok"]` for a sound library, else what is wrong.
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        let _hold = self.hold.guard();
        let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|(line,)| line).collect())
    }

    /// The track repository over this library.
    pub fn tracks(&self) -> SqliteTrackRepository {
        SqliteTrackRepository::new(self.pool.clone(), self.hold.clone())
    }

    /// Counts of tracks, albums, artists, tracks without artwork and tracks per lyrics status.
    pub async fn summary(&self) -> Result<LibrarySummary> {
        let _hold = self.hold.guard();
        let (tracks, albums, artists, artwork_missing): (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM tracks), (SELECT count(*) FROM albums), \
                    (SELECT count(*) FROM artists), \
                    (SELECT count(*) FROM tracks WHERE artwork_id IS NULL)",
        )
        .fetch_one(&self.pool)
        .await?;
        let per_status: Vec<(String, i64)> =
            sqlx::query_as("SELECT lyrics_status, count(*) FROM tracks GROUP BY lyrics_status")
                .fetch_all(&self.pool)
                .await?;
        let mut lyrics: std::collections::BTreeMap<LyricsStatus, u32> =
            LyricsStatus::ALL.into_iter().map(|s| (s, 0)).collect();
        for (status, count) in per_status {
            let status =
                LyricsStatus::from_str(&status).map_err(|e| EngineError::Corrupt(e.to_string()))?;
            lyrics.insert(status, count_u32(count));
        }
        Ok(LibrarySummary {
            tracks: count_u32(tracks),
            albums: count_u32(albums),
            artists: count_u32(artists),
            artwork_missing: count_u32(artwork_missing),
            lyrics,
        })
    }

    /// Paths of the tracks known under `root`, with what was seen of them at the last scan.
    pub(crate) async fn known_files_under(
        &self,
        root: &Path,
    ) -> Result<std::collections::HashMap<PathBuf, KnownFile>> {
        let _hold = self.hold.guard();
        import::known_files_under(&self.pool, root).await
    }

    /// A writer for one import run (it caches artist and album ids across batches).
    pub(crate) async fn import_writer(&self) -> Result<ImportWriter> {
        let _hold = self.hold.guard();
        ImportWriter::new(self.pool.clone(), self.hold.clone()).await
    }
}

/// Begins a write transaction that takes the write lock first (`BEGIN IMMEDIATE`).
///
/// A deferred transaction that reads and then writes cannot wait for another process's writer:
/// when that writer commits in between, SQLite answers "database is locked" at once, whatever
/// the busy timeout. An immediate one queues on the busy timeout instead, so a scan, a job and
/// the other process's job take turns rather than fail.
pub(crate) async fn begin_write(
    pool: &sqlx::SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

fn count_u32(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Whether this process may write the library at `path`: the file itself, and either its folder
/// (where SQLite makes `-wal` and `-shm`) or both side files as they are.
fn writable(path: &Path) -> bool {
    let may_write = |p: &Path| rustix::fs::access(p, rustix::fs::Access::WRITE_OK).is_ok();
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    may_write(path)
        && (may_write(folder)
            || (may_write(&sibling(path, "-wal")) && may_write(&sibling(path, "-shm"))))
}

/// The side file of the library at `path` named by `suffix` (`-wal`, `-shm`, `-journal`).
pub(super) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The `-wal` and `-shm` files that were missing before an open: a failed open of a damaged
/// library removes the ones it made, so the refusal leaves the folder as it was.
struct SideFilesBefore {
    missing: Vec<PathBuf>,
}

impl SideFilesBefore {
    fn note(path: &Path) -> Self {
        let missing = ["-wal", "-shm"]
            .into_iter()
            .map(|suffix| sibling(path, suffix))
            .filter(|side| std::fs::symlink_metadata(side).is_err())
            .collect();
        SideFilesBefore { missing }
    }

    /// The error of an open that failed, naming the library. For a damaged library (which no
    /// other process can be using), the side files the open made are removed first, once its
    /// connections are closed; never a `-wal` holding frames.
    fn refused(self, path: &Path, err: EngineError) -> EngineError {
        if err.code() == crate::error::ErrorCode::CorruptDatabase {
            self.remove_made();
        }
        err.in_library(path)
    }

    fn remove_made(self) {
        for side in self.missing {
            let holds_frames = side.as_os_str().as_encoded_bytes().ends_with(b"-wal")
                && std::fs::metadata(&side).is_ok_and(|m| m.len() > 0);
            if holds_frames {
                continue;
            }
            match std::fs::remove_file(&side) {
                Ok(()) => {
                    tracing::debug!(path = %side.display(), "removed what the failed open made")
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => tracing::warn!(path = %side.display(), %e, "could not remove"),
            }
        }
    }
}

/// Whether the library's `-wal` holds anything (frames not yet folded into the main file).
fn wal_holds_frames(path: &Path) -> bool {
    std::fs::metadata(sibling(path, "-wal")).is_ok_and(|m| m.len() > 0)
}

/// How every connection to a library is set up.
fn connect_options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
}

/// Makes a new, empty library at `path`: built whole in a temporary file beside it (application
/// id, schema, WAL mode, closed so the WAL is folded in), then linked into place without
/// replacing anything (another process that created it first wins; an empty file is replaced).
/// A process killed half-way leaves only the temporary file, removed by the next creation.
async fn create(path: &Path) -> Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Some(name) = path.file_name() else {
        return Err(EngineError::NotAGatefoldDatabase {
            path: path.to_path_buf(),
            reason: "it names no file".to_owned(),
        });
    };
    std::fs::create_dir_all(parent).map_err(|e| EngineError::io(parent, e))?;
    let prefix = format!(".{}.creating-", name.to_string_lossy());
    remove_dead_creations(parent, &prefix);
    let temp = parent.join(format!("{prefix}{}", std::process::id()));
    remove_with_siblings(&temp);

    let built = async {
        let mut conn = connect_options(&temp)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Delete)
            .synchronous(SqliteSynchronous::Full)
            .connect()
            .await?;
        sqlx::query(&format!("PRAGMA application_id = {APPLICATION_ID}"))
            .execute(&mut conn)
            .await?;
        MIGRATOR.run(&mut conn).await?;
        sqlx::query("PRAGMA journal_mode = WAL")
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        Ok::<_, EngineError>(())
    }
    .await;
    if let Err(err) = built {
        remove_with_siblings(&temp);
        return Err(err);
    }

    let placed = match std::fs::hard_link(&temp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            match std::fs::metadata(path) {
                // An empty file stood there (the user made it, or a tool did): it becomes the
                // library, as SQLite itself would have made it one.
                Ok(meta) if meta.len() == 0 => {
                    tracing::warn!(path = %path.display(), "the empty file there is made into a new library");
                    std::fs::rename(&temp, path)
                }
                // Someone else made the library first: theirs is kept.
                _ => Ok(()),
            }
        }
        // File systems without hard links: a rename, which replaces only what is not there.
        Err(_) if !path.exists() => std::fs::rename(&temp, path),
        Err(e) => Err(e),
    };
    remove_with_siblings(&temp);
    placed.map_err(|e| EngineError::io(path, e))?;
    tracing::info!(path = %path.display(), "created a new library");
    Ok(())
}

/// Removes the temporary files of creations whose process is gone (`<prefix><pid>`).
fn remove_dead_creations(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix))
            .and_then(|rest| rest.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new("/proc").join(pid.to_string()).exists() {
            tracing::info!(path = %entry.path().display(), "removing a library creation that was interrupted");
            remove_with_siblings(&entry.path());
        }
    }
}

/// Removes `path` and SQLite's side files of it (journal, WAL, shared memory).
fn remove_with_siblings(path: &Path) {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let name = sibling(path, suffix);
        match std::fs::remove_file(&name) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(path = %name.display(), %e, "could not remove"),
        }
    }
}

/// What the file at `path` is, from the header SQLite would see (the WAL's newest committed
/// page 1 when there is one, else the main file's), read without SQLite (see [`header`]).
fn inspect_file(path: &Path) -> Result<ExistingFile> {
    let not_ours = |reason: &str| EngineError::NotAGatefoldDatabase {
        path: path.to_path_buf(),
        reason: reason.to_owned(),
    };
    let bytes = match header::read(path)? {
        Header::Absent { empty_file } => {
            if empty_file {
                tracing::warn!(
                    path = %path.display(),
                    "the library file is empty: a new Gatefold library is made in it"
                );
            }
            return Ok(ExistingFile::New);
        }
        Header::Short => return Err(not_ours("it is not an SQLite database")),
        Header::Present { bytes, from_wal } => {
            if from_wal {
                tracing::debug!(path = %path.display(), "library header read from its WAL");
            }
            bytes
        }
    };
    if !Header::is_sqlite(&bytes) {
        return Err(not_ours("it is not an SQLite database"));
    }
    let (user_version, application_id) = Header::versions(&bytes);
    if application_id != APPLICATION_ID {
        return Err(not_ours(&if application_id == 0 {
            "it is an SQLite database of another program (no Gatefold application id)".to_owned()
        } else {
            format!(
                "it is an SQLite database of another program (application id {application_id:#x})"
            )
        }));
    }
    if user_version > schema_version() {
        return Err(EngineError::NewerSchema {
            path: path.to_path_buf(),
            found: user_version,
            supported: schema_version(),
        });
    }
    Ok(ExistingFile::Gatefold { user_version })
}

/// Raw bytes of a path, as stored in BLOB columns.
pub(crate) fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

/// The inverse of [`path_bytes`].
pub(crate) fn path_from_bytes(bytes: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(bytes))
}
