//! Maps core errors onto the Python exception tree defined in `ctaops/errors.py`.
//!
//! The classes live in Python (so they pickle, are documented and importable without the
//! extension); Rust looks a class up by the error's stable code.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

static FACTORY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Builds the Python exception for an error code and message.
pub fn error_for_code(py: Python<'_>, code: &str, message: &str) -> PyErr {
    let factory = FACTORY.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("ctaops.errors")?.getattr("_error_for_code")?.unbind())
    });
    match factory.and_then(|f| f.bind(py).call1((code, message))) {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

/// Converts a core error.
pub fn to_py(py: Python<'_>, e: &ctaops_core::Error) -> PyErr {
    error_for_code(py, e.code(), &e.to_string())
}
