//! Sources of artwork and lyrics. Providers find things and return them; they never touch the
//! library database (the job stores what they find).
//!
//! * [`local`]: artwork already on disk (an embedded front cover, a cover/folder image).
//! * [`lrclib`]: synced and plain lyrics from LRCLIB.
//! * [`coverart`]: the Cover Art Archive, by the tagged MusicBrainz release or a confident
//!   MusicBrainz search.
//! * [`itunes`]: the iTunes Search API's album artwork, for confident matches only.
//! * [`deezer`]: Deezer's album covers (its in-band quota error is a throttle).
//! * [`ArtworkChain`]: asks sources in order; the first that finds something wins.

pub mod coverart;
pub mod deezer;
pub mod image_check;
pub mod itunes;
pub mod local;
pub mod lrclib;
pub mod settings;

use std::sync::Arc;

use async_trait::async_trait;

use crate::enrich::{AlbumRequest, ArtworkService, FetchError, FetchedArtwork};
use crate::http::{MAX_IMAGE_BYTES, ProviderClient};

/// Artwork sources asked in order, like beets' fetchart: the first that finds valid artwork
/// wins; "not found" from every source is "not found".
///
/// A source that fails is skipped for this album, so later sources still get their chance; if
/// none finds anything and a source failed transiently, the chain's answer is that failure (so
/// the job retries later) rather than a "not found" that would be remembered for weeks.
#[derive(Clone, Default)]
pub struct ArtworkChain {
    sources: Vec<Arc<dyn ArtworkService>>,
}

impl std::fmt::Debug for ArtworkChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArtworkChain")
            .field("sources", &self.sources.len())
            .finish()
    }
}

impl ArtworkChain {
    pub fn new() -> Self {
        ArtworkChain::default()
    }

    #[must_use]
    pub fn then(mut self, source: Arc<dyn ArtworkService>) -> Self {
        self.sources.push(source);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }
}

#[async_trait]
impl ArtworkService for ArtworkChain {
    async fn fetch_artwork(
        &self,
        album: &AlbumRequest,
    ) -> Result<Option<FetchedArtwork>, FetchError> {
        let mut failure: Option<FetchError> = None;
        for source in &self.sources {
            match source.fetch_artwork(album).await {
                Ok(Some(found)) => return Ok(Some(found)),
                Ok(None) => {}
                Err(err) => {
                    tracing::debug!(album = album.album_id, %err, "artwork source failed, trying the next");
                    // A transient failure outranks a permanent one: it may pass on retry.
                    if failure.as_ref().is_none_or(|f| !f.is_retryable()) {
                        failure = Some(err);
                    }
                }
            }
        }
        match failure {
            Some(err) => Err(err),
            None => Ok(None),
        }
    }
}

/// Downloads `url` through `client` and returns it as artwork from `source`, if it really is an
/// image (sniffed and decoded, whatever its Content-Type); `Ok(None)` when it is missing or is
/// not an image, so the caller tries its next candidate.
pub(crate) async fn fetch_image(
    client: &ProviderClient,
    url: &str,
    source: &str,
) -> Result<Option<FetchedArtwork>, FetchError> {
    let Ok(url) = url::Url::parse(url) else {
        return Ok(None);
    };
    let Some(fetched) = client.get(url, "image/*", MAX_IMAGE_BYTES).await? else {
        return Ok(None);
    };
    match image_check::inspect(&fetched.body) {
        Ok(info) => Ok(Some(FetchedArtwork {
            bytes: fetched.body,
            mime: info.mime.to_owned(),
            width: info.width,
            height: info.height,
            source: source.to_owned(),
            local: false,
        })),
        Err(reason) => {
            tracing::info!(source, %reason, "image skipped");
            Ok(None)
        }
    }
}
