//! Gatefold's one HTTP layer: one shared reqwest client (rustls, gzip, connection reuse, a
//! limited number of redirects, the User-Agent MusicBrainz requires), and for each provider a
//! [`ProviderClient`] with its base URL (which may carry a path prefix), a rate limiter shared by
//! every worker, an optional concurrency bound, and its throttle signals.
//!
//! Answers are classified once, here: 404 is "not found" (`Ok(None)`), throttling (429, a
//! provider's own signal such as MusicBrainz's 503 or iTunes' 403) and server or connection
//! trouble are transient (retried by the job, honouring `Retry-After`), other client errors are
//! permanent. Bodies are read in chunks and abandoned as soon as they pass their cap.

pub mod circuit;
pub mod limiter;
pub mod reach;
pub mod resolve;
pub mod stats;

use std::collections::HashSet;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{StatusCode, redirect};
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;
use url::Url;

pub use circuit::CircuitPolicy;
use circuit::{Circuit, Outcome};
pub use limiter::{Limiter, RateLimit};

use crate::model::FetchError;

/// The User-Agent every request carries (MusicBrainz asks for `App/version ( contact )`).
pub const USER_AGENT: &str = concat!(
    "Gatefold/",
    env!("CARGO_PKG_VERSION"),
    " ( https://github.com/gatefold-app/gatefold )"
);

/// The largest JSON answer read.
pub const MAX_JSON_BYTES: usize = 2 * 1024 * 1024;
/// The largest image read.
pub const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;
/// Redirects followed before giving up (a loop ends here).
pub const MAX_REDIRECTS: usize = 5;

/// The shared client. Cheap to clone (connections are pooled inside).
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    /// What each provider was asked.
    stats: stats::RequestStats,
    /// Host names of the providers' base URLs, which may resolve anywhere (`resolve`).
    own_hosts: Arc<RwLock<HashSet<String>>>,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http").finish_non_exhaustive()
    }
}

impl Http {
    /// The client every provider shares. Errors (`Internal`) only when reqwest cannot build it.
    pub fn new() -> Result<Http, crate::EngineError> {
        Self::with_lookup(resolve::system_lookup())
    }

    /// The shared client, resolving host names with `lookup` (tests give names addresses).
    pub fn with_lookup(lookup: resolve::Lookup) -> Result<Http, crate::EngineError> {
        let own_hosts = Arc::new(RwLock::new(HashSet::new()));
        let resolver = resolve::GuardedResolver {
            lookup,
            own_hosts: Arc::clone(&own_hosts),
        };
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(resolver))
            .user_agent(USER_AGENT)
            .gzip(true)
            .redirect(redirect::Policy::custom(|attempt| {
                // The first URL is the one a provider client sent, already checked against its
                // base URL: each hop may go where that one could (see `reach`).
                let origin = attempt.previous().first().cloned();
                if attempt.previous().len() > MAX_REDIRECTS {
                    return attempt
                        .error(format!("too many redirects (more than {MAX_REDIRECTS})"));
                }
                match origin.map(|o| reach::may_reach(attempt.url(), &o)) {
                    Some(Err(reason)) => attempt.error(format!("a redirect refused: {reason}")),
                    _ => attempt.follow(),
                }
            }))
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(90))
            .build()
            .map_err(|e| crate::EngineError::Internal(format!("HTTP client: {e}")))?;
        Ok(Http {
            client,
            stats: stats::RequestStats::default(),
            own_hosts,
        })
    }

    /// The request counters of every provider client made from this one.
    pub fn stats(&self) -> stats::RequestStats {
        self.stats.clone()
    }
}

/// How a provider behaves and must be treated.
#[derive(Debug, Clone)]
pub struct ProviderPolicy {
    /// `lrclib`, `musicbrainz`, ... (also in error messages).
    pub name: &'static str,
    /// Where its API lives; any path prefix is kept (see [`ProviderClient::url`]).
    pub base_url: Url,
    /// The pace to keep (its published limit by default); the limiter keeps 2 % below it.
    pub rate: RateLimit,
    /// Requests to this provider in flight at once, at most (`None`: bounded by the job only).
    pub max_in_flight: Option<usize>,
    /// Statuses that mean "slow down" for this provider (besides 429), with the wait to use
    /// when the answer names none.
    pub throttle_statuses: &'static [(u16, Duration)],
    /// How long one request may take, from when it is sent (after the rate limiter and the
    /// in-flight bound let it go) to the end of its body. `None`: the caller's deadline only.
    pub request_timeout: Option<Duration>,
}

/// What a GET brought back.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The HTTP status: always a success (2xx).
    pub status: u16,
    /// The `Content-Type` header, if the server sent one (not checked against the body).
    pub content_type: Option<String>,
    /// The whole body, never larger than the cap the request was made with.
    pub body: Vec<u8>,
}

/// One provider's HTTP access, shared by every worker.
#[derive(Debug, Clone)]
pub struct ProviderClient {
    http: Http,
    policy: Arc<ProviderPolicy>,
    limiter: Arc<Limiter>,
    permits: Option<Arc<Semaphore>>,
    circuit: Arc<Circuit>,
}

impl ProviderClient {
    /// A client for the provider `policy` describes, with its own limiter and in-flight bound.
    pub fn new(http: Http, policy: ProviderPolicy) -> Self {
        if let Some(url::Host::Domain(host)) = policy.base_url.host() {
            let host = host.trim_end_matches('.').to_ascii_lowercase();
            http.own_hosts
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(host);
        }
        let limiter = Arc::new(Limiter::new(policy.rate));
        let permits = policy
            .max_in_flight
            .map(|n| Arc::new(Semaphore::new(n.max(1))));
        ProviderClient {
            http,
            policy: Arc::new(policy),
            limiter,
            permits,
            circuit: Arc::new(Circuit::new(CircuitPolicy::default())),
        }
    }

    /// This client with its circuit breaker set by `policy` (tests shorten the cool-down).
    #[must_use]
    pub fn with_circuit(mut self, policy: CircuitPolicy) -> Self {
        self.circuit = Arc::new(Circuit::new(policy));
        self
    }

    /// The configured base URL: requests go under it, and the URLs its answers name are judged
    /// against it ([`reach`]).
    pub fn base_url(&self) -> &Url {
        &self.policy.base_url
    }

    /// The provider's name (`lrclib`, `musicbrainz`, ...).
    pub fn name(&self) -> &'static str {
        self.policy.name
    }

    /// Whether each request is bounded in time by this client (`request_timeout`).
    pub fn bounds_requests(&self) -> bool {
        self.policy.request_timeout.is_some()
    }

    /// Counts one lookup this provider answered, with something usable (`found`) or not, in
    /// the statistics of the [`Http`] it was made from.
    pub fn count_answer(&self, found: bool) {
        self.http.stats.answer(self.policy.name, found);
    }

    /// How many requests this client lets out at once, when it bounds them.
    pub fn max_in_flight(&self) -> Option<usize> {
        self.policy.max_in_flight.map(|n| n.max(1))
    }

    /// The provider's API path appended to the base URL, keeping any path prefix of the base
    /// (`http://host/lrclib` + `/api/get` = `http://host/lrclib/api/get`).
    pub fn url(&self, api_path: &str, query: &[(&str, &str)]) -> Url {
        let mut url = self.policy.base_url.clone();
        let prefix = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{prefix}/{}", api_path.trim_start_matches('/')));
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    /// GETs `url` within the provider's rate and concurrency limits. `Ok(None)` for 404.
    pub async fn get(
        &self,
        url: Url,
        accept: &str,
        cap: usize,
    ) -> Result<Option<Fetched>, FetchError> {
        // URLs a provider's answer named (artwork) go only where its base URL allows.
        reach::may_reach(&url, &self.policy.base_url)
            .map_err(|reason| FetchError::permanent(format!("{}: {reason}", self.policy.name)))?;
        let name = self.policy.name;
        // A provider that is down is not waited for (see `circuit`).
        if let Some(refused) = self.circuit.refusal(name) {
            return Err(refused);
        }
        let _permit =
            match &self.permits {
                Some(p) => Some(Arc::clone(p).acquire_owned().await.map_err(|_| {
                    FetchError::permanent("the provider's request slots were closed")
                })?),
                None => None,
            };
        self.limiter.acquire().await;
        let admitted = self.circuit.admit(name)?;
        tracing::debug!(provider = name, %url, "GET");
        let sent_at = tokio::time::Instant::now();
        let request = self.send(url.clone(), accept, cap);
        let result = match self.policy.request_timeout {
            None => request.await,
            Some(limit) => tokio::time::timeout(limit, request)
                .await
                .unwrap_or_else(|_| {
                    Err(FetchError::transient(format!(
                        "{name}: no answer within {} s",
                        limit.as_secs_f64()
                    )))
                }),
        };
        self.http.stats.record(
            name,
            &url,
            match &result {
                Ok(answer) => {
                    stats::Ended::Answered(answer.as_ref().map_or(0, |f| f.body.len() as u64))
                }
                Err(FetchError::Transient {
                    retry_after: Some(_),
                    ..
                }) => stats::Ended::Throttled,
                Err(_) => stats::Ended::Failed,
            },
            sent_at.elapsed(),
        );
        match &result {
            Ok(_) | Err(FetchError::Permanent { .. }) => admitted.record(Outcome::Answered, ""),
            Err(FetchError::Transient {
                retry_after: Some(_),
                ..
            }) => admitted.record(Outcome::Neutral, ""),
            Err(
                FetchError::Transient {
                    reason,
                    retry_after: None,
                }
                | FetchError::Unreachable { reason },
            ) => admitted.record(Outcome::Down, reason),
        }
        if let Err(FetchError::Transient {
            retry_after: Some(wait),
            ..
        }) = &result
        {
            // The provider asked for a pause: every worker's next request waits, not only
            // this one's retry.
            tracing::info!(
                provider = name,
                wait_s = wait.as_secs_f64(),
                "provider asked to pause"
            );
            self.limiter.pause_for(*wait);
        }
        result
    }

    /// One request, sent now: the status classified, the body read under `cap`.
    async fn send(
        &self,
        url: Url,
        accept: &str,
        cap: usize,
    ) -> Result<Option<Fetched>, FetchError> {
        let name = self.policy.name;
        let response = self
            .http
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, accept)
            .send()
            .await
            .map_err(|e| request_error(name, &e))?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if let Some(err) = self.classify(status, response.headers()) {
            return Err(err);
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = read_capped(name, response, cap).await?;
        Ok(Some(Fetched {
            status: status.as_u16(),
            content_type,
            body,
        }))
    }

    /// GETs JSON and parses it. `Ok(None)` for 404; a body that is not the expected JSON (a
    /// malformed or truncated answer, an HTML error page with status 200) is a transient error
    /// naming the provider: such faults pass (a proxy, an overloaded server), so it is retried.
    pub async fn get_json<T: DeserializeOwned>(&self, url: Url) -> Result<Option<T>, FetchError> {
        let Some(fetched) = self.get(url, "application/json", MAX_JSON_BYTES).await? else {
            return Ok(None);
        };
        serde_json::from_slice(&fetched.body)
            .map(Some)
            .map_err(|e| {
                FetchError::transient(format!(
                    "{}: unexpected answer (not the JSON expected): {e}",
                    self.policy.name
                ))
            })
    }

    /// An error for a non-success status, or `None` for success.
    fn classify(&self, status: StatusCode, headers: &HeaderMap) -> Option<FetchError> {
        let name = self.policy.name;
        let code = status.as_u16();
        if status.is_success() {
            return None;
        }
        let retry_after = retry_after(headers);
        if let Some((_, default_wait)) = self
            .policy
            .throttle_statuses
            .iter()
            .find(|(s, _)| *s == code)
        {
            return Some(FetchError::Transient {
                reason: format!("{name}: throttled (HTTP {code})"),
                retry_after: retry_after.or(Some(*default_wait)),
            });
        }
        if status.is_redirection() {
            // reqwest hands back, unfollowed, a redirect to a scheme it does not fetch.
            let location = headers
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("nowhere");
            let why = match Url::parse(location) {
                Ok(target) => reach::may_reach(&target, &self.policy.base_url)
                    .err()
                    .unwrap_or_else(|| "it was not followed".to_owned()),
                Err(_) => format!("{location} is not a full http or https address"),
            };
            return Some(FetchError::permanent(format!(
                "{name}: a redirect (HTTP {code}) refused: {why}"
            )));
        }
        Some(match code {
            429 => FetchError::Transient {
                reason: format!("{name}: too many requests (HTTP 429)"),
                retry_after,
            },
            408 | 500..=599 => FetchError::Transient {
                reason: format!("{name}: server error (HTTP {code})"),
                retry_after,
            },
            _ => FetchError::permanent(format!("{name}: request refused (HTTP {code})")),
        })
    }
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    let when = when.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    let now = u64::try_from(crate::clock::unix_now()).unwrap_or(0);
    Some(Duration::from_secs(when.saturating_sub(now)))
}

fn request_error(name: &str, err: &reqwest::Error) -> FetchError {
    let mut cause: Option<&dyn std::error::Error> = Some(err);
    while let Some(e) = cause {
        if let Some(refused) = e.downcast_ref::<resolve::Refused>() {
            return FetchError::permanent(format!("{name}: {refused}"));
        }
        cause = e.source();
    }
    if err.is_redirect() {
        return FetchError::permanent(format!("{name}: {}", root_cause(err)));
    }
    let what = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        // No connection to a service across the network: the job asks whether the machine is
        // offline. One on this machine (a closed loopback port) is the service's own failure,
        // whatever the network does.
        if !err
            .url()
            .is_some_and(|url| reach::reach(url) == reach::Reach::Loopback)
        {
            return FetchError::unreachable(format!(
                "{name}: could not connect ({})",
                root_cause(err)
            ));
        }
        "could not connect"
    } else {
        "request failed"
    };
    FetchError::transient(format!("{name}: {what} ({})", root_cause(err)))
}

/// The innermost cause ("Connection refused (os error 111)"), which is what a person needs;
/// the full chain goes to the log.
fn root_cause(err: &dyn std::error::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    tracing::debug!(error = %err, cause = %cause, "request failed");
    cause.to_string()
}

/// Reads a body chunk by chunk, stopping as soon as it passes `cap`.
async fn read_capped(
    name: &str,
    mut response: reqwest::Response,
    cap: usize,
) -> Result<Vec<u8>, FetchError> {
    if let Some(declared) = response.content_length()
        && declared > cap as u64
    {
        return Err(FetchError::permanent(format!(
            "{name}: an answer of {} is over the {} limit",
            size(declared),
            size(cap as u64)
        )));
    }
    // A chunked or compressed answer says no size: it is read until it passes the limit, so
    // what was read says nothing about its size.
    let too_big = || {
        FetchError::permanent(format!(
            "{name}: the answer is larger than the {} limit (reading stopped there)",
            size(cap as u64)
        ))
    };
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > cap {
                    return Err(too_big());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(err) => {
                return Err(FetchError::transient(format!(
                    "{name}: the answer was cut off ({} received): {}",
                    size(body.len() as u64),
                    root_cause(&err)
                )));
            }
        }
    }
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}
