//! Write-back: artwork and lyrics the providers found, written beside the music (`cover.jpg` in
//! the album folder, `.lrc`/`.txt` beside each track) or into the files' tags. Off by default.
//!
//! Safety rules, each tested:
//! * only what came from a provider is written (what was already on disk is the user's);
//! * every write is atomic (a temporary file beside the target, then a rename);
//! * audio data is never touched: embedding edits tags only, and the edited copy must read back
//!   with the same audio properties before it replaces the original;
//! * what the user already has is never overwritten unless `overwrite` asks for it: a file
//!   holding exactly what would be written is "unchanged", anything else is "skipped";
//! * read-only files and folders are skipped with the reason (by their mode bits, so running as
//!   root does not override them);
//! * a cover file goes only into a folder that holds one album's tracks;
//! * a dry run decides everything the same way and writes nothing.

mod embed;
mod files;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::db::WriteBackTrack;
use crate::error::Result;
pub use crate::model::{
    ItemOutcome, WriteBackFile, WriteBackMode, WriteBackReport, WriteBackSummary, WriteTarget,
};
use crate::store::ArtworkStore;
use crate::{Database, LyricsStatus};
use embed::{Edit, Embedded};

/// Who hears of each file a write-back writes, skips or fails on, when it runs after a job.
pub type WriteBackListener = std::sync::Arc<dyn Fn(&WriteBackItem) + Send + Sync>;

/// How to write back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteBackOptions {
    /// Where to write; `Off` writes nothing.
    pub mode: WriteBackMode,
    /// Decide and report, write nothing.
    pub dry_run: bool,
    /// Replace what the user already has (a different `cover.jpg`, `.lrc`, embedded lyrics...).
    pub overwrite: bool,
}

/// One file write-back wrote, would write, or left alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WriteBackItem {
    /// The file written (the audio file itself when embedding). Serialized as `path`, plus
    /// `path_b64` (its exact bytes) when it is not UTF-8.
    #[serde(flatten, serialize_with = "serialize_path")]
    pub path: PathBuf,
    /// What goes into the file (serialized as `target`).
    #[serde(rename = "target")]
    pub what: WriteTarget,
    /// What came of it (its fields are serialized inline, tagged `outcome`).
    #[serde(flatten)]
    pub outcome: ItemOutcome,
}

impl WriteBackItem {
    /// This item as a report line for the window.
    pub fn to_file(&self) -> WriteBackFile {
        WriteBackFile {
            path: self.path.display().to_string(),
            target: self.what,
            outcome: self.outcome.clone(),
        }
    }
}

fn serialize_path<S: serde::Serializer>(path: &Path, s: S) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let b64 = crate::model::path_b64(path);
    let mut map = s.serialize_map(Some(1 + usize::from(b64.is_some())))?;
    map.serialize_entry("path", &path.display().to_string())?;
    if let Some(b64) = b64 {
        map.serialize_entry("path_b64", &b64)?;
    }
    map.end()
}

/// Sources that mean "already on disk": never written back.
const LOCAL_ARTWORK: [&str; 2] = ["embedded", "folder"];
const LOCAL_LYRICS: [&str; 2] = ["embedded", "sidecar"];

fn remote(source: Option<&str>, local: &[&str]) -> bool {
    source.is_some_and(|s| !local.contains(&s))
}

/// `cover.jpg`, `cover.png`, ... by the image's type.
fn cover_name(mime: &str) -> &'static str {
    match mime {
        "image/png" => "cover.png",
        "image/webp" => "cover.webp",
        "image/gif" => "cover.gif",
        _ => "cover.jpg",
    }
}

/// Writes back what the library found, reporting each file to `on_item` as it goes.
#[tracing::instrument(skip_all, fields(mode = options.mode.as_str(), dry_run = options.dry_run))]
pub async fn write_back(
    db: &Database,
    store: &ArtworkStore,
    options: WriteBackOptions,
    mut on_item: impl FnMut(&WriteBackItem),
) -> Result<WriteBackSummary> {
    let mut summary = WriteBackSummary {
        mode: options.mode,
        dry_run: options.dry_run,
        ..WriteBackSummary::default()
    };
    if options.mode == WriteBackMode::Off {
        return Ok(summary);
    }
    let mut tracks = Vec::new();
    let mut after = 0;
    loop {
        let page = db.writeback_page(after, 1000).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        tracks.extend(page);
    }
    let mut report = |item: WriteBackItem| {
        match &item.outcome {
            ItemOutcome::Written | ItemOutcome::WouldWrite => summary.written += 1,
            ItemOutcome::Unchanged => summary.unchanged += 1,
            ItemOutcome::Skipped { .. } => summary.skipped += 1,
            ItemOutcome::Removed { .. } => summary.cleaned += 1,
            ItemOutcome::Failed { reason } => {
                tracing::warn!(path = %item.path.display(), %reason, "write-back failed");
                summary.failed += 1;
            }
        }
        on_item(&item);
    };

    if !options.dry_run {
        let folders: std::collections::BTreeSet<&Path> =
            tracks.iter().filter_map(|t| t.path.parent()).collect();
        let folders: Vec<PathBuf> = folders.into_iter().map(Path::to_path_buf).collect();
        let removed = tokio::task::spawn_blocking(move || remove_stale_temporaries(&folders))
            .await
            .map_err(|e| crate::EngineError::Internal(format!("cleaning stopped: {e}")))?;
        for item in removed {
            report(item);
        }
    }

    // The last image read: in embed mode an album's tracks come one after another and share it.
    let mut image: Option<(String, std::sync::Arc<Vec<u8>>)> = None;
    for job in artwork_jobs(&tracks, options.mode) {
        let item = match job {
            ArtworkJob::Write {
                target,
                what,
                storage_path,
                mime,
            } => {
                let path = target.clone();
                let outcome = match read_image(store, &storage_path, &mut image).await {
                    Ok(bytes) => {
                        blocking(move || {
                            Ok(write_one(
                                &target,
                                what,
                                FileContent::Image(&bytes, &mime),
                                options,
                            ))
                        })
                        .await
                    }
                    Err(reason) => ItemOutcome::Failed { reason },
                };
                WriteBackItem {
                    path,
                    what,
                    outcome,
                }
            }
            ArtworkJob::Skip { target, reason } => WriteBackItem {
                path: target,
                what: WriteTarget::CoverFile,
                outcome: ItemOutcome::Skipped { reason },
            },
        };
        report(item);
    }

    for track in tracks
        .iter()
        .filter(|t| remote(t.lyrics_source.as_deref(), &LOCAL_LYRICS))
    {
        let lyrics = db.track_lyrics(track.id).await?;
        if lyrics.lyrics_status != LyricsStatus::Available {
            continue;
        }
        let (text, synced) = match (lyrics.synced, lyrics.plain) {
            (Some(text), _) => (text, true),
            (None, Some(text)) => (text, false),
            (None, None) => continue,
        };
        let (path, what) = match options.mode {
            WriteBackMode::Sidecar => (
                track
                    .path
                    .with_extension(if synced { "lrc" } else { "txt" }),
                WriteTarget::LyricsFile,
            ),
            _ => (track.path.clone(), WriteTarget::EmbeddedLyrics),
        };
        let target = path.clone();
        let outcome = blocking(move || {
            Ok(write_one(
                &target,
                what,
                FileContent::Lyrics(&text, synced),
                options,
            ))
        })
        .await;
        report(WriteBackItem {
            path,
            what,
            outcome,
        });
    }
    tracing::info!(?summary, "write-back done");
    Ok(summary)
}

/// Removes, from `folders`, the temporary files a write-back killed half-way left (only those,
/// by exact name and a dead owner: see [`crate::files::stale_write_back_temporary`]).
fn remove_stale_temporaries(folders: &[PathBuf]) -> Vec<WriteBackItem> {
    let mut items = Vec::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(folder) else {
            continue; // the tracks' own items will say what is wrong with the folder
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            let Some(pid) = is_file
                .then(|| crate::files::stale_write_back_temporary(&path))
                .flatten()
            else {
                continue;
            };
            let outcome = match std::fs::remove_file(&path) {
                Ok(()) => ItemOutcome::Removed {
                    reason: format!(
                        "a temporary file an interrupted write-back left (its process {pid} is gone)"
                    ),
                },
                Err(err) => ItemOutcome::Failed {
                    reason: format!(
                        "a temporary file an interrupted write-back left cannot be removed: {err}"
                    ),
                },
            };
            items.push(WriteBackItem {
                path,
                what: WriteTarget::Temporary,
                outcome,
            });
        }
    }
    items
}

/// The stored image at `storage_path`, read once for as long as the next jobs want the same one.
async fn read_image(
    store: &ArtworkStore,
    storage_path: &str,
    last: &mut Option<(String, std::sync::Arc<Vec<u8>>)>,
) -> std::result::Result<std::sync::Arc<Vec<u8>>, String> {
    if let Some((path, bytes)) = last.as_ref()
        && path == storage_path
    {
        return Ok(std::sync::Arc::clone(bytes));
    }
    let file = store.path_of(storage_path);
    let bytes = tokio::fs::read(&file)
        .await
        .map(std::sync::Arc::new)
        .map_err(|e| format!("the stored artwork {} cannot be read: {e}", file.display()))?;
    *last = Some((storage_path.to_owned(), std::sync::Arc::clone(&bytes)));
    Ok(bytes)
}

/// Runs file work on the blocking pool; a failure (or a panic) is the item's failure.
async fn blocking(
    work: impl FnOnce() -> std::result::Result<ItemOutcome, String> + Send + 'static,
) -> ItemOutcome {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(reason)) => ItemOutcome::Failed { reason },
        Err(err) => ItemOutcome::Failed {
            reason: format!("writing stopped: {err}"),
        },
    }
}

/// A cover to write, or a folder where none can be.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ArtworkJob {
    Write {
        target: PathBuf,
        what: WriteTarget,
        storage_path: String,
        mime: String,
    },
    Skip {
        target: PathBuf,
        reason: String,
    },
}

/// The covers to write: one per album folder (sidecar), or one per track (embed), for albums
/// whose artwork came from a provider.
fn artwork_jobs(tracks: &[WriteBackTrack], mode: WriteBackMode) -> Vec<ArtworkJob> {
    let remote_art = |t: &WriteBackTrack| {
        t.artwork
            .as_ref()
            .filter(|a| remote(Some(&a.source), &LOCAL_ARTWORK))
            .cloned()
    };
    match mode {
        WriteBackMode::Off => Vec::new(),
        WriteBackMode::Embed => tracks
            .iter()
            .filter_map(|t| {
                remote_art(t).map(|art| ArtworkJob::Write {
                    target: t.path.clone(),
                    what: WriteTarget::EmbeddedCover,
                    storage_path: art.storage_path,
                    mime: art.mime,
                })
            })
            .collect(),
        WriteBackMode::Sidecar => {
            let mut folders: BTreeMap<&Path, Vec<&WriteBackTrack>> = BTreeMap::new();
            for t in tracks {
                if let Some(dir) = t.path.parent() {
                    folders.entry(dir).or_default().push(t);
                }
            }
            let mut jobs = Vec::new();
            for (dir, in_dir) in folders {
                let Some(art) = in_dir.iter().find_map(|t| remote_art(t)) else {
                    continue;
                };
                let target = dir.join(cover_name(&art.mime));
                let mut albums: Vec<i64> = in_dir.iter().map(|t| t.album_id).collect();
                albums.sort_unstable();
                albums.dedup();
                let job = if albums.len() > 1 {
                    ArtworkJob::Skip {
                        target,
                        reason: format!(
                            "the folder holds tracks of {} albums: one cover file cannot be right for all",
                            albums.len()
                        ),
                    }
                } else if in_dir.iter().any(|t| t.has_folder_cover) {
                    ArtworkJob::Skip {
                        target,
                        reason: "the folder already has a cover image of its own".into(),
                    }
                } else {
                    ArtworkJob::Write {
                        target,
                        what: WriteTarget::CoverFile,
                        storage_path: art.storage_path,
                        mime: art.mime,
                    }
                };
                jobs.push(job);
            }
            jobs
        }
    }
}

/// What goes into a file.
#[derive(Debug, Clone, Copy)]
enum FileContent<'a> {
    /// Image bytes and their mime type.
    Image(&'a [u8], &'a str),
    /// LRC text when synced, else plain text.
    Lyrics(&'a str, bool),
}

/// Writes one file (or embeds into one), following the module's safety rules.
fn write_one(
    target: &Path,
    what: WriteTarget,
    content: FileContent<'_>,
    options: WriteBackOptions,
) -> ItemOutcome {
    if let Some(reason) =
        files::special_file_reason(target).or_else(|| files::read_only_reason(target))
    {
        return ItemOutcome::Skipped { reason };
    }
    let done = if options.dry_run {
        ItemOutcome::WouldWrite
    } else {
        ItemOutcome::Written
    };
    match what {
        // Only ever removed (`remove_stale_temporaries`), never written.
        WriteTarget::Temporary => ItemOutcome::Skipped {
            reason: format!(
                "{} is a temporary file; nothing is written to it",
                target.display()
            ),
        },
        WriteTarget::CoverFile | WriteTarget::LyricsFile => {
            let bytes: Vec<u8> = match content {
                FileContent::Image(bytes, _) => bytes.to_vec(),
                FileContent::Lyrics(text, _) => format!("{}\n", text.trim_end()).into_bytes(),
            };
            let exists = match files::holds_exactly(target, &bytes) {
                Ok(Some(true)) => return ItemOutcome::Unchanged,
                Ok(Some(false)) if !options.overwrite => {
                    return ItemOutcome::Skipped {
                        reason: format!(
                            "{} already exists and is not Gatefold's (overwrite replaces it)",
                            target.display()
                        ),
                    };
                }
                Ok(Some(false)) => true,
                Ok(None) => false,
                Err(err) => {
                    return ItemOutcome::Failed {
                        reason: format!("{} cannot be read: {err}", target.display()),
                    };
                }
            };
            if options.dry_run {
                return done;
            }
            match files::write_atomic(target, &bytes, exists) {
                Ok(()) => done,
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                    ItemOutcome::Skipped {
                        reason: format!("{} appeared meanwhile; left alone", target.display()),
                    }
                }
                Err(err) => ItemOutcome::Failed {
                    reason: format!("cannot write {}: {err}", target.display()),
                },
            }
        }
        WriteTarget::EmbeddedCover | WriteTarget::EmbeddedLyrics => {
            let (edit, kept) = match content {
                FileContent::Image(bytes, mime) => (Edit::Cover { bytes, mime }, "a front cover"),
                FileContent::Lyrics(text, synced) => (Edit::Lyrics { text, synced }, "lyrics"),
            };
            match embed::embed(target, edit, options.overwrite, options.dry_run) {
                Ok(Embedded::Written) => done,
                Ok(Embedded::Unchanged) => ItemOutcome::Unchanged,
                Ok(Embedded::Kept) => ItemOutcome::Skipped {
                    reason: format!(
                        "the file already has {kept} of its own (overwrite replaces them)"
                    ),
                },
                Ok(Embedded::Skipped(reason)) => ItemOutcome::Skipped { reason },
                Err(reason) => ItemOutcome::Failed { reason },
            }
        }
    }
}
