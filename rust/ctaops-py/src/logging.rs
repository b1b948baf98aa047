//! Rust log events reach Python's `logging`: `tracing` events become `log` records (tracing's
//! `log` feature, active while no tracing subscriber is installed) and `pyo3-log` hands those to
//! the Python logger named after the Rust module path (`ctaops_core.checksum.file`, …).

use std::sync::Mutex;

use pyo3::prelude::*;

/// pyo3-log caches logger levels for speed; operators who change levels at run time call
/// `ctaops._core.reset_log_cache()` (done by ctaops' own logging set-up) to make it re-read them.
static RESET: Mutex<Option<pyo3_log::ResetHandle>> = Mutex::new(None);

/// Forget cached Python logger levels so that new `logging` configuration takes effect.
#[pyfunction]
fn reset_log_cache() {
    if let Ok(guard) = RESET.lock()
        && let Some(handle) = guard.as_ref()
    {
        handle.reset();
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    if let Ok(handle) = pyo3_log::try_init()
        && let Ok(mut guard) = RESET.lock()
    {
        *guard = Some(handle);
    }
    m.add_function(wrap_pyfunction!(reset_log_cache, m)?)
}
