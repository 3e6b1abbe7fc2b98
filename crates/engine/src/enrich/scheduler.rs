//! The running job's loop: keeps the window of operations full, follows pause, WiFi and
//! cancel, and hands what finishes to `commit`. Reading and planning live in `plan`, one
//! operation's attempts in `attempts`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::Instrument;

use super::attempts::{Attempts, Done, Kind, Lane};
use super::job::{EnrichmentJob, JobControl, coalesce_progress, heartbeat};
use super::network::ConnectionKind;
use super::plan::{AlbumArt, Pending, Ready};
use super::retry::Jitter;
use super::{
    EnrichmentProgress, EnrichmentResult, FoundBySource, NotFoundCounts, PauseReason, TrackFailure,
};
use crate::clock::unix_now;
use crate::db::{Candidate, JobStart, Selection};
use crate::error::{EngineError, Result};
use crate::events::LibraryEvent;
use crate::http::stats::{ProviderRequests, RequestStats, difference};

/// How often the providers' counts go to the library's statistics (and to subscribers).
const STATS_INTERVAL: std::time::Duration = std::time::Duration::from_secs(2);

/// How many pages of candidates may be in memory at once, read ahead of the operations.
const READ_AHEAD_PAGES: usize = 8;

/// Operations started and not finished, by kind.
#[derive(Default)]
struct Started {
    artwork: usize,
    lyrics: usize,
}

impl Started {
    fn finished(&mut self, done: &Done) {
        match done {
            Done::Artwork { .. } => self.artwork = self.artwork.saturating_sub(1),
            Done::Lyrics(_) => self.lyrics = self.lyrics.saturating_sub(1),
        }
    }
}

/// The next request of `queue` to start, and whether it is urgent: the front one while its
/// kind has room, or even without room when it is an album put first.
fn next_to_start<R>(
    queue: &mut VecDeque<R>,
    album: impl Fn(&R) -> i64,
    urgent: &HashSet<i64>,
    room: bool,
) -> Option<(R, bool)> {
    let first = urgent.contains(&album(queue.front()?));
    (room || first).then(|| queue.pop_front().map(|r| (r, first)))?
}

/// Appends `queued` to `ready`, the requests of album `album_id` first.
fn append_album_first<R>(
    ready: &mut VecDeque<R>,
    queued: VecDeque<R>,
    album: impl Fn(&R) -> i64,
    album_id: i64,
) {
    let (first, rest): (Vec<R>, Vec<R>) = queued.into_iter().partition(|r| album(r) == album_id);
    ready.extend(first);
    ready.extend(rest);
}

/// `Selection` plans an operation only for a service the job has.
fn not_planned() -> EngineError {
    EngineError::Internal("an operation was planned for a service the job does not have".into())
}

/// One running job's state.
pub(super) struct Scheduler {
    /// The job as built: its library, bus, config, services and timings.
    pub(super) job: EnrichmentJob,
    pub(super) selection: Selection,
    control: JobControl,
    pub(super) job_id: i64,
    resumed: bool,
    pub(super) progress: EnrichmentProgress,
    jitter: Jitter,
    /// The id of the last candidate read: the next page starts below it (newest first).
    pub(super) cursor: i64,
    /// No candidate is left to read.
    pub(super) exhausted: bool,
    /// The last album of a page, kept back until the next page completes it.
    pub(super) held_back: Vec<Candidate>,
    /// Planned operations not started yet.
    pub(super) ready: Ready,
    /// Tracks read and not settled yet.
    pub(super) pending: HashMap<i64, Pending>,
    /// Artwork per album, while tracks of the album are in the window.
    pub(super) albums: HashMap<i64, AlbumArt>,
    pub(super) not_found: NotFoundCounts,
    pub(super) found_by: FoundBySource,
    pub(super) failures: Vec<TrackFailure>,
    /// The request counters, as they were when the job started.
    requests_before: Vec<ProviderRequests>,
    /// The request counters, as they were when last added to the library's statistics.
    requests_stored: Vec<ProviderRequests>,
    /// Albums whose artwork was found on disk since the statistics were last stored.
    pub(super) local_artwork: u32,
    /// Albums the user asked for first: their operations jump the queue.
    urgent: HashSet<i64>,
}

impl Scheduler {
    pub(super) fn new(
        job: EnrichmentJob,
        start: JobStart,
        selection: Selection,
        control: JobControl,
    ) -> Self {
        let jitter = Jitter::new(job.jitter_seed);
        let requests_before = job
            .requests
            .as_ref()
            .map(RequestStats::snapshot)
            .unwrap_or_default();
        Scheduler {
            job,
            selection,
            control,
            job_id: start.id,
            resumed: start.resumed,
            progress: start.carried,
            jitter,
            cursor: i64::MAX,
            exhausted: false,
            held_back: Vec::new(),
            ready: Ready::default(),
            pending: HashMap::new(),
            albums: HashMap::new(),
            not_found: start.carried_not_found,
            found_by: FoundBySource::default(),
            failures: Vec::new(),
            requests_stored: requests_before.clone(),
            requests_before,
            local_artwork: 0,
            urgent: HashSet::new(),
        }
    }

    pub(super) fn publish(&self, event: LibraryEvent) {
        self.job.bus.publish(event);
    }

    /// Runs the job to its end or its cancellation.
    pub(super) async fn run(mut self) -> Result<EnrichmentResult> {
        let remaining = self.job.db.count_candidates(&self.selection).await?;
        let (artwork, lyrics) = self.job.db.count_remembered(&self.selection).await?;
        self.job
            .db
            .set_remembered(self.job_id, artwork, lyrics)
            .await?;
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

        let cancelled = self.drive(&progress_tx).await?;

        heartbeat.abort();
        self.store_stats().await?;
        self.progress.in_flight = 0;
        self.job
            .db
            .end_job(
                self.job_id,
                cancelled,
                (&self.progress, &self.not_found),
                unix_now(),
            )
            .await?;
        progress_tx.send_replace(self.progress);
        drop(progress_tx);
        // The coalescer only ends; its last event must precede `JobFinished`.
        let _ = coalescer.await;
        Ok(self.finish(cancelled))
    }

    /// The loop: starts operations while the window has room, follows pause, WiFi and cancel,
    /// and commits what finishes. Returns whether the job was cancelled.
    async fn drive(&mut self, progress: &watch::Sender<EnrichmentProgress>) -> Result<bool> {
        let (gate, gate_rx) = watch::channel(false);
        let offline = Arc::new(watch::channel(false).0);
        let mut offline_rx = offline.subscribe();
        let max_concurrent = self.job.config.max_concurrent as usize;
        let lyrics_lane = self
            .job
            .lyrics
            .as_ref()
            .and_then(|service| service.max_in_flight())
            .map_or(max_concurrent, |n| n.max(max_concurrent));
        let attempts = Attempts {
            artwork_lane: Lane::new(max_concurrent),
            lyrics_lane: Lane::new(lyrics_lane),
            gate: gate_rx,
            timeout: self.job.config.operation_timeout(),
            base_delay: self.job.config.base_retry_delay(),
            max_retries: self.job.config.max_retries,
            network: Arc::clone(&self.job.network),
            offline: Arc::clone(&offline),
        };
        // Twice as many operations of a kind as its lane has permits: a finishing attempt
        // always finds the next one waiting.
        let window = |kind: Kind| attempts.lane(kind).size() * 2;
        let mut started = Started::default();
        // Pages are read ahead while a kind the job has is short of operations, so a kind
        // whose services are slower never starves the other, within a bound on the tracks
        // held in memory.
        let read_ahead = (self.job.config.batch_size as usize).saturating_mul(READ_AHEAD_PAGES);
        let kinds: Vec<Kind> = [
            self.job.artwork.is_some().then_some(Kind::Artwork),
            self.job.lyrics.is_some().then_some(Kind::Lyrics),
        ]
        .into_iter()
        .flatten()
        .collect();
        let mut running: JoinSet<Done> = JoinSet::new();
        let mut user_pause = self.control.pause.subscribe();
        let mut wifi_lost: Option<String> = None;
        // An attempt found the machine offline: paused until the monitor sees a network.
        let mut network_lost = false;
        let mut wifi_check = tokio::time::interval(self.job.wifi_poll);
        wifi_check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut paused_for: Option<PauseReason> = None;
        let cancel = self.control.cancel.clone();
        let urgent_added = Arc::clone(&self.control.urgent_added);
        let mut stats_due = tokio::time::interval(STATS_INTERVAL);
        stats_due.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

        loop {
            while !self.exhausted
                && (self.ready.is_empty()
                    || self.pending.len() < read_ahead
                        && kinds.iter().any(|k| self.ready.len(*k) < window(*k)))
            {
                self.read_page().await?;
            }
            while let Some((request, urgent)) = next_to_start(
                &mut self.ready.artwork,
                |r| r.album_id,
                &self.urgent,
                started.artwork < window(Kind::Artwork),
            ) {
                let Some((service, store)) = &self.job.artwork else {
                    return Err(not_planned());
                };
                let jitter = Jitter::new(self.jitter.next_unit().to_bits());
                let work = attempts.clone().artwork(
                    Arc::clone(service),
                    store.clone(),
                    request,
                    urgent,
                    jitter,
                );
                running.spawn(work.in_current_span());
                started.artwork += 1;
            }
            while let Some((request, urgent)) = next_to_start(
                &mut self.ready.lyrics,
                |r| r.album_id,
                &self.urgent,
                started.lyrics < window(Kind::Lyrics),
            ) {
                let Some(service) = &self.job.lyrics else {
                    return Err(not_planned());
                };
                let jitter = Jitter::new(self.jitter.next_unit().to_bits());
                let work = attempts
                    .clone()
                    .lyrics(Arc::clone(service), request, urgent, jitter);
                running.spawn(work.in_current_span());
                started.lyrics += 1;
            }
            if running.is_empty() && self.ready.is_empty() && self.exhausted {
                return Ok(false);
            }

            // Pause state: asked for, the network gone, or WiFi gone.
            let want_pause = if *user_pause.borrow() {
                Some(PauseReason::requested())
            } else if network_lost {
                Some(PauseReason::waiting_for_network())
            } else {
                wifi_lost.as_deref().map(PauseReason::waiting_for_wifi)
            };
            if want_pause != paused_for {
                gate.send_replace(want_pause.is_some());
                self.announce_pause(want_pause.as_ref());
                paused_for = want_pause;
                // The attempts still running are what a pause waits for: say how many.
                self.progress.in_flight = attempts.in_flight();
                progress.send_replace(self.progress);
            }

            tokio::select! {
                biased;
                () = cancel.cancelled() => break,
                () = urgent_added.notified() => {
                    for album_id in self.control.take_urgent() {
                        self.put_first(album_id).await?;
                    }
                }
                changed = user_pause.changed() => {
                    if changed.is_err() { break; }
                }
                changed = offline_rx.changed() => {
                    if changed.is_err() { break; }
                    network_lost = *offline_rx.borrow_and_update();
                }
                _ = stats_due.tick() => self.store_stats().await?,
                _ = wifi_check.tick(), if self.job.config.require_wifi || network_lost => {
                    let status = self.job.network.status().await;
                    if self.job.config.require_wifi {
                        wifi_lost = (!status.allows_wifi_only_work()).then(|| status.describe());
                    }
                    if network_lost && status.kind != ConnectionKind::Offline {
                        tracing::info!(network = %status.describe(), "the network is back");
                        offline.send_replace(false);
                    }
                }
                Some(joined) = running.join_next(), if !running.is_empty() => {
                    let mut done = vec![joined];
                    while let Some(more) = running.try_join_next() {
                        done.push(more);
                    }
                    let done = done
                        .into_iter()
                        .collect::<std::result::Result<Vec<Done>, _>>()
                        .map_err(|err| EngineError::Internal(format!("an enrichment task stopped: {err}")))?;
                    for d in &done {
                        started.finished(d);
                    }
                    self.complete(done).await?;
                    self.progress.in_flight = attempts.in_flight();
                    progress.send_replace(self.progress);
                }
            }
        }
        // Cancelled: nothing half-written stays, since every commit is one transaction.
        running.abort_all();
        while running.join_next().await.is_some() {}
        Ok(true)
    }

    /// Puts what album `album_id` still needs at the head of the queue: its tracks not read
    /// yet are read and planned now, its operations already queued move to the front, and its
    /// operations start before any other (see `Lane`).
    async fn put_first(&mut self, album_id: i64) -> Result<()> {
        let candidates = self
            .job
            .db
            .album_candidates(&self.selection, album_id)
            .await?;
        // Tracks held back for the next page are planned now, not again with that page.
        self.held_back.retain(|c| c.track.album_id != album_id);
        let queued = std::mem::take(&mut self.ready);
        self.plan(candidates).await?;
        append_album_first(
            &mut self.ready.artwork,
            queued.artwork,
            |r| r.album_id,
            album_id,
        );
        append_album_first(
            &mut self.ready.lyrics,
            queued.lyrics,
            |r| r.album_id,
            album_id,
        );
        tracing::info!(album_id, "album put first");
        self.urgent.insert(album_id);
        Ok(())
    }

    /// Adds what the providers counted since the last call to the library's statistics, and
    /// tells subscribers the run's counts so far.
    async fn store_stats(&mut self) -> Result<()> {
        let Some(stats) = &self.job.requests else {
            return Ok(());
        };
        let now = stats.snapshot();
        let delta = difference(&now, &self.requests_stored);
        if delta.is_empty() && self.local_artwork == 0 {
            return Ok(());
        }
        self.job
            .db
            .add_provider_stats(self.job_id, &delta, self.local_artwork)
            .await?;
        self.requests_stored = now;
        self.local_artwork = 0;
        self.publish(LibraryEvent::ProviderStats {
            job_id: self.job_id,
            providers: difference(&self.requests_stored, &self.requests_before),
        });
        Ok(())
    }

    fn announce_pause(&self, reason: Option<&PauseReason>) {
        match reason {
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
    }

    /// The result, and the events that end the job.
    fn finish(self, cancelled: bool) -> EnrichmentResult {
        let result = EnrichmentResult {
            job_id: self.job_id,
            progress: self.progress,
            cancelled,
            not_found: self.not_found,
            requests: self
                .job
                .requests
                .as_ref()
                .map(|stats| stats.since(&self.requests_before))
                .unwrap_or_default(),
            found_by: self.found_by,
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
        result
    }
}
