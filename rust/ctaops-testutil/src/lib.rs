//! Test helpers shared by the ctaops crates: a throwaway PostgreSQL cluster and MIT KDC.

mod kdc;
mod postgres;

pub use kdc::{Kdc, REALM};
pub use postgres::PgCluster;
