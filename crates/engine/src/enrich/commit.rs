//! Committing outcomes: finished operations become rows (one transaction for what finished
//! together, with the job's counts, so a crash loses nothing) and then events, published only
//! once committed.

use super::attempts::{ArtDone, Done, LyricsDone};
use super::plan::AlbumArt;
use super::scheduler::Scheduler;
use super::services::FetchedLyrics;
use super::{Operation, OperationOutcome, TrackFailure};
use crate::clock::unix_now;
use crate::db::OutcomeWrite;
use crate::error::Result;
use crate::events::{LibraryEvent, TrackField};

/// What one batch of finished operations comes to, before it is committed.
#[derive(Default)]
struct Batch {
    writes: Vec<OutcomeWrite>,
    /// Tracks that wait for nothing more.
    settled: Vec<i64>,
    /// Tracks whose lyrics changed, and which fields.
    updates: Vec<(i64, Vec<TrackField>)>,
    /// Failures to announce: track, operation, reason, attempts.
    failures: Vec<(i64, Operation, String, u32)>,
}

impl Scheduler {
    /// Records finished operations and settles the tracks they complete.
    pub(super) async fn complete(&mut self, done: Vec<Done>) -> Result<()> {
        let mut batch = Batch::default();
        for d in done {
            match d {
                Done::Artwork { album_id, outcome } => {
                    self.artwork_done(album_id, outcome, &mut batch);
                }
                Done::Lyrics(results) => {
                    for result in results {
                        self.lyrics_done(result, &mut batch);
                    }
                }
            }
        }
        // Publish only what is committed.
        let events: Vec<LibraryEvent> = batch
            .failures
            .into_iter()
            .filter_map(|(track_id, operation, reason, attempts)| {
                let p = self.pending.get(&track_id)?;
                Some(LibraryEvent::TrackFailed {
                    job_id: self.job_id,
                    track_id,
                    title: p.title.clone(),
                    artist: p.artist.clone(),
                    album_id: p.album_id,
                    album: p.album.clone(),
                    path: p.path.display().to_string(),
                    operation,
                    reason,
                    attempts,
                })
            })
            .chain(batch.updates.into_iter().map(|(track_id, updated_fields)| {
                LibraryEvent::TrackUpdated {
                    track_id,
                    updated_fields,
                }
            }))
            .collect();
        let with_artwork = self.settle(batch.settled, batch.writes).await?;
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

    /// An album's artwork is settled: for the album, and for every track waiting on it.
    fn artwork_done(&mut self, album_id: i64, done: ArtDone, batch: &mut Batch) {
        let outcome = match done {
            ArtDone::Stored { row, source, local } => {
                batch.writes.push(OutcomeWrite::ArtworkFound {
                    album_id,
                    artwork: row,
                });
                if local {
                    self.local_artwork += 1;
                    OperationOutcome::AlreadyPresent { source }
                } else {
                    OperationOutcome::Fetched { source }
                }
            }
            ArtDone::NotFound => {
                batch
                    .writes
                    .push(OutcomeWrite::ArtworkNotFound { album_id });
                OperationOutcome::NotFound
            }
            ArtDone::Failed { reason, attempts } => OperationOutcome::Failed { reason, attempts },
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
                batch.writes.push(OutcomeWrite::Failed {
                    track_id: id,
                    operation: Operation::Artwork,
                    reason: reason.clone(),
                    attempts: *attempts,
                });
                batch
                    .failures
                    .push((id, Operation::Artwork, reason.clone(), *attempts));
            }
            self.answered(id, Operation::Artwork, outcome.clone(), batch);
        }
    }

    /// One track's lyrics are settled.
    fn lyrics_done(&mut self, done: LyricsDone, batch: &mut Batch) {
        let LyricsDone {
            track_id,
            result,
            attempts,
        } = done;
        let (write, fields, outcome) = match result {
            Ok(FetchedLyrics::Found {
                plain,
                synced,
                source,
                matched,
            }) => (
                OutcomeWrite::LyricsFound {
                    track_id,
                    plain,
                    synced,
                    source: source.clone(),
                    matched,
                },
                vec![TrackField::Lyrics, TrackField::LyricsStatus],
                OperationOutcome::Fetched { source },
            ),
            Ok(FetchedLyrics::Instrumental { .. }) => (
                OutcomeWrite::LyricsInstrumental { track_id },
                vec![TrackField::LyricsStatus],
                OperationOutcome::Instrumental,
            ),
            Ok(FetchedLyrics::NotFound) => (
                OutcomeWrite::LyricsNotFound { track_id },
                vec![TrackField::LyricsStatus],
                OperationOutcome::NotFound,
            ),
            Err(err) => {
                let reason = err.to_string();
                batch
                    .failures
                    .push((track_id, Operation::Lyrics, reason.clone(), attempts));
                (
                    OutcomeWrite::Failed {
                        track_id,
                        operation: Operation::Lyrics,
                        reason: reason.clone(),
                        attempts,
                    },
                    vec![TrackField::LyricsStatus],
                    OperationOutcome::Failed { reason, attempts },
                )
            }
        };
        batch.writes.push(write);
        batch.updates.push((track_id, fields));
        self.answered(track_id, Operation::Lyrics, outcome, batch);
    }

    /// Gives a pending track the outcome of one of its operations; settled once it has all.
    fn answered(
        &mut self,
        track_id: i64,
        operation: Operation,
        outcome: OperationOutcome,
        batch: &mut Batch,
    ) {
        let Some(p) = self.pending.get_mut(&track_id) else {
            return;
        };
        let found = match operation {
            Operation::Artwork => matches!(
                outcome,
                OperationOutcome::Fetched { .. } | OperationOutcome::AlreadyPresent { .. }
            ),
            Operation::Lyrics => matches!(
                outcome,
                OperationOutcome::Fetched { .. } | OperationOutcome::Instrumental
            ),
        };
        if found {
            // Committed with this batch's writes (see `EnrichmentProgress::found`).
            self.progress.found(operation);
            let source = match &outcome {
                OperationOutcome::Fetched { source }
                | OperationOutcome::AlreadyPresent { source } => source.as_str(),
                _ => "instrumental",
            };
            self.found_by.count(operation, source);
        } else if outcome == OperationOutcome::NotFound {
            // Likewise committed with the write that remembers it.
            match operation {
                Operation::Artwork => self.not_found.artwork += 1,
                Operation::Lyrics => self.not_found.lyrics += 1,
            }
        }
        match operation {
            Operation::Artwork => p.artwork = Some(outcome),
            Operation::Lyrics => p.lyrics = Some(outcome),
        }
        p.waiting = p.waiting.saturating_sub(1);
        if p.waiting == 0 {
            batch.settled.push(track_id);
        }
    }

    /// Counts settled tracks and commits `writes` with the new counts; returns the tracks that
    /// got artwork.
    pub(super) async fn settle(
        &mut self,
        settled: Vec<i64>,
        writes: Vec<OutcomeWrite>,
    ) -> Result<Vec<i64>> {
        let mut settled_any = false;
        for id in settled {
            let Some(p) = self.pending.remove(&id) else {
                continue;
            };
            settled_any = true;
            let failed = matches!(p.artwork, Some(OperationOutcome::Failed { .. }))
                || matches!(p.lyrics, Some(OperationOutcome::Failed { .. }));
            self.progress.processed(failed);
            for (operation, outcome) in [
                (Operation::Artwork, p.artwork),
                (Operation::Lyrics, p.lyrics),
            ] {
                if let Some(OperationOutcome::Failed { reason, attempts }) = outcome {
                    self.failures.push(TrackFailure {
                        track_id: id,
                        operation,
                        reason,
                        attempts,
                    });
                }
            }
        }
        if writes.is_empty() && !settled_any {
            return Ok(Vec::new());
        }
        self.job
            .db
            .apply_outcomes(
                self.job_id,
                &writes,
                (&self.progress, &self.not_found),
                unix_now(),
            )
            .await
    }
}
