//! `ctaops_core::datamon` for cta-ops-data-monitoring: the taped-log aggregator as a class fed
//! by paths (read in Rust) or by chunks (what Python decompresses from rotated `.gz` logs).

use std::path::PathBuf;

use ctaops_core::datamon::{Aggregator, DatamonError};
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;

/// One daily point: day (Unix seconds), the five tags, the four totals.
type DailyRow = (i64, String, String, String, String, String, u64, u64, u64, u64);

fn to_py(e: DatamonError) -> PyErr {
    match e {
        DatamonError::Io(e) => PyOSError::new_err(e.to_string()),
        e @ DatamonError::Line { .. } => PyValueError::new_err(e.to_string()),
    }
}

/// Daily totals of `Tape session finished` records over the days `from_day <= day < to_day`.
#[pyclass(module = "ctaops._core")]
struct TapedLogAggregator {
    /// Boxed: the substring finder holds 32-byte-aligned SIMD vectors, and a pyclass's storage
    /// inside the Python object is only 16-byte aligned (in place it faulted on an aligned load).
    inner: Option<Box<Aggregator>>,
}

impl TapedLogAggregator {
    fn take(&mut self) -> Box<Aggregator> {
        self.inner
            .take()
            .unwrap_or_else(|| Box::new(Aggregator::new(None, None)))
    }
}

#[pymethods]
impl TapedLogAggregator {
    #[new]
    #[pyo3(signature = (from_day = None, to_day = None))]
    fn new(from_day: Option<i64>, to_day: Option<i64>) -> Self {
        Self {
            inner: Some(Box::new(Aggregator::new(from_day, to_day))),
        }
    }

    /// Reads the whole log at `path` (the GIL is released meanwhile).
    fn feed_file(&mut self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let mut a = self.take();
        let r = py.detach(|| a.feed_file(&path));
        self.inner = Some(a);
        r.map_err(to_py)
    }

    /// Feeds the next bytes of the current log.
    fn feed(&mut self, chunk: &[u8]) -> PyResult<()> {
        let a = self.inner.get_or_insert_with(|| Box::new(Aggregator::new(None, None)));
        a.feed(chunk).map_err(to_py)
    }

    /// The current log (fed by chunks) ended.
    fn end_log(&mut self) -> PyResult<()> {
        let a = self.inner.get_or_insert_with(|| Box::new(Aggregator::new(None, None)));
        a.end_log().map_err(to_py)
    }

    /// Session records counted.
    #[getter]
    fn records(&self) -> u64 {
        self.inner.as_ref().map_or(0, |a| a.records)
    }

    /// Session records outside the day range.
    #[getter]
    fn skipped(&self) -> u64 {
        self.inner.as_ref().map_or(0, |a| a.skipped_out_of_range)
    }

    /// The daily points, by day then tags.
    fn daily(&self) -> Vec<DailyRow> {
        self.inner.as_ref().map_or_else(Vec::new, |a| {
            a.daily()
                .into_iter()
                .map(|(d, k, t)| {
                    (
                        d,
                        k.mount_type,
                        k.vo,
                        k.tape_pool,
                        k.drive,
                        k.library,
                        t.data_volume,
                        t.files_count,
                        t.sessions,
                        t.failed_sessions,
                    )
                })
                .collect()
        })
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<TapedLogAggregator>()
}
