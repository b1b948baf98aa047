//! The pure-Rust core of ctaops.
//!
//! Nothing in this crate knows about Python: the `ctaops-py` crate is the only place that
//! converts these types for the interpreter, so the core stays usable from daemons and CLIs.

pub mod admin;
pub mod atomic_write;
pub mod bounded;
pub mod checksum;
pub mod children;
pub mod config;
pub mod datamon;
pub mod eos_dump;
pub mod error;
pub mod redact;
pub mod table;
pub mod units;
pub mod versions;

pub use error::{Error, Result};

/// Version of the core, reported by `ctaops --version` and `ctaops.build_info`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
