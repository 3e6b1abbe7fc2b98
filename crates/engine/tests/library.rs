//! The `Library` facade both front ends use: the checks before a job (refusals change nothing),
//! write-back after it, the artwork store beside the database, and the library view's reads
//! (albums by search and by what they miss).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use std::path::Path;
use std::sync::Arc;

use gatefold_engine::enrich::{WriteBackMode, WriteBackOutcome};
use gatefold_engine::model::MissingFilter;
use gatefold_engine::{
    BusMessage, EnrichmentConfig, EnrichmentRequest, Library, LibraryEvent, ScanOptions,
    artwork_store_path,
};
use gatefold_testkit::fakes::FakeNetwork;
use gatefold_testkit::library::write_file;
use gatefold_testkit::{AudioSpec, COVER_JPG_600, Format};

/// Four albums: with a cover and every track's lyrics; with a cover only; with lyrics only;
/// with neither.
fn music(root: &Path) {
    let album = |folder: &str, title: &str, tracks: &[(&str, bool)], cover: bool| {
        for (n, (track, lrc)) in tracks.iter().enumerate() {
            let path = root.join(folder).join(format!("{n:02}.flac"));
            AudioSpec::tagged(Format::Flac, track, "Artist", title)
                .track(u32::try_from(n + 1).unwrap())
                .write(&path);
            if *lrc {
                write_file(path.with_extension("lrc"), b"[00:00.50]words\n");
            }
        }
        if cover {
            write_file(root.join(folder).join("cover.jpg"), COVER_JPG_600);
        }
    };
    album("a", "Covered Lyrics", &[("One", true), ("Two", true)], true);
    album("b", "Covered", &[("Three", false)], true);
    album("c", "Bare Lyrics", &[("Four", true)], false);
    album("d", "Bare", &[("Five", false), ("Six", true)], false);
}

/// Every provider off: only what is on disk.
async fn offline_request(library: &Library) -> EnrichmentRequest {
    let mut request = library.saved_request().await.unwrap();
    for provider in &mut request.providers {
        provider.enabled = false;
    }
    request
}

async fn scanned(dir: &Path) -> Library {
    music(&dir.join("music"));
    let library = Library::open(&dir.join("lib/library.db")).await.unwrap();
    library
        .scan(&dir.join("music"), &ScanOptions::default(), |_| {})
        .await
        .unwrap();
    library
}

async fn titles(library: &Library, query: &str, missing: Option<MissingFilter>) -> Vec<String> {
    let page = library
        .database()
        .albums_page(query, missing, 0, 100)
        .await
        .unwrap();
    assert_eq!(page.total as usize, page.albums.len());
    let mut titles: Vec<String> = page.albums.into_iter().map(|a| a.title).collect();
    titles.sort();
    titles
}

#[tokio::test]
async fn the_artwork_store_lives_beside_the_database() {
    assert_eq!(
        artwork_store_path(Path::new("/x/y/library.db")),
        Path::new("/x/y/artwork")
    );
    assert_eq!(
        artwork_store_path(Path::new("library.db")),
        Path::new("./artwork")
    );
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(&dir.path().join("library.db")).await.unwrap();
    assert_eq!(library.store().root(), dir.path().join("artwork"));
    library.close().await;
}

#[tokio::test]
async fn albums_are_listed_by_what_they_miss() {
    let dir = tempfile::tempdir().unwrap();
    let library = scanned(dir.path()).await;
    let handle = library
        .start_enrichment(offline_request(&library).await)
        .await
        .unwrap();
    let result = handle.join().await.unwrap();
    assert!(!result.cancelled);

    assert_eq!(
        titles(&library, "", None).await,
        ["Bare", "Bare Lyrics", "Covered", "Covered Lyrics"]
    );
    assert_eq!(
        titles(&library, "", Some(MissingFilter::Artwork)).await,
        ["Bare", "Bare Lyrics"]
    );
    assert_eq!(
        titles(&library, "", Some(MissingFilter::Lyrics)).await,
        ["Bare", "Covered"],
        "a track without lyrics is enough"
    );
    assert_eq!(
        titles(&library, "", Some(MissingFilter::Both)).await,
        ["Bare"]
    );
    assert_eq!(
        titles(&library, "lyrics", Some(MissingFilter::Artwork)).await,
        ["Bare Lyrics"],
        "the search and the filter together"
    );
    assert_eq!(
        titles(&library, "six", Some(MissingFilter::Lyrics)).await,
        ["Bare"],
        "a track title finds its album"
    );
    library.close().await;
}

#[tokio::test]
async fn a_refused_start_says_why_at_once_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let library = scanned(dir.path()).await;
    let before = library.database().summary().await.unwrap();

    // Invalid settings.
    let mut request = offline_request(&library).await;
    request.config = EnrichmentConfig {
        batch_size: 0,
        ..request.config
    };
    let err = library.start_enrichment(request).await.unwrap_err();
    assert_eq!(err.code().as_str(), "invalid_config");
    assert!(err.to_string().contains("batch_size"), "{err}");

    // An unknown provider.
    let mut request = offline_request(&library).await;
    request.providers[0].base_url = "ftp://example.invalid".into();
    let err = library.start_enrichment(request).await.unwrap_err();
    assert_eq!(err.code().as_str(), "invalid_config", "{err}");

    // WiFi-only on another network.
    let library = library.with_network(FakeNetwork::ethernet());
    let mut request = offline_request(&library).await;
    request.config = request
        .config
        .to_builder()
        .require_wifi(true)
        .build()
        .unwrap();
    let err = library.start_enrichment(request).await.unwrap_err();
    assert_eq!(err.code().as_str(), "not_on_wifi");

    assert!(library.running_job().is_none(), "no job was left claimed");
    assert_eq!(library.database().summary().await.unwrap(), before);
    // And a valid start still works afterwards.
    let handle = library
        .start_enrichment(offline_request(&library).await)
        .await
        .unwrap();
    handle.join().await.unwrap();
    library.close().await;
}

#[tokio::test]
async fn a_second_start_is_refused_while_a_job_runs() {
    let dir = tempfile::tempdir().unwrap();
    let library = scanned(dir.path()).await;
    let first = library
        .start_enrichment(offline_request(&library).await)
        .await
        .unwrap();
    first.pause();
    let err = library
        .start_enrichment(offline_request(&library).await)
        .await
        .unwrap_err();
    assert_eq!(err.code().as_str(), "job_already_running");
    first.resume();
    first.join().await.unwrap();
    library.close().await;
}

#[tokio::test]
async fn write_back_runs_after_the_job_and_is_announced() {
    let dir = tempfile::tempdir().unwrap();
    let library = scanned(dir.path()).await;
    let mut events = library.bus().subscribe();
    let heard = Arc::new(std::sync::Mutex::new(0usize));
    let mut request = offline_request(&library).await;
    request.config = request
        .config
        .to_builder()
        .write_back(WriteBackMode::Sidecar)
        .build()
        .unwrap();
    request.dry_run = true;
    let counter = Arc::clone(&heard);
    request.on_write_back = Arc::new(move |_| *counter.lock().unwrap() += 1);
    let handle = library.start_enrichment(request).await.unwrap();
    let result = handle.join().await.unwrap();
    let Some(WriteBackOutcome::Written { summary }) = result.write_back else {
        panic!("write-back ran: {:?}", result.write_back);
    };
    assert_eq!(summary.mode, WriteBackMode::Sidecar);
    assert!(summary.dry_run);
    let items = summary.written + summary.unchanged + summary.skipped + summary.failed;
    assert_eq!(
        *heard.lock().unwrap(),
        items as usize,
        "the listener heard of every file"
    );
    let mut finished = 0;
    while let Some(message) = events.try_recv() {
        if let BusMessage::Event(LibraryEvent::WriteBackFinished {
            summary: heard,
            files,
            more_files,
        }) = message
        {
            assert_eq!(heard, summary);
            // Every file but the unchanged ones is listed (fewer than the list's limit here).
            assert_eq!(
                files.len(),
                (summary.written + summary.skipped + summary.failed + summary.cleaned) as usize
            );
            assert_eq!(more_files, 0);
            finished += 1;
        }
    }
    assert_eq!(finished, 1);
    library.close().await;
}

/// Another process's live job holds the library: a start here is refused, and the refusal
/// touches nothing of that job (not even its tracks in flight).
#[tokio::test]
async fn a_start_refused_for_another_process_job_leaves_its_tracks_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let library = scanned(dir.path()).await;
    // A live process that "runs" a job: its pid, a fresh heartbeat, and two tracks in flight.
    let mut other = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut conn = {
        use sqlx::ConnectOptions;
        sqlx::sqlite::SqliteConnectOptions::new()
            .filename(library.path())
            .connect()
            .await
            .unwrap()
    };
    sqlx::query(
        "INSERT INTO enrichment_jobs (state, config, retry_failed, owner_pid, started_at, heartbeat_at) \
         VALUES ('running', '{}', 0, ?1, ?2, ?2)",
    )
    .bind(i64::from(other.id()))
    .bind(i64::try_from(now).unwrap())
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE tracks SET lyrics_status = 'fetching' WHERE id IN (SELECT id FROM tracks LIMIT 2)",
    )
    .execute(&mut conn)
    .await
    .unwrap();

    let err = library
        .start_enrichment(offline_request(&library).await)
        .await
        .unwrap_err();
    assert_eq!(err.code().as_str(), "job_already_running", "{err}");
    let (fetching,): (i64,) =
        sqlx::query_as("SELECT count(*) FROM tracks WHERE lyrics_status = 'fetching'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    assert_eq!(
        fetching, 2,
        "the other job's tracks in flight are left alone"
    );
    other.kill().unwrap();
    other.wait().unwrap();
    drop(conn);
    library.close().await;
}

/// What the window shows after a restart: the last job, and whether it finished, was
/// cancelled, or was interrupted (its process gone before the end: the next start continues
/// it, with its counts).
#[tokio::test]
async fn the_last_run_says_how_it_ended() {
    use gatefold_engine::enrich::LastRunState;
    let dir = tempfile::tempdir().unwrap();
    let library = scanned(dir.path()).await;
    assert_eq!(library.last_run().await.unwrap(), None, "no job yet");

    let handle = library
        .start_enrichment(offline_request(&library).await)
        .await
        .unwrap();
    let result = handle.join().await.unwrap();
    // Where the finds came from: the two folder covers' three tracks (the sidecars' lyrics
    // came with the scan, not the job).
    assert_eq!(
        result.found_by.artwork.values().sum::<u32>(),
        result.progress.artwork_fetched,
        "{:?}",
        result.found_by
    );
    assert_eq!(result.found_by.artwork.values().sum::<u32>(), 3);
    assert_eq!(
        result.found_by.lyrics.values().sum::<u32>(),
        result.progress.lyrics_fetched
    );
    assert!(
        result.requests.is_empty(),
        "no provider asked: {:?}",
        result.requests
    );
    let last = library.last_run().await.unwrap().expect("a last run");
    assert_eq!(last.state, LastRunState::Finished);
    assert_eq!(last.job_id, result.job_id);
    assert_eq!(
        last.progress.processed_tracks,
        result.progress.processed_tracks
    );
    assert_eq!(last.progress.total_tracks, 6);
    assert_eq!(last.not_found, result.not_found);
    assert!(last.ended_at.is_some_and(|end| end >= last.started_at));

    // A job whose process went away: no heartbeat for a minute.
    let db = library.database();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let now = i64::try_from(now).unwrap();
    let claimed = db.start_job("{}", false, now - 60, 30).await.unwrap();
    let last = library.last_run().await.unwrap().expect("a last run");
    assert_eq!(
        (last.job_id, last.state),
        (claimed.id, LastRunState::Interrupted)
    );
    assert_eq!(last.ended_at, None);

    // Taken up again by this process: running here.
    db.start_job("{}", false, now, 30).await.unwrap();
    let last = library.last_run().await.unwrap().expect("a last run");
    assert_eq!(
        (last.job_id, last.state),
        (claimed.id, LastRunState::Running)
    );
    library.close().await;
}

/// Each provider's URL in use: the saved one, or the `GATEFOLD_<NAME>_URL` override, said so.
#[test]
fn provider_urls_say_when_the_environment_overrides_the_saved_one() {
    use gatefold_engine::providers::settings::{ProviderId, defaults, urls_in_use_with};
    let saved = defaults();
    let urls = urls_in_use_with(&saved, |var| {
        (var == "GATEFOLD_LRCLIB_URL").then(|| "http://127.0.0.1:9/lrclib".to_owned())
    });
    assert_eq!(urls.len(), saved.len());
    let lrclib = urls.iter().find(|u| u.id == ProviderId::Lrclib).unwrap();
    assert!(lrclib.overridden);
    assert_eq!(lrclib.url, "http://127.0.0.1:9/lrclib");
    assert_eq!(lrclib.env_var, "GATEFOLD_LRCLIB_URL");
    let deezer = urls.iter().find(|u| u.id == ProviderId::Deezer).unwrap();
    assert!(!deezer.overridden);
    let saved_deezer = saved.iter().find(|s| s.name == "deezer").unwrap();
    assert_eq!(deezer.url, saved_deezer.base_url);
    assert_eq!(deezer.env_var, "GATEFOLD_DEEZER_URL");
}

/// A failure's "Show in library" finds its album's card; an unknown id is `not_found`.
#[tokio::test]
async fn an_album_card_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let library = scanned(dir.path()).await;
    let db = library.database();
    let page = db.albums_page("Covered Lyrics", None, 0, 10).await.unwrap();
    let listed = &page.albums[0];
    assert_eq!(&db.album_card(listed.id).await.unwrap(), listed);
    let err = db.album_card(9999).await.unwrap_err();
    assert_eq!(err.code().as_str(), "not_found");
    let err = db.track_path(9999).await.unwrap_err();
    assert_eq!(err.code().as_str(), "not_found");
    library.close().await;
}

#[tokio::test]
async fn enrich_this_album_now_starts_a_run_for_it_or_puts_it_first_in_the_running_one() {
    let dir = tempfile::tempdir().unwrap();
    let library = scanned(dir.path()).await;
    // Every provider off in the saved settings: only what is on disk (no test reaches a real
    // provider).
    let offline = offline_request(&library).await;
    library
        .database()
        .save_provider_settings(&offline.providers)
        .await
        .unwrap()
        .unwrap();
    let page = library
        .database()
        .albums_page("", None, 0, 10)
        .await
        .unwrap();
    let id = |title: &str| page.albums.iter().find(|a| a.title == title).unwrap().id;

    let mut events = library.bus().subscribe_all();
    let now = library.enrich_album_now(id("Covered")).await.unwrap();
    assert_eq!(now, gatefold_engine::model::AlbumNow::Started);
    let total = loop {
        match events.recv().await.unwrap() {
            LibraryEvent::JobStarted { total_tracks, .. } => break total_tracks,
            _ => continue,
        }
    };
    assert_eq!(total, 1, "a run for that album's one track");
    while !matches!(
        events.recv().await.unwrap(),
        LibraryEvent::JobFinished { .. }
    ) {}

    let running = library.start_enrichment(offline.clone()).await.unwrap();
    running.pause();
    let now = library.enrich_album_now(id("Bare")).await.unwrap();
    assert_eq!(now, gatefold_engine::model::AlbumNow::Prioritized);
    running.resume();
    running.join().await.unwrap();

    let err = library.enrich_album_now(9999).await.unwrap_err();
    assert_eq!(err.code().as_str(), "not_found", "{err}");
    library.close().await;
}
