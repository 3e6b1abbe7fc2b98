//! Deezer artwork against the loopback fake, in-band errors included.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use std::time::Duration;

use gatefold_engine::providers::deezer::Deezer;
use gatefold_testkit::providers::{ask_artwork, found_online, loopback_client};
use gatefold_testkit::servers::deezer::{DeezerAlbum, FakeDeezer};

fn deezer(fake: &FakeDeezer) -> Deezer {
    Deezer::new(
        loopback_client("deezer", &fake.uri(), 100.0, &[]),
        loopback_client("images", &fake.uri(), 100.0, &[]),
    )
}

fn catalogue() -> Vec<DeezerAlbum> {
    vec![
        DeezerAlbum {
            title: "Discovery".into(),
            artist: "Daft Punk".into(),
        },
        DeezerAlbum {
            title: "Greatest Hits".into(),
            artist: "ABBA".into(),
        },
    ]
}

#[tokio::test]
async fn finds_the_1000_px_cover_of_a_confident_match() {
    let fake = FakeDeezer::start(catalogue(), 100).await;
    found_online(&deezer(&fake), "Discovery", "Daft Punk", "deezer").await;
    let requests = fake.requests();
    assert!(
        requests[0].contains("artist%3A%22Daft+Punk%22+album%3A%22Discovery%22"),
        "{requests:?}"
    );
    assert!(requests[1].contains("1000x1000"), "{requests:?}");
}

#[tokio::test]
async fn decoys_are_not_found() {
    let fake = FakeDeezer::start(catalogue(), 100).await;
    assert_eq!(
        ask_artwork(&deezer(&fake), "Greatest Hits", "Queen")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        ask_artwork(&deezer(&fake), "Homework", "Daft Punk")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn the_in_band_quota_error_is_a_throttle_never_not_found() {
    let fake = FakeDeezer::start(catalogue(), 1).await;
    let p = deezer(&fake);
    assert!(
        ask_artwork(&p, "Discovery", "Daft Punk")
            .await
            .unwrap()
            .is_some()
    );
    let err = ask_artwork(&p, "Discovery", "Daft Punk").await.unwrap_err();
    assert!(
        err.is_retryable() && err.to_string().contains("Quota limit exceeded"),
        "{err}"
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(5)));
}
