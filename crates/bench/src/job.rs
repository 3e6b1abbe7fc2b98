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

/// A field of `/proc/self/status` as its number (kB for the memory fields, a count for
/// `Threads`), 0 when unreadable.
fn status_field(status: &str, field: &str) -> f64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or(0.0)
}

/// Samples the process's memory by kind while a run lasts, so a peak can be explained:
/// anonymous memory (heap, stacks), file pages, shared memory (SQLite's WAL index), threads.
struct MemorySampler {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: std::thread::JoinHandle<Value>,
}

impl MemorySampler {
    fn start() -> Self {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let fields = ["RssAnon", "RssFile", "RssShmem", "Threads"];
            let mut peaks = [0.0_f64; 4];
            let status = loop {
                let done = flag.load(std::sync::atomic::Ordering::Relaxed);
                let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
                for (peak, field) in peaks.iter_mut().zip(fields) {
                    *peak = peak.max(status_field(&status, field));
                }
                if done {
                    break status;
                }
                std::thread::sleep(Duration::from_millis(2));
            };
            let mib = |kb: f64| kb / 1024.0;
            json!({
                "peak_rss_mib": mib(status_field(&status, "VmHWM")),
                "peak_anon_mib": mib(peaks[0]),
                "peak_file_mib": mib(peaks[1]),
                "peak_shmem_mib": mib(peaks[2]),
                "peak_threads": peaks[3],
                "peak_heap_mib": gatefold_testkit::heap::peak_mib(),
            })
        });
        MemorySampler { stop, thread }
    }

    fn finish(self) -> Value {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread.join().unwrap_or(Value::Null)
    }
}

/// Runs one measurement and prints it as JSON.
pub fn worker(args: &WorkerArgs) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let value = runtime.block_on(async {
        let db = Database::open(&args.db).await?;
        let latency = parse_latency(&args.latency)?;
        let art = FakeArtwork::counting(latency.clone());
        let lyrics = FakeLyrics::counting(latency);
        let sampler = MemorySampler::start();
        gatefold_testkit::heap::reset_peak();
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
        let memory = sampler.finish();
        anyhow::Ok(json!({
            "tracks": tracks,
            "processed": processed,
            "elapsed_s": elapsed,
            "tracks_per_s": processed as f64 / elapsed,
            "requests": art.meter.call_count() + lyrics.meter.call_count(),
            "max_in_flight": art.meter.max_in_flight(),
            "peak_rss_mib": memory["peak_rss_mib"],
            "memory": memory,
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
    gatefold_testkit::strip_sidecars_and_covers(&music)?;
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

/// Every measurement runs with this many operations at once.
const MAX_CONCURRENT: &str = "16";

/// One measurement in a child process on a fresh copy of `db`: `latency` as `parse_latency`
/// reads it, `schedule` `job` or `barrier`, and any further worker flags.
fn run_worker(
    exe: &Path,
    db: &Path,
    work: &Path,
    latency: &str,
    schedule: &str,
    extra: &[&str],
) -> Result<Value> {
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
        .args(["--latency", latency, "--max-concurrent", MAX_CONCURRENT])
        .args(["--schedule", schedule])
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

    println!();
    println!(
        "enrichment job, fake services, real time, max_concurrent 16, artwork only, one track per album:"
    );
    let bound_fixed = 16.0 / 0.050;
    let fixed = run_worker(&exe, &single, work, "fixed:50", "job", &[])?;
    let rate = fixed["tracks_per_s"].as_f64().unwrap_or(0.0);
    println!(
        "  latency 50 ms, {} tracks:            {:>6.1} tracks/s = {:>5.1} % of the bound {bound_fixed:.0}/s (target >= 90 %)  {}",
        fixed["processed"],
        rate,
        rate / bound_fixed * 100.0,
        verdict(rate >= 0.9 * bound_fixed)
    );
    let fixed_barrier = run_worker(&exe, &barrier_db, work, "fixed:50", "barrier", &[])?;
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
    let tail = run_worker(&exe, &single, work, "lognormal:50:1000", "job", &[])?;
    let rate = tail["tracks_per_s"].as_f64().unwrap_or(0.0);
    println!(
        "  latency log-normal (median 50 ms, p99 1 s, mean {:.0} ms): {:>6.1} tracks/s = {:>5.1} % of the bound {bound_tail:.0}/s (target >= 80 %)  {}",
        mean * 1000.0,
        rate,
        rate / bound_tail * 100.0,
        verdict(rate >= 0.8 * bound_tail)
    );
    let tail_barrier = run_worker(&exe, &barrier_db, work, "lognormal:50:1000", "barrier", &[])?;
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

/// The median of a few measurements.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The zero-latency run (artwork and lyrics, 10 tracks per album) at `small` and at `big`
/// tracks: its speed, and whether the job's memory stays flat as the library grows (it reads
/// page by page and keeps counts, not a record per track).
///
/// Each size runs `RUNS` times and the medians are compared: the peak RSS moves by about a
/// MiB from run to run with the allocator's arenas and the blocking threads tokio happens to
/// start. The exact peak of live heap bytes (a counting allocator) is printed beside it.
pub fn memory(work: &Path, small: usize, big: usize) -> Result<()> {
    const RUNS: usize = 3;
    std::fs::create_dir_all(work)?;
    let exe = std::env::current_exe()?;
    println!();
    println!(
        "enrichment job, zero latency, artwork and lyrics, 10 tracks per album, max_concurrent 16, median of {RUNS} runs:"
    );
    let mut peaks = Vec::new();
    for tracks in [small, big] {
        let library = prepare(work, &format!("many-{tracks}"), tracks / 10, 10)?;
        let mut runs = Vec::new();
        for _ in 0..RUNS {
            runs.push(run_worker(
                &exe,
                &library,
                work,
                "fixed:0",
                "job",
                &["--lyrics", "--batch-size", "500"],
            )?);
        }
        let of = |key: &str| {
            median(
                runs.iter()
                    .map(|r| r[key].as_f64().unwrap_or(f64::NAN))
                    .collect(),
            )
        };
        let in_memory = |key: &str| {
            median(
                runs.iter()
                    .map(|r| r["memory"][key].as_f64().unwrap_or(f64::NAN))
                    .collect(),
            )
        };
        let (rate, rss, heap) = (
            of("tracks_per_s"),
            of("peak_rss_mib"),
            in_memory("peak_heap_mib"),
        );
        println!(
            "  {} tracks: {:.0} tracks/s (target >= 5000) {}, peak RSS {:.1} MiB (target < 200 MB) {}",
            runs[0]["processed"],
            rate,
            verdict(rate >= 5000.0),
            rss,
            verdict(rss * 1.048_576 < 200.0)
        );
        println!(
            "    peak live heap {heap:.2} MiB; at their peaks: anonymous {:.1} MiB, file {:.1} MiB, {:.0} threads",
            in_memory("peak_anon_mib"),
            in_memory("peak_file_mib"),
            in_memory("peak_threads"),
        );
        peaks.push((rss, heap));
    }
    if let [(small_rss, small_heap), (big_rss, big_heap)] = peaks[..] {
        let growth = (big_rss / small_rss - 1.0) * 100.0;
        let heap_growth = (big_heap / small_heap - 1.0) * 100.0;
        println!(
            "  peak RSS at {big} tracks is {growth:+.1} % of the peak at {small} (target within 10 %) {}; live heap {heap_growth:+.1} %",
            verdict(growth.abs() <= 10.0)
        );
    }
    Ok(())
}
