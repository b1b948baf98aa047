//! Synthetic catalogue content for `--preset cern-like`: files that exist only as catalogue rows
//! (sizes and ages drawn from a seeded distribution), and the history a production instance has
//! accumulated, so dashboards, scans and reports have something real to show: tapes filled to
//! different levels over years with `lastWrittenLog`/`lastReadLog`, files deleted since (full
//! tapes with low occupancy: repack candidates), tapes in every final state with a reason, 2-copy
//! files with their copies on tapes of two pools, failed retrieves and a repack in progress.
//!
//! Every tape that holds synthetic files is marked full and its image holds only the label, so
//! nothing pretends those bytes were written and no session ever appends to it;
//! `ARCHIVE_FILE.SIM_SOURCE` is `'synthetic'` for them.

use crate::catalogue::Db;
use crate::init::{CERN_VOS, DISK_INSTANCE, STORAGE_CLASS};
use crate::params;

use crate::error::Result;

const DAY: u64 = 86_400;
const YEAR: u64 = 365 * DAY;

/// Final states given to the first tapes that hold data, with the reason CTA requires for every
/// state but ACTIVE (`Cannot modify the state of the tape … because the reason has not been
/// provided`, catalogue/rdbms/RdbmsTapeCatalogue.cpp). REPACKING gets a repack in progress.
const STATES: &[(&str, &str)] = &[
    ("REPACKING", "migration to new media (ATRESYS)"),
    ("DISABLED", "mount failed 3 times: drive reported MEDIUM ERROR"),
    ("BROKEN", "damaged cartridge: leader pin detached"),
    ("EXPORTED", "exported to the off-site vault"),
    ("REPACKING_DISABLED", "repack paused: read errors on the source tape"),
];

/// One data pool: its storage class and disk instance; `copy2` names the pool of the second copies.
struct DataPool {
    pool: &'static str,
    storage_class: &'static str,
    instance: &'static str,
    copy2: Option<&'static str>,
}

fn data_pools() -> Vec<DataPool> {
    let mut out = vec![DataPool {
        pool: "ctaops_user",
        storage_class: STORAGE_CLASS,
        instance: DISK_INSTANCE,
        copy2: None,
    }];
    for (_, instance, sc, copies) in CERN_VOS {
        out.push(DataPool {
            pool: copies[0],
            storage_class: sc,
            instance,
            copy2: copies.get(1).copied(),
        });
    }
    out
}

fn vids_of(tx: &Db, pool: &str) -> Result<Vec<String>> {
    tx.prepare("SELECT VID FROM TAPE WHERE TAPE_POOL_NAME = ?1 ORDER BY VID")?
        .query_map([pool], |r| r.get(0))?
        .collect::<Result<_>>()
}

/// Where the second copies go: the tapes of the copy-2 pool, filled one after the other.
struct Copy2 {
    vids: Vec<String>,
    next: usize,
    fseq: u64,
    block: u64,
    bytes: u64,
    last: u64,
}

/// Fills the data pools' tapes with synthetic files (in bulk) and gives the instance its history.
pub fn populate(tx: &Db, seed: u64, files_per_tape: u32, now: u64) -> Result<()> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let drives: Vec<String> = tx
        .prepare("SELECT DRIVE_NAME FROM SIM_DRIVE ORDER BY DRIVE_NAME")?
        .query_map((), |r| r.get(0))?
        .collect::<Result<_>>()?;
    let drive = |rng: &mut fastrand::Rng| drives[rng.usize(..drives.len())].clone();
    let (user, host) = crate::instance::caller();
    let modified_by = format!("{user}@{host}");
    let mut af = tx.prepare(
        "INSERT INTO ARCHIVE_FILE(ARCHIVE_FILE_ID, DISK_INSTANCE_NAME, DISK_FILE_ID, DISK_FILE_UID, DISK_FILE_GID, SIZE_IN_BYTES,
           CHECKSUM_ADLER32, STORAGE_CLASS_NAME, CREATION_TIME, RECONCILIATION_TIME, SIM_SOURCE)
         VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, 'synthetic')",
    )?;
    let mut tf = tx.prepare(
        "INSERT INTO TAPE_FILE(VID, FSEQ, BLOCK_ID, LOGICAL_SIZE_IN_BYTES, COPY_NB, CREATION_TIME, ARCHIVE_FILE_ID) VALUES(?1,?2,?3,?4,?5,?6,?7)",
    )?;
    let mut full = tx.prepare(
        "UPDATE TAPE SET LAST_FSEQ = ?2, DATA_IN_BYTES = ?3, MASTER_DATA_IN_BYTES = ?4, NB_MASTER_FILES = ?5,
           NB_COPY_NB_1 = ?6, COPY_NB_1_IN_BYTES = ?7, NB_COPY_NB_GT_1 = ?8, COPY_NB_GT_1_IN_BYTES = ?9, IS_FULL = 1, DIRTY = 0,
           LABEL_DRIVE = ?10, LABEL_TIME = ?11, LAST_WRITE_DRIVE = ?12, LAST_WRITE_TIME = ?13, WRITE_MOUNT_COUNT = ?14,
           LAST_READ_DRIVE = ?15, LAST_READ_TIME = ?16, READ_MOUNT_COUNT = ?17,
           USER_COMMENT = 'synthetic files (catalogue only)' WHERE VID = ?1",
    )?;
    let mut id: i64 = 1_000_000_000;
    let mut data_tapes: Vec<(String, u64)> = Vec::new();
    for dp in data_pools() {
        let vids = vids_of(tx, dp.pool)?;
        let mut c2 = match dp.copy2 {
            Some(p) => Some(Copy2 {
                vids: vids_of(tx, p)?,
                next: 0,
                fseq: 0,
                block: 0,
                bytes: 0,
                last: 0,
            }),
            None => None,
        };
        let (uid, gid) = (1000 + rng.u32(0..50), 1000 + rng.u32(0..5));
        // Every other tape holds data; the others stay empty and writable.
        for (k, vid) in vids.iter().enumerate().step_by(2) {
            // Fill levels from a tenth to all of `files_per_tape` (each pool's first tape full).
            let written = if k == 0 {
                u64::from(files_per_tape)
            } else {
                ((f64::from(files_per_tape) * (0.1 + 0.9 * rng.f64())).round() as u64).max(1)
            };
            // A quarter of the 1-copy tapes lost 40 % of their files to deletions since.
            let deletions = c2.is_none() && rng.f64() < 0.25;
            // Written over up to a year, starting up to five years ago.
            let age = rng.u64(30 * DAY..5 * YEAR);
            let span = rng.u64(DAY..YEAR).min(age - DAY);
            let start = now.saturating_sub(age);
            let (mut block, mut total, mut live, mut live_bytes, mut last) = (0u64, 0u64, 0u64, 0u64, start);
            for fseq in 1..=written {
                // log-uniform 10 MB .. 20 GB: most files are a few hundred MB to a few GB
                let size = (10f64.powf(7.0 + rng.f64() * 3.3)) as u64;
                let ctime = start + span * fseq / written;
                block += 3 + 1 + size.div_ceil(256 * 1024) + 3; // headers, marks, data blocks, trailers
                total += size;
                last = ctime;
                if deletions && rng.f64() < 0.4 {
                    continue;
                }
                af.execute(params![
                    id,
                    dp.instance,
                    (id + 4_000_000_000).to_string(),
                    uid,
                    gid,
                    size,
                    rng.u32(..),
                    dp.storage_class,
                    ctime
                ])?;
                tf.execute(params![vid, fseq, block, size, 1, ctime, id])?;
                if let Some(c) = c2.as_mut() {
                    add_copy2(
                        c,
                        &mut tf,
                        &mut full,
                        &mut rng,
                        &drives,
                        files_per_tape,
                        size,
                        ctime,
                        id,
                    )?;
                }
                live += 1;
                live_bytes += size;
                id += 1;
            }
            let read = rng.bool().then(|| (drive(&mut rng), rng.u64(last..=now)));
            full.execute(params![
                vid,
                written,
                total,
                live_bytes,
                live,
                live,
                live_bytes,
                0,
                0,
                drive(&mut rng),
                start.saturating_sub(DAY),
                drive(&mut rng),
                last,
                1 + rng.u32(0..40),
                read.as_ref().map(|r| r.0.clone()),
                read.as_ref().map(|r| r.1),
                if read.is_some() { 1 + rng.u32(0..30) } else { 0 }
            ])?;
            data_tapes.push((vid.clone(), live));
        }
        if let Some(c) = c2.as_mut() {
            close_copy2(c, &mut full, &mut rng, &drives)?;
        }
    }
    drop((af, tf, full));
    set_states(tx, &data_tapes, &modified_by, now, &mut rng)?;
    Ok(())
}

/// Appends the second copy of file `id` to the current copy-2 tape, closing it when it is full.
/// Without tapes left the file keeps one copy (`tape ls --missingfilecopies` then shows it).
#[allow(clippy::too_many_arguments)]
fn add_copy2(
    c: &mut Copy2,
    tf: &mut crate::catalogue::Stmt<'_>,
    full: &mut crate::catalogue::Stmt<'_>,
    rng: &mut fastrand::Rng,
    drives: &[String],
    files_per_tape: u32,
    size: u64,
    ctime: u64,
    id: i64,
) -> Result<()> {
    let Some(vid) = c.vids.get(c.next) else {
        return Ok(());
    };
    c.fseq += 1;
    c.block += 3 + 1 + size.div_ceil(256 * 1024) + 3;
    c.bytes += size;
    c.last = c.last.max(ctime);
    tf.execute(params![vid, c.fseq, c.block, size, 2, ctime, id])?;
    if c.fseq >= u64::from(files_per_tape) {
        close_copy2(c, full, rng, drives)?;
    }
    Ok(())
}

fn close_copy2(
    c: &mut Copy2,
    full: &mut crate::catalogue::Stmt<'_>,
    rng: &mut fastrand::Rng,
    drives: &[String],
) -> Result<()> {
    let Some(vid) = c.vids.get(c.next) else {
        return Ok(());
    };
    if c.fseq == 0 {
        return Ok(());
    }
    let label_drive = drives[rng.usize(..drives.len())].clone();
    let write_drive = drives[rng.usize(..drives.len())].clone();
    full.execute(params![
        vid,
        c.fseq,
        c.bytes,
        c.bytes,
        c.fseq,
        0,
        0,
        c.fseq,
        c.bytes,
        label_drive,
        c.last.saturating_sub(YEAR),
        write_drive,
        c.last,
        1 + rng.u32(0..40),
        None::<String>,
        None::<u64>,
        0
    ])?;
    c.next += 1;
    c.fseq = 0;
    c.block = 0;
    c.bytes = 0;
    c.last = 0;
    Ok(())
}

/// The first data tapes get the non-ACTIVE final states; the REPACKING one a repack in progress,
/// the BROKEN and DISABLED ones failed retrieves.
fn set_states(
    tx: &Db,
    data_tapes: &[(String, u64)],
    modified_by: &str,
    now: u64,
    rng: &mut fastrand::Rng,
) -> Result<()> {
    let mut state = tx.prepare(
        "UPDATE TAPE SET TAPE_STATE = ?2, STATE_REASON = ?3, STATE_UPDATE_TIME = ?4, STATE_MODIFIED_BY = ?5 WHERE VID = ?1",
    )?;
    for ((vid, files), (s, reason)) in data_tapes.iter().zip(STATES) {
        let when = now - rng.u64(DAY..90 * DAY);
        state.execute(params![vid, s, reason, when, modified_by])?;
        match *s {
            "REPACKING" => repack_in_progress(tx, vid, *files, modified_by, now)?,
            "BROKEN" | "DISABLED" => failed_retrieves(tx, vid, if *s == "BROKEN" { 3 } else { 1 }, now)?,
            _ => {}
        }
    }
    // Beyond those, about one data tape in a hundred is disabled, as in a production instance.
    for (vid, _) in data_tapes.iter().skip(STATES.len()) {
        if rng.f64() >= 0.01 {
            continue;
        }
        let when = now - rng.u64(DAY..30 * DAY);
        state.execute(params![
            vid,
            "DISABLED",
            "read errors reported by cta-taped",
            when,
            modified_by
        ])?;
    }
    Ok(())
}

/// A `Running` repack of `vid` about half way: half its files read, a third written to the
/// first tape of the repack pool (the counters `repack ls` shows; the files themselves stay).
fn repack_in_progress(tx: &Db, vid: &str, files: u64, modified_by: &str, now: u64) -> Result<()> {
    let (user, host) = modified_by.split_once('@').unwrap_or((modified_by, ""));
    let bytes: u64 = tx.query_row(
        "SELECT COALESCE(SUM(LOGICAL_SIZE_IN_BYTES), 0) FROM TAPE_FILE WHERE VID = ?1",
        [vid],
        |r| r.get(0),
    )?;
    let pool: String = tx.query_row("SELECT TAPE_POOL_NAME FROM TAPE WHERE VID = ?1", [vid], |r| r.get(0))?;
    let last_fseq: u64 = tx.query_row("SELECT LAST_FSEQ FROM TAPE WHERE VID = ?1", [vid], |r| r.get(0))?;
    tx.execute(
        "INSERT INTO SIM_REPACK(VID, STATUS, BUFFER_URL, MOUNT_POLICY, REPACK_TYPE, MAX_FILES, TAPE_POOL_NAME, TOTAL_FILES,
           TOTAL_BYTES, FILES_AT_START, BYTES_AT_START, RETRIEVED_FILES, RETRIEVED_BYTES, ARCHIVED_FILES, ARCHIVED_BYTES,
           LAST_EXPANDED_FSEQ, CREATION_USER, CREATION_HOST, CREATION_TIME)
         VALUES(?1, 'Running', 'root://ctaops-sim//eos/ctaops/repack', 'repack', 'MoveAndAddCopies', 0, ?2, ?3, ?4, ?3, ?4,
           ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![vid, pool, files, bytes, files / 2, bytes / 2, files / 3, bytes / 3, last_fseq, user, host, now - 2 * 3600],
    )?;
    let dest: Option<String> = tx
        .prepare("SELECT VID FROM TAPE WHERE TAPE_POOL_NAME = 'ctaops_repack' ORDER BY VID LIMIT 1")?
        .query_map((), |r| r.get(0))?
        .next()
        .transpose()?;
    if let Some(dest) = dest {
        tx.execute(
            "INSERT INTO SIM_REPACK_DEST(VID, DEST_VID, FILES, BYTES) VALUES(?1, ?2, ?3, ?4)",
            params![vid, dest, files / 3, bytes / 3],
        )?;
    }
    Ok(())
}

/// Retrieves of the first `n` files of `vid` that failed every retry, as `failedrequest ls` shows them.
fn failed_retrieves(tx: &Db, vid: &str, n: u32, now: u64) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO SIM_FAILED_REQUEST(OBJECT_ID, REQUEST_TYPE, ARCHIVE_FILE_ID, VID, FSEQ, BLOCK_ID, COPY_NB,
               REQUESTER, GROUPNAME, FAILURE_LOG, TOTAL_RETRIES, TIME)
             SELECT 'RetrieveRequest-ctaops-sim-synthetic-' || ARCHIVE_FILE_ID, 'RETRIEVE_REQUEST', ARCHIVE_FILE_ID, VID, FSEQ,
               BLOCK_ID, COPY_NB, 'ctaops', 'cta', ?2, 6, CAST(?3 AS BIGINT)
             FROM TAPE_FILE WHERE VID = ?1 ORDER BY FSEQ LIMIT {n}"
        ),
        params![
            vid,
            format!("In RecallTaskInjector: failed to mount tape {vid} for reading: Medium error (3/11/00)"),
            now - 3600
        ],
    )?;
    Ok(())
}
