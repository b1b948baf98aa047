//! One module per noun of `ctaops <noun> <verb>`.

pub mod admin;
pub mod checksum;
pub mod config;
pub mod repack_manager;
pub mod sim;
pub mod smc;
pub mod tape;
