//! `gatefold-engine`: Gatefold's engine, with no UI and no Tauri. It owns the library database
//! (`db`), folder import (`scan`), and the enrichment job with its providers.
//!
//! The engine takes explicit paths (the database file, the artwork store); the desktop shell and
//! the CLI decide where those live.

#![warn(missing_docs)]

mod clock;
pub mod config;
pub mod db;
pub mod decode;
pub mod enrich;
pub mod error;
pub mod events;
pub mod files;
pub mod http;
pub mod library;
pub mod matching;
pub mod model;
pub mod normalize;
pub mod pictures;
pub mod process;
pub mod providers;
pub mod repository;
pub mod scan;
pub mod store;
pub mod watch;
pub mod writeback;

pub use db::Database;
pub use enrich::{
    ArtworkService, BackgroundExecutor, EnrichmentConfig, EnrichmentJob, EnrichmentProgress,
    EnrichmentResult, JobHandle, LyricsService, NetworkMonitor,
};
pub use error::{EngineError, ErrorCode, Result};
pub use events::{BusMessage, EventBus, EverySubscription, LibraryEvent, TrackField};
pub use library::{EnrichmentRequest, Library, artwork_store_path};
pub use model::{
    AlbumCard, AlbumPage, ArtworkInfo, LibrarySummary, Lyrics, LyricsStatus, TrackListItem,
    TrackLyrics, TrackRecord,
};
pub use repository::TrackRepository;
pub use scan::{ScanEvent, ScanOptions, ScanReport, scan_folder};
