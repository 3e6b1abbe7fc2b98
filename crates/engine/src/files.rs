//! Opening the user's files without being turned against us: a name in a music folder may be a
//! FIFO (an open blocks until a writer comes), a link to a device (`/dev/zero` never ends), or a
//! file swapped for either after the walk looked at it. Every read of a file the engine did not
//! write goes through here.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Opens `path` for reading only when it is a regular file, without blocking (a FIFO swapped in
/// after a check would otherwise hang the open) and, when `follow_links` is false, without
/// following a final symbolic link. The type is checked on the open file, so no swap between
/// a check and the open can slip through.
pub fn open_regular(path: &Path, follow_links: bool) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut flags = libc::O_NONBLOCK;
    if !follow_links {
        flags |= libc::O_NOFOLLOW;
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(file)
}

/// The whole regular file at `path` (links followed), refused when it is larger than `max`
/// bytes: the read is bounded whatever the file claims or becomes.
pub fn read_bounded(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    let file = open_regular(path, true)?;
    let size = file.metadata()?.len();
    if size > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{size} bytes, more than the {max} read at most"),
        ));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("grew past the {max} bytes read at most while being read"),
        ));
    }
    Ok(bytes)
}

/// What a file that is not a regular one is, for people ("a FIFO", "a device", ...).
pub fn special_kind(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

/// When `path` is a temporary file a write-back left behind and its process is gone: that
/// process's id. Matched by exact pattern only (`.gatefold-PID-N.tmp`, and the older
/// `.NAME.gatefold-PID-N.tmp`), and only for a dead process: a running write-back's files are
/// never touched, nor anything a user could have named.
pub fn stale_write_back_temporary(path: &Path) -> Option<u32> {
    let name = path.file_name()?.to_str()?;
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let at = rest.rfind("gatefold-")?;
    // Either the whole name, or `NAME.` before it.
    if at != 0 && !rest[..at].ends_with('.') {
        return None;
    }
    let (pid, n) = rest[at + "gatefold-".len()..].split_once('-')?;
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(pid) || !all_digits(n) {
        return None;
    }
    let pid: u32 = pid.parse().ok()?;
    let alive = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
    (!alive).then_some(pid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_dead_write_backs_temporaries_are_stale() {
        // No process has an id this high (the kernel's limit is 2^22).
        let dead = 4_194_304 + 7;
        let stale = |name: &str| stale_write_back_temporary(Path::new(name));
        assert_eq!(stale(&format!(".gatefold-{dead}-3.tmp")), Some(dead));
        assert_eq!(
            stale(&format!("/m/a/.01 Song.mp3.gatefold-{dead}-0.tmp")),
            Some(dead)
        );
        let me = std::process::id();
        assert_eq!(
            stale(&format!(".gatefold-{me}-3.tmp")),
            None,
            "a running write-back's"
        );
        assert_eq!(
            stale(&format!(".gatefold-{}-3.tmp", 1)),
            None,
            "a live process's"
        );
        for name in [
            "gatefold-99999999-1.tmp",
            ".gatefold-99999999-1.tmp.bak",
            ".gatefold-x-1.tmp",
            ".gatefold-99999999-.tmp",
            ".mygatefold-99999999-1.tmp",
            ".gatefold-99999999-1-2.tmp",
            "song.mp3",
        ] {
            assert_eq!(stale(name), None, "{name}");
        }
    }

    #[test]
    fn special_files_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("a.lrc");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(
            open_regular(&fifo, true).unwrap_err().kind(),
            std::io::ErrorKind::InvalidInput
        );
        let zero = dir.path().join("b.lrc");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(read_bounded(&zero, 1024).is_err());
        assert!(
            open_regular(&zero, false).is_err(),
            "a link is not followed"
        );

        let text = dir.path().join("c.lrc");
        std::fs::write(&text, b"12345").unwrap();
        assert_eq!(read_bounded(&text, 5).unwrap(), b"12345");
        assert!(read_bounded(&text, 4).is_err());
        let link = dir.path().join("d.lrc");
        std::os::unix::fs::symlink(&text, &link).unwrap();
        assert_eq!(
            read_bounded(&link, 5).unwrap(),
            b"12345",
            "links are followed"
        );
    }
}
