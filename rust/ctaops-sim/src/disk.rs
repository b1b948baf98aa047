//! The disk side of the simulator: what an EOS instance sends to CTA and keeps for each file.
//!
//! EOS sends CTA a CREATE event (the archive file ID is assigned), a CLOSEW event (the archive
//! request is queued) and, when a user removes the file, a DELETE event
//! (`frontend/common/WorkflowEvent.cpp`). The simulator keeps the disk side's view of each file
//! in `SIM_DISK_FILE` (path, disk file ID, owner, size, storage class, requester) because CTA's
//! catalogue keeps no path (v15 `ARCHIVE_FILE` has none) while the DELETE event carries one,
//! which CTA writes into `FILE_RECYCLE_LOG.DISK_FILE_PATH`.
//!
//! Here too: the frontend's zero-length rule, the `disk-read-fail` fault (taped's placeholder
//! after a failed disk read) and `sim delete` (EOS's DELETE through `Scheduler::deleteArchive`).

use std::io::Read;

use crate::archive::Requester;
use crate::catalogue::{Db, OptionalExtension, now, write_tx};
use crate::error::{Result, SimError, user};
use crate::instance::Instance;
use crate::params;

/// The frontend settings of the archive path (`DIR/cta-frontend.conf`, CTA's keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontendSettings {
    /// `cta.archivefile.zero_length_files_forbidden` (CTA's default: on).
    pub zero_length_forbidden: bool,
    /// `cta.archivefile.zero_length_files_forbidden_vo_exception_list`: VOs exempted.
    pub zero_length_exempt_vos: Vec<String>,
}

impl Default for FrontendSettings {
    fn default() -> Self {
        Self {
            zero_length_forbidden: true,
            zero_length_exempt_vos: Vec::new(),
        }
    }
}

impl FrontendSettings {
    /// Reads the settings from a frontend configuration text (`frontend/common/FrontendService.cpp`:
    /// a missing key means "forbidden", CTA's compile-time default).
    pub fn parse(text: &str) -> Result<Self> {
        let mut s = Self::default();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("");
            let mut words = line.split_whitespace();
            match words.next() {
                Some("cta.archivefile.zero_length_files_forbidden") => {
                    s.zero_length_forbidden = match words.next() {
                        Some("true" | "on" | "yes" | "1") => true,
                        Some("false" | "off" | "no" | "0") => false,
                        other => {
                            return Err(SimError::Cta(format!(
                                "cta-frontend.conf: cta.archivefile.zero_length_files_forbidden must be a boolean, not '{}'",
                                other.unwrap_or("")
                            )));
                        }
                    };
                }
                Some("cta.archivefile.zero_length_files_forbidden_vo_exception_list") => {
                    s.zero_length_exempt_vos = words.map(str::to_owned).collect();
                }
                _ => {}
            }
        }
        Ok(s)
    }

    /// The instance's settings (`DIR/cta-frontend.conf`; absent = CTA's defaults).
    pub fn of(inst: &Instance) -> Result<Self> {
        match std::fs::read_to_string(crate::grpc_negotiate::frontend_conf(inst)) {
            Ok(text) => Self::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether a zero-length file of `vo` is refused (`WorkflowEvent::processCLOSEW`).
    #[must_use]
    pub fn zero_length_forbidden(&self, vo: &str) -> bool {
        self.zero_length_forbidden && !self.zero_length_exempt_vos.iter().any(|v| v == vo)
    }
}

/// A file as the disk side knows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiskFile {
    #[serde(rename = "archiveId")]
    pub archive_id: u64,
    #[serde(rename = "diskInstance")]
    pub instance: String,
    #[serde(rename = "diskFileId")]
    pub disk_file_id: String,
    pub path: String,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    #[serde(rename = "storageClass")]
    pub storage_class: String,
}

/// Refuses a second file at the same path or with the same disk file ID on one disk instance
/// (EOS paths and fids are unique; CTA's ARCHIVE_FILE is unique on (instance, disk file ID)).
pub(crate) fn check_new_disk_file(tx: &Db, instance: &str, path: &str, disk_file_id: &str) -> Result<()> {
    let by_path: Option<i64> = tx
        .query_row(
            "SELECT ARCHIVE_FILE_ID FROM SIM_DISK_FILE WHERE DISK_INSTANCE_NAME = ?1 AND DISK_FILE_PATH = ?2",
            params![instance, path],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = by_path {
        return user(format!(
            "{path}: a file with this path already exists on disk instance {instance} (archive file ID {id})"
        ));
    }
    let by_fid: Option<i64> = tx
        .query_row(
            "SELECT ARCHIVE_FILE_ID FROM SIM_DISK_FILE WHERE DISK_INSTANCE_NAME = ?1 AND DISK_FILE_ID = ?2
             UNION ALL SELECT ARCHIVE_FILE_ID FROM ARCHIVE_FILE WHERE DISK_INSTANCE_NAME = ?1 AND DISK_FILE_ID = ?2",
            params![instance, disk_file_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = by_fid {
        return user(format!(
            "Disk file ID {disk_file_id} is already used on disk instance {instance} (archive file ID {id})"
        ));
    }
    Ok(())
}

/// Records a file the disk side sent to CTA.
pub(crate) fn record_disk_file(tx: &Db, f: &DiskFile, who: &Requester, t: u64) -> Result<()> {
    tx.execute(
        "INSERT INTO SIM_DISK_FILE(ARCHIVE_FILE_ID, DISK_INSTANCE_NAME, DISK_FILE_ID, DISK_FILE_PATH, DISK_FILE_UID, DISK_FILE_GID,
           SIZE_IN_BYTES, STORAGE_CLASS_NAME, REQUESTER, GROUPNAME, CREATION_TIME) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
        params![
            f.archive_id,
            f.instance,
            f.disk_file_id,
            f.path,
            f.uid,
            f.gid,
            f.size,
            f.storage_class,
            who.user,
            who.group,
            t
        ],
    )?;
    Ok(())
}

/// One written copy's archive file row, with the disk side's instance, fid and owner
/// (`ON CONFLICT DO NOTHING`: the second copy, or a repacked file, finds it there). A file
/// queued before the disk side was recorded belongs to its storage class's VO's instance.
#[expect(clippy::too_many_arguments, reason = "the columns of one row")]
pub(crate) fn insert_archive_file(
    tx: &Db,
    archive_id: i64,
    storage_class: &str,
    disk_file_id: &str,
    size: i64,
    blob: &[u8],
    adler32: u32,
    creation_time: i64,
    source: &str,
) -> Result<()> {
    let disk: Option<(String, i64, i64)> = tx
        .query_row(
            "SELECT DISK_INSTANCE_NAME, DISK_FILE_UID, DISK_FILE_GID FROM SIM_DISK_FILE WHERE ARCHIVE_FILE_ID = ?1",
            [archive_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let (instance, uid, gid) = match disk {
        Some(d) => d,
        None => (
            tx.query_row(
                "SELECT V.DISK_INSTANCE_NAME FROM STORAGE_CLASS S JOIN VIRTUAL_ORGANIZATION V
                 ON V.VIRTUAL_ORGANIZATION_NAME = S.VIRTUAL_ORGANIZATION_NAME WHERE S.STORAGE_CLASS_NAME = ?1",
                [storage_class],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_else(|| crate::init::DISK_INSTANCE.to_owned()),
            1000,
            1000,
        ),
    };
    tx.execute(
        "INSERT INTO ARCHIVE_FILE(ARCHIVE_FILE_ID, DISK_INSTANCE_NAME, DISK_FILE_ID, DISK_FILE_UID, DISK_FILE_GID,
           SIZE_IN_BYTES, CHECKSUM_BLOB, CHECKSUM_ADLER32, STORAGE_CLASS_NAME, CREATION_TIME, RECONCILIATION_TIME, SIM_SOURCE)
         VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11) ON CONFLICT DO NOTHING",
        params![archive_id, instance, disk_file_id, uid, gid, size, blob, adler32, storage_class, creation_time, source],
    )?;
    Ok(())
}

/// The `disk-read-fail` fault on an archive file, as the message taped's disk read would give.
pub(crate) fn read_fault(conn: &Db, archive_id: i64) -> Result<Option<String>> {
    let hit: Option<String> = conn
        .query_row(
            "SELECT D.DISK_FILE_PATH FROM SIM_FAULT F LEFT JOIN SIM_DISK_FILE D ON D.ARCHIVE_FILE_ID = ?1
             WHERE F.KIND = 'disk-read-fail' AND F.TARGET = ?2 LIMIT 1",
            params![archive_id, archive_id.to_string()],
            |r| r.get::<Option<String>>(0),
        )
        .optional()?
        .map(Option::unwrap_or_default);
    Ok(hit.map(|path| {
        format!("Failed to open the disk file {path} of archive file {archive_id} for reading (injected fault)")
    }))
}

/// A source whose first read fails: taped's disk read task marks its first memory block
/// failed, and the tape write task writes the "failing to read from disk" placeholder.
pub(crate) struct FailingRead(pub String);

impl Read for FailingRead {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other(self.0.clone()))
    }
}

/// A file the tape write task skipped after writing a placeholder (`TapeWriteTask::execute`,
/// `MigrationReportPacker::ReportSkipped`): the fSeq is consumed (LAST_FSEQ advances, no
/// TAPE_FILE row, no file counted) and the job fails, showing in `failedrequest ls` as an
/// ARCHIVE_REQUEST with the failure log. (CTA retries a failed job up to its retry limits,
/// each attempt leaving another placeholder; the simulator fails it at the first attempt.)
pub(crate) struct Skipped<'a> {
    pub drive: &'a str,
    pub vid: &'a str,
    pub pool: &'a str,
    pub request_id: i64,
    pub archive_id: i64,
    pub copy_nb: i64,
    pub fseq: u64,
    pub message: &'a str,
}

pub(crate) fn commit_skipped(conn: &mut Db, s: &Skipped<'_>) -> Result<()> {
    write_tx(conn, |tx| {
        let t = now(tx)?;
        tx.execute(
            "UPDATE TAPE SET LAST_FSEQ = ?2, LAST_WRITE_TIME = ?3 WHERE VID = ?1",
            params![s.vid, s.fseq, t],
        )?;
        let (requester, group): (String, String) = tx
            .query_row(
                "SELECT REQUESTER, GROUPNAME FROM SIM_DISK_FILE WHERE ARCHIVE_FILE_ID = ?1",
                [s.archive_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or_default();
        tx.execute(
            &format!(
                "INSERT INTO SIM_FAILED_REQUEST(OBJECT_ID, REQUEST_TYPE, ARCHIVE_FILE_ID, TAPE_POOL_NAME, COPY_NB, REQUESTER,
                   GROUPNAME, FAILURE_LOG, TOTAL_RETRIES, TIME) VALUES(?1, 'ARCHIVE_REQUEST', ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8){}",
                crate::catalogue::FAILED_REQUEST_UPSERT
            ),
            params![
                format!("ArchiveRequest-ctaops-sim-{}-{}", s.archive_id, s.request_id),
                s.archive_id,
                s.pool,
                s.copy_nb,
                requester,
                group,
                s.message,
                t
            ],
        )?;
        tx.execute("DELETE FROM SIM_ARCHIVE_QUEUE WHERE REQUEST_ID = ?1", [s.request_id])?;
        tx.execute(
            "UPDATE SIM_DRIVE SET LAST_UPDATE = ?2 WHERE DRIVE_NAME = ?1",
            params![s.drive, t],
        )?;
        Ok(())
    })
}

/// Which file a DELETE event names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A path on a disk instance (default: the only instance holding that path).
    Path { instance: Option<String>, path: String },
    /// The file whose `sys.archive.file_id` is this ID; `instance` is the disk instance sending
    /// the event (default: the file's own).
    ArchiveId { instance: Option<String>, id: u64 },
}

/// What a DELETE event did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Deleted {
    #[serde(rename = "archiveId")]
    pub archive_id: u64,
    #[serde(rename = "diskInstance")]
    pub instance: String,
    pub path: String,
    /// Archive requests cancelled (queued or failed copies).
    #[serde(rename = "cancelledRequests")]
    pub cancelled_requests: u64,
    /// Tape copies moved to the recycle log.
    #[serde(rename = "recycledCopies")]
    pub recycled_copies: u64,
}

/// CTA's recycle-log reason for the old copy of a repacked file
/// (`catalogue/InsertFileRecycleLog.hpp::getRepackReasonLog`).
pub const REPACK_REASON: &str = "REPACK";

/// CTA's recycle-log reason for a file deleted from the disk side
/// (`catalogue/InsertFileRecycleLog.hpp::getDeletionReasonLog`).
#[must_use]
pub fn deletion_reason(requester: &str, disk_instance: &str) -> String {
    format!("File deleted by {requester} from the {disk_instance} instance")
}

/// Plays EOS's DELETE event: `Scheduler::deleteArchive` cancels a queued archive request, then
/// `RdbmsArchiveFileCatalogue::moveArchiveFileToRecycleLog` checks the request against the
/// archived file and moves each tape copy to FILE_RECYCLE_LOG (reason
/// [`deletion_reason`], the event's path as DISK_FILE_PATH), marks those tapes dirty and
/// removes the ARCHIVE_FILE row. The disk side forgets the file. One transaction.
pub fn delete(inst: &Instance, target: &Target, who: &Requester) -> Result<Deleted> {
    let mut conn = inst.connect()?;
    write_tx(&mut conn, |tx| delete_in(tx, target, who))
}

fn delete_in(tx: &Db, target: &Target, who: &Requester) -> Result<Deleted> {
    // The disk side's entry: (archive ID, instance, path).
    let entry: Option<(i64, String, String)> = match target {
        Target::Path { instance, path } => {
            let rows: Vec<(i64, String, String)> = tx
                .prepare(
                    "SELECT ARCHIVE_FILE_ID, DISK_INSTANCE_NAME, DISK_FILE_PATH FROM SIM_DISK_FILE
                     WHERE DISK_FILE_PATH = ?1 AND (?2 = '' OR DISK_INSTANCE_NAME = ?2) ORDER BY DISK_INSTANCE_NAME",
                )?
                .query_map(params![path, instance.as_deref().unwrap_or("")], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?
                .collect::<Result<_>>()?;
            match rows.as_slice() {
                [] => {
                    return user(match instance {
                        Some(i) => format!("{path}: no such file on disk instance {i}"),
                        None => format!("{path}: no such file on any disk instance"),
                    });
                }
                [one] => Some(one.clone()),
                _ => {
                    return user(format!(
                        "{path} exists on disk instances {}: give --disk-instance",
                        rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>().join(", ")
                    ));
                }
            }
        }
        Target::ArchiveId { id, .. } => tx
            .query_row(
                "SELECT ARCHIVE_FILE_ID, DISK_INSTANCE_NAME, DISK_FILE_PATH FROM SIM_DISK_FILE WHERE ARCHIVE_FILE_ID = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?,
    };
    let archive_id = match (&entry, target) {
        (Some((id, _, _)), _) => *id,
        (None, Target::ArchiveId { id, .. }) => i64::try_from(*id).unwrap_or(i64::MAX),
        (None, Target::Path { .. }) => unreachable!("a path lookup either finds the entry or returns"),
    };
    let archived: Option<(String, String)> = tx
        .query_row(
            "SELECT DISK_INSTANCE_NAME, DISK_FILE_ID FROM ARCHIVE_FILE WHERE ARCHIVE_FILE_ID = ?1",
            [archive_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let queued: i64 = tx.query_row(
        "SELECT COUNT(*) FROM SIM_ARCHIVE_QUEUE WHERE ARCHIVE_FILE_ID = ?1 AND MOUNT_TYPE = 'ARCHIVE_FOR_USER'",
        [archive_id],
        |r| r.get(0),
    )?;
    if entry.is_none() && archived.is_none() && queued == 0 {
        return user(format!(
            "No file with archive file ID {archive_id} on any disk instance or in the catalogue"
        ));
    }
    // The event comes from the instance holding the file unless the caller says otherwise.
    let file_instance = entry
        .as_ref()
        .map(|e| e.1.clone())
        .or_else(|| archived.as_ref().map(|a| a.0.clone()))
        .unwrap_or_default();
    let request_instance = match target {
        Target::Path { instance, .. } | Target::ArchiveId { instance, .. } => {
            instance.clone().unwrap_or_else(|| file_instance.clone())
        }
    };
    let path = entry.as_ref().map(|e| e.2.clone()).unwrap_or_default();
    let mut out = Deleted {
        archive_id: u64::try_from(archive_id).unwrap_or(0),
        instance: request_instance.clone(),
        path: path.clone(),
        ..Deleted::default()
    };
    // Scheduler::deleteArchive: first make sure the file is no longer queued (cancelArchive
    // removes the request wherever it is, pending or failed).
    out.cancelled_requests = tx.execute(
        "DELETE FROM SIM_ARCHIVE_QUEUE WHERE ARCHIVE_FILE_ID = ?1 AND MOUNT_TYPE = 'ARCHIVE_FOR_USER'",
        [archive_id],
    )? as u64;
    out.cancelled_requests += tx.execute(
        "DELETE FROM SIM_FAILED_REQUEST WHERE ARCHIVE_FILE_ID = ?1 AND REQUEST_TYPE = 'ARCHIVE_REQUEST'",
        [archive_id],
    )? as u64;
    if let Some((af_instance, _)) = &archived {
        // RdbmsArchiveFileCatalogue::checkDeleteRequestConsistency, wrapped in
        // moveArchiveFileToRecycleLog's user error.
        if *af_instance != request_instance {
            return user(format!(
                "Failed to move archive file with ID {archive_id} to the file-recycle-log. errorMessage=Failed to move archive \
                 file with ID {archive_id} to the recycle-bin because the disk instance of the request does not match that of \
                 the archived file: archiveFileId={archive_id} requestDiskInstance={request_instance} \
                 archiveFileDiskInstance={af_instance}"
            ));
        }
        let t = now(tx)?;
        out.recycled_copies = recycle_archive_file(
            tx,
            archive_id,
            (!path.is_empty()).then_some(path.as_str()),
            &deletion_reason(&who.user, &request_instance),
            t,
        )?;
    }
    tx.execute("DELETE FROM SIM_DISK_FILE WHERE ARCHIVE_FILE_ID = ?1", [archive_id])?;
    Ok(out)
}

/// Moves every tape copy of an archive file to FILE_RECYCLE_LOG, marks their tapes dirty and
/// removes the file (`PostgresArchiveFileCatalogue::copyArchiveFileToFileRecyleLogAndDelete`).
fn recycle_archive_file(tx: &Db, archive_id: i64, path: Option<&str>, reason: &str, t: u64) -> Result<u64> {
    let n = tx.execute(
        "INSERT INTO FILE_RECYCLE_LOG(VID, FSEQ, BLOCK_ID, COPY_NB, TAPE_FILE_CREATION_TIME, ARCHIVE_FILE_ID, DISK_INSTANCE_NAME,
           DISK_FILE_ID, DISK_FILE_ID_WHEN_DELETED, DISK_FILE_UID, DISK_FILE_GID, SIZE_IN_BYTES, CHECKSUM_ADLER32,
           STORAGE_CLASS_NAME, ARCHIVE_FILE_CREATION_TIME, RECONCILIATION_TIME, COLLOCATION_HINT, DISK_FILE_PATH, REASON_LOG,
           RECYCLE_LOG_TIME)
         SELECT T.VID, T.FSEQ, T.BLOCK_ID, T.COPY_NB, T.CREATION_TIME, A.ARCHIVE_FILE_ID, A.DISK_INSTANCE_NAME, A.DISK_FILE_ID,
           A.DISK_FILE_ID, A.DISK_FILE_UID, A.DISK_FILE_GID, A.SIZE_IN_BYTES, A.CHECKSUM_ADLER32, A.STORAGE_CLASS_NAME,
           A.CREATION_TIME, A.RECONCILIATION_TIME, A.COLLOCATION_HINT, ?2, ?3, CAST(?4 AS BIGINT)
         FROM TAPE_FILE T JOIN ARCHIVE_FILE A ON A.ARCHIVE_FILE_ID = T.ARCHIVE_FILE_ID WHERE T.ARCHIVE_FILE_ID = ?1
         ORDER BY T.COPY_NB",
        params![archive_id, path, reason, t],
    )?;
    tx.execute(
        "UPDATE TAPE SET DIRTY = 1 WHERE VID IN (SELECT VID FROM TAPE_FILE WHERE ARCHIVE_FILE_ID = ?1)",
        [archive_id],
    )?;
    tx.execute("DELETE FROM TAPE_FILE WHERE ARCHIVE_FILE_ID = ?1", [archive_id])?;
    tx.execute("DELETE FROM ARCHIVE_FILE WHERE ARCHIVE_FILE_ID = ?1", [archive_id])?;
    Ok(n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frontend_settings_follow_ctas_keys_and_default() {
        assert!(FrontendSettings::parse("").unwrap().zero_length_forbidden("vo"));
        let s = FrontendSettings::parse(
            "cta.archivefile.zero_length_files_forbidden on\n\
             cta.archivefile.zero_length_files_forbidden_vo_exception_list vo1 vo2 # comment\n",
        )
        .unwrap();
        assert!(s.zero_length_forbidden("vo3"));
        assert!(!s.zero_length_forbidden("vo2"));
        let off = FrontendSettings::parse("cta.archivefile.zero_length_files_forbidden false").unwrap();
        assert!(!off.zero_length_forbidden("vo3"));
        assert!(FrontendSettings::parse("cta.archivefile.zero_length_files_forbidden maybe").is_err());
    }

    #[test]
    fn deletion_reason_is_ctas_text() {
        assert_eq!(
            deletion_reason("alice", "eosctaops"),
            "File deleted by alice from the eosctaops instance"
        );
    }
}
