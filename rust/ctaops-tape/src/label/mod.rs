//! The AUL label records CTA writes (cta-interfaces.md §3.4): typed parse and format.
//!
//! `parse` makes the checks CTA's `verify()` makes (constants, blank reserved areas, non-blank
//! fields, hex file id, `cyyddd` dates, LBP method) and names the record and field that failed.
//! `to_bytes` writes exactly what CTA writes.

mod date;
mod field;
mod hdr1;
mod hdr2;
mod uhl1;
mod vol1;

pub use date::LabelDate;
pub use field::LABEL_LEN;
pub use hdr1::{Hdr1, PRELABEL};
pub use hdr2::Hdr2;
pub use uhl1::Uhl1;
pub use vol1::{LbpMethod, Vol1};

/// Header (before the data: HDR1, HDR2, UHL1) or trailer (after it: EOF1, EOF2, UTL1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    Header,
    Trailer,
}

/// A label record that is not as CTA writes it: which record, which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{record} {field}: {detail}")]
pub struct LabelError {
    pub record: &'static str,
    pub field: &'static str,
    pub detail: String,
}

impl LabelError {
    pub(crate) fn new(record: &'static str, field: &'static str, detail: impl Into<String>) -> Self {
        Self {
            record,
            field,
            detail: detail.into(),
        }
    }
}

/// Any label record, as recognised by its first four bytes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "record")]
pub enum Label {
    Vol1(Vol1),
    Hdr1(Hdr1),
    Hdr2(Hdr2),
    Uhl1(Uhl1),
}

impl Label {
    /// Parses an 80-byte record whatever its kind; `Ok(None)` when it does not start with a
    /// known label identifier (so it is data, not a label).
    pub fn parse_any(bytes: &[u8]) -> Result<Option<Self>, LabelError> {
        if bytes.len() != LABEL_LEN {
            return Ok(None);
        }
        Ok(Some(match &bytes[..4] {
            b"VOL1" => Self::Vol1(Vol1::parse(bytes)?),
            b"HDR1" | b"EOF1" => Self::Hdr1(Hdr1::parse(bytes)?),
            b"HDR2" | b"EOF2" => Self::Hdr2(Hdr2::parse(bytes)?),
            b"UHL1" | b"UTL1" => Self::Uhl1(Uhl1::parse(bytes)?),
            _ => return Ok(None),
        }))
    }

    /// The 80-byte record.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; LABEL_LEN] {
        match self {
            Self::Vol1(l) => l.to_bytes(),
            Self::Hdr1(l) => l.to_bytes(),
            Self::Hdr2(l) => l.to_bytes(),
            Self::Uhl1(l) => l.to_bytes(),
        }
    }

    /// The record's identifier (`VOL1`, `HDR1`, `EOF1`, …).
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Vol1(_) => "VOL1",
            Self::Hdr1(h) => h.name(),
            Self::Hdr2(h) => h.name(),
            Self::Uhl1(h) => h.name(),
        }
    }
}

/// The record identifier of raw bytes if they look like a label (80 bytes, known prefix).
#[must_use]
pub fn label_name(bytes: &[u8]) -> Option<&'static str> {
    if bytes.len() != LABEL_LEN {
        return None;
    }
    Some(match &bytes[..4] {
        b"VOL1" => "VOL1",
        b"HDR1" => "HDR1",
        b"EOF1" => "EOF1",
        b"HDR2" => "HDR2",
        b"EOF2" => "EOF2",
        b"UHL1" => "UHL1",
        b"UTL1" => "UTL1",
        _ => return None,
    })
}

fn section_of(bytes: &[u8], header: &[u8; 4], trailer: &[u8; 4], record: &'static str) -> Result<Section, LabelError> {
    match bytes.get(..4) {
        Some(p) if p == header => Ok(Section::Header),
        Some(p) if p == trailer => Ok(Section::Trailer),
        Some(p) => Err(LabelError::new(
            record,
            "label",
            format!("unknown identifier '{}'", field::show(p)),
        )),
        None => Err(LabelError::new(
            record,
            "length",
            format!("must be 80 bytes, got {}", bytes.len()),
        )),
    }
}

#[cfg(test)]
mod tests;
