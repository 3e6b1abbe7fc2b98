//! The desktop binary runs the CLI's subcommands with no window and no display, for CI.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use std::process::Command;

use gatefold_testkit::providers::close_every_provider;
use gatefold_testkit::{AudioSpec, Format};

#[test]
fn gatefold_runs_cli_subcommands_without_a_display() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    AudioSpec::tagged(Format::Flac, "One", "Artist", "Album")
        .front_cover(gatefold_testkit::COVER_JPG_600)
        .write(music.join("1.flac"));
    AudioSpec::tagged(Format::Mp3, "Two", "Artist", "Album").write(music.join("2.mp3"));
    let db = dir.path().join("lib.db");
    let gatefold = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gatefold"));
        cmd.env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path());
        // Never a real provider: closed loopback ports.
        close_every_provider(&mut cmd);
        cmd
    };

    let out = gatefold()
        .arg("--db")
        .arg(&db)
        .arg("scan")
        .arg(&music)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = gatefold()
        .arg("--db")
        .arg(&db)
        .args(["enrich", "--no-lyrics", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = gatefold()
        .arg("--db")
        .arg(&db)
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["tracks"], 2);
    assert_eq!(status["albums"], 1);
    assert_eq!(
        status["artwork_missing"], 0,
        "the embedded cover became the album's artwork"
    );
}

#[test]
fn without_a_display_the_app_says_so_instead_of_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gatefold"))
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no graphical session"), "{stderr}");
    assert!(
        stderr.contains("`gatefold scan`"),
        "names what works: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !dir.path().join("app.gatefold").exists(),
        "no library is made when no window can open"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_gatefold"))
        .arg("--help")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("scan"));
}
