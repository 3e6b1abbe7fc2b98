//! Artwork the user already has: a front cover embedded in one of the album's files, else a
//! cover/folder/front/albumart image in the album folder (found by the import). Nothing is
//! fetched; the job stores it like any other artwork, marked as already present.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use lofty::file::TaggedFileExt;
use lofty::picture::PictureType;

use super::image_check::{MAX_IMAGE_BYTES, inspect};
use crate::enrich::{AlbumRequest, ArtworkService, FetchError, FetchedArtwork};

/// The local artwork source.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalArtwork;

fn embedded_front_cover(path: &Path) -> Option<Vec<u8>> {
    let mut opened = crate::files::open_regular(path, true).ok()?;
    let size = opened.metadata().ok()?.len();
    if size > crate::pictures::LARGE_FILE {
        // lofty would load every picture: read just the cover's bytes, within the limit.
        let file_type = lofty::probe::Probe::new(std::io::BufReader::new(&mut opened))
            .guess_file_type()
            .ok()?
            .file_type()?;
        return crate::pictures::read_front_cover(path, file_type, MAX_IMAGE_BYTES as u64)
            .inspect_err(|err| tracing::debug!(path = %path.display(), %err, "cover not read"))
            .ok()
            .flatten();
    }
    let file = lofty::read_from(&mut opened).ok()?;
    let pictures = || file.tags().iter().flat_map(|t| t.pictures());
    pictures()
        .find(|p| p.pic_type() == PictureType::CoverFront)
        .or_else(|| {
            pictures()
                .find(|p| matches!(p.pic_type(), PictureType::Other | PictureType::Undefined(_)))
        })
        .map(|p| p.data().to_vec())
        .filter(|data| !data.is_empty() && data.len() <= MAX_IMAGE_BYTES)
}

fn folder_cover(path: &Path) -> Option<Vec<u8>> {
    crate::files::read_bounded(path, MAX_IMAGE_BYTES as u64)
        .ok()
        .filter(|bytes| !bytes.is_empty())
}

/// Tries the candidates in order; the first that is a real image wins.
fn find(embedded: Vec<PathBuf>, folder: Vec<PathBuf>) -> Option<FetchedArtwork> {
    let candidates = embedded
        .iter()
        .map(|p| (embedded_front_cover(p), "embedded", p))
        .chain(folder.iter().map(|p| (folder_cover(p), "folder", p)));
    for (bytes, source, path) in candidates {
        let Some(bytes) = bytes else { continue };
        match inspect(&bytes) {
            Ok(info) => {
                return Some(FetchedArtwork {
                    bytes,
                    mime: info.mime.to_owned(),
                    width: info.width,
                    height: info.height,
                    source: source.to_owned(),
                    local: true,
                    matched: Some(path.display().to_string()),
                });
            }
            Err(reason) => tracing::info!(path = %path.display(), %reason, "local artwork skipped"),
        }
    }
    None
}

#[async_trait]
impl ArtworkService for LocalArtwork {
    async fn fetch_artwork(
        &self,
        album: &AlbumRequest,
    ) -> Result<Option<FetchedArtwork>, FetchError> {
        let mut embedded: Vec<PathBuf> = album
            .tracks
            .iter()
            .filter(|t| t.has_embedded_picture)
            .map(|t| t.path.clone())
            .collect();
        embedded.truncate(3);
        let mut folder: Vec<PathBuf> = album
            .tracks
            .iter()
            .filter_map(|t| t.folder_cover_path.clone())
            .collect();
        folder.dedup();
        if embedded.is_empty() && folder.is_empty() {
            return Ok(None);
        }
        tokio::task::spawn_blocking(move || find(embedded, folder))
            .await
            .map_err(|e| FetchError::permanent(format!("reading local artwork stopped: {e}")))
    }

    /// Reads files on disk only: no request to bound.
    fn bounds_each_request(&self) -> bool {
        true
    }
}
