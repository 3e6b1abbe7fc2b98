//! Running one operation: the permits it holds, its deadline, its retries.
//!
//! An operation (one album's artwork, or the lyrics of one album's tracks) is a series of
//! attempts. Each attempt waits for the pause gate to be open, then holds one of its lane's
//! permits while it runs, and only then: sleeping before a retry holds nothing, so other
//! operations fill the window meanwhile.
//!
//! Artwork and lyrics have a lane each (`max_concurrent` permits; the lyrics lane more when its
//! service takes more requests at once). They ask disjoint providers, so an album waiting for
//! its turn at a slow-paced artwork service (MusicBrainz's 1/s, iTunes' 20 a minute) never
//! holds back lyrics, nor the other way round.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use super::network::{ConnectionKind, NetworkMonitor};
use super::retry::{Jitter, delay};
use super::services::{
    AlbumRequest, ArtworkService, FetchError, FetchedLyrics, LyricsRequest, LyricsService,
};
use crate::db::ArtworkRow;
use crate::store::ArtworkStore;

/// A finished operation.
pub(super) enum Done {
    Artwork { album_id: i64, outcome: ArtDone },
    Lyrics(Vec<LyricsDone>),
}

/// How an album's artwork operation ended.
pub(super) enum ArtDone {
    /// Found and stored.
    Stored {
        row: ArtworkRow,
        source: String,
        /// Found on disk (embedded or a cover file), not online.
        local: bool,
    },
    NotFound,
    Failed {
        reason: String,
        attempts: u32,
    },
}

/// One track's lyrics answer and the attempts it took.
pub(super) struct LyricsDone {
    pub(super) track_id: i64,
    pub(super) result: Result<FetchedLyrics, FetchError>,
    pub(super) attempts: u32,
}

/// The kind of an operation, which picks its lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Artwork,
    Lyrics,
}

/// One kind's permits.
#[derive(Clone)]
pub(super) struct Lane {
    permits: Arc<Semaphore>,
    size: usize,
    /// Urgent attempts waiting for a permit: while any waits, other attempts give theirs
    /// back, so the next free permit goes to the urgent one.
    urgent_waiting: Arc<watch::Sender<usize>>,
}

/// Counts an urgent attempt as waiting, until dropped.
struct UrgentWaiting(Arc<watch::Sender<usize>>);

impl UrgentWaiting {
    fn new(lane: &Lane) -> Self {
        lane.urgent_waiting.send_modify(|n| *n += 1);
        UrgentWaiting(Arc::clone(&lane.urgent_waiting))
    }
}

impl Drop for UrgentWaiting {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Lane {
    pub(super) fn new(size: usize) -> Self {
        let size = size.max(1);
        Lane {
            permits: Arc::new(Semaphore::new(size)),
            size,
            urgent_waiting: Arc::new(watch::channel(0).0),
        }
    }

    /// How many operations may run at once in this lane.
    pub(super) fn size(&self) -> usize {
        self.size
    }

    fn in_flight(&self) -> usize {
        self.size.saturating_sub(self.permits.available_permits())
    }
}

/// What attempts share: the lanes, the pause gate, the retry policy.
#[derive(Clone)]
pub(super) struct Attempts {
    pub(super) artwork_lane: Lane,
    pub(super) lyrics_lane: Lane,
    /// `true` while the job is paused.
    pub(super) gate: watch::Receiver<bool>,
    /// The deadline of one call of a service that does not bound its own requests.
    pub(super) timeout: Duration,
    pub(super) base_delay: Duration,
    pub(super) max_retries: u32,
    /// Asked when a service cannot be reached: is the machine offline?
    pub(super) network: Arc<dyn NetworkMonitor>,
    /// `true` while the job waits for the network, shared with the scheduler: an attempt that
    /// finds the machine offline sets it, the scheduler pauses the job and clears it once the
    /// network is back.
    pub(super) offline: Arc<watch::Sender<bool>>,
}

impl Attempts {
    /// Operations holding a permit now: running, not waiting for the gate or a retry.
    pub(super) fn in_flight(&self) -> u32 {
        u32::try_from(self.artwork_lane.in_flight() + self.lyrics_lane.in_flight())
            .unwrap_or(u32::MAX)
    }

    /// The lane of `kind`.
    pub(super) fn lane(&self, kind: Kind) -> &Lane {
        match kind {
            Kind::Artwork => &self.artwork_lane,
            Kind::Lyrics => &self.lyrics_lane,
        }
    }

    /// Waits until the job is not paused, then for a permit of `kind`'s lane (an `urgent`
    /// attempt before any other); `None` once the job is over (its gate or its permits gone),
    /// when nothing should start.
    async fn permit(&mut self, kind: Kind, urgent: bool) -> Option<OwnedSemaphorePermit> {
        loop {
            self.gate.wait_for(|paused| !paused).await.ok()?;
            let lane = self.lane(kind).clone();
            let waiting = urgent.then(|| UrgentWaiting::new(&lane));
            if !urgent {
                let mut urgent_waiting = lane.urgent_waiting.subscribe();
                urgent_waiting.wait_for(|n| *n == 0).await.ok()?;
            }
            let permit = Arc::clone(&lane.permits).acquire_owned().await.ok()?;
            drop(waiting);
            // An urgent attempt came while this one waited in line: the permit goes on to it.
            if !urgent && *lane.urgent_waiting.borrow() > 0 {
                drop(permit);
                continue;
            }
            // A pause that came while this waited for a slot: the slot goes back, and nothing
            // starts until the pause is lifted (else a pause would let the queue's next
            // attempts start as the running ones finish).
            if !*self.gate.borrow() {
                return Some(permit);
            }
        }
    }

    /// Whether `err` comes from a machine without a network: a service could not be reached
    /// and the monitor sees no network.
    async fn offline(&self, err: &FetchError) -> bool {
        err.is_unreachable() && self.network.status().await.kind == ConnectionKind::Offline
    }

    /// Tells the scheduler that the machine is offline and waits until the network is back
    /// (the attempt that met it is then made again, not counted as a retry).
    async fn wait_for_network(&self) {
        let mut back = self.offline.subscribe();
        self.offline.send_replace(true);
        tracing::info!("no network: waiting for it");
        // Ends with the job too (the sender gone).
        let _ = back.wait_for(|offline| !offline).await;
    }

    /// Runs one call of a service under a permit. A service that bounds each of its own
    /// requests (the HTTP providers) gets no deadline on the whole call, which may queue behind
    /// a rate limit and make several requests; any other gets the operation timeout, and
    /// `failed` says what a timeout (or the job ending under it) comes to.
    async fn attempt<T>(
        &mut self,
        kind: (Kind, bool),
        bounds_each_request: bool,
        call: impl Future<Output = T>,
        failed: impl FnOnce(FetchError) -> T,
    ) -> T {
        let Some(_permit) = self.permit(kind.0, kind.1).await else {
            return failed(FetchError::permanent(
                "the job ended before this could start",
            ));
        };
        if bounds_each_request {
            return call.await;
        }
        match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => result,
            Err(_) => failed(FetchError::transient(format!(
                "no answer within {} s",
                self.timeout.as_secs()
            ))),
        }
    }

    /// Whether a failure gets another attempt, and after how long.
    fn retry_wait(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        jitter: &mut Jitter,
    ) -> Option<Duration> {
        (retry < self.max_retries)
            .then(|| delay(self.base_delay, retry, jitter.next_unit(), retry_after))
    }

    /// Finds an album's artwork, with retries, and stores what it finds.
    pub(super) async fn artwork(
        mut self,
        service: Arc<dyn ArtworkService>,
        store: ArtworkStore,
        request: AlbumRequest,
        urgent: bool,
        mut jitter: Jitter,
    ) -> Done {
        let mut retry = 0;
        let outcome = loop {
            let result = self
                .attempt(
                    (Kind::Artwork, urgent),
                    service.bounds_each_request(),
                    service.fetch_artwork(&request),
                    Err,
                )
                .await;
            let attempts = retry + 1;
            match result {
                Ok(Some(art)) => {
                    let (source, local) = (art.source.clone(), art.local);
                    break match store.save(art).await {
                        Ok(row) => ArtDone::Stored { row, source, local },
                        Err(err) => ArtDone::Failed {
                            reason: format!("could not store the image: {err}"),
                            attempts,
                        },
                    };
                }
                Ok(None) => break ArtDone::NotFound,
                Err(err) if self.offline(&err).await => self.wait_for_network().await,
                Err(err) => {
                    let wait = err
                        .is_retryable()
                        .then(|| self.retry_wait(retry, err.retry_after(), &mut jitter))
                        .flatten();
                    match wait {
                        Some(wait) => {
                            tokio::time::sleep(wait).await;
                            retry += 1;
                        }
                        None => {
                            break ArtDone::Failed {
                                reason: err.to_string(),
                                attempts,
                            };
                        }
                    }
                }
            }
        };
        Done::Artwork {
            album_id: request.album_id,
            outcome,
        }
    }

    /// Finds lyrics for an album's tracks; only the tracks whose answer may change are asked
    /// for again.
    pub(super) async fn lyrics(
        mut self,
        service: Arc<dyn LyricsService>,
        mut request: LyricsRequest,
        urgent: bool,
        mut jitter: Jitter,
    ) -> Done {
        let mut done = Vec::with_capacity(request.tracks.len());
        let mut retry = 0;
        loop {
            let tracks: Vec<i64> = request.tracks.iter().map(|t| t.id).collect();
            let answers = self
                .attempt(
                    (Kind::Lyrics, urgent),
                    service.bounds_each_request(),
                    service.fetch_lyrics(&request),
                    |err| tracks.iter().map(|id| (*id, Err(err.clone()))).collect(),
                )
                .await;
            let mut by_id: HashMap<i64, Result<FetchedLyrics, FetchError>> =
                answers.into_iter().collect();
            let offline = match by_id.values().find_map(|answer| answer.as_ref().err()) {
                Some(err) => self.offline(err).await,
                None => false,
            };
            let mut again = Vec::new();
            let mut retry_after: Option<Duration> = None;
            let may_retry = retry < self.max_retries;
            for track in std::mem::take(&mut request.tracks) {
                let answer = by_id.remove(&track.id).unwrap_or_else(|| {
                    Err(FetchError::permanent(
                        "the lyrics service gave no answer for this track",
                    ))
                });
                match answer {
                    // Asked again once the network is back, not counted.
                    Err(err) if offline && err.is_unreachable() => again.push(track),
                    Err(err) if err.is_retryable() && may_retry => {
                        retry_after = retry_after.max(err.retry_after());
                        again.push(track);
                    }
                    result => done.push(LyricsDone {
                        track_id: track.id,
                        result,
                        attempts: retry + 1,
                    }),
                }
            }
            if offline && !again.is_empty() {
                self.wait_for_network().await;
                request.tracks = again;
                continue;
            }
            let Some(wait) = (!again.is_empty())
                .then(|| self.retry_wait(retry, retry_after, &mut jitter))
                .flatten()
            else {
                return Done::Lyrics(done);
            };
            tokio::time::sleep(wait).await;
            retry += 1;
            request.tracks = again;
        }
    }
}
