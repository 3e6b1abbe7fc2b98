//! LRCLIB (<https://lrclib.net>): synced and plain lyrics.
//!
//! Asks as few questions as the answers allow. For an album it first searches
//! `/api/search?q=<album artist> <album>` (up to 20 records at once) and matches each track
//! against those records (title, artist and a duration within 2 s, through `crate::matching`).
//! Each track left over costs one more request: `/api/search` by track and artist, whose records
//! cover every album the server files the song under (another album name, a single, a
//! compilation). Only when that search comes back full (20 records, so the one wanted may have
//! been cut off) is `/api/get` asked as well (track, artist, album, duration; and without the
//! album for compilations). Leftovers are asked together, as many at once as the client's
//! in-flight bound lets through. For compilations the track artist is used. A record with
//! neither plain nor synced lyrics (and not instrumental) is "not found"; synced lyrics are
//! preferred.

use async_trait::async_trait;
use serde::Deserialize;

use crate::enrich::{FetchError, FetchedLyrics, LyricsRequest, LyricsService};
use crate::http::ProviderClient;
use crate::matching::{THRESHOLD, TrackCandidate, TrackQuery, is_various_artists, track_score};
use crate::model::TrackRecord;

/// LRCLIB's own window: durations within 2 s are the same recording.
const DURATION_WINDOW_MS: u64 = 2000;
/// Below this many tracks an album search costs more than it saves.
const ALBUM_SEARCH_MIN_TRACKS: usize = 3;
/// LRCLIB answers a search with at most this many records, without pages.
const SEARCH_PAGE: usize = 20;

/// One LRCLIB record (`/api/get` answer or a search item).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// LRCLIB's id of the record.
    pub id: i64,
    /// The track's title, if the record has one.
    #[serde(default)]
    pub track_name: Option<String>,
    /// The artist's name, if the record has one.
    #[serde(default)]
    pub artist_name: Option<String>,
    /// The album's title, if the record has one.
    #[serde(default)]
    pub album_name: Option<String>,
    /// The recording's length in seconds, if known.
    #[serde(default)]
    pub duration: Option<f64>,
    /// LRCLIB marks the track as having no vocals.
    #[serde(default)]
    pub instrumental: bool,
    /// Lyrics as plain text, if the record has them.
    #[serde(default)]
    pub plain_lyrics: Option<String>,
    /// Lyrics as LRC with `[mm:ss.xx]` timestamps, if the record has them.
    #[serde(default)]
    pub synced_lyrics: Option<String>,
}

impl Record {
    fn candidate(&self) -> TrackCandidate<'_> {
        TrackCandidate {
            title: self.track_name.as_deref().unwrap_or_default(),
            artist: self.artist_name.as_deref().unwrap_or_default(),
            album: self.album_name.as_deref(),
            duration_ms: self
                .duration
                .filter(|d| d.is_finite() && *d >= 0.0)
                .map(|d| (d * 1000.0).round() as u64),
        }
    }

    fn has_text(&self) -> bool {
        let present = |t: &Option<String>| t.as_deref().is_some_and(|t| !t.trim().is_empty());
        present(&self.plain_lyrics) || present(&self.synced_lyrics)
    }

    /// What this record means for a track, matched with `score` through `via`. Its text is
    /// cleaned and checked (`normalize::lyrics_text`): text that is no song's is refused with
    /// the reason, a permanent failure of this answer.
    fn lyrics(&self, score: f64, via: &str) -> Result<FetchedLyrics, FetchError> {
        let clean = |t: &Option<String>| {
            t.as_deref()
                .map(crate::normalize::lyrics_text)
                .transpose()
                .map(Option::flatten)
                .map_err(|reason| {
                    FetchError::permanent(format!(
                        "lrclib: the lyrics of record {} are refused: {reason}",
                        self.id
                    ))
                })
        };
        if self.instrumental {
            Ok(FetchedLyrics::Instrumental {
                source: "lrclib".into(),
            })
        } else if self.has_text() {
            let (plain, synced) = (clean(&self.plain_lyrics)?, clean(&self.synced_lyrics)?);
            if plain.is_none() && synced.is_none() {
                return Ok(FetchedLyrics::NotFound);
            }
            Ok(FetchedLyrics::Found {
                plain,
                synced,
                source: "lrclib".into(),
                matched: Some(format!(
                    "LRCLIB record {} “{}” by {}{}{} (score {score:.2}, {via})",
                    self.id,
                    self.track_name.as_deref().unwrap_or("?"),
                    self.artist_name.as_deref().unwrap_or("?"),
                    self.album_name
                        .as_deref()
                        .map(|a| format!(", {a}"))
                        .unwrap_or_default(),
                    self.duration
                        .map(|d| format!(", {d:.0} s"))
                        .unwrap_or_default(),
                )),
            })
        } else {
            Ok(FetchedLyrics::NotFound)
        }
    }
}

/// The LRCLIB lyrics source.
#[derive(Debug, Clone)]
pub struct Lrclib {
    client: ProviderClient,
}

fn query_of(track: &TrackRecord) -> TrackQuery<'_> {
    TrackQuery {
        title: &track.title,
        artist: &track.artist,
        album: Some(&track.album),
        duration_ms: track.duration_ms,
    }
}

/// The best usable record for `track` with its score: confident, then synced over plain, then
/// closest.
fn best_match<'r>(track: &TrackRecord, records: &'r [Record]) -> Option<(f64, &'r Record)> {
    let query = query_of(track);
    records
        .iter()
        .filter(|r| r.instrumental || r.has_text())
        .map(|r| (track_score(&query, &r.candidate(), DURATION_WINDOW_MS), r))
        .filter(|(score, _)| *score >= THRESHOLD)
        .max_by(|(a, ra), (b, rb)| {
            let synced = |r: &Record| {
                r.synced_lyrics
                    .as_deref()
                    .is_some_and(|s| !s.trim().is_empty())
            };
            a.partial_cmp(b)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(synced(ra).cmp(&synced(rb)))
        })
}

impl Lrclib {
    /// The LRCLIB lyrics service, asking through `client`.
    pub fn new(client: ProviderClient) -> Self {
        Lrclib { client }
    }

    async fn search(&self, query: &[(&str, &str)]) -> Result<Vec<Record>, FetchError> {
        let url = self.client.url("/api/search", query);
        Ok(self
            .client
            .get_json::<Vec<Record>>(url)
            .await?
            .unwrap_or_default())
    }

    async fn get(
        &self,
        track: &TrackRecord,
        album: Option<&str>,
    ) -> Result<Option<Record>, FetchError> {
        let duration = track
            .duration_ms
            .map(|ms| ((ms + 500) / 1000).clamp(1, 3600).to_string());
        let mut query: Vec<(&str, &str)> =
            vec![("track_name", &track.title), ("artist_name", &track.artist)];
        if let Some(album) = album {
            query.push(("album_name", album));
        }
        if let Some(d) = &duration {
            query.push(("duration", d));
        }
        self.client
            .get_json::<Record>(self.client.url("/api/get", &query))
            .await
    }

    /// One track on its own: a search by track and artist; `/api/get` too (and without the
    /// album for compilations) only when the search's page was full.
    async fn one(
        &self,
        track: &TrackRecord,
        compilation: bool,
    ) -> Result<FetchedLyrics, FetchError> {
        let found = self
            .search(&[("track_name", &track.title), ("artist_name", &track.artist)])
            .await?;
        if let Some((score, record)) = best_match(track, &found) {
            return record.lyrics(score, "track search");
        }
        if found.len() < SEARCH_PAGE {
            return Ok(FetchedLyrics::NotFound);
        }
        // A full page may have cut the record off: ask for it exactly.
        let albums: Vec<Option<&str>> = if compilation {
            vec![Some(&track.album), None]
        } else {
            vec![Some(&track.album)]
        };
        for album in albums {
            if let Some(record) = self.get(track, album).await? {
                // `/api/get` matches on the server's own normalisation; check it ourselves too.
                if let Some((score, _)) = best_match(track, std::slice::from_ref(&record)) {
                    return record.lyrics(score, "/api/get");
                }
            }
        }
        Ok(FetchedLyrics::NotFound)
    }

    /// Every track of `tracks` on its own ([`one`](Self::one)), asked together: the client's
    /// rate limit and in-flight bound pace them.
    async fn each(
        &self,
        tracks: Vec<TrackRecord>,
        compilation: bool,
    ) -> Vec<(i64, Result<FetchedLyrics, FetchError>)> {
        use tracing::Instrument;
        let mut asked = tokio::task::JoinSet::new();
        let mut track_of = std::collections::HashMap::new();
        for track in tracks {
            let (id, this) = (track.id, self.clone());
            let task =
                asked.spawn(async move { this.one(&track, compilation).await }.in_current_span());
            track_of.insert(task.id(), id);
        }
        let mut answers = Vec::with_capacity(asked.len());
        while let Some(joined) = asked.join_next_with_id().await {
            match joined {
                Ok((task, answer)) => answers.push((track_of[&task], answer)),
                // A panic in one track's request fails that track; the others stand.
                Err(err) => answers.push((
                    track_of[&err.id()],
                    Err(FetchError::permanent(format!(
                        "lrclib: asking for this track stopped: {err}"
                    ))),
                )),
            }
        }
        answers
    }
}

#[async_trait]
impl LyricsService for Lrclib {
    async fn fetch_lyrics(
        &self,
        request: &LyricsRequest,
    ) -> Vec<(i64, Result<FetchedLyrics, FetchError>)> {
        let compilation = is_various_artists(&request.album_artist);
        let mut answers: Vec<(i64, Result<FetchedLyrics, FetchError>)> =
            Vec::with_capacity(request.tracks.len());
        let mut rest: Vec<&TrackRecord> = request.tracks.iter().collect();

        let album_known = crate::model::is_known_album(&request.album);
        if album_known && request.tracks.len() >= ALBUM_SEARCH_MIN_TRACKS {
            let artist = if compilation {
                ""
            } else {
                request.album_artist.as_str()
            };
            let q = format!("{artist} {}", request.album).trim().to_owned();
            match self.search(&[("q", &q)]).await {
                Ok(records) => {
                    rest.retain(|track| match best_match(track, &records) {
                        Some((score, record)) => {
                            answers.push((track.id, record.lyrics(score, "album search")));
                            false
                        }
                        None => true,
                    });
                }
                // Throttled or down: every track would hit the same wall; let the job retry.
                Err(err) if err.is_retryable() => {
                    return request
                        .tracks
                        .iter()
                        .map(|t| (t.id, Err(err.clone())))
                        .collect();
                }
                Err(err) => {
                    tracing::debug!(%err, "lrclib album search failed, asking track by track")
                }
            }
        }
        let rest: Vec<TrackRecord> = rest.into_iter().cloned().collect();
        answers.extend(self.each(rest, compilation).await);
        for (_, answer) in &answers {
            match answer {
                Ok(FetchedLyrics::NotFound) => self.client.count_answer(false),
                Ok(_) => self.client.count_answer(true),
                Err(_) => {}
            }
        }
        answers
    }

    fn bounds_each_request(&self) -> bool {
        self.client.bounds_requests()
    }

    fn max_in_flight(&self) -> Option<usize> {
        self.client.max_in_flight()
    }
}
