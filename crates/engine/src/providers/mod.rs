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
use crate::matching::{THRESHOLD, album_score_any_compilation_artist};

/// Remote artwork this size or larger (on its short side) and square is taken at once.
pub const PREFERRED_MIN_PX: u32 = 500;
/// How far from square (long side / short side - 1) a cover may be and still count as square.
pub const SQUARE_TOLERANCE: f64 = 0.05;

/// Whether `art` is what the chain settles for at once: at least [`PREFERRED_MIN_PX`] on its
/// short side and square within [`SQUARE_TOLERANCE`].
pub fn is_preferred(art: &FetchedArtwork) -> bool {
    let (short, _) = sides(art);
    short >= PREFERRED_MIN_PX && is_square(art)
}

fn sides(art: &FetchedArtwork) -> (u32, u32) {
    (art.width.min(art.height), art.width.max(art.height))
}

fn is_square(art: &FetchedArtwork) -> bool {
    let (short, long) = sides(art);
    short > 0 && f64::from(long) / f64::from(short) - 1.0 <= SQUARE_TOLERANCE
}

/// Orders fallbacks: square before not square (a wide image is more likely a banner or a
/// booklet scan than a cover), then big enough, then larger.
fn fallback_rank(art: &FetchedArtwork) -> (bool, bool, u32) {
    let (short, _) = sides(art);
    (is_square(art), short >= PREFERRED_MIN_PX, short)
}

/// Artwork sources asked in order, like beets' fetchart: the first that finds valid artwork
/// wins; "not found" from every source is "not found".
///
/// What is on disk (an embedded picture, a cover beside the files) is the user's own choice and
/// wins whatever its size. A remote image wins at once only when it is preferred (at least
/// 500 px and square); otherwise it is kept as a fallback and the next sources are asked, and
/// the best fallback is the answer when no source has a preferred one.
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
    /// A chain with no sources (it finds nothing).
    pub fn new() -> Self {
        ArtworkChain::default()
    }

    /// Adds `source` at the end: it is asked after every source added before it.
    #[must_use]
    pub fn then(mut self, source: Arc<dyn ArtworkService>) -> Self {
        self.sources.push(source);
        self
    }

    /// Whether the chain has no sources.
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
        let mut fallback: Option<FetchedArtwork> = None;
        for source in &self.sources {
            match source.fetch_artwork(album).await {
                Ok(Some(found)) if found.local || is_preferred(&found) => return Ok(Some(found)),
                Ok(Some(found)) => {
                    tracing::debug!(
                        album = album.album_id,
                        source = found.source,
                        width = found.width,
                        height = found.height,
                        "artwork kept as a fallback (small or not square), asking the next source"
                    );
                    if fallback
                        .as_ref()
                        .is_none_or(|best| fallback_rank(&found) > fallback_rank(best))
                    {
                        fallback = Some(found);
                    }
                }
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
        match (fallback, failure) {
            (Some(found), _) => Ok(Some(found)),
            (None, Some(err)) => Err(err),
            (None, None) => Ok(None),
        }
    }

    /// Only when every source does: one that does not gets the job's deadline for the chain.
    fn bounds_each_request(&self) -> bool {
        self.sources.iter().all(|s| s.bounds_each_request())
    }
}

/// `answer`, counted as a lookup `client`'s provider answered, with artwork or without (a
/// failure is counted as its requests were).
pub(crate) fn counted(
    client: &ProviderClient,
    answer: Result<Option<FetchedArtwork>, FetchError>,
) -> Result<Option<FetchedArtwork>, FetchError> {
    if let Ok(found) = &answer {
        client.count_answer(found.is_some());
    }
    answer
}

/// An album as a search API describes it: its title and artist, and the image URLs to try for
/// it, best first.
pub(crate) struct Listed<'a> {
    pub title: &'a str,
    pub artist: &'a str,
    pub images: Vec<String>,
}

/// A search API that lists albums and the image CDN its answers point to (iTunes, Deezer).
#[derive(Debug, Clone)]
pub(crate) struct AlbumSearch {
    /// The search API, under the provider's rate limit.
    pub api: ProviderClient,
    /// The image CDN: not under the API's rate limit, bounded by concurrency.
    images: ProviderClient,
    /// The provider's id (`itunes`, `deezer`), the artwork's source.
    source: &'static str,
    /// The provider's name for people (`iTunes`), in the "matched" description.
    name: &'static str,
}

impl AlbumSearch {
    pub fn new(
        api: ProviderClient,
        images: ProviderClient,
        source: &'static str,
        name: &'static str,
    ) -> Self {
        AlbumSearch {
            api,
            images,
            source,
            name,
        }
    }

    /// The artwork of the best confident match among `listed` for `album`: each listed album is
    /// scored against it, those under [`THRESHOLD`] are dropped, and the image URLs of the best
    /// two are tried in order; the first that is a usable image is the answer.
    pub async fn best_image(
        &self,
        album: &AlbumRequest,
        listed: Vec<Listed<'_>>,
    ) -> Result<Option<FetchedArtwork>, FetchError> {
        let mut scored: Vec<(f64, Listed<'_>)> = listed
            .into_iter()
            .map(|l| {
                let score = album_score_any_compilation_artist(
                    &album.title,
                    &album.album_artist,
                    l.title,
                    l.artist,
                );
                (score, l)
            })
            .filter(|(score, _)| *score >= THRESHOLD)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (score, candidate) in scored.into_iter().take(2) {
            let matched = format!(
                "{} album “{}” by {} (score {score:.2})",
                self.name,
                candidate.title,
                if candidate.artist.is_empty() {
                    "?"
                } else {
                    candidate.artist
                }
            );
            for url in &candidate.images {
                if let Some(found) = fetch_image(&self.images, url, self.source, &matched).await? {
                    return Ok(Some(found));
                }
            }
        }
        Ok(None)
    }

    /// Whether both clients bound each request with a timeout.
    pub fn bounds_requests(&self) -> bool {
        self.api.bounds_requests() && self.images.bounds_requests()
    }
}

/// Image downloads in flight (with their decode) across the process; see [`fetch_image`].
const IMAGE_SLOTS_N: usize = 4;
static IMAGE_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(IMAGE_SLOTS_N);

/// Downloads `url` through `client` and returns it as artwork from `source` (the candidate
/// described by `matched`), if it really is an image (sniffed and decoded, whatever its
/// Content-Type); `Ok(None)` when it is missing (404). An answer that is not a usable image (an
/// HTML page served as `image/jpeg`, a truncated file, a decompression bomb) is a failure of
/// that provider, not "not found": transient, so it is retried, and listed with its reason if
/// it persists, never remembered as "nothing there".
pub(crate) async fn fetch_image(
    client: &ProviderClient,
    url: &str,
    source: &str,
    matched: &str,
) -> Result<Option<FetchedArtwork>, FetchError> {
    let Ok(url) = url::Url::parse(url) else {
        return Ok(None);
    };
    // A download and its decode hold one of the process's image slots: however many workers
    // find artwork at once, at most IMAGE_SLOTS bodies (each under the cap) are in memory,
    // waiting for or going through their decode.
    let _slot = IMAGE_SLOTS
        .acquire()
        .await
        .map_err(|_| FetchError::permanent("image downloads were shut down"))?;
    let Some(fetched) = client.get(url, "image/*", MAX_IMAGE_BYTES).await? else {
        return Ok(None);
    };
    // Decoding is CPU work that may wait for room in the decode budget: a blocking task.
    let (body, checked) = tokio::task::spawn_blocking(move || {
        let checked = image_check::inspect(&fetched.body);
        (fetched.body, checked)
    })
    .await
    .map_err(|e| FetchError::transient(format!("{source}: checking the image failed: {e}")))?;
    match checked {
        Ok(info) => Ok(Some(FetchedArtwork {
            bytes: body,
            mime: info.mime.to_owned(),
            width: info.width,
            height: info.height,
            source: source.to_owned(),
            local: false,
            matched: Some(matched.to_owned()),
        })),
        Err(reason) => {
            tracing::info!(source, %reason, "image refused");
            Err(FetchError::transient(format!(
                "{source}: the image is not usable: {reason}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A source answering with a fixed image size (or nothing, or a failure), counting calls.
    struct Fixed {
        answer: Result<Option<(u32, u32, bool)>, FetchError>,
        calls: Mutex<u32>,
        name: &'static str,
    }

    fn source(
        name: &'static str,
        answer: Result<Option<(u32, u32, bool)>, FetchError>,
    ) -> Arc<Fixed> {
        Arc::new(Fixed {
            answer,
            calls: Mutex::new(0),
            name,
        })
    }

    #[async_trait]
    impl ArtworkService for Fixed {
        async fn fetch_artwork(
            &self,
            _album: &AlbumRequest,
        ) -> Result<Option<FetchedArtwork>, FetchError> {
            *self.calls.lock().unwrap() += 1;
            self.answer.clone().map(|found| {
                found.map(|(width, height, local)| FetchedArtwork {
                    bytes: vec![1],
                    mime: "image/jpeg".into(),
                    width,
                    height,
                    source: self.name.into(),
                    local,
                    matched: None,
                })
            })
        }
    }

    fn album() -> AlbumRequest {
        AlbumRequest {
            album_id: 1,
            title: "Album".into(),
            album_artist: "Artist".into(),
            mb_release_id: None,
            tracks: Vec::new(),
        }
    }

    async fn winner(sources: &[Arc<Fixed>]) -> Result<Option<String>, FetchError> {
        let chain = sources.iter().fold(ArtworkChain::new(), |c, s| {
            c.then(s.clone() as Arc<dyn ArtworkService>)
        });
        chain
            .fetch_artwork(&album())
            .await
            .map(|found| found.map(|f| f.source))
    }

    #[tokio::test]
    async fn a_preferred_remote_image_wins_at_once() {
        let small = source("small", Ok(Some((300, 300, false))));
        let big = source("big", Ok(Some((1200, 1200, false))));
        let never = source("never", Ok(Some((1400, 1400, false))));
        let sources = [small, big, never.clone()];
        assert_eq!(winner(&sources).await.unwrap().as_deref(), Some("big"));
        assert_eq!(
            *never.calls.lock().unwrap(),
            0,
            "asked after a preferred image"
        );
    }

    #[tokio::test]
    async fn local_artwork_wins_whatever_its_size() {
        let local = source("folder", Ok(Some((200, 150, true))));
        let remote = source("remote", Ok(Some((1200, 1200, false))));
        let sources = [local, remote.clone()];
        assert_eq!(winner(&sources).await.unwrap().as_deref(), Some("folder"));
        assert_eq!(*remote.calls.lock().unwrap(), 0);
    }

    #[tokio::test]
    async fn without_a_preferred_image_the_best_fallback_wins() {
        // Square beats wide; among squares, larger wins; a transient failure elsewhere does not
        // throw away what was found.
        let wide = source("wide", Ok(Some((1600, 900, false))));
        let small = source("small", Ok(Some((300, 300, false))));
        let smaller = source("smaller", Ok(Some((250, 250, false))));
        let down = source("down", Err(FetchError::transient("503")));
        let sources = [wide, smaller, small, down];
        assert_eq!(winner(&sources).await.unwrap().as_deref(), Some("small"));
        // Nearly square (within 5 %) and big enough is taken at once.
        let nearly = source("nearly", Ok(Some((1000, 980, false))));
        let later = source("later", Ok(Some((1200, 1200, false))));
        let sources = [nearly, later.clone()];
        assert_eq!(winner(&sources).await.unwrap().as_deref(), Some("nearly"));
        assert_eq!(*later.calls.lock().unwrap(), 0);
    }

    #[tokio::test]
    async fn not_found_everywhere_is_none_and_a_failure_is_reported() {
        let none = source("none", Ok(None));
        assert_eq!(winner(std::slice::from_ref(&none)).await.unwrap(), None);
        let down = source("down", Err(FetchError::transient("timeout")));
        let gone = source("gone", Err(FetchError::permanent("bad answer")));
        let err = winner(&[gone, down, none]).await.unwrap_err();
        assert!(
            err.is_retryable(),
            "a transient failure outranks a permanent one"
        );
    }
}
