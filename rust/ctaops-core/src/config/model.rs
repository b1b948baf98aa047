//! The typed `global:` section with upstream's defaults (ops-tools §2.1–§2.6).
//!
//! Every struct is `#[serde(default)]` so a file only needs the keys it changes, and none
//! denies unknown fields: site extensions stay in the raw document (see `Config::raw`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::scalar::{OneOrMany, Text, nullable_text};
use crate::units::Size;

/// `global:` — the settings every tool shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Global {
    pub logging: Logging,
    pub default_user: DefaultUser,
    pub email: Email,
    /// A `tabulate` style name (`plain`, `simple`, `github`, `grid`, …).
    pub table_format: String,
    pub table_max_col_width: usize,
    pub colors: Colors,
    pub binaries: Binaries,
    pub tape: Tape,
    /// ctaops: the Prometheus textfile-collector output every scheduled tool shares.
    pub metrics: Metrics,
}

impl Default for Global {
    fn default() -> Self {
        Self {
            logging: Logging::default(),
            default_user: DefaultUser::default(),
            email: Email::default(),
            table_format: "plain".into(),
            table_max_col_width: 30,
            colors: Colors::default(),
            binaries: Binaries::default(),
            tape: Tape::default(),
            metrics: Metrics::default(),
        }
    }
}

/// `global.metrics` (ctaops): where the tools leave their Prometheus textfiles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Metrics {
    /// node_exporter's textfile-collector directory: each scheduled tool rewrites
    /// `<textfile_dir>/ctaops_<tool>.prom` after every run. Empty: no textfiles (a tool's own
    /// `metrics_file`/`prometheus_out` key or `--metrics-file` still writes one).
    #[serde(deserialize_with = "nullable_text")]
    pub textfile_dir: String,
}

/// `global.logging`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Logging {
    pub log_dir: String,
    pub rotation_max_size: Size,
    pub rotation_keep_files: u32,
    /// strftime format of the timestamp at the start of each log line.
    pub date_format: String,
    /// Empty (or null) disables error translation.
    #[serde(deserialize_with = "nullable_text")]
    pub error_translation_file: String,
}

impl Default for Logging {
    fn default() -> Self {
        Self {
            log_dir: "/var/log/cta-ops/".into(),
            rotation_max_size: Size(1 << 30),
            rotation_keep_files: 5,
            date_format: "%Y-%m-%d %H:%M:%S".into(),
            error_translation_file: "/etc/cta-ops/error-messages.yaml".into(),
        }
    }
}

impl Logging {
    /// The translation file, or `None` when the key is empty (translation disabled).
    #[must_use]
    pub fn error_translation_path(&self) -> Option<&Path> {
        (!self.error_translation_file.trim().is_empty()).then(|| Path::new(&self.error_translation_file))
    }
}

/// `global.default_user` — the identity automated tasks run as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DefaultUser {
    pub name: String,
    pub group: String,
    pub sss_keytab_file: String,
}

impl Default for DefaultUser {
    fn default() -> Self {
        Self {
            name: "tape-local".into(),
            group: "tape".into(),
            sss_keytab_file: "/etc/cta/tape-local.keytab".into(),
        }
    }
}

/// `global.email`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Email {
    /// To: addresses; a single string is accepted as a list of one.
    pub recipients: OneOrMany,
    /// From: address.
    pub sender: String,
}

impl Default for Email {
    fn default() -> Self {
        Self {
            recipients: OneOrMany(vec!["changeme".into()]),
            sender: "changeme".into(),
        }
    }
}

/// `global.colors` — ANSI sequences used when colour output is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Colors {
    pub ansi_color_table: String,
    pub ansi_color_fail: String,
    pub ansi_color_success: String,
    pub ansi_end: String,
}

impl Default for Colors {
    fn default() -> Self {
        Self {
            ansi_color_table: "\x1b[1;31m".into(),
            ansi_color_fail: "\x1b[1;31m".into(),
            ansi_color_success: "\x1b[1;32m".into(),
            ansi_end: "\x1b[0m".into(),
        }
    }
}

/// `global.binaries` — paths of the external programs the tools run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Binaries {
    pub sendmail: String,
    #[serde(rename = "cta-admin")]
    pub cta_admin: String,
    pub adler32: String,
    pub mt: String,
    pub tape_label: String,
    pub tape_mount: String,
    pub tape_unmount: String,
    pub cta_smc: String,
    pub cta_rmcd: String,
    pub cta_label: String,
    pub lsscsi: String,
    pub sg_inq: String,
    pub sg_map: String,
    pub sg_logs: String,
    pub grep: String,
    /// Upstream stores a command with its argument (`/usr/bin/cta-verify-file --id`).
    pub cta_verify_file_cmd: String,
}

impl Default for Binaries {
    fn default() -> Self {
        Self {
            sendmail: "/usr/sbin/sendmail".into(),
            cta_admin: "/usr/bin/cta-admin".into(),
            adler32: "/usr/bin/xrdadler32".into(),
            mt: "/bin/mt".into(),
            tape_label: "/usr/local/bin/tape-label".into(),
            tape_mount: "/usr/local/bin/tape-mount".into(),
            tape_unmount: "/usr/local/bin/tape-unmount".into(),
            cta_smc: "/usr/bin/cta-smc".into(),
            cta_rmcd: "/usr/bin/cta-rmcd".into(),
            cta_label: "/usr/bin/cta-tape-label".into(),
            lsscsi: "/usr/bin/lsscsi".into(),
            sg_inq: "/usr/bin/sg_inq".into(),
            sg_map: "/usr/bin/sg_map".into(),
            sg_logs: "/usr/bin/sg_logs".into(),
            grep: "/usr/bin/grep".into(),
            cta_verify_file_cmd: "/usr/bin/cta-verify-file --id".into(),
        }
    }
}

impl Binaries {
    /// `cta_verify_file_cmd` as an argument vector (split on whitespace; never run by a shell).
    #[must_use]
    pub fn cta_verify_file_argv(&self) -> Vec<String> {
        self.cta_verify_file_cmd.split_whitespace().map(str::to_owned).collect()
    }
}

/// `global.tape.cta-admin_transport`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AdminTransport {
    /// Spawn `global.binaries.cta-admin` with `--config <cta-admin_config>`.
    #[default]
    #[serde(rename = "cta-admin")]
    CtaAdmin,
    /// Native gRPC to `cta.endpoint` of the `cta-cli.conf` in `cta-admin_config`.
    #[serde(rename = "grpc")]
    Grpc,
}

impl AdminTransport {
    /// The name the config and `--transport` use.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CtaAdmin => "cta-admin",
            Self::Grpc => "grpc",
        }
    }
}

/// `global.tape` — the tape environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tape {
    pub drive_facts: String,
    /// cta-admin client config for ops tools (`cta-admin --config <file>`).
    #[serde(rename = "cta-admin_config")]
    pub cta_admin_config: String,
    /// CTA version the cta-admin layer adapts commands to when `cta-admin --json version` cannot
    /// tell (e.g. `5.11.7.0-1`); empty: ask the frontend.
    pub cta_version: String,
    /// How the tools reach CTA (a ctaops key): spawning `cta-admin` (upstream's way, the default)
    /// or talking to the gRPC frontend named in `cta-admin_config` directly.
    #[serde(rename = "cta-admin_transport")]
    pub cta_admin_transport: AdminTransport,
    /// logical library → media type → pool suffix (e.g. `IBM1L8: {LTO8: '_IBM1L8'}`).
    pub lib_to_pool_map: BTreeMap<Text, BTreeMap<Text, Text>>,
    pub tape_drive_types: Vec<TapeDriveType>,
    pub drive_to_lib_map: DriveToLibMap,
    pub pool_prefixes_ok_for_labeling: Vec<String>,
    pub drive_facts_file_path: String,
}

impl Default for Tape {
    fn default() -> Self {
        Self {
            drive_facts: "/etc/facter/facts.d/drive_facts.json".into(),
            cta_admin_config: "/etc/cta-ops/cta-cli.conf".into(),
            cta_version: String::new(),
            cta_admin_transport: AdminTransport::CtaAdmin,
            lib_to_pool_map: BTreeMap::new(),
            tape_drive_types: Vec::new(),
            drive_to_lib_map: DriveToLibMap::default(),
            pool_prefixes_ok_for_labeling: vec!["tolabel_".into(), "erase_".into(), "test_".into()],
            drive_facts_file_path: "changeme".into(),
        }
    }
}

impl Tape {
    /// Pool suffix for a tape of `media_type` in `logical_library`, e.g. `_IBM1L7`.
    #[must_use]
    pub fn pool_suffix(&self, logical_library: &str, media_type: &str) -> Option<&str> {
        self.lib_to_pool_map
            .get(logical_library)?
            .get(media_type)
            .map(|t| t.0.as_str())
    }

    /// Drive model for a SCSI inquiry product name (`3588-F9C` → `LTO9`).
    #[must_use]
    pub fn drive_model(&self, scsi_product: &str) -> Option<&str> {
        self.tape_drive_types
            .iter()
            .find(|t| t.name == scsi_product.trim())
            .map(|t| t.model.as_str())
    }

    /// Whether a tape in `pool` may be (re)labelled (`pool_prefixes_ok_for_labeling`).
    #[must_use]
    pub fn pool_ok_for_labeling(&self, pool: &str) -> bool {
        self.pool_prefixes_ok_for_labeling
            .iter()
            .any(|p| !p.is_empty() && pool.starts_with(p.as_str()))
    }
}

/// One `tape_drive_types` entry; upstream's reference file spells `model` as `mode` once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TapeDriveType {
    pub name: String,
    #[serde(alias = "mode")]
    pub model: String,
}

/// `drive_to_lib_map`: a `separator` plus drive-name roots → logical library names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriveToLibMap {
    pub separator: String,
    pub roots: BTreeMap<String, String>,
}

impl Default for DriveToLibMap {
    fn default() -> Self {
        Self {
            separator: "-".into(),
            roots: BTreeMap::new(),
        }
    }
}

impl DriveToLibMap {
    /// Logical library of a drive: the longest root that `drive_name` starts with, followed by
    /// the separator or the end (`IBMLIB4-TS1160-F2C1R4` → root `IBMLIB4-TS1160`).
    #[must_use]
    pub fn library_for_drive(&self, drive_name: &str) -> Option<&str> {
        let sep = if self.separator.is_empty() {
            "-"
        } else {
            self.separator.as_str()
        };
        self.roots
            .iter()
            .filter(|(root, _)| {
                drive_name
                    .strip_prefix(root.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(sep))
            })
            .max_by_key(|(root, _)| root.len())
            .map(|(_, lib)| lib.as_str())
    }
}

impl Serialize for DriveToLibMap {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.roots.len() + 1))?;
        map.serialize_entry("separator", &self.separator)?;
        for (k, v) in &self.roots {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for DriveToLibMap {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut flat: BTreeMap<Text, Text> = BTreeMap::deserialize(deserializer)?;
        let separator = flat.remove("separator").map_or_else(|| "-".to_owned(), |t| t.0);
        Ok(Self {
            separator,
            roots: flat.into_iter().map(|(k, v)| (k.0, v.0)).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drive_roots_match_on_separator_boundaries() {
        let map = DriveToLibMap {
            separator: "-".into(),
            roots: [
                ("IBMLIB4-TS1160", "IBM460"),
                ("IBMLIB4-TS11", "WRONG"),
                ("IBMLIB4-TS1170", "IBM470"),
            ]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect(),
        };
        assert_eq!(map.library_for_drive("IBMLIB4-TS1160-F2C1R4"), Some("IBM460"));
        assert_eq!(map.library_for_drive("IBMLIB4-TS1170"), Some("IBM470"));
        assert_eq!(map.library_for_drive("IBMLIB4-TS1155-F1C1R1"), None);
    }

    #[test]
    fn labeling_prefixes() {
        let tape = Tape::default();
        assert!(tape.pool_ok_for_labeling("tolabel_IBM1L7"));
        assert!(tape.pool_ok_for_labeling("erase_x"));
        assert!(!tape.pool_ok_for_labeling("atlas_raw"));
    }
}
