//! What the CLI prints. Human mode: a progress bar on stderr when it is a terminal, problems on
//! stderr one per line, results on stdout. JSON mode (`--json`): one JSON object per line on
//! stdout, each with a `type` field, errors included. Writes to a closed pipe are ignored
//! (`gatefold-cli status | head` must not panic).

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use gatefold_engine::{EngineError, LibrarySummary, LyricsStatus, ScanEvent, ScanReport};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    json: bool,
}

fn stdout_line(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn stderr_line(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn json_line<T: Serialize>(value: &T) {
    match serde_json::to_string(value) {
        Ok(line) => stdout_line(&line),
        Err(err) => stderr_line(&format!("error: cannot encode output as JSON: {err}")),
    }
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    r#type: &'static str,
    code: &'a str,
    message: &'a str,
}

impl Output {
    pub(crate) fn new(json: bool) -> Self {
        Output { json }
    }

    /// Reports a command that could not run.
    pub(crate) fn error(&self, code: &str, message: &str) {
        if self.json {
            json_line(&ErrorLine {
                r#type: "error",
                code,
                message,
            });
        } else {
            stderr_line(&format!("error: {message}"));
        }
    }

    pub(crate) fn engine_error(&self, err: &EngineError) {
        self.error(err.code(), &err.to_string());
    }

    pub(crate) fn scan_progress(&self) -> ScanProgress {
        let bar = (!self.json).then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {msg} [{bar:30}] {pos}/{len} files  {per_sec}  eta {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_message("walking");
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        ScanProgress {
            json: self.json,
            bar,
        }
    }

    pub(crate) fn scan_report(&self, report: &ScanReport) {
        if self.json {
            return; // the `finished` event carried it
        }
        stdout_line(&format!(
            "Scanned {}: {} audio files, {} added, {} updated, {} unchanged, {} removed, {} failed, \
             {} skipped, in {:.2} s",
            report.root,
            report.files,
            report.added,
            report.updated,
            report.unchanged,
            report.removed,
            report.failed,
            report.skipped,
            report.elapsed_ms as f64 / 1000.0
        ));
    }

    pub(crate) fn summary(&self, summary: &LibrarySummary, db: &Path) {
        if self.json {
            json_line(summary);
            return;
        }
        let mut text = format!(
            "Library {}\n  tracks           {}\n  albums           {}\n  artists          {}\n  \
             without artwork  {}\n  lyrics:\n",
            db.display(),
            summary.tracks,
            summary.albums,
            summary.artists,
            summary.artwork_missing
        );
        for status in LyricsStatus::ALL {
            let n = summary.lyrics.get(&status).copied().unwrap_or(0);
            text.push_str(&format!("    {:<14} {n}\n", status.as_str()));
        }
        stdout_line(text.trim_end());
    }
}

/// Shows a scan's events as they come.
pub(crate) struct ScanProgress {
    json: bool,
    bar: Option<ProgressBar>,
}

impl ScanProgress {
    pub(crate) fn on_event(&mut self, event: &ScanEvent) {
        if self.json {
            json_line(event);
            return;
        }
        let Some(bar) = &self.bar else { return };
        match event {
            ScanEvent::Started { files, to_read, .. } => {
                bar.set_length(u64::from(*to_read));
                bar.set_message(format!("{files} files, reading"));
            }
            ScanEvent::Progress { processed, .. } => bar.set_position(u64::from(*processed)),
            ScanEvent::FileFailed { path, reason } => {
                bar.suspend(|| stderr_line(&format!("failed: {path}: {reason}")));
            }
            ScanEvent::Skipped { path, reason } => {
                bar.suspend(|| stderr_line(&format!("skipped: {path}: {reason}")));
            }
            ScanEvent::Finished { .. } => bar.finish_and_clear(),
        }
    }

    pub(crate) fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
