//! Saved settings: one JSON document per key in the `settings` table.

use super::Database;
use crate::error::Result;

impl Database {
    /// The saved JSON for `key`, if any.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let _hold = self.hold.guard();
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = ?1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|(v,)| v))
    }

    /// Saves `json` under `key` (replacing what was there).
    pub async fn set_setting(&self, key: &str, json: &str) -> Result<()> {
        let _hold = self.hold.guard();
        sqlx::query("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(json)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
