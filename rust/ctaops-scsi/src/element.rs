//! SMC element data: MODE SENSE page 0x1D (element address assignment) and READ ELEMENT STATUS.

use serde::{Deserialize, Serialize};

use crate::cdb::ElementType;
use crate::error::{Result, ScsiError, short};
use crate::inquiry::Designator;

/// First address and count of each element type (page 0x1D).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementRange {
    pub start: u16,
    pub count: u16,
}

impl ElementRange {
    #[must_use]
    pub fn contains(&self, address: u16) -> bool {
        address >= self.start && u32::from(address) < u32::from(self.start) + u32::from(self.count)
    }
}

/// The element address assignment page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressAssignment {
    pub transport: ElementRange,
    pub storage: ElementRange,
    pub import_export: ElementRange,
    pub data_transfer: ElementRange,
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be24(b: &[u8], at: usize) -> usize {
    (usize::from(b[at]) << 16) | (usize::from(b[at + 1]) << 8) | usize::from(b[at + 2])
}

impl AddressAssignment {
    /// Parses MODE SENSE(6) data (4-byte header, block descriptors skipped by their length).
    pub fn parse_mode_sense6(b: &[u8]) -> Result<Self> {
        if b.len() < 4 {
            return Err(short("MODE SENSE header", 4, b.len()));
        }
        let p = 4 + usize::from(b[3]);
        if b.len() < p + 20 {
            return Err(short("element address assignment page", p + 20, b.len()));
        }
        if b[p] & 0x3F != 0x1D {
            return Err(ScsiError::UnsupportedPage {
                page: b[p] & 0x3F,
                detail: "expected mode page 0x1D".into(),
            });
        }
        let r = |at: usize| ElementRange {
            start: be16(b, p + at),
            count: be16(b, p + at + 2),
        };
        Ok(Self {
            transport: r(2),
            storage: r(6),
            import_export: r(10),
            data_transfer: r(14),
        })
    }

    /// MODE SENSE(6) response with this page (emulator).
    #[must_use]
    pub fn encode_mode_sense6(&self) -> Vec<u8> {
        let mut b = vec![0u8; 24];
        b[0] = 23;
        b[4] = 0x1D;
        b[5] = 0x12;
        for (i, r) in [self.transport, self.storage, self.import_export, self.data_transfer]
            .iter()
            .enumerate()
        {
            b[6 + i * 4..8 + i * 4].copy_from_slice(&r.start.to_be_bytes());
            b[8 + i * 4..10 + i * 4].copy_from_slice(&r.count.to_be_bytes());
        }
        b
    }

    /// Which element type an address belongs to.
    #[must_use]
    pub fn type_of(&self, address: u16) -> Option<ElementType> {
        [
            (self.transport, ElementType::Transport),
            (self.storage, ElementType::Storage),
            (self.import_export, ElementType::ImportExport),
            (self.data_transfer, ElementType::DataTransfer),
        ]
        .into_iter()
        .find(|(r, _)| r.contains(address))
        .map(|(_, t)| t)
    }
}

/// One element descriptor, decoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementStatus {
    pub element_type: ElementType,
    pub address: u16,
    pub full: bool,
    pub except: bool,
    pub access: bool,
    /// I/E only: 1 = put in by an operator (import), 0 = placed by the robot (export).
    pub impexp: bool,
    pub inenab: bool,
    pub exenab: bool,
    pub asc: u8,
    pub ascq: u8,
    pub invert: bool,
    pub disabled: bool,
    pub medium_type: u8,
    /// Source storage element when SVALID.
    pub source: Option<u16>,
    /// Raw primary volume tag (32 bytes of identifier, trailing spaces kept) when PVOLTAG.
    pub volume_tag: Option<String>,
    pub identifier: Option<Designator>,
    /// Byte 2 as reported (CTA keeps it whole).
    pub flags: u8,
}

impl ElementStatus {
    /// An empty descriptor of this type at this address (emulator and tests start from it).
    #[must_use]
    pub fn empty(element_type: ElementType, address: u16) -> Self {
        Self {
            element_type,
            address,
            full: false,
            except: false,
            access: true,
            impexp: false,
            inenab: false,
            exenab: false,
            asc: 0,
            ascq: 0,
            invert: false,
            disabled: false,
            medium_type: 0,
            source: None,
            volume_tag: None,
            identifier: None,
            flags: 0,
        }
    }

    /// The tag trimmed (mtx prints it raw; most callers want this).
    #[must_use]
    pub fn barcode(&self) -> Option<&str> {
        self.volume_tag.as_deref().map(str::trim_end).filter(|s| !s.is_empty())
    }

    /// CTA's VID: at most 6 characters, cut at the first space.
    #[must_use]
    pub fn vid(&self) -> String {
        let Some(t) = self.volume_tag.as_deref() else {
            return String::new();
        };
        t.chars().take_while(|c| *c != ' ' && *c != '\0').take(6).collect()
    }

    fn flags_byte(&self) -> u8 {
        let mut f = u8::from(self.full) | (u8::from(self.except) << 2);
        if self.element_type != ElementType::Transport {
            f |= u8::from(self.access) << 3;
        }
        if self.element_type == ElementType::ImportExport {
            f |= (u8::from(self.impexp) << 1) | (u8::from(self.exenab) << 4) | (u8::from(self.inenab) << 5);
        }
        f
    }
}

/// Decoded READ ELEMENT STATUS data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementStatusData {
    pub first_address: u16,
    /// Elements that match the request (may exceed what fit in the allocation).
    pub available: u16,
    /// Report bytes available, excluding the 8-byte header.
    pub byte_count: usize,
    pub elements: Vec<ElementStatus>,
}

fn tag_text(b: &[u8]) -> Option<String> {
    let id = &b[..32];
    if id.iter().all(|&c| c == 0 || c == b' ') {
        return None;
    }
    // Non-printables become spaces (mtx turns them into NULs); trailing padding is kept.
    Some(
        id.iter()
            .map(|&c| if (0x20..0x7F).contains(&c) { char::from(c) } else { ' ' })
            .collect(),
    )
}

/// Parses READ ELEMENT STATUS data, walking every page by its own descriptor length and byte count
/// and clamping to what was transferred.
pub fn parse_element_status(b: &[u8]) -> Result<ElementStatusData> {
    if b.len() < 8 {
        return Err(short("element status data", 8, b.len()));
    }
    let byte_count = be24(b, 5);
    let end = b.len().min(8 + byte_count);
    let mut elements = Vec::new();
    let mut pos = 8;
    while pos + 8 <= end {
        let code = b[pos] & 0x0F;
        let ty = ElementType::from_code(code)
            .filter(|t| *t != ElementType::All)
            .ok_or_else(|| ScsiError::BadResponse {
                what: "element status page",
                detail: format!("bad element type code {code}"),
            })?;
        let pvoltag = b[pos + 1] & 0x80 != 0;
        let avoltag = b[pos + 1] & 0x40 != 0;
        let dlen = usize::from(be16(b, pos + 2));
        let page_end = end.min(pos + 8 + be24(b, pos + 5));
        if dlen < 12 {
            return Err(ScsiError::BadResponse {
                what: "element status page",
                detail: format!("descriptor length {dlen} is below 12"),
            });
        }
        let mut d = pos + 8;
        while d + dlen <= page_end {
            elements.push(parse_descriptor(ty, &b[d..d + dlen], pvoltag, avoltag));
            d += dlen;
        }
        pos = page_end.max(pos + 8);
    }
    Ok(ElementStatusData {
        first_address: be16(b, 0),
        available: be16(b, 2),
        byte_count,
        elements,
    })
}

fn parse_descriptor(ty: ElementType, d: &[u8], pvoltag: bool, avoltag: bool) -> ElementStatus {
    let f = d[2];
    let mut e = ElementStatus {
        element_type: ty,
        address: be16(d, 0),
        full: f & 0x01 != 0,
        except: f & 0x04 != 0,
        access: f & 0x08 != 0,
        impexp: ty == ElementType::ImportExport && f & 0x02 != 0,
        inenab: ty == ElementType::ImportExport && f & 0x20 != 0,
        exenab: ty == ElementType::ImportExport && f & 0x10 != 0,
        asc: d[4],
        ascq: d[5],
        invert: d[9] & 0x40 != 0,
        disabled: d[9] & 0x08 != 0,
        medium_type: d[9] & 0x07,
        source: (d[9] & 0x80 != 0).then(|| be16(d, 10)),
        volume_tag: None,
        identifier: None,
        flags: f,
    };
    let mut off = 12;
    if pvoltag && d.len() >= off + 36 {
        e.volume_tag = tag_text(&d[off..off + 36]);
        off += 36;
    }
    if avoltag && d.len() >= off + 36 {
        off += 36;
    }
    // Identification descriptor: 4 reserved bytes when DVCID was 0, else a designator.
    if d.len() >= off + 4
        && d[off + 3] != 0
        && let Ok((id, _)) = Designator::parse(&d[off..])
    {
        e.identifier = Some(id);
    }
    e
}

/// Encodes READ ELEMENT STATUS data for elements already filtered by the request, grouped into one
/// page per type in ascending address order, truncated to `alloc` bytes (emulator).
#[must_use]
pub fn encode_element_status(elements: &[ElementStatus], voltag: bool, dvcid: bool, available: u16) -> Vec<u8> {
    let mut body = Vec::new();
    let mut i = 0;
    while i < elements.len() {
        let ty = elements[i].element_type;
        let run_end = elements[i..]
            .iter()
            .position(|e| e.element_type != ty)
            .map_or(elements.len(), |n| i + n);
        let run = &elements[i..run_end];
        let id_len = if dvcid && ty == ElementType::DataTransfer {
            run.iter()
                .filter_map(|e| e.identifier.as_ref())
                .map(|d| 4 + d.value.len())
                .max()
                .unwrap_or(4)
        } else {
            4
        };
        let dlen = 12 + if voltag { 36 } else { 0 } + id_len;
        let count = dlen * run.len();
        body.push(ty as u8);
        body.push(if voltag { 0x80 } else { 0 });
        body.extend(u16::try_from(dlen).unwrap_or(u16::MAX).to_be_bytes());
        body.push(0);
        body.extend(&u32::try_from(count).unwrap_or(0x00FF_FFFF).to_be_bytes()[1..]);
        for e in run {
            let start = body.len();
            body.extend(e.address.to_be_bytes());
            body.push(e.flags_byte());
            body.push(0);
            body.push(e.asc);
            body.push(e.ascq);
            body.extend([0, 0, 0]);
            body.push(
                (u8::from(e.source.is_some()) << 7)
                    | (u8::from(e.invert) << 6)
                    | (u8::from(e.disabled) << 3)
                    | (e.medium_type & 7),
            );
            body.extend(e.source.unwrap_or(0).to_be_bytes());
            if voltag {
                let mut tag = [0u8; 36];
                crate::inquiry::pad_into(&mut tag[..32], e.volume_tag.as_deref().unwrap_or(""));
                body.extend(tag);
            }
            if let (Some(id), true) = (&e.identifier, dvcid && ty == ElementType::DataTransfer) {
                body.extend(id.encode());
            }
            body.resize(start + dlen, 0);
        }
        i = run_end;
    }
    let mut out = Vec::with_capacity(8 + body.len());
    out.extend(elements.first().map_or(0, |e| e.address).to_be_bytes());
    out.extend(available.to_be_bytes());
    out.push(0);
    out.extend(&u32::try_from(body.len()).unwrap_or(0x00FF_FFFF).to_be_bytes()[1..]);
    out.extend(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_1d_from_spec_layout() {
        // CTA man page library: transport 1000, slots 0-98, port 1010, drives 1030/1031.
        let mut b = vec![0u8; 24];
        b[0] = 23;
        b[4] = 0x1D;
        b[5] = 0x12;
        b[6..8].copy_from_slice(&1000u16.to_be_bytes());
        b[8..10].copy_from_slice(&1u16.to_be_bytes());
        b[10..12].copy_from_slice(&0u16.to_be_bytes());
        b[12..14].copy_from_slice(&99u16.to_be_bytes());
        b[14..16].copy_from_slice(&1010u16.to_be_bytes());
        b[16..18].copy_from_slice(&1u16.to_be_bytes());
        b[18..20].copy_from_slice(&1030u16.to_be_bytes());
        b[20..22].copy_from_slice(&2u16.to_be_bytes());
        let a = AddressAssignment::parse_mode_sense6(&b).unwrap();
        assert_eq!(a.transport, ElementRange { start: 1000, count: 1 });
        assert_eq!(a.storage, ElementRange { start: 0, count: 99 });
        assert_eq!(a.import_export, ElementRange { start: 1010, count: 1 });
        assert_eq!(a.data_transfer, ElementRange { start: 1030, count: 2 });
        assert_eq!(a.encode_mode_sense6(), b);
        assert_eq!(a.type_of(1031), Some(ElementType::DataTransfer));
        assert_eq!(a.type_of(99), None);
        b[4] = 0x1E;
        assert_eq!(
            AddressAssignment::parse_mode_sense6(&b).unwrap_err().code(),
            "UNSUPPORTED_PAGE"
        );
        assert_eq!(
            AddressAssignment::parse_mode_sense6(&b[..10]).unwrap_err().code(),
            "SHORT_RESPONSE"
        );
    }

    fn descriptor(addr: u16, flags: u8, b9: u8, src: u16, tag: Option<&[u8]>) -> Vec<u8> {
        let mut d = vec![0u8; 12];
        d[0..2].copy_from_slice(&addr.to_be_bytes());
        d[2] = flags;
        d[9] = b9;
        d[10..12].copy_from_slice(&src.to_be_bytes());
        if let Some(t) = tag {
            let mut v = [b' '; 36];
            v[..t.len()].copy_from_slice(t);
            v[32..].fill(0);
            d.extend(v);
        }
        d
    }

    #[test]
    fn element_status_from_spec_layout() {
        // A storage page (VOLTAG, 52-byte descriptors) and a drive page with DVCID type 1 (34 bytes).
        let mut s1 = descriptor(20, 0x09, 0x01, 0, Some(b"JK2021L8"));
        let mut s2 = descriptor(21, 0x08, 0x00, 0, Some(b""));
        s1.extend([0; 4]);
        s2.extend([0; 4]);
        let mut page = vec![0x02, 0x80, 0, 52, 0, 0, 0, 104];
        page.extend(&s1);
        page.extend(&s2);
        let mut drv = descriptor(1030, 0x01, 0x80, 20, Some(b"JK2005L8"));
        drv.extend([0x02, 0x01, 0x00, 34]);
        drv.extend(b"IBM     ULT3580-TD8     1013000123");
        let dlen = u8::try_from(drv.len()).unwrap();
        let mut page2 = vec![0x04, 0x80, 0, dlen, 0, 0, 0, dlen];
        page2.extend(&drv);
        let total = u32::try_from(page.len() + page2.len()).unwrap().to_be_bytes();
        let mut b = vec![0, 20, 0, 3, 0, total[1], total[2], total[3]];
        b.extend(page);
        b.extend(page2);
        let d = parse_element_status(&b).unwrap();
        assert_eq!((d.first_address, d.available, d.elements.len()), (20, 3, 3));
        let e = &d.elements[0];
        assert!(e.full && e.access && !e.except);
        assert_eq!(
            (e.medium_type, e.vid().as_str(), e.barcode()),
            (1, "JK2021", Some("JK2021L8"))
        );
        assert_eq!(d.elements[1].volume_tag, None);
        let dr = &d.elements[2];
        assert_eq!(dr.element_type, ElementType::DataTransfer);
        assert!(dr.full && !dr.access);
        assert_eq!(dr.source, Some(20));
        assert_eq!(dr.identifier.as_ref().unwrap().drive_serial(), "1013000123");
        // Truncated transfer: the partial descriptor is dropped, no panic.
        let t = parse_element_status(&b[..8 + 8 + 60]).unwrap();
        assert_eq!(t.elements.len(), 1);
    }

    #[test]
    fn encode_round_trips() {
        let mut a = ElementStatus::empty(ElementType::Storage, 0x400);
        a.full = true;
        a.volume_tag = Some("ABC123L9".into());
        a.medium_type = 1;
        let mut dr = ElementStatus::empty(ElementType::DataTransfer, 0x101);
        dr.full = true;
        dr.access = false;
        dr.source = Some(0x400);
        dr.volume_tag = Some("XYZ999L9".into());
        dr.identifier = Some(Designator {
            protocol: 0,
            code_set: 2,
            association: 0,
            designator_type: 0,
            value: b"SN0001".to_vec(),
        });
        let b = encode_element_status(&[dr, a], true, true, 2);
        let d = parse_element_status(&b).unwrap();
        assert_eq!(d.elements[0].barcode(), Some("XYZ999L9"));
        assert_eq!(d.elements[0].identifier.as_ref().unwrap().drive_serial(), "SN0001");
        assert_eq!(d.elements[0].source, Some(0x400));
        assert_eq!(d.elements[1].barcode(), Some("ABC123L9"));
    }

    #[test]
    fn garbage_never_panics() {
        assert!(parse_element_status(&[0; 7]).is_err());
        let bad_type = [0, 0, 0, 1, 0, 0, 0, 8, 9, 0, 0, 12, 0, 0, 0, 12];
        assert_eq!(parse_element_status(&bad_type).unwrap_err().code(), "BAD_RESPONSE");
        let zero_len = [0, 0, 0, 1, 0, 0, 0, 8, 2, 0, 0, 0, 0, 0, 0, 12];
        assert!(parse_element_status(&zero_len).is_err());
        let huge_counts = [
            0, 0, 0, 1, 0, 0xFF, 0xFF, 0xFF, 2, 0xC0, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0xFF, 1, 2, 3,
        ];
        assert!(parse_element_status(&huge_counts).unwrap().elements.is_empty());
    }
}
