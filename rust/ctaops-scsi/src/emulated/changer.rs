//! The emulated medium changer (SMC).

use std::time::Duration;

use super::{SharedLibrary, be16, check, injected, invalid_field, lock, respond};
use crate::cdb::{ElementType, op};
use crate::element::encode_element_status;
use crate::error::Result;
use crate::inquiry::{Designator, Inquiry, TYPE_CHANGER, encode_vpd80, encode_vpd83};
use crate::library::FaultTarget;
use crate::transport::{CommandResult, DataDir, ScsiTransport};

/// The changer LU of an emulated library.
#[derive(Debug, Clone)]
pub struct EmulatedChanger {
    lib: SharedLibrary,
}

impl EmulatedChanger {
    #[must_use]
    pub fn new(lib: SharedLibrary) -> Self {
        Self { lib }
    }

    #[must_use]
    pub fn library(&self) -> &SharedLibrary {
        &self.lib
    }
}

/// Minimum CDB length per opcode; a shorter CDB is an invalid command.
fn cdb_len(opcode: u8) -> usize {
    match opcode {
        0x00..=0x1F => 6,
        0x20..=0x5F => 10,
        0x80..=0x9F => 16,
        _ => 12,
    }
}

impl ScsiTransport for EmulatedChanger {
    fn execute(&mut self, cdb: &[u8], data: DataDir<'_>, _timeout: Duration) -> Result<CommandResult> {
        let mut lib = lock(&self.lib);
        let Some(&opcode) = cdb.first() else {
            return Ok(check(5, 0x20, 0));
        };
        if cdb.len() < cdb_len(opcode) {
            return Ok(check(5, 0x20, 0));
        }
        if let Some(r) = injected(&mut lib, FaultTarget::Changer) {
            return Ok(r);
        }
        let r = match opcode {
            op::TEST_UNIT_READY | op::INITIALIZE_ELEMENT_STATUS => CommandResult::good(0),
            op::REQUEST_SENSE => respond(
                data,
                &crate::sense::Sense::fixed_bytes(crate::sense::SenseKey(0), 0, 0, None, 0),
            ),
            op::INQUIRY => {
                let evpd = cdb[1] & 1 != 0;
                match (evpd, cdb[2]) {
                    (false, 0) => {
                        let inq = Inquiry {
                            qualifier: 0,
                            device_type: TYPE_CHANGER,
                            removable: true,
                            version: 5,
                            mchngr: false,
                            vendor: lib.vendor.clone(),
                            product: lib.product.clone(),
                            revision: lib.revision.clone(),
                        };
                        respond(data, &inq.encode())
                    }
                    (true, 0x00) => respond(data, &[TYPE_CHANGER, 0, 0, 3, 0x00, 0x80, 0x83]),
                    (true, 0x80) => respond(data, &encode_vpd80(TYPE_CHANGER, &lib.serial)),
                    (true, 0x83) => {
                        let mut v = Vec::new();
                        let mut f = [b' '; 24];
                        crate::inquiry::pad_into(&mut f[..8], &lib.vendor);
                        crate::inquiry::pad_into(&mut f[8..], &lib.product);
                        v.extend(f);
                        v.extend(lib.serial.bytes());
                        let d = Designator {
                            protocol: 0,
                            code_set: 2,
                            association: 0,
                            designator_type: 1,
                            value: v,
                        };
                        respond(data, &encode_vpd83(TYPE_CHANGER, &[d]))
                    }
                    _ => invalid_field(2),
                }
            }
            op::MODE_SENSE6 if cdb[2] & 0x3F == 0x1D => respond(data, &lib.address_assignment().encode_mode_sense6()),
            op::MODE_SENSE6 => invalid_field(2),
            op::READ_ELEMENT_STATUS => {
                if cdb[11] != 0 {
                    return Ok(invalid_field(11));
                }
                let Some(ty) = ElementType::from_code(cdb[1] & 0x0F) else {
                    return Ok(invalid_field(1));
                };
                let voltag = cdb[1] & 0x10 != 0;
                let dvcid = cdb[6] & 0x01 != 0;
                let start = be16(cdb, 2);
                let count = usize::from(be16(cdb, 4));
                let alloc = (usize::from(cdb[7]) << 16) | (usize::from(cdb[8]) << 8) | usize::from(cdb[9]);
                let (available, page) = lib.element_statuses_from(ty, start, count, dvcid);
                if available == 0 && ty != ElementType::All {
                    return Ok(check(5, 0x21, 0x01));
                }
                let available = u16::try_from(available).unwrap_or(u16::MAX);
                let mut bytes = encode_element_status(&page, voltag, dvcid, available);
                bytes.truncate(alloc);
                respond(data, &bytes)
            }
            op::MOVE_MEDIUM => {
                if cdb[10] & 1 != 0 {
                    return Ok(invalid_field(10));
                }
                if cdb[11] & 0xC0 == 0xC0 {
                    return Ok(invalid_field(11));
                }
                let transport = be16(cdb, 2);
                if transport > 2 && !lib.transport.contains(transport) {
                    return Ok(check(5, 0x21, 0x01));
                }
                match lib.move_medium(be16(cdb, 4), be16(cdb, 6)) {
                    Ok(()) => CommandResult::good(0),
                    Err((k, a, q)) => check(k, a, q),
                }
            }
            op::LOG_SENSE if cdb[2] & 0x3F == 0x2E => respond(data, &crate::log::encode_tapealert_page(0)),
            op::LOG_SENSE => invalid_field(2),
            _ => check(5, 0x20, 0),
        };
        Ok(r)
    }

    fn name(&self) -> String {
        "emulated changer".into()
    }
}
