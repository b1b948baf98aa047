//! The in-memory `--json` reader split into parallel parts gives exactly what the one-part read
//! and the streaming framer give: same records, same table rows and schema, same errors (with the
//! record's global number), whatever the cut points and whatever the strings contain.

#![allow(clippy::unwrap_used, reason = "test helpers fail loudly on broken fixtures")]

use arrow_array::RecordBatch;
use ctaops_core::admin::arrow::{parse_arrow, parse_arrow_in_parts, read_arrow};
use ctaops_core::admin::sample::sample;
use ctaops_core::admin::stream::{DEFAULT_MAX_RECORD_BYTES, parse_records_in_parts};
use ctaops_core::admin::{Framing, Kind, ParseError, ParseErrorKind, Records, parse_records, read_records};
use serde_json::Value;

/// One single-row slice per row, so tables cut into batches differently compare equal.
fn rows(batches: &[RecordBatch]) -> Vec<RecordBatch> {
    batches
        .iter()
        .flat_map(|b| (0..b.num_rows()).map(move |i| b.slice(i, 1)))
        .collect()
}

/// Joins records as `cta-admin --json` does, with `sep` between them.
fn array(items: &[Value], sep: &str) -> Vec<u8> {
    let parts: Vec<String> = items.iter().map(|v| serde_json::to_string(v).unwrap()).collect();
    format!("[{}]\n", parts.join(sep)).into_bytes()
}

/// Every split of `data` into 1..=8 parts agrees with the framer, for records and Arrow.
fn check_all_splits(kind: Kind, data: &[u8]) {
    let framed = read_records(kind, Framing::Json, data);
    let framed_arrow = read_arrow(kind, Framing::Json, data);
    for parts in 1..=8 {
        let recs = parse_records_in_parts(kind, Framing::Json, data, parts);
        assert_eq!(recs, framed, "{kind}: records in {parts} parts");
        let arrow = parse_arrow_in_parts(kind, Framing::Json, data, parts);
        match (&arrow, &framed_arrow) {
            (Ok(a), Ok(b)) => {
                assert_eq!(rows(a), rows(b), "{kind}: table in {parts} parts");
                assert!(
                    a.iter().all(|x| x.schema() == b[0].schema()),
                    "{kind}: schema in {parts} parts"
                );
            }
            (a, b) => assert_eq!(a.as_ref().err(), b.as_ref().err(), "{kind}: error in {parts} parts"),
        }
    }
}

#[test]
fn every_kind_in_parts_matches_the_framer() {
    for &kind in Kind::ALL {
        let items: Vec<Value> = (0..24).map(|i| sample(kind, i)).collect();
        for sep in [",", "\n,", " ,\n\t", "\r\n, "] {
            check_all_splits(kind, &array(&items, sep));
        }
        check_all_splits(kind, b"[]");
        check_all_splits(kind, b" [ \n ] ");
    }
}

/// Tapes whose strings hold record boundaries, and whose sub-object lists open with the record's
/// own first key (`serde_json` writes keys sorted: `capacity` first), so that byte scanning finds
/// false cuts, inside strings and inside records.
fn adversarial_tapes(n: u64) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let mut t = sample(Kind::Tape, i);
            t["comment"] = Value::String(format!("x}},{{\"capacity\":\"{i}\"}},{{ }}\n,{{"));
            t["stateReason"] = Value::String("},{".into());
            let stats: Vec<Value> = (0..3)
                .map(|j| {
                    serde_json::json!({"capacity": j, "storageClassName": format!("sc{j}"),
                        "nbMasterFiles": "1", "masterDataInBytes": "2"})
                })
                .collect();
            t["storageClassStatistics"] = Value::Array(stats);
            t
        })
        .collect()
}

#[test]
fn false_cuts_inside_strings_and_records_give_the_same_result() {
    let items = adversarial_tapes(30);
    for sep in [",", "\n,", " , "] {
        let data = array(&items, sep);
        check_all_splits(Kind::Tape, &data);
        let Ok(Records::Tape(t)) = parse_records_in_parts(Kind::Tape, Framing::Json, &data, 4) else {
            panic!("adversarial tapes parse")
        };
        assert_eq!(t.len(), 30);
        assert_eq!(t[7].comment, "x},{\"capacity\":\"7\"},{ }\n,{");
        assert_eq!(t[29].state_reason, "},{");
    }
    let text = String::from_utf8(array(&items, ",")).unwrap();
    assert!(text.starts_with("[{\"capacity\":"));
    assert_eq!(
        text.matches("},{\"capacity\":").count(),
        29 + 60,
        "sub-objects look like records"
    );
}

fn errors_agree(kind: Kind, data: &[u8]) -> ParseError {
    errors_agree_in(kind, data, 1..=6)
}

fn errors_agree_in(kind: Kind, data: &[u8], parts: impl IntoIterator<Item = usize>) -> ParseError {
    let want = read_records(kind, Framing::Json, data).unwrap_err();
    for parts in parts {
        let e = parse_records_in_parts(kind, Framing::Json, data, parts).unwrap_err();
        assert_eq!(e, want, "records in {parts} parts");
        let e = parse_arrow_in_parts(kind, Framing::Json, data, parts).unwrap_err();
        let arrow_want = read_arrow(kind, Framing::Json, data).unwrap_err();
        assert_eq!(e, arrow_want, "arrow in {parts} parts");
        assert_eq!((e.kind, e.record, &e.field), (want.kind, want.record, &want.field));
    }
    want
}

#[test]
fn bad_input_in_any_part_names_the_global_record_and_field() {
    let items: Vec<Value> = (0..40).map(|i| sample(Kind::Tape, i)).collect();
    for bad in [0usize, 5, 19, 20, 21, 33, 39] {
        let mut wrong_type = items.clone();
        wrong_type[bad]["full"] = Value::String("no".into());
        let e = errors_agree(Kind::Tape, &array(&wrong_type, ","));
        assert_eq!(
            (e.kind, e.record, e.field.as_deref()),
            (ParseErrorKind::Invalid, Some(bad + 1), Some("full"))
        );

        let mut missing = items.clone();
        missing[bad].as_object_mut().unwrap().remove("lastFseq");
        let e = errors_agree(Kind::Tape, &array(&missing, ","));
        assert_eq!(
            (e.kind, e.record, e.field.as_deref()),
            (ParseErrorKind::Invalid, Some(bad + 1), Some("lastFseq"))
        );

        let mut nested = items.clone();
        nested[bad]["creationLog"]["time"] = Value::from(-1);
        let e = errors_agree(Kind::Tape, &array(&nested, ","));
        assert_eq!(
            (e.record, e.field.as_deref()),
            (Some(bad + 1), Some("creationLog.time"))
        );
    }
    let good = array(&items, ",");
    let text = String::from_utf8(good.clone()).unwrap();
    // not JSON in the middle of the second half, a cut-off end, a trailing comma, text after `]`
    let mid = text.len() * 3 / 4;
    let at = mid + text[mid..].find("},{").unwrap() + 2;
    let broken = format!("{}XRootD error{}", &text[..at], &text[at..]);
    let e = errors_agree(Kind::Tape, broken.as_bytes());
    assert_eq!(e.kind, ParseErrorKind::NotJson);
    let e = errors_agree(Kind::Tape, &good[..good.len() - 40]);
    assert_eq!((e.kind, e.record), (ParseErrorKind::Truncated, Some(40)));
    let close = text.rfind(']').unwrap();
    let e = errors_agree(Kind::Tape, format!("{},{}", &text[..close], &text[close..]).as_bytes());
    assert_eq!((e.kind, e.record), (ParseErrorKind::NotJson, Some(41)));
    let e = errors_agree(Kind::Tape, format!("{}garbage", text.trim_end()).as_bytes());
    assert_eq!(e.kind, ParseErrorKind::NotJson);
}

/// A valid record over the limit is refused by every path with the same error: in memory or
/// streamed, `--json` or `--jsonl`, records or Arrow, one part or several.
#[test]
fn a_record_over_the_limit_is_refused_by_every_path() {
    let mut items: Vec<Value> = (0..6).map(|i| sample(Kind::Tape, i)).collect();
    items[4]["comment"] = Value::String("c".repeat(DEFAULT_MAX_RECORD_BYTES));
    let json = array(&items, ",");
    let e = errors_agree_in(Kind::Tape, &json, [1, 2, 3]);
    assert_eq!((e.kind, e.record), (ParseErrorKind::TooLarge, Some(5)), "{e}");
    assert_eq!(parse_records(Kind::Tape, Framing::Json, &json).unwrap_err(), e);
    assert_eq!(parse_arrow(Kind::Tape, Framing::Json, &json).unwrap_err(), e);
    let lines: Vec<u8> = items
        .iter()
        .flat_map(|v| [serde_json::to_vec(v).unwrap(), b"\n".to_vec()].concat())
        .collect();
    for r in [
        parse_records(Kind::Tape, Framing::JsonLines, &lines).unwrap_err(),
        parse_arrow(Kind::Tape, Framing::JsonLines, &lines).unwrap_err(),
    ] {
        assert_eq!((r.kind, r.record), (ParseErrorKind::TooLarge, Some(5)), "{r}");
    }
    // just under the limit is accepted everywhere
    let len = serde_json::to_vec(&items[4]).unwrap().len();
    let over = len - DEFAULT_MAX_RECORD_BYTES;
    items[4]["comment"] = Value::String("c".repeat(DEFAULT_MAX_RECORD_BYTES - over));
    assert_eq!(serde_json::to_vec(&items[4]).unwrap().len(), DEFAULT_MAX_RECORD_BYTES);
    let json = array(&items, ",");
    assert_eq!(parse_records(Kind::Tape, Framing::Json, &json).unwrap().len(), 6);
    assert_eq!(read_records(Kind::Tape, Framing::Json, &json[..]).unwrap().len(), 6);
    let rows: usize = parse_arrow(Kind::Tape, Framing::Json, &json)
        .unwrap()
        .iter()
        .map(|b| b.num_rows())
        .sum();
    assert_eq!(rows, 6);
}

/// Keys are compared as bytes by the column builders: an escaped key still names its field, and
/// a key that is not UTF-8 is refused on every path with the typed decoder's error.
#[test]
fn escaped_and_non_utf8_keys_agree_on_every_path() {
    let items: Vec<Value> = (0..3).map(|i| sample(Kind::Tape, i)).collect();
    let text = String::from_utf8(array(&items, ",")).unwrap();
    let escaped = text.replace("\"vid\":", "\"v\\u0069d\":");
    assert_ne!(escaped, text);
    check_all_splits(Kind::Tape, escaped.as_bytes());
    let Ok(Records::Tape(t)) = parse_records(Kind::Tape, Framing::Json, escaped.as_bytes()) else {
        panic!("escaped keys parse")
    };
    assert_eq!(Value::String(t[2].vid.clone()), items[2]["vid"]);
    let batches = parse_arrow(Kind::Tape, Framing::Json, escaped.as_bytes()).unwrap();
    let vid = batches[0].column_by_name("vid").unwrap();
    assert_eq!(vid.null_count(), 0);

    let second = text.match_indices("{\"capacity\"").nth(1).unwrap().0;
    let mut bad = text.as_bytes().to_vec();
    bad.splice(second + 1..second + 1, b"\"x\xff\":1,".iter().copied());
    let e = errors_agree(Kind::Tape, &bad);
    assert_eq!((e.kind, e.record), (ParseErrorKind::NotJson, Some(2)), "{e}");
}
