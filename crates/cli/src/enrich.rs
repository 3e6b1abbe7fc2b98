//! `gatefold-cli enrich`: runs the enrichment job in the foreground with a progress bar (or JSON
//! events), Ctrl-C cancelling it cleanly. The job, its checks and write-back after it are the
//! engine's ([`Library::start_enrichment`]); this only turns flags into a request and events
//! into lines.

use std::sync::Arc;

use gatefold_engine::enrich::WriteBackOutcome;
use gatefold_engine::writeback::WriteBackOptions;
use gatefold_engine::{ErrorCode, Library};

use crate::output::Output;
use crate::{EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, EnrichArgs, exit_done};

pub(crate) async fn run(library: &Library, args: &EnrichArgs, out: &Output) -> u8 {
    let mut request = match library.saved_request().await {
        Ok(request) => request,
        Err(err) => {
            out.error(err.code(), &err.to_string());
            return EXIT_FAILED;
        }
    };
    request.config = match args.config(request.config) {
        Ok(config) => config,
        Err(err) => {
            out.error(ErrorCode::InvalidConfig, &format!("invalid setting: {err}"));
            return EXIT_FAILED;
        }
    };
    request.providers = match args.provider_settings(request.providers) {
        Ok(providers) => providers,
        Err(message) => {
            out.error(
                ErrorCode::InvalidConfig,
                &format!("invalid setting: {message}"),
            );
            return EXIT_FAILED;
        }
    };
    request.retry_failed = args.retry_failed;
    let mut only = args.tracks.clone();
    for album in &args.albums {
        match library.database().album_tracks(*album).await {
            Ok(tracks) => only.extend(tracks.iter().map(|t| t.id)),
            Err(err) => {
                out.engine_error(&err);
                return EXIT_FAILED;
            }
        }
    }
    request.only_tracks = (!only.is_empty()).then_some(only);
    request.dry_run = args.write.dry_run;
    request.overwrite = args.write.overwrite;
    let printer = *out;
    request.on_write_back = Arc::new(move |item| printer.write_back_item(item));

    // Every event: `--json` is read by programs, which cannot resync from a gap (a window on
    // the bus would drop the oldest events whenever the reader is slower than the job).
    let mut events = library.bus().subscribe_all();
    let handle = match library.start_enrichment(request).await {
        Ok(handle) => handle,
        Err(err) => {
            out.error(err.code(), &err.to_string());
            return EXIT_FAILED;
        }
    };
    let control = handle.control();
    let mut progress = out.enrich_progress();
    let join = handle.join();
    tokio::pin!(join);
    let mut interrupted = false;
    let result = loop {
        tokio::select! {
            result = &mut join => break result,
            Some(event) = events.recv() => progress.on_event(&event),
            signal = tokio::signal::ctrl_c(), if !interrupted => {
                if signal.is_ok() {
                    interrupted = true;
                    progress.note("cancelling…");
                    control.cancel();
                }
            }
        }
    };
    // Events published just before the job returned.
    while let Some(event) = events.try_recv() {
        progress.on_event(&event);
    }
    progress.finish();
    match result {
        Ok(result) => {
            out.enrich_report(&result);
            if result.cancelled {
                return EXIT_INTERRUPTED;
            }
            let written = match &result.write_back {
                None => EXIT_OK,
                Some(WriteBackOutcome::Written { summary }) => {
                    out.write_back_summary(summary);
                    exit_done(summary.failed > 0)
                }
                Some(WriteBackOutcome::Failed { code, message }) => {
                    out.error(*code, message);
                    return EXIT_FAILED;
                }
            };
            if result.has_failures() {
                EXIT_PARTIAL
            } else {
                written
            }
        }
        Err(err) => {
            out.error(err.code(), &err.to_string());
            EXIT_FAILED
        }
    }
}

/// `write-back`: writes back what the library found, listing each file. Exit code 2 when some
/// file could not be written.
pub(crate) async fn write_back(library: &Library, options: WriteBackOptions, out: &Output) -> u8 {
    match library
        .write_back(options, |item| out.write_back_item(item))
        .await
    {
        Ok(summary) => {
            out.write_back_summary(&summary);
            exit_done(summary.failed > 0)
        }
        Err(err) => {
            out.engine_error(&err);
            EXIT_FAILED
        }
    }
}
