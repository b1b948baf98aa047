//! The `cta-admin` layer: a typed record for every `ls` output, streaming parsing of `--json`
//! and `--jsonl`, Arrow tables, and a runner with CTA's exit-status semantics.
//!
//! Record fields use CTA's JSON key names (lowerCamelCase); `uint64` values, which CTA prints as
//! JSON strings, are integers here and are written back as strings, so serialising a record
//! gives CTA's JSON again (field order aside).

pub(crate) mod array;
pub(crate) mod field;

pub mod arrow;
pub mod catalogue;
pub mod columns;
pub mod command;
pub mod common;
pub mod compat;
pub mod drive;
pub mod enums;
pub mod error;
pub mod failed;
pub mod kind;
pub mod list_file;
pub mod options;
mod options_table;
pub mod queue;
pub mod render;
pub mod repack;
pub mod runner;
pub mod sample;
pub mod stream;
pub mod tape;
pub mod tapefile;
pub mod times;
pub mod verification;
pub mod version;

pub use command::{AdminCommand, OptValue};
pub use error::AdminError;
pub use field::JsonField;
pub use kind::{Kind, Records};
pub use options::{CtaOption, ProtoField, ValueKind};
pub use runner::{Runner, RunnerSettings};
pub use stream::{Framing, ParseError, ParseErrorKind, parse_records, read_records, records};
