//! What write-back is set to do and what it did: plain data shared by the settings, the
//! write-back itself, the events and the front ends.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Whether and how found artwork and lyrics are written beside the music files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WriteBackMode {
    /// Only the library database holds them.
    #[default]
    Off,
    /// `cover.jpg` in the album folder, `.lrc` (synced) or `.txt` (plain) beside each track.
    Sidecar,
    /// Inside the audio files' tags: a front cover picture, and lyrics.
    Embed,
}

impl WriteBackMode {
    /// The name used in settings, JSON and the CLI: `off`, `sidecar` or `embed`.
    pub fn as_str(self) -> &'static str {
        match self {
            WriteBackMode::Off => "off",
            WriteBackMode::Sidecar => "sidecar",
            WriteBackMode::Embed => "embed",
        }
    }
}

impl std::str::FromStr for WriteBackMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "off" => Ok(WriteBackMode::Off),
            "sidecar" => Ok(WriteBackMode::Sidecar),
            "embed" => Ok(WriteBackMode::Embed),
            other => Err(format!(
                "unknown write-back mode {other:?} (expected off, sidecar or embed)"
            )),
        }
    }
}

/// What a write-back did, in counts (the CLI also lists each file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, TS)]
#[ts(export)]
pub struct WriteBackSummary {
    /// The mode it ran in (`off`: nothing was done).
    pub mode: WriteBackMode,
    /// Nothing was written: this is what would have been.
    pub dry_run: bool,
    /// Files written (or, in a dry run, that would be).
    pub written: u32,
    /// Already holding exactly what would be written.
    pub unchanged: u32,
    /// Left alone on purpose (the user's own file, a read-only file, ...).
    pub skipped: u32,
    /// Could not be written.
    pub failed: u32,
    /// Temporary files an interrupted write-back left in the music folders, removed.
    pub cleaned: u32,
}
