//! The EOS tools' hot path: reading a namespace dump (`ctaops_core::eos_dump`).

use std::path::PathBuf;

use pyo3::prelude::*;

use crate::errors;

/// One dump line as `(line, fid, path, archive_id, storage_class, instance)`.
type Entry = (u64, u64, String, u64, String, String);

/// Reads an EOS namespace dump (one JSON object per line); the first bad line raises
/// `ParseError` naming it.
#[pyfunction]
fn read_eos_dump(py: Python<'_>, path: PathBuf) -> PyResult<Vec<Entry>> {
    let entries = py
        .detach(|| ctaops_core::eos_dump::read(&path))
        .map_err(|e| errors::to_py(py, &e))?;
    Ok(entries
        .into_iter()
        .map(|e| (e.line, e.fid, e.path, e.archive_id, e.storage_class, e.instance))
        .collect())
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read_eos_dump, m)?)
}
