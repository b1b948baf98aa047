//! HDR2 / EOF2.

use super::field::{Builder, Fields, LABEL_LEN};
use super::{LabelError, Section, section_of};

/// HDR2 or EOF2.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Hdr2 {
    pub section: Section,
    /// The 5-character block length field (`00000` when the block size is ≥ 100000).
    pub block_length: String,
    pub record_length: String,
    /// `P ` when written with compression, blank otherwise.
    pub recording_technique: String,
}

impl Hdr2 {
    /// HDR2/EOF2 for files written in blocks of `block_size` bytes, without compression (as CTA).
    #[must_use]
    pub fn new(section: Section, block_size: u64) -> Self {
        let len = if block_size < 100_000 {
            format!("{block_size:05}")
        } else {
            "00000".to_owned()
        };
        Self {
            section,
            block_length: len.clone(),
            record_length: len,
            recording_technique: String::new(),
        }
    }

    #[must_use]
    pub fn name(&self) -> &'static str {
        match self.section {
            Section::Header => "HDR2",
            Section::Trailer => "EOF2",
        }
    }

    /// Parses and verifies HDR2 or EOF2.
    pub fn parse(bytes: &[u8]) -> Result<Self, LabelError> {
        let section = section_of(bytes, b"HDR2", b"EOF2", "HDR2")?;
        let f = Fields::new(bytes, if section == Section::Header { "HDR2" } else { "EOF2" })?;
        f.expect_eq(4, b"F", "record format")?;
        let block_length = f.non_blank(5, 5, "block length")?;
        let record_length = f.non_blank(10, 5, "record length")?;
        f.expect_blank(16, 18, "reserved1")?;
        let recording_technique = f.text(34, 2);
        f.expect_blank(36, 14, "reserved2")?;
        f.expect_eq(50, b"00", "AUL id")?;
        f.expect_blank(52, 28, "reserved3")?;
        Ok(Self {
            section,
            block_length,
            record_length,
            recording_technique,
        })
    }

    /// The 80-byte record.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; LABEL_LEN] {
        let mut b = Builder::new(if self.section == Section::Header {
            b"HDR2"
        } else {
            b"EOF2"
        });
        b.text(4, 1, "F")
            .text(5, 5, &self.block_length)
            .text(10, 5, &self.record_length)
            .text(34, 2, &self.recording_technique)
            .text(50, 2, "00");
        b.0
    }
}
