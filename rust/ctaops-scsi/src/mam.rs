//! READ ATTRIBUTE (cartridge memory, MAM): attribute list and a typed view of what operators use.

use serde::{Deserialize, Serialize};

use crate::error::{Result, short};

pub const REMAINING_CAPACITY: u16 = 0x0000;
pub const MAXIMUM_CAPACITY: u16 = 0x0001;
pub const TAPEALERT_FLAGS: u16 = 0x0002;
pub const LOAD_COUNT: u16 = 0x0003;
pub const FORMATTED_DENSITY: u16 = 0x0006;
pub const LIFETIME_MB_WRITTEN: u16 = 0x0220;
pub const LIFETIME_MB_READ: u16 = 0x0221;
pub const MANUFACTURER: u16 = 0x0400;
pub const SERIAL: u16 = 0x0401;
pub const MEDIUM_DENSITY: u16 = 0x0405;
pub const MANUFACTURE_DATE: u16 = 0x0406;
pub const MEDIUM_TYPE: u16 = 0x0408;
pub const BARCODE: u16 = 0x0806;

/// One attribute as sent by the drive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    pub id: u16,
    pub read_only: bool,
    /// 0 binary, 1 ASCII, 2 text.
    pub format: u8,
    pub value: Vec<u8>,
}

impl Attribute {
    #[must_use]
    pub fn number(id: u16, v: u64, width: usize) -> Self {
        Self {
            id,
            read_only: true,
            format: 0,
            value: v.to_be_bytes()[8 - width.min(8)..].to_vec(),
        }
    }

    #[must_use]
    pub fn ascii(id: u16, s: &str, width: usize) -> Self {
        let mut value = vec![b' '; width];
        crate::inquiry::pad_into(&mut value, s);
        Self {
            id,
            read_only: true,
            format: 1,
            value,
        }
    }

    fn as_u64(&self) -> Option<u64> {
        (self.format == 0 && self.value.len() <= 8).then(|| self.value.iter().fold(0, |a, &b| (a << 8) | u64::from(b)))
    }

    fn as_text(&self) -> String {
        self.value
            .iter()
            .map(|&c| if (0x20..0x7F).contains(&c) { char::from(c) } else { ' ' })
            .collect::<String>()
            .trim()
            .to_owned()
    }
}

/// Parses READ ATTRIBUTE (service action 0) data; attributes cut by the allocation are dropped.
pub fn parse_attributes(b: &[u8]) -> Result<Vec<Attribute>> {
    if b.len() < 4 {
        return Err(short("READ ATTRIBUTE data", 4, b.len()));
    }
    let avail = usize::try_from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])).unwrap_or(usize::MAX);
    let end = b.len().min(4usize.saturating_add(avail));
    let mut out = Vec::new();
    let mut pos = 4;
    while pos + 5 <= end {
        let len = usize::from(u16::from_be_bytes([b[pos + 3], b[pos + 4]]));
        if pos + 5 + len > end {
            break;
        }
        out.push(Attribute {
            id: u16::from_be_bytes([b[pos], b[pos + 1]]),
            read_only: b[pos + 2] & 0x80 != 0,
            format: b[pos + 2] & 0x03,
            value: b[pos + 5..pos + 5 + len].to_vec(),
        });
        pos += 5 + len;
    }
    Ok(out)
}

/// Encodes READ ATTRIBUTE data (emulator).
#[must_use]
pub fn encode_attributes(attrs: &[Attribute]) -> Vec<u8> {
    let mut body = Vec::new();
    for a in attrs {
        body.extend(a.id.to_be_bytes());
        body.push((u8::from(a.read_only) << 7) | (a.format & 3));
        body.extend(u16::try_from(a.value.len()).unwrap_or(u16::MAX).to_be_bytes());
        body.extend(&a.value);
    }
    let mut b = u32::try_from(body.len()).unwrap_or(u32::MAX).to_be_bytes().to_vec();
    b.extend(body);
    b
}

/// What operators read from cartridge memory.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CartridgeMemory {
    pub remaining_capacity_mib: Option<u64>,
    pub maximum_capacity_mib: Option<u64>,
    pub load_count: Option<u64>,
    pub tapealert_flags: Option<u64>,
    pub lifetime_mb_written: Option<u64>,
    pub lifetime_mb_read: Option<u64>,
    pub manufacturer: Option<String>,
    pub serial: Option<String>,
    pub manufacture_date: Option<String>,
    pub barcode: Option<String>,
    pub density_code: Option<u64>,
}

impl CartridgeMemory {
    #[must_use]
    pub fn from_attributes(attrs: &[Attribute]) -> Self {
        let find = |id| attrs.iter().find(|a| a.id == id);
        let num = |id| find(id).and_then(Attribute::as_u64);
        let txt = |id| find(id).map(Attribute::as_text).filter(|s| !s.is_empty());
        Self {
            remaining_capacity_mib: num(REMAINING_CAPACITY),
            maximum_capacity_mib: num(MAXIMUM_CAPACITY),
            load_count: num(LOAD_COUNT),
            tapealert_flags: num(TAPEALERT_FLAGS),
            lifetime_mb_written: num(LIFETIME_MB_WRITTEN),
            lifetime_mb_read: num(LIFETIME_MB_READ),
            manufacturer: txt(MANUFACTURER),
            serial: txt(SERIAL),
            manufacture_date: txt(MANUFACTURE_DATE),
            barcode: txt(BARCODE),
            density_code: num(MEDIUM_DENSITY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_from_spec_layout() {
        // load count (binary, 8 bytes) and manufacturer (ASCII, 8 bytes).
        let mut b = vec![0, 0, 0, 26];
        b.extend([0x00, 0x03, 0x80, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 17]);
        b.extend([0x04, 0x00, 0x81, 0x00, 0x08]);
        b.extend(b"FUJIFILM");
        let a = parse_attributes(&b).unwrap();
        let cm = CartridgeMemory::from_attributes(&a);
        assert_eq!(cm.load_count, Some(17));
        assert_eq!(cm.manufacturer.as_deref(), Some("FUJIFILM"));
        assert_eq!(encode_attributes(&a), b);
        // Truncated: the partial attribute is dropped.
        assert_eq!(parse_attributes(&b[..20]).unwrap().len(), 1);
        assert!(parse_attributes(&b[..3]).is_err());
    }
}
