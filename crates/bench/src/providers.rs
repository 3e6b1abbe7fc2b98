//! The providers benchmark, in three parts.
//!
//! 1. **A 1,000-track library** (100 albums of 10) enriched at default settings against every
//!    provider's loopback fake. The fakes answer after a lognormal time (median 80 ms, p99
//!    1.5 s) and enforce each service's published limit as a sliding window (MusicBrainz 1/s,
//!    iTunes 20 a minute, Deezer 50 per 5 s, LRCLIB a polite 5/s), counting every request over
//!    it. The library is not kind: half the albums carry no MusicBrainz id, about 27 % of the
//!    tracks are unknown to LRCLIB and 7 % are filed there under another album name, and
//!    decoys (the same title by another artist, the right title 10 s longer, an album of the
//!    same name by another band) wait in every catalogue.
//! 2. **A self-hosted LRCLIB** (50 ms per answer, no limit) asked at `--rate lrclib=1000
//!    --in-flight lrclib=16`: requests per second against the 320/s those settings allow.
//! 3. **A projection to 10,000 albums / 100,000 tracks** at default pacing: each provider's
//!    floor from the requests part 1 made per album and per track, the limit that binds, and
//!    the time part 1's distance from its floor projects.
//!
//! The floor: a provider that must answer `n` requests at its published rate `r` needs at least
//! `(n - 1) / r` seconds; the job can finish no sooner than its busiest provider does.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use gatefold_engine::enrich::{ArtworkStore, JobControl};
use gatefold_engine::http::Http;
use gatefold_engine::providers::settings;
use gatefold_engine::{
    Database, EnrichmentConfig, EnrichmentJob, EventBus, LyricsStatus, ScanOptions, scan_folder,
};
use gatefold_testkit::servers::coverart::FakeRelease;
use gatefold_testkit::servers::deezer::DeezerAlbum;
use gatefold_testkit::servers::itunes::ItunesAlbum;
use gatefold_testkit::servers::lrclib::{FakeLrclib, LrcRecord};
use gatefold_testkit::servers::{Catalogue, FakeProviders};
use gatefold_testkit::{AudioSpec, COVER_JPG_600, Format};

const ALBUMS: usize = 100;
const TRACKS: usize = 10;

/// Where each album's artwork is to be found, by the album's rank (see [`rank`]): (first rank,
/// last rank, where).
const GROUPS: &[(usize, usize, &str)] = &[
    (0, 49, "tagged release id: Cover Art Archive"),
    (50, 84, "no id: MusicBrainz search, then Cover Art Archive"),
    (85, 93, "no id: iTunes only"),
    (94, 97, "no id: Deezer only"),
    (98, 99, "no id: nowhere"),
];

/// An album's rank in [`GROUPS`]: a fixed shuffle, because a real library is not sorted by
/// where its artwork is found (the albums only iTunes knows are spread through it).
fn rank(album: usize) -> usize {
    (album * 37) % ALBUMS
}

/// What LRCLIB knows of a track.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lyrics {
    /// Filed under the track's own album.
    Known,
    /// Filed under another album name (a single, a compilation).
    OtherAlbum,
    /// Nothing.
    Unknown,
}

/// A fixed spread over the library: 27 % unknown, 7 % under another album name.
fn lyrics_of(album: usize, track: usize) -> Lyrics {
    match (album * TRACKS + track) * 37 % 100 {
        0..27 => Lyrics::Unknown,
        27..34 => Lyrics::OtherAlbum,
        _ => Lyrics::Known,
    }
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
        // A decoy in every artwork catalogue: an album of the same name by another band.
        let decoy = format!("Other Band {a}");
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
        if a % 10 == 0 {
            c.itunes.push(ItunesAlbum {
                collection: album.clone(),
                artist: decoy.clone(),
                sizes: vec![600],
            });
            c.deezer.push(DeezerAlbum {
                title: album.clone(),
                artist: decoy,
            });
        }
        for t in 1..=TRACKS {
            let (title, artist, album) = names(a, t);
            match lyrics_of(a, t) {
                Lyrics::Known => c
                    .lyrics
                    .push(LrcRecord::synced(&title, &artist, &album, 1.0)),
                Lyrics::OtherAlbum => c.lyrics.push(LrcRecord::synced(
                    &title,
                    &artist,
                    &format!("{title} (Single)"),
                    1.0,
                )),
                Lyrics::Unknown => {}
            }
            // Decoys: the title by another artist, and the title 10 s longer.
            if t == 3 {
                c.lyrics
                    .push(LrcRecord::synced(&title, "Someone Else", &album, 1.0));
                c.lyrics
                    .push(LrcRecord::synced(&title, &artist, "Live Bootleg", 11.0));
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
    let measured = runtime.block_on(run(work.path(), &music))?;
    let self_hosted = runtime.block_on(self_hosted(work.path()))?;
    project(&measured);
    if self_hosted < 0.9 * 320.0 {
        bail!("a self-hosted LRCLIB got {self_hosted:.0} requests/s, under 90 % of 320");
    }
    Ok(())
}

struct Provider {
    name: &'static str,
    requests: usize,
    violations: usize,
    /// The published rate, requests per second.
    rate: f64,
    /// How people say the rate.
    pace: &'static str,
    /// Whether it is asked per album (artwork) rather than per track (lyrics).
    per_album: bool,
}

/// What part 1 measured, for the projection.
struct Measured {
    providers: Vec<Provider>,
    elapsed: f64,
    floor: f64,
}

async fn run(work: &Path, music: &Path) -> Result<Measured> {
    let db = Database::open(&work.join("library.db")).await?;
    scan_folder(&db, music, &ScanOptions::default(), |_| {}).await?;
    let fakes = FakeProviders::start(catalogue()).await;
    fakes.set_latency(Duration::from_millis(80), Duration::from_millis(1500));
    // The services' published limits, enforced by the fakes (MusicBrainz's 1/s always is).
    fakes.lrclib.rate().limit(5, Duration::from_secs(1));
    fakes.itunes.rate().limit(20, Duration::from_secs(60));
    fakes.deezer.rate().limit(50, Duration::from_secs(5));

    let mut providers = settings::defaults();
    for (name, url) in fakes.urls() {
        settings::set_url(&mut providers, name, &url)?;
    }
    let http = Http::new()?;
    let config = EnrichmentConfig::default();
    let services = settings::build(&http, &providers, config.operation_timeout())?;
    let mut job = EnrichmentJob::new(db.clone(), config, EventBus::default())
        .artwork(
            Arc::new(services.artwork),
            ArtworkStore::new(work.join("artwork")),
        )
        .count_requests(http.stats());
    if let Some(lyrics) = services.lyrics {
        job = job.lyrics(lyrics);
    }
    let start = Instant::now();
    let result = job.run(JobControl::default()).await?;
    let elapsed = start.elapsed().as_secs_f64();
    let summary = db.summary().await?;

    let coverart = fakes.coverart.requests();
    let count = |prefix: &str| coverart.iter().filter(|r| r.starts_with(prefix)).count();
    let list = vec![
        Provider {
            name: "musicbrainz",
            requests: count("mb "),
            violations: fakes.coverart.musicbrainz_rate().violations(),
            rate: 1.0,
            pace: "1 per second",
            per_album: true,
        },
        Provider {
            name: "deezer",
            requests: fakes.deezer.rate().requests(),
            violations: fakes.deezer.rate().violations(),
            rate: 50.0 / 5.0,
            pace: "50 per 5 seconds",
            per_album: true,
        },
        Provider {
            name: "itunes",
            requests: fakes.itunes.rate().requests(),
            violations: fakes.itunes.rate().violations(),
            rate: 20.0 / 60.0,
            pace: "20 per minute",
            per_album: true,
        },
        Provider {
            name: "lrclib",
            requests: fakes.lrclib.rate().requests(),
            violations: fakes.lrclib.rate().violations(),
            rate: 5.0,
            pace: "5 per second",
            per_album: false,
        },
    ];
    let floor = list
        .iter()
        .map(|p| p.requests.saturating_sub(1) as f64 / p.rate)
        .fold(0.0, f64::max);
    let violations: usize = list.iter().map(|p| p.violations).sum();
    let tracks = ALBUMS * TRACKS;

    println!(
        "providers: {tracks} tracks in {ALBUMS} albums, default settings, against loopback fakes \
         answering in a lognormal time (median 80 ms, p99 1.5 s) and enforcing the published limits"
    );
    for (first, last, what) in GROUPS {
        println!(
            "  {} albums, spread through the library: artwork {what}",
            last - first + 1
        );
    }
    println!(
        "  lyrics: 27 % of the tracks unknown to LRCLIB, 7 % filed under another album name; \
         decoys in every catalogue"
    );
    println!(
        "  {:<16} {:>18} {:>8} {:>10} {:>10} {:>10} {:>9}",
        "provider", "published limit", "requests", "per album", "per track", "violations", "floor"
    );
    for p in &list {
        println!(
            "  {:<16} {:>18} {:>8} {:>10.2} {:>10.3} {:>10} {:>8.1}s",
            p.name,
            p.pace,
            p.requests,
            p.requests as f64 / ALBUMS as f64,
            p.requests as f64 / tracks as f64,
            p.violations,
            p.requests.saturating_sub(1) as f64 / p.rate,
        );
    }
    println!(
        "  {:<16} {:>18} {:>8} {:>10.2} {:>10.3} {:>10} {:>9}",
        "coverartarchive",
        "(a redirector)",
        count("caa "),
        count("caa ") as f64 / ALBUMS as f64,
        count("caa ") as f64 / tracks as f64,
        "-",
        "-"
    );
    let lyrics_per_track = fakes.lrclib.rate().requests() as f64 / tracks as f64;
    let over = elapsed / floor - 1.0;
    println!(
        "  elapsed {elapsed:.1} s (target: at most 100 s); floor from the limits {floor:.1} s; \
         {:+.1} % over it (target: within 10 %)",
        over * 100.0
    );
    let lyrics_found = summary
        .lyrics
        .get(&LyricsStatus::Available)
        .copied()
        .unwrap_or(0);
    println!(
        "  rate-limit violations: {violations} (target: 0); LRCLIB {lyrics_per_track:.3} \
         requests per track (target: at most 0.45); artwork for {} of {tracks} tracks, lyrics for {lyrics_found}",
        tracks as u32 - summary.artwork_missing,
    );
    let expected_artwork = (tracks - 2 * TRACKS) as u32;
    let expected_lyrics = (1..ALBUMS * TRACKS + 1)
        .filter(|i| lyrics_of((i - 1) / TRACKS, (i - 1) % TRACKS + 1) != Lyrics::Unknown)
        .count() as u32;
    if result.has_failures() {
        bail!("some operations failed");
    }
    if tracks as u32 - summary.artwork_missing != expected_artwork {
        bail!("expected artwork for {expected_artwork} tracks");
    }
    // Each album's artwork from where it is, never from a decoy.
    let by = |source: &str| result.found_by.artwork.get(source).copied().unwrap_or(0);
    let expected = [
        ("coverartarchive", 85 * TRACKS),
        ("itunes", 9 * TRACKS),
        ("deezer", 4 * TRACKS),
    ];
    for (source, n) in expected {
        if by(source) as usize != n {
            bail!(
                "expected artwork from {source} for {n} tracks, got {:?}",
                result.found_by.artwork
            );
        }
    }
    if lyrics_found != expected_lyrics {
        bail!("expected lyrics for {expected_lyrics} tracks, found {lyrics_found}");
    }
    if violations > 0 {
        bail!("{violations} rate-limit violations");
    }
    db.close().await;
    Ok(Measured {
        providers: list,
        elapsed,
        floor,
    })
}

/// Part 2: requests per second from a self-hosted LRCLIB answering in 50 ms, at
/// `--rate lrclib=1000 --in-flight lrclib=16`; returns the rate reached.
async fn self_hosted(work: &Path) -> Result<f64> {
    const ALBUMS: usize = 1000;
    let music = work.join("self-hosted");
    // Albums of two tracks LRCLIB does not know: one track search each, nothing else.
    for a in 0..ALBUMS {
        for t in 1..=2 {
            AudioSpec::tagged(
                Format::Mp3,
                &format!("Tune {t} of Set {a}"),
                &format!("Player {a}"),
                &format!("Set {a}"),
            )
            .write(music.join(format!("{a}")).join(format!("{t}.mp3")));
        }
    }
    let db = Database::open(&work.join("self-hosted.db")).await?;
    scan_folder(&db, &music, &ScanOptions::default(), |_| {}).await?;
    let fake = FakeLrclib::start(Vec::new(), "").await;
    fake.set_delay(Duration::from_millis(50));
    let mut providers = settings::defaults();
    settings::set_url(&mut providers, "lrclib", &fake.uri())?;
    settings::set_rate(&mut providers, "lrclib", "1000")?;
    settings::set_in_flight(&mut providers, "lrclib", "16")?;
    let config = EnrichmentConfig::builder().enable_artwork(false).build()?;
    let services = settings::build(&Http::new()?, &providers, config.operation_timeout())?;
    let Some(lyrics) = services.lyrics else {
        bail!("LRCLIB is off");
    };
    let job = EnrichmentJob::new(db.clone(), config, EventBus::default()).lyrics(lyrics);
    let start = Instant::now();
    job.run(JobControl::default()).await?;
    let elapsed = start.elapsed().as_secs_f64();
    let rate = fake.request_count() as f64 / elapsed;
    println!(
        "self-hosted LRCLIB (50 ms per answer) at --rate lrclib=1000 --in-flight lrclib=16: \
         {} requests in {elapsed:.1} s, {rate:.0} per second (16 / 50 ms allows 320; target: \
         at least 90 %, 288)",
        fake.request_count()
    );
    db.close().await;
    Ok(rate)
}

/// Part 3: 10,000 albums / 100,000 tracks at default pacing, from part 1's requests.
fn project(measured: &Measured) {
    const SCALE: f64 = 100.0;
    println!(
        "projection: 10,000 albums / 100,000 tracks at default pacing, from the requests above"
    );
    let mut binding: Option<(&str, f64)> = None;
    for p in &measured.providers {
        let requests = p.requests as f64 * SCALE;
        let floor = requests / p.rate;
        println!(
            "  {:<16} {:>9.0} requests ({} {}) at {:<18} floor {:>5.2} h",
            p.name,
            requests,
            if p.per_album {
                format!("{:.2}", p.requests as f64 / ALBUMS as f64)
            } else {
                format!("{:.3}", p.requests as f64 / (ALBUMS * TRACKS) as f64)
            },
            if p.per_album {
                "per album"
            } else {
                "per track"
            },
            p.pace,
            floor / 3600.0
        );
        if binding.is_none_or(|(_, f)| floor > f) {
            binding = Some((p.name, floor));
        }
    }
    if let Some((name, floor)) = binding {
        let ratio = measured.elapsed / measured.floor;
        println!(
            "  binding limit: {name}; floor {:.2} h; at part 1's {:+.1} % over its floor: \
             {:.2} h (target: under 3 h, within 10 % of the floor)",
            floor / 3600.0,
            (ratio - 1.0) * 100.0,
            floor * ratio / 3600.0
        );
    }
}
