//! Typed `tools.<name>` sections for the tools whose defaults the spec lists (ops-tools §5–§12).
//!
//! Each is validated when the file loads, so a wrong type is reported up front with its key.
//! Keys not modelled here stay reachable through the raw section (`Config::tool_raw`).

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::scalar::{OneOrMany, Text};
use crate::units::Size;

/// A typed tool section: its name under `tools:`.
pub trait ToolSection: DeserializeOwned + Serialize + Default {
    const NAME: &'static str;
}

/// Default values of every typed section, as YAML (for the unknown-key report).
pub(super) fn defaults_of(name: &str) -> Option<serde_yaml_ng::Value> {
    use super::to_value;
    Some(match name {
        CtaOpsAdmin::NAME => to_value(&CtaOpsAdmin::default()),
        RepackAutomation::NAME => to_value(&RepackAutomation::default()),
        TapeVerify::NAME => to_value(&TapeVerify::default()),
        PoolSupply::NAME => to_value(&PoolSupply::default()),
        DriveConfigGenerate::NAME => to_value(&DriveConfigGenerate::default()),
        DriveEnvironmentals::NAME => to_value(&DriveEnvironmentals::default()),
        DataMonitoring::NAME => to_value(&DataMonitoring::default()),
        Eos::NAME => to_value(&Eos::default()),
        CtaopsSmc::NAME => to_value(&CtaopsSmc::default()),
        _ => return None,
    })
}

/// Names and validators of every typed section, run at load time.
pub(super) const VALIDATED: &[(&str, super::Validator)] = &[
    (CtaOpsAdmin::NAME, super::validate::<CtaOpsAdmin>),
    (RepackAutomation::NAME, super::validate::<RepackAutomation>),
    (TapeVerify::NAME, super::validate::<TapeVerify>),
    (PoolSupply::NAME, super::validate::<PoolSupply>),
    (DriveConfigGenerate::NAME, super::validate::<DriveConfigGenerate>),
    (DriveEnvironmentals::NAME, super::validate::<DriveEnvironmentals>),
    (DataMonitoring::NAME, super::validate::<DataMonitoring>),
    (Eos::NAME, super::validate::<Eos>),
    (CtaopsSmc::NAME, super::validate::<CtaopsSmc>),
];

/// Every typed section name, in the order `config show` and the template list them.
pub const NAMES: &[&str] = &[
    CtaOpsAdmin::NAME,
    RepackAutomation::NAME,
    TapeVerify::NAME,
    PoolSupply::NAME,
    DriveConfigGenerate::NAME,
    DriveEnvironmentals::NAME,
    DataMonitoring::NAME,
    Eos::NAME,
    CtaopsSmc::NAME,
];

macro_rules! defaults {
    ($ty:ident { $($field:ident : $value:expr),* $(,)? }) => {
        impl Default for $ty {
            fn default() -> Self {
                Self { $($field: $value.into()),* }
            }
        }
    };
}

const STATS_UPDATE: &str = "/usr/bin/cta-statistics-update /etc/cta/cta-catalogue.conf";

/// `tools.cta-ops-admin`: the handler sections (the command table stays raw).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CtaOpsAdmin {
    #[serde(rename = "tape-drivetest")]
    pub tape_drivetest: TapeDrivetest,
    #[serde(rename = "tape-export")]
    pub tape_export: TapeExport,
    #[serde(rename = "tape-import")]
    pub tape_import: DebugOnly,
    #[serde(rename = "tape-label")]
    pub tape_label: TapeLabel,
    #[serde(rename = "tape-location")]
    pub tape_location: WithStatsUpdate,
    #[serde(rename = "tape-mediacheck")]
    pub tape_mediacheck: TapeMediacheck,
    #[serde(rename = "tape-mount")]
    pub tape_mount: DebugOnly,
    #[serde(rename = "tape-unmount")]
    pub tape_unmount: WithStatsUpdate,
    #[serde(rename = "tape-summary")]
    pub tape_summary: TapeSummary,
    #[serde(rename = "cta-ops-admin")]
    pub command_table: CommandTable,
}
impl ToolSection for CtaOpsAdmin {
    const NAME: &'static str = "cta-ops-admin";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct DebugOnly {
    pub debug: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TapeDrivetest {
    pub debug: bool,
    pub default_file_size: Size,
    pub default_number_of_files: u64,
    /// Commented out upstream; 256 KiB when unset.
    pub default_block_size: Option<u64>,
    pub default_file_path: String,
}
impl Default for TapeDrivetest {
    fn default() -> Self {
        Self {
            debug: false,
            default_file_size: Size(10 << 30),
            default_number_of_files: 100,
            default_block_size: None,
            default_file_path: "/tape-drivetest/".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TapeExport {
    pub debug: bool,
    pub number_of_export_attempts: u32,
    pub sleep_time_between_export_attempts: u64,
    /// Seconds to wait for CTA to turn EXPORTED_PENDING into EXPORTED before moving the cartridge.
    pub pending_timeout: u64,
}
defaults!(TapeExport {
    debug: false,
    number_of_export_attempts: 3u32,
    sleep_time_between_export_attempts: 5u64,
    pending_timeout: 120u64
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TapeLabel {
    pub debug: bool,
    pub not_free_timeout: u64,
    pub lock_file: String,
}
defaults!(TapeLabel {
    debug: false,
    not_free_timeout: 60u64,
    lock_file: "/tmp/tape-label.lock"
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WithStatsUpdate {
    pub debug: bool,
    pub cta_statistics_update_cmd: String,
}
defaults!(WithStatsUpdate {
    debug: false,
    cta_statistics_update_cmd: STATS_UPDATE
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TapeMediacheck {
    pub debug: bool,
    pub random_file_size: Size,
}
defaults!(TapeMediacheck {
    debug: false,
    random_file_size: Size(5 << 30)
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TapeSummary {
    pub debug: bool,
    pub default_file_path: String,
    pub cta_statistics_update_cmd: String,
}
defaults!(TapeSummary {
    debug: false,
    default_file_path: "/tape-summary/",
    cta_statistics_update_cmd: STATS_UPDATE
});

/// `tools.cta-ops-admin.cta-ops-admin`: only the scalar keys are typed; `commands` stays raw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommandTable {
    pub debug: bool,
    pub empty_table_item_char: String,
}
defaults!(CommandTable {
    debug: false,
    empty_table_item_char: "-"
});

/// `tools.cta-ops-repack-automation` (ATRESYS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RepackAutomation {
    pub debug: bool,
    pub logging: LogDirOverride,
    pub database: RepackDatabase,
    pub max_active_repacks: u32,
    /// Days a tape stays in quarantine; fractions allowed (`0.5` = 12 h), never negative.
    #[serde(deserialize_with = "super::scalar::non_negative_days")]
    pub quarantine_days: f64,
    /// ctaops: the pool quarantined tapes are moved to (never a repack source).
    pub quarantine_pool: String,
    /// ctaops: seconds a step holds its claim on a tape before another run may take it.
    pub lease_seconds: u64,
    /// ctaops: mail `global.email.recipients` when a step fails.
    pub email_errors: bool,
    /// ctaops: cta-admin timeout in seconds (any tool section may set it; unset: 60).
    pub timeout: Option<f64>,
    #[serde(rename = "cta-ops-repack-0-scan")]
    pub scan: RepackScan,
    #[serde(rename = "cta-ops-repack-2-start")]
    pub start: RepackStart,
    #[serde(rename = "cta-ops-repack-3-end")]
    pub end: RepackEnd,
    #[serde(rename = "cta-ops-repack-monitor")]
    pub monitor: RepackMonitor,
    pub default_priority: u32,
    pub priorities: BTreeMap<u32, RepackPriority>,
}
impl ToolSection for RepackAutomation {
    const NAME: &'static str = "cta-ops-repack-automation";
}
impl Default for RepackAutomation {
    fn default() -> Self {
        let prio = |name: &str, policy: &str, prefix: &str| RepackPriority {
            name: name.into(),
            mount_policy: policy.into(),
            default_dst_pool_prefix: prefix.into(),
        };
        Self {
            debug: false,
            logging: LogDirOverride {
                log_dir: "/var/log/cta-ops/repack/".into(),
            },
            database: RepackDatabase::default(),
            max_active_repacks: 10,
            quarantine_days: 31.0,
            quarantine_pool: "quarantine".into(),
            lease_seconds: 3600,
            email_errors: false,
            timeout: None,
            scan: RepackScan::default(),
            start: RepackStart::default(),
            end: RepackEnd::default(),
            monitor: RepackMonitor::default(),
            default_priority: 10,
            priorities: BTreeMap::from([
                (10, prio("low", "repack_low_priority", "tolabel")),
                (11, prio("low-erase", "repack_low_priority", "erase")),
                (49, prio("high-tolabel", "repack_high_priority", "tolabel")),
                (50, prio("high", "repack_high_priority", "erase")),
            ]),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct LogDirOverride {
    pub log_dir: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RepackDatabase {
    pub username: Text,
    pub password: Text,
    pub host: Text,
    /// `"changeme"` in the reference file, so text rather than a number.
    pub port: Text,
    pub name: Text,
    pub repack_table_name: String,
    /// ctaops: `postgresql` or `sqlite`; unset: PostgreSQL when `host` is configured.
    pub backend: Option<String>,
    /// ctaops: the SQLite file when the backend is SQLite.
    pub path: Option<String>,
    /// ctaops: a file holding the PostgreSQL password (read before `password`).
    pub password_file: Option<String>,
    /// ctaops: libpq `sslmode` (`disable` when unset).
    pub sslmode: Option<String>,
    /// ctaops: CA certificate for `verify-ca`/`verify-full`.
    pub sslrootcert: Option<String>,
}
impl Default for RepackDatabase {
    fn default() -> Self {
        let c = || Text("changeme".into());
        Self {
            username: c(),
            password: c(),
            host: c(),
            port: c(),
            name: Text("cta_repack".into()),
            repack_table_name: "REPACK_STATUS".into(),
            backend: None,
            path: None,
            password_file: None,
            sslmode: None,
            sslrootcert: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RepackScan {
    pub tape_usage_threshold: f64,
    pub number_of_tapes: u32,
    pub ignore_pools: OneOrMany,
}
impl Default for RepackScan {
    fn default() -> Self {
        Self {
            tape_usage_threshold: 0.4,
            number_of_tapes: 10,
            ignore_pools: OneOrMany(vec!["quarantine".into()]),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RepackStart {
    pub existing_files_on_tape: String,
    pub cleanup_pattern: String,
    pub keep_tf_files_days: u32,
}
defaults!(RepackStart {
    existing_files_on_tape: "/var/log/cta-ops/repack/repack-tapefile-$DATE-$TAPE.txt",
    cleanup_pattern: "*repack-tapefile*",
    keep_tf_files_days: 14u32,
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RepackEnd {
    #[serde(rename = "repack-end-json-path")]
    pub repack_end_json_path: String,
}
defaults!(RepackEnd {
    repack_end_json_path: "/var/log/cta-ops/repack/cta-ops-repack-end-json.log"
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RepackMonitor {
    pub ls_out: String,
    /// ctaops: where the monitor writes Prometheus text metrics (unset: not written).
    pub prometheus_out: Option<String>,
}
impl Default for RepackMonitor {
    fn default() -> Self {
        Self {
            ls_out: "/var/log/cta-ops/repack/cta-ops-repack-automation-json.log".into(),
            prometheus_out: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RepackPriority {
    pub name: String,
    pub mount_policy: String,
    pub default_dst_pool_prefix: String,
}

/// `tools.cta-ops-tape-verify`; upstream's older page uses `logger:` for the log dir.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TapeVerify {
    pub debug: bool,
    #[serde(alias = "logger")]
    pub logging: LogDirOverride,
    /// ctaops: where submitted verifications are remembered (unset: `<log_dir>/state`).
    pub state_dir: Option<String>,
    /// ctaops: cta-admin timeout in seconds (unset: 60).
    pub timeout: Option<f64>,
    #[serde(rename = "cta-ops-verification-feeder")]
    pub feeder: VerificationFeeder,
    #[serde(rename = "cta-ops-verify-tape")]
    pub verify_tape: VerifyTape,
}
impl ToolSection for TapeVerify {
    const NAME: &'static str = "cta-ops-tape-verify";
}
impl Default for TapeVerify {
    fn default() -> Self {
        Self {
            debug: false,
            logging: LogDirOverride {
                log_dir: "/var/log/cta-ops/verification/".into(),
            },
            state_dir: None,
            timeout: None,
            feeder: VerificationFeeder::default(),
            verify_tape: VerifyTape::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VerificationFeeder {
    pub debug: bool,
    /// ctaops: overrides `state_dir` of the parent section for the feeder.
    pub state_dir: Option<String>,
    pub verification_mount_policy: String,
    pub default_max_verify: u32,
    pub default_verify_options: String,
    pub default_min_age: u64,
    pub default_min_data_on_tape: u64,
    pub default_min_relative_capacity: u64,
    pub default_verify_policy: String,
    pub default_tape_verify_path: String,
    pub ts_format: String,
    pub sleep_time: u64,
}
defaults!(VerificationFeeder {
    verification_mount_policy: "verification",
    default_max_verify: 10u32,
    default_verify_options: "--first 10 --last 10 --read_time 30",
    default_min_age: 0u64,
    default_min_data_on_tape: 0u64,
    default_min_relative_capacity: 0u64,
    default_verify_policy: "last_verified",
    default_tape_verify_path: "cta-verify-tape",
    ts_format: "%Y-%m-%d %H:%M:%S",
    sleep_time: 120u64,
    debug: false,
    state_dir: None::<String>,
});

/// `tools.cta-ops-tape-verify.cta-ops-verify-tape`: what `cta-ops-verify-tape` picks when
/// its options are not given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VerifyTape {
    pub debug: bool,
    pub state_dir: Option<String>,
    pub default_first: u64,
    pub default_last: u64,
    pub default_random: u64,
    /// Seconds of reading at 300 MB/s the selection must at least fill.
    pub default_read_time: u64,
    pub default_read_data_size: Size,
    pub ts_format: String,
}
defaults!(VerifyTape {
    debug: false,
    state_dir: None::<String>,
    default_first: 10u64,
    default_last: 10u64,
    default_random: 10u64,
    default_read_time: 0u64,
    default_read_data_size: Size(0),
    ts_format: "%Y-%m-%d %H:%M:%S",
});

/// `tools.cta-ops-pool-supply`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PoolSupply {
    pub debug: bool,
    /// cta-admin timeout in seconds.
    pub timeout: u64,
    pub separator: String,
    /// Prometheus textfile written after every run (empty: none; `--metrics-file` overrides).
    pub metrics_file: String,
}
impl ToolSection for PoolSupply {
    const NAME: &'static str = "cta-ops-pool-supply";
}
defaults!(PoolSupply {
    debug: false,
    timeout: 10u64,
    separator: ",",
    metrics_file: ""
});

/// `tools.cta-ops-drive-config-generate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DriveConfigGenerate {
    pub timeout: u64,
    pub library_config_dir: String,
}
impl ToolSection for DriveConfigGenerate {
    const NAME: &'static str = "cta-ops-drive-config-generate";
}
defaults!(DriveConfigGenerate {
    timeout: 10u64,
    library_config_dir: "/etc/cta-ops/library_drive_config"
});

/// `tools.cta-ops-drive-environmentals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DriveEnvironmentals {
    pub model_blacklist: OneOrMany,
    pub output_file: String,
}
impl ToolSection for DriveEnvironmentals {
    const NAME: &'static str = "cta-ops-drive-environmentals";
}
impl Default for DriveEnvironmentals {
    fn default() -> Self {
        Self {
            model_blacklist: OneOrMany(vec!["ULT3580-TD8".into()]),
            // Empty: `<global log_dir>/drive-environmentals.json` (under a moved log_dir too).
            output_file: String::new(),
        }
    }
}

/// `tools.cta-ops-data-monitoring`: InfluxDB endpoints (credentials default to `changeme`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DataMonitoring {
    pub src_influxdb_username: Text,
    pub src_influxdb_password: Text,
    pub src_influxdb_host: Text,
    pub src_influxdb_port: Text,
    pub src_influxdb_database: Text,
    pub src_influxdb_client_timeout: u64,
    pub src_influxdb_measurement: String,
    pub src_retention_policy: String,
    pub dst_influxdb_username: Text,
    pub dst_influxdb_password: Text,
    pub dst_influxdb_host: Text,
    pub dst_influxdb_port: Text,
    pub dst_influxdb_database: Text,
    pub dst_influxdb_client_timeout: u64,
    pub dst_influxdb_measurement: String,
    pub dst_daily_retention_policy: String,
    pub dst_monthly_retention_policy: String,
    pub import_influxdb_username: Text,
    pub import_influxdb_password: Text,
    pub import_influxdb_host: Text,
    pub import_influxdb_port: Text,
    pub import_influxdb_database: Text,
    pub import_influxdb_client_timeout: u64,
    pub import_influxdb_measurement_cta: String,
    pub import_influxdb_measurement_castor: String,
    pub import_retention_policy: String,
    pub rolling_window: String,
}
impl ToolSection for DataMonitoring {
    const NAME: &'static str = "cta-ops-data-monitoring";
}
impl Default for DataMonitoring {
    fn default() -> Self {
        let c = || Text("changeme".into());
        let measurement = "downsampled_ctataped_tapeSessionFinished".to_owned();
        Self {
            src_influxdb_username: c(),
            src_influxdb_password: c(),
            src_influxdb_host: c(),
            src_influxdb_port: c(),
            src_influxdb_database: c(),
            src_influxdb_client_timeout: 300,
            src_influxdb_measurement: measurement.clone(),
            src_retention_policy: "long_term_1d".into(),
            dst_influxdb_username: c(),
            dst_influxdb_password: c(),
            dst_influxdb_host: c(),
            dst_influxdb_port: c(),
            dst_influxdb_database: c(),
            dst_influxdb_client_timeout: 300,
            dst_influxdb_measurement: measurement,
            dst_daily_retention_policy: "long_term_1d".into(),
            dst_monthly_retention_policy: "long_term_1mo".into(),
            import_influxdb_username: c(),
            import_influxdb_password: c(),
            import_influxdb_host: c(),
            import_influxdb_port: c(),
            import_influxdb_database: c(),
            import_influxdb_client_timeout: 300,
            import_influxdb_measurement_cta: "tape_sessions_daily_datavolume_cta".into(),
            import_influxdb_measurement_castor: "tape-sessions-daily-datavolume".into(),
            import_retention_policy: "aggregations".into(),
            rolling_window: "7d".into(),
        }
    }
}

/// `tools.cta-ops-eos`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Eos {
    #[serde(rename = "cta-ops-get-path-from-eos")]
    pub get_path_from_eos: GetPathFromEos,
    #[serde(rename = "cta-ops-change-storage-class")]
    pub change_storage_class: ChangeStorageClass,
}
impl ToolSection for Eos {
    const NAME: &'static str = "cta-ops-eos";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetPathFromEos {
    pub rest_key_tab: String,
}
defaults!(GetPathFromEos {
    rest_key_tab: "/etc/cta/eos.rest.keytab.yaml"
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChangeStorageClass {
    pub nb_retries: u32,
    pub files_per_split: u64,
    /// ctaops: where the journal of each run is kept (unset: `<log_dir>/eos/state`).
    pub state_dir: Option<String>,
}
defaults!(ChangeStorageClass {
    nb_retries: 10u32,
    files_per_split: 1000u64,
    state_dir: None::<String>
});

/// `tools.ctaops-smc` (a ctaops section): the changer `ctaops smc` and `ctaops.library` use
/// when no option names one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct CtaopsSmc {
    /// A simulated library's state file (relative to the config file).
    pub library_state: Option<String>,
    /// A changer device (`/dev/sgN`).
    pub device: Option<String>,
    /// Hand the command line to `global.binaries.cta_smc` instead.
    pub delegate: bool,
}
impl ToolSection for CtaopsSmc {
    const NAME: &'static str = "ctaops-smc";
}
