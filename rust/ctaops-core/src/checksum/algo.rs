use std::fmt;
use std::str::FromStr;

use crate::Error;

/// The checksum types of `cta.common.ChecksumBlob.Checksum.Type`, with CTA's numbering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChecksumType {
    None = 0,
    Adler32 = 1,
    Crc32 = 2,
    Crc32c = 3,
    Md5 = 4,
    Sha1 = 5,
}

impl ChecksumType {
    /// Every type, in CTA's enum order.
    pub const ALL: [Self; 6] = [
        Self::None,
        Self::Adler32,
        Self::Crc32,
        Self::Crc32c,
        Self::Md5,
        Self::Sha1,
    ];

    /// The enum name CTA prints in JSON (`"ADLER32"`).
    #[must_use]
    pub const fn cta_name(self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::Adler32 => "ADLER32",
            Self::Crc32 => "CRC32",
            Self::Crc32c => "CRC32C",
            Self::Md5 => "MD5",
            Self::Sha1 => "SHA1",
        }
    }

    /// Number of value bytes CTA expects for this type.
    #[must_use]
    pub const fn value_len(self) -> usize {
        match self {
            Self::None => 0,
            Self::Adler32 | Self::Crc32 | Self::Crc32c => 4,
            Self::Md5 => 16,
            Self::Sha1 => 20,
        }
    }

    /// The protobuf enum number.
    #[must_use]
    pub const fn as_i32(self) -> i32 {
        self as i32
    }

    /// Looks up a protobuf enum number.
    pub fn from_i32(value: i32) -> Result<Self, Error> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_i32() == value)
            .ok_or_else(|| Error::InvalidArgument(format!("unknown checksum type number {value}")))
    }
}

impl fmt::Display for ChecksumType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cta_name())
    }
}

impl FromStr for ChecksumType {
    type Err = Error;

    /// Accepts CTA's enum names and the lower-case spellings operators type (`adler32`, `crc32c`).
    fn from_str(s: &str) -> Result<Self, Error> {
        let upper = s.trim().to_ascii_uppercase();
        Self::ALL.into_iter().find(|t| t.cta_name() == upper).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "unknown checksum algorithm '{s}' (expected one of adler32, crc32, crc32c, md5, sha1)"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_round_trip() {
        for t in ChecksumType::ALL {
            assert_eq!(t.cta_name().parse::<ChecksumType>().unwrap(), t);
            assert_eq!(t.cta_name().to_lowercase().parse::<ChecksumType>().unwrap(), t);
            assert_eq!(ChecksumType::from_i32(t.as_i32()).unwrap(), t);
        }
        assert!("adler".parse::<ChecksumType>().is_err());
        assert!(ChecksumType::from_i32(6).is_err());
    }
}
