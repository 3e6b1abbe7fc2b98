//! Generated music folders.

use std::path::{Path, PathBuf};

use lofty::picture::PictureType;

use crate::audio::{AudioSpec, COVER_JPG_600, COVER_PNG_300, Format};

/// The tricky-cases library (see [`tricky_library`]) and what a correct import makes of it.
#[derive(Debug, Clone)]
pub struct TrickyLibrary {
    pub root: PathBuf,
    /// Audio files that are valid and must become tracks.
    pub valid_tracks: usize,
    /// Audio files that must be reported as failed (corrupt, zero bytes, truncated).
    pub broken_files: Vec<PathBuf>,
    /// Distinct albums a correct import finds.
    pub albums: usize,
}

/// Lyrics written to the `.lrc` sidecar of "Album One/01 - First".
pub const SIDECAR_LRC: &str = "[ar: Artist A]\n[00:00.50]First line\n[00:00.90]Second line\n";
/// Lyrics embedded in "Album One/02 - Second".
pub const EMBEDDED_LYRICS: &str = "Embedded plain line one\nEmbedded plain line two";

/// Writes a library full of the cases an import gets wrong:
///
/// * `Artist A/Album One`: mp3 with an `.lrc` sidecar, flac with embedded lyrics, a `cover.jpg`;
/// * `Formats`: one track of each format (mp3, flac, AAC and ALAC m4a, Ogg Vorbis, Opus, wav,
///   aiff), all tagged, the flac and the AAC m4a with an embedded front cover, the ogg with only
///   a back cover;
/// * `Compilation`: three artists, no album-artist tag (must become one "Various Artists" album);
/// * `Tagged Compilation`: album artist "Various Artists" tagged, two artists;
/// * `Two Disc Set/CD1`, `Two Disc Set/CD2` with `Two Disc Set/Folder.JPG`: one album;
/// * `Unicode`: accents, CJK and right-to-left text in tags and file names;
/// * `Hits A` and `Hits B`: two different albums both titled "Greatest Hits";
/// * `Untagged/track without tags.mp3`: no tags at all;
/// * `Broken`: a corrupt flac, a zero-byte mp3 and a truncated m4a.
pub fn tricky_library(root: &Path) -> TrickyLibrary {
    let mut valid = 0;
    let mut add = |spec: AudioSpec, rel: &str| {
        spec.write(root.join(rel));
        valid += 1;
    };

    add(
        AudioSpec::tagged(Format::Mp3, "First", "Artist A", "Album One")
            .track(1)
            .year(2001),
        "Artist A/Album One/01 - First.mp3",
    );
    add(
        AudioSpec::tagged(Format::Flac, "Second", "Artist A", "Album One")
            .track(2)
            .lyrics(EMBEDDED_LYRICS),
        "Artist A/Album One/02 - Second.flac",
    );
    write_file(
        root.join("Artist A/Album One/01 - First.lrc"),
        SIDECAR_LRC.as_bytes(),
    );
    write_file(root.join("Artist A/Album One/cover.jpg"), COVER_JPG_600);

    for (i, format) in Format::ALL.into_iter().enumerate() {
        let name = format!("{format:?}");
        let mut spec = AudioSpec::tagged(format, &name, "Format Tester", "Formats")
            .album_artist("Format Tester")
            .track(u32::try_from(i + 1).unwrap_or(1))
            .mb_release_id("11111111-2222-3333-4444-555555555555");
        spec = match format {
            Format::Flac | Format::M4aAac => spec.front_cover(COVER_JPG_600),
            Format::OggVorbis => spec.picture(PictureType::CoverBack, COVER_PNG_300),
            _ => spec,
        };
        add(
            spec,
            &format!("Formats/{:02} - {name}.{}", i + 1, format.extension()),
        );
    }

    for (i, artist) in ["Singer One", "Band Two", "Rapper Three"]
        .into_iter()
        .enumerate()
    {
        add(
            AudioSpec::tagged(
                Format::Mp3,
                &format!("Song {}", i + 1),
                artist,
                "Now That's Music",
            )
            .track(u32::try_from(i + 1).unwrap_or(1)),
            &format!("Compilation/{:02}.mp3", i + 1),
        );
    }
    for (i, artist) in ["Singer One", "Other Singer"].into_iter().enumerate() {
        add(
            AudioSpec::tagged(
                Format::Flac,
                &format!("Hit {}", i + 1),
                artist,
                "Tagged Hits",
            )
            .album_artist("Various Artists")
            .track(u32::try_from(i + 1).unwrap_or(1)),
            &format!("Tagged Compilation/{:02}.flac", i + 1),
        );
    }

    for disc in 1..=2u32 {
        for track in 1..=2u32 {
            add(
                AudioSpec::tagged(
                    Format::Flac,
                    &format!("D{disc}T{track}"),
                    "Set Artist",
                    "The Set",
                )
                .album_artist("Set Artist")
                .track(track)
                .disc(disc, 2),
                &format!("Two Disc Set/CD{disc}/{track:02}.flac"),
            );
        }
    }
    write_file(root.join("Two Disc Set/Folder.JPG"), COVER_JPG_600);

    add(
        AudioSpec::tagged(Format::Flac, "Jóga", "Björk", "Homogenic").track(1),
        "Unicode/Björk - Jóga.flac",
    );
    add(
        AudioSpec::tagged(
            Format::Mp3,
            "戦場のメリークリスマス",
            "坂本龍一",
            "戦場のメリークリスマス",
        )
        .track(1),
        "Unicode/坂本龍一 - 戦場のメリークリスマス.mp3",
    );
    add(
        AudioSpec::tagged(Format::OggVorbis, "كيفك إنت", "فيروز", "كيفك إنت").track(1),
        "Unicode/فيروز - كيفك إنت.ogg",
    );

    add(
        AudioSpec::tagged(Format::Mp3, "Hit A", "Artist A", "Greatest Hits")
            .album_artist("Artist A"),
        "Hits A/01.mp3",
    );
    add(
        AudioSpec::tagged(Format::Mp3, "Hit B", "Artist B", "Greatest Hits")
            .album_artist("Artist B"),
        "Hits B/01.mp3",
    );

    add(
        AudioSpec::new(Format::Mp3).untagged(),
        "Untagged/track without tags.mp3",
    );

    let broken = vec![
        write_file(
            root.join("Broken/corrupt.flac"),
            b"fLaC this is not really a flac stream at all",
        ),
        write_file(root.join("Broken/empty.mp3"), b""),
        write_file(
            root.join("Broken/truncated.m4a"),
            &Format::M4aAac.fixture()[..64],
        ),
    ];

    TrickyLibrary {
        root: root.to_path_buf(),
        valid_tracks: valid,
        broken_files: broken,
        // Album One, Formats, Now That's Music, Tagged Hits, The Set, Homogenic,
        // 戦場のメリークリスマス, كيفك إنت, Greatest Hits ×2, Unknown album
        albums: 11,
    }
}

/// Writes `bytes` at `path`, creating folders.
///
/// # Panics
/// When the file cannot be written.
pub fn write_file(path: impl AsRef<Path>, bytes: &[u8]) -> PathBuf {
    let path = path.as_ref();
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folder");
    }
    std::fs::write(path, bytes).expect("write file");
    path.to_path_buf()
}

/// Writes `albums` albums of `tracks_per_album` tracks under `root` (formats rotate through mp3,
/// flac, ogg and m4a; every other album has a `cover.jpg`; every fifth track an `.lrc`), for the
/// benchmarks. Returns the number of audio files written.
pub fn bulk_library(root: &Path, albums: usize, tracks_per_album: usize) -> usize {
    bulk_library_of(
        root,
        albums,
        tracks_per_album,
        &[Format::Mp3, Format::Flac, Format::OggVorbis, Format::M4aAac],
    )
}

/// Removes the `.lrc` sidecars and `.jpg` covers under `dir` (what [`bulk_library`] writes
/// beside the music), for runs that want every track's artwork and lyrics missing.
///
/// # Errors
/// When a folder cannot be read or a file removed.
pub fn strip_sidecars_and_covers(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            strip_sidecars_and_covers(&path)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("lrc" | "jpg")
        ) {
            std::fs::remove_file(path)?;
        }
    }
    Ok(())
}

/// [`bulk_library`] with the formats to rotate through.
pub fn bulk_library_of(
    root: &Path,
    albums: usize,
    tracks_per_album: usize,
    formats: &[Format],
) -> usize {
    let mut written = 0;
    for a in 0..albums {
        let artist = format!("Bulk Artist {}", a % 200);
        let album = format!("Bulk Album {a}");
        let folder = root.join(&artist).join(&album);
        let format = formats[a % formats.len()];
        // Tag one template per album, then copy it: lofty writes once per album, not per track.
        let template = AudioSpec::tagged(format, "template", &artist, &album)
            .album_artist(&artist)
            .write(folder.join(format!(".template.{}", format.extension())));
        for t in 0..tracks_per_album {
            let number = u32::try_from(t + 1).unwrap_or(1);
            let path = folder.join(format!(
                "{:02} - Track {}.{}",
                t + 1,
                t + 1,
                format.extension()
            ));
            std::fs::copy(&template, &path).expect("copy template");
            retitle(&path, &format!("Track {} of {album}", t + 1), number);
            if t % 5 == 0 {
                write_file(path.with_extension("lrc"), b"[00:00.10]la la la\n");
            }
            written += 1;
        }
        std::fs::remove_file(&template).expect("remove template");
        if a % 2 == 0 {
            write_file(folder.join("cover.jpg"), COVER_JPG_600);
        }
    }
    written
}

fn retitle(path: &Path, title: &str, track: u32) {
    use lofty::config::WriteOptions;
    use lofty::file::TaggedFileExt;
    use lofty::tag::{Accessor, TagExt};
    let mut file = lofty::read_from_path(path).expect("template parses");
    let tag = file.primary_tag_mut().expect("template is tagged");
    tag.set_title(title.to_owned());
    tag.set_track(track);
    tag.save_to_path(path, WriteOptions::default())
        .expect("retitle");
}
