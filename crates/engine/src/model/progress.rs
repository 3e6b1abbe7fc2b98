//! `EnrichmentProgress`: where a job stands, counted in tracks.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::enrichment::Operation;

/// Counts of a running or finished job. A track is processed once every operation it needed
/// (artwork, lyrics) has an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EnrichmentProgress {
    /// Tracks the job covers; grows if tracks turn up while it runs.
    pub total_tracks: u32,
    /// Tracks whose every operation has an outcome.
    pub processed_tracks: u32,
    /// Tracks that got artwork in this job.
    pub artwork_fetched: u32,
    /// Tracks that got lyrics (or were found instrumental) in this job.
    pub lyrics_fetched: u32,
    /// Tracks with at least one failed operation.
    pub failed_tracks: u32,
    /// 0 to 100; 100 when there is nothing to do.
    pub percent_complete: f64,
    /// Operations running now (each holds one of the `max_concurrent` slots). Once a pause is
    /// asked, these finish and no new one starts: the job is paused when this is 0.
    #[serde(default)]
    pub in_flight: u32,
}

impl EnrichmentProgress {
    /// Counts for a job of `total_tracks` tracks, none processed yet (100 % when there are none).
    pub fn new(total_tracks: u32) -> Self {
        let mut progress = EnrichmentProgress {
            total_tracks,
            processed_tracks: 0,
            artwork_fetched: 0,
            lyrics_fetched: 0,
            failed_tracks: 0,
            percent_complete: 0.0,
            in_flight: 0,
        };
        progress.recompute();
        progress
    }

    /// Counts a track's artwork or lyrics as found. Counted when the find is committed, not
    /// when the track is done: a job that stops between the two (a crash with the track's other
    /// operation in flight) has its find counted in the same transaction that wrote it, and the
    /// resumed run, which only does the other operation, does not need to count it.
    pub fn found(&mut self, operation: Operation) {
        match operation {
            Operation::Artwork => self.artwork_fetched = self.artwork_fetched.saturating_add(1),
            Operation::Lyrics => self.lyrics_fetched = self.lyrics_fetched.saturating_add(1),
        }
    }

    /// Counts one more processed track (every operation done), failed or not.
    pub fn processed(&mut self, failed: bool) {
        self.processed_tracks = self.processed_tracks.saturating_add(1);
        self.failed_tracks += u32::from(failed);
        // A track found after the total was taken (a rescan during the job) grows the total.
        self.total_tracks = self.total_tracks.max(self.processed_tracks);
        self.recompute();
    }

    /// Sets the total (a resumed job: what was processed before plus what remains).
    pub fn set_total(&mut self, total_tracks: u32) {
        self.total_tracks = total_tracks.max(self.processed_tracks);
        self.recompute();
    }

    /// Whether every track is processed (true for a job with no tracks).
    pub fn is_complete(&self) -> bool {
        self.processed_tracks >= self.total_tracks
    }

    fn recompute(&mut self) {
        self.percent_complete = if self.total_tracks == 0 {
            100.0
        } else {
            (f64::from(self.processed_tracks) * 100.0 / f64::from(self.total_tracks))
                .clamp(0.0, 100.0)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::{EnrichmentProgress, Operation};

    #[test]
    fn empty_job_is_complete_at_100() {
        let p = EnrichmentProgress::new(0);
        assert!(p.is_complete());
        assert_eq!(p.percent_complete, 100.0);
    }

    #[test]
    fn counts_and_percent() {
        let mut p = EnrichmentProgress::new(4);
        assert_eq!(p.percent_complete, 0.0);
        p.found(Operation::Artwork);
        p.found(Operation::Lyrics);
        p.processed(false);
        p.found(Operation::Lyrics);
        p.processed(false);
        p.processed(true);
        assert_eq!(
            (
                p.processed_tracks,
                p.artwork_fetched,
                p.lyrics_fetched,
                p.failed_tracks
            ),
            (3, 1, 2, 1)
        );
        assert_eq!(p.percent_complete, 75.0);
        assert!(!p.is_complete());
        p.processed(false);
        assert!(p.is_complete());
        p.processed(false);
        assert_eq!(p.total_tracks, 5, "never more than 100 %");
        assert_eq!(p.percent_complete, 100.0);
    }
}
