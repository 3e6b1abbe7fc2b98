//! Reading one audio file with lofty: tags, duration, embedded picture and lyrics, sidecar lyrics.

use lofty::config::ParseOptions;
use lofty::file::{AudioFile, FileType, TaggedFileExt};
use lofty::picture::PictureType;
use lofty::probe::Probe;
use lofty::tag::{Accessor, ItemKey, Tag};

use super::ScannedTrack;
use super::lyrics::{LocalLyrics, LocalLyricsSource, decode_text, parse_local};
use super::walk::FoundAudio;

fn format_name(file_type: FileType) -> &'static str {
    match file_type {
        FileType::Aac => "aac",
        FileType::Aiff => "aiff",
        FileType::Ape => "ape",
        FileType::Flac => "flac",
        FileType::Mpeg => "mp3",
        FileType::Mp4 => "m4a",
        FileType::Mpc => "mpc",
        FileType::Opus => "opus",
        FileType::Vorbis => "ogg",
        FileType::Speex => "speex",
        FileType::Wav => "wav",
        FileType::WavPack => "wavpack",
        _ => "other",
    }
}

/// A tag value, trimmed, with blank values treated as absent.
fn text(value: Option<impl AsRef<str>>) -> Option<String> {
    value
        .map(|v| v.as_ref().trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The first non-blank value of `key` across the file's tags (primary tag first).
fn first_string(tags: &[&Tag], key: ItemKey) -> Option<String> {
    tags.iter().find_map(|tag| text(tag.get_string(key)))
}

/// Reads `file`. The error is a human-readable reason ("not a valid FLAC file: ...").
pub(crate) fn read_track(file: &FoundAudio) -> Result<ScannedTrack, String> {
    if file.stamp.size == 0 {
        return Err("empty file (0 bytes)".into());
    }
    // lofty loads every picture it reads: a large file's pictures are not read but found from
    // the tag's structure (`crate::pictures`), so a huge picture costs no memory.
    let large = u64::try_from(file.stamp.size).unwrap_or(u64::MAX) > crate::pictures::LARGE_FILE;
    let options = ParseOptions::new().read_cover_art(!large);
    let opened =
        crate::files::open_regular(&file.path, true).map_err(|e| format!("cannot open: {e}"))?;
    let tagged = Probe::new(std::io::BufReader::new(opened))
        .options(options)
        .guess_file_type()
        .map_err(|e| format!("cannot open: {e}"))?
        .read()
        .map_err(|e| format!("unreadable or corrupt audio: {e}"))?;

    let format = format_name(tagged.file_type());
    let duration = tagged.properties().duration();
    let duration_ms =
        (!duration.is_zero()).then(|| u64::try_from(duration.as_millis()).unwrap_or(u64::MAX));

    // Primary tag first, then the others (e.g. an ID3v1 tag behind an ID3v2 one).
    let primary = tagged.primary_tag();
    let mut tags: Vec<&Tag> = primary.into_iter().collect();
    tags.extend(
        tagged
            .tags()
            .iter()
            .filter(|t| primary.is_none_or(|p| !std::ptr::eq(*t, p))),
    );

    let title = tags
        .iter()
        .find_map(|t| text(t.title()))
        .unwrap_or_else(|| {
            file.path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
    let year = tags
        .iter()
        .find_map(|t| t.date())
        .map(|ts| i32::from(ts.year))
        .or_else(|| {
            first_string(&tags, ItemKey::Year)
                .and_then(|y| y.get(..4).and_then(|y| y.parse::<i32>().ok()))
        })
        .filter(|y| *y > 0);

    // A front cover, or an untyped picture (MP4 covers carry no type); never a back cover.
    let has_embedded_picture = if large {
        crate::pictures::has_front_cover(&file.path, tagged.file_type()).unwrap_or_else(|err| {
            tracing::debug!(path = %file.path.display(), %err, "picture not looked for");
            false
        })
    } else {
        tags.iter().flat_map(|t| t.pictures()).any(|p| {
            matches!(
                p.pic_type(),
                PictureType::CoverFront | PictureType::Other | PictureType::Undefined(_)
            ) && !p.data().is_empty()
        })
    };

    let local_lyrics = sidecar_lyrics(file).or_else(|| {
        [ItemKey::Lyrics, ItemKey::UnsyncLyrics]
            .into_iter()
            .find_map(|key| first_string(&tags, key))
            .and_then(|text| parse_local(&text, LocalLyricsSource::Embedded))
    });

    Ok(ScannedTrack {
        path: file.path.clone(),
        stamp: file.stamp,
        format,
        title,
        artist: tags.iter().find_map(|t| text(t.artist())),
        album_artist: first_string(&tags, ItemKey::AlbumArtist),
        album: tags.iter().find_map(|t| text(t.album())),
        year,
        track_number: tags.iter().find_map(|t| t.track()).filter(|n| *n > 0),
        track_total: tags.iter().find_map(|t| t.track_total()).filter(|n| *n > 0),
        disc_number: tags.iter().find_map(|t| t.disk()).filter(|n| *n > 0),
        disc_total: tags.iter().find_map(|t| t.disk_total()).filter(|n| *n > 0),
        duration_ms,
        mb_recording_id: first_string(&tags, ItemKey::MusicBrainzRecordingId),
        mb_track_id: first_string(&tags, ItemKey::MusicBrainzTrackId),
        mb_release_id: first_string(&tags, ItemKey::MusicBrainzReleaseId),
        mb_release_group_id: first_string(&tags, ItemKey::MusicBrainzReleaseGroupId),
        has_embedded_picture,
        album_folder: file.album_folder.clone(),
        folder_cover: file.folder_cover.clone(),
        lyrics_sidecar: file.lyrics_sidecar.clone(),
        local_lyrics,
    })
}

/// Lyrics from the `.lrc`/`.txt` beside the track. A sidecar that cannot be read is ignored (the
/// track still imports) and logged.
fn sidecar_lyrics(file: &FoundAudio) -> Option<LocalLyrics> {
    let (path, _) = file.lyrics_sidecar.as_ref()?;
    match crate::files::read_bounded(path, super::lyrics::MAX_SIDECAR_BYTES) {
        Ok(bytes) => parse_local(&decode_text(&bytes), LocalLyricsSource::Sidecar),
        Err(err) => {
            tracing::warn!(path = %path.display(), %err, "lyrics sidecar unreadable, ignored");
            None
        }
    }
}
