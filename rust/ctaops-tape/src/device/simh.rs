//! A tape image file in the SIMH magtape format (design.md): each record is a 4-byte
//! little-endian length, the data, a pad byte if the length is odd, and the length again; a
//! zero length word is a tape mark; `0xFFFFFFFF` marks the end of medium.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::mapped::{SharedBlock, WINDOW, Window};
use super::{Record, SharedRecord, TapeDevice};
use crate::error::{Result, TapeError};

const END_OF_MEDIUM: u32 = 0xFFFF_FFFF;
/// Length words with any of these bits set are SIMH error/class markers, not data lengths.
const CLASS_BITS: u32 = 0xFF00_0000;

/// A SIMH tape image.
///
/// Byte offsets of every object seen so far are kept (8 bytes per object: 512 KiB for a 16 GiB
/// tape of 256 KiB blocks), so locating backwards and spacing backwards never rescan.
#[derive(Debug)]
pub struct SimhImage {
    file: File,
    path: PathBuf,
    writable: bool,
    /// `offsets[i]` is where object `i` starts; the last entry is the furthest known object.
    offsets: Vec<u64>,
    object: usize,
    len: u64,
    /// The mapped window the last zero-copy read used (read-only images only).
    window: Option<Arc<Window>>,
    /// Whether `flush` waits for the data to reach the disk (fsync) or only for the page cache.
    sync: bool,
}

/// An image is a regular file. Checked before opening: opening a FIFO blocks until a writer
/// comes, and a character device such as `/dev/null` reads as a blank tape, a wrong answer
/// (a tape drive is opened as a drive, `--device`, not as an image).
fn refuse_special_file(path: &Path) -> Result<()> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        // Missing files are reported (or created) by the open itself.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(TapeError::io(path, e)),
    };
    let ft = meta.file_type();
    let kind = {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_file() || ft.is_dir() {
            return Ok(()); // a directory gets its own error from the open path
        } else if ft.is_fifo() {
            "a FIFO"
        } else if ft.is_char_device() {
            "a character device"
        } else if ft.is_block_device() {
            "a block device"
        } else if ft.is_socket() {
            "a socket"
        } else {
            "a special file"
        }
    };
    Err(TapeError::InvalidArgument(format!(
        "{}: is {kind}, not a tape image (an image is a regular file; read a tape drive with --device)",
        path.display()
    )))
}

enum Word {
    End,
    Mark,
    Data(u64),
}

impl SimhImage {
    /// Opens an existing image (read-only unless `writable`).
    pub fn open(path: impl AsRef<Path>, writable: bool) -> Result<Self> {
        let path = path.as_ref();
        refuse_special_file(path)?;
        let file = OpenOptions::new()
            .read(true)
            .write(writable)
            .open(path)
            .map_err(|e| TapeError::io(path, e))?;
        Self::from_file(file, path, writable)
    }

    /// Chooses what `flush` guarantees: `true` (the default) waits for the disk; `false` only
    /// for the page cache, which survives a killed process but not a power cut (the simulator's
    /// trade-off, matching its SQLite catalogue's `synchronous=NORMAL`).
    pub fn set_sync(&mut self, sync: bool) {
        self.sync = sync;
    }

    /// Opens an image for writing, creating an empty (blank) one if it does not exist.
    pub fn open_or_create(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        refuse_special_file(path)?;
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| TapeError::io(path, e))?;
        Self::from_file(file, path, true)
    }

    fn from_file(file: File, path: &Path, writable: bool) -> Result<Self> {
        let meta = file.metadata().map_err(|e| TapeError::io(path, e))?;
        if meta.is_dir() {
            return Err(TapeError::io(
                path,
                std::io::Error::from(std::io::ErrorKind::IsADirectory),
            ));
        }
        Ok(Self {
            file,
            path: path.to_owned(),
            writable,
            offsets: vec![0],
            object: 0,
            len: meta.len(),
            sync: true,
            window: None,
        })
    }

    fn io(&self, e: std::io::Error) -> TapeError {
        TapeError::io(&self.path, e)
    }

    fn word_at(&self, off: u64) -> Result<Word> {
        if off >= self.len {
            return Ok(Word::End);
        }
        if off + 4 > self.len {
            return Err(TapeError::TruncatedImage {
                offset: off,
                object: self.object as u64,
            });
        }
        let mut w = [0u8; 4];
        self.file.read_exact_at(&mut w, off).map_err(|e| self.io(e))?;
        match u32::from_le_bytes(w) {
            0 => Ok(Word::Mark),
            END_OF_MEDIUM => Ok(Word::End),
            v if v & CLASS_BITS != 0 => Err(TapeError::Framing {
                offset: off,
                object: self.object as u64,
                detail: format!("length word {v:#010x} is not a record length"),
                recoverable: false,
            }),
            v => Ok(Word::Data(u64::from(v))),
        }
    }

    /// Checks a data record's extent and trailing length; returns the offset after it.
    fn check_record(&self, off: u64, len: u64) -> Result<u64> {
        let padded = len + (len & 1);
        let end = off + 4 + padded + 4;
        if end > self.len {
            return Err(TapeError::TruncatedRecord {
                offset: off,
                object: self.object as u64,
                declared: len,
                available: self.len.saturating_sub(off + 4),
            });
        }
        Ok(end)
    }

    fn trailer_matches(&self, off: u64, len: u64) -> Result<bool> {
        let padded = len + (len & 1);
        let mut w = [0u8; 4];
        self.file
            .read_exact_at(&mut w, off + 4 + padded)
            .map_err(|e| self.io(e))?;
        Ok(u64::from(u32::from_le_bytes(w)) == len)
    }

    fn framing(&self, off: u64, len: u64) -> TapeError {
        TapeError::Framing {
            offset: off,
            object: self.object as u64 - 1,
            detail: format!("leading length {len} and trailing length disagree"),
            recoverable: true,
        }
    }

    fn advance(&mut self, next: u64) {
        if self.object + 1 == self.offsets.len() {
            self.offsets.push(next);
        }
        self.object += 1;
    }

    fn current_offset(&self) -> u64 {
        self.offsets[self.object]
    }

    fn ensure_writable(&self) -> Result<()> {
        if self.writable {
            Ok(())
        } else {
            Err(TapeError::Refused(format!(
                "{}: image opened read-only",
                self.path.display()
            )))
        }
    }

    /// Appends raw bytes at the current object, cutting off everything after it.
    fn put(&mut self, parts: &[&[u8]]) -> Result<()> {
        self.ensure_writable()?;
        let mut off = self.current_offset();
        if self.len > off {
            self.file.set_len(off).map_err(|e| self.io(e))?;
        }
        for part in parts {
            self.file.write_all_at(part, off).map_err(|e| self.io(e))?;
            off += part.len() as u64;
        }
        self.len = off;
        self.offsets.truncate(self.object + 1);
        self.advance(off);
        Ok(())
    }

    /// A window covering `[off, off + len)`, reusing the current one when it does.
    fn window_for(&mut self, off: u64, len: u64) -> Result<Arc<Window>> {
        if let Some(w) = &self.window
            && off >= w.start
            && off + len <= w.end()
        {
            return Ok(Arc::clone(w));
        }
        let start = off - off % WINDOW;
        let end = (start + WINDOW).max(off + len).min(self.len);
        let size = usize::try_from(end - start).map_err(|_| TapeError::InvalidArgument("window too large".into()))?;
        let w = Window::map(&self.file, start, size).map_err(|e| self.io(e))?;
        self.window = Some(Arc::clone(&w));
        Ok(w)
    }

    /// The image file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl TapeDevice for SimhImage {
    fn bytes_past_end(&mut self) -> Option<u64> {
        let off = self.current_offset();
        // An end-of-medium word at `off`, with bytes after it: the rest was cut off from reading.
        match self.word_at(off) {
            Ok(Word::End) if off + 4 < self.len => Some(self.len - off - 4),
            _ => None,
        }
    }

    fn read_record(&mut self, buf: &mut [u8]) -> Result<Record> {
        let off = self.current_offset();
        match self.word_at(off)? {
            Word::End => Ok(Record::EndOfData),
            Word::Mark => {
                self.advance(off + 4);
                Ok(Record::TapeMark)
            }
            Word::Data(len) => {
                let end = self.check_record(off, len)?;
                let object = self.object as u64;
                if len > buf.len() as u64 {
                    let ok = self.trailer_matches(off, len)?;
                    self.advance(end);
                    if !ok {
                        return Err(self.framing(off, len));
                    }
                    return Err(TapeError::BlockTooLong {
                        object,
                        len: Some(len),
                        max: buf.len(),
                    });
                }
                let n = len as usize;
                self.file
                    .read_exact_at(&mut buf[..n], off + 4)
                    .map_err(|e| self.io(e))?;
                let ok = self.trailer_matches(off, len)?;
                self.advance(end);
                if ok {
                    Ok(Record::Data(n))
                } else {
                    Err(self.framing(off, len))
                }
            }
        }
    }

    fn read_record_shared(&mut self, max: usize) -> Option<Result<SharedRecord>> {
        // A writable image may be cut short by our own writes: never map it.
        if self.writable {
            return None;
        }
        let off = self.current_offset();
        let mut read = || -> Result<SharedRecord> {
            match self.word_at(off)? {
                Word::End => Ok(SharedRecord::EndOfData),
                Word::Mark => {
                    self.advance(off + 4);
                    Ok(SharedRecord::TapeMark)
                }
                Word::Data(len) => {
                    let end = self.check_record(off, len)?;
                    let object = self.object as u64;
                    let ok = self.trailer_matches(off, len)?;
                    if len > max as u64 {
                        self.advance(end);
                        if !ok {
                            return Err(self.framing(off, len));
                        }
                        return Err(TapeError::BlockTooLong {
                            object,
                            len: Some(len),
                            max,
                        });
                    }
                    let window = self.window_for(off + 4, len)?;
                    self.advance(end);
                    if !ok {
                        return Err(self.framing(off, len));
                    }
                    Ok(SharedRecord::Data(SharedBlock::new(window, off + 4, len as usize)))
                }
            }
        };
        Some(read())
    }

    fn skip_record(&mut self) -> Result<Record> {
        let off = self.current_offset();
        match self.word_at(off)? {
            Word::End => Ok(Record::EndOfData),
            Word::Mark => {
                self.advance(off + 4);
                Ok(Record::TapeMark)
            }
            Word::Data(len) => {
                let end = self.check_record(off, len)?;
                let ok = self.trailer_matches(off, len)?;
                self.advance(end);
                if ok {
                    Ok(Record::Data(len as usize))
                } else {
                    Err(self.framing(off, len))
                }
            }
        }
    }

    fn write_record(&mut self, data: &[u8]) -> Result<()> {
        let len = u32::try_from(data.len())
            .ok()
            .filter(|&l| l != 0 && l & CLASS_BITS == 0)
            .ok_or_else(|| TapeError::InvalidArgument(format!("cannot write a {}-byte block", data.len())))?;
        let word = len.to_le_bytes();
        let pad: &[u8] = if len & 1 == 1 { &[0] } else { &[] };
        self.put(&[&word, data, pad, &word])
    }

    fn write_tape_marks(&mut self, count: u32) -> Result<()> {
        for _ in 0..count {
            self.put(&[&[0u8; 4]])?;
        }
        Ok(())
    }

    fn space_marks_forward(&mut self, count: u32) -> Result<()> {
        for _ in 0..count {
            loop {
                match self.skip_record()? {
                    Record::TapeMark => break,
                    Record::Data(_) => {}
                    Record::EndOfData => {
                        return Err(TapeError::EndOfData {
                            object: self.object as u64,
                            doing: "spacing forward",
                        });
                    }
                }
            }
        }
        Ok(())
    }

    fn space_marks_backward(&mut self, count: u32) -> Result<()> {
        for _ in 0..count {
            loop {
                if self.object == 0 {
                    return Err(TapeError::InvalidArgument(
                        "beginning of tape reached while spacing backward".into(),
                    ));
                }
                self.object -= 1;
                // A tape mark is the only 4-byte object (a data record takes at least 9 bytes).
                if self.offsets[self.object + 1] - self.offsets[self.object] == 4 {
                    break;
                }
            }
        }
        Ok(())
    }

    fn locate(&mut self, object: u64) -> Result<()> {
        let target = usize::try_from(object).map_err(|_| TapeError::InvalidArgument(format!("object {object}")))?;
        if target < self.offsets.len() {
            self.object = target;
            return Ok(());
        }
        self.object = self.offsets.len() - 1;
        while self.object < target {
            if self.skip_record()? == Record::EndOfData {
                return Err(TapeError::EndOfData {
                    object: self.object as u64,
                    doing: "locating",
                });
            }
        }
        Ok(())
    }

    fn rewind(&mut self) -> Result<()> {
        self.object = 0;
        Ok(())
    }

    fn position(&mut self) -> Result<u64> {
        Ok(self.object as u64)
    }

    fn flush(&mut self) -> Result<()> {
        if self.writable && self.sync {
            self.file.sync_data().map_err(|e| self.io(e))
        } else {
            Ok(())
        }
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }
}
