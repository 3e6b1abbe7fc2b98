//! What each provider was asked and answered, per run and over time: the counts
//! `http::stats` keeps as requests go out, and what the library stores of them.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One provider's requests and answers.
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
    /// Of these, the same request sent again after it was throttled or failed.
    #[ts(type = "number")]
    pub retries: u64,
    /// Body bytes received.
    #[ts(type = "number")]
    pub bytes: u64,
    /// Lookups this provider answered with something usable (an album's cover, a track's
    /// lyrics, a release found).
    #[ts(type = "number")]
    pub found: u64,
    /// Lookups it answered with nothing usable.
    #[ts(type = "number")]
    pub not_found: u64,
    /// The median time from sending a request to its whole answer, in milliseconds (within
    /// about 10 %); `None` before any request.
    pub latency_p50_ms: Option<u32>,
    /// The 95th percentile of that time, in milliseconds.
    pub latency_p95_ms: Option<u32>,
    /// The latencies behind the percentiles, so counts of several runs add up.
    #[serde(skip)]
    #[ts(skip)]
    pub latency: LatencyHistogram,
}

impl ProviderRequests {
    /// No counts yet for `provider`.
    pub fn new(provider: &str) -> Self {
        ProviderRequests {
            provider: provider.to_owned(),
            ..ProviderRequests::default()
        }
    }

    /// Adds `other`'s counts (another run of the same provider) to these.
    pub fn add(&mut self, other: &ProviderRequests) {
        self.sent += other.sent;
        self.throttled += other.throttled;
        self.failed += other.failed;
        self.retries += other.retries;
        self.bytes += other.bytes;
        self.found += other.found;
        self.not_found += other.not_found;
        self.latency.add(&other.latency);
        self.fill_percentiles();
    }

    /// Sets the percentile fields from the histogram.
    pub fn fill_percentiles(&mut self) {
        self.latency_p50_ms = self.latency.percentile(0.50);
        self.latency_p95_ms = self.latency.percentile(0.95);
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        self.sent == 0 && self.found == 0 && self.not_found == 0
    }
}

/// Buckets per doubling of the latency: each bucket spans a factor of 2^(1/4), about 19 %,
/// so a percentile read from its bucket's middle is within about 10 %.
const BUCKETS_PER_DOUBLING: f64 = 4.0;
/// Buckets from 1 ms to 2^18 ms (262 s, past any request timeout); below 1 ms is bucket 0.
const BUCKETS: usize = 18 * 4 + 1;

/// Request latencies, counted in logarithmic buckets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LatencyHistogram {
    /// `(bucket, count)` pairs, only buckets with a count, in bucket order.
    buckets: BTreeMap<u8, u64>,
}

impl LatencyHistogram {
    /// Counts one request that took `took`.
    pub fn record(&mut self, took: Duration) {
        let ms = took.as_secs_f64() * 1000.0;
        let bucket = if ms < 1.0 {
            0
        } else {
            ((ms.log2() * BUCKETS_PER_DOUBLING).floor() as usize).min(BUCKETS - 1)
        };
        *self
            .buckets
            .entry(u8::try_from(bucket).unwrap_or(u8::MAX))
            .or_default() += 1;
    }

    /// Adds `other`'s counts.
    pub fn add(&mut self, other: &LatencyHistogram) {
        for (bucket, n) in &other.buckets {
            *self.buckets.entry(*bucket).or_default() += n;
        }
    }

    /// What was counted since `before` (an earlier copy of this histogram).
    pub(crate) fn minus(&self, before: &LatencyHistogram) -> LatencyHistogram {
        LatencyHistogram {
            buckets: self
                .buckets
                .iter()
                .filter_map(|(bucket, n)| {
                    let n = n.saturating_sub(before.buckets.get(bucket).copied().unwrap_or(0));
                    (n > 0).then_some((*bucket, n))
                })
                .collect(),
        }
    }

    /// How many requests were counted.
    pub fn count(&self) -> u64 {
        self.buckets.values().sum()
    }

    /// The latency under which a fraction `q` of the requests fell, in milliseconds: the
    /// geometric middle of the bucket holding it. `None` when nothing was counted.
    pub fn percentile(&self, q: f64) -> Option<u32> {
        let total = self.count();
        if total == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (bucket, n) in &self.buckets {
            seen += n;
            if seen >= rank {
                if *bucket == 0 {
                    return Some(1);
                }
                let middle = 2f64.powf((f64::from(*bucket) + 0.5) / BUCKETS_PER_DOUBLING);
                return Some(middle.round() as u32);
            }
        }
        None
    }
}

/// Lookups a run did not have to make.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Savings {
    /// Albums whose artwork was not asked for again: no source had it a short while ago
    /// (`not_found_max_age_days`).
    pub remembered_artwork: u32,
    /// Tracks whose lyrics were not asked for again, likewise.
    pub remembered_lyrics: u32,
    /// Albums whose artwork was found on disk (embedded, or a cover file): no provider asked.
    pub local_artwork: u32,
}

impl Savings {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Savings) {
        self.remembered_artwork += other.remembered_artwork;
        self.remembered_lyrics += other.remembered_lyrics;
        self.local_artwork += other.local_artwork;
    }
}

/// One run's providers, as the library keeps them.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RunStats {
    /// The job.
    #[ts(type = "number")]
    pub job_id: i64,
    /// When it started, in seconds since the Unix epoch.
    #[ts(type = "number")]
    pub started_at: i64,
    /// When it ended; `None` while it runs or if it was interrupted.
    #[ts(type = "number | null")]
    pub ended_at: Option<i64>,
    /// Each provider asked, by name.
    pub providers: Vec<ProviderRequests>,
    /// What it did not have to ask.
    pub saved: Savings,
}

/// The library's provider statistics: recent runs, and every run added up.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ProviderStatsReport {
    /// The most recent runs, newest first.
    pub runs: Vec<RunStats>,
    /// How many runs the library has kept statistics of.
    pub runs_counted: u32,
    /// Every run's providers added up, by name.
    pub all_time: Vec<ProviderRequests>,
    /// Every run's savings added up.
    pub all_time_saved: Savings,
}
