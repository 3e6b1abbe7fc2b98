//! Opening a library: created when missing, migrated, and never touching files that are not ours.

use std::path::Path;

use gatefold_engine::db::{APPLICATION_ID, schema_version};
use gatefold_engine::{Database, EngineError};

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Makes a closed, checkpointed Gatefold library at `path`.
async fn make_library(path: &Path) {
    let db = Database::open(path).await.unwrap();
    db.close().await;
    assert!(
        !path.with_extension("db-wal").exists()
            || std::fs::metadata(path.with_extension("db-wal"))
                .unwrap()
                .len()
                == 0
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
    assert_eq!(err.code(), "not_a_gatefold_database");
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
