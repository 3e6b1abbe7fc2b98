//! How long a fake takes to answer: nothing (the default), a fixed delay, or a lognormal
//! spread like a real service's (most answers quick, a long tail), drawn from a seeded
//! generator so a benchmark's run can be repeated.

use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The 99th percentile of the standard normal distribution.
const Z99: f64 = 2.326_347_874;

#[derive(Debug, Clone, Copy, Default)]
enum Model {
    #[default]
    None,
    Fixed(Duration),
    LogNormal {
        /// ln of the median, in seconds.
        mu: f64,
        sigma: f64,
    },
}

#[derive(Debug, Default)]
struct State {
    model: Model,
    /// xorshift64* state.
    rng: u64,
}

impl State {
    /// A uniform draw in (0, 1].
    fn unit(&mut self) -> f64 {
        let mut x = self.rng.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        let bits = x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11;
        (bits as f64 + 1.0) / (1u64 << 53) as f64
    }
}

/// A fake's answer time, shared by its responder and whoever sets it.
#[derive(Debug, Clone, Default)]
pub struct Latency(Arc<Mutex<State>>);

impl Latency {
    /// Every answer waits `delay`.
    pub fn fixed(&self, delay: Duration) {
        self.0.lock().unwrap().model = Model::Fixed(delay);
    }

    /// Answers wait a lognormal time with this median and 99th percentile (`p99` above
    /// `median`), drawn from a generator seeded with `seed`.
    pub fn lognormal(&self, median: Duration, p99: Duration, seed: u64) {
        let mu = median.as_secs_f64().ln();
        let sigma = (p99.as_secs_f64() / median.as_secs_f64()).ln().max(0.0) / Z99;
        let mut state = self.0.lock().unwrap();
        state.model = Model::LogNormal { mu, sigma };
        state.rng = seed | 1;
    }

    /// The wait of the next answer.
    pub fn sample(&self) -> Duration {
        let mut state = self.0.lock().unwrap();
        match state.model {
            Model::None => Duration::ZERO,
            Model::Fixed(d) => d,
            Model::LogNormal { mu, sigma } => {
                // Box-Muller: one standard normal draw from two uniform ones.
                let (u1, u2) = (state.unit(), state.unit());
                let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
                Duration::from_secs_f64((mu + sigma * z).exp().min(60.0))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lognormal_draws_have_the_asked_median_and_tail() {
        let latency = Latency::default();
        latency.lognormal(Duration::from_millis(80), Duration::from_millis(1500), 7);
        let mut draws: Vec<Duration> = (0..20_000).map(|_| latency.sample()).collect();
        draws.sort();
        let median = draws[10_000].as_secs_f64();
        let p99 = draws[19_800].as_secs_f64();
        assert!((median / 0.080 - 1.0).abs() < 0.05, "median {median}");
        assert!((p99 / 1.5 - 1.0).abs() < 0.15, "p99 {p99}");
        assert_eq!(Latency::default().sample(), Duration::ZERO);
    }
}
