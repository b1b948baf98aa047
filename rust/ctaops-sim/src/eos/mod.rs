//! The simulated EOS instances: their namespace, the REST keytab, and the HTTPS interface.

pub mod http;
pub mod keytab;
pub mod namespace;
pub mod server;
