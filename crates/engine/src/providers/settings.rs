//! [`build`] turns the provider settings (`crate::config::providers`, re-exported here) into
//! the services the job drives, on one shared HTTP client.

use std::sync::Arc;

use url::Url;

use super::ArtworkChain;
use super::coverart::CoverArtArchive;
use super::deezer::Deezer;
use super::itunes::Itunes;
use super::local::LocalArtwork;
use super::lrclib::Lrclib;
use crate::config::providers::known;
pub use crate::config::providers::*;
use crate::enrich::LyricsService;
use crate::http::{Http, ProviderClient, ProviderPolicy, RateLimit};

/// The services a job drives, built from the settings.
pub struct Services {
    /// The artwork sources, in the order they are asked: artwork on disk, then the enabled
    /// providers.
    pub artwork: ArtworkChain,
    /// LRCLIB when it is enabled; `None` otherwise.
    pub lyrics: Option<Arc<dyn LyricsService>>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("artwork", &self.artwork)
            .field("lyrics", &self.lyrics.is_some())
            .finish()
    }
}

/// Builds the enabled providers on one shared HTTP client, each request bounded by
/// `request_timeout` (the job's operation timeout) from when it is sent. Artwork on disk always comes first;
/// then the artwork providers in the order of `settings` (the Cover Art Archive takes its place
/// in the list, and uses MusicBrainz to find releases when MusicBrainz is on).
pub fn build(
    http: &Http,
    settings: &[ProviderSettings],
    request_timeout: std::time::Duration,
) -> Result<Services, ProviderSettingsError> {
    validate(settings)?;
    let enabled: Vec<(ProviderId, ProviderClient)> = settings
        .iter()
        .filter(|s| s.enabled)
        .map(|s| {
            let k = known(&s.name)?;
            let base_url = Url::parse(&s.base_url).map_err(|_| ProviderSettingsError::BadUrl {
                name: s.name.clone(),
                url: s.base_url.clone(),
            })?;
            let client = ProviderClient::new(
                http.clone(),
                ProviderPolicy {
                    name: k.id.as_str(),
                    base_url,
                    rate: RateLimit::per_second(s.requests_per_second),
                    max_in_flight: Some(s.max_in_flight as usize),
                    throttle_statuses: k.throttle,
                    request_timeout: Some(request_timeout),
                },
            );
            Ok((k.id, client))
        })
        .collect::<Result<_, ProviderSettingsError>>()?;
    let client = |id: ProviderId| {
        enabled
            .iter()
            .find(|(enabled, _)| *enabled == id)
            .map(|(_, c)| c.clone())
    };
    // Image CDNs (iTunes', Deezer's) are not under their APIs' rate limits ("image hosts
    // bounded by concurrency"). Each API's image client judges the URLs its answers name
    // against that API's base URL (see `http::reach`): a self-hosted API may name its own
    // network, a public one only public hosts.
    let images = |api: &ProviderClient, name: &'static str| {
        ProviderClient::new(
            http.clone(),
            ProviderPolicy {
                name,
                base_url: api.base_url().clone(),
                rate: RateLimit::per_second(1000.0),
                max_in_flight: Some(4),
                throttle_statuses: &[],
                request_timeout: Some(request_timeout),
            },
        )
    };
    let mut artwork = ArtworkChain::new().then(Arc::new(LocalArtwork));
    let mut lyrics: Option<Arc<dyn LyricsService>> = None;
    for (id, c) in &enabled {
        match id {
            ProviderId::Lrclib => lyrics = Some(Arc::new(Lrclib::new(c.clone()))),
            ProviderId::Coverartarchive => {
                artwork = artwork.then(Arc::new(CoverArtArchive::new(
                    client(ProviderId::Musicbrainz),
                    c.clone(),
                )));
            }
            ProviderId::Itunes => {
                artwork =
                    artwork.then(Arc::new(Itunes::new(c.clone(), images(c, "itunes images"))));
            }
            ProviderId::Deezer => {
                artwork =
                    artwork.then(Arc::new(Deezer::new(c.clone(), images(c, "deezer images"))));
            }
            // MusicBrainz serves the Cover Art Archive's searches (above).
            ProviderId::Musicbrainz => {}
        }
    }
    Ok(Services { artwork, lyrics })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_order_is_the_artwork_chain_of_the_spec() {
        let names: Vec<String> = defaults().into_iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            [
                "lrclib",
                "musicbrainz",
                "coverartarchive",
                "deezer",
                "itunes"
            ]
        );
    }

    #[test]
    fn each_provider_gets_the_requests_at_once_it_is_set_to() {
        let mut s = defaults();
        let lrclib = |s: &[ProviderSettings]| {
            build(
                &Http::new().expect("an HTTP client"),
                s,
                std::time::Duration::from_secs(30),
            )
            .expect("valid settings")
            .lyrics
            .expect("LRCLIB is on")
            .max_in_flight()
        };
        assert_eq!(lrclib(&s), Some(2), "the polite default");
        set_in_flight(&mut s, "lrclib", "16").expect("in range");
        assert_eq!(lrclib(&s), Some(16));
    }

    #[test]
    fn edits_are_validated() {
        let mut s = defaults();
        set_url(&mut s, "lrclib", "http://127.0.0.1:8080/lrclib").unwrap();
        assert_eq!(s[0].base_url, "http://127.0.0.1:8080/lrclib");
        assert!(set_url(&mut s, "lrclib", "ftp://x").is_err());
        assert_eq!(
            s[0].base_url, "http://127.0.0.1:8080/lrclib",
            "a refused edit changes nothing"
        );
        assert!(
            set_url(&mut s, "nosuch", "http://x")
                .unwrap_err()
                .to_string()
                .contains("unknown provider")
        );
        set_rate(&mut s, "lrclib", "20").unwrap();
        assert_eq!(s[0].requests_per_second, 20.0);
        assert!(set_rate(&mut s, "lrclib", "0").is_err());
        assert!(set_rate(&mut s, "lrclib", "fast").is_err());
    }
}
