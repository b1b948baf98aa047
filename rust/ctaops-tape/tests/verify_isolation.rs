//! Issue 17: a corruption is blamed on its own file, the sequential and the positioned readings
//! agree, every checksum the catalogue gives is compared, and a wrong cartridge is not read.
#![allow(clippy::unwrap_used, reason = "test helpers panic on failure by design")]

mod common;

use common::{VID, edit, statuses, tape, verify};
use ctaops_core::checksum::{ChecksumEntry, ChecksumType, crc32c};
use ctaops_tape::MemoryTape;
use ctaops_tape::format::BLOCK_SIZE;
use ctaops_tape::verify::{CatalogueEntry, FileStatus, Selection, VerifyOptions, VerifyReport, verify_tape};

/// Object of file `k`'s HDR1 (0-based) on a tape written by `tape()` where every file has
/// `blocks` data blocks: HDR1 HDR2 UHL1 TM data… TM EOF1 EOF2 UTL1 TM.
fn file_start(k: usize, blocks: usize) -> usize {
    1 + k * (9 + blocks)
}

fn positioned(t: &mut MemoryTape, cat: &[CatalogueEntry]) -> VerifyReport {
    let opts = VerifyOptions {
        catalogue: Some(cat.to_vec()),
        selection: Selection {
            first: cat.len(),
            ..Selection::default()
        },
        ..VerifyOptions::new(VID)
    };
    verify_tape(t, &opts, None).unwrap()
}

/// Both readings of `t`, which must agree file by file on the status, and on size and checksum
/// of every file the positioned reading could read (where a shift moved a file away from its
/// blockId, only the reading in tape order finds its data).
fn both(t: &MemoryTape, cat: &[CatalogueEntry], what: &str) -> VerifyReport {
    let seq = verify(&mut t.clone(), cat);
    let pos = positioned(&mut t.clone(), cat);
    let status = |r: &VerifyReport| -> Vec<(u64, FileStatus)> { r.files.iter().map(|f| (f.fseq, f.status)).collect() };
    assert_eq!(
        status(&seq),
        status(&pos),
        "{what}: sequential {:?} positioned {:?}",
        seq.files,
        pos.files
    );
    for (s, p) in seq.files.iter().zip(&pos.files) {
        if p.checksum.is_some() {
            assert_eq!((s.size, &s.checksum), (p.size, &p.checksum), "{what}: {s:?} {p:?}");
        }
    }
    seq
}

#[test]
fn a_broken_hdr1_is_blamed_on_its_own_file_only() {
    let (t, cat) = tape(&[600_000; 8]);
    let c = edit(&t, |o| o[file_start(1, 3)].as_mut().unwrap()[0] = b'I');
    let r = both(&c, &cat, "HDR1 -> IDR1 in file 2");
    let mut want: Vec<(u64, FileStatus)> = (1..=8).map(|f| (f, FileStatus::Ok)).collect();
    want[1].1 = FileStatus::HeaderError;
    assert_eq!(statuses(&r), want, "{r:#?}");
    assert!(r.files[1].detail.contains("IDR1"), "{}", r.files[1].detail);
    // The damaged file's data is still read and checked: its own checksum, not the next file's.
    assert_eq!(r.files[1].checksum, Some(format!("{:08x}", cat[1].adler32.unwrap())));
    assert!(r.tape_errors.is_empty(), "{:?}", r.tape_errors);
}

#[test]
fn every_single_label_corruption_stays_in_its_file_and_both_readings_agree() {
    let (t, cat) = tape(&[300_000; 5]);
    let labels = [0usize, 1, 2, 7, 8, 9]; // HDR1 HDR2 UHL1, EOF1 EOF2 UTL1 (offsets in a file)
    for k in 0..5 {
        for &off in &labels {
            for byte in [0usize, 3, 10, 60] {
                let obj = file_start(k, 2) + off;
                let c = edit(&t, |o| o[obj].as_mut().unwrap()[byte] ^= 0x20);
                let what = format!("file {} label object {obj} byte {byte}", k + 1);
                let r = both(&c, &cat, &what);
                for f in &r.files {
                    if f.fseq as usize == k + 1 {
                        // Data intact: size and checksum right whatever the label says.
                        assert_eq!(f.size, 300_000, "{what}: {f:?}");
                    } else {
                        assert_eq!(f.status, FileStatus::Ok, "{what}: {f:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn lost_or_extra_records_agree_between_the_two_readings() {
    let (t, cat) = tape(&[600_000; 4]);
    for k in 0..4 {
        let start = file_start(k, 3);
        // One 256 KiB block lost, one duplicated, a tape mark lost or doubled in each position.
        let cases: Vec<(String, MemoryTape)> = vec![
            ("block lost".into(), edit(&t, |o| drop(o.remove(start + 4)))),
            (
                "block doubled".into(),
                edit(&t, |o| o.insert(start + 4, o[start + 4].clone())),
            ),
            ("header tape mark lost".into(), edit(&t, |o| drop(o.remove(start + 3)))),
            ("data tape mark lost".into(), edit(&t, |o| drop(o.remove(start + 7)))),
            (
                "trailer tape mark lost".into(),
                edit(&t, |o| drop(o.remove(start + 11))),
            ),
            (
                "trailer tape mark doubled".into(),
                edit(&t, |o| o.insert(start + 11, None)),
            ),
        ];
        for (what, c) in cases {
            let r = both(&c, &cat, &format!("file {}: {what}", k + 1));
            // Files before the damage are untouched.
            for f in r.files.iter().take(k) {
                assert_eq!(f.status, FileStatus::Ok, "file {}: {what}: {f:?}", k + 1);
            }
            // A doubled tape mark after the trailers spoils no file of its own, only the
            // blockIds after it (or, after the last file, the tape's end).
            assert!(!r.all_ok(), "file {}: {what}: {r:#?}", k + 1);
            if !what.contains("doubled") || what.starts_with("block") {
                assert_ne!(r.files[k].status, FileStatus::Ok, "file {}: {what}: {r:#?}", k + 1);
            }
        }
    }
}

#[test]
fn a_lost_block_is_reported_as_lost_data_not_only_as_a_label_problem() {
    let (t, cat) = tape(&[600_000; 4]);
    let c = edit(&t, |o| drop(o.remove(file_start(2, 3) + 5)));
    let r = both(&c, &cat, "a block of file 3 lost");
    let f = &r.files[2];
    assert_eq!(f.status, FileStatus::SizeMismatch, "{f:?}");
    assert_eq!(f.size, 600_000 - BLOCK_SIZE as u64);
    for needle in ["catalogue says 600000", "Adler-32", "EOF1 block count"] {
        assert!(f.detail.contains(needle), "{needle} not in {}", f.detail);
    }
}

fn with_checksums(cat: &[CatalogueEntry], adler: bool, others: &[ChecksumEntry]) -> Vec<CatalogueEntry> {
    cat.iter()
        .map(|e| CatalogueEntry {
            adler32: if adler { e.adler32 } else { None },
            other_checksums: others.to_vec(),
            ..e.clone()
        })
        .collect()
}

#[test]
fn every_checksum_the_catalogue_carries_is_compared() {
    let (t, cat) = tape(&[5000]);
    let data = common::payload(5000, 0);
    let right = ChecksumEntry::from_u32(ChecksumType::Crc32c, crc32c(0, &data)).unwrap();
    let wrong = ChecksumEntry::from_u32(ChecksumType::Crc32c, crc32c(0, &data) ^ 1).unwrap();
    let md5_wrong = ChecksumEntry::from_hex(ChecksumType::Md5, &"0".repeat(32)).unwrap();
    let run = |c: Vec<CatalogueEntry>| verify(&mut t.clone(), &c).files.remove(0);
    // Nothing to compare: not `ok`.
    let f = run(with_checksums(&cat, false, &[]));
    assert_eq!(f.status, FileStatus::NoChecksum, "{f:?}");
    assert!(f.detail.contains("no checksum"), "{}", f.detail);
    // Only a CRC32C: compared, right and wrong.
    assert_eq!(
        run(with_checksums(&cat, false, std::slice::from_ref(&right))).status,
        FileStatus::Ok
    );
    let f = run(with_checksums(&cat, false, std::slice::from_ref(&wrong)));
    assert_eq!(f.status, FileStatus::ChecksumMismatch, "{f:?}");
    assert!(f.detail.contains("CRC32C"), "{}", f.detail);
    // A right Adler-32 does not hide a wrong second checksum.
    assert_eq!(
        run(with_checksums(&cat, true, &[wrong])).status,
        FileStatus::ChecksumMismatch
    );
    let f = run(with_checksums(&cat, true, &[right, md5_wrong]));
    assert_eq!(f.status, FileStatus::ChecksumMismatch);
    assert!(f.detail.contains("MD5"), "{}", f.detail);
}

#[test]
fn a_wrong_cartridge_is_not_read_past_vol1() {
    let (t, cat) = tape(&[600_000; 3]);
    for selection in [
        Selection::default(),
        Selection {
            first: 3,
            ..Selection::default()
        },
    ] {
        let opts = VerifyOptions {
            catalogue: Some(cat.clone()),
            selection,
            ..VerifyOptions::new("V99999")
        };
        let r = verify_tape(&mut t.clone(), &opts, None).unwrap();
        assert_eq!(r.summary.bytes, 0, "{r:#?}");
        assert!(
            r.tape_errors[0].contains("does not match VID 'V99999'"),
            "{:?}",
            r.tape_errors
        );
        assert_eq!(r.files.len(), 3);
        for f in &r.files {
            assert_eq!(f.status, FileStatus::Missing);
            assert!(f.detail.starts_with("not read: VOL1 VSN"), "{}", f.detail);
        }
    }
}

#[test]
fn an_empty_listing_is_refused() {
    let (mut t, _) = tape(&[100]);
    let opts = VerifyOptions {
        catalogue: Some(Vec::new()),
        ..VerifyOptions::new(VID)
    };
    let err = verify_tape(&mut t, &opts, None).unwrap_err();
    assert!(err.to_string().contains("no files on V01007"), "{err}");
}
