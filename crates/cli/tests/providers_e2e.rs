//! End to end: `gatefold-cli scan`, then `enrich` against every provider's loopback fake, then
//! `export`: every track's artwork and lyrics are the right ones, from the right source, and
//! write-back puts them beside the music.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use gatefold_testkit::providers::close_every_provider;
use gatefold_testkit::servers::coverart::FakeRelease;
use gatefold_testkit::servers::deezer::DeezerAlbum;
use gatefold_testkit::servers::itunes::ItunesAlbum;
use gatefold_testkit::servers::lrclib::{LrcRecord, synced_text};
use gatefold_testkit::servers::{Catalogue, FakeProviders};
use gatefold_testkit::{AudioSpec, COVER_JPG_600, Format};
use serde_json::Value;

fn cli(dir: &Path, db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gatefold-cli"));
    cmd.env_remove("GATEFOLD_DB")
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("xdg-data"))
        .env("GATEFOLD_LOG", "warn")
        .arg("--db")
        .arg(db);
    close_every_provider(&mut cmd);
    cmd
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

const DISCOVERY: &str = "11111111-1111-1111-1111-111111111111";
const HOMEWORK: &str = "22222222-2222-2222-2222-222222222222";

/// An album of the test library: (folder, album, artist, tracks, format, tagged MusicBrainz
/// release).
type AlbumSpec = (
    &'static str,
    &'static str,
    &'static str,
    u32,
    Format,
    Option<&'static str>,
);

const ALBUMS: &[AlbumSpec] = &[
    (
        "Daft Punk/Discovery",
        "Discovery",
        "Daft Punk",
        4,
        Format::Mp3,
        Some(DISCOVERY),
    ),
    (
        "Daft Punk/Homework",
        "Homework",
        "Daft Punk",
        3,
        Format::Flac,
        None,
    ),
    (
        "Beatles/Abbey Road",
        "Abbey Road",
        "The Beatles",
        3,
        Format::M4aAac,
        None,
    ),
    (
        "Daft Punk/RAM",
        "Random Access Memories",
        "Daft Punk",
        2,
        Format::OggVorbis,
        None,
    ),
    (
        "Queen/Greatest Hits",
        "Greatest Hits",
        "Queen",
        2,
        Format::Opus,
        None,
    ),
    ("Mine/Own Cover", "Own Cover", "Me", 2, Format::Mp3, None),
];

fn title(album: &str, n: u32) -> String {
    format!("{album} Song {n}")
}

fn catalogue() -> Catalogue {
    let mut lyrics: Vec<LrcRecord> = Vec::new();
    for (_, album, artist, tracks, _, _) in ALBUMS {
        // LRCLIB knows every track but the last of each album; the first of Discovery is
        // instrumental; Queen's album is not known at all.
        if *album == "Greatest Hits" {
            continue;
        }
        for n in 1..*tracks {
            let mut record = LrcRecord::synced(&title(album, n), artist, album, 1.0);
            if *album == "Discovery" && n == 1 {
                record.instrumental = true;
                record.plain = None;
                record.synced = None;
            }
            lyrics.push(record);
        }
    }
    let release = |id: &str, title: &str| FakeRelease {
        id: id.into(),
        title: title.into(),
        artist: "Daft Punk".into(),
        front: Some(COVER_JPG_600.to_vec()),
        with_back: true,
    };
    Catalogue {
        lyrics,
        releases: vec![
            release(DISCOVERY, "Discovery"),
            release(HOMEWORK, "Homework"),
        ],
        itunes: vec![
            ItunesAlbum {
                collection: "Abbey Road (Remastered)".into(),
                artist: "The Beatles".into(),
                sizes: vec![1200, 600],
            },
            // A decoy: the same title by another artist must not be Queen's cover.
            ItunesAlbum {
                collection: "Greatest Hits".into(),
                artist: "ABBA".into(),
                sizes: vec![1200],
            },
        ],
        deezer: vec![DeezerAlbum {
            title: "Random Access Memories".into(),
            artist: "Daft Punk".into(),
        }],
    }
}

#[test]
fn scan_then_enrich_against_every_provider_fills_artwork_and_lyrics_correctly() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    for (folder, album, artist, tracks, format, mbid) in ALBUMS {
        for n in 1..=*tracks {
            let mut spec = AudioSpec::tagged(*format, &title(album, n), artist, album).track(n);
            if let Some(id) = mbid {
                spec = spec.mb_release_id(id);
            }
            spec.write(
                music
                    .join(folder)
                    .join(format!("{n:02}.{}", format.extension())),
            );
        }
    }
    std::fs::write(music.join("Mine/Own Cover/cover.jpg"), COVER_JPG_600).unwrap();
    std::fs::write(
        music.join("Mine/Own Cover/02.lrc"),
        "[00:00.50]my own lyrics\n",
    )
    .unwrap();
    let db = dir.path().join("library.db");
    ok(&cli(dir.path(), &db)
        .arg("scan")
        .arg(&music)
        .output()
        .unwrap());

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let fakes = runtime.block_on(FakeProviders::start(catalogue()));
    let out = cli(dir.path(), &db)
        .args(["enrich", "--json", "--write-back", "sidecar"])
        .args(fakes.cli_args())
        // The fakes allow more than the real services; MusicBrainz keeps its 1/s (its fake
        // answers 503 above that).
        .args([
            "--rate",
            "itunes=20",
            "--rate",
            "lrclib=50",
            "--rate",
            "deezer=50",
        ])
        .output()
        .unwrap();
    let stdout = ok(&out);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = lines
        .iter()
        .find(|l| l["type"] == "write_back_summary")
        .expect("a write-back summary");
    assert_eq!(summary["failed"], 0, "{summary}");

    let export = ok(&cli(dir.path(), &db)
        .args(["export", "--json"])
        .output()
        .unwrap());
    let tracks: BTreeMap<String, Value> = export
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["title"].as_str().unwrap().to_owned(), v)
        })
        .collect();
    let artwork_source = |album: &str| {
        tracks[&title(album, 1)]["artwork"]["source"]
            .as_str()
            .map(str::to_owned)
    };
    assert_eq!(
        artwork_source("Discovery").as_deref(),
        Some("coverartarchive")
    );
    assert_eq!(
        artwork_source("Homework").as_deref(),
        Some("coverartarchive")
    );
    assert_eq!(artwork_source("Abbey Road").as_deref(), Some("itunes"));
    assert_eq!(
        artwork_source("Random Access Memories").as_deref(),
        Some("deezer")
    );
    assert_eq!(artwork_source("Greatest Hits"), None, "the decoy was taken");
    assert_eq!(artwork_source("Own Cover").as_deref(), Some("folder"));
    // Which match won is recorded with each result.
    let matched = |album: &str| {
        tracks[&title(album, 1)]["artwork"]["match"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        matched("Discovery").contains(&format!("{DISCOVERY} (tagged")),
        "{}",
        matched("Discovery")
    );
    assert!(
        matched("Homework").contains(HOMEWORK),
        "{}",
        matched("Homework")
    );
    assert!(
        matched("Homework").contains("score 1.00"),
        "{}",
        matched("Homework")
    );
    assert!(
        matched("Abbey Road").contains("“Abbey Road (Remastered)” by The Beatles"),
        "{}",
        matched("Abbey Road")
    );
    assert!(matched("Random Access Memories").starts_with("Deezer album"));
    assert!(
        matched("Own Cover").ends_with("cover.jpg"),
        "{}",
        matched("Own Cover")
    );
    let lyrics_match = tracks[&title("Homework", 1)]["lyrics"]["match"]
        .as_str()
        .unwrap();
    assert!(
        lyrics_match.starts_with("LRCLIB record") && lyrics_match.contains("album search"),
        "{lyrics_match}"
    );
    for album in [
        "Discovery",
        "Homework",
        "Abbey Road",
        "Random Access Memories",
    ] {
        let art = &tracks[&title(album, 2)]["artwork"];
        assert!(art["width"].as_u64().unwrap() >= 500, "{album}: {art}");
        assert!(
            art["file"]
                .as_str()
                .unwrap()
                .starts_with(dir.path().to_str().unwrap())
        );
    }

    for (_, album, _, n, _, _) in ALBUMS {
        for i in 1..=*n {
            let t = &tracks[&title(album, i)];
            let status = t["lyrics_status"].as_str().unwrap();
            let expected = match (*album, i) {
                ("Discovery", 1) => "instrumental",
                ("Own Cover", 2) => "available",
                ("Greatest Hits", _) => "unavailable",
                (_, i) if i == *n => "unavailable",
                _ => "available",
            };
            assert_eq!(status, expected, "{album} {i}: {t}");
            if expected == "available" && *album != "Own Cover" {
                assert_eq!(t["lyrics"]["source"], "lrclib");
                assert_eq!(t["lyrics"]["kind"], "synced");
                assert_eq!(t["lyrics"]["text"], synced_text(&title(album, i)));
            }
        }
    }
    assert_eq!(
        tracks[&title("Own Cover", 2)]["lyrics"]["source"],
        "sidecar"
    );

    // Written back: covers in the album folders that got one from a provider, lyrics files
    // beside the tracks; the user's own cover and lyrics untouched.
    for folder in [
        "Daft Punk/Discovery",
        "Daft Punk/Homework",
        "Beatles/Abbey Road",
        "Daft Punk/RAM",
    ] {
        assert!(music.join(folder).join("cover.jpg").is_file(), "{folder}");
    }
    assert!(!music.join("Queen/Greatest Hits/cover.jpg").exists());
    assert_eq!(
        std::fs::read(music.join("Mine/Own Cover/cover.jpg")).unwrap(),
        COVER_JPG_600
    );
    assert_eq!(
        std::fs::read_to_string(music.join("Mine/Own Cover/02.lrc")).unwrap(),
        "[00:00.50]my own lyrics\n"
    );
    assert_eq!(
        std::fs::read_to_string(music.join("Daft Punk/Homework/02.lrc")).unwrap(),
        format!("{}\n", synced_text(&title("Homework", 2)))
    );
    assert!(
        !music.join("Daft Punk/Discovery/01.lrc").exists(),
        "instrumental: nothing to write"
    );

    // Albums of 3 or more tracks are answered by one album search: only the track the
    // search did not cover is asked alone.
    let lrclib = fakes.lrclib.requests();
    for (album, artist, tracks) in [
        ("Discovery", "Daft+Punk", 4),
        ("Homework", "Daft+Punk", 3),
        ("Abbey+Road", "The+Beatles", 3),
    ] {
        let searches = lrclib
            .iter()
            .filter(|r| *r == &format!("/api/search?q={artist}+{album}"))
            .count();
        assert_eq!(searches, 1, "{album}: {lrclib:?}");
        for n in 1..tracks {
            let alone = format!("track_name={album}+Song+{n}&");
            assert!(
                !lrclib.iter().any(|r| r.contains(&alone)),
                "{alone}: {lrclib:?}"
            );
        }
    }
    // The Cover Art Archive comes first: MusicBrainz was asked about the untagged albums
    // before iTunes and Deezer answered them.
    let mb = fakes.coverart.requests();
    for album in [
        "Homework",
        "Abbey+Road",
        "Random+Access+Memories",
        "Greatest+Hits",
    ] {
        assert!(
            mb.iter()
                .any(|r| r.starts_with("mb ") && r.contains(&format!("%22{album}%22"))),
            "{album}: {mb:?}"
        );
    }
    drop(fakes);
}
