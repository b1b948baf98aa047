//! Linux SG_IO transport on `/dev/sgN` (also works on `/dev/nstN`): `ioctl(fd, SG_IO, &sg_io_hdr)`.
//!
//! On a tape server: the changer is the `/dev/sgN` whose sysfs `device/type` is 8 (see
//! [`crate::discovery`]); the user needs read-write access to it (group `tape` or a udev rule).

use std::fs::{File, OpenOptions};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Result, ScsiError};
use crate::transport::{CommandResult, DataDir, ScsiTransport};

/// `SG_IO` ioctl request number (`include/scsi/sg.h`).
pub const SG_IO: u32 = 0x2285;
/// `SG_GET_VERSION_NUM`: an sg device answers it with a version ≥ 30000.
pub const SG_GET_VERSION_NUM: u32 = 0x2282;
pub const SG_DXFER_NONE: i32 = -1;
pub const SG_DXFER_TO_DEV: i32 = -2;
pub const SG_DXFER_FROM_DEV: i32 = -3;
/// Sense buffer we hand the kernel (IBM LTO has 96 bytes of sense).
const SENSE_LEN: u8 = 255;

/// `struct sg_io_hdr` exactly as the kernel lays it out on 64-bit Linux (88 bytes).
#[repr(C)]
#[derive(Debug)]
pub struct SgIoHdr {
    pub interface_id: i32,
    pub dxfer_direction: i32,
    pub cmd_len: u8,
    pub mx_sb_len: u8,
    pub iovec_count: u16,
    pub dxfer_len: u32,
    pub dxferp: *mut libc::c_void,
    pub cmdp: *const u8,
    pub sbp: *mut u8,
    pub timeout: u32,
    pub flags: u32,
    pub pack_id: i32,
    pub usr_ptr: *mut libc::c_void,
    pub status: u8,
    pub masked_status: u8,
    pub msg_status: u8,
    pub sb_len_wr: u8,
    pub host_status: u16,
    pub driver_status: u16,
    pub resid: i32,
    pub duration: u32,
    pub info: u32,
}

/// An open SCSI generic device.
#[derive(Debug)]
pub struct SgDevice {
    file: File,
    path: PathBuf,
}

/// Maps an `open(2)` failure to a typed error (missing node, permission, …).
#[must_use]
pub fn open_error(path: &Path, source: std::io::Error) -> ScsiError {
    ScsiError::Open {
        path: path.to_owned(),
        source,
    }
}

impl SgDevice {
    /// Opens `path` read-write (write-type commands are refused on read-only opens) and checks that
    /// it really is an sg-capable character device.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .map_err(|e| open_error(path, e))?;
        let meta = file.metadata().map_err(|e| open_error(path, e))?;
        if !meta.file_type().is_char_device() {
            return Err(ScsiError::NotSgDevice {
                path: path.to_owned(),
                detail: "not a character device".into(),
            });
        }
        let mut version: libc::c_int = 0;
        // SAFETY: SG_GET_VERSION_NUM writes one int through the pointer, which is valid for the call.
        #[expect(unsafe_code, reason = "ioctl is the only interface to the sg driver")]
        let rc = unsafe { libc::ioctl(file.as_raw_fd(), SG_GET_VERSION_NUM as _, &raw mut version) };
        if rc < 0 || version < 30000 {
            let detail = if rc < 0 {
                format!("SG_GET_VERSION_NUM failed: {}", std::io::Error::last_os_error())
            } else {
                format!("sg driver version {version} is too old for SG_IO")
            };
            return Err(ScsiError::NotSgDevice {
                path: path.to_owned(),
                detail,
            });
        }
        Ok(Self {
            file,
            path: path.to_owned(),
        })
    }
}

/// Timeout in the header's unit (milliseconds; saturates rather than wrapping to "no timeout").
#[must_use]
pub fn timeout_ms(timeout: Duration) -> u32 {
    u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX - 1)
}

/// One SG_IO command on an open file descriptor (an sg node, or an st node: the st driver passes
/// SG_IO through, which is how CTA sends LOCATE and READ POSITION to its drives).
pub fn sg_io(
    fd: BorrowedFd<'_>,
    name: &str,
    cdb: &[u8],
    data: DataDir<'_>,
    timeout: Duration,
) -> Result<CommandResult> {
    let cmd_len = u8::try_from(cdb.len()).ok().filter(|n| (6..=16).contains(n));
    let cmd_len = cmd_len.ok_or_else(|| ScsiError::InvalidArgument(format!("bad CDB length {}", cdb.len())))?;
    let (direction, ptr, len) = match data {
        DataDir::None => (SG_DXFER_NONE, std::ptr::null_mut(), 0usize),
        DataDir::In(b) => (SG_DXFER_FROM_DEV, b.as_mut_ptr().cast::<libc::c_void>(), b.len()),
        // The kernel only reads TO_DEV buffers; the cast to *mut is what the C struct wants.
        DataDir::Out(b) => (SG_DXFER_TO_DEV, b.as_ptr().cast_mut().cast::<libc::c_void>(), b.len()),
    };
    let dxfer_len = u32::try_from(len).map_err(|_| ScsiError::InvalidArgument("transfer too large".into()))?;
    let mut sense = [0u8; SENSE_LEN as usize];
    let mut hdr = SgIoHdr {
        interface_id: i32::from(b'S'),
        dxfer_direction: direction,
        cmd_len,
        mx_sb_len: SENSE_LEN,
        iovec_count: 0,
        dxfer_len,
        dxferp: ptr,
        cmdp: cdb.as_ptr(),
        sbp: sense.as_mut_ptr(),
        timeout: timeout_ms(timeout),
        flags: 0,
        pack_id: 0,
        usr_ptr: std::ptr::null_mut(),
        status: 0,
        masked_status: 0,
        msg_status: 0,
        sb_len_wr: 0,
        host_status: 0,
        driver_status: 0,
        resid: 0,
        duration: 0,
        info: 0,
    };
    // SAFETY: every pointer in `hdr` (CDB, data buffer of dxfer_len bytes, sense buffer of
    // mx_sb_len bytes) stays valid and unaliased for the duration of this synchronous ioctl.
    #[expect(unsafe_code, reason = "ioctl is the only interface to the sg driver")]
    let rc = unsafe { libc::ioctl(fd.as_raw_fd(), SG_IO as _, &raw mut hdr) };
    if rc < 0 {
        return Err(ScsiError::Ioctl {
            device: name.to_owned(),
            source: std::io::Error::last_os_error(),
        });
    }
    let sense_len = usize::from(hdr.sb_len_wr).min(sense.len());
    Ok(CommandResult {
        status: hdr.status,
        sense: sense[..sense_len].to_vec(),
        resid: hdr.resid,
        host_status: hdr.host_status,
        driver_status: hdr.driver_status,
        timed_out: false,
    })
}

impl ScsiTransport for SgDevice {
    fn execute(&mut self, cdb: &[u8], data: DataDir<'_>, timeout: Duration) -> Result<CommandResult> {
        sg_io(self.file.as_fd(), &self.name(), cdb, data, timeout)
    }

    fn name(&self) -> String {
        self.path.display().to_string()
    }
}

/// SG_IO on a descriptor someone else owns (the st driver's `/dev/nstN` of a `StDevice`).
#[derive(Debug)]
pub struct BorrowedSg<'a> {
    fd: BorrowedFd<'a>,
    name: &'a str,
}

impl<'a> BorrowedSg<'a> {
    #[must_use]
    pub fn new(fd: BorrowedFd<'a>, name: &'a str) -> Self {
        Self { fd, name }
    }
}

impl ScsiTransport for BorrowedSg<'_> {
    fn execute(&mut self, cdb: &[u8], data: DataDir<'_>, timeout: Duration) -> Result<CommandResult> {
        sg_io(self.fd, self.name, cdb, data, timeout)
    }

    fn name(&self) -> String {
        self.name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use std::mem::{offset_of, size_of};

    use super::*;

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn header_layout_matches_the_kernel() {
        assert_eq!(size_of::<SgIoHdr>(), 88);
        assert_eq!(offset_of!(SgIoHdr, interface_id), 0);
        assert_eq!(offset_of!(SgIoHdr, dxfer_direction), 4);
        assert_eq!(offset_of!(SgIoHdr, cmd_len), 8);
        assert_eq!(offset_of!(SgIoHdr, mx_sb_len), 9);
        assert_eq!(offset_of!(SgIoHdr, iovec_count), 10);
        assert_eq!(offset_of!(SgIoHdr, dxfer_len), 12);
        assert_eq!(offset_of!(SgIoHdr, dxferp), 16);
        assert_eq!(offset_of!(SgIoHdr, cmdp), 24);
        assert_eq!(offset_of!(SgIoHdr, sbp), 32);
        assert_eq!(offset_of!(SgIoHdr, timeout), 40);
        assert_eq!(offset_of!(SgIoHdr, flags), 44);
        assert_eq!(offset_of!(SgIoHdr, pack_id), 48);
        assert_eq!(offset_of!(SgIoHdr, usr_ptr), 56);
        assert_eq!(offset_of!(SgIoHdr, status), 64);
        assert_eq!(offset_of!(SgIoHdr, masked_status), 65);
        assert_eq!(offset_of!(SgIoHdr, msg_status), 66);
        assert_eq!(offset_of!(SgIoHdr, sb_len_wr), 67);
        assert_eq!(offset_of!(SgIoHdr, host_status), 68);
        assert_eq!(offset_of!(SgIoHdr, driver_status), 70);
        assert_eq!(offset_of!(SgIoHdr, resid), 72);
        assert_eq!(offset_of!(SgIoHdr, duration), 76);
        assert_eq!(offset_of!(SgIoHdr, info), 80);
    }

    #[test]
    fn ioctl_numbers_and_directions() {
        assert_eq!(SG_IO, 0x2285);
        assert_eq!(SG_GET_VERSION_NUM, 0x2282);
        assert_eq!((SG_DXFER_NONE, SG_DXFER_TO_DEV, SG_DXFER_FROM_DEV), (-1, -2, -3));
        assert_eq!(timeout_ms(Duration::from_secs(900)), 900_000);
        assert_eq!(timeout_ms(Duration::from_secs(u64::MAX)), u32::MAX - 1);
    }

    #[test]
    fn missing_node_is_device_not_found() {
        let e = SgDevice::open("/nonexistent/sg99").unwrap_err();
        assert_eq!(e.code(), "DEVICE_NOT_FOUND");
        assert!(e.to_string().starts_with("/nonexistent/sg99: "), "{e}");
    }

    #[test]
    fn permission_denied_is_mapped() {
        // Root can open anything, so check the mapping itself with the errno open(2) would give.
        let e = open_error(Path::new("/dev/sg0"), std::io::Error::from_raw_os_error(libc::EACCES));
        assert_eq!(e.code(), "PERMISSION_DENIED");
        assert_eq!(e.to_string().lines().count(), 1);
    }

    #[test]
    fn regular_file_is_not_an_sg_device() {
        let f = tempfile::NamedTempFile::new().unwrap();
        let e = SgDevice::open(f.path()).unwrap_err();
        assert_eq!(e.code(), "NOT_SG_DEVICE");
        assert!(e.to_string().contains("not a character device"), "{e}");
    }

    #[test]
    fn other_char_device_is_not_an_sg_device() {
        let e = SgDevice::open("/dev/null").unwrap_err();
        assert_eq!(e.code(), "NOT_SG_DEVICE");
        assert!(e.to_string().contains("SG_GET_VERSION_NUM"), "{e}");
    }
}
