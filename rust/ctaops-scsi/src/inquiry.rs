//! INQUIRY data: standard (36 bytes), VPD 0x80 (unit serial) and VPD 0x83 (device identification).

use serde::{Deserialize, Serialize};

use crate::error::{Result, ScsiError, short};

pub const TYPE_TAPE: u8 = 0x01;
pub const TYPE_CHANGER: u8 = 0x08;

/// Standard INQUIRY data. Strings are kept space-padded as the device sent them (cta-smc prints
/// them padded); use `trim_end` for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inquiry {
    pub qualifier: u8,
    pub device_type: u8,
    pub removable: bool,
    pub version: u8,
    pub mchngr: bool,
    pub vendor: String,
    pub product: String,
    pub revision: String,
}

fn ascii(b: &[u8]) -> String {
    b.iter()
        .map(|&c| if (0x20..0x7F).contains(&c) { char::from(c) } else { ' ' })
        .collect()
}

impl Inquiry {
    pub fn parse(b: &[u8]) -> Result<Self> {
        if b.len() < 36 {
            return Err(short("standard INQUIRY data", 36, b.len()));
        }
        Ok(Self {
            qualifier: b[0] >> 5,
            device_type: b[0] & 0x1F,
            removable: b[1] & 0x80 != 0,
            version: b[2],
            mchngr: b[6] & 0x08 != 0,
            vendor: ascii(&b[8..16]),
            product: ascii(&b[16..32]),
            revision: ascii(&b[32..36]),
        })
    }

    /// 36 bytes as a device sends them (used by the emulator).
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; 36];
        b[0] = (self.qualifier << 5) | (self.device_type & 0x1F);
        b[1] = if self.removable { 0x80 } else { 0 };
        b[2] = self.version;
        b[3] = 2;
        b[4] = 31;
        b[6] = if self.mchngr { 0x08 } else { 0 };
        pad_into(&mut b[8..16], &self.vendor);
        pad_into(&mut b[16..32], &self.product);
        pad_into(&mut b[32..36], &self.revision);
        b
    }

    /// CTA's "Spectra-like" rule: vendor SPECTRA, or IBM 3573-TL.
    #[must_use]
    pub fn is_spectra_like(&self) -> bool {
        let v = self.vendor.trim_end();
        v == "SPECTRA" || (v == "IBM" && self.product.trim_end() == "3573-TL")
    }
}

/// Copies `s` into `dst`, space-padded (truncated if longer).
pub fn pad_into(dst: &mut [u8], s: &str) {
    dst.fill(b' ');
    for (d, c) in dst.iter_mut().zip(s.bytes()) {
        *d = c;
    }
}

fn vpd_body(b: &[u8], page: u8, what: &'static str) -> Result<Vec<u8>> {
    if b.len() < 4 {
        return Err(short(what, 4, b.len()));
    }
    if b[1] != page {
        return Err(ScsiError::UnsupportedPage {
            page: b[1],
            detail: format!("expected VPD page 0x{page:02X}"),
        });
    }
    let len = usize::from(u16::from_be_bytes([b[2], b[3]]));
    let end = (4 + len).min(b.len());
    Ok(b[4..end].to_vec())
}

/// VPD 0x80: the unit serial number, trimmed.
pub fn parse_vpd80(b: &[u8]) -> Result<String> {
    // Page length is one byte at byte 3 in SPC; byte 2 is reserved (zero) so the u16 read is equal.
    Ok(ascii(&vpd_body(b, 0x80, "VPD page 0x80")?).trim().to_owned())
}

/// Encodes a VPD 0x80 page (emulator).
#[must_use]
pub fn encode_vpd80(device_type: u8, serial: &str) -> Vec<u8> {
    let mut b = vec![device_type, 0x80, 0, u8::try_from(serial.len()).unwrap_or(u8::MAX)];
    b.extend(serial.bytes().take(255));
    b
}

/// One designation descriptor (VPD 0x83, and the DVCID block of READ ELEMENT STATUS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Designator {
    pub protocol: u8,
    pub code_set: u8,
    pub association: u8,
    pub designator_type: u8,
    pub value: Vec<u8>,
}

impl Designator {
    /// The value as text when the code set is ASCII/UTF-8, else hex.
    #[must_use]
    pub fn text(&self) -> String {
        if matches!(self.code_set, 2 | 3) {
            ascii(&self.value).trim().to_owned()
        } else {
            self.value.iter().map(|b| format!("{b:02x}")).collect()
        }
    }

    /// Serial number carried by a DVCID identifier: type 1 (vendor 8 + product 16 + serial) gives
    /// the part after 24 bytes, type 0 is the serial itself.
    #[must_use]
    pub fn drive_serial(&self) -> String {
        if self.designator_type == 1 && self.value.len() > 24 {
            ascii(&self.value[24..]).trim().to_owned()
        } else {
            ascii(&self.value).trim().to_owned()
        }
    }

    /// Parses one descriptor at the start of `b`; returns it and its total length.
    pub fn parse(b: &[u8]) -> Result<(Self, usize)> {
        if b.len() < 4 {
            return Err(short("designation descriptor", 4, b.len()));
        }
        let len = usize::from(b[3]);
        let end = (4 + len).min(b.len());
        Ok((
            Self {
                protocol: b[0] >> 4,
                code_set: b[0] & 0x0F,
                association: (b[1] >> 4) & 0x03,
                designator_type: b[1] & 0x0F,
                value: b[4..end].to_vec(),
            },
            4 + len,
        ))
    }

    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut b = vec![
            (self.protocol << 4) | (self.code_set & 0x0F),
            ((self.association & 3) << 4) | (self.designator_type & 0x0F),
            0,
            u8::try_from(self.value.len()).unwrap_or(u8::MAX),
        ];
        b.extend(self.value.iter().take(255));
        b
    }
}

/// VPD 0x83: every designation descriptor.
pub fn parse_vpd83(b: &[u8]) -> Result<Vec<Designator>> {
    let body = vpd_body(b, 0x83, "VPD page 0x83")?;
    let mut out = Vec::new();
    let mut pos = 0;
    while pos + 4 <= body.len() {
        let (d, n) = Designator::parse(&body[pos..])?;
        out.push(d);
        pos += n;
    }
    Ok(out)
}

/// Encodes a VPD 0x83 page (emulator).
#[must_use]
pub fn encode_vpd83(device_type: u8, designators: &[Designator]) -> Vec<u8> {
    let body: Vec<u8> = designators.iter().flat_map(Designator::encode).collect();
    let len = u16::try_from(body.len()).unwrap_or(u16::MAX).to_be_bytes();
    let mut b = vec![device_type, 0x83, len[0], len[1]];
    b.extend(body);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_inquiry_from_spec_layout() {
        let mut b = vec![0u8; 36];
        b[0] = 0x08;
        b[1] = 0x80;
        b[2] = 5;
        b[8..16].copy_from_slice(b"IBM     ");
        b[16..32].copy_from_slice(b"03584L32        ");
        b[32..36].copy_from_slice(b"1802");
        let i = Inquiry::parse(&b).unwrap();
        assert_eq!((i.device_type, i.removable, i.mchngr), (TYPE_CHANGER, true, false));
        assert_eq!(
            (i.vendor.as_str(), i.product.as_str(), i.revision.as_str()),
            ("IBM     ", "03584L32        ", "1802")
        );
        assert!(!i.is_spectra_like());
        assert_eq!(Inquiry::parse(&i.encode()).unwrap(), i);
        assert_eq!(Inquiry::parse(&b[..35]).unwrap_err().code(), "SHORT_RESPONSE");
    }

    #[test]
    fn spectra_like_rule() {
        let mut i = Inquiry::parse(&[0u8; 36]).unwrap();
        i.vendor = "SPECTRA ".into();
        assert!(i.is_spectra_like());
        i.vendor = "IBM     ".into();
        i.product = "3573-TL         ".into();
        assert!(i.is_spectra_like());
    }

    #[test]
    fn vpd80_and_83() {
        let mut b = vec![0x01, 0x80, 0x00, 0x0B];
        b.extend(b"10780000AB ");
        assert_eq!(parse_vpd80(&b).unwrap(), "10780000AB");
        assert_eq!(parse_vpd80(&[0x01, 0x83, 0, 0]).unwrap_err().code(), "UNSUPPORTED_PAGE");
        let mut t10 = b"IBM     ULT3580-TD9     1078000012".to_vec();
        let naa = [0x01, 0x03, 0x00, 0x08, 0x50, 0x05, 0x07, 0x63, 0x12, 0x34, 0x56, 0x78];
        let mut page = vec![0x01, 0x83, 0x00, 0x00];
        page.extend(naa);
        page.extend([0x02, 0x01, 0x00, 34]);
        page.append(&mut t10);
        let n = u16::try_from(page.len() - 4).unwrap().to_be_bytes();
        page[2..4].copy_from_slice(&n);
        let d = parse_vpd83(&page).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].designator_type, d[0].text().as_str()), (3, "5005076312345678"));
        assert_eq!(d[1].drive_serial(), "1078000012");
        assert_eq!(encode_vpd83(1, &d), page);
    }
}
