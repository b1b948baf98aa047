#![no_main]
//! Sense data decoding must never panic, whatever the device sends.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = ctaops_scsi::Sense::parse(data) {
        let _ = (s.to_string(), s.retry_advice(), s.code());
    }
});
