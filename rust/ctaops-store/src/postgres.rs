//! The PostgreSQL backend (`tokio-postgres` on a private current-thread runtime, so callers stay
//! synchronous). Claims use `SELECT … FOR UPDATE SKIP LOCKED` plus the claims table's primary key,
//! so several hosts can run the same step against one database without taking the same tape.

use std::time::Duration;

use tokio::runtime::Runtime;
use tokio_postgres::{Client, GenericClient, NoTls, Row};

use crate::error::{Result, StoreError};
use crate::model::{
    Actor, BadRow, Claim, Filter, HistoryEntry, Hold, Listing, Mode, NewTape, Outcome, State, TapeRow, validate_vid,
};
use crate::names::Names;
use crate::settings::PgSettings;
use crate::tls::SslMode;
use crate::{SCHEMA_VERSION, StateStore, Upgrade, check_transition, newer_schema};

/// Truncated, not cast: a cast to `timestamp(0)` rounds, so a row written in the second half of a
/// second would carry the next second, i.e. a time in the future (SQLite's `strftime` truncates).
const NOW: &str = "date_trunc('second', now() AT TIME ZONE 'UTC')::timestamp(0)";

fn ts(col: &str) -> String {
    format!("to_char({col}, 'YYYY-MM-DD HH24:MI:SS')")
}

/// The columns [`select_columns`] reads, in order (its expressions are not named after them).
const COLUMN_NAMES: [&str; 16] = [
    "tape",
    "entered",
    "started",
    "repacked",
    "quarantined",
    "reclaimed",
    "finished",
    "files",
    "bytes",
    "usage",
    "last_write_date",
    "mode",
    "priority",
    "mediatype",
    "tapepool",
    "responsible",
];

fn select_columns(alias: &str) -> String {
    let c = |n: &str| format!("{alias}{n}");
    [
        c("tape::text"),
        ts(&c("entered")),
        ts(&c("started")),
        ts(&c("repacked")),
        ts(&c("quarantined")),
        ts(&c("reclaimed")),
        ts(&c("finished")),
        c("files::bigint"),
        c("bytes::bigint"),
        // bigint, range-checked per row: a foreign or hand-altered integer column holding an
        // out-of-range value must make that row bad, not fail the cast for the whole query
        c("usage::bigint"),
        ts(&c("last_write_date")),
        c("mode::text"),
        c("priority::bigint"),
        c("mediatype::text"),
        c("tapepool::text"),
        c("responsible::text"),
    ]
    .join(", ")
}

/// Reads one row; a value that does not convert or a bad time makes it a [`BadRow`] instead of
/// failing the whole query.
fn read_row(r: &Row) -> std::result::Result<TapeRow, BadRow> {
    let tape: String = r
        .try_get::<_, Option<String>>(0)
        .ok()
        .flatten()
        .unwrap_or_else(|| "?".into());
    let bad = |problem: String| BadRow {
        tape: tape.clone(),
        problem,
    };
    macro_rules! get {
        ($i:expr) => {
            r.try_get($i).map_err(|e| {
                let name = COLUMN_NAMES.get($i).copied().unwrap_or("?");
                bad(format!("column {name}: {}", e.to_string().replace('\n', " ")))
            })?
        };
    }
    let small = |i: usize, v: i64| {
        i16::try_from(v).map_err(|_| {
            let name = COLUMN_NAMES.get(i).copied().unwrap_or("?");
            bad(format!("column {name}: {v} is out of range"))
        })
    };
    let mode: String = get!(11);
    let usage = small(9, get!(9))?;
    let priority = small(12, get!(12))?;
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
        usage,
        last_write_date: get!(10),
        mode: mode.parse().map_err(|e: StoreError| bad(format!("column mode: {e}")))?,
        priority,
        mediatype: get!(13),
        tapepool: get!(14),
        responsible: get!(15),
    };
    row.check().map_err(bad)?;
    Ok(row)
}

fn read_rows(rows: &[Row]) -> Listing {
    let mut out = Listing::default();
    for r in rows {
        match read_row(r) {
            Ok(t) => out.rows.push(t),
            Err(b) => out.bad.push(b),
        }
    }
    out
}

/// ATRESYS store in PostgreSQL.
pub struct PgStore {
    rt: Runtime,
    client: Client,
    names: Names,
}

async fn get_in(c: &impl GenericClient, n: &Names, vid: &str, lock: bool) -> Result<Option<TapeRow>> {
    let sql = format!(
        "SELECT {} FROM {} WHERE tape = $1{}",
        select_columns(""),
        n.table,
        if lock { " FOR UPDATE" } else { "" }
    );
    match c.query_opt(&sql, &[&vid]).await? {
        None => Ok(None),
        Some(r) => Ok(Some(read_row(&r)?)),
    }
}

async fn existing(c: &impl GenericClient, n: &Names, vid: &str) -> Result<TapeRow> {
    get_in(c, n, vid, true)
        .await?
        .ok_or_else(|| StoreError::UnknownTape(vid.to_owned()))
}

/// ` by <actor> at <time>: <reason>` of the tape's last `action` in the history.
async fn last_change(c: &impl GenericClient, n: &Names, vid: &str, action: &str) -> Result<String> {
    let sql = format!(
        "SELECT actor, {}, reason FROM {} WHERE tape = $1 AND action = $2 ORDER BY id DESC LIMIT 1",
        ts("at"),
        n.history
    );
    Ok(match c.query_opt(&sql, &[&vid, &action]).await? {
        Some(r) => {
            let (who, at, why): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
            format!(" by {who} at {at}: {why}")
        }
        None => String::new(),
    })
}

async fn record(
    c: &impl GenericClient,
    n: &Names,
    vid: &str,
    action: &str,
    change: (Option<&str>, Option<&str>),
    by: &Actor,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO {} (tape, at, actor, action, from_value, to_value, reason) VALUES ($1, {NOW}, $2, $3, $4, $5, $6)",
        n.history
    );
    c.execute(&sql, &[&vid, &by.who, &action, &change.0, &change.1, &by.why])
        .await?;
    Ok(())
}

async fn watch<S, T>(connection: tokio_postgres::Connection<S, T>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    if let Err(e) = connection.await {
        tracing::warn!(error = %e, "PostgreSQL connection closed");
    }
}

impl PgStore {
    /// Connects (10 s timeout).
    ///
    /// # Errors
    /// [`StoreError::Unreachable`] with the server's or the network's reason.
    pub fn connect(pg: &PgSettings, table: &str) -> Result<Self> {
        let names = Names::new(table, true)?;
        let unreachable = |e: &dyn std::fmt::Display| StoreError::Unreachable {
            backend: "postgresql",
            target: pg.target(),
            message: e.to_string().replace('\n', " "),
        };
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| unreachable(&e))?;
        let mut cfg = tokio_postgres::Config::new();
        cfg.host(&pg.host)
            .port(pg.port)
            .user(&pg.user)
            .dbname(&pg.dbname)
            .application_name("ctaops-atresys")
            .connect_timeout(Duration::from_secs(10));
        if let Some(p) = &pg.password {
            cfg.password(p);
        }
        cfg.ssl_mode(pg.tls.negotiation());
        // tokio-postgres keeps the cause (e.g. the certificate problem) in the source chain
        let unreachable_pg = |e: &tokio_postgres::Error| {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                text = format!("{text}: {s}");
                source = s.source();
            }
            unreachable(&text)
        };
        let client = rt.block_on(async {
            let client = if pg.tls.mode == SslMode::Disable {
                let (client, connection) = cfg.connect(NoTls).await.map_err(|e| unreachable_pg(&e))?;
                tokio::spawn(watch(connection));
                client
            } else {
                let (client, connection) = cfg.connect(pg.tls.connector()?).await.map_err(|e| unreachable_pg(&e))?;
                tokio::spawn(watch(connection));
                client
            };
            Ok::<_, StoreError>(client)
        })?;
        Ok(Self { rt, client, names })
    }
}

impl StateStore for PgStore {
    fn backend_name(&self) -> &'static str {
        "postgresql"
    }

    fn schema_version(&mut self) -> Result<u32> {
        let Self { rt, client, names } = self;
        rt.block_on(async {
            let reg: Option<String> = client
                .query_one("SELECT to_regclass($1)::text", &[&names.schema])
                .await?
                .try_get(0)?;
            if reg.is_none() {
                return Ok(0);
            }
            let v: i32 = client
                .query_one(&format!("SELECT coalesce(max(version), 0) FROM {}", names.schema), &[])
                .await?
                .try_get(0)?;
            Ok(u32::try_from(v).unwrap_or(0))
        })
    }

    fn upgrade(&mut self) -> Result<Upgrade> {
        let Self { rt, client, names: n } = self;
        rt.block_on(async {
            let tx = client.transaction().await?;
            // Two `db upgrade` at once: the second waits, then finds nothing to do.
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtext($1))",
                &[&format!("atresys:{}", n.base)],
            )
            .await?;
            tx.batch_execute(&format!(
                "CREATE TABLE IF NOT EXISTS {} (version integer PRIMARY KEY, applied timestamp(0) NOT NULL)",
                n.schema
            ))
            .await?;
            let from: i32 = tx
                .query_one(&format!("SELECT coalesce(max(version), 0) FROM {}", n.schema), &[])
                .await?
                .try_get(0)?;
            let from = u32::try_from(from).unwrap_or(0);
            if from > SCHEMA_VERSION {
                return Err(newer_schema(from));
            }
            {
                // The upstream table and enum are created only when absent: an existing
                // installation's table is used exactly as it is. Idempotent, so it also
                // recreates, empty, a table of an applied schema that someone dropped.
                tx.batch_execute(&format!(
                    "DO $$ BEGIN
                        CREATE TYPE automation_modes AS ENUM ('auto', 'manual', 'error');
                     EXCEPTION WHEN duplicate_object THEN NULL; END $$;
                     CREATE TABLE IF NOT EXISTS {t} (
                        tape varchar(20) NOT NULL,
                        entered timestamp(0) NOT NULL, started timestamp(0), repacked timestamp(0),
                        quarantined timestamp(0), reclaimed timestamp(0), finished timestamp(0),
                        files bigint NOT NULL, bytes bigint NOT NULL, usage smallint NOT NULL,
                        last_write_date timestamp(0), mode automation_modes NOT NULL,
                        priority smallint NOT NULL, mediatype varchar(20) NOT NULL,
                        tapepool varchar(200) NOT NULL, responsible varchar(40) NOT NULL,
                        CONSTRAINT \"{b}_pkey\" PRIMARY KEY (tape));
                     CREATE TABLE IF NOT EXISTS {h} (
                        id bigserial PRIMARY KEY, tape varchar(20) NOT NULL, at timestamp(0) NOT NULL,
                        actor text NOT NULL, action text NOT NULL, from_value text, to_value text,
                        reason text NOT NULL);
                     CREATE INDEX IF NOT EXISTS \"{b}_history_tape\" ON {h} (tape, id);
                     CREATE TABLE IF NOT EXISTS {c} (
                        tape varchar(20) PRIMARY KEY, step text NOT NULL, owner text NOT NULL,
                        claimed_at timestamp(0) NOT NULL, expires_at timestamp(0) NOT NULL);",
                    t = n.table,
                    h = n.history,
                    c = n.claims,
                    b = n.base,
                ))
                .await?;
            }
            if from < 1 {
                tx.execute(
                    &format!("INSERT INTO {} (version, applied) VALUES (1, {NOW})", n.schema),
                    &[],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(Upgrade {
                from,
                to: SCHEMA_VERSION,
            })
        })
    }

    fn missing_tables(&mut self) -> Result<Vec<String>> {
        let Self { rt, client, names: n } = self;
        rt.block_on(async {
            let mut missing = Vec::new();
            for t in [&n.table, &n.history, &n.claims, &n.schema] {
                let reg: Option<String> = client
                    .query_one("SELECT to_regclass($1)::text", &[t])
                    .await?
                    .try_get(0)?;
                if reg.is_none() {
                    missing.push(t.clone());
                }
            }
            Ok(missing)
        })
    }

    fn get(&mut self, vid: &str) -> Result<Option<TapeRow>> {
        let Self { rt, client, names } = self;
        rt.block_on(get_in(&*client, names, vid, false))
    }

    fn list(&mut self, filter: &Filter) -> Result<Listing> {
        let Self { rt, client, names } = self;
        let mut sql = format!("SELECT {} FROM {} WHERE true", select_columns(""), names.table);
        if let Some(s) = filter.state {
            sql.push_str(&format!(" AND {}", s.sql_condition()));
        }
        sql.push_str(
            " AND ($1::text IS NULL OR mode::text = $1) AND ($2::text IS NULL OR tapepool = $2) \
             ORDER BY priority DESC, entered, tape",
        );
        let mode = filter.mode.map(Mode::as_str);
        rt.block_on(async {
            let rows = client.query(&sql, &[&mode, &filter.tapepool]).await?;
            let mut found = read_rows(&rows);
            found.rows.retain(|r| filter.accepts(r));
            found
                .bad
                .retain(|b| filter.tapes.is_empty() || filter.tapes.contains(&b.tape));
            Ok(found)
        })
    }

    fn add(&mut self, t: &NewTape, by: &Actor) -> Result<Outcome> {
        by.validate()?;
        t.validate()?;
        let Self { rt, client, names: n } = self;
        rt.block_on(async {
            let tx = client.transaction().await?;
            let sql = format!(
                "INSERT INTO {} (tape, entered, files, bytes, usage, last_write_date, mode, priority, mediatype, \
                 tapepool, responsible) VALUES ($1, {NOW}, $2, $3, $4, $5::text::timestamp, \
                 $6::text::automation_modes, $7, $8, $9, $10) ON CONFLICT (tape) DO NOTHING",
                n.table
            );
            let inserted = tx
                .execute(
                    &sql,
                    &[
                        &t.tape,
                        &t.files,
                        &t.bytes,
                        &t.usage,
                        &t.last_write_date,
                        &t.mode.as_str(),
                        &t.priority,
                        &t.mediatype,
                        &t.tapepool,
                        &t.responsible,
                    ],
                )
                .await?;
            if inserted == 0 {
                return Ok(Outcome::Unchanged);
            }
            record(&tx, n, &t.tape, "add", (None, Some(State::Entered.column())), by).await?;
            tx.commit().await?;
            Ok(Outcome::Applied)
        })
    }

    fn remove(&mut self, vid: &str, by: &Actor) -> Result<TapeRow> {
        by.validate()?;
        let Self { rt, client, names: n } = self;
        rt.block_on(async {
            let tx = client.transaction().await?;
            let row = existing(&tx, n, vid).await?;
            tx.execute(&format!("DELETE FROM {} WHERE tape = $1", n.table), &[&vid])
                .await?;
            tx.execute(&format!("DELETE FROM {} WHERE tape = $1", n.claims), &[&vid])
                .await?;
            record(&tx, n, vid, "remove", (Some(row.state().column()), None), by).await?;
            tx.commit().await?;
            Ok(row)
        })
    }

    fn set_mode(&mut self, vid: &str, mode: Mode, by: &Actor) -> Result<Outcome> {
        by.validate()?;
        let Self { rt, client, names: n } = self;
        rt.block_on(async {
            let tx = client.transaction().await?;
            let row = existing(&tx, n, vid).await?;
            if row.mode == mode {
                return Ok(Outcome::Unchanged);
            }
            let sql = format!(
                "UPDATE {} SET mode = $2::text::automation_modes WHERE tape = $1",
                n.table
            );
            tx.execute(&sql, &[&vid, &mode.as_str()]).await?;
            record(&tx, n, vid, "mode", (Some(row.mode.as_str()), Some(mode.as_str())), by).await?;
            tx.commit().await?;
            Ok(Outcome::Applied)
        })
    }

    fn set_priority(&mut self, vid: &str, priority: i16, by: &Actor) -> Result<Outcome> {
        by.validate()?;
        let Self { rt, client, names: n } = self;
        rt.block_on(async {
            let tx = client.transaction().await?;
            let row = existing(&tx, n, vid).await?;
            if row.priority == priority {
                return Ok(Outcome::Unchanged);
            }
            tx.execute(
                &format!("UPDATE {} SET priority = $2 WHERE tape = $1", n.table),
                &[&vid, &priority],
            )
            .await?;
            let (from, to) = (row.priority.to_string(), priority.to_string());
            record(&tx, n, vid, "priority", (Some(&from), Some(&to)), by).await?;
            tx.commit().await?;
            Ok(Outcome::Applied)
        })
    }

    fn history(&mut self, vid: &str) -> Result<Vec<HistoryEntry>> {
        let Self { rt, client, names } = self;
        let sql = format!(
            "SELECT id, tape::text, {}, actor, action, from_value, to_value, reason FROM {} WHERE tape = $1 ORDER BY id",
            ts("at"),
            names.history
        );
        rt.block_on(async {
            let rows = client.query(&sql, &[&vid]).await?;
            rows.iter()
                .map(|r| {
                    Ok(HistoryEntry {
                        id: r.try_get(0)?,
                        tape: r.try_get(1)?,
                        at: r.try_get(2)?,
                        actor: r.try_get(3)?,
                        action: r.try_get(4)?,
                        from_value: r.try_get(5)?,
                        to_value: r.try_get(6)?,
                        reason: r.try_get(7)?,
                    })
                })
                .collect()
        })
    }

    fn claim(&mut self, step: &str, state: State, limit: u32, lease_seconds: u32, by: &Actor) -> Result<Vec<TapeRow>> {
        let Self { rt, client, names: n } = self;
        // Rows another claimer has locked are skipped; a tape whose claim was committed between
        // our snapshot and our lock is caught by the claims key (the conflict update only takes
        // an expired lease), so RETURNING lists exactly the tapes this call owns.
        let sql = format!(
            "WITH cand AS (
                SELECT s.tape, s.priority, s.entered FROM {t} s
                WHERE {cond} AND s.mode::text = 'auto'
                  AND NOT EXISTS (SELECT 1 FROM {c} c WHERE c.tape = s.tape AND c.expires_at > {NOW})
                ORDER BY s.priority DESC, s.entered, s.tape LIMIT $1
                FOR UPDATE OF s SKIP LOCKED)
             INSERT INTO {c} AS k (tape, step, owner, claimed_at, expires_at)
             SELECT tape, $2, $3, {NOW}, {NOW} + make_interval(secs => $4) FROM cand
             ON CONFLICT (tape) DO UPDATE SET step = excluded.step, owner = excluded.owner,
                claimed_at = excluded.claimed_at, expires_at = excluded.expires_at
             WHERE k.expires_at <= {NOW}
             RETURNING k.tape::text",
            t = n.table,
            c = n.claims,
            cond = state.sql_condition(),
        );
        let limit = i64::from(limit);
        let secs = f64::from(lease_seconds);
        rt.block_on(async {
            let tx = client.transaction().await?;
            let claimed: Vec<String> = tx
                .query(&sql, &[&limit, &step, &by.who, &secs])
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?;
            let rows = tx
                .query(
                    &format!(
                        "SELECT {} FROM {} WHERE tape = ANY($1) ORDER BY priority DESC, entered, tape",
                        select_columns(""),
                        n.table
                    ),
                    &[&claimed],
                )
                .await?;
            let found = read_rows(&rows);
            // A malformed row is not worked on (`ls` and the monitor report it): give its claim back.
            let bad: Vec<&String> = found.bad.iter().map(|b| &b.tape).collect();
            if !bad.is_empty() {
                tx.execute(&format!("DELETE FROM {} WHERE tape::text = ANY($1)", n.claims), &[&bad])
                    .await?;
            }
            tx.commit().await?;
            Ok(found.rows)
        })
    }

    fn renew(&mut self, vid: &str, step: &str, state: State, lease_seconds: u32, by: &Actor) -> Result<Hold> {
        let Self { rt, client, names: n } = self;
        let secs = f64::from(lease_seconds);
        rt.block_on(async {
            let tx = client.transaction().await?;
            // The row lock (FOR UPDATE) makes `mode … manual` and `rm` wait for this check, or this
            // check wait for them: either way it sees the operator's committed change.
            let hold = match get_in(&tx, n, vid, true).await? {
                None => Hold::Removed {
                    detail: format!("removed from the table{}", last_change(&tx, n, vid, "remove").await?),
                },
                Some(row) if row.mode != Mode::Auto => Hold::TakenOver {
                    mode: row.mode,
                    detail: format!("set to mode {}{}", row.mode, last_change(&tx, n, vid, "mode").await?),
                },
                Some(row) if row.state() != state => Hold::Lost {
                    detail: format!("the tape is {} now, not {state}", row.state()),
                },
                Some(_) => {
                    let claim = tx
                        .query_opt(
                            &format!("SELECT step, owner FROM {} WHERE tape = $1 FOR UPDATE", n.claims),
                            &[&vid],
                        )
                        .await?;
                    let claim: Option<(String, String)> = match claim {
                        Some(r) => Some((r.try_get(0)?, r.try_get(1)?)),
                        None => None,
                    };
                    match claim {
                        Some((s, o)) if s == step && o == by.who => {
                            tx.execute(
                                &format!(
                                    "UPDATE {} SET expires_at = {NOW} + make_interval(secs => $2) WHERE tape = $1",
                                    n.claims
                                ),
                                &[&vid, &secs],
                            )
                            .await?;
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
            tx.commit().await?;
            Ok(hold)
        })
    }

    fn claim_of(&mut self, vid: &str) -> Result<Option<Claim>> {
        let Self { rt, client, names } = self;
        let sql = format!(
            "SELECT step, owner, {} FROM {} WHERE tape = $1 AND expires_at > {NOW}",
            ts("expires_at"),
            names.claims
        );
        rt.block_on(async {
            match client.query_opt(&sql, &[&vid]).await? {
                None => Ok(None),
                Some(r) => Ok(Some(Claim {
                    step: r.try_get(0)?,
                    owner: r.try_get(1)?,
                    expires_at: r.try_get(2)?,
                })),
            }
        })
    }

    fn release(&mut self, vid: &str, step: &str) -> Result<()> {
        let Self { rt, client, names } = self;
        let sql = format!("DELETE FROM {} WHERE tape = $1 AND step = $2", names.claims);
        rt.block_on(async {
            client.execute(&sql, &[&vid, &step]).await?;
            Ok(())
        })
    }

    fn advance(&mut self, vid: &str, to: State, by: &Actor) -> Result<Outcome> {
        by.validate()?;
        validate_vid(vid)?;
        let Self { rt, client, names: n } = self;
        rt.block_on(async {
            let tx = client.transaction().await?;
            // The row lock serialises two runs advancing the same tape: the second re-reads the
            // committed row and finds nothing left to do.
            let row = existing(&tx, n, vid).await?;
            let outcome = check_transition(&row, to)?;
            let release = format!("DELETE FROM {} WHERE tape = $1", n.claims);
            if outcome == Outcome::Applied {
                let sql = format!("UPDATE {} SET {} = {NOW} WHERE tape = $1", n.table, to.column());
                // The three writes do not depend on each other: polled together, tokio-postgres
                // pipelines them on the connection (one wait instead of three; the row is locked).
                tokio::try_join!(
                    async { tx.execute(&sql, &[&vid]).await.map_err(StoreError::from) },
                    record(
                        &tx,
                        n,
                        vid,
                        "advance",
                        (Some(row.state().column()), Some(to.column())),
                        by,
                    ),
                    async { tx.execute(&release, &[&vid]).await.map_err(StoreError::from) },
                )?;
            } else {
                tx.execute(&release, &[&vid]).await?;
            }
            tx.commit().await?;
            Ok(outcome)
        })
    }
}
