//! The CTA simulator: a cta-admin compatible instance with a SQLite catalogue shaped like CTA's,
//! a virtual library (ctaops-scsi library state files) and real tape images (ctaops-tape).
//!
//! Entry points: [`init::init`], [`admin::main`] (cta-admin), [`archive::queue`],
//! [`scheduler::run`], [`verify::verify_file`], [`fault::inject`].

pub mod admin;
pub mod archive;
pub mod catalogue;
pub mod disk;
pub mod eos;
pub mod error;
pub mod fault;
pub mod files;
pub mod grpc;
pub mod grpc_negotiate;
pub mod init;
pub mod instance;
pub mod lab;
pub mod metrics;
pub mod retrieve;
pub mod scheduler;
pub mod serve;
pub mod synthetic;
pub mod tools;
pub mod verify;

pub use error::{Result, SimError};
pub use instance::Instance;
