//! Loopback servers that reproduce the providers' real APIs (shapes, status codes and
//! misbehaviours, from `../shared/providers.md`), so no test ever calls a real host.

pub mod coverart;
pub mod deezer;
pub mod faults;
pub mod itunes;
pub mod latency;
pub mod lrclib;
pub mod rate;

use coverart::{FakeCoverArt, FakeRelease};
use deezer::{DeezerAlbum, FakeDeezer};
use itunes::{FakeItunes, ItunesAlbum};
use lrclib::{FakeLrclib, LrcRecord};

use std::sync::{Arc, Mutex};

use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// What a search-API fake (iTunes, Deezer) keeps: every request as `path?query`, the searches
/// counted against its quota, and the published rate limit it enforces.
#[derive(Debug, Default)]
pub struct Traffic {
    searches: usize,
    requests: Vec<String>,
    window: rate::RateWatch,
}

impl Traffic {
    /// Logs `request`. A search (a request for `search_path`) also counts against the published
    /// limit and `quota`: `Some(false)` when it is over either (the fake answers with the
    /// provider's throttle signal), `Some(true)` when admitted, `None` for any other request.
    fn search(&mut self, request: &Request, search_path: &str, quota: usize) -> Option<bool> {
        self.requests.push(format!(
            "{}?{}",
            request.url.path(),
            request.url.query().unwrap_or("")
        ));
        if request.url.path() != search_path {
            return None;
        }
        self.searches += 1;
        Some(self.window.admit() && self.searches <= quota)
    }
}

/// The value of query parameter `key`, decoded.
fn query_param(request: &Request, key: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// How a search-API fake answers, implemented by the album type of its catalogue.
pub trait SearchApi: Sized + Send + Sync + 'static {
    /// The search endpoint, whose requests count against the quota.
    const SEARCH_PATH: &'static str;
    /// The provider's throttle answer, for a search over the quota or the published limit.
    fn over_quota() -> ResponseTemplate;
    /// The answer to an admitted search; `base` is the server's URL, for image links.
    fn search(albums: &[Self], request: &Request, base: &str) -> ResponseTemplate;
    /// The answer to any other request (images, unknown paths).
    fn other(albums: &[Self], path: &str) -> ResponseTemplate;
}

/// Answers every request of a [`SearchFake`], logging it in the shared traffic first.
struct SearchResponder<A> {
    albums: Vec<A>,
    traffic: Arc<Mutex<Traffic>>,
    base: String,
    quota: usize,
    latency: latency::Latency,
}

impl<A: SearchApi> Respond for SearchResponder<A> {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        // Bound first, so the traffic lock is released before the answer is built.
        let admitted = self
            .traffic
            .lock()
            .unwrap()
            .search(request, A::SEARCH_PATH, self.quota);
        let answer = match admitted {
            Some(true) => A::search(&self.albums, request, &self.base),
            Some(false) => A::over_quota(),
            None => A::other(&self.albums, request.url.path()),
        };
        answer.set_delay(self.latency.sample())
    }
}

/// A running search-API fake over a catalogue of `A`s: its server and its [`Traffic`].
#[derive(Debug)]
pub struct SearchFake<A> {
    server: MockServer,
    traffic: Arc<Mutex<Traffic>>,
    latency: latency::Latency,
    catalogue: std::marker::PhantomData<A>,
}

impl<A: SearchApi> SearchFake<A> {
    /// Starts the fake over `albums`; searches past `quota` get the provider's throttle answer.
    pub async fn start(albums: Vec<A>, quota: usize) -> Self {
        let server = MockServer::start().await;
        let traffic = Arc::new(Mutex::new(Traffic::default()));
        let latency = latency::Latency::default();
        let responder = SearchResponder {
            albums,
            traffic: Arc::clone(&traffic),
            base: server.uri(),
            quota,
            latency: latency.clone(),
        };
        Mock::given(any())
            .respond_with(responder)
            .mount(&server)
            .await;
        SearchFake {
            server,
            traffic,
            latency,
            catalogue: std::marker::PhantomData,
        }
    }
}

impl<A> SearchFake<A> {
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Requests received so far (`path?query`).
    pub fn requests(&self) -> Vec<String> {
        self.traffic.lock().unwrap().requests.clone()
    }

    /// How long it takes to answer (no time until set).
    pub fn latency(&self) -> latency::Latency {
        self.latency.clone()
    }

    /// The published limit this fake enforces on its API (unlimited until set), and what came.
    pub fn rate(&self) -> rate::RateWatch {
        self.traffic.lock().unwrap().window.clone()
    }
}

/// What every fake knows.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub lyrics: Vec<LrcRecord>,
    pub releases: Vec<FakeRelease>,
    pub itunes: Vec<ItunesAlbum>,
    pub deezer: Vec<DeezerAlbum>,
}

/// Every provider's fake, running.
#[derive(Debug)]
pub struct FakeProviders {
    pub lrclib: FakeLrclib,
    pub coverart: FakeCoverArt,
    pub itunes: FakeItunes,
    pub deezer: FakeDeezer,
}

impl FakeProviders {
    /// Starts them all (iTunes and Deezer with quotas no test reaches unless it means to).
    pub async fn start(catalogue: Catalogue) -> Self {
        FakeProviders {
            lrclib: FakeLrclib::start(catalogue.lyrics, "").await,
            coverart: FakeCoverArt::start(catalogue.releases).await,
            itunes: FakeItunes::start(catalogue.itunes, 10_000).await,
            deezer: FakeDeezer::start(catalogue.deezer, 10_000).await,
        }
    }

    /// `(name, base URL)` of every provider the engine knows, pointed at these fakes.
    ///
    /// # Panics
    /// When the engine knows a provider this has no fake for (add one here).
    pub fn urls(&self) -> Vec<(&'static str, String)> {
        gatefold_engine::providers::settings::known_names()
            .into_iter()
            .map(|name| {
                let url = match name {
                    "lrclib" => self.lrclib.uri(),
                    "musicbrainz" => self.coverart.musicbrainz_uri(),
                    "coverartarchive" => self.coverart.coverartarchive_uri(),
                    "itunes" => self.itunes.uri(),
                    "deezer" => self.deezer.uri(),
                    other => panic!("no fake for provider {other}"),
                };
                (name, url)
            })
            .collect()
    }

    /// Every fake answers after a lognormal time with this median and 99th percentile (each
    /// fake with its own seeded generator).
    pub fn set_latency(&self, median: std::time::Duration, p99: std::time::Duration) {
        self.lrclib.latency().lognormal(median, p99, 1);
        for (seed, latency) in self.coverart.latencies().into_iter().enumerate() {
            latency.lognormal(median, p99, 2 + seed as u64);
        }
        self.itunes.latency().lognormal(median, p99, 5);
        self.deezer.latency().lognormal(median, p99, 6);
    }

    /// `--provider NAME=URL` for every provider, for a `gatefold-cli enrich` run.
    pub fn cli_args(&self) -> Vec<String> {
        self.urls()
            .into_iter()
            .flat_map(|(name, url)| ["--provider".to_owned(), format!("{name}={url}")])
            .collect()
    }
}
