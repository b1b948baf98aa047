//! ATRESYS state store: the upstream `REPACK_STATUS` table plus what robustness needs.
//!
//! Alongside the upstream table (used as it is when it already exists) the migrations add
//! `<table>_history` (every change: who, why, when, from/to), `<table>_claims` (per-step leases
//! so two runs never work on the same tape) and `<table>_schema` (applied migrations).
//! Every change is one transaction together with its history row; transitions are idempotent.

mod error;
mod model;
mod names;
mod pgpass;
mod postgres;
mod settings;
mod sqlite;
mod tls;
mod who;

pub use error::{Result, StoreError};
pub use model::{
    Actor, BadRow, Claim, Filter, HistoryEntry, Hold, Listing, MAX_NEW_VID_LEN, MAX_REASON_LEN, MAX_VID_LEN, Mode,
    NewTape, Outcome, State, TapeRow, validate_new_vid, validate_vid,
};
pub use postgres::PgStore;
pub use settings::{Backend, DEFAULT_SQLITE_PATH, PgSettings, StoreSettings};
pub use sqlite::SqliteStore;
pub use tls::{SslMode, Tls};
pub use who::operator;

/// Schema version this program writes (the number of built-in migrations).
pub const SCHEMA_VERSION: u32 = 1;

/// Default lease of a claim: a crashed step's tapes become claimable again after this.
pub const DEFAULT_LEASE_SECONDS: u32 = 3600;

/// What `upgrade` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Upgrade {
    pub from: u32,
    pub to: u32,
}

/// The operations the manager and the scheduled steps use; both backends behave the same.
pub trait StateStore: Send {
    /// `sqlite` or `postgresql`.
    fn backend_name(&self) -> &'static str;
    /// Applied schema version (0: none).
    ///
    /// # Errors
    /// Database errors.
    fn schema_version(&mut self) -> Result<u32>;
    /// The tables of the schema that do not exist (quoted names), e.g. in a hand-damaged database.
    ///
    /// # Errors
    /// Database errors.
    fn missing_tables(&mut self) -> Result<Vec<String>>;
    /// Applies the missing migrations (creating the upstream table only if it does not exist) and
    /// recreates, empty, any table of the applied schema that is missing.
    ///
    /// # Errors
    /// Database errors; a schema newer than this program is [`StoreError::Schema`].
    fn upgrade(&mut self) -> Result<Upgrade>;
    /// One tape's row.
    ///
    /// # Errors
    /// Database errors.
    fn get(&mut self, vid: &str) -> Result<Option<TapeRow>>;
    /// Rows matching `filter`, by priority (highest first) then entry time; rows that cannot be
    /// read are in [`Listing::bad`] instead of failing the whole listing.
    ///
    /// # Errors
    /// Database errors.
    fn list(&mut self, filter: &Filter) -> Result<Listing>;
    /// Enters a tape (state Entered); `Unchanged` if it is already in the table.
    ///
    /// # Errors
    /// Invalid values, database errors.
    fn add(&mut self, tape: &NewTape, by: &Actor) -> Result<Outcome>;
    /// Removes a tape's row (its history stays); returns the removed row.
    ///
    /// # Errors
    /// [`StoreError::UnknownTape`], database errors.
    fn remove(&mut self, vid: &str, by: &Actor) -> Result<TapeRow>;
    /// Sets the mode; `Unchanged` if it already was.
    ///
    /// # Errors
    /// [`StoreError::UnknownTape`], database errors.
    fn set_mode(&mut self, vid: &str, mode: Mode, by: &Actor) -> Result<Outcome>;
    /// Sets the priority; `Unchanged` if it already was.
    ///
    /// # Errors
    /// [`StoreError::UnknownTape`], database errors.
    fn set_priority(&mut self, vid: &str, priority: i16, by: &Actor) -> Result<Outcome>;
    /// The tape's audit trail, oldest first (kept after `remove`).
    ///
    /// # Errors
    /// Database errors.
    fn history(&mut self, vid: &str) -> Result<Vec<HistoryEntry>>;
    /// Claims up to `limit` tapes in `state` and mode `auto` for `step`, highest priority first,
    /// skipping tapes another run holds (an unexpired lease). Returns the claimed rows.
    ///
    /// # Errors
    /// Database errors.
    fn claim(&mut self, step: &str, state: State, limit: u32, lease_seconds: u32, by: &Actor) -> Result<Vec<TapeRow>>;
    /// Right before a state-changing CTA call: in one transaction, checks the tape is still in the
    /// table, in mode auto, in `state` and claimed by `by.who` for `step`, and if so renews the
    /// lease. Anything else is reported (and nothing written), so the call is not made.
    ///
    /// # Errors
    /// Database errors.
    fn renew(&mut self, vid: &str, step: &str, state: State, lease_seconds: u32, by: &Actor) -> Result<Hold>;
    /// The unexpired claim on a tape, if a run holds one.
    ///
    /// # Errors
    /// Database errors.
    fn claim_of(&mut self, vid: &str) -> Result<Option<Claim>>;
    /// Gives up a claim without changing the tape.
    ///
    /// # Errors
    /// Database errors.
    fn release(&mut self, vid: &str, step: &str) -> Result<()>;
    /// Moves a tape to `to` (sets its timestamp) and drops its claim, in one transaction with the
    /// history row. `Unchanged` if the tape already is in `to` or later (a repeated transition is
    /// a no-op); [`StoreError::InvalidTransition`] if it is not in the state before `to`.
    ///
    /// # Errors
    /// See above; [`StoreError::UnknownTape`].
    fn advance(&mut self, vid: &str, to: State, by: &Actor) -> Result<Outcome>;
}

/// Opens the configured backend (no schema change: run [`StateStore::upgrade`] for that).
///
/// # Errors
/// [`StoreError::Unreachable`] if the database cannot be opened.
pub fn open(settings: &StoreSettings) -> Result<Box<dyn StateStore>> {
    Ok(match &settings.backend {
        Backend::Sqlite { path } => Box::new(SqliteStore::open(path, &settings.table)?),
        Backend::Postgres(pg) => Box::new(PgStore::connect(pg, &settings.table)?),
    })
}

/// Checks, before a command does anything else, that the database has exactly the schema this
/// program writes: not newer, not older, no table missing. Returns the schema version.
///
/// # Errors
/// [`StoreError::Schema`] (one line naming the versions or the missing tables), database errors.
pub fn check_schema(store: &mut dyn StateStore) -> Result<u32> {
    let v = store.schema_version()?;
    if v > SCHEMA_VERSION {
        return Err(newer_schema(v));
    }
    if v < SCHEMA_VERSION {
        return Err(StoreError::Schema(format!(
            "the ATRESYS database is at schema version {v}, this ctaops needs version {SCHEMA_VERSION}: \
             run `cta-ops-repack-manager db upgrade`"
        )));
    }
    let missing = store.missing_tables()?;
    if !missing.is_empty() {
        return Err(StoreError::Schema(format!(
            "the ATRESYS database (schema version {v}) has no table {}: restore it from a backup, or run \
             `cta-ops-repack-manager db upgrade` to recreate it empty",
            missing.join(", ")
        )));
    }
    Ok(v)
}

fn newer_schema(v: u32) -> StoreError {
    StoreError::Schema(format!(
        "the ATRESYS database is at schema version {v}, newer than this ctaops (schema version {SCHEMA_VERSION}): \
         use the ctaops that upgraded it"
    ))
}

/// The row's state after `advance(to)`, checked in one place for both backends.
fn check_transition(row: &TapeRow, to: State) -> Result<Outcome> {
    let now = row.state();
    if now >= to {
        return Ok(Outcome::Unchanged);
    }
    if to.previous() != Some(now) {
        return Err(StoreError::InvalidTransition {
            vid: row.tape.clone(),
            from: now.to_string(),
            to: to.to_string(),
        });
    }
    Ok(Outcome::Applied)
}
