//! One catalogue connection over SQLite or PostgreSQL. The query code is written once, with
//! `?N` placeholders (rewritten to `$N` for PostgreSQL) and SQL both engines accept; rows come
//! back as [`Row`]s of [`Value`]s whatever the backend.

use std::ops::{Deref, DerefMut};

use super::pg::Pg;
use super::row_ref::RowRef;
use super::value::{FromValue, Params, Value};
use crate::error::{Result, SimError};

/// Which engine holds the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection to an instance's catalogue.
pub enum Db {
    Sqlite(rusqlite::Connection),
    Pg(Box<Pg>),
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row(pub(crate) Vec<Value>);

impl Row {
    /// Column `i` converted to `T`.
    ///
    /// # Errors
    /// When the column is missing or holds another type.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T> {
        let v = self
            .0
            .get(i)
            .cloned()
            .ok_or_else(|| SimError::Cta(format!("catalogue: no column {i}")))?;
        T::from_value(v)
    }
}

/// `query_row` found nothing (rusqlite's `QueryReturnedNoRows`, whatever the backend).
fn no_rows() -> SimError {
    SimError::Db(rusqlite::Error::QueryReturnedNoRows)
}

/// `.optional()` on a single-row query: no row becomes `None`.
pub trait OptionalExtension<T> {
    /// # Errors
    /// Any error but "no row".
    fn optional(self) -> Result<Option<T>>;
}

impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(SimError::Db(rusqlite::Error::QueryReturnedNoRows)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

pub(super) fn sqlite_value(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

fn sqlite_params(vals: &[Value]) -> Vec<rusqlite::types::Value> {
    use rusqlite::types::Value as S;
    vals.iter()
        .map(|v| match v {
            Value::Null => S::Null,
            Value::Integer(i) => S::Integer(*i),
            Value::Real(f) => S::Real(*f),
            Value::Text(t) => S::Text(t.clone()),
            Value::Blob(b) => S::Blob(b.clone()),
        })
        .collect()
}

impl Db {
    #[must_use]
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Pg(_) => Backend::Postgres,
        }
    }

    /// `GROUP_CONCAT(expr)` / `string_agg(expr, ',')`, comma-separated (in the order of the rows it reads).
    #[must_use]
    pub fn group_concat(&self, expr: &str, distinct: bool) -> String {
        let d = if distinct { "DISTINCT " } else { "" };
        match self.backend() {
            Backend::Sqlite => format!("GROUP_CONCAT({d}{expr})"),
            Backend::Postgres => format!("string_agg({d}({expr})::text, ',')"),
        }
    }

    /// Runs one statement; returns the number of rows changed.
    ///
    /// # Errors
    /// Any catalogue error.
    pub fn execute(&self, sql: &str, params: impl Params) -> Result<usize> {
        let vals = params.values();
        match self {
            Self::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                Ok(st.execute(rusqlite::params_from_iter(sqlite_params(&vals)))?)
            }
            Self::Pg(p) => p.execute(sql, &vals),
        }
    }

    /// Runs several `;`-separated statements without parameters.
    ///
    /// # Errors
    /// Any catalogue error.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Self::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Self::Pg(p) => p.batch(sql),
        }
    }

    /// Every row of a query.
    ///
    /// # Errors
    /// Any catalogue error.
    pub fn query_all(&self, sql: &str, params: impl Params) -> Result<Vec<Row>> {
        if let Self::Pg(p) = self {
            // Already read into owned rows: no copy through `query_each`.
            return p.query(sql, &params.values());
        }
        let mut out = Vec::new();
        self.query_each(sql, params, |r| {
            out.push(r.to_row()?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Every row of a query handed to `f` in turn, read in place ([`RowRef`]). SQLite rows go
    /// to `f` as the engine steps, their text borrowed, not copied: a bulk listing holds one row,
    /// allocates nothing per row of its own, and its consumer starts at once. PostgreSQL's rows
    /// come after the query returns.
    ///
    /// # Errors
    /// Any catalogue error, or the first error of `f` (which stops the query).
    pub fn query_each(
        &self,
        sql: &str,
        params: impl Params,
        mut f: impl FnMut(&RowRef<'_>) -> Result<()>,
    ) -> Result<()> {
        let vals = params.values();
        match self {
            Self::Sqlite(c) => {
                let mut st = c.prepare_cached(sql)?;
                let mut rows = st.query(rusqlite::params_from_iter(sqlite_params(&vals)))?;
                while let Some(r) = rows.next()? {
                    f(&RowRef::Sqlite(r))?;
                }
                Ok(())
            }
            Self::Pg(p) => p.query(sql, &vals)?.iter().try_for_each(|r| f(&RowRef::Values(r))),
        }
    }

    /// The first row of a query through `f`; "no row" is an error ([`OptionalExtension`]).
    ///
    /// # Errors
    /// Any catalogue error, no row, or what `f` returns.
    pub fn query_row<T>(&self, sql: &str, params: impl Params, f: impl FnOnce(&Row) -> Result<T>) -> Result<T> {
        let rows = self.query_all(sql, params)?;
        rows.first().map_or_else(|| Err(no_rows()), f)
    }

    /// A statement to run (possibly many times); `prepare_cached` is the same thing.
    ///
    /// # Errors
    /// Never today; kept fallible like rusqlite's.
    pub fn prepare(&self, sql: &str) -> Result<Stmt<'_>> {
        Ok(Stmt {
            db: self,
            sql: sql.to_owned(),
        })
    }

    /// See [`Db::prepare`].
    ///
    /// # Errors
    /// Never today.
    pub fn prepare_cached(&self, sql: &str) -> Result<Stmt<'_>> {
        self.prepare(sql)
    }

    /// Starts a transaction: on SQLite a deferred one (a read snapshot that can still write), on
    /// PostgreSQL a repeatable-read snapshot. Rolled back unless committed.
    ///
    /// # Errors
    /// Any catalogue error.
    pub fn transaction(&mut self) -> Result<Tx<'_>> {
        match self {
            Self::Sqlite(c) => c.execute_batch("BEGIN DEFERRED")?,
            Self::Pg(p) => p.batch("BEGIN ISOLATION LEVEL REPEATABLE READ")?,
        }
        Ok(Tx { db: self, done: false })
    }

    /// Starts a writing transaction that holds the catalogue's one write lock from its start, so
    /// writers run one after the other on both engines (SQLite `BEGIN IMMEDIATE`; a PostgreSQL
    /// transaction-scoped advisory lock).
    ///
    /// # Errors
    /// Any catalogue error.
    pub fn write_transaction(&mut self) -> Result<Tx<'_>> {
        match self {
            Self::Sqlite(c) => c.execute_batch("BEGIN IMMEDIATE")?,
            Self::Pg(p) => p.batch("BEGIN; SELECT pg_advisory_xact_lock(7235001)")?,
        }
        Ok(Tx { db: self, done: false })
    }
}

/// An open transaction; derefs to the connection.
pub struct Tx<'a> {
    db: &'a mut Db,
    done: bool,
}

impl Tx<'_> {
    /// # Errors
    /// Any catalogue error (the transaction is then rolled back).
    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        self.db.execute_batch("COMMIT")
    }
}

impl Deref for Tx<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl DerefMut for Tx<'_> {
    fn deref_mut(&mut self) -> &mut Db {
        self.db
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.done
            && let Err(e) = self.db.execute_batch("ROLLBACK")
        {
            tracing::warn!(error = %e, "rollback failed");
        }
    }
}

/// A prepared query (rusqlite's `Statement` shape).
pub struct Stmt<'a> {
    db: &'a Db,
    sql: String,
}

impl Stmt<'_> {
    /// # Errors
    /// Any catalogue error.
    pub fn execute(&mut self, params: impl Params) -> Result<usize> {
        self.db.execute(&self.sql, params)
    }

    /// # Errors
    /// Any catalogue error.
    pub fn query(&mut self, params: impl Params) -> Result<Rows> {
        Ok(Rows {
            rows: self.db.query_all(&self.sql, params)?.into_iter(),
            cur: None,
        })
    }

    /// See [`Db::query_each`].
    ///
    /// # Errors
    /// Any catalogue error, or the first error of `f`.
    pub fn query_each(&mut self, params: impl Params, f: impl FnMut(&RowRef<'_>) -> Result<()>) -> Result<()> {
        self.db.query_each(&self.sql, params, f)
    }

    /// # Errors
    /// Any catalogue error; the per-row results carry `f`'s errors.
    pub fn query_map<T>(
        &mut self,
        params: impl Params,
        mut f: impl FnMut(&Row) -> Result<T>,
    ) -> Result<std::vec::IntoIter<Result<T>>> {
        let rows = self.db.query_all(&self.sql, params)?;
        Ok(rows.iter().map(&mut f).collect::<Vec<_>>().into_iter())
    }
}

/// Rows of a query, walked with `next()`.
pub struct Rows {
    rows: std::vec::IntoIter<Row>,
    cur: Option<Row>,
}

impl Rows {
    /// # Errors
    /// Never today; kept fallible like rusqlite's.
    #[expect(
        clippy::should_implement_trait,
        reason = "rusqlite's shape: a fallible next() lending a row"
    )]
    pub fn next(&mut self) -> Result<Option<&Row>> {
        self.cur = self.rows.next();
        Ok(self.cur.as_ref())
    }
}
