//! Writing tapes as CTA does: label sessions and write sessions (cta-interfaces.md §3.2, §3.3).

use std::io::Read;

use ctaops_core::checksum::adler32;

use crate::device::{Record, TapeDevice};
use crate::error::{Result, TapeError};
use crate::format::{BLOCK_SIZE, PLACEHOLDER_READ_FAILURE, PLACEHOLDER_ZERO_LENGTH, block_id_for, is_valid_vid};
use crate::label::{Hdr1, Hdr2, LABEL_LEN, LabelDate, LbpMethod, Section, Uhl1, Vol1};
use crate::reader::{expect_tape_mark, read_label};

/// What the writer puts into the free-text header fields (system code, UHL1 site/host/drive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriterInfo {
    /// HDR1/EOF1 system code, `CTA <version>-<release>` in CTA.
    pub system_code: String,
    pub site: String,
    pub mover_host: String,
    pub drive_vendor: String,
    pub drive_model: String,
    pub drive_serial: String,
    pub date: LabelDate,
}

impl Default for WriterInfo {
    fn default() -> Self {
        Self {
            system_code: format!("CTA {}-1", ctaops_core::VERSION),
            site: "CTAOPS".to_owned(),
            mover_host: short_hostname(),
            drive_vendor: "CTAOPS".to_owned(),
            drive_model: "SIMH".to_owned(),
            drive_serial: "000000000000".to_owned(),
            date: LabelDate::today(),
        }
    }
}

impl WriterInfo {
    /// The defaults with the drive's own vendor, product and serial number where the device is a
    /// drive, as CTA's tape server fills UHL1 from the drive's INQUIRY.
    pub fn for_device(dev: &mut dyn TapeDevice) -> Self {
        let mut info = Self::default();
        if let Some(id) = dev.drive_identity() {
            for (field, value) in [
                (&mut info.drive_vendor, id.vendor),
                (&mut info.drive_model, id.product),
                (&mut info.drive_serial, id.serial),
            ] {
                let value = value.trim();
                if !value.is_empty() {
                    value.clone_into(field);
                }
            }
        }
        info
    }
}

/// The host name up to the first dot, upper case (what CTA writes as mover host).
fn short_hostname() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let short = name.trim().split('.').next().unwrap_or_default().to_uppercase();
    if short.is_empty() {
        "LOCALHOST".to_owned()
    } else {
        short
    }
}

fn check_vid(vid: &str) -> Result<()> {
    if is_valid_vid(vid) {
        Ok(())
    } else {
        Err(TapeError::InvalidArgument(format!(
            "VID '{vid}' must be exactly 6 upper-case letters or digits"
        )))
    }
}

/// Writes a fresh label: VOL1, PRELABEL HDR1, tape mark (what `cta-tape-label` writes).
/// Whatever the tape held is gone; callers check first (see [`inspect`]).
pub fn label_tape(dev: &mut dyn TapeDevice, vid: &str, lbp: LbpMethod, info: &WriterInfo) -> Result<()> {
    check_vid(vid)?;
    dev.rewind()?;
    dev.write_record(&Vol1::new(vid, lbp).to_bytes())?;
    dev.write_record(&Hdr1::prelabel(vid, info.date, &info.system_code).to_bytes())?;
    dev.write_tape_marks(1)?;
    dev.flush()
}

/// What a tape holds, as far as labelling is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TapeContents {
    /// Nothing written.
    Blank,
    /// VOL1 + PRELABEL: labelled, no files.
    Labelled { vsn: String },
    /// VOL1 followed by files (or something else that is not a bare label).
    Data { vsn: Option<String>, objects_seen: u64 },
}

/// Looks at the start of a tape to tell blank, freshly labelled and holding data apart.
pub fn inspect(dev: &mut dyn TapeDevice) -> Result<TapeContents> {
    dev.rewind()?;
    let mut buf = vec![0u8; BLOCK_SIZE];
    let first = match dev.read_record(&mut buf) {
        Ok(Record::EndOfData) => return Ok(TapeContents::Blank),
        Ok(Record::Data(n)) => Vol1::parse(&buf[..n]).ok().map(|v| v.vsn),
        Ok(Record::TapeMark) | Err(_) => None,
    };
    let second = dev.read_record(&mut buf);
    let third = dev.read_record(&mut buf);
    let fourth = dev.read_record(&mut buf);
    if let (Some(vsn), Ok(Record::Data(n)), Ok(Record::TapeMark), Ok(Record::EndOfData)) =
        (first.clone(), second, third, fourth)
        && Hdr1::parse(&buf[..n.min(LABEL_LEN)]).is_ok_and(|h| h.is_prelabel())
    {
        return Ok(TapeContents::Labelled { vsn });
    }
    Ok(TapeContents::Data {
        vsn: first,
        objects_seen: dev.position().unwrap_or(0),
    })
}

/// One file as written: what the catalogue would record for it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WrittenFile {
    pub fseq: u64,
    #[serde(rename = "blockId")]
    pub block_id: u64,
    #[serde(rename = "archiveId")]
    pub archive_id: u64,
    /// Payload bytes (0 for a placeholder).
    pub size: u64,
    /// Adler-32 of the payload (1 for an empty file).
    pub adler32: u32,
    /// Data blocks written.
    pub blocks: u64,
    /// True when a placeholder block was written instead of data.
    pub placeholder: bool,
}

/// Appends files to a labelled tape exactly as CTA's `WriteSession`/`FileWriter` do.
pub struct WriteSession<'a> {
    dev: &'a mut dyn TapeDevice,
    vid: String,
    info: WriterInfo,
    last_fseq: u64,
    buf: Vec<u8>,
}

impl<'a> WriteSession<'a> {
    /// Rewinds, checks VOL1 and its VSN, and positions after the last file.
    ///
    /// `last_fseq` is the catalogue's `TAPE.LAST_FSEQ`; `None` finds it on the tape (counting
    /// tape marks: a labelled tape has 1, each file adds 3).
    pub fn open(dev: &'a mut dyn TapeDevice, vid: &str, last_fseq: Option<u64>, info: WriterInfo) -> Result<Self> {
        check_vid(vid)?;
        let mut label = vec![0u8; LABEL_LEN];
        dev.rewind()?;
        let vol1 = Vol1::parse(&read_label(dev, &mut label, "VOL1")?)
            .map_err(|source| TapeError::Label { object: 0, source })?;
        if !vol1.matches_vid(vid) {
            return Err(TapeError::WrongVsn {
                expected: vid.to_owned(),
                found: vol1.vsn,
            });
        }
        let last_fseq = match last_fseq {
            Some(n) => n,
            None => count_files(dev)?,
        };
        if last_fseq == 0 {
            dev.locate(1)?;
        } else {
            dev.rewind()?;
            let marks = last_fseq.checked_mul(3).and_then(|m| u32::try_from(m - 1).ok());
            let marks = marks.ok_or_else(|| TapeError::InvalidArgument(format!("last fSeq {last_fseq}")))?;
            dev.space_marks_forward(marks)?;
            for (name, parse) in [("EOF1", 0), ("EOF2", 1), ("UTL1", 2)] {
                let object = dev.position()?;
                let bytes = read_label(dev, &mut label, name)?;
                let checked = match parse {
                    0 => Hdr1::parse(&bytes).map(|h| h.section == Section::Trailer),
                    1 => Hdr2::parse(&bytes).map(|h| h.section == Section::Trailer),
                    _ => Uhl1::parse(&bytes).and_then(|u| {
                        if u.fseq == last_fseq {
                            Ok(u.section == Section::Trailer)
                        } else {
                            Err(crate::label::LabelError::new(
                                "UTL1",
                                "actual fSeq",
                                format!("is {}, expected last fSeq {last_fseq}", u.fseq),
                            ))
                        }
                    }),
                };
                match checked {
                    Ok(true) => {}
                    Ok(false) => {
                        return Err(TapeError::Unexpected {
                            object,
                            expected: name,
                            found: "a header".into(),
                        });
                    }
                    Err(source) => return Err(TapeError::Label { object, source }),
                }
            }
            expect_tape_mark(dev, "after UTL1")?;
        }
        Self::resume(dev, vid, last_fseq, info)
    }

    /// Continues appending to a tape whose device is already positioned just after the trailer
    /// tape mark of file `last_fseq` (where [`Self::write_file`] leaves it), without rewinding.
    ///
    /// A scheduler that interleaves several drives writes one file at a time and keeps each
    /// device open between files; repositioning from VOL1 for every file would cost a scan of
    /// the tape per file.
    pub fn resume(dev: &'a mut dyn TapeDevice, vid: &str, last_fseq: u64, info: WriterInfo) -> Result<Self> {
        check_vid(vid)?;
        Ok(Self {
            dev,
            vid: vid.to_owned(),
            info,
            last_fseq,
            buf: vec![0u8; BLOCK_SIZE],
        })
    }

    /// The fSeq of the last file on the tape.
    #[must_use]
    pub fn last_fseq(&self) -> u64 {
        self.last_fseq
    }

    /// Writes one file read from `data`; a zero-length input gets CTA's placeholder block.
    ///
    /// On a read error from `data` the file is completed with what was read so far only if
    /// nothing was written yet (then the "failing to read from disk" placeholder is written,
    /// as CTA does); otherwise the error is returned and the tape ends inside the file.
    pub fn write_file(&mut self, archive_id: u64, data: &mut dyn Read) -> Result<WrittenFile> {
        let fseq = self.last_fseq + 1;
        let hdr1_pos = self.dev.position()?;
        let block_id = block_id_for(fseq, hdr1_pos);
        let info = &self.info;
        let uhl = |section| Uhl1 {
            section,
            fseq,
            block_size: BLOCK_SIZE as u64,
            record_length: BLOCK_SIZE as u64,
            site: info.site.clone(),
            mover_host: info.mover_host.clone(),
            drive_vendor: info.drive_vendor.clone(),
            drive_model: info.drive_model.clone(),
            drive_serial: info.drive_serial.clone(),
        };
        let hdr1 = Hdr1::new(
            Section::Header,
            archive_id,
            &self.vid,
            fseq,
            info.date,
            &info.system_code,
            0,
        );
        let (uhl1, utl1) = (uhl(Section::Header), uhl(Section::Trailer));
        self.dev.write_record(&hdr1.to_bytes())?;
        self.dev
            .write_record(&Hdr2::new(Section::Header, BLOCK_SIZE as u64).to_bytes())?;
        self.dev.write_record(&uhl1.to_bytes())?;
        self.dev.write_tape_marks(1)?;

        let (mut size, mut checksum, mut blocks, mut placeholder) = (0u64, 1u32, 0u64, false);
        loop {
            let n = match fill(data, &mut self.buf) {
                Ok(n) => n,
                Err(_) if blocks == 0 => {
                    self.dev.write_record(PLACEHOLDER_READ_FAILURE)?;
                    (blocks, placeholder) = (1, true);
                    break;
                }
                Err(e) => return Err(TapeError::io(format!("file {fseq} source"), e)),
            };
            if n == 0 {
                break;
            }
            self.dev.write_record(&self.buf[..n])?;
            checksum = adler32(checksum, &self.buf[..n]);
            size += n as u64;
            blocks += 1;
            if n < self.buf.len() {
                break;
            }
        }
        if blocks == 0 {
            self.dev.write_record(PLACEHOLDER_ZERO_LENGTH)?;
            (blocks, placeholder) = (1, true);
        }
        self.dev.write_tape_marks(1)?;
        let eof1 = Hdr1::new(
            Section::Trailer,
            archive_id,
            &self.vid,
            fseq,
            info.date,
            &info.system_code,
            blocks,
        );
        self.dev.write_record(&eof1.to_bytes())?;
        self.dev
            .write_record(&Hdr2::new(Section::Trailer, BLOCK_SIZE as u64).to_bytes())?;
        self.dev.write_record(&utl1.to_bytes())?;
        self.dev.write_tape_marks(1)?;
        self.last_fseq = fseq;
        Ok(WrittenFile {
            fseq,
            block_id,
            archive_id,
            size,
            adler32: checksum,
            blocks,
            placeholder,
        })
    }

    /// Flushes the device; call once after the last file.
    pub fn finish(self) -> Result<()> {
        self.dev.flush()
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn fill(data: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match data.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Counts the files on a tape from its tape marks (1 after the label, 3 per file).
fn count_files(dev: &mut dyn TapeDevice) -> Result<u64> {
    dev.locate(1)?;
    let mut marks = 0u64;
    loop {
        match dev.skip_record()? {
            Record::TapeMark => marks += 1,
            Record::Data(_) => {}
            Record::EndOfData => break,
        }
    }
    if marks == 1 {
        return Ok(0);
    }
    if !marks.is_multiple_of(3) {
        return Err(TapeError::Refused(format!(
            "{}: {marks} tape marks after VOL1 is not a whole number of CTA files; will not append",
            dev.describe()
        )));
    }
    Ok(marks / 3)
}
