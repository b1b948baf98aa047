//! The emulated tape drive (SSC): identity, load state, positioning over the cartridge's object
//! list (blocks + filemarks + EOD), log pages, cartridge memory.

use std::time::Duration;

use super::{SharedLibrary, be16, check, injected, invalid_field, lock, respond};
use crate::cdb::op;
use crate::error::Result;
use crate::inquiry::{Designator, Inquiry, TYPE_TAPE, encode_vpd80, encode_vpd83};
use crate::library::{Cartridge, Drive, FaultTarget, MediumKind};
use crate::log::{self, LogPage, LogParam};
use crate::mam::{self, Attribute};
use crate::sense::{Sense, SenseKey};
use crate::tape::{self, BlockLimits, Density, Position};
use crate::transport::{CommandResult, DataDir, ScsiTransport};

/// One drive of an emulated library, addressed by its data-transfer element address.
#[derive(Debug, Clone)]
pub struct EmulatedDrive {
    lib: SharedLibrary,
    address: u16,
}

impl EmulatedDrive {
    #[must_use]
    pub fn new(lib: SharedLibrary, address: u16) -> Self {
        Self { lib, address }
    }
}

fn sense_info(key: SenseKey, asc: u8, ascq: u8, info: i64, flags: u8) -> CommandResult {
    let info = i32::try_from(info).unwrap_or(i32::MAX);
    CommandResult::check(Sense::fixed_bytes(key, asc, ascq, Some(info), flags))
}

/// Drive generation from its product id (`ULT3580-TD9` → 9).
fn generation(d: &Drive) -> u8 {
    d.product
        .trim_end()
        .chars()
        .last()
        .and_then(|c| c.to_digit(10))
        .and_then(|g| u8::try_from(g).ok())
        .unwrap_or(9)
}

fn density(g: &tape::LtoGeneration, default: bool) -> Density {
    Density {
        primary_code: g.density_code,
        secondary_code: g.density_code,
        writable: true,
        duplicate: false,
        default,
        bits_per_mm: g.bits_per_mm,
        media_width: 127,
        tracks: g.tracks,
        capacity_mb: g.capacity_mb,
        organization: "LTO-CVE".into(),
        name: g.name.into(),
        description: format!("Ultrium {}", g.generation),
    }
}

/// Object-level positioning (spec §2.6): returns the new position or the sense to report.
fn space(c: &Cartridge, pos: u64, code: u8, count: i64) -> (u64, Option<CommandResult>) {
    let is_fm = |p: u64| c.filemarks.binary_search(&p).is_ok();
    match code {
        3 => (c.eod, None),
        0 => {
            let mut p = pos;
            let mut left = count.unsigned_abs();
            while left > 0 {
                if count > 0 {
                    if p >= c.eod {
                        let resid = i64::try_from(left).unwrap_or(i64::MAX);
                        return (p, Some(sense_info(SenseKey::BLANK_CHECK, 0, 5, resid, 0)));
                    }
                    p += 1;
                    if is_fm(p - 1) {
                        let resid = i64::try_from(left - 1).unwrap_or(i64::MAX);
                        return (p, Some(sense_info(SenseKey::NO_SENSE, 0, 1, resid, 0x80)));
                    }
                } else {
                    if p == 0 {
                        let resid = i64::try_from(left).unwrap_or(i64::MAX);
                        return (0, Some(sense_info(SenseKey::NO_SENSE, 0, 4, resid, 0x40)));
                    }
                    p -= 1;
                    if is_fm(p) {
                        let resid = i64::try_from(left - 1).unwrap_or(i64::MAX);
                        return (p, Some(sense_info(SenseKey::NO_SENSE, 0, 1, resid, 0x80)));
                    }
                }
                left -= 1;
            }
            (p, None)
        }
        _ => {
            // Filemarks: forward ends after the n-th filemark, backward before it.
            let n = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
            if count >= 0 {
                let ahead: Vec<u64> = c.filemarks.iter().copied().filter(|&f| f >= pos).collect();
                match ahead.get(n.saturating_sub(1)) {
                    _ if n == 0 => (pos, None),
                    Some(&f) => (f + 1, None),
                    None => {
                        let resid = i64::try_from(n - ahead.len()).unwrap_or(i64::MAX);
                        (c.eod, Some(sense_info(SenseKey::BLANK_CHECK, 0, 5, resid, 0)))
                    }
                }
            } else {
                let behind: Vec<u64> = c.filemarks.iter().rev().copied().filter(|&f| f < pos).collect();
                match behind.get(n - 1) {
                    Some(&f) => (f, None),
                    None => {
                        let resid = i64::try_from(n - behind.len()).unwrap_or(i64::MAX);
                        (0, Some(sense_info(SenseKey::NO_SENSE, 0, 4, resid, 0x40)))
                    }
                }
            }
        }
    }
}

fn log_page(d: &mut Drive, page: u8, subpage: u8, alloc: usize) -> Option<Vec<u8>> {
    let cart = d.cartridge.as_ref().filter(|_| d.loaded);
    let p = match (page, subpage) {
        (0x00, 0) => LogPage {
            page: 0,
            subpage: 0,
            params: Vec::new(),
        }
        .encode()
        .into_iter()
        .take(2)
        .chain([0, 10, 0x00, 0x02, 0x03, 0x0C, 0x0D, 0x11, 0x12, 0x17, 0x2E, 0x31])
        .collect(),
        (log::PAGE_WRITE_ERRORS, 0) => LogPage::numeric(
            page,
            0,
            &[(3, d.write_errors_corrected, 4), (6, d.write_errors_uncorrected, 4)],
        )
        .encode(),
        (log::PAGE_READ_ERRORS, 0) => LogPage::numeric(
            page,
            0,
            &[(3, d.read_errors_corrected, 4), (6, d.read_errors_uncorrected, 4)],
        )
        .encode(),
        (log::PAGE_SEQUENTIAL_ACCESS, 0) => {
            let cap = cart.map_or(0, |c| c.capacity_mib);
            LogPage::numeric(
                page,
                0,
                &[
                    (0, 0, 8),
                    (1, 0, 8),
                    (2, 0, 8),
                    (3, 0, 8),
                    (4, cap, 4),
                    (5, cap, 4),
                    (0x100, u64::from(d.cleaning_required), 1),
                ],
            )
            .encode()
        }
        (log::PAGE_TEMPERATURE, 0) => {
            let t = u8::try_from(d.temperature_c.max(0)).unwrap_or(0);
            LogPage {
                page,
                subpage: 0,
                params: vec![
                    LogParam {
                        code: 0,
                        control: 3,
                        value: vec![0, t],
                    },
                    LogParam {
                        code: 1,
                        control: 3,
                        value: vec![0, 45],
                    },
                ],
            }
            .encode()
        }
        (log::PAGE_TEMPERATURE, log::SUBPAGE_ENVIRONMENT) => {
            #[expect(clippy::cast_sign_loss, reason = "signed bytes on the wire")]
            let (t, h) = (d.temperature_c as u8, d.humidity_pct as u8);
            LogPage {
                page,
                subpage,
                params: vec![
                    LogParam {
                        code: 0,
                        control: 3,
                        value: vec![0, t, t.max(40), t.min(20), t, t, 0, 0],
                    },
                    LogParam {
                        code: 0x100,
                        control: 3,
                        value: vec![0, h, h.max(60), h.min(20), h, h, 0, 0],
                    },
                ],
            }
            .encode()
        }
        (log::PAGE_DEVICE_STATUS, 0) => {
            let activity = 0;
            LogPage {
                page,
                subpage: 0,
                params: vec![LogParam {
                    code: 0,
                    control: 3,
                    value: vec![1, 0, activity, 0],
                }],
            }
            .encode()
        }
        (log::PAGE_TAPEALERT_RESPONSE, 0) => LogPage::numeric(page, 0, &[(0, d.tapealert, 8)]).encode(),
        (log::PAGE_TAPEALERT, 0) => {
            let b = log::encode_tapealert_page(d.tapealert);
            // Reading the whole page clears the flags on most drives (mhVTL: allocation > 4).
            if alloc > 4 {
                d.tapealert = 0;
            }
            b
        }
        (log::PAGE_VOLUME_STATISTICS, 0) => {
            let c = cart?;
            let mut p = LogPage::numeric(
                page,
                0,
                &[
                    (0, 1, 1),
                    (1, c.load_count, 4),
                    (0x10, c.lifetime_mb_written, 8),
                    (0x11, c.lifetime_mb_read, 8),
                    (0x16, c.capacity_mib, 4),
                ],
            );
            p.params.push(LogParam {
                code: 0x40,
                control: 1,
                value: c.serial.as_bytes().to_vec(),
            });
            p.params.push(LogParam {
                code: 0x42,
                control: 1,
                value: c.barcode.as_bytes().to_vec(),
            });
            p.params.push(LogParam {
                code: 0x43,
                control: 1,
                value: c.manufacturer.as_bytes().to_vec(),
            });
            p.params.push(LogParam {
                code: 0x46,
                control: 1,
                value: c.manufacture_date.as_bytes().to_vec(),
            });
            p.encode()
        }
        (0x31, 0) => {
            let (rem, max) = cart.map_or((0, 0), |c| (c.remaining_mib, c.capacity_mib));
            LogPage::numeric(page, 0, &[(1, rem, 4), (2, 0, 4), (3, max, 4), (4, 0, 4)]).encode()
        }
        _ => return None,
    };
    Some(p)
}

fn attributes(c: &Cartridge, d: &Drive) -> Vec<Attribute> {
    vec![
        Attribute::number(mam::REMAINING_CAPACITY, c.remaining_mib, 8),
        Attribute::number(mam::MAXIMUM_CAPACITY, c.capacity_mib, 8),
        Attribute::number(mam::TAPEALERT_FLAGS, d.tapealert, 8),
        Attribute::number(mam::LOAD_COUNT, c.load_count, 8),
        Attribute::number(mam::FORMATTED_DENSITY, u64::from(c.density_code), 1),
        Attribute::number(mam::LIFETIME_MB_WRITTEN, c.lifetime_mb_written, 8),
        Attribute::number(mam::LIFETIME_MB_READ, c.lifetime_mb_read, 8),
        Attribute::ascii(mam::MANUFACTURER, &c.manufacturer, 8),
        Attribute::ascii(mam::SERIAL, &c.serial, 32),
        Attribute::number(mam::MEDIUM_DENSITY, u64::from(c.density_code), 1),
        Attribute::ascii(mam::MANUFACTURE_DATE, &c.manufacture_date, 8),
        Attribute::ascii(mam::BARCODE, &c.barcode, 32),
    ]
}

impl ScsiTransport for EmulatedDrive {
    #[expect(clippy::too_many_lines, reason = "one arm per opcode reads best as one table")]
    fn execute(&mut self, cdb: &[u8], data: DataDir<'_>, _timeout: Duration) -> Result<CommandResult> {
        let mut lib = lock(&self.lib);
        let Some(&opcode) = cdb.first() else {
            return Ok(check(5, 0x20, 0));
        };
        let need = match opcode {
            0x00..=0x1F => 6,
            0x20..=0x5F => 10,
            0x80..=0x9F => 16,
            _ => 12,
        };
        if cdb.len() < need {
            return Ok(check(5, 0x20, 0));
        }
        if let Some(r) = injected(&mut lib, FaultTarget::Drive(self.address)) {
            return Ok(r);
        }
        let Some(d) = lib.drive_mut(self.address) else {
            return Ok(check(5, 0x25, 0));
        };
        // Commands that work without a tape.
        match opcode {
            op::INQUIRY => {
                let evpd = cdb[1] & 1 != 0;
                let r = match (evpd, cdb[2]) {
                    (false, 0) => respond(
                        data,
                        &Inquiry {
                            qualifier: 0,
                            device_type: TYPE_TAPE,
                            removable: true,
                            version: 6,
                            mchngr: false,
                            vendor: d.vendor.clone(),
                            product: d.product.clone(),
                            revision: d.revision.clone(),
                        }
                        .encode(),
                    ),
                    (true, 0x00) => respond(data, &[TYPE_TAPE, 0, 0, 3, 0x00, 0x80, 0x83]),
                    (true, 0x80) => respond(data, &encode_vpd80(TYPE_TAPE, &d.serial)),
                    (true, 0x83) => {
                        let mut v = Vec::new();
                        let mut f = [b' '; 24];
                        crate::inquiry::pad_into(&mut f[..8], &d.vendor);
                        crate::inquiry::pad_into(&mut f[8..], &d.product);
                        v.extend(f);
                        v.extend(d.serial.bytes());
                        let naa = Designator {
                            protocol: 0,
                            code_set: 1,
                            association: 0,
                            designator_type: 3,
                            value: [0x50, 0x05, 0x07, 0x63, 0, 0, 0, 0]
                                .iter()
                                .zip(d.address.to_be_bytes().iter().cycle())
                                .enumerate()
                                .map(|(i, (a, b))| if i >= 6 { *b } else { *a })
                                .collect(),
                        };
                        let t10 = Designator {
                            protocol: 0,
                            code_set: 2,
                            association: 0,
                            designator_type: 1,
                            value: v,
                        };
                        respond(data, &encode_vpd83(TYPE_TAPE, &[naa, t10]))
                    }
                    _ => invalid_field(2),
                };
                return Ok(r);
            }
            op::REQUEST_SENSE => {
                let s = if d.cartridge.is_none() {
                    Sense::fixed_bytes(SenseKey::NOT_READY, 0x3A, 0, None, 0)
                } else {
                    Sense::fixed_bytes(SenseKey::NO_SENSE, 0, 0, None, 0)
                };
                return Ok(respond(data, &s));
            }
            op::READ_BLOCK_LIMITS => {
                return Ok(respond(
                    data,
                    &BlockLimits {
                        granularity: 0,
                        max: 0x80_0000,
                        min: 1,
                    }
                    .encode(),
                ));
            }
            op::REPORT_DENSITY_SUPPORT => {
                let g = generation(d);
                let media = cdb[1] & 1 != 0;
                let ds: Vec<Density> = if media {
                    let Some(c) = d.cartridge.as_ref().filter(|_| d.loaded) else {
                        return Ok(check(2, 0x3A, 0));
                    };
                    tape::LTO_GENERATIONS
                        .iter()
                        .filter(|x| x.density_code == c.density_code)
                        .map(|x| density(x, true))
                        .collect()
                } else {
                    tape::LTO_GENERATIONS
                        .iter()
                        .filter(|x| x.generation + 1 >= g && x.generation <= g)
                        .map(|x| density(x, x.generation == g))
                        .collect()
                };
                return Ok(respond(data, &tape::encode_density_support(&ds)));
            }
            op::LOG_SENSE => {
                let alloc = usize::from(be16(cdb, 7));
                return Ok(match log_page(d, cdb[2] & 0x3F, cdb[3], alloc) {
                    Some(b) => respond(data, &b),
                    None if cdb[2] & 0x3F == log::PAGE_VOLUME_STATISTICS => check(2, 0x3A, 0),
                    None => invalid_field(2),
                });
            }
            op::PREVENT_ALLOW_MEDIUM_REMOVAL => {
                d.removal_prevented = cdb[4] & 0x01 != 0;
                return Ok(CommandResult::good(0));
            }
            op::LOAD_UNLOAD => {
                if cdb[4] & 0x04 != 0 {
                    return Ok(invalid_field(4));
                }
                if cdb[4] & 0x01 == 0 && d.removal_prevented {
                    // SSC: an unload while removal is prevented fails (st sends ALLOW first).
                    return Ok(check(5, 0x53, 0x02));
                }
                let Some(c) = d.cartridge.as_ref() else {
                    return Ok(check(2, 0x3A, 0));
                };
                let cleaning = c.kind == MediumKind::Cleaning;
                d.position = 0;
                d.loaded = cdb[4] & 1 != 0 && !cleaning;
                return Ok(CommandResult::good(0));
            }
            _ => {}
        }
        // Everything else needs a threaded tape.
        let Some(c) = d.cartridge.clone() else {
            return Ok(check(2, 0x3A, 0));
        };
        if c.kind == MediumKind::Cleaning {
            return Ok(check(2, 0x30, 0x03));
        }
        if !d.loaded {
            return Ok(check(2, 0x04, 0x02));
        }
        if d.unit_attention {
            d.unit_attention = false;
            return Ok(check(6, 0x28, 0));
        }
        let r = match opcode {
            op::TEST_UNIT_READY => CommandResult::good(0),
            op::REWIND => {
                d.position = 0;
                CommandResult::good(0)
            }
            op::READ_POSITION => {
                let file = c.filemarks.iter().filter(|&&f| f < d.position).count() as u64;
                let p = Position {
                    bop: d.position == 0,
                    block: d.position,
                    file: Some(file),
                    ..Position::default()
                };
                match cdb[1] & 0x1F {
                    0x00 | 0x01 => respond(data, &p.encode_short()),
                    0x06 => respond(data, &p.encode_long()),
                    0x08 => respond(data, &p.encode_extended()),
                    _ => invalid_field(1),
                }
            }
            op::LOCATE10 | op::LOCATE16 => {
                let (dest, id) = if opcode == op::LOCATE10 {
                    (0, u64::from(u32::from_be_bytes([cdb[3], cdb[4], cdb[5], cdb[6]])))
                } else {
                    let mut v = [0u8; 8];
                    v.copy_from_slice(&cdb[4..12]);
                    ((cdb[1] >> 3) & 0x07, u64::from_be_bytes(v))
                };
                let target = match dest {
                    0 => Some(id),
                    // File n starts at BOP (n = 0) or at the BOT side of filemark n.
                    1 if id == 0 => Some(0),
                    1 => c.filemarks.get(usize::try_from(id - 1).unwrap_or(usize::MAX)).copied(),
                    3 => Some(c.eod),
                    _ => return Ok(invalid_field(1)),
                };
                match target {
                    Some(t) if t <= c.eod => {
                        d.position = t;
                        CommandResult::good(0)
                    }
                    _ => {
                        d.position = c.eod;
                        check(8, 0, 5)
                    }
                }
            }
            op::SPACE6 | op::SPACE16 => {
                let count = if opcode == op::SPACE6 {
                    // 24-bit two's complement.
                    let raw = (i64::from(cdb[2]) << 16) | (i64::from(cdb[3]) << 8) | i64::from(cdb[4]);
                    if raw & 0x80_0000 != 0 { raw - 0x100_0000 } else { raw }
                } else {
                    let mut v = [0u8; 8];
                    v.copy_from_slice(&cdb[4..12]);
                    i64::from_be_bytes(v)
                };
                let code = cdb[1] & 0x0F;
                if code > 3 {
                    return Ok(invalid_field(1));
                }
                let (p, sense) = space(&c, d.position, code, count);
                d.position = p;
                sense.unwrap_or_else(|| CommandResult::good(0))
            }
            op::MODE_SENSE6 => {
                let dbd = cdb[1] & 0x08 != 0;
                let medium_type = match c.kind {
                    MediumKind::Worm => c.density_code.wrapping_add(0x3C),
                    _ => c.density_code.wrapping_add(0x38),
                };
                let mut b = vec![3, medium_type, 0x10, 0];
                if !dbd {
                    b[3] = 8;
                    b.extend([c.density_code, 0, 0, 0, 0, 0, 0, 0]);
                }
                b[0] = u8::try_from(b.len() - 1).unwrap_or(0);
                respond(data, &b)
            }
            op::READ_ATTRIBUTE => {
                if cdb[1] & 0x1F != 0 {
                    return Ok(invalid_field(1));
                }
                let first = be16(cdb, 8);
                let attrs: Vec<Attribute> = attributes(&c, d).into_iter().filter(|a| a.id >= first).collect();
                respond(data, &mam::encode_attributes(&attrs))
            }
            _ => check(5, 0x20, 0),
        };
        Ok(r)
    }

    fn name(&self) -> String {
        format!("emulated drive {}", self.address)
    }
}
