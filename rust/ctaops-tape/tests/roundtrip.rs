//! Writer → reader → verifier on in-memory tapes, and every corruption classified.
#![allow(clippy::unwrap_used, reason = "test helpers panic on failure by design")]

mod common;

use common::{VID, edit, info, payload, statuses, tape, verify};

use ctaops_core::checksum::adler32;
use ctaops_tape::format::BLOCK_SIZE;
use ctaops_tape::label::LbpMethod;
use ctaops_tape::verify::{CatalogueEntry, FileStatus, Selection, VerifyOptions, verify_tape};
use ctaops_tape::{MemoryTape, Positioning, ReadSession, TapeContents, WriteSession, inspect, label_tape};

#[test]
fn layout_matches_the_spec_example() {
    let (t, cat) = tape(&[600_000, 100]);
    let o = t.objects();
    let sizes: Vec<Option<usize>> = o.iter().map(|x| x.as_ref().map(Vec::len)).collect();
    let expect = [
        Some(80),
        Some(80),
        Some(80),
        Some(80),
        None,
        Some(262_144),
        Some(262_144),
        Some(75_712),
        None,
        Some(80),
        Some(80),
        Some(80),
        None,
        Some(80),
        Some(80),
        Some(80),
        None,
        Some(100),
        None,
        Some(80),
        Some(80),
        Some(80),
        None,
    ];
    assert_eq!(sizes, expect);
    assert_eq!(&o[9].as_ref().unwrap()[54..60], b"000003");
    assert_eq!((cat[0].block_id, cat[1].block_id), (0, 13));
}

#[test]
fn label_then_inspect() {
    let mut t = MemoryTape::new();
    assert_eq!(inspect(&mut t).unwrap(), TapeContents::Blank);
    label_tape(&mut t, VID, LbpMethod::None, &info()).unwrap();
    assert_eq!(t.objects().len(), 3);
    assert_eq!(inspect(&mut t).unwrap(), TapeContents::Labelled { vsn: VID.into() });
    let (mut t2, _) = tape(&[10]);
    assert!(matches!(inspect(&mut t2).unwrap(), TapeContents::Data { .. }));
    assert!(label_tape(&mut t, "V1", LbpMethod::None, &info()).is_err());
}

#[test]
fn write_session_refuses_wrong_vsn_and_appends() {
    let (mut t, _) = tape(&[5]);
    assert_eq!(
        WriteSession::open(&mut t, "X00001", None, info()).err().unwrap().code(),
        "TAPE_WRONG_VSN"
    );
    let mut s = WriteSession::open(&mut t, VID, None, info()).unwrap();
    assert_eq!(s.last_fseq(), 1);
    let w = s.write_file(77, &mut &b"more"[..]).unwrap();
    assert_eq!((w.fseq, w.block_id), (2, 1 + 9 + 1));
    let mut s = WriteSession::open(&mut t, VID, Some(2), info()).unwrap();
    assert_eq!(s.write_file(78, &mut &b"x"[..]).unwrap().fseq, 3);
    // A last fSeq beyond the tape is refused.
    assert!(WriteSession::open(&mut t, VID, Some(4), info()).is_err());
}

#[test]
fn a_resumed_session_appends_where_the_last_file_ended() {
    let (mut t, mut cat) = tape(&[BLOCK_SIZE + 3]);
    // Position as a session leaves the device, then write each later file from a fresh session.
    WriteSession::open(&mut t, VID, Some(1), info()).unwrap();
    for (fseq, size) in [(2u64, 10usize), (3, 2 * BLOCK_SIZE)] {
        let data = payload(size, fseq as u8);
        let mut s = WriteSession::resume(&mut t, VID, fseq - 1, info()).unwrap();
        let w = s.write_file(2000 + fseq, &mut data.as_slice()).unwrap();
        assert_eq!(w.fseq, fseq);
        cat.push(CatalogueEntry {
            fseq: w.fseq,
            block_id: w.block_id,
            archive_id: w.archive_id,
            size: w.size,
            adler32: Some(w.adler32),
            other_checksums: Vec::new(),
        });
    }
    let report = verify(&mut t, &cat);
    assert_eq!(
        statuses(&report),
        vec![(1, FileStatus::Ok), (2, FileStatus::Ok), (3, FileStatus::Ok)]
    );
    // and a regular session finds the same end
    assert_eq!(WriteSession::open(&mut t, VID, None, info()).unwrap().last_fseq(), 3);
}

#[test]
fn read_session_by_fseq_and_block_id() {
    let sizes = [0, 1, 262_143, 262_144, 262_145, 600_000];
    let (t, cat) = tape(&sizes);
    let mut r = ReadSession::open(t, VID).unwrap();
    // Forward, backward and by blockId.
    for &fseq in &[3u64, 6, 2, 4] {
        let e = cat.iter().find(|e| e.fseq == fseq).unwrap();
        let got = r.read_file(e.archive_id, fseq, Positioning::Fseq, &mut |_| {}).unwrap();
        assert_eq!((got.size, got.adler32), (e.size, e.adler32.unwrap()), "fseq {fseq}");
    }
    for e in cat.iter().rev() {
        let mut data = Vec::new();
        let got = r
            .read_file(e.archive_id, e.fseq, Positioning::BlockId(e.block_id), &mut |b| {
                data.extend(b);
            })
            .unwrap();
        assert_eq!(got.size, e.size);
        assert_eq!(adler32(1, &data), e.adler32.unwrap());
        assert_eq!(data, payload(e.size as usize, (e.fseq - 1) as u8));
    }
    // Header checks against the expected file.
    let e = &cat[1];
    let err = r
        .read_file(e.archive_id + 1, e.fseq, Positioning::BlockId(e.block_id), &mut |_| {})
        .unwrap_err();
    assert!(err.to_string().contains("is not archive file"), "{err}");
}

#[test]
fn clean_tapes_verify_ok_with_placeholders() {
    let (mut t, cat) = tape(&[0, 1, 262_143, 262_144, 262_145, 0, 3 * BLOCK_SIZE]);
    let r = verify(&mut t, &cat);
    assert!(r.all_ok(), "{r:#?}");
    assert_eq!(r.summary.counts["placeholder"], 2);
    assert_eq!(r.summary.counts["ok"], 5);
    assert_eq!(r.files[0].detail, "placeholder for a zero-length file");
    // Selection by fSeq, first/last/random.
    let opts = VerifyOptions {
        catalogue: Some(cat.clone()),
        selection: Selection {
            first: 1,
            last: 1,
            ..Selection::default()
        },
        ..VerifyOptions::new(VID)
    };
    let r = verify_tape(&mut t, &opts, None).unwrap();
    assert_eq!(statuses(&r), vec![(2, FileStatus::Ok), (7, FileStatus::Ok)]);
    let opts = VerifyOptions {
        catalogue: Some(cat.clone()),
        selection: Selection {
            fseqs: vec![5, 99],
            ..Selection::default()
        },
        ..VerifyOptions::new(VID)
    };
    let r = verify_tape(&mut t, &opts, None).unwrap();
    assert_eq!(statuses(&r), vec![(5, FileStatus::Ok), (99, FileStatus::Missing)]);
    // Without a catalogue: structure and read-back only.
    let r = verify_tape(&mut t, &VerifyOptions::new(VID), None).unwrap();
    assert!(r.all_ok());
    assert!(
        verify_tape(
            &mut t,
            &VerifyOptions {
                selection: Selection {
                    first: 1,
                    ..Selection::default()
                },
                ..VerifyOptions::new(VID)
            },
            None
        )
        .is_err()
    );
}

#[test]
fn thousands_of_small_files_and_progress() {
    let sizes: Vec<usize> = (0..3000).map(|i| (i * 7) % 500 + 1).collect();
    let (mut t, cat) = tape(&sizes);
    let mut calls = 0u64;
    let mut last = None;
    let opts = VerifyOptions {
        catalogue: Some(cat),
        ..VerifyOptions::new(VID)
    };
    let r = verify_tape(
        &mut t,
        &opts,
        Some(&mut |p: &ctaops_tape::verify::Progress| {
            calls += 1;
            last = Some(*p);
        }),
    )
    .unwrap();
    assert!(r.all_ok());
    assert_eq!(r.files.len(), 3000);
    assert!(calls >= 3000);
    let last = last.unwrap();
    assert_eq!(last.files_done, 3000);
    assert_eq!(last.bytes_done, sizes.iter().sum::<usize>() as u64);
}

#[test]
fn corruptions_are_classified_and_verification_goes_on() {
    let (mut t, cat) = tape(&[600_000, 100, 5000]);
    // Objects: file 1 HDR1 at 1 (data 5,6,7), file 2 HDR1 at 13 (data 17), file 3 HDR1 at 23 (data 27).
    let check = |t: &mut MemoryTape, cat: &[CatalogueEntry], want: &[(u64, FileStatus)], needle: &str| {
        let r = verify(t, cat);
        assert_eq!(statuses(&r), want, "{r:#?}");
        let text = format!("{:?} {:?}", r.files, r.tape_errors);
        assert!(text.contains(needle), "{needle} not in {text}");
        r
    };
    use FileStatus::*;
    // A data byte flipped.
    let mut c = edit(&t, |o| o[6].as_mut().unwrap()[100] ^= 1);
    check(&mut c, &cat, &[(1, ChecksumMismatch), (2, Ok), (3, Ok)], "Adler-32");
    // Catalogue says shorter / longer.
    let mut cat2 = cat.clone();
    cat2[1].size = 99;
    cat2[2].size = 5001;
    check(
        &mut t.clone(),
        &cat2,
        &[(1, Ok), (2, SizeMismatch), (3, SizeMismatch)],
        "catalogue says 99",
    );
    // Label field out of spec (HDR2 record format).
    let mut c = edit(&t, |o| o[14].as_mut().unwrap()[4] = b'V');
    check(&mut c, &cat, &[(1, Ok), (2, HeaderError), (3, Ok)], "record format");
    // Missing tape mark after UHL1: this file's header error, and every later blockId is off.
    let mut c = edit(&t, |o| {
        o.remove(16);
    });
    check(
        &mut c,
        &cat,
        &[(1, Ok), (2, HeaderError), (3, HeaderError)],
        "tape mark after UHL1",
    );
    // Missing tape mark between data and EOF1.
    let mut c = edit(&t, |o| {
        o.remove(8);
    });
    check(
        &mut c,
        &cat,
        &[(1, HeaderError), (2, HeaderError), (3, HeaderError)],
        "tape mark missing after the data",
    );
    // Extra tape mark inside the data: the file reads short (its data is what matters most),
    // and every later blockId is off.
    let mut c = edit(&t, |o| o.insert(6, None));
    let r = check(
        &mut c,
        &cat,
        &[(1, SizeMismatch), (2, HeaderError), (3, HeaderError)],
        "where EOF1 was expected",
    );
    assert_eq!(r.files[0].size, 262_144);
    // Extra tape mark at the end of the tape.
    let mut c = edit(&t, |o| o.push(None));
    let r = check(
        &mut c,
        &cat,
        &[(1, Ok), (2, Ok), (3, Ok)],
        "tape mark where a file's HDR1",
    );
    assert!(!r.all_ok());
    // Block longer than the UHL1 block size.
    let mut c = edit(&t, |o| o[5] = Some(vec![1u8; BLOCK_SIZE + 1]));
    check(
        &mut c,
        &cat,
        &[(1, Unreadable), (2, Ok), (3, Ok)],
        "longer than the UHL1 block size",
    );
    // Wrong VSN in VOL1.
    let mut c = edit(&t, |o| o[0].as_mut().unwrap()[4..10].copy_from_slice(b"X99999"));
    let r = check(
        &mut c,
        &cat,
        &[(1, Missing), (2, Missing), (3, Missing)],
        "does not match VID",
    );
    assert!(!r.all_ok());
    assert_eq!(r.summary.bytes, 0);
    // Truncated tape: the image ends inside file 2's data.
    let mut c = edit(&t, |o| o.truncate(18));
    check(
        &mut c,
        &cat,
        &[(1, Ok), (2, Unreadable), (3, Missing)],
        "end of data inside",
    );
    // Gap in fSeq: file 2's UHL1 says fSeq 4.
    let mut c = edit(&t, |o| o[15].as_mut().unwrap()[4..14].copy_from_slice(b"0000000004"));
    check(&mut c, &cat, &[(1, Ok), (2, HeaderError), (3, Ok)], "UHL1 says fSeq 4");
    // A file on tape the catalogue does not know.
    check(
        &mut t.clone(),
        &cat[..2],
        &[(1, Ok), (2, Ok), (3, Unexpected)],
        "not in the catalogue",
    );
    // Catalogue entry past the end.
    let mut cat3 = cat.clone();
    cat3.push(CatalogueEntry {
        fseq: 4,
        block_id: 33,
        archive_id: 5,
        size: 1,
        adler32: None,
        other_checksums: Vec::new(),
    });
    check(
        &mut t.clone(),
        &cat3,
        &[(1, Ok), (2, Ok), (3, Ok), (4, Missing)],
        "not found on the tape",
    );
    // Selected file whose blockId lands on the wrong object.
    let mut cat4 = cat;
    cat4[2].block_id = 24;
    let opts = VerifyOptions {
        catalogue: Some(cat4),
        selection: Selection {
            fseqs: vec![3],
            ..Selection::default()
        },
        ..VerifyOptions::new(VID)
    };
    let r = verify_tape(&mut t, &opts, None).unwrap();
    assert_eq!(statuses(&r), vec![(3, HeaderError)]);
    assert!(r.files[0].detail.contains("expected HDR1"), "{r:?}");
}
