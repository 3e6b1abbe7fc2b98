//! What each provider was asked, counted where the requests go out: one set of counters per
//! provider name, shared by every client of the [`Http`](super::Http) they were made from. A
//! job reads them before and after it runs, so its summary says what it cost each service.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use ts_rs::TS;

/// One provider's requests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ProviderRequests {
    /// `lrclib`, `musicbrainz`, `itunes images`, ... (the provider's HTTP name).
    pub provider: String,
    /// Requests sent (after the rate limiter let them go).
    #[ts(type = "number")]
    pub sent: u64,
    /// Of these, answered "slow down" (429, a throttle status, a `Retry-After`).
    #[ts(type = "number")]
    pub throttled: u64,
    /// Of these, failed otherwise (an error status, no answer, a bad body).
    #[ts(type = "number")]
    pub failed: u64,
    /// Body bytes received.
    #[ts(type = "number")]
    pub bytes: u64,
}

/// How one request ended, for the counters.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ended {
    /// An answer (found or not), with its body's size.
    Answered(u64),
    Throttled,
    Failed,
}

/// The counters of every provider of one [`Http`](super::Http).
#[derive(Debug, Clone, Default)]
pub struct RequestStats {
    counts: Arc<Mutex<BTreeMap<&'static str, ProviderRequests>>>,
}

impl RequestStats {
    pub(super) fn record(&self, provider: &'static str, ended: Ended) {
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = counts.entry(provider).or_insert_with(|| ProviderRequests {
            provider: provider.to_owned(),
            ..ProviderRequests::default()
        });
        entry.sent += 1;
        match ended {
            Ended::Answered(bytes) => entry.bytes += bytes,
            Ended::Throttled => entry.throttled += 1,
            Ended::Failed => entry.failed += 1,
        }
    }

    /// Every provider's counts so far, by name.
    pub fn snapshot(&self) -> Vec<ProviderRequests> {
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }

    /// What was asked since `before` (a [`snapshot`](Self::snapshot)), providers that were
    /// asked nothing left out.
    pub fn since(&self, before: &[ProviderRequests]) -> Vec<ProviderRequests> {
        self.snapshot()
            .into_iter()
            .filter_map(|now| {
                let was = before.iter().find(|b| b.provider == now.provider);
                let minus =
                    |f: fn(&ProviderRequests) -> u64| f(&now).saturating_sub(was.map_or(0, f));
                let delta = ProviderRequests {
                    sent: minus(|p| p.sent),
                    throttled: minus(|p| p.throttled),
                    failed: minus(|p| p.failed),
                    bytes: minus(|p| p.bytes),
                    provider: now.provider,
                };
                (delta.sent > 0).then_some(delta)
            })
            .collect()
    }
}
