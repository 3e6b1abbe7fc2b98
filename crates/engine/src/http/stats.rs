//! What each provider was asked and how it went, counted where the requests go out: one set of
//! counters per provider name, shared by every client of the [`Http`](super::Http) they were
//! made from. A job reads them before and after it runs (and while it runs), so its summary and
//! the library's statistics say what it cost each service: requests, answers found and not
//! found, throttling, errors, retries, bytes, and the latency of the requests (a histogram, so
//! runs add up and percentiles stay honest across them).

use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use crate::model::{LatencyHistogram, ProviderRequests};

/// How one request ended, for the counters.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ended {
    /// An answer (found or not), with its body's size.
    Answered(u64),
    Throttled,
    Failed,
}

/// How many failed requests per provider are remembered to tell a retry: past this the
/// memory starts again (a retry then goes uncounted, never a first request counted).
const FAILED_REMEMBERED: usize = 4096;

#[derive(Debug, Default)]
struct Counters {
    requests: ProviderRequests,
    /// Hashes of the URLs whose last request was throttled or failed.
    failed_urls: HashSet<u64>,
}

/// The counters of every provider of one [`Http`](super::Http).
#[derive(Debug, Clone, Default)]
pub struct RequestStats {
    counts: Arc<Mutex<BTreeMap<&'static str, Counters>>>,
}

fn url_key(url: &url::Url) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    url.as_str().hash(&mut hasher);
    hasher.finish()
}

impl RequestStats {
    fn with<T>(&self, provider: &'static str, f: impl FnOnce(&mut Counters) -> T) -> T {
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = counts.entry(provider).or_insert_with(|| Counters {
            requests: ProviderRequests::new(provider),
            failed_urls: HashSet::new(),
        });
        f(entry)
    }

    /// Counts one request to `url` that ended as `ended` after `took` (from when it was sent).
    pub(super) fn record(
        &self,
        provider: &'static str,
        url: &url::Url,
        ended: Ended,
        took: Duration,
    ) {
        let key = url_key(url);
        self.with(provider, |c| {
            let r = &mut c.requests;
            r.sent += 1;
            if c.failed_urls.remove(&key) {
                r.retries += 1;
            }
            r.latency.record(took);
            match ended {
                Ended::Answered(bytes) => r.bytes += bytes,
                Ended::Throttled | Ended::Failed => {
                    if matches!(ended, Ended::Throttled) {
                        r.throttled += 1;
                    } else {
                        r.failed += 1;
                    }
                    if c.failed_urls.len() >= FAILED_REMEMBERED {
                        c.failed_urls.clear();
                    }
                    c.failed_urls.insert(key);
                }
            }
        });
    }

    /// Counts one lookup `provider` answered, with something usable (`found`) or not.
    pub fn answer(&self, provider: &'static str, found: bool) {
        self.with(provider, |c| {
            if found {
                c.requests.found += 1;
            } else {
                c.requests.not_found += 1;
            }
        });
    }

    /// Every provider's counts so far, by name.
    pub fn snapshot(&self) -> Vec<ProviderRequests> {
        self.counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values()
            .map(|c| {
                let mut r = c.requests.clone();
                r.fill_percentiles();
                r
            })
            .collect()
    }

    /// What was counted since `before` (a [`snapshot`](Self::snapshot)), providers with
    /// nothing counted left out.
    pub fn since(&self, before: &[ProviderRequests]) -> Vec<ProviderRequests> {
        difference(&self.snapshot(), before)
    }
}

/// What `now` (a snapshot) counted past `before` (an earlier one), providers with nothing
/// counted left out.
pub fn difference(now: &[ProviderRequests], before: &[ProviderRequests]) -> Vec<ProviderRequests> {
    now.iter()
        .filter_map(|now| {
            let was = before.iter().find(|b| b.provider == now.provider);
            let minus = |f: fn(&ProviderRequests) -> u64| f(now).saturating_sub(was.map_or(0, f));
            let mut delta = ProviderRequests {
                sent: minus(|p| p.sent),
                throttled: minus(|p| p.throttled),
                failed: minus(|p| p.failed),
                retries: minus(|p| p.retries),
                bytes: minus(|p| p.bytes),
                found: minus(|p| p.found),
                not_found: minus(|p| p.not_found),
                latency: was.map_or_else(
                    || now.latency.clone(),
                    |was| now.latency.minus(&was.latency),
                ),
                provider: now.provider.clone(),
                latency_p50_ms: None,
                latency_p95_ms: None,
            };
            delta.fill_percentiles();
            (!delta.is_empty()).then_some(delta)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn histogram(ms: &[u64]) -> LatencyHistogram {
        let mut h = LatencyHistogram::default();
        for m in ms {
            h.record(Duration::from_millis(*m));
        }
        h
    }

    #[test]
    fn percentiles_are_within_ten_percent() {
        // 1..=1000 ms: p50 is 500, p95 is 950.
        let h = histogram(&(1..=1000).collect::<Vec<_>>());
        let p50 = f64::from(h.percentile(0.5).unwrap());
        let p95 = f64::from(h.percentile(0.95).unwrap());
        assert!((p50 / 500.0 - 1.0).abs() <= 0.10, "p50 {p50}");
        assert!((p95 / 950.0 - 1.0).abs() <= 0.10, "p95 {p95}");
        assert_eq!(LatencyHistogram::default().percentile(0.5), None);
        assert_eq!(histogram(&[0]).percentile(0.5), Some(1));
        // Far past any timeout still lands in the last bucket.
        assert!(histogram(&[10_000_000]).percentile(0.5).unwrap() > 200_000);
    }

    #[test]
    fn histograms_add_and_subtract_and_survive_json() {
        let mut a = histogram(&[10, 20, 30]);
        let b = histogram(&[1000, 2000]);
        a.add(&b);
        assert_eq!(a.count(), 5);
        assert_eq!(a.minus(&b), histogram(&[10, 20, 30]));
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<LatencyHistogram>(&json).unwrap(), a);
    }

    #[test]
    fn a_request_sent_again_after_a_failure_is_a_retry() {
        let stats = RequestStats::default();
        let url = url::Url::parse("http://127.0.0.1/api/get?x=1").unwrap();
        let other = url::Url::parse("http://127.0.0.1/api/get?x=2").unwrap();
        let ms = Duration::from_millis(5);
        stats.record("p", &url, Ended::Throttled, ms);
        stats.record("p", &other, Ended::Answered(10), ms);
        stats.record("p", &url, Ended::Failed, ms);
        stats.record("p", &url, Ended::Answered(20), ms);
        stats.record("p", &url, Ended::Answered(20), ms);
        stats.answer("p", true);
        stats.answer("p", false);
        let [p] = stats.snapshot().try_into().unwrap();
        assert_eq!(
            (p.sent, p.throttled, p.failed, p.retries, p.bytes),
            (5, 1, 1, 2, 50)
        );
        assert_eq!((p.found, p.not_found), (1, 1));
        assert_eq!(p.latency_p50_ms, Some(5));
        let before = stats.snapshot();
        stats.record("p", &other, Ended::Answered(1), Duration::from_millis(100));
        let [d] = stats.since(&before).try_into().unwrap();
        assert_eq!((d.sent, d.bytes, d.latency_p50_ms), (1, 1, Some(99)));
    }
}
