//! Real audio files with known tags.

use std::path::{Path, PathBuf};

use lofty::config::WriteOptions;
use lofty::file::TaggedFileExt;
use lofty::picture::{MimeType, Picture, PictureType};
use lofty::tag::{Accessor, ItemKey, Tag, TagExt, TagType};

/// A 600×600 JPEG (a cover that is big enough and square).
pub const COVER_JPG_600: &[u8] = include_bytes!("../fixtures/cover-600.jpg");
/// A 300×300 PNG.
pub const COVER_PNG_300: &[u8] = include_bytes!("../fixtures/cover-300.png");

/// The audio formats Gatefold imports, each backed by a committed one-second fixture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Mp3,
    Flac,
    M4aAac,
    M4aAlac,
    OggVorbis,
    Opus,
    Wav,
    Aiff,
}

impl Format {
    pub const ALL: [Format; 8] = [
        Format::Mp3,
        Format::Flac,
        Format::M4aAac,
        Format::M4aAlac,
        Format::OggVorbis,
        Format::Opus,
        Format::Wav,
        Format::Aiff,
    ];

    /// The file extension Gatefold sees.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Mp3 => "mp3",
            Format::Flac => "flac",
            Format::M4aAac | Format::M4aAlac => "m4a",
            Format::OggVorbis => "ogg",
            Format::Opus => "opus",
            Format::Wav => "wav",
            Format::Aiff => "aiff",
        }
    }

    /// The format name the engine stores for files of this kind: the engine names a format
    /// by its usual extension.
    pub fn engine_name(self) -> &'static str {
        self.extension()
    }

    /// The untagged fixture's bytes.
    pub fn fixture(self) -> &'static [u8] {
        match self {
            Format::Mp3 => include_bytes!("../fixtures/tone.mp3"),
            Format::Flac => include_bytes!("../fixtures/tone.flac"),
            Format::M4aAac => include_bytes!("../fixtures/tone-aac.m4a"),
            Format::M4aAlac => include_bytes!("../fixtures/tone-alac.m4a"),
            Format::OggVorbis => include_bytes!("../fixtures/tone.ogg"),
            Format::Opus => include_bytes!("../fixtures/tone.opus"),
            Format::Wav => include_bytes!("../fixtures/tone.wav"),
            Format::Aiff => include_bytes!("../fixtures/tone.aiff"),
        }
    }

    /// WAV and AIFF get an ID3v2 chunk (their RIFF INFO / text chunks hold too few fields).
    fn tag_type(self) -> Option<TagType> {
        match self {
            Format::Wav | Format::Aiff => Some(TagType::Id3v2),
            _ => None,
        }
    }
}

/// An audio file to write: a format and the tags to give it. Fields left `None` are not written.
#[derive(Debug, Clone)]
pub struct AudioSpec {
    pub format: Format,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub album_artist: Option<String>,
    pub track: Option<u32>,
    pub track_total: Option<u32>,
    pub disc: Option<u32>,
    pub disc_total: Option<u32>,
    pub year: Option<u16>,
    pub mb_release_id: Option<String>,
    pub mb_recording_id: Option<String>,
    /// An embedded picture and its type.
    pub picture: Option<(PictureType, &'static [u8])>,
    /// Embedded (unsynchronised) lyrics.
    pub lyrics: Option<String>,
    /// Write no tag at all.
    pub untagged: bool,
}

/// `name(&str)` sets the tag `name`.
macro_rules! text_setters {
    ($($name:ident),*) => {
        $(
            pub fn $name(mut self, v: &str) -> Self {
                self.$name = Some(v.to_owned());
                self
            }
        )*
    };
}

/// `name(n)` sets the numeric tag `name`.
macro_rules! number_setters {
    ($($name:ident: $ty:ty),*) => {
        $(
            pub fn $name(mut self, n: $ty) -> Self {
                self.$name = Some(n);
                self
            }
        )*
    };
}

impl AudioSpec {
    pub fn new(format: Format) -> Self {
        AudioSpec {
            format,
            title: None,
            artist: None,
            album: None,
            album_artist: None,
            track: None,
            track_total: None,
            disc: None,
            disc_total: None,
            year: None,
            mb_release_id: None,
            mb_recording_id: None,
            picture: None,
            lyrics: None,
            untagged: false,
        }
    }

    /// A spec with title, artist and album set.
    pub fn tagged(format: Format, title: &str, artist: &str, album: &str) -> Self {
        AudioSpec::new(format)
            .title(title)
            .artist(artist)
            .album(album)
    }

    text_setters!(
        title,
        artist,
        album,
        album_artist,
        mb_release_id,
        mb_recording_id,
        lyrics
    );
    number_setters!(track: u32, track_total: u32, year: u16);

    pub fn disc(mut self, n: u32, total: u32) -> Self {
        self.disc = Some(n);
        self.disc_total = Some(total);
        self
    }
    pub fn front_cover(mut self, image: &'static [u8]) -> Self {
        self.picture = Some((PictureType::CoverFront, image));
        self
    }
    pub fn picture(mut self, kind: PictureType, image: &'static [u8]) -> Self {
        self.picture = Some((kind, image));
        self
    }
    pub fn untagged(mut self) -> Self {
        self.untagged = true;
        self
    }

    /// Writes the file at `path` (creating its folders) and returns the path.
    ///
    /// # Panics
    /// When the file cannot be written or tagged: this is test support, and a broken fixture
    /// must fail the test loudly.
    pub fn write(&self, path: impl AsRef<Path>) -> PathBuf {
        let path = path.as_ref();
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create fixture folder");
        }
        std::fs::write(path, self.format.fixture()).expect("write fixture");
        if self.untagged {
            return path.to_path_buf();
        }
        let mut file = lofty::read_from_path(path).expect("fixture must parse");
        let tag_type = self
            .format
            .tag_type()
            .unwrap_or_else(|| file.primary_tag_type());
        if file.tag(tag_type).is_none() {
            file.insert_tag(Tag::new(tag_type));
        }
        let tag = file.tag_mut(tag_type).expect("tag just inserted");
        if let Some(v) = &self.title {
            tag.set_title(v.clone());
        }
        if let Some(v) = &self.artist {
            tag.set_artist(v.clone());
        }
        if let Some(v) = &self.album {
            tag.set_album(v.clone());
        }
        if let Some(v) = &self.album_artist {
            tag.insert_text(ItemKey::AlbumArtist, v.clone());
        }
        if let Some(n) = self.track {
            tag.set_track(n);
        }
        if let Some(n) = self.track_total {
            tag.set_track_total(n);
        }
        if let Some(n) = self.disc {
            tag.set_disk(n);
        }
        if let Some(n) = self.disc_total {
            tag.set_disk_total(n);
        }
        if let Some(y) = self.year {
            tag.set_date(lofty::tag::items::Timestamp {
                year: y,
                ..Default::default()
            });
        }
        if let Some(v) = &self.mb_release_id {
            tag.insert_text(ItemKey::MusicBrainzReleaseId, v.clone());
        }
        if let Some(v) = &self.mb_recording_id {
            tag.insert_text(ItemKey::MusicBrainzRecordingId, v.clone());
        }
        if let Some((kind, image)) = self.picture {
            let mime = if image.starts_with(b"\x89PNG") {
                MimeType::Png
            } else {
                MimeType::Jpeg
            };
            tag.push_picture(
                Picture::unchecked(image.to_vec())
                    .pic_type(kind)
                    .mime_type(mime)
                    .build(),
            );
        }
        if let Some(v) = &self.lyrics {
            let key = match tag_type {
                TagType::Id3v2 => ItemKey::UnsyncLyrics,
                _ => ItemKey::Lyrics,
            };
            tag.insert_text(key, v.clone());
        }
        tag.save_to_path(path, WriteOptions::default())
            .expect("save fixture tags");
        path.to_path_buf()
    }
}
