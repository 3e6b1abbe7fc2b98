//! The watch benchmark: `gatefold-cli watch` on a 10,000-track library, and albums copied into
//! the music folder (slowly, file by file, as a file manager does) while it watches: the time
//! from the last write of each album to the line saying it is in the library. Target: within
//! 5 s.

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use gatefold_testkit::{AudioSpec, Format};

/// Albums copied in, one after another.
const ALBUMS: usize = 10;
const TRACKS: usize = 10;

/// Runs the benchmark and prints its figures.
pub fn bench(cli: &Path) -> Result<()> {
    let work = tempfile::tempdir()?;
    let music = work.path().join("music");
    gatefold_testkit::bulk_library(&music, 1000, 10);
    let db = work.path().join("library.db");
    let status = Command::new(cli)
        .arg("--db")
        .arg(&db)
        .arg("scan")
        .arg(&music)
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        bail!("the scan failed");
    }
    // What each copied album holds, written once and copied in chunks.
    let staged = work.path().join("staged");
    let songs: Vec<Vec<u8>> = (1..=TRACKS)
        .map(|t| {
            let path = AudioSpec::tagged(Format::Flac, &format!("Copied {t}"), "Copier", "Copied")
                .track(u32::try_from(t).unwrap_or(1))
                .write(staged.join(format!("{t}.flac")));
            std::fs::read(path)
        })
        .collect::<std::io::Result<_>>()?;

    let mut child = Command::new(cli)
        .arg("--db")
        .arg(&db)
        .arg("watch")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().context("no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel::<(Instant, String)>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send((Instant::now(), line)).is_err() {
                break;
            }
        }
    });
    let (_, first) = rx.recv_timeout(Duration::from_secs(60))?;
    if !first.starts_with("Watching") {
        bail!("unexpected first line: {first}");
    }
    let mut delays = Vec::new();
    for a in 0..ALBUMS {
        let album = music.join(format!("Copied {a}"));
        std::fs::create_dir_all(&album)?;
        for (t, bytes) in songs.iter().enumerate() {
            let mut file = std::fs::File::create(album.join(format!("{t:02}.flac")))?;
            for chunk in bytes.chunks(4096) {
                file.write_all(chunk)?;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let written = Instant::now();
        // "Imported FOLDER: N added, ..." lines, until the album's tracks are all in.
        let mut added = 0;
        while added < TRACKS {
            let (at, line) = rx
                .recv_timeout(Duration::from_secs(30))
                .context("no import line within 30 s")?;
            if let Some(n) = line
                .strip_prefix("Imported ")
                .and_then(|rest| rest.split(": ").nth(1))
                .and_then(|counts| counts.split(' ').next())
                .and_then(|n| n.parse::<usize>().ok())
            {
                added += n;
                if added >= TRACKS {
                    delays.push(at.saturating_duration_since(written));
                }
            }
        }
    }
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let _ = child.wait();
    delays.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = delays[delays.len() / 2];
    let worst = delays[delays.len() - 1];
    println!(
        "watch: {ALBUMS} albums of {TRACKS} tracks copied file by file into a watched 10,000-track \
         library: from the last write to \"in the library\": median {:.0} ms, worst {:.0} ms \
         (target: within 5 s)",
        ms(median),
        ms(worst)
    );
    if worst > Duration::from_secs(5) {
        bail!("an album took {:.1} s", worst.as_secs_f64());
    }
    Ok(())
}
