//! `ctaops.tape` and `ctaops.verify`: tape devices, label records, writer and verifier.
//!
//! Reports, dumps and label records cross the boundary as JSON text that the Python layer
//! turns into frozen dataclasses: one conversion path, typed on the Python side.

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Mutex;

use ctaops_core::checksum::{ChecksumEntry, ChecksumType};
use ctaops_tape::dump::{DEFAULT_MAX_PROBLEMS, dump};
use ctaops_tape::format::BLOCK_SIZE;
use ctaops_tape::label::{Label, LbpMethod};
use ctaops_tape::verify::{
    Catalogue, CatalogueEntry, Progress, Selection, VerifyOptions, parse_tapefile_ls, select, verify_tape,
};
use ctaops_tape::{
    MemoryTape, Record, SimhImage, StDevice, TapeContents, TapeDevice, TapeError, WriteSession, WriterInfo, inspect,
    label_tape,
};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::buffer::Bytes;
use crate::errors;

type Device = Box<dyn TapeDevice + Send>;
/// `(fseq, block_id, archive_id, size, adler32)`.
/// `(fseq, block_id, archive_id, size, adler32, [(type, hex), …])`: the last holds the other
/// checksums of the file's blob in CTA's spelling (`("CRC32C", "0a0b0c0d")`).
type EntryTuple = (u64, u64, u64, u64, Option<u32>, Vec<(String, String)>);

fn tape_err(py: Python<'_>, e: &TapeError) -> PyErr {
    errors::error_for_code(py, e.code(), &e.to_string())
}

/// A tape device: SIMH image, st drive or memory.
#[pyclass(module = "ctaops._core", name = "TapeDevice", frozen)]
pub struct PyTapeDevice {
    inner: Mutex<Device>,
}

impl PyTapeDevice {
    fn new(dev: Device) -> Self {
        Self { inner: Mutex::new(dev) }
    }

    /// Runs `f` on the device with the GIL released (also while waiting for the device: a
    /// verification in another thread takes the GIL for its progress callback while holding it).
    fn with<R: Send>(&self, py: Python<'_>, f: impl FnOnce(&mut Device) -> Result<R, TapeError> + Send) -> PyResult<R> {
        let out = py.detach(|| match self.inner.lock() {
            Ok(mut guard) => Ok(f(&mut guard)),
            Err(_) => Err(()),
        });
        match out {
            Ok(r) => r.map_err(|e| tape_err(py, &e)),
            Err(()) => Err(PyRuntimeError::new_err("tape device poisoned by an earlier panic")),
        }
    }
}

#[pymethods]
impl PyTapeDevice {
    /// Opens a SIMH image file (read-only unless `writable`; `create` makes a blank one if missing).
    #[staticmethod]
    #[pyo3(signature = (path, writable = false, create = false))]
    fn image(py: Python<'_>, path: PathBuf, writable: bool, create: bool) -> PyResult<Self> {
        let img = if create {
            SimhImage::open_or_create(&path)
        } else {
            SimhImage::open(&path, writable)
        };
        img.map(|d| Self::new(Box::new(d))).map_err(|e| tape_err(py, &e))
    }

    /// Opens a Linux st drive in variable block mode.
    #[staticmethod]
    #[pyo3(signature = (path, writable = false))]
    fn st(py: Python<'_>, path: PathBuf, writable: bool) -> PyResult<Self> {
        StDevice::open(&path, writable)
            .map(|d| Self::new(Box::new(d)))
            .map_err(|e| tape_err(py, &e))
    }

    /// An empty in-memory tape.
    #[staticmethod]
    fn memory() -> Self {
        Self::new(Box::new(MemoryTape::new()))
    }

    /// The next record: its bytes, `b""` for a tape mark, None at end of data.
    #[pyo3(signature = (max_size = BLOCK_SIZE))]
    fn read_record<'py>(&self, py: Python<'py>, max_size: usize) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let (rec, buf) = self.with(py, move |d| {
            let mut buf = vec![0u8; max_size];
            d.read_record(&mut buf).map(|r| (r, buf))
        })?;
        Ok(match rec {
            Record::Data(n) => Some(PyBytes::new(py, &buf[..n])),
            Record::TapeMark => Some(PyBytes::new(py, b"")),
            Record::EndOfData => None,
        })
    }

    /// Moves past one object: its length (0 for a tape mark, or when the device cannot tell), None at end of data.
    fn skip_record(&self, py: Python<'_>) -> PyResult<Option<usize>> {
        Ok(match self.with(py, |d| d.skip_record())? {
            Record::Data(n) => Some(n),
            Record::TapeMark => Some(0),
            Record::EndOfData => None,
        })
    }

    fn write_record(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let bytes = Bytes::borrow(data)?;
        let slice = bytes.as_slice();
        self.with(py, |d| d.write_record(slice))
    }

    #[pyo3(signature = (count = 1))]
    fn write_tape_marks(&self, py: Python<'_>, count: u32) -> PyResult<()> {
        self.with(py, |d| d.write_tape_marks(count))
    }

    #[pyo3(signature = (count = 1))]
    fn space_marks_forward(&self, py: Python<'_>, count: u32) -> PyResult<()> {
        self.with(py, |d| d.space_marks_forward(count))
    }

    #[pyo3(signature = (count = 1))]
    fn space_marks_backward(&self, py: Python<'_>, count: u32) -> PyResult<()> {
        self.with(py, |d| d.space_marks_backward(count))
    }

    fn locate(&self, py: Python<'_>, object: u64) -> PyResult<()> {
        self.with(py, |d| d.locate(object))
    }

    fn rewind(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |d| d.rewind())
    }

    fn position(&self, py: Python<'_>) -> PyResult<u64> {
        self.with(py, |d| d.position())
    }

    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |d| d.flush())
    }

    fn describe(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |d| Ok(d.describe()))
    }
}

/// Writes VOL1 + PRELABEL HDR1 + tape mark (no checks: `ctaops.tape.label_tape` makes them).
#[pyfunction]
fn tape_label(py: Python<'_>, device: &PyTapeDevice, vid: String) -> PyResult<()> {
    device.with(py, move |d| {
        label_tape(&mut **d, &vid, LbpMethod::None, &WriterInfo::default())
    })
}

/// `("blank" | "labelled" | "data", vsn or None)`.
#[pyfunction]
fn tape_inspect(py: Python<'_>, device: &PyTapeDevice) -> PyResult<(&'static str, Option<String>)> {
    Ok(match device.with(py, |d| inspect(&mut **d))? {
        TapeContents::Blank => ("blank", None),
        TapeContents::Labelled { vsn } => ("labelled", Some(vsn)),
        TapeContents::Data { vsn, .. } => ("data", vsn),
    })
}

enum Source {
    Data(Vec<u8>),
    File(File),
}

/// Appends files (bytes-like objects or paths); returns the written files as JSON.
#[pyfunction]
#[pyo3(signature = (device, vid, sources, first_archive_id = None, last_fseq = None))]
fn tape_write(
    py: Python<'_>,
    device: &PyTapeDevice,
    vid: String,
    sources: Vec<Bound<'_, PyAny>>,
    first_archive_id: Option<u64>,
    last_fseq: Option<u64>,
) -> PyResult<String> {
    let mut srcs = Vec::with_capacity(sources.len());
    for s in &sources {
        if let Ok(path) = s.extract::<PathBuf>() {
            srcs.push(Source::File(
                File::open(&path).map_err(|e| tape_err(py, &TapeError::io(&path, e)))?,
            ));
        } else {
            srcs.push(Source::Data(Bytes::borrow(s)?.as_slice().to_vec()));
        }
    }
    device.with(py, move |d| {
        let mut session = WriteSession::open(&mut **d, &vid, last_fseq, WriterInfo::default())?;
        let mut written = Vec::with_capacity(srcs.len());
        for (i, src) in srcs.into_iter().enumerate() {
            let id = first_archive_id.map_or(session.last_fseq() + 1, |f| f + i as u64);
            let mut reader: Box<dyn Read> = match src {
                Source::Data(v) => Box::new(std::io::Cursor::new(v)),
                Source::File(f) => Box::new(f),
            };
            written.push(session.write_file(id, &mut reader)?);
        }
        session.finish()?;
        serde_json::to_string(&written).map_err(|e| TapeError::InvalidArgument(e.to_string()))
    })
}

/// Every object on the tape as JSON (`{"objects": n, "problems": n, "stopped": b, "items": [...]}`).
#[pyfunction]
#[pyo3(signature = (device, max_problems = DEFAULT_MAX_PROBLEMS))]
fn tape_dump(py: Python<'_>, device: &PyTapeDevice, max_problems: u64) -> PyResult<String> {
    device.with(py, |d| {
        let mut items = Vec::new();
        let summary = dump(&mut **d, max_problems, |i| items.push(i.clone()))?;
        Ok(serde_json::json!({
            "objects": summary.objects,
            "problems": summary.problems,
            "stopped": summary.stopped,
            "items": items,
        })
        .to_string())
    })
}

/// Parses a label record: JSON of its fields, None when the bytes are not a label.
#[pyfunction]
fn label_parse(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    let bytes = Bytes::borrow(data)?;
    match Label::parse_any(bytes.as_slice()) {
        Ok(Some(l)) => Ok(Some(
            serde_json::to_string(&l).map_err(|e| PyRuntimeError::new_err(e.to_string()))?,
        )),
        Ok(None) => Ok(None),
        Err(e) => Err(errors::error_for_code(py, "TAPE_LABEL_ERROR", &e.to_string())),
    }
}

/// Formats a label record from the JSON `label_parse` gives.
#[pyfunction]
fn label_format<'py>(py: Python<'py>, json: &str) -> PyResult<Bound<'py, PyBytes>> {
    let label: Label =
        serde_json::from_str(json).map_err(|e| errors::error_for_code(py, "INVALID_ARGUMENT", &e.to_string()))?;
    Ok(PyBytes::new(py, &label.to_bytes()))
}

/// Entries of a saved `cta-admin --json tapefile ls` output for `vid`.
#[pyfunction]
fn tapefile_ls_entries(py: Python<'_>, text: &str, vid: &str) -> PyResult<Vec<EntryTuple>> {
    let entries = parse_tapefile_ls(text, vid).map_err(|e| tape_err(py, &e))?;
    Ok(entries
        .into_iter()
        .map(|e| {
            let others = e
                .other_checksums
                .iter()
                .map(|c| (c.kind.cta_name().to_owned(), c.to_hex()))
                .collect();
            (e.fseq, e.block_id, e.archive_id, e.size, e.adler32, others)
        })
        .collect())
}

fn to_entries(py: Python<'_>, list: Vec<EntryTuple>) -> PyResult<Vec<CatalogueEntry>> {
    list.into_iter()
        .map(|(fseq, block_id, archive_id, size, adler32, others)| {
            let other_checksums = others
                .iter()
                .map(|(kind, value)| {
                    let kind: ChecksumType = kind.parse()?;
                    ChecksumEntry::from_hex(kind, value)
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| errors::error_for_code(py, "INVALID_ARGUMENT", &e.to_string()))?;
            Ok(CatalogueEntry {
                fseq,
                block_id,
                archive_id,
                size,
                adler32,
                other_checksums,
            })
        })
        .collect()
}

/// The fSeqs the engine would verify for this selection (`cta-ops-verify-tape` submits them to
/// `cta-verify-file`), and the requested fSeqs the catalogue lacks.
#[pyfunction]
#[pyo3(signature = (catalogue, fseqs = Vec::new(), first = 0, last = 0, random = 0, seed = 0, min_bytes = 0))]
#[expect(
    clippy::too_many_arguments,
    reason = "mirrors the keyword arguments of ctaops.verify.select_files"
)]
fn tape_select(
    py: Python<'_>,
    catalogue: Vec<EntryTuple>,
    fseqs: Vec<u64>,
    first: usize,
    last: usize,
    random: usize,
    seed: u64,
    min_bytes: u64,
) -> PyResult<(Vec<u64>, Vec<u64>)> {
    let cat = Catalogue::new(to_entries(py, catalogue)?).map_err(|e| tape_err(py, &e))?;
    let sel = Selection {
        fseqs,
        first,
        last,
        random,
        seed,
        min_bytes,
    };
    let (chosen, not_listed) = select(&cat, &sel);
    let entries = cat.entries();
    Ok((chosen.into_iter().map(|i| entries[i].fseq).collect(), not_listed))
}

/// Verifies a tape with the GIL released; returns the report as JSON.
#[pyfunction]
#[pyo3(signature = (device, vid, catalogue = None, fseqs = Vec::new(), first = 0, last = 0, random = 0, seed = 0, min_bytes = 0, progress = None))]
#[expect(
    clippy::too_many_arguments,
    reason = "mirrors the keyword arguments of ctaops.verify.verify_tape"
)]
fn tape_verify(
    py: Python<'_>,
    device: &PyTapeDevice,
    vid: String,
    catalogue: Option<Vec<EntryTuple>>,
    fseqs: Vec<u64>,
    first: usize,
    last: usize,
    random: usize,
    seed: u64,
    min_bytes: u64,
    progress: Option<Py<PyAny>>,
) -> PyResult<String> {
    let catalogue = catalogue.map(|c| to_entries(py, c)).transpose()?;
    let opts = VerifyOptions {
        catalogue,
        selection: Selection {
            fseqs,
            first,
            last,
            random,
            seed,
            min_bytes,
        },
        ..VerifyOptions::new(&vid)
    };
    let mut callback_error: Option<PyErr> = None;
    let result = device.with(py, |dev| {
        let mut report_progress = |p: &Progress| {
            let Some(cb) = &progress else { return };
            if callback_error.is_some() {
                return;
            }
            Python::attach(|py| {
                let args = (
                    p.files_done,
                    p.files_total,
                    p.bytes_done,
                    p.bytes_total,
                    p.elapsed_seconds,
                    p.bytes_per_second,
                    p.eta_seconds,
                );
                if let Err(e) = cb.call1(py, args) {
                    callback_error = Some(e);
                }
            });
        };
        let cb: Option<&mut dyn FnMut(&Progress)> = if progress.is_some() {
            Some(&mut report_progress)
        } else {
            None
        };
        verify_tape(&mut **dev, &opts, cb)
    });
    if let Some(e) = callback_error {
        return Err(e);
    }
    let report = result?;
    serde_json::to_string(&report).map_err(|e| PyRuntimeError::new_err(e.to_string()))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTapeDevice>()?;
    m.add_function(wrap_pyfunction!(tape_label, m)?)?;
    m.add_function(wrap_pyfunction!(tape_inspect, m)?)?;
    m.add_function(wrap_pyfunction!(tape_write, m)?)?;
    m.add_function(wrap_pyfunction!(tape_dump, m)?)?;
    m.add_function(wrap_pyfunction!(label_parse, m)?)?;
    m.add_function(wrap_pyfunction!(label_format, m)?)?;
    m.add_function(wrap_pyfunction!(tapefile_ls_entries, m)?)?;
    m.add_function(wrap_pyfunction!(tape_verify, m)?)?;
    m.add_function(wrap_pyfunction!(tape_select, m)?)?;
    m.add("TAPE_BLOCK_SIZE", BLOCK_SIZE)?;
    Ok(())
}
