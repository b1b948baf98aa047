//! Any bytes given to the cta-admin parser: never a panic; what parses re-serialises to JSON that
//! parses to the same records; the Arrow path agrees with the record path on success.
#![no_main]

use ctaops_core::admin::arrow::read_arrow;
use ctaops_core::admin::{Framing, Kind, parse_records};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else { return };
    let kind = Kind::ALL[usize::from(sel >> 1) % Kind::ALL.len()];
    let framing = if sel & 1 == 0 { Framing::Json } else { Framing::JsonLines };
    let parsed = parse_records(kind, framing, body);
    let arrow = read_arrow(kind, framing, body);
    if let Ok(recs) = parsed {
        let again = serde_json::to_vec(&recs).expect("records always serialise");
        let back = parse_records(kind, Framing::Json, &again).expect("serialised records parse again");
        assert_eq!(back, recs);
        if let Ok(batches) = arrow {
            assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), recs.len());
        }
    }
});
