//! Repack requests: expansion puts the selected files of the tape into its retrieve queue (with
//! the repack's mount policy, so they compete with user retrieves by CTA's rules), each file read
//! is queued for archive to the repack route's pool, and a request with nothing left becomes
//! Complete, or Failed if any file failed.

use crate::catalogue::{Db, write_tx};
use crate::error::Result;
use crate::instance::Instance;
use crate::params;

use super::Mount;
use crate::retrieve::{RetrieveJob, buffer_source, repack_buffer};

/// Pending → ToExpand → Starting: selects the files (in fSeq order, as CTA does) and queues their
/// retrieves.
pub(super) fn expand(inst: &Instance, conn: &mut Db, t: u64) -> Result<()> {
    let pending: Vec<(String, i64, String, String)> = conn
        .prepare(
            "SELECT VID, MAX_FILES, MOUNT_POLICY, CREATION_USER FROM SIM_REPACK WHERE STATUS IN ('Pending','ToExpand')
             ORDER BY CREATION_TIME, VID",
        )?
        .query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_>>()?;
    for (vid, max_files, policy, user) in pending {
        let files: Vec<(i64, i64, i64, i64, i64)> = conn
            .prepare(
                "SELECT FSEQ, BLOCK_ID, ARCHIVE_FILE_ID, COPY_NB, LOGICAL_SIZE_IN_BYTES FROM TAPE_FILE WHERE VID = ?1
                 ORDER BY FSEQ LIMIT ?2",
            )?
            .query_map(params![vid, if max_files > 0 { max_files } else { i64::MAX }], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_>>()?;
        write_tx(conn, |tx| {
            let all: i64 = tx.query_row("SELECT COUNT(*) FROM TAPE_FILE WHERE VID = ?1", [&vid], |r| r.get(0))?;
            let n = i64::try_from(files.len()).unwrap_or(i64::MAX);
            let bytes: i64 = files.iter().map(|f| f.4).sum();
            let last = files.last().map_or(0, |f| f.0);
            for &(fseq, block_id, archive_id, copy_nb, size) in &files {
                let dst = format!("file://{}", repack_buffer(inst, &vid, archive_id).display());
                tx.execute(
                    "INSERT INTO SIM_RETRIEVE_QUEUE(ARCHIVE_FILE_ID, VID, FSEQ, BLOCK_ID, COPY_NB, SIZE_IN_BYTES, DST_URL,
                       MOUNT_POLICY_NAME, REQUESTER, GROUPNAME, CREATION_TIME, REPACK) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,'',?10,1)",
                    params![archive_id, vid, fseq, block_id, copy_nb, size, dst, policy, user, t],
                )?;
            }
            tx.execute(
                "UPDATE SIM_REPACK SET STATUS = 'Starting', TOTAL_FILES = ?2, TOTAL_BYTES = ?3, LAST_EXPANDED_FSEQ = ?4,
                   ALL_SELECTED = ?5 WHERE VID = ?1",
                params![vid, n, bytes, last, i64::from(n == all)],
            )?;
            Ok(())
        })?;
    }
    Ok(())
}

/// A file of the repacked tape is in the buffer: queue its archive to the repack route's pool.
pub(crate) fn repack_retrieved(tx: &Db, m: &Mount, job: &RetrieveJob, t: u64) -> Result<()> {
    let (sc, disk_id): (String, String) = tx.query_row(
        "SELECT STORAGE_CLASS_NAME, DISK_FILE_ID FROM ARCHIVE_FILE WHERE ARCHIVE_FILE_ID = ?1",
        [job.archive_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let pool: String = crate::catalogue::OptionalExtension::optional(tx.query_row(
        "SELECT TAPE_POOL_NAME FROM ARCHIVE_ROUTE WHERE STORAGE_CLASS_NAME = ?1 AND COPY_NB = ?2
         ORDER BY CASE ARCHIVE_ROUTE_TYPE WHEN 'REPACK' THEN 0 ELSE 1 END LIMIT 1",
        params![sc, job.copy_nb],
        |r| r.get(0),
    ))?
    .unwrap_or_else(|| m.pool.clone());
    tx.execute(
        "INSERT INTO SIM_ARCHIVE_QUEUE(STORAGE_CLASS_NAME, TAPE_POOL_NAME, COPY_NB, SIZE_IN_BYTES, SOURCE, DISK_FILE_ID,
           ARCHIVE_FILE_ID, MOUNT_TYPE, REPACK_VID, REPACK_FSEQ, CREATION_TIME, MOUNT_POLICY_NAME)
         VALUES(?1,?2,?3,?4,?5,?6,?7,'ARCHIVE_FOR_REPACK',?8,?9,?10,(SELECT MOUNT_POLICY FROM SIM_REPACK WHERE VID = ?8))",
        params![sc, pool, job.copy_nb, job.size, buffer_source(&job.dst), disk_id, job.archive_id, m.vid, job.fseq, t],
    )?;
    tx.execute(
        "UPDATE SIM_REPACK SET STATUS = 'Running', RETRIEVED_FILES = RETRIEVED_FILES + 1, RETRIEVED_BYTES = RETRIEVED_BYTES + ?2
         WHERE VID = ?1",
        params![m.vid, job.size],
    )?;
    Ok(())
}

/// One file of the repacked tape could not be read.
pub(crate) fn repack_retrieve_failed(tx: &Db, vid: &str, job: &RetrieveJob, msg: &str, t: u64) -> Result<()> {
    tx.execute(
        "UPDATE SIM_REPACK SET FAILED_RETRIEVE_FILES = FAILED_RETRIEVE_FILES + 1,
           FAILED_RETRIEVE_BYTES = FAILED_RETRIEVE_BYTES + ?2 WHERE VID = ?1",
        params![vid, job.size],
    )?;
    tx.execute(
        "INSERT INTO SIM_REPACK_ERROR VALUES(?1, ?2, ?3, ?4, ?5)",
        params![vid, job.fseq, job.archive_id, msg, t],
    )?;
    Ok(())
}

/// The mount or the whole session failed: every file still queued for the repack failed.
pub(crate) fn repack_retrieve_failed_all(tx: &Db, vid: &str, files: i64, bytes: i64, msg: &str, t: u64) -> Result<()> {
    tx.execute(
        "UPDATE SIM_REPACK SET FAILED_RETRIEVE_FILES = FAILED_RETRIEVE_FILES + ?2,
           FAILED_RETRIEVE_BYTES = FAILED_RETRIEVE_BYTES + ?3 WHERE VID = ?1",
        params![vid, files, bytes],
    )?;
    tx.execute(
        "INSERT INTO SIM_REPACK_ERROR VALUES(?1, 0, 0, ?2, ?3)",
        params![vid, msg, t],
    )?;
    Ok(())
}

/// Expanded requests with nothing left to retrieve or archive become Complete (or Failed if any
/// file failed); returns how many.
pub(super) fn finish(conn: &mut Db, t: u64) -> Result<u64> {
    let n = write_tx(conn, |tx| {
        tx.execute(
            "UPDATE SIM_REPACK SET FINISHED_TIME = ?1,
               STATUS = CASE WHEN FAILED_RETRIEVE_FILES + FAILED_ARCHIVE_FILES > 0 THEN 'Failed' ELSE 'Complete' END
             WHERE STATUS IN ('Starting', 'Running')
               AND NOT EXISTS (SELECT 1 FROM SIM_ARCHIVE_QUEUE Q WHERE Q.REPACK_VID = SIM_REPACK.VID)
               AND NOT EXISTS (SELECT 1 FROM SIM_RETRIEVE_QUEUE R WHERE R.VID = SIM_REPACK.VID AND R.REPACK = 1)",
            params![i64::try_from(t).unwrap_or(i64::MAX)],
        )
    })?;
    Ok(n as u64)
}
