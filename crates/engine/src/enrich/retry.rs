//! The retry schedule: exponential backoff from the base delay (base × 2^attempt, capped at
//! 10 s), with jitter, never shorter than a server's `Retry-After`.

use std::time::Duration;

/// The longest wait between two attempts (a server's `Retry-After` may ask for more).
pub const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// The wait before retry number `retry` (0 for the first retry), before jitter.
pub fn backoff(base: Duration, retry: u32) -> Duration {
    let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
    base.saturating_mul(factor).min(MAX_BACKOFF)
}

/// `backoff` with "equal jitter": between half and all of it, so that workers that failed
/// together do not retry together. `unit` is a uniform random number in [0, 1).
pub fn jittered(base: Duration, retry: u32, unit: f64) -> Duration {
    let full = backoff(base, retry);
    let half = full / 2;
    half + half.mul_f64(unit.clamp(0.0, 1.0))
}

/// The wait before a retry: the jittered backoff, or the server's `Retry-After` if longer.
pub fn delay(base: Duration, retry: u32, unit: f64, retry_after: Option<Duration>) -> Duration {
    let wait = jittered(base, retry, unit);
    retry_after.map_or(wait, |server| server.max(wait))
}

/// A small, fast, seedable random source for jitter (xorshift64*); no need for a crypto RNG.
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    /// A source seeded with `seed` (any value; the same seed gives the same numbers).
    pub fn new(seed: u64) -> Self {
        Jitter(seed | 1)
    }

    /// A uniform number in [0, 1).
    pub fn next_unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_the_base_and_caps_at_ten_seconds() {
        let base = Duration::from_millis(100);
        let schedule: Vec<u128> = (0..10).map(|r| backoff(base, r).as_millis()).collect();
        assert_eq!(
            schedule,
            [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000]
        );
        assert_eq!(backoff(base, 200), MAX_BACKOFF, "no overflow");
    }

    #[test]
    fn jitter_stays_between_half_and_full() {
        let base = Duration::from_millis(100);
        let mut rng = Jitter::new(7);
        for retry in 0..8 {
            for _ in 0..100 {
                let d = jittered(base, retry, rng.next_unit());
                let full = backoff(base, retry);
                assert!(d >= full / 2 && d <= full, "{d:?} for {full:?}");
            }
        }
    }

    #[test]
    fn retry_after_wins_when_longer() {
        let base = Duration::from_millis(100);
        assert_eq!(
            delay(base, 0, 0.0, Some(Duration::from_secs(30))),
            Duration::from_secs(30)
        );
        assert_eq!(
            delay(base, 0, 0.99, Some(Duration::from_millis(1))),
            jittered(base, 0, 0.99)
        );
    }

    #[test]
    fn jitter_source_is_uniform_enough() {
        let mut rng = Jitter::new(42);
        let samples: Vec<f64> = (0..10_000).map(|_| rng.next_unit()).collect();
        assert!(samples.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = samples.iter().sum::<f64>() / samples.len() as f64;
        assert!((mean - 0.5).abs() < 0.02, "mean {mean}");
    }
}
