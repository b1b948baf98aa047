//! Test helpers shared by the ctaops crates.

mod postgres;

pub use postgres::PgCluster;
