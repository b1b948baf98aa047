//! A Linux `st` tape drive (`/dev/nstN`) in variable block mode, through the `MTIOCTOP`,
//! `MTIOCGET` and `MTIOCPOS` ioctls (scsi.md §3.2).
//!
//! In variable mode one `read` returns one block (ENOMEM if the buffer is too small) and a
//! tape mark reads as 0 bytes; a 0-byte read with `GMT_EOD` set is the end of data.

use std::ffi::{c_int, c_long, c_short};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use super::{Record, TapeDevice};
use crate::error::{Result, TapeError};

/// `struct mtop` of `<linux/mtio.h>`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct MtOp {
    pub mt_op: c_short,
    pub mt_count: c_int,
}

/// `struct mtpos` of `<linux/mtio.h>`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct MtPos {
    pub mt_blkno: c_long,
}

/// `struct mtget` of `<linux/mtio.h>`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct MtGet {
    pub mt_type: c_long,
    pub mt_resid: c_long,
    pub mt_dsreg: c_long,
    pub mt_gstat: c_long,
    pub mt_erreg: c_long,
    pub mt_fileno: c_int,
    pub mt_blkno: c_int,
}

/// `mt_op` codes used here.
pub mod op {
    pub const MTFSF: i16 = 1;
    pub const MTBSF: i16 = 2;
    pub const MTFSR: i16 = 3;
    pub const MTWEOF: i16 = 5;
    pub const MTREW: i16 = 6;
    pub const MTSETBLK: i16 = 20;
    pub const MTSEEK: i16 = 22;
}

/// `GMT_EOD` bit of `mt_gstat`.
pub const GMT_EOD: c_long = 0x0800_0000;

/// Linux's generic `_IOC` encoding (x86_64, aarch64, riscv64, s390x).
const fn ioc(dir: u32, nr: u32, size: usize) -> u32 {
    (dir << 30) | ((size as u32) << 16) | ((b'm' as u32) << 8) | nr
}
const IOC_WRITE: u32 = 1;
const IOC_READ: u32 = 2;

/// `_IOW('m', 1, struct mtop)`.
pub const MTIOCTOP: u32 = ioc(IOC_WRITE, 1, size_of::<MtOp>());
/// `_IOR('m', 2, struct mtget)`.
pub const MTIOCGET: u32 = ioc(IOC_READ, 2, size_of::<MtGet>());
/// `_IOR('m', 3, struct mtpos)`.
pub const MTIOCPOS: u32 = ioc(IOC_READ, 3, size_of::<MtPos>());

/// A tape drive opened through the st driver.
#[derive(Debug)]
pub struct StDevice {
    file: File,
    path: PathBuf,
}

impl StDevice {
    /// Opens the drive (read-only unless `writable`), checks that it is a tape drive and sets
    /// variable block mode.
    pub fn open(path: impl AsRef<Path>, writable: bool) -> Result<Self> {
        let path = path.as_ref();
        let file = OpenOptions::new()
            .read(true)
            .write(writable)
            .open(path)
            .map_err(|e| TapeError::io(path, e))?;
        let dev = Self {
            file,
            path: path.to_owned(),
        };
        dev.status().map_err(|e| match e {
            TapeError::Io { source, .. } if is_not_a_tape(&source) => TapeError::NotATape {
                path: path.to_owned(),
                detail: source.to_string(),
            },
            other => other,
        })?;
        dev.mt(op::MTSETBLK, 0)?;
        Ok(dev)
    }

    #[expect(unsafe_code, reason = "the st ioctls have no safe wrapper in std or libc")]
    fn ioctl<T>(&self, request: u32, arg: *mut T) -> std::io::Result<()> {
        // SAFETY: `request` is one of the MTIOC* numbers above, whose argument type is the
        // `#[repr(C)]` struct `T` that `arg` points to; the pointer is valid for the call.
        let rc = unsafe { libc::ioctl(self.file.as_raw_fd(), request as libc::Ioctl, arg) };
        if rc < 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(())
        }
    }

    fn mt(&self, mt_op: i16, count: i32) -> Result<()> {
        let mut arg = MtOp { mt_op, mt_count: count };
        self.ioctl(MTIOCTOP, &raw mut arg).map_err(|e| self.err(e))
    }

    /// `MTIOCGET`: drive status (`mt_gstat` has the GMT_* bits).
    pub fn status(&self) -> Result<MtGet> {
        let mut arg = MtGet::default();
        self.ioctl(MTIOCGET, &raw mut arg).map_err(|e| self.err(e))?;
        Ok(arg)
    }

    fn err(&self, e: std::io::Error) -> TapeError {
        map_error(&self.path, e)
    }

    fn count(n: u32) -> Result<i32> {
        i32::try_from(n).map_err(|_| TapeError::InvalidArgument(format!("count {n} too large")))
    }
}

fn is_not_a_tape(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ENOTTY | libc::EINVAL))
}

/// Maps an errno from the st driver onto a tape error with a clear message.
pub(crate) fn map_error(path: &Path, e: std::io::Error) -> TapeError {
    match e.raw_os_error() {
        Some(libc::ENOTTY) => TapeError::NotATape {
            path: path.to_owned(),
            detail: e.to_string(),
        },
        Some(libc::ENOMEDIUM) => TapeError::io(
            path,
            std::io::Error::new(e.kind(), "no tape loaded in the drive (ENOMEDIUM)"),
        ),
        Some(libc::EBUSY) => TapeError::io(path, std::io::Error::new(e.kind(), "drive is busy (EBUSY)")),
        _ => TapeError::io(path, e),
    }
}

impl TapeDevice for StDevice {
    fn read_record(&mut self, buf: &mut [u8]) -> Result<Record> {
        match self.file.read(buf) {
            Ok(0) => {
                let eod = self.status().map(|s| s.mt_gstat & GMT_EOD != 0).unwrap_or(false);
                Ok(if eod { Record::EndOfData } else { Record::TapeMark })
            }
            Ok(n) => Ok(Record::Data(n)),
            Err(e) if e.raw_os_error() == Some(libc::ENOMEM) => {
                let object = self.position().unwrap_or(0).saturating_sub(1);
                Err(TapeError::BlockTooLong {
                    object,
                    len: None,
                    max: buf.len(),
                })
            }
            Err(e) => Err(self.err(e)),
        }
    }

    fn skip_record(&mut self) -> Result<Record> {
        let before = self.position()?;
        match self.mt(op::MTFSR, 1) {
            Ok(()) => Ok(Record::Data(0)),
            Err(_) => {
                // MTFSR stops at a tape mark (moving past it) or fails at end of data.
                let after = self.position()?;
                if after > before {
                    Ok(Record::TapeMark)
                } else {
                    Ok(Record::EndOfData)
                }
            }
        }
    }

    fn write_record(&mut self, data: &[u8]) -> Result<()> {
        let n = self.file.write(data).map_err(|e| self.err(e))?;
        if n == data.len() {
            Ok(())
        } else {
            Err(TapeError::io(
                &self.path,
                std::io::Error::other(format!("short write: {n} of {} bytes", data.len())),
            ))
        }
    }

    fn write_tape_marks(&mut self, count: u32) -> Result<()> {
        self.mt(op::MTWEOF, Self::count(count)?)
    }

    fn space_marks_forward(&mut self, count: u32) -> Result<()> {
        self.mt(op::MTFSF, Self::count(count)?)
    }

    fn space_marks_backward(&mut self, count: u32) -> Result<()> {
        self.mt(op::MTBSF, Self::count(count)?)
    }

    fn locate(&mut self, object: u64) -> Result<()> {
        let target = i32::try_from(object).map_err(|_| TapeError::InvalidArgument(format!("object {object}")))?;
        self.mt(op::MTSEEK, target)
    }

    fn rewind(&mut self) -> Result<()> {
        self.mt(op::MTREW, 1)
    }

    fn position(&mut self) -> Result<u64> {
        let mut arg = MtPos::default();
        self.ioctl(MTIOCPOS, &raw mut arg).map_err(|e| self.err(e))?;
        u64::try_from(arg.mt_blkno).map_err(|_| TapeError::InvalidArgument("drive reports a negative position".into()))
    }

    fn flush(&mut self) -> Result<()> {
        // MTWEOF with count 0 flushes the drive buffer (what CTA's flush() does).
        self.mt(op::MTWEOF, 0)
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn struct_layouts_match_the_kernel() {
        assert_eq!(size_of::<MtOp>(), 8);
        assert_eq!(size_of::<MtPos>(), size_of::<c_long>());
        #[cfg(target_pointer_width = "64")]
        {
            assert_eq!(size_of::<MtGet>(), 48);
            assert_eq!(std::mem::offset_of!(MtGet, mt_dsreg), 16);
            assert_eq!(std::mem::offset_of!(MtGet, mt_fileno), 40);
            assert_eq!(std::mem::offset_of!(MtGet, mt_blkno), 44);
        }
    }

    #[cfg(target_pointer_width = "64")]
    #[test]
    fn ioctl_numbers_are_the_x86_64_values() {
        assert_eq!(MTIOCTOP, 0x4008_6D01);
        assert_eq!(MTIOCGET, 0x8030_6D02);
        assert_eq!(MTIOCPOS, 0x8008_6D03);
    }

    #[test]
    fn a_regular_file_or_dev_null_is_not_a_tape() {
        let tmp = tempfile::NamedTempFile::new().unwrap();
        for path in [tmp.path(), Path::new("/dev/null")] {
            let err = StDevice::open(path, false).unwrap_err();
            assert_eq!(err.code(), "NOT_A_TAPE", "{err}");
            assert!(err.to_string().contains("not a tape device"), "{err}");
        }
    }

    #[test]
    fn missing_device_is_file_not_found() {
        let err = StDevice::open("/dev/nst-does-not-exist", false).unwrap_err();
        assert_eq!(err.code(), "FILE_NOT_FOUND");
    }

    #[test]
    fn errno_mapping() {
        let p = Path::new("/dev/nst0");
        assert_eq!(
            map_error(p, std::io::Error::from_raw_os_error(libc::ENOTTY)).code(),
            "NOT_A_TAPE"
        );
        let e = map_error(p, std::io::Error::from_raw_os_error(libc::ENOMEDIUM));
        assert!(e.to_string().contains("no tape loaded"), "{e}");
        assert_eq!(
            map_error(p, std::io::Error::from_raw_os_error(libc::EIO)).code(),
            "IO_ERROR"
        );
    }
}
