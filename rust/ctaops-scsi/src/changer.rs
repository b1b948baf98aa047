//! Operator-level media changer API over any [`ScsiTransport`]: identity, element map,
//! inventory with paging, moves checked before any command is sent.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::cdb::{self, ElementType};
use crate::element::{AddressAssignment, ElementStatus, parse_element_status};
use crate::error::{Result, ScsiError};
use crate::inquiry::{Inquiry, TYPE_CHANGER};
use crate::transport::{DataDir, ScsiTransport, run};

/// proxmox's changer timeout; INITIALIZE ELEMENT STATUS gets 30 minutes.
pub const CHANGER_TIMEOUT: Duration = Duration::from_secs(300);
pub const INVENTORY_TIMEOUT: Duration = Duration::from_secs(1800);
/// Elements asked for per READ ELEMENT STATUS (proxmox asks for at most 1000).
pub const MAX_ELEMENTS_PER_REQUEST: u16 = 1000;

/// The complete element status of a library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    pub inquiry: Inquiry,
    pub assignment: AddressAssignment,
    pub transports: Vec<ElementStatus>,
    pub slots: Vec<ElementStatus>,
    pub ports: Vec<ElementStatus>,
    pub drives: Vec<ElementStatus>,
}

impl Inventory {
    /// Every element, in transport, slot, port, drive order.
    pub fn all(&self) -> impl Iterator<Item = &ElementStatus> {
        self.transports
            .iter()
            .chain(&self.slots)
            .chain(&self.ports)
            .chain(&self.drives)
    }

    /// Where a VID (6 characters, CTA's view) or full barcode is.
    #[must_use]
    pub fn find(&self, vid: &str) -> Option<&ElementStatus> {
        self.all()
            .find(|e| e.full && (e.vid() == vid || e.barcode() == Some(vid)))
    }

    /// The element at `address`.
    #[must_use]
    pub fn element(&self, address: u16) -> Option<&ElementStatus> {
        self.all().find(|e| e.address == address)
    }

    /// CTA's Spectra-like rule (ACCESS does not mean "unloaded" there).
    #[must_use]
    pub fn spectra_like(&self) -> bool {
        self.inquiry.is_spectra_like()
    }

    /// Whether the library sets the ACCESS bit at all. A robot can always reach a storage slot, so
    /// a library whose slots, ports and drives all report ACCESS=0 does not implement the bit
    /// (tgt's SMC emulation never sets it); its ACCESS=0 then says nothing about a drive or port.
    #[must_use]
    pub fn implements_access_bit(&self) -> bool {
        self.slots
            .iter()
            .chain(&self.ports)
            .chain(&self.drives)
            .any(|e| e.access)
    }

    /// Whether a drive's ACCESS=0 means "tape still threaded" here (CTA's dismount rule).
    #[must_use]
    pub fn drive_access_meaningful(&self) -> bool {
        !self.spectra_like() && self.implements_access_bit()
    }
}

/// A media changer reached through `T`.
#[derive(Debug)]
pub struct Changer<T: ScsiTransport> {
    t: T,
    /// Page 0x1D as last read: element types of single-element requests come from it.
    assignment: Option<AddressAssignment>,
}

impl<T: ScsiTransport> Changer<T> {
    #[must_use]
    pub fn new(t: T) -> Self {
        Self { t, assignment: None }
    }

    pub fn transport(&mut self) -> &mut T {
        &mut self.t
    }

    pub fn into_transport(self) -> T {
        self.t
    }

    /// Standard INQUIRY; refuses a device that is not a medium changer.
    pub fn inquiry(&mut self) -> Result<Inquiry> {
        let mut buf = [0u8; 96];
        let done = run(
            &mut self.t,
            "INQUIRY",
            &cdb::inquiry(None, 96),
            DataDir::In(&mut buf),
            CHANGER_TIMEOUT,
        )?;
        let inq = Inquiry::parse(&buf[..done.transferred])?;
        if inq.device_type != TYPE_CHANGER {
            return Err(ScsiError::WrongDeviceType {
                device: self.t.name(),
                expected: "medium changer",
                found: inq.device_type,
            });
        }
        Ok(inq)
    }

    /// The library's unit serial number (VPD 0x80), as `get_library_type` reports it.
    pub fn serial(&mut self) -> Result<String> {
        let mut buf = [0u8; 255];
        let done = run(
            &mut self.t,
            "INQUIRY",
            &cdb::inquiry(Some(0x80), 255),
            DataDir::In(&mut buf),
            CHANGER_TIMEOUT,
        )?;
        crate::inquiry::parse_vpd80(&buf[..done.transferred])
    }

    pub fn test_unit_ready(&mut self) -> Result<()> {
        run(
            &mut self.t,
            "TEST UNIT READY",
            &cdb::test_unit_ready(),
            DataDir::None,
            CHANGER_TIMEOUT,
        )
        .map(|_| ())
    }

    pub fn initialize_element_status(&mut self) -> Result<()> {
        let c = cdb::initialize_element_status();
        run(
            &mut self.t,
            "INITIALIZE ELEMENT STATUS",
            &c,
            DataDir::None,
            INVENTORY_TIMEOUT,
        )
        .map(|_| ())
    }

    /// Element address assignment (MODE SENSE page 0x1D).
    pub fn address_assignment(&mut self) -> Result<AddressAssignment> {
        let mut buf = [0u8; 136];
        let done = run(
            &mut self.t,
            "MODE SENSE",
            &cdb::mode_sense6(0x1D, 0, 136),
            DataDir::In(&mut buf),
            CHANGER_TIMEOUT,
        )?;
        let a = AddressAssignment::parse_mode_sense6(&buf[..done.transferred])?;
        self.assignment = Some(a);
        Ok(a)
    }

    fn cached_assignment(&mut self) -> Result<AddressAssignment> {
        match self.assignment {
            Some(a) => Ok(a),
            None => self.address_assignment(),
        }
    }

    /// One READ ELEMENT STATUS command.
    pub fn read_element_status_once(
        &mut self,
        ty: ElementType,
        start: u16,
        count: u16,
        voltag: bool,
        dvcid: bool,
    ) -> Result<Vec<ElementStatus>> {
        let per = 16 + if voltag { 36 } else { 0 } + if dvcid { 48 } else { 0 };
        // Some changers read only the low 16 bits of the allocation length (proxmox): stay below.
        let alloc = (16 + usize::from(count) * per).min(0xFFFF);
        let mut buf = vec![0u8; alloc];
        let c = cdb::read_element_status(ty, start, count, voltag, dvcid, u32::try_from(alloc).unwrap_or(0xFFFF));
        let done = run(
            &mut self.t,
            "READ ELEMENT STATUS",
            &c,
            DataDir::In(&mut buf),
            CHANGER_TIMEOUT,
        )?;
        Ok(parse_element_status(&buf[..report_len(&buf, done.transferred)])?.elements)
    }

    /// Every element of `ty` from `start`, paging from last address + 1 while full pages come back.
    pub fn read_element_status(
        &mut self,
        ty: ElementType,
        start: u16,
        voltag: bool,
        dvcid: bool,
    ) -> Result<Vec<ElementStatus>> {
        let per = 16 + if voltag { 36 } else { 0 } + if dvcid { 48 } else { 0 };
        let chunk = u16::try_from((0xFFFF - 16) / per)
            .unwrap_or(MAX_ELEMENTS_PER_REQUEST)
            .min(MAX_ELEMENTS_PER_REQUEST);
        let mut out: Vec<ElementStatus> = Vec::new();
        let mut next = start;
        loop {
            let got = match self.read_element_status_once(ty, next, chunk, voltag, dvcid) {
                Ok(got) => got,
                // Past the last element of the type: some libraries answer 5/21/01 rather than
                // an empty report. Only a continuation request may end that way.
                Err(e) if next != start && e.code() == "INVALID_ELEMENT_ADDRESS" => break,
                Err(e) => return Err(e),
            };
            let n = got.len();
            let last = got.last().map(|e| e.address);
            out.extend(got.into_iter().filter(|e| e.address >= next));
            match last {
                Some(a) if n >= usize::from(chunk) && a < u16::MAX => next = a + 1,
                _ => break,
            }
        }
        Ok(out)
    }

    /// The full inventory: one paged READ ELEMENT STATUS per element type (as mtx does), drives
    /// with DVCID; a changer that rejects VOLTAG+DVCID together gets a second, DVCID-only request.
    pub fn inventory(&mut self) -> Result<Inventory> {
        let inquiry = self.inquiry()?;
        let assignment = self.address_assignment()?;
        let mut read = |ty, r: crate::element::ElementRange, dvcid| {
            if r.count == 0 {
                Ok(Vec::new())
            } else {
                self.read_element_status(ty, r.start, true, dvcid)
            }
        };
        let transports = read(ElementType::Transport, assignment.transport, false)?;
        let slots = read(ElementType::Storage, assignment.storage, false)?;
        let ports = read(ElementType::ImportExport, assignment.import_export, false)?;
        let drives = match read(ElementType::DataTransfer, assignment.data_transfer, true) {
            Ok(d) => d,
            Err(ScsiError::CheckCondition { .. }) => {
                let mut d = read(ElementType::DataTransfer, assignment.data_transfer, false)?;
                if let Ok(ids) =
                    self.read_element_status(ElementType::DataTransfer, assignment.data_transfer.start, false, true)
                {
                    for e in &mut d {
                        e.identifier = ids
                            .iter()
                            .find(|i| i.address == e.address)
                            .and_then(|i| i.identifier.clone());
                    }
                }
                d
            }
            Err(e) => return Err(e),
        };
        // Keep only what page 0x1D announced (some libraries append other types).
        let keep = |v: Vec<ElementStatus>, r: crate::element::ElementRange| -> Vec<ElementStatus> {
            v.into_iter().filter(|e| r.contains(e.address)).collect()
        };
        Ok(Inventory {
            transports: keep(transports, assignment.transport),
            slots: keep(slots, assignment.storage),
            ports: keep(ports, assignment.import_export),
            drives: keep(drives, assignment.data_transfer),
            inquiry,
            assignment,
        })
    }

    /// Status of one element, asked for with its own element type: some changers (tgt) return
    /// garbage for element type 0 ("all"), and neither mtx nor cta-smc ever sends it.
    pub fn element(&mut self, address: u16) -> Result<ElementStatus> {
        let ty = self
            .cached_assignment()?
            .type_of(address)
            .ok_or(ScsiError::NoSuchElement { address })?;
        let got = self.read_element_status_once(ty, address, 1, true, false)?;
        got.into_iter()
            .find(|e| e.address == address)
            .ok_or(ScsiError::NoSuchElement { address })
    }

    /// Whether the library sets ACCESS at all (see [`Inventory::implements_access_bit`]), from
    /// the first storage slots only: cheap enough to ask before every move.
    pub fn implements_access_bit(&mut self) -> Result<bool> {
        let storage = self.cached_assignment()?.storage;
        if storage.count == 0 {
            return Ok(true);
        }
        let n = storage.count.min(16);
        let slots = self.read_element_status_once(ElementType::Storage, storage.start, n, false, false)?;
        Ok(slots.iter().any(|e| e.access))
    }

    /// MOVE MEDIUM, refused before sending when the source is empty, the destination is full, or
    /// the source drive still has the tape threaded (ACCESS=0, not on Spectra-like libraries).
    pub fn move_medium(&mut self, source: u16, dest: u16, spectra_like: bool) -> Result<()> {
        let src = self.element(source)?;
        let dst = self.element(dest)?;
        if !src.full {
            return Err(ScsiError::ElementEmpty { address: source });
        }
        if dst.full {
            return Err(ScsiError::ElementFull {
                address: dest,
                vid: dst.vid(),
            });
        }
        if src.element_type == ElementType::DataTransfer
            && !src.access
            && !spectra_like
            && self.implements_access_bit()?
        {
            return Err(ScsiError::DriveLoaded { address: source });
        }
        self.move_medium_unchecked(source, dest)
    }

    /// MOVE MEDIUM without the pre-checks (the library chooses the robot).
    pub fn move_medium_unchecked(&mut self, source: u16, dest: u16) -> Result<()> {
        let c = cdb::move_medium(0, source, dest, false);
        run(&mut self.t, "MOVE MEDIUM", &c, DataDir::None, CHANGER_TIMEOUT).map(|_| ())
    }
}

/// How much of a READ ELEMENT STATUS buffer holds the report: the header's byte count, bounded by
/// the buffer. The residual is not trusted, as neither mtx nor cta-smc trusts it: tgt reports it 8
/// bytes short (it counts the report without its data header), and the Linux iSCSI initiator
/// reports a target's overflow residual as bytes not transferred. The buffer starts zeroed, so a
/// report that really was cut short parses as fewer or empty elements, never as stale bytes.
fn report_len(buf: &[u8], transferred: usize) -> usize {
    if buf.len() < 8 {
        return transferred.min(buf.len());
    }
    let byte_count = (usize::from(buf[5]) << 16) | (usize::from(buf[6]) << 8) | usize::from(buf[7]);
    transferred.max(8 + byte_count).min(buf.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulated::{EmulatedChanger, share};
    use crate::library::{FaultTarget, Library, LibrarySpec};

    fn changer(slots: u16, tapes: u32) -> Changer<EmulatedChanger> {
        let lib = Library::new(&LibrarySpec {
            tapes,
            ..LibrarySpec::ts4500(slots, 4, 2)
        })
        .unwrap();
        Changer::new(EmulatedChanger::new(share(lib)))
    }

    #[test]
    fn inventory_through_the_transport() {
        let mut c = changer(50, 10);
        let inv = c.inventory().unwrap();
        assert_eq!(inv.inquiry.product.trim_end(), "03584L32");
        assert_eq!(
            (inv.transports.len(), inv.slots.len(), inv.ports.len(), inv.drives.len()),
            (1, 50, 2, 4)
        );
        assert_eq!(inv.slots[0].barcode(), Some("V00001L9"));
        assert_eq!(inv.drives[1].identifier.as_ref().unwrap().drive_serial(), "1000000002");
        assert_eq!(inv.find("V00010").unwrap().address, 0x400 + 9);
    }

    #[test]
    fn library_serial_from_vpd_80() {
        let mut c = changer(10, 0);
        let lib_serial = c.serial().unwrap();
        assert!(!lib_serial.is_empty());
        assert_eq!(lib_serial, lib_serial.trim());
    }

    #[test]
    fn paging_covers_big_libraries() {
        let mut c = changer(2500, 2500);
        let s = c.read_element_status(ElementType::Storage, 0x400, true, false).unwrap();
        assert_eq!(s.len(), 2500);
        assert!(s.windows(2).all(|w| w[0].address + 1 == w[1].address));
        assert_eq!(s[2499].barcode(), Some("V02500L9"));
    }

    #[test]
    fn paging_ends_cleanly_on_a_page_boundary() {
        let mut c = changer(2000, 10);
        assert_eq!(c.inventory().unwrap().slots.len(), 2000);
        // A first request at a bad address is still an error.
        let e = c
            .read_element_status(ElementType::Storage, 0x400 + 2000, true, false)
            .unwrap_err();
        assert_eq!(e.code(), "INVALID_ELEMENT_ADDRESS");
    }

    #[test]
    fn moves_are_checked_before_sending() {
        let mut c = changer(10, 2);
        let e = c.move_medium(0x400, 0x401, false).unwrap_err();
        assert_eq!(e.code(), "ELEMENT_FULL");
        assert_eq!(c.move_medium(0x405, 0x406, false).unwrap_err().code(), "ELEMENT_EMPTY");
        c.move_medium(0x400, 0x101, false).unwrap();
        assert_eq!(c.move_medium(0x101, 0x400, false).unwrap_err().code(), "DRIVE_LOADED");
        // Unchecked, the library itself refuses with sense.
        let e = c.move_medium_unchecked(0x101, 0x400).unwrap_err();
        assert_eq!(e.sense().map(|s| (s.key.0, s.asc, s.ascq)), Some((5, 0x53, 2)));
        let e = c.move_medium_unchecked(0x402, 0x405).unwrap_err();
        assert_eq!(e.code(), "SOURCE_EMPTY");
    }

    #[test]
    fn injected_faults_surface_as_typed_errors() {
        let mut c = changer(10, 2);
        {
            let mut l = c.transport().library().lock().unwrap();
            l.inject_sense(FaultTarget::Changer, 6, 0x29, 0);
            l.faults.busy_commands = 1;
        }
        let e = c.test_unit_ready().unwrap_err();
        assert_eq!(e.code(), "DEVICE_BUSY");
        let e = c.test_unit_ready().unwrap_err();
        assert_eq!(
            (e.code(), e.retry_advice()),
            ("UNIT_ATTENTION", crate::RetryAdvice::Retry)
        );
        c.test_unit_ready().unwrap();
        c.transport().library().lock().unwrap().faults.paused = true;
        let e = c.inventory().unwrap_err();
        assert_eq!(
            (e.code(), e.retry_advice()),
            ("LIBRARY_PAUSED", crate::RetryAdvice::RetryAfter(60))
        );
        c.transport().library().lock().unwrap().faults = Default::default();
        c.transport().library().lock().unwrap().faults.timeouts = 1;
        assert_eq!(c.test_unit_ready().unwrap_err().code(), "TIMEOUT");
        c.transport()
            .library()
            .lock()
            .unwrap()
            .faults
            .stuck_elements
            .push(0x400);
        let inv = c.inventory().unwrap();
        assert!(inv.slots[0].except);
        assert_eq!(c.move_medium(0x400, 0x405, false).unwrap_err().code(), "HARDWARE_ERROR");
    }

    #[test]
    fn a_drive_is_not_a_changer() {
        let lib = share(Library::new(&LibrarySpec::ts4500(4, 1, 0)).unwrap());
        let mut c = Changer::new(crate::emulated::EmulatedDrive::new(lib, 0x101));
        assert_eq!(c.inquiry().unwrap_err().code(), "WRONG_DEVICE_TYPE");
    }
}
