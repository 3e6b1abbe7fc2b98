//! Folder import: walks a music folder, reads every new or changed audio file with lofty on a
//! pool of blocking threads, and writes artists, albums and tracks in batched transactions.
//!
//! Rescans are incremental: a file whose size and mtime (and whose cover image and lyrics
//! sidecar) are as the last scan saw them is not read again; changed files are re-read; tracks
//! whose files are gone are removed. Bad files never stop a scan: each is reported with its
//! reason, and a file that exists but cannot be read keeps whatever the library had for it.

pub(crate) mod lyrics;
mod tags;
mod walk;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use ts_rs::TS;

use crate::db::Database;
use crate::error::{EngineError, Result};

pub(crate) use crate::model::ScannedTrack;
pub use crate::model::{FileStamp, ScanReport};

/// How a scan runs.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Threads reading tags at once.
    pub readers: usize,
    /// Tracks written per transaction.
    pub batch_size: usize,
    /// Progress events are sent at most this often.
    pub progress_interval: Duration,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            readers: std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .clamp(1, 8),
            batch_size: 500,
            progress_interval: Duration::from_millis(100),
        }
    }
}

/// What a scan reports as it goes (`gatefold-cli scan --json` prints one per line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum ScanEvent {
    /// The folder was walked: `files` audio files, of which `to_read` are new or changed.
    Started {
        /// The folder scanned, as an absolute path with links resolved.
        root: String,
        /// Audio files found under it.
        files: u32,
        /// Of those, the new or changed files that will be read.
        to_read: u32,
    },
    /// `processed` of the `to_read` files are done.
    Progress {
        /// Files handled so far, read or failed.
        processed: u32,
        /// Files to handle in all (the `to_read` of `Started`).
        total: u32,
    },
    /// A file (or folder) could not be read; the scan goes on. (`path_b64`: the exact bytes
    /// of a path that is not UTF-8.)
    FileFailed {
        /// The file or folder, for display (lossy when it is not valid UTF-8).
        path: String,
        /// The path's exact bytes in base64; present only when it is not valid UTF-8.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        path_b64: Option<String>,
        /// Why it could not be read, for people.
        reason: String,
    },
    /// Something skipped on purpose (a symbolic link loop, a broken link, a file seen twice, a
    /// FIFO or device named like music, a lyrics file over the size limit).
    Skipped {
        /// The file or folder, for display (lossy when it is not valid UTF-8).
        path: String,
        /// The path's exact bytes in base64; present only when it is not valid UTF-8.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        path_b64: Option<String>,
        /// Why it was skipped, for people.
        reason: String,
    },
    /// A temporary file an interrupted write-back left (its process is gone) was removed.
    Removed {
        /// The file, for display (lossy when it is not valid UTF-8).
        path: String,
        /// The path's exact bytes in base64; present only when it is not valid UTF-8.
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        path_b64: Option<String>,
        /// What it was and why it went, for people.
        reason: String,
    },
    /// The scan is over.
    Finished {
        /// The scan's counts.
        report: ScanReport,
    },
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Imports (or re-imports) the music under `root` into `db`, calling `on_event` as it goes.
///
/// Errors are for scans that cannot run at all (the folder is missing, the database fails);
/// unreadable files are events, counted in the report.
pub async fn scan_folder(
    db: &Database,
    root: &Path,
    options: &ScanOptions,
    mut on_event: impl FnMut(ScanEvent) + Send,
) -> Result<ScanReport> {
    let started = tokio::time::Instant::now();
    let invalid = |reason: String| EngineError::InvalidScanRoot {
        path: root.to_path_buf(),
        reason,
    };
    let root = tokio::fs::canonicalize(root)
        .await
        .map_err(|e| invalid(e.to_string()))?;
    if !tokio::fs::metadata(&root)
        .await
        .map_err(|e| invalid(e.to_string()))?
        .is_dir()
    {
        return Err(invalid("not a folder".into()));
    }
    drop(
        tokio::fs::read_dir(&root)
            .await
            .map_err(|e| invalid(format!("cannot read it: {e}")))?,
    );
    let span = tracing::info_span!("scan", root = %root.display());
    let _enter = span.enter();

    let known = db.known_files_under(&root).await?;
    let walk_root = root.clone();
    let walked = tokio::task::spawn_blocking(move || walk::walk(&walk_root))
        .await
        .map_err(|e| EngineError::Internal(format!("folder walk stopped: {e}")))?;

    let mut report = ScanReport {
        root: root.display().to_string(),
        files: count(walked.audio.len()),
        added: 0,
        updated: 0,
        unchanged: 0,
        removed: 0,
        failed: 0,
        skipped: 0,
        cleaned: 0,
        elapsed_ms: 0,
    };
    for (path, reason) in walked.removed {
        tracing::info!(path = %path.display(), %reason, "stale temporary file removed");
        report.cleaned += 1;
        on_event(ScanEvent::Removed {
            path: path.display().to_string(),
            path_b64: crate::model::path_b64(&path),
            reason,
        });
    }
    let mut unreadable: Vec<PathBuf> = Vec::new();
    for issue in walked.issues {
        let path = issue.path.display().to_string();
        let path_b64 = crate::model::path_b64(&issue.path);
        if issue.missed_files {
            report.failed += 1;
            on_event(ScanEvent::FileFailed {
                path,
                path_b64,
                reason: issue.reason,
            });
            unreadable.push(issue.path);
        } else {
            report.skipped += 1;
            on_event(ScanEvent::Skipped {
                path,
                path_b64,
                reason: issue.reason,
            });
        }
    }

    let mut seen: HashSet<PathBuf> = HashSet::with_capacity(walked.audio.len());
    let mut to_read = Vec::new();
    for file in walked.audio {
        seen.insert(file.path.clone());
        let unchanged = known.get(&file.path).is_some_and(|k| {
            k.audio == file.stamp
                && k.folder_cover == file.folder_cover
                && k.lyrics_sidecar == file.lyrics_sidecar
        });
        if unchanged {
            report.unchanged += 1;
        } else {
            to_read.push(file);
        }
    }
    let total = count(to_read.len());
    on_event(ScanEvent::Started {
        root: report.root.clone(),
        files: report.files,
        to_read: total,
    });

    // Readers pull files from a shared queue and hand results to this task, which writes them.
    let batch_size = options.batch_size.max(1);
    let (tx, mut rx) = tokio::sync::mpsc::channel(batch_size * 2);
    // Results are written in walk order (sorted by file name), whatever order the readers finish
    // in: track ids are then stable from one import to the next, and an album's tracks get
    // consecutive ids.
    let queue = Arc::new(Mutex::new(to_read.into_iter().enumerate()));
    for _ in 0..options.readers.max(1) {
        let queue = Arc::clone(&queue);
        let tx = tx.clone();
        tokio::task::spawn_blocking(move || {
            loop {
                let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                let Some((index, file)) = next else { break };
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    tags::read_track(&file)
                }))
                .unwrap_or_else(|_| Err("the tag reader crashed on this file".into()))
                .map_err(|reason| (file.path, reason));
                if tx.blocking_send((index, result)).is_err() {
                    break; // the writer stopped (a database error); nothing more to do
                }
            }
        });
    }
    drop(tx);

    let mut writer = db.import_writer().await?;
    let mut batch = Vec::with_capacity(batch_size);
    let mut processed = 0u32;
    let mut last_progress = tokio::time::Instant::now();
    let mut reorder = std::collections::BTreeMap::new();
    let mut next_index = 0usize;
    while let Some((index, result)) = rx.recv().await {
        reorder.insert(index, result);
        while let Some(result) = reorder.remove(&next_index) {
            next_index += 1;
            processed += 1;
            match result {
                Ok(track) => {
                    if known.contains_key(&track.path) {
                        report.updated += 1;
                    } else {
                        report.added += 1;
                    }
                    batch.push(track);
                }
                Err((path, reason)) => {
                    report.failed += 1;
                    // Reported to the front end as `FileFailed`; the log keeps it for the record.
                    tracing::info!(path = %path.display(), %reason, "file not imported");
                    on_event(ScanEvent::FileFailed {
                        path: path.display().to_string(),
                        path_b64: crate::model::path_b64(&path),
                        reason,
                    });
                }
            }
            if batch.len() >= batch_size {
                writer.write_batch(&batch).await?;
                batch.clear();
            }
            if last_progress.elapsed() >= options.progress_interval {
                last_progress = tokio::time::Instant::now();
                on_event(ScanEvent::Progress { processed, total });
            }
        }
    }
    if !batch.is_empty() {
        writer.write_batch(&batch).await?;
    }

    // Files gone from disk leave the library, unless they sit in a folder that could not be read.
    let gone = gone_tracks(&known, &seen, &unreadable);
    if !gone.is_empty() {
        report.removed =
            count(usize::try_from(writer.remove_tracks(&gone).await?).unwrap_or(usize::MAX));
    }
    if report.removed > 0 || report.updated > 0 {
        writer.prune_orphans().await?;
    }

    report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    on_event(ScanEvent::Progress { processed, total });
    tracing::info!(
        files = report.files,
        added = report.added,
        updated = report.updated,
        unchanged = report.unchanged,
        removed = report.removed,
        failed = report.failed,
        elapsed_ms = report.elapsed_ms,
        "scan finished"
    );
    on_event(ScanEvent::Finished {
        report: report.clone(),
    });
    Ok(report)
}

/// Ids of known tracks whose files the walk did not see, except those under a folder that could
/// not be read (their files may well still be there).
fn gone_tracks(
    known: &std::collections::HashMap<PathBuf, crate::db::KnownFile>,
    seen: &HashSet<PathBuf>,
    unreadable: &[PathBuf],
) -> Vec<i64> {
    let mut gone: Vec<i64> = known
        .iter()
        .filter(|(path, _)| {
            !seen.contains(*path) && !unreadable.iter().any(|d| path.starts_with(d))
        })
        .map(|(_, k)| k.id)
        .collect();
    gone.sort_unstable();
    gone
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::KnownFile;

    #[test]
    fn files_under_unreadable_folders_are_not_gone() {
        let known_file = |id| KnownFile {
            id,
            audio: FileStamp {
                size: 1,
                mtime_ns: 1,
            },
            folder_cover: None,
            lyrics_sidecar: None,
        };
        let known = [
            ("/m/a/1.flac", 1),
            ("/m/a/2.flac", 2),
            ("/m/locked/3.flac", 3),
            ("/m/locked-not/4.flac", 4),
        ]
        .into_iter()
        .map(|(p, id)| (PathBuf::from(p), known_file(id)))
        .collect();
        let seen = [PathBuf::from("/m/a/1.flac")].into_iter().collect();
        let unreadable = [PathBuf::from("/m/locked")];
        assert_eq!(gone_tracks(&known, &seen, &unreadable), vec![2, 4]);
        assert_eq!(gone_tracks(&known, &seen, &[]), vec![2, 3, 4]);
    }
}
