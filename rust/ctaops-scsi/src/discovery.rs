//! Device discovery through sysfs (no lsscsi needed): which `/dev/sgN` is a changer or a tape
//! drive, its identity and serial (cached VPD 0x80), and the `/dev/nstN` of each drive.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::inquiry::{TYPE_CHANGER, TYPE_TAPE, parse_vpd80};

/// One SCSI generic device as sysfs describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScsiDevice {
    /// `/dev/sgN`.
    pub sg: String,
    /// `H:C:T:L` when the device link resolves.
    pub hctl: Option<String>,
    pub device_type: u8,
    pub vendor: String,
    pub model: String,
    pub revision: String,
    pub serial: Option<String>,
    /// Non-rewinding st node (`/dev/nstN`) for tape drives.
    pub nst: Option<String>,
}

impl ScsiDevice {
    #[must_use]
    pub fn is_changer(&self) -> bool {
        self.device_type == TYPE_CHANGER
    }

    #[must_use]
    pub fn is_tape(&self) -> bool {
        self.device_type == TYPE_TAPE
    }
}

fn read_trim(p: &Path) -> Option<String> {
    fs::read_to_string(p).ok().map(|s| s.trim().to_owned())
}

/// `nst` + digits only (not the `l`/`m`/`a` mode variants).
fn nst_name(name: &str) -> Option<&str> {
    let name = name.strip_prefix("scsi_tape:").unwrap_or(name);
    let digits = name.strip_prefix("nst")?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(name)
}

fn find_nst(device: &Path) -> Option<String> {
    let mut names: Vec<String> = Vec::new();
    for dir in [device.join("scsi_tape"), device.to_path_buf()] {
        if let Ok(rd) = fs::read_dir(&dir) {
            names.extend(
                rd.flatten()
                    .filter_map(|e| nst_name(&e.file_name().to_string_lossy()).map(str::to_owned)),
            );
        }
    }
    names.sort();
    names.into_iter().next().map(|n| format!("/dev/{n}"))
}

/// Lists every sg device under `sysfs` (normally `/sys`), sorted by sg number. Entries that cannot
/// be read are skipped: discovery must work on a server with unrelated broken devices.
#[must_use]
pub fn scan(sysfs: &Path) -> Vec<ScsiDevice> {
    let Ok(rd) = fs::read_dir(sysfs.join("class/scsi_generic")) else {
        return Vec::new();
    };
    let mut out: Vec<(u32, ScsiDevice)> = Vec::new();
    for entry in rd.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(n) = name.strip_prefix("sg").and_then(|d| d.parse::<u32>().ok()) else {
            continue;
        };
        let device = entry.path().join("device");
        let Some(device_type) = read_trim(&device.join("type")).and_then(|t| t.parse::<u8>().ok()) else {
            continue;
        };
        let hctl = fs::canonicalize(&device)
            .ok()
            .and_then(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
            .filter(|h| h.split(':').count() == 4);
        let serial = fs::read(device.join("vpd_pg80"))
            .ok()
            .and_then(|b| parse_vpd80(&b).ok())
            .filter(|s| !s.is_empty());
        out.push((
            n,
            ScsiDevice {
                sg: format!("/dev/{name}"),
                hctl,
                device_type,
                vendor: read_trim(&device.join("vendor")).unwrap_or_default(),
                model: read_trim(&device.join("model")).unwrap_or_default(),
                revision: read_trim(&device.join("rev")).unwrap_or_default(),
                serial,
                nst: if device_type == TYPE_TAPE {
                    find_nst(&device)
                } else {
                    None
                },
            },
        ));
    }
    out.sort_by_key(|(n, _)| *n);
    out.into_iter().map(|(_, d)| d).collect()
}

/// The default sysfs root.
#[must_use]
pub fn default_sysfs() -> PathBuf {
    PathBuf::from("/sys")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a sysfs tree like the kernel's: class/scsi_generic/sgN/device -> devices/H:C:T:L.
    fn fake(root: &Path, sg: &str, hctl: &str, ty: u8, model: &str, serial: Option<&str>, tape: Option<&[&str]>) {
        let dev = root.join("devices").join(hctl);
        fs::create_dir_all(&dev).unwrap();
        fs::write(dev.join("type"), format!("{ty}\n")).unwrap();
        fs::write(dev.join("vendor"), "IBM     \n").unwrap();
        fs::write(dev.join("model"), format!("{model}\n")).unwrap();
        fs::write(dev.join("rev"), "Q3B4\n").unwrap();
        if let Some(s) = serial {
            fs::write(dev.join("vpd_pg80"), crate::inquiry::encode_vpd80(ty, s)).unwrap();
        }
        if let Some(names) = tape {
            fs::create_dir_all(dev.join("scsi_tape")).unwrap();
            for n in names {
                fs::create_dir_all(dev.join("scsi_tape").join(n)).unwrap();
            }
        }
        let class = root.join("class/scsi_generic").join(sg);
        fs::create_dir_all(&class).unwrap();
        std::os::unix::fs::symlink(&dev, class.join("device")).unwrap();
    }

    #[test]
    fn finds_changers_drives_and_their_nodes() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        fake(
            r,
            "sg10",
            "6:0:1:0",
            1,
            "ULT3580-TD9",
            Some("1078000012"),
            Some(&["st0", "nst0", "nst0l", "st0a"]),
        );
        fake(r, "sg2", "6:0:0:1", 8, "03584L32", Some("0000078A0001"), None);
        fake(r, "sg3", "7:0:0:0", 0, "DISK", None, None);
        fs::create_dir_all(r.join("class/scsi_generic/sg9")).unwrap(); // no device link: skipped
        let devs = scan(r);
        assert_eq!(
            devs.iter().map(|d| d.sg.as_str()).collect::<Vec<_>>(),
            ["/dev/sg2", "/dev/sg3", "/dev/sg10"]
        );
        assert!(devs[0].is_changer());
        assert_eq!(devs[0].hctl.as_deref(), Some("6:0:0:1"));
        assert_eq!(devs[0].nst, None);
        let d = &devs[2];
        assert!(d.is_tape());
        assert_eq!(
            (d.serial.as_deref(), d.nst.as_deref(), d.model.as_str()),
            (Some("1078000012"), Some("/dev/nst0"), "ULT3580-TD9")
        );
        assert!(scan(&r.join("missing")).is_empty());
    }

    #[test]
    fn old_kernel_scsi_tape_links() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        fake(r, "sg0", "1:0:0:0", 1, "ULT3580-TD8", None, None);
        fs::create_dir_all(r.join("devices/1:0:0:0/scsi_tape:nst3")).unwrap();
        assert_eq!(scan(r)[0].nst.as_deref(), Some("/dev/nst3"));
    }
}
