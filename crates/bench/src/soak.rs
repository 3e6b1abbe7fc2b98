//! The soak: the release CLI on a 2,000-track library (200 albums of 10) against LRCLIB and
//! Deezer fakes, each behind a fault proxy that checks the published pace (real time).
//!
//! 1. **Kill and resume.** One uninterrupted run, then a run killed with SIGKILL at 20 random
//!    moments and resumed each time. The library must be sound (`integrity_check`), hold every
//!    track once, and end with the same counts as the uninterrupted run; the extra requests the
//!    kills cost are reported. The pace must hold across the restarts: 0 violations.
//! 2. **Faults.** The same run with 20 % of the requests answered by a fault (5xx, 429 with
//!    `Retry-After`, reset, hang, malformed, truncated, oversized, non-image, decompression
//!    bomb, a legal 36-megapixel image), 16 requests at once. The job must finish, every
//!    failure must have a reason, the peak RSS must stay under 300 MB, the pace must hold; then
//!    `--retry-failed` is run once.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use gatefold_engine::Database;
use gatefold_engine::providers::settings::known_names;
use gatefold_testkit::servers::deezer::{DeezerAlbum, FakeDeezer};
use gatefold_testkit::servers::faults::{FaultProxy, ProxyStats};
use gatefold_testkit::servers::lrclib::{FakeLrclib, LrcRecord};
use gatefold_testkit::servers::rate::RateWatch;

const ALBUMS: usize = 200;
const TRACKS: usize = 10;
/// The paces the CLI is given, and the proxies check (requests per second).
const LRCLIB_RATE: usize = 20;
const DEEZER_RATE: usize = 10;
const KILLS: usize = 20;

/// The fakes and their proxies, for one part of the soak.
struct Services {
    _lrclib: FakeLrclib,
    _deezer: FakeDeezer,
    lrclib: FaultProxy,
    deezer: FaultProxy,
}

impl Services {
    async fn start(fault_share: f64, seed: u64) -> Services {
        let mut records = Vec::new();
        let mut albums = Vec::new();
        for a in 0..ALBUMS {
            let (artist, album) = (
                format!("Bulk Artist {}", a % 200),
                format!("Bulk Album {a}"),
            );
            for t in 1..=TRACKS {
                records.push(LrcRecord::synced(
                    &format!("Track {t} of {album}"),
                    &artist,
                    &album,
                    1.0,
                ));
            }
            albums.push(DeezerAlbum {
                title: album,
                artist,
            });
        }
        let lrclib = FakeLrclib::start(records, "").await;
        let deezer = FakeDeezer::start(albums, usize::MAX).await;
        let watch = |n: usize| RateWatch::new(n, Duration::from_secs(1));
        let lrclib_proxy = FaultProxy::start(
            &lrclib.uri(),
            fault_share,
            seed,
            "/api/",
            watch(LRCLIB_RATE),
        )
        .await;
        let deezer_proxy = FaultProxy::start(
            &deezer.uri(),
            fault_share,
            seed.wrapping_mul(31),
            "/search/",
            watch(DEEZER_RATE),
        )
        .await;
        Services {
            _lrclib: lrclib,
            _deezer: deezer,
            lrclib: lrclib_proxy,
            deezer: deezer_proxy,
        }
    }

    /// `gatefold-cli enrich` on `db` against these services.
    fn enrich(&self, cli: &Path, db: &Path, extra: &[&str]) -> Command {
        let mut cmd = Command::new(cli);
        cmd.arg("--db").arg(db).arg("enrich").args(extra);
        for name in known_names() {
            if !matches!(name, "lrclib" | "deezer") {
                cmd.args(["--skip-provider", name]);
            }
        }
        cmd.arg("--provider")
            .arg(format!("lrclib={}", self.lrclib.uri()))
            .arg("--provider")
            .arg(format!("deezer={}", self.deezer.uri()))
            .arg("--rate")
            .arg(format!("lrclib={LRCLIB_RATE}"))
            .arg("--rate")
            .arg(format!("deezer={DEEZER_RATE}"))
            .env("GATEFOLD_LOG", "error")
            .stderr(Stdio::null());
        cmd
    }

    fn requests(&self) -> usize {
        self.lrclib.stats().requests + self.deezer.stats().requests
    }

    fn violations(&self) -> usize {
        self.lrclib.rate().violations() + self.deezer.rate().violations()
    }
}

/// What a library holds at the end.
#[derive(Debug, PartialEq)]
struct Outcome {
    tracks: u64,
    artwork_missing: u64,
    lyrics_available: u64,
    lyrics_unavailable: u64,
    lyrics_failed: u64,
}

fn status(cli: &Path, db: &Path) -> Result<Outcome> {
    let out = Command::new(cli)
        .arg("--db")
        .arg(db)
        .args(["status", "--json"])
        .output()?;
    let value: serde_json::Value = serde_json::from_slice(&out.stdout)
        .with_context(|| format!("status: {}", String::from_utf8_lossy(&out.stderr)))?;
    let n = |v: &serde_json::Value| v.as_u64().unwrap_or(u64::MAX);
    Ok(Outcome {
        tracks: n(&value["tracks"]),
        artwork_missing: n(&value["artwork_missing"]),
        lyrics_available: n(&value["lyrics"]["available"]),
        lyrics_unavailable: n(&value["lyrics"]["unavailable"]),
        lyrics_failed: n(&value["lyrics"]["failed"]),
    })
}

/// Every track exported once, and SQLite's verdict on the file.
fn soundness(
    runtime: &tokio::runtime::Runtime,
    cli: &Path,
    db: &Path,
) -> Result<(usize, usize, String)> {
    let out = Command::new(cli)
        .arg("--db")
        .arg(db)
        .args(["export", "--json"])
        .output()?;
    let mut ids: Vec<u64> = String::from_utf8(out.stdout)?
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["id"].as_u64())
        .collect();
    let exported = ids.len();
    ids.sort_unstable();
    ids.dedup();
    let duplicates = exported - ids.len();
    let verdict = runtime.block_on(async {
        let db = Database::open_read_only(db).await?;
        let verdict = db.integrity_check().await?;
        db.close().await;
        Ok::<_, gatefold_engine::EngineError>(verdict.join("; "))
    })?;
    Ok((exported, duplicates, verdict))
}

/// A tiny deterministic generator for the kill moments.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Runs `enrich` and kills it with SIGKILL after `after` (or lets it end, if it ends first).
/// Returns whether it was killed.
fn run_and_kill(services: &Services, cli: &Path, db: &Path, after: Duration) -> Result<bool> {
    let mut child = services
        .enrich(cli, db, &[])
        .stdout(Stdio::null())
        .spawn()?;
    let deadline = Instant::now() + after;
    while Instant::now() < deadline {
        if child.try_wait()?.is_some() {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill()?;
    child.wait()?;
    Ok(true)
}

fn fresh_copy(base: &Path, name: &str) -> Result<PathBuf> {
    let to = base.with_file_name(name);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", to.display()));
    }
    std::fs::copy(base, &to)?;
    Ok(to)
}

/// Runs the soak with the release CLI at `cli`, in `work`.
pub fn bench(cli: &Path, work: &Path) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let music = work.join("music");
    let base = work.join("base.db");
    if !base.exists() {
        let _ = std::fs::remove_dir_all(&music);
        gatefold_testkit::bulk_library(&music, ALBUMS, TRACKS);
        gatefold_testkit::strip_sidecars_and_covers(&music)?;
        let out = Command::new(cli)
            .arg("--db")
            .arg(&base)
            .arg("scan")
            .arg(&music)
            .output()?;
        if !out.status.success() {
            bail!("scan: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
    let total = (ALBUMS * TRACKS) as u64;

    // 1. Kill and resume.
    let clean = runtime.block_on(Services::start(0.0, 1));
    let straight = fresh_copy(&base, "straight.db")?;
    let started = Instant::now();
    let out = clean.enrich(cli, &straight, &[]).output()?;
    let straight_time = started.elapsed();
    if !matches!(out.status.code(), Some(0 | 2)) {
        bail!("the uninterrupted run failed: {}", out.status);
    }
    let expected = status(cli, &straight)?;
    let straight_requests = clean.requests();
    println!(
        "uninterrupted: {:.1} s, {straight_requests} requests, {expected:?}",
        straight_time.as_secs_f64()
    );

    let killed_db = fresh_copy(&base, "killed.db")?;
    let before = clean.requests();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut kills = 0;
    for _ in 0..KILLS {
        // A moment from the process's start (opening, claiming the job) to a second into
        // its work: twenty of them cover about half of the run.
        let after = Duration::from_millis(20 + next(&mut seed) % 1000);
        if run_and_kill(&clean, cli, &killed_db, after)? {
            kills += 1;
        }
    }
    let out = clean.enrich(cli, &killed_db, &[]).output()?;
    if !matches!(out.status.code(), Some(0 | 2)) {
        bail!("the final resume failed: {}", out.status);
    }
    let killed_requests = clean.requests() - before;
    let resumed = status(cli, &killed_db)?;
    let (exported, duplicates, verdict) = soundness(&runtime, cli, &killed_db)?;
    let violations = clean.violations();
    println!();
    println!("kill -9 and resume ({kills} kills of a {total}-track run, then a last resume):");
    println!(
        "  tracks exported   {exported} of {total}, duplicates {duplicates}   {}",
        crate::verdict(exported as u64 == total && duplicates == 0)
    );
    println!(
        "  integrity_check   {verdict}   {}",
        crate::verdict(verdict == "ok")
    );
    println!(
        "  counts            {}   {}",
        if resumed == expected {
            "equal to the uninterrupted run".to_owned()
        } else {
            format!("{resumed:?} vs {expected:?}")
        },
        crate::verdict(resumed == expected)
    );
    println!(
        "  requests          {killed_requests} ({:+} against the uninterrupted run's {straight_requests})",
        killed_requests as i64 - straight_requests as i64
    );
    println!(
        "  pace violations   {violations} (both runs, across {} process starts)   {}",
        kills + 2,
        crate::verdict(violations == 0)
    );

    // 2. The fault matrix at 20 %.
    let hostile = runtime.block_on(Services::start(0.2, 7));
    let faulty = fresh_copy(&base, "faulty.db")?;
    let rss_before = crate::children_peak_rss_mib()?;
    let started = Instant::now();
    let out = hostile
        .enrich(
            cli,
            &faulty,
            &["--timeout-secs", "3", "--max-concurrent", "16"],
        )
        .output()?;
    let fault_time = started.elapsed();
    let rss = crate::children_peak_rss_mib()?;
    let finished = matches!(out.status.code(), Some(0 | 2));
    let listed = failures(cli, &faulty)?;
    let unexplained = listed
        .iter()
        .filter(|f| f["reason"].as_str().is_none_or(str::is_empty))
        .count();
    let after_faults = status(cli, &faulty)?;
    let retry = hostile
        .enrich(
            cli,
            &faulty,
            &[
                "--retry-failed",
                "--timeout-secs",
                "3",
                "--max-concurrent",
                "16",
            ],
        )
        .output()?;
    let after_retry = status(cli, &faulty)?;
    let left: Vec<String> = failures(cli, &faulty)?
        .iter()
        .map(|f| f["reason"].as_str().unwrap_or("").to_owned())
        .collect();
    let (_, duplicates, verdict) = soundness(&runtime, cli, &faulty)?;
    println!();
    println!("20 % faults ({:.1} s):", fault_time.as_secs_f64());
    print_faults("  lrclib", &hostile.lrclib.stats());
    print_faults("  deezer", &hostile.deezer.stats());
    println!(
        "  the job finished  exit {:?}   {}",
        out.status.code(),
        crate::verdict(finished)
    );
    println!(
        "  failures          {} listed, {unexplained} without a reason   {}",
        listed.len(),
        crate::verdict(unexplained == 0)
    );
    println!(
        "  after the run     {after_faults:?}; after one --retry-failed (exit {:?}): {after_retry:?}",
        retry.status.code()
    );
    for reason in left.iter().take(5) {
        println!("    still failing: {reason}");
    }
    println!(
        "  library           integrity_check {verdict}, duplicates {duplicates}   {}",
        crate::verdict(verdict == "ok" && duplicates == 0)
    );
    println!(
        "  peak RSS          {:.1} MiB (every CLI run of the soak: {rss_before:.1} MiB before the faults)   {}",
        rss,
        crate::verdict(rss < 300.0)
    );
    println!(
        "  pace violations   {}   {}",
        hostile.violations(),
        crate::verdict(hostile.violations() == 0)
    );
    Ok(())
}

fn failures(cli: &Path, db: &Path) -> Result<Vec<serde_json::Value>> {
    let out = Command::new(cli)
        .arg("--db")
        .arg(db)
        .args(["failures", "--json"])
        .output()?;
    Ok(String::from_utf8(out.stdout)?
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

fn print_faults(name: &str, stats: &ProxyStats) {
    let faults: usize = stats.faults.iter().map(|(_, n)| n).sum();
    let kinds: Vec<String> = stats
        .faults
        .iter()
        .map(|(f, n)| format!("{f:?} {n}"))
        .collect();
    println!(
        "{name}: {} requests, {faults} faults ({})",
        stats.requests,
        kinds.join(", ")
    );
}
