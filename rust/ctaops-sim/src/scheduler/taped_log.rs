//! `DIR/log/cta/cta-taped.log`: the `Tape session finished` record cta-taped logs when a drive's
//! session process ends, in CTA's JSON log format (`common/cta-logging.schema.json`, schema
//! 0.2.0), with simulated times.
//!
//! CTA (`taped/daemon/DriveHandler.cpp`, `taped/session/TaskWatchDog.hpp`): the daemon logs the
//! event with the parameters the session's watchdog shipped to it: the mount's identity
//! (`mountType` in camel case, `tapeVid`, `tapePool`, `vo`, `logicalLibrary`, `volReqId`,
//! `tapeDrive`), the session statistics (times in seconds, `dataVolume`, `headerVolume`,
//! `filesCount`, the two speeds, and for retrieve mounts the user/repack/verification split) and
//! `status`. The schema types `filesCount`, `dataVolume`, `driveTransferSpeedMBps` and
//! `mountAttempted` as strings, so these four are written as strings (a consumer reading CTA's
//! own numbers must accept both).

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

/// The log's path under an instance directory (CTA's `/var/log/cta/cta-taped.log`).
#[must_use]
pub fn path(instance_dir: &Path) -> PathBuf {
    instance_dir.join("log").join("cta").join("cta-taped.log")
}

/// What a finished session did, gathered while it ran.
#[derive(Debug, Default, Clone)]
pub(crate) struct SessionStats {
    /// Simulated times: mount decided, transfer started, unmount started, cartridge home.
    pub(crate) start: u64,
    pub(crate) transfer_start: Option<u64>,
    pub(crate) unmount_start: Option<u64>,
    pub(crate) end: u64,
    pub(crate) files: u64,
    pub(crate) data_volume: u64,
    pub(crate) header_volume: u64,
    pub(crate) user_files: u64,
    pub(crate) user_bytes: u64,
    pub(crate) repack_files: u64,
    pub(crate) repack_bytes: u64,
    pub(crate) failed: bool,
}

/// Bytes of labels around each file: HDR1, HDR2, UHL1 before, EOF1, EOF2, UTL1 after, 80 each.
pub(crate) const HEADER_BYTES_PER_FILE: u64 = 6 * 80;

/// The mount being logged.
pub(crate) struct MountInfo<'a> {
    pub(crate) drive: &'a str,
    pub(crate) host: &'a str,
    pub(crate) logical_library: &'a str,
    pub(crate) vid: &'a str,
    pub(crate) pool: &'a str,
    pub(crate) vo: &'a str,
    /// The simulator's mount type (`ARCHIVE_FOR_USER`, `RETRIEVE`, ...).
    pub(crate) mount_type: &'a str,
    pub(crate) session: i64,
}

/// CTA's `toCamelCaseString(MountType)`, the spelling the taped log uses.
fn camel_mount_type(t: &str) -> &'static str {
    match t {
        "ARCHIVE_FOR_USER" => "ArchiveForUser",
        "ARCHIVE_FOR_REPACK" => "ArchiveForRepack",
        "ARCHIVE_ALL_TYPES" => "ArchiveAllTypes",
        "RETRIEVE" => "Retrieve",
        "LABEL" => "Label",
        "NO_MOUNT" => "NoMount",
        _ => "Unknown",
    }
}

/// `%FT%T%z` of a Unix time, in UTC (the simulator's hosts run on UTC).
fn local_time(t: u64) -> String {
    let dt = i64::try_from(t)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+0000",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

fn mbps(bytes: u64, secs: u64) -> f64 {
    if secs == 0 {
        0.0
    } else {
        bytes as f64 / 1_000_000.0 / secs as f64
    }
}

/// The JSON record of one finished session.
pub(crate) fn record(m: &MountInfo<'_>, s: &SessionStats) -> Value {
    let total = s.end.saturating_sub(s.start);
    let transfer_start = s.transfer_start.unwrap_or(s.end);
    let unmount_start = s.unmount_start.unwrap_or(s.end);
    let mount_time = transfer_start.saturating_sub(s.start);
    let transfer_time = unmount_start.saturating_sub(transfer_start);
    let unmount_time = s.end.saturating_sub(unmount_start);
    let pid = std::process::id();
    let mut r = json!({
        "epoch_time": s.end as f64,
        "local_time": local_time(s.end),
        "cta_version": concat!("ctaops-sim-", env!("CARGO_PKG_VERSION")),
        "log_schema_version": "0.2.0",
        "hostname": m.host,
        "program": "cta-taped",
        "source_location": "DriveHandler.cpp:506",
        "log_level": "INFO",
        "pid": pid,
        "tid": pid,
        "message": "Tape session finished",
        "event_name": "tape_session_finished",
    });
    let mount = json!({
        "tapeDrive": m.drive,
        "logicalLibrary": m.logical_library,
        "mountType": camel_mount_type(m.mount_type),
        "tapeVid": m.vid,
        "tapePool": m.pool,
        "vo": m.vo,
        "volReqId": m.session.to_string(),
        "mountId": m.session.to_string(),
        "mountAttempted": (if s.transfer_start.is_some() { "1" } else { "0" }),
        "wasTapeMounted": s.transfer_start.is_some(),
        "status": (if s.failed { "failure" } else { "success" }),
    });
    let timing = json!({
        "mountTime": mount_time as f64,
        "positionTime": 0.0,
        "waitInstructionsTime": 0.0,
        "waitFreeMemoryTime": 0.0,
        "waitDataTime": 0.0,
        "waitReportingTime": 0.0,
        "checksumingTime": 0.0,
        "readWriteTime": transfer_time as f64,
        "flushTime": 0.0,
        "unloadTime": 0.0,
        "unmountTime": unmount_time as f64,
        "encryptionControlTime": 0.0,
        "transferTime": transfer_time as f64,
        "totalTime": total as f64,
        "deliveryTime": total as f64,
        "drainingTime": 0.0,
        "dataVolume": s.data_volume.to_string(),
        "filesCount": s.files.to_string(),
        "headerVolume": s.header_volume,
        "payloadTransferSpeedMBps": mbps(s.data_volume, total),
        "driveTransferSpeedMBps": format!("{:?}", mbps(s.data_volume + s.header_volume, total)),
    });
    let Some(obj) = r.as_object_mut() else { return r };
    for part in [mount, timing] {
        if let Value::Object(fields) = part {
            obj.extend(fields);
        }
    }
    if m.mount_type == "RETRIEVE" {
        let split: Map<String, Value> = [
            ("repackFilesCount", s.repack_files),
            ("userFilesCount", s.user_files),
            ("verifiedFilesCount", 0),
            ("repackBytesCount", s.repack_bytes),
            ("userBytesCount", s.user_bytes),
            ("verifiedBytesCount", 0),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), Value::from(v)))
        .collect();
        obj.extend(split);
    }
    r
}

/// Appends one record as one line with one `write` on an `O_APPEND` descriptor, so lines of
/// overlapping runs never interleave.
///
/// # Errors
/// The directory cannot be created or the file cannot be written.
pub(crate) fn append(instance_dir: &Path, record: &Value) -> crate::error::Result<()> {
    let path = path(instance_dir);
    if let Some(dir) = path.parent() {
        // The instance's modes, whatever the umask of the run (crate::files).
        crate::files::make_dir(dir, crate::files::DIR)?;
    }
    let mut line = serde_json::to_vec(record).map_err(std::io::Error::other)?;
    line.push(b'\n');
    let created = !path.exists();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(crate::files::DATA)
        .open(&path)?;
    if created {
        use std::os::unix::fs::PermissionsExt as _;
        f.set_permissions(std::fs::Permissions::from_mode(crate::files::DATA))?;
    }
    let n = f.write(&line)?;
    if n != line.len() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::WriteZero,
            format!("short write to {}: {n} of {} bytes", path.display(), line.len()),
        )
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mount() -> MountInfo<'static> {
        MountInfo {
            drive: "DRV01",
            host: "tpsrv01",
            logical_library: "LIB1",
            vid: "V00001",
            pool: "pool1",
            vo: "vo1",
            mount_type: "RETRIEVE",
            session: 7,
        }
    }

    #[test]
    fn record_carries_ctas_keys_and_split() {
        let s = SessionStats {
            start: 86_400,
            transfer_start: Some(86_460),
            unmount_start: Some(86_470),
            end: 86_500,
            files: 2,
            data_volume: 2_000_000,
            header_volume: 960,
            user_files: 1,
            user_bytes: 1_000_000,
            repack_files: 1,
            repack_bytes: 1_000_000,
            failed: false,
        };
        let r = record(&mount(), &s);
        assert_eq!(r["mountType"], "Retrieve");
        assert_eq!(r["local_time"], "1970-01-02T00:01:40+0000");
        assert_eq!(r["dataVolume"], "2000000");
        assert_eq!(r["filesCount"], "2");
        assert_eq!(r["mountTime"], 60.0);
        assert_eq!(r["transferTime"], 10.0);
        assert_eq!(r["unmountTime"], 30.0);
        assert_eq!(r["repackFilesCount"], 1);
        assert_eq!(r["status"], "success");
        assert_eq!(r["payloadTransferSpeedMBps"], 0.02);
    }

    #[test]
    fn append_writes_one_line_per_record() {
        let dir = tempfile::tempdir().unwrap();
        let s = SessionStats {
            failed: true,
            ..SessionStats::default()
        };
        append(dir.path(), &record(&mount(), &s)).unwrap();
        append(dir.path(), &record(&mount(), &s)).unwrap();
        let text = std::fs::read_to_string(path(dir.path())).unwrap();
        let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1]["status"], "failure");
        assert_eq!(lines[1]["mountAttempted"], "0");
    }
}
