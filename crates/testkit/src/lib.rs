//! Test support for Gatefold.
//!
//! * [`audio`]: real, playable audio files of every format Gatefold imports, made from tiny
//!   committed fixtures (one second of a tone, encoded by ffmpeg; see `fixtures/README.md`) and
//!   tagged with lofty as each test needs.
//! * [`library`]: whole generated music folders: the tricky-cases library the import tests use,
//!   and bulk libraries for the benchmarks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: a panic here is the calling test failing, with its message"
)]

pub mod audio;
pub mod fakes;
pub mod heap;
pub mod library;
pub mod providers;
pub mod servers;
pub mod webdriver;

pub use audio::{AudioSpec, COVER_JPG_600, COVER_PNG_300, Format};
pub use library::{TrickyLibrary, bulk_library, strip_sidecars_and_covers, tricky_library};
