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
/// Blocking: called inside the store's one blocking task per save.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    std::fs::create_dir_all(&dir).map_err(|e| EngineError::io(&dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Unique per writer: two albums with the same cover may store the same bytes at once, and
    // each must rename a whole file of its own into place.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| EngineError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| EngineError::io(path, e))
}

/// A JPEG at most [`THUMBNAIL_PX`] on its longest side.
fn make_thumbnail(bytes: &[u8]) -> std::result::Result<Vec<u8>, String> {
    // Decoded within the process's budget (this runs in a blocking task).
    let (_, small) = crate::decode::decode(bytes, |image| {
        image.thumbnail(THUMBNAIL_PX, THUMBNAIL_PX).to_rgb8()
    })?;
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
    /// Saves at once, one per core. A save is one blocking task (hash, existence checks,
    /// writes, thumbnail), so the job's concurrency does not grow tokio's blocking pool, and
    /// the thumbnail's decode waits for room in the process's decode budget (`decode`): a
    /// run's memory stays flat however many albums finish together.
    slots: std::sync::Arc<tokio::sync::Semaphore>,
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
            slots: std::sync::Arc::new(tokio::sync::Semaphore::new(cores.min(4))),
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
    /// describes them. Takes the image by value: its bytes move to the blocking writer, never
    /// copied.
    pub async fn save(&self, artwork: FetchedArtwork) -> Result<ArtworkRow> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|_| EngineError::Internal("the artwork store was closed".to_owned()))?;
        let root = self.root.clone();
        let FetchedArtwork {
            bytes,
            mime,
            width,
            height,
            source,
            matched,
            local: _,
        } = artwork;
        let byte_size = bytes.len() as u64;
        let extension = extension(&mime);
        let (hash, storage_path, thumbnail_path) =
            tokio::task::spawn_blocking(move || store_files(&root, &bytes, extension))
                .await
                .map_err(|err| {
                    EngineError::Internal(format!("artwork store task stopped: {err}"))
                })??;
        Ok(ArtworkRow {
            content_hash: hash,
            mime,
            width,
            height,
            byte_size,
            storage_path,
            thumbnail_path,
            source,
            matched,
        })
    }
}

/// The blocking part of [`ArtworkStore::save`]: the content hash, the image and its thumbnail
/// written when missing. Returns the hash and the two paths relative to `root` (no thumbnail
/// when the image does not decode: it is still kept, and a warning says why).
fn store_files(root: &Path, bytes: &[u8], mime: &str) -> Result<(String, String, Option<String>)> {
    let hash = format!("{:x}", Sha256::digest(bytes));
    let relative = format!("{}/{}.{}", &hash[..2], hash, extension(mime));
    let thumbnail = format!("{}/{}-{THUMBNAIL_PX}.jpg", &hash[..2], hash);
    let path = root.join(&relative);
    let thumb_path = root.join(&thumbnail);
    if std::fs::metadata(&path).is_err() {
        write_atomically(&path, bytes)?;
    }
    let thumbnail_path = if std::fs::metadata(&thumb_path).is_ok() {
        Some(thumbnail)
    } else {
        match make_thumbnail(bytes) {
            Ok(jpeg) => {
                write_atomically(&thumb_path, &jpeg)?;
                Some(thumbnail)
            }
            Err(reason) => {
                tracing::warn!(%hash, %reason, "no thumbnail for this artwork");
                None
            }
        }
    };
    Ok((hash, relative, thumbnail_path))
}
