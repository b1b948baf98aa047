//! Size and nesting bounds checked before a YAML file reaches the parser.
//!
//! libyaml (under `serde_yaml_ng`) rescans every open flow collection for each token, so a
//! document of nested `[` costs quadratic time: 200 KB took 29 s to be refused, 100 000 lines
//! of `[` over a minute. Config files are small and shallow, so anything beyond
//! [`CONFIG_FILE_MAX_BYTES`] or [`MAX_DEPTH`] levels is refused before parsing, on one line.

use std::path::Path;

use serde_yaml_ng::Value;

use super::translate::one_line;
use crate::bounded::{BoundedReadError, CONFIG_FILE_MAX_BYTES, read_text_bounded, too_large};
use crate::error::Error;

/// Deepest nesting of mappings and sequences a config file may have.
pub const MAX_DEPTH: usize = 64;

fn refuse(origin: &str, message: String) -> Error {
    Error::Config {
        file: origin.to_owned(),
        key: "(document)".into(),
        message,
    }
}

/// Reads a YAML file of at most [`CONFIG_FILE_MAX_BYTES`].
pub(crate) fn read(path: &Path) -> Result<String, Error> {
    read_text_bounded(path, CONFIG_FILE_MAX_BYTES, "config files").map_err(|e| match e {
        BoundedReadError::Io { path, source } => Error::io(path, source),
        BoundedReadError::TooLarge { path, limit, what } => refuse(&path.display().to_string(), too_large(limit, what)),
    })
}

/// Parses YAML text once it is known to be within the size and depth bounds.
pub(crate) fn parse(text: &str, origin: &str) -> Result<Value, Error> {
    if text.len() as u64 > CONFIG_FILE_MAX_BYTES {
        return Err(refuse(origin, too_large(CONFIG_FILE_MAX_BYTES, "config files")));
    }
    if let Some((line, column)) = flow_too_deep(text.as_bytes(), MAX_DEPTH) {
        return Err(refuse(
            origin,
            format!("nested deeper than {MAX_DEPTH} levels at line {line} column {column}"),
        ));
    }
    let value: Value = serde_yaml_ng::from_str(text).map_err(|e| refuse(origin, one_line(&e)))?;
    if depth(&value) > MAX_DEPTH {
        return Err(refuse(origin, format!("nested deeper than {MAX_DEPTH} levels")));
    }
    Ok(value)
}

/// Where flow collections (`[`, `{`) first nest deeper than `max`, as 1-based line and column.
///
/// A lexer just good enough for the bound: brackets inside quoted scalars and comments do not
/// count; a quote opens only where a scalar may start (line start, after `[`, `{`, `,`, or
/// after `: `, `- `, `? `), as in libyaml. Block scalars are not recognised, so their
/// brackets count: at worst a file with more than `max` unclosed brackets in literal text is
/// refused, never a deep one accepted by the parser's slow path.
fn flow_too_deep(text: &[u8], max: usize) -> Option<(usize, usize)> {
    let blank = |b: u8| b == b' ' || b == b'\t';
    let (mut depth, mut line, mut line_start) = (0usize, 1usize, 0usize);
    let mut quote: Option<u8> = None;
    // Last non-blank byte on this line outside quotes, and whether a blank followed it.
    let mut last: Option<(u8, bool)> = None;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if b == b'\n' {
            line += 1;
            line_start = i + 1;
            last = None;
            i += 1;
            continue;
        }
        match quote {
            Some(b'"') if b == b'\\' => i += 1,
            Some(b'\'') if b == b'\'' && text.get(i + 1) == Some(&b'\'') => i += 1,
            Some(q) if b == q => {
                quote = None;
                last = Some((b, false));
            }
            Some(_) => {}
            None if b == b'#' && (i == line_start || blank(text[i - 1])) => {
                while i + 1 < text.len() && text[i + 1] != b'\n' {
                    i += 1;
                }
            }
            None if b == b'\'' || b == b'"' => {
                let scalar_start = match last {
                    None | Some((b'[' | b'{' | b',', _)) => true,
                    Some((b':' | b'-' | b'?', followed_by_blank)) => followed_by_blank,
                    Some(_) => false,
                };
                if scalar_start {
                    quote = Some(b);
                } else {
                    last = Some((b, false));
                }
            }
            None if blank(b) => {
                if let Some((c, _)) = last {
                    last = Some((c, true));
                }
            }
            None => {
                if b == b'[' || b == b'{' {
                    depth += 1;
                    if depth > max {
                        return Some((line, i - line_start + 1));
                    }
                } else if b == b']' || b == b'}' {
                    depth = depth.saturating_sub(1);
                }
                last = Some((b, false));
            }
        }
        i += 1;
    }
    None
}

/// How many collections nest in a parsed document (a scalar is 0, `[]` and `[1]` are 1).
fn depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((v, d)) = stack.pop() {
        match v {
            Value::Sequence(s) => {
                deepest = deepest.max(d + 1);
                stack.extend(s.iter().map(|c| (c, d + 1)));
            }
            Value::Mapping(m) => {
                deepest = deepest.max(d + 1);
                stack.extend(m.iter().flat_map(|(k, c)| [(k, d + 1), (c, d + 1)]));
            }
            Value::Tagged(t) => stack.push((&t.value, d)),
            _ => {}
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(text: &str) -> Option<(usize, usize)> {
        flow_too_deep(text.as_bytes(), 3)
    }

    #[test]
    fn counts_flow_nesting_across_lines() {
        assert_eq!(deep("a: [[[1]]]\nb: {c: [d]}\n"), None);
        assert_eq!(deep("a: [[[[1]]]]\n"), Some((1, 7)));
        assert_eq!(deep("a: [\n [\n  [\n   [x]]]]\n"), Some((4, 4)));
    }

    #[test]
    fn quoted_and_commented_brackets_do_not_count() {
        assert_eq!(
            deep("a: '[[[[' # [[[[\nb: \"\\\"[[[[\"\nc: ['it''s [[[[', \"[[[[\"]\n"),
            None
        );
        // A quote inside a plain scalar opens nothing: the brackets after it are flow.
        assert_eq!(deep("a: [b'c, [[[d]]]]\n"), Some((1, 12)));
        // `#` glued to a word is not a comment.
        assert_eq!(deep("a: [b#[[[c]]]]\n"), Some((1, 9)));
    }

    #[test]
    fn two_hundred_kb_of_brackets_is_refused_at_once() {
        let text = "[".repeat(200_000);
        let t0 = std::time::Instant::now();
        let e = parse(&text, "f.yaml").unwrap_err().to_string();
        assert_eq!(
            e,
            "f.yaml: (document): nested deeper than 64 levels at line 1 column 65"
        );
        assert!(t0.elapsed() < std::time::Duration::from_millis(200));
    }

    #[test]
    fn depth_counts_collections() {
        let d = |t: &str| depth(&serde_yaml_ng::from_str(t).unwrap());
        assert_eq!(
            (d("1"), d("[]"), d("[1]"), d("a: [[]]"), d("a:\n  b: {}\n")),
            (0, 1, 1, 3, 3)
        );
    }

    #[test]
    fn block_nesting_is_bounded_after_parsing() {
        let ok: String = (0..MAX_DEPTH).map(|i| format!("{}k{i}:\n", "  ".repeat(i))).collect();
        assert!(parse(&ok, "f.yaml").is_ok());
        let bad: String = (0..=MAX_DEPTH).map(|i| format!("{}k{i}:\n", "  ".repeat(i))).collect();
        assert_eq!(
            parse(&bad, "f.yaml").unwrap_err().to_string(),
            "f.yaml: (document): nested deeper than 64 levels"
        );
    }
}
