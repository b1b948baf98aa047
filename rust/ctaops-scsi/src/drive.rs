//! Operator-level tape drive API over any [`ScsiTransport`]: identity, readiness, positioning,
//! TapeAlert, error counters, environment, cartridge memory.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::cdb::{self, LocateDest, PositionForm, SpaceCode};
use crate::error::{Result, ScsiError};
use crate::inquiry::{Designator, Inquiry, TYPE_TAPE, parse_vpd80, parse_vpd83};
use crate::log::{self, Environment, ErrorCounters, LogPage, SequentialAccess, Temperature};
use crate::mam::{CartridgeMemory, parse_attributes};
use crate::sense::Sense;
use crate::tape::{BlockLimits, Density, Position, parse_density_support};
use crate::transport::{DataDir, ScsiTransport, run};

/// CTA uses 15 minutes for every drive command; rewinds and loads can take that long.
pub const DRIVE_TIMEOUT: Duration = Duration::from_secs(900);
/// Quick queries (proxmox: 30 s for TUR and READ POSITION).
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(30);

/// Identity of a drive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriveIdentity {
    pub inquiry: Inquiry,
    pub serial: String,
    pub designators: Vec<Designator>,
}

/// Result of a SPACE: where the command stopped early (filemark, BOP, EOD) and the residual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceOutcome {
    pub stopped_by: Option<Sense>,
}

/// A tape drive reached through `T`.
#[derive(Debug)]
pub struct TapeDrive<T: ScsiTransport> {
    t: T,
}

impl<T: ScsiTransport> TapeDrive<T> {
    #[must_use]
    pub fn new(t: T) -> Self {
        Self { t }
    }

    pub fn transport(&mut self) -> &mut T {
        &mut self.t
    }

    fn data_in(&mut self, op: &'static str, cdb: &[u8], len: usize, timeout: Duration) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        let done = run(&mut self.t, op, cdb, DataDir::In(&mut buf), timeout)?;
        buf.truncate(done.transferred);
        Ok(buf)
    }

    fn no_data(&mut self, op: &'static str, cdb: &[u8], timeout: Duration) -> Result<Option<Sense>> {
        run(&mut self.t, op, cdb, DataDir::None, timeout).map(|d| d.info)
    }

    /// Standard INQUIRY; refuses a device that is not a tape drive.
    pub fn inquiry(&mut self) -> Result<Inquiry> {
        let b = self.data_in("INQUIRY", &cdb::inquiry(None, 96), 96, QUERY_TIMEOUT)?;
        let inq = Inquiry::parse(&b)?;
        if inq.device_type != TYPE_TAPE {
            return Err(ScsiError::WrongDeviceType {
                device: self.t.name(),
                expected: "tape drive",
                found: inq.device_type,
            });
        }
        Ok(inq)
    }

    /// Unit serial number (VPD 0x80).
    pub fn serial(&mut self) -> Result<String> {
        parse_vpd80(&self.data_in("INQUIRY", &cdb::inquiry(Some(0x80), 255), 255, QUERY_TIMEOUT)?)
    }

    /// Device identification designators (VPD 0x83).
    pub fn designators(&mut self) -> Result<Vec<Designator>> {
        parse_vpd83(&self.data_in("INQUIRY", &cdb::inquiry(Some(0x83), 1024), 1024, QUERY_TIMEOUT)?)
    }

    pub fn identity(&mut self) -> Result<DriveIdentity> {
        Ok(DriveIdentity {
            inquiry: self.inquiry()?,
            serial: self.serial()?,
            designators: self.designators()?,
        })
    }

    pub fn test_unit_ready(&mut self) -> Result<()> {
        self.no_data("TEST UNIT READY", &cdb::test_unit_ready(), QUERY_TIMEOUT)
            .map(|_| ())
    }

    /// REQUEST SENSE (clears pending deferred errors and unit attentions, as proxmox does first).
    pub fn request_sense(&mut self) -> Result<Sense> {
        Sense::parse(&self.data_in("REQUEST SENSE", &cdb::request_sense(96, false), 96, QUERY_TIMEOUT)?)
    }

    pub fn read_position(&mut self, form: PositionForm) -> Result<Position> {
        let b = self.data_in("READ POSITION", &cdb::read_position(form), 32, QUERY_TIMEOUT)?;
        match form {
            PositionForm::Short => Position::parse_short(&b),
            PositionForm::Long => Position::parse_long(&b),
            PositionForm::Extended => Position::parse_extended(&b),
        }
    }

    /// LOCATE to a block id (LOCATE(10) when it fits, else LOCATE(16)).
    pub fn locate(&mut self, block: u64) -> Result<()> {
        match u32::try_from(block) {
            Ok(b) => self.no_data("LOCATE", &cdb::locate10(b, None), DRIVE_TIMEOUT),
            Err(_) => self.no_data("LOCATE", &cdb::locate16(LocateDest::Object, block, None), DRIVE_TIMEOUT),
        }
        .map(|_| ())
    }

    /// LOCATE(16) to a logical file (the BOT side of its filemark) or to end of data.
    pub fn locate16(&mut self, dest: LocateDest, id: u64) -> Result<()> {
        self.no_data("LOCATE", &cdb::locate16(dest, id, None), DRIVE_TIMEOUT)
            .map(|_| ())
    }

    /// SPACE; a filemark or BOP crossed early is reported in the outcome, EOD is an error.
    pub fn space(&mut self, code: SpaceCode, count: i64) -> Result<SpaceOutcome> {
        self.no_data("SPACE", &cdb::space(code, count), DRIVE_TIMEOUT)
            .map(|stopped_by| SpaceOutcome { stopped_by })
    }

    pub fn rewind(&mut self) -> Result<()> {
        self.no_data("REWIND", &cdb::rewind(false), DRIVE_TIMEOUT).map(|_| ())
    }

    pub fn load(&mut self) -> Result<()> {
        self.no_data("LOAD", &cdb::load_unload(true, false), DRIVE_TIMEOUT)
            .map(|_| ())
    }

    /// Rewinds and ejects; the library then sees ACCESS=1 and may move the cartridge.
    pub fn unload(&mut self) -> Result<()> {
        self.no_data("UNLOAD", &cdb::load_unload(false, false), DRIVE_TIMEOUT)
            .map(|_| ())
    }

    pub fn block_limits(&mut self) -> Result<BlockLimits> {
        BlockLimits::parse(&self.data_in("READ BLOCK LIMITS", &cdb::read_block_limits(), 6, QUERY_TIMEOUT)?)
    }

    /// REPORT DENSITY SUPPORT; `media` restricts to the loaded cartridge.
    pub fn density_support(&mut self, media: bool) -> Result<Vec<Density>> {
        let len = 4 + 52 * 16;
        let c = cdb::report_density_support(media, false, u16::try_from(len).unwrap_or(u16::MAX));
        parse_density_support(&self.data_in("REPORT DENSITY SUPPORT", &c, len, QUERY_TIMEOUT)?)
    }

    /// Any LOG SENSE page, checked to be the one asked for.
    pub fn log_page(&mut self, page: u8, subpage: u8) -> Result<LogPage> {
        let b = self.data_in(
            "LOG SENSE",
            &cdb::log_sense(page, subpage, 0xFFFF),
            0xFFFF,
            QUERY_TIMEOUT,
        )?;
        LogPage::parse_expect(&b, page, subpage)
    }

    /// Active TapeAlert flags: page 0x12 (does not clear) when supported, else 0x2E (clears).
    pub fn tapealert(&mut self) -> Result<u64> {
        let p = match self.log_page(log::PAGE_TAPEALERT_RESPONSE, 0) {
            Ok(p) => p,
            Err(ScsiError::CheckCondition { .. } | ScsiError::UnsupportedPage { .. }) => {
                self.log_page(log::PAGE_TAPEALERT, 0)?
            }
            Err(e) => return Err(e),
        };
        Ok(log::tapealert_bitmap(&p))
    }

    pub fn write_errors(&mut self) -> Result<ErrorCounters> {
        Ok(ErrorCounters::from_page(&self.log_page(log::PAGE_WRITE_ERRORS, 0)?))
    }

    pub fn read_errors(&mut self) -> Result<ErrorCounters> {
        Ok(ErrorCounters::from_page(&self.log_page(log::PAGE_READ_ERRORS, 0)?))
    }

    pub fn sequential_access(&mut self) -> Result<SequentialAccess> {
        Ok(SequentialAccess::from_page(
            &self.log_page(log::PAGE_SEQUENTIAL_ACCESS, 0)?,
        ))
    }

    pub fn temperature(&mut self) -> Result<Temperature> {
        Ok(Temperature::from_page(&self.log_page(log::PAGE_TEMPERATURE, 0)?))
    }

    /// Temperature and humidity (page 0x0D/0x01).
    pub fn environment(&mut self) -> Result<Environment> {
        Ok(Environment::from_page(
            &self.log_page(log::PAGE_TEMPERATURE, log::SUBPAGE_ENVIRONMENT)?,
        ))
    }

    /// DT device activity (page 0x11).
    pub fn activity(&mut self) -> Result<Option<(u8, &'static str)>> {
        Ok(log::device_activity(&self.log_page(log::PAGE_DEVICE_STATUS, 0)?))
    }

    pub fn volume_statistics(&mut self) -> Result<std::collections::BTreeMap<String, serde_json::Value>> {
        Ok(log::volume_statistics(&self.log_page(log::PAGE_VOLUME_STATISTICS, 0)?))
    }

    /// Cartridge memory (READ ATTRIBUTE from attribute 0).
    pub fn cartridge_memory(&mut self) -> Result<CartridgeMemory> {
        let len = 4096;
        let b = self.data_in("READ ATTRIBUTE", &cdb::read_attribute(0, 0, 4096), len, QUERY_TIMEOUT)?;
        Ok(CartridgeMemory::from_attributes(&parse_attributes(&b)?))
    }
}

/// One TapeAlert flag as reported (for JSON outputs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActiveFlag {
    pub code: u8,
    pub name: &'static str,
    pub severity: crate::tapealert::Severity,
    pub subject: crate::tapealert::Subject,
    pub action: &'static str,
}

/// Everything an operator asks about a drive, gathered in one pass; sections the drive cannot
/// answer right now (no tape, unsupported page) are `None`, with `ready_error` saying why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriveReport {
    pub identity: DriveIdentity,
    pub ready: bool,
    /// Stable code of the TEST UNIT READY failure (`MEDIUM_NOT_PRESENT`, `NOT_READY` …).
    pub ready_error: Option<String>,
    pub position: Option<Position>,
    pub activity: Option<String>,
    pub tapealert: Vec<ActiveFlag>,
    pub temperature_c: Option<i16>,
    pub humidity_pct: Option<i16>,
    pub write_errors: Option<ErrorCounters>,
    pub read_errors: Option<ErrorCounters>,
    pub cleaning_required: Option<bool>,
    pub cartridge_memory: Option<CartridgeMemory>,
    /// What the drive refused as not implemented (ILLEGAL REQUEST, or a log page it does not
    /// list): `temperature`, `humidity`, `tapealert`, `error_counters`, `cartridge_memory` … A
    /// report says "not supported by this device" for these rather than a value or "none".
    pub unsupported: Vec<&'static str>,
}

/// Whether the drive answered that it does not implement the command or page (as opposed to a
/// failure that might pass: no tape, busy, a transport error).
#[must_use]
pub fn is_unsupported(e: &ScsiError) -> bool {
    match e {
        ScsiError::UnsupportedPage { .. } => true,
        ScsiError::CheckCondition { sense, .. } => sense.key == crate::sense::SenseKey::ILLEGAL_REQUEST,
        _ => false,
    }
}

impl<T: ScsiTransport> TapeDrive<T> {
    /// Gathers a [`DriveReport`]. Identity errors (not a drive, device gone) are returned; the
    /// rest is best effort. A pending unit attention is consumed by a first TEST UNIT READY.
    pub fn report(&mut self) -> Result<DriveReport> {
        let identity = self.identity()?;
        let mut ready = self.test_unit_ready();
        if matches!(&ready, Err(e) if e.code() == "UNIT_ATTENTION") {
            ready = self.test_unit_ready();
        }
        let ready_error = ready.as_ref().err().map(|e| e.code().to_owned());
        let is_ready = ready.is_ok();
        let mut unsupported = Vec::new();
        let mut note = |what: &'static str, e: &ScsiError| {
            if is_unsupported(e) && !unsupported.contains(&what) {
                unsupported.push(what);
            }
        };
        let env = self.environment().inspect_err(|e| note("humidity", e)).ok();
        let temperature_c = match env.as_ref().and_then(|e| e.temperatures.first()) {
            Some(t) => Some(i16::from(t.current)),
            None => self
                .temperature()
                .inspect_err(|e| note("temperature", e))
                .ok()
                .and_then(|t| t.current_c.map(i16::from)),
        };
        let tapealert = match self.tapealert() {
            Ok(bits) => crate::tapealert::active(bits)
                .into_iter()
                .map(|f| ActiveFlag {
                    code: f.code,
                    name: f.name,
                    severity: f.severity,
                    subject: f.subject,
                    action: f.action,
                })
                .collect(),
            Err(e) => {
                note("tapealert", &e);
                Vec::new()
            }
        };
        let activity = self.activity().inspect_err(|e| note("activity", e)).ok().flatten();
        let write_errors = self.write_errors().inspect_err(|e| note("error_counters", e)).ok();
        let read_errors = self.read_errors().inspect_err(|e| note("error_counters", e)).ok();
        let cleaning_required = self
            .sequential_access()
            .inspect_err(|e| note("cleaning", e))
            .ok()
            .map(|s| s.cleaning_required);
        let cartridge_memory = if is_ready {
            self.cartridge_memory()
                .inspect_err(|e| note("cartridge_memory", e))
                .ok()
        } else {
            None
        };
        let position = if is_ready {
            self.read_position(PositionForm::Long).ok()
        } else {
            None
        };
        Ok(DriveReport {
            identity,
            ready: is_ready,
            ready_error,
            position,
            activity: activity.map(|(_, n)| n.to_owned()),
            tapealert,
            temperature_c,
            humidity_pct: env
                .as_ref()
                .and_then(|e| e.humidity.first().map(|h| i16::from(h.current))),
            write_errors,
            read_errors,
            cleaning_required,
            cartridge_memory,
            unsupported,
        })
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulated::{EmulatedChanger, EmulatedDrive, SharedLibrary, share};
    use crate::library::{FaultTarget, Library, LibrarySpec};
    use crate::sense::SenseKey;
    use crate::tapealert;

    fn setup() -> (SharedLibrary, TapeDrive<EmulatedDrive>) {
        let lib = share(
            Library::new(&LibrarySpec {
                tapes: 2,
                ..LibrarySpec::ts4500(8, 2, 1)
            })
            .unwrap(),
        );
        (lib.clone(), TapeDrive::new(EmulatedDrive::new(lib, 0x101)))
    }

    fn mount(lib: &SharedLibrary) {
        let mut c = crate::changer::Changer::new(EmulatedChanger::new(lib.clone()));
        c.move_medium(0x400, 0x101, false).unwrap();
    }

    #[test]
    fn identity_without_a_tape() {
        let (_, mut d) = setup();
        let id = d.identity().unwrap();
        assert_eq!(
            (id.inquiry.product.trim_end(), id.serial.as_str()),
            ("ULT3580-TD9", "1000000001")
        );
        assert_eq!(id.designators.len(), 2);
        assert_eq!(id.designators[1].drive_serial(), "1000000001");
        assert_eq!(d.test_unit_ready().unwrap_err().code(), "MEDIUM_NOT_PRESENT");
        assert_eq!(d.block_limits().unwrap().max, 0x80_0000);
        let dens = d.density_support(false).unwrap();
        assert_eq!(dens.iter().map(|x| x.primary_code).collect::<Vec<_>>(), [0x5E, 0x60]);
        assert_eq!(d.density_support(true).unwrap_err().code(), "MEDIUM_NOT_PRESENT");
    }

    #[test]
    fn load_cycle_and_positioning() {
        let (lib, mut d) = setup();
        {
            let mut l = lib.lock().unwrap();
            let c = l.slots[0].cartridge.as_mut().unwrap();
            c.eod = 30;
            c.filemarks = vec![3, 10, 20];
        }
        mount(&lib);
        assert_eq!(d.test_unit_ready().unwrap_err().code(), "UNIT_ATTENTION");
        d.test_unit_ready().unwrap();
        assert!(d.read_position(PositionForm::Short).unwrap().bop);
        // Space 5 blocks from 0: the filemark at object 3 stops it after 4 objects, residual 1.
        let o = d.space(SpaceCode::Blocks, 5).unwrap();
        let s = o.stopped_by.unwrap();
        assert!(s.filemark);
        assert_eq!(s.information, Some(1));
        assert_eq!(
            d.read_position(PositionForm::Long).unwrap(),
            Position {
                block: 4,
                file: Some(1),
                ..Default::default()
            }
        );
        d.space(SpaceCode::Filemarks, 2).unwrap();
        assert_eq!(d.read_position(PositionForm::Extended).unwrap().block, 21);
        assert_eq!(d.space(SpaceCode::Filemarks, 5).unwrap_err().code(), "END_OF_DATA");
        let back = d.space(SpaceCode::Blocks, -100).unwrap().stopped_by.unwrap();
        assert_eq!(back.asc_name(), "Filemark detected");
        d.locate(5).unwrap();
        assert_eq!(d.read_position(PositionForm::Short).unwrap().block, 5);
        d.locate16(LocateDest::File, 2).unwrap();
        assert_eq!(d.read_position(PositionForm::Short).unwrap().block, 10);
        assert_eq!(d.locate(31).unwrap_err().code(), "END_OF_DATA");
        d.rewind().unwrap();
        let back = d.space(SpaceCode::Blocks, -1).unwrap().stopped_by.unwrap();
        assert!(back.eom);
        d.space(SpaceCode::EndOfData, 0).unwrap();
        assert_eq!(d.read_position(PositionForm::Short).unwrap().block, 30);
        d.unload().unwrap();
        assert_eq!(d.test_unit_ready().unwrap_err().code(), "NOT_READY");
        let mut c = crate::changer::Changer::new(EmulatedChanger::new(lib));
        c.move_medium(0x101, 0x400, false).unwrap();
    }

    #[test]
    fn logs_tapealert_environment_and_mam() {
        let (lib, mut d) = setup();
        {
            let mut l = lib.lock().unwrap();
            let dr = l.drive_mut(0x101).unwrap();
            dr.tapealert = tapealert::bit(0x14) | tapealert::bit(0x24);
            dr.temperature_c = 51;
            dr.humidity_pct = 63;
            dr.read_errors_uncorrected = 2;
        }
        let flags = d.tapealert().unwrap();
        assert_eq!(
            tapealert::active(flags).iter().map(|f| f.code).collect::<Vec<_>>(),
            [0x14, 0x24]
        );
        assert_eq!(d.temperature().unwrap().current_c, Some(51));
        let env = d.environment().unwrap();
        assert_eq!((env.temperatures[0].current, env.humidity[0].current), (51, 63));
        assert_eq!(d.read_errors().unwrap().total_uncorrected, Some(2));
        assert_eq!(d.activity().unwrap(), Some((0, "none")));
        // 0x2E clears on read.
        assert_ne!(log::tapealert_bitmap(&d.log_page(0x2E, 0).unwrap()), 0);
        assert_eq!(log::tapealert_bitmap(&d.log_page(0x2E, 0).unwrap()), 0);
        assert_eq!(d.log_page(0x33, 0).unwrap_err().code(), "ILLEGAL_REQUEST");
        mount(&lib);
        let _ = d.test_unit_ready();
        let cm = d.cartridge_memory().unwrap();
        assert_eq!(
            (cm.load_count, cm.barcode.as_deref(), cm.manufacturer.as_deref()),
            (Some(1), Some("V00001L9"), Some("FUJIFILM"))
        );
        assert!(cm.remaining_capacity_mib.unwrap() > 16_000_000);
        let vs = d.volume_statistics().unwrap();
        assert_eq!(vs["thread_count"], 1);
        assert_eq!(vs["volume_barcode"], "V00001L9");
        assert!(d.sequential_access().unwrap().capacity_bop_to_eod_mb.is_some());
        lib.lock().unwrap().inject_sense(FaultTarget::Drive(0x101), 4, 0x44, 0);
        let e = d.read_position(PositionForm::Short).unwrap_err();
        assert_eq!(
            (e.code(), e.to_string().as_str()),
            (
                "HARDWARE_ERROR",
                "READ POSITION: HARDWARE ERROR 4/44/00 (Internal target failure)"
            )
        );
    }

    #[test]
    fn report_with_and_without_tape() {
        let (lib, mut d) = setup();
        let r = d.report().unwrap();
        assert!(!r.ready);
        assert_eq!(r.ready_error.as_deref(), Some("MEDIUM_NOT_PRESENT"));
        assert_eq!((r.temperature_c, r.humidity_pct), (Some(32), Some(40)));
        assert!(r.cartridge_memory.is_none() && r.position.is_none());
        lib.lock().unwrap().drive_mut(0x101).unwrap().tapealert = tapealert::bit(0x14);
        mount(&lib);
        let r = d.report().unwrap();
        assert!(r.ready, "{r:?}");
        assert_eq!(
            r.tapealert.iter().map(|f| f.name).collect::<Vec<_>>(),
            ["Cleaning required"]
        );
        assert_eq!(r.cartridge_memory.unwrap().load_count, Some(1));
        assert_eq!(r.position.unwrap().block, 0);
        let json = serde_json::to_value(d.report().unwrap()).unwrap();
        assert_eq!(json["identity"]["serial"], "1000000001");
        assert_eq!(json["tapealert"][0]["severity"], "critical");
    }

    #[test]
    fn a_drive_with_every_page_has_nothing_unsupported() {
        let (lib, mut d) = setup();
        mount(&lib);
        assert_eq!(d.report().unwrap().unsupported, Vec::<&str>::new());
    }

    #[test]
    fn only_illegal_request_and_unlisted_pages_count_as_unsupported() {
        let check = |key: SenseKey, asc: u8| ScsiError::CheckCondition {
            op: "LOG SENSE",
            sense: Box::new(Sense::parse(&Sense::fixed_bytes(key, asc, 0, None, 0)).unwrap()),
        };
        assert!(is_unsupported(&check(SenseKey::ILLEGAL_REQUEST, 0x24)));
        assert!(is_unsupported(&ScsiError::UnsupportedPage {
            page: 0x2E,
            detail: "not listed".into()
        }));
        assert!(!is_unsupported(&check(SenseKey::NOT_READY, 0x3A)));
        assert!(!is_unsupported(&ScsiError::Timeout { op: "LOG SENSE" }));
        assert!(!is_unsupported(&ScsiError::Host {
            op: "LOG SENSE",
            host_status: 0x0E
        }));
    }

    #[test]
    fn a_library_refuses_to_take_a_cartridge_whose_removal_is_prevented() {
        // What st does on open and close; tgt's library refuses the move meanwhile, as real ones do.
        let (lib, mut d) = setup();
        mount(&lib);
        d.unload().unwrap();
        let prevent = |d: &mut TapeDrive<EmulatedDrive>, on: bool| {
            let cdb = [cdb::op::PREVENT_ALLOW_MEDIUM_REMOVAL, 0, 0, 0, u8::from(on), 0];
            d.transport().execute(&cdb, DataDir::None, QUERY_TIMEOUT).unwrap()
        };
        assert_eq!(prevent(&mut d, true).status, 0);
        let mut changer = crate::changer::Changer::new(EmulatedChanger::new(lib));
        let refused = changer.move_medium(0x101, 0x400, false).unwrap_err();
        assert_eq!(refused.code(), "MEDIUM_REMOVAL_PREVENTED", "{refused}");
        assert_eq!(prevent(&mut d, false).status, 0);
        changer.move_medium(0x101, 0x400, false).unwrap();
    }
}
