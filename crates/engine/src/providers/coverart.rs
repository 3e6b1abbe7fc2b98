//! Cover Art Archive, found through MusicBrainz.
//!
//! With a MusicBrainz release id from the tags, the release's Cover Art Archive listing is asked
//! directly. Without one, MusicBrainz's release search (`release:"…" AND artist:"…"`) gives
//! candidates; only those that confidently match the album (`crate::matching::album_score`) are
//! tried, best first. From a listing, the front image is taken (never a back cover), at 1200 px
//! when the archive has that size, and it must decode. The listing and the images answer with
//! redirects to archive.org, which the client follows.

use async_trait::async_trait;
use serde::Deserialize;

use crate::enrich::{AlbumRequest, ArtworkService, FetchError, FetchedArtwork};
use crate::http::ProviderClient;
use crate::matching::{THRESHOLD, album_score};

/// Releases tried from a search, at most.
const MAX_CANDIDATES: usize = 3;

#[derive(Debug, Deserialize)]
struct Listing {
    #[serde(default)]
    images: Vec<Image>,
}

#[derive(Debug, Deserialize)]
struct Image {
    #[serde(default)]
    front: bool,
    #[serde(default)]
    back: bool,
    #[serde(default)]
    approved: bool,
    #[serde(default)]
    types: Vec<String>,
    image: Option<String>,
    #[serde(default)]
    thumbnails: std::collections::HashMap<String, String>,
}

impl Image {
    fn is_front(&self) -> bool {
        !self.back && (self.front || self.types.iter().any(|t| t == "Front"))
    }

    /// 1200 px if there is one, else the original, else 500 px.
    fn urls(&self) -> Vec<&str> {
        let t = |k: &str| self.thumbnails.get(k).map(String::as_str);
        [t("1200"), self.image.as_deref(), t("500").or(t("large"))]
            .into_iter()
            .flatten()
            .collect()
    }
}

#[derive(Debug, Deserialize)]
struct Search {
    #[serde(default)]
    releases: Vec<Release>,
}

#[derive(Debug, Deserialize)]
struct Release {
    id: String,
    #[serde(default)]
    score: u32,
    #[serde(default)]
    title: String,
    #[serde(rename = "artist-credit", default)]
    artist_credit: Vec<Credit>,
}

#[derive(Debug, Deserialize)]
struct Credit {
    #[serde(default)]
    name: String,
    #[serde(default)]
    joinphrase: String,
}

impl Release {
    fn artist(&self) -> String {
        self.artist_credit
            .iter()
            .map(|c| format!("{}{}", c.name, c.joinphrase))
            .collect::<String>()
    }
}

/// A Lucene phrase: quoted, with `\\` and `"` escaped.
fn phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn is_mbid(id: &str) -> bool {
    id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// The Cover Art Archive artwork source.
#[derive(Debug, Clone)]
pub struct CoverArtArchive {
    /// `None` when MusicBrainz is switched off: only tagged release ids are looked up.
    musicbrainz: Option<ProviderClient>,
    archive: ProviderClient,
}

impl CoverArtArchive {
    /// The Cover Art Archive source: `musicbrainz` finds releases by name (`None`: only releases
    /// tagged with a MusicBrainz id are looked up), `archive` fetches their covers.
    pub fn new(musicbrainz: Option<ProviderClient>, archive: ProviderClient) -> Self {
        CoverArtArchive {
            musicbrainz,
            archive,
        }
    }

    /// The front cover of a release (the candidate `matched` describes), if the archive has one
    /// that decodes.
    async fn front(
        &self,
        release: &str,
        matched: &str,
    ) -> Result<Option<FetchedArtwork>, FetchError> {
        let url = self.archive.url(&format!("/release/{release}"), &[]);
        let Some(listing) = self.archive.get_json::<Listing>(url).await? else {
            return Ok(None);
        };
        let mut fronts: Vec<&Image> = listing.images.iter().filter(|i| i.is_front()).collect();
        fronts.sort_by_key(|i| !i.approved);
        for image in fronts {
            for url in image.urls() {
                if let Some(found) =
                    super::fetch_image(&self.archive, url, "coverartarchive", matched).await?
                {
                    return Ok(Some(found));
                }
            }
        }
        Ok(None)
    }

    /// Releases that confidently are this album, best first: each id with a description of
    /// the match.
    async fn search(&self, album: &AlbumRequest) -> Result<Vec<(String, String)>, FetchError> {
        let Some(musicbrainz) = &self.musicbrainz else {
            return Ok(Vec::new());
        };
        let query = format!(
            "release:{} AND artist:{}",
            phrase(&album.title),
            phrase(&album.album_artist)
        );
        let url = musicbrainz.url(
            "/ws/2/release",
            &[("query", &query), ("fmt", "json"), ("limit", "8")],
        );
        let Some(found) = musicbrainz.get_json::<Search>(url).await? else {
            musicbrainz.count_answer(false);
            return Ok(Vec::new());
        };
        let mut scored: Vec<(f64, &Release)> = found
            .releases
            .iter()
            .map(|r| {
                (
                    album_score(&album.title, &album.album_artist, &r.title, &r.artist()),
                    r,
                )
            })
            .filter(|(score, r)| *score >= THRESHOLD && r.score >= 80 && is_mbid(&r.id))
            .collect();
        scored.sort_by(|a, b| {
            b.0.partial_cmp(&a.0)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(b.1.score.cmp(&a.1.score))
        });
        musicbrainz.count_answer(!scored.is_empty());
        Ok(scored
            .into_iter()
            .take(MAX_CANDIDATES)
            .map(|(score, r)| {
                let matched = format!(
                    "MusicBrainz release {} “{}” by {} (score {score:.2}; MusicBrainz's {})",
                    r.id,
                    r.title,
                    r.artist(),
                    r.score
                );
                (r.id.clone(), matched)
            })
            .collect())
    }
}

impl CoverArtArchive {
    /// One lookup, uncounted (see `fetch_artwork`).
    async fn find(&self, album: &AlbumRequest) -> Result<Option<FetchedArtwork>, FetchError> {
        if let Some(id) = album.mb_release_id.as_deref().filter(|id| is_mbid(id))
            && let Some(found) = self
                .front(
                    id,
                    &format!("MusicBrainz release {id} (tagged in the files)"),
                )
                .await?
        {
            return Ok(Some(found));
        }
        if !crate::model::is_known_album(&album.title) {
            return Ok(None);
        }
        for (release, matched) in self.search(album).await? {
            if let Some(found) = self.front(&release, &matched).await? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }
}

#[async_trait]
impl ArtworkService for CoverArtArchive {
    async fn fetch_artwork(
        &self,
        album: &AlbumRequest,
    ) -> Result<Option<FetchedArtwork>, FetchError> {
        super::counted(&self.archive, self.find(album).await)
    }

    fn bounds_each_request(&self) -> bool {
        self.archive.bounds_requests()
            && self
                .musicbrainz
                .as_ref()
                .is_none_or(ProviderClient::bounds_requests)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lucene_phrases_are_escaped() {
        assert_eq!(phrase("AC/DC"), r#""AC/DC""#);
        assert_eq!(phrase(r#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(phrase(r"back\slash"), r#""back\\slash""#);
    }

    #[test]
    fn front_images_only_preferring_1200() {
        let listing: Listing = serde_json::from_str(
            r#"{"images":[
                {"approved":true,"back":true,"front":false,"types":["Back"],"image":"http://x/back.jpg","thumbnails":{}},
                {"approved":true,"back":false,"front":true,"types":["Front"],"image":"http://x/full.jpg",
                 "thumbnails":{"250":"http://x/250.jpg","500":"http://x/500.jpg","1200":"http://x/1200.jpg","small":"http://x/250.jpg","large":"http://x/500.jpg"}}],
              "release":"https://musicbrainz.org/release/x"}"#,
        )
        .unwrap();
        let fronts: Vec<&Image> = listing.images.iter().filter(|i| i.is_front()).collect();
        assert_eq!(fronts.len(), 1);
        assert_eq!(
            fronts[0].urls(),
            ["http://x/1200.jpg", "http://x/full.jpg", "http://x/500.jpg"]
        );
    }
}
