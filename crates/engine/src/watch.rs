//! Watching the music folders: what changes in them is imported soon after the last write,
//! and (with `auto_enrich`) enriched as it arrives.
//!
//! The OS tells of changes ([`notify`]: inotify on Linux, recursive). Changes are gathered per
//! folder, and a folder is imported again (an incremental scan of that folder only) once it has
//! been quiet for [`WatchOptions::quiet`] and no file in it is still being written: a file
//! created or modified and not closed yet holds its folder back, so a half-copied file is never
//! read (a write that stalls longer than [`WatchOptions::write_stall`] no longer holds it).
//! Moves and deletions are imported like any change (the scan of the folder they left finds
//! the files gone).
//!
//! When the OS cannot watch every folder (inotify's `max_user_watches`), the watch falls back
//! to rescanning the music folders every [`WatchOptions::poll_every`], and says why, with the
//! setting to raise.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::event::{AccessKind, AccessMode, CreateKind, EventKind, ModifyKind};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::error::Result;
use crate::events::LibraryEvent;
pub use crate::model::{WatchMode, WatchStatus};

/// How the watch behaves.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// A folder is imported once nothing in it has changed for this long.
    pub quiet: Duration,
    /// A file being written holds its folder back at most this long after its last write.
    pub write_stall: Duration,
    /// Without OS notifications, the music folders are rescanned this often.
    pub poll_every: Duration,
    /// How often new music waiting to be enriched is tried again (a job running, WiFi away).
    pub enrich_retry: Duration,
    /// Behave as if the OS could watch at most this many folders (tests); `None`: the OS's
    /// own limit.
    pub max_watches: Option<usize>,
    /// Enrich new and changed music as it arrives, whatever the saved `auto_enrich` says.
    pub force_enrich: bool,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            quiet: Duration::from_secs(1),
            write_stall: Duration::from_secs(60),
            poll_every: Duration::from_secs(60),
            enrich_retry: Duration::from_secs(5),
            max_watches: None,
            force_enrich: false,
        }
    }
}

/// Changes seen and not imported yet.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    /// Folders with changes, and when they last changed.
    dirty: HashMap<PathBuf, Instant>,
    /// Files created or modified and not closed yet, and when they last changed.
    writing: HashMap<PathBuf, Instant>,
}

fn folder_of(path: &Path) -> PathBuf {
    path.parent().unwrap_or(path).to_path_buf()
}

impl Pending {
    /// Takes in one OS event.
    pub(crate) fn note(&mut self, kind: EventKind, paths: &[PathBuf], now: Instant) {
        for path in paths {
            match kind {
                EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                    self.writing.remove(path);
                }
                EventKind::Create(CreateKind::File)
                | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) => {
                    self.writing.insert(path.clone(), now);
                }
                EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_)) => {
                    self.writing.remove(path);
                }
                // Opening or reading a file changes nothing.
                EventKind::Access(_) => continue,
                _ => {}
            }
            self.dirty.insert(folder_of(path), now);
        }
    }

    /// Marks `folder` changed (a rescan of it is due).
    pub(crate) fn touch(&mut self, folder: &Path, now: Instant) {
        self.dirty.insert(folder.to_path_buf(), now);
    }

    /// The folders due for an import now (taken out of the pending ones): quiet for `quiet`,
    /// with no file under them being written (a write idle for `stall` no longer counts),
    /// and none inside another one due.
    pub(crate) fn due(&mut self, now: Instant, quiet: Duration, stall: Duration) -> Vec<PathBuf> {
        self.writing
            .retain(|_, last| now.saturating_duration_since(*last) < stall);
        let mut due: Vec<PathBuf> = self
            .dirty
            .iter()
            .filter(|(folder, last)| {
                now.saturating_duration_since(**last) >= quiet
                    && !self.writing.keys().any(|file| file.starts_with(folder))
            })
            .map(|(folder, _)| folder.clone())
            .collect();
        due.sort();
        let mut outer: Vec<PathBuf> = Vec::new();
        for folder in due {
            self.dirty.remove(&folder);
            if !outer.iter().any(|o| folder.starts_with(o)) {
                outer.push(folder);
            }
        }
        outer
    }

    /// When [`due`](Self::due) next has something: the earliest time a folder is quiet and
    /// not held by a write (a held folder's writes stop holding it `stall` after their last
    /// change; a close comes as an event before that).
    pub(crate) fn next_check(&self, quiet: Duration, stall: Duration) -> Option<Instant> {
        self.dirty
            .iter()
            .map(|(folder, last)| {
                self.writing
                    .iter()
                    .filter(|(file, _)| file.starts_with(folder))
                    .map(|(_, written)| *written + stall)
                    .fold(*last + quiet, Instant::max)
            })
            .min()
    }
}

/// The files under `folders` some process has open for writing (a copy under way), as far as
/// `/proc` shows them (every process for root, the user's own otherwise). This catches files
/// whose creation came before the OS watch on their new folder was in place, whose writes the
/// watch never heard of.
pub(crate) fn open_for_writing(folders: &[PathBuf]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if folders.is_empty() {
        return found;
    }
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return found;
    };
    for proc_dir in procs.filter_map(std::result::Result::ok) {
        let pid = proc_dir.file_name();
        if !pid.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(proc_dir.path().join("fd")) else {
            continue;
        };
        for fd in fds.filter_map(std::result::Result::ok) {
            let Ok(target) = std::fs::read_link(fd.path()) else {
                continue;
            };
            if !folders.iter().any(|f| target.starts_with(f)) {
                continue;
            }
            let info = proc_dir.path().join("fdinfo").join(fd.file_name());
            let writing = std::fs::read_to_string(info).ok().is_some_and(|text| {
                text.lines()
                    .find_map(|l| l.strip_prefix("flags:"))
                    .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
                    // O_ACCMODE: 1 is O_WRONLY, 2 is O_RDWR.
                    .is_some_and(|flags| matches!(flags & 3, 1 | 2))
            });
            if writing {
                found.push(target);
            }
        }
    }
    found
}

/// The folder to import for a change in `folder`: itself, or (when it is gone) its nearest
/// existing ancestor, within the music folder `roots` hold it in; `None` outside them.
pub(crate) fn import_target(folder: &Path, roots: &[PathBuf]) -> Option<PathBuf> {
    let root = roots.iter().find(|r| folder.starts_with(r))?;
    let mut at = folder.to_path_buf();
    while !at.is_dir() && at != *root {
        at = at.parent()?.to_path_buf();
    }
    Some(at)
}

/// How many folders `roots` hold (each needs one inotify watch).
pub(crate) fn count_folders(roots: &[PathBuf]) -> usize {
    roots
        .iter()
        .map(|root| {
            walkdir::WalkDir::new(root)
                .into_iter()
                .filter_map(std::result::Result::ok)
                .filter(|e| e.file_type().is_dir())
                .count()
        })
        .sum()
}

/// What to say when the OS cannot watch every folder.
pub(crate) fn watch_limit_reason(folders: usize, poll_every: Duration) -> String {
    let limit = std::fs::read_to_string("/proc/sys/fs/inotify/max_user_watches")
        .ok()
        .map(|s| s.trim().to_owned());
    format!(
        "the system cannot watch all {folders} music folders (its limit, \
         fs.inotify.max_user_watches, is {}): new music is found by rescanning every {} s \
         instead. To watch them, raise the limit: `sudo sysctl fs.inotify.max_user_watches=524288` \
         (and add that line to /etc/sysctl.d/90-gatefold.conf to keep it)",
        limit.as_deref().unwrap_or("reached"),
        poll_every.as_secs()
    )
}

/// The OS side of a watch: a recursive watcher on every root, its events sent to `tx`.
pub(crate) fn os_watcher(
    roots: &[PathBuf],
    tx: tokio::sync::mpsc::UnboundedSender<notify::Result<notify::Event>>,
) -> notify::Result<notify::RecommendedWatcher> {
    use notify::Watcher;
    let config = notify::Config::default()
        .with_event_kinds(notify::EventKindMask::CORE | notify::EventKindMask::ACCESS_CLOSE);
    let mut watcher = notify::RecommendedWatcher::new(
        move |event| {
            let _ = tx.send(event);
        },
        config,
    )?;
    for root in roots {
        watcher.watch(root, notify::RecursiveMode::Recursive)?;
    }
    Ok(watcher)
}

/// Sleeps until `at`, or forever without one.
pub(crate) async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// A token that is cancelled when Ctrl-C comes (the CLI's watch).
pub fn until_ctrl_c() -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            cancel.cancel();
        }
    });
    token
}

/// The watch loop of [`Library::watch`](crate::Library::watch).
pub(crate) async fn run(
    library: &crate::Library,
    options: WatchOptions,
    cancel: CancellationToken,
    closing: CancellationToken,
) -> Result<()> {
    use tracing::Instrument;
    let span = tracing::info_span!("watch", library = %library.path().display());
    watch_loop(library, options, cancel, closing)
        .instrument(span)
        .await
}

/// Runs until `cancel` (the caller) or `closing` (the library) is cancelled.
async fn watch_loop(
    library: &crate::Library,
    options: WatchOptions,
    cancel: CancellationToken,
    closing: CancellationToken,
) -> Result<()> {
    let mut folders_changed = library.folders_changed();
    loop {
        folders_changed.borrow_and_update();
        let roots = library.music_folders().await?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        // Counting the folders walks every one of them: only when a limit is in question.
        let counted = options.max_watches.map(|_| count_folders(&roots));
        let over_limit = options
            .max_watches
            .zip(counted)
            .is_some_and(|(max, n)| n > max);
        let limit_reason = || {
            let folders = counted.unwrap_or_else(|| count_folders(&roots));
            watch_limit_reason(folders, options.poll_every)
        };
        let (watcher, reason) = if roots.is_empty() || over_limit {
            (None, over_limit.then(limit_reason))
        } else {
            match os_watcher(&roots, tx) {
                Ok(watcher) => (Some(watcher), None),
                Err(err) if matches!(err.kind, notify::ErrorKind::MaxFilesWatch) => {
                    (None, Some(limit_reason()))
                }
                Err(err) => (
                    None,
                    Some(format!(
                        "the music folders cannot be watched ({err}): new music is found by \
                         rescanning every {} s instead",
                        options.poll_every.as_secs()
                    )),
                ),
            }
        };
        let status = WatchStatus {
            folders: roots.iter().map(|r| r.display().to_string()).collect(),
            mode: if watcher.is_some() || roots.is_empty() {
                WatchMode::Events
            } else {
                WatchMode::Polling
            },
            reason,
            poll_every_secs: options.poll_every.as_secs(),
        };
        match &status.reason {
            Some(reason) => tracing::warn!(%reason, "music folders polled, not watched"),
            None => tracing::info!(folders = roots.len(), "watching the music folders"),
        }
        library.bus().publish(LibraryEvent::Watching {
            status: status.clone(),
        });
        let polling = status.mode == WatchMode::Polling;

        let mut pending = Pending::default();
        let mut enrich_wanted = false;
        let mut poll = tokio::time::interval_at(
            tokio::time::Instant::now() + options.poll_every,
            options.poll_every,
        );
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut enrich_retry = tokio::time::interval(options.enrich_retry);
        enrich_retry.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = cancel.cancelled() => return Ok(()),
                () = closing.cancelled() => return Ok(()),
                changed = folders_changed.changed() => {
                    if changed.is_err() {
                        return Ok(());
                    }
                    break; // watch the new list
                }
                Some(event) = rx.recv() => match event {
                    Ok(event) => {
                        if event.need_rescan() {
                            for root in &roots {
                                pending.touch(root, tokio::time::Instant::now());
                            }
                        }
                        pending.note(event.kind, &event.paths, tokio::time::Instant::now());
                    }
                    Err(err) => {
                        tracing::warn!(%err, "a change could not be followed: rescanning");
                        for root in &roots {
                            pending.touch(root, tokio::time::Instant::now());
                        }
                    }
                },
                () = sleep_until(pending.next_check(options.quiet, options.write_stall)) => {
                    let now = tokio::time::Instant::now();
                    let mut due = pending.due(now, options.quiet, options.write_stall);
                    // A file still open for writing holds its folder back, like one the watch
                    // saw being written.
                    let writing = open_for_writing(&due);
                    due.retain(|folder| {
                        let held = writing.iter().any(|file| file.starts_with(folder));
                        if held {
                            pending.touch(folder, now);
                        }
                        !held
                    });
                    enrich_wanted |= import(library, &due, &roots).await;
                }
                _ = poll.tick(), if polling => {
                    enrich_wanted |= import(library, &roots, &roots).await;
                }
                _ = enrich_retry.tick(), if enrich_wanted => {}
            }
            if enrich_wanted {
                enrich_wanted = !try_enrich(library, options.force_enrich).await;
            }
        }
    }
}

/// Imports each of `folders` again (as found within `roots`); whether something new or
/// changed came in.
async fn import(library: &crate::Library, folders: &[PathBuf], roots: &[PathBuf]) -> bool {
    let mut changed = false;
    for folder in folders {
        let Some(target) = import_target(folder, roots) else {
            continue;
        };
        match library.import_for_watch(&target).await {
            Ok(report) => {
                if report.added + report.updated + report.removed > 0 {
                    tracing::info!(
                        folder = %target.display(),
                        added = report.added,
                        updated = report.updated,
                        removed = report.removed,
                        "imported changes"
                    );
                }
                changed |= report.added + report.updated > 0;
                library
                    .bus()
                    .publish(LibraryEvent::FolderImported { report });
            }
            Err(err) => {
                tracing::warn!(folder = %target.display(), %err, "import failed");
                library.bus().publish(LibraryEvent::WatchFailed {
                    folder: target.display().to_string(),
                    message: err.to_string(),
                });
            }
        }
    }
    changed
}

/// Starts a run for new music if the settings ask for it and nothing holds it back; whether
/// the new music is taken care of (a run started, or none is wanted). A run already going, or
/// WiFi away under WiFi-only, means trying again later.
async fn try_enrich(library: &crate::Library, force: bool) -> bool {
    let request = match library.saved_request().await {
        Ok(request) => request,
        Err(err) => {
            tracing::warn!(%err, "the saved settings cannot be read: not enriching new music");
            return true;
        }
    };
    if !(force || request.config.auto_enrich) {
        return true;
    }
    if library.running_job().is_some() {
        return false;
    }
    match library.start_enrichment(request).await {
        Ok(_) => {
            tracing::info!("enriching new music");
            true
        }
        Err(err) => {
            let later = matches!(
                err.code(),
                crate::error::ErrorCode::NotOnWifi | crate::error::ErrorCode::JobAlreadyRunning
            );
            if later {
                tracing::info!(%err, "new music waits to be enriched");
            } else {
                tracing::warn!(%err, "new music cannot be enriched");
                library.bus().publish(LibraryEvent::WatchFailed {
                    folder: String::new(),
                    message: format!("new music cannot be enriched: {err}"),
                });
            }
            !later
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{DataChange, RemoveKind};

    fn p(s: &str) -> PathBuf {
        PathBuf::from(s)
    }

    #[tokio::test(start_paused = true)]
    async fn a_file_being_written_holds_its_folder_until_closed() {
        let quiet = Duration::from_secs(1);
        let stall = Duration::from_secs(60);
        let mut pending = Pending::default();
        let t0 = tokio::time::Instant::now();
        let song = p("/music/A/01.mp3");
        pending.note(
            EventKind::Create(CreateKind::File),
            std::slice::from_ref(&song),
            t0,
        );
        pending.note(
            EventKind::Modify(ModifyKind::Data(DataChange::Content)),
            std::slice::from_ref(&song),
            t0,
        );
        // Quiet for 5 s, but the copy has not closed the file: nothing is due.
        assert!(
            pending
                .due(t0 + Duration::from_secs(5), quiet, stall)
                .is_empty()
        );
        pending.note(
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            std::slice::from_ref(&song),
            t0 + Duration::from_secs(6),
        );
        assert!(
            pending
                .due(t0 + Duration::from_millis(6500), quiet, stall)
                .is_empty()
        );
        assert_eq!(
            pending.due(t0 + Duration::from_secs(7), quiet, stall),
            [p("/music/A")]
        );
        assert!(
            pending
                .due(t0 + Duration::from_secs(8), quiet, stall)
                .is_empty()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_stalled_write_stops_holding_and_nested_folders_fold_into_one_import() {
        let quiet = Duration::from_secs(1);
        let stall = Duration::from_secs(60);
        let mut pending = Pending::default();
        let t0 = tokio::time::Instant::now();
        pending.note(
            EventKind::Modify(ModifyKind::Data(DataChange::Content)),
            &[p("/music/A/CD1/01.flac")],
            t0,
        );
        pending.note(
            EventKind::Remove(RemoveKind::File),
            &[p("/music/A/x.mp3")],
            t0,
        );
        assert!(
            pending
                .due(t0 + Duration::from_secs(30), quiet, stall)
                .is_empty()
        );
        assert_eq!(
            pending.due(t0 + Duration::from_secs(61), quiet, stall),
            [p("/music/A")],
            "A holds A/CD1: one import of A"
        );
        // Reads are no change.
        pending.note(
            EventKind::Access(AccessKind::Open(notify::event::AccessMode::Read)),
            &[p("/music/B/01.mp3")],
            t0,
        );
        assert_eq!(pending.next_check(quiet, stall), None);
    }

    #[test]
    fn the_import_target_is_the_nearest_existing_folder_in_a_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("music");
        std::fs::create_dir_all(root.join("A")).unwrap();
        let roots = vec![root.clone()];
        assert_eq!(import_target(&root.join("A"), &roots), Some(root.join("A")));
        assert_eq!(
            import_target(&root.join("Gone/CD1"), &roots),
            Some(root.clone()),
            "a removed folder: its parent in the root"
        );
        assert_eq!(import_target(&dir.path().join("elsewhere"), &roots), None);
    }
}
