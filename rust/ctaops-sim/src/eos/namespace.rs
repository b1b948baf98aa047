//! The disk instances' namespace as EOS shows it: `SIM_DISK_FILE` (what the disk side sent to
//! CTA) seen through EOS's file metadata (fid/fxid, owner, size, adler32, extended attributes,
//! replica locations).
//!
//! Two extended attributes are kept: `sys.archive.file_id` (the archive file ID, fixed when the
//! file was created) and `sys.archive.storage_class` (EOS's copy of the class: the
//! `STORAGE_CLASS_NAME` column of `SIM_DISK_FILE`, which `cta-admin archivefile ch` does not
//! touch, so EOS and the catalogue may disagree as on a real instance).

use serde_json::{Map, Value, json};

use crate::catalogue::{Db, OptionalExtension as _};
use crate::params;

/// EOS's file system ID of the tape replica (`EOS_TAPE_FSID`): a file with a copy on tape shows
/// this location.
pub const TAPE_FSID: u64 = 65_535;
/// The disk replica's file system ID in the simulated instance (one disk file system).
pub const DISK_FSID: u64 = 1;

/// The archive file ID attribute.
pub const XATTR_FILE_ID: &str = "sys.archive.file_id";
/// The storage class attribute.
pub const XATTR_STORAGE_CLASS: &str = "sys.archive.storage_class";

/// How a request names a file (`mgm.path`: `fxid:HEX`, `fid:DEC` or a path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRef {
    Fid(u64),
    Path(String),
}

/// Why a namespace call failed, as EOS's `retc` (an errno) and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NsError {
    pub retc: i32,
    pub message: String,
}

pub const ENOENT: i32 = 2;
pub const EPERM: i32 = 1;
pub const EACCES: i32 = 13;
pub const EINVAL: i32 = 22;
pub const ENODATA: i32 = 61;
pub const EOPNOTSUPP: i32 = 95;
pub const EIO: i32 = 5;

impl NsError {
    pub fn new(retc: i32, message: impl Into<String>) -> Self {
        Self {
            retc,
            message: message.into(),
        }
    }
}

impl From<crate::error::SimError> for NsError {
    fn from(e: crate::error::SimError) -> Self {
        Self::new(EIO, e.to_string())
    }
}

impl FileRef {
    /// Reads `mgm.path`.
    pub fn parse(s: &str) -> Result<Self, NsError> {
        let bad = || NsError::new(EINVAL, format!("error: invalid file identifier '{s}'"));
        if let Some(hex) = s.strip_prefix("fxid:") {
            u64::from_str_radix(hex, 16).map(Self::Fid).map_err(|_| bad())
        } else if let Some(dec) = s.strip_prefix("fid:") {
            dec.parse().map(Self::Fid).map_err(|_| bad())
        } else if s.starts_with('/') {
            Ok(Self::Path(s.to_owned()))
        } else {
            Err(bad())
        }
    }

    fn shown(&self) -> String {
        match self {
            Self::Fid(f) => format!("fxid:{f:08x}"),
            Self::Path(p) => p.clone(),
        }
    }
}

/// One file of a disk instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EosFile {
    pub archive_id: i64,
    pub path: String,
    pub disk_file_id: String,
    pub uid: i64,
    pub gid: i64,
    pub size: i64,
    pub storage_class: String,
    pub ctime: i64,
    /// The catalogue's adler32 (none while the file is only queued).
    pub adler32: Option<i64>,
    /// Whether a tape copy exists (EOS shows location 65535).
    pub on_tape: bool,
}

const SELECT: &str = "SELECT D.ARCHIVE_FILE_ID, D.DISK_FILE_PATH, D.DISK_FILE_ID, D.DISK_FILE_UID, D.DISK_FILE_GID,
  D.SIZE_IN_BYTES, D.STORAGE_CLASS_NAME, D.CREATION_TIME, A.CHECKSUM_ADLER32,
  (SELECT COUNT(*) FROM TAPE_FILE T WHERE T.ARCHIVE_FILE_ID = D.ARCHIVE_FILE_ID)
  FROM SIM_DISK_FILE D LEFT JOIN ARCHIVE_FILE A ON A.ARCHIVE_FILE_ID = D.ARCHIVE_FILE_ID
  WHERE D.DISK_INSTANCE_NAME = ?1";

/// Finds a file of `instance`.
pub fn lookup(conn: &Db, instance: &str, file: &FileRef) -> Result<EosFile, NsError> {
    let (cond, key) = match file {
        FileRef::Fid(f) => ("D.DISK_FILE_ID = ?2", f.to_string()),
        FileRef::Path(p) => ("D.DISK_FILE_PATH = ?2", p.clone()),
    };
    let row = conn
        .query_row(&format!("{SELECT} AND {cond}"), params![instance, key], |r| {
            Ok(EosFile {
                archive_id: r.get(0)?,
                path: r.get(1)?,
                disk_file_id: r.get(2)?,
                uid: r.get(3)?,
                gid: r.get(4)?,
                size: r.get(5)?,
                storage_class: r.get(6)?,
                ctime: r.get(7)?,
                adler32: r.get(8)?,
                on_tape: r.get::<i64>(9)? > 0,
            })
        })
        .optional()
        .map_err(NsError::from)?;
    row.ok_or_else(|| {
        NsError::new(
            ENOENT,
            format!("error: cannot stat '{}': No such file or directory", file.shown()),
        )
    })
}

impl EosFile {
    /// The decimal fid (0 when the disk file ID is not a number, which EOS never sends).
    #[must_use]
    pub fn fid(&self) -> u64 {
        self.disk_file_id.parse().unwrap_or(0)
    }

    #[must_use]
    pub fn xattrs(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert(XATTR_FILE_ID.into(), Value::String(self.archive_id.to_string()));
        m.insert(XATTR_STORAGE_CLASS.into(), Value::String(self.storage_class.clone()));
        m
    }

    /// What `eos -j file info` prints of the file.
    #[must_use]
    pub fn info_json(&self) -> Value {
        let mut locations = vec![
            json!({"fsid": DISK_FSID, "schedgroup": "default.0", "fstpath": format!("/data01/{:08x}", self.fid())}),
        ];
        if self.on_tape {
            locations.push(json!({"fsid": TAPE_FSID, "schedgroup": "tape", "fstpath": ""}));
        }
        let name = self.path.rsplit('/').next().unwrap_or_default();
        json!({
            "path": self.path,
            "name": name,
            "id": self.fid(),
            "fxid": format!("{:08x}", self.fid()),
            "size": self.size,
            "uid": self.uid,
            "gid": self.gid,
            "ctime": self.ctime,
            "mtime": self.ctime,
            "checksumtype": if self.adler32.is_some() { "adler" } else { "none" },
            "checksumvalue": self.adler32.map(|a| format!("{a:08x}")).unwrap_or_default(),
            "nstripes": locations.len(),
            "locations": locations,
            "xattr": self.xattrs(),
            "retc": 0,
        })
    }
}

/// Sets an extended attribute. Only `sys.archive.storage_class` can be changed: the archive
/// file ID is what ties the file to CTA, and the simulator keeps no other attributes.
pub fn set_xattr(conn: &Db, instance: &str, file: &FileRef, key: &str, value: &str) -> Result<EosFile, NsError> {
    let f = lookup(conn, instance, file)?;
    match key {
        XATTR_STORAGE_CLASS => {
            conn.execute(
                "UPDATE SIM_DISK_FILE SET STORAGE_CLASS_NAME = ?2 WHERE ARCHIVE_FILE_ID = ?1",
                params![f.archive_id, value],
            )
            .map_err(NsError::from)?;
            lookup(conn, instance, file)
        }
        XATTR_FILE_ID => Err(NsError::new(
            EPERM,
            format!("error: {XATTR_FILE_ID} of {} is fixed by the archive workflow", f.path),
        )),
        _ => Err(NsError::new(
            EOPNOTSUPP,
            format!("error: the simulator keeps only {XATTR_FILE_ID} and {XATTR_STORAGE_CLASS}, not {key}"),
        )),
    }
}

/// Reads an extended attribute.
pub fn get_xattr(conn: &Db, instance: &str, file: &FileRef, key: &str) -> Result<String, NsError> {
    let f = lookup(conn, instance, file)?;
    match f.xattrs().get(key) {
        Some(Value::String(v)) => Ok(v.clone()),
        _ => Err(NsError::new(
            ENODATA,
            format!(
                "error: unable to get attribute '{key}' of {}: No data available",
                f.path
            ),
        )),
    }
}

/// Files per disk instance (every instance of the catalogue, 0 included).
pub fn count_per_instance(conn: &Db) -> crate::error::Result<Vec<(String, u64)>> {
    let mut st = conn.prepare(
        "SELECT I.DISK_INSTANCE_NAME, (SELECT COUNT(*) FROM SIM_DISK_FILE D WHERE D.DISK_INSTANCE_NAME = I.DISK_INSTANCE_NAME)
         FROM DISK_INSTANCE I ORDER BY I.DISK_INSTANCE_NAME",
    )?;
    let mut rows = st.query(())?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push((r.get(0)?, crate::catalogue::uint(r, 1)?));
    }
    Ok(out)
}
