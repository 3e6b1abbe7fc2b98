//! `gatefold-bench`: Gatefold's benchmarks. Each prints its figures and the targets they are held
//! to; `make bench` runs them on release builds. They measure the real binaries as child
//! processes, so start-up, the database and the page cache are all in the figures.

#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

mod job;
mod providers;
mod soak;
mod watch;
mod window;
#[global_allocator]
static ALLOCATOR: gatefold_testkit::heap::Counting = gatefold_testkit::heap::Counting;

use nix::sys::resource::{UsageWho, getrusage};

#[derive(Parser)]
#[command(about = "Gatefold benchmarks")]
struct Args {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Import of a generated library (default 10,000 tracks in 1,000 albums), then an unchanged
    /// rescan, through `gatefold-cli scan`.
    Import {
        /// The gatefold-cli binary to measure (a release build).
        #[arg(long)]
        cli: PathBuf,
        #[arg(long, default_value_t = 1000)]
        albums: usize,
        #[arg(long, default_value_t = 10)]
        tracks_per_album: usize,
        /// Where to generate the library (default: a temporary folder, removed afterwards).
        #[arg(long)]
        work_dir: Option<PathBuf>,
    },
    /// The enrichment job against fake services with injected latency (real time).
    Job {
        /// Where libraries are generated and kept between runs.
        #[arg(long, default_value = "/tmp/gatefold-bench-job")]
        work_dir: PathBuf,
        #[arg(long, default_value_t = 10_000)]
        tracks: usize,
        /// Tracks of the zero-latency run.
        #[arg(long, default_value_t = 100_000)]
        big: usize,
        /// Tracks of the (slow) batch-barrier comparison runs.
        #[arg(long, default_value_t = 2_000)]
        barrier_tracks: usize,
        /// Only the memory comparison: the zero-latency run at `tracks` and at `big`.
        #[arg(long)]
        memory_only: bool,
    },
    /// 1,000 tracks against every provider's loopback fake enforcing the published rate
    /// limits: violations, time against the floor the limits allow, requests per album/track.
    Providers,
    /// The desktop window on a 10,000-track library: launch to interactive, and the webview's
    /// memory while a run's events stream (needs Xvfb, tauri-driver, WebKitWebDriver).
    Window {
        /// The gatefold binary (a release build with the custom-protocol feature).
        #[arg(long)]
        app: PathBuf,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Kill -9 and resume, and 20 % faults, against fault proxies that check the pace (the
    /// release CLI on a 2,000-track library; see `soak.rs`).
    Soak {
        /// The gatefold-cli binary (a release build).
        #[arg(long)]
        cli: PathBuf,
        /// Where the library is generated and kept between runs.
        #[arg(long, default_value = "/tmp/gatefold-bench-soak")]
        work_dir: PathBuf,
    },
    /// Albums copied into a watched library: from the last write to "in the library".
    Watch {
        /// The gatefold-cli binary (a release build).
        #[arg(long)]
        cli: PathBuf,
    },
    /// One measurement of `job` (run by it in a child process).
    #[command(hide = true)]
    JobWorker(job::WorkerArgs),
}

fn main() -> Result<()> {
    gatefold_engine::process::limit_allocator_arenas();
    match Args::parse().bench {
        Bench::Import {
            cli,
            albums,
            tracks_per_album,
            work_dir,
        } => import(&cli, albums, tracks_per_album, work_dir.as_deref()),
        Bench::Job {
            work_dir,
            tracks,
            big,
            barrier_tracks,
            memory_only,
        } => {
            if !memory_only {
                job::bench(&work_dir, tracks, barrier_tracks)?;
            }
            job::memory(&work_dir, tracks, big)
        }
        Bench::JobWorker(args) => job::worker(&args),
        Bench::Providers => providers::bench(),
        Bench::Window { app, runs } => window::bench(&app, runs),
        Bench::Watch { cli } => watch::bench(&cli),
        Bench::Soak { cli, work_dir } => {
            std::fs::create_dir_all(&work_dir)?;
            soak::bench(&cli, &work_dir)
        }
    }
}

/// Peak resident set of the largest child waited for so far, in MiB.
fn children_peak_rss_mib() -> Result<f64> {
    // ru_maxrss is in KiB on Linux.
    Ok(getrusage(UsageWho::RUSAGE_CHILDREN)?.max_rss() as f64 / 1024.0)
}

struct Run {
    elapsed: Duration,
    report: serde_json::Value,
}

fn scan(cli: &Path, db: &Path, music: &Path) -> Result<Run> {
    let start = Instant::now();
    let out = Command::new(cli)
        .arg("--db")
        .arg(db)
        .arg("scan")
        .arg(music)
        .arg("--json")
        .output()
        .with_context(|| format!("running {}", cli.display()))?;
    let elapsed = start.elapsed();
    if !out.status.success() {
        bail!(
            "scan failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let last = String::from_utf8(out.stdout)?
        .lines()
        .last()
        .context("scan printed nothing")?
        .to_owned();
    let event: serde_json::Value = serde_json::from_str(&last)?;
    Ok(Run {
        elapsed,
        report: event["report"].clone(),
    })
}

fn warm_page_cache(dir: &Path) -> Result<u64> {
    let mut bytes = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                bytes += std::fs::read(&path)?.len() as u64;
            }
        }
    }
    Ok(bytes)
}

fn import(cli: &Path, albums: usize, per_album: usize, work_dir: Option<&Path>) -> Result<()> {
    let temp;
    let work = match work_dir {
        Some(dir) => dir.to_path_buf(),
        None => {
            temp = tempfile::tempdir()?;
            temp.path().to_path_buf()
        }
    };
    let music = work.join("music");
    let db = work.join("bench.db");
    for stale in ["bench.db", "bench.db-wal", "bench.db-shm"] {
        let _ = std::fs::remove_file(work.join(stale));
    }
    let total = albums * per_album;
    if music.exists() {
        println!("reusing the library in {}", music.display());
    } else {
        let start = Instant::now();
        let written = gatefold_testkit::bulk_library(&music, albums, per_album);
        println!(
            "generated {written} tracks in {albums} albums in {:.1} s",
            start.elapsed().as_secs_f64()
        );
    }
    let bytes = warm_page_cache(&music)?;
    println!(
        "page cache warmed: {:.1} MiB of files",
        bytes as f64 / (1 << 20) as f64
    );

    let first = scan(cli, &db, &music)?;
    let import_rss = children_peak_rss_mib()?;
    let added = first.report["added"].as_u64().unwrap_or(0);
    if added != total as u64 {
        bail!(
            "import added {added} tracks, expected {total}: {}",
            first.report
        );
    }
    let second = scan(cli, &db, &music)?;
    let peak_rss = children_peak_rss_mib()?;
    if second.report["unchanged"].as_u64() != Some(total as u64) {
        bail!("the rescan was not unchanged: {}", second.report);
    }

    let rate = total as f64 / first.elapsed.as_secs_f64();
    println!();
    println!("import of {total} tracks ({albums} albums), warm page cache, `gatefold-cli scan`:");
    println!(
        "  import:           {:>8.2} s  = {:>6.0} files/s   (target >= 2000 files/s)  {}",
        first.elapsed.as_secs_f64(),
        rate,
        verdict(rate >= 2000.0)
    );
    println!(
        "  unchanged rescan: {:>8.3} s                    (target < 1 s)            {}",
        second.elapsed.as_secs_f64(),
        verdict(second.elapsed < Duration::from_secs(1))
    );
    println!(
        "  peak RSS:         {:>8.1} MiB import, {:.1} MiB max over both  (target < 150 MB) {}",
        import_rss,
        peak_rss,
        verdict(peak_rss * 1.048_576 < 150.0)
    );
    Ok(())
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}
