//! A circuit breaker per provider. A service that is down (no answer in time, connections
//! refused, 5xx) would otherwise cost every album the full series of attempts and timeouts. After
//! [`CircuitPolicy::threshold`] such failures in a row the circuit opens: the provider is not
//! asked, and each request fails at once, saying why and when it will be asked again. When the
//! cool-down ends, one request probes the service; a success closes the circuit, a failure opens
//! it again for twice as long (up to [`CircuitPolicy::max_cool_down`]).
//!
//! Only failures that say "the service is not answering" count. A throttle (429 or a status
//! with `Retry-After`) pauses the provider instead (the limiter); a 404 or a refusal (4xx) is an
//! answer, and resets the count. Time is `tokio::time`, so tests can pause it.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::model::FetchError;

/// When a provider's circuit opens and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CircuitPolicy {
    /// Failures in a row that open the circuit.
    pub threshold: u32,
    /// How long it stays open the first time.
    pub cool_down: Duration,
    /// The longest it stays open (each failed probe doubles the cool-down up to this).
    pub max_cool_down: Duration,
}

impl Default for CircuitPolicy {
    fn default() -> Self {
        CircuitPolicy {
            threshold: 5,
            cool_down: Duration::from_secs(30),
            max_cool_down: Duration::from_secs(600),
        }
    }
}

/// How a request ended, as the circuit sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// The service answered (whatever it said).
    Answered,
    /// The service did not answer usefully: a timeout, a failed connection, a 5xx.
    Down,
    /// Says nothing of the service's health (a throttle, handled by the limiter).
    Neutral,
}

#[derive(Debug)]
enum State {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
        cool_down: Duration,
        last: String,
    },
    /// One request is probing; the others wait for its outcome by failing fast.
    Probing {
        cool_down: Duration,
        last: String,
    },
}

/// One provider's circuit, shared by every worker.
#[derive(Debug)]
pub(super) struct Circuit {
    policy: CircuitPolicy,
    state: Mutex<State>,
}

/// What [`Circuit::admit`] lets through: a request to send, probing or not. Its outcome is
/// given to [`Admitted::record`]; a probe dropped unrecorded (its request cancelled) lets the
/// next request probe instead, so the circuit never stays stuck probing.
#[derive(Debug)]
pub(super) struct Admitted<'a> {
    circuit: &'a Circuit,
    name: &'a str,
    probe: bool,
    recorded: bool,
}

impl Circuit {
    pub(super) fn new(policy: CircuitPolicy) -> Self {
        Circuit {
            policy,
            state: Mutex::new(State::Closed { failures: 0 }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the state half-written (each arm
        // assigns a whole value), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The refusal a request gets while the circuit is open or probing; `None` when it may be
    /// sent (checked before queueing behind the limiter, so a request for a provider that is
    /// down does not wait its turn to fail).
    pub(super) fn refusal(&self, name: &str) -> Option<FetchError> {
        let now = tokio::time::Instant::now();
        match &*self.state() {
            State::Closed { .. } => None,
            State::Open { until, .. } if now >= *until => None,
            State::Open { until, last, .. } => Some(self.refused(name, *until - now, last)),
            State::Probing { cool_down, last } => Some(self.refused(name, *cool_down, last)),
        }
    }

    fn refused(&self, name: &str, wait: Duration, last: &str) -> FetchError {
        FetchError::Transient {
            reason: format!(
                "{name}: not asked for now: its last requests failed ({last}); asked again in \
                 {} s",
                wait.as_secs().max(1)
            ),
            retry_after: Some(wait),
        }
    }

    /// Lets a request go now, or refuses it (see [`Circuit::refusal`]). When the cool-down has
    /// ended, the first request through is the probe.
    pub(super) fn admit<'a>(&'a self, name: &'a str) -> Result<Admitted<'a>, FetchError> {
        let now = tokio::time::Instant::now();
        let mut state = self.state();
        match &*state {
            State::Closed { .. } => Ok(Admitted {
                circuit: self,
                name,
                probe: false,
                recorded: false,
            }),
            State::Open {
                until,
                cool_down,
                last,
            } if now >= *until => {
                tracing::info!(provider = name, "probing a provider that was failing");
                *state = State::Probing {
                    cool_down: *cool_down,
                    last: last.clone(),
                };
                Ok(Admitted {
                    circuit: self,
                    name,
                    probe: true,
                    recorded: false,
                })
            }
            State::Open { until, last, .. } => Err(self.refused(name, *until - now, last)),
            State::Probing { cool_down, last } => Err(self.refused(name, *cool_down, last)),
        }
    }

    fn record(&self, name: &str, probe: bool, outcome: Outcome, reason: &str) {
        let now = tokio::time::Instant::now();
        let mut state = self.state();
        let next = match (&*state, outcome) {
            (_, Outcome::Answered) => {
                if probe {
                    tracing::info!(provider = name, "provider answers again: circuit closed");
                }
                State::Closed { failures: 0 }
            }
            (State::Probing { cool_down, last }, Outcome::Neutral) => {
                // The probe says nothing: the next request probes again.
                State::Open {
                    until: now,
                    cool_down: *cool_down,
                    last: last.clone(),
                }
            }
            (_, Outcome::Neutral) => return,
            (State::Closed { failures }, Outcome::Down) => {
                let failures = failures + 1;
                if failures < self.policy.threshold {
                    State::Closed { failures }
                } else {
                    tracing::warn!(
                        provider = name,
                        failures,
                        cool_down_s = self.policy.cool_down.as_secs(),
                        %reason,
                        "provider keeps failing: not asked for a while"
                    );
                    State::Open {
                        until: now + self.policy.cool_down,
                        cool_down: self.policy.cool_down,
                        last: reason.to_owned(),
                    }
                }
            }
            (State::Probing { cool_down, .. }, Outcome::Down) => {
                let cool_down = (*cool_down * 2).min(self.policy.max_cool_down);
                tracing::warn!(
                    provider = name,
                    cool_down_s = cool_down.as_secs(),
                    %reason,
                    "probe failed: not asked for longer"
                );
                State::Open {
                    until: now + cool_down,
                    cool_down,
                    last: reason.to_owned(),
                }
            }
            // Requests sent before the circuit opened, ending after: already counted.
            (State::Open { .. }, Outcome::Down) => return,
        };
        *state = next;
    }
}

impl Admitted<'_> {
    /// Records how the request ended; `reason` (a failure's) is quoted in the refusals that
    /// follow.
    pub(super) fn record(mut self, outcome: Outcome, reason: &str) {
        self.recorded = true;
        self.circuit.record(self.name, self.probe, outcome, reason);
    }
}

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        if self.probe && !self.recorded {
            self.circuit.record(self.name, true, Outcome::Neutral, "");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: CircuitPolicy = CircuitPolicy {
        threshold: 3,
        cool_down: Duration::from_secs(30),
        max_cool_down: Duration::from_secs(100),
    };

    /// Sends one request through `circuit` that ends with `outcome`; `false` when refused.
    fn send(circuit: &Circuit, outcome: Outcome) -> bool {
        match circuit.admit("prov") {
            Ok(admitted) => {
                admitted.record(outcome, "prov: server error (HTTP 503)");
                true
            }
            Err(_) => false,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn opens_after_failures_in_a_row_then_probes_and_backs_off() {
        let circuit = Circuit::new(POLICY);
        // Answers reset the count; throttles do not count.
        for outcome in [
            Outcome::Down,
            Outcome::Down,
            Outcome::Answered,
            Outcome::Neutral,
        ] {
            assert!(send(&circuit, outcome));
        }
        assert!(circuit.refusal("prov").is_none());
        for _ in 0..3 {
            assert!(send(&circuit, Outcome::Down));
        }
        // Open: refused at once, saying why and when.
        let refused = circuit.refusal("prov").expect("open");
        let FetchError::Transient {
            reason,
            retry_after,
        } = refused
        else {
            panic!("transient");
        };
        assert!(reason.contains("prov: not asked for now"), "{reason}");
        assert!(
            reason.contains("HTTP 503") && reason.contains("30 s"),
            "{reason}"
        );
        assert_eq!(retry_after, Some(Duration::from_secs(30)));
        assert!(!send(&circuit, Outcome::Answered));

        // After the cool-down, one probe; the others are refused while it runs.
        tokio::time::advance(Duration::from_secs(30)).await;
        let probe = circuit.admit("prov").expect("the probe");
        assert!(circuit.admit("prov").is_err(), "one probe at a time");
        probe.record(Outcome::Down, "prov: no answer within 10 s");
        // A failed probe: twice as long.
        tokio::time::advance(Duration::from_secs(59)).await;
        assert!(!send(&circuit, Outcome::Answered));
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(send(&circuit, Outcome::Down));
        // Doubling stops at the maximum.
        tokio::time::advance(Duration::from_secs(100)).await;
        assert!(send(&circuit, Outcome::Down));
        tokio::time::advance(Duration::from_secs(99)).await;
        assert!(circuit.refusal("prov").is_some(), "100 s at most, not 200");
        tokio::time::advance(Duration::from_secs(1)).await;

        // A probe that is answered closes the circuit.
        assert!(send(&circuit, Outcome::Answered));
        assert!(circuit.refusal("prov").is_none());
        assert!(send(&circuit, Outcome::Down), "counting starts again");
        assert!(circuit.refusal("prov").is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_probe_lets_the_next_request_probe() {
        let circuit = Circuit::new(POLICY);
        for _ in 0..3 {
            assert!(send(&circuit, Outcome::Down));
        }
        tokio::time::advance(Duration::from_secs(30)).await;
        drop(circuit.admit("prov").expect("the probe"));
        assert!(send(&circuit, Outcome::Answered), "probed again");
        assert!(circuit.refusal("prov").is_none());
    }
}
