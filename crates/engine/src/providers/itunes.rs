//! iTunes Search API artwork (`/search?term=<album artist> <album>&entity=album&media=music`).
//!
//! Only albums that confidently match (`crate::matching::album_score`) are used, best first.
//! The artwork URL's `100x100bb` is swapped for a larger size (1200, then 600), and the image must
//! decode. Apple throttles with 403 (sometimes 429) and publishes "about 20 calls per minute":
//! the default pace is one call every 3 s.

use async_trait::async_trait;
use serde::Deserialize;

use crate::enrich::{AlbumRequest, ArtworkService, FetchError, FetchedArtwork};
use crate::http::ProviderClient;
use crate::matching::{THRESHOLD, album_score_any_compilation_artist, is_various_artists};

/// Sizes asked for, largest first.
const SIZES: [u32; 2] = [1200, 600];

#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(default)]
    results: Vec<Album>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Album {
    #[serde(default)]
    collection_name: String,
    #[serde(default)]
    artist_name: String,
    artwork_url100: Option<String>,
}

/// `…/100x100bb.jpg` with the size swapped (`None` when the URL has no size token).
fn sized(url: &str, px: u32) -> Option<String> {
    let at = url.rfind("100x100bb")?;
    Some(format!(
        "{}{px}x{px}bb{}",
        &url[..at],
        &url[at + "100x100bb".len()..]
    ))
}

/// The iTunes artwork source.
#[derive(Debug, Clone)]
pub struct Itunes {
    client: ProviderClient,
    /// The image CDN: not under the API's rate limit, bounded by concurrency.
    images: ProviderClient,
}

impl Itunes {
    /// The iTunes source: `client` for the search API, `images` for the image CDN.
    pub fn new(client: ProviderClient, images: ProviderClient) -> Self {
        Itunes { client, images }
    }
}

#[async_trait]
impl ArtworkService for Itunes {
    async fn fetch_artwork(
        &self,
        album: &AlbumRequest,
    ) -> Result<Option<FetchedArtwork>, FetchError> {
        if !crate::model::is_known_album(&album.title) {
            return Ok(None);
        }
        let artist = if is_various_artists(&album.album_artist) {
            ""
        } else {
            album.album_artist.as_str()
        };
        let term = format!("{artist} {}", album.title).trim().to_owned();
        let url = self.client.url(
            "/search",
            &[
                ("term", &term),
                ("entity", "album"),
                ("media", "music"),
                ("limit", "25"),
            ],
        );
        let Some(answer) = self.client.get_json::<Answer>(url).await? else {
            return Ok(None);
        };
        let mut candidates: Vec<(f64, &Album)> = answer
            .results
            .iter()
            .filter(|a| a.artwork_url100.is_some())
            .map(|a| {
                let score = album_score_any_compilation_artist(
                    &album.title,
                    &album.album_artist,
                    &a.collection_name,
                    &a.artist_name,
                );
                (score, a)
            })
            .filter(|(score, _)| *score >= THRESHOLD)
            .collect();
        candidates.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
        for (score, candidate) in candidates.into_iter().take(2) {
            let base = candidate.artwork_url100.as_deref().unwrap_or_default();
            let matched = format!(
                "iTunes album “{}” by {} (score {score:.2})",
                candidate.collection_name, candidate.artist_name
            );
            for px in SIZES {
                let Some(url) = sized(base, px) else { continue };
                if let Some(found) =
                    super::fetch_image(&self.images, &url, "itunes", &matched).await?
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

#[cfg(test)]
mod tests {
    use super::sized;

    #[test]
    fn size_token_is_swapped() {
        assert_eq!(
            sized(
                "https://is1-ssl.mzstatic.com/image/thumb/Music/v4/ab/cd/source/100x100bb.jpg",
                1200
            )
            .as_deref(),
            Some("https://is1-ssl.mzstatic.com/image/thumb/Music/v4/ab/cd/source/1200x1200bb.jpg")
        );
        assert_eq!(sized("https://x/60x60bb.jpg", 600), None);
    }
}
