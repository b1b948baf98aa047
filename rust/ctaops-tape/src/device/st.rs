//! A Linux `st` tape drive (`/dev/nstN`) in variable block mode, driven as CTA's `DriveGeneric`
//! drives it (`taped/drive/DriveGeneric.cpp`): data through `read`/`write`, tape marks and spacing
//! through `MTIOCTOP`, status through `MTIOCGET`, and READ POSITION, LOCATE, SPACE and READ BLOCK
//! LIMITS as SG_IO on the same descriptor (the st driver passes SG_IO through).
//!
//! In variable mode one `read` returns one block (ENOMEM if the buffer is too small, the tape then
//! being past the block) and a tape mark reads as 0 bytes; a 0-byte read with `GMT_EOD` set is the
//! end of data.
//!
//! Learned against the kernel's st driver and tgt's SSC emulation (tests/devices):
//! - st refuses a variable-mode read or write larger than the drive's READ BLOCK LIMITS maximum
//!   (EINVAL), so reads never ask for more than that.
//! - A drive that cannot tell its position (READ POSITION with BPU set; tgt always answers so) or
//!   that rejects LOCATE is driven by counting: every object read, written or spaced over since
//!   the last rewind is counted, and a locate becomes a forward read from the counted position
//!   (or from BOT). The count is exact because nothing else moves the tape meanwhile.
//! - tgt reports end of data with BLANK CHECK plus the EOM bit and no INFORMATION field; st then
//!   hands back the whole buffer of stale bytes and flags EOM/EOD. A full-buffer read that comes
//!   with those flags is therefore end of data, not a block.
//! - A blank cartridge answers a read at BOT with BLANK CHECK (real drives: EIO from st) or as
//!   above (tgt); SPACE 1 block at BOT reports END-OF-DATA DETECTED (00/05) on both, which is
//!   what [`StDevice`] uses to tell "blank" from "unreadable".

use std::ffi::{c_int, c_long, c_short};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use ctaops_scsi::ScsiError;
use ctaops_scsi::cdb::{PositionForm, SpaceCode};
use ctaops_scsi::drive::TapeDrive;
use ctaops_scsi::sense::{Sense, SenseKey};
use ctaops_scsi::sgio::BorrowedSg;

use super::{DriveLabelIdentity, MAX_RECORD_LEN, Record, TapeDevice};
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
    pub const MTBSR: i16 = 4;
    pub const MTWEOF: i16 = 5;
    pub const MTREW: i16 = 6;
    pub const MTSETBLK: i16 = 20;
    pub const MTSEEK: i16 = 22;
    pub const MTLOAD: i16 = 30;
    pub const MTUNLOAD: i16 = 31;
}

/// `mt_gstat` bits.
pub const GMT_EOF: c_long = 0x8000_0000;
pub const GMT_BOT: c_long = 0x4000_0000;
pub const GMT_EOT: c_long = 0x2000_0000;
pub const GMT_EOD: c_long = 0x0800_0000;
pub const GMT_WR_PROT: c_long = 0x0400_0000;
pub const GMT_ONLINE: c_long = 0x0100_0000;

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

/// Whether the drive does something, once asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ability {
    Unknown,
    Yes,
    No,
}

/// A tape drive opened through the st driver.
#[derive(Debug)]
pub struct StDevice {
    file: File,
    path: PathBuf,
    name: String,
    /// The drive's largest block (READ BLOCK LIMITS): no read asks for more.
    max_block: usize,
    /// The drive's smallest block (READ BLOCK LIMITS; 1 on LTO drives, 4 on tgt).
    min_block: usize,
    /// Objects from BOT to here, counted since the last rewind; `None` once the tape moved by an
    /// amount nobody counted (MTFSF on a drive that reports positions itself).
    counted: Option<u64>,
    /// While counting: the object number of every tape mark between BOT and here.
    marks: Vec<u64>,
    reports_position: Ability,
    locates: Ability,
    /// Whether a block shorter than the read request arrives whole (see `check_short_block`).
    short_blocks_arrive: Ability,
    /// Reused by [`TapeDevice::skip_record`] when counting.
    scratch: Vec<u8>,
}

impl StDevice {
    /// Opens the drive (read-only unless `writable`) without waiting for it (O_NONBLOCK, as CTA
    /// does), checks that it is a tape drive with a cartridge loaded, sets variable block mode
    /// and reads the drive's block limits.
    pub fn open(path: impl AsRef<Path>, writable: bool) -> Result<Self> {
        let path = path.as_ref();
        let file = OpenOptions::new()
            .read(true)
            .write(writable)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .map_err(|e| TapeError::io(path, e))?;
        let mut dev = Self {
            file,
            path: path.to_owned(),
            name: path.display().to_string(),
            max_block: MAX_RECORD_LEN,
            min_block: 1,
            counted: None,
            marks: Vec::new(),
            reports_position: Ability::Unknown,
            locates: Ability::Unknown,
            short_blocks_arrive: Ability::Unknown,
            scratch: Vec::new(),
        };
        let status = dev.status().map_err(|e| match e {
            TapeError::Io { source, .. } if is_not_a_tape(&source) => TapeError::NotATape {
                path: path.to_owned(),
                detail: source.to_string(),
            },
            other => other,
        })?;
        if status.mt_gstat & GMT_ONLINE == 0 {
            return Err(map_error(path, std::io::Error::from_raw_os_error(libc::ENOMEDIUM)));
        }
        if writable && status.mt_gstat & GMT_WR_PROT != 0 {
            return Err(TapeError::Refused(format!(
                "{}: the cartridge is write-protected",
                path.display()
            )));
        }
        dev.mt(op::MTSETBLK, 0)?;
        if let Ok(limits) = dev.scsi().block_limits()
            && limits.max > 0
        {
            dev.max_block = usize::try_from(limits.max)
                .unwrap_or(MAX_RECORD_LEN)
                .min(MAX_RECORD_LEN);
            dev.min_block = usize::from(limits.min).max(1);
        }
        if status.mt_gstat & GMT_BOT != 0 {
            dev.counted = Some(0);
        }
        Ok(dev)
    }

    /// SCSI commands to the drive through this descriptor.
    fn scsi(&self) -> TapeDrive<BorrowedSg<'_>> {
        TapeDrive::new(BorrowedSg::new(self.file.as_fd(), &self.name))
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

    /// The largest block this drive reads or writes.
    #[must_use]
    pub fn max_block(&self) -> usize {
        self.max_block
    }

    /// Rewinds and unloads the cartridge (MTUNLOAD), so that the library may take it.
    pub fn unload(&mut self) -> Result<()> {
        self.counted = None;
        self.marks.clear();
        self.mt(op::MTUNLOAD, 1)
    }

    /// Whether the cartridge is blank: rewound, SPACE 1 block stops at end of data at once.
    ///
    /// CTA's `isTapeBlank` asks the st driver (MTFSR fails, then GMT_EOD and GMT_BOT), which
    /// depends on st recognising the drive's sense; asking the drive itself works for drives that
    /// answer BLANK CHECK (the standard) and for those that answer NO SENSE with 00/05 (tgt).
    pub fn is_blank(&mut self) -> Result<bool> {
        self.rewind()?;
        let outcome = self.scsi().space(SpaceCode::Blocks, 1);
        let blank = match outcome {
            Ok(o) => o.stopped_by.as_ref().is_some_and(is_end_of_data),
            Err(ScsiError::CheckCondition { sense, .. }) if is_end_of_data(&sense) => true,
            Err(e) => return Err(self.scsi_err(e)),
        };
        self.rewind()?;
        Ok(blank)
    }

    fn err(&self, e: std::io::Error) -> TapeError {
        map_error(&self.path, e)
    }

    fn scsi_err(&self, source: ScsiError) -> TapeError {
        TapeError::Scsi {
            path: self.path.clone(),
            source,
        }
    }

    fn count(n: u32) -> Result<i32> {
        i32::try_from(n).map_err(|_| TapeError::InvalidArgument(format!("count {n} too large")))
    }

    fn counting(&mut self) -> Result<bool> {
        if self.reports_position == Ability::Unknown {
            self.drive_position()?;
        }
        Ok(self.reports_position == Ability::No)
    }

    /// READ POSITION as CTA's `getPositionInfo` asks it; `None` when the drive cannot tell.
    fn drive_position(&mut self) -> Result<Option<u64>> {
        if self.reports_position == Ability::No {
            return Ok(None);
        }
        match self.scsi().read_position(PositionForm::Short) {
            Ok(p) if !p.location_unknown => {
                self.reports_position = Ability::Yes;
                Ok(Some(p.block))
            }
            Ok(_) => {
                tracing::debug!(device = %self.name, "READ POSITION: block position unknown (BPU); counting objects");
                self.reports_position = Ability::No;
                Ok(None)
            }
            Err(ScsiError::CheckCondition { sense, .. }) if sense.key == SenseKey::ILLEGAL_REQUEST => {
                self.reports_position = Ability::No;
                Ok(None)
            }
            Err(e) => Err(self.scsi_err(e)),
        }
    }

    fn moved(&mut self, objects: u64) {
        if let Some(c) = &mut self.counted {
            *c += objects;
        }
    }

    fn passed_mark(&mut self) {
        if let Some(c) = self.counted {
            self.marks.push(c);
            self.counted = Some(c + 1);
        }
    }

    fn lost_count(&mut self) {
        self.counted = None;
        self.marks.clear();
    }

    /// Makes sure `block`, just read short of the request, holds the block's data.
    ///
    /// tgt over iSCSI (Debian 12's kernel and tgt 1.0.85) loses the data of a block shorter than
    /// the request when the request is at most twice its length: st returns the right count over
    /// a buffer the target never filled. A file's last block read with CTA's 256 KiB request is
    /// such a block. The first time, the block is read again (MTBSR 1) with a request more than
    /// twice as long and compared: equal means this drive and transport deliver short blocks, and
    /// reads stay exactly as CTA makes them (one backspace per session on a real drive); different
    /// means every such block is read again from then on (one extra read per file, not per block).
    fn check_short_block(&mut self, block: &mut [u8]) -> Result<()> {
        let n = block.len();
        let len = self.max_block;
        if len <= 2 * n {
            // No longer request possible: nothing to compare with (and nothing tgt would lose
            // that this read could recover).
            return Ok(());
        }
        self.mt(op::MTBSR, 1)?;
        let mut again = std::mem::take(&mut self.scratch);
        again.resize(len, 0);
        let read = self.file.read(&mut again);
        let outcome = match read {
            Ok(m) if m == n => {
                // A block of one repeated byte (zeros, say) could equal a buffer the target never
                // filled: it proves nothing either way, so the question stays open.
                let telling = again[..n].iter().any(|&b| b != again[0]);
                if self.short_blocks_arrive == Ability::Unknown && telling {
                    let arrive = again[..n] == *block;
                    tracing::debug!(device = %self.name, arrive, "short blocks checked by reading one again");
                    self.short_blocks_arrive = if arrive { Ability::Yes } else { Ability::No };
                }
                block.copy_from_slice(&again[..n]);
                Ok(())
            }
            Ok(m) => Err(TapeError::io(
                &self.path,
                std::io::Error::other(format!("a {n}-byte block read again gave {m} bytes")),
            )),
            Err(e) => Err(self.err(e)),
        };
        self.scratch = again;
        if outcome.is_err() {
            self.lost_count();
        }
        outcome
    }

    /// Reads forward, counting, until the counted position is `object`.
    fn read_forward_to(&mut self, object: u64) -> Result<()> {
        loop {
            let here = self.counted.ok_or(TapeError::PositionUnknown {
                path: self.path.clone(),
            })?;
            if here >= object {
                return Ok(());
            }
            if self.skip_record()? == Record::EndOfData {
                return Err(TapeError::EndOfData {
                    object: here,
                    doing: "locating",
                });
            }
        }
    }
}

fn is_end_of_data(sense: &Sense) -> bool {
    sense.key == SenseKey::BLANK_CHECK || (sense.asc, sense.ascq) == (0x00, 0x05)
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
        Some(libc::ENOSPC) => TapeError::EndOfMedium { path: path.to_owned() },
        Some(libc::EACCES | libc::EROFS) => {
            TapeError::io(path, std::io::Error::new(e.kind(), "the cartridge is write-protected"))
        }
        _ => TapeError::io(path, e),
    }
}

impl TapeDevice for StDevice {
    fn read_record(&mut self, buf: &mut [u8]) -> Result<Record> {
        let want = buf.len().min(self.max_block);
        match self.file.read(&mut buf[..want]) {
            Ok(0) => {
                let eod = self.status()?.mt_gstat & GMT_EOD != 0;
                if eod {
                    Ok(Record::EndOfData)
                } else {
                    self.passed_mark();
                    Ok(Record::TapeMark)
                }
            }
            Ok(n) => {
                // Stale bytes of a BLANK CHECK read that st took for a block (see the module doc).
                if n == want && self.status()?.mt_gstat & (GMT_EOD | GMT_EOT) != 0 {
                    return Ok(Record::EndOfData);
                }
                if n < want && want <= 2 * n && self.short_blocks_arrive != Ability::Yes {
                    self.check_short_block(&mut buf[..n])?;
                }
                self.moved(1);
                Ok(Record::Data(n))
            }
            Err(e) if e.raw_os_error() == Some(libc::ENOMEM) => {
                let object = self.counted.unwrap_or(0);
                self.moved(1);
                Err(TapeError::BlockTooLong {
                    object,
                    len: None,
                    max: want,
                })
            }
            // A blank tape read at BOT: st gives EIO for the drive's BLANK CHECK.
            Err(e) if e.raw_os_error() == Some(libc::EIO) && self.counted == Some(0) && self.is_blank()? => {
                Ok(Record::EndOfData)
            }
            Err(e) => {
                self.lost_count();
                Err(self.err(e))
            }
        }
    }

    fn skip_record(&mut self) -> Result<Record> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.resize(self.max_block, 0);
        let got = self.read_record(&mut scratch);
        self.scratch = scratch;
        got
    }

    fn write_record(&mut self, data: &[u8]) -> Result<()> {
        if data.len() < self.min_block {
            // st would pass it on and the drive refuse it (EINVAL); say what is wrong instead.
            return Err(TapeError::InvalidArgument(format!(
                "{}: a {}-byte block is smaller than the drive's minimum of {} bytes",
                self.name,
                data.len(),
                self.min_block
            )));
        }
        if data.len() > self.max_block {
            return Err(TapeError::InvalidArgument(format!(
                "{}: a {}-byte block is larger than the drive's maximum of {} bytes",
                self.name,
                data.len(),
                self.max_block
            )));
        }
        let n = self.file.write(data).map_err(|e| self.err(e))?;
        if n == data.len() {
            self.moved(1);
            Ok(())
        } else {
            self.lost_count();
            Err(TapeError::io(
                &self.path,
                std::io::Error::other(format!("short write: {n} of {} bytes", data.len())),
            ))
        }
    }

    fn write_tape_marks(&mut self, count: u32) -> Result<()> {
        self.mt(op::MTWEOF, Self::count(count)?)?;
        for _ in 0..count {
            self.passed_mark();
        }
        Ok(())
    }

    fn space_marks_forward(&mut self, count: u32) -> Result<()> {
        if self.counting()? && self.counted.is_some() {
            let mut left = count;
            while left > 0 {
                match self.skip_record()? {
                    Record::TapeMark => left -= 1,
                    Record::Data(_) => {}
                    Record::EndOfData => {
                        return Err(TapeError::EndOfData {
                            object: self.counted.unwrap_or(0),
                            doing: "spacing forward over tape marks",
                        });
                    }
                }
            }
            return Ok(());
        }
        self.lost_count();
        self.mt(op::MTFSF, Self::count(count)?)
    }

    fn space_marks_backward(&mut self, count: u32) -> Result<()> {
        let n = usize::try_from(count).unwrap_or(usize::MAX);
        let counted = self.counting()? && self.counted.is_some();
        self.mt(op::MTBSF, Self::count(count)?)?;
        if counted && n <= self.marks.len() && n > 0 {
            let at = self.marks[self.marks.len() - n];
            self.marks.truncate(self.marks.len() - n);
            self.counted = Some(at);
        } else {
            self.lost_count();
        }
        Ok(())
    }

    fn locate(&mut self, object: u64) -> Result<()> {
        if self.locates != Ability::No {
            let block = u32::try_from(object).map_err(|_| TapeError::InvalidArgument(format!("object {object}")))?;
            match self.scsi().locate(u64::from(block)) {
                Ok(()) => {
                    self.locates = Ability::Yes;
                    self.marks.clear();
                    self.counted = Some(object);
                    return Ok(());
                }
                Err(ScsiError::CheckCondition { sense, .. }) if sense.key == SenseKey::ILLEGAL_REQUEST => {
                    tracing::debug!(device = %self.name, "LOCATE refused; reading forward instead");
                    self.locates = Ability::No;
                }
                Err(e) => {
                    self.lost_count();
                    return Err(self.scsi_err(e));
                }
            }
        }
        if self.counted.is_none_or(|c| c > object) {
            self.rewind()?;
        }
        self.read_forward_to(object)
    }

    fn rewind(&mut self) -> Result<()> {
        self.mt(op::MTREW, 1)?;
        self.counted = Some(0);
        self.marks.clear();
        Ok(())
    }

    fn position(&mut self) -> Result<u64> {
        if let Some(p) = self.drive_position()? {
            return Ok(p);
        }
        self.counted.ok_or_else(|| TapeError::PositionUnknown {
            path: self.path.clone(),
        })
    }

    fn flush(&mut self) -> Result<()> {
        // MTWEOF with count 0 flushes the drive buffer (what CTA's flush() does).
        self.mt(op::MTWEOF, 0)
    }

    fn describe(&self) -> String {
        self.name.clone()
    }

    fn min_block(&self) -> usize {
        self.min_block
    }

    fn drive_identity(&mut self) -> Option<DriveLabelIdentity> {
        let mut drive = self.scsi();
        let inquiry = drive.inquiry().ok()?;
        // VPD page 0x80 is optional; without it the UHL1 serial keeps its placeholder.
        let serial = drive.serial().unwrap_or_default();
        Some(DriveLabelIdentity {
            vendor: inquiry.vendor,
            product: inquiry.product,
            serial,
        })
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
        let full = map_error(p, std::io::Error::from_raw_os_error(libc::ENOSPC));
        assert_eq!(full.code(), "TAPE_FULL");
        assert!(full.to_string().contains("end of medium"), "{full}");
        let wp = map_error(p, std::io::Error::from_raw_os_error(libc::EACCES));
        assert!(wp.to_string().contains("write-protected"), "{wp}");
    }

    #[test]
    fn end_of_data_sense_both_ways() {
        let blank = Sense::parse(&Sense::fixed_bytes(SenseKey::BLANK_CHECK, 0, 5, None, 0)).unwrap();
        let tgt = Sense::parse(&Sense::fixed_bytes(SenseKey::NO_SENSE, 0, 5, None, 0)).unwrap();
        let mark = Sense::parse(&Sense::fixed_bytes(SenseKey::NO_SENSE, 0, 1, None, 0x80)).unwrap();
        assert!(is_end_of_data(&blank));
        assert!(is_end_of_data(&tgt));
        assert!(!is_end_of_data(&mark));
    }
}
