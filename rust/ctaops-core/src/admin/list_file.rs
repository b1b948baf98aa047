//! `cta-admin` list files (`--fxidfile`, `--vidfile`, `--idfile`), read as CTA's
//! `CtaAdminParsedCmd::readListFromFile` does, but bounded.

use std::path::Path;

use crate::bounded::{BoundedReadError, LIST_FILE_MAX_BYTES, read_text_bounded};

/// Reads a list file: whitespace-separated tokens, `#` starts a comment; with `fid_only`
/// (`--fxidfile`, fed `eos find --fid` output) only `fid=` tokens count, prefix removed.
///
/// # Errors
/// The file cannot be read, holds more than [`LIST_FILE_MAX_BYTES`] (checked before it is read
/// whole: `/dev/zero` fails after 64 MiB, a sparse file at once) or is not UTF-8.
pub fn read_list(path: &Path, fid_only: bool) -> Result<Vec<String>, BoundedReadError> {
    let text = read_text_bounded(path, LIST_FILE_MAX_BYTES, "list files")?;
    Ok(parse_list(&text, fid_only))
}

/// The tokens of list-file text (see [`read_list`]).
#[must_use]
pub fn parse_list(text: &str, fid_only: bool) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        for tok in line.split_whitespace() {
            if fid_only {
                out.extend(tok.strip_prefix("fid=").map(str::to_owned));
            } else {
                out.push(tok.to_owned());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_tokens_and_fids() {
        let text = "V1 V2 # V3\n\n  V4\npath=/a fid=0000001f\n";
        assert_eq!(parse_list(text, false), ["V1", "V2", "V4", "path=/a", "fid=0000001f"]);
        assert_eq!(parse_list(text, true), ["0000001f"]);
    }
}
