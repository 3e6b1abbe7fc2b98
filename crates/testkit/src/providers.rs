//! Provider plumbing for tests: clients pointed at the loopback fakes, album requests, and the
//! guarantees that a test never reaches a real provider. The provider names come from the
//! engine's own list, so a provider added there is covered here without touching any test.

use std::process::Command;
use std::time::Duration;

use gatefold_engine::enrich::AlbumRequest;
use gatefold_engine::http::{Http, ProviderClient, ProviderPolicy, RateLimit};
use gatefold_engine::providers::settings::known_names;

/// A provider client for a loopback fake at `base`.
///
/// # Panics
/// When `base` is not a URL (test support: fail loudly).
pub fn loopback_client(
    name: &'static str,
    base: &str,
    requests_per_second: f64,
    throttle: &'static [(u16, Duration)],
) -> ProviderClient {
    ProviderClient::new(
        Http::new().expect("HTTP client"),
        ProviderPolicy {
            name,
            base_url: url::Url::parse(base).expect("a base URL"),
            rate: RateLimit::per_second(requests_per_second),
            max_in_flight: None,
            throttle_statuses: throttle,
            request_timeout: None,
        },
    )
}

/// An artwork request for an album with no tracks and no MusicBrainz id.
pub fn album_request(title: &str, album_artist: &str) -> AlbumRequest {
    AlbumRequest {
        album_id: 1,
        title: title.into(),
        album_artist: album_artist.into(),
        mb_release_id: None,
        tracks: Vec::new(),
    }
}

/// What `service` answers for `title` by `album_artist` ([`album_request`]).
pub async fn ask_artwork(
    service: &impl gatefold_engine::ArtworkService,
    title: &str,
    album_artist: &str,
) -> Result<Option<gatefold_engine::model::FetchedArtwork>, gatefold_engine::model::FetchError> {
    service
        .fetch_artwork(&album_request(title, album_artist))
        .await
}

/// What `service` finds for `title` by `album_artist`, which must be artwork downloaded from
/// `source` (not a local file).
pub async fn found_online(
    service: &impl gatefold_engine::ArtworkService,
    title: &str,
    album_artist: &str,
    source: &str,
) -> gatefold_engine::model::FetchedArtwork {
    let found = ask_artwork(service, title, album_artist)
        .await
        .unwrap_or_else(|err| panic!("{title} by {album_artist}: {err}"))
        .unwrap_or_else(|| panic!("{title} by {album_artist}: not found"));
    assert_eq!((found.source.as_str(), found.local), (source, false));
    found
}

/// Points every provider of `cmd` (a `gatefold-cli` or `gatefold` run) at a closed loopback
/// port: a test that does not give a fake can never reach a real host.
pub fn close_every_provider(cmd: &mut Command) -> &mut Command {
    for name in known_names() {
        cmd.env(
            format!("GATEFOLD_{}_URL", name.to_ascii_uppercase()),
            "http://127.0.0.1:9",
        );
    }
    cmd
}

/// `--skip-provider NAME` for every provider: a run that only uses what is on disk (and does
/// not spend time retrying against the closed ports).
pub fn skip_every_provider() -> Vec<String> {
    known_names()
        .into_iter()
        .flat_map(|name| ["--skip-provider".to_owned(), name.to_owned()])
        .collect()
}
