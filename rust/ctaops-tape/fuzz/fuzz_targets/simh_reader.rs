//! Any bytes as a SIMH image: reading, skipping, spacing and locating must never panic or loop.
#![no_main]

use std::sync::OnceLock;

use ctaops_tape::{Record, SimhImage, TapeDevice};
use libfuzzer_sys::fuzz_target;

fn path() -> &'static std::path::PathBuf {
    static PATH: OnceLock<std::path::PathBuf> = OnceLock::new();
    PATH.get_or_init(|| scratch_dir().join(format!("ctaops-fuzz-simh-{}.img", std::process::id())))
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
    let mut buf = vec![0u8; 512];
    for _ in 0..data.len() + 2 {
        match img.read_record(&mut buf) {
            Ok(Record::EndOfData) => break,
            Err(e) if !e.is_recoverable() => break,
            _ => {}
        }
    }
    let _ = img.rewind();
    let _ = img.space_marks_forward(2);
    let _ = img.space_marks_backward(1);
    let _ = img.locate(3);
    let _ = img.skip_record();
    let _ = img.position();
});
