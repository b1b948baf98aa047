//! The layout checker on tapes written by the writer, then damaged the ways tapes get damaged.

use super::*;
use crate::MemoryTape;
use crate::label::{LabelDate, LbpMethod};
use crate::writer::{WriteSession, WriterInfo, label_tape};

fn tape(files: usize, size: usize) -> MemoryTape {
    let info = WriterInfo {
        date: LabelDate::new(2026, 64).unwrap(),
        ..WriterInfo::default()
    };
    let mut t = MemoryTape::new();
    label_tape(&mut t, "V00001", LbpMethod::None, &info).unwrap();
    let mut s = WriteSession::open(&mut t, "V00001", None, info).unwrap();
    for i in 0..files {
        let data = vec![i as u8; size];
        s.write_file(i as u64 + 1, &mut data.as_slice()).unwrap();
    }
    s.finish().unwrap();
    t
}

fn edited(t: &MemoryTape, f: impl FnOnce(&mut Vec<Option<Vec<u8>>>)) -> MemoryTape {
    let mut o = t.objects().to_vec();
    f(&mut o);
    MemoryTape::from_objects(o)
}

/// The summary and the problem lines of a dump.
fn run(t: &mut MemoryTape, max: u64) -> (DumpSummary, Vec<String>, usize) {
    let mut problems = Vec::new();
    let mut lines = 0;
    let s = dump(t, max, |i| {
        lines += 1;
        if let DumpItem::Problem { detail, .. } = i {
            problems.push(detail.clone());
        }
    })
    .unwrap();
    (s, problems, lines)
}

// Objects of a file with 2 data blocks: HDR1 +0, HDR2 +1, UHL1 +2, TM +3, data +4 +5, TM +6,
// EOF1 +7, EOF2 +8, UTL1 +9, TM +10; file k starts at 1 + 11k.
const SIZE: usize = 300_000;

#[test]
fn a_tape_as_cta_writes_it_has_no_problem() {
    for files in [0, 1, 5] {
        let (s, p, _) = run(&mut tape(files, SIZE), 100);
        assert_eq!((s.problems, s.stopped), (0, false), "{files} files: {p:?}");
    }
    assert_eq!(
        run(&mut MemoryTape::new(), 100).0.problems,
        0,
        "a blank tape is not out of spec"
    );
}

#[test]
fn each_kind_of_damage_is_one_problem_where_it_is() {
    let t = tape(5, SIZE);
    let cases: Vec<(&str, MemoryTape, &str)> = vec![
        (
            "VOL1 id",
            edited(&t, |o| o[0].as_mut().unwrap()[0] = b'X'),
            "object 0: VOL1 damaged",
        ),
        (
            "HDR1 id",
            edited(&t, |o| o[12].as_mut().unwrap()[0] = b'I'),
            "object 12: HDR1 damaged",
        ),
        (
            "EOF2 id",
            edited(&t, |o| o[20].as_mut().unwrap()[1] = b'X'),
            "object 20: EOF2 damaged",
        ),
        (
            "header TM lost",
            edited(&t, |o| drop(o.remove(15))),
            "object 15: a data block where the tape mark after UHL1",
        ),
        (
            "extra TM in the data",
            edited(&t, |o| o.insert(17, None)),
            "EOF1 block count 2 but the file has 1",
        ),
        (
            "trailer TM doubled",
            edited(&t, |o| o.insert(22, None)),
            "object 23: a tape mark where a file's HDR1",
        ),
        (
            "block lost",
            edited(&t, |o| drop(o.remove(16))),
            "EOF1 block count 2 but the file has 1",
        ),
        (
            "fSeq",
            edited(&t, |o| o[14].as_mut().unwrap()[4..14].copy_from_slice(b"0000000009")),
            "UHL1 fSeq 9 but this is file 2",
        ),
        (
            "cut short",
            edited(&t, |o| o.truncate(30)),
            "the tape ends inside file 3",
        ),
    ];
    for (what, mut c, needle) in cases {
        let (s, p, _) = run(&mut c, 100);
        assert!(s.problems >= 1, "{what}: no problem");
        assert!(p.iter().any(|x| x.contains(needle)), "{what}: {needle} not in {p:?}");
        // One damage, not a cascade through every later file.
        assert!(s.problems <= 2, "{what}: {p:?}");
    }
}

#[test]
fn an_image_of_tape_marks_is_one_line_and_stops_early() {
    let mut t = MemoryTape::from_objects(vec![None; 100_000]);
    let (s, p, lines) = run(&mut t, 100);
    assert!(s.stopped);
    assert_eq!(s.objects, 101);
    assert_eq!(p[0], "object 0: a tape mark where VOL1 was expected");
    assert!(p.last().unwrap().contains("stopped reading at object 101"), "{p:?}");
    // A problem, the run of tape marks, the stop: bounded whatever the image size.
    assert_eq!(lines, 3);
}

#[test]
fn noise_stops_after_the_problem_budget() {
    // Short records and tape marks in turn: nothing like a file's layout.
    let noise: Vec<Option<Vec<u8>>> = (0..10_000u32)
        .map(|i| (i % 2 == 1).then(|| vec![(i % 251) as u8; 80]))
        .collect();
    let mut t = MemoryTape::from_objects(noise);
    let (s, p, lines) = run(&mut t, 10);
    assert!(s.stopped, "{p:?}");
    assert!(s.objects < 100 && lines < 100, "{s:?} {lines}");
}
