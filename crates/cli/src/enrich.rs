//! `gatefold-cli enrich`: runs the enrichment job in the foreground with a progress bar (or JSON
//! events), Ctrl-C cancelling it cleanly.

use std::path::Path;
use std::sync::Arc;

use gatefold_engine::enrich::{ArtworkStore, WriteBackMode};
use gatefold_engine::http::Http;
use gatefold_engine::providers::settings;
use gatefold_engine::writeback::WriteBackOptions;
use gatefold_engine::{BackgroundExecutor, BusMessage, Database, EnrichmentJob, EventBus};

use crate::output::Output;
use crate::{EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, EnrichArgs, paths};

pub(crate) async fn run(db: &Database, db_path: &Path, args: &EnrichArgs, out: &Output) -> u8 {
    let saved = match (db.enrichment_config().await, db.provider_settings().await) {
        (Ok(config), Ok(providers)) => (config, providers),
        (Err(err), _) | (_, Err(err)) => {
            out.engine_error(&err);
            return EXIT_FAILED;
        }
    };
    let config = match args.config(saved.0) {
        Ok(config) => config,
        Err(err) => {
            out.error("invalid_config", &format!("invalid setting: {err}"));
            return EXIT_FAILED;
        }
    };
    let write_back = gatefold_engine::writeback::WriteBackOptions {
        mode: config.write_back,
        dry_run: args.write.dry_run,
        overwrite: args.write.overwrite,
    };
    let services = match args
        .provider_settings(saved.1)
        .and_then(|s| Http::new().map_err(|e| e.to_string()).map(|http| (http, s)))
        .and_then(|(http, s)| settings::build(&http, &s).map_err(|e| e.to_string()))
    {
        Ok(services) => services,
        Err(message) => {
            out.error("invalid_config", &format!("invalid setting: {message}"));
            return EXIT_FAILED;
        }
    };
    let bus = EventBus::default();
    let mut events = bus.subscribe();
    let store = ArtworkStore::new(paths::artwork_store_path(db_path));
    let mut job = EnrichmentJob::new(db.clone(), config, bus)
        .artwork(Arc::new(services.artwork), store)
        .retry_failed(args.retry_failed);
    if let Some(lyrics) = services.lyrics {
        job = job.lyrics(lyrics);
    }
    let handle = match BackgroundExecutor::new().spawn(job) {
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
            Some(message) = events.recv() => progress.on_message(&message),
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
    while let Some(message) = events.try_recv() {
        progress.on_message(&message);
    }
    progress.finish();
    match result {
        Ok(result) => {
            out.enrich_report(&result);
            if result.cancelled {
                return EXIT_INTERRUPTED;
            }
            let written = if write_back.mode == WriteBackMode::Off {
                EXIT_OK
            } else {
                self::write_back(db, db_path, write_back, out).await
            };
            if result.has_failures() || written == EXIT_PARTIAL {
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

/// Writes back what the library found (`enrich --write-back`, `write-back`), listing each
/// file. Exit code 2 when some file could not be written.
pub(crate) async fn write_back(
    db: &Database,
    db_path: &Path,
    options: WriteBackOptions,
    out: &Output,
) -> u8 {
    let store = ArtworkStore::new(paths::artwork_store_path(db_path));
    match gatefold_engine::writeback::write_back(db, &store, options, |item| {
        out.write_back_item(item);
    })
    .await
    {
        Ok(summary) => {
            out.write_back_summary(&summary);
            if summary.failed > 0 {
                EXIT_PARTIAL
            } else {
                EXIT_OK
            }
        }
        Err(err) => {
            out.engine_error(&err);
            EXIT_FAILED
        }
    }
}

impl crate::output::EnrichProgress {
    pub(crate) fn on_message(&mut self, message: &BusMessage) {
        match message {
            BusMessage::Event(event) => self.on_event(event),
            BusMessage::Lagged { missed } => self.on_lag(*missed),
        }
    }
}
