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

/// What is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WriteTarget {
    /// `cover.jpg` (or `.png`...) in the album folder.
    CoverFile,
    /// `<track>.lrc` (synced) or `<track>.txt` (plain).
    LyricsFile,
    /// A front cover picture in the file's tags.
    EmbeddedCover,
    /// Lyrics in the file's tags (ID3v2 USLT + SYLT, Vorbis LYRICS, MP4 ©lyr).
    EmbeddedLyrics,
    /// A temporary file an interrupted write-back left (see [`ItemOutcome::Removed`]).
    Temporary,
}

/// What came of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[ts(export)]
pub enum ItemOutcome {
    /// It was written.
    Written,
    /// A dry run: this would be written.
    WouldWrite,
    /// It already holds exactly what would be written.
    Unchanged,
    /// Left alone on purpose.
    Skipped {
        /// Why, for people (the user's own file, a read-only file, ...).
        reason: String,
    },
    /// Writing it failed.
    Failed {
        /// The error, for people.
        reason: String,
    },
    /// A temporary file an earlier, interrupted write-back left beside the music, removed.
    Removed {
        /// What it was, for people.
        reason: String,
    },
}

/// One file of a write-back, as the window lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct WriteBackFile {
    /// The file (the audio file itself when embedding; bytes that are not UTF-8 shown lossily).
    pub path: String,
    /// What goes into it.
    pub target: WriteTarget,
    /// What came of it.
    pub outcome: ItemOutcome,
}

/// What a write-back wrote (or, in a dry run, would write) and where: its counts, and the
/// files that were (or would be) written, skipped, failed or removed, up to
/// [`WriteBackReport::LIMIT`] of them (files left unchanged are only counted).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, TS)]
#[ts(export)]
pub struct WriteBackReport {
    /// The counts.
    pub summary: WriteBackSummary,
    /// The first files, in the order they were done.
    pub files: Vec<WriteBackFile>,
    /// Files beyond those listed.
    pub more_files: u32,
}

impl WriteBackReport {
    /// Files listed at most: what a person reads; the counts cover the rest.
    pub const LIMIT: usize = 200;

    /// Notes one file (an unchanged one is left to the counts).
    pub fn note(&mut self, file: WriteBackFile) {
        if file.outcome == ItemOutcome::Unchanged {
            return;
        }
        if self.files.len() < Self::LIMIT {
            self.files.push(file);
        } else {
            self.more_files = self.more_files.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_lists_up_to_its_limit_and_counts_the_rest() {
        let mut report = WriteBackReport::default();
        let file = |n: usize, outcome: ItemOutcome| WriteBackFile {
            path: format!("/music/{n}.lrc"),
            target: WriteTarget::LyricsFile,
            outcome,
        };
        for n in 0..250 {
            report.note(file(n, ItemOutcome::Written));
            report.note(file(n, ItemOutcome::Unchanged));
        }
        assert_eq!(report.files.len(), WriteBackReport::LIMIT);
        assert_eq!(report.more_files, 50);
        assert!(
            report
                .files
                .iter()
                .all(|f| f.outcome == ItemOutcome::Written)
        );
        assert_eq!(report.files[0].path, "/music/0.lrc");
    }
}
