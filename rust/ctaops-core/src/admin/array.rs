//! One-pass reading of a whole `--json` array held in memory, in parallel parts when it is large.
//!
//! Elements are read one by one, each by its own deserializer over a slice of the input that ends
//! at most [`DEFAULT_MAX_RECORD_BYTES`] after the element's start, so a record over the limit fails
//! here as it does in the streaming framer. Large inputs are cut at record boundaries found by byte
//! scanning (`}` `,` `{`, whitespace allowed). Such a cut may fall inside a string or inside a
//! record (a list of sub-objects); every part is therefore read strictly and must end exactly at
//! its cut. The first part starts at the array's start, so if it ends exactly at its cut, the cut
//! really is between two records, and the next part starts at a record; by induction all parts
//! are aligned once all of them succeed. A wrong cut leaves the record containing it unfinished at
//! the end of its part, which fails, and the array is then read as one part.
//!
//! Any failure gives `None`: the caller reads the input again through the framer, which gives the
//! exact error (with the record's global number), so every path ends with the same result.

use std::ops::Range;

use memchr::memchr;
use serde::de::IgnoredAny;

use super::stream::{DEFAULT_MAX_RECORD_BYTES, ElementSink};

/// Smallest part worth a thread of its own.
const MIN_PART_BYTES: usize = 1 << 20;

/// Most parts (threads) one input is split into.
const MAX_PARTS: usize = 16;

/// How many parts to read `len` bytes in: one per core, each at least [`MIN_PART_BYTES`].
pub(crate) fn auto_parts(len: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    cores.min(len / MIN_PART_BYTES).clamp(1, MAX_PARTS)
}

/// JSON's whitespace (what `serde_json` skips).
const fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn skip_ws(data: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && is_ws(data[i]) {
        i += 1;
    }
    i
}

/// The bytes between the array's `[` and `]`, if `data` is bracketed by them.
fn inner(data: &[u8]) -> Option<Range<usize>> {
    let start = skip_ws(data, 0, data.len());
    let mut end = data.len();
    while end > start && is_ws(data[end - 1]) {
        end -= 1;
    }
    if end >= start + 2 && data[start] == b'[' && data[end - 1] == b']' {
        Some(start + 1..end - 1)
    } else {
        None
    }
}

/// Reads the comma-separated elements that exactly fill `data[range]` into `sink`.
fn read_part<S: ElementSink>(data: &[u8], range: Range<usize>, sink: &mut S) -> bool {
    let end = range.end;
    let mut i = skip_ws(data, range.start, end);
    if i == end {
        return true;
    }
    loop {
        let stop = end.min(i.saturating_add(DEFAULT_MAX_RECORD_BYTES));
        let mut de = serde_json::Deserializer::from_slice(&data[i..stop]);
        if sink.element(&mut de).is_err() {
            return false;
        }
        // The offset just past the element (the deserializer reads nothing beyond it).
        i += de.into_iter::<IgnoredAny>().byte_offset();
        i = skip_ws(data, i, end);
        if i == end {
            return true;
        }
        if data[i] != b',' {
            return false;
        }
        i = skip_ws(data, i + 1, end);
    }
}

/// The opening of the array's first element up to its first `:` (`{"vid":`); records print their
/// keys in one order, so a cut is only tried before an object that opens the same way, which
/// keeps cuts out of strings (`"` is escaped there) and out of lists of sub-objects.
fn first_key(data: &[u8], range: &Range<usize>) -> Option<Range<usize>> {
    let start = skip_ws(data, range.start, range.end);
    let colon = memchr(b':', &data[start..range.end.min(start + 256)])?;
    (data[start] == b'{').then_some(start..start + colon + 1)
}

/// The first cut at or after `from`: (end of the left part, start of the right part).
fn cut_after(data: &[u8], from: usize, end: usize, opening: &[u8]) -> Option<(usize, usize)> {
    let mut i = from;
    while let Some(j) = memchr(b'}', &data[i..end]) {
        let close = i + j;
        let comma = skip_ws(data, close + 1, end);
        if comma < end && data[comma] == b',' {
            let open = skip_ws(data, comma + 1, end);
            if data[open..end].starts_with(opening) {
                return Some((close + 1, open));
            }
        }
        i = close + 1;
    }
    None
}

/// `range` cut into at most `parts` ranges of about equal size.
fn split(data: &[u8], range: Range<usize>, parts: usize) -> Vec<Range<usize>> {
    let Some(key) = first_key(data, &range).filter(|_| parts > 1) else {
        return vec![range];
    };
    let opening = &data[key];
    let mut out = Vec::with_capacity(parts);
    let mut start = range.start;
    for k in 1..parts {
        let target = range.start + range.len() / parts * k;
        let Some((left_end, right_start)) = cut_after(data, target.max(start), range.end, opening) else {
            break;
        };
        out.push(start..left_end);
        start = right_start;
    }
    out.push(start..range.end);
    out
}

/// Reads a whole in-memory `--json` array into sinks made by `make`, one per part, in up to
/// `parts` threads; the sinks come back in input order. `None` when the input is not exactly
/// one well-formed array of elements the sink accepts, each within the record size limit.
pub(crate) fn read_array<S, F>(data: &[u8], parts: usize, make: F) -> Option<Vec<S>>
where
    S: ElementSink + Send,
    F: Fn() -> S + Sync,
{
    let whole = inner(data)?;
    let ranges = split(data, whole.clone(), parts);
    if ranges.len() > 1 {
        let read = |r: Range<usize>| {
            let mut sink = make();
            read_part(data, r, &mut sink).then_some(sink)
        };
        let results: Vec<Option<S>> = std::thread::scope(|s| {
            let mut ranges = ranges.into_iter();
            let first = ranges.next();
            // A part whose thread cannot be started counts as failed (then one part is read).
            let others: Vec<_> = ranges
                .map(|r| std::thread::Builder::new().spawn_scoped(s, move || read(r)).ok())
                .collect();
            let mut out = vec![first.and_then(read)];
            out.extend(others.into_iter().map(|h| h.and_then(|h| h.join().ok()).flatten()));
            out
        });
        if let Some(sinks) = results.into_iter().collect::<Option<Vec<S>>>() {
            return Some(sinks);
        }
        tracing::debug!("parallel read of a --json array failed; reading it in one part");
    }
    let mut sink = make();
    read_part(data, whole, &mut sink).then(|| vec![sink])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_only_before_records_that_open_like_the_first() {
        let data = br#"[{"a":1,"l":[{"b":1},{"b":2}]} , {"a":"},{\"a\":"},{"a":3}]"#;
        let whole = inner(data).unwrap();
        for parts in 1..8 {
            for r in split(data, whole.clone(), parts) {
                assert_eq!(data[r.start], b'{', "part {r:?} of {parts} starts at a record");
            }
        }
        assert_eq!(split(data, whole, 3).len(), 3);
        assert_eq!(inner(b" [ ] \n"), Some(2..3));
        assert_eq!(inner(b"["), None);
        assert_eq!(inner(b"{}"), None);
        assert_eq!(inner(b""), None);
        assert_eq!(inner(b" "), None);
        assert_eq!(inner(b"]"), None);
    }

    /// Counts elements.
    #[derive(Default)]
    struct Count(usize);

    impl ElementSink for Count {
        fn element<'de, D: serde::Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error> {
            serde::Deserialize::deserialize(d).map(|IgnoredAny| self.0 += 1)
        }
    }

    #[test]
    fn a_false_cut_inside_a_record_falls_back_to_one_part() {
        // the second record's list holds objects that open like a record: the middle cut is false
        let data = br#"[{"a":1},{"a":2,"l":[{"a":3},{"a":4},{"a":5},{"a":6},{"a":7}]},{"a":8}]"#;
        let whole = inner(data).unwrap();
        let cuts = split(data, whole, 2);
        assert_eq!(cuts.len(), 2);
        assert_ne!(
            &data[cuts[1].start..cuts[1].start + 7],
            br#"{"a":8}"#,
            "the cut is inside record 2"
        );
        let parts = read_array(data, 2, Count::default).unwrap();
        assert_eq!(
            parts.iter().map(|c| c.0).collect::<Vec<_>>(),
            vec![3],
            "read again as one part"
        );
        // a true cut is kept
        let data = br#"[{"a":1,"l":[]},{"a":2},{"a":3},{"a":4}]"#;
        let parts = read_array(data, 2, Count::default).unwrap();
        assert_eq!(parts.iter().map(|c| c.0).collect::<Vec<_>>(), vec![2, 2]);
        // an element over the size limit is refused
        let mut big = br#"[{"a":""#.to_vec();
        big.extend(std::iter::repeat_n(b'x', DEFAULT_MAX_RECORD_BYTES));
        big.extend(br#""}]"#);
        assert!(read_array(&big, 1, Count::default).is_none());
    }
}
