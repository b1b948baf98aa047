//! Runs the Rust `ctaops` command line from the `ctaops` console script.

use std::ffi::OsString;

use pyo3::prelude::*;

/// Runs `ctaops` with `argv` (program name first) and returns its exit status.
#[pyfunction]
fn cli_main(py: Python<'_>, argv: Vec<OsString>) -> u8 {
    py.detach(|| ctaops_cli::run(argv).code())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cli_main, m)?)
}
