//! A provider's published rate limit, enforced the way a real server does: at most `limit`
//! requests in any sliding `window`. A request over it is a violation: the fake answers with the
//! provider's own throttle signal and counts it, so a benchmark can prove there were none.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A sliding-window limit (unlimited by default).
#[derive(Debug, Clone, Default)]
pub struct RateWindow {
    limit: Option<(usize, Duration)>,
    admitted: VecDeque<Instant>,
    violations: usize,
    requests: usize,
}

impl RateWindow {
    /// At most `limit` requests in any `window`.
    pub fn new(limit: usize, window: Duration) -> Self {
        RateWindow {
            limit: Some((limit, window)),
            ..RateWindow::default()
        }
    }

    /// Counts a request; `false` (a violation) when it is over the limit.
    pub fn admit(&mut self) -> bool {
        self.requests += 1;
        let now = Instant::now();
        let Some((limit, window)) = self.limit else {
            return true;
        };
        while self
            .admitted
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            self.admitted.pop_front();
        }
        if self.admitted.len() >= limit {
            self.violations += 1;
            return false;
        }
        self.admitted.push_back(now);
        true
    }

    /// Requests over the limit so far.
    pub fn violations(&self) -> usize {
        self.violations
    }

    /// Requests counted so far (violations included).
    pub fn requests(&self) -> usize {
        self.requests
    }
}

/// A [`RateWindow`] shared by a fake's responder and the test or benchmark that sets and reads
/// it (unlimited until [`RateWatch::limit`]).
#[derive(Debug, Clone, Default)]
pub struct RateWatch(Arc<Mutex<RateWindow>>);

impl RateWatch {
    /// A watch enforcing `limit` requests in any `window` from the start.
    pub fn new(limit: usize, window: Duration) -> Self {
        RateWatch(Arc::new(Mutex::new(RateWindow::new(limit, window))))
    }

    /// Enforces at most `limit` requests in any `window` from now on.
    pub fn limit(&self, limit: usize, window: Duration) {
        *self.0.lock().unwrap() = RateWindow::new(limit, window);
    }

    /// Counts a request; `false` when it is over the limit (the fake answers with its throttle).
    pub fn admit(&self) -> bool {
        self.0.lock().unwrap().admit()
    }

    /// Requests over the limit so far.
    pub fn violations(&self) -> usize {
        self.0.lock().unwrap().violations()
    }

    /// Requests counted so far.
    pub fn requests(&self) -> usize {
        self.0.lock().unwrap().requests()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_goes_over_the_window() {
        let mut w = RateWindow::new(2, Duration::from_millis(200));
        assert!(w.admit() && w.admit());
        assert!(!w.admit());
        std::thread::sleep(Duration::from_millis(210));
        assert!(w.admit());
        assert_eq!((w.violations(), w.requests()), (1, 4));
        let mut open = RateWindow::default();
        assert!((0..100).all(|_| open.admit()));
    }
}
