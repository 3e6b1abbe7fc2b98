//! The desktop window benchmark: the real `gatefold` binary (a release build with
//! `custom-protocol`) in WebKitGTK under Xvfb, driven through tauri-driver, on a 10,000-track
//! library.
//!
//! * Launch to interactive: from asking tauri-driver for a session (which starts the app) to
//!   the moment the library view shows the library's 10,000 tracks and its albums can be clicked.
//!   WebKitWebDriver's own start-up is inside the figure, so it is an upper bound.
//! * Webview memory while events stream: an enrichment of all 10,000 tracks against fakes that
//!   answer "not found" at once (every track gets events), sampling the WebKit web process's
//!   resident memory every 250 ms.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;
use gatefold_engine::providers::settings;
use gatefold_engine::{Database, ScanOptions, scan_folder};
use gatefold_testkit::servers::{Catalogue, FakeProviders};
use gatefold_testkit::webdriver::{Driver, Session, xvfb};

const ALBUMS: usize = 1000;
const TRACKS_PER_ALBUM: usize = 10;
/// Runs streamed in one window: flat memory means the later ones end where the first did.
const RUNS_STREAMED: usize = 3;

/// Resident memory (MiB) of every WebKit web process running now.
fn webkit_rss_mib() -> f64 {
    let mut total = 0.0;
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    for entry in entries.flatten() {
        let status = entry.path().join("status");
        let Ok(text) = std::fs::read_to_string(status) else {
            continue;
        };
        if !text
            .lines()
            .any(|l| l.starts_with("Name:") && l.contains("WebKitWebProces"))
        {
            continue;
        }
        if let Some(kb) = text
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
        {
            total += kb / 1024.0;
        }
    }
    total
}

/// Runs the benchmark against `app` and prints its figures.
pub fn bench(app: &Path, runs: usize) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(app, runs))
}

async fn library(work: &Path, fakes: &FakeProviders) -> Result<PathBuf> {
    let music = work.join("music");
    gatefold_testkit::bulk_library(&music, ALBUMS, TRACKS_PER_ALBUM);
    let db_path = work.join("library.db");
    let db = Database::open(&db_path).await?;
    scan_folder(&db, &music, &ScanOptions::default(), |_| {}).await?;
    // Every provider at its fake, fast; MusicBrainz off (its fake keeps the real 1/s).
    let mut providers = settings::defaults();
    for (name, url) in fakes.urls() {
        settings::set_url(&mut providers, name, &url)?;
        settings::set_rate(&mut providers, name, "1000")?;
    }
    for p in &mut providers {
        p.enabled = p.name != "musicbrainz";
    }
    db.save_provider_settings(&providers)
        .await?
        .map_err(|problems| anyhow::anyhow!("{problems:?}"))?;
    // "Not found" is not remembered, so a second run streams every track's events again.
    let config = gatefold_engine::EnrichmentConfig::builder()
        .not_found_max_age_days(0)
        .build()?;
    db.save_enrichment_config(&config)
        .await?
        .map_err(|problems| anyhow::anyhow!("{problems:?}"))?;
    db.close().await;
    Ok(db_path)
}

async fn run(app: &Path, runs: usize) -> Result<()> {
    let work = tempfile::tempdir()?;
    let fakes = FakeProviders::start(Catalogue::default()).await;
    let db_path = library(work.path(), &fakes).await?;
    let (_xvfb, display) = xvfb();
    let driver = Driver::start(&display, |command| {
        command
            .env("GATEFOLD_DB", &db_path)
            .env("XDG_DATA_HOME", work.path().join("xdg-data"));
    })
    .await;
    let mut launches = Vec::new();
    for _ in 0..runs {
        let (session, seconds) = open(&driver, app).await;
        launches.push(seconds);
        session.end().await;
    }
    launches.sort_by(f64::total_cmp);

    // Memory while events stream.
    let (session, _) = open(&driver, app).await;
    let before = webkit_rss_mib();
    let mut runs_rss = Vec::new();
    let mut run_s = 0.0;
    for _ in 0..RUNS_STREAMED {
        let (seconds, peak, after) = stream_once(&session).await?;
        run_s = seconds;
        runs_rss.push((peak, after));
    }
    session.end().await;

    println!(
        "window: {} tracks, release app in WebKitGTK under Xvfb, through tauri-driver",
        ALBUMS * TRACKS_PER_ALBUM
    );
    println!(
        "  launch to interactive: median {:.3} s, worst {:.3} s over {runs} launches (target: under 1 s)",
        launches[launches.len() / 2],
        launches[launches.len() - 1]
    );
    println!(
        "  webview RSS while all {} tracks' events streamed, {RUNS_STREAMED} runs of about {run_s:.0} s \
         in one window (target: flat): before {before:.0} MiB",
        ALBUMS * TRACKS_PER_ALBUM
    );
    for (i, (peak, after)) in runs_rss.iter().enumerate() {
        println!(
            "    run {}: peak {peak:.0} MiB, 2 s after it {after:.0} MiB",
            i + 1
        );
    }
    drop(fakes);
    Ok(())
}

/// Starts the app and waits until it is interactive: the library view (the first view) shows
/// the library's 10,000 tracks and the first album covers can be clicked. The session, and the
/// seconds that took.
async fn open(driver: &Driver, app: &Path) -> (Session, f64) {
    let start = Instant::now();
    let session = driver.session(app).await;
    session
        .wait_for(
            "the window to be interactive",
            "return document.querySelector('[aria-label=Albums] button') !== null \
               && /10[,.\\u202f\\u00a0]?000/.test(document.body.innerText)",
            Duration::from_secs(30),
        )
        .await;
    (session, start.elapsed().as_secs_f64())
}

/// Clicks "Enrich library", samples the webview's memory until the bar is at 100 %, then 2 s
/// more: (seconds, peak MiB, MiB after).
async fn stream_once(session: &Session) -> Result<(f64, f64, f64)> {
    session
        .click("//nav//button[normalize-space()='Enrichment']")
        .await;
    session
        .wait_for(
            "Enrich library to be clickable",
            "const b = [...document.querySelectorAll('button')] \
             .find(b => b.innerText.trim() === 'Enrich library'); return !!b && !b.disabled",
            Duration::from_secs(30),
        )
        .await;
    session
        .click("//button[normalize-space()='Enrich library']")
        .await;
    // The bar starts over (it may still show the last run's 100 % for a moment).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let start = Instant::now();
    let mut peak: f64 = 0.0;
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        peak = peak.max(webkit_rss_mib());
        let done = session
            .js("const bar = document.querySelector('[role=progressbar]'); \
                 const b = [...document.querySelectorAll('button')] \
                   .find(b => b.innerText.trim() === 'Enrich library'); \
                 return !!bar && bar.getAttribute('aria-valuenow') === '100' && !!b && !b.disabled")
            .await;
        if done == serde_json::json!(true) {
            break;
        }
        anyhow::ensure!(
            start.elapsed() < Duration::from_secs(600),
            "the run did not finish"
        );
    }
    let seconds = start.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    Ok((seconds, peak, webkit_rss_mib()))
}
