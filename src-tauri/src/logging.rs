//! The app logs to a daily-rotated file in its log dir (a week kept), and to stderr in debug
//! builds. `GATEFOLD_LOG` takes a full tracing filter.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the subscriber; `None` (and logging to stderr only) when the log dir is unusable.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    let filter = || {
        EnvFilter::try_from_env("GATEFOLD_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"))
    };
    let appender = std::fs::create_dir_all(dir).ok().and_then(|()| {
        Builder::new()
            .rotation(Rotation::DAILY)
            .max_log_files(7)
            .filename_prefix("gatefold")
            .filename_suffix("log")
            .build(dir)
            .ok()
    });
    match appender {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer);
            let _ = tracing_subscriber::registry()
                .with(filter())
                .with(file)
                .with(debug_stderr())
                .try_init();
            Some(guard)
        }
        None => {
            let _ = tracing_subscriber::registry()
                .with(filter())
                .with(debug_stderr())
                .try_init();
            None
        }
    }
}

/// In debug builds, log to stderr too (for `make run` in a terminal).
fn debug_stderr<S>() -> Option<impl tracing_subscriber::Layer<S>>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    cfg!(debug_assertions).then(|| tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
}
