//! The enrichment job with fake services and tokio's clock paused: scheduling, retries, events,
//! pause, cancel, WiFi, resume after a crash.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use std::sync::Arc;
use std::time::Duration;

use gatefold_engine::enrich::{
    ArtworkStore, ConnectionKind, EnrichmentError, EnrichmentResult, JobControl, Operation,
    PauseCode,
};
use gatefold_engine::{
    BackgroundExecutor, Database, EnrichmentConfig, EnrichmentJob, EventBus, LibraryEvent,
    LyricsStatus, ScanOptions, TrackRepository, scan_folder,
};
use gatefold_testkit::fakes::{
    EventCollector, FakeArtwork, FakeLyrics, FakeNetwork, Latency, Reply,
};
use gatefold_testkit::{AudioSpec, Format, bulk_library};

struct Lib {
    dir: tempfile::TempDir,
    db: Database,
}

impl Lib {
    fn store(&self) -> ArtworkStore {
        ArtworkStore::new(self.dir.path().join("artwork"))
    }

    /// A job over this library with `cfg`, its events unheard.
    fn job(&self, cfg: EnrichmentConfig) -> EnrichmentJob {
        self.job_on(cfg, EventBus::default())
    }

    /// A job over this library with `cfg` and the artwork service `art`, its events unheard.
    fn art_job(&self, cfg: EnrichmentConfig, art: &Arc<FakeArtwork>) -> EnrichmentJob {
        self.job(cfg).artwork(art.clone(), self.store())
    }

    /// A job over this library with `cfg` and the artwork service `art`, publishing on `bus`.
    fn art_job_on(
        &self,
        cfg: EnrichmentConfig,
        bus: EventBus,
        art: &Arc<FakeArtwork>,
    ) -> EnrichmentJob {
        self.job_on(cfg, bus).artwork(art.clone(), self.store())
    }

    /// A job over this library with `cfg`, publishing on `bus`.
    fn job_on(&self, cfg: EnrichmentConfig, bus: EventBus) -> EnrichmentJob {
        EnrichmentJob::new(self.db.clone(), cfg, bus)
    }
}

/// Runs a job to its end, which must come without an error.
trait RunOk {
    async fn run_ok(self) -> EnrichmentResult;
}

impl RunOk for EnrichmentJob {
    async fn run_ok(self) -> EnrichmentResult {
        self.run(JobControl::default()).await.unwrap()
    }
}

/// A scanned library of `albums` albums with `per_album` tracks each; lyrics sidecars removed so
/// every track needs lyrics.
async fn library(albums: usize, per_album: usize) -> Lib {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    bulk_library(&music, albums, per_album);
    gatefold_testkit::strip_sidecars_and_covers(&music).unwrap();
    let db = Database::open(&dir.path().join("library.db"))
        .await
        .unwrap();
    scan_folder(&db, &music, &ScanOptions::default(), |_| {})
        .await
        .unwrap();
    pause_clock(&db);
    Lib { dir, db }
}

/// From here on tokio's clock is paused (it advances only when everything waits on a timer),
/// and queries take no virtual time.
fn pause_clock(db: &Database) {
    db.hold_paused_clock(true);
    tokio::time::pause();
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn config() -> gatefold_engine::enrich::EnrichmentConfigBuilder {
    EnrichmentConfig::builder()
}

/// The builder with lyrics off: most scheduling tests watch artwork only.
fn artwork_only() -> gatefold_engine::enrich::EnrichmentConfigBuilder {
    config().enable_lyrics(false)
}

#[tokio::test]
async fn in_flight_never_exceeds_max_concurrent_and_the_window_stays_full() {
    let lib = library(60, 1).await;
    let art = FakeArtwork::new(Latency::Fixed(ms(100)));
    let cfg = artwork_only()
        .batch_size(5)
        .max_concurrent(4)
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let result = lib.art_job(cfg, &art).run_ok().await;
    let elapsed = started.elapsed();
    assert_eq!(result.progress.processed_tracks, 60);
    assert_eq!(
        art.meter.max_in_flight(),
        4,
        "never more than max_concurrent, and it was reached"
    );
    // 60 calls of 100 ms (tokio rounds timers up to the next millisecond: 101), 4 at a time:
    // 15 rounds, 1.515 s when the window stays full, plus at most 100 ms for the last progress
    // event. A batch barrier (5 per batch, 4 at a time) would take 12 × 202 ms = 2.4 s.
    assert!(
        elapsed <= ms(1620),
        "took {elapsed:?}: the window was not kept full"
    );
    let summary = lib.db.summary().await.unwrap();
    assert_eq!(summary.artwork_missing, 0);
}

#[tokio::test]
async fn slow_artwork_never_holds_back_lyrics() {
    // Every artwork call waits 10 s (an album queued behind a 1/s search, or iTunes' pace);
    // lyrics answer in 100 ms.
    let lib = library(40, 2).await;
    let art = FakeArtwork::new(Latency::Fixed(Duration::from_secs(10)));
    let lyr = FakeLyrics::new(Latency::Fixed(ms(100)));
    let cfg = config().batch_size(10).max_concurrent(2).build().unwrap();
    let job = lib.art_job(cfg, &art).lyrics(lyr.clone());
    let task = tokio::spawn(job.run(JobControl::default()));
    // 40 albums' lyrics, 2 at a time, take 2 s; the artwork lane has started 2 calls by then.
    tokio::time::sleep(ms(2500)).await;
    assert_eq!(
        lyr.meter.call_count(),
        40,
        "lyrics went on while artwork waited"
    );
    assert_eq!(art.meter.call_count(), 2);
    assert_eq!(
        lyr.meter.max_in_flight(),
        2,
        "max_concurrent bounds the lyrics lane"
    );
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_lyrics_service_taking_more_at_once_gets_more_operations() {
    // A lyrics service that takes 8 requests at once gets 8 operations, whatever
    // max_concurrent says; artwork keeps max_concurrent.
    let lib = library(40, 2).await;
    let cfg = config().batch_size(10).max_concurrent(2).build().unwrap();
    let art = FakeArtwork::new(Latency::Fixed(ms(100)));
    let lyr = FakeLyrics::new(Latency::Fixed(ms(100)));
    lyr.set_max_in_flight(8);
    let result = lib.art_job(cfg, &art).lyrics(lyr.clone()).run_ok().await;
    assert_eq!(result.progress.processed_tracks, 80);
    assert_eq!(lyr.meter.max_in_flight(), 8);
    assert_eq!(art.meter.max_in_flight(), 2);
}

/// The id of the album titled `title`.
async fn album_id(lib: &Lib, title: &str) -> i64 {
    let page = lib.db.albums_page(title, None, 0, 100).await.unwrap();
    page.albums
        .into_iter()
        .find(|a| a.title == title)
        .expect("the album")
        .id
}

#[tokio::test]
async fn an_album_put_first_starts_in_the_next_free_slot_and_recent_music_goes_first() {
    // 20 albums of one track; artwork answers in 1 s, 2 at a time: without priority, the
    // oldest album's turn would come at 9 s.
    let lib = library(20, 1).await;
    let art = FakeArtwork::new(Latency::Fixed(Duration::from_secs(1)));
    let cfg = artwork_only()
        .batch_size(5)
        .max_concurrent(2)
        .build()
        .unwrap();
    let oldest = album_id(&lib, "Bulk Album 0").await;
    let control = JobControl::default();
    let started = tokio::time::Instant::now();
    let task = tokio::spawn(lib.art_job(cfg, &art).run(control.clone()));
    tokio::time::sleep(ms(500)).await;
    control.prioritize(oldest);
    task.await.unwrap().unwrap();
    let calls = art.meter.calls();
    let order: Vec<&str> = calls.iter().map(|(k, _)| k.as_str()).collect();
    // The newest albums (imported last, in path order) went first; the one put first took the
    // first slot that came free, at 1 s, before the 2 already waiting for it.
    assert_eq!(&order[..2], ["Bulk Album 9", "Bulk Album 8"], "{order:?}");
    assert_eq!(order[2], "Bulk Album 0", "{order:?}");
    // (Virtual time; tokio rounds timers up to the next millisecond.)
    assert!(
        calls[2].1 - started <= ms(1001),
        "{:?}",
        calls[2].1 - started
    );
    assert_eq!(
        order.iter().filter(|k| **k == "Bulk Album 0").count(),
        1,
        "asked once"
    );
    assert_eq!(order.len(), 20);
}

#[tokio::test]
async fn one_slow_track_does_not_hold_back_the_next_batches() {
    let lib = library(40, 1).await;
    let art = FakeArtwork::new(Latency::Fixed(ms(100)));
    // The newest album (imported last: the scan goes in path order) is read first: its slow
    // call starts at once.
    art.script("Bulk Album 9", vec![Reply::Slow(Duration::from_secs(3))]);
    let cfg = artwork_only()
        .batch_size(5)
        .max_concurrent(4)
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    lib.art_job(cfg, &art).run_ok().await;
    let elapsed = started.elapsed();
    // 39 fast calls on the 3 other slots take ~1.3 s, hidden behind the 3 s one (plus at most
    // 100 ms for the last progress event).
    assert!(elapsed <= ms(3110), "took {elapsed:?}");
    let calls = art.meter.calls();
    let last_fast = calls
        .iter()
        .filter(|(k, _)| k != "Bulk Album 9")
        .map(|(_, t)| *t)
        .max()
        .unwrap();
    assert!(
        last_fast - started < Duration::from_secs(2),
        "later batches started while the slow one ran"
    );
}

#[tokio::test]
async fn artwork_is_fetched_once_per_album_across_batches() {
    let lib = library(2, 12).await;
    let art = FakeArtwork::new(Latency::Fixed(ms(50)));
    let lyr = FakeLyrics::new(Latency::Fixed(ms(50)));
    let cfg = config().batch_size(5).max_concurrent(3).build().unwrap();
    let result = lib.art_job(cfg, &art).lyrics(lyr.clone()).run_ok().await;
    assert_eq!(
        art.meter.call_count(),
        2,
        "one artwork request per album: {:?}",
        art.meter.calls()
    );
    assert_eq!(result.progress.processed_tracks, 24);
    assert_eq!(result.progress.artwork_fetched, 24);
    assert_eq!(result.progress.lyrics_fetched, 24);
    let summary = lib.db.summary().await.unwrap();
    assert_eq!(summary.artwork_missing, 0);
    assert_eq!(summary.lyrics[&LyricsStatus::Available], 24);
    // Lyrics are asked album by album: pages of 5 hold albums back until they are whole.
    let requests = lyr.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert!(requests.iter().all(|r| r.len() == 12));
    // Every track is settled once.
    assert_eq!(result.progress.processed_tracks, 24);
    assert!(result.failures.is_empty(), "{:?}", result.failures);
    // The image is stored once, content-addressed, with its thumbnail.
    let stored: Vec<_> = walk_files(&lib.dir.path().join("artwork"));
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert_eq!(
        stored
            .iter()
            .filter(|p| p.to_string_lossy().ends_with("-256.jpg"))
            .count(),
        1
    );
}

fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk_files(&path))
        } else {
            out.push(path)
        }
    }
    out
}

#[tokio::test]
async fn retries_back_off_exponentially_with_jitter() {
    let lib = library(1, 1).await;
    let art = FakeArtwork::new(Latency::zero());
    let transient = Reply::Transient { retry_after: None };
    art.script(
        "Bulk Album 0",
        vec![
            transient.clone(),
            transient.clone(),
            transient,
            Reply::Found,
        ],
    );
    let cfg = artwork_only()
        .base_retry_delay_ms(100)
        .max_retries(3)
        .build()
        .unwrap();
    let result = lib.art_job(cfg, &art).run_ok().await;
    let times = art.meter.calls_for("Bulk Album 0");
    assert_eq!(times.len(), 4);
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    for (gap, full) in gaps.iter().zip([100u64, 200, 400]) {
        assert!(
            *gap >= ms(full / 2) && *gap <= ms(full),
            "gap {gap:?} for a {full} ms backoff"
        );
    }
    assert_eq!(
        result.progress.artwork_fetched, 1,
        "fetched after the retries"
    );
    assert!(result.failures.is_empty(), "{:?}", result.failures);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let lib = library(1, 1).await;
    let art = FakeArtwork::new(Latency::zero());
    art.script(
        "Bulk Album 0",
        vec![
            Reply::Transient {
                retry_after: Some(Duration::from_secs(7)),
            },
            Reply::Found,
        ],
    );
    let cfg = artwork_only().build().unwrap();
    lib.art_job(cfg, &art).run_ok().await;
    let times = art.meter.calls_for("Bulk Album 0");
    assert_eq!(times.len(), 2);
    assert!(times[1] - times[0] >= Duration::from_secs(7));
}

#[tokio::test]
async fn not_found_and_permanent_errors_are_never_retried() {
    let lib = library(2, 1).await;
    let art = FakeArtwork::new(Latency::zero());
    art.script("Bulk Album 0", vec![Reply::NotFound]);
    art.script("Bulk Album 1", vec![Reply::Permanent]);
    let cfg = artwork_only().build().unwrap();
    let bus = EventBus::default();
    let events = EventCollector::start(&bus);
    let result = lib.art_job_on(cfg, bus, &art).run_ok().await;
    assert_eq!(art.meter.call_count(), 2);
    assert_eq!(result.progress.failed_tracks, 1);
    let [failure] = &result.failures[..] else {
        panic!("one failure: {:?}", result.failures);
    };
    assert_eq!(failure.operation, Operation::Artwork);
    let (reason, attempts) = (failure.reason.clone(), failure.attempts);
    assert_eq!(attempts, 1);
    assert!(reason.contains("HTTP 400"), "{reason}");
    tokio::task::yield_now().await;
    assert!(events.events().iter().any(|e| matches!(e, LibraryEvent::TrackFailed { reason, attempts: 1, .. } if reason.contains("HTTP 400"))));
    // The failure is listed.
    let failures = lib.db.failures(10).await.unwrap();
    assert_eq!(failures.len(), 1);
    assert!(failures[0].title.starts_with("Track 1 of Bulk Album 1"));
    // The live event names the album and the file, as the list does (the window's rows and
    // its CSV carry them).
    let live = events.events().into_iter().find_map(|e| match e {
        LibraryEvent::TrackFailed {
            album_id,
            album,
            path,
            ..
        } => Some((album_id, album, path)),
        _ => None,
    });
    let (album_id, album, path) = live.expect("a track_failed event");
    assert_eq!(album, "Bulk Album 1");
    assert_eq!(album_id, failures[0].album_id);
    assert_eq!(path, failures[0].path);
    assert!(
        path.starts_with(&lib.dir.path().display().to_string()),
        "{path}"
    );
}

#[tokio::test]
async fn a_job_for_chosen_tracks_works_on_those_only() {
    let lib = library(3, 2).await;
    let art = FakeArtwork::new(Latency::zero());
    let lyr = FakeLyrics::new(Latency::zero());
    let tracks = lib
        .db
        .tracks()
        .find_by_missing_artwork(0, 100)
        .await
        .unwrap();
    let chosen = tracks
        .iter()
        .find(|t| t.album == "Bulk Album 1")
        .expect("a track of the second album");
    let result = lib
        .art_job(config().build().unwrap(), &art)
        .lyrics(lyr.clone())
        .only_tracks(Some(vec![chosen.id]))
        .run_ok()
        .await;
    assert_eq!(result.progress.total_tracks, 1);
    assert_eq!(result.progress.processed_tracks, 1);
    assert_eq!(art.meter.call_count(), 1);
    assert_eq!(art.meter.calls_for("Bulk Album 1").len(), 1);
    assert_eq!(
        lyr.meter.call_count(),
        1,
        "one album's request, for one track"
    );
    let found: Vec<(&String, &u32)> = result
        .found_by
        .artwork
        .iter()
        .chain(&result.found_by.lyrics)
        .collect();
    assert_eq!(found.len(), 2, "one source each: {found:?}");
    assert!(found.iter().all(|(_, n)| **n == 1), "{found:?}");
    let summary = lib.db.summary().await.unwrap();
    assert_eq!(
        summary.lyrics[&LyricsStatus::NotFetched],
        5,
        "the others untouched"
    );
}

#[tokio::test]
async fn a_pause_says_how_many_attempts_are_still_finishing() {
    let lib = library(30, 1).await;
    let art = FakeArtwork::new(Latency::Fixed(Duration::from_secs(1)));
    let cfg = artwork_only().max_concurrent(2).build().unwrap();
    let bus = EventBus::default();
    let events = EventCollector::start(&bus);
    let handle = BackgroundExecutor::new()
        .spawn(lib.art_job_on(cfg, bus, &art))
        .unwrap();
    tokio::time::sleep(ms(250)).await;
    handle.pause();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let calls = art.meter.call_count();
    handle.resume();
    handle.join().await.unwrap();
    let seen = events.events();
    let paused = seen
        .iter()
        .position(|e| matches!(e, LibraryEvent::JobPaused { .. }))
        .expect("a paused event");
    let resumed = seen
        .iter()
        .position(|e| matches!(e, LibraryEvent::JobResumed { .. }))
        .expect("a resumed event");
    let in_flight: Vec<u32> = seen[paused..resumed]
        .iter()
        .filter_map(|e| match e {
            LibraryEvent::Progress { progress, .. } => Some(progress.in_flight),
            _ => None,
        })
        .collect();
    // Both attempts were running when the pause came; they finished, and no new one started.
    assert_eq!(in_flight.first(), Some(&2), "{in_flight:?}");
    assert_eq!(in_flight.last(), Some(&0), "{in_flight:?}");
    assert_eq!(calls, 2, "nothing started after the pause");
}

#[tokio::test]
async fn retries_stop_at_max_retries_and_timeouts_count_as_transient() {
    let lib = library(2, 1).await;
    let art = FakeArtwork::new(Latency::zero());
    art.script("Bulk Album 0", vec![Reply::Transient { retry_after: None }]);
    art.script("Bulk Album 1", vec![Reply::Hang]);
    let cfg = artwork_only()
        .max_retries(2)
        .operation_timeout_secs(5)
        .build()
        .unwrap();
    let result = lib.art_job(cfg, &art).run_ok().await;
    assert_eq!(
        art.meter.calls_for("Bulk Album 0").len(),
        3,
        "first try and 2 retries"
    );
    let hang = art.meter.calls_for("Bulk Album 1");
    assert_eq!(hang.len(), 3);
    assert!(
        hang[1] - hang[0] >= Duration::from_secs(5),
        "each attempt ran into the 5 s timeout"
    );
    assert_eq!(result.progress.failed_tracks, 2);
    let reasons: Vec<String> = lib
        .db
        .failures(10)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.reason)
        .collect();
    assert!(
        reasons.iter().any(|r| r.contains("no answer within 5 s")),
        "{reasons:?}"
    );
    assert!(
        lib.db
            .failures(10)
            .await
            .unwrap()
            .iter()
            .all(|f| f.attempts == 3)
    );
}

#[tokio::test]
async fn cancel_stops_within_a_second_and_leaves_nothing_half_done() {
    let lib = library(20, 2).await;
    let art = FakeArtwork::new(Latency::Fixed(Duration::from_secs(10)));
    let lyr = FakeLyrics::new(Latency::Fixed(Duration::from_secs(10)));
    let cfg = config().max_concurrent(4).build().unwrap();
    let executor = BackgroundExecutor::new();
    let handle = executor.spawn(lib.art_job(cfg, &art).lyrics(lyr)).unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(executor.is_busy());
    let asked = tokio::time::Instant::now();
    handle.cancel();
    let result = handle.join().await.unwrap();
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "cancel took {:?}",
        asked.elapsed()
    );
    assert!(result.cancelled);
    assert!(!executor.is_busy());
    let summary = lib.db.summary().await.unwrap();
    assert_eq!(
        summary.lyrics[&LyricsStatus::Fetching],
        0,
        "no track left in 'fetching'"
    );
    assert_eq!(summary.lyrics[&LyricsStatus::NotFetched], 40);
    assert_eq!(art.meter.in_flight(), 0, "in-flight requests were dropped");
}

#[tokio::test]
async fn pause_stops_new_work_and_resume_finishes_it() {
    let lib = library(30, 1).await;
    let art = FakeArtwork::new(Latency::Fixed(ms(100)));
    let cfg = artwork_only().max_concurrent(2).build().unwrap();
    let bus = EventBus::default();
    let events = EventCollector::start(&bus);
    let handle = BackgroundExecutor::new()
        .spawn(lib.art_job_on(cfg, bus, &art))
        .unwrap();
    tokio::time::sleep(ms(250)).await;
    handle.pause();
    tokio::time::sleep(ms(150)).await; // running attempts finish
    let calls = art.meter.call_count();
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(art.meter.call_count(), calls, "nothing starts while paused");
    assert_eq!(art.meter.in_flight(), 0);
    handle.resume();
    let result = handle.join().await.unwrap();
    assert_eq!(result.progress.processed_tracks, 30);
    let kinds: Vec<&str> = events.events().iter().map(kind).collect();
    let paused_at = kinds
        .iter()
        .position(|k| *k == "paused")
        .expect("a paused event");
    assert!(kinds[paused_at..].contains(&"resumed"));
    assert!(events.events().iter().any(
        |e| matches!(e, LibraryEvent::JobPaused { reason, .. } if reason.code == PauseCode::Requested)
    ));
}

/// With no network, a service that cannot be reached pauses the job ("waiting for the
/// network") instead of burning its attempts: nothing is counted as failed, and the job goes
/// on when the network is back. With a network, the same answer is the service's failure.
#[tokio::test]
async fn offline_the_job_waits_for_the_network_and_fails_nothing() {
    let lib = library(3, 1).await;
    let art = FakeArtwork::new(Latency::Fixed(ms(10)));
    let lyr = FakeLyrics::new(Latency::Fixed(ms(10)));
    for n in 0..3 {
        art.script(
            &format!("Bulk Album {n}"),
            vec![Reply::Unreachable, Reply::Found],
        );
        lyr.script(
            &format!("Track 1 of Bulk Album {n}"),
            vec![Reply::Unreachable, Reply::Found],
        );
    }
    let network = FakeNetwork::ethernet();
    network.set(ConnectionKind::Offline);
    // No retry at all: an attempt counted would fail the track at once.
    let cfg = config().max_retries(0).build().unwrap();
    let bus = EventBus::default();
    let events = EventCollector::start(&bus);
    let executor = BackgroundExecutor::new();
    let job = lib
        .art_job_on(cfg, bus, &art)
        .lyrics(lyr.clone())
        .network(network.clone())
        .wifi_poll_interval(Duration::from_secs(1));
    let handle = executor.spawn(job).unwrap();
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert!(executor.is_busy(), "still waiting");
    assert_eq!(art.meter.call_count(), 3, "one attempt each, then a wait");
    assert_eq!(lyr.meter.call_count(), 3);
    let seen = events.events();
    assert!(
        !seen
            .iter()
            .any(|e| matches!(e, LibraryEvent::TrackFailed { .. })),
        "nothing failed"
    );
    assert!(seen.iter().any(|e| matches!(
        e,
        LibraryEvent::JobPaused { reason, .. } if reason.code == PauseCode::WaitingForNetwork
    )));

    network.set(ConnectionKind::Ethernet);
    let result = handle.join().await.unwrap();
    assert!(result.failures.is_empty(), "{:?}", result.failures);
    assert_eq!(result.progress.artwork_fetched, 3);
    assert_eq!(result.progress.lyrics_fetched, 3);
    assert_eq!(art.meter.call_count(), 6);
    let kinds: Vec<&str> = events.events().iter().map(kind).collect();
    let paused = kinds.iter().position(|k| *k == "paused").unwrap();
    assert!(kinds[paused..].contains(&"resumed"), "{kinds:?}");
}

#[tokio::test]
async fn online_an_unreachable_service_is_its_own_failure() {
    let lib = library(1, 1).await;
    let art = FakeArtwork::new(Latency::zero());
    art.script("Bulk Album 0", vec![Reply::Unreachable, Reply::Found]);
    let cfg = artwork_only().max_retries(0).build().unwrap();
    let result = lib
        .art_job(cfg, &art)
        .network(FakeNetwork::ethernet())
        .run_ok()
        .await;
    let [failure] = &result.failures[..] else {
        panic!("one failure: {:?}", result.failures);
    };
    assert!(
        failure.reason.contains("could not connect"),
        "{}",
        failure.reason
    );
    assert_eq!(art.meter.call_count(), 1);
}

fn kind(e: &LibraryEvent) -> &'static str {
    match e {
        LibraryEvent::TrackUpdated { .. } => "updated",
        LibraryEvent::Progress { .. } => "progress",
        LibraryEvent::JobStarted { .. } => "started",
        LibraryEvent::JobPaused { .. } => "paused",
        LibraryEvent::JobResumed { .. } => "resumed",
        LibraryEvent::JobCancelled { .. } => "cancelled",
        LibraryEvent::TrackFailed { .. } => "failed",
        LibraryEvent::JobFinished { .. } => "finished",
        LibraryEvent::JobFailed { .. } => "job failed",
        LibraryEvent::WriteBackFinished { .. } => "written back",
        LibraryEvent::ProviderStats { .. } => "provider stats",
        LibraryEvent::Watching { .. } => "watching",
        LibraryEvent::FolderImported { .. } => "folder imported",
        LibraryEvent::WatchFailed { .. } => "watch failed",
    }
}

#[tokio::test]
async fn wifi_only_does_not_start_off_wifi_and_pauses_when_wifi_drops() {
    let lib = library(40, 1).await;
    let art = FakeArtwork::new(Latency::Fixed(ms(100)));
    let cfg = artwork_only()
        .max_concurrent(2)
        .require_wifi(true)
        .build()
        .unwrap();

    let net = FakeNetwork::ethernet();
    let err = lib
        .art_job(cfg.clone(), &art)
        .network(net.clone())
        .run(JobControl::default())
        .await
        .unwrap_err();
    assert!(matches!(err, EnrichmentError::NotOnWifi { .. }));
    assert!(err.to_string().contains("ethernet (eth0)"), "{err}");
    assert_eq!(art.meter.call_count(), 0);

    net.set(ConnectionKind::Wifi);
    let bus = EventBus::default();
    let events = EventCollector::start(&bus);
    let handle = BackgroundExecutor::new()
        .spawn(
            lib.art_job_on(cfg, bus, &art)
                .network(net.clone())
                .wifi_poll_interval(ms(200)),
        )
        .unwrap();
    tokio::time::sleep(ms(500)).await;
    net.set(ConnectionKind::Ethernet);
    tokio::time::sleep(ms(500)).await; // noticed within one poll; running attempts finish
    let calls = art.meter.call_count();
    assert!(calls < 40);
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(art.meter.call_count(), calls, "no request off WiFi");
    net.set(ConnectionKind::Wifi);
    let result = handle.join().await.unwrap();
    assert_eq!(result.progress.processed_tracks, 40);
    let paused = events.events().into_iter().find_map(|e| match e {
        LibraryEvent::JobPaused { reason, .. } => Some(reason),
        _ => None,
    });
    let reason = paused.expect("paused for WiFi");
    assert_eq!(reason.code, PauseCode::WaitingForWifi);
    assert!(reason.message.contains("ethernet"), "{}", reason.message);
    assert!(
        events
            .events()
            .iter()
            .any(|e| matches!(e, LibraryEvent::JobResumed { .. }))
    );
}

/// "kill -9" after `after`: the job's task is dropped mid-run, with no chance to clean up.
async fn kill_after(after: Duration, job: EnrichmentJob) {
    let task = tokio::spawn(job.run(JobControl::default()));
    tokio::time::sleep(after).await;
    task.abort();
    let _ = task.await;
}

#[tokio::test]
async fn a_crashed_job_resumes_without_counting_a_track_twice_or_losing_one() {
    let lib = library(30, 2).await;
    let art = FakeArtwork::new(Latency::Fixed(ms(100)));
    let lyr = FakeLyrics::new(Latency::Fixed(ms(100)));
    let cfg = config().batch_size(10).max_concurrent(3).build().unwrap();
    // Artwork and lyrics have 3 slots each: 30 albums of 100 ms calls take 1 s; 550 ms is
    // about half-way.
    kill_after(ms(550), lib.art_job(cfg.clone(), &art).lyrics(lyr.clone())).await;
    let before = lib.db.summary().await.unwrap();
    assert!(
        before.artwork_missing > 0 && before.artwork_missing < 60,
        "stopped mid-way: {before:?}"
    );

    let bus = EventBus::default();
    let events = EventCollector::start(&bus);
    let result = lib
        .art_job_on(cfg, bus, &art)
        .lyrics(lyr.clone())
        .run_ok()
        .await;
    tokio::task::yield_now().await;
    assert!(events.events().iter().any(|e| matches!(
        e,
        LibraryEvent::JobStarted {
            resumed: true,
            total_tracks: 60,
            ..
        }
    )));
    assert_eq!(result.progress.total_tracks, 60);
    assert_eq!(
        result.progress.processed_tracks, 60,
        "counted once each across both runs"
    );
    assert!(result.progress.is_complete());
    let after = lib.db.summary().await.unwrap();
    assert_eq!(after.artwork_missing, 0);
    assert_eq!(after.lyrics[&LyricsStatus::Available], 60);
    // The counts after a resume are the library's: every track got its artwork and lyrics
    // from this job, in one run or the other.
    assert_eq!(
        (
            result.progress.artwork_fetched,
            result.progress.lyrics_fetched
        ),
        (60, 60),
        "{:?}",
        result.progress
    );
    assert_eq!(after.lyrics[&LyricsStatus::Fetching], 0);
    // Albums finished before the crash were not asked again.
    assert!(
        art.meter.call_count() <= 30 + 3,
        "asked {} times for 30 albums",
        art.meter.call_count()
    );
}

/// Kill -9 with albums half-answered, then resume: the counts the job reports, "not found"
/// included, are what the library holds.
#[tokio::test]
async fn a_resumed_jobs_not_found_counts_are_the_librarys() {
    let lib = library(30, 2).await;
    // No source has any album's artwork; lyrics come slower, so tracks are mid-way at the kill.
    let art = FakeArtwork::with_default(Latency::Fixed(ms(50)), Reply::NotFound);
    let lyr = FakeLyrics::with_default(Latency::Fixed(ms(150)), Reply::NotFound);
    let cfg = config().batch_size(10).max_concurrent(3).build().unwrap();
    kill_after(ms(1050), lib.art_job(cfg.clone(), &art).lyrics(lyr.clone())).await;

    let result = lib.art_job(cfg, &art).lyrics(lyr.clone()).run_ok().await;
    assert_eq!(result.progress.processed_tracks, 60);
    let summary = lib.db.summary().await.unwrap();
    assert_eq!(summary.lyrics[&LyricsStatus::Unavailable], 60);
    assert_eq!(
        (result.not_found.artwork, result.not_found.lyrics),
        (60, 60),
        "every track's artwork and lyrics were not found, once each: {:?}",
        result.not_found
    );
}

#[tokio::test]
async fn progress_events_are_coalesced_to_ten_per_second() {
    let lib = library(100, 3).await;
    let art = FakeArtwork::new(Latency::Fixed(ms(5)));
    let lyr = FakeLyrics::new(Latency::Fixed(ms(5)));
    let cfg = config().batch_size(50).max_concurrent(8).build().unwrap();
    let bus = EventBus::default();
    let events = EventCollector::start(&bus);
    let started = tokio::time::Instant::now();
    let result = lib
        .job_on(cfg, bus)
        .artwork(art, lib.store())
        .lyrics(lyr)
        .run_ok()
        .await;
    let elapsed = started.elapsed();
    tokio::task::yield_now().await;
    let progress: Vec<tokio::time::Instant> = events
        .timed()
        .into_iter()
        .filter(|(_, e)| matches!(e, LibraryEvent::Progress { .. }))
        .map(|(t, _)| t)
        .collect();
    assert!(progress.len() >= 2);
    for pair in progress.windows(2) {
        assert!(
            pair[1] - pair[0] >= ms(100),
            "two progress events {:?} apart",
            pair[1] - pair[0]
        );
    }
    assert!(progress.len() as f64 <= elapsed.as_secs_f64() * 10.0 + 2.0);
    // The last progress event is the final count.
    let last = events
        .events()
        .into_iter()
        .filter_map(|e| match e {
            LibraryEvent::Progress { progress, .. } => Some(progress),
            _ => None,
        })
        .last()
        .unwrap();
    assert_eq!(last, result.progress);
    let updated = events
        .events()
        .iter()
        .filter(|e| matches!(e, LibraryEvent::TrackUpdated { .. }))
        .count();
    assert_eq!(
        updated, 600,
        "one update per track per field group (artwork, lyrics)"
    );
}

#[tokio::test]
async fn a_lagging_subscriber_is_told_and_never_slows_the_job() {
    let lib = library(50, 2).await;
    let art = FakeArtwork::new(Latency::Fixed(ms(10)));
    let cfg = artwork_only().max_concurrent(8).build().unwrap();
    let bus = EventBus::new(8);
    let mut lazy = bus.subscribe(); // never reads during the job
    let started = tokio::time::Instant::now();
    let result = lib
        .job_on(cfg, bus)
        .artwork(art, lib.store())
        .run_ok()
        .await;
    assert_eq!(result.progress.processed_tracks, 100);
    // 100 calls of 10 ms, 8 at a time: 13 rounds of 11 ms, plus at most 100 ms for the last
    // progress event.
    assert!(
        started.elapsed() <= ms(250),
        "the job ran at full speed: {:?}",
        started.elapsed()
    );
    match lazy.recv().await {
        Some(gatefold_engine::BusMessage::Lagged { missed }) => assert!(missed > 0),
        other => panic!("expected a lag notice, got {other:?}"),
    }
}

#[tokio::test]
async fn lyrics_outcomes_are_stored_and_not_found_is_remembered() {
    let lib = library(1, 4).await;
    let lyr = FakeLyrics::new(Latency::zero());
    let titles: Vec<String> = (1..=4)
        .map(|n| format!("Track {n} of Bulk Album 0"))
        .collect();
    lyr.script(&titles[1], vec![Reply::Instrumental]);
    lyr.script(&titles[2], vec![Reply::NotFound]);
    lyr.script(&titles[3], vec![Reply::Permanent]);
    let cfg = config().enable_artwork(false).build().unwrap();
    lib.job(cfg.clone()).lyrics(lyr.clone()).run_ok().await;
    let summary = lib.db.summary().await.unwrap();
    assert_eq!(summary.lyrics[&LyricsStatus::Available], 1);
    assert_eq!(summary.lyrics[&LyricsStatus::Instrumental], 1);
    assert_eq!(summary.lyrics[&LyricsStatus::Unavailable], 1);
    assert_eq!(summary.lyrics[&LyricsStatus::Failed], 1);
    let tracks = lib.db.tracks().page(0, 10).await.unwrap();
    let first = tracks.iter().find(|t| t.title == titles[0]).unwrap();
    let lyrics = lib.db.tracks().lyrics(first.id).await.unwrap().unwrap();
    assert_eq!(lyrics.source, "fake");
    assert!(lyrics.synced.unwrap().starts_with("[00:01.00]"));

    // A second run asks nothing: found is found, not-found is remembered, failed waits for
    // "retry failed".
    let again = lib.job(cfg.clone()).lyrics(lyr.clone()).run_ok().await;
    assert_eq!(again.progress.total_tracks, 0);
    assert_eq!(lyr.meter.call_count(), 1);

    // With a max age of 0 days, the not-found track is asked again.
    tokio::time::advance(Duration::from_secs(2)).await;
    let fresh = EnrichmentConfig {
        not_found_max_age_days: 0,
        ..cfg.clone()
    };
    let again = lib.job(fresh).lyrics(lyr.clone()).run_ok().await;
    assert_eq!(again.progress.total_tracks, 1);

    // Retry failed: only the failed track, and now it succeeds.
    lyr.script(&titles[3], vec![Reply::Found]);
    let retried = lib
        .job(cfg)
        .lyrics(lyr.clone())
        .retry_failed(true)
        .run_ok()
        .await;
    assert_eq!(retried.progress.total_tracks, 1);
    assert_eq!(
        lib.db.summary().await.unwrap().lyrics[&LyricsStatus::Failed],
        0
    );
    assert!(lib.db.failures(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn invalid_config_never_starts_and_a_second_job_is_refused() {
    let lib = library(2, 1).await; // (paused clock: the fake's 200 ms pass instantly)
    let art = FakeArtwork::new(Latency::Fixed(ms(200)));
    let bad = EnrichmentConfig {
        max_concurrent: 0,
        ..Default::default()
    };
    let err = lib
        .art_job(bad, &art)
        .run(JobControl::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("max_concurrent must be between 1 and 64, got 0"),
        "{err}"
    );
    assert_eq!(art.meter.call_count(), 0);

    let executor = BackgroundExecutor::new();
    let first = executor
        .spawn(
            EnrichmentJob::new(
                lib.db.clone(),
                EnrichmentConfig::default(),
                EventBus::default(),
            )
            .artwork(art.clone(), lib.store()),
        )
        .unwrap();
    let second = executor.spawn(
        EnrichmentJob::new(
            lib.db.clone(),
            EnrichmentConfig::default(),
            EventBus::default(),
        )
        .artwork(art, lib.store()),
    );
    assert!(matches!(second, Err(EnrichmentError::AlreadyRunning)));
    first.join().await.unwrap();
    assert!(!executor.is_busy());
}

#[tokio::test]
async fn tracks_whose_lyrics_are_on_disk_are_not_fetched() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    AudioSpec::tagged(Format::Flac, "Has sidecar", "A", "B").write(music.join("1.flac"));
    std::fs::write(music.join("1.lrc"), "[00:01.00]mine").unwrap();
    AudioSpec::tagged(Format::Flac, "Needs lyrics", "A", "B").write(music.join("2.flac"));
    let db = Database::open(&dir.path().join("l.db")).await.unwrap();
    scan_folder(&db, &music, &ScanOptions::default(), |_| {})
        .await
        .unwrap();
    pause_clock(&db);
    let lyr = FakeLyrics::new(Latency::zero());
    let cfg = config().enable_artwork(false).build().unwrap();
    EnrichmentJob::new(db.clone(), cfg, EventBus::default())
        .lyrics(lyr.clone())
        .run_ok()
        .await;
    let asked: Vec<Vec<String>> = lyr.requests.lock().unwrap().clone();
    assert_eq!(asked, vec![vec!["Needs lyrics".to_owned()]]);
    let _ = Arc::clone(&lyr);
}

#[tokio::test]
async fn the_album_request_carries_every_track_of_the_album_in_the_page() {
    let lib = library(1, 6).await;
    let art = FakeArtwork::new(Latency::zero());
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    struct Spy(Arc<FakeArtwork>, Arc<std::sync::Mutex<Vec<usize>>>);
    #[async_trait::async_trait]
    impl gatefold_engine::ArtworkService for Spy {
        async fn fetch_artwork(
            &self,
            album: &gatefold_engine::enrich::AlbumRequest,
        ) -> Result<
            Option<gatefold_engine::enrich::FetchedArtwork>,
            gatefold_engine::enrich::FetchError,
        > {
            self.1.lock().unwrap().push(album.tracks.len());
            self.0.fetch_artwork(album).await
        }
    }
    let cfg = artwork_only().build().unwrap();
    lib.job(cfg)
        .artwork(Arc::new(Spy(art, Arc::clone(&seen))), lib.store())
        .run_ok()
        .await;
    assert_eq!(*seen.lock().unwrap(), vec![6]);
}

#[tokio::test]
async fn stored_artwork_gets_a_256_px_thumbnail() {
    let dir = tempfile::tempdir().unwrap();
    let store = ArtworkStore::new(dir.path());
    let art = gatefold_engine::enrich::FetchedArtwork {
        bytes: gatefold_testkit::COVER_JPG_600.to_vec(),
        mime: "image/jpeg".into(),
        width: 600,
        height: 600,
        source: "test".into(),
        local: false,
        matched: None,
    };
    let row = store.save(art.clone()).await.unwrap();
    let thumb = row.thumbnail_path.expect("a thumbnail");
    let bytes = std::fs::read(store.path_of(&thumb)).unwrap();
    let info = gatefold_engine::providers::image_check::inspect(&bytes).unwrap();
    assert_eq!(
        (info.mime, info.width, info.height),
        ("image/jpeg", 256, 256)
    );
    assert_eq!(
        std::fs::read(store.path_of(&row.storage_path)).unwrap(),
        gatefold_testkit::COVER_JPG_600
    );
    // The same bytes again: the same files, nothing rewritten.
    assert_eq!(
        store.save(art.clone()).await.unwrap().storage_path,
        row.storage_path
    );
}
