//! Child processes of the Python tools, for `ctaops_core::children`: forwarding of termination
//! signals switched on by a tool's entry point, and its `subprocess` children tracked.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use ctaops_core::children::{self, Group, Tracked};
use pyo3::prelude::*;

/// What Python tracks, by pid (the Rust guard lives here until `untrack_child`).
static TRACKED: Mutex<Option<HashMap<u32, Tracked>>> = Mutex::new(None);

/// Makes this process pass SIGTERM, SIGINT and SIGHUP on to its children, then exit with
/// 128 + the signal number.
#[pyfunction]
fn forward_termination() {
    children::forward_termination();
}

/// Tracks child `pid` (`own_group`: it leads its own process group).
#[pyfunction]
#[pyo3(signature = (pid, own_group = false))]
fn track_child(pid: u32, own_group: bool) {
    let group = if own_group { Group::Own } else { Group::Shared };
    let tracked = children::track(pid, group);
    TRACKED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get_or_insert_with(HashMap::new)
        .insert(pid, tracked);
}

/// Stops tracking child `pid` (once it has been waited for).
#[pyfunction]
fn untrack_child(pid: u32) {
    if let Some(map) = TRACKED.lock().unwrap_or_else(PoisonError::into_inner).as_mut() {
        map.remove(&pid);
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(forward_termination, m)?)?;
    m.add_function(wrap_pyfunction!(track_child, m)?)?;
    m.add_function(wrap_pyfunction!(untrack_child, m)?)
}
