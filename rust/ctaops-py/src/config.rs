//! `ctaops.utils.config` / `ctaops.utils.units` backends: the config loader, YAML loading,
//! error translation and size units of `ctaops-core`, as plain Python values.
#![allow(
    clippy::needless_pass_by_value,
    reason = "PyO3 extracts path arguments as owned values"
)]

use std::path::PathBuf;

use ctaops_core::config::{Config, ErrorTranslations as CoreTranslations, Value, without_nulls};
use ctaops_core::units;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors;

/// Converts a YAML value into Python objects (mappings keep their order and key types).
fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_pyobject(py)?.to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_u64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => s.into_pyobject(py)?.into_any(),
        Value::Sequence(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Mapping(m) => {
            let dict = PyDict::new(py);
            for (k, val) in m {
                dict.set_item(to_py(py, k)?, to_py(py, val)?)?;
            }
            dict.into_any()
        }
        Value::Tagged(t) => to_py(py, &t.value)?,
    })
}

fn serialize<T: serde::Serialize>(v: &T) -> Value {
    ctaops_core::config::to_value(v)
}

/// Loads and validates the config; returns a dict with `source`, `document` (effective
/// document: every `global` key with its default, `tools` as written), `global` (the typed
/// global settings as the tool sees them, normalised), `tool` (the merged tool view),
/// `tool_section` and `unknown_keys`.
#[pyfunction]
#[pyo3(signature = (path = None, tool = None))]
fn load_config<'py>(py: Python<'py>, path: Option<PathBuf>, tool: Option<&str>) -> PyResult<Bound<'py, PyDict>> {
    let cfg = py
        .detach(|| Config::load(path.as_deref()))
        .map_err(|e| errors::to_py(py, &e))?;
    let global = match tool {
        Some(t) => cfg.global_for(t).map_err(|e| errors::to_py(py, &e))?,
        None => cfg.global().clone(),
    };
    let out = PyDict::new(py);
    out.set_item("source", cfg.source().map(|p| p.display().to_string()))?;
    out.set_item("unknown_keys", cfg.unknown_keys())?;
    out.set_item("document", to_py(py, &cfg.effective())?)?;
    out.set_item("global", to_py(py, &serialize(&global))?)?;
    match tool {
        Some(t) => {
            // The tool's view with its defaults filled in (`cfg.tool['quarantine_days']`, as
            // upstream code reads it); unset optional keys are left out, not None.
            out.set_item(
                "tool",
                to_py(py, &without_nulls(&cfg.effective_with_defaults(Some(t))))?,
            )?;
            out.set_item("tool_section", cfg.tool_raw(t).map(|v| to_py(py, v)).transpose()?)?;
        }
        None => {
            out.set_item("tool", py.None())?;
            out.set_item("tool_section", py.None())?;
        }
    }
    Ok(out)
}

/// The config file that would be read: explicit path, `$CTAOPS_CONFIG`, or the default if it exists.
#[pyfunction]
#[pyo3(signature = (path = None))]
fn locate_config(path: Option<PathBuf>) -> Option<String> {
    Config::locate(path.as_deref()).map(|p| p.display().to_string())
}

/// Reads a YAML file (`<<` merge keys applied) into Python objects.
#[pyfunction]
fn load_yaml<'py>(py: Python<'py>, path: PathBuf) -> PyResult<Bound<'py, PyAny>> {
    let v = py
        .detach(|| ctaops_core::config::load_yaml(&path))
        .map_err(|e| errors::to_py(py, &e))?;
    to_py(py, &v)
}

/// Bytes in a size such as `'10G'`, `'0B'`, `'1.5T'`, `'10MB'`: `kB MB GB …` are SI (1000),
/// `KiB MiB …` and a bare `K M G …` are IEC (1024), a bare number is bytes.
#[pyfunction]
fn parse_size(py: Python<'_>, text: &str) -> PyResult<u64> {
    units::parse_size(text).map_err(|e| errors::to_py(py, &e))
}

/// Seconds (a float) in a duration such as `'30s'`, `'5m'`, `'2h'`, `'1d'`, `'1.5h'`; a bare
/// number is seconds.
#[pyfunction]
fn parse_duration(py: Python<'_>, text: &str) -> PyResult<f64> {
    units::parse_duration(text)
        .map(|d| d.as_secs_f64())
        .map_err(|e| errors::to_py(py, &e))
}

/// Sizes for people: SI units, one decimal, `'999 B'`, `'10.2 GB'`.
#[pyfunction]
fn format_size_human(bytes: u64) -> String {
    units::format_size_human(bytes)
}

/// `'0B'`, `'10G'`, `'1.5T'`: binary units, at most one decimal.
#[pyfunction]
fn format_size(bytes: u64) -> String {
    units::format_size(bytes)
}

/// cta-admin's table style: raw below 1000, else powers of 1000 with one decimal (`'3.1G'`).
#[pyfunction]
fn format_size_decimal(bytes: u64) -> String {
    units::format_size_decimal(bytes)
}

/// A compiled error-translation table (pattern → friendly text).
#[pyclass(module = "ctaops._core", frozen)]
pub struct ErrorTranslations {
    pub(crate) inner: CoreTranslations,
}

#[pymethods]
impl ErrorTranslations {
    #[new]
    #[pyo3(signature = (text = "", origin = "<string>"))]
    fn new(py: Python<'_>, text: &str, origin: &str) -> PyResult<Self> {
        CoreTranslations::parse(text, origin)
            .map(|inner| Self { inner })
            .map_err(|e| errors::to_py(py, &e))
    }

    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        CoreTranslations::load(&path)
            .map(|inner| Self { inner })
            .map_err(|e| errors::to_py(py, &e))
    }

    fn translate(&self, message: &str) -> Option<String> {
        self.inner.translate(message)
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(load_config, m)?)?;
    m.add_function(wrap_pyfunction!(locate_config, m)?)?;
    m.add_function(wrap_pyfunction!(load_yaml, m)?)?;
    m.add_function(wrap_pyfunction!(parse_size, m)?)?;
    m.add_function(wrap_pyfunction!(parse_duration, m)?)?;
    m.add_function(wrap_pyfunction!(format_size_human, m)?)?;
    m.add_function(wrap_pyfunction!(format_size, m)?)?;
    m.add_function(wrap_pyfunction!(format_size_decimal, m)?)?;
    m.add_class::<ErrorTranslations>()?;
    Ok(())
}
