//! Per-provider rate limits: governor's GCRA on a `tokio::time` clock, so waits go through
//! tokio (and tests can pause the clock).

use std::num::NonZeroU32;
use std::ops::Add;
use std::time::Duration;

use governor::clock::{Clock, Reference};
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

/// A `tokio::time::Instant` as governor's clock reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TokioInstant(tokio::time::Instant);

impl Add<Nanos> for TokioInstant {
    type Output = TokioInstant;
    fn add(self, nanos: Nanos) -> TokioInstant {
        TokioInstant(self.0 + Duration::from(nanos))
    }
}

impl Reference for TokioInstant {
    fn duration_since(&self, earlier: Self) -> Nanos {
        self.0.saturating_duration_since(earlier.0).into()
    }

    fn saturating_sub(&self, duration: Nanos) -> Self {
        self.0
            .checked_sub(duration.into())
            .map_or(*self, TokioInstant)
    }
}

/// governor's clock, reading `tokio::time`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    type Instant = TokioInstant;
    fn now(&self) -> TokioInstant {
        TokioInstant(tokio::time::Instant::now())
    }
}

/// A rate limit: `requests` per `per`, never more in any window of that length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// How many requests a window may hold.
    pub requests: u32,
    /// The window's length.
    pub per: Duration,
}

impl RateLimit {
    /// `requests_per_second` as one request per `1 / requests_per_second` seconds (no bursts);
    /// rates below 0.001 count as 0.001.
    pub fn per_second(requests_per_second: f64) -> RateLimit {
        // As one request per interval: the strictest reading of "N per second".
        let interval = Duration::from_secs_f64(1.0 / requests_per_second.max(0.001));
        RateLimit {
            requests: 1,
            per: interval,
        }
    }

    /// Requests per second, for display.
    pub fn rate(&self) -> f64 {
        f64::from(self.requests) / self.per.as_secs_f64()
    }
}

/// How much slower than its published limit a provider is asked.
pub const SAFETY_MARGIN: f64 = 1.02;

/// The longest a provider's `Retry-After` holds all its requests back: a server asking for
/// more (a day, by mistake or malice) is taken at this word, and the job's own retries and
/// timeouts decide the rest.
pub const MAX_PROVIDER_PAUSE: Duration = Duration::from_secs(600);

/// A limiter shared by every worker that calls one provider.
#[derive(Debug)]
pub struct Limiter {
    inner: RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<TokioInstant>>,
    /// No request goes out before this (the provider said `Retry-After`).
    paused_until: std::sync::Mutex<Option<tokio::time::Instant>>,
}

impl Limiter {
    /// Spreads `limit.requests` evenly over `limit.per` (one every `per / requests`, no bursts),
    /// so no window of length `per` ever sees more than `requests`.
    ///
    /// Intervals are kept 2 % longer than the limit asks: requests spaced exactly at the limit
    /// reach the server with network jitter, and one arriving a hair early counts as over it.
    pub fn new(limit: RateLimit) -> Self {
        let interval = (limit.per / limit.requests.max(1)).mul_f64(SAFETY_MARGIN);
        #[expect(
            clippy::expect_used,
            reason = "the period is at least 1 ns, and with_period refuses only zero"
        )]
        let quota = Quota::with_period(interval.max(Duration::from_nanos(1)))
            .expect("a positive period")
            .allow_burst(NonZeroU32::MIN);
        let inner = RateLimiter::direct_with_clock(quota, TokioClock);
        // The first request waits one interval too: this process cannot know when another
        // process (the app, a CLI run that just ended or was killed) last called the provider,
        // and MusicBrainz's 1/s must hold across them. At most one interval, once per client.
        let _ = inner.check();
        Limiter {
            inner,
            paused_until: std::sync::Mutex::new(None),
        }
    }

    /// Holds every request to this provider back for `wait` (at most [`MAX_PROVIDER_PAUSE`]):
    /// its answer said `Retry-After`, which is about the provider, not about one request. A
    /// later, longer pause extends it; a shorter one never shortens it.
    pub fn pause_for(&self, wait: Duration) {
        let until = tokio::time::Instant::now() + wait.min(MAX_PROVIDER_PAUSE);
        let mut paused = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        if paused.is_none_or(|current| current < until) {
            *paused = Some(until);
        }
    }

    /// Waits until a request may go out: after any pause, then at the pace.
    pub async fn acquire(&self) {
        loop {
            let until = *self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
            match until {
                Some(until) if until > tokio::time::Instant::now() => {
                    tokio::time::sleep_until(until).await;
                }
                _ => break,
            }
        }
        loop {
            match self.inner.check() {
                Ok(()) => return,
                Err(not_until) => {
                    tokio::time::sleep(not_until.wait_time_from(TokioClock.now())).await
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_request_back_and_only_grows() {
        let limiter = std::sync::Arc::new(Limiter::new(RateLimit {
            requests: 1000,
            per: Duration::from_secs(1),
        }));
        let start = tokio::time::Instant::now();
        limiter.pause_for(Duration::from_secs(5));
        limiter.pause_for(Duration::from_secs(2)); // shorter: no change
        let mut workers = tokio::task::JoinSet::new();
        for _ in 0..4 {
            let limiter = std::sync::Arc::clone(&limiter);
            workers.spawn(async move {
                limiter.acquire().await;
                tokio::time::Instant::now()
            });
        }
        while let Some(sent) = workers.join_next().await {
            assert!(
                sent.unwrap() - start >= Duration::from_secs(5),
                "every worker waited"
            );
        }
        // A hostile Retry-After is capped.
        let before = tokio::time::Instant::now();
        limiter.pause_for(Duration::from_secs(86_400));
        limiter.acquire().await;
        assert_eq!(tokio::time::Instant::now() - before, MAX_PROVIDER_PAUSE);
    }

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_by_the_limit() {
        let limiter = Limiter::new(RateLimit {
            requests: 50,
            per: Duration::from_secs(5),
        });
        let start = tokio::time::Instant::now();
        let mut times = Vec::new();
        for _ in 0..120 {
            limiter.acquire().await;
            times.push(start.elapsed());
        }
        // No 5 s window holds more than 50.
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..]
                .iter()
                .take_while(|u| **u < *t + Duration::from_secs(5))
                .count();
            assert!(
                in_window <= 50,
                "{in_window} requests within 5 s from {t:?}"
            );
        }
        // The first waits one interval (another process may have just called), and the limit
        // is used, not wasted: 120 requests in 120 intervals of 0.1 s plus the 2 % margin.
        assert!(times[0] >= Duration::from_millis(100), "{:?}", times[0]);
        assert!(
            start.elapsed() <= Duration::from_millis(12_250),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn per_second() {
        let limit = RateLimit::per_second(5.0);
        assert_eq!(limit.per, Duration::from_millis(200));
        assert!((limit.rate() - 5.0).abs() < 1e-9);
    }
}
