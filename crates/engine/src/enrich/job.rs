//! `EnrichmentJob`: fills in artwork and lyrics for the library, in the background.
//!
//! How it schedules (the seed waited for each batch to finish; this does not):
//! * Candidates are read page by page (`batch_size`) in id order; a page is the unit of reading,
//!   not a barrier. The next page is read while the current one is still in flight, so one
//!   slow track never holds the others back.
//! * Work is album-shaped: artwork is one operation per album (its result is the album's, shared
//!   by tracks read in later pages), lyrics one operation per album group of a page (a service
//!   may answer a whole album with one request).
//! * A semaphore of `max_concurrent` permits bounds the attempts in flight. An operation holds a
//!   permit only while an attempt runs, not while it sleeps before a retry, so the window stays
//!   full. Up to twice as many operations are started as there are permits, so a finishing
//!   attempt always finds the next one waiting.
//! * Pausing (asked for, or WiFi lost) closes a gate in front of the semaphore: running attempts
//!   finish, no new one starts. Cancelling aborts everything at once; outcomes already
//!   committed stay, nothing is half-written (each commit is one transaction).
//! * Outcomes are committed as they happen (completions that arrive together share one
//!   transaction), with the job's counts, so a crash loses nothing and a re-run continues.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::network::NetworkMonitor;
use super::retry::{Jitter, delay};
use super::services::{
    AlbumRequest, ArtworkService, FetchError, FetchedArtwork, FetchedLyrics, LyricsRequest,
    LyricsService,
};
use super::{
    EnrichmentConfig, EnrichmentProgress, EnrichmentResult, NotFoundCounts, Operation,
    OperationOutcome, PauseReason, TrackFailure, WriteBackMode, WriteBackOutcome,
};
use crate::clock::unix_now;
use crate::db::{Candidate, Database, OutcomeWrite, Selection};
use crate::error::EngineError;
use crate::events::{EventBus, LibraryEvent, TrackField};
use crate::model::TrackRecord;
use crate::store::ArtworkStore;
use crate::writeback::{WriteBackListener, WriteBackOptions};

/// Why a job could not run.
#[derive(Debug, thiserror::Error)]
pub enum EnrichmentError {
    #[error("invalid setting: {0}")]
    InvalidConfig(#[from] super::ConfigError),
    #[error("invalid setting: {0}")]
    InvalidProviders(String),
    #[error("WiFi-only is on and this machine is on {network}: the job starts when WiFi is back")]
    NotOnWifi { network: String },
    #[error("an enrichment job is already running")]
    AlreadyRunning,
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl EnrichmentError {
    pub fn code(&self) -> &'static str {
        match self {
            EnrichmentError::InvalidConfig(_) | EnrichmentError::InvalidProviders(_) => {
                "invalid_config"
            }
            EnrichmentError::NotOnWifi { .. } => "not_on_wifi",
            EnrichmentError::AlreadyRunning => "job_already_running",
            EnrichmentError::Engine(e) => e.code(),
        }
    }
}

/// How long without a heartbeat before a job row is considered dead.
const STALE_JOB_SECS: i64 = 30;
const HEARTBEAT: Duration = Duration::from_secs(5);

/// An enrichment run over one library. Build it, then `run` it (or hand it to a
/// `BackgroundExecutor`).
pub struct EnrichmentJob {
    db: Database,
    config: EnrichmentConfig,
    bus: EventBus,
    artwork: Option<(Arc<dyn ArtworkService>, ArtworkStore)>,
    lyrics: Option<Arc<dyn LyricsService>>,
    /// Consulted when `require_wifi` is on (the real Linux monitor unless a test gives one).
    network: Arc<dyn NetworkMonitor>,
    retry_failed: bool,
    wifi_poll: Duration,
    progress_interval: Duration,
    jitter_seed: u64,
    /// Write-back after the job, and who hears of each file.
    write_back: Option<(WriteBackOptions, WriteBackListener)>,
}

impl std::fmt::Debug for EnrichmentJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrichmentJob")
            .field("config", &self.config)
            .field("retry_failed", &self.retry_failed)
            .finish_non_exhaustive()
    }
}

/// Handles the job listens to: pause/resume and cancel.
#[derive(Debug, Clone)]
pub struct JobControl {
    pub(crate) cancel: CancellationToken,
    pub(crate) pause: watch::Sender<bool>,
}

impl Default for JobControl {
    fn default() -> Self {
        JobControl {
            cancel: CancellationToken::new(),
            pause: watch::channel(false).0,
        }
    }
}

impl JobControl {
    pub fn pause(&self) {
        self.pause.send_replace(true);
    }
    pub fn resume(&self) {
        self.pause.send_replace(false);
    }
    pub fn cancel(&self) {
        self.cancel.cancel();
    }
}

impl EnrichmentJob {
    pub fn new(db: Database, config: EnrichmentConfig, bus: EventBus) -> Self {
        EnrichmentJob {
            db,
            config,
            bus,
            artwork: None,
            lyrics: None,
            network: Arc::new(super::network::LinuxNetworkMonitor::default()),
            retry_failed: false,
            wifi_poll: Duration::from_secs(5),
            progress_interval: Duration::from_millis(100),
            jitter_seed: 0x9E37_79B9_7F4A_7C15,
            write_back: None,
        }
    }

    /// Where artwork comes from and where its images go.
    pub fn artwork(mut self, service: Arc<dyn ArtworkService>, store: ArtworkStore) -> Self {
        self.artwork = Some((service, store));
        self
    }

    pub fn lyrics(mut self, service: Arc<dyn LyricsService>) -> Self {
        self.lyrics = Some(service);
        self
    }

    /// The monitor consulted when `require_wifi` is on.
    pub fn network(mut self, monitor: Arc<dyn NetworkMonitor>) -> Self {
        self.network = monitor;
        self
    }

    /// Work only on what failed before.
    pub fn retry_failed(mut self, on: bool) -> Self {
        self.retry_failed = on;
        self
    }

    /// How often the network is checked while `require_wifi` is on (default 5 s).
    pub fn wifi_poll_interval(mut self, every: Duration) -> Self {
        self.wifi_poll = every;
        self
    }

    /// Seed of the retry jitter (tests fix it).
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = seed;
        self
    }

    /// After the job (unless it was cancelled), write what was found beside the music or into
    /// the tags, as `options` says (nothing when its mode is off). `on_item` hears of each file.
    pub fn write_back_after(
        mut self,
        options: WriteBackOptions,
        on_item: WriteBackListener,
    ) -> Self {
        self.write_back = Some((options, on_item));
        self
    }

    /// Runs to the end (or until cancelled through `control`).
    pub async fn run(self, control: JobControl) -> Result<EnrichmentResult, EnrichmentError> {
        self.prepare().await?.run(control).await
    }

    /// Everything that can refuse the job, done before it runs: the settings, the WiFi rule,
    /// and the claim of the library's one running job (atomic across processes). A refused
    /// job changes nothing in the library.
    pub async fn prepare(self) -> Result<PreparedJob, EnrichmentError> {
        self.config.validate()?;
        if self.config.require_wifi {
            let status = self.network_status().await;
            if !status.allows_wifi_only_work() {
                return Err(EnrichmentError::NotOnWifi {
                    network: status.describe(),
                });
            }
        }
        let selection = Selection {
            artwork: self.config.enable_artwork && self.artwork.is_some(),
            lyrics: self.config.enable_lyrics && self.lyrics.is_some(),
            retry_failed: self.retry_failed,
            not_found_before: unix_now()
                - i64::try_from(self.config.not_found_max_age().as_secs()).unwrap_or(i64::MAX),
        };
        let config_json = serde_json::to_string(&self.config).unwrap_or_default();
        let start = self
            .db
            .start_job(&config_json, self.retry_failed, unix_now(), STALE_JOB_SECS)
            .await?;
        // Only the job that holds the claim may reset what a dead one left in flight.
        self.db.recover_interrupted_lyrics().await?;
        Ok(PreparedJob {
            job: self,
            start,
            selection,
        })
    }

    async fn network_status(&self) -> super::network::NetworkStatus {
        self.network.status().await
    }
}

/// A job that passed its checks and holds the library's claim: [`PreparedJob::run`] runs it.
pub struct PreparedJob {
    job: EnrichmentJob,
    start: crate::db::JobStart,
    selection: Selection,
}

impl std::fmt::Debug for PreparedJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PreparedJob")
            .field("job_id", &self.start.id)
            .field("resumed", &self.start.resumed)
            .finish_non_exhaustive()
    }
}

impl PreparedJob {
    /// Runs to the end (or until cancelled through `control`), then writes back when asked to.
    pub async fn run(self, control: JobControl) -> Result<EnrichmentResult, EnrichmentError> {
        let span = tracing::info_span!("enrich", job = self.start.id);
        let bus = self.job.bus.clone();
        let db = self.job.db.clone();
        let store = self.job.artwork.as_ref().map(|(_, store)| store.clone());
        let write_back = self.job.write_back.clone();
        let mut result = match Scheduler::new(self.job, self.start, self.selection, control)
            .run()
            .instrument(span.clone())
            .await
        {
            Ok(result) => result,
            Err(err) => {
                tracing::error!(%err, "enrichment stopped on an error");
                bus.publish(LibraryEvent::JobFailed {
                    code: err.code().to_owned(),
                    message: err.to_string(),
                });
                return Err(err.into());
            }
        };
        if let (Some((options, on_item)), Some(store)) = (write_back, store)
            && !result.cancelled
            && options.mode != WriteBackMode::Off
        {
            let written = crate::writeback::write_back(&db, &store, options, |item| on_item(item))
                .instrument(span)
                .await;
            result.write_back = Some(match written {
                Ok(summary) => {
                    bus.publish(LibraryEvent::WriteBackFinished { summary });
                    WriteBackOutcome::Written { summary }
                }
                Err(err) => {
                    tracing::error!(%err, "write-back stopped on an error");
                    let message = format!("writing back failed: {err}");
                    bus.publish(LibraryEvent::JobFailed {
                        code: err.code().to_owned(),
                        message: message.clone(),
                    });
                    WriteBackOutcome::Failed {
                        code: err.code().to_owned(),
                        message,
                    }
                }
            });
        }
        Ok(result)
    }
}

/// One unit of work.
enum Op {
    Artwork(AlbumRequest),
    Lyrics(LyricsRequest),
}

/// A finished unit of work, with how many attempts it took.
enum Done {
    Artwork {
        album_id: i64,
        result: Result<Option<FetchedArtwork>, FetchError>,
        attempts: u32,
    },
    Lyrics {
        results: Vec<(i64, Result<FetchedLyrics, FetchError>, u32)>,
    },
}

/// A track in flight: what it still waits for and what it got.
struct Pending {
    title: String,
    artist: String,
    waiting: u8,
    artwork: Option<OperationOutcome>,
    lyrics: Option<OperationOutcome>,
}

enum AlbumArt {
    /// Fetching; these tracks wait for the answer.
    Fetching(Vec<i64>),
    Done(OperationOutcome),
}

/// What attempts share: the permits, the pause gate, the retry policy.
#[derive(Clone)]
struct Attempts {
    permits: Arc<Semaphore>,
    gate: watch::Receiver<bool>,
    timeout: Duration,
    base_delay: Duration,
    max_retries: u32,
}

impl Attempts {
    /// Waits until the job is not paused, then for a permit.
    async fn permit(&mut self) -> tokio::sync::OwnedSemaphorePermit {
        // The gate's sender lives as long as the scheduler, which outlives every operation.
        let _ = self.gate.wait_for(|paused| !paused).await;
        Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }

    /// Runs one call of a service under a permit. A service that bounds each of its own
    /// requests (the HTTP providers) gets no deadline on the whole call, which may queue behind
    /// a rate limit and make several requests; any other gets the operation timeout, and
    /// `on_timeout` says what that comes to.
    async fn attempt<T, F>(
        &mut self,
        bounds_each_request: bool,
        call: F,
        on_timeout: impl FnOnce(FetchError) -> T,
    ) -> T
    where
        F: std::future::Future<Output = T>,
    {
        let _permit = self.permit().await;
        if bounds_each_request {
            return call.await;
        }
        match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => result,
            Err(_) => on_timeout(FetchError::transient(format!(
                "no answer within {} s",
                self.timeout.as_secs()
            ))),
        }
    }

    async fn artwork(
        mut self,
        service: Arc<dyn ArtworkService>,
        request: AlbumRequest,
        mut jitter: Jitter,
    ) -> Done {
        let mut retry = 0;
        loop {
            let result = self
                .attempt(
                    service.bounds_each_request(),
                    service.fetch_artwork(&request),
                    Err,
                )
                .await;
            match result {
                Err(err) if err.is_retryable() && retry < self.max_retries => {
                    tokio::time::sleep(delay(
                        self.base_delay,
                        retry,
                        jitter.next_unit(),
                        err.retry_after(),
                    ))
                    .await;
                    retry += 1;
                }
                result => {
                    return Done::Artwork {
                        album_id: request.album_id,
                        result,
                        attempts: retry + 1,
                    };
                }
            }
        }
    }

    async fn lyrics(
        mut self,
        service: Arc<dyn LyricsService>,
        mut request: LyricsRequest,
        mut jitter: Jitter,
    ) -> Done {
        let mut done = Vec::with_capacity(request.tracks.len());
        let mut retry = 0;
        loop {
            let tracks: Vec<i64> = request.tracks.iter().map(|t| t.id).collect();
            let answers = self
                .attempt(
                    service.bounds_each_request(),
                    service.fetch_lyrics(&request),
                    |err| tracks.iter().map(|id| (*id, Err(err.clone()))).collect(),
                )
                .await;
            let mut by_id: HashMap<i64, Result<FetchedLyrics, FetchError>> =
                answers.into_iter().collect();
            let mut again = Vec::new();
            let mut retry_after: Option<Duration> = None;
            for track in std::mem::take(&mut request.tracks) {
                let answer = by_id.remove(&track.id).unwrap_or_else(|| {
                    Err(FetchError::permanent(
                        "the lyrics service gave no answer for this track",
                    ))
                });
                match answer {
                    Err(err) if err.is_retryable() && retry < self.max_retries => {
                        retry_after = retry_after.max(err.retry_after());
                        again.push(track);
                    }
                    answer => done.push((track.id, answer, retry + 1)),
                }
            }
            if again.is_empty() {
                return Done::Lyrics { results: done };
            }
            tokio::time::sleep(delay(
                self.base_delay,
                retry,
                jitter.next_unit(),
                retry_after,
            ))
            .await;
            retry += 1;
            request.tracks = again;
        }
    }
}

struct Scheduler {
    /// The job as built: its library, bus, config, services and timings.
    job: EnrichmentJob,
    selection: Selection,
    control: JobControl,
    job_id: i64,
    resumed: bool,
    progress: EnrichmentProgress,
    jitter: Jitter,
    // work state
    cursor: i64,
    exhausted: bool,
    held_back: Vec<Candidate>,
    ready: VecDeque<Op>,
    pending: HashMap<i64, Pending>,
    albums: HashMap<i64, AlbumArt>,
    not_found: NotFoundCounts,
    failures: Vec<TrackFailure>,
}

impl Scheduler {
    fn new(
        job: EnrichmentJob,
        start: crate::db::JobStart,
        selection: Selection,
        control: JobControl,
    ) -> Self {
        let jitter = Jitter::new(job.jitter_seed);
        Scheduler {
            job,
            selection,
            control,
            job_id: start.id,
            resumed: start.resumed,
            progress: start.carried,
            jitter,
            cursor: 0,
            exhausted: false,
            held_back: Vec::new(),
            ready: VecDeque::new(),
            pending: HashMap::new(),
            albums: HashMap::new(),
            not_found: NotFoundCounts::default(),
            failures: Vec::new(),
        }
    }

    fn publish(&self, event: LibraryEvent) {
        self.job.bus.publish(event);
    }

    async fn run(mut self) -> crate::error::Result<EnrichmentResult> {
        let remaining = self.job.db.count_candidates(self.selection).await?;
        let total = self.progress.processed_tracks.saturating_add(remaining);
        self.progress.set_total(total);
        tracing::info!(
            total = self.progress.total_tracks,
            resumed = self.resumed,
            "enrichment started"
        );
        self.publish(LibraryEvent::JobStarted {
            job_id: self.job_id,
            total_tracks: self.progress.total_tracks,
            resumed: self.resumed,
        });

        // Progress goes out through a coalescer: at most one event per interval, whatever the
        // throughput.
        let (progress_tx, progress_rx) = watch::channel(self.progress);
        let coalescer = tokio::spawn(coalesce_progress(
            self.job.bus.clone(),
            self.job_id,
            progress_rx,
            self.job.progress_interval,
        ));
        let heartbeat = tokio::spawn(heartbeat(
            self.job.db.clone(),
            self.job_id,
            self.control.pause.subscribe(),
        ));

        let (gate_tx, gate_rx) = watch::channel(false);
        let attempts = Attempts {
            permits: Arc::new(Semaphore::new(self.job.config.max_concurrent as usize)),
            gate: gate_rx,
            timeout: self.job.config.operation_timeout(),
            base_delay: self.job.config.base_retry_delay(),
            max_retries: self.job.config.max_retries,
        };
        let max_started = self.job.config.max_concurrent as usize * 2;
        let mut running: JoinSet<Done> = JoinSet::new();
        let mut user_pause = self.control.pause.subscribe();
        let mut wifi_lost: Option<String> = None;
        let mut wifi_check = tokio::time::interval(self.job.wifi_poll);
        wifi_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut paused_for: Option<PauseReason> = None;
        let cancel = self.control.cancel.clone();

        let cancelled = loop {
            while !self.exhausted && self.ready.len() < max_started {
                self.read_page().await?;
            }
            while running.len() < max_started {
                let Some(op) = self.ready.pop_front() else {
                    break;
                };
                let attempts = attempts.clone();
                let jitter = Jitter::new(self.jitter.next_unit().to_bits());
                match op {
                    Op::Artwork(request) => {
                        let service = Arc::clone(
                            &self
                                .job
                                .artwork
                                .as_ref()
                                .expect("artwork ops need the service")
                                .0,
                        );
                        running.spawn(attempts.artwork(service, request, jitter).in_current_span());
                    }
                    Op::Lyrics(request) => {
                        let service = Arc::clone(
                            self.job
                                .lyrics
                                .as_ref()
                                .expect("lyrics ops need the service"),
                        );
                        running.spawn(attempts.lyrics(service, request, jitter).in_current_span());
                    }
                }
            }
            if running.is_empty() && self.ready.is_empty() && self.exhausted {
                break false;
            }

            // Pause state: asked for, or WiFi gone.
            let want_pause = if *user_pause.borrow() {
                Some(PauseReason::requested())
            } else {
                wifi_lost
                    .as_ref()
                    .map(|network| PauseReason::waiting_for_wifi(network))
            };
            if want_pause != paused_for {
                gate_tx.send_replace(want_pause.is_some());
                match &want_pause {
                    Some(reason) => {
                        tracing::info!(reason = %reason.message, "enrichment paused");
                        self.publish(LibraryEvent::JobPaused {
                            job_id: self.job_id,
                            reason: reason.clone(),
                        });
                    }
                    None => {
                        tracing::info!("enrichment resumed");
                        self.publish(LibraryEvent::JobResumed {
                            job_id: self.job_id,
                        });
                    }
                }
                paused_for = want_pause;
            }

            tokio::select! {
                biased;
                () = cancel.cancelled() => break true,
                changed = user_pause.changed() => {
                    if changed.is_err() { break true; }
                }
                _ = wifi_check.tick(), if self.job.config.require_wifi => {
                    let status = self.job.network.status().await;
                    wifi_lost = (!status.allows_wifi_only_work()).then(|| status.describe());
                }
                Some(joined) = running.join_next(), if !running.is_empty() => {
                    let mut finished = vec![joined];
                    while let Some(more) = running.try_join_next() {
                        finished.push(more);
                    }
                    let mut done = Vec::with_capacity(finished.len());
                    for result in finished {
                        match result {
                            Ok(d) => done.push(d),
                            Err(err) => return Err(EngineError::Internal(format!("an enrichment task stopped: {err}"))),
                        }
                    }
                    self.complete(done).await?;
                    progress_tx.send_replace(self.progress);
                }
            }
        };

        if cancelled {
            running.abort_all();
            while running.join_next().await.is_some() {}
        }
        heartbeat.abort();
        self.job
            .db
            .end_job(self.job_id, cancelled, &self.progress, unix_now())
            .await?;
        progress_tx.send_replace(self.progress);
        drop(progress_tx);
        let _ = coalescer.await;
        let result = EnrichmentResult {
            job_id: self.job_id,
            progress: self.progress,
            cancelled,
            not_found: self.not_found,
            failures: self.failures,
            write_back: None,
        };
        if cancelled {
            tracing::info!(
                processed = result.progress.processed_tracks,
                "enrichment cancelled"
            );
            self.job.bus.publish(LibraryEvent::JobCancelled {
                job_id: self.job_id,
                progress: result.progress,
            });
        } else {
            tracing::info!(
                processed = result.progress.processed_tracks,
                failed = result.progress.failed_tracks,
                "enrichment finished"
            );
        }
        self.job.bus.publish(LibraryEvent::JobFinished {
            job_id: self.job_id,
            result: Arc::new(result.clone()),
        });
        Ok(result)
    }

    /// Reads the next page and turns it into operations.
    async fn read_page(&mut self) -> crate::error::Result<()> {
        let limit = self.job.config.batch_size;
        let page = self
            .job
            .db
            .candidates_page(self.selection, self.cursor, limit)
            .await?;
        self.exhausted = page.len() < limit as usize;
        if let Some(last) = page.last() {
            self.cursor = last.track.id;
        }
        let mut candidates = std::mem::take(&mut self.held_back);
        candidates.extend(page);
        // The last album of a full page may go on in the next page: keep its lyrics tracks back so
        // the album is asked for in one go.
        if !self.exhausted
            && let Some(last_album) = candidates.last().map(|c| c.track.album_id)
        {
            let split = candidates
                .iter()
                .rposition(|c| c.track.album_id != last_album)
                .map_or(0, |i| i + 1);
            self.held_back = candidates.split_off(split);
        }
        self.plan(candidates).await
    }

    async fn plan(&mut self, candidates: Vec<Candidate>) -> crate::error::Result<()> {
        // Settled albums are forgotten once a page no longer holds them, so memory stays
        // bounded by the window, not the library. (A track of a settled album is only selected
        // again if its album's outcome was a failure; asking once more is then right.)
        let in_page: std::collections::HashSet<i64> =
            candidates.iter().map(|c| c.track.album_id).collect();
        self.albums.retain(|album, state| {
            matches!(state, AlbumArt::Fetching(_)) || in_page.contains(album)
        });
        let mut lyrics_groups: Vec<(i64, Vec<TrackRecord>)> = Vec::new();
        let mut artwork_groups: Vec<(i64, Vec<TrackRecord>)> = Vec::new();
        let mut settled_now: Vec<i64> = Vec::new();
        for c in candidates {
            let id = c.track.id;
            if self.pending.contains_key(&id) {
                continue; // held back earlier and already planned
            }
            let mut entry = Pending {
                title: c.track.title.clone(),
                artist: c.track.artist.clone(),
                waiting: 0,
                artwork: None,
                lyrics: None,
            };
            if c.needs_artwork {
                match self.albums.get_mut(&c.track.album_id) {
                    Some(AlbumArt::Fetching(waiters)) => {
                        waiters.push(id);
                        entry.waiting += 1;
                        // Asked for in this page: the request carries every track of the album
                        // the page holds (a local cover may be embedded in any of them).
                        if let Some((_, tracks)) = artwork_groups
                            .iter_mut()
                            .find(|(a, _)| *a == c.track.album_id)
                        {
                            tracks.push(c.track.clone());
                        }
                    }
                    Some(AlbumArt::Done(outcome)) => entry.artwork = Some(outcome.clone()),
                    None => {
                        self.albums
                            .insert(c.track.album_id, AlbumArt::Fetching(vec![id]));
                        entry.waiting += 1;
                        match artwork_groups
                            .iter_mut()
                            .find(|(a, _)| *a == c.track.album_id)
                        {
                            Some((_, tracks)) => tracks.push(c.track.clone()),
                            None => artwork_groups.push((c.track.album_id, vec![c.track.clone()])),
                        }
                    }
                }
            }
            if c.needs_lyrics {
                entry.waiting += 1;
                match lyrics_groups
                    .iter_mut()
                    .find(|(a, _)| *a == c.track.album_id)
                {
                    Some((_, tracks)) => tracks.push(c.track.clone()),
                    None => lyrics_groups.push((c.track.album_id, vec![c.track.clone()])),
                }
            }
            if entry.waiting == 0 {
                settled_now.push(id);
            }
            self.pending.insert(id, entry);
        }
        for (album_id, tracks) in artwork_groups {
            let first = &tracks[0];
            let request = AlbumRequest {
                album_id,
                title: first.album.clone(),
                album_artist: first.album_artist.clone(),
                mb_release_id: first.mb_release_id.clone(),
                tracks,
            };
            self.ready.push_back(Op::Artwork(request));
        }
        let fetching: Vec<i64> = lyrics_groups
            .iter()
            .flat_map(|(_, t)| t.iter().map(|t| t.id))
            .collect();
        if !fetching.is_empty() {
            self.job.db.mark_lyrics_fetching(&fetching).await?;
        }
        for (album_id, tracks) in lyrics_groups {
            let first = &tracks[0];
            let request = LyricsRequest {
                album_id,
                album: first.album.clone(),
                album_artist: first.album_artist.clone(),
                tracks,
            };
            self.ready.push_back(Op::Lyrics(request));
        }
        // A track whose artwork was already settled (a failure: record it for this track too) and
        // that needs nothing else is done now.
        let mut writes = Vec::new();
        for id in &settled_now {
            if let Some(Pending {
                artwork: Some(OperationOutcome::Failed { reason, attempts }),
                ..
            }) = self.pending.get(id)
            {
                writes.push(OutcomeWrite::Failed {
                    track_id: *id,
                    operation: Operation::Artwork,
                    reason: reason.clone(),
                    attempts: *attempts,
                });
            }
        }
        self.settle(settled_now, writes).await.map(drop)
    }

    /// Records finished operations and settles the tracks they complete.
    async fn complete(&mut self, done: Vec<Done>) -> crate::error::Result<()> {
        let mut writes = Vec::new();
        let mut settled = Vec::new();
        let mut updates: Vec<(i64, Vec<TrackField>)> = Vec::new();
        let mut failures: Vec<(i64, Operation, String, u32)> = Vec::new();
        for d in done {
            match d {
                Done::Artwork {
                    album_id,
                    result,
                    attempts,
                } => {
                    let outcome = match result {
                        Ok(Some(art)) => {
                            let store = &self
                                .job
                                .artwork
                                .as_ref()
                                .expect("artwork ops need the store")
                                .1;
                            match store.save(&art).await {
                                Ok(row) => {
                                    writes.push(OutcomeWrite::ArtworkFound {
                                        album_id,
                                        artwork: row,
                                    });
                                    if art.local {
                                        OperationOutcome::AlreadyPresent {
                                            source: art.source.clone(),
                                        }
                                    } else {
                                        OperationOutcome::Fetched {
                                            source: art.source.clone(),
                                        }
                                    }
                                }
                                Err(err) => OperationOutcome::Failed {
                                    reason: format!("could not store the image: {err}"),
                                    attempts,
                                },
                            }
                        }
                        Ok(None) => {
                            writes.push(OutcomeWrite::ArtworkNotFound { album_id });
                            OperationOutcome::NotFound
                        }
                        Err(err) => OperationOutcome::Failed {
                            reason: err.to_string(),
                            attempts,
                        },
                    };
                    let waiters = match self
                        .albums
                        .insert(album_id, AlbumArt::Done(outcome.clone()))
                    {
                        Some(AlbumArt::Fetching(waiters)) => waiters,
                        _ => Vec::new(),
                    };
                    for id in waiters {
                        if let OperationOutcome::Failed { reason, attempts } = &outcome {
                            writes.push(OutcomeWrite::Failed {
                                track_id: id,
                                operation: Operation::Artwork,
                                reason: reason.clone(),
                                attempts: *attempts,
                            });
                            failures.push((id, Operation::Artwork, reason.clone(), *attempts));
                        }
                        if let Some(p) = self.pending.get_mut(&id) {
                            p.artwork = Some(outcome.clone());
                            p.waiting -= 1;
                            if p.waiting == 0 {
                                settled.push(id);
                            }
                        }
                    }
                }
                Done::Lyrics { results } => {
                    for (id, result, attempts) in results {
                        let outcome = match result {
                            Ok(FetchedLyrics::Found {
                                plain,
                                synced,
                                source,
                                matched,
                            }) => {
                                writes.push(OutcomeWrite::LyricsFound {
                                    track_id: id,
                                    plain,
                                    synced,
                                    source: source.clone(),
                                    matched,
                                });
                                updates
                                    .push((id, vec![TrackField::Lyrics, TrackField::LyricsStatus]));
                                OperationOutcome::Fetched { source }
                            }
                            Ok(FetchedLyrics::Instrumental { .. }) => {
                                writes.push(OutcomeWrite::LyricsInstrumental { track_id: id });
                                updates.push((id, vec![TrackField::LyricsStatus]));
                                OperationOutcome::Instrumental
                            }
                            Ok(FetchedLyrics::NotFound) => {
                                writes.push(OutcomeWrite::LyricsNotFound { track_id: id });
                                updates.push((id, vec![TrackField::LyricsStatus]));
                                OperationOutcome::NotFound
                            }
                            Err(err) => {
                                let reason = err.to_string();
                                writes.push(OutcomeWrite::Failed {
                                    track_id: id,
                                    operation: Operation::Lyrics,
                                    reason: reason.clone(),
                                    attempts,
                                });
                                updates.push((id, vec![TrackField::LyricsStatus]));
                                failures.push((id, Operation::Lyrics, reason.clone(), attempts));
                                OperationOutcome::Failed { reason, attempts }
                            }
                        };
                        if let Some(p) = self.pending.get_mut(&id) {
                            p.lyrics = Some(outcome);
                            p.waiting -= 1;
                            if p.waiting == 0 {
                                settled.push(id);
                            }
                        }
                    }
                }
            }
        }
        // Publish only what is committed.
        let events: Vec<LibraryEvent> = failures
            .into_iter()
            .filter_map(|(track_id, operation, reason, attempts)| {
                let p = self.pending.get(&track_id)?;
                Some(LibraryEvent::TrackFailed {
                    job_id: self.job_id,
                    track_id,
                    title: p.title.clone(),
                    artist: p.artist.clone(),
                    operation,
                    reason,
                    attempts,
                })
            })
            .chain(updates.into_iter().map(|(track_id, updated_fields)| {
                LibraryEvent::TrackUpdated {
                    track_id,
                    updated_fields,
                }
            }))
            .collect();
        let with_artwork = self.settle(settled, writes).await?;
        for event in events {
            self.publish(event);
        }
        // Artwork is set album-wide: every track the update touched changed (tracks of later
        // pages included).
        for track_id in with_artwork {
            self.publish(LibraryEvent::TrackUpdated {
                track_id,
                updated_fields: vec![TrackField::Artwork],
            });
        }
        Ok(())
    }

    /// Counts settled tracks and commits `writes` with the new counts; returns the tracks that
    /// got artwork.
    async fn settle(
        &mut self,
        settled: Vec<i64>,
        writes: Vec<OutcomeWrite>,
    ) -> crate::error::Result<Vec<i64>> {
        let mut settled_any = false;
        for id in settled {
            let Some(p) = self.pending.remove(&id) else {
                continue;
            };
            settled_any = true;
            let failed = matches!(p.artwork, Some(OperationOutcome::Failed { .. }))
                || matches!(p.lyrics, Some(OperationOutcome::Failed { .. }));
            let artwork = matches!(
                p.artwork,
                Some(OperationOutcome::Fetched { .. } | OperationOutcome::AlreadyPresent { .. })
            );
            let lyrics = matches!(
                p.lyrics,
                Some(OperationOutcome::Fetched { .. } | OperationOutcome::Instrumental)
            );
            self.progress.update(artwork, lyrics, failed);
            for (operation, outcome) in [
                (Operation::Artwork, p.artwork),
                (Operation::Lyrics, p.lyrics),
            ] {
                match outcome {
                    Some(OperationOutcome::NotFound) => match operation {
                        Operation::Artwork => self.not_found.artwork += 1,
                        Operation::Lyrics => self.not_found.lyrics += 1,
                    },
                    Some(OperationOutcome::Failed { reason, attempts }) => {
                        self.failures.push(TrackFailure {
                            track_id: id,
                            operation,
                            reason,
                            attempts,
                        });
                    }
                    _ => {}
                }
            }
        }
        if writes.is_empty() && !settled_any {
            return Ok(Vec::new());
        }
        self.job
            .db
            .apply_outcomes(self.job_id, &writes, &self.progress, unix_now())
            .await
    }
}

/// Sends the latest progress at most once per `every`, whatever the throughput; the final value
/// goes out when the job ends (the sender is dropped), at most `every` later. The job waits for
/// it, so its last progress event always precedes `JobFinished`.
async fn coalesce_progress(
    bus: EventBus,
    job_id: i64,
    mut rx: watch::Receiver<EnrichmentProgress>,
    every: Duration,
) {
    let mut last_sent: Option<EnrichmentProgress> = None;
    let mut send = |p: EnrichmentProgress| {
        if last_sent != Some(p) {
            bus.publish(LibraryEvent::Progress {
                job_id,
                progress: p,
            });
            last_sent = Some(p);
        }
    };
    loop {
        let closed = rx.changed().await.is_err();
        send(*rx.borrow_and_update());
        if closed {
            return;
        }
        // Quiet until `every` has passed; changes in between are folded into the next event.
        let quiet_until = tokio::time::Instant::now() + every;
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(quiet_until) => break,
                changed = rx.changed() => {
                    if changed.is_err() {
                        // The job ended: its final count goes out once the quiet time is over
                        // (never two events closer than `every`).
                        tokio::time::sleep_until(quiet_until).await;
                        send(*rx.borrow_and_update());
                        return;
                    }
                }
            }
        }
    }
}

/// Tells the library the job is alive, every few seconds.
async fn heartbeat(db: Database, job_id: i64, paused: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(HEARTBEAT);
    loop {
        every.tick().await;
        let is_paused = *paused.borrow();
        if let Err(err) = db.job_heartbeat(job_id, is_paused, unix_now()).await {
            tracing::warn!(%err, "job heartbeat not recorded");
        }
    }
}
