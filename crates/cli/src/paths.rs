//! Where the library lives when `--db` and `GATEFOLD_DB` are not given. The desktop app uses the
//! same folder (Tauri's app data dir for the identifier in tauri.conf.json), so the CLI and the
//! app share one library.

use std::path::PathBuf;

/// The app identifier (tauri.conf.json `identifier`), also the data folder's name.
pub const APP_IDENTIFIER: &str = "app.gatefold";

/// `<platform data dir>/app.gatefold/library.db`, e.g. `~/.local/share/app.gatefold/library.db`.
pub fn default_database_path() -> Result<PathBuf, String> {
    directories::BaseDirs::new()
        .map(|dirs| dirs.data_dir().join(APP_IDENTIFIER).join("library.db"))
        .ok_or_else(|| {
            "no home folder to keep the library in: pass --db PATH or set GATEFOLD_DB".to_owned()
        })
}
