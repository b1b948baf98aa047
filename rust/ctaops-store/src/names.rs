//! Quoted table names derived from `repack_table_name`.

use crate::error::{Result, StoreError};

/// The four tables of one ATRESYS instance, quoted for SQL.
#[derive(Debug, Clone)]
pub struct Names {
    pub table: String,
    pub history: String,
    pub claims: String,
    pub schema: String,
    /// Unquoted base name (for constraint names and advisory-lock keys).
    pub base: String,
}

fn valid_part(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 55
        && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !p.as_bytes()[0].is_ascii_digit()
}

impl Names {
    /// `name` may be `table` or (PostgreSQL) `schema.table`; it is quoted, so its case is kept
    /// (upstream's default `REPACK_STATUS` is an upper-case identifier).
    ///
    /// # Errors
    /// [`StoreError::InvalidArgument`] for anything but identifier characters.
    pub fn new(name: &str, allow_schema: bool) -> Result<Self> {
        let parts: Vec<&str> = name.split('.').collect();
        let ok = match parts.as_slice() {
            [t] => valid_part(t),
            [s, t] => allow_schema && valid_part(s) && valid_part(t),
            _ => false,
        };
        if !ok {
            return Err(StoreError::InvalidArgument(format!(
                "database.repack_table_name {name:?}: expected an identifier (letters, digits, _){}",
                if allow_schema { ", optionally schema.table" } else { "" }
            )));
        }
        let (prefix, base) = match parts.as_slice() {
            [s, t] => (format!("\"{s}\"."), (*t).to_owned()),
            _ => (String::new(), name.to_owned()),
        };
        let q = |suffix: &str| format!("{prefix}\"{base}{suffix}\"");
        Ok(Self {
            table: q(""),
            history: q("_history"),
            claims: q("_claims"),
            schema: q("_schema"),
            base,
        })
    }
}
