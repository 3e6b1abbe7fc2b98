//! Typed commands the UI invokes. Each returns `Result<T, CommandError>`; the UI's
//! `TauriBackend` (ui/src/lib/tauriBackend.ts) calls them by these names.

use std::sync::Arc;

use gatefold_engine::db::FailureRecord;
use gatefold_engine::enrich::{
    ArtworkStore, EnrichmentConfig, LinuxNetworkMonitor, NetworkMonitor,
};
use gatefold_engine::providers::settings::{self as provider_settings, ProviderSettings};
use gatefold_engine::{Database, EnrichmentJob, LibraryEvent, LibrarySummary};
use tauri::State;

use crate::error::CommandError;
use crate::state::AppState;

const ENRICHMENT_SETTINGS: &str = "enrichment";
const PROVIDER_SETTINGS: &str = "providers";

/// Counts of tracks, albums, artists, missing artwork and lyrics statuses.
#[tauri::command]
pub async fn library_summary(state: State<'_, AppState>) -> Result<LibrarySummary, CommandError> {
    Ok(state.database()?.summary().await?)
}

async fn load_config(db: &Database) -> Result<EnrichmentConfig, CommandError> {
    match db.setting(ENRICHMENT_SETTINGS).await? {
        Some(json) => serde_json::from_str(&json).map_err(|e| {
            CommandError::new(
                "corrupt_settings",
                format!("saved settings are unreadable: {e}"),
            )
        }),
        None => Ok(EnrichmentConfig::default()),
    }
}

async fn load_providers(db: &Database) -> Result<Vec<ProviderSettings>, CommandError> {
    let mut settings = match db.setting(PROVIDER_SETTINGS).await? {
        Some(json) => serde_json::from_str(&json).map_err(|e| {
            CommandError::new(
                "corrupt_settings",
                format!("saved provider settings are unreadable: {e}"),
            )
        })?,
        None => provider_settings::defaults(),
    };
    provider_settings::apply_env(&mut settings)
        .map_err(|e| CommandError::new("invalid_config", e))?;
    Ok(settings)
}

/// The saved enrichment settings (the defaults until something was saved).
#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Result<EnrichmentConfig, CommandError> {
    load_config(state.database()?).await
}

/// Saves the enrichment settings for the next run. Out-of-range values are refused with
/// `invalid_config` and every offending field in `details`; nothing is saved then.
#[tauri::command]
pub async fn save_settings(
    state: State<'_, AppState>,
    config: EnrichmentConfig,
) -> Result<(), CommandError> {
    let problems = config.validate_all();
    if let Some(first) = problems.first() {
        let mut err = CommandError::new("invalid_config", format!("invalid setting: {first}"));
        err.details = serde_json::to_value(&problems).ok();
        return Err(err);
    }
    let json =
        serde_json::to_string(&config).map_err(|e| CommandError::new("internal", e.to_string()))?;
    state
        .database()?
        .set_setting(ENRICHMENT_SETTINGS, &json)
        .await?;
    Ok(())
}

/// Starts enriching the library in the background with the saved settings. Events follow on
/// `library-events`.
#[tauri::command]
pub async fn start_enrichment(
    state: State<'_, AppState>,
    retry_failed: bool,
) -> Result<(), CommandError> {
    let db = state.database()?.clone();
    let config = load_config(&db).await?;
    config
        .validate()
        .map_err(|e| CommandError::new("invalid_config", format!("invalid setting: {e}")))?;
    let http = state.http.clone()?;
    let services = provider_settings::build(&http, &load_providers(&db).await?)
        .map_err(|e| CommandError::new("invalid_config", e.to_string()))?;
    if config.require_wifi {
        let status = LinuxNetworkMonitor::default().status().await;
        if !status.allows_wifi_only_work() {
            return Err(CommandError::new(
                "not_on_wifi",
                format!(
                    "WiFi-only is on and this machine is on {}",
                    status.describe()
                ),
            ));
        }
    }
    let store = ArtworkStore::new(gatefold_cli::artwork_store_path(db.path()));
    let mut job = EnrichmentJob::new(db, config, state.bus.clone())
        .artwork(Arc::new(services.artwork), store)
        .retry_failed(retry_failed);
    if let Some(lyrics) = services.lyrics {
        job = job.lyrics(lyrics);
    }
    let handle = state.executor.spawn(job)?;
    let bus = state.bus.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(err) = handle.join().await {
            tracing::error!(%err, "enrichment stopped on an error");
            bus.publish(LibraryEvent::JobFailed {
                code: err.code().to_owned(),
                message: err.to_string(),
            });
        }
    });
    Ok(())
}

fn running(state: &AppState) -> Result<gatefold_engine::enrich::JobControl, CommandError> {
    state
        .executor
        .current()
        .ok_or_else(|| CommandError::new("no_job", "no enrichment is running"))
}

#[tauri::command]
pub async fn pause_enrichment(state: State<'_, AppState>) -> Result<(), CommandError> {
    running(&state)?.pause();
    Ok(())
}

#[tauri::command]
pub async fn resume_enrichment(state: State<'_, AppState>) -> Result<(), CommandError> {
    running(&state)?.resume();
    Ok(())
}

/// Stops the running job within a second; what it found is kept.
#[tauri::command]
pub async fn cancel_enrichment(state: State<'_, AppState>) -> Result<(), CommandError> {
    running(&state)?.cancel();
    Ok(())
}

/// The failures recorded, newest first, at most `limit`.
#[tauri::command]
pub async fn list_failures(
    state: State<'_, AppState>,
    limit: u32,
) -> Result<Vec<FailureRecord>, CommandError> {
    Ok(state.database()?.failures(limit).await?)
}
