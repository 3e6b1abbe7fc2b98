//! The real desktop app, end to end: the `gatefold` binary in a real WebKitGTK window under
//! Xvfb, driven through tauri-driver and WebKitWebDriver, on a generated library with every
//! provider at a loopback fake (one at a closed port, so a track fails with a reason).
//!
//! It clicks "Enrich library", waits for the bar to reach 100 %, finds the failing track listed
//! with its reason, changes a setting, restarts the app and sees the setting kept. With
//! `GATEFOLD_SCREENSHOTS=DIR` it also saves screenshots of the panels there (for the README).
//!
//! Needs Xvfb, WebKitWebDriver and tauri-driver (`scripts/setup.sh` installs them) and an app
//! built with `--features custom-protocol` (`make test` does both).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gatefold_engine::{Database, EnrichmentConfig, ScanOptions, scan_folder};
use gatefold_testkit::servers::coverart::FakeRelease;
use gatefold_testkit::servers::lrclib::LrcRecord;
use gatefold_testkit::servers::{Catalogue, FakeProviders};
use gatefold_testkit::{AudioSpec, COVER_JPG_600, Format};
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const DISCOVERY: &str = "11111111-1111-1111-1111-111111111111";

/// A child process killed (SIGTERM, then waited for) when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        // SIGTERM lets tauri-driver stop WebKitWebDriver too (a SIGKILL would leave it running).
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tool(name: &str) -> PathBuf {
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin")));
    for dir in candidates {
        let path = dir.join(name);
        if path.is_file() {
            return path;
        }
    }
    panic!("{name} is missing: run scripts/setup.sh (make test does)");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts Xvfb on a free display number.
fn xvfb() -> (Process, String) {
    for n in 90..140 {
        if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            || Path::new(&format!("/tmp/.X{n}-lock")).exists()
        {
            continue;
        }
        let child = Command::new(tool("Xvfb"))
            .arg(format!(":{n}"))
            .args(["-screen", "0", "1280x900x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let process = Process(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
                return (process, format!(":{n}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("Xvfb :{n} did not come up");
    }
    panic!("no free X display number");
}

/// A W3C WebDriver session, spoken over plain HTTP.
struct Session {
    http: reqwest::Client,
    base: String,
    id: String,
}

impl Session {
    async fn start(http: &reqwest::Client, driver: &str, app: &Path) -> Session {
        let body = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": app}
        }}});
        let value = call(
            http,
            reqwest::Method::POST,
            &format!("{driver}/session"),
            Some(body),
        )
        .await;
        Session {
            http: http.clone(),
            base: driver.to_owned(),
            id: value["sessionId"]
                .as_str()
                .expect("a session id")
                .to_owned(),
        }
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        call(
            &self.http,
            method,
            &format!("{}/session/{}{path}", self.base, self.id),
            body,
        )
        .await
    }

    /// Runs `script` in the page and returns its value.
    async fn js(&self, script: &str) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Waits until `script` returns something truthy; its value.
    async fn wait_for(&self, what: &str, script: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let value = self.js(script).await;
            if !(value.is_null() || value == json!(false) || value == json!("")) {
                return value;
            }
            if Instant::now() > deadline {
                let body = self.js("return document.body.innerText").await;
                panic!("timed out waiting for {what}; the page shows:\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn find(&self, xpath: &str) -> String {
        let found = format!(
            "return document.evaluate({xpath:?}, document, null, \
             XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue !== null"
        );
        self.wait_for(xpath, &found, Duration::from_secs(10)).await;
        let value = self
            .cmd(
                reqwest::Method::POST,
                "/element",
                Some(json!({"using": "xpath", "value": xpath})),
            )
            .await;
        value[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no {xpath}: {value}"))
            .to_owned()
    }

    async fn click(&self, xpath: &str) {
        let id = self.find(xpath).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    async fn type_into(&self, xpath: &str, text: &str) {
        let id = self.find(xpath).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/clear"),
            Some(json!({})),
        )
        .await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("GATEFOLD_SCREENSHOTS") else {
            return;
        };
        use base64::Engine as _;
        let png = self.cmd(reqwest::Method::GET, "/screenshot", None).await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(Path::new(&dir).join(format!("{name}.png")), bytes).unwrap();
    }

    async fn end(self) {
        self.cmd(reqwest::Method::DELETE, "", None).await;
    }
}

async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
) -> Value {
    let mut request = http.request(method.clone(), url);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = response.status();
    let text = response.text().await.unwrap();
    let value: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("{url}: {text}"));
    assert!(status.is_success(), "{method} {url}: {status} {value}");
    value["value"].clone()
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrich_in_the_real_window_and_keep_a_setting_across_a_restart() {
    assert!(
        cfg!(feature = "custom-protocol"),
        "build with --features custom-protocol: without it the app loads the dev server"
    );
    let dir = tempfile::tempdir().unwrap();
    let db_path = library(dir.path()).await;
    let fakes = FakeProviders::start(catalogue()).await;
    let (_xvfb, display) = xvfb();
    let port = free_port();
    let native = free_port();
    let mut driver = Command::new(tool("tauri-driver"));
    driver
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .arg("--native-driver")
        .arg(tool("WebKitWebDriver"))
        .env("DISPLAY", &display)
        .env_remove("WAYLAND_DISPLAY")
        .env("GATEFOLD_DB", &db_path)
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("xdg-data"))
        .env("XDG_CONFIG_HOME", dir.path().join("xdg-config"))
        .env("XDG_CACHE_HOME", dir.path().join("xdg-cache"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (name, url) in fakes.urls() {
        let url = if name == "itunes" {
            "http://127.0.0.1:9".to_owned()
        } else {
            url
        };
        driver.env(format!("GATEFOLD_{}_URL", name.to_ascii_uppercase()), url);
    }
    let _driver = Process(driver.spawn().expect("tauri-driver starts"));
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while http.get(format!("{base}/status")).send().await.is_err() {
        assert!(Instant::now() < deadline, "tauri-driver did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let app = PathBuf::from(env!("CARGO_BIN_EXE_gatefold"));

    let session = Session::start(&http, &base, &app).await;
    session
        .wait_for(
            "the library summary",
            "return document.body.innerText.includes('7') && document.querySelector('button') !== null",
            Duration::from_secs(20),
        )
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

    session
        .click("//nav//button[normalize-space()='Settings']")
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
    session.end().await;

    // A restart: the setting is still there, in the window and in the library.
    let session = Session::start(&http, &base, &app).await;
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
    assert_eq!(summary.artwork_missing, 1, "only Obscure lacks artwork");
    drop(fakes);
}
