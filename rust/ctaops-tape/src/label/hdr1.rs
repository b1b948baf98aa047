//! HDR1 / EOF1 (and the PRELABEL HDR1 of a freshly labelled tape).

use super::date::{LabelDate, is_cyyddd};
use super::field::{Builder, Fields, LABEL_LEN, show};
use super::{LabelError, Section, section_of};

/// File id of the HDR1 written by a label session.
pub const PRELABEL: &str = "PRELABEL";

/// HDR1 or EOF1.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Hdr1 {
    pub section: Section,
    /// Archive file ID in upper-case hex, or `PRELABEL`.
    pub file_id: String,
    pub vsn: String,
    /// The 4-digit fSeq field (fSeq mod 10000; readers ignore its value).
    pub fseq_field: String,
    pub creation_date: String,
    pub expiration_date: String,
    /// Number of data blocks (EOF1), `000000` in HDR1.
    pub block_count: u64,
    pub system_code: String,
}

impl Hdr1 {
    /// The header of a file (`section` Header) or its trailer with the data block count.
    #[must_use]
    pub fn new(
        section: Section,
        archive_id: u64,
        vid: &str,
        fseq: u64,
        date: LabelDate,
        system_code: &str,
        block_count: u64,
    ) -> Self {
        let date = date.to_field();
        Self {
            section,
            file_id: format!("{archive_id:X}"),
            vsn: vid.to_owned(),
            fseq_field: format!("{:04}", fseq % 10_000),
            creation_date: date.clone(),
            expiration_date: date,
            block_count: if section == Section::Header {
                0
            } else {
                block_count % 1_000_000
            },
            system_code: system_code.to_owned(),
        }
    }

    /// The PRELABEL HDR1 written by a label session (fSeq 1, no blocks).
    #[must_use]
    pub fn prelabel(vid: &str, date: LabelDate, system_code: &str) -> Self {
        Self {
            file_id: PRELABEL.to_owned(),
            ..Self::new(Section::Header, 0, vid, 1, date, system_code, 0)
        }
    }

    #[must_use]
    pub fn name(&self) -> &'static str {
        match self.section {
            Section::Header => "HDR1",
            Section::Trailer => "EOF1",
        }
    }

    #[must_use]
    pub fn is_prelabel(&self) -> bool {
        self.file_id == PRELABEL
    }

    /// The archive file ID (the file id parsed as hex); `None` for PRELABEL or non-hex ids.
    #[must_use]
    pub fn archive_id(&self) -> Option<u64> {
        if self.file_id.is_empty() || !self.file_id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u64::from_str_radix(&self.file_id, 16).ok()
    }

    /// Parses and verifies HDR1 or EOF1.
    pub fn parse(bytes: &[u8]) -> Result<Self, LabelError> {
        let section = section_of(bytes, b"HDR1", b"EOF1", "HDR1")?;
        let record = if section == Section::Header { "HDR1" } else { "EOF1" };
        let f = Fields::new(bytes, record)?;
        let file_id = f.non_blank(4, 17, "file id")?;
        if file_id != PRELABEL && !file_id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(f.err(
                "file id",
                format!("must be a hex archive file ID, found '{}'", show(f.raw(4, 17))),
            ));
        }
        let vsn = f.non_blank(21, 6, "VSN")?;
        f.expect_eq(27, b"0001", "file section")?;
        let fseq_field = f.non_blank(31, 4, "fSeq")?;
        f.expect_eq(35, b"0001", "generation")?;
        f.expect_eq(39, b"00", "generation version")?;
        let creation_date = date_field(&f, 41, "creation date")?;
        let expiration_date = date_field(&f, 47, "expiration date")?;
        f.expect_blank(53, 1, "accessibility")?;
        let block_count = if section == Section::Header {
            f.expect_eq(54, b"000000", "block count")?;
            0
        } else {
            f.digits(54, 6, "block count")?
        };
        let system_code = f.non_blank(60, 13, "system code")?;
        f.expect_blank(73, 7, "reserved")?;
        Ok(Self {
            section,
            file_id,
            vsn,
            fseq_field,
            creation_date,
            expiration_date,
            block_count,
            system_code,
        })
    }

    /// The 80-byte record.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; LABEL_LEN] {
        let mut b = Builder::new(if self.section == Section::Header {
            b"HDR1"
        } else {
            b"EOF1"
        });
        b.text(4, 17, &self.file_id)
            .text(21, 6, &self.vsn)
            .text(27, 4, "0001")
            .text(31, 4, &self.fseq_field)
            .text(35, 4, "0001")
            .text(39, 2, "00")
            .text(41, 6, &self.creation_date)
            .text(47, 6, &self.expiration_date)
            .number(54, 6, self.block_count)
            .text(60, 13, &self.system_code);
        b.0
    }
}

fn date_field(f: &Fields<'_>, off: usize, field: &'static str) -> Result<String, LabelError> {
    f.non_blank(off, 6, field)?;
    let raw = f.raw(off, 6);
    if !is_cyyddd(raw) {
        return Err(f.err(field, format!("must be a cyyddd date, found '{}'", show(raw))));
    }
    Ok(String::from_utf8_lossy(raw).into_owned())
}
