//! Any bytes as a tape image through the whole tolerant verifier: it must classify, never panic.
#![no_main]

use std::sync::OnceLock;

use ctaops_tape::SimhImage;
use ctaops_tape::verify::{CatalogueEntry, VerifyOptions, verify_tape};
use libfuzzer_sys::fuzz_target;

fn path() -> &'static std::path::PathBuf {
    static PATH: OnceLock<std::path::PathBuf> = OnceLock::new();
    PATH.get_or_init(|| scratch_dir().join(format!("ctaops-fuzz-verify-{}.img", std::process::id())))
}

/// Memory-backed when the machine has /dev/shm: one image file is rewritten per input.
fn scratch_dir() -> std::path::PathBuf {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_owned()
    } else {
        std::env::temp_dir()
    }
}

fuzz_target!(|data: &[u8]| {
    std::fs::write(path(), data).expect("temp image");
    let mut img = SimhImage::open(path(), false).expect("open temp image");
    let catalogue = vec![
        CatalogueEntry {
            fseq: 1,
            block_id: 0,
            archive_id: 1,
            size: 5,
            adler32: Some(0x0620_0211),
            other_checksums: Vec::new(),
        },
        CatalogueEntry {
            fseq: 2,
            block_id: 13,
            archive_id: 2,
            size: 1,
            adler32: None,
            other_checksums: Vec::new(),
        },
    ];
    let opts = VerifyOptions {
        catalogue: Some(catalogue),
        depth: 2,
        ..VerifyOptions::new("V01007")
    };
    let report = verify_tape(&mut img, &opts, None).expect("options are valid");
    assert!(report.files.len() >= 2);
});
