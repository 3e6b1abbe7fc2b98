//! Driving the real desktop app: Xvfb, tauri-driver (to WebKitWebDriver) and a W3C WebDriver
//! session spoken over plain HTTP. Used by the real-window test and the window benchmark.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The key of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A child process killed (SIGTERM, then waited for) when dropped.
#[derive(Debug)]
pub struct Process(pub Child);

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

/// Where `name` is installed (PATH, then ~/.cargo/bin).
///
/// # Panics
/// When it is not installed.
pub fn tool(name: &str) -> PathBuf {
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

/// A free loopback port.
///
/// # Panics
/// When none can be bound.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts Xvfb on a free display number.
///
/// # Panics
/// When it cannot start.
pub fn xvfb() -> (Process, String) {
    for n in 90..140 {
        if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            || Path::new(&format!("/tmp/.X{n}-lock")).exists()
        {
            continue;
        }
        let child = Command::new(tool("Xvfb"))
            .arg(format!(":{n}"))
            .args(["-screen", "0", "2560x1440x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let pid = child.id();
        let mut process = Process(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        // Another test may have taken the same number at the same moment: the display is ours
        // only when the lock names our server (the loser's Xvfb exits, and we try the next).
        let owner = || {
            std::fs::read_to_string(format!("/tmp/.X{n}-lock"))
                .ok()
                .and_then(|text| text.trim().parse::<u32>().ok())
        };
        let mut lost = false;
        while Instant::now() < deadline {
            if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() && owner().is_some() {
                if owner() == Some(pid) {
                    return (process, format!(":{n}"));
                }
                lost = true;
                break;
            }
            if matches!(process.0.try_wait(), Ok(Some(_))) {
                lost = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if lost {
            continue; // dropping `process` stops our Xvfb if it still runs
        }
        panic!("Xvfb :{n} did not come up");
    }
    panic!("no free X display number");
}

/// A W3C WebDriver session, spoken over plain HTTP. Every method panics on a WebDriver error
/// (test support: fail loudly, with what the page shows).
#[derive(Debug)]
pub struct Session {
    http: reqwest::Client,
    base: String,
    id: String,
}

impl Session {
    pub async fn start(http: &reqwest::Client, driver: &str, app: &Path) -> Session {
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

    pub async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        call(
            &self.http,
            method,
            &format!("{}/session/{}{path}", self.base, self.id),
            body,
        )
        .await
    }

    /// Runs `script` in the page and returns its value.
    pub async fn js(&self, script: &str) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Runs an asynchronous `script` (it calls its last argument with the result) and returns
    /// what it passed.
    pub async fn js_async(&self, script: &str) -> Value {
        self.cmd(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Waits until `script` returns something truthy; its value.
    pub async fn wait_for(&self, what: &str, script: &str, timeout: Duration) -> Value {
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

    pub async fn find(&self, xpath: &str) -> String {
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

    pub async fn click(&self, xpath: &str) {
        let id = self.find(xpath).await;
        self.cmd(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    pub async fn type_into(&self, xpath: &str, text: &str) {
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

    pub async fn screenshot(&self, name: &str) {
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

    pub async fn end(self) {
        self.cmd(reqwest::Method::DELETE, "", None).await;
    }

    /// The window's size, `(width, height)` in CSS pixels.
    pub async fn window_size(&self) -> (u64, u64) {
        let rect = self.cmd(reqwest::Method::GET, "/window/rect", None).await;
        (
            rect["width"].as_u64().expect("a width"),
            rect["height"].as_u64().expect("a height"),
        )
    }

    /// Resizes the window.
    pub async fn set_window_size(&self, width: u64, height: u64) {
        self.cmd(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    /// Ends the session when the app may already have exited (its window closed).
    pub async fn end_if_alive(self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.id))
            .send()
            .await;
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

/// tauri-driver, running (stopped with SIGTERM when dropped, so WebKitWebDriver stops too).
#[derive(Debug)]
pub struct Driver {
    _process: Process,
    http: reqwest::Client,
    base: String,
}

impl Driver {
    /// Starts tauri-driver on free ports with WebKitWebDriver, showing windows on `display`;
    /// `configure` adds the app's environment (the library, provider URLs, ...).
    ///
    /// # Panics
    /// When it cannot start or does not answer within 20 s.
    pub async fn start(display: &str, configure: impl FnOnce(&mut Command)) -> Driver {
        let port = free_port();
        let native = free_port();
        let mut command = Command::new(tool("tauri-driver"));
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .arg("--native-driver")
            .arg(tool("WebKitWebDriver"))
            .env("DISPLAY", display)
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        configure(&mut command);
        let process = Process(command.spawn().expect("tauri-driver starts"));
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not come up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Driver {
            _process: process,
            http,
            base,
        }
    }

    /// Starts `app` (its window) in a new session.
    pub async fn session(&self, app: &Path) -> Session {
        Session::start(&self.http, &self.base, app).await
    }
}

/// Closes every top-level window titled `title` on X display `display` the way a window
/// manager does when the user clicks the close button: a `WM_DELETE_WINDOW` client message.
/// (Xvfb has no window manager, and WebDriver's "close window" only closes the web view.)
/// Returns how many windows were asked to close.
///
/// # Panics
/// When the display cannot be reached.
pub fn close_window_like_a_user(display: &str, title: &str) -> usize {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{AtomEnum, ClientMessageEvent, ConnectionExt, EventMask, Window};
    let (conn, screen) = x11rb::connect(Some(display)).expect("the X display answers");
    let root = conn.setup().roots[screen].root;
    let atom = |name: &str| {
        conn.intern_atom(false, name.as_bytes())
            .expect("intern_atom")
            .reply()
            .expect("an atom")
            .atom
    };
    let (protocols, delete, net_name, utf8) = (
        atom("WM_PROTOCOLS"),
        atom("WM_DELETE_WINDOW"),
        atom("_NET_WM_NAME"),
        atom("UTF8_STRING"),
    );
    let name_of = |window: Window| -> String {
        for (property, kind) in [
            (net_name, utf8),
            (AtomEnum::WM_NAME.into(), AtomEnum::STRING.into()),
        ] {
            if let Ok(Ok(reply)) = conn
                .get_property(false, window, property, kind, 0, 1024)
                .map(|cookie| cookie.reply())
                && !reply.value.is_empty()
            {
                return String::from_utf8_lossy(&reply.value).into_owned();
            }
        }
        String::new()
    };
    let mut asked = 0;
    let mut stack = vec![root];
    while let Some(window) = stack.pop() {
        if let Ok(Ok(tree)) = conn.query_tree(window).map(|cookie| cookie.reply()) {
            stack.extend(tree.children);
        }
        if window == root || name_of(window) != title {
            continue;
        }
        let accepts_delete = conn
            .get_property(false, window, protocols, AtomEnum::ATOM, 0, 64)
            .ok()
            .and_then(|cookie| cookie.reply().ok())
            .and_then(|reply| reply.value32().map(|atoms| atoms.collect::<Vec<u32>>()))
            .is_some_and(|atoms| atoms.contains(&delete));
        if !accepts_delete {
            continue;
        }
        let event = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
        conn.send_event(false, window, EventMask::NO_EVENT, event)
            .expect("send_event");
        asked += 1;
    }
    conn.flush().expect("flush");
    asked
}

/// Types `keys` into the window titled `title` on `display` as a user would, through the XTEST
/// extension (real key events, which GTK's native dialogs take; Xvfb has no window manager, so
/// the window is given the input focus first). Each key is a keysym (`'a'`, `'/'`, ...: Latin-1
/// characters are their own keysym) with whether Control is held; only characters typed
/// without Shift on a US keyboard. Returns whether the window was found.
///
/// # Panics
/// When the display cannot be reached or has no XTEST.
pub fn type_into_window(display: &str, title: &str, keys: &[(u32, bool)]) -> bool {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{ConnectionExt, InputFocus, KEY_PRESS_EVENT, KEY_RELEASE_EVENT};
    use x11rb::protocol::xtest::ConnectionExt as _;
    let (conn, screen) = x11rb::connect(Some(display)).expect("the X display answers");
    let root = conn.setup().roots[screen].root;
    let Some(window) = find_window(&conn, root, title) else {
        return false;
    };
    conn.set_input_focus(InputFocus::POINTER_ROOT, window, x11rb::CURRENT_TIME)
        .expect("set_input_focus");
    let (min, max) = (conn.setup().min_keycode, conn.setup().max_keycode);
    let mapping = conn
        .get_keyboard_mapping(min, max - min + 1)
        .expect("get_keyboard_mapping")
        .reply()
        .expect("a keyboard mapping");
    let per = usize::from(mapping.keysyms_per_keycode);
    let keycode = |keysym: u32| -> u8 {
        let index = mapping
            .keysyms
            .chunks(per)
            .position(|syms| syms.first() == Some(&keysym))
            .unwrap_or_else(|| panic!("no unshifted key for keysym {keysym:#x}"));
        min + u8::try_from(index).expect("a keycode")
    };
    let control = keycode(0xffe3); // Control_L
    let press = |code: u8, down: bool| {
        let kind = if down {
            KEY_PRESS_EVENT
        } else {
            KEY_RELEASE_EVENT
        };
        conn.xtest_fake_input(kind, code, x11rb::CURRENT_TIME, root, 0, 0, 0)
            .expect("xtest_fake_input");
        conn.flush().expect("flush");
        std::thread::sleep(Duration::from_millis(15));
    };
    for &(keysym, with_control) in keys {
        if with_control {
            press(control, true);
        }
        let code = keycode(keysym);
        press(code, true);
        press(code, false);
        if with_control {
            press(control, false);
        }
    }
    true
}

/// The first window titled `title` under `root` that is on the screen (mapped), if any.
fn find_window(conn: &impl x11rb::connection::Connection, root: u32, title: &str) -> Option<u32> {
    use x11rb::protocol::xproto::{AtomEnum, ConnectionExt, MapState};
    let atom = |name: &str| {
        conn.intern_atom(false, name.as_bytes())
            .ok()?
            .reply()
            .ok()
            .map(|r| r.atom)
    };
    let (net_name, utf8) = (atom("_NET_WM_NAME")?, atom("UTF8_STRING")?);
    let mut stack = vec![root];
    while let Some(window) = stack.pop() {
        if let Ok(Ok(tree)) = conn.query_tree(window).map(|cookie| cookie.reply()) {
            stack.extend(tree.children);
        }
        for (property, kind) in [
            (net_name, utf8),
            (AtomEnum::WM_NAME.into(), AtomEnum::STRING.into()),
        ] {
            if let Ok(Ok(reply)) = conn
                .get_property(false, window, property, kind, 0, 1024)
                .map(|cookie| cookie.reply())
                && reply.value == title.as_bytes()
                && window != root
                && conn
                    .get_window_attributes(window)
                    .ok()
                    .and_then(|cookie| cookie.reply().ok())
                    .is_some_and(|a| a.map_state == MapState::VIEWABLE)
            {
                return Some(window);
            }
        }
    }
    None
}

/// Saves what the whole X `display` shows (native dialogs included, which WebDriver's
/// screenshots leave out) as a PNG at `path`, for looking at a failing window test.
///
/// # Panics
/// When the display cannot be reached or the image cannot be written.
pub fn screenshot_display(display: &str, path: &Path) {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{ConnectionExt, ImageFormat};
    let (conn, screen) = x11rb::connect(Some(display)).expect("the X display answers");
    let screen = &conn.setup().roots[screen];
    let (width, height) = (screen.width_in_pixels, screen.height_in_pixels);
    let image = conn
        .get_image(ImageFormat::Z_PIXMAP, screen.root, 0, 0, width, height, !0)
        .expect("get_image")
        .reply()
        .expect("an image");
    // 24-bit depth comes as 32-bit BGRX pixels.
    let rgb: Vec<u8> = image
        .data
        .chunks_exact(4)
        .flat_map(|p| [p[2], p[1], p[0]])
        .collect();
    image::RgbImage::from_raw(u32::from(width), u32::from(height), rgb)
        .expect("a whole image")
        .save(path)
        .expect("the PNG is written");
}
