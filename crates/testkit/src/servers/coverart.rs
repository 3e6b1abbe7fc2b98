//! A fake MusicBrainz and a fake Cover Art Archive on loopback.
//!
//! MusicBrainz: `/ws/2/release?query=release:"…" AND artist:"…"&fmt=json` in the real JSON
//! shape; 403 when the User-Agent is missing or generic; 503 with the real error body when two
//! requests come less than a second apart. Cover Art Archive: `/release/{mbid}` answers 307 to a
//! second loopback "archive" host, which serves the listing and the images; 404 for a release
//! without art, 400 for an id that is not a UUID.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::rate::RateWatch;

use serde_json::{Value, json};
use wiremock::matchers::{any, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A release the fakes know.
#[derive(Debug, Clone)]
pub struct FakeRelease {
    pub id: String,
    pub title: String,
    pub artist: String,
    /// The front image's bytes (None: no art in the archive).
    pub front: Option<Vec<u8>>,
    /// Also list a back cover first (which must never be chosen).
    pub with_back: bool,
}

#[derive(Debug)]
struct Log {
    requests: Vec<String>,
    /// MusicBrainz's published limit: one request per second.
    musicbrainz: RateWatch,
}

impl Default for Log {
    fn default() -> Self {
        Log {
            requests: Vec::new(),
            musicbrainz: RateWatch::new(1, Duration::from_secs(1)),
        }
    }
}

fn norm(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The phrase after `field:` in a Lucene query (`release:"Discovery"`).
fn field(query: &str, name: &str) -> Option<String> {
    let start = query.find(&format!("{name}:\""))? + name.len() + 2;
    let mut out = String::new();
    let mut escaped = false;
    for c in query[start..].chars() {
        match (escaped, c) {
            (true, c) => {
                out.push(c);
                escaped = false;
            }
            (false, '\\') => escaped = true,
            (false, '"') => return Some(out),
            (false, c) => out.push(c),
        }
    }
    None
}

struct MusicBrainz {
    releases: Arc<Vec<FakeRelease>>,
    log: Arc<Mutex<Log>>,
    latency: super::latency::Latency,
}

impl Respond for MusicBrainz {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.answer(request).set_delay(self.latency.sample())
    }
}

impl MusicBrainz {
    fn answer(&self, request: &Request) -> ResponseTemplate {
        let mut log = self.log.lock().unwrap();
        log.requests.push(format!(
            "mb {}?{}",
            request.url.path(),
            request.url.query().unwrap_or("")
        ));
        let ua = request
            .headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !ua.starts_with("Gatefold/") || !ua.contains('(') {
            return ResponseTemplate::new(403)
                .set_body_json(json!({"error": "missing or generic User-Agent"}));
        }
        if !log.musicbrainz.admit() {
            return ResponseTemplate::new(503).set_body_json(json!({
                "error": "Your requests are exceeding the allowable rate limit. Please see https://wiki.musicbrainz.org/XMLWebService for more information.",
                "help": "For usage, please see: https://musicbrainz.org/development/mmd"
            }));
        }
        let query = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "query")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let (title, artist) = (
            field(&query, "release").unwrap_or_default(),
            field(&query, "artist").unwrap_or_default(),
        );
        let found: Vec<Value> = self
            .releases
            .iter()
            .filter(|r| norm(&r.title).contains(&norm(&title)) || norm(&r.artist) == norm(&artist))
            .map(|r| {
                let score = if norm(&r.title) == norm(&title) && norm(&r.artist) == norm(&artist) { 100 } else { 85 };
                json!({"id": r.id, "score": score, "title": r.title, "status": "Official",
                       "artist-credit": [{"name": r.artist, "artist": {"id": "00000000-0000-0000-0000-000000000000", "name": r.artist}}],
                       "release-group": {"id": "00000000-0000-0000-0000-000000000001", "primary-type": "Album"}})
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"created": "2026-01-01T00:00:00.000Z", "count": found.len(), "offset": 0, "releases": found}))
    }
}

struct Archive {
    releases: Arc<Vec<FakeRelease>>,
    log: Arc<Mutex<Log>>,
    /// Where redirects point (the archive host).
    archive: String,
    redirector: bool,
    latency: super::latency::Latency,
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

impl Respond for Archive {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.answer(request).set_delay(self.latency.sample())
    }
}

impl Archive {
    fn answer(&self, request: &Request) -> ResponseTemplate {
        let path = request.url.path().to_owned();
        self.log.lock().unwrap().requests.push(format!(
            "{} {path}",
            if self.redirector { "caa" } else { "archive" }
        ));
        if self.redirector {
            let Some(id) = path
                .strip_prefix("/release/")
                .map(|s| s.trim_end_matches('/').to_owned())
            else {
                return ResponseTemplate::new(404);
            };
            if !is_uuid(&id) {
                return ResponseTemplate::new(400).set_body_string("invalid UUID");
            }
            return match self
                .releases
                .iter()
                .find(|r| r.id == id && r.front.is_some())
            {
                Some(_) => ResponseTemplate::new(307).insert_header(
                    "location",
                    format!("{}/download/mbid-{id}/index.json", self.archive).as_str(),
                ),
                None => {
                    ResponseTemplate::new(404).set_body_string("No cover art found for release")
                }
            };
        }
        // The archive host: listings and images.
        if let Some(rest) = path.strip_prefix("/download/mbid-") {
            let id = rest.split('/').next().unwrap_or_default();
            let Some(release) = self.releases.iter().find(|r| r.id == id) else {
                return ResponseTemplate::new(404);
            };
            if rest.ends_with("index.json") {
                let image = |kind: &str| format!("{}/download/mbid-{id}/{kind}.jpg", self.archive);
                let mut images = Vec::new();
                if release.with_back {
                    images.push(json!({"approved": true, "back": true, "front": false, "types": ["Back"], "id": 1,
                                       "image": image("back"), "thumbnails": {"250": image("back-250"), "500": image("back-500")}}));
                }
                images.push(json!({"approved": true, "back": false, "front": true, "types": ["Front"], "id": 2, "edit": 1, "comment": "",
                                   "image": image("front"),
                                   "thumbnails": {"250": image("front-250"), "500": image("front-500"), "1200": image("front-1200"),
                                                  "small": image("front-250"), "large": image("front-500")}}));
                return ResponseTemplate::new(200).set_body_json(json!({"images": images, "release": format!("https://musicbrainz.org/release/{id}")}));
            }
            if rest.contains("/front") {
                return match &release.front {
                    Some(bytes) => ResponseTemplate::new(200)
                        .insert_header("content-type", "image/jpeg")
                        .set_body_bytes(bytes.clone()),
                    None => ResponseTemplate::new(404),
                };
            }
            // A back cover served as a real image: it must still never be chosen.
            return ResponseTemplate::new(200)
                .insert_header("content-type", "image/jpeg")
                .set_body_bytes(crate::audio::COVER_PNG_300.to_vec());
        }
        ResponseTemplate::new(404)
    }
}

/// The running fakes.
#[derive(Debug)]
pub struct FakeCoverArt {
    musicbrainz: MockServer,
    caa: MockServer,
    _archive: MockServer,
    log: Arc<Mutex<Log>>,
    /// MusicBrainz's, the redirector's and the archive's answer times.
    latencies: [super::latency::Latency; 3],
}

impl FakeCoverArt {
    pub async fn start(releases: Vec<FakeRelease>) -> Self {
        let releases = Arc::new(releases);
        let log = Arc::new(Mutex::new(Log::default()));
        let (musicbrainz, caa, archive) = (
            MockServer::start().await,
            MockServer::start().await,
            MockServer::start().await,
        );
        let latencies: [super::latency::Latency; 3] = Default::default();
        Mock::given(path_regex("^/ws/2/release$"))
            .respond_with(MusicBrainz {
                releases: Arc::clone(&releases),
                log: Arc::clone(&log),
                latency: latencies[0].clone(),
            })
            .mount(&musicbrainz)
            .await;
        Mock::given(any())
            .respond_with(Archive {
                releases: Arc::clone(&releases),
                log: Arc::clone(&log),
                archive: archive.uri(),
                redirector: true,
                latency: latencies[1].clone(),
            })
            .mount(&caa)
            .await;
        Mock::given(any())
            .respond_with(Archive {
                releases,
                log: Arc::clone(&log),
                archive: archive.uri(),
                redirector: false,
                latency: latencies[2].clone(),
            })
            .mount(&archive)
            .await;
        FakeCoverArt {
            musicbrainz,
            caa,
            _archive: archive,
            log,
            latencies,
        }
    }

    pub fn musicbrainz_uri(&self) -> String {
        self.musicbrainz.uri()
    }

    pub fn coverartarchive_uri(&self) -> String {
        self.caa.uri()
    }

    /// MusicBrainz's 1/s limit, and what came (each request over it was answered 503).
    pub fn musicbrainz_rate(&self) -> RateWatch {
        self.log.lock().unwrap().musicbrainz.clone()
    }

    /// The answer times of MusicBrainz, the redirector and the archive (no time until set).
    pub fn latencies(&self) -> [super::latency::Latency; 3] {
        self.latencies.clone()
    }

    /// Every request: `mb …`, `caa …` or `archive …`.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().requests.clone()
    }
}
