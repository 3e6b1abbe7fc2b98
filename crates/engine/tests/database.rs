//! Opening a library: created when missing, migrated, and never touching files that are not ours.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use std::path::Path;

use gatefold_engine::db::{APPLICATION_ID, schema_version};
use gatefold_engine::{Database, EngineError};

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            match std::fs::read(&p) {
                Ok(bytes) => Some((name, bytes)),
                // SQLite's emptied side files of a library just closed may be going away.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => panic!("{}: {e}", p.display()),
            }
        })
        .collect();
    files.sort();
    files
}

/// Makes a closed, checkpointed Gatefold library at `path`.
async fn make_library(path: &Path) {
    let db = Database::open(path).await.unwrap();
    db.close().await;
    // Checkpointed: the WAL is empty, or gone (SQLite may still be removing it).
    assert!(
        std::fs::metadata(path.with_extension("db-wal")).map_or(true, |m| m.len() == 0),
        "the WAL was folded into the main file"
    );
}

fn patch_be_u32(path: &Path, offset: usize, value: u32) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[offset..offset + 4].copy_from_slice(&value.to_be_bytes());
    std::fs::write(path, bytes).unwrap();
}

#[tokio::test]
async fn creates_folders_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/deeper/library.db");
    make_library(&path).await;
    let header = std::fs::read(&path).unwrap();
    assert_eq!(
        &header[68..72],
        &APPLICATION_ID.to_be_bytes(),
        "the application id is set"
    );
    assert_eq!(
        i64::from(u32::from_be_bytes(header[60..64].try_into().unwrap())),
        schema_version()
    );
    // Reopening an up-to-date library is a no-op.
    let db = Database::open(&path).await.unwrap();
    assert_eq!(db.summary().await.unwrap().tracks, 0);
    db.close().await;
}

#[tokio::test]
async fn refuses_a_file_that_is_not_sqlite_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "my precious notes, not a database\n".repeat(10)).unwrap();
    let before = snapshot(dir.path());
    let err = Database::open(&path).await.unwrap_err();
    assert!(
        matches!(err, EngineError::NotAGatefoldDatabase { .. }),
        "{err:?}"
    );
    assert_eq!(err.code().as_str(), "not_a_gatefold_database");
    let msg = err.to_string();
    assert!(
        msg.contains("notes.db") && msg.contains("not an SQLite database"),
        "{msg}"
    );
    assert_eq!(
        snapshot(dir.path()),
        before,
        "nothing written, no -wal or -shm created"
    );
}

#[tokio::test]
async fn refuses_another_programs_sqlite_database_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    make_library(&path).await;
    for leftover in ["other.db-wal", "other.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join(leftover));
    }
    patch_be_u32(&path, 68, 0); // no application id: some other program's SQLite file
    let before = snapshot(dir.path());
    let err = Database::open(&path).await.unwrap_err();
    assert!(err.to_string().contains("another program"), "{err}");
    assert_eq!(snapshot(dir.path()), before);

    patch_be_u32(&path, 68, 0x1234_5678);
    let err = Database::open(&path).await.unwrap_err();
    assert!(err.to_string().contains("0x12345678"), "{err}");
}

#[tokio::test]
async fn refuses_a_library_from_a_newer_version_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    make_library(&path).await;
    for leftover in ["future.db-wal", "future.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join(leftover));
    }
    patch_be_u32(&path, 60, 999);
    let before = snapshot(dir.path());
    let err = Database::open(&path).await.unwrap_err();
    match &err {
        EngineError::NewerSchema {
            found, supported, ..
        } => {
            assert_eq!(*found, 999);
            assert_eq!(*supported, schema_version());
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    assert!(
        err.to_string().contains("newer version of Gatefold"),
        "{err}"
    );
    assert_eq!(snapshot(dir.path()), before);
}

#[tokio::test]
async fn refuses_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let err = Database::open(dir.path()).await.unwrap_err();
    assert!(err.to_string().contains("is a folder"), "{err}");
}

#[tokio::test]
async fn an_empty_file_becomes_a_library() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    std::fs::write(&path, b"").unwrap();
    make_library(&path).await;
    assert_eq!(&std::fs::read(&path).unwrap()[..16], b"SQLite format 3\0");
}

/// A raw connection to the library at `path` that never checkpoints, so what it writes stays
/// in the WAL (as after a crash, or while another process holds the library open).
async fn raw_without_checkpoints(path: &Path) -> sqlx::SqliteConnection {
    use sqlx::ConnectOptions;
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .connect()
        .await
        .unwrap();
    sqlx::query("PRAGMA wal_autocheckpoint = 0")
        .execute(&mut conn)
        .await
        .unwrap();
    conn
}

/// Copies `name` and `name-wal` (not `-shm`) from `from` into `to`: what a power cut, a backup
/// tool or a copy to another disk leaves of an open library.
fn copy_db_and_wal(from: &Path, to: &Path, name: &str) -> std::path::PathBuf {
    std::fs::create_dir_all(to).unwrap();
    for file in [name.to_owned(), format!("{name}-wal")] {
        std::fs::copy(from.join(&file), to.join(&file)).unwrap();
    }
    to.join(name)
}

#[tokio::test]
async fn a_new_library_is_whole_in_its_main_file_before_it_is_ever_closed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.db");
    let db = Database::open(&path).await.unwrap();
    // Only the main file, copied while the library is open (as a kill -9 right after creation
    // would leave it): the header and the schema are there.
    let copy = dir.path().join("copy/library.db");
    std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
    std::fs::copy(&path, &copy).unwrap();
    let header = std::fs::read(&copy).unwrap();
    assert_eq!(&header[68..72], &APPLICATION_ID.to_be_bytes());
    let reopened = Database::open(&copy).await.unwrap();
    assert_eq!(reopened.summary().await.unwrap().tracks, 0);
    reopened.close().await;
    db.close().await;
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("creating"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary files left: {leftovers:?}"
    );
}

#[tokio::test]
async fn a_header_that_is_only_in_the_wal_is_seen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.db");
    make_library(&path).await;
    // The main file looks like another program's; the WAL holds the committed Gatefold header.
    patch_be_u32(&path, 68, 0);
    let mut conn = raw_without_checkpoints(&path).await;
    sqlx::query(&format!("PRAGMA application_id = {APPLICATION_ID}"))
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        &std::fs::read(&path).unwrap()[68..72],
        &[0; 4],
        "the main file still has the old header"
    );

    // Copied without -shm while the connection is open (a power cut), and reopened.
    let copy = copy_db_and_wal(dir.path(), &dir.path().join("copy"), "library.db");
    let db = Database::open(&copy).await.unwrap();
    assert_eq!(db.summary().await.unwrap().tracks, 0);
    db.close().await;
    assert_eq!(
        &std::fs::read(&copy).unwrap()[68..72],
        &APPLICATION_ID.to_be_bytes(),
        "closing folded the WAL into the main file"
    );
    drop(conn);
}

#[tokio::test]
async fn a_newer_schema_that_is_only_in_the_wal_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.db");
    make_library(&path).await;
    let mut conn = raw_without_checkpoints(&path).await;
    sqlx::query("PRAGMA user_version = 999")
        .execute(&mut conn)
        .await
        .unwrap();
    let copy_dir = dir.path().join("copy");
    let copy = copy_db_and_wal(dir.path(), &copy_dir, "library.db");
    let before = snapshot(&copy_dir);
    let err = Database::open(&copy).await.unwrap_err();
    assert!(
        matches!(err, EngineError::NewerSchema { found: 999, .. }),
        "{err:?}"
    );
    assert_eq!(
        snapshot(&copy_dir),
        before,
        "main file and WAL unchanged, no -shm created"
    );
    drop(conn);
}

#[tokio::test]
async fn an_interrupted_creation_leaves_no_library_and_is_cleaned_up() {
    let dir = tempfile::tempdir().unwrap();
    // What a process killed while creating `library.db` leaves (no Linux pid is this high).
    let stale = dir.path().join(".library.db.creating-999999999");
    std::fs::write(&stale, b"SQLite format 3\0 half a library").unwrap();
    std::fs::write(
        dir.path().join(".library.db.creating-999999999-journal"),
        b"x",
    )
    .unwrap();
    let path = dir.path().join("library.db");
    let db = Database::open(&path).await.unwrap();
    db.close().await;
    // Names only: SQLite's emptied side files may still be going away as the pool's worker
    // threads finish closing.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with("-wal") && !n.ends_with("-shm"))
        .collect();
    names.sort();
    assert_eq!(names, ["library.db"], "only the library is left");
}

/// SQLite's "database or disk is full" and "attempt to write a readonly database" become
/// errors that say so, and name the library once the caller knows it.
#[tokio::test]
async fn a_full_disk_and_a_read_only_library_say_so_and_where() {
    use gatefold_engine::{EngineError, ErrorCode};
    use sqlx::{ConnectOptions, Connection};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.db");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    sqlx::query("CREATE TABLE t (b BLOB)")
        .execute(&mut conn)
        .await
        .unwrap();
    // A database that may not grow: the disk is as good as full.
    sqlx::query("PRAGMA max_page_count = 3")
        .execute(&mut conn)
        .await
        .unwrap();
    let full = sqlx::query("INSERT INTO t VALUES (zeroblob(100000))")
        .execute(&mut conn)
        .await
        .unwrap_err();
    let err = EngineError::from(full).in_library(&path);
    assert_eq!(err.code(), ErrorCode::DiskFull);
    let text = err.to_string();
    assert!(
        text.contains(&path.display().to_string()) && text.contains("the disk is full"),
        "{text}"
    );
    conn.close().await.unwrap();

    let mut read_only = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let refused = sqlx::query("INSERT INTO t VALUES (x'00')")
        .execute(&mut read_only)
        .await
        .unwrap_err();
    let err = EngineError::from(refused).in_library(&path);
    assert_eq!(err.code(), ErrorCode::ReadOnlyLibrary);
    assert!(err.to_string().contains("read-only"), "{err}");

    // Other database errors stay what they were.
    let other = sqlx::query("SELECT * FROM missing")
        .execute(&mut read_only)
        .await
        .unwrap_err();
    assert_eq!(EngineError::from(other).code(), ErrorCode::Database);
}

/// The commands that only look open a library read-only: no library is made where there is
/// none, the file does not change, and a write is refused as `ReadOnlyLibrary`, naming it.
#[tokio::test]
async fn a_read_only_open_makes_nothing_and_writes_nothing() {
    use gatefold_engine::ErrorCode;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.db");
    let err = Database::open_read_only(&path).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NoLibrary);
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    assert!(snapshot(dir.path()).is_empty(), "nothing was created");

    make_library(&path).await;
    let main_before = std::fs::read(&path).unwrap();
    let db = Database::open_read_only(&path).await.unwrap();
    assert!(db.is_read_only());
    assert_eq!(db.summary().await.unwrap().tracks, 0, "it reads");
    let refused = db
        .set_setting("x", "1")
        .await
        .unwrap_err()
        .in_library(&path);
    assert_eq!(refused.code(), ErrorCode::ReadOnlyLibrary, "{refused}");
    assert!(
        refused.to_string().contains(&path.display().to_string()),
        "{refused}"
    );
    db.close().await;
    assert_eq!(std::fs::read(&path).unwrap(), main_before, "unchanged");
    // Opened again for writing, it takes writes.
    let db = Database::open(&path).await.unwrap();
    assert!(!db.is_read_only());
    db.set_setting("x", "1").await.unwrap();
    db.close().await;
}

/// An older library that can be written is opened for writing first when a read-only command
/// opens it (its migrations run, as for any command); then it is read as usual.
#[tokio::test]
async fn a_read_only_open_of_an_older_library_goes_through_the_upgrade_when_it_may() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("library.db");
    make_library(&path).await;
    patch_be_u32(&path, 60, u32::try_from(schema_version() - 1).unwrap());
    let db = Database::open_read_only(&path).await.unwrap();
    assert!(db.is_read_only());
    assert_eq!(db.summary().await.unwrap().tracks, 0);
    db.close().await;
}

/// A library whose pages are damaged (a bad disk, a tool that wrote into it) is refused as
/// `corrupt_database`, naming it, and is left exactly as it was: SQLite's `-wal` and `-shm`
/// side files, which opening it makes, are not left beside it.
#[tokio::test]
async fn a_damaged_library_is_refused_untouched_without_side_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("damaged.db");
    make_library(&path).await;
    for leftover in ["damaged.db-wal", "damaged.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join(leftover));
    }
    // The header stays a Gatefold one; the schema table on the rest of page 1 is garbage.
    let mut bytes = std::fs::read(&path).unwrap();
    for byte in &mut bytes[100..4096] {
        *byte = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let before = snapshot(dir.path());
    for read_only in [false, true] {
        let err = if read_only {
            Database::open_read_only(&path).await.unwrap_err()
        } else {
            Database::open(&path).await.unwrap_err()
        };
        assert_eq!(err.code().as_str(), "corrupt_database", "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.contains("damaged.db") && msg.contains("damaged"),
            "{msg}"
        );
        assert_eq!(
            snapshot(dir.path()),
            before,
            "read-only {read_only}: nothing written, no -wal or -shm left"
        );
    }
}
