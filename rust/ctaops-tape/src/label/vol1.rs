//! VOL1: the volume label at object 0.

use super::LabelError;
use super::field::{Builder, Fields, LABEL_LEN};

/// Logical Block Protection method announced in VOL1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LbpMethod {
    None,
    Crc32c,
}

impl LbpMethod {
    fn field(self) -> &'static str {
        match self {
            Self::None => "00",
            Self::Crc32c => "02",
        }
    }
}

/// The volume label.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Vol1 {
    /// Volume serial number: the raw 6-byte field without trailing spaces.
    pub vsn: String,
    pub owner: String,
    pub lbp: LbpMethod,
}

impl Vol1 {
    /// A VOL1 as CTA writes it (owner `CTA`).
    #[must_use]
    pub fn new(vid: &str, lbp: LbpMethod) -> Self {
        Self {
            vsn: vid.to_owned(),
            owner: "CTA".to_owned(),
            lbp,
        }
    }

    /// Parses and verifies a VOL1 record.
    pub fn parse(bytes: &[u8]) -> Result<Self, LabelError> {
        let f = Fields::new(bytes, "VOL1")?;
        f.expect_eq(0, b"VOL1", "label")?;
        let vsn = f.non_blank(4, 6, "VSN")?;
        f.expect_blank(10, 1, "accessibility")?;
        f.expect_blank(11, 13, "reserved1")?;
        f.expect_blank(24, 13, "implementation id")?;
        let owner = f.text(37, 14);
        f.expect_blank(51, 26, "reserved2")?;
        let lbp = match f.raw(77, 2) {
            b"00" | b"  " => LbpMethod::None,
            b"02" => LbpMethod::Crc32c,
            b"01" => return Err(f.err("LBP method", "Reed-Solomon (01) is not supported")),
            other => return Err(f.err("LBP method", format!("unknown method '{}'", super::field::show(other)))),
        };
        f.expect_eq(79, b"3", "label standard")?;
        Ok(Self { vsn, owner, lbp })
    }

    /// The 80-byte record.
    #[must_use]
    pub fn to_bytes(&self) -> [u8; LABEL_LEN] {
        let mut b = Builder::new(b"VOL1");
        b.text(4, 6, &self.vsn)
            .text(37, 14, &self.owner)
            .text(77, 2, self.lbp.field())
            .text(79, 1, "3");
        b.0
    }

    /// True when the raw 6-byte VSN field equals `vid` (CTA's `checkVOL1`: a VID shorter than
    /// 6 characters never matches).
    #[must_use]
    pub fn matches_vid(&self, vid: &str) -> bool {
        vid.len() == 6 && self.vsn == vid
    }
}
