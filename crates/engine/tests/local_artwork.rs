//! The local artwork source: embedded front covers and folder images, never back covers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use gatefold_engine::enrich::{AlbumRequest, ArtworkService};
use gatefold_engine::providers::local::LocalArtwork;
use gatefold_engine::{Database, ScanOptions, TrackRepository, scan_folder};
use gatefold_testkit::tricky_library;

async fn album_request(db: &Database, album_title: &str) -> AlbumRequest {
    let tracks: Vec<_> = db
        .tracks()
        .page(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.album == album_title)
        .collect();
    let first = tracks[0].clone();
    AlbumRequest {
        album_id: first.album_id,
        title: first.album,
        album_artist: first.album_artist,
        mb_release_id: first.mb_release_id,
        tracks,
    }
}

#[tokio::test]
async fn finds_embedded_and_folder_covers_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let lib = tricky_library(&dir.path().join("music"));
    let db = Database::open(&dir.path().join("l.db")).await.unwrap();
    scan_folder(&db, &lib.root, &ScanOptions::default(), |_| {})
        .await
        .unwrap();

    let formats = LocalArtwork
        .fetch_artwork(&album_request(&db, "Formats").await)
        .await
        .unwrap();
    let art = formats.expect("the FLAC's embedded front cover");
    assert_eq!(
        (
            art.source.as_str(),
            art.mime.as_str(),
            art.width,
            art.height,
            art.local
        ),
        ("embedded", "image/jpeg", 600, 600, true)
    );

    let set = LocalArtwork
        .fetch_artwork(&album_request(&db, "The Set").await)
        .await
        .unwrap()
        .expect("Folder.JPG");
    assert_eq!(set.source, "folder");

    // Homogenic has neither; the ogg in Formats with only a back cover never counts.
    assert_eq!(
        LocalArtwork
            .fetch_artwork(&album_request(&db, "Homogenic").await)
            .await
            .unwrap(),
        None
    );
}
