//! Embedding lyrics and a front cover into an audio file's own tags, through lofty's
//! format-specific types (ID3v2 for MP3, WAV and AIFF; Vorbis comments for FLAC, Ogg Vorbis and
//! Opus; the MP4 `ilst`), which keep every frame they read. lofty's generic `Tag` would drop
//! frames it has no key for, so it is not used for writing.
//!
//! The file is copied beside itself, the copy's tags are edited (tags only: lofty rewrites tag
//! blocks, not audio frames), the copy is read back to check that its audio properties are
//! unchanged and that it holds what was written, and only then does it replace the original.

use std::fs::File;
use std::path::Path;

use lofty::TextEncoding;
use lofty::config::{ParseOptions, ParsingMode, WriteOptions};
use lofty::file::{AudioFile, FileType};
use lofty::flac::FlacFile;
use lofty::id3::v2::{
    BinaryFrame, Frame, FrameId, Id3v2Tag, SyncTextContentType, SynchronizedTextFrame,
    TimestampFormat, UnsynchronizedTextFrame,
};
use lofty::iff::aiff::AiffFile;
use lofty::iff::wav::WavFile;
use lofty::mp4::{Atom, AtomData, AtomIdent, Ilst, Mp4File};
use lofty::mpeg::MpegFile;
use lofty::ogg::tag::VorbisComments;
use lofty::ogg::{OggPictureStorage, OpusFile, VorbisFile};
use lofty::picture::{MimeType, Picture, PictureType};

use super::files::TempFile;
use crate::scan::lyrics::timed_lines;

/// What to put into a file.
#[derive(Debug, Clone, Copy)]
pub(super) enum Edit<'a> {
    /// LRC text when `synced`, else plain text.
    Lyrics {
        text: &'a str,
        synced: bool,
    },
    Cover {
        bytes: &'a [u8],
        mime: &'a str,
    },
}

/// What came of an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Embedded {
    Written,
    /// The file already holds exactly this.
    Unchanged,
    /// The file holds something else, which is the user's and is kept.
    Kept,
    /// The file was left alone for the reason given (it is too large for an in-memory edit).
    Skipped(String),
}

/// The largest Ogg or MP4 file edited: lofty rewrites those holding the whole file in memory,
/// so a larger one is skipped with its reason (sidecar mode writes beside it). WAV and AIFF
/// are rewritten chunk by chunk and MP3 and FLAC in place, at any size.
pub(super) const IN_MEMORY_EDIT_LIMIT: u64 = 128 * 1024 * 1024;

/// The chunked containers whose ID3v2 chunk this module writes itself, streaming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    /// WAV: `RIFF` with little-endian sizes; its tag chunk is `id3 `.
    Riff,
    /// AIFF: `FORM` with big-endian sizes; its tag chunk is `ID3 `.
    Form,
}

impl Container {
    fn magic(self) -> &'static [u8; 4] {
        match self {
            Container::Riff => b"RIFF",
            Container::Form => b"FORM",
        }
    }

    fn tag_chunk(self) -> &'static [u8; 4] {
        match self {
            Container::Riff => b"id3 ",
            Container::Form => b"ID3 ",
        }
    }

    fn read_u32(self, bytes: [u8; 4]) -> u32 {
        match self {
            Container::Riff => u32::from_le_bytes(bytes),
            Container::Form => u32::from_be_bytes(bytes),
        }
    }

    fn write_u32(self, n: u32) -> [u8; 4] {
        match self {
            Container::Riff => n.to_le_bytes(),
            Container::Form => n.to_be_bytes(),
        }
    }
}

/// Copies the WAV or AIFF file at `source` to `dest` with `tag` as its only ID3v2 chunk, one
/// chunk at a time (memory stays the size of the tag, whatever the file's): every other chunk
/// is copied byte for byte, an old `id3 `/`ID3 ` chunk is dropped, the new one goes at the end,
/// and the container's size is set. A file whose chunks do not add up to its length is refused.
fn persist_chunked(
    tag: &Id3v2Tag,
    container: Container,
    source: &Path,
    dest: &Path,
) -> Result<(), String> {
    use std::io::{Read, Seek, SeekFrom, Write};
    let broken = |what: &str| format!("its {what}; left untouched");
    let mut input = std::io::BufReader::new(
        crate::files::open_regular(source, false).map_err(|e| format!("cannot open it: {e}"))?,
    );
    let len = input.get_ref().metadata().map_err(|e| e.to_string())?.len();
    let mut header = [0u8; 12];
    input
        .read_exact(&mut header)
        .map_err(|_| broken("header is missing"))?;
    if &header[..4] != container.magic() {
        return Err(broken("container is not the one its type says"));
    }
    let declared = u64::from(container.read_u32([header[4], header[5], header[6], header[7]]));
    if declared + 8 != len && declared + 9 != len {
        return Err(broken(&format!(
            "container says {} bytes but the file has {len}",
            declared + 8
        )));
    }
    let mut tag_bytes = Vec::new();
    lofty::tag::TagExt::dump_to(tag, &mut tag_bytes, WriteOptions::default())
        .map_err(|e| format!("the tag cannot be written: {e}"))?;

    let mut output = std::io::BufWriter::new(
        std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(dest)
            .map_err(|e| format!("cannot write the copy: {e}"))?,
    );
    let io = |e: std::io::Error| format!("copying it failed: {e}");
    output.write_all(&header).map_err(io)?;
    let mut at = 12u64;
    while at + 8 <= declared + 8 {
        let mut chunk = [0u8; 8];
        input
            .read_exact(&mut chunk)
            .map_err(|_| broken("chunks run past the end"))?;
        let size = u64::from(container.read_u32([chunk[4], chunk[5], chunk[6], chunk[7]]));
        let body = size + (size & 1);
        if at + 8 + body > len + (size & 1) {
            return Err(broken("chunks run past the end"));
        }
        let id = &chunk[..4];
        if id.eq_ignore_ascii_case(b"id3 ") {
            let skip = i64::try_from(body).map_err(|e| e.to_string())?;
            input.seek(SeekFrom::Current(skip)).map_err(io)?;
        } else {
            output.write_all(&chunk).map_err(io)?;
            let copied = std::io::copy(&mut (&mut input).take(body), &mut output).map_err(io)?;
            if copied < body {
                // A last chunk of odd size whose pad byte is missing: pad it.
                if copied + 1 == body && size & 1 == 1 {
                    output.write_all(&[0]).map_err(io)?;
                } else {
                    return Err(broken("chunks run past the end"));
                }
            }
        }
        at += 8 + body;
    }
    let tag_len = u32::try_from(tag_bytes.len()).map_err(|e| e.to_string())?;
    output.write_all(container.tag_chunk()).map_err(io)?;
    output
        .write_all(&container.write_u32(tag_len))
        .map_err(io)?;
    output.write_all(&tag_bytes).map_err(io)?;
    if tag_len & 1 == 1 {
        output.write_all(&[0]).map_err(io)?;
    }
    let total = output.stream_position().map_err(io)?;
    let size = u32::try_from(total - 8)
        .map_err(|_| broken("new size is past what the container can say (4 GiB)"))?;
    output.seek(SeekFrom::Start(4)).map_err(io)?;
    output.write_all(&container.write_u32(size)).map_err(io)?;
    output.flush().map_err(io)?;
    Ok(())
}

/// The ID3v2 frame id of synchronised lyrics.
const SYLT: &str = "SYLT";
/// "Unknown language" (ISO 639-2 `XXX` is what ID3v2 prescribes for it).
const UNKNOWN_LANGUAGE: [u8; 3] = *b"XXX";
/// Vorbis comment key of lyrics (synced as LRC, or plain).
const VORBIS_LYRICS: &str = "LYRICS";
/// MP4 atom of lyrics.
const MP4_LYRICS: [u8; 4] = *b"\xa9lyr";

fn same_text(a: &str, b: &str) -> bool {
    a.trim().replace("\r\n", "\n") == b.trim().replace("\r\n", "\n")
}

fn picture(bytes: &[u8], mime: &str) -> Picture {
    let mime = match mime {
        "image/jpeg" => MimeType::Jpeg,
        "image/png" => MimeType::Png,
        "image/gif" => MimeType::Gif,
        other => MimeType::Unknown(other.to_owned()),
    };
    Picture::unchecked(bytes.to_vec())
        .pic_type(PictureType::CoverFront)
        .mime_type(mime)
        .build()
}

/// Decides from what is there: `None` to go on and write, or the outcome without writing.
fn decide(existing: Option<bool>, overwrite: bool) -> Option<Embedded> {
    match existing {
        None => None,
        Some(true) => Some(Embedded::Unchanged),
        Some(false) if overwrite => None,
        Some(false) => Some(Embedded::Kept),
    }
}

fn edit_id3v2(tag: &mut Id3v2Tag, edit: Edit<'_>, overwrite: bool) -> Result<Embedded, String> {
    match edit {
        Edit::Lyrics { text, synced } => {
            let existing = tag
                .unsync_text()
                .next()
                .map(|f| same_text(&f.content, text));
            if let Some(outcome) = decide(existing, overwrite) {
                return Ok(outcome);
            }
            let _ = tag.remove(&FrameId::Valid("USLT".into())).count();
            let _ = tag.remove(&FrameId::Valid(SYLT.into())).count();
            // Players that only read USLT get the LRC text (most of them parse it).
            tag.insert(Frame::UnsynchronizedText(UnsynchronizedTextFrame::new(
                TextEncoding::UTF8,
                UNKNOWN_LANGUAGE,
                String::new(),
                text.to_owned(),
            )));
            if synced {
                let lines = timed_lines(text);
                if !lines.is_empty() {
                    let frame = SynchronizedTextFrame::new(
                        TextEncoding::UTF8,
                        UNKNOWN_LANGUAGE,
                        TimestampFormat::MS,
                        SyncTextContentType::Lyrics,
                        None,
                        lines,
                    );
                    let bytes = frame
                        .as_bytes(WriteOptions::default())
                        .map_err(|e| format!("cannot encode SYLT: {e}"))?;
                    tag.insert(Frame::Binary(BinaryFrame::new(
                        FrameId::Valid(SYLT.into()),
                        bytes,
                    )));
                }
            }
            Ok(Embedded::Written)
        }
        Edit::Cover { bytes, mime } => {
            let existing = tag.iter().find_map(|frame| match frame {
                Frame::Picture(p) if p.picture.pic_type() == PictureType::CoverFront => {
                    Some(p.picture.data() == bytes)
                }
                _ => None,
            });
            if let Some(outcome) = decide(existing, overwrite) {
                return Ok(outcome);
            }
            tag.insert_picture(picture(bytes, mime));
            Ok(Embedded::Written)
        }
    }
}

fn edit_vorbis_lyrics(
    comments: &mut VorbisComments,
    text: &str,
    overwrite: bool,
) -> Option<Embedded> {
    let existing = comments.get(VORBIS_LYRICS).map(|t| same_text(t, text));
    if let Some(outcome) = decide(existing, overwrite) {
        return Some(outcome);
    }
    let _ = comments.remove(VORBIS_LYRICS).count();
    comments.insert(VORBIS_LYRICS.to_owned(), text.to_owned());
    None
}

fn edit_pictures(
    storage: &mut impl OggPictureStorage,
    bytes: &[u8],
    mime: &str,
    overwrite: bool,
) -> Result<Embedded, String> {
    let existing = storage
        .pictures()
        .iter()
        .find(|(p, _)| p.pic_type() == PictureType::CoverFront)
        .map(|(p, _)| p.data() == bytes);
    if let Some(outcome) = decide(existing, overwrite) {
        return Ok(outcome);
    }
    storage.remove_picture_type(PictureType::CoverFront);
    storage
        .insert_picture(picture(bytes, mime), None)
        .map_err(|e| format!("cannot embed the picture: {e}"))?;
    Ok(Embedded::Written)
}

fn edit_vorbis(
    comments: &mut VorbisComments,
    edit: Edit<'_>,
    overwrite: bool,
) -> Result<Embedded, String> {
    match edit {
        Edit::Lyrics { text, .. } => {
            Ok(edit_vorbis_lyrics(comments, text, overwrite).unwrap_or(Embedded::Written))
        }
        Edit::Cover { bytes, mime } => edit_pictures(comments, bytes, mime, overwrite),
    }
}

fn edit_ilst(ilst: &mut Ilst, edit: Edit<'_>, overwrite: bool) -> Result<Embedded, String> {
    match edit {
        Edit::Lyrics { text, .. } => {
            let ident = AtomIdent::Fourcc(MP4_LYRICS);
            let existing = ilst.get(&ident).and_then(|atom| {
                atom.data().find_map(|d| match d {
                    AtomData::UTF8(t) => Some(same_text(t, text)),
                    _ => None,
                })
            });
            if let Some(outcome) = decide(existing, overwrite) {
                return Ok(outcome);
            }
            ilst.replace_atom(Atom::new(ident, AtomData::UTF8(text.to_owned())));
            Ok(Embedded::Written)
        }
        Edit::Cover { bytes, mime } => {
            let existing = ilst
                .pictures()
                .and_then(|mut pictures| pictures.next().map(|p| p.data() == bytes));
            if let Some(outcome) = decide(existing, overwrite) {
                return Ok(outcome);
            }
            ilst.remove_pictures();
            ilst.insert_picture(picture(bytes, mime));
            Ok(Embedded::Written)
        }
    }
}

/// Reads `path` as `F` refusing anything lofty cannot read completely (a tag it only half
/// understands would be written back with parts missing).
fn read<F: AudioFile>(path: &Path) -> Result<F, String> {
    let mut file =
        crate::files::open_regular(path, false).map_err(|e| format!("cannot open it: {e}"))?;
    F::read_from(
        &mut file,
        ParseOptions::new().parsing_mode(ParsingMode::Strict),
    )
    .map_err(|e| format!("its tags cannot be read completely ({e}); left untouched"))
}

/// Copies `source` to `dest` and writes `file`'s tags (read from `source`, then edited) into the
/// copy. Without `dest` (a dry run) nothing is written.
fn persist<F: AudioFile>(file: &F, source: &Path, dest: Option<&Path>) -> Result<(), String> {
    let Some(dest) = dest else { return Ok(()) };
    // A copy keeps the permission bits; `embed` restores the owner.
    std::fs::copy(source, dest).map_err(|e| format!("cannot copy it: {e}"))?;
    file.save_to_path(dest, WriteOptions::default())
        .map_err(|e| format!("writing the tags failed: {e}"))
}

/// Reads the file at `path`, applies `edit` in memory, and when that changes something writes
/// the result into `dest` (a copy of `path`).
fn edit_file(
    path: &Path,
    kind: FileType,
    edit: Edit<'_>,
    overwrite: bool,
    dest: Option<&Path>,
) -> Result<Embedded, String> {
    macro_rules! id3v2_file {
        ($ty:ty, $container:expr) => {{
            let mut file: $ty = read(path)?;
            if file.id3v2().is_none() {
                file.set_id3v2(Id3v2Tag::new());
            }
            let tag = file.id3v2_mut().expect("set above");
            let outcome = edit_id3v2(tag, edit, overwrite)?;
            if outcome == Embedded::Written {
                let container: Option<Container> = $container;
                match (container, dest) {
                    (Some(container), Some(dest)) => {
                        persist_chunked(file.id3v2().expect("set above"), container, path, dest)?
                    }
                    _ => persist(&file, path, dest)?,
                }
            }
            Ok(outcome)
        }};
    }
    macro_rules! ogg_file {
        ($ty:ty) => {{
            let mut file: $ty = read(path)?;
            let outcome = edit_vorbis(file.vorbis_comments_mut(), edit, overwrite)?;
            if outcome == Embedded::Written {
                persist(&file, path, dest)?;
            }
            Ok(outcome)
        }};
    }
    match kind {
        FileType::Mpeg => id3v2_file!(MpegFile, None),
        FileType::Wav => id3v2_file!(WavFile, Some(Container::Riff)),
        FileType::Aiff => id3v2_file!(AiffFile, Some(Container::Form)),
        FileType::Vorbis => ogg_file!(VorbisFile),
        FileType::Opus => ogg_file!(OpusFile),
        FileType::Flac => {
            let mut file: FlacFile = read(path)?;
            if file.vorbis_comments().is_none() {
                file.set_vorbis_comments(VorbisComments::default());
            }
            let outcome = match edit {
                Edit::Lyrics { text, .. } => {
                    #[expect(clippy::expect_used, reason = "set just above when missing")]
                    let comments = file.vorbis_comments_mut().expect("set above");
                    edit_vorbis_lyrics(comments, text, overwrite).unwrap_or(Embedded::Written)
                }
                // FLAC keeps pictures in their own metadata blocks.
                Edit::Cover { bytes, mime } => edit_pictures(&mut file, bytes, mime, overwrite)?,
            };
            if outcome == Embedded::Written {
                persist(&file, path, dest)?;
            }
            Ok(outcome)
        }
        FileType::Mp4 => {
            let mut file: Mp4File = read(path)?;
            if file.ilst().is_none() {
                file.set_ilst(Ilst::default());
            }
            #[expect(clippy::expect_used, reason = "set just above when missing")]
            let outcome = edit_ilst(file.ilst_mut().expect("set above"), edit, overwrite)?;
            if outcome == Embedded::Written {
                persist(&file, path, dest)?;
            }
            Ok(outcome)
        }
        other => Err(format!("writing tags of {other:?} files is not supported")),
    }
}

/// A lofty probe over the regular file at `path` (see [`crate::files::open_regular`]).
fn probe(path: &Path) -> Result<lofty::probe::Probe<std::io::BufReader<File>>, String> {
    let file =
        crate::files::open_regular(path, false).map_err(|e| format!("cannot open it: {e}"))?;
    Ok(lofty::probe::Probe::new(std::io::BufReader::new(file)))
}

/// The audio properties that must not change.
fn audio_fingerprint(path: &Path) -> Result<(u128, u32, u8, Option<u8>), String> {
    // By content: the edited copy's name ends in `.tmp`.
    let file = probe(path)?
        .guess_file_type()
        .map_err(|e| e.to_string())?
        .read()
        .map_err(|e| e.to_string())?;
    let p = file.properties();
    Ok((
        p.duration().as_millis(),
        p.sample_rate().unwrap_or(0),
        p.channels().unwrap_or(0),
        p.bit_depth(),
    ))
}

/// Embeds `edit` into the audio file at `target`, atomically (see the module comment). A dry
/// run decides the same way and writes nothing.
pub(super) fn embed(
    target: &Path,
    edit: Edit<'_>,
    overwrite: bool,
    dry_run: bool,
) -> Result<Embedded, String> {
    let kind = probe(target)?
        .guess_file_type()
        .map_err(|e| format!("cannot read it: {e}"))?
        .file_type()
        .ok_or("not an audio file lofty knows")?;
    if matches!(kind, FileType::Vorbis | FileType::Opus | FileType::Mp4) {
        let size = std::fs::metadata(target).map_err(|e| e.to_string())?.len();
        if size > IN_MEMORY_EDIT_LIMIT {
            return Ok(Embedded::Skipped(format!(
                "its tags are rewritten with the whole file in memory, and at {} MB it is over \
                 the {} MB limit for that; left untouched (sidecar mode writes beside it)",
                size / 1_000_000,
                IN_MEMORY_EDIT_LIMIT / 1_000_000
            )));
        }
    }
    if dry_run {
        return edit_file(target, kind, edit, overwrite, None);
    }
    let before = audio_fingerprint(target)?;
    let temp = TempFile::beside(target).map_err(|e| e.to_string())?;
    let outcome = edit_file(target, kind, edit, overwrite, Some(temp.path()))?;
    if outcome != Embedded::Written {
        return Ok(outcome);
    }
    let after = audio_fingerprint(temp.path())
        .map_err(|e| format!("the edited copy does not read back ({e}); left untouched"))?;
    if after != before {
        return Err(format!(
            "the edited copy's audio properties changed ({before:?} → {after:?}); left untouched"
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(target).map_err(|e| e.to_string())?;
        std::os::unix::fs::chown(temp.path(), Some(meta.uid()), Some(meta.gid()))
            .map_err(|e| format!("cannot keep the file's owner: {e}"))?;
    }
    std::fs::File::open(temp.path())
        .and_then(|f| f.sync_all())
        .map_err(|e| e.to_string())?;
    temp.commit(target, true).map_err(|e| e.to_string())?;
    Ok(Embedded::Written)
}
