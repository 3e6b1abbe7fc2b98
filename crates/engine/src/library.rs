//! [`Library`]: the one entry point of both front ends (the desktop shell and the CLI).
//!
//! A front end opens a library by its database path and then only translates: IPC arguments or
//! flags into [`EnrichmentRequest`]s and options, engine events into a window or a terminal.
//! Everything that must be decided once lives here: the layout beside the database (the
//! artwork store), the settings a job starts from (saved, then `GATEFOLD_<NAME>_URL`), the
//! checks before a job (settings, providers, the WiFi rule, the claim of the library's one
//! running job) and write-back after it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::db::{Database, ExportedTrack};
use crate::enrich::{
    ArtworkStore, BackgroundExecutor, EnrichmentConfig, EnrichmentError, EnrichmentJob, JobControl,
    JobHandle, LinuxNetworkMonitor, NetworkMonitor,
};
use crate::error::Result;
use crate::events::EventBus;
use crate::http::Http;
use crate::providers::settings::{self as provider_settings, ProviderSettings};
use crate::scan::{ScanEvent, ScanOptions, ScanReport};
use crate::writeback::{WriteBackItem, WriteBackListener, WriteBackOptions, WriteBackSummary};

/// The folder beside the database that holds the library's artwork.
pub const ARTWORK_DIR: &str = "artwork";

/// Where the artwork store of the library at `database` lives: `artwork/` beside it.
pub fn artwork_store_path(database: &Path) -> PathBuf {
    database
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."))
        .join(ARTWORK_DIR)
}

/// An open library: its database, its artwork store, the event bus its jobs publish on, its
/// one job executor and its one HTTP client. Cloning gives another handle to the same library.
#[derive(Clone)]
pub struct Library {
    db: Database,
    store: ArtworkStore,
    bus: EventBus,
    executor: BackgroundExecutor,
    http: Http,
    network: Arc<dyn NetworkMonitor>,
    /// Held by whatever imports (a scan, the watch's imports, a folder's removal): one at a
    /// time, so two never write the same tracks at once.
    imports: Arc<tokio::sync::Mutex<()>>,
    /// Bumped when the music folders change, so a running watch follows.
    folders_changed: Arc<tokio::sync::watch::Sender<u64>>,
    /// Cancelled when the library closes: a watch stops.
    closing: tokio_util::sync::CancellationToken,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library")
            .field("path", &self.db.path())
            .field("store", &self.store.root())
            .finish_non_exhaustive()
    }
}

/// What one enrichment run should do: the settings it runs with (start from
/// [`Library::saved_request`] and change what the user asked for), and what to do after it.
#[derive(Clone)]
pub struct EnrichmentRequest {
    /// The job's settings (validated when the job starts).
    pub config: EnrichmentConfig,
    /// The providers, in priority order (validated when the job starts).
    pub providers: Vec<ProviderSettings>,
    /// Work only on what failed before.
    pub retry_failed: bool,
    /// Work only on these tracks (a failure's "Retry"); `None`: every track.
    pub only_tracks: Option<Vec<i64>>,
    /// Write-back after the job: its mode comes from `config.write_back`; these say how.
    pub dry_run: bool,
    /// Replace the user's own covers and lyrics files during write-back.
    pub overwrite: bool,
    /// Hears of each file write-back writes, skips or fails on.
    pub on_write_back: WriteBackListener,
}

impl std::fmt::Debug for EnrichmentRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrichmentRequest")
            .field("config", &self.config)
            .field("providers", &self.providers)
            .field("retry_failed", &self.retry_failed)
            .field("only_tracks", &self.only_tracks)
            .field("dry_run", &self.dry_run)
            .field("overwrite", &self.overwrite)
            .finish_non_exhaustive()
    }
}

impl Library {
    /// Opens (or creates) the library at `db_path`, with its artwork store beside it. A library
    /// this process may not write opens read-only ([`Database::open`]): it can be looked at,
    /// and what would write is refused as `read_only_library`, naming it.
    pub async fn open(db_path: &Path) -> Result<Library> {
        let db = Database::open(db_path)
            .await
            .map_err(|e| e.in_library(db_path))?;
        Self::over(db, db_path).await
    }

    /// Opens the existing library at `db_path` for commands that only look (status, export,
    /// failures): nothing is created or written ([`Database::open_read_only`]).
    pub async fn open_read_only(db_path: &Path) -> Result<Library> {
        let db = Database::open_read_only(db_path)
            .await
            .map_err(|e| e.in_library(db_path))?;
        Self::over(db, db_path).await
    }

    async fn over(db: Database, db_path: &Path) -> Result<Library> {
        let http = match Http::new() {
            Ok(http) => http,
            Err(err) => {
                db.close().await;
                return Err(err);
            }
        };
        Ok(Library {
            store: ArtworkStore::new(artwork_store_path(db_path)),
            db,
            bus: EventBus::default(),
            executor: BackgroundExecutor::new(),
            http,
            network: Arc::new(LinuxNetworkMonitor::default()),
            imports: Arc::default(),
            folders_changed: Arc::new(tokio::sync::watch::channel(0).0),
            closing: tokio_util::sync::CancellationToken::new(),
        })
    }

    /// Uses `monitor` for the WiFi-only rule instead of the system's (tests).
    pub fn with_network(mut self, monitor: Arc<dyn NetworkMonitor>) -> Self {
        self.network = monitor;
        self
    }

    /// The database, for reads and settings (browse, summary, failures, saved settings).
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Where the library's images live.
    pub fn store(&self) -> &ArtworkStore {
        &self.store
    }

    /// The bus this library's jobs publish on.
    pub fn bus(&self) -> &EventBus {
        &self.bus
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        self.db.path()
    }

    /// Stops a running job and a watch, and closes the database (folding its WAL into the
    /// main file).
    pub async fn close(&self) {
        self.closing.cancel();
        if let Some(job) = self.executor.current() {
            job.cancel();
        }
        self.db.close().await;
    }

    /// Imports `folder` (again: only what changed is read), telling `on_event` as it goes. A
    /// folder not inside one of the music folders becomes one (see
    /// [`add_music_folder`](Self::add_music_folder)).
    pub async fn scan(
        &self,
        folder: &Path,
        options: &ScanOptions,
        on_event: impl FnMut(ScanEvent) + Send,
    ) -> Result<ScanReport> {
        let report = {
            let _import = self.imports.lock().await;
            crate::scan::scan_folder(&self.db, folder, options, on_event)
                .await
                .map_err(|e| e.in_library(self.db.path()))?
        };
        let root = tokio::fs::canonicalize(folder)
            .await
            .map_err(|e| crate::EngineError::io(folder, e))?;
        let folders = self.music_folders().await?;
        if !folders.iter().any(|f| root.starts_with(f)) {
            self.remember_folder(&root, &folders).await?;
        }
        Ok(report)
    }

    /// Watches the music folders until `cancel`: what changes in them is imported, and with
    /// `auto_enrich` (or `options.force_enrich`) enriched (see [`crate::watch`]). Tells of it
    /// on the bus: `Watching`, `FolderImported`, `WatchFailed`. Follows the music folders as
    /// they are added and removed.
    pub async fn watch(
        &self,
        options: crate::watch::WatchOptions,
        cancel: tokio_util::sync::CancellationToken,
    ) -> Result<()> {
        crate::watch::run(self, options, cancel, self.closing.clone()).await
    }

    /// Watches the music folders in the background until the library closes (the desktop
    /// app's watch); a failure is logged and told on the bus as `WatchFailed`.
    pub fn start_watching(&self, options: crate::watch::WatchOptions) {
        let library = self.clone();
        tokio::spawn(async move {
            if let Err(err) = library
                .watch(options, tokio_util::sync::CancellationToken::new())
                .await
            {
                tracing::error!(%err, "the music folders are no longer watched");
                library
                    .bus
                    .publish(crate::events::LibraryEvent::WatchFailed {
                        folder: String::new(),
                        message: format!("the music folders are no longer watched: {err}"),
                    });
            }
        });
    }

    /// Imports `folder` again for the watch, under the import lock.
    pub(crate) async fn import_for_watch(&self, folder: &Path) -> Result<ScanReport> {
        let _import = self.imports.lock().await;
        crate::scan::scan_folder(&self.db, folder, &ScanOptions::default(), |_| {})
            .await
            .map_err(|e| e.in_library(self.db.path()))
    }

    /// Changes whenever the music folders do.
    pub(crate) fn folders_changed(&self) -> tokio::sync::watch::Receiver<u64> {
        self.folders_changed.subscribe()
    }

    /// The library's music folders: the folders it imports and watches.
    pub async fn music_folders(&self) -> Result<Vec<PathBuf>> {
        self.db
            .music_folders()
            .await
            .map_err(|e| e.in_library(self.path()))
    }

    /// Makes `folder` one of the music folders (it is not imported here: scan it). Refused,
    /// naming why, when it is not a readable folder or is inside a music folder already;
    /// music folders inside it are folded into it. Returns the folder as kept (absolute, links
    /// resolved).
    pub async fn add_music_folder(&self, folder: &Path) -> Result<PathBuf> {
        let invalid = |reason: String| crate::EngineError::InvalidMusicFolder {
            path: folder.to_path_buf(),
            reason,
        };
        let root = tokio::fs::canonicalize(folder)
            .await
            .map_err(|e| invalid(format!("cannot be used as a music folder: {e}")))?;
        let meta = tokio::fs::metadata(&root)
            .await
            .map_err(|e| invalid(format!("cannot be used as a music folder: {e}")))?;
        if !meta.is_dir() {
            return Err(invalid("is not a folder".into()));
        }
        drop(
            tokio::fs::read_dir(&root)
                .await
                .map_err(|e| invalid(format!("cannot be read: {e}")))?,
        );
        let folders = self.music_folders().await?;
        if let Some(outer) = folders.iter().find(|f| root.starts_with(f)) {
            return Err(invalid(format!(
                "is already in the library, as part of the music folder {}",
                outer.display()
            )));
        }
        self.remember_folder(&root, &folders).await?;
        Ok(root)
    }

    async fn remember_folder(&self, root: &Path, folders: &[PathBuf]) -> Result<()> {
        let inside: Vec<PathBuf> = folders
            .iter()
            .filter(|f| f.starts_with(root))
            .cloned()
            .collect();
        self.db
            .add_music_folder(root, &inside)
            .await
            .map_err(|e| e.in_library(self.path()))?;
        self.folders_changed.send_modify(|n| *n += 1);
        Ok(())
    }

    /// Forgets the music folder `folder` and removes its tracks from the library (the files
    /// stay as they are); returns how many tracks went. Refused, naming the music folders,
    /// when `folder` is not one of them.
    pub async fn remove_music_folder(&self, folder: &Path) -> Result<u64> {
        let folders = self.music_folders().await?;
        let resolved = tokio::fs::canonicalize(folder).await.ok();
        let Some(found) = folders
            .iter()
            .find(|f| f.as_path() == folder || resolved.as_deref() == Some(f.as_path()))
            .cloned()
        else {
            let listed: Vec<String> = folders.iter().map(|f| f.display().to_string()).collect();
            return Err(crate::EngineError::InvalidMusicFolder {
                path: folder.to_path_buf(),
                reason: if listed.is_empty() {
                    "is not a music folder of this library (it has none)".to_owned()
                } else {
                    format!(
                        "is not a music folder of this library (its music folders: {})",
                        listed.join(", ")
                    )
                },
            });
        };
        let removed = {
            let _import = self.imports.lock().await;
            self.db
                .remove_music_folder(&found)
                .await
                .map_err(|e| e.in_library(self.path()))?
        };
        self.folders_changed.send_modify(|n| *n += 1);
        Ok(removed)
    }

    /// What a run would use by default: the saved settings and providers, with
    /// `GATEFOLD_<NAME>_URL` applied, no retry-only, and write-back as saved.
    pub async fn saved_request(&self) -> std::result::Result<EnrichmentRequest, EnrichmentError> {
        let named = |e: crate::EngineError| e.in_library(self.path());
        let config = self.db.enrichment_config().await.map_err(named)?;
        let mut providers = self.db.provider_settings().await.map_err(named)?;
        provider_settings::apply_env(&mut providers).map_err(EnrichmentError::InvalidProviders)?;
        Ok(EnrichmentRequest {
            config,
            providers,
            retry_failed: false,
            only_tracks: None,
            dry_run: false,
            overwrite: false,
            on_write_back: Arc::new(|_| {}),
        })
    }

    /// Starts enriching in the background. Everything that can refuse the run is checked
    /// before this returns (the settings, the providers, the WiFi rule, a job already running
    /// in this process or another), and a refusal changes nothing. Events follow on
    /// [`Library::bus`]; write-back runs after the job when `config.write_back` is on.
    pub async fn start_enrichment(
        &self,
        request: EnrichmentRequest,
    ) -> std::result::Result<JobHandle, EnrichmentError> {
        request.config.validate()?;
        let services = provider_settings::build(
            &self.http,
            &request.providers,
            request.config.operation_timeout(),
        )
        .map_err(|e| EnrichmentError::InvalidProviders(e.to_string()))?;
        let write_back = WriteBackOptions {
            mode: request.config.write_back,
            dry_run: request.dry_run,
            overwrite: request.overwrite,
        };
        let mut job = EnrichmentJob::new(self.db.clone(), request.config, self.bus.clone())
            .artwork(Arc::new(services.artwork), self.store.clone())
            .network(Arc::clone(&self.network))
            .retry_failed(request.retry_failed)
            .only_tracks(request.only_tracks)
            .count_requests(self.http.stats())
            .write_back_after(write_back, request.on_write_back);
        if let Some(lyrics) = services.lyrics {
            job = job.lyrics(lyrics);
        }
        self.executor.start(job).await.map_err(|err| match err {
            EnrichmentError::Engine(e) => EnrichmentError::Engine(e.in_library(self.db.path())),
            other => other,
        })
    }

    /// Each saved provider's base URL in use now, and whether its `GATEFOLD_<NAME>_URL`
    /// environment variable overrides the saved one.
    pub async fn provider_urls(&self) -> Result<Vec<provider_settings::ProviderUrl>> {
        let saved = self
            .db
            .provider_settings()
            .await
            .map_err(|e| e.in_library(self.path()))?;
        Ok(provider_settings::urls_in_use(&saved))
    }

    /// The library's most recent job and how it stands (finished, cancelled, interrupted, or
    /// running here or in another process); `None` before the first.
    pub async fn last_run(&self) -> Result<Option<crate::model::LastRun>> {
        self.db
            .last_job(crate::clock::unix_now(), crate::enrich::STALE_JOB_SECS)
            .await
            .map_err(|e| e.in_library(self.path()))
    }

    /// What the providers were asked: the `recent` newest runs, and every run added up.
    pub async fn provider_stats(&self, recent: u32) -> Result<crate::model::ProviderStatsReport> {
        self.db
            .provider_stats(recent)
            .await
            .map_err(|e| e.in_library(self.path()))
    }

    /// "Enrich this album now": with a job running, the album goes to the head of its queue
    /// ([`JobControl::prioritize`]); otherwise a run for the album's tracks starts (with the
    /// saved settings). An unknown album is `not_found`.
    pub async fn enrich_album_now(
        &self,
        album_id: i64,
    ) -> std::result::Result<crate::model::AlbumNow, EnrichmentError> {
        let tracks = self
            .db
            .album_tracks(album_id)
            .await
            .map_err(|e| EnrichmentError::Engine(e.in_library(self.path())))?;
        if let Some(control) = self.running_job() {
            control.prioritize(album_id);
            return Ok(crate::model::AlbumNow::Prioritized);
        }
        let mut request = self.saved_request().await?;
        request.only_tracks = Some(tracks.iter().map(|t| t.id).collect());
        self.start_enrichment(request).await?;
        Ok(crate::model::AlbumNow::Started)
    }

    /// The running job's controls (pause, resume, cancel), if one runs.
    pub fn running_job(&self) -> Option<JobControl> {
        self.executor.current()
    }

    /// What a write-back in `mode` would write now and where (a dry run: nothing is written),
    /// so the user sees it before turning write-back on.
    pub async fn write_back_preview(
        &self,
        mode: crate::model::WriteBackMode,
    ) -> Result<crate::model::WriteBackReport> {
        let mut report = crate::model::WriteBackReport::default();
        let options = WriteBackOptions {
            mode,
            dry_run: true,
            overwrite: false,
        };
        report.summary = self
            .write_back(options, |item| report.note(item.to_file()))
            .await?;
        Ok(report)
    }

    /// Writes what the library found beside the music or into the tags (see
    /// [`crate::writeback`]), telling `on_item` of each file.
    pub async fn write_back(
        &self,
        options: WriteBackOptions,
        on_item: impl FnMut(&WriteBackItem),
    ) -> Result<WriteBackSummary> {
        crate::writeback::write_back(&self.db, &self.store, options, on_item)
            .await
            .map_err(|e| e.in_library(self.db.path()))
    }

    /// Up to `limit` tracks after id `after_id`, for `export`, with the artwork's files as
    /// full paths in the store.
    pub async fn export_page(&self, after_id: i64, limit: u32) -> Result<Vec<ExportedTrack>> {
        let mut page = self.db.export_page(after_id, limit).await?;
        for track in &mut page {
            if let Some(artwork) = &mut track.artwork {
                artwork.file = self.store.path_of(&artwork.file).display().to_string();
                artwork.thumbnail = artwork
                    .thumbnail
                    .as_ref()
                    .map(|t| self.store.path_of(t).display().to_string());
            }
        }
        Ok(page)
    }
}
