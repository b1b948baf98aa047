//! Any bytes given to the taped-log aggregator: never a panic, and the same totals (or the same
//! error) whether the log arrives in one chunk or cut anywhere into several.
#![no_main]

use ctaops_core::datamon::Aggregator;
use libfuzzer_sys::fuzz_target;

fn run(chunks: &[&[u8]]) -> Result<(Vec<String>, u64), String> {
    let mut a = Aggregator::new(None, None);
    for c in chunks {
        a.feed(c).map_err(|e| e.to_string())?;
    }
    a.end_log().map_err(|e| e.to_string())?;
    Ok((a.daily().iter().map(|d| format!("{d:?}")).collect(), a.records))
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, body)) = data.split_first() else { return };
    let whole = run(&[body]);
    let step = usize::from(sel).max(1);
    let parts: Vec<&[u8]> = body.chunks(step).collect();
    assert_eq!(run(&parts), whole, "cut every {step} bytes");
});
