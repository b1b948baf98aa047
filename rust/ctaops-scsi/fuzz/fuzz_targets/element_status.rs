#![no_main]
//! READ ELEMENT STATUS, page 0x1D and INQUIRY/VPD decoding must never panic.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = ctaops_scsi::element::parse_element_status(data) {
        for e in &d.elements {
            let _ = (e.vid(), e.barcode(), e.identifier.as_ref().map(|i| (i.drive_serial(), i.text())));
        }
    }
    let _ = ctaops_scsi::element::AddressAssignment::parse_mode_sense6(data);
    let _ = ctaops_scsi::inquiry::Inquiry::parse(data);
    let _ = ctaops_scsi::inquiry::parse_vpd80(data);
    let _ = ctaops_scsi::inquiry::parse_vpd83(data);
});
