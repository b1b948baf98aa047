//! `ctaops.library` / `ctaops.drive` backends: the SCSI changer and drives (SG_IO or emulated
//! library state file). Results cross the boundary as JSON text; the Python side builds typed
//! dataclasses from it, so this file stays conversion-only.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ctaops_scsi::changer::Changer;
use ctaops_scsi::drive::TapeDrive;
use ctaops_scsi::element::ElementStatus;
use ctaops_scsi::emulated::{EmulatedChanger, EmulatedDrive, StateFile};
use ctaops_scsi::library::{Library, LibrarySpec};
use ctaops_scsi::transport::ScsiTransport;
use ctaops_scsi::{Result as ScsiResult, ScsiError};
use pyo3::prelude::*;

use crate::errors;

fn to_py(e: &ScsiError) -> PyErr {
    Python::attach(|py| errors::error_for_code(py, e.code(), &e.to_string()))
}

fn json(v: &impl serde::Serialize) -> ScsiResult<String> {
    serde_json::to_string(v).map_err(|e| ScsiError::BadResponse {
        what: "JSON encoding",
        detail: e.to_string(),
    })
}

type BoxedTransport = Box<dyn ScsiTransport + Send>;

enum Target {
    Device(Changer<BoxedTransport>),
    Emulated(Box<StateFile>),
}

#[cfg(target_os = "linux")]
fn open_sg(path: &Path) -> ScsiResult<BoxedTransport> {
    Ok(Box::new(ctaops_scsi::sgio::SgDevice::open(path)?))
}

#[cfg(not(target_os = "linux"))]
fn open_sg(path: &Path) -> ScsiResult<BoxedTransport> {
    Err(ScsiError::InvalidArgument(format!(
        "{}: SG_IO is only available on Linux",
        path.display()
    )))
}

/// A media changer: a `/dev/sgN` device, or an emulated library state file.
#[pyclass(module = "ctaops._core", frozen)]
pub struct ScsiChanger {
    target: Mutex<Target>,
}

impl ScsiChanger {
    fn with<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut Changer<BoxedTransport>, Option<&ctaops_scsi::emulated::SharedLibrary>) -> ScsiResult<R> + Send,
    ) -> PyResult<R> {
        py.detach(|| {
            let mut t = self
                .target
                .lock()
                .map_err(|_| ScsiError::InvalidArgument("changer lock poisoned".into()))?;
            match &mut *t {
                Target::Device(c) => f(c, None),
                Target::Emulated(state) => state.with(|lib| {
                    let mut c: Changer<BoxedTransport> = Changer::new(Box::new(EmulatedChanger::new(lib.clone())));
                    f(&mut c, Some(lib))
                }),
            }
        })
        .map_err(|e| to_py(&e))
    }
}

#[pymethods]
impl ScsiChanger {
    /// Opens the changer at a SCSI generic device node.
    #[staticmethod]
    fn open(py: Python<'_>, device: PathBuf) -> PyResult<Self> {
        let t = py.detach(|| open_sg(&device)).map_err(|e| to_py(&e))?;
        let changer = Self {
            target: Mutex::new(Target::Device(Changer::new(t))),
        };
        changer.with(py, |c, _| c.inquiry().map(|_| ()))?;
        Ok(changer)
    }

    /// Uses an emulated library state file (re-read and written back around each operation).
    #[staticmethod]
    fn emulated(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let state = py.detach(|| StateFile::open(&path)).map_err(|e| to_py(&e))?;
        Ok(Self {
            target: Mutex::new(Target::Emulated(Box::new(state))),
        })
    }

    /// The full inventory: (vendor, product, revision, rows); one row per element, in the field
    /// order of `ctaops.library.Element` (tuples, not JSON: a 20,000-slot library converts fast).
    fn inventory(&self, py: Python<'_>) -> PyResult<(String, String, String, Vec<ElementRow>)> {
        let inv = self.with(py, |c, _| c.inventory())?;
        let rows = inv.all().map(row).collect();
        let q = &inv.inquiry;
        Ok((
            q.vendor.trim_end().to_owned(),
            q.product.trim_end().to_owned(),
            q.revision.trim_end().to_owned(),
            rows,
        ))
    }

    /// The library's unit serial number (INQUIRY VPD 0x80).
    fn serial(&self, py: Python<'_>) -> PyResult<String> {
        self.with(py, |c, _| c.serial())
    }

    /// MOVE MEDIUM, refused before sending when the source is empty or the destination full.
    fn move_medium(&self, py: Python<'_>, source: u16, dest: u16) -> PyResult<()> {
        self.with(py, |c, _| {
            let spectra = c.inquiry()?.is_spectra_like();
            c.move_medium(source, dest, spectra)
        })
    }

    /// Whether this is an emulated library.
    #[getter]
    fn is_emulated(&self) -> bool {
        self.target.lock().is_ok_and(|t| matches!(*t, Target::Emulated(_)))
    }

    /// Emulated library only: a report (JSON) of the drive at a data-transfer element address.
    fn emulated_drive_report_json(&self, py: Python<'_>, address: u16) -> PyResult<String> {
        self.with(py, |_, lib| {
            let lib = lib.ok_or_else(|| ScsiError::InvalidArgument("not an emulated library".into()))?;
            json(&TapeDrive::new(EmulatedDrive::new(lib.clone(), address)).report()?)
        })
    }

    /// Emulated library only: LOAD (true) or UNLOAD (false) the drive at `address`.
    fn emulated_drive_load(&self, py: Python<'_>, address: u16, load: bool) -> PyResult<()> {
        self.with(py, |_, lib| {
            let lib = lib.ok_or_else(|| ScsiError::InvalidArgument("not an emulated library".into()))?;
            let mut d = TapeDrive::new(EmulatedDrive::new(lib.clone(), address));
            if load { d.load() } else { d.unload() }
        })
    }

    /// Emulated library only: an operator puts a cartridge into an I/O station element.
    fn emulated_operator_insert(&self, py: Python<'_>, port: u16, barcode: String) -> PyResult<()> {
        self.with(py, move |_, lib| {
            let lib = lib.ok_or_else(|| ScsiError::InvalidArgument("not an emulated library".into()))?;
            lib.lock()
                .map_err(|_| ScsiError::InvalidArgument("lock poisoned".into()))?
                .operator_insert(port, &barcode)
        })
    }
}

type ElementRow = (
    &'static str,
    u16,
    bool,
    Option<String>,
    bool,
    bool,
    u8,
    u8,
    Option<u16>,
    bool,
    u8,
    Option<String>,
);

fn row(e: &ElementStatus) -> ElementRow {
    use ctaops_scsi::cdb::ElementType;
    let kind = match e.element_type {
        ElementType::Transport => "transport",
        ElementType::Storage => "slot",
        ElementType::ImportExport => "port",
        ElementType::DataTransfer | ElementType::All => "drive",
    };
    (
        kind,
        e.address,
        e.full,
        e.barcode().map(str::to_owned),
        e.access,
        e.except,
        e.asc,
        e.ascq,
        e.source,
        e.impexp,
        e.medium_type,
        e.identifier
            .as_ref()
            .map(ctaops_scsi::inquiry::Designator::drive_serial),
    )
}

/// A tape drive at a device node (`/dev/nstN` or its `/dev/sgN`).
#[pyclass(module = "ctaops._core", frozen)]
pub struct ScsiDrive {
    drive: Mutex<TapeDrive<BoxedTransport>>,
}

#[pymethods]
impl ScsiDrive {
    #[staticmethod]
    fn open(py: Python<'_>, device: PathBuf) -> PyResult<Self> {
        let t = py.detach(|| open_sg(&device)).map_err(|e| to_py(&e))?;
        Ok(Self {
            drive: Mutex::new(TapeDrive::new(t)),
        })
    }

    /// Identity, readiness, position, TapeAlert, environment, counters, cartridge memory (JSON).
    fn report_json(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| {
            let mut d = self
                .drive
                .lock()
                .map_err(|_| ScsiError::InvalidArgument("drive lock poisoned".into()))?;
            json(&d.report()?)
        })
        .map_err(|e| to_py(&e))
    }

    fn load(&self, py: Python<'_>, load: bool) -> PyResult<()> {
        py.detach(|| {
            let mut d = self
                .drive
                .lock()
                .map_err(|_| ScsiError::InvalidArgument("drive lock poisoned".into()))?;
            if load { d.load() } else { d.unload() }
        })
        .map_err(|e| to_py(&e))
    }
}

/// Creates an emulated library state file.
#[pyfunction]
#[pyo3(signature = (path, slots, drives, ports = 1, tapes = 0, preset = "ts4500"))]
fn emulated_library_create(
    py: Python<'_>,
    path: PathBuf,
    slots: u16,
    drives: u16,
    ports: u16,
    tapes: u32,
    preset: &str,
) -> PyResult<()> {
    let mut spec = match preset {
        "ts4500" => LibrarySpec::ts4500(slots, drives, ports),
        "spectra" => LibrarySpec::spectra(slots, drives, ports),
        other => {
            let e = ScsiError::InvalidArgument(format!("unknown preset {other:?}: ts4500 or spectra"));
            return Err(to_py(&e));
        }
    };
    spec.tapes = tapes;
    py.detach(|| Library::new(&spec)?.save(&path)).map_err(|e| to_py(&e))
}

/// Decodes READ ELEMENT STATUS data (e.g. a captured response) and returns the number of element
/// descriptors; raises on malformed data. Also what `benchmarks/bench_scsi.py` times.
#[pyfunction]
fn decode_element_status(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<usize> {
    let bytes = crate::buffer::Bytes::borrow(data)?;
    let slice = bytes.as_slice();
    py.detach(|| ctaops_scsi::element::parse_element_status(slice).map(|d| d.elements.len()))
        .map_err(|e| to_py(&e))
}

/// sysfs scan (JSON list of devices).
#[pyfunction]
fn scsi_discover_json(py: Python<'_>, sysfs: PathBuf) -> PyResult<String> {
    py.detach(|| json(&ctaops_scsi::discovery::scan(&sysfs)))
        .map_err(|e| to_py(&e))
}

/// The 64 TapeAlert flags: (code, name, severity, subject, action); severity and subject are the
/// lower-case variant names used in the JSON reports.
#[pyfunction]
fn tapealert_flags() -> Vec<(u8, &'static str, String, String, &'static str)> {
    ctaops_scsi::tapealert::FLAGS
        .iter()
        .map(|f| {
            let sev = format!("{:?}", f.severity).to_lowercase();
            let sub = format!("{:?}", f.subject).to_lowercase();
            (f.code, f.name, sev, sub, f.action)
        })
        .collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ScsiChanger>()?;
    m.add_class::<ScsiDrive>()?;
    m.add_function(wrap_pyfunction!(emulated_library_create, m)?)?;
    m.add_function(wrap_pyfunction!(scsi_discover_json, m)?)?;
    m.add_function(wrap_pyfunction!(decode_element_status, m)?)?;
    m.add_function(wrap_pyfunction!(tapealert_flags, m)?)?;
    Ok(())
}
