//! Any bytes given to the cta-admin parser: never a panic; what parses re-serialises to JSON that
//! parses to the same records; the in-memory one-pass readers agree exactly with the streaming
//! framer paths (same records, same table, same error); the Arrow path agrees with the records.
#![no_main]

use ctaops_core::admin::arrow::{parse_arrow, read_arrow};
use ctaops_core::admin::{Framing, Kind, parse_records, read_records};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else { return };
    let kind = Kind::ALL[usize::from(sel >> 1) % Kind::ALL.len()];
    let framing = if sel & 1 == 0 { Framing::Json } else { Framing::JsonLines };
    let parsed = parse_records(kind, framing, body);
    assert_eq!(parsed, read_records(kind, framing, body), "one-pass and framed records differ");
    let arrow = parse_arrow(kind, framing, body);
    assert_eq!(arrow, read_arrow(kind, framing, body), "one-pass and framed tables differ");
    if let Ok(recs) = parsed {
        let again = serde_json::to_vec(&recs).expect("records always serialise");
        let back = parse_records(kind, Framing::Json, &again).expect("serialised records parse again");
        assert_eq!(back, recs);
        let batches = arrow.expect("records parse, so the table builds");
        assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), recs.len());
    }
});
