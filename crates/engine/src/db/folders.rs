//! The library's music folders (`music_folders`): the folders it imports and watches.

use std::path::{Path, PathBuf};

use super::{Database, path_bytes, path_from_bytes};
use crate::error::Result;

impl Database {
    /// The music folders, in path order.
    pub async fn music_folders(&self) -> Result<Vec<PathBuf>> {
        let _hold = self.hold.guard();
        let rows: Vec<(Vec<u8>,)> = sqlx::query_as("SELECT path FROM music_folders ORDER BY path")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|(p,)| path_from_bytes(p)).collect())
    }

    /// Makes `folder` a music folder in place of `replaced` (folders inside it), in one
    /// transaction.
    pub async fn add_music_folder(&self, folder: &Path, replaced: &[PathBuf]) -> Result<()> {
        let _hold = self.hold.guard();
        let mut tx = super::begin_write(&self.pool).await?;
        for old in replaced {
            sqlx::query("DELETE FROM music_folders WHERE path = ?1")
                .bind(path_bytes(old))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("INSERT OR IGNORE INTO music_folders (path) VALUES (?1)")
            .bind(path_bytes(folder))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets `folder` and removes its tracks from the library (never the files), in one
    /// transaction; returns how many tracks went. Albums and artists left without tracks go
    /// too, as after a scan that finds their files gone.
    pub async fn remove_music_folder(&self, folder: &Path) -> Result<u64> {
        let _hold = self.hold.guard();
        let mut prefix = path_bytes(folder);
        if prefix.last() != Some(&b'/') {
            prefix.push(b'/');
        }
        let mut tx = super::begin_write(&self.pool).await?;
        sqlx::query("DELETE FROM music_folders WHERE path = ?1")
            .bind(path_bytes(folder))
            .execute(&mut *tx)
            .await?;
        let removed = sqlx::query("DELETE FROM tracks WHERE substr(path, 1, length(?1)) = ?1")
            .bind(prefix)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        super::import::delete_orphans(&mut tx).await?;
        tx.commit().await?;
        Ok(removed)
    }
}
