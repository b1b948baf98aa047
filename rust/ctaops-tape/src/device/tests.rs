//! The same behaviour from every device, and SIMH framing errors classified.

use super::*;
use crate::TapeError;

fn exercise(dev: &mut dyn TapeDevice) {
    dev.write_record(b"abc").unwrap();
    dev.write_record(&[7u8; 1000]).unwrap();
    dev.write_tape_marks(1).unwrap();
    dev.write_record(b"x").unwrap();
    dev.write_tape_marks(2).unwrap();
    assert_eq!(dev.position().unwrap(), 6);
    dev.rewind().unwrap();
    let mut buf = vec![0u8; 2000];
    assert_eq!(dev.read_record(&mut buf).unwrap(), Record::Data(3));
    assert_eq!(&buf[..3], b"abc");
    let err = dev.read_record(&mut buf[..10]).unwrap_err();
    assert!(matches!(err, TapeError::BlockTooLong { object: 1, .. }), "{err}");
    assert!(err.is_recoverable());
    assert_eq!(dev.read_record(&mut buf).unwrap(), Record::TapeMark);
    assert_eq!(dev.read_record(&mut buf).unwrap(), Record::Data(1));
    assert_eq!(dev.read_record(&mut buf).unwrap(), Record::TapeMark);
    assert_eq!(dev.read_record(&mut buf).unwrap(), Record::TapeMark);
    assert_eq!(dev.read_record(&mut buf).unwrap(), Record::EndOfData);
    assert_eq!(dev.position().unwrap(), 6);
    // Spacing: forward stops after the mark, backward stops at it.
    dev.rewind().unwrap();
    dev.space_marks_forward(2).unwrap();
    assert_eq!(dev.position().unwrap(), 5);
    dev.space_marks_backward(2).unwrap();
    assert_eq!(dev.position().unwrap(), 2);
    assert!(dev.space_marks_forward(5).is_err());
    dev.locate(3).unwrap();
    assert_eq!(dev.read_record(&mut buf).unwrap(), Record::Data(1));
    assert!(matches!(dev.locate(7), Err(TapeError::EndOfData { .. })));
    // Writing in the middle cuts the rest off.
    dev.locate(1).unwrap();
    dev.write_record(b"new").unwrap();
    assert_eq!(dev.read_record(&mut buf).unwrap(), Record::EndOfData);
    dev.rewind().unwrap();
    assert_eq!(dev.skip_record().unwrap(), Record::Data(3));
    assert_eq!(dev.read_record(&mut buf).unwrap(), Record::Data(3));
    assert_eq!(&buf[..3], b"new");
    assert_eq!(dev.skip_record().unwrap(), Record::EndOfData);
    assert!(dev.write_record(b"").is_err());
}

#[test]
fn memory_tape() {
    exercise(&mut MemoryTape::new());
}

#[test]
fn simh_image() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.simh");
    let mut img = SimhImage::open_or_create(&path).unwrap();
    exercise(&mut img);
    drop(img);
    // Byte layout: "abc" + pad, then "new" + pad.
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..12], &[3, 0, 0, 0, b'a', b'b', b'c', 0, 3, 0, 0, 0]);
    assert_eq!(bytes.len(), 24);
    // Read-only images refuse writes.
    let mut ro = SimhImage::open(&path, false).unwrap();
    assert_eq!(ro.write_record(b"z").unwrap_err().code(), "REFUSED");
}

fn image(bytes: &[u8]) -> (tempfile::TempDir, SimhImage) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.simh");
    std::fs::write(&path, bytes).unwrap();
    let img = SimhImage::open(&path, false).unwrap();
    (dir, img)
}

fn rec(data: &[u8]) -> Vec<u8> {
    let len = (data.len() as u32).to_le_bytes();
    let mut v = len.to_vec();
    v.extend_from_slice(data);
    if data.len() % 2 == 1 {
        v.push(0);
    }
    v.extend_from_slice(&len);
    v
}

#[test]
fn simh_framing_errors_are_classified() {
    let mut buf = vec![0u8; 100];
    // Trailing length disagrees: reported, and the next record is still readable.
    let mut bytes = rec(b"hello!");
    let n = bytes.len();
    bytes[n - 4] = 9;
    bytes.extend(rec(b"next"));
    let (_d, mut img) = image(&bytes);
    let err = img.read_record(&mut buf).unwrap_err();
    assert!(matches!(err, TapeError::Framing { recoverable: true, .. }), "{err}");
    assert_eq!(img.read_record(&mut buf).unwrap(), Record::Data(4));

    // A length word running past the end: truncated record, not recoverable.
    let mut bytes = rec(b"hello!");
    bytes.truncate(8);
    let (_d, mut img) = image(&bytes);
    let err = img.read_record(&mut buf).unwrap_err();
    assert!(matches!(err, TapeError::TruncatedRecord { declared: 6, .. }), "{err}");
    assert!(!err.is_recoverable());

    // Image ending inside a length word.
    let (_d, mut img) = image(&[0, 0]);
    assert!(matches!(
        img.read_record(&mut buf),
        Err(TapeError::TruncatedImage { .. })
    ));

    // SIMH class bits set: not a length.
    let (_d, mut img) = image(&0x8000_0010u32.to_le_bytes());
    assert!(matches!(
        img.read_record(&mut buf),
        Err(TapeError::Framing { recoverable: false, .. })
    ));

    // End-of-medium marker.
    let mut bytes = rec(b"ab");
    bytes.extend(0xFFFF_FFFFu32.to_le_bytes());
    let (_d, mut img) = image(&bytes);
    assert_eq!(img.read_record(&mut buf).unwrap(), Record::Data(2));
    assert_eq!(img.read_record(&mut buf).unwrap(), Record::EndOfData);
}

proptest::proptest! {
    #[test]
    fn simh_reader_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
        let (_d, mut img) = image(&bytes);
        let mut buf = vec![0u8; 64];
        for _ in 0..50 {
            match img.read_record(&mut buf) {
                Ok(Record::EndOfData) => break,
                Err(e) if !e.is_recoverable() => break,
                _ => {}
            }
        }
    }
}

#[test]
fn simh_zero_copy_reads_match_copied_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.simh");
    let mut img = SimhImage::open_or_create(&path).unwrap();
    // Records crossing the 8 MiB window boundary, odd sizes, tape marks.
    let blocks: Vec<Vec<u8>> = (0..40u8).map(|i| vec![i; 262_144 + usize::from(i % 3)]).collect();
    for (i, b) in blocks.iter().enumerate() {
        img.write_record(b).unwrap();
        if i % 7 == 0 {
            img.write_tape_marks(1).unwrap();
        }
    }
    assert!(img.read_record_shared(10).is_none(), "writable images are never mapped");
    drop(img);
    let mut ro = SimhImage::open(&path, false).unwrap();
    let mut copy = SimhImage::open(&path, false).unwrap();
    let mut buf = vec![0u8; 300_000];
    loop {
        let shared = ro.read_record_shared(buf.len()).unwrap().unwrap();
        let copied = copy.read_record(&mut buf).unwrap();
        match (shared, copied) {
            (SharedRecord::Data(b), Record::Data(n)) => assert_eq!(b.as_slice(), &buf[..n]),
            (SharedRecord::TapeMark, Record::TapeMark) => {}
            (SharedRecord::EndOfData, Record::EndOfData) => break,
            (s, c) => panic!("{s:?} vs {c:?}"),
        }
        assert_eq!(ro.position().unwrap(), copy.position().unwrap());
    }
    ro.rewind().unwrap();
    let err = ro.read_record_shared(100).unwrap().unwrap_err();
    assert!(matches!(err, TapeError::BlockTooLong { object: 0, .. }), "{err}");
    assert_eq!(ro.position().unwrap(), 1);
}
