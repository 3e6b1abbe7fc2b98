//! Atomic file writes beside the music: a temporary file in the same folder, synced, then moved
//! into place. Without `replace`, the move refuses to clobber (a hard link, which fails when the
//! name exists), so a file that appeared meanwhile is never overwritten.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A temporary file beside its target, removed unless [`TempFile::commit`] moved it in place.
pub(super) struct TempFile {
    path: PathBuf,
    committed: bool,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl TempFile {
    /// A new, empty file beside `target`: hidden (a scan or a player ignores it) and short,
    /// `.gatefold-<pid>-<n>.tmp` whatever the target's name, so a target whose name is near the
    /// file system's 255-byte limit can still be written. Created here (never an existing file
    /// taken over), so dropping it removes only what this write-back made.
    pub(super) fn beside(target: &Path) -> std::io::Result<TempFile> {
        let dir = target.parent().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "no parent folder")
        })?;
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!(".gatefold-{}-{n}.tmp", std::process::id()));
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => {
                    return Ok(TempFile {
                        path,
                        committed: false,
                    });
                }
                // Someone else's file by that name: never touched; the next name is tried.
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(err) => return Err(err),
            }
        }
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the temporary file to `target`: replacing it when `replace`, else only if `target`
    /// does not exist.
    pub(super) fn commit(mut self, target: &Path, replace: bool) -> std::io::Result<()> {
        if replace {
            fs::rename(&self.path, target)?;
        } else {
            fs::hard_link(&self.path, target)?;
            fs::remove_file(&self.path)?;
        }
        self.committed = true;
        if let Some(dir) = target.parent() {
            // Make the rename itself durable.
            let _ = fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Why `target` must not be written, judged from the entry itself (never following a link or
/// opening it, so a FIFO cannot block and a device cannot stream forever):
/// - a symbolic link: writing replaces the name, so the link would become a copy and the file
///   it points to would never change;
/// - anything but a regular file (a FIFO, a socket, a device, a folder);
/// - a file with other hard links: the new copy would separate this name from the others.
///
/// `None` when it is a lone regular file or absent (a sidecar to create).
pub(super) fn special_file_reason(target: &Path) -> Option<String> {
    let meta = fs::symlink_metadata(target).ok()?;
    let kind = meta.file_type();
    if kind.is_symlink() {
        return Some(format!(
            "{} is a symbolic link (writing would replace the link with a copy and leave its target as it is); left as it is",
            target.display()
        ));
    }
    if !kind.is_file() {
        return Some(format!(
            "{} is {}, not a regular file; left as it is",
            target.display(),
            crate::files::special_kind(kind)
        ));
    }
    use std::os::unix::fs::MetadataExt;
    if meta.nlink() > 1 {
        return Some(format!(
            "{} has {} hard links; writing a new copy would separate it from the others, so it is left as it is",
            target.display(),
            meta.nlink()
        ));
    }
    None
}

/// Whether the regular file at `path` holds exactly `bytes`: sizes first, so a file of another
/// size is never read, and the read is bounded by `bytes`' length. `Ok(None)` when it does not
/// exist.
pub(super) fn holds_exactly(path: &Path, bytes: &[u8]) -> std::io::Result<Option<bool>> {
    use std::io::Read;
    let file = match crate::files::open_regular(path, false) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err),
    };
    if file.metadata()?.len() != bytes.len() as u64 {
        return Ok(Some(false));
    }
    let mut existing = Vec::with_capacity(bytes.len());
    file.take(bytes.len() as u64 + 1)
        .read_to_end(&mut existing)?;
    Ok(Some(existing == bytes))
}

/// Writes `bytes` to `target` atomically (see the module comment).
pub(super) fn write_atomic(target: &Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    let temp = TempFile::beside(target)?;
    let mut file = fs::OpenOptions::new().write(true).open(temp.path())?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    temp.commit(target, replace)
}

/// Why `path` may not be written, if it may not: it, or the folder a new file would go in, has
/// no write permission at all. (Checked by mode, so that running as root does not override the
/// user's choice to make a file read-only.)
pub(super) fn read_only_reason(path: &Path) -> Option<String> {
    if let Ok(meta) = fs::metadata(path)
        && meta.permissions().readonly()
    {
        return Some(format!("{} is read-only", path.display()));
    }
    let dir = path.parent()?;
    match fs::metadata(dir) {
        Ok(meta) if meta.permissions().readonly() => {
            Some(format!("the folder {} is read-only", dir.display()))
        }
        Ok(_) => None,
        Err(err) => Some(format!(
            "the folder {} cannot be read: {err}",
            dir.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_atomically_and_never_clobbers_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("song.lrc");
        write_atomic(&target, b"one", false).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"one");
        let err = write_atomic(&target, b"two", false).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&target).unwrap(), b"one");
        write_atomic(&target, b"two", true).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left behind");
    }
}
