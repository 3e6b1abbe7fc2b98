//! Errors as they cross to the UI: `{ code, message }`, never a bare string. `code` is stable and
//! machine-readable (the engine's `EngineError::code`); `message` is for people.

use gatefold_engine::EngineError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

impl From<&EngineError> for CommandError {
    fn from(err: &EngineError) -> Self {
        CommandError {
            code: err.code().to_owned(),
            message: err.to_string(),
        }
    }
}

impl From<EngineError> for CommandError {
    fn from(err: EngineError) -> Self {
        CommandError::from(&err)
    }
}
