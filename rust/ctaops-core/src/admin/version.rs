//! The `version` record and CTA version numbers.

use std::cmp::Ordering;
use std::fmt;

use super::field::record;

record! {
    /// `cta.admin.Version`.
    pub struct VersionInfo {
        cta_version: String = "ctaVersion",
        xrootd_ssi_protobuf_interface_version: String = "xrootdSsiProtobufInterfaceVersion",
    }
}

record! {
    /// The one `version` record (`VersionItem`).
    pub struct Version {
        client_version: Option<VersionInfo> = "clientVersion",
        server_version: Option<VersionInfo> = "serverVersion",
        catalogue_connection_string: String = "catalogueConnectionString",
        catalogue_version: String = "catalogueVersion",
        is_upgrading: bool = "isUpgrading",
        scheduler_backend_name: String = "schedulerBackendName",
        instance_name: String = "instanceName",
    }
}

/// A CTA release number such as `5.11.7.0-1` (`<version>-<release>`), compared numerically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtaVersion {
    pub parts: Vec<u64>,
    pub text: String,
}

impl CtaVersion {
    /// Parses the leading dotted numbers; `None` when there are none (e.g. an empty string).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let core = text.trim().trim_start_matches('v');
        let core = core.split(['-', '+', ' ']).next().unwrap_or("");
        let parts: Vec<u64> = core.split('.').map_while(|p| p.parse().ok()).collect();
        if parts.is_empty() {
            None
        } else {
            Some(Self {
                parts,
                text: text.to_owned(),
            })
        }
    }

    /// Whether this version is at least `other` (given as numbers, e.g. `&[5, 11]`).
    #[must_use]
    pub fn at_least(&self, other: &[u64]) -> bool {
        let len = self.parts.len().max(other.len());
        for i in 0..len {
            let a = self.parts.get(i).copied().unwrap_or(0);
            let b = other.get(i).copied().unwrap_or(0);
            match a.cmp(&b) {
                Ordering::Greater => return true,
                Ordering::Less => return false,
                Ordering::Equal => {}
            }
        }
        true
    }
}

impl fmt::Display for CtaVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Version {
    /// The frontend's CTA version, if it printed a parsable one.
    #[must_use]
    pub fn server(&self) -> Option<CtaVersion> {
        self.server_version
            .as_ref()
            .and_then(|v| CtaVersion::parse(&v.cta_version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        let v = CtaVersion::parse("5.11.7.0-1").unwrap();
        assert_eq!(v.parts, [5, 11, 7, 0]);
        assert!(v.at_least(&[5, 11]));
        assert!(v.at_least(&[5, 9, 99]));
        assert!(!v.at_least(&[5, 12]));
        assert!(CtaVersion::parse("").is_none());
        assert!(CtaVersion::parse("garbage").is_none());
    }
}
