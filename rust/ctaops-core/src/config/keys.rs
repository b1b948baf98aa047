//! Which keys of a config file ctaops does not know, and what each was probably meant to be.
//!
//! The typed structs (model.rs, tools.rs) are the only inventory: a key is known when the
//! defaults of its section, serialized, have it. Nothing here lists setting names.
//!
//! Sections ctaops owns are `global` and the typed `tools.<name>` sections; in them an unknown
//! key is most likely a typo, and one that nearly matches a known key is reported with the key
//! it was probably meant to be. Keys outside them (top-level fragments, other tools' sections)
//! are site extensions.

use serde_yaml_ng::Value;

use super::{Global, to_value, tools};

/// Maps whose keys are data, not settings.
const FREE_FORM: &[&str] = &[
    "global.tape.lib_to_pool_map",
    "global.tape.drive_to_lib_map",
    "global.tape.tape_drive_types",
    "tools.cta-ops-repack-automation.priorities",
    "tools.cta-ops-admin.cta-ops-admin",
];

/// How alike (0..1, Damerau-Levenshtein over the length, `-`/`_`/case ignored) a key must be to a
/// known one to count as a misspelling of it: `quarantine_dayz` (0.93) and `log-dir` (1.0) are,
/// `my_site_flag` is not.
const NEAR_MISS: f64 = 0.8;

/// One key ctaops does not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// Dotted path (`tools.cta-ops-repack-automation.quarantine_dayz`).
    pub key: String,
    /// The known key of the same section it nearly matches.
    pub suggestion: Option<String>,
    /// Whether the key sits in a section ctaops owns (`global`, a typed tool section).
    pub owned: bool,
}

impl UnknownKey {
    /// A near miss of a known key: an error even without `--strict`.
    #[must_use]
    pub const fn is_typo(&self) -> bool {
        self.suggestion.is_some()
    }
}

pub(super) fn key_text(key: &Value) -> String {
    key.as_str().map_or_else(
        || serde_yaml_ng::to_string(key).unwrap_or_default().trim().to_owned(),
        str::to_owned,
    )
}

fn normalized(key: &str) -> String {
    key.to_ascii_lowercase().replace('-', "_")
}

/// The known key `key` most resembles, if it resembles one closely enough.
fn suggest<'a>(key: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let key = normalized(key);
    known
        .into_iter()
        .map(|k| (strsim::normalized_damerau_levenshtein(&key, &normalized(k)), k))
        .filter(|(score, _)| *score >= NEAR_MISS)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k.to_owned())
}

fn names(map: &Value) -> Vec<String> {
    match map {
        Value::Mapping(m) => m.keys().map(key_text).collect(),
        _ => Vec::new(),
    }
}

/// Every unknown key of the document `raw`.
pub(super) fn report(raw: &Value) -> Vec<UnknownKey> {
    let mut out = Vec::new();
    let Value::Mapping(top) = raw else { return out };
    for key in top.keys() {
        let name = key_text(key);
        if !matches!(name.as_str(), "global" | "tools") {
            let suggestion = suggest(&name, ["global", "tools"]);
            out.push(UnknownKey {
                key: name,
                suggestion,
                owned: false,
            });
        }
    }
    let global = to_value(&Global::default());
    if let Some(g) = raw.get("global") {
        under(g, &global, None, "global", &mut out);
    }
    if let Some(Value::Mapping(sections)) = raw.get("tools") {
        for (name, section) in sections {
            let name = key_text(name);
            let at = format!("tools.{name}");
            match tools::defaults_of(&name) {
                Some(defaults) => under(section, &defaults, Some(&global), &at, &mut out),
                None => {
                    let suggestion = suggest(&name, tools::NAMES.iter().copied());
                    out.push(UnknownKey {
                        key: at,
                        suggestion,
                        owned: false,
                    });
                }
            }
        }
    }
    out
}

/// Compares a written mapping with its defaults. In a tool section (`global` given) every
/// `global` key may be overridden too (`Config::merged`), and `logger` means `logging`.
fn under(written: &Value, defaults: &Value, global: Option<&Value>, at: &str, out: &mut Vec<UnknownKey>) {
    let (Value::Mapping(w), Value::Mapping(d)) = (written, defaults) else {
        return;
    };
    if FREE_FORM.contains(&at) {
        return;
    }
    for (k, v) in w {
        let name = key_text(k);
        let path = format!("{at}.{name}");
        let own = d
            .get(k)
            .or_else(|| (name == "logger").then(|| d.get("logging")).flatten());
        if let Some(dv) = own {
            under(v, dv, global, &path, out);
            continue;
        }
        if let Some(gv) = global.and_then(|g| g.get(k)) {
            under(v, gv, None, &path, out);
            continue;
        }
        let mut candidates = names(defaults);
        candidates.extend(global.map(names).unwrap_or_default());
        let suggestion = suggest(&name, candidates.iter().map(String::as_str));
        out.push(UnknownKey {
            key: path,
            suggestion,
            owned: true,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses_and_extensions() {
        assert_eq!(
            suggest("quarantine_dayz", ["quarantine_days", "quarantine_pool"]).as_deref(),
            Some("quarantine_days")
        );
        assert_eq!(suggest("log-dir", ["log_dir"]).as_deref(), Some("log_dir"));
        assert_eq!(suggest("my_site_flag", ["max_active_repacks", "debug"]), None);
    }
}
