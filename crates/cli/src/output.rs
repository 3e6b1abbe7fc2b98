//! What the CLI prints. Human mode: a progress bar on stderr when it is a terminal, problems on
//! stderr one per line, results on stdout. JSON mode (`--json`): one JSON object per line on
//! stdout, each with a `type` field, errors included. Writes to a closed pipe are ignored
//! (`gatefold-cli status | head` must not panic).

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use gatefold_engine::db::FailureRecord;
use gatefold_engine::enrich::{LastRun, LastRunState, Operation};
use gatefold_engine::model::{ProviderRequests, ProviderStatsReport, Savings};
use gatefold_engine::writeback::{ItemOutcome, WriteBackItem, WriteBackSummary, WriteTarget};
use gatefold_engine::{
    EngineError, EnrichmentResult, ErrorCode, LibraryEvent, LibrarySummary, LyricsStatus,
    ScanEvent, ScanReport,
};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    json: bool,
}

fn stdout_line(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", for_terminal(line));
    let _ = out.flush();
}

fn stderr_line(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}", for_terminal(line));
}

/// `text` safe to print for people: file names and tags come from the files, and an escape
/// sequence in a tag must not reach the terminal (recolour it, move the cursor, set the title,
/// hide what follows). Control characters other than newline and tab, and the Unicode
/// direction overrides that reorder what is shown, are written as visible escapes (`\x1b`,
/// `\u{202e}`).
pub(crate) fn for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    use gatefold_engine::normalize::is_hidden_control as unsafe_char;
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !unsafe_char(c) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// JSON for programs: serde escapes every control character below U+0020; the rest is data.
/// The line after a scan's or a write-back's summary when it removed a killed write-back's
/// temporary files (nothing when there were none).
fn cleaned_line(cleaned: u32) {
    if cleaned > 0 {
        stdout_line(&format!(
            "Removed {cleaned} temporary {} an interrupted write-back left.",
            if cleaned == 1 { "file" } else { "files" }
        ));
    }
}

fn json_line<T: Serialize>(value: &T) {
    match serde_json::to_string(value) {
        Ok(line) => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
        Err(err) => stderr_line(&format!("error: cannot encode output as JSON: {err}")),
    }
}

#[derive(Serialize)]
struct ErrorLine<'a> {
    r#type: &'static str,
    code: ErrorCode,
    message: &'a str,
}

impl Output {
    pub(crate) fn new(json: bool) -> Self {
        Output { json }
    }

    /// Reports a command that could not run.
    pub(crate) fn error(&self, code: ErrorCode, message: &str) {
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
                    "{spinner} {msg} [{bar:30}] {pos}/{len} files  {rate}  eta {eta}",
                )
                .map(with_rate)
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
        cleaned_line(report.cleaned);
    }

    pub(crate) fn enrich_progress(&self) -> EnrichProgress {
        let bar = (!self.json).then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{bar:30}] {pos}/{len} tracks  {msg}  {rate}  eta {eta}",
                )
                .map(with_rate)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        EnrichProgress {
            json: self.json,
            bar,
        }
    }

    pub(crate) fn enrich_report(&self, result: &EnrichmentResult) {
        if self.json {
            return; // the job_finished event carried it
        }
        let p = &result.progress;
        let (not_found_art, not_found_lyrics) = (result.not_found.artwork, result.not_found.lyrics);
        stdout_line(&format!(
            "{} {}/{} tracks: artwork for {}, lyrics for {}, {} failed; not found: artwork {}, lyrics {}",
            if result.cancelled {
                "Cancelled after"
            } else {
                "Enriched"
            },
            p.processed_tracks,
            p.total_tracks,
            p.artwork_fetched,
            p.lyrics_fetched,
            p.failed_tracks,
            not_found_art,
            not_found_lyrics,
        ));
        let by_source = |counts: &std::collections::BTreeMap<String, u32>| {
            counts
                .iter()
                .map(|(source, n)| format!("{source} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for (what, counts) in [
            ("artwork", &result.found_by.artwork),
            ("lyrics", &result.found_by.lyrics),
        ] {
            if !counts.is_empty() {
                stdout_line(&format!("  {what} from: {}", by_source(counts)));
            }
        }
        if !result.requests.is_empty() {
            let asked: Vec<String> = result
                .requests
                .iter()
                .map(|r| {
                    let mut line = format!("{} {}", r.provider, r.sent);
                    if r.throttled > 0 || r.failed > 0 {
                        line.push_str(&format!(
                            " ({} throttled, {} failed)",
                            r.throttled, r.failed
                        ));
                    }
                    line
                })
                .collect();
            stdout_line(&format!("  requests: {}", asked.join(", ")));
        }
        if p.failed_tracks > 0 {
            stdout_line(
                "See `gatefold-cli failures` for the reasons; `enrich --retry-failed` tries them again.",
            );
        }
    }

    pub(crate) fn failures(&self, list: &[FailureRecord]) {
        if self.json {
            for failure in list {
                json_line(failure);
            }
            return;
        }
        if list.is_empty() {
            stdout_line("No failures.");
            return;
        }
        for f in list {
            stdout_line(&format!(
                "{} — {} ({}): {}: {} [{} attempt{}]\n    {}",
                f.artist,
                f.title,
                f.album,
                operation_name(f.operation),
                f.reason,
                f.attempts,
                if f.attempts == 1 { "" } else { "s" },
                f.path
            ));
        }
    }

    pub(crate) fn write_back_item(&self, item: &WriteBackItem) {
        if self.json {
            #[derive(Serialize)]
            struct Line<'a> {
                r#type: &'static str,
                #[serde(flatten)]
                item: &'a WriteBackItem,
            }
            json_line(&Line {
                r#type: "write_back",
                item,
            });
            return;
        }
        let what = match item.what {
            WriteTarget::CoverFile => "cover file",
            WriteTarget::LyricsFile => "lyrics file",
            WriteTarget::EmbeddedCover => "embedded cover",
            WriteTarget::EmbeddedLyrics => "embedded lyrics",
            WriteTarget::Temporary => "temporary file",
        };
        let path = item.path.display();
        match &item.outcome {
            ItemOutcome::Written => stdout_line(&format!("wrote {what}: {path}")),
            ItemOutcome::WouldWrite => stdout_line(&format!("would write {what}: {path}")),
            // Unchanged files are the quiet majority on a second run.
            ItemOutcome::Unchanged => {}
            ItemOutcome::Skipped { reason } => {
                stdout_line(&format!("skipped {what}: {path}: {reason}"));
            }
            ItemOutcome::Failed { reason } => {
                stderr_line(&format!("failed {what}: {path}: {reason}"));
            }
            ItemOutcome::Removed { reason } => {
                stdout_line(&format!("removed {what}: {path}: {reason}"));
            }
        }
    }

    pub(crate) fn write_back_summary(&self, s: &WriteBackSummary) {
        if self.json {
            #[derive(Serialize)]
            struct Line<'a> {
                r#type: &'static str,
                #[serde(flatten)]
                summary: &'a WriteBackSummary,
            }
            json_line(&Line {
                r#type: "write_back_summary",
                summary: s,
            });
            return;
        }
        stdout_line(&format!(
            "Write-back ({}{}): {} {}, {} unchanged, {} skipped, {} failed",
            s.mode.as_str(),
            if s.dry_run { ", dry run" } else { "" },
            s.written,
            if s.dry_run {
                "would be written"
            } else {
                "written"
            },
            s.unchanged,
            s.skipped,
            s.failed
        ));
        cleaned_line(s.cleaned);
    }

    pub(crate) fn exported(&self, t: &gatefold_engine::db::ExportedTrack) {
        if self.json {
            json_line(t);
            return;
        }
        let lyrics = match &t.lyrics {
            Some(l) => format!("{} ({}, {})", t.lyrics_status, l.kind, l.source),
            None => t.lyrics_status.to_string(),
        };
        let artwork = match &t.artwork {
            Some(a) => format!("{} ({}, {}x{})", a.file, a.source, a.width, a.height),
            None => "none".to_owned(),
        };
        stdout_line(&format!(
            "{}\n  {} — {} ({})\n  lyrics: {lyrics}\n  artwork: {artwork}",
            t.path, t.artist, t.title, t.album
        ));
    }

    pub(crate) fn summary(&self, summary: &LibrarySummary, last_run: Option<&LastRun>, db: &Path) {
        if self.json {
            #[derive(serde::Serialize)]
            struct Status<'a> {
                #[serde(flatten)]
                summary: &'a LibrarySummary,
                last_run: Option<&'a LastRun>,
            }
            json_line(&Status { summary, last_run });
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
        if let Some(run) = last_run {
            text.push_str(&format!("  last run         {}\n", describe_last_run(run)));
        }
        stdout_line(text.trim_end());
    }
}

impl Output {
    /// The music folders, one per line.
    pub(crate) fn folders(&self, folders: &[std::path::PathBuf]) {
        if folders.is_empty() && !self.json {
            stdout_line("No music folders yet: `gatefold-cli folders add FOLDER` adds one.");
        }
        for folder in folders {
            if self.json {
                json_line(&serde_json::json!({
                    "folder": folder.display().to_string(),
                    "folder_b64": gatefold_engine::model::path_b64(folder),
                }));
            } else {
                stdout_line(&folder.display().to_string());
            }
        }
    }

    pub(crate) fn folder_added(&self, folder: &Path) {
        if self.json {
            json_line(&serde_json::json!({
                "type": "folder_added",
                "folder": folder.display().to_string(),
            }));
        } else {
            stdout_line(&format!("Added the music folder {}", folder.display()));
        }
    }

    pub(crate) fn folder_removed(&self, folder: &Path, tracks: u64) {
        if self.json {
            json_line(&serde_json::json!({
                "type": "folder_removed",
                "folder": folder.display().to_string(),
                "tracks_removed": tracks,
            }));
        } else {
            stdout_line(&format!(
                "Removed the music folder {}: {tracks} track{} left the library (the files are \
                 untouched)",
                folder.display(),
                if tracks == 1 { "" } else { "s" }
            ));
        }
    }

    /// One event of `watch`: a JSON line, or a line for people (warnings on stderr).
    pub(crate) fn watch_event(&self, event: &LibraryEvent) {
        if self.json {
            json_line(event);
            return;
        }
        if let Some((warning, line)) = crate::folders::describe(event) {
            if warning {
                stderr_line(&line);
            } else {
                stdout_line(&line);
            }
        }
    }

    /// The providers' statistics: recent runs, then every run added up.
    pub(crate) fn provider_stats(&self, report: &ProviderStatsReport) {
        if self.json {
            json_line(report);
            return;
        }
        if report.runs_counted == 0 {
            stdout_line("No run yet: `gatefold-cli enrich` asks the providers.");
            return;
        }
        let mut text = String::new();
        for run in &report.runs {
            let took = run
                .ended_at
                .map(|end| format!(", {} s", end - run.started_at))
                .unwrap_or_else(|| ", not finished".to_owned());
            text.push_str(&format!("Run {}{took}\n", run.job_id));
            text.push_str(&providers_table(&run.providers));
            text.push_str(&savings_line(&run.saved));
        }
        text.push_str(&format!(
            "All {} run{}\n",
            report.runs_counted,
            if report.runs_counted == 1 { "" } else { "s" }
        ));
        text.push_str(&providers_table(&report.all_time));
        text.push_str(&savings_line(&report.all_time_saved));
        stdout_line(text.trim_end());
    }
}

/// The providers as a table, one row each.
fn providers_table(providers: &[ProviderRequests]) -> String {
    if providers.is_empty() {
        return "  no provider asked\n".to_owned();
    }
    let ms = |v: Option<u32>| v.map_or_else(|| "-".to_owned(), |v| v.to_string());
    let mut text = format!(
        "  {:<16} {:>8} {:>7} {:>9} {:>9} {:>6} {:>7} {:>7} {:>7} {:>9}\n",
        "provider",
        "requests",
        "found",
        "not found",
        "throttled",
        "errors",
        "retries",
        "p50 ms",
        "p95 ms",
        "received"
    );
    for p in providers {
        text.push_str(&format!(
            "  {:<16} {:>8} {:>7} {:>9} {:>9} {:>6} {:>7} {:>7} {:>7} {:>9}\n",
            p.provider,
            p.sent,
            p.found,
            p.not_found,
            p.throttled,
            p.failed,
            p.retries,
            ms(p.latency_p50_ms),
            ms(p.latency_p95_ms),
            bytes(p.bytes)
        ));
    }
    text
}

/// "saved: 3 albums and 40 tracks not asked again (nothing found recently), 12 albums'
/// artwork found on disk".
fn savings_line(saved: &Savings) -> String {
    format!(
        "  saved: {} album{} and {} track{} not asked again (nothing found recently), {} album{}' \
         artwork found on disk\n",
        saved.remembered_artwork,
        if saved.remembered_artwork == 1 {
            ""
        } else {
            "s"
        },
        saved.remembered_lyrics,
        if saved.remembered_lyrics == 1 {
            ""
        } else {
            "s"
        },
        saved.local_artwork,
        if saved.local_artwork == 1 { "" } else { "s" },
    )
}

/// 1536 → "1.5 KiB".
fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
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
            ScanEvent::FileFailed { path, reason, .. } => {
                bar.suspend(|| stderr_line(&format!("failed: {path}: {reason}")));
            }
            ScanEvent::Skipped { path, reason, .. } => {
                bar.suspend(|| stderr_line(&format!("skipped: {path}: {reason}")));
            }
            ScanEvent::Removed { path, reason, .. } => {
                bar.suspend(|| stderr_line(&format!("removed: {path}: {reason}")));
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

fn operation_name(op: Operation) -> &'static str {
    match op {
        Operation::Artwork => "artwork",
        Operation::Lyrics => "lyrics",
    }
}

/// Shows an enrichment job's events as they come.
pub(crate) struct EnrichProgress {
    json: bool,
    bar: Option<ProgressBar>,
}

impl EnrichProgress {
    pub(crate) fn on_event(&mut self, event: &LibraryEvent) {
        if self.json {
            json_line(event);
            return;
        }
        let Some(bar) = &self.bar else { return };
        match event {
            LibraryEvent::JobStarted {
                total_tracks,
                resumed,
                ..
            } => {
                bar.set_length(u64::from(*total_tracks));
                if *resumed {
                    bar.suspend(|| stderr_line("continuing the job a crash or a quit interrupted"));
                }
            }
            LibraryEvent::Progress { progress, .. } => {
                bar.set_length(u64::from(progress.total_tracks));
                bar.set_position(u64::from(progress.processed_tracks));
                bar.set_message(format!(
                    "artwork {}  lyrics {}  failed {}",
                    progress.artwork_fetched, progress.lyrics_fetched, progress.failed_tracks
                ));
            }
            LibraryEvent::TrackFailed {
                title,
                artist,
                operation,
                reason,
                attempts,
                ..
            } => {
                let line = format!(
                    "failed: {artist} — {title}: {}: {reason} [{attempts} attempt{}]",
                    operation_name(*operation),
                    if *attempts == 1 { "" } else { "s" }
                );
                bar.suspend(|| stderr_line(&line));
            }
            LibraryEvent::JobPaused { reason, .. } => {
                bar.suspend(|| stderr_line(&format!("paused: {}", reason.message)));
            }
            LibraryEvent::JobResumed { .. } => bar.suspend(|| stderr_line("resumed")),
            LibraryEvent::TrackUpdated { .. }
            | LibraryEvent::JobCancelled { .. }
            | LibraryEvent::JobFinished { .. }
            | LibraryEvent::JobFailed { .. }
            | LibraryEvent::WriteBackFinished { .. }
            | LibraryEvent::ProviderStats { .. }
            | LibraryEvent::Watching { .. }
            | LibraryEvent::FolderImported { .. }
            | LibraryEvent::WatchFailed { .. } => {}
        }
    }

    pub(crate) fn note(&mut self, text: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| stderr_line(text)),
            None if !self.json => stderr_line(text),
            None => {}
        }
    }

    pub(crate) fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// A `{rate}` key: whole items per second.
fn with_rate(style: ProgressStyle) -> ProgressStyle {
    style.with_key(
        "rate",
        |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.0}/s", state.per_sec());
        },
    )
}

/// "finished: 120 of 120 tracks, artwork for 40, lyrics for 100, 2 failed".
fn describe_last_run(run: &LastRun) -> String {
    let p = &run.progress;
    let state = match run.state {
        LastRunState::Finished => "finished",
        LastRunState::Cancelled => "cancelled",
        LastRunState::Interrupted => "interrupted (`enrich` continues it)",
        LastRunState::Running => "running",
        LastRunState::RunningElsewhere => "running in another process",
    };
    format!(
        "{state}: {} of {} tracks, artwork for {}, lyrics for {}, {} failed",
        p.processed_tracks, p.total_tracks, p.artwork_fetched, p.lyrics_fetched, p.failed_tracks
    )
}

#[cfg(test)]
mod tests {
    use super::for_terminal;

    #[test]
    fn escape_sequences_and_direction_overrides_are_shown_not_obeyed() {
        assert_eq!(for_terminal("plain title"), "plain title");
        assert_eq!(
            for_terminal("two\nlines\tand a tab"),
            "two\nlines\tand a tab"
        );
        assert_eq!(
            for_terminal("\u{1b}[31mred\u{1b}[0m \u{7}"),
            "\\x1b[31mred\\x1b[0m \\x07"
        );
        assert_eq!(
            for_terminal("a\u{9b}2Jb"),
            "a\\u{9b}2Jb",
            "the C1 escape too"
        );
        assert_eq!(for_terminal("txt.\u{202e}3pm"), "txt.\\u{202e}3pm");
    }
}
