//! Cover Art Archive through MusicBrainz, against the loopback fakes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use std::time::Duration;

use gatefold_engine::enrich::{AlbumRequest, ArtworkService};
use gatefold_engine::providers::coverart::CoverArtArchive;
use gatefold_testkit::COVER_JPG_600;
use gatefold_testkit::providers::{album_request, loopback_client};
use gatefold_testkit::servers::coverart::{FakeCoverArt, FakeRelease};

const MB_THROTTLE: &[(u16, Duration)] = &[(503, Duration::from_secs(1))];

fn provider(fake: &FakeCoverArt, mb_rate: f64) -> CoverArtArchive {
    CoverArtArchive::new(
        Some(loopback_client(
            "musicbrainz",
            &fake.musicbrainz_uri(),
            mb_rate,
            MB_THROTTLE,
        )),
        loopback_client("coverartarchive", &fake.coverartarchive_uri(), 100.0, &[]),
    )
}

fn album(title: &str, artist: &str, mbid: Option<&str>) -> AlbumRequest {
    AlbumRequest {
        mb_release_id: mbid.map(Into::into),
        ..album_request(title, artist)
    }
}

const DISCOVERY: &str = "11111111-1111-1111-1111-111111111111";
const HOMEWORK: &str = "22222222-2222-2222-2222-222222222222";
const HITS_ABBA: &str = "33333333-3333-3333-3333-333333333333";

fn releases() -> Vec<FakeRelease> {
    let r = |id: &str, title: &str, artist: &str, front: Option<Vec<u8>>| FakeRelease {
        id: id.into(),
        title: title.into(),
        artist: artist.into(),
        front,
        with_back: true,
    };
    vec![
        r(
            DISCOVERY,
            "Discovery",
            "Daft Punk",
            Some(COVER_JPG_600.to_vec()),
        ),
        r(
            HOMEWORK,
            "Homework",
            "Daft Punk",
            Some(b"<html>not an image</html>".to_vec()),
        ),
        r(
            HITS_ABBA,
            "Greatest Hits",
            "ABBA",
            Some(COVER_JPG_600.to_vec()),
        ),
    ]
}

#[tokio::test]
async fn a_tagged_release_goes_straight_to_its_front_cover() {
    let fake = FakeCoverArt::start(releases()).await;
    let found = provider(&fake, 1.0)
        .fetch_artwork(&album("Discovery", "Daft Punk", Some(DISCOVERY)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            found.source.as_str(),
            found.mime.as_str(),
            found.width,
            found.local
        ),
        ("coverartarchive", "image/jpeg", 600, false)
    );
    assert_eq!(
        found.bytes, COVER_JPG_600,
        "the front image, not the back one listed first"
    );
    let requests = fake.requests();
    assert!(
        !requests.iter().any(|r| r.starts_with("mb")),
        "no search needed: {requests:?}"
    );
    assert!(
        requests.iter().any(|r| r.contains("front-1200")),
        "the 1200 px size: {requests:?}"
    );
}

#[tokio::test]
async fn an_untagged_album_is_found_by_a_confident_search() {
    let fake = FakeCoverArt::start(releases()).await;
    let found = provider(&fake, 1.0)
        .fetch_artwork(&album("Discovery", "Daft Punk", None))
        .await
        .unwrap();
    assert!(found.is_some(), "{:?}", fake.requests());
    assert!(
        fake.requests()[0].contains("release%3A%22Discovery%22"),
        "{:?}",
        fake.requests()
    );
}

#[tokio::test]
async fn decoys_are_not_found_and_bad_images_are_failures() {
    let fake = FakeCoverArt::start(releases()).await;
    let p = provider(&fake, 1.0);
    // Same title, another artist: never a wrong cover.
    assert_eq!(
        p.fetch_artwork(&album("Greatest Hits", "Queen", None))
            .await
            .unwrap(),
        None
    );
    // The archive serves bytes that are not an image: a failure of the provider (retried,
    // listed with its reason), never "not found" (remembered for a month).
    let err = p
        .fetch_artwork(&album("Homework", "Daft Punk", Some(HOMEWORK)))
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert!(
        err.to_string().contains("coverartarchive") && err.to_string().contains("not usable"),
        "{err}"
    );
}

#[tokio::test]
async fn musicbrainz_503_is_a_throttle_and_the_limiter_avoids_it() {
    let fake = FakeCoverArt::start(releases()).await;
    // Faster than MusicBrainz allows: the second search is answered 503.
    let eager = provider(&fake, 100.0);
    eager
        .fetch_artwork(&album("Nothing Here", "Nobody", None))
        .await
        .unwrap();
    let err = eager
        .fetch_artwork(&album("Nothing Either", "Nobody", None))
        .await
        .unwrap_err();
    assert!(
        err.is_retryable() && err.to_string().contains("throttled (HTTP 503)"),
        "{err}"
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    // At MusicBrainz's own pace (1/s), both go through.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let polite = provider(&fake, 1.0);
    polite
        .fetch_artwork(&album("Nothing Here", "Nobody", None))
        .await
        .unwrap();
    polite
        .fetch_artwork(&album("Nothing Either", "Nobody", None))
        .await
        .unwrap();
}
