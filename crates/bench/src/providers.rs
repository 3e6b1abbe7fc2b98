//! The providers benchmark: a 1,000-track library (100 albums of 10) enriched against every
//! provider's loopback fake, each fake enforcing its service's published limit as a sliding
//! window (MusicBrainz 1/s, iTunes 20/min, Deezer 50/5 s, LRCLIB a polite 5/s) and counting
//! every request over it. Real time, default settings.
//!
//! The floor: a provider that must answer `n` requests at its published rate `r` needs at least
//! `(n - 1) / r` seconds; the job can finish no sooner than its busiest provider does.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use gatefold_engine::enrich::{ArtworkStore, JobControl};
use gatefold_engine::http::Http;
use gatefold_engine::providers::settings;
use gatefold_engine::{
    Database, EnrichmentConfig, EnrichmentJob, EventBus, ScanOptions, scan_folder,
};
use gatefold_testkit::servers::coverart::FakeRelease;
use gatefold_testkit::servers::deezer::DeezerAlbum;
use gatefold_testkit::servers::itunes::ItunesAlbum;
use gatefold_testkit::servers::lrclib::LrcRecord;
use gatefold_testkit::servers::{Catalogue, FakeProviders};
use gatefold_testkit::{AudioSpec, COVER_JPG_600, Format};

const ALBUMS: usize = 100;
const TRACKS: usize = 10;

/// Where each album's artwork is to be found, by the album's rank (see [`rank`]): (first rank,
/// last rank, where).
const GROUPS: &[(usize, usize, &str)] = &[
    (0, 49, "tagged release id: Cover Art Archive"),
    (50, 84, "MusicBrainz search, then Cover Art Archive"),
    (85, 93, "iTunes only"),
    (94, 97, "Deezer only"),
    (98, 99, "nowhere"),
];
/// LRCLIB knows every track of the albums ranked below this (see [`lyrics_rank`]); none of the
/// others.
const LYRICS_KNOWN_BELOW: usize = 95;

/// An album's rank in [`GROUPS`]: a fixed shuffle, because a real library is not sorted by
/// where its artwork is found (the albums only iTunes knows are spread through it).
fn rank(album: usize) -> usize {
    (album * 37) % ALBUMS
}

/// Likewise for lyrics.
fn lyrics_rank(album: usize) -> usize {
    (album * 61 + 7) % ALBUMS
}

fn mbid(album: usize) -> String {
    format!("{album:08}-0000-4000-8000-000000000000")
}

fn names(album: usize, track: usize) -> (String, String, String) {
    (
        format!("Song {track} of Record {album}"),
        format!("Band {album}"),
        format!("Record {album}"),
    )
}

fn catalogue() -> Catalogue {
    let mut c = Catalogue::default();
    for a in 0..ALBUMS {
        let (_, artist, album) = names(a, 1);
        let r = rank(a);
        if r < 85 {
            c.releases.push(FakeRelease {
                id: mbid(a),
                title: album.clone(),
                artist: artist.clone(),
                front: Some(COVER_JPG_600.to_vec()),
                with_back: false,
            });
        } else if r < 94 {
            c.itunes.push(ItunesAlbum {
                collection: album.clone(),
                artist: artist.clone(),
                sizes: vec![1200, 600],
            });
        } else if r < 98 {
            c.deezer.push(DeezerAlbum {
                title: album.clone(),
                artist: artist.clone(),
            });
        }
        if lyrics_rank(a) < LYRICS_KNOWN_BELOW {
            for t in 1..=TRACKS {
                let (title, artist, album) = names(a, t);
                c.lyrics
                    .push(LrcRecord::synced(&title, &artist, &album, 1.0));
            }
        }
    }
    c
}

fn library(root: &Path) {
    for a in 0..ALBUMS {
        for t in 1..=TRACKS {
            let (title, artist, album) = names(a, t);
            let mut spec = AudioSpec::tagged(Format::Mp3, &title, &artist, &album)
                .track(u32::try_from(t).unwrap_or(0));
            if rank(a) < 50 {
                spec = spec.mb_release_id(&mbid(a));
            }
            spec.write(root.join(&album).join(format!("{t:02}.mp3")));
        }
    }
}

/// Runs the benchmark and prints its figures.
pub fn bench() -> Result<()> {
    let work = tempfile::tempdir()?;
    let music = work.path().join("music");
    library(&music);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(work.path(), &music))
}

struct Provider {
    name: &'static str,
    requests: usize,
    violations: usize,
    /// The published rate, requests per second.
    rate: f64,
}

async fn run(work: &Path, music: &Path) -> Result<()> {
    let db = Database::open(&work.join("library.db")).await?;
    scan_folder(&db, music, &ScanOptions::default(), |_| {}).await?;
    let fakes = FakeProviders::start(catalogue()).await;
    // The services' published limits, enforced by the fakes (MusicBrainz's 1/s always is).
    fakes.lrclib.rate().limit(5, Duration::from_secs(1));
    fakes.itunes.rate().limit(20, Duration::from_secs(60));
    fakes.deezer.rate().limit(50, Duration::from_secs(5));

    let mut providers = settings::defaults();
    for (name, url) in fakes.urls() {
        settings::set_url(&mut providers, name, &url)?;
    }
    let services = settings::build(
        &Http::new()?,
        &providers,
        gatefold_engine::EnrichmentConfig::default().operation_timeout(),
    )?;
    let mut job = EnrichmentJob::new(db.clone(), EnrichmentConfig::default(), EventBus::default())
        .artwork(
            std::sync::Arc::new(services.artwork),
            ArtworkStore::new(work.join("artwork")),
        );
    if let Some(lyrics) = services.lyrics {
        job = job.lyrics(lyrics);
    }
    let start = Instant::now();
    let result = job.run(JobControl::default()).await?;
    let elapsed = start.elapsed().as_secs_f64();
    let summary = db.summary().await?;

    let mb_requests = fakes
        .coverart
        .requests()
        .iter()
        .filter(|r| r.starts_with("mb "))
        .count();
    let caa_requests = fakes
        .coverart
        .requests()
        .iter()
        .filter(|r| r.starts_with("caa "))
        .count();
    let list = [
        Provider {
            name: "musicbrainz",
            requests: mb_requests,
            violations: fakes.coverart.musicbrainz_rate().violations(),
            rate: 1.0,
        },
        Provider {
            name: "itunes",
            requests: fakes.itunes.rate().requests(),
            violations: fakes.itunes.rate().violations(),
            rate: 20.0 / 60.0,
        },
        Provider {
            name: "deezer",
            requests: fakes.deezer.rate().requests(),
            violations: fakes.deezer.rate().violations(),
            rate: 50.0 / 5.0,
        },
        Provider {
            name: "lrclib",
            requests: fakes.lrclib.rate().requests(),
            violations: fakes.lrclib.rate().violations(),
            rate: 5.0,
        },
    ];
    let floor = list
        .iter()
        .map(|p| p.requests.saturating_sub(1) as f64 / p.rate)
        .fold(0.0, f64::max);
    let violations: usize = list.iter().map(|p| p.violations).sum();
    let tracks = ALBUMS * TRACKS;

    println!(
        "providers: {tracks} tracks in {ALBUMS} albums against loopback fakes enforcing the published limits"
    );
    for (first, last, what) in GROUPS {
        println!(
            "  {} albums, spread through the library: artwork {what}",
            last - first + 1
        );
    }
    println!(
        "  lyrics: LRCLIB knows every track of {LYRICS_KNOWN_BELOW} albums, nothing of the others"
    );
    println!(
        "  {:<14} {:>8} {:>10} {:>10} {:>10}",
        "provider", "requests", "per album", "per track", "violations"
    );
    for p in &list {
        println!(
            "  {:<14} {:>8} {:>10.2} {:>10.3} {:>10}",
            p.name,
            p.requests,
            p.requests as f64 / ALBUMS as f64,
            p.requests as f64 / tracks as f64,
            p.violations
        );
    }
    println!(
        "  {:<14} {:>8} {:>10.2} {:>10.3} {:>10}",
        "coverartarchive",
        caa_requests,
        caa_requests as f64 / ALBUMS as f64,
        caa_requests as f64 / tracks as f64,
        "-"
    );
    let over = elapsed / floor - 1.0;
    println!(
        "  elapsed {elapsed:.1} s; floor from the limits {floor:.1} s; {:+.1} % over it (target: within 10 %)",
        over * 100.0
    );
    println!(
        "  rate-limit violations: {violations} (target: 0); artwork for {} of {tracks} tracks, lyrics {} available",
        tracks as u32 - summary.artwork_missing,
        summary
            .lyrics
            .get(&gatefold_engine::LyricsStatus::Available)
            .copied()
            .unwrap_or(0)
    );
    let expected_artwork = (tracks - 2 * TRACKS) as u32;
    if result.has_failures() {
        bail!("some operations failed");
    }
    if tracks as u32 - summary.artwork_missing != expected_artwork {
        bail!("expected artwork for {expected_artwork} tracks");
    }
    if violations > 0 {
        bail!("{violations} rate-limit violations");
    }
    db.close().await;
    Ok(())
}
