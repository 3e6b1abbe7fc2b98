//! The artwork store: image files kept once each, named by their content hash
//! (`<store>/<first two hex digits>/<sha-256>.<ext>`), written atomically.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::services::FetchedArtwork;
use crate::db::ArtworkRow;
use crate::error::{EngineError, Result};

/// Where artwork images live. The engine is given the folder; the shell and the CLI choose it.
#[derive(Debug, Clone)]
pub struct ArtworkStore {
    root: PathBuf,
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
    pub fn new(root: impl Into<PathBuf>) -> Self {
        ArtworkStore { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The absolute path of a stored image.
    pub fn path_of(&self, storage_path: &str) -> PathBuf {
        self.root.join(storage_path)
    }

    /// Writes the image (unless the same bytes are already stored) and describes it.
    pub async fn save(&self, artwork: &FetchedArtwork) -> Result<ArtworkRow> {
        let hash = format!("{:x}", Sha256::digest(&artwork.bytes));
        let relative = format!("{}/{}.{}", &hash[..2], hash, extension(&artwork.mime));
        let path = self.root.join(&relative);
        if tokio::fs::metadata(&path).await.is_err() {
            let dir = path.parent().unwrap_or(&self.root).to_path_buf();
            tokio::fs::create_dir_all(&dir)
                .await
                .map_err(|e| EngineError::io(&dir, e))?;
            // Write beside, then rename: a crash never leaves a half-written image under its name.
            let tmp = dir.join(format!(".{hash}.tmp"));
            tokio::fs::write(&tmp, &artwork.bytes)
                .await
                .map_err(|e| EngineError::io(&tmp, e))?;
            tokio::fs::rename(&tmp, &path)
                .await
                .map_err(|e| EngineError::io(&path, e))?;
        }
        Ok(ArtworkRow {
            content_hash: hash,
            mime: artwork.mime.clone(),
            width: artwork.width,
            height: artwork.height,
            byte_size: artwork.bytes.len() as u64,
            storage_path: relative,
            source: artwork.source.clone(),
        })
    }
}
