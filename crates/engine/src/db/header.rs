//! What a library file is, judged before SQLite may touch it.
//!
//! SQLite must not open a file that is not ours: in WAL mode even a read creates `-wal` and
//! `-shm` siblings, and a read-write open may checkpoint. So the 100-byte database header is read
//! by hand. But the header SQLite sees is not always the one in the main file: in WAL mode the
//! newest committed copy of page 1 may still be in `<db>-wal` (a fresh library killed before its
//! first checkpoint, a window closed without closing the pool, a copy of `db` + `-wal` without
//! `-shm`). So this module reads the WAL too, the way SQLite recovers it: frames are valid while
//! their salts match the WAL header and their cumulative checksums hold, and only frames up to
//! the last valid commit count. The newest committed page 1 there wins over the main file's.
//!
//! Nothing here writes, and nothing creates a file.

use std::fs::File;
use std::io::{BufReader, ErrorKind, Read};
use std::path::Path;

use crate::error::{EngineError, Result};

/// SQLite's header size, and the magic string it starts with.
pub(super) const HEADER_LEN: usize = 100;
const MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// WAL magic: the low bit says whether checksums read words big-endian.
const WAL_MAGIC: u32 = 0x377f_0682;
const WAL_HEADER_LEN: usize = 32;
const WAL_FRAME_HEADER_LEN: usize = 24;

/// The database header as SQLite would see it, and where it came from.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Header {
    /// No file, or an empty one with no committed WAL frames: nothing to protect.
    Absent {
        /// The file exists but is empty (a new library will be made in it: worth saying).
        empty_file: bool,
    },
    /// The first 100 bytes of page 1 (from the WAL when it holds a newer committed copy).
    Present {
        bytes: Box<[u8; HEADER_LEN]>,
        from_wal: bool,
    },
    /// The main file has bytes but too few for a header, and the WAL has no page 1.
    Short,
}

/// Reads the header of the library at `path` (and its `-wal`), without SQLite.
pub(super) fn read(path: &Path) -> Result<Header> {
    let main = match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(EngineError::NotAGatefoldDatabase {
                path: path.to_path_buf(),
                reason: "it is a folder".to_owned(),
            });
        }
        Ok(meta) => Some(meta.len()),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(EngineError::io(path, e)),
    };
    if let Some(bytes) = wal_page_one_header(&super::sibling(path, "-wal"))? {
        return Ok(Header::Present {
            bytes,
            from_wal: true,
        });
    }
    match main {
        None => Ok(Header::Absent { empty_file: false }),
        Some(0) => Ok(Header::Absent { empty_file: true }),
        Some(_) => {
            let mut file = File::open(path).map_err(|e| EngineError::io(path, e))?;
            let mut bytes = Box::new([0u8; HEADER_LEN]);
            if read_full(&mut file, &mut bytes[..]).map_err(|e| EngineError::io(path, e))?
                < HEADER_LEN
            {
                return Ok(Header::Short);
            }
            Ok(Header::Present {
                bytes,
                from_wal: false,
            })
        }
    }
}

impl Header {
    /// Whether the bytes start with SQLite's magic string.
    pub(super) fn is_sqlite(bytes: &[u8; HEADER_LEN]) -> bool {
        &bytes[..MAGIC.len()] == MAGIC
    }

    /// `PRAGMA user_version` and `PRAGMA application_id` from header bytes.
    pub(super) fn versions(bytes: &[u8; HEADER_LEN]) -> (i64, i32) {
        let be = |at: usize| {
            i32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        (i64::from(be(60)), be(68))
    }
}

/// The first 100 bytes of the newest committed page 1 in the WAL at `wal`, if any.
fn wal_page_one_header(wal: &Path) -> Result<Option<Box<[u8; HEADER_LEN]>>> {
    let file = match File::open(wal) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(EngineError::io(wal, e)),
    };
    newest_committed_page_one(BufReader::new(file)).map_err(|e| EngineError::io(wal, e))
}

/// Walks the WAL's frames as SQLite's recovery does (see the module docs).
fn newest_committed_page_one(mut wal: impl Read) -> std::io::Result<Option<Box<[u8; HEADER_LEN]>>> {
    let mut header = [0u8; WAL_HEADER_LEN];
    if read_full(&mut wal, &mut header)? < WAL_HEADER_LEN {
        return Ok(None);
    }
    let word = |bytes: &[u8], at: usize| {
        u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
    };
    let magic = word(&header, 0);
    if magic & !1 != WAL_MAGIC {
        return Ok(None);
    }
    let big_endian = magic & 1 == 1;
    let page_size = word(&header, 8) as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Ok(None);
    }
    let salts = (word(&header, 16), word(&header, 20));
    let mut sum = checksum((0, 0), &header[..24], big_endian);
    if sum != (word(&header, 24), word(&header, 28)) {
        return Ok(None);
    }

    let mut frame_header = [0u8; WAL_FRAME_HEADER_LEN];
    let mut page = vec![0u8; page_size];
    let mut pending: Option<Box<[u8; HEADER_LEN]>> = None;
    let mut committed: Option<Box<[u8; HEADER_LEN]>> = None;
    loop {
        if read_full(&mut wal, &mut frame_header)? < WAL_FRAME_HEADER_LEN
            || read_full(&mut wal, &mut page)? < page_size
        {
            break;
        }
        if (word(&frame_header, 8), word(&frame_header, 12)) != salts {
            break;
        }
        sum = checksum(sum, &frame_header[..8], big_endian);
        sum = checksum(sum, &page, big_endian);
        if sum != (word(&frame_header, 16), word(&frame_header, 20)) {
            break;
        }
        let page_number = word(&frame_header, 0);
        if page_number == 0 {
            break;
        }
        if page_number == 1 {
            let mut bytes = Box::new([0u8; HEADER_LEN]);
            bytes.copy_from_slice(&page[..HEADER_LEN]);
            pending = Some(bytes);
        }
        if word(&frame_header, 4) != 0 {
            // A commit frame: what came before it is the database now.
            if let Some(bytes) = pending.take() {
                committed = Some(bytes);
            }
        }
    }
    Ok(committed)
}

/// SQLite's WAL checksum: pairs of 32-bit words, added with a running feedback.
fn checksum(mut sum: (u32, u32), data: &[u8], big_endian: bool) -> (u32, u32) {
    for pair in data.chunks_exact(8) {
        let read = |b: &[u8]| {
            let b = [b[0], b[1], b[2], b[3]];
            if big_endian {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        };
        sum.0 = sum.0.wrapping_add(read(&pair[..4])).wrapping_add(sum.1);
        sum.1 = sum.1.wrapping_add(read(&pair[4..])).wrapping_add(sum.0);
    }
    sum
}

/// Reads until `buf` is full or the input ends; returns how many bytes were read.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut read = 0;
    while read < buf.len() {
        match input.read(&mut buf[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: usize = 512;

    /// A WAL in SQLite's format, built frame by frame.
    struct Wal {
        bytes: Vec<u8>,
        sum: (u32, u32),
        salts: (u32, u32),
        big_endian: bool,
    }

    impl Wal {
        fn new(big_endian: bool, salts: (u32, u32)) -> Self {
            let mut bytes = Vec::new();
            bytes.extend((WAL_MAGIC | u32::from(big_endian)).to_be_bytes());
            bytes.extend(3_007_000u32.to_be_bytes());
            bytes.extend((PAGE as u32).to_be_bytes());
            bytes.extend(0u32.to_be_bytes());
            bytes.extend(salts.0.to_be_bytes());
            bytes.extend(salts.1.to_be_bytes());
            let sum = checksum((0, 0), &bytes, big_endian);
            bytes.extend(sum.0.to_be_bytes());
            bytes.extend(sum.1.to_be_bytes());
            Wal {
                bytes,
                sum,
                salts,
                big_endian,
            }
        }

        fn frame(&mut self, page_number: u32, commit: bool, fill: u8) -> &mut Self {
            self.frame_with_salts(page_number, commit, fill, self.salts)
        }

        fn frame_with_salts(
            &mut self,
            page_number: u32,
            commit: bool,
            fill: u8,
            salts: (u32, u32),
        ) -> &mut Self {
            let mut head = Vec::new();
            head.extend(page_number.to_be_bytes());
            head.extend(u32::from(commit).to_be_bytes());
            let page = vec![fill; PAGE];
            self.sum = checksum(self.sum, &head, self.big_endian);
            self.sum = checksum(self.sum, &page, self.big_endian);
            head.extend(salts.0.to_be_bytes());
            head.extend(salts.1.to_be_bytes());
            head.extend(self.sum.0.to_be_bytes());
            head.extend(self.sum.1.to_be_bytes());
            self.bytes.extend(head);
            self.bytes.extend(page);
            self
        }

        fn page_one(&self) -> Option<u8> {
            newest_committed_page_one(&self.bytes[..])
                .unwrap()
                .map(|h| h[0])
        }
    }

    #[test]
    fn the_newest_committed_page_one_wins() {
        for big_endian in [false, true] {
            let mut wal = Wal::new(big_endian, (7, 9));
            wal.frame(1, false, 0xa1)
                .frame(2, true, 0xb2)
                .frame(1, true, 0xa3);
            assert_eq!(wal.page_one(), Some(0xa3), "big-endian: {big_endian}");
        }
    }

    #[test]
    fn frames_after_the_last_commit_do_not_count() {
        let mut wal = Wal::new(false, (1, 2));
        wal.frame(1, true, 0x11)
            .frame(1, false, 0x22)
            .frame(3, false, 0);
        assert_eq!(wal.page_one(), Some(0x11));
    }

    #[test]
    fn a_torn_frame_ends_the_log() {
        let mut wal = Wal::new(false, (1, 2));
        wal.frame(1, true, 0x11).frame(1, true, 0x22);
        wal.bytes.truncate(wal.bytes.len() - 10);
        assert_eq!(wal.page_one(), Some(0x11), "a half-written frame");

        let mut wal = Wal::new(false, (1, 2));
        wal.frame(1, true, 0x11).frame(1, true, 0x22);
        let last = wal.bytes.len() - 1;
        wal.bytes[last] ^= 0xff;
        assert_eq!(wal.page_one(), Some(0x11), "a frame whose checksum fails");
    }

    #[test]
    fn frames_of_an_older_generation_are_ignored() {
        // After a checkpoint restarts the log, old frames past the new ones keep old salts.
        let mut wal = Wal::new(false, (5, 6));
        wal.frame(2, true, 0x11)
            .frame_with_salts(1, true, 0x22, (4, 6));
        assert_eq!(wal.page_one(), None);
    }

    #[test]
    fn no_wal_or_a_foreign_one_gives_nothing() {
        assert_eq!(newest_committed_page_one(&b""[..]).unwrap(), None);
        assert_eq!(
            newest_committed_page_one(&[0u8; 4096][..]).unwrap(),
            None,
            "zeros"
        );
        let mut wal = Wal::new(false, (1, 2));
        wal.frame(1, true, 0x11);
        wal.bytes[25] ^= 1; // the header's own checksum
        assert_eq!(wal.page_one(), None);
    }
}
