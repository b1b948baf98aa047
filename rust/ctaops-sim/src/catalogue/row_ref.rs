//! A result row read where the engine holds it: SQLite's current row without copying its text
//! (the bulk listings' path, millions of rows), or a row already read into [`Value`]s.

use std::borrow::Cow;

use super::db::Row;
use super::value::Value;
use crate::error::{Result, SimError};

/// One row, read in place.
pub enum RowRef<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Values(&'r Row),
}

fn missing(i: usize) -> SimError {
    SimError::Cta(format!("catalogue: no column {i}"))
}

impl<'r> RowRef<'r> {
    /// An integer column as `u64`: `NULL` and negatives are 0 (as [`super::uint`]).
    ///
    /// # Errors
    /// When the column is missing or is not an integer.
    pub fn uint(&self, i: usize) -> Result<u64> {
        let v = match self {
            Self::Sqlite(r) => match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => None,
                rusqlite::types::ValueRef::Integer(v) => Some(v),
                other => {
                    return Err(SimError::Cta(format!(
                        "catalogue: column {i} holds {:?}, not an integer",
                        other.data_type()
                    )));
                }
            },
            Self::Values(r) => match r.0.get(i).ok_or_else(|| missing(i))? {
                Value::Null => None,
                Value::Integer(v) => Some(*v),
                other => {
                    return Err(SimError::Cta(format!(
                        "catalogue: column {i} holds {other:?}, not an integer"
                    )));
                }
            },
        };
        Ok(v.and_then(|v| u64::try_from(v).ok()).unwrap_or(0))
    }

    /// A text column, borrowed when the engine holds valid UTF-8; `NULL` is empty and a
    /// number is its decimal form (as [`super::text`]).
    ///
    /// # Errors
    /// When the column is missing or holds a blob.
    pub fn text(&self, i: usize) -> Result<Cow<'r, str>> {
        use rusqlite::types::ValueRef;
        match self {
            Self::Sqlite(r) => match r.get_ref(i)? {
                ValueRef::Null => Ok(Cow::Borrowed("")),
                // Checked in one pass (lossy decoding walks the text chunk by chunk).
                ValueRef::Text(t) => {
                    Ok(std::str::from_utf8(t).map_or_else(|_| String::from_utf8_lossy(t), Cow::Borrowed))
                }
                ValueRef::Integer(v) => Ok(Cow::Owned(v.to_string())),
                ValueRef::Real(v) => Ok(Cow::Owned(v.to_string())),
                ValueRef::Blob(_) => Err(SimError::Cta(format!("catalogue: column {i} is a blob, not text"))),
            },
            Self::Values(r) => match r.0.get(i).ok_or_else(|| missing(i))? {
                Value::Null => Ok(Cow::Borrowed("")),
                Value::Text(t) => Ok(Cow::Borrowed(t)),
                Value::Integer(v) => Ok(Cow::Owned(v.to_string())),
                Value::Real(v) => Ok(Cow::Owned(v.to_string())),
                Value::Blob(_) => Err(SimError::Cta(format!("catalogue: column {i} is a blob, not text"))),
            },
        }
    }
}
