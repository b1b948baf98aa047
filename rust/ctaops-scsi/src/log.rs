//! LOG SENSE pages: a generic parameter walker and typed views of the pages operators read
//! (0x02/0x03 error counters, 0x0C sequential access, 0x0D temperature and 0x0D/0x01
//! environment, 0x11 DT device status, 0x12/0x2E TapeAlert, 0x17 volume statistics).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Result, ScsiError, short};

pub const PAGE_WRITE_ERRORS: u8 = 0x02;
pub const PAGE_READ_ERRORS: u8 = 0x03;
pub const PAGE_SEQUENTIAL_ACCESS: u8 = 0x0C;
pub const PAGE_TEMPERATURE: u8 = 0x0D;
pub const SUBPAGE_ENVIRONMENT: u8 = 0x01;
pub const PAGE_DEVICE_STATUS: u8 = 0x11;
pub const PAGE_TAPEALERT_RESPONSE: u8 = 0x12;
pub const PAGE_VOLUME_STATISTICS: u8 = 0x17;
pub const PAGE_TAPEALERT: u8 = 0x2E;

/// One log parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogParam {
    pub code: u16,
    pub control: u8,
    pub value: Vec<u8>,
}

impl LogParam {
    /// The value as a big-endian unsigned number (values wider than 8 bytes are not numbers).
    #[must_use]
    pub fn as_u64(&self) -> Option<u64> {
        (self.value.len() <= 8).then(|| self.value.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    #[must_use]
    pub fn as_text(&self) -> String {
        self.value
            .iter()
            .map(|&c| if (0x20..0x7F).contains(&c) { char::from(c) } else { ' ' })
            .collect::<String>()
            .trim()
            .to_owned()
    }
}

/// A decoded log page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPage {
    pub page: u8,
    pub subpage: u8,
    pub params: Vec<LogParam>,
}

impl LogPage {
    /// Walks the parameters by their lengths, clamping the page length to the transfer (some drives
    /// report the allocation length as the page length).
    pub fn parse(b: &[u8]) -> Result<Self> {
        if b.len() < 4 {
            return Err(short("log page header", 4, b.len()));
        }
        let end = b.len().min(4 + usize::from(u16::from_be_bytes([b[2], b[3]])));
        let mut params = Vec::new();
        let mut pos = 4;
        while pos + 4 <= end {
            let len = usize::from(b[pos + 3]);
            let vend = (pos + 4 + len).min(end);
            params.push(LogParam {
                code: u16::from_be_bytes([b[pos], b[pos + 1]]),
                control: b[pos + 2],
                value: b[pos + 4..vend].to_vec(),
            });
            pos += 4 + len;
        }
        Ok(Self {
            page: b[0] & 0x3F,
            subpage: if b[0] & 0x40 != 0 { b[1] } else { 0 },
            params,
        })
    }

    /// Parses and checks that the device returned the page that was asked for.
    pub fn parse_expect(b: &[u8], page: u8, subpage: u8) -> Result<Self> {
        let p = Self::parse(b)?;
        if p.page != page || p.subpage != subpage {
            return Err(ScsiError::UnsupportedPage {
                page: p.page,
                detail: format!("asked for log page 0x{page:02X}/0x{subpage:02X}"),
            });
        }
        Ok(p)
    }

    #[must_use]
    pub fn param(&self, code: u16) -> Option<&LogParam> {
        self.params.iter().find(|p| p.code == code)
    }

    fn num(&self, code: u16) -> Option<u64> {
        self.param(code).and_then(LogParam::as_u64)
    }

    /// Encodes a page (emulator). Parameters keep their order.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::new();
        for p in &self.params {
            body.extend(p.code.to_be_bytes());
            body.push(p.control);
            body.push(u8::try_from(p.value.len()).unwrap_or(u8::MAX));
            body.extend(p.value.iter().take(255));
        }
        let mut b = vec![self.page | if self.subpage != 0 { 0x40 } else { 0 }, self.subpage];
        b.extend(u16::try_from(body.len()).unwrap_or(u16::MAX).to_be_bytes());
        b.extend(body);
        b
    }

    /// Convenience for building pages of numeric parameters (binary format, control 0x60 style).
    #[must_use]
    pub fn numeric(page: u8, subpage: u8, values: &[(u16, u64, usize)]) -> Self {
        Self {
            page,
            subpage,
            params: values
                .iter()
                .map(|&(code, v, width)| LogParam {
                    code,
                    control: 0x00,
                    value: v.to_be_bytes()[8 - width.min(8)..].to_vec(),
                })
                .collect(),
        }
    }
}

/// Pages 0x02 (write) and 0x03 (read) error counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ErrorCounters {
    pub corrected_without_delay: Option<u64>,
    pub corrected_with_delay: Option<u64>,
    pub total_retries: Option<u64>,
    pub total_corrected: Option<u64>,
    pub correction_algorithm_runs: Option<u64>,
    pub bytes_processed: Option<u64>,
    pub total_uncorrected: Option<u64>,
}

impl ErrorCounters {
    #[must_use]
    pub fn from_page(p: &LogPage) -> Self {
        Self {
            corrected_without_delay: p.num(0),
            corrected_with_delay: p.num(1),
            total_retries: p.num(2),
            total_corrected: p.num(3),
            correction_algorithm_runs: p.num(4),
            bytes_processed: p.num(5),
            total_uncorrected: p.num(6),
        }
    }
}

/// Page 0x0C sequential-access device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SequentialAccess {
    pub bytes_from_host: Option<u64>,
    pub bytes_written_to_medium: Option<u64>,
    pub bytes_read_from_medium: Option<u64>,
    pub bytes_to_host: Option<u64>,
    pub capacity_bop_to_eod_mb: Option<u64>,
    pub capacity_bop_to_ew_mb: Option<u64>,
    pub capacity_ew_to_eop_mb: Option<u64>,
    pub capacity_bop_to_current_mb: Option<u64>,
    pub cleaning_required: bool,
}

impl SequentialAccess {
    #[must_use]
    pub fn from_page(p: &LogPage) -> Self {
        Self {
            bytes_from_host: p.num(0),
            bytes_written_to_medium: p.num(1),
            bytes_read_from_medium: p.num(2),
            bytes_to_host: p.num(3),
            capacity_bop_to_eod_mb: p.num(4),
            capacity_bop_to_ew_mb: p.num(5),
            capacity_ew_to_eop_mb: p.num(6),
            capacity_bop_to_current_mb: p.num(7),
            cleaning_required: p.num(0x0100).is_some_and(|v| v != 0),
        }
    }
}

/// Page 0x0D: current and reference temperature in °C (None when the drive reports 0xFF).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Temperature {
    pub current_c: Option<u8>,
    pub reference_c: Option<u8>,
}

impl Temperature {
    #[must_use]
    pub fn from_page(p: &LogPage) -> Self {
        // Byte 5 of the parameter is the 2nd value byte (after 1 reserved byte).
        let t = |code| {
            p.param(code)
                .and_then(|x: &LogParam| x.value.get(1).copied())
                .filter(|&v| v != 0xFF)
        };
        Self {
            current_c: t(0),
            reference_c: t(1),
        }
    }
}

/// One reading of page 0x0D/0x01 (environmental reporting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentReading {
    pub code: u16,
    /// °C for temperature parameters, % for relative humidity (0x0100–0x01FF).
    pub current: i8,
    pub lifetime_max: i8,
    pub lifetime_min: i8,
    pub max_since_power_on: i8,
    pub min_since_power_on: i8,
}

/// Page 0x0D/0x01: temperatures (0x0000–0x00FF) and relative humidity (0x0100–0x01FF).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Environment {
    pub temperatures: Vec<EnvironmentReading>,
    pub humidity: Vec<EnvironmentReading>,
}

impl Environment {
    #[must_use]
    pub fn from_page(p: &LogPage) -> Self {
        let mut env = Self::default();
        for x in &p.params {
            // Parameter bytes 4..: b4 flags, b5 current, b6 lifetime max, b7 min, b8/b9 since power-on.
            let [_, cur, lmax, lmin, pmax, pmin, ..] = x.value[..] else {
                continue;
            };
            #[expect(clippy::cast_possible_wrap, reason = "the fields are signed bytes")]
            let r = EnvironmentReading {
                code: x.code,
                current: cur as i8,
                lifetime_max: lmax as i8,
                lifetime_min: lmin as i8,
                max_since_power_on: pmax as i8,
                min_since_power_on: pmin as i8,
            };
            match x.code {
                0x0000..=0x00FF => env.temperatures.push(r),
                0x0100..=0x01FF => env.humidity.push(r),
                _ => {}
            }
        }
        env
    }
}

/// Page 0x11 DT device activity (byte 2 of parameter 0x0000).
#[must_use]
pub fn device_activity(p: &LogPage) -> Option<(u8, &'static str)> {
    let a = *p.param(0)?.value.get(2)?;
    let name = match a {
        0x00 => "none",
        0x01 => "cleaning",
        0x02 => "loading",
        0x03 => "unloading",
        0x04 => "other medium activity",
        0x05 => "reading",
        0x06 => "writing",
        0x07 => "locating",
        0x08 => "rewinding",
        0x09 => "erasing",
        0x0A => "formatting",
        0x0B => "calibrating",
        0x0C => "other DT activity",
        0x0D => "microcode update",
        0x0E => "reading encrypted",
        0x0F => "writing encrypted",
        _ => "reserved",
    };
    Some((a, name))
}

/// TapeAlert flags from page 0x2E (64 one-byte parameters) or 0x12 (one 8-byte bitmap); bit 63
/// of the result is flag 1.
#[must_use]
pub fn tapealert_bitmap(p: &LogPage) -> u64 {
    if p.page == PAGE_TAPEALERT_RESPONSE {
        return p.param(0).and_then(LogParam::as_u64).unwrap_or(0);
    }
    p.params
        .iter()
        .filter(|x| (1..=64).contains(&x.code) && x.value.first().is_some_and(|v| v & 1 != 0))
        .fold(0u64, |acc, x| acc | (1u64 << (64 - x.code)))
}

/// Encodes a 0x2E page from a bitmap (emulator).
#[must_use]
pub fn encode_tapealert_page(bitmap: u64) -> Vec<u8> {
    LogPage {
        page: PAGE_TAPEALERT,
        subpage: 0,
        params: (1..=64u16)
            .map(|code| LogParam {
                code,
                control: 0,
                value: vec![u8::from(bitmap & (1u64 << (64 - code)) != 0)],
            })
            .collect(),
    }
    .encode()
}

/// Names of the numeric parameters of page 0x17 (volume statistics).
#[must_use]
pub fn volume_statistic_name(code: u16) -> Option<&'static str> {
    Some(match code {
        0x0000 => "page_valid",
        0x0001 => "thread_count",
        0x0002 => "total_data_sets_written",
        0x0003 => "total_write_retries",
        0x0004 => "total_unrecovered_write_errors",
        0x0005 => "total_suspended_writes",
        0x0006 => "total_fatal_suspended_writes",
        0x0007 => "total_data_sets_read",
        0x0008 => "total_read_retries",
        0x0009 => "total_unrecovered_read_errors",
        0x000A => "total_suspended_reads",
        0x000B => "total_fatal_suspended_reads",
        0x000C => "last_mount_unrecovered_write_errors",
        0x000D => "last_mount_unrecovered_read_errors",
        0x000E => "last_mount_mb_written",
        0x000F => "last_mount_mb_read",
        0x0010 => "lifetime_mb_written",
        0x0011 => "lifetime_mb_read",
        0x0012 => "last_load_write_compression_ratio",
        0x0013 => "last_load_read_compression_ratio",
        0x0014 => "medium_mount_time",
        0x0015 => "medium_ready_time",
        0x0016 => "total_native_capacity",
        0x0017 => "total_used_native_capacity",
        0x0018 => "application_design_capacity",
        0x0019 => "volume_life_remaining_pct",
        0x0040 => "volume_serial_number",
        0x0041 => "tape_lot_id",
        0x0042 => "volume_barcode",
        0x0043 => "volume_manufacturer",
        0x0044 => "volume_license_code",
        0x0045 => "volume_personality",
        0x0046 => "volume_manufacture_date",
        0x0080 => "write_protect",
        0x0081 => "worm",
        0x0082 => "max_temperature_exceeded",
        0x0100 => "volume_write_mounts",
        0x0101 => "bom_passes",
        0x0102 => "mom_passes",
        _ => return None,
    })
}

/// Page 0x17 as name → value; ASCII parameters (0x0040–0x0046) as text, others as numbers.
#[must_use]
pub fn volume_statistics(p: &LogPage) -> BTreeMap<String, serde_json::Value> {
    let mut out = BTreeMap::new();
    for x in &p.params {
        let Some(name) = volume_statistic_name(x.code) else {
            continue;
        };
        let v = if (0x0040..=0x0046).contains(&x.code) {
            serde_json::Value::from(x.as_text())
        } else {
            match x.as_u64() {
                Some(n) => serde_json::Value::from(n),
                None => continue,
            }
        };
        out.insert(name.to_owned(), v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walker_from_spec_layout() {
        // Page 0x03: param 0x0003 = 5 (1 byte), param 0x0006 = 0x0102 (2 bytes).
        let b = [
            0x03, 0x00, 0x00, 0x0B, 0x00, 0x03, 0x00, 0x01, 5, 0x00, 0x06, 0x00, 0x02, 0x01, 0x02,
        ];
        let p = LogPage::parse_expect(&b, 3, 0).unwrap();
        let c = ErrorCounters::from_page(&p);
        assert_eq!(
            (c.total_corrected, c.total_uncorrected, c.bytes_processed),
            (Some(5), Some(0x102), None)
        );
        assert_eq!(LogPage::parse_expect(&b, 2, 0).unwrap_err().code(), "UNSUPPORTED_PAGE");
        assert_eq!(p.encode(), b);
    }

    #[test]
    fn page_length_clamped_and_params_truncated() {
        let b = [0x0C, 0x00, 0xFF, 0xFF, 0x01, 0x00, 0x00, 0x08, 0, 0, 0];
        let p = LogPage::parse(&b).unwrap();
        assert_eq!(p.params.len(), 1);
        assert_eq!(p.params[0].value.len(), 3);
        assert!(LogPage::parse(&[0x0C]).is_err());
    }

    #[test]
    fn temperature_and_environment() {
        let b = [0x0D, 0, 0, 12, 0, 0, 3, 2, 0, 38, 0, 1, 3, 2, 0, 0xFF];
        let t = Temperature::from_page(&LogPage::parse(&b).unwrap());
        assert_eq!(
            t,
            Temperature {
                current_c: Some(38),
                reference_c: None
            }
        );
        let env = LogPage {
            page: 0x0D,
            subpage: 1,
            params: vec![
                LogParam {
                    code: 0,
                    control: 3,
                    value: vec![0, 35, 50, 10, 40, 20, 0, 0],
                },
                LogParam {
                    code: 0x100,
                    control: 3,
                    value: vec![0, 45, 80, 5, 60, 30, 0, 0],
                },
            ],
        };
        let e = Environment::from_page(&LogPage::parse_expect(&env.encode(), 0x0D, 1).unwrap());
        assert_eq!(
            (
                e.temperatures[0].current,
                e.humidity[0].current,
                e.humidity[0].lifetime_max
            ),
            (35, 45, 80)
        );
    }

    #[test]
    fn tapealert_pages() {
        let bits = (1u64 << 63) | (1u64 << (64 - 0x14));
        let p = LogPage::parse(&encode_tapealert_page(bits)).unwrap();
        assert_eq!(p.params.len(), 64);
        assert_eq!(tapealert_bitmap(&p), bits);
        let r = LogPage::numeric(0x12, 0, &[(0, bits, 8)]);
        assert_eq!(tapealert_bitmap(&LogPage::parse(&r.encode()).unwrap()), bits);
    }

    #[test]
    fn device_status_and_volume_stats() {
        let p = LogPage {
            page: 0x11,
            subpage: 0,
            params: vec![LogParam {
                code: 0,
                control: 3,
                value: vec![1, 0, 0x0B, 0],
            }],
        };
        assert_eq!(device_activity(&p), Some((0x0B, "calibrating")));
        let mut v = LogPage::numeric(0x17, 0, &[(1, 42, 4), (0x10, 1000, 8)]);
        v.params.push(LogParam {
            code: 0x46,
            control: 1,
            value: b"20240131".to_vec(),
        });
        let m = volume_statistics(&LogPage::parse(&v.encode()).unwrap());
        assert_eq!(m["thread_count"], 42);
        assert_eq!(m["lifetime_mb_written"], 1000);
        assert_eq!(m["volume_manufacture_date"], "20240131");
    }
}
