//! Memory stays bounded whatever the size of the user's files: a huge WAV is tagged without
//! being held in memory, and huge embedded pictures are never loaded to find out they are there.
//!
//! Measured as the peak of live heap bytes (the testkit's counting allocator is this binary's
//! global allocator): a count of bytes, the same on a busy machine as on an idle one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gatefold_engine::enrich::{ArtworkStore, WriteBackMode};
use gatefold_engine::providers::ArtworkChain;
use gatefold_engine::providers::local::LocalArtwork;
use gatefold_engine::writeback::{ItemOutcome, WriteBackOptions, write_back};
use gatefold_engine::{
    Database, EnrichmentConfig, EnrichmentJob, EventBus, ScanOptions, TrackRepository, scan_folder,
};
use gatefold_testkit::fakes::{FakeArtwork, FakeLyrics, Latency};
use gatefold_testkit::heap;
use gatefold_testkit::{AudioSpec, COVER_JPG_600, Format};

#[global_allocator]
static ALLOCATOR: heap::Counting = heap::Counting;

/// Each measurement runs alone (the test harness may run tests on threads of one process).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// What a measured step may add to the live heap, whatever the file sizes (the files here are
/// 40 to 200 MB; before the fixes each step held at least one whole file or picture).
const BUDGET: usize = 16 * 1024 * 1024;

/// Runs `step` and returns its result and the most heap bytes it added at once.
async fn peak_of<T>(step: impl std::future::Future<Output = T>) -> (T, usize) {
    let before = heap::live_bytes();
    heap::reset_peak();
    let out = step.await;
    (out, heap::peak_bytes().saturating_sub(before))
}

/// The byte at `i` of the test WAV's audio: a pattern, so a changed byte is seen.
fn sample(i: u64) -> u8 {
    u8::try_from(i % 251).unwrap()
}

/// A 16-bit stereo PCM WAV with `len` bytes of patterned audio, and an ID3v2 chunk with a front
/// cover (written through lofty on a short copy, then the audio streamed in).
fn big_wav(path: &Path, len: u64) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let riff_len = u32::try_from(4 + 24 + 8 + len).unwrap();
    out.write_all(b"RIFF").unwrap();
    out.write_all(&riff_len.to_le_bytes()).unwrap();
    out.write_all(b"WAVEfmt ").unwrap();
    out.write_all(&16u32.to_le_bytes()).unwrap();
    for (v, n) in [
        (1u32, 2),
        (2, 2),
        (44_100, 4),
        (176_400, 4),
        (4, 2),
        (16, 2),
    ] {
        out.write_all(&v.to_le_bytes()[..n]).unwrap();
    }
    out.write_all(b"data").unwrap();
    out.write_all(&u32::try_from(len).unwrap().to_le_bytes())
        .unwrap();
    let block: Vec<u8> = (0..251 * 4096).map(sample).collect();
    let mut left = len;
    while left > 0 {
        let n = left.min(block.len() as u64);
        out.write_all(&block[..usize::try_from(n).unwrap()])
            .unwrap();
        left -= n;
    }
    out.flush().unwrap();
    drop(out);
    // A front cover of its own, so the job's local source has to read it from a large file.
    let mut tagged = lofty::read_from_path(path).unwrap();
    let mut tag = lofty::tag::Tag::new(lofty::tag::TagType::Id3v2);
    tag.push_picture(
        lofty::picture::Picture::unchecked(COVER_JPG_600.to_vec())
            .pic_type(lofty::picture::PictureType::CoverFront)
            .mime_type(lofty::picture::MimeType::Jpeg)
            .build(),
    );
    lofty::file::TaggedFileExt::insert_tag(&mut tagged, tag);
    lofty::file::AudioFile::save_to_path(&tagged, path, Default::default()).unwrap();
}

/// Whether the WAV at `path` holds the patterned audio of `len` bytes, read in blocks.
fn audio_is_intact(path: &Path, len: u64) -> bool {
    let mut file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let mut header = [0u8; 44];
    file.read_exact(&mut header).unwrap();
    if &header[36..40] != b"data" {
        return false;
    }
    let mut buf = vec![0u8; 1 << 20];
    let mut at = 0u64;
    while at < len {
        let n = usize::try_from((len - at).min(buf.len() as u64)).unwrap();
        file.read_exact(&mut buf[..n]).unwrap();
        if buf[..n]
            .iter()
            .enumerate()
            .any(|(i, b)| *b != sample(at + i as u64))
        {
            return false;
        }
        at += n as u64;
    }
    true
}

fn riff_chunks(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    let mut ids = Vec::new();
    let mut at = 12;
    while at + 8 <= bytes.len() {
        ids.push(String::from_utf8_lossy(&bytes[at..at + 4]).into_owned());
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        at += 8 + size + (size & 1);
    }
    ids
}

async fn library(dir: &Path) -> (Database, ArtworkStore) {
    let db = Database::open(&dir.join("library.db")).await.unwrap();
    (db, ArtworkStore::new(dir.join("artwork")))
}

#[tokio::test]
async fn a_large_wav_is_read_and_tagged_without_holding_it_in_memory() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    let wav = music.join("Big Album").join("01 Long Take.wav");
    let len = 200 * 1024 * 1024;
    big_wav(&wav, len);
    let (db, store) = library(dir.path()).await;

    let (scanned, scan_peak) =
        peak_of(scan_folder(&db, &music, &ScanOptions::default(), |_| {})).await;
    assert_eq!(scanned.unwrap().added, 1);
    let track = &db.tracks().find_by_missing_artwork(0, 10).await.unwrap()[0];
    assert!(track.has_embedded_picture, "the cover was found");

    // The job's local source reads the cover out of the large file (only its bytes).
    let job = EnrichmentJob::new(db.clone(), EnrichmentConfig::default(), EventBus::default())
        .artwork(
            Arc::new(
                ArtworkChain::new()
                    .then(Arc::new(LocalArtwork))
                    .then(FakeArtwork::new(Latency::zero())),
            ),
            store.clone(),
        )
        .lyrics(FakeLyrics::new(Latency::zero()) as Arc<_>);
    let (result, job_peak) = peak_of(job.run(Default::default())).await;
    let result = result.unwrap();
    assert_eq!(result.progress.artwork_fetched, 1);
    let export = db.export_page(0, 10).await.unwrap();
    let artwork = export[0].artwork.as_ref().expect("artwork");
    assert_eq!(artwork.source, "embedded", "{artwork:?}");

    // Lyrics go into the file's tags; its own cover is kept.
    let options = WriteBackOptions {
        mode: WriteBackMode::Embed,
        dry_run: false,
        overwrite: false,
    };
    let (summary, write_peak) = peak_of(write_back(&db, &store, options, |_| {})).await;
    let summary = summary.unwrap();
    assert_eq!((summary.written, summary.failed), (1, 0), "{summary:?}");

    for (step, peak) in [
        ("scan", scan_peak),
        ("job", job_peak),
        ("write-back", write_peak),
    ] {
        assert!(
            peak < BUDGET,
            "{step} held {} MiB of a {} MiB file",
            peak >> 20,
            len >> 20
        );
    }
    assert!(audio_is_intact(&wav, len), "the audio bytes are unchanged");
    assert_eq!(
        riff_chunks(&wav),
        ["fmt ", "data", "id3 "],
        "one tag chunk, after the audio"
    );
    let tagged = lofty::read_from_path(&wav).unwrap();
    let tag = lofty::file::TaggedFileExt::primary_tag(&tagged).unwrap();
    assert!(
        tag.get_string(lofty::tag::ItemKey::Lyrics).is_some()
            || tag.get_string(lofty::tag::ItemKey::UnsyncLyrics).is_some()
    );
    assert_eq!(tag.pictures().len(), 1, "its own cover kept");
    db.close().await;
}

/// A front cover of `size` bytes: a real JPEG, padded.
fn huge_cover(size: usize) -> &'static [u8] {
    let mut bytes = COVER_JPG_600.to_vec();
    bytes.resize(size, 0);
    Box::leak(bytes.into_boxed_slice())
}

#[tokio::test]
async fn huge_embedded_pictures_are_found_without_being_loaded() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    let cover = huge_cover(40 * 1024 * 1024);
    // MP3s: lofty reads their ID3v2 frames as they come, so nothing but the scan's own choice
    // bounds what a picture costs. (WAV and AIFF tag chunks and FLAC blocks are bounded by
    // lofty's 16 MiB allocation limit and the format's; the unit tests of `pictures` show those
    // containers are walked the same way.)
    let files: Vec<PathBuf> = (1..=3)
        .map(|n| {
            AudioSpec::tagged(Format::Mp3, &format!("Song {n}"), "Band", "Huge Covers")
                .front_cover(cover)
                .write(music.join(format!("{n:02} Song {n}.mp3")))
        })
        .collect();
    let (db, _store) = library(dir.path()).await;
    let (scanned, peak) = peak_of(scan_folder(&db, &music, &ScanOptions::default(), |_| {})).await;
    let report = scanned.unwrap();
    assert_eq!(report.added, files.len() as u32, "{report:?}");
    assert!(peak < BUDGET, "the scan held {} MiB", peak >> 20);
    let tracks = db.tracks().find_by_missing_artwork(0, 10).await.unwrap();
    assert_eq!(tracks.len(), files.len());
    for track in &tracks {
        assert!(
            track.has_embedded_picture,
            "{}: the cover was found",
            track.path.display()
        );
    }
    db.close().await;
}

/// Ogg and MP4 tags are rewritten by lofty with the whole file in memory: a file over the
/// limit is skipped with its reason, and nothing is read into memory for it.
#[tokio::test]
async fn ogg_and_mp4_files_over_the_in_memory_limit_are_skipped_with_the_reason() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    let files: Vec<PathBuf> = [Format::OggVorbis, Format::Opus, Format::M4aAac]
        .into_iter()
        .map(|format| {
            AudioSpec::tagged(format, "Song", "Band", "Long Ones")
                .write(music.join(format!("song.{}", format.extension())))
        })
        .collect();
    let (db, store) = library(dir.path()).await;
    scan_folder(&db, &music, &ScanOptions::default(), |_| {})
        .await
        .unwrap();
    let job = EnrichmentJob::new(db.clone(), EnrichmentConfig::default(), EventBus::default())
        .artwork(FakeArtwork::new(Latency::zero()), store.clone())
        .lyrics(FakeLyrics::new(Latency::zero()) as Arc<_>);
    job.run(Default::default()).await.unwrap();
    // Each file grows past the limit (sparse: no disk is used).
    for file in &files {
        std::fs::OpenOptions::new()
            .write(true)
            .open(file)
            .unwrap()
            .set_len(200 * 1024 * 1024)
            .unwrap();
    }
    let options = WriteBackOptions {
        mode: WriteBackMode::Embed,
        dry_run: false,
        overwrite: false,
    };
    let mut items = Vec::new();
    let (summary, peak) = peak_of(write_back(&db, &store, options, |item| {
        items.push(item.clone())
    }))
    .await;
    let summary = summary.unwrap();
    assert_eq!((summary.written, summary.skipped), (0, 6), "{items:#?}");
    for item in &items {
        assert!(
            matches!(&item.outcome, ItemOutcome::Skipped { reason } if reason.contains("limit")),
            "{item:?}"
        );
    }
    assert!(peak < BUDGET, "write-back held {} MiB", peak >> 20);
    db.close().await;
}

/// Many workers finding huge (but legal) covers at once decode them one budget's worth at a
/// time: the decoded bitmaps held at once stay within the process's decode budget, whatever
/// the concurrency. (A 6,000 x 6,000 grey PNG: 100 KB to download, 36 MB decoded.)
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_huge_covers_are_decoded_within_the_budget() {
    use gatefold_engine::ArtworkService;
    use gatefold_engine::providers::deezer::Deezer;
    use gatefold_testkit::providers::{album_request, loopback_client};
    use wiremock::matchers::path;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let _alone = ONE_AT_A_TIME.lock().await;
    let mut png = Vec::new();
    image::ImageBuffer::<image::Luma<u8>, _>::from_pixel(6000, 6000, image::Luma([128u8]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let server = MockServer::start().await;
    Mock::given(path("/giant.png"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "image/png")
                .set_body_bytes(png),
        )
        .mount(&server)
        .await;
    Mock::given(path("/search/album"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": [{"title": "Album", "artist": {"name": "Artist"},
                      "cover_xl": format!("{}/giant.png", server.uri())}],
            "total": 1
        })))
        .mount(&server)
        .await;
    let deezer = Arc::new(Deezer::new(
        loopback_client("deezer", &server.uri(), 1000.0, &[]),
        loopback_client("deezer images", &server.uri(), 1000.0, &[]),
    ));
    let (found, peak) = peak_of(async {
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let deezer = Arc::clone(&deezer);
            workers.spawn(async move {
                deezer
                    .fetch_artwork(&album_request("Album", "Artist"))
                    .await
            });
        }
        let mut found = 0;
        while let Some(answer) = workers.join_next().await {
            let art = answer.unwrap().unwrap().expect("found");
            assert_eq!((art.width, art.height), (6000, 6000));
            found += 1;
        }
        found
    })
    .await;
    assert_eq!(found, 16);
    let decoded = 6000 * 6000;
    assert!(
        peak < 3 * decoded,
        "{} MiB held at once for 16 covers of {} MiB decoded each",
        peak >> 20,
        decoded >> 20
    );
}
