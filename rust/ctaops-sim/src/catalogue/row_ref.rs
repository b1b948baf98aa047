//! A result row read where the engine holds it: SQLite's current row without copying its text
//! (the bulk listings' path, millions of rows), or a row already read into [`Value`]s.

use std::borrow::Cow;

use rusqlite::types::ValueRef;

use super::db::{Row, sqlite_value};
use super::value::{FromValue, Value};
use crate::error::{Result, SimError};

/// One row, read in place.
pub enum RowRef<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Values(&'r Row),
}

fn missing(i: usize) -> SimError {
    SimError::Cta(format!("catalogue: no column {i}"))
}

/// A read [`Value`] seen as SQLite's borrowed form, so both kinds of row are read by one code.
fn value_ref(v: &Value) -> ValueRef<'_> {
    match v {
        Value::Null => ValueRef::Null,
        Value::Integer(i) => ValueRef::Integer(*i),
        Value::Real(f) => ValueRef::Real(*f),
        Value::Text(t) => ValueRef::Text(t.as_bytes()),
        Value::Blob(b) => ValueRef::Blob(b),
    }
}

impl<'r> RowRef<'r> {
    /// Column `i` where the engine (or the read row) holds it.
    fn get(&self, i: usize) -> Result<ValueRef<'r>> {
        match self {
            Self::Sqlite(r) => Ok(r.get_ref(i)?),
            Self::Values(r) => r.0.get(i).map(value_ref).ok_or_else(|| missing(i)),
        }
    }

    /// An integer column as `u64`, read as [`super::uint`] reads it: `NULL` and negatives are
    /// 0, whole reals (PostgreSQL's NUMERIC) are accepted.
    ///
    /// # Errors
    /// When the column is missing or is not an integer.
    pub fn uint(&self, i: usize) -> Result<u64> {
        // Only numbers are read here, so the owned value never copies text (except to name it
        // in an error).
        Ok(Option::<i64>::from_value(sqlite_value(self.get(i)?))?
            .and_then(|v| u64::try_from(v).ok())
            .unwrap_or(0))
    }

    /// A text column, borrowed when it holds valid UTF-8; `NULL` is empty and a number is its
    /// decimal form (as [`super::text`]).
    ///
    /// # Errors
    /// When the column is missing or holds a blob.
    pub fn text(&self, i: usize) -> Result<Cow<'r, str>> {
        match self.get(i)? {
            ValueRef::Null => Ok(Cow::Borrowed("")),
            // Checked in one pass (lossy decoding walks the text chunk by chunk).
            ValueRef::Text(t) => Ok(std::str::from_utf8(t).map_or_else(|_| String::from_utf8_lossy(t), Cow::Borrowed)),
            ValueRef::Integer(v) => Ok(Cow::Owned(v.to_string())),
            ValueRef::Real(v) => Ok(Cow::Owned(v.to_string())),
            ValueRef::Blob(_) => Err(SimError::Cta(format!("catalogue: column {i} is a blob, not text"))),
        }
    }

    /// The whole row as owned [`Value`]s.
    ///
    /// # Errors
    /// Any catalogue error.
    pub fn to_row(&self) -> Result<Row> {
        match self {
            Self::Sqlite(r) => (0..r.as_ref().column_count())
                .map(|i| self.get(i).map(sqlite_value))
                .collect::<Result<_>>()
                .map(Row),
            Self::Values(r) => Ok((*r).clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Db;

    /// Each column of one SQLite row read both ways: in place and from `Value`s.
    fn both_ways(sql: &str, check: impl Fn(&RowRef<'_>)) {
        let db = Db::Sqlite(rusqlite::Connection::open_in_memory().unwrap());
        let mut seen = 0;
        db.query_each(sql, (), |r| {
            check(r);
            seen += 1;
            Ok(())
        })
        .unwrap();
        let rows = db.query_all(sql, ()).unwrap();
        check(&RowRef::Values(&rows[0]));
        assert_eq!(seen, 1);
    }

    #[test]
    fn text_columns() {
        both_ways("SELECT 'tape', NULL, 42, CAST(x'6869ff' AS TEXT), x'00'", |r| {
            assert_eq!(r.text(0).unwrap(), "tape");
            assert!(matches!(r.text(0).unwrap(), Cow::Borrowed(_)));
            assert_eq!(r.text(1).unwrap(), "");
            assert_eq!(r.text(2).unwrap(), "42");
            // Text that is not UTF-8 reads with the replacement character, never fails.
            assert_eq!(r.text(3).unwrap(), "hi\u{fffd}");
            assert!(r.text(4).unwrap_err().to_string().contains("blob"));
            assert!(r.text(9).is_err());
        });
    }

    #[test]
    fn integer_columns() {
        both_ways("SELECT 7, NULL, -5, 'x', 12.0", |r| {
            assert_eq!(r.uint(0).unwrap(), 7);
            assert_eq!(r.uint(1).unwrap(), 0);
            assert_eq!(r.uint(2).unwrap(), 0);
            assert!(r.uint(3).unwrap_err().to_string().contains("integer"));
            assert_eq!(r.uint(4).unwrap(), 12);
            assert!(r.uint(9).is_err());
        });
    }
}
