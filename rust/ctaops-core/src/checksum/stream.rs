use md5::Digest as _;

use super::ChecksumType;

/// Adler-32 of `data`, continuing from `value` (1 starts a new checksum), as `zlib.adler32`.
#[must_use]
pub fn adler32(value: u32, data: &[u8]) -> u32 {
    let mut h = simd_adler32::Adler32::from_checksum(value);
    h.write(data);
    h.finish()
}

/// The zlib CRC-32 of `data`, continuing from `value` (0 starts a new checksum), as `zlib.crc32`.
#[must_use]
pub fn crc32(value: u32, data: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new_with_initial(value);
    h.update(data);
    h.finalize()
}

/// CRC-32C (Castagnoli) of `data`, continuing from `value` (0 starts a new checksum).
#[must_use]
pub fn crc32c(value: u32, data: &[u8]) -> u32 {
    crc32c::crc32c_append(value, data)
}

/// MD5 digest of `data`.
#[must_use]
pub fn md5(data: &[u8]) -> [u8; 16] {
    md5::Md5::digest(data).into()
}

/// SHA-1 digest of `data`.
#[must_use]
pub fn sha1(data: &[u8]) -> [u8; 20] {
    sha1::Sha1::digest(data).into()
}

/// A finished checksum: its type and value bytes in conventional (big-endian) order,
/// so `to_hex` gives the spelling CTA prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub algo: ChecksumType,
    pub bytes: Vec<u8>,
}

impl Digest {
    /// Lower-case, full-width hex without `0x`, as CTA and `xrdadler32` print it.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex::encode(&self.bytes)
    }

    /// The value as an integer for the 32-bit types, `None` for MD5/SHA-1.
    #[must_use]
    pub fn as_u32(&self) -> Option<u32> {
        <[u8; 4]>::try_from(self.bytes.as_slice()).ok().map(u32::from_be_bytes)
    }
}

/// A checksum computed over data that arrives in pieces (`update`… then `finish`).
#[derive(Clone)]
pub enum Checksummer {
    Adler32(simd_adler32::Adler32),
    Crc32(crc32fast::Hasher),
    Crc32c(u32),
    Md5(md5::Md5),
    Sha1(sha1::Sha1),
}

impl Checksummer {
    /// Starts a checksum of the given type; `ChecksumType::None` has no checksummer.
    pub fn new(algo: ChecksumType) -> crate::Result<Self> {
        Ok(match algo {
            ChecksumType::Adler32 => Self::Adler32(simd_adler32::Adler32::new()),
            ChecksumType::Crc32 => Self::Crc32(crc32fast::Hasher::new()),
            ChecksumType::Crc32c => Self::Crc32c(0),
            ChecksumType::Md5 => Self::Md5(md5::Md5::default()),
            ChecksumType::Sha1 => Self::Sha1(sha1::Sha1::default()),
            ChecksumType::None => {
                return Err(crate::Error::InvalidArgument(
                    "checksum type NONE cannot be computed".into(),
                ));
            }
        })
    }

    /// The type this checksummer computes.
    #[must_use]
    pub fn algo(&self) -> ChecksumType {
        match self {
            Self::Adler32(_) => ChecksumType::Adler32,
            Self::Crc32(_) => ChecksumType::Crc32,
            Self::Crc32c(_) => ChecksumType::Crc32c,
            Self::Md5(_) => ChecksumType::Md5,
            Self::Sha1(_) => ChecksumType::Sha1,
        }
    }

    /// Feeds more data.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Self::Adler32(h) => h.write(data),
            Self::Crc32(h) => h.update(data),
            Self::Crc32c(v) => *v = crc32c::crc32c_append(*v, data),
            Self::Md5(h) => h.update(data),
            Self::Sha1(h) => h.update(data),
        }
    }

    /// Ends the checksum and returns its value.
    #[must_use]
    pub fn finish(self) -> Digest {
        let algo = self.algo();
        let bytes = match self {
            Self::Adler32(h) => h.finish().to_be_bytes().to_vec(),
            Self::Crc32(h) => h.finalize().to_be_bytes().to_vec(),
            Self::Crc32c(v) => v.to_be_bytes().to_vec(),
            Self::Md5(h) => h.finalize().to_vec(),
            Self::Sha1(h) => h.finalize().to_vec(),
        };
        Digest { algo, bytes }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(adler32(1, b""), 1);
        assert_eq!(adler32(1, b"Wikipedia"), 0x11E6_0398);
        assert_eq!(crc32(0, b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32c(0, b"123456789"), 0xE306_9283);
        assert_eq!(hex::encode(md5(b"")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(hex::encode(sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }

    #[test]
    fn streaming_matches_one_shot() {
        let data: Vec<u8> = (0..100_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for algo in [
            ChecksumType::Adler32,
            ChecksumType::Crc32,
            ChecksumType::Crc32c,
            ChecksumType::Md5,
            ChecksumType::Sha1,
        ] {
            let mut c = Checksummer::new(algo).unwrap();
            for chunk in data.chunks(7777) {
                c.update(chunk);
            }
            let streamed = c.finish();
            let whole = match algo {
                ChecksumType::Adler32 => adler32(1, &data).to_be_bytes().to_vec(),
                ChecksumType::Crc32 => crc32(0, &data).to_be_bytes().to_vec(),
                ChecksumType::Crc32c => crc32c(0, &data).to_be_bytes().to_vec(),
                ChecksumType::Md5 => md5(&data).to_vec(),
                ChecksumType::Sha1 => sha1(&data).to_vec(),
                ChecksumType::None => unreachable!(),
            };
            assert_eq!(streamed.bytes, whole, "{algo}");
        }
        assert!(Checksummer::new(ChecksumType::None).is_err());
    }

    proptest! {
        #[test]
        fn split_anywhere_and_chained_equals_whole(data in proptest::collection::vec(any::<u8>(), 0..20_000), cut in any::<prop::sample::Index>()) {
            let at = if data.is_empty() { 0 } else { cut.index(data.len() + 1) };
            let (a, b) = data.split_at(at);
            prop_assert_eq!(adler32(adler32(1, a), b), adler32(1, &data));
            prop_assert_eq!(crc32(crc32(0, a), b), crc32(0, &data));
            prop_assert_eq!(crc32c(crc32c(0, a), b), crc32c(0, &data));
        }
    }
}
