//! Deezer album artwork (`/search/album?q=artist:"…" album:"…"`).
//!
//! Deezer reports errors inside an HTTP 200: `{"error":{"code":4,"message":"Quota limit
//! exceeded"}}` is a throttle (retried, never "not found"); code 800 ("no data") is not found.
//! Only confident matches are used; `cover_xl` (1000 px), else `cover_big` (500 px); the image
//! must decode. The published quota is 50 requests per 5 s.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;

use crate::enrich::{AlbumRequest, ArtworkService, FetchError, FetchedArtwork};
use crate::http::ProviderClient;
use crate::matching::{THRESHOLD, album_score_any_compilation_artist, is_various_artists};

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
    client: ProviderClient,
    /// The image CDN: not under the API's rate limit, bounded by concurrency.
    images: ProviderClient,
}

impl Deezer {
    /// The Deezer source: `client` for the search API, `images` for the image CDN.
    pub fn new(client: ProviderClient, images: ProviderClient) -> Self {
        Deezer { client, images }
    }
}

#[async_trait]
impl ArtworkService for Deezer {
    async fn fetch_artwork(
        &self,
        album: &AlbumRequest,
    ) -> Result<Option<FetchedArtwork>, FetchError> {
        if !crate::model::is_known_album(&album.title) {
            return Ok(None);
        }
        let compilation = is_various_artists(&album.album_artist);
        let q = if compilation {
            format!("album:{}", quoted(&album.title))
        } else {
            format!(
                "artist:{} album:{}",
                quoted(&album.album_artist),
                quoted(&album.title)
            )
        };
        let url = self.client.url("/search/album", &[("q", &q)]);
        let Some(answer) = self.client.get_json::<Answer>(url).await? else {
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
        let mut candidates: Vec<(f64, &Album)> = answer
            .data
            .iter()
            .map(|a| {
                let artist = a.artist.as_ref().map_or("", |x| x.name.as_str());
                let score = album_score_any_compilation_artist(
                    &album.title,
                    &album.album_artist,
                    &a.title,
                    artist,
                );
                (score, a)
            })
            .filter(|(score, _)| *score >= THRESHOLD)
            .collect();
        candidates.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        for (score, candidate) in candidates.into_iter().take(2) {
            let matched = format!(
                "Deezer album “{}” by {} (score {score:.2})",
                candidate.title,
                candidate.artist.as_ref().map_or("?", |a| a.name.as_str())
            );
            for url in [&candidate.cover_xl, &candidate.cover_big]
                .into_iter()
                .flatten()
            {
                if let Some(found) =
                    super::fetch_image(&self.images, url, "deezer", &matched).await?
                {
                    return Ok(Some(found));
                }
            }
        }
        Ok(None)
    }

    fn bounds_each_request(&self) -> bool {
        self.client.bounds_requests() && self.images.bounds_requests()
    }
}
