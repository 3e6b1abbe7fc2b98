//! A fake LRCLIB on loopback: `/api/get` with the server's normalisation and ±2 s duration rule,
//! `/api/search` by `q` or by track/artist (at most 20 records), 404 in the open-source server's
//! body form, 400 `ValidationError`s, and optional 429 bursts with or without `Retry-After`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A record the fake knows.
#[derive(Debug, Clone)]
pub struct LrcRecord {
    pub track: String,
    pub artist: String,
    pub album: String,
    /// Seconds.
    pub duration: f64,
    pub plain: Option<String>,
    pub synced: Option<String>,
    pub instrumental: bool,
}

impl LrcRecord {
    /// A record with synced and plain lyrics made from the title.
    pub fn synced(track: &str, artist: &str, album: &str, duration: f64) -> Self {
        LrcRecord {
            track: track.into(),
            artist: artist.into(),
            album: album.into(),
            duration,
            plain: Some(format!("Words of {track}")),
            synced: Some(format!("[00:01.00] Words of {track}")),
            instrumental: false,
        }
    }
}

/// The lyrics text the fake serves for a title, as [`LrcRecord::synced`] makes it.
pub fn synced_text(track: &str) -> String {
    format!("[00:01.00] Words of {track}")
}

#[derive(Debug, Default)]
struct State {
    records: Vec<LrcRecord>,
    /// Every request: path and query.
    log: Vec<String>,
    /// Answer 429 to every Nth request (with this Retry-After, if any).
    throttle: Option<(usize, Option<u64>)>,
    /// How long an answer takes (a slow server).
    latency: super::latency::Latency,
    window: super::rate::RateWatch,
}

/// The running fake.
#[derive(Debug)]
pub struct FakeLrclib {
    server: MockServer,
    state: Arc<Mutex<State>>,
    count: Arc<AtomicUsize>,
}

/// The server's `prepare_input`: lower case, punctuation to spaces, apostrophes dropped.
fn prepare(text: &str) -> String {
    let lower: String = text
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| *c != '\'' && *c != '’')
        .collect();
    lower
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn record_json(id: usize, r: &LrcRecord) -> Value {
    json!({
        "id": id, "trackName": r.track, "name": r.track, "artistName": r.artist, "albumName": r.album,
        "duration": r.duration, "instrumental": r.instrumental,
        "plainLyrics": r.plain, "syncedLyrics": r.synced,
    })
}

fn not_found() -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({"message": "Failed to find specified track", "name": "TrackNotFound", "statusCode": 404}))
}

fn invalid(message: &str) -> ResponseTemplate {
    ResponseTemplate::new(400)
        .set_body_json(json!({"message": message, "name": "ValidationError", "statusCode": 400}))
}

struct Responder {
    state: Arc<Mutex<State>>,
    count: Arc<AtomicUsize>,
}

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let latency = self.state.lock().unwrap().latency.clone();
        self.answer(request).set_delay(latency.sample())
    }
}

impl Responder {
    fn answer(&self, request: &Request) -> ResponseTemplate {
        let n = self.count.fetch_add(1, Ordering::SeqCst) + 1;
        let mut state = self.state.lock().unwrap();
        state.log.push(format!(
            "{}?{}",
            request.url.path(),
            request.url.query().unwrap_or("")
        ));
        if !state.window.admit() {
            return ResponseTemplate::new(429).insert_header("retry-after", "1");
        }
        if let Some((every, retry_after)) = state.throttle
            && n.is_multiple_of(every)
        {
            let t = ResponseTemplate::new(429);
            return match retry_after {
                Some(secs) => t.insert_header("retry-after", secs.to_string().as_str()),
                None => t,
            };
        }
        let param = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .filter(|v| !v.is_empty())
        };
        let path = request.url.path();
        if path.ends_with("/api/get") {
            let (Some(track), Some(artist)) = (param("track_name"), param("artist_name")) else {
                return invalid("track_name and artist_name are required");
            };
            let duration = match param("duration").map(|d| d.parse::<f64>()) {
                Some(Ok(d)) if (1.0..=3600.0).contains(&d) => Some(d),
                Some(_) => return invalid("duration must be between 1 and 3600"),
                None => None,
            };
            let album = param("album_name");
            let hit = state.records.iter().enumerate().find(|(_, r)| {
                prepare(&r.track) == prepare(&track)
                    && prepare(&r.artist) == prepare(&artist)
                    && album
                        .as_ref()
                        .is_none_or(|a| prepare(&r.album) == prepare(a))
                    && duration.is_none_or(|d| (r.duration - d).abs() <= 2.0)
            });
            return match hit {
                Some((i, r)) => ResponseTemplate::new(200).set_body_json(record_json(i + 1, r)),
                None => not_found(),
            };
        }
        if path.ends_with("/api/search") {
            let words = |s: &str| prepare(s).split(' ').map(str::to_owned).collect::<Vec<_>>();
            let found: Vec<Value> = match (param("q"), param("track_name")) {
                (Some(q), _) => {
                    let wanted = words(&q);
                    state
                        .records
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| {
                            let have = words(&format!("{} {} {}", r.track, r.artist, r.album));
                            wanted.iter().all(|w| have.contains(w))
                        })
                        .take(20)
                        .map(|(i, r)| record_json(i + 1, r))
                        .collect()
                }
                (None, Some(track)) => {
                    let artist = param("artist_name");
                    state
                        .records
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| {
                            prepare(&r.track).contains(&prepare(&track))
                                && artist
                                    .as_ref()
                                    .is_none_or(|a| prepare(&r.artist) == prepare(a))
                        })
                        .take(20)
                        .map(|(i, r)| record_json(i + 1, r))
                        .collect()
                }
                // Neither q nor track_name: LRCLIB answers an empty list, not an error.
                (None, None) => Vec::new(),
            };
            return ResponseTemplate::new(200).set_body_json(Value::Array(found));
        }
        ResponseTemplate::new(404)
    }
}

impl FakeLrclib {
    /// Starts the fake on 127.0.0.1 with these records, under `prefix` (e.g. "" or "/lrclib").
    pub async fn start(records: Vec<LrcRecord>, prefix: &str) -> Self {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State {
            records,
            ..State::default()
        }));
        let count = Arc::new(AtomicUsize::new(0));
        let prefix = prefix.trim_end_matches('/').to_owned();
        Mock::given(wiremock::matchers::path_regex(format!(
            "^{prefix}/api/(get|search)$"
        )))
        .respond_with(Responder {
            state: Arc::clone(&state),
            count: Arc::clone(&count),
        })
        .mount(&server)
        .await;
        FakeLrclib {
            server,
            state,
            count,
        }
    }

    /// The base URL to configure (with the prefix, if any, appended by the caller).
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Answer 429 to every `every`th request, with `Retry-After: retry_after` when given.
    pub fn throttle_every(&self, every: usize, retry_after: Option<u64>) {
        self.state.lock().unwrap().throttle = Some((every.max(1), retry_after));
    }

    /// Every answer waits `delay` from now on.
    pub fn set_delay(&self, delay: std::time::Duration) {
        self.latency().fixed(delay);
    }

    /// How long it takes to answer (no time until set).
    pub fn latency(&self) -> super::latency::Latency {
        self.state.lock().unwrap().latency.clone()
    }

    /// Requests received so far (path?query).
    pub fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }

    /// The published limit this fake enforces on its API (unlimited until set), and what came.
    pub fn rate(&self) -> super::rate::RateWatch {
        self.state.lock().unwrap().window.clone()
    }

    pub fn request_count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}
