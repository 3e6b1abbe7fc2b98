//! Reading and planning: candidates are read page by page and turned into operations, one per
//! album for artwork (shared by the album's tracks, later pages' included) and one per album
//! group of a page for lyrics.

use std::collections::{HashSet, VecDeque};

use super::OperationOutcome;
use super::attempts::Kind;
use super::scheduler::Scheduler;
use super::services::{AlbumRequest, LyricsRequest};
use crate::db::{Candidate, OutcomeWrite};
use crate::error::Result;
use crate::model::{Operation, TrackRecord};

/// Operations planned and not started yet, by kind (each kind has its own lane).
#[derive(Default)]
pub(super) struct Ready {
    pub(super) artwork: VecDeque<AlbumRequest>,
    pub(super) lyrics: VecDeque<LyricsRequest>,
}

impl Ready {
    pub(super) fn is_empty(&self) -> bool {
        self.artwork.is_empty() && self.lyrics.is_empty()
    }

    pub(super) fn len(&self, kind: Kind) -> usize {
        match kind {
            Kind::Artwork => self.artwork.len(),
            Kind::Lyrics => self.lyrics.len(),
        }
    }
}

/// A track in flight: what it still waits for and what it got.
pub(super) struct Pending {
    pub(super) title: String,
    pub(super) artist: String,
    pub(super) album_id: i64,
    pub(super) album: String,
    pub(super) path: std::path::PathBuf,
    /// Operations not finished yet (0 to 2).
    pub(super) waiting: u8,
    pub(super) artwork: Option<OperationOutcome>,
    pub(super) lyrics: Option<OperationOutcome>,
}

/// An album's artwork, as far as this job knows it.
pub(super) enum AlbumArt {
    /// Fetching; these tracks wait for the answer.
    Fetching(Vec<i64>),
    Done(OperationOutcome),
}

/// Tracks grouped by album, in the order the albums came.
#[derive(Default)]
struct ByAlbum(Vec<(i64, Vec<TrackRecord>)>);

impl ByAlbum {
    /// Adds `track` to its album's group; with `open_new` false, only to a group already here.
    fn add(&mut self, track: &TrackRecord, open_new: bool) {
        match self
            .0
            .iter_mut()
            .find(|(album, _)| *album == track.album_id)
        {
            Some((_, tracks)) => tracks.push(track.clone()),
            None if open_new => self.0.push((track.album_id, vec![track.clone()])),
            None => {}
        }
    }
}

impl Scheduler {
    /// Reads the next page and turns it into operations.
    pub(super) async fn read_page(&mut self) -> Result<()> {
        let limit = self.job.config.batch_size;
        let page = self
            .job
            .db
            .candidates_page(&self.selection, self.cursor, limit)
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

    /// Queues the operations `candidates` need; tracks that need none are settled at once.
    pub(super) async fn plan(&mut self, candidates: Vec<Candidate>) -> Result<()> {
        // Settled albums are forgotten once a page no longer holds them, so memory stays
        // bounded by the window, not the library. (A track of a settled album is only selected
        // again if its album's outcome was a failure; asking once more is then right.)
        let in_page: HashSet<i64> = candidates.iter().map(|c| c.track.album_id).collect();
        self.albums.retain(|album, state| {
            matches!(state, AlbumArt::Fetching(_)) || in_page.contains(album)
        });
        let mut artwork = ByAlbum::default();
        let mut lyrics = ByAlbum::default();
        let mut settled_now: Vec<i64> = Vec::new();
        for c in candidates {
            let id = c.track.id;
            if self.pending.contains_key(&id) {
                continue; // held back earlier and already planned
            }
            let mut entry = Pending {
                title: c.track.title.clone(),
                artist: c.track.artist.clone(),
                album_id: c.track.album_id,
                album: c.track.album.clone(),
                path: c.track.path.clone(),
                waiting: 0,
                artwork: None,
                lyrics: None,
            };
            if c.needs_artwork {
                self.plan_artwork(&c.track, &mut entry, &mut artwork);
            }
            if c.needs_lyrics {
                entry.waiting += 1;
                lyrics.add(&c.track, true);
            }
            if entry.waiting == 0 {
                settled_now.push(id);
            }
            self.pending.insert(id, entry);
        }
        self.queue(artwork, lyrics).await?;
        // A track whose artwork was already settled (a failure: record it for this track too) and
        // that needs nothing else is done now.
        let writes = settled_now
            .iter()
            .filter_map(|id| match self.pending.get(id) {
                Some(Pending {
                    artwork: Some(OperationOutcome::Failed { reason, attempts }),
                    ..
                }) => Some(OutcomeWrite::Failed {
                    track_id: *id,
                    operation: Operation::Artwork,
                    reason: reason.clone(),
                    attempts: *attempts,
                }),
                _ => None,
            })
            .collect();
        self.settle(settled_now, writes).await.map(drop)
    }

    /// Joins the track to its album's artwork: already known, being fetched, or to fetch.
    fn plan_artwork(&mut self, track: &TrackRecord, entry: &mut Pending, groups: &mut ByAlbum) {
        match self.albums.get_mut(&track.album_id) {
            Some(AlbumArt::Done(outcome)) => entry.artwork = Some(outcome.clone()),
            Some(AlbumArt::Fetching(waiters)) => {
                waiters.push(track.id);
                entry.waiting += 1;
                // Asked for in this page: the request carries every track of the album the page
                // holds (a local cover may be embedded in any of them).
                groups.add(track, false);
            }
            None => {
                self.albums
                    .insert(track.album_id, AlbumArt::Fetching(vec![track.id]));
                entry.waiting += 1;
                groups.add(track, true);
            }
        }
    }

    /// Turns the page's groups into operations; the lyrics tracks are marked as fetching.
    async fn queue(&mut self, artwork: ByAlbum, lyrics: ByAlbum) -> Result<()> {
        for (album_id, tracks) in artwork.0 {
            let Some(first) = tracks.first() else {
                continue;
            };
            let request = AlbumRequest {
                album_id,
                title: first.album.clone(),
                album_artist: first.album_artist.clone(),
                mb_release_id: first.mb_release_id.clone(),
                tracks,
            };
            self.ready.artwork.push_back(request);
        }
        let fetching: Vec<i64> = lyrics
            .0
            .iter()
            .flat_map(|(_, t)| t.iter().map(|t| t.id))
            .collect();
        if !fetching.is_empty() {
            self.job.db.mark_lyrics_fetching(&fetching).await?;
        }
        for (album_id, tracks) in lyrics.0 {
            let Some(first) = tracks.first() else {
                continue;
            };
            let request = LyricsRequest {
                album_id,
                album: first.album.clone(),
                album_artist: first.album_artist.clone(),
                tracks,
            };
            self.ready.lyrics.push_back(request);
        }
        Ok(())
    }
}
