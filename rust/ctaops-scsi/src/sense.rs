//! Sense data (SPC fixed 0x70/0x71 and descriptor 0x72/0x73 formats), decoded to key + ASC/ASCQ
//! with their names, and the retry advice operators' tools (CTA, proxmox) attach to them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{ScsiError, short};

/// The 4-bit sense key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenseKey(pub u8);

impl SenseKey {
    pub const NO_SENSE: Self = Self(0x0);
    pub const RECOVERED_ERROR: Self = Self(0x1);
    pub const NOT_READY: Self = Self(0x2);
    pub const MEDIUM_ERROR: Self = Self(0x3);
    pub const HARDWARE_ERROR: Self = Self(0x4);
    pub const ILLEGAL_REQUEST: Self = Self(0x5);
    pub const UNIT_ATTENTION: Self = Self(0x6);
    pub const DATA_PROTECT: Self = Self(0x7);
    pub const BLANK_CHECK: Self = Self(0x8);
    pub const ABORTED_COMMAND: Self = Self(0xB);
    pub const VOLUME_OVERFLOW: Self = Self(0xD);

    /// The SPC name of the key.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self.0 {
            0x0 => "NO SENSE",
            0x1 => "RECOVERED ERROR",
            0x2 => "NOT READY",
            0x3 => "MEDIUM ERROR",
            0x4 => "HARDWARE ERROR",
            0x5 => "ILLEGAL REQUEST",
            0x6 => "UNIT ATTENTION",
            0x7 => "DATA PROTECT",
            0x8 => "BLANK CHECK",
            0x9 => "VENDOR SPECIFIC",
            0xA => "COPY ABORTED",
            0xB => "ABORTED COMMAND",
            0xC => "EQUAL",
            0xD => "VOLUME OVERFLOW",
            0xE => "MISCOMPARE",
            _ => "COMPLETED",
        }
    }
}

/// What a caller should do about an error, following CTA's changer table and proxmox's tape logic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryAdvice {
    /// Retrying the same command will fail the same way.
    NoRetry,
    /// A transient condition (unit attention, reset): retry at once.
    Retry,
    /// The device is becoming ready (loading, inventorying): poll with TEST UNIT READY.
    WaitReady,
    /// Retry after this many seconds (IBM library pause: 60 s).
    RetryAfter(u32),
    /// Not an error for the operation (filemark, early warning): the caller decides.
    Informational,
}

/// Decoded sense data. `raw` keeps the bytes for vendor fields (IBM LTO bytes 21–95).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sense {
    pub response_code: u8,
    pub deferred: bool,
    pub descriptor_format: bool,
    pub key: SenseKey,
    pub asc: u8,
    pub ascq: u8,
    pub filemark: bool,
    pub eom: bool,
    pub ili: bool,
    /// INFORMATION when VALID (tape: signed residual count or block number).
    pub information: Option<i64>,
    /// The 3 sense-key-specific bytes when SKSV is set (field pointer, progress).
    pub sense_key_specific: Option<[u8; 3]>,
    pub fru: u8,
    pub raw: Vec<u8>,
}

impl Sense {
    /// Decodes fixed or descriptor format sense; short or unknown data is an error, never a panic.
    pub fn parse(buf: &[u8]) -> Result<Self, ScsiError> {
        let Some(&b0) = buf.first() else {
            return Err(short("sense data", 1, 0));
        };
        let code = b0 & 0x7F;
        match code {
            0x70 | 0x71 => Self::parse_fixed(buf, code),
            0x72 | 0x73 => Self::parse_descriptor(buf, code),
            _ => Err(ScsiError::BadResponse {
                what: "sense data",
                detail: format!("unknown response code 0x{code:02X}"),
            }),
        }
    }

    fn parse_fixed(buf: &[u8], code: u8) -> Result<Self, ScsiError> {
        // Byte 2 (key and tape flags) is the minimum anyone can interpret.
        if buf.len() < 3 {
            return Err(short("fixed sense data", 3, buf.len()));
        }
        let at = |i: usize| buf.get(i).copied().unwrap_or(0);
        let valid = buf[0] & 0x80 != 0;
        let information = if valid && buf.len() >= 7 {
            Some(i64::from(i32::from_be_bytes([buf[3], buf[4], buf[5], buf[6]])))
        } else {
            None
        };
        let sksv = at(15) & 0x80 != 0;
        Ok(Self {
            response_code: code,
            deferred: code == 0x71,
            descriptor_format: false,
            key: SenseKey(buf[2] & 0x0F),
            asc: at(12),
            ascq: at(13),
            filemark: buf[2] & 0x80 != 0,
            eom: buf[2] & 0x40 != 0,
            ili: buf[2] & 0x20 != 0,
            information,
            sense_key_specific: sksv.then(|| [at(15), at(16), at(17)]),
            fru: at(14),
            raw: buf.to_vec(),
        })
    }

    fn parse_descriptor(buf: &[u8], code: u8) -> Result<Self, ScsiError> {
        if buf.len() < 8 {
            return Err(short("descriptor sense data", 8, buf.len()));
        }
        let mut sense = Self {
            response_code: code,
            deferred: code == 0x73,
            descriptor_format: true,
            key: SenseKey(buf[1] & 0x0F),
            asc: buf[2],
            ascq: buf[3],
            filemark: false,
            eom: false,
            ili: false,
            information: None,
            sense_key_specific: None,
            fru: 0,
            raw: buf.to_vec(),
        };
        let end = buf.len().min(8 + usize::from(buf[7]));
        let mut pos = 8;
        while pos + 2 <= end {
            let kind = buf[pos];
            let body_end = (pos + 2 + usize::from(buf[pos + 1])).min(end);
            let d = &buf[pos..body_end];
            match kind {
                0x00 if d.len() >= 12 && d[2] & 0x80 != 0 => {
                    let mut v = [0u8; 8];
                    v.copy_from_slice(&d[4..12]);
                    sense.information = Some(i64::from_be_bytes(v));
                }
                0x02 if d.len() >= 7 && d[4] & 0x80 != 0 => sense.sense_key_specific = Some([d[4], d[5], d[6]]),
                0x03 if d.len() >= 4 => sense.fru = d[3],
                0x04 if d.len() >= 4 => {
                    sense.filemark = d[3] & 0x80 != 0;
                    sense.eom = d[3] & 0x40 != 0;
                    sense.ili = d[3] & 0x20 != 0;
                }
                0x05 if d.len() >= 4 => sense.ili = d[3] & 0x20 != 0,
                _ => {}
            }
            pos = body_end.max(pos + 2);
        }
        Ok(sense)
    }

    /// The ASC/ASCQ text (SPC, plus the vendor codes libraries are known to use).
    #[must_use]
    pub fn asc_name(&self) -> &'static str {
        asc_ascq_name(self.asc, self.ascq)
    }

    /// What to do about this condition (CTA `rmc_smcsubr.cpp` table, proxmox tape logic).
    #[must_use]
    pub fn retry_advice(&self) -> RetryAdvice {
        match (self.key.0, self.asc, self.ascq) {
            (_, 0x04, 0x85) => RetryAdvice::RetryAfter(60),
            (0x0, 0x30, 0x03) | (0x6 | 0xB, _, _) => RetryAdvice::Retry,
            (0x0 | 0x1, _, _) => RetryAdvice::Informational,
            (0x2, 0x04, 0x00 | 0x01) | (0x2, 0x30, 0x03) => RetryAdvice::WaitReady,
            _ => RetryAdvice::NoRetry,
        }
    }

    /// A stable code naming the condition, used by [`ScsiError::code`].
    #[must_use]
    pub fn code(&self) -> &'static str {
        match (self.key.0, self.asc, self.ascq) {
            (_, 0x04, 0x85) => "LIBRARY_PAUSED",
            (_, 0x3A, _) => "MEDIUM_NOT_PRESENT",
            (0x5, 0x3B, 0x0D) => "DESTINATION_FULL",
            (0x5, 0x3B, 0x0E) => "SOURCE_EMPTY",
            (0x5, 0x53, 0x02) => "MEDIUM_REMOVAL_PREVENTED",
            (0x5, 0x21, 0x01) => "INVALID_ELEMENT_ADDRESS",
            (0x2, 0x04, 0x01) => "BECOMING_READY",
            (0x8, 0x00, 0x05) => "END_OF_DATA",
            (0x0, _, _) => "NO_SENSE",
            (0x1, _, _) => "RECOVERED_ERROR",
            (0x2, _, _) => "NOT_READY",
            (0x3, _, _) => "MEDIUM_ERROR",
            (0x4, _, _) => "HARDWARE_ERROR",
            (0x5, _, _) => "ILLEGAL_REQUEST",
            (0x6, _, _) => "UNIT_ATTENTION",
            (0x7, _, _) => "DATA_PROTECT",
            (0x8, _, _) => "BLANK_CHECK",
            (0xB, _, _) => "ABORTED_COMMAND",
            (0xD, _, _) => "VOLUME_OVERFLOW",
            _ => "CHECK_CONDITION",
        }
    }

    /// Builds fixed-format sense (18 bytes) the way drives and mhVTL report it; the emulator uses it.
    #[must_use]
    pub fn fixed_bytes(key: SenseKey, asc: u8, ascq: u8, information: Option<i32>, flags: u8) -> Vec<u8> {
        let mut b = vec![0u8; 18];
        b[0] = 0x70 | if information.is_some() { 0x80 } else { 0 };
        b[2] = (flags & 0xE0) | (key.0 & 0x0F);
        if let Some(info) = information {
            b[3..7].copy_from_slice(&info.to_be_bytes());
        }
        b[7] = 10;
        b[12] = asc;
        b[13] = ascq;
        b
    }
}

impl fmt::Display for Sense {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:X}/{:02X}/{:02X} ({})",
            self.key.name(),
            self.key.0,
            self.asc,
            self.ascq,
            self.asc_name()
        )
    }
}

/// Name of an ASC/ASCQ pair; ranges such as `29/00–04` share one name.
#[must_use]
pub fn asc_ascq_name(asc: u8, ascq: u8) -> &'static str {
    match (asc, ascq) {
        (0x00, 0x00) => "No additional sense information",
        (0x00, 0x01) => "Filemark detected",
        (0x00, 0x02) => "End-of-partition/medium detected",
        (0x00, 0x04) => "Beginning-of-partition/medium detected",
        (0x00, 0x05) => "End-of-data detected",
        (0x00, 0x07) => "Programmable early warning detected",
        (0x00, 0x16) => "Operation in progress",
        (0x00, 0x17) => "Cleaning requested",
        (0x00, 0x18) => "Erase operation in progress",
        (0x00, 0x19) => "Locate operation in progress",
        (0x00, 0x1A) => "Rewind operation in progress",
        (0x04, 0x00) => "Logical unit not ready, cause not reportable",
        (0x04, 0x01) => "Logical unit is in process of becoming ready",
        (0x04, 0x02) => "Logical unit not ready, initializing command required",
        (0x04, 0x03) => "Logical unit not ready, manual intervention required",
        (0x04, 0x12) => "Logical unit not ready, offline",
        (0x04, 0x85) => "Library paused (vendor)",
        (0x0C, 0x00) => "Write error",
        (0x11, 0x00) => "Unrecovered read error",
        (0x11, 0x0D) => "Decompression CRC error",
        (0x14, 0x00) => "Recorded entity not found",
        (0x14, 0x01) => "Record not found",
        (0x14, 0x02) => "Filemark or setmark not found",
        (0x14, 0x03) => "End-of-data not found",
        (0x1A, 0x00) => "Parameter list length error",
        (0x20, 0x00) => "Invalid command operation code",
        (0x21, 0x01) => "Invalid element address",
        (0x24, 0x00) => "Invalid field in CDB",
        (0x25, 0x00) => "Logical unit not supported",
        (0x26, 0x00) => "Invalid field in parameter list",
        (0x26, 0x01) => "Parameter not supported",
        (0x26, 0x02) => "Parameter value invalid",
        (0x27, 0x00) => "Write protected",
        (0x28, 0x00) => "Not ready to ready change, medium may have changed",
        (0x28, 0x01) => "Import or export element accessed",
        (0x29, 0x00..=0x04) => "Power on, reset, or bus device reset occurred",
        (0x2A, 0x01) => "Mode parameters changed",
        (0x30, 0x00) => "Incompatible medium installed",
        (0x30, 0x01) => "Cannot read medium - unknown format",
        (0x30, 0x02) => "Cannot read medium - incompatible format",
        (0x30, 0x03) => "Cleaning cartridge installed",
        (0x30, 0x04) => "Cannot write medium - unknown format",
        (0x30, 0x05) => "Cannot write medium - incompatible format",
        (0x30, 0x07) => "Cleaning failure",
        (0x30, 0x0C) => "WORM medium - overwrite attempted",
        (0x30, 0x83) => "Cleaning cartridge without barcode (vendor)",
        (0x31, 0x00) => "Medium format corrupted",
        (0x3A, 0x00) => "Medium not present",
        (0x3A, 0x02) => "Medium not present - tray open",
        (0x3B, 0x00) => "Sequential positioning error",
        (0x3B, 0x0C) => "Position past beginning of medium",
        (0x3B, 0x0D) => "Medium destination element full",
        (0x3B, 0x0E) => "Medium source element empty",
        (0x3B, 0x12) => "Medium magazine removed",
        (0x3B, 0x81) => "Cartridge in shared I/O station owned by another logical library (vendor)",
        (0x40, 0x01) => "Hardware error, general (vendor)",
        (0x40, 0x02) => "Hardware error, tape transport (vendor)",
        (0x40, 0x03) => "Hardware error, CAP (vendor)",
        (0x44, 0x00) => "Internal target failure",
        (0x50, 0x00) => "Write append error",
        (0x50, 0x01) => "Write append position error",
        (0x51, 0x00) => "Erase failure",
        (0x52, 0x00) => "Cartridge fault",
        (0x53, 0x00) => "Media load or eject failed",
        (0x53, 0x01) => "Unload tape failure",
        (0x53, 0x02) => "Medium removal prevented",
        (0x5A, 0x01) => "Operator medium removal request",
        (0x5D, 0x00) => "Failure prediction threshold exceeded",
        (0x74, 0x01) => "Unable to decrypt data",
        (0x80, 0x5D | 0x5E) => "Drive overheat (vendor)",
        (0x82, 0x82) => "Drive requires cleaning (vendor)",
        (0x83, 0x00) => "Element not yet scanned (vendor)",
        (0x83, 0x01) => "No barcode label (vendor)",
        (0x83, 0x02) => "No magazine (vendor)",
        (0x83, 0x04) => "Drive not installed (vendor)",
        _ => "Unknown ASC/ASCQ",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_format_with_information_and_flags() {
        // Filemark crossed while spacing blocks: 0/00/01, FILEMARK, residual 3.
        let b = Sense::fixed_bytes(SenseKey::NO_SENSE, 0, 1, Some(3), 0x80);
        let s = Sense::parse(&b).unwrap();
        assert_eq!((s.key, s.asc, s.ascq), (SenseKey::NO_SENSE, 0, 1));
        assert!(s.filemark && !s.eom && !s.ili);
        assert_eq!(s.information, Some(3));
        assert_eq!(s.asc_name(), "Filemark detected");
        assert_eq!(s.retry_advice(), RetryAdvice::Informational);
        assert_eq!(s.code(), "NO_SENSE");
    }

    #[test]
    fn fixed_negative_information_and_field_pointer() {
        let mut b = Sense::fixed_bytes(SenseKey::ILLEGAL_REQUEST, 0x24, 0, Some(-5), 0x20);
        b[15] = 0xC0;
        b[17] = 11;
        let s = Sense::parse(&b).unwrap();
        assert_eq!(s.information, Some(-5));
        assert!(s.ili);
        assert_eq!(s.sense_key_specific, Some([0xC0, 0, 11]));
        assert_eq!(s.to_string(), "ILLEGAL REQUEST 5/24/00 (Invalid field in CDB)");
        assert_eq!(s.retry_advice(), RetryAdvice::NoRetry);
    }

    #[test]
    fn descriptor_format_with_stream_and_information() {
        let b = [
            0x72, 0x08, 0x00, 0x05, 0, 0, 0, 20, // header: BLANK CHECK 00/05, 20 bytes of descriptors
            0x00, 0x0A, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 7, // information = 7
            0x04, 0x02, 0, 0x40, // stream commands: EOM
            0x03, 0x02, 0, 0x11, // FRU
        ];
        let s = Sense::parse(&b).unwrap();
        assert!(s.descriptor_format && !s.deferred);
        assert_eq!(s.key, SenseKey::BLANK_CHECK);
        assert_eq!(s.information, Some(7));
        assert!(s.eom && !s.filemark);
        assert_eq!(s.fru, 0x11);
        assert_eq!(s.code(), "END_OF_DATA");
    }

    #[test]
    fn advice_follows_cta_table() {
        let adv = |k, a, q| {
            Sense::parse(&Sense::fixed_bytes(SenseKey(k), a, q, None, 0))
                .unwrap()
                .retry_advice()
        };
        assert_eq!(adv(2, 0x04, 0x01), RetryAdvice::WaitReady);
        assert_eq!(adv(6, 0x28, 0x00), RetryAdvice::Retry);
        assert_eq!(adv(6, 0x29, 0x00), RetryAdvice::Retry);
        assert_eq!(adv(2, 0x04, 0x85), RetryAdvice::RetryAfter(60));
        assert_eq!(adv(2, 0x04, 0x03), RetryAdvice::NoRetry);
        assert_eq!(adv(5, 0x3B, 0x0D), RetryAdvice::NoRetry);
        assert_eq!(adv(4, 0x40, 0x01), RetryAdvice::NoRetry);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(Sense::parse(&[]).is_err());
        assert!(Sense::parse(&[0x70]).is_err());
        assert!(Sense::parse(&[0x12, 0, 0]).is_err());
        assert!(Sense::parse(&[0x72, 0, 0]).is_err());
        // Descriptor lengths pointing past the end are clamped.
        let s = Sense::parse(&[0x72, 0x03, 0x11, 0, 0, 0, 0, 200, 0x00, 0xFF, 0x80]).unwrap();
        assert_eq!(s.information, None);
        assert_eq!(s.key, SenseKey::MEDIUM_ERROR);
    }
}
