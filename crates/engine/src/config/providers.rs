//! Which providers run, in which order, where, and how fast: the list of [`ProviderSettings`]
//! the desktop settings and the CLI (`--provider NAME=URL`, `--rate NAME=REQUESTS_PER_SECOND`,
//! `GATEFOLD_<NAME>_URL`) both edit, with its validation. Plain data: the database stores it,
//! `providers::settings::build` turns it into the services a job drives.

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use url::Url;

/// A provider this build has. Settings keep names as strings (a list saved by another build may
/// name providers this one lacks); the engine turns a name into a `ProviderId` before it acts on
/// it, so every place that treats providers one by one is an exhaustive `match`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum ProviderId {
    /// LRCLIB: synced and plain lyrics.
    Lrclib,
    /// MusicBrainz: finds the release the Cover Art Archive is asked about.
    Musicbrainz,
    /// The Cover Art Archive: front covers of MusicBrainz releases.
    Coverartarchive,
    /// The iTunes Search API: artwork.
    Itunes,
    /// Deezer's API: artwork.
    Deezer,
}

impl ProviderId {
    /// The name settings, flags and logs use (`lrclib`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderId::Lrclib => "lrclib",
            ProviderId::Musicbrainz => "musicbrainz",
            ProviderId::Coverartarchive => "coverartarchive",
            ProviderId::Itunes => "itunes",
            ProviderId::Deezer => "deezer",
        }
    }

    /// The provider called `name`, if this build has it.
    pub fn from_name(name: &str) -> Option<ProviderId> {
        KNOWN.iter().map(|k| k.id).find(|id| id.as_str() == name)
    }
}

impl std::fmt::Display for ProviderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The pace a provider may be given, in requests per second: above the first, at most the
/// second.
pub const RATE_BOUNDS: (f64, f64) = (0.0, 1000.0);

/// How many requests a provider may be given at once: at least the first, at most the second.
pub const IN_FLIGHT_BOUNDS: (u32, u32) = (1, 64);

/// One provider's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProviderSettings {
    /// `lrclib`, ...
    pub name: String,
    /// Whether jobs use this provider.
    pub enabled: bool,
    /// May carry a path prefix (a self-hosted instance behind a proxy).
    pub base_url: String,
    /// The pace kept with this provider (its published limit by default).
    pub requests_per_second: f64,
    /// Requests sent to this provider at once, at most (its polite default; a self-hosted
    /// instance may take more). 0 in a list saved before this setting existed: `complete`
    /// fills in the default.
    #[serde(default)]
    pub max_in_flight: u32,
}

/// A provider the engine knows: its name, default endpoint and pace.
pub(crate) struct Known {
    pub(crate) id: ProviderId,
    default_url: &'static str,
    /// LRCLIB publishes no number: a polite 5/s, which a self-hosted instance may raise.
    default_rate: f64,
    default_in_flight: u32,
    /// Statuses that mean "slow down" (besides 429), with the wait when none is given.
    pub(crate) throttle: &'static [(u16, std::time::Duration)],
}

/// The providers, in their default order. The artwork chain follows it: the Cover Art Archive,
/// found through MusicBrainz, then Deezer, then iTunes. The scarcest service goes last: iTunes
/// allows about 20 calls a minute where Deezer allows 50 per 5 s, and both serve covers of at
/// least 1000 px, so iTunes is only asked for what Deezer lacks (an album waiting 3 s for its
/// turn at iTunes holds a job slot). MusicBrainz allows 1 request/s (503 when exceeded); the
/// Cover Art Archive is a redirector, bounded by concurrency.
const KNOWN: &[Known] = &[
    Known {
        id: ProviderId::Lrclib,
        default_url: "https://lrclib.net",
        default_rate: 5.0,
        default_in_flight: 2,
        throttle: &[],
    },
    Known {
        id: ProviderId::Musicbrainz,
        default_url: "https://musicbrainz.org",
        default_rate: 1.0,
        default_in_flight: 1,
        throttle: &[(503, std::time::Duration::from_secs(1))],
    },
    Known {
        id: ProviderId::Coverartarchive,
        default_url: "https://coverartarchive.org",
        default_rate: 10.0,
        default_in_flight: 4,
        throttle: &[(503, std::time::Duration::from_secs(2))],
    },
    Known {
        id: ProviderId::Deezer,
        default_url: "https://api.deezer.com",
        // "50 requests per 5 seconds".
        default_rate: 10.0,
        default_in_flight: 2,
        throttle: &[],
    },
    Known {
        id: ProviderId::Itunes,
        default_url: "https://itunes.apple.com",
        // "About 20 calls per minute": one every 3 s.
        default_rate: 1.0 / 3.0,
        default_in_flight: 1,
        throttle: &[(403, std::time::Duration::from_secs(60))],
    },
];

/// The names of the providers this build has.
pub fn known_names() -> Vec<&'static str> {
    KNOWN.iter().map(|k| k.id.as_str()).collect()
}

/// Every provider, on, at its default endpoint and pace, in the default order.
pub fn defaults() -> Vec<ProviderSettings> {
    KNOWN
        .iter()
        .map(|k| ProviderSettings {
            name: k.id.as_str().to_owned(),
            enabled: true,
            base_url: k.default_url.to_owned(),
            requests_per_second: k.default_rate,
            max_in_flight: k.default_in_flight,
        })
        .collect()
}

/// A provider setting that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderSettingsError {
    /// This build has no provider of that name.
    #[error("unknown provider {name:?} (this build has: {known})")]
    Unknown {
        /// The name given.
        name: String,
        /// The names this build has, comma-separated.
        known: String,
    },
    /// The base URL is not an absolute http(s) URL with a host.
    #[error("provider {name}: {url:?} is not an http(s) URL")]
    BadUrl {
        /// The provider.
        name: String,
        /// The URL as given.
        url: String,
    },
    /// The pace is not a number above 0 and at most 1000 requests per second.
    #[error("provider {name}: requests per second must be above 0 and at most 1000, got {rate}")]
    BadRate {
        /// The provider.
        name: String,
        /// The rate as given (text: it may not be a number).
        rate: String,
    },
    /// The requests at once are not a whole number from 1 to 64.
    #[error("provider {name}: requests at once must be a whole number from 1 to 64, got {value}")]
    BadInFlight {
        /// The provider.
        name: String,
        /// The value as given (text: it may not be a number).
        value: String,
    },
}

pub(crate) fn known(name: &str) -> Result<&'static Known, ProviderSettingsError> {
    KNOWN
        .iter()
        .find(|k| k.id.as_str() == name)
        .ok_or_else(|| ProviderSettingsError::Unknown {
            name: name.to_owned(),
            known: known_names().join(", "),
        })
}

/// One problem with a provider setting, for forms that show every problem at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProviderProblem {
    /// The provider (`lrclib`, ...).
    pub name: String,
    /// `name`, `base_url` or `requests_per_second`.
    pub field: String,
    /// What is wrong, for people.
    pub message: String,
}

/// Every problem in `settings`: unknown or repeated names, URLs that are not http(s), rates out
/// of range. Empty when the list can be saved.
pub fn problems(settings: &[ProviderSettings]) -> Vec<ProviderProblem> {
    let mut found = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for s in settings {
        let problem = |field: &str, message: String| ProviderProblem {
            name: s.name.clone(),
            field: field.to_owned(),
            message,
        };
        if !seen.insert(s.name.as_str()) {
            found.push(problem(
                "name",
                format!("provider {} is listed twice", s.name),
            ));
        }
        for err in check(s) {
            let field = match err {
                ProviderSettingsError::Unknown { .. } => "name",
                ProviderSettingsError::BadUrl { .. } => "base_url",
                ProviderSettingsError::BadRate { .. } => "requests_per_second",
                ProviderSettingsError::BadInFlight { .. } => "max_in_flight",
            };
            found.push(problem(field, err.to_string()));
        }
    }
    found
}

/// The problems of one entry.
fn check(s: &ProviderSettings) -> Vec<ProviderSettingsError> {
    let mut errors = Vec::new();
    if let Err(err) = known(&s.name) {
        errors.push(err);
    }
    let url_ok = Url::parse(&s.base_url)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
    if !url_ok {
        errors.push(ProviderSettingsError::BadUrl {
            name: s.name.clone(),
            url: s.base_url.clone(),
        });
    }
    let (above, at_most) = RATE_BOUNDS;
    if !(s.requests_per_second > above && s.requests_per_second <= at_most) {
        errors.push(ProviderSettingsError::BadRate {
            name: s.name.clone(),
            rate: s.requests_per_second.to_string(),
        });
    }
    let (least, most) = IN_FLIGHT_BOUNDS;
    if !(least..=most).contains(&s.max_in_flight) {
        errors.push(ProviderSettingsError::BadInFlight {
            name: s.name.clone(),
            value: s.max_in_flight.to_string(),
        });
    }
    errors
}

/// A saved list brought up to this build: unknown providers dropped, providers it lacks (new in
/// this build) appended at their defaults, settings it lacks at their defaults, the saved order
/// kept.
pub fn complete(mut settings: Vec<ProviderSettings>) -> Vec<ProviderSettings> {
    let names = known_names();
    settings.retain(|s| names.contains(&s.name.as_str()));
    for entry in &mut settings {
        if entry.max_in_flight == 0
            && let Ok(k) = known(&entry.name)
        {
            entry.max_in_flight = k.default_in_flight;
        }
    }
    let mut seen = std::collections::HashSet::new();
    settings.retain(|s| seen.insert(s.name.clone()));
    for default in defaults() {
        if !settings.iter().any(|s| s.name == default.name) {
            settings.push(default);
        }
    }
    settings
}

/// Checks every entry (name known, URL http(s), rate in range).
pub fn validate(settings: &[ProviderSettings]) -> Result<(), ProviderSettingsError> {
    match settings.iter().flat_map(check).next() {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

/// `GATEFOLD_<NAME>_URL`: the environment variable that overrides `name`'s saved base URL.
pub fn url_env_var(name: &str) -> String {
    format!("GATEFOLD_{}_URL", name.to_ascii_uppercase())
}

/// The value of `name`'s URL override read through `env`, when it is set (and not empty).
fn url_override(name: &str, env: impl Fn(&str) -> Option<String>) -> Option<String> {
    env(&url_env_var(name)).filter(|u| !u.is_empty())
}

/// The process environment, as [`url_override`] reads it.
fn process_env(var: &str) -> Option<String> {
    std::env::var(var).ok()
}

/// Applies `GATEFOLD_<NAME>_URL` environment variables (the CLI and the app both honour them).
pub fn apply_env(settings: &mut [ProviderSettings]) -> Result<(), String> {
    for name in known_names() {
        if let Some(url) = url_override(name, process_env) {
            set_url(settings, name, &url).map_err(|e| format!("{}: {e}", url_env_var(name)))?;
        }
    }
    Ok(())
}

/// The address a provider is asked at, and whether an environment variable overrides the
/// saved one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProviderUrl {
    /// The provider.
    pub id: ProviderId,
    /// The base URL requests go to now.
    pub url: String,
    /// The environment variable that overrides the saved URL (`GATEFOLD_LRCLIB_URL`, ...).
    pub env_var: String,
    /// Whether that variable is set, so `url` is its value and not the saved one.
    pub overridden: bool,
}

/// For each of the `saved` providers, the URL in use now: the saved one, or its environment
/// override.
pub fn urls_in_use(saved: &[ProviderSettings]) -> Vec<ProviderUrl> {
    urls_in_use_with(saved, process_env)
}

/// [`urls_in_use`] with the environment read through `env` (tests give their own).
pub fn urls_in_use_with(
    saved: &[ProviderSettings],
    env: impl Fn(&str) -> Option<String>,
) -> Vec<ProviderUrl> {
    saved
        .iter()
        .filter_map(|entry| {
            let id = ProviderId::from_name(&entry.name)?;
            let env = url_override(&entry.name, &env);
            Some(ProviderUrl {
                id,
                overridden: env.is_some(),
                url: env.unwrap_or_else(|| entry.base_url.clone()),
                env_var: url_env_var(&entry.name),
            })
        })
        .collect()
}

/// Sets `name`'s base URL; on error nothing changes.
pub fn set_url(
    settings: &mut [ProviderSettings],
    name: &str,
    url: &str,
) -> Result<(), ProviderSettingsError> {
    edit(settings, name, |entry| entry.base_url = url.to_owned())
}

/// Sets `name`'s pace; on error nothing changes.
pub fn set_rate(
    settings: &mut [ProviderSettings],
    name: &str,
    rate: &str,
) -> Result<(), ProviderSettingsError> {
    let value: f64 = rate.parse().map_err(|_| ProviderSettingsError::BadRate {
        name: name.to_owned(),
        rate: rate.to_owned(),
    })?;
    edit(settings, name, |entry| entry.requests_per_second = value)
}

/// Sets how many requests `name` is sent at once; on error nothing changes.
pub fn set_in_flight(
    settings: &mut [ProviderSettings],
    name: &str,
    value: &str,
) -> Result<(), ProviderSettingsError> {
    let bad = || ProviderSettingsError::BadInFlight {
        name: name.to_owned(),
        value: value.to_owned(),
    };
    let n: u32 = value.parse().map_err(|_| bad())?;
    edit(settings, name, |entry| entry.max_in_flight = n)
}

/// Applies `change` to `name`'s entry if the result is valid.
fn edit(
    settings: &mut [ProviderSettings],
    name: &str,
    change: impl FnOnce(&mut ProviderSettings),
) -> Result<(), ProviderSettingsError> {
    known(name)?;
    let entry = settings
        .iter_mut()
        .find(|s| s.name == name)
        .ok_or_else(|| ProviderSettingsError::Unknown {
            name: name.to_owned(),
            known: known_names().join(", "),
        })?;
    let mut candidate = entry.clone();
    change(&mut candidate);
    validate(std::slice::from_ref(&candidate))?;
    *entry = candidate;
    Ok(())
}
