//! The enrichment job benchmark: fake services with injected latency, real time.
//!
//! The parent prepares libraries once (generated audio, scanned), then runs every measurement in
//! a child process (`gatefold-bench job-worker`) on a fresh copy of the library, so each starts
//! from the same state and reports its own peak RSS.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use gatefold_engine::enrich::{AlbumRequest, ArtworkService, ArtworkStore, JobControl};
use gatefold_engine::{
    Database, EnrichmentConfig, EnrichmentJob, EventBus, ScanOptions, TrackRepository, scan_folder,
};
use gatefold_testkit::Format;
use gatefold_testkit::fakes::{FakeArtwork, FakeLyrics, Latency};
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// A measurement, as the worker prints it.
#[derive(Debug, Clone, clap::Args)]
pub struct WorkerArgs {
    #[arg(long)]
    pub db: PathBuf,
    /// `fixed:MS` or `lognormal:MEDIAN_MS:P99_MS`
    #[arg(long)]
    pub latency: String,
    #[arg(long)]
    pub max_concurrent: u32,
    #[arg(long, default_value_t = 50)]
    pub batch_size: u32,
    /// `job` (Gatefold's scheduler) or `barrier` (the seed's: each batch waits for its slowest).
    #[arg(long)]
    pub schedule: String,
    /// Also fetch lyrics (a second operation per album).
    #[arg(long)]
    pub lyrics: bool,
}

fn parse_latency(spec: &str) -> Result<Latency> {
    let parts: Vec<&str> = spec.split(':').collect();
    match parts.as_slice() {
        ["fixed", ms] => Ok(Latency::Fixed(Duration::from_millis(ms.parse()?))),
        ["lognormal", median, p99] => Ok(Latency::LogNormal {
            median: Duration::from_millis(median.parse()?),
            p99: Duration::from_millis(p99.parse()?),
            seed: 20_261_124,
        }),
        _ => bail!("latency must be fixed:MS or lognormal:MEDIAN:P99, got {spec}"),
    }
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Runs one measurement and prints it as JSON.
pub fn worker(args: &WorkerArgs) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let value = runtime.block_on(async {
        let db = Database::open(&args.db).await?;
        let latency = parse_latency(&args.latency)?;
        let art = FakeArtwork::new(latency.clone());
        let lyrics = FakeLyrics::new(latency);
        let tracks = db.tracks().count().await?;
        let start = Instant::now();
        let processed = match args.schedule.as_str() {
            "job" => {
                let config = EnrichmentConfig::builder()
                    .max_concurrent(args.max_concurrent)
                    .batch_size(args.batch_size)
                    .enable_lyrics(args.lyrics)
                    .build()?;
                let store = ArtworkStore::new(args.db.with_extension("artwork"));
                let mut job = EnrichmentJob::new(db.clone(), config, EventBus::default())
                    .artwork(art.clone(), store);
                if args.lyrics {
                    job = job.lyrics(lyrics.clone());
                }
                u64::from(
                    job.run(JobControl::default())
                        .await?
                        .progress
                        .processed_tracks,
                )
            }
            "barrier" => barrier(&db, art.clone(), args.batch_size, args.max_concurrent).await?,
            other => bail!("unknown schedule {other}"),
        };
        let elapsed = start.elapsed().as_secs_f64();
        db.close().await;
        anyhow::Ok(json!({
            "tracks": tracks,
            "processed": processed,
            "elapsed_s": elapsed,
            "tracks_per_s": processed as f64 / elapsed,
            "requests": art.meter.call_count() + lyrics.meter.call_count(),
            "max_in_flight": art.meter.max_in_flight(),
            "peak_rss_mib": peak_rss_mib(),
        }))
    })?;
    #[allow(clippy::print_stdout)]
    {
        println!("{value}");
    }
    Ok(())
}

/// The seed's schedule: read a batch, run it with at most `max_concurrent` at once, wait for the
/// whole batch, then the next. (It stores nothing, so it is, if anything, flattered.)
async fn barrier(
    db: &Database,
    art: Arc<FakeArtwork>,
    batch: u32,
    max_concurrent: u32,
) -> Result<u64> {
    let permits = Arc::new(Semaphore::new(max_concurrent as usize));
    let repo = db.tracks();
    let mut after = 0;
    let mut processed = 0;
    loop {
        let page = repo.find_by_missing_artwork(after, batch).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let mut running = JoinSet::new();
        for track in page {
            let (art, permits) = (Arc::clone(&art), Arc::clone(&permits));
            running.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let request = AlbumRequest {
                    album_id: track.album_id,
                    title: track.album.clone(),
                    album_artist: track.album_artist.clone(),
                    mb_release_id: None,
                    tracks: vec![track],
                };
                let _ = art.fetch_artwork(&request).await;
            });
        }
        while running.join_next().await.is_some() {
            processed += 1;
        }
    }
    Ok(processed)
}

/// Generates and scans a library once (reused by later runs), returns its database.
fn prepare(work: &Path, name: &str, albums: usize, per_album: usize) -> Result<PathBuf> {
    let music = work.join(format!("{name}-music"));
    let db = work.join(format!("{name}.db"));
    if db.exists() && music.exists() {
        println!("reusing {}", db.display());
        return Ok(db);
    }
    let _ = std::fs::remove_dir_all(&music);
    let start = Instant::now();
    let n = gatefold_testkit::library::bulk_library_of(&music, albums, per_album, &[Format::Mp3]);
    strip(&music)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let database = Database::open(&db).await?;
        scan_folder(&database, &music, &ScanOptions::default(), |_| {}).await?;
        database.close().await;
        anyhow::Ok(())
    })?;
    println!(
        "prepared {name}: {n} tracks in {albums} albums in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(db)
}

/// Removes the sidecars and covers of a bulk library: the job bench wants everything missing.
fn strip(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            strip(&path)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("lrc" | "jpg")
        ) {
            std::fs::remove_file(path)?;
        }
    }
    Ok(())
}

fn run_worker(exe: &Path, db: &Path, work: &Path, extra: &[&str]) -> Result<Value> {
    let copy = work.join("run.db");
    for stale in ["run.db", "run.db-wal", "run.db-shm"] {
        let _ = std::fs::remove_file(work.join(stale));
    }
    let _ = std::fs::remove_dir_all(work.join("run.artwork"));
    std::fs::copy(db, &copy).with_context(|| format!("copying {}", db.display()))?;
    let out = Command::new(exe)
        .arg("job-worker")
        .arg("--db")
        .arg(&copy)
        .args(extra)
        .output()?;
    if !out.status.success() {
        bail!("worker failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let line = String::from_utf8(out.stdout)?;
    Ok(serde_json::from_str(line.trim())?)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

/// The whole job benchmark.
#[allow(clippy::print_stdout)]
pub fn bench(work: &Path, tracks: usize, barrier_tracks: usize) -> Result<()> {
    std::fs::create_dir_all(work)?;
    let exe = std::env::current_exe()?;
    let single = prepare(work, &format!("single-{tracks}"), tracks, 1)?;
    let barrier_db = prepare(work, &format!("single-{barrier_tracks}"), barrier_tracks, 1)?;
    let conc = "16";

    println!();
    println!(
        "enrichment job, fake services, real time, max_concurrent 16, artwork only, one track per album:"
    );
    let bound_fixed = 16.0 / 0.050;
    let fixed = run_worker(
        &exe,
        &single,
        work,
        &[
            "--latency",
            "fixed:50",
            "--max-concurrent",
            conc,
            "--schedule",
            "job",
        ],
    )?;
    let rate = fixed["tracks_per_s"].as_f64().unwrap_or(0.0);
    println!(
        "  latency 50 ms, {} tracks:            {:>6.1} tracks/s = {:>5.1} % of the bound {bound_fixed:.0}/s (target >= 90 %)  {}",
        fixed["processed"],
        rate,
        rate / bound_fixed * 100.0,
        verdict(rate >= 0.9 * bound_fixed)
    );
    let fixed_barrier = run_worker(
        &exe,
        &barrier_db,
        work,
        &[
            "--latency",
            "fixed:50",
            "--max-concurrent",
            conc,
            "--schedule",
            "barrier",
        ],
    )?;
    let b = fixed_barrier["tracks_per_s"].as_f64().unwrap_or(0.0);
    println!(
        "    seed's batch barrier, {} tracks:    {:>6.1} tracks/s = {:>5.1} % of the bound",
        fixed_barrier["processed"],
        b,
        b / bound_fixed * 100.0
    );

    // Log-normal with median m and p99 q: sigma = ln(q/m) / z(0.99); mean = m * exp(sigma^2 / 2).
    let sigma = (1000.0f64 / 50.0).ln() / 2.326_348;
    let mean = 0.050 * (sigma * sigma / 2.0).exp();
    let bound_tail = 16.0 / mean;
    let tail = run_worker(
        &exe,
        &single,
        work,
        &[
            "--latency",
            "lognormal:50:1000",
            "--max-concurrent",
            conc,
            "--schedule",
            "job",
        ],
    )?;
    let rate = tail["tracks_per_s"].as_f64().unwrap_or(0.0);
    println!(
        "  latency log-normal (median 50 ms, p99 1 s, mean {:.0} ms): {:>6.1} tracks/s = {:>5.1} % of the bound {bound_tail:.0}/s (target >= 80 %)  {}",
        mean * 1000.0,
        rate,
        rate / bound_tail * 100.0,
        verdict(rate >= 0.8 * bound_tail)
    );
    let tail_barrier = run_worker(
        &exe,
        &barrier_db,
        work,
        &[
            "--latency",
            "lognormal:50:1000",
            "--max-concurrent",
            conc,
            "--schedule",
            "barrier",
        ],
    )?;
    let b = tail_barrier["tracks_per_s"].as_f64().unwrap_or(0.0);
    println!(
        "    seed's batch barrier, {} tracks:    {:>6.1} tracks/s = {:>5.1} % of the bound",
        tail_barrier["processed"],
        b,
        b / bound_tail * 100.0
    );
    println!(
        "  peak in flight: {} (max_concurrent 16)",
        tail["max_in_flight"]
    );

    Ok(())
}

/// The zero-latency run (artwork and lyrics, 10 tracks per album) at `small` and at `big`
/// tracks: its speed, and whether the job's memory stays flat as the library grows (it reads
/// page by page and keeps counts, not a record per track).
pub fn memory(work: &Path, small: usize, big: usize) -> Result<()> {
    std::fs::create_dir_all(work)?;
    let exe = std::env::current_exe()?;
    println!();
    println!(
        "enrichment job, zero latency, artwork and lyrics, 10 tracks per album, max_concurrent 16:"
    );
    let mut peaks = Vec::new();
    for tracks in [small, big] {
        let library = prepare(work, &format!("many-{tracks}"), tracks / 10, 10)?;
        let run = run_worker(
            &exe,
            &library,
            work,
            &[
                "--latency",
                "fixed:0",
                "--max-concurrent",
                "16",
                "--schedule",
                "job",
                "--lyrics",
                "--batch-size",
                "500",
            ],
        )?;
        let rate = run["tracks_per_s"].as_f64().unwrap_or(0.0);
        let rss = run["peak_rss_mib"].as_f64().unwrap_or(f64::MAX);
        println!(
            "  {} tracks: {:.0} tracks/s (target >= 5000) {}, peak RSS {:.1} MiB (target < 200 MB) {}",
            run["processed"],
            rate,
            verdict(rate >= 5000.0),
            rss,
            verdict(rss * 1.048_576 < 200.0)
        );
        peaks.push(rss);
    }
    if let [small_peak, big_peak] = peaks[..] {
        let growth = (big_peak / small_peak - 1.0) * 100.0;
        println!(
            "  peak RSS at {big} tracks is {growth:+.1} % of the peak at {small} (target within 10 %) {}",
            verdict(growth.abs() <= 10.0)
        );
    }
    Ok(())
}
