//! Loopback servers that reproduce the providers' real APIs (shapes, status codes and
//! misbehaviours, from `../shared/providers.md`), so no test ever calls a real host.

pub mod coverart;
pub mod deezer;
pub mod itunes;
pub mod lrclib;
