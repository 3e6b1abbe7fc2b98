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
mod notify;
mod state;

use std::ffi::OsString;
use std::process::ExitCode;

use tauri::Manager;

pub use error::CommandError;

/// Entry point of the `gatefold` binary.
pub fn main() -> ExitCode {
    gatefold_engine::process::limit_allocator_arenas();
    let args: Vec<OsString> = std::env::args_os().collect();
    if is_headless(&args) {
        return gatefold_cli::run(args);
    }
    if let Some(problem) = no_display() {
        eprintln!("gatefold: {problem}");
        return ExitCode::FAILURE;
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("gatefold: the window could not be started: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Why no window can open here, if none can: GTK needs an X11 or Wayland display, and without
/// one it would abort with a stack trace instead of a sentence.
fn no_display() -> Option<String> {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("DISPLAY") || set("WAYLAND_DISPLAY") {
        return None;
    }
    Some(format!(
        "no graphical session (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window \
         cannot open. Start Gatefold from a desktop session, or use its commands, which need \
         no window: {} (`gatefold help` says more).",
        gatefold_cli::Command::names()
            .iter()
            .map(|name| format!("`gatefold {name}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
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
        if matches!(arg, "--help" | "-h" | "--version" | "-V") {
            return true;
        }
        if arg.starts_with('-') {
            continue;
        }
        return arg == "help" || names.iter().any(|name| name == arg);
    }
    false
}

/// Starts the desktop app and returns when its window has closed.
pub fn run() -> tauri::Result<()> {
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        // Used from Rust only (the end of a long run in the background); the window has no
        // notification permission.
        .plugin(tauri_plugin_notification::init())
        // The window comes back at the size and place it was closed at (saved on exit in the
        // app's config dir).
        .plugin(tauri_plugin_window_state::Builder::default().build())
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
            commands::last_run,
            commands::provider_stats,
            commands::music_folders,
            commands::add_music_folder,
            commands::remove_music_folder,
            commands::watch_status,
            commands::enrich_album_now,
            commands::provider_urls,
            commands::album_card,
            commands::reveal_track,
            commands::write_back_preview,
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
            let library = tauri::async_runtime::block_on(gatefold_engine::Library::open(&db_path));
            match &library {
                Ok(library) => {
                    events::forward(app.handle().clone(), library.bus());
                    notify::on_long_runs(app.handle().clone(), library.bus());
                    // The music folders are watched while the app runs; the watch stops when
                    // the library closes.
                    let library = library.clone();
                    tauri::async_runtime::spawn(async move {
                        library.start_watching(gatefold_engine::watch::WatchOptions::default());
                    });
                }
                Err(err) => tracing::error!(%err, "library database could not be opened"),
            }
            quit_on_signals(app.handle().clone());
            let state = state::AppState::new(library, log_guard);
            state.track_job_status();
            app.manage(state);
            Ok(())
        })
        .build(tauri::generate_context!())?;
    app.run(|app, event| {
        if let tauri::RunEvent::Exit = event {
            shut_down(app);
        }
    });
    Ok(())
}

/// SIGTERM (logout, shutdown, `kill`), SIGHUP and SIGINT quit the app the way closing its
/// window does, so the library is closed whole instead of the process dying mid-write.
fn quit_on_signals(app: tauri::AppHandle) {
    use tokio::signal::unix::{SignalKind, signal};
    tauri::async_runtime::spawn(async move {
        let (Ok(mut term), Ok(mut hup), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
            signal(SignalKind::interrupt()),
        ) else {
            tracing::warn!("quit signals cannot be watched; they will end the app at once");
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = hup.recv() => {}
            _ = int.recv() => {}
        }
        tracing::info!("asked to quit by a signal");
        app.exit(0);
    });
}

/// On exit: stop a running job (what it found is committed as it goes) and close the library,
/// which folds its WAL into the main file, so the next start (app or CLI) finds it whole.
fn shut_down(app: &tauri::AppHandle) {
    let Some(state) = app.try_state::<state::AppState>() else {
        return;
    };
    if let Ok(library) = state.library() {
        tauri::async_runtime::block_on(library.close());
        tracing::info!("library closed");
    }
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
        assert!(is_headless(&args(&["gatefold", "--help"])));
        assert!(is_headless(&args(&["gatefold", "help", "scan"])));
        assert!(is_headless(&args(&["gatefold", "--version"])));
    }
}
