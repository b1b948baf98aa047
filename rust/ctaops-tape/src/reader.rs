//! Reading files back the way CTA's `CtaReadSession`/`CtaFileReader` do (cta-interfaces.md §3.6):
//! strict, stopping at the first error. The verification engine has its own tolerant walker.

use ctaops_core::checksum::adler32;

use crate::device::{Record, TapeDevice};
use crate::error::{Result, TapeError};
use crate::format::hdr1_position;
use crate::label::{Hdr1, Hdr2, LABEL_LEN, LabelError, Section, Uhl1, Vol1};

/// Reads one 80-byte label record named `name`.
pub(crate) fn read_label(dev: &mut dyn TapeDevice, buf: &mut [u8], name: &'static str) -> Result<[u8; LABEL_LEN]> {
    let object = dev.position()?;
    let mut own = [0u8; LABEL_LEN];
    let buf = if buf.len() >= LABEL_LEN { buf } else { &mut own[..] };
    match dev.read_record(&mut buf[..LABEL_LEN]) {
        Ok(Record::Data(LABEL_LEN)) => {
            let mut rec = [0u8; LABEL_LEN];
            rec.copy_from_slice(&buf[..LABEL_LEN]);
            Ok(rec)
        }
        Ok(Record::Data(n)) => Err(TapeError::Unexpected {
            object,
            expected: name,
            found: format!("a {n}-byte block"),
        }),
        Ok(Record::TapeMark) => Err(TapeError::Unexpected {
            object,
            expected: name,
            found: "a tape mark".into(),
        }),
        Ok(Record::EndOfData) => Err(TapeError::Unexpected {
            object,
            expected: name,
            found: "end of data".into(),
        }),
        Err(TapeError::BlockTooLong { len, .. }) => Err(TapeError::Unexpected {
            object,
            expected: name,
            found: len.map_or_else(
                || "a block longer than 80 bytes".into(),
                |l| format!("a {l}-byte block"),
            ),
        }),
        Err(e) => Err(e),
    }
}

/// Reads one object that must be a tape mark.
pub(crate) fn expect_tape_mark(dev: &mut dyn TapeDevice, what: &'static str) -> Result<()> {
    let object = dev.position()?;
    let mut scratch = [0u8; LABEL_LEN];
    match dev.read_record(&mut scratch) {
        Ok(Record::TapeMark) => Ok(()),
        Ok(Record::Data(n)) => Err(TapeError::Unexpected {
            object,
            expected: what,
            found: format!("a {n}-byte block"),
        }),
        Ok(Record::EndOfData) => Err(TapeError::Unexpected {
            object,
            expected: what,
            found: "end of data".into(),
        }),
        Err(TapeError::BlockTooLong { len, .. }) => Err(TapeError::Unexpected {
            object,
            expected: what,
            found: len.map_or_else(|| "a data block".into(), |l| format!("a {l}-byte block")),
        }),
        Err(e) => Err(e),
    }
}

fn parse<T>(object: u64, r: std::result::Result<T, LabelError>) -> Result<T> {
    r.map_err(|source| TapeError::Label { object, source })
}

/// The three header records of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHeaders {
    /// Logical object number of HDR1.
    pub position: u64,
    pub hdr1: Hdr1,
    pub hdr2: Hdr2,
    pub uhl1: Uhl1,
}

/// The three trailer records of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileTrailers {
    pub eof1: Hdr1,
    pub eof2: Hdr2,
    pub utl1: Uhl1,
}

/// A file read completely.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadFile {
    pub headers: FileHeaders,
    pub trailers: FileTrailers,
    pub size: u64,
    pub adler32: u32,
    pub blocks: u64,
}

/// How to find a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Positioning {
    /// By fSeq, spacing over tape marks (`cta-readtp`).
    Fseq,
    /// By the catalogue's blockId, with a locate (taped's default).
    BlockId(u64),
}

/// A read session on one tape: VOL1 checked against the VID.
pub struct ReadSession<D: TapeDevice> {
    dev: D,
    vid: String,
    vol1: Vol1,
    /// fSeq of the file whose HDR1 is the current position, when positioned at a file start.
    at_fseq: Option<u64>,
    block_size: usize,
    label_buf: Vec<u8>,
}

impl<D: TapeDevice> ReadSession<D> {
    /// Rewinds, reads and verifies VOL1 and checks its VSN equals `vid`; positioned at object 1.
    pub fn open(mut dev: D, vid: &str) -> Result<Self> {
        let mut label_buf = vec![0u8; LABEL_LEN];
        let vol1 = Self::read_vol1(&mut dev, &mut label_buf)?;
        if !vol1.matches_vid(vid) {
            return Err(TapeError::WrongVsn {
                expected: vid.to_owned(),
                found: vol1.vsn,
            });
        }
        Ok(Self {
            dev,
            vid: vid.to_owned(),
            vol1,
            at_fseq: Some(1),
            block_size: 0,
            label_buf,
        })
    }

    fn read_vol1(dev: &mut D, buf: &mut [u8]) -> Result<Vol1> {
        dev.rewind()?;
        let bytes = read_label(dev, buf, "VOL1")?;
        parse(0, Vol1::parse(&bytes))
    }

    #[must_use]
    pub fn vol1(&self) -> &Vol1 {
        &self.vol1
    }

    /// The device, e.g. to close it or hand it on.
    pub fn into_device(self) -> D {
        self.dev
    }

    /// Block size from the last UHL1 read (0 before any).
    #[must_use]
    pub fn block_size(&self) -> usize {
        self.block_size
    }

    /// Positions at the HDR1 of `fseq` by spacing over tape marks, as `cta-readtp` does.
    pub fn position_by_fseq(&mut self, fseq: u64) -> Result<()> {
        if fseq == 0 {
            return Err(TapeError::InvalidArgument("fSeq 0 does not exist".into()));
        }
        let marks = |n: u64| u32::try_from(n).map_err(|_| TapeError::InvalidArgument(format!("fSeq {fseq}")));
        match self.at_fseq {
            _ if fseq == 1 => {
                Self::read_vol1(&mut self.dev, &mut self.label_buf)?;
            }
            Some(cur) if fseq >= cur => self.dev.space_marks_forward(marks(3 * (fseq - cur))?)?,
            Some(cur) => {
                self.dev.space_marks_backward(marks(3 * (cur - fseq) + 1)?)?;
                expect_tape_mark(&mut self.dev, "tape mark before HDR1")?;
            }
            None => {
                self.dev.locate(1)?;
                self.dev.space_marks_forward(marks(3 * (fseq - 1))?)?;
            }
        }
        self.at_fseq = Some(fseq);
        Ok(())
    }

    /// Locates to the HDR1 of a file by its catalogue blockId (0 means object 1).
    pub fn position_by_block_id(&mut self, block_id: u64) -> Result<()> {
        if block_id > u64::from(u32::MAX) {
            return Err(TapeError::InvalidArgument(format!(
                "blockId {block_id} is larger than 2^32-1"
            )));
        }
        let target = hdr1_position(block_id);
        if self.dev.position()? != target {
            self.dev.locate(target)?;
        }
        self.at_fseq = None;
        Ok(())
    }

    /// Reads and checks HDR1, HDR2, UHL1 and the tape mark against the expected file.
    pub fn check_headers(&mut self, archive_id: u64, fseq: u64) -> Result<FileHeaders> {
        let position = self.dev.position()?;
        let hdr1 = parse(
            position,
            Hdr1::parse(&read_label(&mut self.dev, &mut self.label_buf, "HDR1")?),
        )?;
        let hdr2 = parse(
            position + 1,
            Hdr2::parse(&read_label(&mut self.dev, &mut self.label_buf, "HDR2")?),
        )?;
        let uhl1 = parse(
            position + 2,
            Uhl1::parse(&read_label(&mut self.dev, &mut self.label_buf, "UHL1")?),
        )?;
        expect_tape_mark(&mut self.dev, "tape mark after UHL1")?;
        let mismatch = |object, detail: String| Err(TapeError::HeaderMismatch { object, detail });
        if hdr1.section != Section::Header || hdr2.section != Section::Header || uhl1.section != Section::Header {
            return mismatch(position, "trailer labels where headers were expected".into());
        }
        if hdr1.archive_id() != Some(archive_id) {
            return mismatch(
                position,
                format!("HDR1 file id '{}' is not archive file {archive_id}", hdr1.file_id),
            );
        }
        if hdr1.vsn != self.vid {
            return mismatch(position, format!("HDR1 VSN '{}' is not VID '{}'", hdr1.vsn, self.vid));
        }
        if uhl1.fseq != fseq {
            return mismatch(
                position + 2,
                format!("UHL1 fSeq {} is not the requested fSeq {fseq}", uhl1.fseq),
            );
        }
        self.block_size = usize::try_from(uhl1.block_size)
            .ok()
            .filter(|&b| b <= crate::device::MAX_RECORD_LEN)
            .ok_or_else(|| TapeError::HeaderMismatch {
                object: position + 2,
                detail: format!("UHL1 block size {} is too large", uhl1.block_size),
            })?;
        self.at_fseq = None;
        Ok(FileHeaders {
            position,
            hdr1,
            hdr2,
            uhl1,
        })
    }

    /// Reads one data block into `buf` (at least the UHL1 block size); `None` at the tape mark
    /// that ends the data.
    pub fn read_data_block(&mut self, buf: &mut [u8]) -> Result<Option<usize>> {
        if buf.len() < self.block_size || self.block_size == 0 {
            return Err(TapeError::InvalidArgument(format!(
                "read buffer of {} bytes, UHL1 block size is {}",
                buf.len(),
                self.block_size
            )));
        }
        let object = self.dev.position()?;
        match self.dev.read_record(&mut buf[..self.block_size])? {
            Record::Data(n) => Ok(Some(n)),
            Record::TapeMark => Ok(None),
            Record::EndOfData => Err(TapeError::EndOfData {
                object,
                doing: "reading file data",
            }),
        }
    }

    /// Reads EOF1, EOF2, UTL1 and the tape mark after the data; positioned at the next file.
    pub fn read_trailers(&mut self, fseq: u64) -> Result<FileTrailers> {
        let position = self.dev.position()?;
        let eof1 = parse(
            position,
            Hdr1::parse(&read_label(&mut self.dev, &mut self.label_buf, "EOF1")?),
        )?;
        let eof2 = parse(
            position + 1,
            Hdr2::parse(&read_label(&mut self.dev, &mut self.label_buf, "EOF2")?),
        )?;
        let utl1 = parse(
            position + 2,
            Uhl1::parse(&read_label(&mut self.dev, &mut self.label_buf, "UTL1")?),
        )?;
        expect_tape_mark(&mut self.dev, "tape mark after UTL1")?;
        self.at_fseq = Some(fseq + 1);
        Ok(FileTrailers { eof1, eof2, utl1 })
    }

    /// Positions, checks headers, reads every block (handing each to `sink`) and the trailers.
    pub fn read_file(
        &mut self,
        archive_id: u64,
        fseq: u64,
        positioning: Positioning,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<ReadFile> {
        match positioning {
            Positioning::Fseq => self.position_by_fseq(fseq)?,
            Positioning::BlockId(id) => self.position_by_block_id(id)?,
        }
        let headers = self.check_headers(archive_id, fseq)?;
        let mut buf = vec![0u8; self.block_size];
        let (mut size, mut checksum, mut blocks) = (0u64, 1u32, 0u64);
        while let Some(n) = self.read_data_block(&mut buf)? {
            checksum = adler32(checksum, &buf[..n]);
            sink(&buf[..n]);
            size += n as u64;
            blocks += 1;
        }
        let trailers = self.read_trailers(fseq)?;
        Ok(ReadFile {
            headers,
            trailers,
            size,
            adler32: checksum,
            blocks,
        })
    }
}
