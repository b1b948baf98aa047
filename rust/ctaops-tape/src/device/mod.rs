//! Tape devices: anything that stores a sequence of records and tape marks.
//!
//! Positions are logical object numbers: blocks and tape marks both count, starting at 0 at
//! BOT, as SCSI READ POSITION reports them (cta-interfaces.md §3.1).

mod mapped;
mod memory;
mod simh;
pub mod st;

pub use mapped::SharedBlock;

pub use memory::MemoryTape;
pub use simh::SimhImage;
pub use st::StDevice;

use crate::error::Result;

/// What one read returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// A data block of that many bytes (now in the start of the caller's buffer).
    Data(usize),
    /// A tape mark (file mark); reading moved past it.
    TapeMark,
    /// Nothing was ever written here: end of data (the position did not change).
    EndOfData,
}

/// What a zero-copy read returned ([`TapeDevice::read_record_shared`]).
#[derive(Debug, Clone)]
pub enum SharedRecord {
    Data(SharedBlock),
    TapeMark,
    EndOfData,
}

/// A tape, positioned at one logical object.
///
/// Writes truncate: everything after the written object is gone, as on a real tape.
pub trait TapeDevice {
    /// Reads the record at the current position into `buf` and moves past it.
    ///
    /// A block longer than `buf` fails with [`crate::TapeError::BlockTooLong`] after moving past it.
    fn read_record(&mut self, buf: &mut [u8]) -> Result<Record>;

    /// Moves past one object without transferring its data; returns what it was
    /// ([`Record::Data`] carries the length when the device knows it, otherwise 0).
    fn skip_record(&mut self) -> Result<Record> {
        let mut scratch = vec![0u8; MAX_RECORD_LEN];
        self.read_record(&mut scratch)
    }

    /// Like [`TapeDevice::read_record`] (same errors, same positioning) but without copying the
    /// data, where the device can (read-only image files); `None` means "use `read_record`".
    fn read_record_shared(&mut self, max: usize) -> Option<Result<SharedRecord>> {
        let _ = max;
        None
    }

    /// Writes one data block at the current position.
    fn write_record(&mut self, data: &[u8]) -> Result<()>;

    /// Writes `count` tape marks at the current position.
    fn write_tape_marks(&mut self, count: u32) -> Result<()>;

    /// Spaces forward over `count` tape marks, stopping just after the last one.
    fn space_marks_forward(&mut self, count: u32) -> Result<()>;

    /// Spaces backward over `count` tape marks, stopping just before (at) the last one.
    fn space_marks_backward(&mut self, count: u32) -> Result<()>;

    /// Moves to logical object `object` (which must exist, or be the end of data).
    fn locate(&mut self, object: u64) -> Result<()>;

    /// Moves to BOT (object 0).
    fn rewind(&mut self) -> Result<()>;

    /// The current logical object number.
    fn position(&mut self) -> Result<u64>;

    /// Makes written data durable (st: flush the drive buffer; image: fsync).
    fn flush(&mut self) -> Result<()>;

    /// Where the device lives, for messages.
    fn describe(&self) -> String;

    /// The drive's vendor, product and serial number as its INQUIRY gives them, which CTA's tape
    /// server writes into every UHL1/UTL1; `None` for a device that is not a drive (an image).
    fn drive_identity(&mut self) -> Option<DriveLabelIdentity> {
        None
    }

    /// At the end of data: bytes the medium holds past it that no drive could read (an image
    /// with something after its end-of-medium marker). `None` when there is nothing, or the
    /// device cannot tell (a drive).
    fn bytes_past_end(&mut self) -> Option<u64> {
        None
    }

    /// The smallest block the device accepts (1 unless a drive says more in READ BLOCK LIMITS).
    fn min_block(&self) -> usize {
        1
    }
}

/// What a drive says about itself, for the UHL1 drive fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriveLabelIdentity {
    pub vendor: String,
    pub product: String,
    pub serial: String,
}

/// The largest record any reader here accepts (SIMH images cannot hold more than 2^24 − 1).
pub const MAX_RECORD_LEN: usize = (1 << 24) - 1;

impl<T: TapeDevice + ?Sized> TapeDevice for Box<T> {
    fn read_record(&mut self, buf: &mut [u8]) -> Result<Record> {
        (**self).read_record(buf)
    }
    fn skip_record(&mut self) -> Result<Record> {
        (**self).skip_record()
    }
    fn read_record_shared(&mut self, max: usize) -> Option<Result<SharedRecord>> {
        (**self).read_record_shared(max)
    }
    fn write_record(&mut self, data: &[u8]) -> Result<()> {
        (**self).write_record(data)
    }
    fn write_tape_marks(&mut self, count: u32) -> Result<()> {
        (**self).write_tape_marks(count)
    }
    fn space_marks_forward(&mut self, count: u32) -> Result<()> {
        (**self).space_marks_forward(count)
    }
    fn space_marks_backward(&mut self, count: u32) -> Result<()> {
        (**self).space_marks_backward(count)
    }
    fn locate(&mut self, object: u64) -> Result<()> {
        (**self).locate(object)
    }
    fn rewind(&mut self) -> Result<()> {
        (**self).rewind()
    }
    fn position(&mut self) -> Result<u64> {
        (**self).position()
    }
    fn flush(&mut self) -> Result<()> {
        (**self).flush()
    }
    fn describe(&self) -> String {
        (**self).describe()
    }
}

#[cfg(test)]
mod tests;
