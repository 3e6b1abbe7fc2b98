//! iTunes Search API artwork (`/search?term=<album artist> <album>&entity=album&media=music`).
//!
//! Only albums that confidently match (`crate::matching::album_score`) are used, best first.
//! The artwork URL's `100x100bb` is swapped for a larger size (1200, then 600), and the image must
//! decode. Apple throttles with 403 (sometimes 429) and publishes "about 20 calls per minute":
//! the default pace is one call every 3 s.

use async_trait::async_trait;
use serde::Deserialize;

use super::{AlbumSearch, Listed};
use crate::enrich::{AlbumRequest, ArtworkService, FetchError, FetchedArtwork};
use crate::http::ProviderClient;
use crate::matching::is_various_artists;

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
    search: AlbumSearch,
}

impl Itunes {
    /// The iTunes source: `client` for the search API, `images` for the image CDN.
    pub fn new(client: ProviderClient, images: ProviderClient) -> Self {
        Itunes {
            search: AlbumSearch::new(client, images, "itunes", "iTunes"),
        }
    }
}

/// The search term for `album` (album artist and title, the title alone for a compilation);
/// `None` for an album without a known title, which no search can find.
fn term(album: &AlbumRequest) -> Option<String> {
    if !crate::model::is_known_album(&album.title) {
        return None;
    }
    let artist = if is_various_artists(&album.album_artist) {
        ""
    } else {
        album.album_artist.as_str()
    };
    Some(format!("{artist} {}", album.title).trim().to_owned())
}

impl Itunes {
    /// One lookup, uncounted (see `fetch_artwork`).
    async fn find(&self, album: &AlbumRequest) -> Result<Option<FetchedArtwork>, FetchError> {
        let Some(term) = term(album) else {
            return Ok(None);
        };
        let api = &self.search.api;
        let params = [
            ("term", term.as_str()),
            ("entity", "album"),
            ("media", "music"),
            ("limit", "25"),
        ];
        let Some(answer) = api.get_json::<Answer>(api.url("/search", &params)).await? else {
            return Ok(None);
        };
        let listed = answer
            .results
            .iter()
            .filter_map(|a| {
                let base = a.artwork_url100.as_deref()?;
                Some(Listed {
                    title: &a.collection_name,
                    artist: &a.artist_name,
                    images: SIZES.iter().filter_map(|px| sized(base, *px)).collect(),
                })
            })
            .collect();
        self.search.best_image(album, listed).await
    }
}

#[async_trait]
impl ArtworkService for Itunes {
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
