//! `recycletf restore`: put one tape copy back from FILE_RECYCLE_LOG. CTA's frontend serves it
//! (`frontend/common/AdminCmd.cpp::processRecycleTapeFile_Restore`) for
//! `cta-restore-deleted-files`; `cta-admin` itself refuses the subcommand
//! (`tools/CtaAdminCmdParser.hpp`: "commands defined in CTA frontend but not available to
//! cta-admin"), so the simulator takes it over gRPC (`sim serve`) only.

use crate::catalogue::{Db, OptionalExtension, now};
use crate::error::{Result, user};
use crate::params;

use super::parse::Parsed;

/// The new disk file ID (`AdminCmdOptions::getAndValidateDiskFileIdOptional`: `--fxid` is
/// hexadecimal and converted to decimal, `--diskfileid` is taken as it is, never both).
fn disk_file_id(p: &Parsed) -> Result<Option<String>> {
    match (p.str("fxid"), p.str("diskfileid")) {
        (Some(hex), Some(dec)) => user(format!(
            "File ID can't be received in both string ({dec}) and hexadecimal ({hex}) formats"
        )),
        (Some(hex), None) => match u64::from_str_radix(hex, 16) {
            Ok(v) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(Some(v.to_string())),
            _ => user(format!("{hex} is not a valid hexadecimal file ID value")),
        },
        (None, dec) => Ok(dec.map(str::to_owned)),
    }
}

/// One recycle-log row to restore.
struct Entry {
    id: i64,
    vid: String,
    fseq: i64,
    block_id: i64,
    copy_nb: i64,
    tape_file_creation_time: i64,
    archive_id: i64,
    disk_instance: String,
    uid: i64,
    gid: i64,
    size: i64,
    adler32: i64,
    storage_class: String,
}

/// `recycletf restore` with CTA's checks, in CTA's order.
pub fn restore(tx: &Db, p: &Parsed) -> Result<()> {
    let Some(new_fid) = disk_file_id(p)? else {
        return user("Must specify at least one of the following search options: fxid, diskfileid");
    };
    // Disk instance and copy number alone are no search criteria (processRecycleTapeFile_Restore).
    let vid = p.str("vid");
    let archive_id = p.uint("id");
    if vid.is_none() && archive_id.is_none() {
        return user("Must specify at least one of the following search options: vid, fxid, fxidfile or archiveFileId");
    }
    // RdbmsFileRecycleLogCatalogue::checkRecycleTapeFileSearchCriteria
    if let Some(v) = vid {
        let known: Option<i64> = tx
            .query_row("SELECT 1 FROM TAPE WHERE VID = ?1", [v], |r| r.get(0))
            .optional()?;
        if known.is_none() {
            return user(format!("Tape VID {v} does not exist."));
        }
    }
    let entries: Vec<Entry> = tx
        // (Each parameter meets its column first: PostgreSQL types it as the column.)
        .prepare(
            "SELECT FILE_RECYCLE_LOG_ID, VID, FSEQ, BLOCK_ID, COPY_NB, TAPE_FILE_CREATION_TIME, ARCHIVE_FILE_ID, DISK_INSTANCE_NAME,
               DISK_FILE_UID, DISK_FILE_GID, SIZE_IN_BYTES, CHECKSUM_ADLER32, STORAGE_CLASS_NAME
             FROM FILE_RECYCLE_LOG
             WHERE (VID = ?1 OR ?1 = '') AND (ARCHIVE_FILE_ID = ?2 OR ?2 < 0) AND (DISK_INSTANCE_NAME = ?3 OR ?3 = '')
               AND (COPY_NB = ?4 OR ?4 < 0)
             ORDER BY ARCHIVE_FILE_ID, COPY_NB LIMIT 2",
        )?
        .query_map(
            params![
                vid.unwrap_or(""),
                archive_id.map_or(-1, |v| i64::try_from(v).unwrap_or(i64::MAX)),
                p.str("instance").unwrap_or(""),
                p.uint("copynb").map_or(-1, |v| i64::try_from(v).unwrap_or(i64::MAX))
            ],
            |r| {
                Ok(Entry {
                    id: r.get(0)?,
                    vid: r.get(1)?,
                    fseq: r.get(2)?,
                    block_id: r.get(3)?,
                    copy_nb: r.get(4)?,
                    tape_file_creation_time: r.get(5)?,
                    archive_id: r.get(6)?,
                    disk_instance: r.get(7)?,
                    uid: r.get(8)?,
                    gid: r.get(9)?,
                    size: r.get(10)?,
                    adler32: r.get(11)?,
                    storage_class: r.get(12)?,
                })
            },
        )?
        .collect::<Result<_>>()?;
    // PostgresFileRecycleLogCatalogue::restoreEntryInRecycleLog
    let e = match entries.as_slice() {
        [] => return user("No file in the recycle bin matches the parameters passed"),
        [e] => e,
        _ => return user("More than one recycle bin file matches the parameters passed"),
    };
    let exists: Option<i64> = tx
        .query_row(
            "SELECT 1 FROM ARCHIVE_FILE WHERE ARCHIVE_FILE_ID = ?1",
            [e.archive_id],
            |r| r.get(0),
        )
        .optional()?;
    let t = now(tx)?;
    if exists.is_none() {
        // restoreArchiveFileInRecycleLog → insertArchiveFile (new timestamps, the new fid).
        let sc: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM STORAGE_CLASS WHERE STORAGE_CLASS_NAME = ?1",
                [&e.storage_class],
                |r| r.get(0),
            )
            .optional()?;
        if sc.is_none() {
            return user(format!(
                "Storage class {}:{} does not exist",
                e.disk_instance, e.storage_class
            ));
        }
        let blob = ctaops_core::checksum::ChecksumBlob::adler32(u32::try_from(e.adler32).unwrap_or(0)).to_protobuf();
        tx.execute(
            "INSERT INTO ARCHIVE_FILE(ARCHIVE_FILE_ID, DISK_INSTANCE_NAME, DISK_FILE_ID, DISK_FILE_UID, DISK_FILE_GID,
               SIZE_IN_BYTES, CHECKSUM_BLOB, CHECKSUM_ADLER32, STORAGE_CLASS_NAME, CREATION_TIME, RECONCILIATION_TIME)
             VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
            params![
                e.archive_id,
                e.disk_instance,
                new_fid,
                e.uid,
                e.gid,
                e.size,
                blob,
                e.adler32,
                e.storage_class,
                t
            ],
        )?;
    } else {
        let same_copy: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM TAPE_FILE WHERE ARCHIVE_FILE_ID = ?1 AND COPY_NB = ?2",
                params![e.archive_id, e.copy_nb],
                |r| r.get(0),
            )
            .optional()?;
        if same_copy.is_some() {
            return user(format!(
                "Cannot restore file copy with archiveFileId {} and copy_nb {} because a tapefile with same archiveFileId and copy_nb already exists",
                e.archive_id, e.copy_nb
            ));
        }
    }
    // restoreFileCopyInRecycleLog: the tape file comes back as it was; then setTapeDirty.
    tx.execute(
        "INSERT INTO TAPE_FILE(VID, FSEQ, BLOCK_ID, LOGICAL_SIZE_IN_BYTES, COPY_NB, CREATION_TIME, ARCHIVE_FILE_ID)
         VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            e.vid,
            e.fseq,
            e.block_id,
            e.size,
            e.copy_nb,
            e.tape_file_creation_time,
            e.archive_id
        ],
    )?;
    tx.execute("DELETE FROM FILE_RECYCLE_LOG WHERE FILE_RECYCLE_LOG_ID = ?1", [e.id])?;
    tx.execute("UPDATE TAPE SET DIRTY = 1 WHERE VID = ?1", [&e.vid])?;
    Ok(())
}
