//! The embedded backend: one SQLite file, WAL journal, writers serialised by `BEGIN IMMEDIATE`.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};

use crate::error::{Result, StoreError};
use crate::model::{Actor, Filter, HistoryEntry, Mode, NewTape, Outcome, State, TapeRow, validate_vid};
use crate::names::Names;
use crate::{SCHEMA_VERSION, StateStore, Upgrade, check_transition};

const NOW: &str = "strftime('%Y-%m-%d %H:%M:%S','now')";
const COLUMNS: &str = "tape, entered, started, repacked, quarantined, reclaimed, finished, files, bytes, usage, \
                       last_write_date, mode, priority, mediatype, tapepool, responsible";

/// ATRESYS store in a SQLite file.
pub struct SqliteStore {
    conn: Connection,
    names: Names,
}

fn row_to_tape(r: &Row<'_>) -> rusqlite::Result<TapeRow> {
    let mode: String = r.get(11)?;
    Ok(TapeRow {
        tape: r.get(0)?,
        entered: r.get(1)?,
        started: r.get(2)?,
        repacked: r.get(3)?,
        quarantined: r.get(4)?,
        reclaimed: r.get(5)?,
        finished: r.get(6)?,
        files: r.get(7)?,
        bytes: r.get(8)?,
        usage: r.get(9)?,
        last_write_date: r.get(10)?,
        mode: mode.parse().unwrap_or(Mode::Error),
        priority: r.get(12)?,
        mediatype: r.get(13)?,
        tapepool: r.get(14)?,
        responsible: r.get(15)?,
    })
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
        Ok(tx.query_row(&sql, [vid], row_to_tape).optional()?)
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
            return Err(StoreError::Schema(format!(
                "database schema version {from} is newer than this program ({SCHEMA_VERSION}): upgrade ctaops"
            )));
        }
        if from < 1 {
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
                    claimed_at TEXT NOT NULL, expires_at TEXT NOT NULL);
                 INSERT INTO {s} (version, applied) VALUES (1, {NOW});",
                t = n.table,
                h = n.history,
                c = n.claims,
                s = n.schema,
                b = n.base,
            ))?;
        }
        tx.commit()?;
        Ok(Upgrade {
            from,
            to: SCHEMA_VERSION,
        })
    }

    fn get(&mut self, vid: &str) -> Result<Option<TapeRow>> {
        Self::get_in(&self.conn, &self.names, vid)
    }

    fn list(&mut self, filter: &Filter) -> Result<Vec<TapeRow>> {
        let mut sql = format!("SELECT {COLUMNS} FROM {} WHERE 1=1", self.names.table);
        if let Some(s) = filter.state {
            sql.push_str(&format!(" AND {}", s.sql_condition()));
        }
        sql.push_str(" AND (?1 IS NULL OR mode = ?1) AND (?2 IS NULL OR tapepool = ?2)");
        sql.push_str(" ORDER BY priority DESC, entered, tape");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params![filter.mode.map(Mode::as_str), filter.tapepool], row_to_tape)?;
        let mut out = Vec::new();
        for r in rows {
            let r = r?;
            if filter.accepts(&r) {
                out.push(r);
            }
        }
        Ok(out)
    }

    fn add(&mut self, t: &NewTape, by: &Actor) -> Result<Outcome> {
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
            stmt.query_map([limit], row_to_tape)?.collect::<rusqlite::Result<_>>()?
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
