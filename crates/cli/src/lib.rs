//! `gatefold-cli`: the headless command line over the engine. The desktop binary runs the same
//! subcommands (`gatefold --db PATH scan FOLDER`) through [`run`] when given one.
//!
//! Exit codes: 0 when everything was done, 2 when some files or tracks failed (the rest was
//! done), 1 when the command could not run.

mod enrich;
mod folders;
mod output;
mod paths;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gatefold_engine::enrich::WriteBackMode;
use gatefold_engine::{Database, ErrorCode, Library, ScanOptions};

use crate::output::Output;

pub use paths::{APP_IDENTIFIER, default_database_path};

/// Gatefold: artwork and lyrics for your local music library.
#[derive(Debug, Parser)]
#[command(name = "gatefold-cli", version, about)]
pub struct Cli {
    /// The library database [default: the platform's data folder, e.g.
    /// ~/.local/share/app.gatefold/library.db]
    #[arg(long, global = true, env = "GATEFOLD_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// More log output on stderr (-v info, -vv debug); GATEFOLD_LOG takes a full filter.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import a music folder into the library (again: only what changed is read).
    Scan {
        /// The folder to import.
        folder: PathBuf,
        /// One JSON object per line on stdout instead of a progress bar.
        #[arg(long)]
        json: bool,
    },
    /// Fill in missing artwork and lyrics: first from the files themselves, then from the
    /// online providers. Ctrl-C cancels cleanly (what was found is kept).
    Enrich(EnrichArgs),
    /// List the tracks whose artwork or lyrics could not be fetched, with the reasons.
    Failures {
        /// One JSON object per line on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Print every track with its tags, lyrics status and lyrics, the album's artwork file,
    /// and where each came from.
    Export {
        /// One JSON object per track per line.
        #[arg(long)]
        json: bool,
    },
    /// Write the artwork and lyrics the providers found beside the music (`sidecar`:
    /// cover.jpg, .lrc/.txt) or into the files' tags (`embed`). Never touches audio data; keeps
    /// what you already have unless --overwrite.
    WriteBack(WriteBackArgs),
    /// Show what the library holds.
    Status {
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// The library's music folders: list them, add one (and import it), remove one (its
    /// tracks leave the library; the files are never touched).
    Folders {
        #[command(subcommand)]
        action: FoldersAction,
        /// One JSON object per line on stdout.
        #[arg(long, global = true)]
        json: bool,
    },
    /// Watch the music folders until Ctrl-C: what is added, changed, moved or removed in them
    /// is imported within seconds of the last write (and enriched with --enrich, or when
    /// "Enrich new music automatically" is on).
    Watch {
        /// Enrich new and changed music as it arrives (WiFi-only still applies).
        #[arg(long)]
        enrich: bool,
        /// Rescan every this many seconds when the system cannot watch every folder.
        #[arg(long, value_name = "SECS", default_value_t = 60)]
        poll_secs: u64,
        /// One JSON object per event on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Show what each provider was asked, per run and over time: requests, found, not found,
    /// throttled, errors, retries, latency (p50, p95), bytes, and the lookups the library
    /// did not have to make.
    Stats {
        /// How many recent runs to show.
        #[arg(long, value_name = "N", default_value_t = 5)]
        runs: u32,
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
}

/// What `folders` does.
#[derive(Debug, Subcommand)]
pub enum FoldersAction {
    /// The music folders, one per line.
    List,
    /// Make FOLDER a music folder and import it.
    Add {
        /// The folder.
        folder: PathBuf,
    },
    /// Forget FOLDER and remove its tracks from the library (the files stay).
    Remove {
        /// The folder, as `folders list` shows it.
        folder: PathBuf,
    },
}

/// Flags of `enrich`; unset ones keep the defaults.
#[derive(Debug, clap::Args)]
pub struct EnrichArgs {
    /// Tracks read from the library at a time.
    #[arg(long, value_name = "N")]
    pub batch_size: Option<u32>,
    /// Requests in flight at once, at most.
    #[arg(long, value_name = "N")]
    pub max_concurrent: Option<u32>,
    /// Do not look for artwork.
    #[arg(long)]
    pub no_artwork: bool,
    /// Do not look for lyrics.
    #[arg(long)]
    pub no_lyrics: bool,
    /// Only run on WiFi; pause while on another network.
    #[arg(long)]
    pub require_wifi: bool,
    /// Retries of an operation that failed in a way that may pass.
    #[arg(long, value_name = "N")]
    pub max_retries: Option<u32>,
    /// The first retry waits about this long (ms); each next one twice as long.
    #[arg(long, value_name = "MS")]
    pub retry_base_ms: Option<u64>,
    /// Each attempt is abandoned after this long (seconds).
    #[arg(long, value_name = "SECS")]
    pub timeout_secs: Option<u64>,
    /// Ask again about "not found" answers older than this many days.
    #[arg(long, value_name = "DAYS")]
    pub not_found_max_age_days: Option<u32>,
    /// Only retry what failed before.
    #[arg(long)]
    pub retry_failed: bool,
    /// Work only on this track (repeatable; ids as `export --json` and `failures --json` give
    /// them): with `--retry-failed`, retry what failed for it.
    #[arg(long = "track", value_name = "ID")]
    pub tracks: Vec<i64>,
    /// Work only on this album's tracks (repeatable; ids as `export --json` gives them as
    /// `album_id`).
    #[arg(long = "album", value_name = "ID")]
    pub albums: Vec<i64>,
    /// A provider's base URL, which may carry a path prefix (repeatable):
    /// `--provider lrclib=http://127.0.0.1:8080/lrclib`. Also `GATEFOLD_<NAME>_URL`.
    #[arg(long = "provider", value_name = "NAME=URL")]
    pub providers: Vec<String>,
    /// A provider's pace in requests per second (repeatable): `--rate lrclib=20`.
    #[arg(long = "rate", value_name = "NAME=RPS")]
    pub rates: Vec<String>,
    /// How many requests a provider is sent at once, 1 to 64 (repeatable): `--in-flight
    /// lrclib=16` for a self-hosted LRCLIB.
    #[arg(long = "in-flight", value_name = "NAME=N")]
    pub in_flight: Vec<String>,
    /// Do not ask this provider (repeatable): `--skip-provider musicbrainz`.
    #[arg(long = "skip-provider", value_name = "NAME")]
    pub skip_providers: Vec<String>,
    /// After the job, write what was found beside the music (`sidecar`), into the files' tags
    /// (`embed`), or not (`off`). Default: the saved setting (off unless changed).
    #[arg(long, value_name = "MODE", value_parser = parse_write_back)]
    pub write_back: Option<WriteBackMode>,
    #[command(flatten)]
    pub write: WriteOptions,
    /// Every event as one JSON object per line on stdout instead of a progress bar.
    #[arg(long)]
    pub json: bool,
}

/// How write-back treats the files (shared by `enrich --write-back` and `write-back`).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct WriteOptions {
    /// Write nothing beside the music; print what would be written.
    #[arg(long)]
    pub dry_run: bool,
    /// Replace covers, lyrics files and embedded lyrics you already have.
    #[arg(long)]
    pub overwrite: bool,
}

/// Flags of `write-back`.
#[derive(Debug, clap::Args)]
pub struct WriteBackArgs {
    /// `sidecar` (cover.jpg, .lrc/.txt files) or `embed` (the files' tags).
    #[arg(long, value_name = "MODE", value_parser = parse_write_back)]
    pub mode: WriteBackMode,
    #[command(flatten)]
    pub write: WriteOptions,
    /// One JSON object per file on stdout.
    #[arg(long)]
    pub json: bool,
}

fn parse_write_back(value: &str) -> Result<WriteBackMode, String> {
    value.parse()
}

impl EnrichArgs {
    /// The providers' settings: `saved` (the desktop's, or the defaults), then
    /// `GATEFOLD_<NAME>_URL`, then the flags.
    pub fn provider_settings(
        &self,
        saved: Vec<gatefold_engine::providers::settings::ProviderSettings>,
    ) -> Result<Vec<gatefold_engine::providers::settings::ProviderSettings>, String> {
        use gatefold_engine::providers::settings as ps;
        let mut settings = saved;
        let split = |flag: &str, value: &str| -> Result<(String, String), String> {
            value
                .split_once('=')
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .ok_or_else(|| format!("--{flag} takes NAME=VALUE, got {value:?}"))
        };
        for value in &self.providers {
            let (name, url) = split("provider", value)?;
            ps::set_url(&mut settings, &name, &url).map_err(|e| e.to_string())?;
        }
        for value in &self.rates {
            let (name, rate) = split("rate", value)?;
            ps::set_rate(&mut settings, &name, &rate).map_err(|e| e.to_string())?;
        }
        for value in &self.in_flight {
            let (name, n) = split("in-flight", value)?;
            ps::set_in_flight(&mut settings, &name, &n).map_err(|e| e.to_string())?;
        }
        for name in &self.skip_providers {
            let name = name.trim().to_ascii_lowercase();
            let entry = settings
                .iter_mut()
                .find(|s| s.name == name)
                .ok_or_else(|| {
                    format!(
                        "unknown provider {name:?} (this build has: {})",
                        ps::known_names().join(", ")
                    )
                })?;
            entry.enabled = false;
        }
        Ok(settings)
    }

    /// The job's settings: `saved` (the desktop's, or the defaults) with these flags applied,
    /// validated.
    pub fn config(
        &self,
        saved: gatefold_engine::EnrichmentConfig,
    ) -> Result<gatefold_engine::EnrichmentConfig, gatefold_engine::enrich::ConfigError> {
        let mut b = saved
            .clone()
            .to_builder()
            .enable_artwork(saved.enable_artwork && !self.no_artwork)
            .enable_lyrics(saved.enable_lyrics && !self.no_lyrics)
            .require_wifi(saved.require_wifi || self.require_wifi)
            .write_back(self.write_back.unwrap_or(saved.write_back));
        if let Some(n) = self.batch_size {
            b = b.batch_size(n);
        }
        if let Some(n) = self.max_concurrent {
            b = b.max_concurrent(n);
        }
        if let Some(n) = self.max_retries {
            b = b.max_retries(n);
        }
        if let Some(ms) = self.retry_base_ms {
            b = b.base_retry_delay_ms(ms);
        }
        if let Some(secs) = self.timeout_secs {
            b = b.operation_timeout_secs(secs);
        }
        if let Some(days) = self.not_found_max_age_days {
            b = b.not_found_max_age_days(days);
        }
        b.build()
    }
}

impl Command {
    /// The subcommand names, for the desktop binary to tell a headless run from a normal start.
    pub fn names() -> Vec<String> {
        use clap::CommandFactory;
        Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_owned())
            .collect()
    }

    fn json(&self) -> bool {
        match self {
            Command::Scan { json, .. }
            | Command::Status { json }
            | Command::Stats { json, .. }
            | Command::Folders { json, .. }
            | Command::Watch { json, .. }
            | Command::Failures { json }
            | Command::Export { json } => *json,
            Command::Enrich(args) => args.json,
            Command::WriteBack(args) => args.json,
        }
    }
}

/// Exit code: everything done.
pub const EXIT_OK: u8 = 0;
/// Exit code: the command could not run.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: done, but some files or tracks failed.
pub const EXIT_PARTIAL: u8 = 2;
/// Exit code: stopped by Ctrl-C (what was done is kept).
pub const EXIT_INTERRUPTED: u8 = 130;

/// [`EXIT_PARTIAL`] when something failed, else [`EXIT_OK`].
pub(crate) fn exit_done(some_failed: bool) -> u8 {
    if some_failed { EXIT_PARTIAL } else { EXIT_OK }
}

/// Parses `args` (the program name first) and runs the command on a new tokio runtime.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version are not failures; usage errors are.
            let code = if err.use_stderr() {
                EXIT_FAILED
            } else {
                EXIT_OK
            };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    init_logging(cli.verbose);
    let out = Output::new(cli.command.json());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            out.error(
                ErrorCode::Runtime,
                &format!("cannot start the async runtime: {err}"),
            );
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let code = runtime.block_on(execute(cli, &out));
    ExitCode::from(code)
}

fn init_logging(verbose: u8) {
    use tracing_subscriber::EnvFilter;
    // The tag library (lofty) warns about every odd file it reads; the scan reports the files
    // that matter (`failed: ...`), so its own warnings show only with -v.
    let default = match verbose {
        0 => "warn,lofty=error",
        1 => "info,sqlx=warn",
        _ => "debug,sqlx=info",
    };
    let filter =
        EnvFilter::try_from_env("GATEFOLD_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    // try_init: the desktop binary may already have a subscriber.
    // Colours only on a terminal: a log read from a file or a pipe gets no escape codes.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

async fn execute(cli: Cli, out: &Output) -> u8 {
    let db_path = match cli.db.clone().map_or_else(default_database_path, Ok) {
        Ok(path) => path,
        Err(message) => {
            out.error(ErrorCode::NoDatabasePath, &message);
            return EXIT_FAILED;
        }
    };
    // Commands that only look open the library read-only: they work for a user who may only
    // read it, and never create, migrate or checkpoint it.
    let only_reads = matches!(
        cli.command,
        Command::Status { .. }
            | Command::Stats { .. }
            | Command::Folders {
                action: FoldersAction::List,
                ..
            }
            | Command::Failures { .. }
            | Command::Export { .. }
    );
    let opened = if only_reads {
        Library::open_read_only(&db_path).await
    } else {
        Library::open(&db_path).await
    };
    let library = match opened {
        Ok(library) => library,
        Err(err) => {
            out.engine_error(&err);
            return EXIT_FAILED;
        }
    };
    let code = match cli.command {
        Command::Scan { folder, .. } => scan(&library, &folder, out).await,
        Command::Status { .. } => status(&library, out).await,
        Command::Folders { action, .. } => folders::run(&library, action, out).await,
        Command::Watch {
            enrich, poll_secs, ..
        } => folders::watch(&library, enrich, poll_secs, out).await,
        Command::Stats { runs, .. } => match library.provider_stats(runs).await {
            Ok(report) => {
                out.provider_stats(&report);
                EXIT_OK
            }
            Err(err) => {
                out.engine_error(&err);
                EXIT_FAILED
            }
        },
        Command::Enrich(args) => enrich::run(&library, &args, out).await,
        Command::Failures { .. } => failures(library.database(), out).await,
        Command::Export { .. } => export(&library, out).await,
        Command::WriteBack(args) => {
            let options = gatefold_engine::writeback::WriteBackOptions {
                mode: args.mode,
                dry_run: args.write.dry_run,
                overwrite: args.write.overwrite,
            };
            enrich::write_back(&library, options, out).await
        }
    };
    library.close().await;
    code
}

pub(crate) async fn scan(library: &Library, folder: &std::path::Path, out: &Output) -> u8 {
    let mut progress = out.scan_progress();
    let result = library
        .scan(folder, &ScanOptions::default(), |event| {
            progress.on_event(&event)
        })
        .await;
    progress.finish();
    match result {
        Ok(report) => {
            out.scan_report(&report);
            exit_done(report.is_partial())
        }
        Err(err) => {
            out.engine_error(&err);
            EXIT_FAILED
        }
    }
}

async fn status(library: &Library, out: &Output) -> u8 {
    let db = library.database();
    let read = async {
        Ok::<_, gatefold_engine::EngineError>((db.summary().await?, library.last_run().await?))
    };
    match read.await {
        Ok((summary, last_run)) => {
            out.summary(&summary, last_run.as_ref(), db.path());
            EXIT_OK
        }
        Err(err) => {
            out.engine_error(&err.in_library(db.path()));
            EXIT_FAILED
        }
    }
}

async fn failures(db: &Database, out: &Output) -> u8 {
    match db.failures(u32::MAX).await {
        Ok(list) => {
            out.failures(&list);
            EXIT_OK
        }
        Err(err) => {
            out.engine_error(&err.in_library(db.path()));
            EXIT_FAILED
        }
    }
}

async fn export(library: &Library, out: &Output) -> u8 {
    let mut after = 0;
    loop {
        let page = match library.export_page(after, 500).await {
            Ok(page) => page,
            Err(err) => {
                out.engine_error(&err.in_library(library.path()));
                return EXIT_FAILED;
            }
        };
        let Some(last) = page.last() else {
            return EXIT_OK;
        };
        after = last.id;
        for track in &page {
            out.exported(track);
        }
    }
}
