//! Walking a music folder: audio files with their size and mtime, and per folder the cover images
//! and lyrics sidecars that sit beside them. Symlinks are followed; loops, broken links, files
//! reached twice and unreadable folders are reported and do not stop the walk.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::FileStamp;

/// File extensions read as audio (lower case). lofty reads all of them.
const AUDIO_EXTENSIONS: &[&str] = &[
    "mp3", "mp2", "flac", "m4a", "m4b", "aac", "alac", "ogg", "oga", "opus", "spx", "wav", "wave",
    "aif", "aiff", "aifc", "wv", "ape", "mpc",
];

/// Cover image names, best first; matched case-insensitively with one of [`COVER_EXTENSIONS`].
const COVER_NAMES: &[&str] = &["cover", "folder", "front", "albumart"];
const COVER_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp"];

/// An audio file found by the walk, with the local assets that belong to it.
#[derive(Debug, Clone)]
pub(crate) struct FoundAudio {
    pub path: PathBuf,
    pub stamp: FileStamp,
    /// The folder the track's album lives in (see [`album_folder`]).
    pub album_folder: PathBuf,
    pub folder_cover: Option<(PathBuf, i64)>,
    pub lyrics_sidecar: Option<(PathBuf, i64)>,
}

/// Something the walk could not read or chose to skip.
#[derive(Debug, Clone)]
pub(crate) struct WalkIssue {
    pub path: PathBuf,
    pub reason: String,
    /// `true` when files may have been missed (an unreadable folder or file); `false` for what is
    /// skipped on purpose (symlink loops, broken links, files reached twice).
    pub missed_files: bool,
}

#[derive(Debug, Default)]
pub(crate) struct WalkOutput {
    pub audio: Vec<FoundAudio>,
    pub issues: Vec<WalkIssue>,
    /// Temporary files an interrupted write-back left, removed: each with what was done.
    pub removed: Vec<(PathBuf, String)>,
}

#[derive(Debug, Default)]
struct FolderAssets {
    /// (rank in COVER_NAMES, path, mtime)
    cover: Option<(usize, PathBuf, i64)>,
    /// by file stem: (path, mtime, is .lrc)
    sidecars: HashMap<OsString, (PathBuf, i64, bool)>,
}

pub(crate) fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.mtime()
        .saturating_mul(1_000_000_000)
        .saturating_add(meta.mtime_nsec())
}

fn lower_extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Walks `root` (blocking).
pub(crate) fn walk(root: &Path) -> WalkOutput {
    let mut out = WalkOutput::default();
    let mut folders: HashMap<PathBuf, FolderAssets> = HashMap::new();
    let mut audio: Vec<(PathBuf, FileStamp)> = Vec::new();
    let mut seen_inodes: HashSet<(u64, u64)> = HashSet::new();

    for entry in WalkDir::new(root).follow_links(true).sort_by_file_name() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path = err.path().unwrap_or(root).to_path_buf();
                let issue = if let Some(ancestor) = err.loop_ancestor() {
                    WalkIssue {
                        reason: format!(
                            "symbolic link loop back to {}, not followed",
                            ancestor.display()
                        ),
                        path,
                        missed_files: false,
                    }
                } else if err
                    .io_error()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound)
                {
                    WalkIssue {
                        path,
                        reason: "broken symbolic link, skipped".into(),
                        missed_files: false,
                    }
                } else {
                    let reason = match err.io_error() {
                        Some(io) => format!("cannot read: {io}"),
                        None => format!("cannot read: {err}"),
                    };
                    WalkIssue {
                        path,
                        reason,
                        missed_files: true,
                    }
                };
                out.issues.push(issue);
                continue;
            }
        };
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        let path = entry.path();
        if kind.is_file()
            && !entry.path_is_symlink()
            && let Some(pid) = crate::files::stale_write_back_temporary(path)
        {
            match std::fs::remove_file(path) {
                Ok(()) => out.removed.push((
                    path.to_path_buf(),
                    format!("a temporary file an interrupted write-back left (its process {pid} is gone), removed"),
                )),
                Err(err) => out.issues.push(WalkIssue {
                    path: path.to_path_buf(),
                    reason: format!("a temporary file an interrupted write-back left, which cannot be removed: {err}"),
                    missed_files: false,
                }),
            }
            continue;
        }
        let Some(ext) = lower_extension(path) else {
            continue;
        };
        let is_audio = AUDIO_EXTENSIONS.contains(&ext.as_str());
        let is_cover = COVER_EXTENSIONS.contains(&ext.as_str());
        let is_sidecar = ext == "lrc" || ext == "txt";
        if !(is_audio || is_cover || is_sidecar) {
            continue;
        }
        if !kind.is_file() {
            // A FIFO would block the reader, a device (or a link to one) never ends: named like
            // music, they are said and skipped, never opened.
            out.issues.push(WalkIssue {
                path: path.to_path_buf(),
                reason: format!(
                    "{}, not a regular file: skipped",
                    crate::files::special_kind(kind)
                ),
                missed_files: false,
            });
            continue;
        }
        let meta = match entry.metadata() {
            Ok(meta) => meta,
            Err(err) => {
                out.issues.push(WalkIssue {
                    path: path.to_path_buf(),
                    reason: format!("cannot read file metadata: {err}"),
                    missed_files: is_audio,
                });
                continue;
            }
        };
        let mtime = mtime_ns(&meta);
        let Some(parent) = path.parent() else {
            continue;
        };
        if is_audio {
            if !seen_inodes.insert((meta.dev(), meta.ino())) {
                out.issues.push(WalkIssue {
                    path: path.to_path_buf(),
                    reason: "same file already found under another path (a symbolic link), skipped"
                        .into(),
                    missed_files: false,
                });
                continue;
            }
            let size = i64::try_from(meta.len()).unwrap_or(i64::MAX);
            audio.push((
                path.to_path_buf(),
                FileStamp {
                    size,
                    mtime_ns: mtime,
                },
            ));
        } else if is_cover {
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .map(str::to_ascii_lowercase);
            if let Some(rank) = stem.and_then(|s| COVER_NAMES.iter().position(|n| *n == s)) {
                let assets = folders.entry(parent.to_path_buf()).or_default();
                if assets
                    .cover
                    .as_ref()
                    .is_none_or(|(best, _, _)| rank < *best)
                {
                    assets.cover = Some((rank, path.to_path_buf(), mtime));
                }
            }
        } else if meta.len() > super::lyrics::MAX_SIDECAR_BYTES {
            out.issues.push(WalkIssue {
                path: path.to_path_buf(),
                reason: format!(
                    "a lyrics file of {} bytes, more than the {} read at most: skipped",
                    meta.len(),
                    super::lyrics::MAX_SIDECAR_BYTES
                ),
                missed_files: false,
            });
        } else if let Some(stem) = path.file_stem() {
            let is_lrc = ext == "lrc";
            let assets = folders.entry(parent.to_path_buf()).or_default();
            let slot = assets.sidecars.entry(stem.to_os_string());
            match slot {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert((path.to_path_buf(), mtime, is_lrc));
                }
                std::collections::hash_map::Entry::Occupied(mut o) => {
                    if is_lrc && !o.get().2 {
                        o.insert((path.to_path_buf(), mtime, is_lrc));
                    }
                }
            }
        }
    }

    out.audio = audio
        .into_iter()
        .map(|(path, stamp)| {
            let dir = path.parent().unwrap_or(root).to_path_buf();
            let (album_folder, is_bare_disc_folder) = album_folder(&dir);
            let own = folders.get(&dir);
            let folder_cover = own
                .and_then(|a| a.cover.as_ref())
                .or_else(|| {
                    // Album/CD1/track.flac with Album/cover.jpg
                    is_bare_disc_folder
                        .then(|| folders.get(&album_folder).and_then(|a| a.cover.as_ref()))
                        .flatten()
                })
                .map(|(_, p, m)| (p.clone(), *m));
            let lyrics_sidecar = path.file_stem().and_then(|stem| {
                own.and_then(|a| a.sidecars.get(stem))
                    .map(|(p, m, _)| (p.clone(), *m))
            });
            FoundAudio {
                path,
                stamp,
                album_folder,
                folder_cover,
                lyrics_sidecar,
            }
        })
        .collect();
    out
}

/// The folder an album lives in: the track's folder, except for the discs of a multi-disc set.
/// `Album/CD1` and `Album/Disc 2` belong to `Album`; `Album (Disc 1)`, `Album [CD 2]` and
/// `Album - CD2` belong to the virtual folder `Album` beside them. The flag tells the first form
/// (a bare disc folder inside the album folder, whose parent may hold the cover).
pub(crate) fn album_folder(dir: &Path) -> (PathBuf, bool) {
    let (Some(name), Some(parent)) = (dir.file_name().and_then(|n| n.to_str()), dir.parent())
    else {
        return (dir.to_path_buf(), false);
    };
    match strip_disc_suffix(name) {
        Some("") => (parent.to_path_buf(), true),
        Some(prefix) => (parent.join(prefix), false),
        None => (dir.to_path_buf(), false),
    }
}

/// For a folder name ending in a disc marker ("CD1", "Disc 2", "(Disk 3)", "[CD 04]"), the name
/// before the marker with its separators trimmed; `None` otherwise.
fn strip_disc_suffix(name: &str) -> Option<&str> {
    let trimmed = name.trim_end_matches([')', ']', ' ']);
    let digits_start = trimmed.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits_start == trimmed.len() || trimmed.len() - digits_start > 3 {
        return None;
    }
    let before_digits = trimmed[..digits_start].trim_end_matches([' ', '-', '_', '.']);
    let lower = before_digits.to_ascii_lowercase();
    let marker = ["disc", "disk", "cd"]
        .into_iter()
        .find(|m| lower.ends_with(m))?;
    let prefix = &before_digits[..before_digits.len() - marker.len()];
    // the marker must start a word: "Abcd1" is not a disc folder
    if prefix
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric())
    {
        return None;
    }
    Some(prefix.trim_end_matches([' ', '-', '_', '(', '[', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disc_folders() {
        // (folder, the album folder it belongs to, whether it is a disc folder of it)
        let cases = [
            ("/m/Album/CD1", "/m/Album", true),
            ("/m/Album/Disc 2", "/m/Album", true),
            ("/m/Album/disk-03", "/m/Album", true),
            ("/m/A/Album (Disc 1)", "/m/A/Album", false),
            ("/m/A/Album [CD 2]", "/m/A/Album", false),
            ("/m/A/Album - CD2", "/m/A/Album", false),
            ("/m/A/Abcd1", "/m/A/Abcd1", false),
            ("/m/A/Blink 182", "/m/A/Blink 182", false),
            ("/m/A/1999", "/m/A/1999", false),
        ];
        for (folder, album, disc) in cases {
            assert_eq!(
                album_folder(Path::new(folder)),
                (PathBuf::from(album), disc),
                "{folder}"
            );
        }
    }
}
