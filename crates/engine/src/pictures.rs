//! Whether a large audio file carries a front cover, found from the tag's structure alone: the
//! picture itself is never read, so a 100 MB picture costs a few header reads, not 100 MB.
//!
//! lofty loads every picture it reads, so large files are read with pictures off: the scan asks
//! this module whether there is a cover, and the local artwork source reads just the cover's
//! bytes, within a limit. It knows the containers where large files occur: ID3v2 (MP3 at the
//! start of the file; WAV and AIFF in an `id3 `/`ID3 ` chunk) and FLAC's `PICTURE` blocks. For
//! other formats (and an ID3v2 tag whose frames are unsynchronised as a whole, which cannot be
//! walked without decoding it) the answer is "none", and the cover is found online instead.

use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use lofty::file::FileType;

/// Files larger than this are read by lofty without their pictures; this module looks for them.
pub const LARGE_FILE: u64 = 32 * 1024 * 1024;

/// Where a cover's image bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cover {
    /// `len` bytes at `offset` in the file.
    At { offset: u64, len: u64 },
    /// A cover is there, stored in a way that needs decoding (a compressed or unsynchronised
    /// frame): it counts, but is not read here.
    Encoded,
}

/// Whether the file at `path` (of `file_type`) holds a front cover (or an untyped picture).
pub fn has_front_cover(path: &Path, file_type: FileType) -> std::io::Result<bool> {
    Ok(locate(path, file_type)?.is_some())
}

/// The image bytes of the file's front cover, when it has one of at most `max` bytes stored as
/// it is; only those bytes are read.
pub fn read_front_cover(
    path: &Path,
    file_type: FileType,
    max: u64,
) -> std::io::Result<Option<Vec<u8>>> {
    let Some(Cover::At { offset, len }) = locate(path, file_type)? else {
        return Ok(None);
    };
    if len == 0 || len > max {
        return Ok(None);
    }
    let mut file = crate::files::open_regular(path, true)?;
    file.seek(SeekFrom::Start(offset))?;
    let mut bytes = vec![0u8; usize::try_from(len).unwrap_or(usize::MAX)];
    file.read_exact(&mut bytes)?;
    Ok(Some(bytes))
}

fn locate(path: &Path, file_type: FileType) -> std::io::Result<Option<Cover>> {
    let mut file = BufReader::new(crate::files::open_regular(path, true)?);
    match file_type {
        FileType::Mpeg => id3v2_cover(&mut file),
        FileType::Wav => match find_chunk(&mut file, b"RIFF", u32::from_le_bytes)? {
            true => id3v2_cover(&mut file),
            false => Ok(None),
        },
        FileType::Aiff => match find_chunk(&mut file, b"FORM", u32::from_be_bytes)? {
            true => id3v2_cover(&mut file),
            false => Ok(None),
        },
        FileType::Flac => flac_cover(&mut file),
        _ => Ok(None),
    }
}

/// Whether a picture of ID3v2/FLAC picture type `kind` counts as the cover: a front cover,
/// "other" or a type past the defined ones (never a back cover, a leaflet, ...).
fn is_cover_type(kind: u32) -> bool {
    kind == 3 || kind == 0 || kind > 20
}

fn read_array<const N: usize>(file: &mut impl Read) -> std::io::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    file.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn syncsafe(bytes: [u8; 4]) -> u64 {
    bytes
        .iter()
        .fold(0u64, |n, b| (n << 7) | u64::from(b & 0x7f))
}

/// Moves `file` to the payload of the container's ID3 chunk (`id3 ` or `ID3 `); `false` when
/// there is none.
fn find_chunk<R: Read + Seek>(
    file: &mut R,
    magic: &[u8; 4],
    size_of: fn([u8; 4]) -> u32,
) -> std::io::Result<bool> {
    let header: [u8; 12] = read_array(file)?;
    if &header[..4] != magic {
        return Ok(false);
    }
    loop {
        let Ok(chunk) = read_array::<8>(file) else {
            return Ok(false);
        };
        if chunk[..4].eq_ignore_ascii_case(b"id3 ") {
            return Ok(true);
        }
        let size = u64::from(size_of([chunk[4], chunk[5], chunk[6], chunk[7]]));
        file.seek(SeekFrom::Current(
            i64::try_from(size + (size & 1)).unwrap_or(i64::MAX),
        ))?;
    }
}

/// Walks the frame headers of the ID3v2 tag at the reader's position, looking at each picture
/// frame's header (a few bytes) and seeking over everything else.
fn id3v2_cover<R: Read + Seek>(file: &mut R) -> std::io::Result<Option<Cover>> {
    let Ok(header) = read_array::<10>(file) else {
        return Ok(None);
    };
    if &header[..3] != b"ID3" {
        return Ok(None);
    }
    let (version, flags) = (header[3], header[5]);
    let tag_end = file.stream_position()? + syncsafe([header[6], header[7], header[8], header[9]]);
    if flags & 0x80 != 0 && version < 4 {
        // The whole tag is unsynchronised: its frames cannot be walked as they are.
        return Ok(None);
    }
    if flags & 0x40 != 0 {
        let size: [u8; 4] = read_array(file)?;
        let skip = match version {
            3 => u64::from(u32::from_be_bytes(size)),
            _ => syncsafe(size).saturating_sub(4),
        };
        file.seek(SeekFrom::Current(i64::try_from(skip).unwrap_or(i64::MAX)))?;
    }
    let (id_len, picture_id): (usize, &[u8]) = if version == 2 {
        (3, b"PIC")
    } else {
        (4, b"APIC")
    };
    while file.stream_position()? + 10 <= tag_end {
        let mut frame = [0u8; 10];
        let header_len = if version == 2 { 6 } else { 10 };
        file.read_exact(&mut frame[..header_len])?;
        let id = &frame[..id_len];
        if id.iter().all(|b| *b == 0) {
            return Ok(None); // padding: no more frames
        }
        let size = match version {
            2 => u64::from(u32::from_be_bytes([0, frame[3], frame[4], frame[5]])),
            3 => u64::from(u32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]])),
            _ => syncsafe([frame[4], frame[5], frame[6], frame[7]]),
        };
        let payload_start = file.stream_position()?;
        let frame_end = payload_start + size;
        if id == picture_id && size > 1 {
            let format_flags = frame[9];
            match version {
                // Compressed, encrypted or unsynchronised: the picture needs decoding.
                4 if format_flags & 0x0e != 0 => return Ok(Some(Cover::Encoded)),
                3 if format_flags & 0xe0 != 0 => return Ok(Some(Cover::Encoded)),
                // A data length indicator comes first.
                4 if format_flags & 0x01 != 0 => {
                    let _length: [u8; 4] = read_array(file)?;
                }
                _ => {}
            }
            if let Some((kind, encoding)) = picture_kind(file, version)?
                && is_cover_type(kind)
                && skip_description(file, encoding, frame_end)?
            {
                let offset = file.stream_position()?;
                return Ok(Some(Cover::At {
                    offset,
                    len: frame_end.saturating_sub(offset),
                }));
            }
        }
        file.seek(SeekFrom::Start(frame_end))?;
    }
    Ok(None)
}

/// Reads past a picture frame's description (NUL-terminated; two NULs on a 2-byte boundary in
/// UTF-16), stopping at `end`; `false` when it does not end before the frame does.
fn skip_description<R: Read + Seek>(file: &mut R, encoding: u8, end: u64) -> std::io::Result<bool> {
    let wide = matches!(encoding, 1 | 2);
    while file.stream_position()? < end {
        if wide {
            let unit: [u8; 2] = read_array(file)?;
            if unit == [0, 0] {
                return Ok(true);
            }
        } else {
            let [b]: [u8; 1] = read_array(file)?;
            if b == 0 {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The picture type and text encoding of the picture frame whose payload starts at the
/// reader's position: text encoding, then the MIME type (NUL-terminated; a 3-letter format in
/// ID3v2.2), then the type.
fn picture_kind(file: &mut impl Read, version: u8) -> std::io::Result<Option<(u32, u8)>> {
    let [encoding]: [u8; 1] = read_array(file)?;
    if version == 2 {
        let _format: [u8; 3] = read_array(file)?;
    } else {
        // A MIME type is short; one longer than 64 bytes is not a picture frame worth trusting.
        let mut mime_len = 0;
        loop {
            let [b]: [u8; 1] = read_array(file)?;
            if b == 0 {
                break;
            }
            mime_len += 1;
            if mime_len > 64 {
                return Ok(None);
            }
        }
    }
    let [kind]: [u8; 1] = read_array(file)?;
    Ok(Some((u32::from(kind), encoding)))
}

/// Walks FLAC's metadata block headers, reading the header fields of each `PICTURE` block.
fn flac_cover<R: Read + Seek>(file: &mut R) -> std::io::Result<Option<Cover>> {
    let magic: [u8; 4] = read_array(file)?;
    if &magic != b"fLaC" {
        return Ok(None);
    }
    let u32_at = |file: &mut R| -> std::io::Result<u64> {
        Ok(u64::from(u32::from_be_bytes(read_array(file)?)))
    };
    loop {
        let Ok(header) = read_array::<4>(file) else {
            return Ok(None);
        };
        let (last, kind) = (header[0] & 0x80 != 0, header[0] & 0x7f);
        let size = u64::from(u32::from_be_bytes([0, header[1], header[2], header[3]]));
        let start = file.stream_position()?;
        // PICTURE: type, MIME (length + bytes), description (length + bytes), width, height,
        // depth, colours, then the data's length and the data.
        if kind == 6 && size >= 32 {
            let picture_type = u32::try_from(u32_at(file)?).unwrap_or(u32::MAX);
            if is_cover_type(picture_type) {
                let mime_len = u32_at(file)?;
                file.seek(SeekFrom::Current(
                    i64::try_from(mime_len).unwrap_or(i64::MAX),
                ))?;
                let description_len = u32_at(file)?;
                file.seek(SeekFrom::Current(
                    i64::try_from(description_len + 16).unwrap_or(i64::MAX),
                ))?;
                let len = u32_at(file)?;
                let offset = file.stream_position()?;
                if offset + len <= start + size {
                    return Ok(Some(Cover::At { offset, len }));
                }
            }
        }
        if last {
            return Ok(None);
        }
        file.seek(SeekFrom::Start(start + size))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// `n` as ID3v2's four 7-bit bytes.
    fn syncsafe_bytes(n: usize) -> [u8; 4] {
        let n = u32::try_from(n).unwrap();
        [21, 14, 7, 0].map(|shift| u8::try_from((n >> shift) & 0x7f).unwrap())
    }

    fn id3v24(frames: &[(&[u8; 4], Vec<u8>)]) -> Vec<u8> {
        let mut body = Vec::new();
        for (id, payload) in frames {
            body.extend_from_slice(*id);
            body.extend_from_slice(&syncsafe_bytes(payload.len()));
            body.extend_from_slice(&[0, 0]); // flags
            body.extend_from_slice(payload);
        }
        body.extend_from_slice(&[0; 16]); // padding
        let mut tag = b"ID3\x04\x00\x00".to_vec();
        tag.extend_from_slice(&syncsafe_bytes(body.len()));
        tag.extend(body);
        tag
    }

    fn apic(kind: u8) -> Vec<u8> {
        let mut payload = b"\x00image/jpeg\x00".to_vec();
        payload.push(kind);
        payload.extend_from_slice(b"desc\x00\xff\xd8\xff");
        payload
    }

    #[test]
    fn id3v2_front_covers_count_and_back_covers_do_not() {
        let title = (b"TIT2", b"\x03Song".to_vec());
        for (frames, expected) in [
            (vec![title.clone(), (b"APIC", apic(3))], true),
            (vec![(b"APIC", apic(0))], true),
            (vec![title.clone(), (b"APIC", apic(4))], false),
            (vec![title], false),
        ] {
            let tag = id3v24(&frames);
            let found = id3v2_cover(&mut Cursor::new(&tag)).unwrap();
            assert_eq!(found.is_some(), expected, "{frames:?}");
            if let Some(Cover::At { offset, len }) = found {
                let at = usize::try_from(offset).unwrap();
                let image = &tag[at..at + usize::try_from(len).unwrap()];
                assert_eq!(image, b"\xff\xd8\xff", "just the image bytes");
            }
        }
    }

    #[test]
    fn flac_picture_blocks_are_found_by_type() {
        let flac = |kind: u32| {
            let mut picture = kind.to_be_bytes().to_vec();
            picture.extend_from_slice(&10u32.to_be_bytes());
            picture.extend_from_slice(b"image/jpeg");
            picture.extend_from_slice(&0u32.to_be_bytes()); // no description
            picture.extend_from_slice(&[0; 16]); // width, height, depth, colours
            picture.extend_from_slice(&3u32.to_be_bytes());
            picture.extend_from_slice(b"\xff\xd8\xff");
            let mut bytes = b"fLaC".to_vec();
            bytes.extend_from_slice(&[0x00, 0, 0, 34]);
            bytes.extend_from_slice(&[0; 34]); // STREAMINFO
            let n = u32::try_from(picture.len()).unwrap().to_be_bytes();
            bytes.extend_from_slice(&[0x86, n[1], n[2], n[3]]); // last block: PICTURE
            bytes.extend(picture);
            bytes
        };
        let file = flac(3);
        let Some(Cover::At { offset, len }) = flac_cover(&mut Cursor::new(&file)).unwrap() else {
            panic!("a front cover");
        };
        let at = usize::try_from(offset).unwrap();
        assert_eq!(
            &file[at..at + usize::try_from(len).unwrap()],
            b"\xff\xd8\xff"
        );
        assert_eq!(flac_cover(&mut Cursor::new(flac(4))).unwrap(), None);
    }
}
