//! Synthetic catalogue content for `--preset cern-like`: files that exist only as catalogue rows
//! (sizes and ages drawn from a seeded distribution). Their tapes are marked full and their
//! images hold only the label, so nothing pretends those bytes were written; `ARCHIVE_FILE.SIM_SOURCE`
//! is `'synthetic'` for them.

use crate::catalogue::Db;
use crate::params;

use crate::error::Result;

/// Fills half of the user-pool tapes with `files_per_tape` synthetic files each, in bulk.
pub fn populate(tx: &Db, seed: u64, files_per_tape: u32, now: u64) -> Result<()> {
    let vids: Vec<String> = tx
        .prepare("SELECT VID FROM TAPE WHERE TAPE_POOL_NAME = 'ctaops_user' ORDER BY VID")?
        .query_map((), |r| r.get(0))?
        .collect::<Result<_>>()?;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut af = tx.prepare(
        "INSERT INTO ARCHIVE_FILE(ARCHIVE_FILE_ID, DISK_INSTANCE_NAME, DISK_FILE_ID, DISK_FILE_UID, DISK_FILE_GID, SIZE_IN_BYTES,
           CHECKSUM_ADLER32, STORAGE_CLASS_NAME, CREATION_TIME, RECONCILIATION_TIME, SIM_SOURCE)
         VALUES(?1, ?2, ?3, 1000, 1000, ?4, ?5, ?6, ?7, ?7, 'synthetic')",
    )?;
    let mut tf = tx.prepare(
        "INSERT INTO TAPE_FILE(VID, FSEQ, BLOCK_ID, LOGICAL_SIZE_IN_BYTES, COPY_NB, CREATION_TIME, ARCHIVE_FILE_ID) VALUES(?1,?2,?3,?4,1,?5,?6)",
    )?;
    let mut id: i64 = 1_000_000_000;
    for vid in vids.iter().step_by(2) {
        let (mut block, mut total) = (0u64, 0u64);
        for fseq in 1..=u64::from(files_per_tape) {
            // log-uniform 10 MB .. 20 GB: most files are a few hundred MB to a few GB
            let size = (10f64.powf(7.0 + rng.f64() * 3.3)) as u64;
            let age = rng.u64(0..5 * 365 * 86_400);
            block += 3 + 1 + size.div_ceil(256 * 1024) + 3; // headers, marks, data blocks, trailers
            af.execute(params![
                id,
                crate::init::DISK_INSTANCE,
                (id + 4_000_000_000).to_string(),
                size,
                rng.u32(..),
                crate::init::STORAGE_CLASS,
                now.saturating_sub(age)
            ])?;
            tf.execute(params![vid, fseq, block, size, now.saturating_sub(age), id])?;
            total += size;
            id += 1;
        }
        tx.execute(
            "UPDATE TAPE SET LAST_FSEQ = ?2, DATA_IN_BYTES = ?3, MASTER_DATA_IN_BYTES = ?3, NB_MASTER_FILES = ?2, NB_COPY_NB_1 = ?2,
               COPY_NB_1_IN_BYTES = ?3, IS_FULL = 1, USER_COMMENT = 'synthetic files (catalogue only)' WHERE VID = ?1",
            params![vid, files_per_tape, total],
        )?;
    }
    Ok(())
}
