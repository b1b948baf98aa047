//! Zero-copy access to any object that supports the buffer protocol.
//!
//! The wheel targets the stable ABI from CPython 3.9, but `PyObject_GetBuffer` and `Py_buffer`
//! only entered the limited API in 3.11, so PyO3 hides them for abi3-py39 builds. The struct
//! layout and both functions have been unchanged since Python 3.0 (which is why 3.11 could
//! declare them stable), so we declare them here ourselves.

use std::ffi::{c_char, c_int, c_void};

use pyo3::exceptions::PyTypeError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

#[repr(C)]
pub(crate) struct RawBuffer {
    buf: *mut c_void,
    obj: *mut ffi::PyObject,
    len: ffi::Py_ssize_t,
    itemsize: ffi::Py_ssize_t,
    readonly: c_int,
    ndim: c_int,
    format: *mut c_char,
    shape: *mut ffi::Py_ssize_t,
    strides: *mut ffi::Py_ssize_t,
    suboffsets: *mut ffi::Py_ssize_t,
    internal: *mut c_void,
}

#[expect(unsafe_code, reason = "buffer protocol is not exposed by PyO3 for abi3-py39")]
unsafe extern "C" {
    fn PyObject_GetBuffer(obj: *mut ffi::PyObject, view: *mut RawBuffer, flags: c_int) -> c_int;
    fn PyBuffer_Release(view: *mut RawBuffer);
}

/// `PyBUF_SIMPLE`: a contiguous run of bytes, any item format.
const BUF_SIMPLE: c_int = 0;

/// Bytes borrowed from a Python object for as long as this value lives.
pub(crate) enum Bytes<'py> {
    /// `bytes` are immutable, so their storage can be borrowed directly.
    Immutable(Bound<'py, PyBytes>),
    /// Anything else (bytearray, memoryview, mmap, numpy …) through the buffer protocol.
    Exported(Box<RawBuffer>, Python<'py>),
}

impl<'py> Bytes<'py> {
    /// Borrows the bytes of `obj`; a `TypeError` names the type if it exports no contiguous buffer.
    pub fn borrow(obj: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(b) = obj.cast::<PyBytes>() {
            return Ok(Self::Immutable(b.clone()));
        }
        let mut view = Box::new(RawBuffer {
            buf: std::ptr::null_mut(),
            obj: std::ptr::null_mut(),
            len: 0,
            itemsize: 0,
            readonly: 0,
            ndim: 0,
            format: std::ptr::null_mut(),
            shape: std::ptr::null_mut(),
            strides: std::ptr::null_mut(),
            suboffsets: std::ptr::null_mut(),
            internal: std::ptr::null_mut(),
        });
        // SAFETY: `obj` is a live object (we hold a Bound, so the GIL is held) and `view` points
        // to writable memory of the layout CPython expects; on failure nothing is acquired.
        #[expect(unsafe_code, reason = "buffer protocol is not exposed by PyO3 for abi3-py39")]
        let rc = unsafe { PyObject_GetBuffer(obj.as_ptr(), &raw mut *view, BUF_SIMPLE) };
        if rc != 0 {
            let err = PyErr::take(obj.py());
            let type_name = obj
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| "object".to_owned());
            let detail = err.map(|e| format!(": {e}")).unwrap_or_default();
            return Err(PyTypeError::new_err(format!(
                "a bytes-like object with a contiguous buffer is required, not '{type_name}'{detail}"
            )));
        }
        Ok(Self::Exported(view, obj.py()))
    }

    /// The borrowed bytes.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            Self::Immutable(b) => b.as_bytes(),
            Self::Exported(view, _) => {
                let Ok(len) = usize::try_from(view.len) else { return &[] };
                if view.buf.is_null() || len == 0 {
                    return &[];
                }
                // SAFETY: a successful PyBUF_SIMPLE request guarantees `len` contiguous bytes at
                // `buf`, kept alive until PyBuffer_Release in Drop, which needs `&mut self`, so the
                // slice cannot outlive the export.
                #[expect(unsafe_code, reason = "buffer protocol is not exposed by PyO3 for abi3-py39")]
                unsafe {
                    std::slice::from_raw_parts(view.buf.cast::<u8>(), len)
                }
            }
        }
    }
}

impl Drop for Bytes<'_> {
    fn drop(&mut self) {
        if let Self::Exported(view, _py) = self {
            // SAFETY: the view was filled by a successful PyObject_GetBuffer and is released once;
            // the `Python<'py>` token proves the GIL is held here.
            #[expect(unsafe_code, reason = "buffer protocol is not exposed by PyO3 for abi3-py39")]
            unsafe {
                PyBuffer_Release(&raw mut **view);
            }
        }
    }
}
