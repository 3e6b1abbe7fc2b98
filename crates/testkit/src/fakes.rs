//! Fake artwork and lyrics services and a fake network monitor for the enrichment job's tests.
//! Their latency goes through `tokio::time`, so tests run with the clock paused; they measure
//! what the job does to them (calls, attempts in flight at once, when each call came).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use gatefold_engine::enrich::{
    AlbumRequest, ArtworkService, ConnectionKind, FetchError, FetchedArtwork, FetchedLyrics,
    LyricsRequest, LyricsService, NetworkMonitor, NetworkStatus,
};
use tokio::sync::watch;

use crate::audio::COVER_JPG_600;

/// How long a fake takes to answer.
#[derive(Debug, Clone)]
pub enum Latency {
    Fixed(Duration),
    /// Log-normal with this median and this 99th percentile, from a seeded generator.
    LogNormal {
        median: Duration,
        p99: Duration,
        seed: u64,
    },
}

impl Latency {
    pub fn zero() -> Self {
        Latency::Fixed(Duration::ZERO)
    }
}

/// What a fake answers for a key (an album title, a track title).
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Found,
    NotFound,
    /// Lyrics only.
    Instrumental,
    Transient {
        retry_after: Option<Duration>,
    },
    Permanent,
    /// No connection could be made (`FetchError::Unreachable`).
    Unreachable,
    /// Never answers (the job's timeout must end the attempt).
    Hang,
    /// Answers after this long instead of the usual latency.
    Slow(Duration),
}

/// Calls, concurrency and timing the fakes observed.
///
/// A test meter keeps every call (key and time); a counting meter ([`FakeArtwork::counting`],
/// [`FakeLyrics::counting`]) keeps only the numbers, so a benchmark's memory is the job's, not
/// the fake's record of 100,000 calls.
#[derive(Debug, Default)]
pub struct Meter {
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    count: AtomicUsize,
    counting_only: bool,
    calls: Mutex<Vec<(String, tokio::time::Instant)>>,
}

impl Meter {
    fn counting() -> Self {
        Meter {
            counting_only: true,
            ..Meter::default()
        }
    }

    fn enter(&self, key: &str) -> InFlight<'_> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        self.count.fetch_add(1, Ordering::SeqCst);
        if !self.counting_only {
            self.calls
                .lock()
                .unwrap()
                .push((key.to_owned(), tokio::time::Instant::now()));
        }
        InFlight(self)
    }

    /// The most attempts that were in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Every call: its key and when it started.
    pub fn calls(&self) -> Vec<(String, tokio::time::Instant)> {
        self.calls.lock().unwrap().clone()
    }

    pub fn call_count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    /// Calls for one key.
    pub fn calls_for(&self, key: &str) -> Vec<tokio::time::Instant> {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, t)| *t)
            .collect()
    }
}

struct InFlight<'a>(&'a Meter);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Shared behaviour of the two fakes.
#[derive(Debug)]
struct Script {
    latency: Latency,
    rng: Mutex<u64>,
    default: Reply,
    /// Replies per key, consumed in order; the last one repeats.
    replies: Mutex<HashMap<String, Vec<Reply>>>,
}

impl Script {
    fn new(latency: Latency, default: Reply) -> Self {
        let seed = match &latency {
            Latency::LogNormal { seed, .. } => *seed | 1,
            Latency::Fixed(_) => 1,
        };
        Script {
            latency,
            rng: Mutex::new(seed),
            default,
            replies: Mutex::new(HashMap::new()),
        }
    }

    fn reply_for(&self, key: &str) -> Reply {
        let mut replies = self.replies.lock().unwrap();
        match replies.get_mut(key) {
            Some(list) if list.len() > 1 => list.remove(0),
            Some(list) => list[0].clone(),
            None => self.default.clone(),
        }
    }

    fn delay(&self) -> Duration {
        match &self.latency {
            Latency::Fixed(d) => *d,
            Latency::LogNormal { median, p99, .. } => {
                let mut state = self.rng.lock().unwrap();
                let mut unit = || {
                    *state ^= *state >> 12;
                    *state ^= *state << 25;
                    *state ^= *state >> 27;
                    ((state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 + 0.5)
                        / (1u64 << 53) as f64
                };
                // Box-Muller: a standard normal from two uniforms.
                let z = (-2.0 * unit().ln()).sqrt() * (2.0 * std::f64::consts::PI * unit()).cos();
                let sigma = (p99.as_secs_f64() / median.as_secs_f64()).ln() / 2.326_348;
                Duration::from_secs_f64(median.as_secs_f64() * (sigma * z).exp())
            }
        }
    }

    /// Waits as the reply says; `Err` for failures, `Ok(None)` not found, `Ok(Some(reply))` else.
    async fn perform(&self, key: &str) -> Result<Option<Reply>, FetchError> {
        let reply = self.reply_for(key);
        match &reply {
            Reply::Hang => std::future::pending::<()>().await,
            Reply::Slow(d) => tokio::time::sleep(*d).await,
            _ => {
                let d = self.delay();
                if !d.is_zero() {
                    tokio::time::sleep(d).await;
                }
            }
        }
        match reply {
            Reply::NotFound => Ok(None),
            Reply::Transient { retry_after } => Err(FetchError::Transient {
                reason: format!("HTTP 503 from fake for {key}"),
                retry_after,
            }),
            Reply::Permanent => Err(FetchError::permanent(format!(
                "HTTP 400 from fake for {key}"
            ))),
            Reply::Unreachable => Err(FetchError::unreachable(format!(
                "fake: could not connect for {key}"
            ))),
            other => Ok(Some(other)),
        }
    }
}

/// A fake [`ArtworkService`] keyed by album title.
#[derive(Debug)]
pub struct FakeArtwork {
    script: Script,
    pub meter: Meter,
}

impl FakeArtwork {
    /// Answers `Found` (a real 600×600 JPEG) for every album after `latency`.
    pub fn new(latency: Latency) -> Arc<Self> {
        Arc::new(FakeArtwork {
            script: Script::new(latency, Reply::Found),
            meter: Meter::default(),
        })
    }

    /// Answers `default` for albums without a script.
    pub fn with_default(latency: Latency, default: Reply) -> Arc<Self> {
        Arc::new(FakeArtwork {
            script: Script::new(latency, default),
            meter: Meter::default(),
        })
    }

    /// Like [`FakeArtwork::new`], with a meter that only counts (for benchmarks).
    pub fn counting(latency: Latency) -> Arc<Self> {
        Arc::new(FakeArtwork {
            script: Script::new(latency, Reply::Found),
            meter: Meter::counting(),
        })
    }

    /// The replies for `album` (by title), in order; the last repeats.
    pub fn script(&self, album: &str, replies: Vec<Reply>) {
        self.script
            .replies
            .lock()
            .unwrap()
            .insert(album.to_owned(), replies);
    }
}

#[async_trait]
impl ArtworkService for FakeArtwork {
    async fn fetch_artwork(
        &self,
        album: &AlbumRequest,
    ) -> Result<Option<FetchedArtwork>, FetchError> {
        let _in = self.meter.enter(&album.title);
        Ok(self
            .script
            .perform(&album.title)
            .await?
            .map(|_| FetchedArtwork {
                bytes: COVER_JPG_600.to_vec(),
                mime: "image/jpeg".into(),
                width: 600,
                height: 600,
                source: "fake".into(),
                local: false,
                matched: Some(format!("fake album “{}”", album.title)),
            }))
    }
}

/// A fake [`LyricsService`] keyed by track title; one call per request (per album group).
#[derive(Debug)]
pub struct FakeLyrics {
    script: Script,
    pub meter: Meter,
    /// Track titles of every request, in order (empty when counting only).
    pub requests: Mutex<Vec<Vec<String>>>,
    /// The in-flight bound the fake says it has (0: none), see [`FakeLyrics::set_max_in_flight`].
    at_once: AtomicUsize,
}

impl FakeLyrics {
    /// Says the service takes `n` requests at once (as an LRCLIB client set to `n` in flight).
    pub fn set_max_in_flight(&self, n: usize) {
        self.at_once.store(n, Ordering::SeqCst);
    }

    pub fn new(latency: Latency) -> Arc<Self> {
        FakeLyrics::with_default(latency, Reply::Found)
    }

    pub fn with_default(latency: Latency, default: Reply) -> Arc<Self> {
        Arc::new(FakeLyrics {
            script: Script::new(latency, default),
            meter: Meter::default(),
            requests: Mutex::new(Vec::new()),
            at_once: AtomicUsize::new(0),
        })
    }

    /// Like [`FakeLyrics::new`], keeping only counts (for benchmarks).
    pub fn counting(latency: Latency) -> Arc<Self> {
        Arc::new(FakeLyrics {
            script: Script::new(latency, Reply::Found),
            meter: Meter::counting(),
            requests: Mutex::new(Vec::new()),
            at_once: AtomicUsize::new(0),
        })
    }

    pub fn script(&self, track: &str, replies: Vec<Reply>) {
        self.script
            .replies
            .lock()
            .unwrap()
            .insert(track.to_owned(), replies);
    }
}

/// Lyrics the fake returns for a found track.
pub fn fake_lyrics_for(title: &str) -> (String, String) {
    (
        format!("Words of {title}"),
        format!("[00:01.00]Words of {title}"),
    )
}

#[async_trait]
impl LyricsService for FakeLyrics {
    async fn fetch_lyrics(
        &self,
        request: &LyricsRequest,
    ) -> Vec<(i64, Result<FetchedLyrics, FetchError>)> {
        let key = request.album.clone();
        let _in = self.meter.enter(&key);
        if !self.meter.counting_only {
            self.requests
                .lock()
                .unwrap()
                .push(request.tracks.iter().map(|t| t.title.clone()).collect());
        }
        // One wait for the whole request (one HTTP call for the album), then per-track replies.
        let first = request
            .tracks
            .first()
            .map(|t| t.title.clone())
            .unwrap_or_default();
        let mut results = Vec::with_capacity(request.tracks.len());
        let wait = self.script.perform(&first).await;
        for (i, track) in request.tracks.iter().enumerate() {
            let reply = if i == 0 {
                wait.clone().map(|r| r.unwrap_or(Reply::NotFound))
            } else {
                match self.script.reply_for(&track.title) {
                    Reply::Transient { retry_after } => Err(FetchError::Transient {
                        reason: format!("HTTP 503 from fake for {}", track.title),
                        retry_after,
                    }),
                    Reply::Permanent => Err(FetchError::permanent(format!(
                        "HTTP 400 from fake for {}",
                        track.title
                    ))),
                    Reply::Unreachable => Err(FetchError::unreachable(format!(
                        "fake: could not connect for {}",
                        track.title
                    ))),
                    other => Ok(other),
                }
            };
            let answer = reply.map(|r| match r {
                Reply::NotFound => FetchedLyrics::NotFound,
                Reply::Instrumental => FetchedLyrics::Instrumental {
                    source: "fake".into(),
                },
                _ => {
                    let (plain, synced) = fake_lyrics_for(&track.title);
                    FetchedLyrics::Found {
                        plain: Some(plain),
                        synced: Some(synced),
                        source: "fake".into(),
                        matched: Some(format!("fake record “{}”", track.title)),
                    }
                }
            });
            results.push((track.id, answer));
        }
        results
    }

    fn max_in_flight(&self) -> Option<usize> {
        Some(self.at_once.load(Ordering::SeqCst)).filter(|n| *n > 0)
    }
}

/// A network monitor the test switches between WiFi and not.
#[derive(Debug)]
pub struct FakeNetwork {
    tx: watch::Sender<NetworkStatus>,
}

impl FakeNetwork {
    pub fn wifi() -> Arc<Self> {
        Arc::new(FakeNetwork {
            tx: watch::channel(Self::status(ConnectionKind::Wifi)).0,
        })
    }

    pub fn ethernet() -> Arc<Self> {
        Arc::new(FakeNetwork {
            tx: watch::channel(Self::status(ConnectionKind::Ethernet)).0,
        })
    }

    fn status(kind: ConnectionKind) -> NetworkStatus {
        let interface = match kind {
            ConnectionKind::Wifi => Some("wlan0".to_owned()),
            ConnectionKind::Ethernet => Some("eth0".to_owned()),
            _ => None,
        };
        NetworkStatus {
            kind,
            metered: false,
            interface,
        }
    }

    pub fn set(&self, kind: ConnectionKind) {
        self.tx.send_replace(Self::status(kind));
    }
}

#[async_trait]
impl NetworkMonitor for FakeNetwork {
    async fn status(&self) -> NetworkStatus {
        self.tx.borrow().clone()
    }
}

/// Collects everything published on an [`EventBus`](gatefold_engine::EventBus), for assertions.
#[derive(Debug)]
pub struct EventCollector {
    events: Arc<Mutex<Vec<(tokio::time::Instant, gatefold_engine::LibraryEvent)>>>,
    lagged: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl EventCollector {
    /// Subscribes now and collects in the background.
    pub fn start(bus: &gatefold_engine::EventBus) -> Self {
        let mut sub = bus.subscribe();
        let events = Arc::new(Mutex::new(Vec::new()));
        let lagged = Arc::new(AtomicUsize::new(0));
        let (e, l) = (Arc::clone(&events), Arc::clone(&lagged));
        let task = tokio::spawn(async move {
            while let Some(message) = sub.recv().await {
                match message {
                    gatefold_engine::BusMessage::Event(event) => {
                        e.lock().unwrap().push((tokio::time::Instant::now(), event));
                    }
                    gatefold_engine::BusMessage::Lagged { missed } => {
                        l.fetch_add(
                            usize::try_from(missed).unwrap_or(usize::MAX),
                            Ordering::SeqCst,
                        );
                    }
                }
            }
        });
        EventCollector {
            events,
            lagged,
            task,
        }
    }

    /// The events so far, with when they arrived.
    pub fn timed(&self) -> Vec<(tokio::time::Instant, gatefold_engine::LibraryEvent)> {
        self.events.lock().unwrap().clone()
    }

    pub fn events(&self) -> Vec<gatefold_engine::LibraryEvent> {
        self.timed().into_iter().map(|(_, e)| e).collect()
    }

    /// Events this collector missed by lagging.
    pub fn lagged(&self) -> usize {
        self.lagged.load(Ordering::SeqCst)
    }
}

impl Drop for EventCollector {
    fn drop(&mut self) {
        self.task.abort();
    }
}
