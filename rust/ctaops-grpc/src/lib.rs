//! Native gRPC transport for CTA admin commands (issue 9): the vendored CTA protobufs, one
//! command model shared with the `cta-admin` subprocess path, a client, and a server library
//! that the simulator plugs its catalogue into. See `docs/grpc.md`.

pub mod arrow_direct;
pub mod auth;
pub mod client;
pub mod config;
pub mod direct;
pub mod encode;
pub mod error;
pub mod incoming;
#[cfg(feature = "kerberos")]
pub mod kerberos;
mod krb_client;
pub mod negotiate;
pub mod pb;
pub mod records;
pub mod server;
pub mod stream_service;
pub mod tapefile_wire;
pub mod tapefile_writer;
pub mod tls;
pub mod token;

pub use client::{AsyncClient, Client, Outcome};
pub use config::{AuthMethod, ClientSettings};
pub use error::GrpcError;
pub use incoming::ServerLimits;
pub use server::{AdminBackend, BackendError, Caller, RecordStream, ServerSettings, serve};
pub use stream_service::Record;
