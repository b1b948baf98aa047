//! `ctaops.atresys` backend: the ATRESYS state store. Rows cross as JSON text (not a hot path;
//! the Python side turns them into typed records).
#![allow(clippy::needless_pass_by_value, reason = "PyO3 extracts arguments as owned values")]

use std::path::PathBuf;
use std::sync::Mutex;

use ctaops_core::config::Config;
use ctaops_store::{
    Actor, Backend, Filter, Mode, NewTape, Outcome, PgSettings, State, StateStore, StoreError, StoreSettings,
};
use pyo3::prelude::*;

use crate::errors;

fn err(py: Python<'_>, e: &StoreError) -> PyErr {
    errors::error_for_code(py, e.code(), &e.to_string())
}

fn json<T: serde::Serialize>(py: Python<'_>, v: &T) -> PyResult<String> {
    serde_json::to_string(v).map_err(|e| errors::error_for_code(py, "PARSE_ERROR", &e.to_string()))
}

/// One open connection to the ATRESYS database.
#[pyclass(module = "ctaops._core", name = "AtresysStore", frozen)]
pub struct PyAtresysStore {
    store: Mutex<Box<dyn StateStore>>,
    table: String,
}

impl PyAtresysStore {
    fn with<T>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut dyn StateStore) -> Result<T, StoreError> + Send,
    ) -> PyResult<T>
    where
        T: Send,
    {
        py.detach(|| {
            let mut guard = self
                .store
                .lock()
                .map_err(|_| StoreError::Database("store lock poisoned".into()))?;
            f(guard.as_mut())
        })
        .map_err(|e| err(py, &e))
    }
}

fn parse<T: std::str::FromStr<Err = StoreError>>(py: Python<'_>, s: &str) -> PyResult<T> {
    s.parse().map_err(|e| err(py, &e))
}

fn outcome(o: Outcome) -> bool {
    o == Outcome::Applied
}

#[pymethods]
impl PyAtresysStore {
    /// Opens the store: from the config file (`tools.cta-ops-repack-automation.database`), or
    /// SQLite at `sqlite_path`, or PostgreSQL from `pg_host`… (explicit arguments win).
    #[new]
    #[pyo3(signature = (config_file = None, *, sqlite_path = None, pg_host = None, pg_port = 5432, pg_user = None, pg_password = None, pg_dbname = None, table = None))]
    #[allow(clippy::too_many_arguments, reason = "keyword-only Python constructor")]
    fn new(
        py: Python<'_>,
        config_file: Option<PathBuf>,
        sqlite_path: Option<PathBuf>,
        pg_host: Option<String>,
        pg_port: u16,
        pg_user: Option<String>,
        pg_password: Option<String>,
        pg_dbname: Option<String>,
        table: Option<String>,
    ) -> PyResult<Self> {
        let mut settings = if sqlite_path.is_none() && pg_host.is_none() {
            let cfg = Config::load(config_file.as_deref()).map_err(|e| errors::to_py(py, &e))?;
            StoreSettings::from_config(&cfg).map_err(|e| err(py, &e))?
        } else {
            StoreSettings {
                backend: Backend::Sqlite { path: PathBuf::new() },
                table: "REPACK_STATUS".into(),
            }
        };
        if let Some(path) = sqlite_path {
            settings.backend = Backend::Sqlite { path };
        } else if let Some(host) = pg_host {
            settings.backend = Backend::Postgres(PgSettings {
                host,
                port: pg_port,
                user: pg_user.unwrap_or_else(|| "postgres".into()),
                password: pg_password,
                dbname: pg_dbname.unwrap_or_else(|| "cta_repack".into()),
                tls: ctaops_store::Tls::default(),
            });
        }
        if let Some(t) = table {
            settings.table = t;
        }
        let store = py.detach(|| ctaops_store::open(&settings)).map_err(|e| err(py, &e))?;
        Ok(Self {
            store: Mutex::new(store),
            table: settings.table,
        })
    }

    /// `sqlite` or `postgresql`.
    #[getter]
    fn backend(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |s| Ok(s.backend_name().to_owned()))
    }

    /// The repack table's name.
    #[getter]
    fn table(&self) -> String {
        self.table.clone()
    }

    fn schema_version(&self, py: Python<'_>) -> PyResult<u32> {
        self.with(py, |s| s.schema_version())
    }

    /// Checks the schema is exactly this program's (not newer, not older, no table missing);
    /// returns its version. Raises `AtresysSchemaError` with one line otherwise.
    fn check_schema(&self, py: Python<'_>) -> PyResult<u32> {
        self.with(py, |s| ctaops_store::check_schema(s))
    }

    /// The quoted names of the schema's tables that do not exist.
    fn missing_tables(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.with(py, |s| s.missing_tables())
    }

    /// Applies migrations; returns `(from_version, to_version)`.
    fn upgrade(&self, py: Python<'_>) -> PyResult<(u32, u32)> {
        self.with(py, |s| s.upgrade().map(|u| (u.from, u.to)))
    }

    /// The row as JSON, or None.
    fn get(&self, py: Python<'_>, vid: String) -> PyResult<Option<String>> {
        let row = self.with(py, move |s| s.get(&vid))?;
        row.map(|r| json(py, &r)).transpose()
    }

    /// `{"rows": [...], "bad": [{"tape", "problem"}, ...]}` as JSON.
    #[pyo3(signature = (state = None, mode = None, tapepool = None, tapes = Vec::new()))]
    fn list(
        &self,
        py: Python<'_>,
        state: Option<String>,
        mode: Option<String>,
        tapepool: Option<String>,
        tapes: Vec<String>,
    ) -> PyResult<String> {
        let filter = Filter {
            state: state.map(|s| parse::<State>(py, &s)).transpose()?,
            mode: mode.map(|m| parse::<Mode>(py, &m)).transpose()?,
            tapepool,
            tapes,
        };
        let rows = self.with(py, move |s| s.list(&filter))?;
        json(py, &rows)
    }

    /// Enters a tape given as JSON (the `NewTape` fields); True if added, False if present.
    fn add(&self, py: Python<'_>, tape_json: String, who: String, why: String) -> PyResult<bool> {
        let t: NewTape = serde_json::from_str(&tape_json)
            .map_err(|e| errors::error_for_code(py, "INVALID_ARGUMENT", &format!("bad tape record: {e}")))?;
        self.with(py, move |s| s.add(&t, &Actor::new(who, why))).map(outcome)
    }

    /// Removes a tape; returns the removed row as JSON.
    fn remove(&self, py: Python<'_>, vid: String, who: String, why: String) -> PyResult<String> {
        let row = self.with(py, move |s| s.remove(&vid, &Actor::new(who, why)))?;
        json(py, &row)
    }

    fn set_mode(&self, py: Python<'_>, vid: String, mode: String, who: String, why: String) -> PyResult<bool> {
        let mode: Mode = parse(py, &mode)?;
        self.with(py, move |s| s.set_mode(&vid, mode, &Actor::new(who, why)))
            .map(outcome)
    }

    fn set_priority(&self, py: Python<'_>, vid: String, priority: i16, who: String, why: String) -> PyResult<bool> {
        self.with(py, move |s| s.set_priority(&vid, priority, &Actor::new(who, why)))
            .map(outcome)
    }

    /// The tape's history as a JSON list.
    fn history(&self, py: Python<'_>, vid: String) -> PyResult<String> {
        let h = self.with(py, move |s| s.history(&vid))?;
        json(py, &h)
    }

    /// Claims tapes in `state` (mode auto) for `step`; the claimed rows as a JSON list.
    #[allow(clippy::too_many_arguments, reason = "mirrors StateStore::claim plus the actor")]
    fn claim(
        &self,
        py: Python<'_>,
        step: String,
        state: String,
        limit: u32,
        lease_seconds: u32,
        who: String,
        why: String,
    ) -> PyResult<String> {
        let state: State = parse(py, &state)?;
        let rows = self.with(py, move |s| {
            s.claim(&step, state, limit, lease_seconds, &Actor::new(who, why))
        })?;
        json(py, &rows)
    }

    /// Right before a state-changing CTA call: whether `step` (owner `who`) still holds the tape
    /// in `state`, renewing the lease if so; the answer as JSON (`{"status": "held" | "removed" |
    /// "taken-over" | "lost", "detail": …}`).
    #[allow(clippy::too_many_arguments, reason = "mirrors StateStore::renew plus the actor")]
    fn renew(
        &self,
        py: Python<'_>,
        vid: String,
        step: String,
        state: String,
        lease_seconds: u32,
        who: String,
        why: String,
    ) -> PyResult<String> {
        let state: State = parse(py, &state)?;
        let hold = self.with(py, move |s| {
            s.renew(&vid, &step, state, lease_seconds, &Actor::new(who, why))
        })?;
        json(py, &hold)
    }

    fn release(&self, py: Python<'_>, vid: String, step: String) -> PyResult<()> {
        self.with(py, move |s| s.release(&vid, &step))
    }

    /// Moves a tape to `to`; True if applied, False if it already was there (no-op).
    fn advance(&self, py: Python<'_>, vid: String, to: String, who: String, why: String) -> PyResult<bool> {
        let to: State = parse(py, &to)?;
        self.with(py, move |s| s.advance(&vid, to, &Actor::new(who, why)))
            .map(outcome)
    }
}

/// Who the history records for this process: the real uid's name, plus `(sudo by X)` when
/// `SUDO_USER` names someone else.
#[pyfunction]
fn atresys_operator() -> String {
    ctaops_store::operator()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyAtresysStore>()?;
    m.add_function(wrap_pyfunction!(atresys_operator, m)?)
}
