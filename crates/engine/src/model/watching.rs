//! How the music folders are watched (see `crate::watch`).

use serde::Serialize;
use ts_rs::TS;

/// How the music folders are watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WatchMode {
    /// The OS tells of every change.
    Events,
    /// The folders are rescanned periodically (the OS cannot watch them all).
    Polling,
}

/// The watch as it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct WatchStatus {
    /// The music folders watched.
    pub folders: Vec<String>,
    /// How they are watched.
    pub mode: WatchMode,
    /// Why they are polled rather than watched, with what to do about it.
    pub reason: Option<String>,
    /// Seconds between rescans when polled.
    #[ts(type = "number")]
    pub poll_every_secs: u64,
}
