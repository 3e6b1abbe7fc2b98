//! Errors as they cross to the UI: `{ code, message, details? }`, never a bare string. `code` is
//! stable and machine-readable (the engine's `EngineError::code` and friends); `message` is for
//! people; `details` carries structured data (the fields out of range for `invalid_config`).

use gatefold_engine::{EngineError, ErrorCode};
use serde::Serialize;
use ts_rs::TS;

/// What a command that failed rejects with.
#[derive(Debug, Clone, PartialEq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
#[ts(export)]
pub struct CommandError {
    /// What went wrong, for the UI to act on.
    pub code: ErrorCode,
    /// What went wrong, for people.
    pub message: String,
    /// Structured data: the `ConfigError[]` or `ProviderProblem[]` of an `invalid_config`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "unknown")]
    pub details: Option<serde_json::Value>,
}

impl CommandError {
    /// An error without details.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        CommandError {
            code,
            message: message.into(),
            details: None,
        }
    }
}

impl CommandError {
    /// `invalid_config`: the first problem as the message, all of them in `details`.
    pub fn invalid<P: Serialize>(problems: &[P], message: impl Fn(&P) -> String) -> Self {
        let mut err = CommandError::new(
            ErrorCode::InvalidConfig,
            problems
                .first()
                .map_or_else(|| "invalid setting".to_owned(), message),
        );
        err.details = serde_json::to_value(problems).ok();
        err
    }
}

impl From<&EngineError> for CommandError {
    fn from(err: &EngineError) -> Self {
        CommandError::new(err.code(), err.to_string())
    }
}

impl From<EngineError> for CommandError {
    fn from(err: EngineError) -> Self {
        CommandError::from(&err)
    }
}

impl From<gatefold_engine::enrich::EnrichmentError> for CommandError {
    fn from(err: gatefold_engine::enrich::EnrichmentError) -> Self {
        CommandError::new(err.code(), err.to_string())
    }
}
