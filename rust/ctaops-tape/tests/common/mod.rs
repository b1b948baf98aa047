//! Helpers shared by the tape engine's integration tests: CTA-format tapes in memory.
#![allow(dead_code, reason = "each test file uses a part of the helpers")]
#![allow(clippy::unwrap_used, reason = "test helpers panic on failure by design")]

use ctaops_tape::label::{LabelDate, LbpMethod};
use ctaops_tape::verify::{CatalogueEntry, FileStatus, VerifyOptions, VerifyReport, verify_tape};
use ctaops_tape::{MemoryTape, WriteSession, WriterInfo, label_tape};

pub const VID: &str = "V01007";

pub fn info() -> WriterInfo {
    WriterInfo {
        date: LabelDate::new(2026, 64).unwrap(),
        ..WriterInfo::default()
    }
}

pub fn payload(size: usize, seed: u8) -> Vec<u8> {
    (0..size)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// A tape with the given file sizes; returns it and its catalogue.
pub fn tape(sizes: &[usize]) -> (MemoryTape, Vec<CatalogueEntry>) {
    let mut t = MemoryTape::new();
    label_tape(&mut t, VID, LbpMethod::None, &info()).unwrap();
    let mut cat = Vec::new();
    let mut s = WriteSession::open(&mut t, VID, None, info()).unwrap();
    for (i, &size) in sizes.iter().enumerate() {
        let data = payload(size, i as u8);
        let w = s.write_file(1000 + i as u64, &mut data.as_slice()).unwrap();
        if !w.placeholder {
            cat.push(CatalogueEntry {
                fseq: w.fseq,
                block_id: w.block_id,
                archive_id: w.archive_id,
                size: w.size,
                adler32: Some(w.adler32),
                other_checksums: Vec::new(),
            });
        }
    }
    s.finish().unwrap();
    (t, cat)
}

pub fn verify(t: &mut MemoryTape, cat: &[CatalogueEntry]) -> VerifyReport {
    let opts = VerifyOptions {
        catalogue: Some(cat.to_vec()),
        ..VerifyOptions::new(VID)
    };
    verify_tape(t, &opts, None).unwrap()
}

pub fn statuses(r: &VerifyReport) -> Vec<(u64, FileStatus)> {
    r.files.iter().map(|f| (f.fseq, f.status)).collect()
}

/// A copy of the tape with its objects edited (`None` is a tape mark).
pub fn edit(t: &MemoryTape, f: impl FnOnce(&mut Vec<Option<Vec<u8>>>)) -> MemoryTape {
    let mut o = t.objects().to_vec();
    f(&mut o);
    MemoryTape::from_objects(o)
}
