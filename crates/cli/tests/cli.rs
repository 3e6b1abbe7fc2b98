//! The `gatefold-cli` binary, run as a user or a script would.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a panic is the test failing, with its message"
)]

use std::path::Path;
use std::process::{Command, Output};

use gatefold_testkit::providers::{close_every_provider, skip_every_provider};
use gatefold_testkit::{AudioSpec, Format, tricky_library};
use serde_json::Value;

fn cli(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gatefold-cli"));
    // Keep every default path inside the test's folder.
    cmd.env_remove("GATEFOLD_DB")
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("xdg-data"))
        .env("GATEFOLD_LOG", "warn");
    // No test reaches a real provider: unless a test points one at a loopback fake (a
    // `--provider` flag wins over the environment), every provider is a closed loopback port.
    close_every_provider(&mut cmd);
    cmd
}

/// `gatefold-cli --db DB`, everything else as [`cli`].
fn cli_db(dir: &Path, db: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = cli(dir);
    cmd.arg("--db").arg(db);
    cmd
}

/// A runtime for the loopback fakes a test serves while the CLI runs.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A fresh folder with a generated library of `albums` × `tracks` (without `.lrc` sidecars
/// unless `sidecars`) in `music/`, imported into `lib.db`: the folder and the library.
fn scanned_library(
    albums: usize,
    tracks: usize,
    sidecars: bool,
) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    gatefold_testkit::bulk_library(&music, albums, tracks);
    if !sidecars {
        remove_sidecars(&music);
    }
    let db = dir.path().join("lib.db");
    scan_ok(dir.path(), &db, &music);
    (dir, db)
}

/// A fake LRCLIB under `prefix` that knows no lyrics and answers each request after 100 ms.
fn slow_lrclib(
    runtime: &tokio::runtime::Runtime,
    prefix: &str,
) -> gatefold_testkit::servers::lrclib::FakeLrclib {
    let fake = runtime.block_on(gatefold_testkit::servers::lrclib::FakeLrclib::start(
        Vec::new(),
        prefix,
    ));
    fake.set_delay(std::time::Duration::from_millis(100));
    fake
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l:?}: {e}")))
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `gatefold-cli --db DB status --json`, which must succeed: the library's counts.
fn status_json(dir: &Path, db: &Path) -> Value {
    let out = cli_db(dir, db).args(["status", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "status: {}", stderr(&out));
    json_lines(&out).remove(0)
}

/// `gatefold-cli --db DB scan MUSIC`, which must import everything (exit 0).
/// Asserts that `out` is a refusal: exit 1, with `needle` in its message on stderr.
fn assert_refused(out: &Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(needle), "{needle:?} not in: {err}");
}

/// Runs `args` on the library `db` and asserts a refusal naming `needle`.
fn refused(dir: &Path, db: impl AsRef<std::ffi::OsStr>, args: &[&str], needle: &str) {
    assert_refused(&cli_db(dir, db).args(args).output().unwrap(), needle);
}

/// `scan MUSIC` on the library `db`.
fn scan_cmd(
    dir: &Path,
    db: impl AsRef<std::ffi::OsStr>,
    music: impl AsRef<std::ffi::OsStr>,
) -> Command {
    let mut cmd = cli_db(dir, db);
    cmd.arg("scan").arg(music);
    cmd
}

/// The testkit's tricky library, written to `music/` in `dir`.
fn tricky_in(dir: &tempfile::TempDir) -> gatefold_testkit::TrickyLibrary {
    tricky_library(&dir.path().join("music"))
}

fn scan_ok(dir: &Path, db: &Path, music: &Path) {
    let out = scan_cmd(dir, db, music).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn scan_json_reports_every_file_and_exits_2_when_some_failed() {
    let dir = tempfile::tempdir().unwrap();
    let lib = tricky_in(&dir);
    let db = dir.path().join("lib.db");
    let out = scan_cmd(dir.path(), &db, &lib.root)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "some files failed: {}",
        stderr(&out)
    );
    let events = json_lines(&out);
    assert!(
        events.iter().all(|e| e["type"].is_string()),
        "every line has a type"
    );
    assert_eq!(events[0]["type"], "started");
    let failed: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "file_failed")
        .collect();
    assert_eq!(failed.len(), lib.broken_files.len());
    assert!(
        failed
            .iter()
            .all(|e| e["reason"].as_str().is_some_and(|r| !r.is_empty()))
    );
    let finished = events.last().unwrap();
    assert_eq!(finished["type"], "finished");
    assert_eq!(finished["report"]["added"], lib.valid_tracks);
    assert_eq!(finished["report"]["failed"], lib.broken_files.len());

    let status = &status_json(dir.path(), &db);
    assert_eq!(status["tracks"], lib.valid_tracks);
    assert_eq!(status["albums"], lib.albums);
    assert!(status["artists"].as_u64().unwrap() >= 10);
    assert_eq!(status["artwork_missing"], lib.valid_tracks);
    let lyrics = status["lyrics"].as_object().unwrap();
    for key in [
        "not_fetched",
        "fetching",
        "available",
        "instrumental",
        "unavailable",
        "failed",
    ] {
        assert!(lyrics.contains_key(key), "lyrics.{key} present");
    }
    assert_eq!(lyrics["available"], 2);
}

#[test]
fn human_scan_prints_failures_one_per_line_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let lib = tricky_in(&dir);
    let out = scan_cmd(dir.path(), dir.path().join("lib.db"), &lib.root)
        .env_remove("GATEFOLD_LOG") // the defaults a user gets
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let failures: Vec<&str> = err.lines().filter(|l| l.starts_with("failed: ")).collect();
    assert_eq!(failures.len(), 3, "each failed file once: {err}");
    // Nothing else: the tag library's own warnings go to the log (-v), not the terminal.
    let others: Vec<&str> = err
        .lines()
        .filter(|l| !l.starts_with("failed: ") && !l.trim().is_empty())
        .collect();
    assert!(
        others.is_empty(),
        "only the failures on stderr: {others:#?}"
    );
    assert!(
        failures
            .iter()
            .any(|l| l.contains("empty.mp3") && l.contains("0 bytes")),
        "{err}"
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!("{} added", lib.valid_tracks)),
        "{stdout}"
    );
}

#[test]
fn clean_scan_exits_0_and_rescan_reads_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    AudioSpec::tagged(Format::Flac, "One", "A", "B").write(music.join("a/1.flac"));
    AudioSpec::tagged(Format::Mp3, "Two", "A", "B").write(music.join("a/2.mp3"));
    for expect_added in [2, 0] {
        let out = cli(dir.path())
            .arg("scan")
            .arg(&music)
            .arg("--json")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let lines = json_lines(&out);
        assert_eq!(lines.last().unwrap()["report"]["added"], expect_added);
    }
    // The default library lives in the platform data folder.
    assert!(dir.path().join("xdg-data/app.gatefold/library.db").exists());
}

#[test]
fn gatefold_db_environment_variable_chooses_the_library() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    AudioSpec::tagged(Format::Opus, "One", "A", "B").write(music.join("1.opus"));
    let db = dir.path().join("from-env.db");
    let out = cli(dir.path())
        .env("GATEFOLD_DB", &db)
        .arg("scan")
        .arg(&music)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(db.exists());
}

#[test]
fn exits_1_with_a_clear_message_when_it_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lib.db");

    refused(
        dir.path(),
        &db,
        &["scan", "/definitely/not/here"],
        "/definitely/not/here",
    );

    let out = cli_db(dir.path(), &db)
        .args(["scan", "/definitely/not/here", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let line = &json_lines(&out)[0];
    assert_eq!(line["type"], "error");
    assert_eq!(line["code"], "invalid_scan_root");

    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "shopping list").unwrap();
    refused(
        dir.path(),
        &notes,
        &["status"],
        "is not a Gatefold library database",
    );
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "shopping list");

    let out = cli(dir.path()).arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "usage errors exit 1");
}

/// A damaged library is refused by every command with `corrupt_database`, naming it, and is
/// left as it was (no side files); an empty file given as the library becomes one, and the
/// command says so.
#[test]
fn a_damaged_library_is_refused_and_an_empty_file_made_a_library_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    gatefold_testkit::bulk_library(&music, 1, 3);
    let db = dir.path().join("lib/library.db");
    scan_ok(dir.path(), &db, &music);
    let mut bytes = std::fs::read(&db).unwrap();
    for byte in &mut bytes[100..4096] {
        *byte = 0xA5;
    }
    std::fs::write(&db, &bytes).unwrap();
    let folder = |path: &Path| {
        let mut names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let before = folder(&db);
    let music_arg = music.to_str().unwrap();
    for args in [
        &["status"][..],
        &["scan", music_arg],
        &["enrich", "--no-artwork"],
    ] {
        refused(
            dir.path(),
            &db,
            args,
            "library.db cannot be used: it is damaged",
        );
        let mut json = cli_db(dir.path(), &db);
        let out = json.args(args).arg("--json").output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(json_lines(&out)[0]["code"], "corrupt_database", "{args:?}");
        assert_eq!(folder(&db), before, "{args:?}: nothing made beside it");
    }
    assert_eq!(std::fs::read(&db).unwrap(), bytes, "left as it was");

    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let out = scan_cmd(dir.path(), &empty, &music).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the empty file there is made into a new library"),
        "{}",
        stderr(&out)
    );
}

/// `enrich --track ID` works on that track only; `status` then shows the last run. A run in
/// another process is shown as such, and once that process is killed, as interrupted.
#[test]
fn enrich_one_track_and_status_shows_the_last_run() {
    let (dir, db) = scanned_library(8, 5, false);
    let runtime = runtime();
    let fake = slow_lrclib(&runtime, "");
    let lrclib = format!("lrclib={}", fake.uri());
    let export = || {
        let out = cli_db(dir.path(), &db)
            .args(["export", "--json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        json_lines(&out)
    };
    let chosen = export()[7]["id"].as_i64().unwrap();
    let album = export()[0]["album_id"].as_i64().unwrap();
    let enrich = |extra: &[&str]| {
        let mut cmd = cli_db(dir.path(), &db);
        cmd.args(["enrich", "--no-artwork", "--provider", &lrclib])
            .args(extra);
        cmd
    };
    let out = enrich(&["--track", &chosen.to_string(), "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The run's summary counts what LRCLIB received.
    let finished = json_lines(&out)
        .into_iter()
        .find(|line| line["type"] == "job_finished")
        .expect("a job_finished line");
    let requests = &finished["result"]["requests"];
    assert_eq!(requests[0]["provider"], "lrclib", "{requests}");
    assert_eq!(
        requests[0]["sent"].as_u64(),
        Some(fake.request_count() as u64),
        "{requests}"
    );
    assert_eq!(requests.as_array().unwrap().len(), 1, "{requests}");
    for track in export() {
        let expected = if track["id"].as_i64() == Some(chosen) {
            "unavailable"
        } else {
            "not_fetched"
        };
        assert_eq!(track["lyrics_status"], expected, "{track}");
    }
    let last = &status_json(dir.path(), &db)["last_run"];
    assert_eq!(last["state"], "finished", "{last}");
    assert_eq!(last["progress"]["total_tracks"], 1, "{last}");
    assert_eq!(last["progress"]["processed_tracks"], 1, "{last}");
    let human = cli_db(dir.path(), &db).arg("status").output().unwrap();
    assert!(
        String::from_utf8_lossy(&human.stdout).contains("last run         finished: 1 of 1 tracks"),
        "{}",
        String::from_utf8_lossy(&human.stdout)
    );

    // --album: that album's 5 tracks (none asked yet)..
    let out = enrich(&["--album", &album.to_string(), "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let started = json_lines(&out)
        .into_iter()
        .find(|line| line["type"] == "job_started")
        .expect("a job_started line");
    assert_eq!(started["total_tracks"], 5, "{started}");
    refused(dir.path(), &db, &["enrich", "--album", "999999"], "999999");
    // The 34 others, one request at a time: a while. Another process sees it running.
    let mut child = enrich(&["--max-concurrent", "1", "--rate", "lrclib=1000"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let state = status_json(dir.path(), &db)["last_run"]["state"].clone();
        if state == "running_elsewhere" {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended unseen: {state}"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "never seen running: {state}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let last = &status_json(dir.path(), &db)["last_run"];
    assert_eq!(last["state"], "interrupted", "{last}");
    let human = cli_db(dir.path(), &db).arg("status").output().unwrap();
    assert!(
        String::from_utf8_lossy(&human.stdout).contains("interrupted (`enrich` continues it)"),
        "{}",
        String::from_utf8_lossy(&human.stdout)
    );
}

#[test]
fn human_status_lists_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lib.db");
    // A command that only looks makes no library.
    refused(dir.path(), &db, &["status"], "there is no library at");
    assert!(!db.exists(), "status created {}", db.display());
    let music = dir.path().join("music");
    std::fs::create_dir(&music).unwrap();
    scan_ok(dir.path(), &db, &music);
    let out = cli_db(dir.path(), &db).arg("status").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("tracks") && text.contains("not_fetched"),
        "{text}"
    );
}

#[test]
fn enrich_stores_local_artwork_and_remembers_what_was_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let lib = tricky_in(&dir);
    let db = dir.path().join("lib.db");
    let out = scan_cmd(dir.path(), &db, &lib.root).output().unwrap();
    assert_eq!(out.status.code(), Some(2));

    let out = cli_db(dir.path(), &db)
        .args(["enrich", "--json", "--no-lyrics"])
        .args(skip_every_provider())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let events = json_lines(&out);
    assert!(events.iter().all(|e| e["type"].is_string()));
    let started = events
        .iter()
        .find(|e| e["type"] == "job_started")
        .expect("job_started");
    assert_eq!(started["total_tracks"], lib.valid_tracks);
    let finished = events
        .iter()
        .find(|e| e["type"] == "job_finished")
        .expect("job_finished");
    let progress = &finished["result"]["progress"];
    assert_eq!(progress["processed_tracks"], lib.valid_tracks);
    // Album One (cover.jpg, 2 tracks), Formats (embedded, 8), The Set (Folder.JPG, 4).
    assert_eq!(progress["artwork_fetched"], 14);
    let updated = events
        .iter()
        .filter(|e| e["type"] == "track_updated")
        .count();
    assert_eq!(updated, 14);
    assert!(events.iter().any(|e| e["type"] == "progress"));

    let status = &status_json(dir.path(), &db);
    assert_eq!(status["artwork_missing"], lib.valid_tracks - 14);
    let stored: Vec<_> = std::fs::read_dir(dir.path().join("artwork"))
        .expect("the artwork store sits beside the database")
        .collect();
    assert!(!stored.is_empty());

    // Nothing failed; a second run has nothing to do (not-found albums are remembered).
    let out = cli_db(dir.path(), &db)
        .args(["failures", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let out = cli_db(dir.path(), &db)
        .args(["enrich", "--no-lyrics"])
        .args(skip_every_provider())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Enriched 0/0 tracks"), "{text}");
}

#[test]
fn enrich_refuses_invalid_settings_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("lib.db");
    refused(
        dir.path(),
        &db,
        &["enrich", "--max-concurrent", "0"],
        "max_concurrent must be between 1 and 64, got 0",
    );
    refused(
        dir.path(),
        &db,
        &["enrich", "--in-flight", "lrclib=0"],
        "provider lrclib: requests at once must be a whole number from 1 to 64, got 0",
    );
    refused(
        dir.path(),
        &db,
        &["enrich", "--in-flight", "lrclib"],
        "--in-flight takes NAME=VALUE",
    );
    let out = cli_db(dir.path(), &db)
        .args(["enrich", "--json", "--batch-size", "20000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let line = &json_lines(&out)[0];
    assert_eq!(line["code"], "invalid_config");
    assert!(line["message"].as_str().unwrap().contains("batch_size"));
}

#[test]
fn ctrl_c_cancels_enrich_cleanly() {
    use std::io::BufRead;
    let (dir, db) = scanned_library(600, 1, false);

    // A slow LRCLIB keeps the job busy while the test interrupts.
    let runtime = runtime();
    let fake = slow_lrclib(&runtime, "");
    let lrclib = format!("lrclib={}", fake.uri());
    let enrich = |extra: &[&str]| {
        let mut cmd = cli_db(dir.path(), &db);
        cmd.args([
            "enrich",
            "--no-artwork",
            "--rate",
            "lrclib=1000",
            "--provider",
            &lrclib,
        ])
        .args(extra);
        cmd
    };

    let mut child = enrich(&["--json", "--max-concurrent", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    // Wait until the job is under way, then press Ctrl-C.
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let value: Value = serde_json::from_str(&line.unwrap()).unwrap();
        let progressing =
            value["type"] == "progress" && value["progress"]["processed_tracks"].as_u64() > Some(0);
        seen.push(value);
        if progressing {
            break;
        }
    }
    // A second job on the same library, from another process, is refused while this one runs.
    assert_refused(&enrich(&[]).output().unwrap(), "is enriching this library");

    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    seen.extend(lines.map(|l| serde_json::from_str::<Value>(&l.unwrap()).unwrap()));
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(130), "Ctrl-C exits 130");
    assert!(
        seen.iter().any(|e| e["type"] == "job_cancelled"),
        "a job_cancelled event"
    );
    let finished = seen
        .iter()
        .find(|e| e["type"] == "job_finished")
        .expect("job_finished");
    assert_eq!(finished["result"]["cancelled"], true);
    let processed = finished["result"]["progress"]["processed_tracks"]
        .as_u64()
        .unwrap();
    assert!(
        processed > 0 && processed < 600,
        "stopped part-way: {processed}"
    );

    // Nothing is left half-done: no track in "fetching"; the next run takes exactly the rest.
    let status = &status_json(dir.path(), &db);
    assert_eq!(status["lyrics"]["fetching"], 0);
    assert_eq!(status["lyrics"]["unavailable"].as_u64().unwrap(), processed);
    fake.set_delay(std::time::Duration::ZERO);
    let out = enrich(&["--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let events = json_lines(&out);
    let started = events.iter().find(|e| e["type"] == "job_started").unwrap();
    assert_eq!(
        started["total_tracks"],
        600 - processed,
        "a cancelled job is not resumed; the rest is its own job"
    );
}

/// Removes the `.lrc` files bulk_library writes (these tests want lyrics missing).
fn remove_sidecars(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            remove_sidecars(&path);
        } else if path.extension().is_some_and(|e| e == "lrc") {
            std::fs::remove_file(path).unwrap();
        }
    }
}

#[test]
fn enrich_fetches_lyrics_from_lrclib_and_never_asks_for_lyrics_on_disk() {
    use gatefold_testkit::servers::lrclib::{FakeLrclib, LrcRecord};
    // Two albums of 8 tracks; every fifth track (1 and 6) has an .lrc beside it.
    let (dir, db) = scanned_library(2, 8, true);

    let runtime = runtime();
    // LRCLIB knows album 0 (durations: the fixtures last about a second), not album 1.
    let records = (1..=8)
        .map(|n| {
            LrcRecord::synced(
                &format!("Track {n} of Bulk Album 0"),
                "Bulk Artist 0",
                "Bulk Album 0",
                1.0,
            )
        })
        .collect();
    let fake = runtime.block_on(FakeLrclib::start(records, "/lrclib"));
    let base = format!("{}/lrclib", fake.uri());

    let out = cli_db(dir.path(), &db)
        .args(["enrich", "--json", "--no-artwork", "--provider"])
        .arg(format!("lrclib={base}"))
        .args(["--rate", "lrclib=50"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let status = &status_json(dir.path(), &db);
    // 4 sidecars + the 6 other tracks of album 0; album 1's 6 are not found.
    assert_eq!(status["lyrics"]["available"], 10, "{status}");
    assert_eq!(status["lyrics"]["unavailable"], 6, "{status}");
    let requests = fake.requests();
    assert!(
        requests
            .iter()
            .all(|r| !r.contains("Track+1+of") && !r.contains("Track+6+of")),
        "tracks with lyrics on disk are not asked: {requests:?}"
    );
    let album0: Vec<&String> = requests.iter().filter(|r| r.contains("Album+0")).collect();
    assert_eq!(
        album0.len(),
        1,
        "album 0 answered by one search: {requests:?}"
    );

    // A bad provider flag is refused before anything runs.
    refused(
        dir.path(),
        &db,
        &["enrich", "--provider", "nosuch=http://x"],
        "unknown provider",
    );
    drop(fake);
}

#[test]
fn export_lists_every_track_with_lyrics_artwork_and_sources() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let lib = tricky_in(&dir);
    let latin1 = dir
        .path()
        .join("music/Latin")
        .join(std::ffi::OsStr::from_bytes(b"caf\xE9.flac"));
    AudioSpec::tagged(Format::Flac, "Cafe", "A", "Latin").write(&latin1);
    let db = dir.path().join("lib.db");
    scan_cmd(dir.path(), &db, &lib.root).output().unwrap();
    let out = cli_db(dir.path(), &db)
        .args(["enrich", "--no-lyrics"])
        .args(skip_every_provider())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = cli_db(dir.path(), &db)
        .args(["export", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let tracks = json_lines(&out);
    assert_eq!(tracks.len(), lib.valid_tracks + 1);
    let by_title = |t: &str| {
        tracks
            .iter()
            .find(|x| x["title"] == t)
            .unwrap_or_else(|| panic!("{t}"))
    };
    let first = by_title("First");
    assert_eq!(first["lyrics"]["kind"], "synced");
    assert_eq!(first["lyrics"]["source"], "sidecar");
    assert!(
        first["lyrics"]["text"]
            .as_str()
            .unwrap()
            .contains("[00:00.50]First line")
    );
    assert_eq!(first["artwork"]["source"], "folder");
    let file = first["artwork"]["file"].as_str().unwrap();
    assert!(
        std::path::Path::new(file).is_file(),
        "{file} is in the artwork store"
    );
    assert_eq!(by_title("Second")["lyrics"]["kind"], "plain");
    assert_eq!(by_title("Flac")["artwork"]["source"], "embedded");
    assert!(by_title("Hit A")["artwork"].is_null());
    let cafe = by_title("Cafe");
    assert_eq!(cafe["path_b64"].as_str().unwrap(), {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(latin1.as_os_str().as_bytes())
    });
    assert!(
        by_title("First").get("path_b64").is_none(),
        "only for paths that are not UTF-8"
    );

    let out = cli_db(dir.path(), &db).arg("export").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("lyrics: available (synced, sidecar)"),
        "{text}"
    );
}

/// Runs a first scan of `music` into the new library `db` with every SQL statement logged, and
/// kills it (SIGKILL) right after the `kill_after`-th log line (`None`: lets it finish). Returns
/// how many log lines it printed.
fn first_scan_killed(dir: &Path, db: &Path, music: &Path, kill_after: Option<usize>) -> usize {
    use std::io::BufRead;
    let mut child = scan_cmd(dir, db, music)
        .arg("--json")
        .env("GATEFOLD_LOG", "sqlx::query=debug,gatefold_engine=debug")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = 0;
    while kill_after.is_none_or(|n| seen < n) {
        match lines.next() {
            Some(line) => {
                line.unwrap();
                seen += 1;
            }
            None => break,
        }
    }
    if kill_after.is_some() {
        child.kill().unwrap();
    }
    child.wait().unwrap();
    seen
}

#[test]
fn a_first_scan_killed_at_any_moment_leaves_a_library_that_opens_again() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    let files = gatefold_testkit::bulk_library(&music, 12, 10);
    // One uninterrupted run says how many moments (logged statements) a first scan has.
    let total = first_scan_killed(dir.path(), &dir.path().join("whole.db"), &music, None);
    assert!(total > 20, "the scan logs its statements ({total} lines)");

    // Killed at moments spread over the whole run: right at the start, while the library is
    // being created and migrated, and between and inside the import's batches.
    let mut moments: Vec<usize> = vec![0, 1, 2, 3, 5, 8];
    moments.extend((1..=10).map(|i| total * i / 11));
    for kill_after in moments {
        let db = dir.path().join(format!("killed-{kill_after}/library.db"));
        first_scan_killed(dir.path(), &db, &music, Some(kill_after));
        let status = cli_db(dir.path(), &db)
            .args(["status", "--json"])
            .output()
            .unwrap();
        // Killed before the library was linked into place: there is none, and status says so.
        let none_yet = !db.exists()
            && json_lines(&status)
                .first()
                .is_some_and(|l| l["code"] == "no_library");
        assert!(
            status.status.code() == Some(0) || none_yet,
            "killed after line {kill_after} of {total}: the library opens again: {}",
            stderr(&status)
        );
        // And the next scan completes the import.
        let out = cli_db(dir.path(), &db)
            .args(["scan", "--json"])
            .arg(&music)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let summary = status_json(dir.path(), &db);
        assert_eq!(summary["tracks"], files, "after line {kill_after}");
    }
}

/// Two `enrich` started at the same instant, 100 times: each either runs or is refused with
/// `job_already_running`; never "database is locked", never both refused.
#[test]
fn simultaneous_enrich_runs_are_refused_cleanly_never_locked() {
    let (dir, db) = scanned_library(4, 3, true);

    let (mut ran, mut refused) = (0, 0);
    for round in 0..100 {
        // --retry-failed: nothing failed, so each run selects nothing and ends at once; what is
        // tested is the claim of the library's one job, which every run makes.
        let start = || {
            cli_db(dir.path(), &db)
                .args(["enrich", "--json", "--retry-failed"])
                .args(skip_every_provider())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (start(), start());
        let mut refused_now = 0;
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
            assert!(
                !text.contains("locked"),
                "round {round}: no 'database is locked': {text}"
            );
            match out.status.code() {
                Some(0) => ran += 1,
                Some(1) => {
                    assert!(
                        text.contains("\"code\":\"job_already_running\""),
                        "round {round}: a refusal says why: {text}"
                    );
                    refused += 1;
                    refused_now += 1;
                }
                other => panic!("round {round}: exit {other:?}: {text}"),
            }
        }
        assert!(refused_now < 2, "round {round}: one of the two ran");
    }
    assert_eq!(ran + refused, 200);
    // The library is whole and no job is left claimed: a later run starts.
    let out = cli_db(dir.path(), &db)
        .args(["enrich", "--retry-failed"])
        .args(skip_every_provider())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// A tag or a file name with a terminal escape sequence is printed as visible text by every
/// human-readable command: it never reaches the terminal as a command.
#[test]
fn escape_sequences_in_tags_and_names_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    AudioSpec::tagged(
        Format::Mp3,
        "Evil \u{1b}]0;pwned\u{7} title",
        "Artist \u{1b}[2J",
        "Album",
    )
    .write(music.join("Album/01 \u{1b}[31mred.mp3"));
    std::fs::write(music.join("Album/02 \u{1b}[5mbroken.flac"), b"not audio").unwrap();
    let db = dir.path().join("lib.db");
    let run = |args: &[&str]| {
        cli_db(dir.path(), &db)
            .args(args)
            .args(if args[0] == "enrich" {
                skip_every_provider()
            } else {
                Vec::new()
            })
            .output()
            .unwrap()
    };
    let scan = scan_cmd(dir.path(), &db, &music).output().unwrap();
    for (what, out) in [
        ("scan", scan),
        ("export", run(&["export"])),
        ("status", run(&["status"])),
        ("enrich", run(&["enrich"])),
        ("failures", run(&["failures"])),
    ] {
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                !bytes.contains(&0x1b) && !bytes.contains(&0x07),
                "{what} {stream}: {}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
    let export = run(&["export"]);
    let text = String::from_utf8_lossy(&export.stdout);
    assert!(text.contains("\\x1b]0;pwned\\x07"), "shown as text: {text}");
}

/// A long album LRCLIB does not know, asked at LRCLIB's pace with slow answers and a short
/// timeout: the timeout bounds each request from when it is sent, never the album's series of
/// requests or the wait behind the rate limit, so every track is "not found", none failed.
#[test]
fn a_long_unknown_album_is_not_found_however_long_its_requests_take_in_total() {
    let (dir, db) = scanned_library(1, 24, false);
    let runtime = runtime();
    // Each answer takes 100 ms; at 10 requests a second the album's 25 or so requests take
    // well over the 1 s timeout in total, each well under it.
    let fake = slow_lrclib(&runtime, "/lrclib");
    let out = cli_db(dir.path(), &db)
        .args([
            "enrich",
            "--no-artwork",
            "--timeout-secs",
            "1",
            "--provider",
        ])
        .arg(format!("lrclib={}/lrclib", fake.uri()))
        .args(["--rate", "lrclib=10"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "nothing failed: {}",
        stderr(&out)
    );
    let status = &status_json(dir.path(), &db);
    assert_eq!(status["lyrics"]["unavailable"], 24, "{status}");
    assert_eq!(status["lyrics"]["failed"], 0, "{status}");
    assert!(fake.request_count() >= 24, "every track was asked");
}

/// `scan --json` names a file whose name is not UTF-8 by its exact bytes too (`path_b64`), so
/// two such files never print the same.
#[test]
fn scan_json_carries_the_exact_bytes_of_names_that_are_not_utf8() {
    use base64::Engine as _;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    std::fs::create_dir_all(&music).unwrap();
    for name in [&b"broken \xff.mp3"[..], &b"broken \xfe.mp3"[..]] {
        std::fs::write(music.join(std::ffi::OsStr::from_bytes(name)), b"not audio").unwrap();
    }
    let out = scan_cmd(dir.path(), dir.path().join("lib.db"), &music)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let mut names: Vec<Vec<u8>> = json_lines(&out)
        .iter()
        .filter(|e| e["type"] == "file_failed")
        .map(|e| {
            base64::engine::general_purpose::STANDARD
                .decode(
                    e["path_b64"]
                        .as_str()
                        .expect("path_b64 for a non-UTF-8 name"),
                )
                .unwrap()
        })
        .collect();
    names.sort();
    let expected = |name: &[u8]| {
        let mut path = music.as_os_str().as_bytes().to_vec();
        path.push(b'/');
        path.extend_from_slice(name);
        path
    };
    assert_eq!(
        names,
        [expected(b"broken \xfe.mp3"), expected(b"broken \xff.mp3")]
    );
}

/// `enrich --json` read by a program that falls behind: every event reaches it, in order,
/// however far the job runs ahead. The reader here reads nothing until the job has given every
/// track its artwork (the library says so), so the job runs thousands of events ahead of it.
#[test]
fn enrich_json_delivers_every_event_to_a_reader_that_falls_behind() {
    use std::io::BufRead;
    // 12,000 tracks; every other album has a cover.jpg, so the job finds artwork for 6,000
    // tracks, one event each: more than the 4,096 the bus keeps for a subscriber that lags
    // plus the lines a full pipe holds.
    let (dir, db) = scanned_library(600, 20, false);
    let with_cover = 300 * 20;
    let mut child = cli_db(dir.path(), &db)
        .args(["enrich", "--json", "--no-lyrics"])
        .args(skip_every_provider())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let tracks = status_json(dir.path(), &db)["tracks"].as_u64().unwrap();
    while status_json(dir.path(), &db)["artwork_missing"]
        .as_u64()
        .unwrap()
        > tracks - with_cover
    {
        assert!(child.try_wait().unwrap().is_none(), "enrich ended early");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let events: Vec<Value> = reader
        .lines()
        .map(|line| serde_json::from_str(&line.unwrap()).unwrap())
        .collect();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        events.iter().all(|e| e["type"] != "lagged"),
        "no event may be dropped"
    );
    assert_eq!(events.first().unwrap()["type"], "job_started");
    assert_eq!(events.last().unwrap()["type"], "job_finished");
    let announced: std::collections::BTreeSet<i64> = events
        .iter()
        .filter(|e| e["type"] == "track_updated")
        .map(|e| e["track_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        announced.len() as u64,
        with_cover,
        "one event per track given artwork"
    );
}

/// `enrich` started again and again while another process scans 3,000 files into the same
/// library: each run either runs (it waits for the scan's batch) or is refused with a reason;
/// never "database is locked", on either side, and the scan imports everything.
#[test]
fn enrich_during_a_scan_waits_its_turn_never_locked() {
    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    let files = gatefold_testkit::bulk_library(&music, 300, 10);
    let db = dir.path().join("lib.db");
    // A first, small import creates the library, so the two processes meet on an existing one.
    let seed = dir.path().join("seed");
    gatefold_testkit::bulk_library(&seed, 1, 2);
    scan_ok(dir.path(), &db, &seed);

    let mut scan = cli_db(dir.path(), &db)
        .args(["scan", "--json"])
        .arg(&music)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut runs = 0;
    // Until the scan ends, and at least a few times. `--retry-failed`: nothing failed, so each
    // run claims the job, finds nothing and ends: the claim's write is what meets the scan's.
    while runs < 5 || scan.try_wait().unwrap().is_none() {
        let out = cli_db(dir.path(), &db)
            .args(["enrich", "--json", "--retry-failed"])
            .args(skip_every_provider())
            .output()
            .unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
        assert!(
            !text.contains("locked"),
            "run {runs}: no 'database is locked': {text}"
        );
        assert_eq!(out.status.code(), Some(0), "run {runs}: {text}");
        runs += 1;
    }
    let out = scan.wait_with_output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(
        !text.contains("locked"),
        "the scan: no 'database is locked': {text}"
    );
    assert_eq!(out.status.code(), Some(0), "the scan: {text}");
    let status = status_json(dir.path(), &db);
    assert_eq!(status["tracks"].as_u64().unwrap() as usize, files + 2);
}

/// Two `enrich` runs one right after the other (two libraries, one MusicBrainz) keep its one
/// request a second between them too: the second process cannot know when the first last
/// called, so its first request waits one interval.
#[test]
fn back_to_back_runs_keep_musicbrainz_at_one_request_a_second() {
    use gatefold_testkit::servers::coverart::FakeCoverArt;
    let runtime = runtime();
    let fake = runtime.block_on(FakeCoverArt::start(Vec::new()));
    // Four albums, two with a cover.jpg: each run asks MusicBrainz about the other two.
    let libraries = [scanned_library(4, 1, false), scanned_library(4, 1, false)];
    for (dir, db) in &libraries {
        let out = cli_db(dir.path(), db)
            .args(["enrich", "--no-lyrics"])
            .args(["--skip-provider", "itunes", "--skip-provider", "deezer"])
            .arg("--provider")
            .arg(format!("musicbrainz={}", fake.musicbrainz_uri()))
            .arg("--provider")
            .arg(format!("coverartarchive={}", fake.coverartarchive_uri()))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let rate = fake.musicbrainz_rate();
    assert_eq!(rate.requests(), 4, "{:?}", fake.requests());
    assert_eq!(rate.violations(), 0, "no two requests within a second");
}

/// Runs the CLI as a user the permission bits apply to: as root (who may read and write
/// anything) that is `nobody`, from a copy of the binary that user can reach; otherwise the
/// user running the tests, whose own permission bits the test takes away.
struct Unprivileged {
    exe: std::path::PathBuf,
    as_nobody: bool,
}

impl Unprivileged {
    /// `dir` must be reachable by everyone (mode 755): the binary's copy goes there.
    fn in_dir(dir: &Path) -> Unprivileged {
        use std::os::unix::fs::PermissionsExt;
        // /proc/self belongs to the process's effective user.
        let as_nobody =
            std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").unwrap()) == 0;
        let exe = if as_nobody {
            let copy = dir.join("gatefold-cli");
            std::fs::copy(env!("CARGO_BIN_EXE_gatefold-cli"), &copy).unwrap();
            std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
            copy
        } else {
            std::path::PathBuf::from(env!("CARGO_BIN_EXE_gatefold-cli"))
        };
        Unprivileged { exe, as_nobody }
    }

    /// Runs `cmd` (a `cli`/`cli_db` invocation: its arguments and environment) as this user.
    fn run(&self, cmd: &Command) -> Output {
        use std::os::unix::process::CommandExt;
        let mut real = Command::new(&self.exe);
        real.args(cmd.get_args())
            .env_clear()
            .envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?))));
        if self.as_nobody {
            real.uid(65534).gid(65534);
        }
        real.output().unwrap()
    }
}

/// A library the user may only read (its file and its folder are read-only to them) can still be
/// looked at: `status`, `export` and `failures` work. `scan` and `enrich` are refused, naming
/// the library and why. Nothing in the library's folder changes.
///
/// As root (who may write anything) the CLI runs as `nobody`, from a copy of the binary that
/// user can reach; otherwise as the user, whose own permission bits are taken away.
#[test]
fn a_library_the_user_may_only_read_is_shown_and_writes_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let set_mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    set_mode(dir.path(), 0o755);
    let music = dir.path().join("music");
    gatefold_testkit::bulk_library(&music, 2, 2);
    let folder = dir.path().join("library");
    let db = folder.join("lib.db");
    scan_ok(dir.path(), &db, &music);
    let files = || -> Vec<(std::path::PathBuf, Vec<u8>)> {
        let mut all: Vec<_> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| {
                let path = e.unwrap().path();
                let bytes = std::fs::read(&path).unwrap_or_default();
                (path, bytes)
            })
            .collect();
        all.sort();
        all
    };
    let before = files();
    for (path, _) in &before {
        set_mode(path, 0o444);
    }
    set_mode(&folder, 0o555);

    let unprivileged = Unprivileged::in_dir(dir.path());
    let run = |args: &[&str]| unprivileged.run(cli_db(dir.path(), &db).args(args));

    let status = run(&["status", "--json"]);
    assert_eq!(status.status.code(), Some(0), "{}", stderr(&status));
    assert_eq!(json_lines(&status)[0]["tracks"], 4);
    let export = run(&["export", "--json"]);
    assert_eq!(export.status.code(), Some(0), "{}", stderr(&export));
    assert_eq!(json_lines(&export).len(), 4, "every track exported");
    let failures = run(&["failures"]);
    assert_eq!(failures.status.code(), Some(0), "{}", stderr(&failures));

    // Something new to import, so the scan has to write.
    AudioSpec::tagged(Format::Flac, "New", "A", "B").write(music.join("new.flac"));
    for args in [
        vec!["scan", music.to_str().unwrap()],
        vec!["enrich", "--no-lyrics"],
    ] {
        let out = run(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains(&db.display().to_string()) && err.contains("read-only"),
            "{args:?} names the library and the cause: {err}"
        );
    }
    set_mode(&folder, 0o755);
    assert_eq!(files(), before, "the library's folder is as it was");
}

/// A file the user may not read is reported as such, with its path and the system's words, not
/// as "failed to parse"; the rest of the folder is imported.
#[test]
fn a_file_the_user_may_not_read_is_reported_as_a_permission_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    mode(dir.path(), 0o777);
    let music = dir.path().join("music");
    let open = AudioSpec::tagged(Format::Flac, "Open", "A", "B").write(music.join("open.flac"));
    let closed = AudioSpec::tagged(Format::Mp3, "Closed", "A", "B").write(music.join("closed.mp3"));
    mode(&music, 0o755);
    mode(&open, 0o644);
    mode(&closed, 0o000);
    let db = dir.path().join("lib.db");
    let out = Unprivileged::in_dir(dir.path()).run(
        cli_db(dir.path(), &db)
            .arg("scan")
            .arg(&music)
            .arg("--json"),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let lines = json_lines(&out);
    let failed: Vec<&Value> = lines
        .iter()
        .filter(|l| l["type"] == "file_failed")
        .collect();
    assert_eq!(failed.len(), 1, "{lines:?}");
    let reason = failed[0]["reason"].as_str().unwrap();
    assert_eq!(failed[0]["path"], closed.display().to_string());
    assert!(
        reason.contains("Permission denied") && !reason.contains("parse"),
        "{reason}"
    );
    assert_eq!(lines.last().unwrap()["report"]["added"], 1);
}

/// `stats`: what each provider was asked, per run and over time, equal to what the fakes
/// received; the lookups the not-found memory saved on the next run.
#[test]
fn stats_count_what_every_provider_received_per_run_and_over_time() {
    use gatefold_testkit::servers::coverart::FakeRelease;
    use gatefold_testkit::servers::deezer::DeezerAlbum;
    use gatefold_testkit::servers::itunes::ItunesAlbum;
    use gatefold_testkit::servers::lrclib::LrcRecord;
    use gatefold_testkit::servers::{Catalogue, FakeProviders};

    let dir = tempfile::tempdir().unwrap();
    let music = dir.path().join("music");
    gatefold_testkit::bulk_library(&music, 5, 2);
    gatefold_testkit::strip_sidecars_and_covers(&music).unwrap();
    let db = dir.path().join("lib.db");
    scan_ok(dir.path(), &db, &music);
    let album = |a: usize| (format!("Bulk Album {a}"), format!("Bulk Artist {a}"));
    let mut catalogue = Catalogue::default();
    for a in [0, 4] {
        let (title, artist) = album(a);
        catalogue.releases.push(FakeRelease {
            id: format!("{a:08}-0000-4000-8000-000000000000"),
            title,
            artist,
            front: Some(gatefold_testkit::COVER_JPG_600.to_vec()),
            with_back: false,
        });
    }
    let (title, artist) = album(1);
    catalogue.deezer.push(DeezerAlbum { title, artist });
    let (collection, artist) = album(2);
    catalogue.itunes.push(ItunesAlbum {
        collection,
        artist,
        sizes: vec![1200, 600],
    });
    // Lyrics for albums 0 to 2; album 3 has nothing anywhere.
    for a in 0..3 {
        let (title, artist) = album(a);
        for t in 1..=2 {
            catalogue.lyrics.push(LrcRecord::synced(
                &format!("Track {t} of {title}"),
                &artist,
                &title,
                1.0,
            ));
        }
    }
    let runtime = runtime();
    let fakes = runtime.block_on(FakeProviders::start(catalogue));
    let enrich = || {
        let out = cli_db(dir.path(), &db)
            .args(["enrich", "--json", "--rate", "itunes=100"])
            .args(fakes.cli_args())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        json_lines(&out)
    };
    let stats = || {
        let out = cli_db(dir.path(), &db)
            .args(["stats", "--json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        json_lines(&out).remove(0)
    };
    let sent = |providers: &Value, name: &str| {
        providers
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["provider"] == name)
            .map_or(0, |p| p["sent"].as_u64().unwrap())
    };
    let provider = |providers: &Value, name: &str| {
        providers
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["provider"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} in {providers}"))
    };

    let events = enrich();
    // The run's counts were sent as events too, the last one complete.
    let live = events
        .iter()
        .rfind(|e| e["type"] == "provider_stats")
        .expect("a provider_stats event");
    assert_eq!(
        sent(&live["providers"], "lrclib"),
        fakes.lrclib.request_count() as u64,
        "{live}"
    );
    let report = stats();
    assert_eq!(report["runs_counted"], 1, "{report}");
    let run = &report["runs"][0]["providers"];
    let received = |prefix: &str| {
        fakes
            .coverart
            .requests()
            .iter()
            .filter(|r| r.starts_with(prefix))
            .count() as u64
    };
    assert_eq!(
        sent(run, "lrclib"),
        fakes.lrclib.request_count() as u64,
        "{run}"
    );
    assert_eq!(sent(run, "musicbrainz"), received("mb "), "{run}");
    // Each archive request is one the client sent: a listing asked of the redirector and
    // followed to the archive (one request, two hops), or an image asked of the archive.
    assert_eq!(sent(run, "coverartarchive"), received("archive "), "{run}");
    assert_eq!(received("caa "), 2, "the two listings");
    assert_eq!(
        sent(run, "itunes") + sent(run, "itunes images"),
        fakes.itunes.requests().len() as u64,
        "{run}"
    );
    assert_eq!(
        sent(run, "deezer") + sent(run, "deezer images"),
        fakes.deezer.requests().len() as u64,
        "{run}"
    );
    // Lookups: every track's lyrics answered once (6 found, 4 not); the artwork sources in
    // the chain's order (albums 0 and 4 by the archive, 1 by Deezer, 2 by iTunes, 3 nowhere).
    let lrclib = provider(run, "lrclib");
    assert_eq!(
        (lrclib["found"].as_u64(), lrclib["not_found"].as_u64()),
        (Some(6), Some(4))
    );
    assert!(lrclib["latency_p50_ms"].as_u64().is_some(), "{lrclib}");
    assert!(lrclib["latency_p95_ms"].as_u64() >= lrclib["latency_p50_ms"].as_u64());
    let found = |name: &str| provider(run, name)["found"].as_u64().unwrap();
    assert_eq!(found("coverartarchive"), 2, "{run}");
    assert_eq!(found("deezer"), 1, "{run}");
    assert_eq!(found("itunes"), 1, "{run}");
    assert_eq!(
        provider(run, "itunes")["not_found"],
        1,
        "only album 3 reached iTunes unanswered"
    );
    assert_eq!(report["all_time"], *run, "one run: all of time is that run");

    // The next run asks nothing again: the not-found memory saves album 3's artwork and the
    // 4 tracks' lyrics.
    let before = fakes.lrclib.request_count();
    enrich();
    assert_eq!(fakes.lrclib.request_count(), before);
    let report = stats();
    assert_eq!(report["runs_counted"], 2, "{report}");
    let saved = &report["runs"][0]["saved"];
    assert_eq!(saved["remembered_artwork"], 1, "{saved}");
    assert_eq!(saved["remembered_lyrics"], 4, "{saved}");
    assert_eq!(report["all_time_saved"]["remembered_lyrics"], 4, "{report}");
    assert_eq!(
        sent(&report["all_time"], "lrclib"),
        fakes.lrclib.request_count() as u64
    );

    let human = cli_db(dir.path(), &db).arg("stats").output().unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("All 2 runs"), "{text}");
    assert!(text.contains("p95 ms") && text.contains("lrclib"), "{text}");
    assert!(
        text.contains("saved: 1 album and 4 tracks not asked again"),
        "{text}"
    );
}

/// `folders list|add|remove`: a scanned folder is remembered; another is added and imported;
/// one inside a music folder is refused; removing one takes its tracks out, never its files.
/// `watch` then imports a song copied in, says so, and stops on Ctrl-C.
#[test]
fn music_folders_are_kept_and_watched_from_the_command_line() {
    use std::io::BufRead;
    let (dir, db) = scanned_library(2, 2, false);
    let music = std::fs::canonicalize(dir.path().join("music")).unwrap();
    let list = || {
        let out = cli_db(dir.path(), &db)
            .args(["folders", "list", "--json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        json_lines(&out)
            .into_iter()
            .map(|l| l["folder"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        list(),
        [music.display().to_string()],
        "scan remembers its folder"
    );

    let other = dir.path().join("other");
    gatefold_testkit::bulk_library(&other, 1, 2);
    let out = cli_db(dir.path(), &db)
        .args(["folders", "add"])
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Added the music folder") && text.contains("2 added"),
        "{text}"
    );
    assert_eq!(list().len(), 2);
    refused(
        dir.path(),
        &db,
        &[
            "folders",
            "add",
            music.join("Bulk Artist 0").to_str().unwrap(),
        ],
        "is already in the library, as part of the music folder",
    );
    refused(
        dir.path(),
        &db,
        &["folders", "remove", "/nowhere"],
        "is not a music folder of this library",
    );
    let out = cli_db(dir.path(), &db)
        .args(["folders", "remove"])
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2 tracks left the library"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        other.read_dir().unwrap().next().is_some(),
        "files untouched"
    );
    assert_eq!(status_json(dir.path(), &db)["tracks"], 4);

    let mut child = cli_db(dir.path(), &db)
        .args(["watch"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.starts_with("Watching ") && first.contains(&music.display().to_string()),
        "{first}"
    );
    AudioSpec::tagged(Format::Mp3, "Arrived", "Someone", "New Album")
        .write(music.join("New Album").join("01.mp3"));
    let imported = lines.next().unwrap().unwrap();
    assert!(
        imported.starts_with("Imported ") && imported.contains("1 added"),
        "{imported}"
    );
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(child.wait().unwrap().code(), Some(0), "Ctrl-C ends a watch");
    assert_eq!(status_json(dir.path(), &db)["tracks"], 5);

    let empty = dir.path().join("empty.db");
    refused(
        dir.path(),
        &empty,
        &["scan", "/nonexistent-music"],
        "cannot scan",
    );
    refused(
        dir.path(),
        &empty,
        &["watch"],
        "the library has no music folders",
    );
}
