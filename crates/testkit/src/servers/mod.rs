//! Loopback servers that reproduce the providers' real APIs (shapes, status codes and
//! misbehaviours, from `../shared/providers.md`), so no test ever calls a real host.

pub mod coverart;
pub mod deezer;
pub mod itunes;
pub mod lrclib;
pub mod rate;

use coverart::{FakeCoverArt, FakeRelease};
use deezer::{DeezerAlbum, FakeDeezer};
use itunes::{FakeItunes, ItunesAlbum};
use lrclib::{FakeLrclib, LrcRecord};

use std::sync::{Arc, Mutex};

use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond};

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

/// A running search-API fake over a catalogue of `A`s: its server and its [`Traffic`].
#[derive(Debug)]
pub struct SearchFake<A> {
    server: MockServer,
    traffic: Arc<Mutex<Traffic>>,
    catalogue: std::marker::PhantomData<A>,
}

impl<A> SearchFake<A> {
    /// Starts a server answering every request with the responder `make` builds from the
    /// server's base URL and the shared traffic.
    async fn serve<R: Respond + 'static>(
        make: impl FnOnce(String, Arc<Mutex<Traffic>>) -> R,
    ) -> Self {
        let server = MockServer::start().await;
        let traffic = Arc::new(Mutex::new(Traffic::default()));
        Mock::given(any())
            .respond_with(make(server.uri(), Arc::clone(&traffic)))
            .mount(&server)
            .await;
        SearchFake {
            server,
            traffic,
            catalogue: std::marker::PhantomData,
        }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Requests received so far (`path?query`).
    pub fn requests(&self) -> Vec<String> {
        self.traffic.lock().unwrap().requests.clone()
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

    /// `--provider NAME=URL` for every provider, for a `gatefold-cli enrich` run.
    pub fn cli_args(&self) -> Vec<String> {
        self.urls()
            .into_iter()
            .flat_map(|(name, url)| ["--provider".to_owned(), format!("{name}={url}")])
            .collect()
    }
}
