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
