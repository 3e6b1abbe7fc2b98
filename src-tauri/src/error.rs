//! Errors as they cross to the UI: `{ code, message, details? }`, never a bare string. `code` is
//! stable and machine-readable (the engine's `EngineError::code` and friends); `message` is for
//! people; `details` carries structured data (the fields out of range for `invalid_config`).

use gatefold_engine::EngineError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        CommandError {
            code: code.to_owned(),
            message: message.into(),
            details: None,
        }
    }
}

impl CommandError {
    /// `invalid_config`: the first problem as the message, all of them in `details`.
    pub fn invalid<P: Serialize>(problems: &[P], message: impl Fn(&P) -> String) -> Self {
        let mut err = CommandError::new(
            "invalid_config",
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
