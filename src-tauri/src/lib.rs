//! The Gatefold desktop app: a thin Tauri shell over `gatefold-engine`. This package is the only
//! code that depends on tauri. It resolves paths (the library database in the app data dir,
//! unless `GATEFOLD_DB` says otherwise), holds the engine in managed state, exposes typed
//! commands (`commands`), and logs to a rotating file in the app's log dir.
//!
//! Given a CLI subcommand (`gatefold --db PATH scan FOLDER`, `gatefold status --json`), the binary
//! runs it headless, with no window and no display, exactly as `gatefold-cli` would.

mod artwork;
mod commands;
mod error;
mod events;
mod logging;
mod state;

use std::ffi::OsString;
use std::process::ExitCode;

use tauri::Manager;

pub use error::CommandError;

/// Entry point of the `gatefold` binary.
pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    if is_headless(&args) {
        return gatefold_cli::run(args);
    }
    run();
    ExitCode::SUCCESS
}

/// Whether the arguments name a CLI subcommand (global options such as `--db PATH` may come
/// first).
fn is_headless(args: &[OsString]) -> bool {
    let names = gatefold_cli::Command::names();
    let mut rest = args.iter().skip(1);
    while let Some(arg) = rest.next() {
        let Some(arg) = arg.to_str() else {
            return false;
        };
        if arg == "--db" {
            rest.next();
            continue;
        }
        if arg.starts_with('-') {
            continue;
        }
        return names.iter().any(|name| name == arg);
    }
    false
}

/// Starts the desktop app.
pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(tauri::generate_handler![
            commands::library_summary,
            commands::get_settings,
            commands::save_settings,
            commands::start_enrichment,
            commands::pause_enrichment,
            commands::resume_enrichment,
            commands::cancel_enrichment,
            commands::list_failures,
            commands::get_providers,
            commands::save_providers,
            commands::enrichment_status,
            commands::list_albums,
            commands::album_tracks,
            commands::track_lyrics,
            commands::choose_folder,
            commands::scan_folder,
            commands::save_text_file,
        ])
        .register_asynchronous_uri_scheme_protocol("artwork", |ctx, request, responder| {
            let app = ctx.app_handle().clone();
            tauri::async_runtime::spawn(async move {
                responder.respond(artwork::serve(&app, request.uri().path()).await);
            });
        })
        .setup(|app| {
            let log_guard = app
                .path()
                .app_log_dir()
                .ok()
                .and_then(|dir| logging::init(&dir));
            let db_path = state::database_path(app.handle())?;
            tracing::info!(db = %db_path.display(), "starting Gatefold");
            let library = tauri::async_runtime::block_on(gatefold_engine::Database::open(&db_path));
            if let Err(err) = &library {
                tracing::error!(%err, "library database could not be opened");
            }
            let state = state::AppState::new(library, log_guard);
            events::forward(app.handle().clone(), &state.bus);
            state.track_job_status();
            app.manage(state);
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the Gatefold window could not be started");
}

#[cfg(test)]
mod tests {
    use super::is_headless;

    fn args(list: &[&str]) -> Vec<std::ffi::OsString> {
        list.iter().map(Into::into).collect()
    }

    #[test]
    fn headless_only_with_a_subcommand() {
        assert!(is_headless(&args(&["gatefold", "scan", "/music"])));
        assert!(is_headless(&args(&[
            "gatefold", "--db", "x.db", "status", "--json"
        ])));
        assert!(is_headless(&args(&["gatefold", "-v", "status"])));
        assert!(!is_headless(&args(&["gatefold"])));
        assert!(!is_headless(&args(&["gatefold", "--db", "scan"])));
        assert!(!is_headless(&args(&["gatefold", "unknown"])));
    }
}
