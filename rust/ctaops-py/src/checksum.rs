//! `ctaops.checksum`: zlib-compatible checksum functions, file checksums and the CTA blob.

use std::path::PathBuf;

use ctaops_core::checksum::{self as ck, ChecksumBlob as CoreBlob, ChecksumEntry, ChecksumType};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::buffer::Bytes;
use crate::errors;

/// Inputs smaller than this are checksummed with the GIL held: releasing and re-taking it
/// costs more than the work (zlib uses a similar cut-off).
const DETACH_THRESHOLD: usize = 64 * 1024;

fn with_bytes<R: Send>(py: Python<'_>, data: &Bound<'_, PyAny>, f: impl FnOnce(&[u8]) -> R + Send) -> PyResult<R> {
    let bytes = Bytes::borrow(data)?;
    let slice = bytes.as_slice();
    Ok(if slice.len() >= DETACH_THRESHOLD {
        py.detach(|| f(slice))
    } else {
        f(slice)
    })
}

fn parse_type(py: Python<'_>, name: &str) -> PyResult<ChecksumType> {
    name.parse().map_err(|e| errors::to_py(py, &e))
}

/// Adler-32 of a bytes-like object, continuing from `value`; same results as `zlib.adler32`.
#[pyfunction]
#[pyo3(signature = (data, value = 1))]
fn adler32(py: Python<'_>, data: &Bound<'_, PyAny>, value: u32) -> PyResult<u32> {
    with_bytes(py, data, |b| ck::adler32(value, b))
}

/// CRC-32 (zlib's polynomial) of a bytes-like object; same results as `zlib.crc32`.
#[pyfunction]
#[pyo3(signature = (data, value = 0))]
fn crc32(py: Python<'_>, data: &Bound<'_, PyAny>, value: u32) -> PyResult<u32> {
    with_bytes(py, data, |b| ck::crc32(value, b))
}

/// CRC-32C (Castagnoli) of a bytes-like object, continuing from `value`.
#[pyfunction]
#[pyo3(signature = (data, value = 0))]
fn crc32c(py: Python<'_>, data: &Bound<'_, PyAny>, value: u32) -> PyResult<u32> {
    with_bytes(py, data, |b| ck::crc32c(value, b))
}

/// MD5 of a bytes-like object, as lower-case hex.
#[pyfunction]
fn md5(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<String> {
    with_bytes(py, data, |b| ck::md5(b)).map(|d| hex_lower(&d))
}

/// SHA-1 of a bytes-like object, as lower-case hex.
#[pyfunction]
fn sha1(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<String> {
    with_bytes(py, data, |b| ck::sha1(b)).map(|d| hex_lower(&d))
}

fn hex_lower(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Checksum of a file in CTA's hex spelling (lower case, full width), GIL released.
#[pyfunction]
#[pyo3(signature = (path, algo = "adler32"))]
fn file_checksum(py: Python<'_>, path: PathBuf, algo: &str) -> PyResult<String> {
    let kind = parse_type(py, algo)?;
    py.detach(|| ck::checksum_file(&path, kind))
        .map(|d| d.to_hex())
        .map_err(|e| errors::to_py(py, &e))
}

/// The checksums of one archive file, as CTA keeps them (`cta.common.ChecksumBlob`).
#[pyclass(module = "ctaops._core", frozen, eq)]
#[derive(PartialEq, Eq)]
struct ChecksumBlob {
    inner: CoreBlob,
}

#[pymethods]
impl ChecksumBlob {
    /// Builds a blob from `(type, hex)` pairs, e.g. `ChecksumBlob([("ADLER32", "0a0b0c0d")])`.
    #[new]
    #[pyo3(signature = (entries = Vec::new()))]
    fn new(py: Python<'_>, entries: Vec<(String, String)>) -> PyResult<Self> {
        let entries = entries
            .iter()
            .map(|(t, v)| ChecksumEntry::from_hex(parse_type(py, t)?, v).map_err(|e| errors::to_py(py, &e)))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Self {
            inner: CoreBlob { entries },
        })
    }

    /// A blob holding one Adler-32 given as an integer.
    #[staticmethod]
    fn from_adler32(value: u32) -> Self {
        Self {
            inner: CoreBlob::adler32(value),
        }
    }

    /// A blob holding one 32-bit checksum given as an integer.
    #[staticmethod]
    fn from_int(py: Python<'_>, kind: &str, value: u32) -> PyResult<Self> {
        let entry = ChecksumEntry::from_u32(parse_type(py, kind)?, value).map_err(|e| errors::to_py(py, &e))?;
        Ok(Self {
            inner: CoreBlob { entries: vec![entry] },
        })
    }

    /// Parses serialised `cta.common.ChecksumBlob` bytes (the catalogue's CHECKSUM_BLOB column).
    #[staticmethod]
    fn from_protobuf(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = Bytes::borrow(data)?;
        CoreBlob::from_protobuf(bytes.as_slice())
            .map(|inner| Self { inner })
            .map_err(|e| errors::to_py(py, &e))
    }

    /// Parses the JSON form `[{"type":"ADLER32","value":"0a0b0c0d"}]`.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        CoreBlob::from_json(text)
            .map(|inner| Self { inner })
            .map_err(|e| errors::to_py(py, &e))
    }

    /// Builds a blob from one stored (little-endian) value, as taped and the catalogue keep it.
    #[staticmethod]
    fn from_stored(py: Python<'_>, kind: &str, data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let bytes = Bytes::borrow(data)?;
        let entry = ChecksumEntry::from_stored(parse_type(py, kind)?, bytes.as_slice().to_vec())
            .map_err(|e| errors::to_py(py, &e))?;
        Ok(Self {
            inner: CoreBlob { entries: vec![entry] },
        })
    }

    /// Serialised protobuf bytes.
    fn to_protobuf<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_protobuf())
    }

    /// The JSON form CTA prints.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// `(type, hex)` pairs in CTA's printed form.
    #[getter]
    fn entries(&self) -> Vec<(String, String)> {
        self.inner
            .entries
            .iter()
            .map(|e| (e.kind.cta_name().to_owned(), e.to_hex()))
            .collect()
    }

    /// The printed hex of the checksum of `kind`, or None.
    #[pyo3(signature = (kind = "ADLER32"))]
    fn hex(&self, py: Python<'_>, kind: &str) -> PyResult<Option<String>> {
        Ok(self.inner.get(parse_type(py, kind)?).map(ChecksumEntry::to_hex))
    }

    /// The integer value of a 32-bit checksum of `kind`, or None.
    #[pyo3(signature = (kind = "ADLER32"))]
    fn int_value(&self, py: Python<'_>, kind: &str) -> PyResult<Option<u32>> {
        Ok(self.inner.get(parse_type(py, kind)?).and_then(ChecksumEntry::as_u32))
    }

    /// The stored (little-endian) bytes of the checksum of `kind`, or None.
    #[pyo3(signature = (kind = "ADLER32"))]
    fn stored_bytes<'py>(&self, py: Python<'py>, kind: &str) -> PyResult<Option<Bound<'py, PyBytes>>> {
        Ok(self
            .inner
            .get(parse_type(py, kind)?)
            .map(|e| PyBytes::new(py, &e.value)))
    }

    fn __len__(&self) -> usize {
        self.inner.entries.len()
    }

    fn __repr__(&self) -> String {
        let parts: Vec<String> = self
            .inner
            .entries
            .iter()
            .map(|e| format!("('{}', '{}')", e.kind.cta_name(), e.to_hex()))
            .collect();
        format!("ChecksumBlob([{}])", parts.join(", "))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(adler32, m)?)?;
    m.add_function(wrap_pyfunction!(crc32, m)?)?;
    m.add_function(wrap_pyfunction!(crc32c, m)?)?;
    m.add_function(wrap_pyfunction!(md5, m)?)?;
    m.add_function(wrap_pyfunction!(sha1, m)?)?;
    m.add_function(wrap_pyfunction!(file_checksum, m)?)?;
    m.add_class::<ChecksumBlob>()?;
    Ok(())
}
