//! The CTA releases each ctaops version was tested against, read from the table shipped with
//! the Python package (`python/ctaops/cta_versions.txt`), so that the Rust binary, the Python
//! scripts, the docs and the RPM all quote one source.

use std::sync::LazyLock;

/// The table as shipped (comments included).
pub const TABLE: &str = include_str!("../../../python/ctaops/cta_versions.txt");

/// One row of the table: a ctaops `x.y` and the CTA range it was tested against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tested {
    /// ctaops `x.y`.
    pub ctaops: String,
    /// Lowest CTA release tested.
    pub cta_from: String,
    /// Highest CTA release tested.
    pub cta_to: String,
    /// Lowest `cta-cli` package version the RPM accepts.
    pub cta_cli_min: String,
    /// First `cta-cli` version the RPM refuses.
    pub cta_cli_below: String,
}

/// Every row, newest first; malformed rows are a build defect that a test catches.
pub fn rows() -> Vec<Tested> {
    TABLE
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            match f.as_slice() {
                [a, b, c, d, e] => Some(Tested {
                    ctaops: (*a).to_owned(),
                    cta_from: (*b).to_owned(),
                    cta_to: (*c).to_owned(),
                    cta_cli_min: (*d).to_owned(),
                    cta_cli_below: (*e).to_owned(),
                }),
                _ => None,
            }
        })
        .collect()
}

/// `x.y` of a `x.y.z` version.
fn major_minor(version: &str) -> &str {
    match version.match_indices('.').nth(1) {
        Some((i, _)) => &version[..i],
        None => version,
    }
}

/// The row of this build's version, if the table has one.
pub fn current() -> Option<Tested> {
    let mm = major_minor(crate::VERSION);
    rows().into_iter().find(|r| r.ctaops == mm)
}

static LINE: LazyLock<String> = LazyLock::new(|| match current() {
    Some(r) => format!("{} (tested with CTA {} to {})", crate::VERSION, r.cta_from, r.cta_to),
    None => format!("{} (not tested with any CTA release)", crate::VERSION),
});

/// What `--version` prints after the program name.
pub fn version_line() -> &'static str {
    LINE.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_row_parses_and_this_version_has_one() {
        let data = TABLE
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .count();
        assert_eq!(
            rows().len(),
            data,
            "a row of cta_versions.txt does not have five fields"
        );
        let r = current().expect("cta_versions.txt has no row for the workspace version");
        assert!(version_line().contains(&r.cta_to));
    }

    #[test]
    fn major_minor_cuts_the_patch_level() {
        assert_eq!(major_minor("0.1.0"), "0.1");
        assert_eq!(major_minor("2.3"), "2.3");
    }
}
