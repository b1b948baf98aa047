//! SCSI media changer (SMC) and tape drive (SSC) control for ctaops.
//!
//! * [`transport`]: the [`ScsiTransport`] trait; [`sgio::SgDevice`] is Linux SG_IO on `/dev/sgN`,
//!   [`emulated`] answers the same CDBs from a [`library::Library`] model.
//! * [`cdb`] builds commands byte-exact; [`inquiry`], [`element`], [`tape`], [`log`], [`mam`] and
//!   [`sense`] decode responses (short or garbage input is an error, never a panic).
//! * [`changer::Changer`] and [`drive::TapeDrive`] are the operator-level APIs.

pub mod cdb;
pub mod changer;
pub mod discovery;
pub mod drive;
pub mod element;
pub mod emulated;
pub mod error;
pub mod inquiry;
pub mod library;
pub mod log;
pub mod mam;
pub mod sense;
#[cfg(target_os = "linux")]
pub mod sgio;
pub mod tape;
pub mod tapealert;
pub mod transport;

pub use error::{Result, ScsiError};
pub use sense::{RetryAdvice, Sense};
pub use transport::{DataDir, ScsiTransport};
