//! Provider settings: order and on/off decide which providers answer, against loopback fakes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use gatefold_engine::enrich::ArtworkService;
use gatefold_engine::http::Http;
use gatefold_engine::providers::settings::{self, ProviderSettings};
use gatefold_testkit::providers::album_request;
use gatefold_testkit::servers::coverart::{FakeCoverArt, FakeRelease};
use gatefold_testkit::servers::deezer::{DeezerAlbum, FakeDeezer};
use gatefold_testkit::servers::itunes::{FakeItunes, ItunesAlbum};
use std::time::Duration;

struct Fakes {
    itunes: FakeItunes,
    deezer: FakeDeezer,
    coverart: FakeCoverArt,
}

const DISCOVERY_ID: &str = "11111111-1111-1111-1111-111111111111";

async fn fakes() -> Fakes {
    Fakes {
        itunes: FakeItunes::start(
            vec![ItunesAlbum {
                collection: "Discovery".into(),
                artist: "Daft Punk".into(),
                sizes: vec![1200, 600],
            }],
            1000,
        )
        .await,
        deezer: FakeDeezer::start(
            vec![DeezerAlbum {
                title: "Discovery".into(),
                artist: "Daft Punk".into(),
            }],
            1000,
        )
        .await,
        coverart: FakeCoverArt::start(vec![FakeRelease {
            id: DISCOVERY_ID.into(),
            title: "Discovery".into(),
            artist: "Daft Punk".into(),
            front: Some(gatefold_testkit::COVER_JPG_600.to_vec()),
            with_back: true,
        }])
        .await,
    }
}

/// Every provider at its fake (lrclib at a closed port: not asked here), fast, in `order`,
/// with those not in `order` switched off.
fn settings_for(f: &Fakes, order: &[&str]) -> Vec<ProviderSettings> {
    let mut list = settings::defaults();
    for s in &mut list {
        s.base_url = match s.name.as_str() {
            "itunes" => f.itunes.uri(),
            "deezer" => f.deezer.uri(),
            "musicbrainz" => f.coverart.musicbrainz_uri(),
            "coverartarchive" => f.coverart.coverartarchive_uri(),
            _ => "http://127.0.0.1:9".into(),
        };
        s.requests_per_second = 100.0;
        s.enabled = order.contains(&s.name.as_str());
    }
    list.sort_by_key(|s| {
        order
            .iter()
            .position(|n| *n == s.name)
            .unwrap_or(usize::MAX)
    });
    list
}

async fn winner(settings: &[ProviderSettings], mbid: Option<&str>) -> Option<String> {
    let services =
        settings::build(&Http::new().unwrap(), settings, Duration::from_secs(30)).unwrap();
    let mut album = album_request("Discovery", "Daft Punk");
    album.mb_release_id = mbid.map(Into::into);
    services
        .artwork
        .fetch_artwork(&album)
        .await
        .unwrap()
        .map(|found| found.source)
}

#[tokio::test]
async fn the_first_artwork_provider_in_the_list_answers() {
    let f = fakes().await;
    let order = ["deezer", "itunes"];
    assert_eq!(
        winner(&settings_for(&f, &order), None).await.as_deref(),
        Some("deezer")
    );
    assert!(
        f.itunes.requests().is_empty(),
        "iTunes asked after Deezer answered"
    );

    let f = fakes().await;
    let order = ["itunes", "deezer", "musicbrainz", "coverartarchive"];
    assert_eq!(
        winner(&settings_for(&f, &order), None).await.as_deref(),
        Some("itunes")
    );
    assert!(f.deezer.requests().is_empty());
    assert!(f.coverart.requests().is_empty());
}

#[tokio::test]
async fn switched_off_providers_are_never_asked() {
    let f = fakes().await;
    assert_eq!(winner(&settings_for(&f, &[]), None).await, None);
    assert!(f.itunes.requests().is_empty());
    assert!(f.deezer.requests().is_empty());
    assert!(f.coverart.requests().is_empty());
}

#[tokio::test]
async fn without_musicbrainz_the_archive_serves_tagged_releases_only() {
    let f = fakes().await;
    let only_archive = settings_for(&f, &["coverartarchive"]);
    assert_eq!(
        winner(&only_archive, None).await,
        None,
        "no search without MusicBrainz"
    );
    assert_eq!(
        winner(&only_archive, Some(DISCOVERY_ID)).await.as_deref(),
        Some("coverartarchive")
    );
    assert!(
        f.coverart.requests().iter().all(|r| !r.contains("/ws/2/")),
        "MusicBrainz was asked: {:?}",
        f.coverart.requests()
    );
}

#[test]
fn saved_lists_are_completed_and_problems_listed() {
    let mut saved = settings::defaults();
    saved.retain(|s| s.name != "deezer");
    saved.reverse();
    saved.push(ProviderSettings {
        name: "napster".into(),
        enabled: true,
        base_url: "https://napster.example".into(),
        requests_per_second: 1.0,
        max_in_flight: 1,
    });
    // A list saved before requests-at-once existed has none: the default is filled in.
    saved[0].max_in_flight = 0;
    let completed = settings::complete(saved);
    assert_eq!(completed[0].name, "itunes");
    assert_eq!(completed[0].max_in_flight, 1, "iTunes' default");
    let names: Vec<&str> = completed.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "itunes",
            "coverartarchive",
            "musicbrainz",
            "lrclib",
            "deezer"
        ],
        "saved order kept, unknown dropped, new ones appended"
    );

    let mut bad = settings::defaults();
    bad[0].base_url = "lrclib.net".into();
    bad[1].requests_per_second = 0.0;
    bad.push(bad[2].clone());
    let problems = settings::problems(&bad);
    let fields: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.name.as_str(), p.field.as_str()))
        .collect();
    assert_eq!(
        fields,
        [
            ("lrclib", "base_url"),
            ("musicbrainz", "requests_per_second"),
            ("coverartarchive", "name")
        ]
    );
    assert!(problems[2].message.contains("listed twice"));

    let mut bad = settings::defaults();
    bad[0].max_in_flight = 65;
    let problems = settings::problems(&bad);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].field, "max_in_flight");
    assert_eq!(
        problems[0].message,
        "provider lrclib: requests at once must be a whole number from 1 to 64, got 65"
    );
    let mut s = settings::defaults();
    settings::set_in_flight(&mut s, "lrclib", "16").unwrap();
    assert_eq!(s[0].max_in_flight, 16);
    for refused in ["0", "65", "2.5", "many"] {
        assert!(
            settings::set_in_flight(&mut s, "lrclib", refused).is_err(),
            "{refused}"
        );
    }
    assert_eq!(s[0].max_in_flight, 16, "a refused edit changes nothing");
    assert!(settings::problems(&settings::defaults()).is_empty());
}
