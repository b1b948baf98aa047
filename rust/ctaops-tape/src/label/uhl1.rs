//! UHL1 / UTL1: CTA's user labels, where the reader takes the block size from.

use super::field::{Builder, Fields, LABEL_LEN};
use super::{LabelError, Section, section_of};

/// UHL1 or UTL1.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Uhl1 {
    pub section: Section,
    /// The full fSeq (10 digits).
    pub fseq: u64,
    pub block_size: u64,
    pub record_length: u64,
    pub site: String,
    pub mover_host: String,
    pub drive_vendor: String,
    pub drive_model: String,
    pub drive_serial: String,
}

impl Uhl1 {
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self.section {
            Section::Header => "UHL1",
            Section::Trailer => "UTL1",
        }
    }

    /// Parses and verifies UHL1 or UTL1.
    pub fn parse(bytes: &[u8]) -> Result<Self, LabelError> {
        let section = section_of(bytes, b"UHL1", b"UTL1", "UHL1")?;
        let f = Fields::new(bytes, if section == Section::Header { "UHL1" } else { "UTL1" })?;
        let fseq = f.digits(4, 10, "actual fSeq")?;
        let block_size = f.digits(14, 10, "actual block size")?;
        if block_size == 0 {
            return Err(f.err("actual block size", "must be at least 1"));
        }
        let record_length = f.digits(24, 10, "actual record length")?;
        Ok(Self {
            section,
            fseq,
            block_size,
            record_length,
            site: f.non_blank(34, 8, "site")?,
            mover_host: f.non_blank(42, 10, "mover host")?,
            drive_vendor: f.non_blank(52, 8, "drive vendor")?,
            drive_model: f.non_blank(60, 8, "drive model")?,
            drive_serial: f.non_blank(68, 12, "drive serial number")?,
        })
    }

    /// The 80-byte record.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; LABEL_LEN] {
        let mut b = Builder::new(if self.section == Section::Header {
            b"UHL1"
        } else {
            b"UTL1"
        });
        b.number(4, 10, self.fseq)
            .number(14, 10, self.block_size)
            .number(24, 10, self.record_length)
            .text(34, 8, &self.site)
            .text(42, 10, &self.mover_host)
            .text(52, 8, &self.drive_vendor)
            .text(60, 8, &self.drive_model)
            .text(68, 12, &self.drive_serial);
        b.0
    }
}
