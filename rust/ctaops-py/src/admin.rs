//! `ctaops.admin` bindings: parsing `cta-admin` output, typed records, Arrow tables and the runner.
//!
//! Records stay in Rust (one typed `Vec` per result); Python objects are made only for what the
//! caller touches, and Arrow tables are built in Rust and handed over through the Arrow C stream
//! interface. Parsing and running happen with the GIL released.

use std::sync::Arc;
use std::time::Duration;

use ctaops_core::admin::arrow::{parse_arrow, read_arrow, records_to_arrow, schema};
use ctaops_core::admin::render;
use ctaops_core::admin::verification::{with_verification, with_verification_schema};
use ctaops_core::admin::{AdminCommand, AdminError, Framing, Kind, OptValue, Records, Runner, RunnerSettings};
use ctaops_core::config::ErrorTranslations;
use pyo3::exceptions::{PyAttributeError, PyIndexError, PyKeyError, PyTypeError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PySlice, PyString};
use pyo3_arrow::PyTable;
use serde_json::Value;

use crate::admin_frames;
use crate::buffer::Bytes;
use crate::errors;

pub(crate) fn admin_err(py: Python<'_>, e: &AdminError) -> PyErr {
    errors::error_for_code(py, e.code(), &e.to_string())
}

/// Like [`admin_err`], with CTA's message translated for operators when a pattern matches; the
/// untranslated text stays on the exception as `original` (CTA's own message as `cta_message`).
fn admin_err_translated(py: Python<'_>, e: &AdminError, table: Option<&ErrorTranslations>) -> PyErr {
    let Some(friendly) = table.and_then(|t| e.translated(t)) else {
        return admin_err(py, e);
    };
    let err = errors::error_for_code(py, e.code(), &friendly);
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail in practice; if it did, the
    // translated exception is still the right one to raise.
    let _ = value.setattr("original", e.to_string());
    let _ = value.setattr("cta_message", e.cta_message());
    err
}

fn parse_err(py: Python<'_>, e: &ctaops_core::admin::ParseError) -> PyErr {
    errors::error_for_code(py, e.kind.code(), &e.to_string())
}

fn kind_of(py: Python<'_>, name: &str) -> PyResult<Kind> {
    name.parse::<Kind>().map_err(|e| errors::to_py(py, &e))
}

fn framing_of(py: Python<'_>, framing: Option<&str>, data: &[u8]) -> PyResult<Framing> {
    match framing {
        None | Some("auto") => Ok(Framing::detect(data)),
        Some(f) => f.parse().map_err(|e| errors::to_py(py, &e)),
    }
}

/// JSON value to Python (numbers stay integers).
fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => PyList::new(py, a.iter().map(|x| to_py(py, x)).collect::<PyResult<Vec<_>>>()?)?.into_any(),
        Value::Object(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(k, to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// Like [`to_py`], but sub-messages become [`AdminStruct`] objects with attribute access.
fn to_py_attr<'py>(py: Python<'py>, v: Value) -> PyResult<Bound<'py, PyAny>> {
    match v {
        Value::Object(m) => Ok(Bound::new(py, AdminStruct { map: m })?.into_any()),
        Value::Array(a) if a.iter().any(Value::is_object) => {
            let items = a.into_iter().map(|x| to_py_attr(py, x)).collect::<PyResult<Vec<_>>>()?;
            Ok(PyList::new(py, items)?.into_any())
        }
        other => to_py(py, &other),
    }
}

/// `media_type` -> `mediaType`, so Python callers may use either spelling.
fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut up = false;
    for c in name.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The batches as a `pyarrow.Table`, handed over through the Arrow C stream interface (no copy).
///
/// `pyarrow.table(obj)` first asks whether `obj` is a pandas `DataFrame`, which imports pandas when
/// it is installed: about 50 MB of memory and a noticeable delay on the first table, for callers
/// that never use pandas. `RecordBatchReader.from_stream` (pyarrow >= 15) reads the same stream
/// without that; older pyarrow goes through `pyarrow.table`.
pub(crate) fn table(py: Python<'_>, kind: Kind, batches: Vec<arrow_array::RecordBatch>) -> PyResult<Bound<'_, PyAny>> {
    // Tapes also get their verification status parsed (a notebook filters on it).
    let batches = batches
        .iter()
        .map(with_verification)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PyTypeError::new_err(e.to_string()))?;
    let table = PyTable::try_new(batches, Arc::new(with_verification_schema(&schema(kind))))?;
    let reader = py
        .import(intern!(py, "pyarrow"))?
        .getattr(intern!(py, "RecordBatchReader"))?;
    match reader.getattr(intern!(py, "from_stream")) {
        Ok(from_stream) => from_stream
            .call1((table.into_pyobject(py)?,))?
            .call_method0(intern!(py, "read_all")),
        Err(_) => table.into_pyarrow(py),
    }
}

/// A sub-message of a record (`creationLog`, `af`, …): attribute and item access by CTA name.
#[pyclass(module = "ctaops._core", frozen)]
struct AdminStruct {
    map: serde_json::Map<String, Value>,
}

#[pymethods]
impl AdminStruct {
    fn __getattr__<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.map.get(name).or_else(|| self.map.get(&camel(name))) {
            Some(v) => to_py_attr(py, v.clone()),
            None => Err(PyAttributeError::new_err(name.to_owned())),
        }
    }

    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.map.get(key) {
            Some(v) => to_py_attr(py, v.clone()),
            None => Err(PyKeyError::new_err(key.to_owned())),
        }
    }

    fn __contains__(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    fn keys(&self) -> Vec<String> {
        self.map.keys().cloned().collect()
    }

    /// The sub-message as a plain dict with CTA's key names.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &Value::Object(self.map.clone()))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<AdminStruct>().is_ok_and(|o| o.get().map == self.map)
    }

    fn __repr__(&self) -> String {
        format!("AdminStruct({})", Value::Object(self.map.clone()))
    }
}

/// One record of a `cta-admin` listing: attributes by CTA key name (or its snake_case spelling).
#[pyclass(module = "ctaops._core", frozen)]
struct AdminRecord {
    records: Arc<Records>,
    index: usize,
}

impl AdminRecord {
    fn lookup(&self, name: &str) -> Option<Value> {
        let get = |k: &str| self.records.get_native(self.index, k).flatten();
        get(name).or_else(|| if name.contains('_') { get(&camel(name)) } else { None })
    }
}

#[pymethods]
impl AdminRecord {
    fn __getattr__<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.lookup(name) {
            Some(v) => to_py_attr(py, v),
            None => Err(PyAttributeError::new_err(format!(
                "{} record has no field '{name}'",
                self.records.kind()
            ))),
        }
    }

    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.records.get_native(self.index, key).flatten() {
            Some(v) => to_py_attr(py, v),
            None => Err(PyKeyError::new_err(key.to_owned())),
        }
    }

    fn __contains__(&self, key: &str) -> bool {
        self.records.get_native(self.index, key).flatten().is_some()
    }

    /// The command this record came from (`tape`, `tapefile`, …).
    #[getter]
    fn kind(&self) -> &'static str {
        self.records.kind().name()
    }

    /// The record as a dict with CTA's key names; numbers are integers.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.records.to_native(self.index).unwrap_or(Value::Null))
    }

    /// The record in CTA's exact JSON form (uint64 values as strings).
    fn to_json(&self) -> String {
        self.records.to_cta_json(self.index).unwrap_or_default()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<AdminRecord>()
            .is_ok_and(|o| o.get().records.to_native(o.get().index) == self.records.to_native(self.index))
    }

    fn __repr__(&self) -> String {
        format!("AdminRecord({}, {})", self.records.kind(), self.to_json())
    }
}

/// The records of one `cta-admin` listing: a sequence of [`AdminRecord`] with table conversions.
#[pyclass(module = "ctaops._core", frozen, sequence)]
pub struct AdminRecords {
    inner: Arc<Records>,
}

#[pymethods]
impl AdminRecords {
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __getitem__<'py>(&self, py: Python<'py>, index: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let n = self.inner.len();
        if let Ok(slice) = index.cast::<PySlice>() {
            let ix = slice.indices(isize::try_from(n).unwrap_or(isize::MAX))?;
            let mut out = Vec::with_capacity(ix.slicelength);
            let mut i = ix.start;
            for _ in 0..ix.slicelength {
                let rec = AdminRecord {
                    records: Arc::clone(&self.inner),
                    index: usize::try_from(i).unwrap_or(0),
                };
                out.push(Bound::new(py, rec)?);
                i += ix.step;
            }
            return Ok(PyList::new(py, out)?.into_any());
        }
        let index: isize = index.extract()?;
        let i = if index < 0 {
            index.checked_add_unsigned(n).unwrap_or(-1)
        } else {
            index
        };
        match usize::try_from(i) {
            Ok(i) if i < n => Ok(Bound::new(
                py,
                AdminRecord {
                    records: Arc::clone(&self.inner),
                    index: i,
                },
            )?
            .into_any()),
            _ => Err(PyIndexError::new_err("record index out of range")),
        }
    }

    /// The command the records came from (`tape`, `tapefile`, …).
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind().name()
    }

    /// CTA's key names of this kind of record.
    #[getter]
    fn fields(&self) -> Vec<&'static str> {
        self.inner.kind().fields().to_vec()
    }

    /// Every record as a dict (CTA key names, integers as integers).
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = (0..self.inner.len())
            .map(|i| to_py(py, &self.inner.to_native(i).unwrap_or(Value::Null)))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// The list in CTA's `--json` form.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        let inner = Arc::clone(&self.inner);
        py.detach(move || serde_json::to_string(&*inner))
            .map_err(|e| PyTypeError::new_err(e.to_string()))
    }

    /// A `pyarrow.Table` (built in Rust, one column per CTA key, times as UTC timestamps; needs
    /// pyarrow). `flatten=True` replaces sub-messages by `parent.child` columns (`af.archiveId`).
    #[pyo3(signature = (flatten = false))]
    fn to_arrow<'py>(&self, py: Python<'py>, flatten: bool) -> PyResult<Bound<'py, PyAny>> {
        let inner = Arc::clone(&self.inner);
        let batches = py
            .detach(move || records_to_arrow(&inner))
            .map_err(|e| parse_err(py, &e))?;
        let t = table(py, self.inner.kind(), batches)?;
        if flatten { admin_frames::flatten(t) } else { Ok(t) }
    }

    /// A `pandas.DataFrame` (through pyarrow); `flatten` as in [`Self::to_arrow`].
    #[pyo3(signature = (flatten = false))]
    fn to_pandas<'py>(&self, py: Python<'py>, flatten: bool) -> PyResult<Bound<'py, PyAny>> {
        self.to_arrow(py, flatten)?.call_method0("to_pandas")
    }

    /// A `polars.DataFrame` (through the Arrow C stream interface); `flatten` as in [`Self::to_arrow`].
    #[pyo3(signature = (flatten = false))]
    fn to_polars<'py>(&self, py: Python<'py>, flatten: bool) -> PyResult<Bound<'py, PyAny>> {
        let t = self.to_arrow(py, flatten)?;
        py.import("polars")?.call_method1("from_arrow", (t,))
    }

    /// The records as a text table for people (what `cta-ops-admin` prints). `columns` are
    /// `(dotted key, title)` pairs (a flattened `table_headers` map); `None` shows every key in
    /// CTA's order. Times become UTC dates and sizes SI units unless `human=False`; absent or
    /// empty values show `empty`; cells wider than `max_width` wrap (0: never).
    #[pyo3(signature = (columns = None, *, style = "plain", max_width = 30, empty = "-", human = true))]
    fn to_table(
        &self,
        py: Python<'_>,
        columns: Option<Vec<(String, String)>>,
        style: &str,
        max_width: usize,
        empty: &str,
        human: bool,
    ) -> String {
        let inner = Arc::clone(&self.inner);
        let (style, empty) = (style.to_owned(), empty.to_owned());
        py.detach(move || {
            let columns = columns.map_or_else(
                || render::all_columns(inner.kind()),
                |c| c.into_iter().map(|(k, t)| render::Column::new(k, t)).collect(),
            );
            render::records_table(
                &inner,
                &columns,
                &render::Layout {
                    style,
                    max_width,
                    empty,
                    human,
                },
            )
        })
    }

    /// The first records as an HTML table (what Jupyter shows for the collection).
    fn _repr_html_(&self) -> String {
        admin_frames::html(&self.inner)
    }

    fn __repr__(&self) -> String {
        format!("AdminRecords({}, {} records)", self.inner.kind(), self.inner.len())
    }
}

/// Runs `f` over the bytes of `data`: `str` is encoded (a copy), bytes-like objects are borrowed.
fn with_input<R>(data: &Bound<'_, PyAny>, f: impl FnOnce(&[u8]) -> PyResult<R>) -> PyResult<R> {
    if let Ok(s) = data.cast::<PyString>() {
        let text = s.to_cow()?;
        return f(text.as_bytes());
    }
    let bytes = Bytes::borrow(data)?;
    f(bytes.as_slice())
}

/// Parses `--json` or `--jsonl` output of command `kind` (name or alias) into records.
#[pyfunction]
#[pyo3(signature = (kind, data, framing = None))]
fn admin_parse(py: Python<'_>, kind: &str, data: &Bound<'_, PyAny>, framing: Option<&str>) -> PyResult<AdminRecords> {
    let kind = kind_of(py, kind)?;
    let recs = with_input(data, |slice| {
        let framing = framing_of(py, framing, slice)?;
        py.detach(|| ctaops_core::admin::parse_records(kind, framing, slice))
            .map_err(|e| parse_err(py, &e))
    })?;
    Ok(AdminRecords { inner: Arc::new(recs) })
}

/// Parses `--json`/`--jsonl` output straight into a `pyarrow.Table`, without record objects.
#[pyfunction]
#[pyo3(signature = (kind, data, framing = None))]
fn admin_parse_arrow<'py>(
    py: Python<'py>,
    kind: &str,
    data: &Bound<'py, PyAny>,
    framing: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let kind = kind_of(py, kind)?;
    let batches = with_input(data, |slice| {
        let framing = framing_of(py, framing, slice)?;
        py.detach(|| parse_arrow(kind, framing, slice))
            .map_err(|e| parse_err(py, &e))
    })?;
    table(py, kind, batches)
}

/// Reads `--json`/`--jsonl` output of `kind` from a file descriptor (e.g. a pipe) while it is
/// being written, into a `pyarrow.Table`. Memory holds one record plus the columns built so far.
#[pyfunction]
#[pyo3(signature = (kind, fd, framing = "json"))]
fn admin_read_arrow_fd<'py>(py: Python<'py>, kind: &str, fd: i32, framing: &str) -> PyResult<Bound<'py, PyAny>> {
    use std::os::fd::{BorrowedFd, OwnedFd};
    let kind = kind_of(py, kind)?;
    let framing: Framing = framing.parse().map_err(|e| errors::to_py(py, &e))?;
    if fd < 0 {
        return Err(errors::error_for_code(
            py,
            "INVALID_ARGUMENT",
            "file descriptor must be >= 0",
        ));
    }
    // SAFETY: only borrowed for this call; the caller keeps the descriptor open and owns it.
    #[expect(unsafe_code, reason = "reading a caller-owned file descriptor")]
    let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
    let dup: OwnedFd = borrowed
        .try_clone_to_owned()
        .map_err(|e| errors::to_py(py, &ctaops_core::Error::io("fd", e)))?;
    let file = std::fs::File::from(dup);
    let batches = py
        .detach(move || read_arrow(kind, framing, std::io::BufReader::with_capacity(256 * 1024, file)))
        .map_err(|e| parse_err(py, &e))?;
    table(py, kind, batches)
}

fn opt_value(key: &str, v: &Bound<'_, PyAny>) -> PyResult<OptValue> {
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(OptValue::Bool(b.is_true()));
    }
    if v.is_instance_of::<PyInt>() {
        return v.extract::<u64>().map(OptValue::Uint).map_err(|_| {
            errors::error_for_code(
                v.py(),
                "INVALID_ARGUMENT",
                &format!("option '{key}' must be a non-negative integer"),
            )
        });
    }
    if let Ok(s) = v.extract::<String>() {
        return Ok(OptValue::Str(s));
    }
    if let Ok(p) = v.extract::<std::path::PathBuf>() {
        return Ok(OptValue::Str(p.to_string_lossy().into_owned()));
    }
    Err(errors::error_for_code(
        v.py(),
        "INVALID_ARGUMENT",
        &format!("option '{key}' must be str, int or bool, not {}", v.get_type().name()?),
    ))
}

pub(crate) fn build(
    py: Python<'_>,
    command: &str,
    sub: Option<&str>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<AdminCommand> {
    let mut opts = Vec::new();
    if let Some(d) = options {
        for (k, v) in d.iter() {
            if v.is_none() {
                continue;
            }
            let key: String = k.extract()?;
            let value = opt_value(&key, &v)?;
            opts.push((key, value));
        }
    }
    let refs: Vec<(&str, OptValue)> = opts.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    AdminCommand::build(command, sub, &refs).map_err(|e| admin_err(py, &e))
}

/// What one run produced: records for listings, CTA's message for the rest.
pub(crate) enum Outcome {
    Records(Records),
    Message(String),
}

impl<'py> IntoPyObject<'py> for Outcome {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Outcome::Records(r) => Ok(Bound::new(py, AdminRecords { inner: Arc::new(r) })?.into_any()),
            Outcome::Message(m) => Ok(PyString::new(py, &m).into_any()),
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) enum Mode {
    Records,
    TapePools,
    Action,
    Auto,
}

fn execute(runner: &Runner, cmd: &AdminCommand, mode: Mode) -> Result<Outcome, AdminError> {
    match mode {
        Mode::Records => runner.records(cmd).map(Outcome::Records),
        Mode::TapePools => runner.tape_pools(cmd).map(Outcome::Records),
        Mode::Action => runner.action(cmd).map(Outcome::Message),
        Mode::Auto if cmd.record_kind().is_some() => runner.records(cmd).map(Outcome::Records),
        Mode::Auto => runner.action(cmd).map(Outcome::Message),
    }
}

/// Runs `cta-admin` (see `ctaops.admin.CtaAdmin` for the documented Python API).
#[pyclass(module = "ctaops._core", frozen)]
struct AdminRunner {
    runner: Arc<Runner>,
    translations: Option<Arc<ErrorTranslations>>,
}

impl AdminRunner {
    fn run_sync(&self, py: Python<'_>, cmd: &AdminCommand, mode: Mode) -> PyResult<Outcome> {
        let runner = Arc::clone(&self.runner);
        py.detach(|| execute(&runner, cmd, mode)).map_err(|e| self.err(py, &e))
    }

    fn err(&self, py: Python<'_>, e: &AdminError) -> PyErr {
        admin_err_translated(py, e, self.translations.as_deref())
    }

    fn run_async<'py>(&self, py: Python<'py>, cmd: AdminCommand, mode: Mode) -> PyResult<Bound<'py, PyAny>> {
        let runner = Arc::clone(&self.runner);
        let table = self.translations.clone();
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let res = tokio::task::spawn_blocking(move || execute(&runner, &cmd, mode)).await;
            match res {
                Ok(Ok(out)) => Ok(out),
                Ok(Err(e)) => Err(Python::attach(|py| admin_err_translated(py, &e, table.as_deref()))),
                Err(e) => Err(Python::attach(|py| {
                    errors::error_for_code(py, "CTA_ADMIN_ERROR", &e.to_string())
                })),
            }
        })
    }
}

pub(crate) fn mode_of(m: &str) -> PyResult<Mode> {
    match m {
        "records" => Ok(Mode::Records),
        "tapepools" => Ok(Mode::TapePools),
        "action" => Ok(Mode::Action),
        "auto" => Ok(Mode::Auto),
        _ => Err(PyTypeError::new_err(format!("unknown mode '{m}'"))),
    }
}

#[pymethods]
impl AdminRunner {
    #[new]
    #[pyo3(signature = (cta_admin = "cta-admin".into(), config_file = None, sss_keytab = None, timeout = 300.0, translations = None, cta_version = None))]
    fn new(
        py: Python<'_>,
        cta_admin: std::path::PathBuf,
        config_file: Option<std::path::PathBuf>,
        sss_keytab: Option<std::path::PathBuf>,
        timeout: f64,
        translations: Option<PyRef<'_, crate::config::ErrorTranslations>>,
        cta_version: Option<String>,
    ) -> PyResult<Self> {
        let timeout = Duration::try_from_secs_f64(timeout)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                errors::error_for_code(py, "INVALID_ARGUMENT", "timeout must be a positive number of seconds")
            })?;
        let settings = RunnerSettings {
            binary: cta_admin,
            config: config_file,
            sss_keytab,
            timeout,
            cta_version,
        };
        Ok(Self {
            runner: Arc::new(Runner::new(settings)),
            translations: translations.map(|t| Arc::new(t.inner.clone())),
        })
    }

    /// Runs a built command: `mode` is `records`, `tapepools`, `action` or `auto`.
    #[pyo3(signature = (command, sub, options = None, mode = "auto"))]
    fn call(
        &self,
        py: Python<'_>,
        command: &str,
        sub: Option<&str>,
        options: Option<&Bound<'_, PyDict>>,
        mode: &str,
    ) -> PyResult<Outcome> {
        let cmd = build(py, command, sub, options)?;
        self.run_sync(py, &cmd, mode_of(mode)?)
    }

    /// Awaitable variant of `call`; the work runs on a blocking thread of the tokio runtime.
    #[pyo3(signature = (command, sub, options = None, mode = "auto"))]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        command: &str,
        sub: Option<&str>,
        options: Option<&Bound<'py, PyDict>>,
        mode: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let cmd = build(py, command, sub, options)?;
        self.run_async(py, cmd, mode_of(mode)?)
    }

    /// Runs any command given as words (`["admin", "ls"]`).
    #[expect(clippy::needless_pass_by_value, reason = "PyO3 extracts arguments as owned values")]
    fn run(&self, py: Python<'_>, args: Vec<String>) -> PyResult<Outcome> {
        let cmd = AdminCommand::raw(&args).map_err(|e| admin_err(py, &e))?;
        self.run_sync(py, &cmd, Mode::Auto)
    }

    /// Awaitable variant of `run`.
    #[expect(clippy::needless_pass_by_value, reason = "PyO3 extracts arguments as owned values")]
    fn run_async_words<'py>(&self, py: Python<'py>, args: Vec<String>) -> PyResult<Bound<'py, PyAny>> {
        let cmd = AdminCommand::raw(&args).map_err(|e| admin_err(py, &e))?;
        self.run_async(py, cmd, Mode::Auto)
    }

    /// Runs a listing straight into a `pyarrow.Table`.
    #[pyo3(signature = (command, sub, options = None))]
    fn arrow<'py>(
        &self,
        py: Python<'py>,
        command: &str,
        sub: Option<&str>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let cmd = build(py, command, sub, options)?;
        let kind = cmd
            .record_kind()
            .ok_or_else(|| errors::error_for_code(py, "INVALID_ARGUMENT", &format!("'{cmd}' does not list records")))?;
        let runner = Arc::clone(&self.runner);
        let batches = py.detach(|| runner.arrow(&cmd)).map_err(|e| self.err(py, &e))?;
        table(py, kind, batches)
    }

    /// The frontend's CTA version string (from `version`), asked once; None if not parsable.
    fn cta_version(&self, py: Python<'_>) -> PyResult<Option<String>> {
        let runner = Arc::clone(&self.runner);
        py.detach(|| runner.cta_version())
            .map(|v| v.map(|v| v.text))
            .map_err(|e| self.err(py, &e))
    }

    /// The argument vector that `call` would run (for dry runs and logs).
    #[pyo3(signature = (command, sub, options = None))]
    fn argv(
        &self,
        py: Python<'_>,
        command: &str,
        sub: Option<&str>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Vec<String>> {
        let cmd = build(py, command, sub, options)?;
        let runner = Arc::clone(&self.runner);
        let cmd = py.detach(|| runner.prepare(&cmd)).map_err(|e| self.err(py, &e))?;
        let mut v = vec![self.runner.settings().binary.to_string_lossy().into_owned()];
        v.extend(
            self.runner
                .argv(&cmd, Framing::Json)
                .into_iter()
                .map(|s| s.to_string_lossy().into_owned()),
        );
        Ok(v)
    }
}

/// Names and aliases of every record kind.
#[pyfunction]
fn admin_kinds() -> Vec<(&'static str, &'static str)> {
    Kind::ALL.iter().map(|k| (k.name(), k.alias())).collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<AdminStruct>()?;
    m.add_class::<AdminRecord>()?;
    m.add_class::<AdminRecords>()?;
    m.add_class::<AdminRunner>()?;
    m.add_function(wrap_pyfunction!(admin_parse, m)?)?;
    m.add_function(wrap_pyfunction!(admin_parse_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(admin_read_arrow_fd, m)?)?;
    m.add_function(wrap_pyfunction!(admin_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(admin_concat, m)?)?;
    Ok(())
}

/// The records of several listings of one kind as one collection, in order (bulk `tapefile ls`).
#[pyfunction]
fn admin_concat(kind: &str, parts: Vec<PyRef<'_, AdminRecords>>) -> PyResult<AdminRecords> {
    let parts = parts.iter().map(|p| (*p.inner).clone()).collect();
    Ok(AdminRecords {
        inner: Arc::new(admin_frames::concat(kind, parts)?),
    })
}
