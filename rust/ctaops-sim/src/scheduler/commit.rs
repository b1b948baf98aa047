//! The catalogue side of a file written to tape: one transaction per file, after its bytes are
//! on the image.

use crate::admin::change::recycle_tape_file;
use crate::catalogue::{Db, now, write_tx};
use crate::error::Result;
use crate::params;

use super::Mount;
use super::session::ArchiveJob;

/// The catalogue update for one file written to tape.
pub(crate) fn commit_written(conn: &mut Db, m: &Mount, job: &ArchiveJob, w: &ctaops_tape::WrittenFile) -> Result<()> {
    write_tx(conn, |tx| {
        let t = now(tx)?;
        let blob = ctaops_core::checksum::ChecksumBlob::adler32(w.adler32).to_protobuf();
        // The disk instance, fid and owner the disk side sent with the request.
        crate::disk::insert_archive_file(
            tx,
            job.archive_id,
            &job.storage_class,
            &job.disk_file_id,
            job.size,
            &blob,
            w.adler32,
            job.creation_time,
            &job.source,
        )?;
        if let (Some(src_vid), Some(src_fseq)) = (&job.repack_vid, job.repack_fseq) {
            // catalogue/InsertFileRecycleLog.hpp::getRepackReasonLog
            recycle_tape_file(tx, src_vid, src_fseq, crate::disk::REPACK_REASON, t)?;
            tx.execute(
                "UPDATE SIM_REPACK SET ARCHIVED_FILES = ARCHIVED_FILES + 1, ARCHIVED_BYTES = ARCHIVED_BYTES + ?2 WHERE VID = ?1",
                params![src_vid, job.size],
            )?;
            tx.execute(
                "INSERT INTO SIM_REPACK_DEST(VID, DEST_VID, FILES, BYTES) VALUES(?1, ?2, 1, ?3)
                 ON CONFLICT(VID, DEST_VID) DO UPDATE SET FILES = SIM_REPACK_DEST.FILES + 1, BYTES = SIM_REPACK_DEST.BYTES + ?3",
                params![src_vid, m.vid, job.size],
            )?;
        }
        tx.execute(
            "INSERT INTO TAPE_FILE(VID, FSEQ, BLOCK_ID, LOGICAL_SIZE_IN_BYTES, COPY_NB, CREATION_TIME, ARCHIVE_FILE_ID) VALUES(?1,?2,?3,?4,?5,?6,?7)",
            params![m.vid, w.fseq, w.block_id, job.size, job.copy_nb, t, job.archive_id],
        )?;
        tx.execute(
            "UPDATE TAPE SET LAST_FSEQ = ?2, DATA_IN_BYTES = DATA_IN_BYTES + ?3, NB_MASTER_FILES = NB_MASTER_FILES + 1,
               MASTER_DATA_IN_BYTES = MASTER_DATA_IN_BYTES + ?3,
               NB_COPY_NB_1 = NB_COPY_NB_1 + CASE WHEN ?4 = 1 THEN 1 ELSE 0 END, COPY_NB_1_IN_BYTES = COPY_NB_1_IN_BYTES + CASE WHEN ?4 = 1 THEN ?3 ELSE 0 END,
               NB_COPY_NB_GT_1 = NB_COPY_NB_GT_1 + CASE WHEN ?4 > 1 THEN 1 ELSE 0 END, COPY_NB_GT_1_IN_BYTES = COPY_NB_GT_1_IN_BYTES + CASE WHEN ?4 > 1 THEN ?3 ELSE 0 END,
               LAST_WRITE_TIME = ?5 WHERE VID = ?1",
            params![m.vid, w.fseq, job.size, job.copy_nb, t],
        )?;
        tx.execute("DELETE FROM SIM_ARCHIVE_QUEUE WHERE REQUEST_ID = ?1", [job.request_id])?;
        tx.execute(
            "UPDATE SIM_DRIVE SET FILES = FILES + 1, BYTES = BYTES + ?2, LAST_UPDATE = ?3 WHERE DRIVE_NAME = ?1",
            params![m.drive, job.size, t],
        )?;
        Ok(())
    })
}
