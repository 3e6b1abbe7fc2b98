//! Write-back: sidecar files and embedded tags, written atomically, never touching audio data,
//! never overwriting what the user had unless asked, skipping read-only files, and a dry run
//! that writes nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use std::collections::BTreeMap;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use gatefold_engine::enrich::{ArtworkStore, WriteBackMode};
use gatefold_engine::writeback::{ItemOutcome, WriteBackItem, WriteBackOptions, write_back};
use gatefold_engine::{
    Database, EnrichmentConfig, EnrichmentJob, EventBus, ScanOptions, scan_folder,
};
use gatefold_testkit::fakes::{FakeArtwork, FakeLyrics, Latency, fake_lyrics_for};
use gatefold_testkit::{AudioSpec, COVER_JPG_600, Format};
use lofty::file::TaggedFileExt;
use lofty::picture::PictureType;
use lofty::tag::ItemKey;

struct Library {
    _dir: tempfile::TempDir,
    root: PathBuf,
    db: Database,
    store: ArtworkStore,
}

/// One album folder with a file of every format, and a folder mixing two albums; enriched by
/// fake providers (a 600 px cover per album, synced lyrics per track).
async fn enriched_library() -> Library {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("music");
    for (i, format) in Format::ALL.into_iter().enumerate() {
        let n = u32::try_from(i + 1).unwrap();
        AudioSpec::tagged(format, &format!("Song {n}"), "Band", "Every Format")
            .track(n)
            .write(
                root.join("Every Format")
                    .join(format!("{n:02} Song {n}.{}", format.extension())),
            );
    }
    AudioSpec::tagged(Format::Mp3, "Single A", "Band", "Single A")
        .write(root.join("Singles").join("Single A.mp3"));
    AudioSpec::tagged(Format::Mp3, "Single B", "Other", "Single B")
        .write(root.join("Singles").join("Single B.mp3"));
    enrich(dir, root).await
}

/// Scans `root` into a new library in `dir` and enriches it with the fake providers.
async fn enrich(dir: tempfile::TempDir, root: PathBuf) -> Library {
    let db = Database::open(&dir.path().join("library.db"))
        .await
        .unwrap();
    scan_folder(&db, &root, &ScanOptions::default(), |_| {})
        .await
        .unwrap();
    let store = ArtworkStore::new(dir.path().join("artwork"));
    let job = EnrichmentJob::new(db.clone(), EnrichmentConfig::default(), EventBus::default())
        .artwork(FakeArtwork::new(Latency::zero()), store.clone())
        .lyrics(FakeLyrics::new(Latency::zero()) as Arc<_>);
    let result = job.run(Default::default()).await.unwrap();
    assert!(!result.has_failures());
    Library {
        _dir: dir,
        root,
        db,
        store,
    }
}

/// Every file under `root` with its bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// The MD5 of the decoded audio (ffmpeg): equal before and after means the audio is untouched.
fn decoded_md5(path: &Path) -> String {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-map", "0:a", "-f", "md5", "-"])
        .output()
        .expect("ffmpeg (scripts/setup.sh installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn run(
    lib: &Library,
    mode: WriteBackMode,
    dry_run: bool,
    overwrite: bool,
) -> (
    gatefold_engine::writeback::WriteBackSummary,
    Vec<WriteBackItem>,
) {
    let mut items = Vec::new();
    let summary = write_back(
        &lib.db,
        &lib.store,
        WriteBackOptions {
            mode,
            dry_run,
            overwrite,
        },
        |item| items.push(item.clone()),
    )
    .await
    .unwrap();
    (summary, items)
}

fn audio_files(root: &Path) -> Vec<PathBuf> {
    snapshot(root)
        .into_keys()
        .filter(|p| {
            Format::ALL
                .iter()
                .any(|f| p.extension().is_some_and(|e| e == f.extension()))
        })
        .collect()
}

#[tokio::test]
async fn sidecars_are_written_once_and_a_dry_run_writes_nothing() {
    let lib = enriched_library().await;
    let before = snapshot(&lib.root);

    let (dry, items) = run(&lib, WriteBackMode::Sidecar, true, false).await;
    assert_eq!(snapshot(&lib.root), before, "a dry run wrote something");
    assert!(dry.dry_run);
    // One cover for the album folder, 10 lyrics files; the mixed folder gets no cover.
    assert_eq!(
        (dry.written, dry.skipped, dry.failed),
        (11, 1, 0),
        "{items:#?}"
    );
    assert!(items.iter().all(|i| matches!(
        i.outcome,
        ItemOutcome::WouldWrite | ItemOutcome::Skipped { .. }
    )));
    let mixed = items
        .iter()
        .find(|i| matches!(i.outcome, ItemOutcome::Skipped { .. }))
        .unwrap();
    assert_eq!(mixed.path, lib.root.join("Singles").join("cover.jpg"));

    let (done, _) = run(&lib, WriteBackMode::Sidecar, false, false).await;
    assert_eq!((done.written, done.skipped, done.failed), (11, 1, 0));
    let after = snapshot(&lib.root);
    for (path, bytes) in &before {
        assert_eq!(&after[path], bytes, "{} changed", path.display());
    }
    let album = lib.root.join("Every Format");
    assert_eq!(
        std::fs::read(album.join("cover.jpg")).unwrap(),
        COVER_JPG_600
    );
    let (_, synced) = fake_lyrics_for("Song 3");
    let lrc = album
        .join(format!("03 Song 3.{}", Format::ALL[2].extension()))
        .with_extension("lrc");
    assert_eq!(
        std::fs::read_to_string(&lrc).unwrap(),
        format!("{synced}\n")
    );
    assert!(!lib.root.join("Singles").join("cover.jpg").exists());
    assert!(
        after
            .keys()
            .all(|p| !p.to_string_lossy().contains(".gatefold-")),
        "temporary files left behind"
    );

    // Again: everything is already there.
    let (again, _) = run(&lib, WriteBackMode::Sidecar, false, false).await;
    assert_eq!((again.written, again.unchanged, again.failed), (0, 11, 0));
}

#[tokio::test]
async fn the_users_files_are_kept_unless_overwrite_and_read_only_ones_are_skipped() {
    let lib = enriched_library().await;
    let album = lib.root.join("Every Format");
    let first = album.join("01 Song 1.mp3");
    let mine = first.with_extension("lrc");
    std::fs::write(&mine, "[00:00.00]my own words\n").unwrap();
    // A read-only folder: nothing may be created in it.
    let singles = lib.root.join("Singles");
    std::fs::set_permissions(&singles, std::fs::Permissions::from_mode(0o555)).unwrap();

    let (summary, items) = run(&lib, WriteBackMode::Sidecar, false, false).await;
    std::fs::set_permissions(&singles, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(
        std::fs::read_to_string(&mine).unwrap(),
        "[00:00.00]my own words\n"
    );
    let reason_for = |path: &Path| {
        items
            .iter()
            .find(|i| i.path == path)
            .map(|i| match &i.outcome {
                ItemOutcome::Skipped { reason } => reason.clone(),
                other => format!("{other:?}"),
            })
            .unwrap()
    };
    assert!(
        reason_for(&mine).contains("already exists"),
        "{}",
        reason_for(&mine)
    );
    let single = singles.join("Single A.lrc");
    assert!(
        reason_for(&single).contains("read-only"),
        "{}",
        reason_for(&single)
    );
    assert!(!single.exists());
    assert_eq!(summary.failed, 0);

    let (_, _) = run(&lib, WriteBackMode::Sidecar, false, true).await;
    let (_, synced) = fake_lyrics_for("Song 1");
    assert_eq!(
        std::fs::read_to_string(&mine).unwrap(),
        format!("{synced}\n"),
        "overwrite asked"
    );
}

/// The outcome of the item for `path`, as a string: the reason of a skip, else the outcome.
fn outcome_of(items: &[WriteBackItem], path: &Path) -> String {
    items
        .iter()
        .find(|i| i.path == path)
        .map(|i| match &i.outcome {
            ItemOutcome::Skipped { reason } => format!("skipped: {reason}"),
            ItemOutcome::Removed { reason } => format!("removed: {reason}"),
            other => format!("{other:?}"),
        })
        .unwrap_or_else(|| format!("no item for {}", path.display()))
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A write-back that hangs fails here with a message, not by stalling the suite.
async fn run_guarded(
    lib: &Library,
    mode: WriteBackMode,
    overwrite: bool,
) -> (
    gatefold_engine::writeback::WriteBackSummary,
    Vec<WriteBackItem>,
) {
    tokio::time::timeout(
        std::time::Duration::from_secs(120),
        run(lib, mode, false, overwrite),
    )
    .await
    .expect("write-back hung on a special file")
}

#[tokio::test]
async fn special_sidecars_are_skipped_with_a_reason_never_read() {
    let lib = enriched_library().await;
    let singles = lib.root.join("Singles");
    let fifo = singles.join("Single A.lrc");
    mkfifo(&fifo);
    let zero = singles.join("Single B.lrc");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();

    // With overwrite too: the user's special files are never replaced or read.
    for overwrite in [false, true] {
        let (summary, items) = run_guarded(&lib, WriteBackMode::Sidecar, overwrite).await;
        let fifo_outcome = outcome_of(&items, &fifo);
        assert!(fifo_outcome.contains("a FIFO"), "{fifo_outcome}");
        let zero_outcome = outcome_of(&items, &zero);
        assert!(zero_outcome.contains("symbolic link"), "{zero_outcome}");
        assert_eq!(summary.failed, 0, "{items:?}");
        assert!(
            summary.written > 0 || overwrite,
            "the other sidecars are written"
        );
    }
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    assert_eq!(std::fs::read_link(&zero).unwrap(), Path::new("/dev/zero"));
    let album_lrc = lib.root.join("Every Format").join("01 Song 1.lrc");
    assert!(album_lrc.is_file(), "the rest of the queue was written");
}

#[tokio::test]
async fn embed_skips_links_and_special_files_and_writes_the_rest() {
    let lib = enriched_library().await;
    let album = lib.root.join("Every Format");
    let outside = lib._dir.path().join("elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    // A track that is a symbolic link to the real file elsewhere.
    let linked = album.join("01 Song 1.mp3");
    let real = outside.join("real.mp3");
    std::fs::rename(&linked, &real).unwrap();
    std::os::unix::fs::symlink(&real, &linked).unwrap();
    // A track with a second hard link.
    let hard = album.join("02 Song 2.flac");
    let twin = outside.join("twin.flac");
    std::fs::hard_link(&hard, &twin).unwrap();
    // Tracks replaced after the scan by a FIFO and by a link to /dev/zero.
    let fifo = album.join("03 Song 3.m4a");
    std::fs::remove_file(&fifo).unwrap();
    mkfifo(&fifo);
    let zero = album.join("04 Song 4.m4a");
    std::fs::remove_file(&zero).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let before = snapshot(&outside);

    let (summary, items) = run_guarded(&lib, WriteBackMode::Embed, false).await;
    for (path, says) in [
        (&linked, "symbolic link"),
        (&hard, "2 hard links"),
        (&fifo, "a FIFO"),
        (&zero, "symbolic link"),
    ] {
        let outcomes: Vec<String> = items
            .iter()
            .filter(|i| &i.path == path)
            .map(|i| outcome_of(std::slice::from_ref(i), path))
            .collect();
        assert!(!outcomes.is_empty(), "no item for {}", path.display());
        for outcome in outcomes {
            assert!(outcome.contains(says), "{}: {outcome}", path.display());
        }
    }
    assert_eq!(summary.failed, 0, "{items:?}");
    assert_eq!(snapshot(&outside), before, "link targets are untouched");
    assert!(
        std::fs::symlink_metadata(&linked)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::metadata(&hard).unwrap().nlink(),
        2,
        "the hard link holds"
    );
    let written: Vec<&Path> = items
        .iter()
        .filter(|i| i.outcome == ItemOutcome::Written)
        .map(|i| i.path.as_path())
        .collect();
    assert!(
        written.contains(&album.join("05 Song 5.ogg").as_path())
            || written
                .iter()
                .any(|p| p.starts_with(lib.root.join("Singles"))),
        "the rest of the queue was written: {written:?}"
    );
}

/// What a write-back killed half-way leaves beside the music (two of its temporary files), and
/// names that look alike but are not its leftovers: the next write-back removes exactly the
/// first, reports each, and a dry run removes nothing.
#[tokio::test]
async fn a_killed_write_backs_temporary_files_are_removed_and_reported() {
    let lib = enriched_library().await;
    let album = lib.root.join("Every Format");
    // No process has an id this high (the kernel's limit is 2^22).
    let dead = 4_194_304 + 7;
    let stale = [
        album.join(format!(".gatefold-{dead}-0.tmp")),
        album.join(format!(".01 Song 1.mp3.gatefold-{dead}-1.tmp")),
    ];
    let kept = [
        // A live process's (init's), and this process's own.
        album.join(".gatefold-1-2.tmp"),
        album.join(format!(".gatefold-{}-2.tmp", std::process::id())),
        album.join(".gatefold-notes.tmp"),
        album.join(format!("gatefold-{dead}-3.tmp")),
    ];
    for path in stale.iter().chain(&kept) {
        std::fs::write(path, b"half a copy").unwrap();
    }

    let (summary, _) = run(&lib, WriteBackMode::Sidecar, true, false).await;
    assert_eq!(summary.cleaned, 0, "a dry run removes nothing");
    assert!(stale.iter().all(|p| p.exists()));

    let (summary, items) = run(&lib, WriteBackMode::Sidecar, false, false).await;
    assert_eq!(summary.cleaned, 2, "{items:?}");
    for path in &stale {
        assert!(!path.exists(), "{} removed", path.display());
        let outcome = outcome_of(&items, path);
        assert!(outcome.contains("interrupted write-back"), "{outcome}");
    }
    for path in &kept {
        assert!(path.exists(), "{} kept", path.display());
    }
}

#[tokio::test]
async fn embedding_changes_tags_only_in_every_format() {
    let lib = enriched_library().await;
    let files = audio_files(&lib.root);
    let audio_before: BTreeMap<PathBuf, String> =
        files.iter().map(|p| (p.clone(), decoded_md5(p))).collect();
    let read_only = lib.root.join("Singles").join("Single B.mp3");
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o444)).unwrap();
    let untouched = std::fs::read(&read_only).unwrap();

    let before = snapshot(&lib.root);
    let (dry, _) = run(&lib, WriteBackMode::Embed, true, false).await;
    assert_eq!(snapshot(&lib.root), before, "a dry run wrote something");

    let (summary, items) = run(&lib, WriteBackMode::Embed, false, false).await;
    // 10 files x (cover + lyrics), of which the read-only file's two are skipped.
    assert_eq!(
        (summary.written, summary.skipped, summary.failed),
        (18, 2, 0),
        "{items:#?}"
    );
    assert_eq!(
        dry.written, summary.written,
        "the dry run predicted the run"
    );
    assert_eq!(std::fs::read(&read_only).unwrap(), untouched);

    for path in &files {
        assert_eq!(
            decoded_md5(path),
            audio_before[path],
            "{} audio changed",
            path.display()
        );
        if *path == read_only {
            continue;
        }
        let tagged = lofty::read_from_path(path).unwrap();
        let tag = tagged.primary_tag().expect("a tag");
        let lyrics = tag
            .get_string(ItemKey::Lyrics)
            .or_else(|| tag.get_string(ItemKey::UnsyncLyrics))
            .unwrap_or_else(|| panic!("{} has no lyrics", path.display()));
        let title = tag.get_string(ItemKey::TrackTitle).unwrap();
        assert_eq!(lyrics, fake_lyrics_for(title).1, "{}", path.display());
        let cover = tagged
            .tags()
            .iter()
            .flat_map(|t| t.pictures())
            // MP4 pictures have no type: lofty reads them as "other".
            .find(|p| matches!(p.pic_type(), PictureType::CoverFront | PictureType::Other))
            .unwrap_or_else(|| panic!("{} has no front cover", path.display()));
        assert_eq!(cover.data(), COVER_JPG_600, "{}", path.display());
    }

    // MP3 also carries the synced lines as an ID3v2 SYLT frame, in milliseconds.
    let mp3 = lib.root.join("Every Format").join("01 Song 1.mp3");
    let mut file = std::fs::File::open(&mp3).unwrap();
    let mpeg = <lofty::mpeg::MpegFile as lofty::file::AudioFile>::read_from(
        &mut file,
        lofty::config::ParseOptions::new(),
    )
    .unwrap();
    let sylt = mpeg
        .id3v2()
        .unwrap()
        .into_iter()
        .find(|f| f.id().as_str() == "SYLT")
        .expect("a SYLT frame");
    let lofty::id3::v2::Frame::Binary(binary) = sylt else {
        panic!("SYLT kept as bytes")
    };
    let parsed = lofty::id3::v2::SynchronizedTextFrame::parse(
        &binary.data,
        lofty::id3::v2::FrameFlags::default(),
    )
    .unwrap();
    assert_eq!(parsed.content, [(1000, "Words of Song 1".to_owned())]);

    let (again, _) = run(&lib, WriteBackMode::Embed, false, false).await;
    assert_eq!((again.written, again.unchanged), (0, 18));

    // Rescanned, the files now carry their lyrics and cover themselves.
    let report = scan_folder(&lib.db, &lib.root, &ScanOptions::default(), |_| {})
        .await
        .unwrap();
    assert_eq!(report.failed, 0);
}

/// A track whose name is near the file system's 255-byte limit is written back like any other:
/// the temporary file's name does not grow with the target's.
#[tokio::test]
async fn names_near_the_length_limit_are_written_back() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("music");
    let long = format!("{}.mp3", "é".repeat(118)); // 236 + 4 = 240 bytes
    assert_eq!(long.len(), 240);
    AudioSpec::tagged(Format::Mp3, "Long", "Band", "Long Names")
        .write(root.join("Long Names").join(&long));
    let lib = enrich(dir, root.clone()).await;
    for mode in [WriteBackMode::Embed, WriteBackMode::Sidecar] {
        let (summary, items) = run(&lib, mode, false, false).await;
        assert_eq!(summary.failed, 0, "{mode:?}: {items:#?}");
        assert!(summary.written >= 1, "{mode:?}: {items:#?}");
    }
    assert!(
        root.join("Long Names")
            .join(long.replace(".mp3", ".lrc"))
            .exists()
    );
    let leftovers: Vec<_> = snapshot(&root)
        .into_keys()
        .filter(|p| p.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Write-back's JSON lines name a file by `path`, and by its exact bytes (`path_b64`) when the
/// name is not UTF-8, so two different files never print the same.
#[test]
fn items_carry_the_exact_bytes_of_a_name_that_is_not_utf8() {
    use base64::Engine as _;
    use std::os::unix::ffi::OsStrExt;
    let item = |name: &[u8]| WriteBackItem {
        path: Path::new("/music").join(std::ffi::OsStr::from_bytes(name)),
        what: gatefold_engine::writeback::WriteTarget::LyricsFile,
        outcome: ItemOutcome::Written,
    };
    let a = serde_json::to_value(item(b"song \xff.lrc")).unwrap();
    let b = serde_json::to_value(item(b"song \xfe.lrc")).unwrap();
    assert_eq!(a["path"], b["path"], "the readable forms are alike");
    assert_ne!(a["path_b64"], b["path_b64"]);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(a["path_b64"].as_str().unwrap())
        .unwrap();
    assert_eq!(bytes, b"/music/song \xff.lrc");
    assert_eq!(a["outcome"], "written");
    let plain = serde_json::to_value(item(b"song.lrc")).unwrap();
    assert_eq!(plain["path"], "/music/song.lrc");
    assert!(plain.get("path_b64").is_none());
}

/// Before write-back is turned on, the window shows what it would write and where: a dry run
/// through the library facade, which writes nothing.
#[tokio::test]
async fn a_preview_lists_what_would_be_written_and_writes_nothing() {
    let lib = enriched_library().await;
    let before = snapshot(&lib.root);
    let library = gatefold_engine::Library::open(lib.db.path()).await.unwrap();
    let report = library
        .write_back_preview(WriteBackMode::Sidecar)
        .await
        .unwrap();
    assert_eq!(snapshot(&lib.root), before, "a preview wrote something");
    assert!(report.summary.dry_run);
    assert_eq!((report.summary.written, report.summary.skipped), (11, 1));
    assert_eq!(report.files.len(), 12, "{:#?}", report.files);
    assert_eq!(report.more_files, 0);
    let cover = lib.root.join("Every Format").join("cover.jpg");
    assert!(
        report
            .files
            .iter()
            .any(|f| f.path == cover.display().to_string()
                && f.target == gatefold_engine::writeback::WriteTarget::CoverFile
                && f.outcome == ItemOutcome::WouldWrite)
    );
    library.close().await;
}
