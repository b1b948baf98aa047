//! CDB builders, byte-exact (SPC, SMC-3, SSC). Multi-byte fields are big-endian.

/// Opcodes (spec §0). Some mean different things on changers and drives.
pub mod op {
    pub const TEST_UNIT_READY: u8 = 0x00;
    pub const REWIND: u8 = 0x01;
    pub const REQUEST_SENSE: u8 = 0x03;
    pub const READ_BLOCK_LIMITS: u8 = 0x05;
    pub const INITIALIZE_ELEMENT_STATUS: u8 = 0x07;
    pub const SPACE6: u8 = 0x11;
    pub const INQUIRY: u8 = 0x12;
    pub const MODE_SENSE6: u8 = 0x1A;
    pub const LOAD_UNLOAD: u8 = 0x1B;
    pub const PREVENT_ALLOW_MEDIUM_REMOVAL: u8 = 0x1E;
    pub const LOCATE10: u8 = 0x2B;
    pub const READ_POSITION: u8 = 0x34;
    pub const REPORT_DENSITY_SUPPORT: u8 = 0x44;
    pub const LOG_SENSE: u8 = 0x4D;
    pub const READ_ATTRIBUTE: u8 = 0x8C;
    pub const SPACE16: u8 = 0x91;
    pub const LOCATE16: u8 = 0x92;
    pub const MOVE_MEDIUM: u8 = 0xA5;
    pub const READ_ELEMENT_STATUS: u8 = 0xB8;
}

fn be16(v: u16) -> [u8; 2] {
    v.to_be_bytes()
}

/// TEST UNIT READY: six bytes, all zero.
#[must_use]
pub fn test_unit_ready() -> [u8; 6] {
    [op::TEST_UNIT_READY, 0, 0, 0, 0, 0]
}

/// REQUEST SENSE; `desc` asks for descriptor format.
#[must_use]
pub fn request_sense(alloc: u8, desc: bool) -> [u8; 6] {
    [op::REQUEST_SENSE, u8::from(desc), 0, 0, alloc, 0]
}

/// INQUIRY; `page` set means EVPD=1 with that VPD page.
#[must_use]
pub fn inquiry(page: Option<u8>, alloc: u16) -> [u8; 6] {
    let [hi, lo] = be16(alloc);
    [op::INQUIRY, u8::from(page.is_some()), page.unwrap_or(0), hi, lo, 0]
}

/// MODE SENSE(6) with DBD=1, current values (PC=00).
#[must_use]
pub fn mode_sense6(page: u8, subpage: u8, alloc: u8) -> [u8; 6] {
    [op::MODE_SENSE6, 0x08, page & 0x3F, subpage, alloc, 0]
}

/// Element type codes (SMC-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElementType {
    All = 0,
    Transport = 1,
    Storage = 2,
    ImportExport = 3,
    DataTransfer = 4,
}

impl ElementType {
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::All,
            1 => Self::Transport,
            2 => Self::Storage,
            3 => Self::ImportExport,
            4 => Self::DataTransfer,
            _ => return None,
        })
    }
}

/// READ ELEMENT STATUS (0xB8), 12 bytes.
#[must_use]
pub fn read_element_status(ty: ElementType, start: u16, count: u16, voltag: bool, dvcid: bool, alloc: u32) -> [u8; 12] {
    let [s0, s1] = be16(start);
    let [c0, c1] = be16(count);
    let a = alloc.min(0x00FF_FFFF).to_be_bytes();
    [
        op::READ_ELEMENT_STATUS,
        (u8::from(voltag) << 4) | (ty as u8),
        s0,
        s1,
        c0,
        c1,
        u8::from(dvcid),
        a[1],
        a[2],
        a[3],
        0,
        0,
    ]
}

/// MOVE MEDIUM (0xA5), 12 bytes; transport 0 lets the library choose the robot.
#[must_use]
pub fn move_medium(transport: u16, source: u16, dest: u16, invert: bool) -> [u8; 12] {
    let [t0, t1] = be16(transport);
    let [s0, s1] = be16(source);
    let [d0, d1] = be16(dest);
    [op::MOVE_MEDIUM, 0, t0, t1, s0, s1, d0, d1, 0, 0, u8::from(invert), 0]
}

/// INITIALIZE ELEMENT STATUS (0x07).
#[must_use]
pub fn initialize_element_status() -> [u8; 6] {
    [op::INITIALIZE_ELEMENT_STATUS, 0, 0, 0, 0, 0]
}

/// READ POSITION forms (service action).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionForm {
    Short = 0x00,
    Long = 0x06,
    Extended = 0x08,
}

/// READ POSITION (0x34); IBM wants allocation length 0 for the short form.
#[must_use]
pub fn read_position(form: PositionForm) -> [u8; 10] {
    let alloc: u16 = if form == PositionForm::Short { 0 } else { 32 };
    let [a0, a1] = be16(alloc);
    [op::READ_POSITION, form as u8, 0, 0, 0, 0, 0, a0, a1, 0]
}

/// LOCATE(10) to a block id, IMMED=0; `partition` sets CP.
#[must_use]
pub fn locate10(block: u32, partition: Option<u8>) -> [u8; 10] {
    let b = block.to_be_bytes();
    let cp = if partition.is_some() { 0x02 } else { 0 };
    [
        op::LOCATE10,
        cp,
        0,
        b[0],
        b[1],
        b[2],
        b[3],
        0,
        partition.unwrap_or(0),
        0,
    ]
}

/// LOCATE(16) destination types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocateDest {
    Object = 0,
    File = 1,
    EndOfData = 3,
}

/// LOCATE(16): DEST_TYPE in byte 1 from bit 3.
#[must_use]
pub fn locate16(dest: LocateDest, id: u64, partition: Option<u8>) -> [u8; 16] {
    let mut c = [0u8; 16];
    c[0] = op::LOCATE16;
    c[1] = ((dest as u8) << 3) | if partition.is_some() { 0x02 } else { 0 };
    c[3] = partition.unwrap_or(0);
    c[4..12].copy_from_slice(&id.to_be_bytes());
    c
}

/// SPACE codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpaceCode {
    Blocks = 0,
    Filemarks = 1,
    SequentialFilemarks = 2,
    EndOfData = 3,
}

impl SpaceCode {
    #[must_use]
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::Blocks,
            1 => Self::Filemarks,
            2 => Self::SequentialFilemarks,
            3 => Self::EndOfData,
            _ => return None,
        })
    }
}

/// Largest |count| SPACE(6) can carry (24-bit two's complement).
pub const SPACE6_MAX: i64 = 0x7F_FFFF;

/// SPACE(6) when the count fits in 24 bits, SPACE(16) otherwise (as proxmox does).
#[must_use]
pub fn space(code: SpaceCode, count: i64) -> Vec<u8> {
    if (-SPACE6_MAX..=SPACE6_MAX).contains(&count) {
        let c = count.to_be_bytes();
        vec![op::SPACE6, code as u8, c[5], c[6], c[7], 0]
    } else {
        let mut v = vec![0u8; 16];
        v[0] = op::SPACE16;
        v[1] = code as u8;
        v[4..12].copy_from_slice(&count.to_be_bytes());
        v
    }
}

/// REWIND (0x01).
#[must_use]
pub fn rewind(immed: bool) -> [u8; 6] {
    [op::REWIND, u8::from(immed), 0, 0, 0, 0]
}

/// LOAD/UNLOAD (0x1B on a drive): `load` false rewinds and ejects.
#[must_use]
pub fn load_unload(load: bool, immed: bool) -> [u8; 6] {
    [op::LOAD_UNLOAD, u8::from(immed), 0, 0, u8::from(load), 0]
}

/// READ BLOCK LIMITS (0x05).
#[must_use]
pub fn read_block_limits() -> [u8; 6] {
    [op::READ_BLOCK_LIMITS, 0, 0, 0, 0, 0]
}

/// REPORT DENSITY SUPPORT (0x44); `media` restricts to the loaded cartridge.
#[must_use]
pub fn report_density_support(media: bool, medium_type: bool, alloc: u16) -> [u8; 10] {
    let [a0, a1] = be16(alloc);
    [
        op::REPORT_DENSITY_SUPPORT,
        (u8::from(medium_type) << 1) | u8::from(media),
        0,
        0,
        0,
        0,
        0,
        a0,
        a1,
        0,
    ]
}

/// LOG SENSE (0x4D) of cumulative values (PC=01b).
#[must_use]
pub fn log_sense(page: u8, subpage: u8, alloc: u16) -> [u8; 10] {
    let [a0, a1] = be16(alloc);
    [op::LOG_SENSE, 0, 0x40 | (page & 0x3F), subpage, 0, 0, 0, a0, a1, 0]
}

/// READ ATTRIBUTE (0x8C), service action 0 (attribute values), from `first` attribute id.
#[must_use]
pub fn read_attribute(partition: u8, first: u16, alloc: u32) -> [u8; 16] {
    let mut c = [0u8; 16];
    c[0] = op::READ_ATTRIBUTE;
    c[7] = partition;
    c[8..10].copy_from_slice(&first.to_be_bytes());
    c[10..14].copy_from_slice(&alloc.to_be_bytes());
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdbs_are_byte_exact() {
        assert_eq!(inquiry(None, 96), [0x12, 0, 0, 0, 96, 0]);
        assert_eq!(inquiry(Some(0x80), 255), [0x12, 1, 0x80, 0, 255, 0]);
        assert_eq!(mode_sense6(0x1D, 0, 24), [0x1A, 0x08, 0x1D, 0, 24, 0]);
        assert_eq!(
            read_element_status(ElementType::DataTransfer, 0x0101, 1000, true, true, 0xFFFF),
            [0xB8, 0x14, 0x01, 0x01, 0x03, 0xE8, 0x01, 0x00, 0xFF, 0xFF, 0, 0]
        );
        assert_eq!(
            move_medium(0, 1000, 1030, true),
            [0xA5, 0, 0, 0, 0x03, 0xE8, 0x04, 0x06, 0, 0, 1, 0]
        );
        assert_eq!(read_position(PositionForm::Short), [0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(read_position(PositionForm::Long)[1], 6);
        assert_eq!(locate10(0x0102_0304, None), [0x2B, 0, 0, 1, 2, 3, 4, 0, 0, 0]);
        assert_eq!(locate16(LocateDest::File, 5, None)[1], 0x08);
        assert_eq!(locate16(LocateDest::EndOfData, 0, None)[1], 0x18);
        assert_eq!(space(SpaceCode::Filemarks, -1), vec![0x11, 1, 0xFF, 0xFF, 0xFF, 0]);
        assert_eq!(space(SpaceCode::Blocks, 3), vec![0x11, 0, 0, 0, 3, 0]);
        let big = space(SpaceCode::Blocks, 0x80_0000);
        assert_eq!(
            (big.len(), big[0], &big[4..12]),
            (16, 0x91, &0x80_0000i64.to_be_bytes()[..])
        );
        assert_eq!(load_unload(false, false), [0x1B, 0, 0, 0, 0, 0]);
        assert_eq!(load_unload(true, true), [0x1B, 1, 0, 0, 1, 0]);
        assert_eq!(log_sense(0x2E, 0, 0x1000), [0x4D, 0, 0x6E, 0, 0, 0, 0, 0x10, 0, 0]);
        assert_eq!(report_density_support(true, false, 52 * 8 + 4)[1], 1);
        let ra = read_attribute(0, 0x0400, 0x1000);
        assert_eq!(
            (ra[0], ra[8], ra[9], &ra[10..14]),
            (0x8C, 0x04, 0x00, &[0u8, 0, 0x10, 0][..])
        );
        assert_eq!(request_sense(96, false), [0x03, 0, 0, 0, 96, 0]);
    }
}
