//! Any bytes given to the cta-admin parser: never a panic; what parses re-serialises to JSON that
//! parses to the same records; the in-memory one-pass readers, in one part or split into parallel
//! parts, agree exactly with the streaming framer paths (same records, same table rows, same
//! error); the Arrow path agrees with the records.
#![no_main]

use arrow_array::RecordBatch;
use ctaops_core::admin::arrow::{parse_arrow, parse_arrow_in_parts, read_arrow};
use ctaops_core::admin::stream::parse_records_in_parts;
use ctaops_core::admin::{Framing, Kind, parse_records, read_records};
use libfuzzer_sys::fuzz_target;

/// One single-row slice per row: tables cut into batches differently compare equal.
fn rows(batches: &[RecordBatch]) -> Vec<RecordBatch> {
    batches.iter().flat_map(|b| (0..b.num_rows()).map(move |i| b.slice(i, 1))).collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else { return };
    let kind = Kind::ALL[usize::from(sel >> 1) % Kind::ALL.len()];
    let framing = if sel & 1 == 0 { Framing::Json } else { Framing::JsonLines };
    let parsed = parse_records(kind, framing, body);
    assert_eq!(parsed, read_records(kind, framing, body), "one-pass and framed records differ");
    let arrow = parse_arrow(kind, framing, body);
    assert_eq!(arrow, read_arrow(kind, framing, body), "one-pass and framed tables differ");
    let parts = 2 + body.len() % 4;
    let split = parse_records_in_parts(kind, framing, body, parts);
    assert_eq!(split, parsed, "records read in {parts} parts differ");
    match (parse_arrow_in_parts(kind, framing, body, parts), &arrow) {
        (Ok(a), Ok(b)) => assert_eq!(rows(&a), rows(b), "table read in {parts} parts differs"),
        (a, b) => assert_eq!(a.as_ref().err(), b.as_ref().err(), "error of the read in {parts} parts differs"),
    }
    if let Ok(recs) = parsed {
        let again = serde_json::to_vec(&recs).expect("records always serialise");
        let back = parse_records(kind, Framing::Json, &again).expect("serialised records parse again");
        assert_eq!(back, recs);
        let batches = arrow.expect("records parse, so the table builds");
        assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), recs.len());
    }
});
