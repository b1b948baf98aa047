//! CTA's checksum blob: a list of (type, value) with values stored little-endian.

use prost::Message;
use serde::{Deserialize, Serialize};

use super::ChecksumType;
use crate::{Error, Result};

/// One checksum of a blob. `value` holds the bytes as CTA stores them: least significant
/// byte first, i.e. reversed relative to the printed hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecksumEntry {
    pub kind: ChecksumType,
    pub value: Vec<u8>,
}

impl ChecksumEntry {
    /// Builds an entry from CTA/EOS hex (`0x` optional, odd length allowed), checking its length.
    pub fn from_hex(kind: ChecksumType, hex_value: &str) -> Result<Self> {
        let digits = hex_value
            .strip_prefix("0x")
            .or_else(|| hex_value.strip_prefix("0X"))
            .unwrap_or(hex_value);
        // CTA prints an empty value as `0`; read that back as empty rather than as one zero byte.
        if kind == ChecksumType::None && (digits.is_empty() || digits == "0") {
            return Ok(Self {
                kind,
                value: Vec::new(),
            });
        }
        let padded = if digits.len() % 2 == 1 {
            format!("0{digits}")
        } else {
            digits.to_owned()
        };
        let mut bytes = hex::decode(&padded)
            .map_err(|e| Error::InvalidArgument(format!("invalid {kind} checksum '{hex_value}': {e}")))?;
        bytes.reverse();
        Self::from_stored(kind, bytes)
    }

    /// Builds an entry from stored (little-endian) bytes, right-padding short values as CTA does.
    pub fn from_stored(kind: ChecksumType, mut value: Vec<u8>) -> Result<Self> {
        let expected = kind.value_len();
        if value.len() > expected {
            return Err(Error::InvalidArgument(format!(
                "Checksum length type={kind} expected={expected} actual={}",
                value.len()
            )));
        }
        value.resize(expected, 0);
        Ok(Self { kind, value })
    }

    /// Builds an entry for a 32-bit checksum given as an integer.
    pub fn from_u32(kind: ChecksumType, value: u32) -> Result<Self> {
        if kind.value_len() != 4 {
            return Err(Error::InvalidArgument(format!("{kind} is not a 32-bit checksum")));
        }
        Ok(Self {
            kind,
            value: value.to_le_bytes().to_vec(),
        })
    }

    /// CTA's printed form: bytes from last to first, lower-case, full width, no prefix; `0` if empty.
    #[must_use]
    pub fn to_hex(&self) -> String {
        if self.value.is_empty() {
            return "0".to_owned();
        }
        let mut be = self.value.clone();
        be.reverse();
        hex::encode(be)
    }

    /// The integer value of a 32-bit checksum.
    #[must_use]
    pub fn as_u32(&self) -> Option<u32> {
        <[u8; 4]>::try_from(self.value.as_slice()).ok().map(u32::from_le_bytes)
    }
}

/// The set of checksums of one archive file (`cta.common.ChecksumBlob`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChecksumBlob {
    pub entries: Vec<ChecksumEntry>,
}

#[derive(Clone, PartialEq, Message)]
struct PbChecksum {
    #[prost(int32, tag = "1")]
    kind: i32,
    #[prost(bytes = "vec", tag = "2")]
    value: Vec<u8>,
}

#[derive(Clone, PartialEq, Message)]
struct PbChecksumBlob {
    #[prost(message, repeated, tag = "1")]
    cs: Vec<PbChecksum>,
}

/// One element of the JSON form `[{"type":"ADLER32","value":"0a0b0c0d"}]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsonChecksum {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

impl ChecksumBlob {
    /// A blob holding one Adler-32, the usual case for files written by CTA.
    #[must_use]
    pub fn adler32(value: u32) -> Self {
        Self {
            entries: vec![ChecksumEntry {
                kind: ChecksumType::Adler32,
                value: value.to_le_bytes().to_vec(),
            }],
        }
    }

    /// The first entry of the given type.
    #[must_use]
    pub fn get(&self, kind: ChecksumType) -> Option<&ChecksumEntry> {
        self.entries.iter().find(|e| e.kind == kind)
    }

    /// Serialised `cta.common.ChecksumBlob` bytes, as in `ARCHIVE_FILE.CHECKSUM_BLOB`.
    #[must_use]
    pub fn to_protobuf(&self) -> Vec<u8> {
        PbChecksumBlob {
            cs: self
                .entries
                .iter()
                .map(|e| PbChecksum {
                    kind: e.kind.as_i32(),
                    value: e.value.clone(),
                })
                .collect(),
        }
        .encode_to_vec()
    }

    /// Parses `cta.common.ChecksumBlob` bytes, applying CTA's length rules to each value.
    pub fn from_protobuf(bytes: &[u8]) -> Result<Self> {
        let pb = PbChecksumBlob::decode(bytes).map_err(|e| Error::Parse {
            what: "checksum blob",
            detail: e.to_string(),
        })?;
        let entries = pb
            .cs
            .into_iter()
            .map(|c| ChecksumEntry::from_stored(ChecksumType::from_i32(c.kind)?, c.value))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { entries })
    }

    /// The JSON list CTA prints in `tapefile ls` and friends.
    #[must_use]
    pub fn to_json_list(&self) -> Vec<JsonChecksum> {
        self.entries
            .iter()
            .map(|e| JsonChecksum {
                kind: e.kind.cta_name().to_owned(),
                value: e.to_hex(),
            })
            .collect()
    }

    /// Builds a blob from the JSON list form.
    pub fn from_json_list(items: &[JsonChecksum]) -> Result<Self> {
        let entries = items
            .iter()
            .map(|j| ChecksumEntry::from_hex(j.kind.parse()?, &j.value))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { entries })
    }

    /// The JSON text `[{"type":"ADLER32","value":"0a0b0c0d"}]`.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.to_json_list()).unwrap_or_else(|_| "[]".to_owned())
    }

    /// Parses the JSON text form.
    pub fn from_json(text: &str) -> Result<Self> {
        let items: Vec<JsonChecksum> = serde_json::from_str(text).map_err(|e| Error::Parse {
            what: "checksum JSON",
            detail: e.to_string(),
        })?;
        Self::from_json_list(&items)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn cta_reference_example() {
        // From CTA's ChecksumBlob documentation: Adler-32 0x0A0B0C0D.
        let blob = ChecksumBlob::adler32(0x0A0B_0C0D);
        assert_eq!(
            blob.to_protobuf(),
            [0x0a, 0x08, 0x08, 0x01, 0x12, 0x04, 0x0d, 0x0c, 0x0b, 0x0a]
        );
        assert_eq!(blob.entries[0].to_hex(), "0a0b0c0d");
        assert_eq!(blob.entries[0].as_u32(), Some(168_496_141));
        assert_eq!(blob.to_json(), r#"[{"type":"ADLER32","value":"0a0b0c0d"}]"#);
        assert_eq!(ChecksumBlob::from_json(&blob.to_json()).unwrap(), blob);
        assert_eq!(ChecksumBlob::from_protobuf(&blob.to_protobuf()).unwrap(), blob);
    }

    #[test]
    fn hex_rules() {
        let e = ChecksumEntry::from_hex(ChecksumType::Adler32, "0xa0b0c0d").unwrap();
        assert_eq!(e.to_hex(), "0a0b0c0d");
        let short = ChecksumEntry::from_hex(ChecksumType::Adler32, "ff").unwrap();
        assert_eq!(short.to_hex(), "000000ff");
        assert!(ChecksumEntry::from_hex(ChecksumType::Adler32, "0102030405").is_err());
        assert!(ChecksumEntry::from_hex(ChecksumType::Adler32, "xyz").is_err());
        assert_eq!(
            ChecksumEntry {
                kind: ChecksumType::None,
                value: vec![]
            }
            .to_hex(),
            "0"
        );
        assert!(ChecksumBlob::from_protobuf(&[0xff, 0xff]).is_err());
    }

    fn entry() -> impl Strategy<Value = ChecksumEntry> {
        prop::sample::select(ChecksumType::ALL.to_vec()).prop_flat_map(|kind| {
            proptest::collection::vec(any::<u8>(), kind.value_len())
                .prop_map(move |value| ChecksumEntry { kind, value })
        })
    }

    proptest! {
        #[test]
        fn conversions_round_trip(entries in proptest::collection::vec(entry(), 0..4)) {
            let blob = ChecksumBlob { entries };
            prop_assert_eq!(&ChecksumBlob::from_protobuf(&blob.to_protobuf()).unwrap(), &blob);
            prop_assert_eq!(&ChecksumBlob::from_json(&blob.to_json()).unwrap(), &blob);
            for e in &blob.entries {
                if let Some(v) = e.as_u32() {
                    prop_assert_eq!(ChecksumEntry::from_u32(e.kind, v).unwrap(), e.clone());
                    prop_assert_eq!(e.to_hex(), format!("{v:08x}"));
                }
            }
        }
    }
}
