//! `gatefold-cli enrich`: runs the enrichment job in the foreground with a progress bar (or JSON
//! events), Ctrl-C cancelling it cleanly.

use std::path::Path;
use std::sync::Arc;

use gatefold_engine::enrich::ArtworkStore;
use gatefold_engine::http::Http;
use gatefold_engine::providers::settings;
use gatefold_engine::{BackgroundExecutor, BusMessage, Database, EnrichmentJob, EventBus};

use crate::output::Output;
use crate::{EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, EnrichArgs, paths};

pub(crate) async fn run(db: &Database, db_path: &Path, args: &EnrichArgs, out: &Output) -> u8 {
    let config = match args.config() {
        Ok(config) => config,
        Err(err) => {
            out.error("invalid_config", &format!("invalid setting: {err}"));
            return EXIT_FAILED;
        }
    };
    let services = match args
        .provider_settings()
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
                EXIT_INTERRUPTED
            } else if result.has_failures() {
                EXIT_PARTIAL
            } else {
                EXIT_OK
            }
        }
        Err(err) => {
            out.error(err.code(), &err.to_string());
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
