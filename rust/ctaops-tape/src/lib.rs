//! CTA's on-tape format and read-back verification.
//!
//! * [`label`]: the AUL label records (VOL1, HDR1/EOF1, HDR2/EOF2, UHL1/UTL1), parsed with
//!   CTA's checks and written byte for byte as CTA writes them.
//! * [`device`]: the [`TapeDevice`] trait and its SIMH image, Linux `st` and in-memory implementations.
//! * [`writer`]: label and write sessions (files appended exactly as CTA's taped does).
//! * [`reader`]: a strict read session (position by fSeq or blockId, header checks, Adler-32).
//! * [`verify`]: the tolerant, pipelined verification engine that compares a tape with its
//!   catalogue listing and classifies every problem.

pub mod device;
pub mod dump;
pub mod error;
pub mod format;
pub mod label;
pub mod reader;
pub mod verify;
pub mod writer;

pub use device::{DriveLabelIdentity, MemoryTape, Record, SimhImage, StDevice, TapeDevice};
pub use error::{Result, TapeError};
pub use reader::{Positioning, ReadFile, ReadSession};
pub use writer::{TapeContents, WriteSession, WriterInfo, WrittenFile, inspect, label_tape};
