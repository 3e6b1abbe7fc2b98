//! Deezer album artwork (`/search/album?q=artist:"…" album:"…"`).
//!
//! Deezer reports errors inside an HTTP 200: `{"error":{"code":4,"message":"Quota limit
//! exceeded"}}` is a throttle (retried, never "not found"); code 800 ("no data") is not found.
//! Only confident matches are used; `cover_xl` (1000 px), else `cover_big` (500 px); the image
//! must decode. The published quota is 50 requests per 5 s.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;

use super::{AlbumSearch, Listed};
use crate::enrich::{AlbumRequest, ArtworkService, FetchError, FetchedArtwork};
use crate::http::ProviderClient;
use crate::matching::is_various_artists;

/// How long to wait after Deezer's quota error.
const QUOTA_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(default)]
    data: Vec<Album>,
    error: Option<InBandError>,
}

#[derive(Debug, Deserialize)]
struct InBandError {
    #[serde(default)]
    code: i64,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
struct Album {
    #[serde(default)]
    title: String,
    cover_xl: Option<String>,
    cover_big: Option<String>,
    artist: Option<Artist>,
}

#[derive(Debug, Deserialize)]
struct Artist {
    #[serde(default)]
    name: String,
}

/// A Deezer advanced-search value: quoted, inner quotes dropped.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', " "))
}

/// The Deezer artwork source.
#[derive(Debug, Clone)]
pub struct Deezer {
    search: AlbumSearch,
}

impl Deezer {
    /// The Deezer source: `client` for the search API, `images` for the image CDN.
    pub fn new(client: ProviderClient, images: ProviderClient) -> Self {
        Deezer {
            search: AlbumSearch::new(client, images, "deezer", "Deezer"),
        }
    }
}

/// The advanced query for `album` (`artist:"…" album:"…"`, the album alone for a compilation);
/// `None` for an album without a known title, which no search can find.
fn query(album: &AlbumRequest) -> Option<String> {
    if !crate::model::is_known_album(&album.title) {
        return None;
    }
    Some(if is_various_artists(&album.album_artist) {
        format!("album:{}", quoted(&album.title))
    } else {
        format!(
            "artist:{} album:{}",
            quoted(&album.album_artist),
            quoted(&album.title)
        )
    })
}

impl Deezer {
    /// One lookup, uncounted (see `fetch_artwork`).
    async fn find(&self, album: &AlbumRequest) -> Result<Option<FetchedArtwork>, FetchError> {
        let Some(q) = query(album) else {
            return Ok(None);
        };
        let api = &self.search.api;
        let Some(answer) = api
            .get_json::<Answer>(api.url("/search/album", &[("q", &q)]))
            .await?
        else {
            return Ok(None);
        };
        if let Some(err) = answer.error {
            return match err.code {
                4 => Err(FetchError::Transient {
                    reason: format!("deezer: throttled ({})", err.message),
                    retry_after: Some(QUOTA_WAIT),
                }),
                800 => Ok(None),
                code => Err(FetchError::permanent(format!(
                    "deezer: error {code}: {}",
                    err.message
                ))),
            };
        }
        let listed = answer
            .data
            .iter()
            .map(|a| Listed {
                title: &a.title,
                artist: a.artist.as_ref().map_or("", |x| x.name.as_str()),
                images: [&a.cover_xl, &a.cover_big]
                    .into_iter()
                    .flatten()
                    .cloned()
                    .collect(),
            })
            .collect();
        self.search.best_image(album, listed).await
    }
}

#[async_trait]
impl ArtworkService for Deezer {
    async fn fetch_artwork(
        &self,
        album: &AlbumRequest,
    ) -> Result<Option<FetchedArtwork>, FetchError> {
        super::counted(&self.search.api, self.find(album).await)
    }

    fn bounds_each_request(&self) -> bool {
        self.search.bounds_requests()
    }
}
