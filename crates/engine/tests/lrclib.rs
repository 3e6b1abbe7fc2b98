//! LRCLIB against the loopback fake: album search first, per-track fallbacks, matching guards,
//! not-found forms, throttling.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use std::path::PathBuf;
use std::time::Duration;

use gatefold_engine::enrich::{FetchedLyrics, LyricsRequest, LyricsService};
use gatefold_engine::providers::lrclib::Lrclib;
use gatefold_engine::{LyricsStatus, TrackRecord};
use gatefold_testkit::providers::loopback_client;
use gatefold_testkit::servers::lrclib::{FakeLrclib, LrcRecord, synced_text};

fn lrclib(base: &str) -> Lrclib {
    Lrclib::new(loopback_client("lrclib", base, 1000.0, &[]))
}

fn track(id: i64, title: &str, artist: &str, album: &str, seconds: u64) -> TrackRecord {
    TrackRecord {
        id,
        path: PathBuf::from(format!("/music/{id}.flac")),
        title: title.into(),
        artist_id: 1,
        artist: artist.into(),
        album_id: 1,
        album: album.into(),
        album_artist: artist.into(),
        track_number: Some(u32::try_from(id).unwrap()),
        disc_number: None,
        duration_ms: Some(seconds * 1000),
        format: "flac".into(),
        mb_recording_id: None,
        mb_release_id: None,
        artwork_id: None,
        lyrics_status: LyricsStatus::NotFetched,
        has_embedded_picture: false,
        folder_cover_path: None,
        lyrics_sidecar_path: None,
    }
}

fn request(album: &str, album_artist: &str, tracks: Vec<TrackRecord>) -> LyricsRequest {
    LyricsRequest {
        album_id: 1,
        album: album.into(),
        album_artist: album_artist.into(),
        tracks,
    }
}

#[tokio::test]
async fn an_album_is_answered_by_one_search() {
    let records: Vec<LrcRecord> = (1..=10)
        .map(|n| {
            LrcRecord::synced(
                &format!("Song {n}"),
                "The Band",
                "Big Album",
                180.0 + n as f64,
            )
        })
        .collect();
    let fake = FakeLrclib::start(records, "").await;
    let tracks = (1..=10)
        .map(|n| {
            track(
                n,
                &format!("Song {n}"),
                "The Band",
                "Big Album",
                181 + n as u64,
            )
        })
        .collect();
    let answers = lrclib(&fake.uri())
        .fetch_lyrics(&request("Big Album", "The Band", tracks))
        .await;
    assert_eq!(answers.len(), 10);
    for (id, answer) in &answers {
        match answer {
            Ok(FetchedLyrics::Found {
                synced,
                plain,
                source,
                matched,
            }) => {
                assert_eq!(
                    synced.as_deref(),
                    Some(synced_text(&format!("Song {id}")).as_str())
                );
                assert!(plain.is_some());
                assert_eq!(source, "lrclib");
                let matched = matched.as_deref().unwrap_or_default();
                assert!(
                    matched.contains(&format!("“Song {id}” by The Band, Big Album"))
                        && matched.contains("album search"),
                    "{matched}"
                );
            }
            other => panic!("track {id}: {other:?}"),
        }
    }
    assert_eq!(fake.request_count(), 1, "{:?}", fake.requests());
    assert!(
        fake.requests()[0].starts_with("/api/search?q=The+Band+Big+Album"),
        "{:?}",
        fake.requests()
    );
}

#[tokio::test]
async fn each_leftover_costs_one_track_search_and_misses_are_not_found() {
    let mut records = vec![
        LrcRecord::synced("Alpha", "Solo", "First", 200.0),
        LrcRecord::synced("Beta", "Solo", "First", 210.0),
        // Known to the server under another album name: the album search misses it, the
        // track search finds it.
        LrcRecord::synced("Gamma", "Solo", "Single Version", 220.0),
        LrcRecord {
            instrumental: true,
            plain: None,
            synced: None,
            ..LrcRecord::synced("Delta", "Solo", "First", 230.0)
        },
        LrcRecord {
            plain: None,
            synced: None,
            ..LrcRecord::synced("Epsilon", "Solo", "First", 240.0)
        },
    ];
    // A decoy: the same title by someone else, and the right title 10 s longer.
    records.push(LrcRecord::synced("Zeta", "Other Band", "First", 250.0));
    records.push(LrcRecord::synced("Eta", "Solo", "First", 270.0));
    let fake = FakeLrclib::start(records, "").await;
    let tracks = vec![
        track(1, "Alpha", "Solo", "First", 200),
        track(2, "Beta", "Solo", "First", 211),
        track(3, "Gamma", "Solo", "First", 220),
        track(4, "Delta", "Solo", "First", 230),
        track(5, "Epsilon", "Solo", "First", 240),
        track(6, "Zeta", "Solo", "First", 250),
        track(7, "Eta", "Solo", "First", 260),
        track(8, "Theta", "Solo", "First", 280),
    ];
    let answers: std::collections::HashMap<i64, _> = lrclib(&fake.uri())
        .fetch_lyrics(&request("First", "Solo", tracks))
        .await
        .into_iter()
        .collect();
    assert!(matches!(answers[&1], Ok(FetchedLyrics::Found { .. })));
    assert!(
        matches!(answers[&2], Ok(FetchedLyrics::Found { .. })),
        "within 2 s"
    );
    assert!(
        matches!(answers[&3], Ok(FetchedLyrics::Found { .. })),
        "found by the track search"
    );
    assert!(matches!(
        answers[&4],
        Ok(FetchedLyrics::Instrumental { .. })
    ));
    assert_eq!(
        answers[&5],
        Ok(FetchedLyrics::NotFound),
        "a record with no lyrics is not found"
    );
    assert_eq!(
        answers[&6],
        Ok(FetchedLyrics::NotFound),
        "same title, other artist: never a wrong match"
    );
    assert_eq!(
        answers[&7],
        Ok(FetchedLyrics::NotFound),
        "10 s longer is another recording"
    );
    assert_eq!(answers[&8], Ok(FetchedLyrics::NotFound));
    // One album search, then one track search per track it left over (3, 5, 6, 7, 8; the
    // empty record 5 is no answer): 6 requests where a /api/get and a search each cost 11.
    let requests = fake.requests();
    assert_eq!(requests.len(), 6, "{requests:?}");
    assert!(
        requests[0].starts_with("/api/search?q=Solo+First"),
        "{requests:?}"
    );
    let mut searched: Vec<&str> = requests[1..]
        .iter()
        .map(|r| {
            assert!(r.starts_with("/api/search?track_name="), "{r}");
            r.trim_start_matches("/api/search?track_name=")
                .split('&')
                .next()
                .unwrap()
        })
        .collect();
    searched.sort_unstable();
    assert_eq!(searched, ["Epsilon", "Eta", "Gamma", "Theta", "Zeta"]);
}

#[tokio::test]
async fn a_full_track_search_page_is_followed_by_an_exact_get() {
    // 20 other songs whose titles contain the wanted one fill the search's page before it.
    let mut records: Vec<LrcRecord> = (1..=20)
        .map(|n| LrcRecord::synced(&format!("Intro {n}"), "Solo", "Live", 100.0))
        .collect();
    records.push(LrcRecord::synced("Intro", "Solo", "First", 200.0));
    let fake = FakeLrclib::start(records, "").await;
    let answers = lrclib(&fake.uri())
        .fetch_lyrics(&request(
            "First",
            "Solo",
            vec![track(1, "Intro", "Solo", "First", 200)],
        ))
        .await;
    assert!(
        matches!(answers[0].1, Ok(FetchedLyrics::Found { .. })),
        "{answers:?}"
    );
    let requests = fake.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(requests[0].starts_with("/api/search?track_name=Intro"));
    assert!(requests[1].starts_with("/api/get?track_name=Intro"));
}

#[tokio::test]
async fn compilations_use_the_track_artist_and_find_songs_filed_under_other_albums() {
    let fake = FakeLrclib::start(
        vec![
            LrcRecord::synced("Hit One", "Singer One", "Some Other Compilation", 200.0),
            LrcRecord::synced("Hit Two", "Band Two", "Now That's Music", 210.0),
        ],
        "",
    )
    .await;
    let mut a = track(1, "Hit One", "Singer One", "Now That's Music", 200);
    let mut b = track(2, "Hit Two", "Band Two", "Now That's Music", 210);
    a.album_artist = "Various Artists".into();
    b.album_artist = "Various Artists".into();
    let answers: std::collections::HashMap<i64, _> = lrclib(&fake.uri())
        .fetch_lyrics(&request("Now That's Music", "Various Artists", vec![a, b]))
        .await
        .into_iter()
        .collect();
    assert!(
        matches!(answers[&1], Ok(FetchedLyrics::Found { .. })),
        "{:?}",
        fake.requests()
    );
    assert!(matches!(answers[&2], Ok(FetchedLyrics::Found { .. })));
    assert!(
        fake.requests().iter().all(|r| !r.contains("Various")),
        "never searched as 'Various Artists'"
    );
}

#[tokio::test]
async fn throttling_is_transient_with_the_servers_wait() {
    let fake = FakeLrclib::start(vec![LrcRecord::synced("A", "B", "C", 100.0)], "/lrclib").await;
    fake.throttle_every(1, Some(9));
    let base = format!("{}/lrclib", fake.uri());
    let answers = lrclib(&base)
        .fetch_lyrics(&request("C", "B", vec![track(1, "A", "B", "C", 100)]))
        .await;
    let err = answers[0].1.clone().unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(9)));
    assert!(
        fake.requests()[0].starts_with("/lrclib/api/"),
        "the base URL's prefix is kept"
    );
}

/// Hostile answers: control characters and direction overrides are dropped from what is kept;
/// a "song" of 700 KB, or one that is mostly not words, is refused with the reason (a failure
/// of that answer, never stored).
#[tokio::test]
async fn lyrics_are_cleaned_and_answers_that_are_no_song_are_refused() {
    let hostile = |track: &str, text: String| LrcRecord {
        track: track.into(),
        artist: "The Band".into(),
        album: "Odd Album".into(),
        duration: 200.0,
        plain: Some(text),
        synced: None,
        instrumental: false,
    };
    let records = vec![
        hostile(
            "Dirty",
            "First line\u{0}\r\n\u{1b}[31mSecond\u{1b}[0m line \u{202e}reversed".into(),
        ),
        hostile("Huge", "na na na na\n".repeat(60_000)),
        hostile("Noise", "\u{1}#%&*@^~|<>{}".repeat(50)),
    ];
    let fake = FakeLrclib::start(records, "").await;
    let tracks = vec![
        track(1, "Dirty", "The Band", "Odd Album", 200),
        track(2, "Huge", "The Band", "Odd Album", 200),
        track(3, "Noise", "The Band", "Odd Album", 200),
    ];
    let answers = lrclib(&fake.uri())
        .fetch_lyrics(&request("Odd Album", "The Band", tracks))
        .await;
    let answer = |id: i64| &answers.iter().find(|(t, _)| *t == id).unwrap().1;
    match answer(1) {
        Ok(FetchedLyrics::Found { plain, .. }) => assert_eq!(
            plain.as_deref(),
            Some("First line\n[31mSecond[0m line reversed")
        ),
        other => panic!("{other:?}"),
    }
    for (id, why) in [(2, "KB"), (3, "not words")] {
        let err = answer(id).as_ref().unwrap_err();
        assert!(!err.is_retryable(), "{err}");
        assert!(
            err.to_string().contains("lrclib") && err.to_string().contains(why),
            "track {id}: {err}"
        );
    }
}
