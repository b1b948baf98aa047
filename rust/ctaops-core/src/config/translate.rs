//! Operator-friendly translation of error messages from external tools (notably cta-admin),
//! driven by `global.logging.error_translation_file`.
//!
//! File format (documented in docs/error-translation.md): a YAML mapping of regular
//! expression → friendly text. Entries are tried in file order; the first whose pattern is
//! found anywhere in the message wins. The text may use `$1`, `${name}` for capture groups.

use std::path::Path;

use regex::Regex;
use serde_yaml_ng::Value;

use crate::error::Error;

/// The compiled translation table.
#[derive(Debug, Clone, Default)]
pub struct ErrorTranslations {
    rules: Vec<(Regex, String)>,
}

impl ErrorTranslations {
    /// Reads and compiles a translation file. A missing file is an error: the caller decides
    /// whether an unconfigured (empty) path disables translation.
    ///
    /// # Errors
    /// I/O errors name the file; a bad pattern or a non-text value gives [`Error::Config`]
    /// naming the pattern.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = super::guard::read(path)?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses translation YAML; `origin` names it in errors.
    ///
    /// # Errors
    /// [`Error::Config`] for invalid YAML, a non-mapping document, or a bad entry.
    pub fn parse(text: &str, origin: &str) -> Result<Self, Error> {
        let cfg_err = |key: &str, message: String| Error::Config {
            file: origin.to_owned(),
            key: key.to_owned(),
            message,
        };
        let doc = super::guard::parse(text, origin)?;
        let map = match doc {
            Value::Null => return Ok(Self::default()),
            Value::Mapping(m) => m,
            _ => {
                return Err(cfg_err(
                    "(document)",
                    "expected a mapping of pattern: friendly text".into(),
                ));
            }
        };
        let mut rules = Vec::with_capacity(map.len());
        for (k, v) in map {
            let pattern = scalar_text(&k).ok_or_else(|| cfg_err("(key)", "patterns must be text".into()))?;
            let friendly =
                scalar_text(&v).ok_or_else(|| cfg_err(&pattern, "the friendly text must be a string".into()))?;
            let re =
                Regex::new(&pattern).map_err(|e| cfg_err(&pattern, format!("invalid pattern: {}", one_line(&e))))?;
            rules.push((re, friendly));
        }
        Ok(Self { rules })
    }

    /// The friendly text for `message`, or `None` if no pattern matches.
    #[must_use]
    pub fn translate(&self, message: &str) -> Option<String> {
        self.rules.iter().find_map(|(re, friendly)| {
            re.captures(message).map(|caps| {
                let mut out = String::new();
                caps.expand(friendly, &mut out);
                out
            })
        })
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Collapses a multi-line library message into one line.
pub(crate) fn one_line(e: &dyn std::fmt::Display) -> String {
    let line = e.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
    crate::redact::mask_credentials(&line).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
'Tape VID (\S+) does not exist': 'Tape $1 is not known to CTA: check the VID'
'^Cannot specify --all together': 'Use either --all or search options, not both'
'(?i)permission denied': 'You are not a CTA admin on this frontend (ask for cta-admin rights)'
"#;

    #[test]
    fn first_matching_pattern_wins_with_captures() {
        let t = ErrorTranslations::parse(FILE, "t.yaml").unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(
            t.translate("Tape VID V01007 does not exist.").as_deref(),
            Some("Tape V01007 is not known to CTA: check the VID")
        );
        assert!(
            t.translate("PERMISSION DENIED by frontend")
                .unwrap()
                .contains("not a CTA admin")
        );
        assert_eq!(t.translate("all good"), None);
    }

    #[test]
    fn bad_pattern_names_file_and_pattern() {
        let err = ErrorTranslations::parse("'(unclosed': x\n", "/etc/e.yaml").unwrap_err();
        assert_eq!(err.code(), "CONFIG_ERROR");
        let msg = err.to_string();
        assert!(msg.starts_with("/etc/e.yaml: (unclosed: invalid pattern"), "{msg}");
        assert!(!msg.contains('\n'));
    }

    #[test]
    fn empty_and_wrong_shapes() {
        assert!(ErrorTranslations::parse("", "e").unwrap().is_empty());
        assert!(ErrorTranslations::parse("- a\n", "e").is_err());
        assert!(ErrorTranslations::parse("a: [1]\n", "e").is_err());
    }
}
