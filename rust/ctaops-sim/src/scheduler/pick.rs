//! Which mount a free drive gets, by CTA's rules (`scheduler/Scheduler.cpp`,
//! `Scheduler::sortAndGetTapesForMountInfo` and `getNextMount`; the order is
//! `SchedulerDatabase::PotentialMount::operator<` in `scheduler/SchedulerDatabase.hpp`):
//!
//! - every queue is a potential mount: archive queues per (tape pool, mount type), retrieve
//!   queues per tape; a repack's mounts (archive for repack, retrieve of a tape being repacked)
//!   count against the repack VO and are dropped when there is none;
//! - a potential mount passes when its bytes or files, divided by one plus the mounts already
//!   serving the same archive queue, reach taped's `MountCriteria` (doubled for archive for
//!   repack), or when nothing serves it yet and its oldest request is older than the smallest
//!   minimum request age of its mount policies;
//! - it is dropped while its VO already has `readMaxDrives`/`writeMaxDrives` mounts of its kind;
//! - the rest go highest priority first, then user archives before other kinds, then oldest
//!   request first, then by VID;
//! - the drive takes the first that it can serve: an archive needs a writable tape of the pool in
//!   the drive's logical library (fullest first, as `getTapesForWriting` hands out partial tapes),
//!   a retrieve needs its tape in the drive's logical library and not mounted elsewhere.

use std::path::Path;

use crate::catalogue::{Db, OptionalExtension};
use crate::error::{Result, SimError};
use crate::instance::Instance;
use crate::params;

use super::session::{Active, Kind};
use super::{Mount, RunOptions, RunReport, next_session};

/// taped's `MountCriteria`: the bytes and files that warrant a mount before the minimum age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MountCriteria {
    pub bytes: u64,
    pub files: u64,
}

impl Default for MountCriteria {
    /// `taped MountCriteria 500000000000,10000` (`taped/daemon/cta-taped.example.conf`).
    fn default() -> Self {
        Self {
            bytes: 500_000_000_000,
            files: 10_000,
        }
    }
}

impl MountCriteria {
    /// Parses taped's `BYTES,FILES`.
    ///
    /// # Errors
    /// [`SimError::Usage`] for anything else.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || {
            SimError::Usage(format!(
                "MountCriteria: '{s}' is not BYTES,FILES (e.g. 500000000000,10000)"
            ))
        };
        let (b, f) = s.split_once(',').ok_or_else(bad)?;
        Ok(Self {
            bytes: b.trim().parse().map_err(|_| bad())?,
            files: f.trim().parse().map_err(|_| bad())?,
        })
    }

    /// The `taped MountCriteria` line of a cta-taped.conf, or the default when the file or the
    /// line is missing.
    ///
    /// # Errors
    /// An unreadable file or a malformed value.
    pub fn from_taped_conf(path: &Path) -> Result<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(e.into()),
        };
        for line in text.lines() {
            let mut words = line.split_whitespace();
            if let (Some("taped"), Some("MountCriteria"), Some(v)) = (words.next(), words.next(), words.next()) {
                return Self::parse(v).map_err(|e| SimError::Usage(format!("{}: {e}", path.display())));
            }
        }
        Ok(Self::default())
    }
}

/// One queue that could be mounted.
#[derive(Debug, Clone)]
struct Potential {
    /// `ARCHIVE_FOR_USER`, `ARCHIVE_FOR_REPACK` or `RETRIEVE`.
    mount_type: String,
    pool: String,
    /// The tape of a retrieve queue.
    vid: Option<String>,
    vo: String,
    priority: i64,
    min_age: i64,
    oldest: i64,
    files: i64,
    bytes: i64,
}

impl Potential {
    fn is_archive(&self) -> bool {
        self.mount_type.starts_with("ARCHIVE")
    }
}

/// A drive that can take a mount now.
struct FreeDrive {
    name: String,
    address: i64,
    logical_library: String,
    state_file: String,
}

/// Archive queues (pool × mount type) with CTA's summary: highest priority and smallest minimum
/// age of their requests' mount policies, oldest request, files and bytes.
const ARCHIVE_QUEUES: &str = "SELECT Q.TAPE_POOL_NAME, Q.MOUNT_TYPE, P.VIRTUAL_ORGANIZATION_NAME,
   MAX(COALESCE(MP.ARCHIVE_PRIORITY, 0)), MIN(COALESCE(MP.ARCHIVE_MIN_REQUEST_AGE, 0)), MIN(Q.CREATION_TIME),
   COUNT(*), SUM(Q.SIZE_IN_BYTES)
 FROM SIM_ARCHIVE_QUEUE Q LEFT JOIN MOUNT_POLICY MP ON MP.MOUNT_POLICY_NAME = Q.MOUNT_POLICY_NAME
   LEFT JOIN TAPE_POOL P ON P.TAPE_POOL_NAME = Q.TAPE_POOL_NAME
 GROUP BY Q.TAPE_POOL_NAME, Q.MOUNT_TYPE, P.VIRTUAL_ORGANIZATION_NAME";

/// Retrieve queues (one per tape); a tape being repacked, or a queue holding repack retrieves,
/// is a repack mount.
const RETRIEVE_QUEUES: &str = "SELECT T.TAPE_POOL_NAME, Q.VID, P.VIRTUAL_ORGANIZATION_NAME,
   MAX(COALESCE(MP.RETRIEVE_PRIORITY, 0)), MIN(COALESCE(MP.RETRIEVE_MIN_REQUEST_AGE, 0)), MIN(Q.CREATION_TIME),
   COUNT(*), SUM(Q.SIZE_IN_BYTES), MAX(Q.REPACK), MAX(CASE WHEN T.TAPE_STATE LIKE 'REPACKING%' THEN 1 ELSE 0 END)
 FROM SIM_RETRIEVE_QUEUE Q LEFT JOIN MOUNT_POLICY MP ON MP.MOUNT_POLICY_NAME = Q.MOUNT_POLICY_NAME
   JOIN TAPE T ON T.VID = Q.VID LEFT JOIN TAPE_POOL P ON P.TAPE_POOL_NAME = T.TAPE_POOL_NAME
 GROUP BY T.TAPE_POOL_NAME, Q.VID, P.VIRTUAL_ORGANIZATION_NAME";

type QueueRow = (String, String, Option<String>, i64, i64, i64, i64, i64);

/// The eight summary columns both queue queries start with.
fn queue_row(r: &crate::catalogue::Row) -> Result<QueueRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

/// Every queue as a potential mount (before CTA's filters).
fn queues(conn: &Db) -> Result<Vec<Potential>> {
    let repack_vo: Option<String> = conn
        .query_row(
            "SELECT VIRTUAL_ORGANIZATION_NAME FROM VIRTUAL_ORGANIZATION WHERE IS_REPACK_VO = 1",
            (),
            |r| r.get(0),
        )
        .optional()?;
    let mut out = Vec::new();
    let archive: Vec<QueueRow> = conn
        .prepare(ARCHIVE_QUEUES)?
        .query_map((), queue_row)?
        .collect::<Result<_>>()?;
    for (pool, mount_type, vo, priority, min_age, oldest, files, bytes) in archive {
        let vo = if mount_type == "ARCHIVE_FOR_REPACK" {
            repack_vo.clone()
        } else {
            vo
        };
        // No repack VO: CTA does not consider repack mounts at all.
        let Some(vo) = vo else { continue };
        out.push(Potential {
            mount_type,
            pool,
            vid: None,
            vo,
            priority,
            min_age,
            oldest,
            files,
            bytes,
        });
    }
    let retrieve: Vec<(QueueRow, bool)> = conn
        .prepare(RETRIEVE_QUEUES)?
        .query_map((), |r| {
            let repacking = r.get::<i64>(8)? != 0 || r.get::<i64>(9)? != 0;
            Ok((queue_row(r)?, repacking))
        })?
        .collect::<Result<_>>()?;
    for ((pool, vid, vo, priority, min_age, oldest, files, bytes), repacking) in retrieve {
        let vo = if repacking { repack_vo.clone() } else { vo };
        let Some(vo) = vo else { continue };
        out.push(Potential {
            mount_type: "RETRIEVE".into(),
            pool,
            vid: Some(vid),
            vo,
            priority,
            min_age,
            oldest,
            files,
            bytes,
        });
    }
    Ok(out)
}

/// The mounts in progress: (tape pool, mount type, VO counted against).
fn existing(conn: &Db) -> Result<Vec<(String, String, String)>> {
    conn.prepare(
        "SELECT COALESCE(TAPE_POOL_NAME, ''), MOUNT_TYPE, COALESCE(VO, '') FROM SIM_DRIVE WHERE VID IS NOT NULL",
    )?
    .query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
    .collect()
}

fn basic_type(mount_type: &str) -> &str {
    if mount_type.starts_with("ARCHIVE") {
        "ARCHIVE"
    } else {
        mount_type
    }
}

/// The potential mounts that pass CTA's criteria and quotas at `t`, best first.
fn potential_mounts(conn: &Db, t: u64, criteria: &MountCriteria) -> Result<Vec<Potential>> {
    let mounts = existing(conn)?;
    let limits: Vec<(String, i64, i64)> = conn
        .prepare("SELECT VIRTUAL_ORGANIZATION_NAME, READ_MAX_DRIVES, WRITE_MAX_DRIVES FROM VIRTUAL_ORGANIZATION")?
        .query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_>>()?;
    let mut out: Vec<Potential> = queues(conn)?
        .into_iter()
        .filter(|p| {
            let same_queue = mounts
                .iter()
                .filter(|(pool, ty, _)| *pool == p.pool && *ty == p.mount_type)
                .count();
            let effective = if p.is_archive() { same_queue as u64 } else { 0 };
            let factor = if p.mount_type == "ARCHIVE_FOR_REPACK" { 2 } else { 1 };
            let files = u64::try_from(p.files).unwrap_or(0);
            let bytes = u64::try_from(p.bytes).unwrap_or(0);
            let passes = bytes / (1 + effective) >= criteria.bytes * factor
                || files / (1 + effective) >= criteria.files * factor
                || (effective == 0 && age(t, p.oldest) > p.min_age);
            let in_use = mounts
                .iter()
                .filter(|(_, ty, vo)| *vo == p.vo && basic_type(ty) == basic_type(&p.mount_type))
                .count();
            let max = limits
                .iter()
                .find(|(vo, _, _)| *vo == p.vo)
                .map_or(0, |(_, read, write)| if p.is_archive() { *write } else { *read });
            passes && i64::try_from(in_use).unwrap_or(i64::MAX) < max
        })
        .collect();
    out.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then_with(|| (b.mount_type == "ARCHIVE_FOR_USER").cmp(&(a.mount_type == "ARCHIVE_FOR_USER")))
            .then_with(|| a.oldest.cmp(&b.oldest))
            .then_with(|| a.vid.cmp(&b.vid))
            .then_with(|| a.pool.cmp(&b.pool))
    });
    Ok(out)
}

fn age(t: u64, oldest: i64) -> i64 {
    i64::try_from(t).unwrap_or(i64::MAX) - oldest
}

/// The earliest time after `t` at which a queue nothing serves reaches its minimum age (what an
/// idle scheduler waits for); `None` when no queue waits for its age.
pub(super) fn next_ready(conn: &Db, t: u64, criteria: &MountCriteria) -> Result<Option<u64>> {
    let mounts = existing(conn)?;
    let passing = potential_mounts(conn, t, criteria)?;
    Ok(queues(conn)?
        .into_iter()
        .filter(|p| {
            age(t, p.oldest) <= p.min_age
                && !(p.is_archive()
                    && mounts
                        .iter()
                        .any(|(pool, ty, _)| *pool == p.pool && *ty == p.mount_type))
                && !passing
                    .iter()
                    .any(|q| q.mount_type == p.mount_type && q.pool == p.pool && q.vid == p.vid)
        })
        .filter_map(|p| u64::try_from(p.oldest + p.min_age + 1).ok())
        .min())
}

/// Drives that are up, idle and in an enabled logical library.
fn free_drives(conn: &Db) -> Result<Vec<FreeDrive>> {
    conn.prepare(
        "SELECT D.DRIVE_NAME, D.ELEMENT_ADDRESS, D.LOGICAL_LIBRARY_NAME, PL.STATE_FILE FROM SIM_DRIVE D
           JOIN LOGICAL_LIBRARY L ON L.LOGICAL_LIBRARY_NAME = D.LOGICAL_LIBRARY_NAME
           JOIN PHYSICAL_LIBRARY PL ON PL.PHYSICAL_LIBRARY_NAME = L.PHYSICAL_LIBRARY_NAME
         WHERE D.DESIRED_UP = 1 AND D.STATUS = 'UP' AND D.FAILED = 0 AND L.IS_DISABLED = 0 AND D.VID IS NULL
         ORDER BY D.DRIVE_NAME",
    )?
    .query_map((), |r| {
        Ok(FreeDrive {
            name: r.get(0)?,
            address: r.get(1)?,
            logical_library: r.get(2)?,
            state_file: r.get(3)?,
        })
    })?
    .collect()
}

/// A tape of `pool` in `library` that can take new files (`getTapesForWriting`), fullest first.
fn tape_for_writing(conn: &Db, pool: &str, library: &str) -> Result<Option<String>> {
    conn.query_row(
        "SELECT T.VID FROM TAPE T WHERE T.TAPE_POOL_NAME = ?1 AND T.LOGICAL_LIBRARY_NAME = ?2 AND T.TAPE_STATE = 'ACTIVE'
           AND T.IS_FULL = 0 AND T.IS_FROM_CASTOR = 0 AND T.LABEL_TIME IS NOT NULL
           AND T.VID NOT IN (SELECT VID FROM SIM_DRIVE WHERE VID IS NOT NULL)
           AND T.VID NOT IN (SELECT TARGET FROM SIM_FAULT WHERE KIND = 'unreadable')
         ORDER BY T.DATA_IN_BYTES DESC, T.VID LIMIT 1",
        params![pool, library],
        |r| r.get(0),
    )
    .optional()
}

/// Can `library` serve a retrieve of `vid` now (tape there, readable state, not mounted)?
fn tape_for_reading(conn: &Db, vid: &str, library: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM TAPE T WHERE T.VID = ?1 AND T.LOGICAL_LIBRARY_NAME = ?2 AND T.TAPE_STATE IN ('ACTIVE', 'REPACKING')
               AND T.VID NOT IN (SELECT VID FROM SIM_DRIVE WHERE VID IS NOT NULL)",
            params![vid, library],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Offers every free drive the best mount it can serve, until none can take one.
pub(super) fn fill_free_drives(
    inst: &Instance,
    conn: &mut Db,
    criteria: &MountCriteria,
    active: &mut Vec<Active>,
    report: &mut RunReport,
    t: u64,
    opts: &RunOptions,
) -> Result<()> {
    loop {
        let drives = free_drives(conn)?;
        if drives.is_empty() {
            return Ok(());
        }
        let candidates = potential_mounts(conn, t, criteria)?;
        let mut chosen = None;
        'drives: for d in &drives {
            for p in &candidates {
                let vid = match &p.vid {
                    None => tape_for_writing(conn, &p.pool, &d.logical_library)?,
                    Some(v) => tape_for_reading(conn, v, &d.logical_library)?.then(|| v.clone()),
                };
                if let Some(vid) = vid {
                    chosen = Some((d, p, vid));
                    break 'drives;
                }
            }
        }
        let Some((d, p, vid)) = chosen else {
            return Ok(());
        };
        let m = Mount {
            drive: d.name.clone(),
            address: u16::try_from(d.address).unwrap_or(0),
            library_state: inst.dir.join(&d.state_file),
            vid,
            pool: p.pool.clone(),
            vo: p.vo.clone(),
            session: next_session(conn)?,
        };
        let kind = if p.is_archive() {
            Kind::Archive {
                mount_type: p.mount_type.clone(),
            }
        } else {
            Kind::Retrieve
        };
        if let Some(a) = Active::start(inst, conn, m, kind, report, t, opts)? {
            active.push(a);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_criteria_come_from_taped_conf_or_default() {
        assert_eq!(
            MountCriteria::parse("2000000, 100").unwrap(),
            MountCriteria {
                bytes: 2_000_000,
                files: 100
            }
        );
        assert!(MountCriteria::parse("2000000").is_err());
        assert!(MountCriteria::parse("x,1").is_err());
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("cta-taped.conf");
        assert_eq!(MountCriteria::from_taped_conf(&conf).unwrap(), MountCriteria::default());
        std::fs::write(&conf, "# comment\ntaped BufferCount 10\ntaped MountCriteria 1000,5\n").unwrap();
        assert_eq!(
            MountCriteria::from_taped_conf(&conf).unwrap(),
            MountCriteria { bytes: 1000, files: 5 }
        );
        std::fs::write(&conf, "taped MountCriteria lots\n").unwrap();
        let err = MountCriteria::from_taped_conf(&conf).unwrap_err().to_string();
        assert!(err.contains("cta-taped.conf") && err.contains("BYTES,FILES"), "{err}");
    }
}
