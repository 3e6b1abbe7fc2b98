//! Watching the music folders on a real filesystem: an album copied in (slowly, so a half-copied
//! file would be read if the watch did not wait for the copy to end), moved, deleted; the
//! fallback to rescanning when the OS cannot watch every folder; new music enriched as it
//! arrives. Waits are bounded (a failure, not a measurement): no test asserts a duration.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use gatefold_engine::watch::{WatchMode, WatchOptions};
use gatefold_engine::{EventBus, Library, LibraryEvent, ScanOptions};
use gatefold_testkit::servers::lrclib::{FakeLrclib, LrcRecord};
use gatefold_testkit::{AudioSpec, Format};
use tokio_util::sync::CancellationToken;

/// Waits (at most 30 s) until `check` holds.
async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..300 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}

/// The library's track paths.
async fn paths(library: &Library) -> Vec<PathBuf> {
    library
        .export_page(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|t| PathBuf::from(t.path))
        .collect()
}

fn song(dir: &Path, album: &str, n: u32) -> PathBuf {
    AudioSpec::tagged(
        Format::Mp3,
        &format!("Song {n} of {album}"),
        "The Band",
        album,
    )
    .track(n)
    .write(dir.join(format!("{n:02}.mp3")))
}

struct Watched {
    _dir: tempfile::TempDir,
    music: PathBuf,
    library: Library,
    events: tokio::sync::mpsc::UnboundedReceiver<LibraryEvent>,
    seen: Vec<LibraryEvent>,
    cancel: CancellationToken,
    task: tokio::task::JoinHandle<gatefold_engine::Result<()>>,
}

impl Watched {
    /// A library of one album in `music/`, imported, and watched with `options`.
    async fn start(options: WatchOptions) -> Watched {
        let dir = tempfile::tempdir().unwrap();
        let music = dir.path().join("music");
        for n in 1..=2 {
            song(&music.join("First"), "First", n);
        }
        let library = Library::open(&dir.path().join("library.db")).await.unwrap();
        library
            .scan(&music, &ScanOptions::default(), |_| {})
            .await
            .unwrap();
        let music = std::fs::canonicalize(&music).unwrap();
        assert_eq!(
            library.music_folders().await.unwrap(),
            std::slice::from_ref(&music)
        );
        let events = forward(library.bus());
        let cancel = CancellationToken::new();
        let task = {
            let (library, cancel) = (library.clone(), cancel.clone());
            tokio::spawn(async move { library.watch(options, cancel).await })
        };
        let mut watched = Watched {
            _dir: dir,
            music,
            library,
            events,
            seen: Vec::new(),
            cancel,
            task,
        };
        watched.drain();
        until("the watch has started", || {
            let started = watched_started(&mut watched);
            async move { started }
        })
        .await;
        watched
    }

    fn drain(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            self.seen.push(event);
        }
    }

    async fn stop(self) -> Vec<LibraryEvent> {
        self.cancel.cancel();
        self.task.await.unwrap().unwrap();
        let mut seen = self.seen;
        let mut events = self.events;
        while let Ok(event) = events.try_recv() {
            seen.push(event);
        }
        seen
    }
}

fn watched_started(w: &mut Watched) -> bool {
    w.drain();
    w.seen
        .iter()
        .any(|e| matches!(e, LibraryEvent::Watching { .. }))
}

/// The first `Watching` status among `seen`.
fn watching(seen: &[LibraryEvent]) -> gatefold_engine::watch::WatchStatus {
    seen.iter()
        .find_map(|e| match e {
            LibraryEvent::Watching { status } => Some(status.clone()),
            _ => None,
        })
        .expect("a watching event")
}

fn forward(bus: &EventBus) -> tokio::sync::mpsc::UnboundedReceiver<LibraryEvent> {
    let mut every = bus.subscribe_all();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(event) = every.recv().await {
            if tx.send(event).is_err() {
                break;
            }
        }
    });
    rx
}

fn quick() -> WatchOptions {
    WatchOptions {
        quiet: Duration::from_millis(300),
        ..WatchOptions::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_album_copied_in_slowly_moved_and_deleted_is_followed() {
    let mut w = Watched::start(quick()).await;
    let status = watching(&w.seen);
    assert_eq!(status.mode, WatchMode::Events, "{status:?}");
    assert_eq!(status.reason, None);

    // A copy that stalls half-way for longer than the quiet time: the first bytes only, then
    // (after 1.5 s) the rest. Read half-way, the file would fail to import.
    let staged = w._dir.path().join("staged");
    let whole = song(&staged, "Second", 1);
    let bytes = std::fs::read(&whole).unwrap();
    let album = w.music.join("Second");
    std::fs::create_dir_all(&album).unwrap();
    let target = album.join("01.mp3");
    {
        let mut file = std::fs::File::create(&target).unwrap();
        file.write_all(&bytes[..64]).unwrap();
        file.flush().unwrap();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        file.write_all(&bytes[64..]).unwrap();
    }
    until("the copied song is in the library", || {
        let library = w.library.clone();
        let target = target.clone();
        async move { paths(&library).await.contains(&target) }
    })
    .await;
    w.drain();
    let imported: Vec<&gatefold_engine::ScanReport> = w
        .seen
        .iter()
        .filter_map(|e| match e {
            LibraryEvent::FolderImported { report } => Some(report),
            _ => None,
        })
        .collect();
    assert!(!imported.is_empty());
    assert!(
        imported.iter().all(|r| r.failed == 0),
        "a half-copied file was read: {imported:?}"
    );
    let track = w
        .library
        .export_page(0, 100)
        .await
        .unwrap()
        .into_iter()
        .find(|t| Path::new(&t.path) == target)
        .unwrap();
    assert_eq!(track.title, "Song 1 of Second");

    // Moved within the music folder: found at its new place, gone from the old.
    let moved = w.music.join("Renamed");
    std::fs::rename(&album, &moved).unwrap();
    until("the moved album is at its new place only", || {
        let library = w.library.clone();
        let (old, new) = (target.clone(), moved.join("01.mp3"));
        async move {
            let p = paths(&library).await;
            p.contains(&new) && !p.contains(&old)
        }
    })
    .await;

    // Deleted: gone from the library; the first album stays.
    std::fs::remove_dir_all(&moved).unwrap();
    until("the deleted album is gone", || {
        let library = w.library.clone();
        let music = w.music.clone();
        async move {
            let p = paths(&library).await;
            p.len() == 2 && p.iter().all(|p| p.starts_with(music.join("First")))
        }
    })
    .await;
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_watch_limit_the_folders_are_rescanned_and_the_user_told_why() {
    let options = WatchOptions {
        max_watches: Some(1),
        poll_every: Duration::from_millis(300),
        ..quick()
    };
    let w = Watched::start(options).await;
    let status = watching(&w.seen);
    assert_eq!(status.mode, WatchMode::Polling);
    let reason = status.reason.clone().unwrap();
    assert!(
        reason.contains("fs.inotify.max_user_watches") && reason.contains("sudo sysctl"),
        "{reason}"
    );
    let added = song(&w.music.join("Polled"), "Polled", 1);
    until("the rescan found the new song", || {
        let library = w.library.clone();
        let added = added.clone();
        async move { paths(&library).await.contains(&added) }
    })
    .await;
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn music_folders_are_added_refused_and_removed_without_touching_files() {
    let w = Watched::start(quick()).await;
    let inside = w.music.join("First");
    let err = w.library.add_music_folder(&inside).await.unwrap_err();
    assert_eq!(err.code().as_str(), "invalid_music_folder");
    assert!(
        err.to_string()
            .contains("already in the library, as part of the music folder"),
        "{err}"
    );
    let missing = w.music.join("nope");
    assert!(
        w.library
            .add_music_folder(&missing)
            .await
            .unwrap_err()
            .to_string()
            .contains("cannot be used as a music folder")
    );
    // A second folder, watched as soon as it is added.
    let other = w._dir.path().join("other");
    let first = song(&other.join("X"), "X", 1);
    let added = w.library.add_music_folder(&other).await.unwrap();
    assert_eq!(w.library.music_folders().await.unwrap().len(), 2);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let later = song(&added.join("Y"), "Y", 1);
    until("the new folder's change is imported", || {
        let library = w.library.clone();
        let later = later.clone();
        async move { paths(&library).await.contains(&later) }
    })
    .await;
    assert!(
        paths(&w.library).await.contains(&first),
        "the import of the changed folder takes in what it holds"
    );

    let removed = w.library.remove_music_folder(&w.music).await.unwrap();
    assert_eq!(removed, 2);
    assert!(
        w.music.join("First/01.mp3").exists(),
        "files are never touched"
    );
    assert_eq!(
        w.library.music_folders().await.unwrap(),
        std::slice::from_ref(&added)
    );
    let err = w.library.remove_music_folder(&w.music).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("is not a music folder of this library"),
        "{err}"
    );
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_music_is_enriched_as_it_arrives_when_asked() {
    let fake = FakeLrclib::start(
        vec![LrcRecord::synced(
            "Song 1 of Fresh",
            "The Band",
            "Fresh",
            1.0,
        )],
        "",
    )
    .await;
    let options = WatchOptions {
        enrich_retry: Duration::from_millis(200),
        ..quick()
    };
    let w = Watched::start(options).await;
    let db = w.library.database();
    let mut config = db.enrichment_config().await.unwrap();
    config.auto_enrich = true;
    config.enable_artwork = false;
    db.save_enrichment_config(&config).await.unwrap().unwrap();
    let mut providers = db.provider_settings().await.unwrap();
    gatefold_engine::providers::settings::set_url(&mut providers, "lrclib", &fake.uri()).unwrap();
    db.save_provider_settings(&providers)
        .await
        .unwrap()
        .unwrap();

    let fresh = song(&w.music.join("Fresh"), "Fresh", 1);
    until("the new song has lyrics", || {
        let library = w.library.clone();
        let fresh = fresh.clone();
        async move {
            library
                .export_page(0, 100)
                .await
                .unwrap()
                .into_iter()
                .any(|t| Path::new(&t.path) == fresh && t.lyrics.is_some())
        }
    })
    .await;
    let mut w = w;
    until("the run that enriched it has finished", || {
        w.drain();
        let finished = w
            .seen
            .iter()
            .any(|e| matches!(e, LibraryEvent::JobFinished { .. }));
        async move { finished }
    })
    .await;
    w.stop().await;
}
