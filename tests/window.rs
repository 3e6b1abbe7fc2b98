//! The real desktop app, end to end: the `gatefold` binary in a real WebKitGTK window under
//! Xvfb, driven through tauri-driver and WebKitWebDriver, on a generated library with every
//! provider at a loopback fake (one at a closed port, so a track fails with a reason).
//!
//! The app opens on the Library. The test goes to the Enrichment view, clicks "Enrich library",
//! waits for the bar to reach 100 %, finds the failing track listed with its reason, changes a
//! setting (under "Advanced"), restarts the app and sees the setting kept. With
//! `GATEFOLD_SCREENSHOTS=DIR` it also saves screenshots of the panels there (for the README).
//!
//! Needs Xvfb, WebKitWebDriver and tauri-driver (`scripts/setup.sh` installs them) and an app
//! built with `--features custom-protocol` (`make test` does both).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use gatefold_engine::{Database, EnrichmentConfig, ScanOptions, scan_folder};
use gatefold_testkit::servers::coverart::FakeRelease;
use gatefold_testkit::servers::lrclib::LrcRecord;
use gatefold_testkit::servers::{Catalogue, FakeProviders};
use gatefold_testkit::webdriver::{Driver, Process, close_window_like_a_user, xvfb};
use gatefold_testkit::{AudioSpec, COVER_JPG_600, Format};

const DISCOVERY: &str = "11111111-1111-1111-1111-111111111111";

fn catalogue() -> Catalogue {
    let release = |id: &str, title: &str| FakeRelease {
        id: id.into(),
        title: title.into(),
        artist: "Daft Punk".into(),
        front: Some(COVER_JPG_600.to_vec()),
        with_back: false,
    };
    Catalogue {
        lyrics: (1..=3)
            .map(|n| LrcRecord::synced(&format!("Discovery {n}"), "Daft Punk", "Discovery", 1.0))
            .collect(),
        releases: vec![
            release(DISCOVERY, "Discovery"),
            release("22222222-2222-2222-2222-222222222222", "Homework"),
        ],
        ..Catalogue::default()
    }
}

/// The app's environment: the library at `db`, and every folder it would use inside `dir`.
fn app_env(command: &mut std::process::Command, dir: &Path, db: &Path) {
    command
        .env("GATEFOLD_DB", db)
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("xdg-data"))
        .env("XDG_CONFIG_HOME", dir.join("xdg-config"))
        .env("XDG_CACHE_HOME", dir.join("xdg-cache"));
}

/// A display (its guard and name), the driver and the app binary, for an app on the library `db` whose providers are
/// all at closed loopback ports (these tests need none).
async fn offline_app(dir: &Path, db: &Path) -> (Process, String, Driver, PathBuf) {
    let (xvfb, display) = xvfb();
    let driver = Driver::start(&display, |command| {
        app_env(command, dir, db);
        gatefold_testkit::providers::close_every_provider(command);
    })
    .await;
    (
        xvfb,
        display,
        driver,
        PathBuf::from(env!("CARGO_BIN_EXE_gatefold")),
    )
}

/// The library: Discovery (tagged, its lyrics known), Homework (found by a search), and
/// Obscure, which only iTunes could have, and iTunes is a closed port.
async fn library(dir: &Path) -> PathBuf {
    let music = dir.join("music");
    for n in 1..=3 {
        AudioSpec::tagged(
            Format::Mp3,
            &format!("Discovery {n}"),
            "Daft Punk",
            "Discovery",
        )
        .track(n)
        .mb_release_id(DISCOVERY)
        .write(music.join(format!("Discovery/{n:02}.mp3")));
        AudioSpec::tagged(
            Format::Flac,
            &format!("Homework {n}"),
            "Daft Punk",
            "Homework",
        )
        .track(n)
        .write(music.join(format!("Homework/{n:02}.flac")));
    }
    AudioSpec::tagged(Format::Mp3, "Nobody Knows", "Nobody", "Obscure")
        .write(music.join("Obscure/01.mp3"));
    let db_path = dir.join("library.db");
    let db = Database::open(&db_path).await.unwrap();
    scan_folder(&db, &music, &ScanOptions::default(), |_| {})
        .await
        .unwrap();
    // No retries, so the unreachable provider fails at once.
    let config = EnrichmentConfig::builder().max_retries(0).build().unwrap();
    db.save_enrichment_config(&config).await.unwrap().unwrap();
    db.close().await;
    db_path
}

// Without custom-protocol the app loads the dev server instead of the built UI; `make test`
// builds with it, so there this test always runs.
#[cfg_attr(
    not(feature = "custom-protocol"),
    ignore = "needs an app built with --features custom-protocol"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrich_in_the_real_window_and_keep_a_setting_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = library(dir.path()).await;
    let fakes = FakeProviders::start(catalogue()).await;
    let (_xvfb, display) = xvfb();
    let driver = Driver::start(&display, |command| {
        app_env(command, dir.path(), &db_path);
        for (name, url) in fakes.urls() {
            // iTunes at a closed port: the album only it could have fails, with a reason.
            let url = if name == "itunes" {
                "http://127.0.0.1:9".to_owned()
            } else {
                url
            };
            command.env(format!("GATEFOLD_{}_URL", name.to_ascii_uppercase()), url);
        }
    })
    .await;
    let app = PathBuf::from(env!("CARGO_BIN_EXE_gatefold"));

    let session = driver.session(&app).await;
    // The Library is home: its header counts the 7 tracks ("7 tracks by ... artists").
    session
        .wait_for(
            "the library summary",
            "return document.body.innerText.includes('7') && document.querySelector('button') !== null",
            Duration::from_secs(20),
        )
        .await;
    session
        .click("//nav//button[normalize-space()='Enrichment']")
        .await;
    session
        .click("//button[normalize-space()='Enrich library']")
        .await;
    session
        .wait_for(
            "the bar at 100 %",
            "const bar = document.querySelector('[role=progressbar]'); \
             return bar && bar.getAttribute('aria-valuenow') === '100'",
            Duration::from_secs(60),
        )
        .await;
    let failure = session
        .wait_for(
            "the failing track listed",
            "const rows = [...document.querySelectorAll('[aria-label=Failures] [role=row]')]; \
             const row = rows.find(r => r.innerText.includes('Nobody Knows')); \
             return row ? row.innerText : null",
            Duration::from_secs(20),
        )
        .await;
    let failure = failure.as_str().unwrap().to_lowercase();
    assert!(failure.contains("artwork"), "{failure}");
    assert!(
        failure.contains("connect") || failure.contains("refused"),
        "the reason is shown: {failure}"
    );
    session.screenshot("enrichment-panel").await;

    // The library: covers come through the artwork:// scheme (decoded images, not broken
    // ones), the album's tracks, and a track's synced lyrics with their timestamps.
    session
        .click("//nav//button[normalize-space()='Library']")
        .await;
    let covers = session
        .wait_for(
            "album covers to load",
            "const imgs = [...document.querySelectorAll('[aria-label=Albums] img')]; \
             const ok = imgs.filter(i => i.complete && i.naturalWidth > 0 && i.src.includes('artwork')); \
             return ok.length >= 2 ? ok.length : null",
            Duration::from_secs(20),
        )
        .await;
    assert_eq!(
        covers, 2,
        "Discovery and Homework have covers; Obscure shows a placeholder"
    );
    session.screenshot("library").await;
    session
        .click("//div[@aria-label='Albums']//button[contains(normalize-space(), 'Discovery')]")
        .await;
    session
        .click("//button[contains(@class, 'track-open') and normalize-space()='Discovery 2']")
        .await;
    let line = session
        .wait_for(
            "the synced lyrics",
            "const li = document.querySelector('[aria-label=\"Synced lyrics\"] li'); \
             return li ? li.innerText : null",
            Duration::from_secs(10),
        )
        .await;
    let line = line.as_str().unwrap();
    assert!(line.contains("00:01.00"), "{line}");
    assert!(line.contains("Words of Discovery 2"), "{line}");
    session.screenshot("lyrics").await;

    session
        .click("//nav//button[normalize-space()='Settings']")
        .await;
    // The engine internals (batch size among them) are in the collapsed "Advanced" section,
    // below the fold. The form's Save footer is sticky at the window's bottom, where WebDriver
    // scrolls what it clicks: bring the section to the middle first (the CSS keeps
    // scroll-padding for the footer too, but not every WebDriver scrolls with it).
    session
        .find("//summary[normalize-space()='Advanced']")
        .await;
    session
        .js("document.querySelector('[data-testid=settings-advanced]').scrollIntoView({block: 'center'}); return null")
        .await;
    session
        .click("//summary[normalize-space()='Advanced']")
        .await;
    session
        .type_into("//input[@id='setting-batch_size']", "77")
        .await;
    session.click("//button[@type='submit']").await;
    session
        .wait_for(
            "the save to finish",
            "const b = document.querySelector('button[type=submit]'); return b && b.disabled && b.innerText.trim() === 'Save'",
            Duration::from_secs(10),
        )
        .await;
    session.screenshot("settings").await;
    // The scan command through the real IPC (the folder picker itself is native and cannot be
    // driven): a new album in the music folder is added, and a bad path is refused by name.
    let music = dir.path().join("music");
    AudioSpec::tagged(Format::Opus, "Fresh", "Newcomer", "New Album")
        .write(music.join("New Album/01.opus"));
    let scan = |path: &Path| {
        format!(
            "const done = arguments[arguments.length - 1]; \
             window.__TAURI_INTERNALS__.invoke('scan_folder', {{ path: {:?} }}) \
               .then(r => done({{ ok: r }}), e => done({{ err: e }}));",
            path.display().to_string()
        )
    };
    let report = session.js_async(&scan(&music)).await;
    assert_eq!(report["ok"]["added"], 1, "{report}");
    assert_eq!(report["ok"]["unchanged"], 7, "{report}");
    let refused = session.js_async(&scan(&dir.path().join("nowhere"))).await;
    assert_eq!(refused["err"]["code"], "invalid_scan_root", "{refused}");

    session.end().await;

    // A restart: the setting is still there, in the window and in the library.
    let session = driver.session(&app).await;
    session
        .wait_for(
            "the navigation",
            "return document.querySelector('nav') !== null",
            Duration::from_secs(20),
        )
        .await;
    session
        .click("//nav//button[normalize-space()='Settings']")
        .await;
    let value = session
        .wait_for(
            "the saved batch size",
            "const i = document.getElementById('setting-batch_size'); return i && i.value",
            Duration::from_secs(10),
        )
        .await;
    assert_eq!(value, "77");
    session.end().await;

    let db = Database::open(&db_path).await.unwrap();
    assert_eq!(db.enrichment_config().await.unwrap().batch_size, 77);
    let summary = db.summary().await.unwrap();
    assert_eq!(summary.tracks, 8);
    assert_eq!(
        summary.artwork_missing, 2,
        "Obscure (iTunes unreachable) and New Album (scanned after the run) lack artwork"
    );
    drop(fakes);
}

/// Pids of the processes running `exe` on the library `db` (other tests run the app too).
fn processes_of(exe: &Path, db: &Path) -> Vec<u32> {
    let exe = exe.canonicalize().unwrap();
    let wanted = format!("GATEFOLD_DB={}", db.display());
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            if std::fs::read_link(entry.path().join("exe")).ok()? != exe {
                return None;
            }
            let environ = std::fs::read(entry.path().join("environ")).ok()?;
            environ
                .split(|b| *b == 0)
                .any(|var| var == wanted.as_bytes())
                .then_some(pid)
        })
        .collect()
}

/// A library the app itself created opens again, in the app and in the CLI, after the window is
/// closed as a user closes it, and after a SIGTERM (logout, shutdown).
#[cfg_attr(
    not(feature = "custom-protocol"),
    ignore = "needs an app built with --features custom-protocol"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_library_the_app_created_opens_again_after_the_window_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("fresh/library.db");
    let (_xvfb, display, driver, app) = offline_app(dir.path(), &db_path).await;
    let summary = "const done = arguments[arguments.length - 1]; \
         window.__TAURI_INTERNALS__.invoke('library_summary') \
           .then(r => done({ ok: r }), e => done({ err: e }));";
    // Reads the batch size (the default at the first start), then saves it one higher.
    let settings = "const done = arguments[arguments.length - 1]; \
         const invoke = window.__TAURI_INTERNALS__.invoke; \
         invoke('get_settings').then(c => { const seen = c.batch_size; c.batch_size += 1; \
           return invoke('save_settings', { config: c }).then(() => done({ ok: seen })); }) \
           .catch(e => done({ err: e }));";

    for start in 1..=2 {
        let session = driver.session(&app).await;
        session
            .wait_for(
                "the navigation",
                "return document.querySelector('nav') !== null",
                Duration::from_secs(20),
            )
            .await;
        let answer = session.js_async(summary).await;
        assert_eq!(answer["ok"]["tracks"], 0, "start {start}: {answer}");
        let batch = session.js_async(settings).await;
        assert_eq!(batch["ok"], 50 + start - 1, "start {start}: {batch}");
        if start == 1 {
            // The user resizes the window; the next start brings it back at that size.
            session.set_window_size(1000, 700).await;
            assert_eq!(session.window_size().await, (1000, 700));
        } else {
            assert_eq!(
                session.window_size().await,
                (1000, 700),
                "the window came back at the size it was closed at"
            );
        }
        if start == 1 {
            assert_eq!(
                close_window_like_a_user(&display, "Gatefold"),
                1,
                "the window is found and asked to close"
            );
        } else {
            // A logout or shutdown: SIGTERM to the app.
            let pids = processes_of(&app, &db_path);
            assert_eq!(pids.len(), 1, "one app runs: {pids:?}");
            let killed = std::process::Command::new("kill")
                .args(["-TERM", &pids[0].to_string()])
                .status()
                .unwrap();
            assert!(killed.success());
        }
        // The app closes the library on exit: the WAL, which holds the setting just saved, is
        // folded into the main file and emptied (or removed). A killed app would leave it full.
        let wal = dir.path().join("fresh/library.db-wal");
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0) {
            assert!(
                std::time::Instant::now() < deadline,
                "start {start}: the app did not close the library on exit"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        session.end_if_alive().await;
    }
    // And the command line opens it too, with what the window saved.
    let db = Database::open(&db_path).await.unwrap();
    assert_eq!(db.summary().await.unwrap().tracks, 0);
    assert_eq!(db.enrichment_config().await.unwrap().batch_size, 52);
    db.close().await;
}

/// The first run in the real window: an empty library opens on the welcome view, which says
/// what Gatefold will do and promises to leave the files alone; "Choose your music folder" opens
/// the native folder picker (a real GTK dialog, found on the X display), and closing it as a user
/// does brings the welcome view back. (The import, the offer and the job that follow a chosen
/// folder: `the_first_run_from_the_welcome_through_the_picker_to_a_finished_job`.)
#[cfg_attr(
    not(feature = "custom-protocol"),
    ignore = "needs an app built with --features custom-protocol"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_run_welcome_opens_the_folder_picker_and_a_cancel_returns() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("new/library.db");
    let (_xvfb, display, driver, app) = offline_app(dir.path(), &db_path).await;
    let session = driver.session(&app).await;
    let choose = "return [...document.querySelectorAll('button')] \
                    .some(b => b.innerText.trim() === 'Choose your music folder' && !b.disabled)";
    session
        .wait_for("the welcome view", choose, Duration::from_secs(20))
        .await;
    let text = session.js("return document.body.innerText").await;
    let text = text.as_str().unwrap();
    assert!(
        text.contains("never changed"),
        "the promise is stated: {text}"
    );
    assert!(
        !text.contains("gatefold-cli"),
        "no command that is not installed: {text}"
    );
    session.screenshot("first-run-welcome").await;
    session
        .click("//button[normalize-space()='Choose your music folder']")
        .await;
    // The picker is a window of its own, titled by the app.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while close_window_like_a_user(&display, "Choose your music folder") == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the folder picker did not open"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    session
        .wait_for("the welcome view again", choose, Duration::from_secs(20))
        .await;
    let answer = session
        .js_async(
            "const done = arguments[arguments.length - 1]; \
             window.__TAURI_INTERNALS__.invoke('library_summary').then(r => done(r.tracks), e => done(e));",
        )
        .await;
    assert_eq!(answer, 0, "nothing was imported");
    session.end().await;
}

/// The app and the command line started on one library at the same instant, 100 times: each
/// start either runs or is refused with `job_already_running`; never "database is locked",
/// never both refused, and a refused start leaves the library as it was. The app starts through
/// its real IPC; the command line is the app binary's headless `enrich`.
#[cfg_attr(
    not(feature = "custom-protocol"),
    ignore = "needs an app built with --features custom-protocol"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_and_the_cli_started_together_take_turns_never_locked() {
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let dir = tempfile::tempdir().unwrap();
    let db_path = library(dir.path()).await;
    // LRCLIB answers every request with a 500 after 100 ms: each job takes a while (and its
    // tracks fail, so the next `--retry-failed` start has them to do again), and the starts of
    // a round overlap the other's job.
    let lrclib = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500).set_delay(Duration::from_millis(100)))
        .mount(&lrclib)
        .await;
    let providers = |command: &mut std::process::Command| {
        gatefold_testkit::providers::close_every_provider(command);
        command.env("GATEFOLD_LRCLIB_URL", lrclib.uri());
    };
    let (_xvfb, display) = xvfb();
    let driver = Driver::start(&display, |command| {
        app_env(command, dir.path(), &db_path);
        providers(command);
    })
    .await;
    let app = PathBuf::from(env!("CARGO_BIN_EXE_gatefold"));
    let session = driver.session(&app).await;
    session
        .wait_for(
            "the navigation",
            "return document.querySelector('nav') !== null",
            Duration::from_secs(20),
        )
        .await;
    // A first run fails every track's lyrics; from then on each `--retry-failed` start has
    // them to do again.
    let mut first = std::process::Command::new(&app);
    app_env(&mut first, dir.path(), &db_path);
    providers(&mut first);
    let first = first.args(["enrich", "--no-artwork"]).output().unwrap();
    assert_eq!(
        first.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let start_in_app = "const done = arguments[arguments.length - 1]; \
         window.__TAURI_INTERNALS__.invoke('start_enrichment', { retryFailed: true }) \
           .then(() => done({ ok: true }), e => done({ err: e }));";
    let idle_in_app = "const done = arguments[arguments.length - 1]; \
         window.__TAURI_INTERNALS__.invoke('enrichment_status') \
           .then(s => done(s === null), e => done(false));";
    let (mut app_ran, mut cli_ran) = (0, 0);
    for round in 0..100 {
        let mut cli = std::process::Command::new(&app);
        app_env(&mut cli, dir.path(), &db_path);
        providers(&mut cli);
        let cli = cli
            .args(["enrich", "--json", "--retry-failed", "--no-artwork"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The app's start comes 0 to 84 ms after the CLI's process: sometimes before the CLI
        // has claimed, sometimes after, so both sides of the race are taken.
        tokio::time::sleep(Duration::from_millis((round % 8) * 12)).await;
        let in_app = session.js_async(start_in_app).await;
        let cli = cli.wait_with_output().unwrap();
        // `--json`: a refusal is an error line on stdout.
        let cli_err = String::from_utf8_lossy(&cli.stdout).into_owned();
        let cli_refused = match cli.status.code() {
            // The retried tracks fail again: exit 2 is a job that ran.
            Some(0 | 2) => false,
            Some(1) => {
                assert!(
                    cli_err.contains("\"code\":\"job_already_running\""),
                    "round {round}: the CLI refused for another reason: {cli_err}"
                );
                true
            }
            other => panic!("round {round}: the CLI exited {other:?}: {cli_err}"),
        };
        let app_refused = match &in_app.get("err") {
            None => false,
            Some(err) => {
                assert_eq!(
                    err["code"], "job_already_running",
                    "round {round}: the app refused for another reason: {in_app}"
                );
                true
            }
        };
        assert!(
            !(cli_refused && app_refused),
            "round {round}: both refused: {cli_err} / {in_app}"
        );
        assert!(!cli_err.contains("locked"), "round {round}: {cli_err}");
        app_ran += usize::from(!app_refused);
        cli_ran += usize::from(!cli_refused);
        // The app's job ends at once; the next round starts when it has.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while session.js_async(idle_in_app).await != serde_json::Value::Bool(true) {
            assert!(
                std::time::Instant::now() < deadline,
                "round {round}: the app's job did not end"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    eprintln!("the app ran {app_ran} times, the CLI {cli_ran} times in 100 rounds");
    assert!(app_ran + cli_ran >= 100, "{app_ran} + {cli_ran}");
    session.end().await;
    let db = Database::open(&db_path).await.unwrap();
    assert_eq!(
        db.summary().await.unwrap().tracks,
        7,
        "the library is whole"
    );
    db.close().await;
}

/// The real window at 800×600, 1440×900 and 1920×1080: nothing scrolls sideways, the
/// navigation stays inside the window, and the album grid gains columns as the window widens.
/// (The browser tests in `ui/e2e/layout.test.js` check the same in Chromium, up to 2560×1440;
/// this is WebKitGTK, what users run.)
#[cfg_attr(
    not(feature = "custom-protocol"),
    ignore = "needs an app built with --features custom-protocol"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_fills_three_sizes_without_sideways_scrolling() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    gatefold_testkit::bulk_library(&music, 24, 1);
    let db_path = dir.path().join("library.db");
    let db = Database::open(&db_path).await.unwrap();
    scan_folder(&db, &music, &ScanOptions::default(), |_| {})
        .await
        .unwrap();
    db.close().await;
    let (_xvfb, _display, driver, app) = offline_app(dir.path(), &db_path).await;
    let session = driver.session(&app).await;
    let cards = "document.querySelectorAll('[aria-label=\"Albums\"] [data-album-id]')";
    let mut columns = Vec::new();
    for (width, height) in [(800, 600), (1440, 900), (1920, 1080)] {
        session.set_window_size(width, height).await;
        assert_eq!(session.window_size().await, (width, height));
        session
            .wait_for(
                "the album grid",
                &format!(
                    "return {cards}.length >= 6 && window.innerWidth >= {} ",
                    width - 40
                ),
                Duration::from_secs(20),
            )
            .await;
        // Layout settles on the next frames after a resize.
        let measured = session
            .js_async(&format!(
                "const done = arguments[arguments.length - 1]; \
                 requestAnimationFrame(() => requestAnimationFrame(() => {{ \
                   const cards = [...{cards}]; \
                   const top = cards[0].getBoundingClientRect().top; \
                   const lefts = new Set(cards \
                     .filter(c => Math.abs(c.getBoundingClientRect().top - top) < 2) \
                     .map(c => Math.round(c.getBoundingClientRect().left))); \
                   const nav = [...document.querySelectorAll('nav button, nav a')] \
                     .map(b => b.getBoundingClientRect()) \
                     .filter(r => r.width > 0); \
                   done({{ \
                     scrollWidth: document.scrollingElement.scrollWidth, \
                     innerWidth: window.innerWidth, \
                     columns: lefts.size, \
                     navInside: nav.length > 0 && nav.every(r => r.left >= 0 && r.right <= window.innerWidth + 0.5), \
                   }}); \
                 }}));"
            ))
            .await;
        let at = format!("{width}×{height}: {measured}");
        assert!(
            measured["scrollWidth"].as_f64() <= measured["innerWidth"].as_f64(),
            "sideways scrolling at {at}"
        );
        assert_eq!(measured["navInside"], true, "navigation cut off at {at}");
        columns.push(measured["columns"].as_u64().unwrap());
        session
            .screenshot(&format!("window-{width}x{height}"))
            .await;
    }
    eprintln!("grid columns at the three sizes: {columns:?}");
    assert!(
        columns.windows(2).all(|pair| pair[0] <= pair[1]) && columns[0] < columns[2],
        "the grid gains columns as the window widens: {columns:?}"
    );
    session.end().await;
}

/// The whole first run in the real window, as a new user does it: the welcome view, "Choose
/// your music folder", the native GTK folder picker (it opens in the user's Music folder)
/// answered with the keyboard (real key events through XTEST), the import with its count, the
/// offer, "Find artwork and lyrics", and the job to its end (the folder's cover found on disk; every provider is a closed port).
#[cfg_attr(
    not(feature = "custom-protocol"),
    ignore = "needs an app built with --features custom-protocol"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_run_from_the_welcome_through_the_picker_to_a_finished_job() {
    use gatefold_testkit::webdriver::type_into_window;
    const PICKER: &str = "Choose your music folder";
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    for n in 1..=3 {
        AudioSpec::tagged(Format::Mp3, &format!("Song {n}"), "Band", "First Album")
            .track(n)
            .write(music.join(format!("first-album/{n:02}.mp3")));
    }
    std::fs::write(music.join("first-album/cover.jpg"), COVER_JPG_600).unwrap();
    // The user's Music folder (where the picker opens) is the music.
    let config = dir.path().join("xdg-config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("user-dirs.dirs"),
        format!("XDG_MUSIC_DIR=\"{}\"\n", music.display()),
    )
    .unwrap();
    let db_path = dir.path().join("new/library.db");
    let (_xvfb, display, driver, app) = offline_app(dir.path(), &db_path).await;
    let session = driver.session(&app).await;
    let choose = format!(
        "return [...document.querySelectorAll('button')] \
           .some(b => b.innerText.trim() === '{PICKER}' && !b.disabled)"
    );
    session
        .wait_for("the welcome view", &choose, Duration::from_secs(20))
        .await;
    session
        .click(&format!("//button[normalize-space()='{PICKER}']"))
        .await;

    // The picker opens in the Music folder: Enter chooses it, as a user would with the
    // keyboard (real key events), until the picker has closed.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut seen = false;
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the picker did not take the folder"
        );
        // Let the dialog map and settle before (and between) keystrokes.
        tokio::time::sleep(Duration::from_millis(700)).await;
        let on = display.clone();
        let open = tokio::task::spawn_blocking(move || {
            type_into_window(&on, PICKER, &[(0xff0d, false)]) // Return
        })
        .await
        .unwrap();
        if seen && !open {
            break; // the picker closed: the folder was chosen
        }
        seen |= open;
        if std::env::var_os("GATEFOLD_DEBUG_X").is_some() {
            let shot = std::env::temp_dir().join(format!(
                "picker-{}.png",
                deadline
                    .saturating_duration_since(std::time::Instant::now())
                    .as_millis()
            ));
            gatefold_testkit::webdriver::screenshot_display(&display, &shot);
        }
    }

    session
        .wait_for(
            "the import and the offer",
            "const n = document.querySelector('[data-testid=\"welcome-imported\"]'); \
             return n !== null && n.innerText.includes('3 tracks in 1 album')",
            Duration::from_secs(30),
        )
        .await;
    // The Music folder itself was chosen (Enter on the picker, not on a folder in it).
    let text = session.js("return document.body.innerText").await;
    let text = text.as_str().unwrap();
    let root = music.display().to_string();
    assert!(
        text.contains(&root) && !text.contains(&format!("{root}/first-album")),
        "{text}"
    );
    session.screenshot("first-run-offer").await;
    session
        .click("//button[normalize-space()='Find artwork and lyrics']")
        .await;
    let last_run = "const done = arguments[arguments.length - 1]; \
         window.__TAURI_INTERNALS__.invoke('last_run').then(r => done(r), e => done(e));";
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let finished = loop {
        let run = session.js_async(last_run).await;
        if run["state"] == "finished" {
            break run;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the job did not finish: {run}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(finished["progress"]["processed_tracks"], 3, "{finished}");
    assert_eq!(finished["progress"]["artwork_fetched"], 3, "{finished}");
    session.screenshot("first-run-finished").await;
    session.end().await;
}
