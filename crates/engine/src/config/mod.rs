//! Settings: [`EnrichmentConfig`], how an enrichment job runs, and ([`providers`]) which
//! providers it asks. Plain data with its validation, on the ground floor: the database stores
//! them, the job and the providers read them.
//!
//! `EnrichmentConfig`: how an enrichment job runs. Built with [`EnrichmentConfig::builder`],
//! checked by [`EnrichmentConfig::validate`] (a job never starts, and settings are never saved,
//! with an invalid config).

use std::ops::RangeInclusive;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::WriteBackMode;

pub mod providers;
mod rules;

pub use rules::{SettingRange, SettingsRules};

/// Settings of an enrichment job. The defaults are the seed's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct EnrichmentConfig {
    /// Tracks read from the library per page (the unit of reading and checkpointing).
    pub batch_size: u32,
    /// Operations in flight at once, at most.
    pub max_concurrent: u32,
    /// Fetch album artwork.
    pub enable_artwork: bool,
    /// Fetch lyrics (needs a lyrics provider switched on).
    pub enable_lyrics: bool,
    /// Run only on WiFi (not on ethernet, mobile or metered connections); pause when it drops.
    pub require_wifi: bool,
    /// Retries after the first attempt of an operation, for errors that may pass.
    pub max_retries: u32,
    /// The first retry waits about this long; each next one twice as long (capped at 10 s).
    #[ts(type = "number")]
    pub base_retry_delay_ms: u64,
    /// Each attempt of an operation is abandoned after this long.
    #[ts(type = "number")]
    pub operation_timeout_secs: u64,
    /// A "not found" is remembered this many days before the providers are asked again.
    pub not_found_max_age_days: u32,
    /// After a job, write what was found beside the music (off by default).
    pub write_back: WriteBackMode,
    /// While the music folders are watched, enrich new and changed music as it arrives (off
    /// by default; WiFi-only still applies).
    pub auto_enrich: bool,
}

impl Default for EnrichmentConfig {
    fn default() -> Self {
        EnrichmentConfig {
            batch_size: 50,
            max_concurrent: 5,
            enable_artwork: true,
            enable_lyrics: true,
            require_wifi: false,
            max_retries: 3,
            base_retry_delay_ms: 100,
            operation_timeout_secs: 30,
            not_found_max_age_days: 30,
            write_back: WriteBackMode::Off,
            auto_enrich: false,
        }
    }
}

/// Allowed values of each bounded setting.
pub const BATCH_SIZE_RANGE: RangeInclusive<u64> = 1..=10_000;
/// Allowed values of `max_concurrent`.
pub const MAX_CONCURRENT_RANGE: RangeInclusive<u64> = 1..=64;
/// Allowed values of `max_retries`.
pub const MAX_RETRIES_RANGE: RangeInclusive<u64> = 0..=10;
/// Allowed values of `base_retry_delay_ms`, in milliseconds.
pub const BASE_RETRY_DELAY_MS_RANGE: RangeInclusive<u64> = 1..=60_000;
/// Allowed values of `operation_timeout_secs`, in seconds.
pub const OPERATION_TIMEOUT_SECS_RANGE: RangeInclusive<u64> = 1..=600;
/// Allowed values of `not_found_max_age_days`, in days (0: ask again on every run).
pub const NOT_FOUND_MAX_AGE_DAYS_RANGE: RangeInclusive<u64> = 0..=3650;

/// A setting outside its allowed range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{field} must be between {min} and {max}, got {value}")]
#[ts(export)]
pub struct ConfigError {
    /// The setting's name, as in the config (`batch_size`, ...).
    pub field: String,
    /// The value given.
    #[ts(type = "number")]
    pub value: u64,
    /// The smallest allowed value.
    #[ts(type = "number")]
    pub min: u64,
    /// The largest allowed value.
    #[ts(type = "number")]
    pub max: u64,
}

impl EnrichmentConfig {
    /// A builder starting from the defaults.
    pub fn builder() -> EnrichmentConfigBuilder {
        EnrichmentConfig::default().to_builder()
    }

    /// A builder starting from this config (saved settings, then flags on top).
    pub fn to_builder(self) -> EnrichmentConfigBuilder {
        EnrichmentConfigBuilder { config: self }
    }

    /// Checks every bounded setting; the first one out of range is the error.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.validate_all().into_iter().next().map_or(Ok(()), Err)
    }

    /// Every setting out of range (for forms that show all problems at once).
    pub fn validate_all(&self) -> Vec<ConfigError> {
        self.bounded()
            .into_iter()
            .filter(|(_, value, range)| !range.contains(value))
            .map(|(field, value, range)| ConfigError {
                field: field.to_owned(),
                value,
                min: *range.start(),
                max: *range.end(),
            })
            .collect()
    }

    /// Each bounded setting: its name, its value here and its allowed range, in the order
    /// [`validate_all`](Self::validate_all) reports them.
    pub fn bounded(&self) -> [(&'static str, u64, RangeInclusive<u64>); 6] {
        [
            ("batch_size", u64::from(self.batch_size), BATCH_SIZE_RANGE),
            (
                "max_concurrent",
                u64::from(self.max_concurrent),
                MAX_CONCURRENT_RANGE,
            ),
            (
                "max_retries",
                u64::from(self.max_retries),
                MAX_RETRIES_RANGE,
            ),
            (
                "base_retry_delay_ms",
                self.base_retry_delay_ms,
                BASE_RETRY_DELAY_MS_RANGE,
            ),
            (
                "operation_timeout_secs",
                self.operation_timeout_secs,
                OPERATION_TIMEOUT_SECS_RANGE,
            ),
            (
                "not_found_max_age_days",
                u64::from(self.not_found_max_age_days),
                NOT_FOUND_MAX_AGE_DAYS_RANGE,
            ),
        ]
    }

    /// `operation_timeout_secs` as a `Duration`: how long one attempt of an operation may take.
    pub fn operation_timeout(&self) -> Duration {
        Duration::from_secs(self.operation_timeout_secs)
    }

    /// `base_retry_delay_ms` as a `Duration`: the wait before the first retry, before jitter.
    pub fn base_retry_delay(&self) -> Duration {
        Duration::from_millis(self.base_retry_delay_ms)
    }

    /// `not_found_max_age_days` as a `Duration` (days of 24 hours).
    pub fn not_found_max_age(&self) -> Duration {
        Duration::from_secs(u64::from(self.not_found_max_age_days) * 24 * 3600)
    }
}

/// Builds an [`EnrichmentConfig`]; `build` validates.
#[derive(Debug, Clone)]
pub struct EnrichmentConfigBuilder {
    config: EnrichmentConfig,
}

/// One builder method per setting: `name(value)` sets `config.name`.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty,)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: $ty) -> Self {
                self.config.$name = value;
                self
            }
        )*
    };
}

impl EnrichmentConfigBuilder {
    setters! {
        /// Sets `batch_size`: tracks read per page.
        batch_size: u32,
        /// Sets `max_concurrent`: attempts in flight at once, at most.
        max_concurrent: u32,
        /// Sets `enable_artwork`: whether to fetch album artwork.
        enable_artwork: bool,
        /// Sets `enable_lyrics`: whether to fetch lyrics.
        enable_lyrics: bool,
        /// Sets `require_wifi`: run only on unmetered WiFi.
        require_wifi: bool,
        /// Sets `max_retries`: retries after the first attempt of an operation.
        max_retries: u32,
        /// Sets `base_retry_delay_ms`: the first retry's wait, in milliseconds.
        base_retry_delay_ms: u64,
        /// Sets `operation_timeout_secs`: how long one attempt may take, in seconds.
        operation_timeout_secs: u64,
        /// Sets `not_found_max_age_days`: days a "not found" is kept before asking again.
        not_found_max_age_days: u32,
        /// Sets `write_back`: what to write beside the music after a job.
        write_back: WriteBackMode,
        /// Sets `auto_enrich`: enrich new music as the watched folders receive it.
        auto_enrich: bool,
    }

    /// The config, if every setting is in range.
    pub fn build(self) -> Result<EnrichmentConfig, ConfigError> {
        self.config.validate()?;
        Ok(self.config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_seeds() {
        let c = EnrichmentConfig::default();
        assert_eq!((c.batch_size, c.max_concurrent, c.max_retries), (50, 5, 3));
        assert!(c.enable_artwork && c.enable_lyrics && !c.require_wifi);
        assert_eq!((c.base_retry_delay_ms, c.operation_timeout_secs), (100, 30));
        assert_eq!(EnrichmentConfig::builder().build().unwrap(), c);
    }

    #[test]
    fn out_of_range_values_name_field_value_and_range() {
        // The builder, the field it names, the value, and the range the error must give.
        let b = EnrichmentConfig::builder;
        let cases: [(EnrichmentConfigBuilder, &str, u64, RangeInclusive<u64>); 7] = [
            (b().batch_size(0), "batch_size", 0, BATCH_SIZE_RANGE),
            (
                b().batch_size(10_001),
                "batch_size",
                10_001,
                BATCH_SIZE_RANGE,
            ),
            (
                b().max_concurrent(0),
                "max_concurrent",
                0,
                MAX_CONCURRENT_RANGE,
            ),
            (
                b().max_concurrent(65),
                "max_concurrent",
                65,
                MAX_CONCURRENT_RANGE,
            ),
            (
                b().operation_timeout_secs(0),
                "operation_timeout_secs",
                0,
                OPERATION_TIMEOUT_SECS_RANGE,
            ),
            (
                b().operation_timeout_secs(601),
                "operation_timeout_secs",
                601,
                OPERATION_TIMEOUT_SECS_RANGE,
            ),
            (b().max_retries(11), "max_retries", 11, MAX_RETRIES_RANGE),
        ];
        for (builder, field, value, range) in cases {
            let err = builder.build().unwrap_err();
            assert_eq!(
                err,
                ConfigError {
                    field: field.into(),
                    value,
                    min: *range.start(),
                    max: *range.end(),
                }
            );
            let msg = err.to_string();
            assert!(
                msg.contains(field) && msg.contains(&value.to_string()),
                "{msg}"
            );
        }
        let edges = EnrichmentConfig::builder()
            .batch_size(10_000)
            .max_concurrent(64)
            .operation_timeout_secs(600)
            .max_retries(10)
            .build();
        assert!(edges.is_ok());
    }

    #[test]
    fn validate_all_lists_every_problem() {
        let config = EnrichmentConfig {
            batch_size: 0,
            max_concurrent: 0,
            ..Default::default()
        };
        let fields: Vec<String> = config.validate_all().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["batch_size", "max_concurrent"]);
    }

    #[test]
    fn deserializing_fills_missing_fields_with_defaults() {
        let c: EnrichmentConfig = serde_json::from_str(r#"{"batch_size": 200}"#).unwrap();
        assert_eq!(c.batch_size, 200);
        assert_eq!(c.max_concurrent, 5);
    }
}
