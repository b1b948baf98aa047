//! Any bytes through every label parser; whatever parses must format back to the same bytes'
//! meaning (parse → format → parse is stable).
#![no_main]

use ctaops_tape::label::Label;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(label)) = Label::parse_any(data) {
        let again = Label::parse_any(&label.to_bytes());
        assert!(
            matches!(again, Ok(Some(ref l)) if *l == label),
            "{label:?} did not round-trip: {again:?}"
        );
    }
});
