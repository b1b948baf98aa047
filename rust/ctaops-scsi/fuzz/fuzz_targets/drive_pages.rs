#![no_main]
//! Drive response decoders (log pages, MAM, positions, densities) must never panic.

use ctaops_scsi::{log, mam, tape};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = log::LogPage::parse(data) {
        let _ = log::ErrorCounters::from_page(&p);
        let _ = log::SequentialAccess::from_page(&p);
        let _ = log::Temperature::from_page(&p);
        let _ = log::Environment::from_page(&p);
        let _ = log::device_activity(&p);
        let _ = log::tapealert_bitmap(&p);
        let _ = log::volume_statistics(&p);
    }
    if let Ok(a) = mam::parse_attributes(data) {
        let _ = mam::CartridgeMemory::from_attributes(&a);
    }
    let _ = tape::Position::parse_short(data);
    let _ = tape::Position::parse_long(data);
    let _ = tape::Position::parse_extended(data);
    let _ = tape::BlockLimits::parse(data);
    let _ = tape::parse_density_support(data);
});
