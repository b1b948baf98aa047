//! SSC drive data: READ POSITION, READ BLOCK LIMITS, REPORT DENSITY SUPPORT.

use serde::{Deserialize, Serialize};

use crate::error::{Result, short};

/// Position as reported by READ POSITION (short, long or extended form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Position {
    pub bop: bool,
    pub eop: bool,
    pub partition: u32,
    /// Current logical object (block id): the next block to be read or written.
    pub block: u64,
    /// Long form only: number of filemarks from BOP (the file number).
    pub file: Option<u64>,
    /// Short/extended form: objects still in the drive buffer.
    pub buffered_objects: Option<u32>,
    pub location_unknown: bool,
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn be64(b: &[u8], at: usize) -> u64 {
    let mut v = [0u8; 8];
    v.copy_from_slice(&b[at..at + 8]);
    u64::from_be_bytes(v)
}

impl Position {
    /// Short form (20 bytes).
    pub fn parse_short(b: &[u8]) -> Result<Self> {
        if b.len() < 20 {
            return Err(short("READ POSITION short form", 20, b.len()));
        }
        Ok(Self {
            bop: b[0] & 0x80 != 0,
            eop: b[0] & 0x40 != 0,
            partition: u32::from(b[1]),
            block: u64::from(be32(b, 4)),
            file: None,
            buffered_objects: Some((u32::from(b[13]) << 16) | (u32::from(b[14]) << 8) | u32::from(b[15])),
            location_unknown: b[0] & 0x04 != 0,
        })
    }

    /// Long form (32 bytes).
    pub fn parse_long(b: &[u8]) -> Result<Self> {
        if b.len() < 32 {
            return Err(short("READ POSITION long form", 32, b.len()));
        }
        Ok(Self {
            bop: b[0] & 0x80 != 0,
            eop: b[0] & 0x40 != 0,
            partition: be32(b, 4),
            block: be64(b, 8),
            file: (b[0] & 0x08 == 0).then(|| be64(b, 16)),
            buffered_objects: None,
            location_unknown: b[0] & 0x04 != 0,
        })
    }

    /// Extended form (32 bytes).
    pub fn parse_extended(b: &[u8]) -> Result<Self> {
        if b.len() < 32 {
            return Err(short("READ POSITION extended form", 32, b.len()));
        }
        Ok(Self {
            bop: b[0] & 0x80 != 0,
            eop: b[0] & 0x40 != 0,
            partition: u32::from(b[1]),
            block: be64(b, 8),
            file: None,
            buffered_objects: Some((u32::from(b[5]) << 16) | (u32::from(b[6]) << 8) | u32::from(b[7])),
            location_unknown: b[0] & 0x04 != 0,
        })
    }

    fn flags(&self) -> u8 {
        (u8::from(self.bop) << 7) | (u8::from(self.eop) << 6)
    }

    #[must_use]
    pub fn encode_short(&self) -> Vec<u8> {
        let mut b = vec![0u8; 20];
        b[0] = self.flags();
        b[1] = u8::try_from(self.partition).unwrap_or(u8::MAX);
        let blk = u32::try_from(self.block).unwrap_or(u32::MAX).to_be_bytes();
        b[4..8].copy_from_slice(&blk);
        b[8..12].copy_from_slice(&blk);
        if self.block > u64::from(u32::MAX) {
            b[0] |= 0x02;
        }
        b
    }

    #[must_use]
    pub fn encode_long(&self) -> Vec<u8> {
        let mut b = vec![0u8; 32];
        b[0] = self.flags() | if self.file.is_none() { 0x08 } else { 0 };
        b[4..8].copy_from_slice(&self.partition.to_be_bytes());
        b[8..16].copy_from_slice(&self.block.to_be_bytes());
        b[16..24].copy_from_slice(&self.file.unwrap_or(0).to_be_bytes());
        b
    }

    #[must_use]
    pub fn encode_extended(&self) -> Vec<u8> {
        let mut b = vec![0u8; 32];
        b[0] = self.flags();
        b[1] = u8::try_from(self.partition).unwrap_or(u8::MAX);
        b[2..4].copy_from_slice(&0x1Cu16.to_be_bytes());
        b[8..16].copy_from_slice(&self.block.to_be_bytes());
        b[16..24].copy_from_slice(&self.block.to_be_bytes());
        b
    }
}

/// READ BLOCK LIMITS data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockLimits {
    pub granularity: u8,
    pub max: u32,
    pub min: u16,
}

impl BlockLimits {
    pub fn parse(b: &[u8]) -> Result<Self> {
        if b.len() < 6 {
            return Err(short("READ BLOCK LIMITS data", 6, b.len()));
        }
        Ok(Self {
            granularity: b[0] & 0x1F,
            max: (u32::from(b[1]) << 16) | (u32::from(b[2]) << 8) | u32::from(b[3]),
            min: u16::from_be_bytes([b[4], b[5]]),
        })
    }

    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let m = self.max.min(0x00FF_FFFF).to_be_bytes();
        let n = self.min.to_be_bytes();
        vec![self.granularity & 0x1F, m[1], m[2], m[3], n[0], n[1]]
    }
}

/// One density descriptor (52 bytes) of REPORT DENSITY SUPPORT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Density {
    pub primary_code: u8,
    pub secondary_code: u8,
    pub writable: bool,
    pub duplicate: bool,
    pub default: bool,
    pub bits_per_mm: u32,
    pub media_width: u16,
    pub tracks: u16,
    pub capacity_mb: u32,
    pub organization: String,
    pub name: String,
    pub description: String,
}

const DENSITY_LEN: usize = 52;

fn text(b: &[u8]) -> String {
    b.iter()
        .map(|&c| if (0x20..0x7F).contains(&c) { char::from(c) } else { ' ' })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Parses REPORT DENSITY SUPPORT data. The length field is clamped to the transfer (Quantum HH7
/// reports the allocation length) and descriptors are always 52 bytes.
pub fn parse_density_support(b: &[u8]) -> Result<Vec<Density>> {
    if b.len() < 4 {
        return Err(short("REPORT DENSITY SUPPORT header", 4, b.len()));
    }
    let end = b.len().min(2 + usize::from(u16::from_be_bytes([b[0], b[1]])));
    Ok(b.get(4..end)
        .unwrap_or(&[])
        .chunks_exact(DENSITY_LEN)
        .map(|d| Density {
            primary_code: d[0],
            secondary_code: d[1],
            writable: d[2] & 0x80 != 0,
            duplicate: d[2] & 0x40 != 0,
            default: d[2] & 0x20 != 0,
            bits_per_mm: (u32::from(d[5]) << 16) | (u32::from(d[6]) << 8) | u32::from(d[7]),
            media_width: u16::from_be_bytes([d[8], d[9]]),
            tracks: u16::from_be_bytes([d[10], d[11]]),
            capacity_mb: be32(d, 12),
            organization: text(&d[16..24]),
            name: text(&d[24..32]),
            description: text(&d[32..52]),
        })
        .collect())
}

/// Encodes REPORT DENSITY SUPPORT data (emulator).
#[must_use]
pub fn encode_density_support(ds: &[Density]) -> Vec<u8> {
    let len = u16::try_from(2 + ds.len() * DENSITY_LEN).unwrap_or(u16::MAX);
    let mut b = len.to_be_bytes().to_vec();
    b.extend([0, 0]);
    for d in ds {
        let mut x = [0u8; DENSITY_LEN];
        x[0] = d.primary_code;
        x[1] = d.secondary_code;
        x[2] = (u8::from(d.writable) << 7) | (u8::from(d.duplicate) << 6) | (u8::from(d.default) << 5);
        x[5..8].copy_from_slice(&d.bits_per_mm.to_be_bytes()[1..]);
        x[8..10].copy_from_slice(&d.media_width.to_be_bytes());
        x[10..12].copy_from_slice(&d.tracks.to_be_bytes());
        x[12..16].copy_from_slice(&d.capacity_mb.to_be_bytes());
        crate::inquiry::pad_into(&mut x[16..24], &d.organization);
        crate::inquiry::pad_into(&mut x[24..32], &d.name);
        crate::inquiry::pad_into(&mut x[32..52], &d.description);
        b.extend(x);
    }
    b
}

/// LTO generation facts (spec §5.1): density code, name, bits/mm, tracks, native capacity (MB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LtoGeneration {
    pub generation: u8,
    pub density_code: u8,
    pub name: &'static str,
    pub bits_per_mm: u32,
    pub tracks: u16,
    pub capacity_mb: u32,
}

pub const LTO_GENERATIONS: [LtoGeneration; 5] = [
    LtoGeneration {
        generation: 5,
        density_code: 0x58,
        name: "U-516",
        bits_per_mm: 15142,
        tracks: 1280,
        capacity_mb: 1_500_000,
    },
    LtoGeneration {
        generation: 6,
        density_code: 0x5A,
        name: "U-616",
        bits_per_mm: 15142,
        tracks: 2176,
        capacity_mb: 2_500_000,
    },
    LtoGeneration {
        generation: 7,
        density_code: 0x5C,
        name: "U-732",
        bits_per_mm: 19107,
        tracks: 3584,
        capacity_mb: 6_000_000,
    },
    LtoGeneration {
        generation: 8,
        density_code: 0x5E,
        name: "U-832",
        bits_per_mm: 20669,
        tracks: 6656,
        capacity_mb: 12_000_000,
    },
    LtoGeneration {
        generation: 9,
        density_code: 0x60,
        name: "U-932",
        bits_per_mm: 21456,
        tracks: 8960,
        capacity_mb: 18_000_000,
    },
];

/// Generation of an LTO barcode from its media id (`L8`, `M8`, `LY` …).
#[must_use]
pub fn lto_generation_of_barcode(barcode: &str) -> Option<u8> {
    let id = barcode.get(6..8)?;
    match id {
        "M8" => Some(7),
        "LV" => Some(5),
        "LW" => Some(6),
        "LX" => Some(7),
        "LY" => Some(8),
        "LZ" => Some(9),
        _ if id.starts_with('L') => id[1..].parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_form_from_spec_layout() {
        let mut b = [0u8; 20];
        b[0] = 0x80;
        b[4..8].copy_from_slice(&42u32.to_be_bytes());
        b[15] = 3;
        let p = Position::parse_short(&b).unwrap();
        assert!(p.bop);
        assert_eq!((p.block, p.buffered_objects), (42, Some(3)));
        assert_eq!(Position::parse_short(&b[..19]).unwrap_err().code(), "SHORT_RESPONSE");
    }

    #[test]
    fn long_and_extended_forms() {
        let mut b = [0u8; 32];
        b[8..16].copy_from_slice(&0x1_0000_0000u64.to_be_bytes());
        b[16..24].copy_from_slice(&7u64.to_be_bytes());
        let p = Position::parse_long(&b).unwrap();
        assert_eq!((p.block, p.file), (0x1_0000_0000, Some(7)));
        assert_eq!(Position::parse_long(&p.encode_long()).unwrap(), p);
        b[0] = 0x08;
        assert_eq!(Position::parse_long(&b).unwrap().file, None);
        let e = Position {
            block: 9,
            ..Position::default()
        };
        assert_eq!(Position::parse_extended(&e.encode_extended()).unwrap().block, 9);
    }

    #[test]
    fn block_limits() {
        let l = BlockLimits::parse(&[0x00, 0x80, 0x00, 0x00, 0x00, 0x01]).unwrap();
        assert_eq!((l.max, l.min), (0x80_0000, 1));
        assert_eq!(l.encode(), [0x00, 0x80, 0x00, 0x00, 0x00, 0x01]);
    }

    #[test]
    fn density_descriptors() {
        let g = LTO_GENERATIONS[4];
        let d = Density {
            primary_code: g.density_code,
            secondary_code: g.density_code,
            writable: true,
            duplicate: false,
            default: true,
            bits_per_mm: g.bits_per_mm,
            media_width: 127,
            tracks: g.tracks,
            capacity_mb: g.capacity_mb,
            organization: "LTO-CVE".into(),
            name: g.name.into(),
            description: "Ultrium 9/16T".into(),
        };
        let b = encode_density_support(std::slice::from_ref(&d));
        assert_eq!(b.len(), 56);
        assert_eq!(&b[4 + 24..4 + 29], b"U-932");
        assert_eq!(parse_density_support(&b).unwrap(), vec![d]);
        // A drive that reports a larger length than it sent: clamped, partial descriptor dropped.
        let mut lying = b[..40].to_vec();
        lying[0..2].copy_from_slice(&1000u16.to_be_bytes());
        assert!(parse_density_support(&lying).unwrap().is_empty());
        assert_eq!(lto_generation_of_barcode("ABC123L9"), Some(9));
        assert_eq!(lto_generation_of_barcode("ABC123M8"), Some(7));
        assert_eq!(lto_generation_of_barcode("CLN001CU"), None);
    }
}
