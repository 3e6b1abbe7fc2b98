//! The artwork store: image files kept once each, named by their content hash
//! (`<store>/<first two hex digits>/<sha-256>.<ext>`), written atomically.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::db::ArtworkRow;
use crate::error::{EngineError, Result};
use crate::model::FetchedArtwork;

/// The thumbnails' longest side, in pixels.
pub const THUMBNAIL_PX: u32 = 256;

/// Writes beside, then renames: a crash never leaves a half-written file under its name.
async fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| EngineError::io(&dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Unique per writer: two albums with the same cover may store the same bytes at once, and
    // each must rename a whole file of its own into place.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
    tokio::fs::write(&tmp, bytes)
        .await
        .map_err(|e| EngineError::io(&tmp, e))?;
    tokio::fs::rename(&tmp, path)
        .await
        .map_err(|e| EngineError::io(path, e))
}

/// A JPEG at most [`THUMBNAIL_PX`] on its longest side.
fn make_thumbnail(bytes: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let image = image::load_from_memory(bytes).map_err(|e| format!("does not decode: {e}"))?;
    let small = image.thumbnail(THUMBNAIL_PX, THUMBNAIL_PX).to_rgb8();
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&small)
        .map_err(|e| format!("cannot encode: {e}"))?;
    Ok(out.into_inner())
}

/// Where artwork images live. The engine is given the folder; the shell and the CLI choose it.
#[derive(Debug, Clone)]
pub struct ArtworkStore {
    root: PathBuf,
    /// Thumbnails made at once. Decoding a cover takes its whole bitmap in memory (up to the
    /// 64-megapixel budget), so the job's concurrency must not multiply it: one per core, and
    /// the memory of a run stays flat however many albums finish together.
    decoding: std::sync::Arc<tokio::sync::Semaphore>,
}

fn extension(mime: &str) -> &'static str {
    match mime {
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        _ => "jpg",
    }
}

impl ArtworkStore {
    /// A store in the folder `root`, created when the first image is saved.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        ArtworkStore {
            root: root.into(),
            decoding: std::sync::Arc::new(tokio::sync::Semaphore::new(cores.min(4))),
        }
    }

    /// The folder the store keeps its images in.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The absolute path of a stored image.
    pub fn path_of(&self, storage_path: &str) -> PathBuf {
        self.root.join(storage_path)
    }

    /// Writes the image and its thumbnail (unless the same bytes are already stored) and
    /// describes them.
    pub async fn save(&self, artwork: &FetchedArtwork) -> Result<ArtworkRow> {
        let hash = format!("{:x}", Sha256::digest(&artwork.bytes));
        let relative = format!("{}/{}.{}", &hash[..2], hash, extension(&artwork.mime));
        let thumbnail = format!("{}/{}-{THUMBNAIL_PX}.jpg", &hash[..2], hash);
        let path = self.root.join(&relative);
        let thumb_path = self.root.join(&thumbnail);
        if tokio::fs::metadata(&path).await.is_err() {
            write_atomically(&path, &artwork.bytes).await?;
        }
        let thumbnail_path = if tokio::fs::metadata(&thumb_path).await.is_ok() {
            Some(thumbnail)
        } else {
            let bytes = artwork.bytes.clone();
            let _slot =
                self.decoding.acquire().await.map_err(|_| {
                    EngineError::Internal("the thumbnail slots were closed".to_owned())
                })?;
            match tokio::task::spawn_blocking(move || make_thumbnail(&bytes)).await {
                Ok(Ok(jpeg)) => {
                    write_atomically(&thumb_path, &jpeg).await?;
                    Some(thumbnail)
                }
                Ok(Err(reason)) => {
                    tracing::warn!(%hash, %reason, "no thumbnail for this artwork");
                    None
                }
                Err(err) => {
                    return Err(EngineError::Internal(format!(
                        "thumbnail task stopped: {err}"
                    )));
                }
            }
        };
        Ok(ArtworkRow {
            content_hash: hash,
            mime: artwork.mime.clone(),
            width: artwork.width,
            height: artwork.height,
            byte_size: artwork.bytes.len() as u64,
            storage_path: relative,
            thumbnail_path,
            source: artwork.source.clone(),
            matched: artwork.matched.clone(),
        })
    }
}
