//! The tape library model shared by the emulated changer/drives and the simulator: elements,
//! cartridges (with cartridge memory and a simple medium model), drive environment, TapeAlert flags
//! and fault injection. It is plain data (serde) so a CLI process and the simulator can share one
//! JSON state file.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::cdb::ElementType;
use crate::element::{AddressAssignment, ElementRange, ElementStatus};
use crate::error::{Result, ScsiError};
use crate::inquiry::Designator;

/// What kind of cartridge (element descriptor MEDIUM TYPE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediumKind {
    Data,
    Cleaning,
    Worm,
}

impl MediumKind {
    #[must_use]
    pub fn smc_code(self) -> u8 {
        match self {
            Self::Data => 1,
            Self::Cleaning => 2,
            Self::Worm => 4,
        }
    }

    /// mhVTL's label convention: `CLN` prefix = cleaning, `W` prefix = WORM, else data.
    #[must_use]
    pub fn from_barcode(barcode: &str) -> Self {
        if barcode.starts_with("CLN") {
            Self::Cleaning
        } else if barcode.starts_with('W') {
            Self::Worm
        } else {
            Self::Data
        }
    }
}

/// A cartridge with its cartridge memory and the logical layout of its tape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cartridge {
    pub barcode: String,
    pub kind: MediumKind,
    pub density_code: u8,
    pub capacity_mib: u64,
    pub remaining_mib: u64,
    pub load_count: u64,
    pub manufacturer: String,
    pub serial: String,
    pub manufacture_date: String,
    pub lifetime_mb_written: u64,
    pub lifetime_mb_read: u64,
    /// Logical objects on tape (blocks + filemarks); the end-of-data position.
    pub eod: u64,
    /// Object numbers that are filemarks, ascending.
    pub filemarks: Vec<u64>,
}

impl Cartridge {
    /// A blank cartridge; generation and capacity follow the LTO media id of the barcode.
    #[must_use]
    pub fn new(barcode: &str) -> Self {
        let generation = crate::tape::lto_generation_of_barcode(barcode).unwrap_or(9);
        let g = crate::tape::LTO_GENERATIONS.iter().find(|g| g.generation == generation);
        let capacity_mib = g.map_or(18_000_000, |g| u64::from(g.capacity_mb)) * 1_000_000 / 1_048_576;
        Self {
            barcode: barcode.to_owned(),
            kind: MediumKind::from_barcode(barcode),
            density_code: g.map_or(0x60, |g| g.density_code),
            capacity_mib,
            remaining_mib: capacity_mib,
            load_count: 0,
            manufacturer: "FUJIFILM".into(),
            serial: format!("CM{barcode}"),
            manufacture_date: "20240115".into(),
            lifetime_mb_written: 0,
            lifetime_mb_read: 0,
            eod: 0,
            filemarks: Vec::new(),
        }
    }

    /// CTA's VID view: first 6 characters.
    #[must_use]
    pub fn vid(&self) -> &str {
        self.barcode.get(..6).unwrap_or(&self.barcode)
    }
}

/// A storage slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub address: u16,
    pub cartridge: Option<Cartridge>,
}

/// An import/export element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Port {
    pub address: u16,
    pub cartridge: Option<Cartridge>,
    /// IMPEXP: true when an operator put the cartridge in (import), false when the robot did.
    pub import: bool,
    /// An open station refuses robot moves (mhVTL `2/3A/02`).
    pub open: bool,
}

/// A tape drive position in the library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drive {
    pub address: u16,
    pub vendor: String,
    pub product: String,
    pub revision: String,
    pub serial: String,
    pub cartridge: Option<Cartridge>,
    /// Element the cartridge came from (SVALID source).
    pub source: Option<u16>,
    /// Threaded: ACCESS=0 until LOAD/UNLOAD ejects it.
    pub loaded: bool,
    /// Current logical object.
    pub position: u64,
    pub temperature_c: i8,
    pub humidity_pct: i8,
    pub tapealert: u64,
    /// 6/28/00 pending after a load.
    pub unit_attention: bool,
    pub write_errors_corrected: u64,
    pub write_errors_uncorrected: u64,
    pub read_errors_corrected: u64,
    pub read_errors_uncorrected: u64,
    pub cleaning_required: bool,
    /// PREVENT ALLOW MEDIUM REMOVAL in effect: the kernel's st driver sets it on MTLOCK (`mt
    /// lock`, or at the first read or write with its auto-lock option) and clears it on MTUNLOCK,
    /// on close after an automatic lock, and before an unload.
    #[serde(default)]
    pub removal_prevented: bool,
}

/// Which device an injected fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultTarget {
    Changer,
    /// The drive at this element address.
    Drive(u16),
}

/// A CHECK CONDITION to return instead of running the next command on `target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InjectedSense {
    pub target: FaultTarget,
    pub key: u8,
    pub asc: u8,
    pub ascq: u8,
}

/// Fault injection state.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Faults {
    /// Consumed one per command, first match wins.
    pub next_sense: Vec<InjectedSense>,
    /// The changer answers BUSY to this many commands.
    pub busy_commands: u32,
    /// The next this many commands (any device) time out.
    pub timeouts: u32,
    /// Elements whose moves fail with a hardware error and that report EXCEPT.
    pub stuck_elements: Vec<u16>,
    /// IBM pause mode: every changer command answers `2/04/85`.
    pub paused: bool,
}

/// The whole library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Library {
    pub vendor: String,
    pub product: String,
    pub revision: String,
    pub serial: String,
    pub transport: ElementRange,
    pub slots: Vec<Slot>,
    pub ports: Vec<Port>,
    pub drives: Vec<Drive>,
    #[serde(default)]
    pub faults: Faults,
}

/// Parameters to build a library.
#[derive(Debug, Clone)]
pub struct LibrarySpec {
    pub vendor: String,
    pub product: String,
    pub revision: String,
    pub transport_start: u16,
    pub storage_start: u16,
    pub port_start: u16,
    pub drive_start: u16,
    pub slots: u16,
    pub ports: u16,
    pub drives: u16,
    pub tapes: u32,
    pub drive_vendor: String,
    pub drive_product: String,
    /// Barcode media id suffix (`L9` …).
    pub media_id: String,
}

impl LibrarySpec {
    /// IBM TS4500 (03584L32, mhVTL's 03584 address bases) with LTO-9 drives.
    #[must_use]
    pub fn ts4500(slots: u16, drives: u16, ports: u16) -> Self {
        Self {
            vendor: "IBM".into(),
            product: "03584L32".into(),
            revision: "1802".into(),
            transport_start: 0x0001,
            storage_start: 0x0400,
            port_start: 0x0300,
            drive_start: 0x0101,
            slots,
            ports,
            drives,
            tapes: 0,
            drive_vendor: "IBM".into(),
            drive_product: "ULT3580-TD9".into(),
            media_id: "L9".into(),
        }
    }

    /// Spectra T-series bases (picker 1, MAP 0x10, drives 0x100, storage 0x1000).
    #[must_use]
    pub fn spectra(slots: u16, drives: u16, ports: u16) -> Self {
        Self {
            vendor: "SPECTRA".into(),
            product: "TFINITY".into(),
            revision: "0100".into(),
            transport_start: 0x0001,
            storage_start: 0x1000,
            port_start: 0x0010,
            drive_start: 0x0100,
            ..Self::ts4500(slots, drives, ports)
        }
    }
}

fn barcode_for(i: u32, media_id: &str) -> String {
    format!("V{i:05}{media_id}")
}

impl Library {
    /// Builds an empty library with `spec.tapes` cartridges in the first slots.
    pub fn new(spec: &LibrarySpec) -> Result<Self> {
        let end = |start: u16, n: u16| u32::from(start) + u32::from(n);
        if spec.slots == 0
            || end(spec.storage_start, spec.slots) > 0x1_0000
            || end(spec.drive_start, spec.drives) > 0x1_0000
        {
            return Err(ScsiError::InvalidArgument(
                "element addresses must fit in 16 bits and slots > 0".into(),
            ));
        }
        if spec.tapes > u32::from(spec.slots) {
            return Err(ScsiError::InvalidArgument(format!(
                "{} tapes do not fit in {} slots",
                spec.tapes, spec.slots
            )));
        }
        let ranges = [
            (spec.storage_start, spec.slots),
            (spec.port_start, spec.ports),
            (spec.drive_start, spec.drives),
            (spec.transport_start, 1),
        ];
        for (i, a) in ranges.iter().enumerate() {
            for b in &ranges[i + 1..] {
                if a.1 > 0 && b.1 > 0 && end(a.0, a.1) > u32::from(b.0) && end(b.0, b.1) > u32::from(a.0) {
                    return Err(ScsiError::InvalidArgument("element address ranges overlap".into()));
                }
            }
        }
        let slots = (0..spec.slots)
            .map(|i| Slot {
                address: spec.storage_start + i,
                cartridge: (u32::from(i) < spec.tapes)
                    .then(|| Cartridge::new(&barcode_for(u32::from(i) + 1, &spec.media_id))),
            })
            .collect();
        let ports = (0..spec.ports)
            .map(|i| Port {
                address: spec.port_start + i,
                cartridge: None,
                import: false,
                open: false,
            })
            .collect();
        let drives = (0..spec.drives)
            .map(|i| Drive {
                address: spec.drive_start + i,
                vendor: spec.drive_vendor.clone(),
                product: spec.drive_product.clone(),
                revision: "Q3B4".into(),
                serial: format!("10{:08}", u32::from(i) + 1),
                cartridge: None,
                source: None,
                loaded: false,
                position: 0,
                temperature_c: 32,
                humidity_pct: 40,
                tapealert: 0,
                unit_attention: false,
                write_errors_corrected: 0,
                write_errors_uncorrected: 0,
                read_errors_corrected: 0,
                read_errors_uncorrected: 0,
                cleaning_required: false,
                removal_prevented: false,
            })
            .collect();
        Ok(Self {
            vendor: spec.vendor.clone(),
            product: spec.product.clone(),
            revision: spec.revision.clone(),
            serial: "0000078A0001".into(),
            transport: ElementRange {
                start: spec.transport_start,
                count: 1,
            },
            slots,
            ports,
            drives,
            faults: Faults::default(),
        })
    }

    /// Reads a state file.
    pub fn load(path: &Path) -> Result<Self> {
        let err = |detail: String| ScsiError::State {
            path: path.to_owned(),
            detail,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let lib: Self = serde_json::from_str(&text).map_err(|e| err(format!("not a library state: {e}")))?;
        lib.validate().map_err(|e| err(e.to_string()))?;
        Ok(lib)
    }

    /// Writes a state file atomically through [`ctaops_core::atomic_write`]: a reader never sees
    /// half a state, and a symlinked state file (shared with the simulator) stays a symlink.
    pub fn save(&self, path: &Path) -> Result<()> {
        let err = |detail: String| ScsiError::State {
            path: path.to_owned(),
            detail,
        };
        // Compact: a TS4500-size state is read on every command, whitespace would double its size.
        let json = serde_json::to_vec(self).map_err(|e| err(e.to_string()))?;
        ctaops_core::atomic_write::write_atomic(path, &json).map_err(|e| match e {
            ctaops_core::Error::Io { source, .. } => err(source.to_string()),
            other => err(other.to_string()),
        })
    }

    fn validate(&self) -> Result<()> {
        let mut seen = BTreeMap::new();
        let addrs = self
            .slots
            .iter()
            .map(|s| s.address)
            .chain(self.ports.iter().map(|p| p.address))
            .chain(self.drives.iter().map(|d| d.address));
        for a in addrs {
            if seen.insert(a, ()).is_some() {
                return Err(ScsiError::InvalidArgument(format!("element address {a} used twice")));
            }
        }
        Ok(())
    }

    /// Page 0x1D view (ranges start at the first element of each kind).
    #[must_use]
    pub fn address_assignment(&self) -> AddressAssignment {
        let range = |first: Option<u16>, n: usize| ElementRange {
            start: first.unwrap_or(0),
            count: u16::try_from(n).unwrap_or(u16::MAX),
        };
        AddressAssignment {
            transport: self.transport,
            storage: range(self.slots.first().map(|s| s.address), self.slots.len()),
            import_export: range(self.ports.first().map(|p| p.address), self.ports.len()),
            data_transfer: range(self.drives.first().map(|d| d.address), self.drives.len()),
        }
    }

    /// CTA's "Spectra-like" rule on this library's identity.
    #[must_use]
    pub fn spectra_like(&self) -> bool {
        self.vendor == "SPECTRA" || (self.vendor == "IBM" && self.product == "3573-TL")
    }

    #[must_use]
    pub fn drive(&self, address: u16) -> Option<&Drive> {
        self.drives.iter().find(|d| d.address == address)
    }

    pub fn drive_mut(&mut self, address: u16) -> Option<&mut Drive> {
        self.drives.iter_mut().find(|d| d.address == address)
    }

    /// Where a barcode (or 6-character VID) is: element type and address.
    #[must_use]
    pub fn locate(&self, vid: &str) -> Option<(ElementType, u16)> {
        let m = |c: &Option<Cartridge>| c.as_ref().is_some_and(|c| c.barcode == vid || c.vid() == vid);
        self.slots
            .iter()
            .find(|s| m(&s.cartridge))
            .map(|s| (ElementType::Storage, s.address))
            .or_else(|| {
                self.ports
                    .iter()
                    .find(|p| m(&p.cartridge))
                    .map(|p| (ElementType::ImportExport, p.address))
            })
            .or_else(|| {
                self.drives
                    .iter()
                    .find(|d| m(&d.cartridge))
                    .map(|d| (ElementType::DataTransfer, d.address))
            })
    }

    fn slot_of(&mut self, address: u16) -> Option<&mut Option<Cartridge>> {
        if let Some(s) = self.slots.iter_mut().find(|s| s.address == address) {
            return Some(&mut s.cartridge);
        }
        if let Some(p) = self.ports.iter_mut().find(|p| p.address == address) {
            return Some(&mut p.cartridge);
        }
        self.drives
            .iter_mut()
            .find(|d| d.address == address)
            .map(|d| &mut d.cartridge)
    }

    /// Element status of every element of `ty` (All = every type), ascending address.
    #[must_use]
    pub fn element_statuses(&self, ty: ElementType, dvcid: bool) -> Vec<ElementStatus> {
        self.element_statuses_from(ty, 0, usize::MAX, dvcid).1
    }

    /// Like [`Library::element_statuses`] from address `start`, at most `count` descriptors, plus
    /// the number of elements available from `start` (the READ ELEMENT STATUS header field).
    /// Only the returned descriptors are built, so paging a big library stays linear.
    #[must_use]
    pub fn element_statuses_from(
        &self,
        ty: ElementType,
        start: u16,
        count: usize,
        dvcid: bool,
    ) -> (usize, Vec<ElementStatus>) {
        enum Ref<'a> {
            Transport,
            Slot(&'a Slot),
            Port(&'a Port),
            Drive(&'a Drive),
        }
        let want = |t: ElementType| ty == ElementType::All || ty == t;
        let mut refs: Vec<(u16, Ref<'_>)> = Vec::new();
        if want(ElementType::Transport) && self.transport.start >= start {
            refs.push((self.transport.start, Ref::Transport));
        }
        if want(ElementType::Storage) {
            refs.extend(
                self.slots
                    .iter()
                    .filter(|s| s.address >= start)
                    .map(|s| (s.address, Ref::Slot(s))),
            );
        }
        if want(ElementType::ImportExport) {
            refs.extend(
                self.ports
                    .iter()
                    .filter(|p| p.address >= start)
                    .map(|p| (p.address, Ref::Port(p))),
            );
        }
        if want(ElementType::DataTransfer) {
            refs.extend(
                self.drives
                    .iter()
                    .filter(|d| d.address >= start)
                    .map(|d| (d.address, Ref::Drive(d))),
            );
        }
        refs.sort_by_key(|(a, _)| *a);
        let available = refs.len();
        let fill = |e: &mut ElementStatus, c: Option<&Cartridge>| {
            if let Some(c) = c {
                e.full = true;
                e.volume_tag = Some(c.barcode.clone());
                e.medium_type = c.kind.smc_code();
                if c.kind == MediumKind::Cleaning {
                    (e.asc, e.ascq) = (0x30, 0x03);
                }
            }
            if self.faults.stuck_elements.contains(&e.address) {
                e.except = true;
                (e.asc, e.ascq) = (0x40, 0x01);
            }
        };
        let out = refs
            .into_iter()
            .take(count)
            .map(|(address, r)| match r {
                Ref::Transport => ElementStatus::empty(ElementType::Transport, address),
                Ref::Slot(s) => {
                    let mut e = ElementStatus::empty(ElementType::Storage, address);
                    fill(&mut e, s.cartridge.as_ref());
                    e
                }
                Ref::Port(p) => {
                    let mut e = ElementStatus::empty(ElementType::ImportExport, address);
                    fill(&mut e, p.cartridge.as_ref());
                    e.impexp = p.import && p.cartridge.is_some();
                    e.inenab = true;
                    e.exenab = true;
                    e.access = !p.open;
                    e
                }
                Ref::Drive(d) => {
                    let mut e = ElementStatus::empty(ElementType::DataTransfer, address);
                    fill(&mut e, d.cartridge.as_ref());
                    e.access = !(d.cartridge.is_some() && d.loaded);
                    e.source = d.cartridge.as_ref().and(d.source);
                    if dvcid {
                        let mut v = Vec::with_capacity(24 + d.serial.len());
                        let mut f = [b' '; 24];
                        crate::inquiry::pad_into(&mut f[..8], &d.vendor);
                        crate::inquiry::pad_into(&mut f[8..], &d.product);
                        v.extend(f);
                        v.extend(d.serial.bytes());
                        e.identifier = Some(Designator {
                            protocol: 0,
                            code_set: 2,
                            association: 0,
                            designator_type: 1,
                            value: v,
                        });
                    }
                    e
                }
            })
            .collect();
        (available, out)
    }

    /// Moves a cartridge between elements with the checks a library does, returning the sense
    /// (key, asc, ascq) a library would report on refusal.
    pub fn move_medium(&mut self, src: u16, dst: u16) -> Result<(), (u8, u8, u8)> {
        let aa = self.address_assignment();
        let (Some(st), Some(dt)) = (aa.type_of(src), aa.type_of(dst)) else {
            return Err((0x5, 0x21, 0x01));
        };
        if st == ElementType::Transport || dt == ElementType::Transport {
            return Err((0x5, 0x21, 0x01));
        }
        if self.faults.stuck_elements.iter().any(|&a| a == src || a == dst) {
            return Err((0x4, 0x40, 0x01));
        }
        let port_open = |a: u16| self.ports.iter().any(|p| p.address == a && p.open);
        if port_open(src) || port_open(dst) {
            return Err((0x2, 0x3A, 0x02));
        }
        if self.slot_of(dst).is_none_or(|c| c.is_some()) {
            return Err((0x5, 0x3B, 0x0D));
        }
        if self.slot_of(src).is_none_or(|c| c.is_none()) {
            return Err((0x5, 0x3B, 0x0E));
        }
        // A threaded tape, or removal prevented through the drive: both refused with MEDIUM
        // REMOVAL PREVENTED. Whether a library honours the drive's PREVENT is left to the device
        // by SMC; tgt does (seen with `mt lock` through the kernel's st, issue 15).
        if self.drive(src).is_some_and(|d| d.loaded || d.removal_prevented) {
            return Err((0x5, 0x53, 0x02));
        }
        let mut cart = self.slot_of(src).and_then(Option::take).ok_or((0x5, 0x3B, 0x0E))?;
        if let Some(d) = self.drive_mut(src) {
            d.source = None;
            d.position = 0;
        }
        if dt == ElementType::DataTransfer {
            cart.load_count += 1;
        }
        if let Some(p) = self.ports.iter_mut().find(|p| p.address == dst) {
            p.import = false;
        }
        let prev_source = if st == ElementType::Storage { Some(src) } else { None };
        if let Some(d) = self.drive_mut(dst) {
            // Auto-load on insertion (IBM LTO behaviour): threaded, unit attention once.
            d.loaded = cart.kind != MediumKind::Cleaning;
            d.unit_attention = true;
            d.position = 0;
            d.source = prev_source.or(d.source);
        }
        if let Some(slot) = self.slot_of(dst) {
            *slot = Some(cart);
        }
        Ok(())
    }

    /// Operator puts a cartridge into an I/O station (import).
    pub fn operator_insert(&mut self, port: u16, barcode: &str) -> Result<()> {
        if self.locate(barcode).is_some() {
            return Err(ScsiError::InvalidArgument(format!(
                "{barcode} is already in the library"
            )));
        }
        let p = self
            .ports
            .iter_mut()
            .find(|p| p.address == port)
            .ok_or(ScsiError::NoSuchElement { address: port })?;
        if let Some(c) = &p.cartridge {
            return Err(ScsiError::ElementFull {
                address: port,
                vid: c.barcode.clone(),
            });
        }
        p.cartridge = Some(Cartridge::new(barcode));
        p.import = true;
        Ok(())
    }

    /// Operator empties an I/O station; returns the cartridge taken out.
    pub fn operator_remove(&mut self, port: u16) -> Result<Cartridge> {
        let p = self
            .ports
            .iter_mut()
            .find(|p| p.address == port)
            .ok_or(ScsiError::NoSuchElement { address: port })?;
        p.import = false;
        p.cartridge.take().ok_or(ScsiError::ElementEmpty { address: port })
    }

    /// Queues a CHECK CONDITION for the next command on `target`.
    pub fn inject_sense(&mut self, target: FaultTarget, key: u8, asc: u8, ascq: u8) {
        self.faults.next_sense.push(InjectedSense { target, key, asc, ascq });
    }

    /// Takes the first injected sense for `target`.
    pub fn take_injected(&mut self, target: FaultTarget) -> Option<InjectedSense> {
        let i = self.faults.next_sense.iter().position(|s| s.target == target)?;
        Some(self.faults.next_sense.remove(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lib() -> Library {
        let mut s = LibrarySpec::ts4500(10, 2, 2);
        s.tapes = 3;
        Library::new(&s).unwrap()
    }

    #[test]
    fn build_and_locate() {
        let l = lib();
        assert_eq!(l.slots.len(), 10);
        assert_eq!(l.locate("V00001L9"), Some((ElementType::Storage, 0x400)));
        assert_eq!(l.locate("V00002"), Some((ElementType::Storage, 0x401)));
        assert_eq!(l.locate("NOPE"), None);
        let aa = l.address_assignment();
        assert_eq!(aa.data_transfer, ElementRange { start: 0x101, count: 2 });
        assert!(
            Library::new(&LibrarySpec {
                tapes: 11,
                ..LibrarySpec::ts4500(10, 1, 1)
            })
            .is_err()
        );
        assert!(
            Library::new(&LibrarySpec {
                storage_start: 0x100,
                ..LibrarySpec::ts4500(10, 1, 1)
            })
            .is_err()
        );
    }

    #[test]
    fn moves_follow_library_rules() {
        let mut l = lib();
        assert_eq!(l.move_medium(0x400, 0x401), Err((5, 0x3B, 0x0D)));
        assert_eq!(l.move_medium(0x405, 0x406), Err((5, 0x3B, 0x0E)));
        assert_eq!(l.move_medium(0x400, 0x001), Err((5, 0x21, 0x01)));
        assert_eq!(l.move_medium(0x400, 0x999), Err((5, 0x21, 0x01)));
        l.move_medium(0x400, 0x101).unwrap();
        let d = l.drive(0x101).unwrap();
        assert!(d.loaded && d.unit_attention);
        assert_eq!((d.source, d.cartridge.as_ref().unwrap().load_count), (Some(0x400), 1));
        assert_eq!(l.move_medium(0x101, 0x400), Err((5, 0x53, 0x02)));
        l.drive_mut(0x101).unwrap().loaded = false;
        l.move_medium(0x101, 0x400).unwrap();
        assert_eq!(l.locate("V00001"), Some((ElementType::Storage, 0x400)));
        l.faults.stuck_elements.push(0x401);
        assert_eq!(l.move_medium(0x401, 0x405), Err((4, 0x40, 0x01)));
    }

    #[test]
    fn state_file_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("lib.json");
        let mut l = lib();
        l.inject_sense(FaultTarget::Drive(0x101), 4, 0x44, 0);
        l.save(&p).unwrap();
        assert_eq!(Library::load(&p).unwrap(), l);
        std::fs::write(&p, "{\"vendor\": 1}").unwrap();
        assert_eq!(Library::load(&p).unwrap_err().code(), "LIBRARY_STATE_ERROR");
    }
}
