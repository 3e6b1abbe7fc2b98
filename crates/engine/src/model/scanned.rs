//! What a scan learned about one audio file: plain data the scan produces and the database's
//! import writer stores.

use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;

/// Size and modification time of a file: what tells a rescan that it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
    /// The file's size in bytes.
    pub size: i64,
    /// The file's modification time, in nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
}

/// Everything a scan learned about one audio file.
#[derive(Debug, Clone)]
pub(crate) struct ScannedTrack {
    pub path: PathBuf,
    pub stamp: FileStamp,
    pub format: &'static str,
    /// From the tag, else the file name without its extension.
    pub title: String,
    pub artist: Option<String>,
    pub album_artist: Option<String>,
    pub album: Option<String>,
    pub year: Option<i32>,
    pub track_number: Option<u32>,
    pub track_total: Option<u32>,
    pub disc_number: Option<u32>,
    pub disc_total: Option<u32>,
    pub duration_ms: Option<u64>,
    pub mb_recording_id: Option<String>,
    pub mb_track_id: Option<String>,
    pub mb_release_id: Option<String>,
    pub mb_release_group_id: Option<String>,
    pub has_embedded_picture: bool,
    pub album_folder: PathBuf,
    pub folder_cover: Option<(PathBuf, i64)>,
    pub lyrics_sidecar: Option<(PathBuf, i64)>,
    pub local_lyrics: Option<LocalLyrics>,
}

/// Lyrics read from the files themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LocalLyrics {
    /// Plain text (for synced lyrics: the same lines without timestamps).
    pub plain: Option<String>,
    /// LRC text with timestamps, when the source had them.
    pub synced: Option<String>,
    pub source: LocalLyricsSource,
    /// The text is an "instrumental" marker, not lyrics.
    pub instrumental: bool,
}

/// Where local lyrics came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LocalLyricsSource {
    Sidecar,
    Embedded,
}

impl LocalLyricsSource {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            LocalLyricsSource::Sidecar => "sidecar",
            LocalLyricsSource::Embedded => "embedded",
        }
    }
}

/// The outcome of a scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ScanReport {
    /// The folder scanned, as an absolute path with links resolved.
    pub root: String,
    /// Audio files found.
    pub files: u32,
    /// Files new to the library, now imported.
    pub added: u32,
    /// Files already known that changed since the last scan, read again.
    pub updated: u32,
    /// Files as the last scan saw them, not read again.
    pub unchanged: u32,
    /// Tracks removed from the library because their files are gone.
    pub removed: u32,
    /// Files and folders that could not be read.
    pub failed: u32,
    /// Temporary files an interrupted write-back left, removed.
    pub cleaned: u32,
    /// Paths skipped on purpose (link loops, broken links, files seen twice, FIFOs and devices
    /// named like music, oversized lyrics files).
    pub skipped: u32,
    /// How long the scan took, in milliseconds.
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

impl ScanReport {
    /// Some files could not be read.
    pub fn is_partial(&self) -> bool {
        self.failed > 0
    }
}
