//! iTunes artwork against the loopback fake.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use std::time::Duration;

use gatefold_engine::providers::itunes::Itunes;
use gatefold_testkit::providers::{ask_artwork, found_online, loopback_client};
use gatefold_testkit::servers::itunes::{FakeItunes, ItunesAlbum};

const THROTTLE: &[(u16, Duration)] = &[(403, Duration::from_secs(60))];

fn itunes(fake: &FakeItunes) -> Itunes {
    Itunes::new(
        loopback_client("itunes", &fake.uri(), 100.0, THROTTLE),
        loopback_client("images", &fake.uri(), 100.0, &[]),
    )
}

fn catalogue() -> Vec<ItunesAlbum> {
    vec![
        ItunesAlbum {
            collection: "Discovery".into(),
            artist: "Daft Punk".into(),
            sizes: vec![100, 600],
        },
        ItunesAlbum {
            collection: "Greatest Hits".into(),
            artist: "ABBA".into(),
            sizes: vec![100, 600, 1200],
        },
        ItunesAlbum {
            collection: "Now That's Music 12".into(),
            artist: "Various Artists".into(),
            sizes: vec![1200],
        },
    ]
}

#[tokio::test]
async fn finds_the_largest_size_the_cdn_has() {
    let fake = FakeItunes::start(catalogue(), 100).await;
    found_online(&itunes(&fake), "Discovery", "Daft Punk", "itunes").await;
    let requests = fake.requests();
    assert!(
        requests.iter().any(|r| r.contains("1200x1200bb"))
            && requests.iter().any(|r| r.contains("600x600bb")),
        "{requests:?}"
    );
    assert!(
        requests[0].contains("entity=album") && requests[0].contains("term=Daft+Punk+Discovery"),
        "{requests:?}"
    );
}

#[tokio::test]
async fn decoys_and_compilations() {
    let fake = FakeItunes::start(catalogue(), 100).await;
    let p = itunes(&fake);
    assert_eq!(
        ask_artwork(&p, "Greatest Hits", "Queen").await.unwrap(),
        None,
        "never another artist's cover"
    );
    assert!(
        ask_artwork(&p, "Now That's Music 12", "Various Artists")
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        ask_artwork(&p, "Now That's Music 13", "Various Artists")
            .await
            .unwrap(),
        None,
        "numbers must agree"
    );
}

#[tokio::test]
async fn a_403_is_apples_throttle() {
    let fake = FakeItunes::start(catalogue(), 1).await;
    let p = itunes(&fake);
    ask_artwork(&p, "Discovery", "Daft Punk").await.unwrap();
    let err = ask_artwork(&p, "Discovery", "Daft Punk").await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));
}
