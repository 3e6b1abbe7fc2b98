//! Saved settings: one JSON document per key in the `settings` table.

use super::Database;
use crate::config::providers::{self as provider_settings, ProviderProblem, ProviderSettings};
use crate::config::{ConfigError, EnrichmentConfig};
use crate::error::{EngineError, Result};

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

/// The key of the saved [`EnrichmentConfig`].
const ENRICHMENT: &str = "enrichment";
/// The key of the saved provider list (in priority order).
const PROVIDERS: &str = "providers";

impl Database {
    /// The JSON saved under `key`, read as `T`; `None` when nothing was saved. `what` names it
    /// in the error when it is unreadable.
    async fn load<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
        what: &str,
    ) -> Result<Option<T>> {
        self.setting(key)
            .await?
            .map(|json| {
                serde_json::from_str(&json).map_err(|e| {
                    EngineError::Corrupt(format!("the saved {what} are unreadable: {e}"))
                })
            })
            .transpose()
    }

    /// Saves `value` under `key` when `problems` is empty; otherwise saves nothing and returns
    /// them.
    async fn save_checked<T: serde::Serialize + ?Sized, P>(
        &self,
        key: &str,
        value: &T,
        problems: Vec<P>,
    ) -> Result<std::result::Result<(), Vec<P>>> {
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        let json = serde_json::to_string(value)
            .map_err(|e| EngineError::Internal(format!("settings do not serialize: {e}")))?;
        self.set_setting(key, &json).await?;
        Ok(Ok(()))
    }

    /// The saved enrichment settings; the defaults until something was saved. Settings saved by
    /// an older build get defaults for what it did not have.
    pub async fn enrichment_config(&self) -> Result<EnrichmentConfig> {
        Ok(self
            .load(ENRICHMENT, "enrichment settings")
            .await?
            .unwrap_or_default())
    }

    /// Saves the enrichment settings if every value is in range; otherwise saves nothing and
    /// returns every problem.
    pub async fn save_enrichment_config(
        &self,
        config: &EnrichmentConfig,
    ) -> Result<std::result::Result<(), Vec<ConfigError>>> {
        self.save_checked(ENRICHMENT, config, config.validate_all())
            .await
    }

    /// The saved provider list in priority order, completed for this build (see
    /// [`provider_settings::complete`]); the defaults until something was saved.
    pub async fn provider_settings(&self) -> Result<Vec<ProviderSettings>> {
        Ok(self
            .load(PROVIDERS, "provider settings")
            .await?
            .map_or_else(provider_settings::defaults, provider_settings::complete))
    }

    /// Saves the provider list if it has no problem; otherwise saves nothing and returns every
    /// problem.
    pub async fn save_provider_settings(
        &self,
        providers: &[ProviderSettings],
    ) -> Result<std::result::Result<(), Vec<ProviderProblem>>> {
        self.save_checked(PROVIDERS, providers, provider_settings::problems(providers))
            .await
    }
}
