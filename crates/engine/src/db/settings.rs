//! Saved settings: one JSON document per key in the `settings` table.

use super::Database;
use crate::enrich::{ConfigError, EnrichmentConfig};
use crate::error::{EngineError, Result};
use crate::providers::settings::{self as provider_settings, ProviderProblem, ProviderSettings};

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
    /// The saved enrichment settings; the defaults until something was saved. Settings saved by
    /// an older build get defaults for what it did not have.
    pub async fn enrichment_config(&self) -> Result<EnrichmentConfig> {
        match self.setting(ENRICHMENT).await? {
            Some(json) => serde_json::from_str(&json).map_err(|e| {
                EngineError::Corrupt(format!("the saved enrichment settings are unreadable: {e}"))
            }),
            None => Ok(EnrichmentConfig::default()),
        }
    }

    /// Saves the enrichment settings if every value is in range; otherwise saves nothing and
    /// returns every problem.
    pub async fn save_enrichment_config(
        &self,
        config: &EnrichmentConfig,
    ) -> Result<std::result::Result<(), Vec<ConfigError>>> {
        let problems = config.validate_all();
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        let json = serde_json::to_string(config)
            .map_err(|e| EngineError::Internal(format!("settings do not serialize: {e}")))?;
        self.set_setting(ENRICHMENT, &json).await?;
        Ok(Ok(()))
    }

    /// The saved provider list in priority order, completed for this build (see
    /// [`provider_settings::complete`]); the defaults until something was saved.
    pub async fn provider_settings(&self) -> Result<Vec<ProviderSettings>> {
        match self.setting(PROVIDERS).await? {
            Some(json) => serde_json::from_str(&json)
                .map(provider_settings::complete)
                .map_err(|e| {
                    EngineError::Corrupt(format!("the saved provider settings are unreadable: {e}"))
                }),
            None => Ok(provider_settings::defaults()),
        }
    }

    /// Saves the provider list if it has no problem; otherwise saves nothing and returns every
    /// problem.
    pub async fn save_provider_settings(
        &self,
        providers: &[ProviderSettings],
    ) -> Result<std::result::Result<(), Vec<ProviderProblem>>> {
        let problems = provider_settings::problems(providers);
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        let json = serde_json::to_string(providers)
            .map_err(|e| EngineError::Internal(format!("settings do not serialize: {e}")))?;
        self.set_setting(PROVIDERS, &json).await?;
        Ok(Ok(()))
    }
}
