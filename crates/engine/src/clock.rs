//! Wall-clock time for timestamps stored in the library, derived from `tokio::time` so that
//! tests that pause (and advance) tokio's clock see stored times move with it. This is the one
//! place the engine reads the system clock.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

static BASE: OnceLock<(i64, tokio::time::Instant)> = OnceLock::new();

/// Seconds since the Unix epoch.
pub fn unix_now() -> i64 {
    let (base_secs, base_instant) = *BASE.get_or_init(|| {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        (secs, tokio::time::Instant::now())
    });
    let elapsed = tokio::time::Instant::now().saturating_duration_since(base_instant);
    base_secs.saturating_add(i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
}
