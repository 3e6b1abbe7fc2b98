//! The HTTP layer against loopback servers: wiremock for well-formed answers, a raw TCP server for
//! the misbehaviours (a body cut short, an endless chunked body, a server that never answers).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use std::time::Duration;

use gatefold_engine::enrich::FetchError;
use gatefold_engine::http::{MAX_IMAGE_BYTES, ProviderClient, USER_AGENT};
use gatefold_testkit::providers::loopback_client;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(base: &str, throttle: &'static [(u16, Duration)]) -> ProviderClient {
    loopback_client("testprov", base, 1000.0, throttle)
}

#[derive(serde::Deserialize, Debug, PartialEq)]
struct Answer {
    ok: bool,
}

#[test]
fn user_agent_names_the_app_version_and_contact() {
    assert!(USER_AGENT.starts_with("Gatefold/"));
    assert!(
        USER_AGENT.contains(" ( https://") && USER_AGENT.ends_with(" )"),
        "{USER_AGENT}"
    );
}

#[tokio::test]
async fn base_url_prefix_user_agent_and_json() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/lrclib/api/get"))
        .and(query_param("track_name", "Jóga & more"))
        .and(header("user-agent", USER_AGENT))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&format!("{}/lrclib/", server.uri()), &[]);
    let url = c.url("/api/get", &[("track_name", "Jóga & more")]);
    assert_eq!(url.path(), "/lrclib/api/get");
    let answer: Option<Answer> = c.get_json(url).await.unwrap();
    assert_eq!(answer, Some(Answer { ok: true }));
}

#[tokio::test]
async fn statuses_are_classified() {
    let server = MockServer::start().await;
    let mount = |p: &str, t: ResponseTemplate| Mock::given(path(p.to_owned())).respond_with(t);
    mount("/404", ResponseTemplate::new(404).set_body_json(serde_json::json!({"message":"Failed to find specified track","name":"TrackNotFound","statusCode":404}))).mount(&server).await;
    mount(
        "/429-after",
        ResponseTemplate::new(429).insert_header("retry-after", "7"),
    )
    .mount(&server)
    .await;
    mount("/429", ResponseTemplate::new(429))
        .mount(&server)
        .await;
    mount(
        "/503",
        ResponseTemplate::new(503).set_body_json(
            serde_json::json!({"error":"Your requests are exceeding the allowable rate limit."}),
        ),
    )
    .mount(&server)
    .await;
    mount("/403", ResponseTemplate::new(403))
        .mount(&server)
        .await;
    mount(
        "/400",
        ResponseTemplate::new(400).set_body_json(serde_json::json!({"error":"Invalid mbid."})),
    )
    .mount(&server)
    .await;
    mount("/500", ResponseTemplate::new(500))
        .mount(&server)
        .await;
    mount(
        "/bad-json",
        ResponseTemplate::new(200).set_body_string("<html>oops</html>"),
    )
    .mount(&server)
    .await;

    let plain = client(&server.uri(), &[]);
    let get = |c: &ProviderClient, p: &str| {
        let url = c.url(p, &[]);
        let c = c.clone();
        async move { c.get_json::<Answer>(url).await }
    };
    assert_eq!(
        get(&plain, "/404").await,
        Ok(None),
        "404 is not found, not an error"
    );
    assert_eq!(
        get(&plain, "/429-after").await.unwrap_err().retry_after(),
        Some(Duration::from_secs(7))
    );
    let e = get(&plain, "/429").await.unwrap_err();
    assert!(e.is_retryable() && e.retry_after().is_none());
    assert!(get(&plain, "/503").await.unwrap_err().is_retryable());
    assert!(get(&plain, "/500").await.unwrap_err().is_retryable());
    let e = get(&plain, "/403").await.unwrap_err();
    assert!(!e.is_retryable(), "403 is a refusal for most providers");
    let e = get(&plain, "/400").await.unwrap_err();
    assert!(
        matches!(e, FetchError::Permanent { .. }) && e.to_string().contains("HTTP 400"),
        "{e}"
    );
    // Malformed JSON with status 200 (a proxy's page, a truncated answer) passes: retried.
    let e = get(&plain, "/bad-json").await.unwrap_err();
    assert!(
        e.is_retryable()
            && e.to_string()
                .contains("testprov: unexpected answer (not the JSON expected)"),
        "{e}"
    );

    // iTunes-style: 403 means "slow down", with a default wait when none is given.
    const ITUNES_THROTTLE: &[(u16, Duration)] = &[(403, Duration::from_secs(60))];
    let itunes = client(&server.uri(), ITUNES_THROTTLE);
    let e = get(&itunes, "/403").await.unwrap_err();
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(60)));
}

#[tokio::test]
async fn redirects_are_followed_but_a_loop_is_refused() {
    let server = MockServer::start().await;
    Mock::given(path("/hop"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/final"))
        .mount(&server)
        .await;
    Mock::given(path("/final"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .mount(&server)
        .await;
    Mock::given(path("/loop"))
        .respond_with(ResponseTemplate::new(307).insert_header("location", "/loop"))
        .mount(&server)
        .await;
    let c = client(&server.uri(), &[]);
    assert_eq!(
        c.get_json::<Answer>(c.url("/hop", &[])).await,
        Ok(Some(Answer { ok: true }))
    );
    let e = c.get_json::<Answer>(c.url("/loop", &[])).await.unwrap_err();
    assert!(
        !e.is_retryable() && e.to_string().contains("too many redirects"),
        "{e}"
    );
}

#[tokio::test]
async fn a_50_mb_image_is_refused_without_reading_it_whole() {
    let server = MockServer::start().await;
    Mock::given(path("/big.jpg"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![0u8; 50 * 1024 * 1024]))
        .mount(&server)
        .await;
    let c = client(&server.uri(), &[]);
    let e = c
        .get(c.url("/big.jpg", &[]), "image/*", MAX_IMAGE_BYTES)
        .await
        .unwrap_err();
    assert!(
        !e.is_retryable() && e.to_string().contains("over the 20.0 MB limit"),
        "{e}"
    );
}

/// A raw HTTP/1.1 server on loopback that answers every connection with `response`, then waits
/// `linger` before closing.
async fn raw_server(response: Vec<u8>, linger: Duration, endless_chunks: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let response = response.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(&response).await;
                if endless_chunks {
                    let chunk = [b"100000\r\n".as_slice(), &vec![b'x'; 0x100000], b"\r\n"].concat();
                    for _ in 0..64 {
                        if socket.write_all(&chunk).await.is_err() {
                            return;
                        }
                    }
                }
                tokio::time::sleep(linger).await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_body_cut_short_is_transient() {
    let base = raw_server(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"ok\":".to_vec(), Duration::ZERO, false).await;
    let c = client(&base, &[]);
    let e = c.get_json::<Answer>(c.url("/x", &[])).await.unwrap_err();
    assert!(e.is_retryable() && e.to_string().contains("cut off"), "{e}");
}

#[tokio::test]
async fn an_endless_chunked_body_stops_at_the_cap() {
    let base = raw_server(
        b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec(),
        Duration::from_secs(5),
        true,
    )
    .await;
    let c = client(&base, &[]);
    let e = c
        .get(c.url("/img", &[]), "image/*", MAX_IMAGE_BYTES)
        .await
        .unwrap_err();
    assert!(
        !e.is_retryable() && e.to_string().contains("larger than the 20.0 MB limit"),
        "{e}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_leaves_the_deadline_to_the_job() {
    let base = raw_server(Vec::new(), Duration::from_secs(60), false).await;
    let c = client(&base, &[]);
    let pending = tokio::time::timeout(
        Duration::from_millis(300),
        c.get_json::<Answer>(c.url("/x", &[])),
    )
    .await;
    assert!(
        pending.is_err(),
        "still waiting: the job's per-attempt timeout ends it"
    );
}

#[tokio::test]
async fn connection_refused_is_transient() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = client(&format!("http://{addr}"), &[]);
    let e = c.get_json::<Answer>(c.url("/x", &[])).await.unwrap_err();
    assert!(
        e.is_retryable() && e.to_string().contains("could not connect"),
        "{e}"
    );
    // Short enough for a person and a list row: the root cause, not reqwest's whole chain.
    assert!(
        e.to_string().contains("refused") && e.to_string().len() < 100,
        "{e}"
    );
}

fn timed_client(base: &str, requests_per_second: f64, timeout: Duration) -> ProviderClient {
    use gatefold_engine::http::{Http, ProviderPolicy, RateLimit};
    ProviderClient::new(
        Http::new().unwrap(),
        ProviderPolicy {
            name: "testprov",
            base_url: url::Url::parse(base).unwrap(),
            rate: RateLimit::per_second(requests_per_second),
            max_in_flight: None,
            throttle_statuses: &[],
            request_timeout: Some(timeout),
        },
    )
}

#[tokio::test]
async fn the_request_timeout_counts_from_the_send_never_the_wait_for_the_limiter() {
    let server = MockServer::start().await;
    Mock::given(path("/ok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .mount(&server)
        .await;
    // 4 requests a second, 150 ms each at most: the fourth waits about 750 ms for the limiter,
    // far longer than its timeout, and still goes through.
    let c = timed_client(&server.uri(), 4.0, Duration::from_millis(150));
    for n in 0..4 {
        let answer: Option<Answer> = c.get_json(c.url("/ok", &[])).await.unwrap_or_else(|e| {
            panic!("request {n}: {e}");
        });
        assert_eq!(answer, Some(Answer { ok: true }));
    }
    assert!(c.bounds_requests());
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_transient_timeout_naming_the_provider() {
    let base = raw_server(Vec::new(), Duration::from_secs(60), false).await;
    let c = timed_client(&base, 100.0, Duration::from_millis(200));
    let e = c.get_json::<Answer>(c.url("/x", &[])).await.unwrap_err();
    assert!(e.is_retryable(), "{e}");
    assert!(
        e.to_string()
            .starts_with("testprov: no answer within 0.2 s"),
        "{e}"
    );
}

/// A 429 with `Retry-After: 1` holds back every worker's next request to that provider, not
/// only the retry of the request that got it. (Checked by when the server saw each request: a
/// lower bound, which a busy machine can only make longer.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_pauses_every_worker_of_the_provider() {
    use std::sync::{Arc, Mutex};
    use std::time::Instant;
    struct Throttle {
        seen: Arc<Mutex<Vec<(Instant, u16)>>>,
    }
    impl wiremock::Respond for Throttle {
        fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
            let mut seen = self.seen.lock().unwrap();
            let status = if seen.is_empty() { 429 } else { 200 };
            seen.push((Instant::now(), status));
            match status {
                429 => ResponseTemplate::new(429).insert_header("retry-after", "1"),
                _ => ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})),
            }
        }
    }
    let server = MockServer::start().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    Mock::given(path("/api"))
        .respond_with(Throttle {
            seen: Arc::clone(&seen),
        })
        .mount(&server)
        .await;
    let c = Arc::new(client(&server.uri(), &[]));
    let err = c.get_json::<Answer>(c.url("/api", &[])).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let c = Arc::clone(&c);
        workers.spawn(async move { c.get_json::<Answer>(c.url("/api", &[])).await });
    }
    while let Some(answer) = workers.join_next().await {
        assert_eq!(answer.unwrap().unwrap(), Some(Answer { ok: true }));
    }
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 5);
    let throttled_at = seen[0].0;
    for (at, _) in &seen[1..] {
        assert!(
            *at - throttled_at >= Duration::from_millis(1000),
            "a request came {:?} after the 429",
            *at - throttled_at
        );
    }
}

/// A public provider cannot send Gatefold to the cloud metadata address or the user's network:
/// neither by a redirect nor by a URL in its answer. Refused before any connection, with the
/// reason; a redirect to `file://` says why too.
#[tokio::test]
async fn redirects_and_urls_to_private_addresses_are_refused() {
    let server = MockServer::start().await;
    let to = |target: &str| ResponseTemplate::new(302).insert_header("location", target);
    Mock::given(path("/metadata"))
        .respond_with(to("http://169.254.169.254/latest/meta-data/"))
        .mount(&server)
        .await;
    Mock::given(path("/file"))
        .respond_with(to("file:///etc/passwd"))
        .mount(&server)
        .await;
    Mock::given(path("/here"))
        .respond_with(to("/ok"))
        .mount(&server)
        .await;
    Mock::given(path("/ok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .mount(&server)
        .await;
    // The provider is on loopback (a self-hosted one): loopback hops are fine, the link is not.
    let c = client(&server.uri(), &[]);
    let ok: Option<Answer> = c.get_json(c.url("/here", &[])).await.unwrap();
    assert_eq!(ok, Some(Answer { ok: true }));
    for (route, says) in [
        ("/metadata", "169.254.169.254 is a link-local address"),
        ("/file", "not an http or https address"),
    ] {
        let err = c.get_json::<Answer>(c.url(route, &[])).await.unwrap_err();
        assert!(!err.is_retryable(), "{err}");
        assert!(err.to_string().contains(says), "{route}: {err}");
    }
    // A public provider's answer naming a private or loopback address.
    let public = loopback_client("testprov", "https://provider.example/", 1000.0, &[]);
    for url in ["http://10.0.0.1/cover.jpg", &format!("{}/ok", server.uri())] {
        let err = public
            .get(url::Url::parse(url).unwrap(), "image/*", MAX_IMAGE_BYTES)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("not fetched"), "{url}: {err}");
    }
}

/// A provider that stalls is not waited for album after album: after five timeouts in a row
/// its circuit opens, and the next requests fail at once, naming it, the cause and when it will
/// be asked again, without reaching it (a probe follows the cool-down: the unit tests of
/// `http::circuit` show the rest).
#[tokio::test]
async fn a_provider_that_keeps_stalling_is_not_asked_for_a_while() {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .mount(&server)
        .await;
    let c = timed_client(&server.uri(), 1000.0, Duration::from_millis(100));
    let mut reasons = Vec::new();
    for _ in 0..12 {
        let err = c.get_json::<Answer>(c.url("/slow", &[])).await.unwrap_err();
        assert!(err.is_retryable(), "{err}");
        reasons.push(err.to_string());
    }
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        5,
        "{reasons:#?}"
    );
    assert!(reasons[..5].iter().all(|r| r.contains("no answer within")));
    for reason in &reasons[5..] {
        assert!(
            reason.starts_with("testprov: not asked for now")
                && reason.contains("no answer within")
                && reason.contains("asked again in"),
            "{reason}"
        );
    }
}

/// Host names are judged by the addresses they resolve to: a name a provider's answer gives that
/// resolves to the link (169.254.169.254) or any other address that is not public is refused
/// before any connection, with the reason; a provider's own configured host resolves where it
/// is (a self-hosted service named by name). Names here resolve through a fake resolver.
#[tokio::test]
async fn names_that_resolve_to_non_public_addresses_are_refused_unless_a_providers_own() {
    use gatefold_engine::http::{Http, ProviderPolicy, RateLimit};
    use std::net::IpAddr;
    let server = MockServer::start().await;
    Mock::given(path("/ok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .mount(&server)
        .await;
    let port = server.address().port();
    let lookup = std::sync::Arc::new(|name: &str| -> std::io::Result<Vec<IpAddr>> {
        Ok(match name {
            "metadata.test" => vec!["169.254.169.254".parse().unwrap()],
            _ => vec!["127.0.0.1".parse().unwrap()],
        })
    });
    let http = Http::with_lookup(lookup).unwrap();
    let c = ProviderClient::new(
        http,
        ProviderPolicy {
            name: "selfhosted",
            base_url: url::Url::parse(&format!("http://own.test:{port}")).unwrap(),
            rate: RateLimit::per_second(1000.0),
            max_in_flight: None,
            throttle_statuses: &[],
            request_timeout: Some(Duration::from_secs(10)),
        },
    );
    // The provider's own host: fetched.
    assert_eq!(
        c.get_json::<Answer>(c.url("/ok", &[])).await.unwrap(),
        Some(Answer { ok: true })
    );
    // Names its answers might give: refused, permanently, naming the address and its class.
    for (url, class) in [
        (format!("http://metadata.test:{port}/latest"), "link-local"),
        (format!("http://other.test:{port}/ok"), "loopback"),
    ] {
        let err = c
            .get(url::Url::parse(&url).unwrap(), "image/*", 1000)
            .await
            .unwrap_err();
        assert!(!err.is_retryable(), "{err}");
        assert!(
            err.to_string().starts_with("selfhosted: ") && err.to_string().contains(class),
            "{err}"
        );
    }
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "only the provider's own host was reached"
    );
}

/// A service across the network that cannot be reached (its name does not resolve, no
/// connection) is `Unreachable`, which the job checks against the network monitor; one on this
/// machine (a closed loopback port) stays an ordinary passing failure of that service, so a
/// machine without a default route never waits for a network it does not need.
#[tokio::test]
async fn unreachable_services_across_the_network_are_told_apart_from_local_ones() {
    use gatefold_engine::http::{Http, ProviderPolicy, RateLimit};
    use std::net::IpAddr;
    let lookup = std::sync::Arc::new(|name: &str| -> std::io::Result<Vec<IpAddr>> {
        Err(std::io::Error::other(format!(
            "{name}: no such host (offline)"
        )))
    });
    let client = |base: &str| {
        ProviderClient::new(
            Http::with_lookup(lookup.clone()).unwrap(),
            ProviderPolicy {
                name: "testprov",
                base_url: url::Url::parse(base).unwrap(),
                rate: RateLimit::per_second(1000.0),
                max_in_flight: None,
                throttle_statuses: &[],
                request_timeout: Some(Duration::from_secs(10)),
            },
        )
    };
    let far = client("http://lyrics.example.org");
    let err = far
        .get_json::<Answer>(far.url("/ok", &[]))
        .await
        .unwrap_err();
    assert!(err.is_unreachable() && err.is_retryable(), "{err:?}");
    assert!(
        err.to_string().starts_with("testprov: could not connect"),
        "{err}"
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let near = client(&format!("http://127.0.0.1:{port}"));
    let err = near
        .get_json::<Answer>(near.url("/ok", &[]))
        .await
        .unwrap_err();
    assert!(!err.is_unreachable() && err.is_retryable(), "{err:?}");
    assert!(err.to_string().contains("could not connect"), "{err}");
}
