//! One module per noun of `ctaops <noun> <verb>`.

pub mod checksum;
pub mod config;
pub mod tape;
pub mod smc;
pub mod sim;
