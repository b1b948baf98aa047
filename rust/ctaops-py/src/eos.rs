//! The EOS tools' hot path: an EOS namespace dump (`ctaops_core::eos_dump`), held in Rust so that a
//! dry run over millions of lines never makes a Python object per line.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use ctaops_core::eos_dump::{self, ClassCounts, DumpEntry};
use pyo3::prelude::*;

use crate::errors;

/// One dump line as `(line, fid, path, archive_id, storage_class, instance)`.
type Entry = (u64, u64, String, u64, String, String);

/// `(todo, per class, splits as (first line, last line, per class))`.
type PlanTuple = (usize, Vec<(String, usize)>, Vec<(u64, u64, Vec<(String, usize)>)>);

/// A dump read whole (one JSON object per line); the first bad line raises `ParseError` naming it.
#[pyclass(module = "ctaops._core", name = "EosDump", frozen)]
struct PyEosDump {
    entries: Vec<DumpEntry>,
}

fn pairs(counts: ClassCounts) -> Vec<(String, usize)> {
    counts.into_iter().collect()
}

#[pymethods]
impl PyEosDump {
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let entries = py.detach(|| eos_dump::read(&path)).map_err(|e| errors::to_py(py, &e))?;
        Ok(Self { entries })
    }

    fn __len__(&self) -> usize {
        self.entries.len()
    }

    /// `(line, instance)` of the first line naming a disk instance other than `instance`.
    fn foreign_instance(&self, instance: &str) -> Option<(u64, String)> {
        eos_dump::foreign_instance(&self.entries, instance).map(|e| (e.line, e.instance.clone()))
    }

    /// The target storage classes, sorted, each once.
    fn targets(&self) -> Vec<String> {
        let set: BTreeSet<&str> = self.entries.iter().map(|e| e.storage_class.as_str()).collect();
        set.into_iter().map(str::to_owned).collect()
    }

    /// The files of `start <= index < stop`, as tuples.
    fn entries(&self, start: usize, stop: usize) -> Vec<Entry> {
        let stop = stop.min(self.entries.len());
        self.entries
            .get(start.min(stop)..stop)
            .unwrap_or_default()
            .iter()
            .map(|e| {
                (
                    e.line,
                    e.fid,
                    e.path.clone(),
                    e.archive_id,
                    e.storage_class.clone(),
                    e.instance.clone(),
                )
            })
            .collect()
    }

    /// What a run would do, leaving out the files an earlier run finished: `finished` maps an
    /// archive file ID to the class it was moved to.
    fn plan(&self, py: Python<'_>, finished: HashMap<u64, String>, split_size: usize) -> PlanTuple {
        let plan = py.detach(|| {
            eos_dump::plan(
                &self.entries,
                |e| finished.get(&e.archive_id) == Some(&e.storage_class),
                split_size,
            )
        });
        let splits = plan
            .splits
            .into_iter()
            .map(|s| (s.first_line, s.last_line, pairs(s.per_class)))
            .collect();
        (plan.todo, pairs(plan.per_class), splits)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEosDump>()
}
