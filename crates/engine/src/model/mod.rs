//! Plain data types of the music library. They carry no SQL: the `db` module maps them to rows.
//! Types that reach the UI derive `ts_rs::TS`; their TypeScript lives in `ui/src/bindings/`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

mod enrichment;
mod fetch;
mod progress;
mod scanned;
mod stats;
mod watching;
mod writeback;

pub use enrichment::{
    AlbumNow, EnrichmentResult, FoundBySource, LastRun, LastRunState, NotFoundCounts, Operation,
    OperationOutcome, PauseCode, PauseReason, TrackFailure, WriteBackOutcome,
};
pub use fetch::{FetchError, FetchedArtwork, FetchedLyrics};
pub use progress::EnrichmentProgress;
pub use scanned::{FileStamp, ScanReport};
pub(crate) use scanned::{LocalLyrics, LocalLyricsSource, ScannedTrack};
pub use stats::{LatencyHistogram, ProviderRequests, ProviderStatsReport, RunStats, Savings};
pub use watching::{WatchMode, WatchStatus};
pub use writeback::{
    ItemOutcome, WriteBackFile, WriteBackMode, WriteBackReport, WriteBackSummary, WriteTarget,
};

/// The artist name used for an album whose tracks name several artists and no album artist.
pub const VARIOUS_ARTISTS: &str = "Various Artists";
/// The artist name used when a file has no artist tag.
pub const UNKNOWN_ARTIST: &str = "Unknown artist";
/// The album title used when a file has no album tag.
pub const UNKNOWN_ALBUM: &str = "Unknown album";

/// Whether an album title names a real album (not blank, not [`UNKNOWN_ALBUM`]): only those
/// are worth a search.
pub fn is_known_album(title: &str) -> bool {
    !title.trim().is_empty() && title != UNKNOWN_ALBUM
}

/// Where a track stands with its lyrics.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS, sqlx::Type,
)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
#[ts(export)]
pub enum LyricsStatus {
    /// Nothing known yet: the enrichment job will look.
    NotFetched,
    /// A job is looking right now (a crash can leave rows here; the next run recovers them).
    Fetching,
    /// Lyrics are stored (from disk or from a provider).
    Available,
    /// The track is known to have no vocals.
    Instrumental,
    /// The providers know no lyrics for the track.
    Unavailable,
    /// Fetching failed (see the failure's reason).
    Failed,
}

impl LyricsStatus {
    /// Every status, in display order.
    pub const ALL: [LyricsStatus; 6] = [
        LyricsStatus::NotFetched,
        LyricsStatus::Fetching,
        LyricsStatus::Available,
        LyricsStatus::Instrumental,
        LyricsStatus::Unavailable,
        LyricsStatus::Failed,
    ];

    /// The name stored in the database and used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            LyricsStatus::NotFetched => "not_fetched",
            LyricsStatus::Fetching => "fetching",
            LyricsStatus::Available => "available",
            LyricsStatus::Instrumental => "instrumental",
            LyricsStatus::Unavailable => "unavailable",
            LyricsStatus::Failed => "failed",
        }
    }
}

impl fmt::Display for LyricsStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a string that names no lyrics status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown lyrics status {0:?} (expected one of not_fetched, fetching, available, instrumental, unavailable, failed)"
)]
pub struct UnknownLyricsStatus(pub String);

impl FromStr for LyricsStatus {
    type Err = UnknownLyricsStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LyricsStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownLyricsStatus(s.to_owned()))
    }
}

/// Counts that describe a library, as `gatefold-cli status --json` prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LibrarySummary {
    /// Tracks in the library.
    pub tracks: u32,
    /// Albums in the library.
    pub albums: u32,
    /// Artists in the library, track and album artists alike.
    pub artists: u32,
    /// Tracks that have no artwork yet.
    pub artwork_missing: u32,
    /// Tracks per lyrics status; every status is present, zero included.
    pub lyrics: BTreeMap<LyricsStatus, u32>,
}

/// A track together with its artist and album names: what a page of tracks returns, read in one
/// query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackRecord {
    /// The track's row id.
    pub id: i64,
    /// The audio file's absolute path.
    pub path: PathBuf,
    /// The title tag, else the file name without its extension.
    pub title: String,
    /// The track artist's row id.
    pub artist_id: i64,
    /// The artist tag, else the album artist tag, else [`UNKNOWN_ARTIST`].
    pub artist: String,
    /// The album's row id.
    pub album_id: i64,
    /// The album's title.
    pub album: String,
    /// The album's artist.
    pub album_artist: String,
    /// Track number from the tags (1-based); `None` when untagged.
    pub track_number: Option<u32>,
    /// Disc number from the tags (1-based); `None` when untagged.
    pub disc_number: Option<u32>,
    /// Length in milliseconds; `None` when the file does not tell.
    pub duration_ms: Option<u64>,
    /// The audio format: `flac`, `mp3`, `m4a`, `ogg`, `opus`, `wav`, ..., or `other`.
    pub format: String,
    /// MusicBrainz recording id from the tags, if any.
    pub mb_recording_id: Option<String>,
    /// The album's MusicBrainz release id, if any.
    pub mb_release_id: Option<String>,
    /// The artwork the track shows (its album's); `None` until there is some.
    pub artwork_id: Option<i64>,
    /// Where the track stands with its lyrics.
    pub lyrics_status: LyricsStatus,
    /// The file carries an embedded front-cover picture.
    pub has_embedded_picture: bool,
    /// A cover/folder/front/albumart image found in the album folder.
    pub folder_cover_path: Option<PathBuf>,
    /// The `.lrc` or `.txt` file next to the track the lyrics were read from.
    pub lyrics_sidecar_path: Option<PathBuf>,
}

/// Lyrics as stored for a track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lyrics {
    /// The track the lyrics belong to.
    pub track_id: i64,
    /// Plain text (for synced lyrics, the lines without timestamps); `None` if there is none.
    pub plain: Option<String>,
    /// LRC text with `[mm:ss.xx]` timestamps.
    pub synced: Option<String>,
    /// Where they came from: `sidecar`, `embedded`, `lrclib`, ...
    pub source: String,
}

/// An album's artwork as the library view shows it. The image itself is served by id through
/// the app's artwork protocol (never by path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ArtworkInfo {
    /// The artwork's id, for the artwork protocol's URL.
    #[ts(type = "number")]
    pub id: i64,
    /// Width of the full image, in pixels.
    pub width: u32,
    /// Height of the full image, in pixels.
    pub height: u32,
    /// The full image's type: `image/jpeg`, `image/png`, `image/webp` or `image/gif`.
    pub mime: String,
    /// `embedded`, `folder`, `coverartarchive`, `itunes`, `deezer`, ...
    pub source: String,
    /// A 256 px thumbnail exists.
    pub has_thumbnail: bool,
}

/// An album as the library view's grid lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AlbumCard {
    /// The album's id.
    #[ts(type = "number")]
    pub id: i64,
    /// The album's title ("Unknown album" when untagged).
    pub title: String,
    /// The album artist ("Various Artists" for a compilation without one).
    pub album_artist: String,
    /// Release year; `null` when no track is tagged with one.
    pub year: Option<i32>,
    /// How many tracks the album has.
    pub track_count: u32,
    /// Tracks whose lyrics are stored.
    pub lyrics_available: u32,
    /// The album's artwork; `null` when it has none.
    pub artwork: Option<ArtworkInfo>,
}

/// One page of the album grid, and how many albums match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct AlbumPage {
    /// This page's albums, sorted by album artist, year and title.
    pub albums: Vec<AlbumCard>,
    /// How many albums match, across all pages.
    pub total: u32,
}

/// A track as an album's track list shows it (read from the library as it is: its fields are
/// the query's columns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, sqlx::FromRow)]
#[ts(export)]
pub struct TrackListItem {
    /// The track's id.
    #[ts(type = "number")]
    pub id: i64,
    /// The title tag, else the file name without its extension.
    pub title: String,
    /// The track's artist ("Unknown artist" when untagged).
    pub artist: String,
    /// Track number; `null` when untagged.
    pub track_number: Option<u32>,
    /// Disc number; `null` when untagged.
    pub disc_number: Option<u32>,
    /// Length in milliseconds; `null` when unknown.
    #[ts(type = "number | null")]
    pub duration_ms: Option<u64>,
    /// The audio format: `flac`, `mp3`, `m4a`, `ogg`, `opus`, `wav`, ..., or `other`.
    pub format: String,
    /// The track has artwork (its own or its album's).
    pub has_artwork: bool,
    /// Where the track stands with its lyrics.
    pub lyrics_status: LyricsStatus,
    /// Where the stored lyrics came from (`sidecar`, `embedded`, `lrclib`, ...).
    pub lyrics_source: Option<String>,
    /// The stored lyrics are synced (LRC with timestamps).
    pub lyrics_synced: bool,
}

/// A track with its lyrics, for the lyrics viewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TrackLyrics {
    /// The track's id.
    #[ts(type = "number")]
    pub track_id: i64,
    /// The track's title.
    pub title: String,
    /// The track's artist.
    pub artist: String,
    /// The track's album title.
    pub album: String,
    /// Where the track stands with its lyrics.
    pub lyrics_status: LyricsStatus,
    /// Plain text (for synced lyrics, the lines without timestamps); `null` if there is none.
    pub plain: Option<String>,
    /// LRC text with `[mm:ss.xx]` timestamps.
    pub synced: Option<String>,
    /// Where the lyrics came from (`sidecar`, `embedded`, `lrclib`, ...); `null` when none.
    pub source: Option<String>,
}

/// What an album lacks, to list only those (the library's "Missing" filter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MissingFilter {
    /// No artwork.
    Artwork,
    /// Some track without lyrics (neither available nor instrumental).
    Lyrics,
    /// Both at once.
    Both,
}

impl MissingFilter {
    /// The name stored queries compare with.
    pub fn as_str(self) -> &'static str {
        match self {
            MissingFilter::Artwork => "artwork",
            MissingFilter::Lyrics => "lyrics",
            MissingFilter::Both => "both",
        }
    }
}

/// A path's exact bytes in base64 when they are not valid UTF-8 (`None` when the path prints
/// as itself): what the JSON outputs carry beside the readable, possibly lossy, `path`.
pub fn path_b64(path: &std::path::Path) -> Option<String> {
    use base64::Engine as _;
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    std::str::from_utf8(bytes)
        .is_err()
        .then(|| base64::engine::general_purpose::STANDARD.encode(bytes))
}
