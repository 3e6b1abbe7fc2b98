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

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::network::NetworkMonitor;
use super::services::{ArtworkService, LyricsService};
use super::{
    EnrichmentConfig, EnrichmentProgress, EnrichmentResult, WriteBackMode, WriteBackOutcome,
};
use crate::clock::unix_now;
use crate::db::{Database, Selection};
use crate::error::{EngineError, ErrorCode};
use crate::events::{EventBus, LibraryEvent};
use crate::store::ArtworkStore;
use crate::writeback::{WriteBackListener, WriteBackOptions};

/// Why a job could not run.
#[derive(Debug, thiserror::Error)]
pub enum EnrichmentError {
    /// A setting is out of its allowed range.
    #[error("invalid setting: {0}")]
    InvalidConfig(#[from] super::ConfigError),
    /// The provider settings cannot be used (an unknown provider, a bad URL or rate, or a bad
    /// `GATEFOLD_<NAME>_URL`); the message says which.
    #[error("invalid setting: {0}")]
    InvalidProviders(String),
    /// WiFi-only is on and the machine is not on unmetered WiFi.
    #[error("WiFi-only is on and this machine is on {network}: the job starts when WiFi is back")]
    NotOnWifi {
        /// The connection the machine is on, for people ("ethernet (eth0)", "no network").
        network: String,
    },
    /// This executor already runs a job (a job of another process is
    /// [`EngineError::JobAlreadyRunning`]).
    #[error("an enrichment job is already running")]
    AlreadyRunning,
    /// The library failed, or another process's job holds it.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl EnrichmentError {
    /// The machine-readable code of the refusal.
    pub fn code(&self) -> ErrorCode {
        match self {
            EnrichmentError::InvalidConfig(_) | EnrichmentError::InvalidProviders(_) => {
                ErrorCode::InvalidConfig
            }
            EnrichmentError::NotOnWifi { .. } => ErrorCode::NotOnWifi,
            EnrichmentError::AlreadyRunning => ErrorCode::JobAlreadyRunning,
            EnrichmentError::Engine(e) => e.code(),
        }
    }
}

/// How long without a heartbeat before a job row is considered dead.
pub(crate) const STALE_JOB_SECS: i64 = 30;
const HEARTBEAT: Duration = Duration::from_secs(5);

/// An enrichment run over one library. Build it, then `run` it (or hand it to a
/// `BackgroundExecutor`).
pub struct EnrichmentJob {
    pub(super) db: Database,
    pub(super) config: EnrichmentConfig,
    pub(super) bus: EventBus,
    pub(super) artwork: Option<(Arc<dyn ArtworkService>, ArtworkStore)>,
    pub(super) lyrics: Option<Arc<dyn LyricsService>>,
    /// Consulted when `require_wifi` is on, and when a service cannot be reached (is the
    /// machine offline?); the real Linux monitor unless a test gives one.
    pub(super) network: Arc<dyn NetworkMonitor>,
    pub(super) retry_failed: bool,
    /// Only these tracks, when set.
    pub(super) only_tracks: Option<Vec<i64>>,
    /// The HTTP layer's counters, read before and after the run for its summary.
    pub(super) requests: Option<crate::http::stats::RequestStats>,
    pub(super) wifi_poll: Duration,
    pub(super) progress_interval: Duration,
    pub(super) jitter_seed: u64,
    /// Write-back after the job, and who hears of each file.
    pub(super) write_back: Option<(WriteBackOptions, WriteBackListener)>,
}

impl std::fmt::Debug for EnrichmentJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrichmentJob")
            .field("config", &self.config)
            .field("retry_failed", &self.retry_failed)
            .field("only_tracks", &self.only_tracks)
            .finish_non_exhaustive()
    }
}

/// Handles the job listens to: pause/resume and cancel.
#[derive(Debug, Clone)]
pub struct JobControl {
    pub(crate) cancel: CancellationToken,
    pub(crate) pause: watch::Sender<bool>,
    /// Albums asked for first, not yet taken by the job.
    pub(crate) urgent: Arc<std::sync::Mutex<Vec<i64>>>,
    pub(crate) urgent_added: Arc<tokio::sync::Notify>,
}

impl Default for JobControl {
    fn default() -> Self {
        JobControl {
            cancel: CancellationToken::new(),
            pause: watch::channel(false).0,
            urgent: Arc::default(),
            urgent_added: Arc::default(),
        }
    }
}

impl JobControl {
    /// Pauses the job: attempts in flight finish, no new one starts.
    pub fn pause(&self) {
        self.pause.send_replace(true);
    }
    /// Lifts a pause asked for with `pause` (a job waiting for WiFi stays paused until it is
    /// back).
    pub fn resume(&self) {
        self.pause.send_replace(false);
    }
    /// Stops the job: attempts in flight are aborted; outcomes already committed stay.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Puts the album `album_id` at the head of the job's queue (the user is looking at it):
    /// what it still needs starts in the next free slot of each kind, before anything queued.
    pub fn prioritize(&self, album_id: i64) {
        self.urgent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(album_id);
        self.urgent_added.notify_one();
    }

    /// The albums asked for first since the last call.
    pub(crate) fn take_urgent(&self) -> Vec<i64> {
        std::mem::take(
            &mut *self
                .urgent
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

impl EnrichmentJob {
    /// A job over `db` with `config`, announcing on `bus`. It has no services yet: without
    /// [`artwork`](Self::artwork) or [`lyrics`](Self::lyrics) it fetches nothing of that kind.
    pub fn new(db: Database, config: EnrichmentConfig, bus: EventBus) -> Self {
        EnrichmentJob {
            db,
            config,
            bus,
            artwork: None,
            lyrics: None,
            network: Arc::new(super::network::LinuxNetworkMonitor::default()),
            retry_failed: false,
            only_tracks: None,
            requests: None,
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

    /// Where lyrics come from.
    pub fn lyrics(mut self, service: Arc<dyn LyricsService>) -> Self {
        self.lyrics = Some(service);
        self
    }

    /// The monitor consulted when `require_wifi` is on and when a service cannot be reached.
    pub fn network(mut self, monitor: Arc<dyn NetworkMonitor>) -> Self {
        self.network = monitor;
        self
    }

    /// Work only on what failed before.
    pub fn retry_failed(mut self, on: bool) -> Self {
        self.retry_failed = on;
        self
    }

    /// Work only on these tracks (what they need, or with `retry_failed` what failed for
    /// them): a failure's "Retry". `None`: every track.
    pub fn only_tracks(mut self, tracks: Option<Vec<i64>>) -> Self {
        self.only_tracks = tracks;
        self
    }

    /// Counts what the run asks each provider from these counters (the HTTP layer's that
    /// the services use: [`crate::http::Http::stats`]), for its result.
    pub fn count_requests(mut self, stats: crate::http::stats::RequestStats) -> Self {
        self.requests = Some(stats);
        self
    }

    /// How often the network is checked while `require_wifi` is on, or while the job waits
    /// for the network (default 5 s).
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
            only_tracks: self.only_tracks.clone(),
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
        let mut result =
            match super::scheduler::Scheduler::new(self.job, self.start, self.selection, control)
                .run()
                .instrument(span.clone())
                .await
            {
                Ok(result) => result,
                Err(err) => {
                    let err = err.in_library(db.path());
                    tracing::error!(%err, "enrichment stopped on an error");
                    bus.publish(LibraryEvent::JobFailed {
                        code: err.code(),
                        message: err.to_string(),
                    });
                    return Err(err.into());
                }
            };
        if let (Some((options, on_item)), Some(store)) = (write_back, store)
            && !result.cancelled
            && options.mode != WriteBackMode::Off
        {
            let mut report = crate::model::WriteBackReport::default();
            let written = crate::writeback::write_back(&db, &store, options, |item| {
                on_item(item);
                report.note(item.to_file());
            })
            .instrument(span)
            .await;
            result.write_back = Some(match written {
                Ok(summary) => {
                    bus.publish(LibraryEvent::WriteBackFinished {
                        summary,
                        files: report.files,
                        more_files: report.more_files,
                    });
                    WriteBackOutcome::Written { summary }
                }
                Err(err) => {
                    let err = err.in_library(db.path());
                    tracing::error!(%err, "write-back stopped on an error");
                    let message = format!("writing back failed: {err}");
                    bus.publish(LibraryEvent::JobFailed {
                        code: err.code(),
                        message: message.clone(),
                    });
                    WriteBackOutcome::Failed {
                        code: err.code(),
                        message,
                    }
                }
            });
        }
        Ok(result)
    }
}

/// Sends the latest progress at most once per `every`, whatever the throughput; the final value
/// goes out when the job ends (the sender is dropped), at most `every` later. The job waits for
/// it, so its last progress event always precedes `JobFinished`.
pub(super) async fn coalesce_progress(
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
pub(super) async fn heartbeat(db: Database, job_id: i64, paused: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(HEARTBEAT);
    loop {
        every.tick().await;
        let is_paused = *paused.borrow();
        if let Err(err) = db.job_heartbeat(job_id, is_paused, unix_now()).await {
            tracing::warn!(%err, "job heartbeat not recorded");
        }
    }
}
