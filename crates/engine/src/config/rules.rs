//! The rules a settings form checks before it asks the engine: the defaults, the allowed range of
//! each bounded setting, the providers' defaults and the bounds of a provider's pace. The UI
//! reads them from `ui/src/bindings/rules.json`, which a test here writes from these very values
//! (and `make test` fails when the committed file differs), so the window can never offer a
//! range or a default the engine does not have. The engine re-validates everything it is sent.

use serde::Serialize;
use ts_rs::TS;

use super::EnrichmentConfig;
use super::providers::{self, IN_FLIGHT_BOUNDS, ProviderSettings, RATE_BOUNDS};

/// The allowed values of one bounded setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SettingRange {
    /// The setting, as named in [`EnrichmentConfig`] (`batch_size`, ...).
    pub field: String,
    /// The smallest allowed value.
    #[ts(type = "number")]
    pub min: u64,
    /// The largest allowed value.
    #[ts(type = "number")]
    pub max: u64,
}

/// Everything a settings form needs to know about valid settings.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SettingsRules {
    /// The settings of a new library.
    pub defaults: EnrichmentConfig,
    /// Every bounded setting, in the order the engine reports problems.
    pub ranges: Vec<SettingRange>,
    /// Every provider, on, at its default endpoint and pace, in the default order.
    pub providers: Vec<ProviderSettings>,
    /// A provider's pace (requests per second) must be above this...
    pub rate_above: f64,
    /// ...and at most this.
    pub rate_at_most: f64,
    /// A provider's requests at once must be at least this...
    pub in_flight_min: u32,
    /// ...and at most this.
    pub in_flight_max: u32,
}

impl SettingsRules {
    /// The rules of this build.
    pub fn current() -> Self {
        let defaults = EnrichmentConfig::default();
        let ranges = defaults
            .bounded()
            .into_iter()
            .map(|(field, _, range)| SettingRange {
                field: field.to_owned(),
                min: *range.start(),
                max: *range.end(),
            })
            .collect();
        SettingsRules {
            defaults,
            ranges,
            providers: providers::defaults(),
            rate_above: RATE_BOUNDS.0,
            rate_at_most: RATE_BOUNDS.1,
            in_flight_min: IN_FLIGHT_BOUNDS.0,
            in_flight_max: IN_FLIGHT_BOUNDS.1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `rules.json` beside the generated TypeScript types (`TS_RS_EXPORT_DIR`, set in
    /// `.cargo/config.toml`), as ts-rs writes those.
    #[test]
    fn the_ui_rules_file_is_written_from_the_engine() {
        let rules = SettingsRules::current();
        assert_eq!(rules.ranges.len(), 6);
        assert!(
            rules.defaults.validate_all().is_empty(),
            "the defaults are valid"
        );
        let Some(dir) = std::env::var_os("TS_RS_EXPORT_DIR") else {
            return;
        };
        let mut json = serde_json::to_string_pretty(&rules).expect("plain data serializes");
        json.push('\n');
        let path = std::path::Path::new(&dir).join("rules.json");
        std::fs::write(&path, json).expect("the bindings folder is writable");
    }
}
