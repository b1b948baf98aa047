//! The embedded backend: one SQLite file, WAL journal, writers serialised by `BEGIN IMMEDIATE`.

use std::path::Path;
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};

use crate::error::{Result, StoreError};
use crate::model::{
    Actor, BadRow, Claim, Filter, HistoryEntry, Hold, Listing, Mode, NewTape, Outcome, State, TapeRow, validate_vid,
};
use crate::names::Names;
use crate::{SCHEMA_VERSION, StateStore, Upgrade, check_transition, newer_schema};

const NOW: &str = "strftime('%Y-%m-%d %H:%M:%S','now')";
const COLUMNS: &str = "tape, entered, started, repacked, quarantined, reclaimed, finished, files, bytes, usage, \
                       last_write_date, mode, priority, mediatype, tapepool, responsible";

/// ATRESYS store in a SQLite file.
pub struct SqliteStore {
    conn: Connection,
    names: Names,
}

/// Reads one row; a value of the wrong type (SQLite stores whatever it is given) or a malformed
/// time makes the row a [`BadRow`] instead of failing the whole query.
fn read_row(r: &Row<'_>) -> std::result::Result<TapeRow, BadRow> {
    let tape = match r.get_ref(0) {
        Ok(ValueRef::Text(t)) => String::from_utf8_lossy(t).into_owned(),
        Ok(ValueRef::Integer(i)) => i.to_string(),
        _ => "?".to_owned(),
    };
    let bad = |problem: String| BadRow {
        tape: tape.clone(),
        problem,
    };
    let names: Vec<&str> = COLUMNS.split(", ").collect();
    let col = |i: usize| names.get(i).copied().unwrap_or("?");
    macro_rules! get {
        ($i:expr) => {
            r.get($i)
                .map_err(|e| bad(format!("column {}: {}", col($i), short(&e))))?
        };
    }
    let mode: String = get!(11);
    let row = TapeRow {
        tape: get!(0),
        entered: get!(1),
        started: get!(2),
        repacked: get!(3),
        quarantined: get!(4),
        reclaimed: get!(5),
        finished: get!(6),
        files: get!(7),
        bytes: get!(8),
        usage: get!(9),
        last_write_date: get!(10),
        mode: mode.parse().map_err(|e: StoreError| bad(format!("column mode: {e}")))?,
        priority: get!(12),
        mediatype: get!(13),
        tapepool: get!(14),
        responsible: get!(15),
    };
    row.check().map_err(bad)?;
    Ok(row)
}

/// rusqlite's conversion errors without the column index it repeats.
fn short(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::InvalidColumnType(_, _, ty) => format!("unexpected {ty} value"),
        rusqlite::Error::IntegralValueOutOfRange(_, v) => format!("{v} is out of range"),
        other => other.to_string().replace('\n', " "),
    }
}

fn read_rows(stmt: &mut rusqlite::Statement<'_>, params: impl rusqlite::Params) -> Result<Listing> {
    let mut out = Listing::default();
    let mut rows = stmt.query(params)?;
    while let Some(r) = rows.next()? {
        match read_row(r) {
            Ok(t) => out.rows.push(t),
            Err(b) => out.bad.push(b),
        }
    }
    Ok(out)
}

impl SqliteStore {
    /// Opens (creating if needed) the database file.
    ///
    /// # Errors
    /// [`StoreError::Unreachable`] if the file cannot be opened.
    pub fn open(path: &Path, table: &str) -> Result<Self> {
        let names = Names::new(table, false)?;
        let unreachable = |e: &dyn std::fmt::Display| StoreError::Unreachable {
            backend: "sqlite",
            target: path.display().to_string(),
            message: e.to_string(),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.is_dir()
        {
            return Err(unreachable(&"directory does not exist"));
        }
        let conn = Connection::open(path).map_err(|e| unreachable(&e))?;
        conn.busy_timeout(Duration::from_secs(30))
            .map_err(|e| unreachable(&e))?;
        // WAL: readers never block the writer; synchronous=NORMAL keeps commits durable against
        // process crashes (the kill -9 case) at a fraction of FULL's fsync cost.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| unreachable(&e))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| unreachable(&e))?;
        Ok(Self { conn, names })
    }

    fn write(&mut self) -> Result<Transaction<'_>> {
        Ok(self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    fn get_in(tx: &Connection, names: &Names, vid: &str) -> Result<Option<TapeRow>> {
        let sql = format!("SELECT {COLUMNS} FROM {} WHERE tape = ?1", names.table);
        let mut stmt = tx.prepare(&sql)?;
        let found = read_rows(&mut stmt, [vid])?;
        if let Some(b) = found.bad.into_iter().next() {
            return Err(b.into());
        }
        Ok(found.rows.into_iter().next())
    }

    fn record(tx: &Connection, names: &Names, h: (&str, &str, Option<&str>, Option<&str>), by: &Actor) -> Result<()> {
        let (vid, action, from, to) = h;
        tx.execute(
            &format!(
                "INSERT INTO {} (tape, at, actor, action, from_value, to_value, reason) \
                 VALUES (?1, {NOW}, ?2, ?3, ?4, ?5, ?6)",
                names.history
            ),
            params![vid, by.who, action, from, to, by.why],
        )?;
        Ok(())
    }

    /// `by <actor> at <time>: <reason>` of the tape's last `action` in the history.
    fn last_change(tx: &Connection, names: &Names, vid: &str, action: &str) -> Result<String> {
        let sql = format!(
            "SELECT actor, at, reason FROM {} WHERE tape = ?1 AND action = ?2 ORDER BY id DESC LIMIT 1",
            names.history
        );
        let found: Option<(String, String, String)> = tx
            .query_row(&sql, [vid, action], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        Ok(found.map_or_else(String::new, |(who, at, why)| format!(" by {who} at {at}: {why}")))
    }

    fn existing(tx: &Connection, names: &Names, vid: &str) -> Result<TapeRow> {
        Self::get_in(tx, names, vid)?.ok_or_else(|| StoreError::UnknownTape(vid.to_owned()))
    }
}

impl StateStore for SqliteStore {
    fn backend_name(&self) -> &'static str {
        "sqlite"
    }

    fn schema_version(&mut self) -> Result<u32> {
        let exists: bool = self.conn.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [format!("{}_schema", self.names.base)],
            |r| r.get(0),
        )?;
        if !exists {
            return Ok(0);
        }
        let sql = format!("SELECT coalesce(max(version), 0) FROM {}", self.names.schema);
        Ok(self.conn.query_row(&sql, [], |r| r.get(0))?)
    }

    fn upgrade(&mut self) -> Result<Upgrade> {
        let n = self.names.clone();
        let tx = self.write()?;
        tx.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {schema} (version INTEGER PRIMARY KEY, applied TEXT NOT NULL);",
            schema = n.schema
        ))?;
        let from: u32 = tx.query_row(
            &format!("SELECT coalesce(max(version), 0) FROM {}", n.schema),
            [],
            |r| r.get(0),
        )?;
        if from > SCHEMA_VERSION {
            return Err(newer_schema(from));
        }
        // Migration 1 is idempotent (IF NOT EXISTS), so it also recreates, empty, a table of an
        // applied schema that someone dropped; only its version row is written once.
        {
            tx.execute_batch(&format!(
                "CREATE TABLE IF NOT EXISTS {t} (
                    tape VARCHAR(20) NOT NULL PRIMARY KEY,
                    entered TEXT NOT NULL, started TEXT, repacked TEXT, quarantined TEXT,
                    reclaimed TEXT, finished TEXT,
                    files BIGINT NOT NULL, bytes BIGINT NOT NULL, usage SMALLINT NOT NULL,
                    last_write_date TEXT,
                    mode TEXT NOT NULL CHECK (mode IN ('auto', 'manual', 'error')),
                    priority SMALLINT NOT NULL, mediatype VARCHAR(20) NOT NULL,
                    tapepool VARCHAR(200) NOT NULL, responsible VARCHAR(40) NOT NULL);
                 CREATE TABLE IF NOT EXISTS {h} (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, tape VARCHAR(20) NOT NULL, at TEXT NOT NULL,
                    actor TEXT NOT NULL, action TEXT NOT NULL, from_value TEXT, to_value TEXT,
                    reason TEXT NOT NULL);
                 CREATE INDEX IF NOT EXISTS \"{b}_history_tape\" ON {h} (tape, id);
                 CREATE TABLE IF NOT EXISTS {c} (
                    tape VARCHAR(20) NOT NULL PRIMARY KEY, step TEXT NOT NULL, owner TEXT NOT NULL,
                    claimed_at TEXT NOT NULL, expires_at TEXT NOT NULL);",
                t = n.table,
                h = n.history,
                c = n.claims,
                b = n.base,
            ))?;
        }
        if from < 1 {
            tx.execute(
                &format!("INSERT INTO {} (version, applied) VALUES (1, {NOW})", n.schema),
                [],
            )?;
        }
        tx.commit()?;
        Ok(Upgrade {
            from,
            to: SCHEMA_VERSION,
        })
    }

    fn missing_tables(&mut self) -> Result<Vec<String>> {
        let n = &self.names;
        let mut missing = Vec::new();
        for (quoted, suffix) in [
            (&n.table, ""),
            (&n.history, "_history"),
            (&n.claims, "_claims"),
            (&n.schema, "_schema"),
        ] {
            let exists: bool = self.conn.query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [format!("{}{suffix}", n.base)],
                |r| r.get(0),
            )?;
            if !exists {
                missing.push(quoted.clone());
            }
        }
        Ok(missing)
    }

    fn get(&mut self, vid: &str) -> Result<Option<TapeRow>> {
        Self::get_in(&self.conn, &self.names, vid)
    }

    fn list(&mut self, filter: &Filter) -> Result<Listing> {
        let mut sql = format!("SELECT {COLUMNS} FROM {} WHERE 1=1", self.names.table);
        if let Some(s) = filter.state {
            sql.push_str(&format!(" AND {}", s.sql_condition()));
        }
        sql.push_str(" AND (?1 IS NULL OR mode = ?1) AND (?2 IS NULL OR tapepool = ?2)");
        sql.push_str(" ORDER BY priority DESC, entered, tape");
        let mut stmt = self.conn.prepare(&sql)?;
        let mut found = read_rows(&mut stmt, params![filter.mode.map(Mode::as_str), filter.tapepool])?;
        found.rows.retain(|r| filter.accepts(r));
        found
            .bad
            .retain(|b| filter.tapes.is_empty() || filter.tapes.contains(&b.tape));
        Ok(found)
    }

    fn add(&mut self, t: &NewTape, by: &Actor) -> Result<Outcome> {
        by.validate()?;
        t.validate()?;
        let n = self.names.clone();
        let tx = self.write()?;
        let inserted = tx.execute(
            &format!(
                "INSERT INTO {} (tape, entered, files, bytes, usage, last_write_date, mode, priority, mediatype, \
                 tapepool, responsible) VALUES (?1, {NOW}, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                 ON CONFLICT (tape) DO NOTHING",
                n.table
            ),
            params![
                t.tape,
                t.files,
                t.bytes,
                t.usage,
                t.last_write_date,
                t.mode.as_str(),
                t.priority,
                t.mediatype,
                t.tapepool,
                t.responsible
            ],
        )?;
        if inserted == 0 {
            return Ok(Outcome::Unchanged);
        }
        Self::record(&tx, &n, (&t.tape, "add", None, Some(State::Entered.column())), by)?;
        tx.commit()?;
        Ok(Outcome::Applied)
    }

    fn remove(&mut self, vid: &str, by: &Actor) -> Result<TapeRow> {
        by.validate()?;
        let n = self.names.clone();
        let tx = self.write()?;
        let row = Self::existing(&tx, &n, vid)?;
        tx.execute(&format!("DELETE FROM {} WHERE tape = ?1", n.table), [vid])?;
        tx.execute(&format!("DELETE FROM {} WHERE tape = ?1", n.claims), [vid])?;
        Self::record(&tx, &n, (vid, "remove", Some(row.state().column()), None), by)?;
        tx.commit()?;
        Ok(row)
    }

    fn set_mode(&mut self, vid: &str, mode: Mode, by: &Actor) -> Result<Outcome> {
        by.validate()?;
        let n = self.names.clone();
        let tx = self.write()?;
        let row = Self::existing(&tx, &n, vid)?;
        if row.mode == mode {
            return Ok(Outcome::Unchanged);
        }
        tx.execute(
            &format!("UPDATE {} SET mode = ?2 WHERE tape = ?1", n.table),
            params![vid, mode.as_str()],
        )?;
        Self::record(&tx, &n, (vid, "mode", Some(row.mode.as_str()), Some(mode.as_str())), by)?;
        tx.commit()?;
        Ok(Outcome::Applied)
    }

    fn set_priority(&mut self, vid: &str, priority: i16, by: &Actor) -> Result<Outcome> {
        by.validate()?;
        let n = self.names.clone();
        let tx = self.write()?;
        let row = Self::existing(&tx, &n, vid)?;
        if row.priority == priority {
            return Ok(Outcome::Unchanged);
        }
        tx.execute(
            &format!("UPDATE {} SET priority = ?2 WHERE tape = ?1", n.table),
            params![vid, priority],
        )?;
        let (from, to) = (row.priority.to_string(), priority.to_string());
        Self::record(&tx, &n, (vid, "priority", Some(&from), Some(&to)), by)?;
        tx.commit()?;
        Ok(Outcome::Applied)
    }

    fn history(&mut self, vid: &str) -> Result<Vec<HistoryEntry>> {
        let sql = format!(
            "SELECT id, tape, at, actor, action, from_value, to_value, reason FROM {} WHERE tape = ?1 ORDER BY id",
            self.names.history
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([vid], |r| {
            Ok(HistoryEntry {
                id: r.get(0)?,
                tape: r.get(1)?,
                at: r.get(2)?,
                actor: r.get(3)?,
                action: r.get(4)?,
                from_value: r.get(5)?,
                to_value: r.get(6)?,
                reason: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn claim(&mut self, step: &str, state: State, limit: u32, lease_seconds: u32, by: &Actor) -> Result<Vec<TapeRow>> {
        let n = self.names.clone();
        // BEGIN IMMEDIATE takes the write lock up front, so two claimers are serialised and the
        // second sees the first one's leases.
        let tx = self.write()?;
        let rows: Vec<TapeRow> = {
            let sql = format!(
                "SELECT {cols} FROM {t} s WHERE {cond} AND mode = 'auto' AND NOT EXISTS \
                 (SELECT 1 FROM {c} c WHERE c.tape = s.tape AND c.expires_at > {NOW}) \
                 ORDER BY priority DESC, entered, tape LIMIT ?1",
                cols = COLUMNS.replace("tape,", "s.tape,"),
                t = n.table,
                c = n.claims,
                cond = state.sql_condition(),
            );
            let mut stmt = tx.prepare(&sql)?;
            // a malformed row is never claimed (`ls` and the monitor report it)
            read_rows(&mut stmt, [limit])?.rows
        };
        let lease = format!("+{lease_seconds} seconds");
        for r in &rows {
            tx.execute(
                &format!(
                    "INSERT INTO {c} (tape, step, owner, claimed_at, expires_at) \
                     VALUES (?1, ?2, ?3, {NOW}, strftime('%Y-%m-%d %H:%M:%S','now', ?4)) \
                     ON CONFLICT (tape) DO UPDATE SET step = excluded.step, owner = excluded.owner, \
                     claimed_at = excluded.claimed_at, expires_at = excluded.expires_at",
                    c = n.claims
                ),
                params![r.tape, step, by.who, lease],
            )?;
        }
        tx.commit()?;
        Ok(rows)
    }

    fn renew(&mut self, vid: &str, step: &str, state: State, lease_seconds: u32, by: &Actor) -> Result<Hold> {
        let n = self.names.clone();
        let tx = self.write()?;
        let hold = match Self::get_in(&tx, &n, vid)? {
            None => Hold::Removed {
                detail: format!("removed from the table{}", Self::last_change(&tx, &n, vid, "remove")?),
            },
            Some(row) if row.mode != Mode::Auto => Hold::TakenOver {
                mode: row.mode,
                detail: format!("set to mode {}{}", row.mode, Self::last_change(&tx, &n, vid, "mode")?),
            },
            Some(row) if row.state() != state => Hold::Lost {
                detail: format!("the tape is {} now, not {state}", row.state()),
            },
            Some(_) => {
                let claim: Option<(String, String)> = tx
                    .query_row(
                        &format!("SELECT step, owner FROM {} WHERE tape = ?1", n.claims),
                        [vid],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                match claim {
                    Some((s, o)) if s == step && o == by.who => {
                        tx.execute(
                            &format!(
                                "UPDATE {} SET expires_at = strftime('%Y-%m-%d %H:%M:%S','now', ?2) WHERE tape = ?1",
                                n.claims
                            ),
                            params![vid, format!("+{lease_seconds} seconds")],
                        )?;
                        Hold::Held
                    }
                    Some((s, o)) => Hold::Lost {
                        detail: format!("claimed by {o} ({s}) since this run's lease expired"),
                    },
                    None => Hold::Lost {
                        detail: "this run's claim was given up".into(),
                    },
                }
            }
        };
        tx.commit()?;
        Ok(hold)
    }

    fn claim_of(&mut self, vid: &str) -> Result<Option<Claim>> {
        let sql = format!(
            "SELECT step, owner, expires_at FROM {} WHERE tape = ?1 AND expires_at > {NOW}",
            self.names.claims
        );
        Ok(self
            .conn
            .query_row(&sql, [vid], |r| {
                Ok(Claim {
                    step: r.get(0)?,
                    owner: r.get(1)?,
                    expires_at: r.get(2)?,
                })
            })
            .optional()?)
    }

    fn release(&mut self, vid: &str, step: &str) -> Result<()> {
        let n = self.names.clone();
        let tx = self.write()?;
        tx.execute(
            &format!("DELETE FROM {} WHERE tape = ?1 AND step = ?2", n.claims),
            [vid, step],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn advance(&mut self, vid: &str, to: State, by: &Actor) -> Result<Outcome> {
        by.validate()?;
        validate_vid(vid)?;
        let n = self.names.clone();
        let tx = self.write()?;
        let row = Self::existing(&tx, &n, vid)?;
        let outcome = check_transition(&row, to)?;
        if outcome == Outcome::Applied {
            tx.execute(
                &format!("UPDATE {} SET {} = {NOW} WHERE tape = ?1", n.table, to.column()),
                [vid],
            )?;
            let from = row.state();
            Self::record(&tx, &n, (vid, "advance", Some(from.column()), Some(to.column())), by)?;
        }
        tx.execute(&format!("DELETE FROM {} WHERE tape = ?1", n.claims), [vid])?;
        tx.commit()?;
        Ok(outcome)
    }
}
