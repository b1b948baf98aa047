//! `ctaops sim run`: the scheduler. Mounts tapes through the virtual library, writes queued files
//! to the images with ctaops-tape (CTA's exact format), and commits the catalogue one file at a
//! time *after* the bytes are on the image: a killed run leaves at most an unreferenced file past
//! `LAST_FSEQ`, which the next session overwrites. Repack: expand → retrieve (read and check every
//! file from the source image) → archive to the destination pool → move the catalogue copy.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::catalogue::{Db, OptionalExtension};
use crate::params;
use ctaops_scsi::library::Library;
use ctaops_tape::{Positioning, ReadSession, SimhImage, WriteSession, WriterInfo};

use crate::admin::change::recycle_tape_file;
use crate::archive::Source;
use crate::catalogue::{now, write_tx};
use crate::error::{Result, SimError};
use crate::instance::Instance;

/// How long to run.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Stop when there is nothing left to do.
    pub until_idle: bool,
    /// Stop after this much wall time.
    pub duration: Option<Duration>,
    /// Simulated seconds per wall second (advances the instance clock while idle).
    pub speed: f64,
}

/// What a run did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct RunReport {
    pub mounts: u64,
    pub files_archived: u64,
    pub bytes_archived: u64,
    pub files_retrieved: u64,
    pub repacks_completed: u64,
    /// Every mount, in order: what the scheduler chose (priorities and ages are visible here).
    pub sessions: Vec<Session>,
    pub errors: Vec<String>,
}

impl RunReport {
    /// Counts a mount and lists it in `sessions`.
    pub(crate) fn record_mount(&mut self, m: &Mount, mount_type: &str) {
        self.mounts += 1;
        self.sessions.push(Session {
            drive: m.drive.clone(),
            vid: m.vid.clone(),
            tapepool: m.pool.clone(),
            mount_type: mount_type.to_owned(),
        });
    }
}

/// One mount of a run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Session {
    pub drive: String,
    pub vid: String,
    pub tapepool: String,
    #[serde(rename = "mountType")]
    pub mount_type: String,
}

/// Runs the scheduler.
pub fn run(inst: &Instance, opts: RunOptions) -> Result<RunReport> {
    let mut conn = inst.connect()?;
    let mut report = RunReport::default();
    let start = Instant::now();
    loop {
        let busy = step(inst, &mut conn, &mut report)?;
        let timed_out = opts.duration.is_some_and(|d| start.elapsed() >= d);
        if timed_out
            || (!busy && opts.until_idle && !waiting_for_age(&conn)? && !crate::retrieve::waiting_for_age(&conn)?)
        {
            break;
        }
        if !busy {
            std::thread::sleep(Duration::from_millis(200));
            if opts.speed > 1.0 {
                let adv = (0.2 * opts.speed) as i64;
                write_tx(&mut conn, |tx| {
                    tx.execute(
                        "UPDATE SIM_CLOCK SET NOW = CASE WHEN NOW > ?2 THEN NOW ELSE ?2 END + ?1",
                        params![adv, crate::catalogue::wall_now()],
                    )?;
                    Ok(())
                })?;
            }
        }
    }
    Ok(report)
}

/// One scheduling decision; false when idle.
fn step(inst: &Instance, conn: &mut Db, report: &mut RunReport) -> Result<bool> {
    if repack_expand_and_retrieve(inst, conn, report)? {
        return Ok(true);
    }
    // The queue kind whose best ready queue has the higher priority goes first (archive on a tie).
    let ready = |sql: &str| -> Result<Option<i64>> {
        conn.query_row(
            &format!("SELECT MAX(Q.PRIORITY) FROM ({sql}) Q WHERE ?1 - Q.OLDEST >= Q.MIN_AGE"),
            [now(conn)?],
            |r| r.get(0),
        )
    };
    let retrieve_first = ready(crate::retrieve::RETRIEVE_QUEUES)? > ready(ARCHIVE_QUEUES)?;
    if retrieve_first && crate::retrieve::retrieve_mount(inst, conn, report)? {
        return Ok(true);
    }
    if archive_mount(inst, conn, report)? {
        return Ok(true);
    }
    if !retrieve_first && crate::retrieve::retrieve_mount(inst, conn, report)? {
        return Ok(true);
    }
    repack_finish(conn, report)
}

/// A drive picked for a mount.
pub(crate) struct Mount {
    pub(crate) drive: String,
    pub(crate) address: u16,
    pub(crate) library_state: PathBuf,
    pub(crate) vid: String,
    pub(crate) pool: String,
    pub(crate) vo: String,
    pub(crate) session: i64,
}

pub(crate) fn set_drive(conn: &mut Db, m: &Mount, status: &str, mount_type: &str) -> Result<()> {
    write_tx(conn, |tx| {
        let t = now(tx)?;
        tx.execute(
            "UPDATE SIM_DRIVE SET STATUS = ?2, STATUS_SINCE = ?3, LAST_UPDATE = ?3, MOUNT_TYPE = ?4, VID = ?5, TAPE_POOL_NAME = ?6,
               VO = ?7, SESSION_ID = ?8, SESSION_START = CASE WHEN ?2 = 'MOUNTING' THEN ?3 ELSE SESSION_START END,
               FILES = CASE WHEN ?2 = 'MOUNTING' THEN 0 ELSE FILES END, BYTES = CASE WHEN ?2 = 'MOUNTING' THEN 0 ELSE BYTES END
             WHERE DRIVE_NAME = ?1",
            params![m.drive, status, t, mount_type, m.vid, m.pool, m.vo, m.session],
        )?;
        Ok(())
    })
}

pub(crate) fn release_drive(conn: &mut Db, m: &Mount) -> Result<()> {
    write_tx(conn, |tx| {
        let t = now(tx)?;
        tx.execute(
            "UPDATE SIM_DRIVE SET STATUS = CASE WHEN DESIRED_UP = 1 AND FAILED = 0 THEN 'UP' ELSE 'DOWN' END, STATUS_SINCE = ?2,
               LAST_UPDATE = ?2, MOUNT_TYPE = 'NO_MOUNT', VID = NULL, TAPE_POOL_NAME = NULL, VO = NULL, SESSION_START = 0
             WHERE DRIVE_NAME = ?1",
            params![m.drive, t],
        )?;
        Ok(())
    })
}

/// Moves the cartridge between its slot and the drive in the library state file.
pub(crate) fn library_move(m: &Mount, load: bool) -> Result<()> {
    let mut lib = Library::load(&m.library_state)?;
    if load {
        let Some((_, from)) = lib.locate(&m.vid) else {
            return Err(SimError::Cta(format!(
                "tape {} is not in library {}",
                m.vid,
                m.library_state.display()
            )));
        };
        lib.move_medium(from, m.address).map_err(|s| {
            SimError::Cta(format!(
                "library refused to mount {}: sense {:x}/{:02x}/{:02x}",
                m.vid, s.0, s.1, s.2
            ))
        })?;
    } else {
        let Some(d) = lib.drive_mut(m.address) else {
            return Err(SimError::Cta(format!("no drive at element {}", m.address)));
        };
        d.loaded = false;
        let home = d.source;
        let dest = match home {
            Some(h) => h,
            None => lib
                .slots
                .iter()
                .find(|s| s.cartridge.is_none())
                .map(|s| s.address)
                .ok_or_else(|| SimError::Cta("library full".into()))?,
        };
        lib.move_medium(m.address, dest).map_err(|s| {
            SimError::Cta(format!(
                "library refused to dismount {}: sense {:x}/{:02x}/{:02x}",
                m.vid, s.0, s.1, s.2
            ))
        })?;
    }
    lib.save(&m.library_state)?;
    Ok(())
}

pub(crate) fn next_session(conn: &Db) -> Result<i64> {
    conn.query_row("SELECT COALESCE(MAX(SESSION_ID),0) + 1 FROM SIM_DRIVE", (), |r| {
        r.get(0)
    })
}

/// Is an `unreadable` fault set on this tape?
pub fn unreadable(conn: &Db, vid: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM SIM_FAULT WHERE KIND = 'unreadable' AND TARGET = ?1",
            [vid],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Archive queues (pool × mount type) as CTA summarises them: the highest priority and the
/// smallest minimum request age of the mount policies of their requests.
const ARCHIVE_QUEUES: &str =
    "SELECT Q.TAPE_POOL_NAME, Q.MOUNT_TYPE, MIN(Q.REQUEST_ID) AS FIRST, MIN(Q.CREATION_TIME) AS OLDEST,
   MAX(COALESCE(MP.ARCHIVE_PRIORITY, 0)) AS PRIORITY, MIN(COALESCE(MP.ARCHIVE_MIN_REQUEST_AGE, 0)) AS MIN_AGE
 FROM SIM_ARCHIVE_QUEUE Q LEFT JOIN MOUNT_POLICY MP ON MP.MOUNT_POLICY_NAME = Q.MOUNT_POLICY_NAME
 GROUP BY Q.TAPE_POOL_NAME, Q.MOUNT_TYPE";

/// True while some archive queue is only waiting for its requests to reach the minimum age.
fn waiting_for_age(conn: &Db) -> Result<bool> {
    let n: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM ({ARCHIVE_QUEUES}) Q WHERE ?1 - Q.OLDEST < Q.MIN_AGE"),
        [now(conn)?],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

pub(crate) const FREE_DRIVE: &str = "D.DESIRED_UP = 1 AND D.STATUS = 'UP' AND D.FAILED = 0 AND L.IS_DISABLED = 0";

/// Picks a pool with queued jobs, a free drive and a writable tape in the drive's logical library.
fn archive_mount(inst: &Instance, conn: &mut Db, report: &mut RunReport) -> Result<bool> {
    let pick: Option<(String, i64, String, String, String, String, String)> = conn
        .query_row(
            &format!(
                "SELECT D.DRIVE_NAME, D.ELEMENT_ADDRESS, PL.STATE_FILE, T.VID, T.TAPE_POOL_NAME, P.VIRTUAL_ORGANIZATION_NAME, Q.MOUNT_TYPE
                 FROM ({ARCHIVE_QUEUES}) Q
                 JOIN TAPE T ON T.TAPE_POOL_NAME = Q.TAPE_POOL_NAME AND T.TAPE_STATE = 'ACTIVE' AND T.IS_FULL = 0 AND T.IS_FROM_CASTOR = 0
                 JOIN TAPE_POOL P ON P.TAPE_POOL_NAME = T.TAPE_POOL_NAME
                 JOIN VIRTUAL_ORGANIZATION V ON V.VIRTUAL_ORGANIZATION_NAME = P.VIRTUAL_ORGANIZATION_NAME
                 JOIN SIM_DRIVE D ON D.LOGICAL_LIBRARY_NAME = T.LOGICAL_LIBRARY_NAME
                 JOIN LOGICAL_LIBRARY L ON L.LOGICAL_LIBRARY_NAME = D.LOGICAL_LIBRARY_NAME
                 JOIN PHYSICAL_LIBRARY PL ON PL.PHYSICAL_LIBRARY_NAME = L.PHYSICAL_LIBRARY_NAME
                 WHERE {FREE_DRIVE} AND T.LABEL_TIME IS NOT NULL AND T.VID NOT IN (SELECT VID FROM SIM_DRIVE WHERE VID IS NOT NULL)
                   AND T.VID NOT IN (SELECT TARGET FROM SIM_FAULT WHERE KIND = 'unreadable')
                   AND ?1 - Q.OLDEST >= Q.MIN_AGE
                   AND (SELECT COUNT(*) FROM SIM_DRIVE D2 WHERE D2.VO = V.VIRTUAL_ORGANIZATION_NAME
                        AND D2.MOUNT_TYPE LIKE 'ARCHIVE%') < V.WRITE_MAX_DRIVES
                 ORDER BY Q.PRIORITY DESC, Q.FIRST, T.DATA_IN_BYTES DESC, T.VID, D.DRIVE_NAME LIMIT 1"
            ),
            [now(conn)?],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .optional()?;
    let Some((drive, address, state_file, vid, pool, vo, mount_type)) = pick else {
        return Ok(false);
    };
    let m = Mount {
        drive,
        address: u16::try_from(address).unwrap_or(0),
        library_state: inst.dir.join(state_file),
        vid,
        pool,
        vo,
        session: next_session(conn)?,
    };
    set_drive(conn, &m, "MOUNTING", &mount_type)?;
    if let Err(e) = library_move(&m, true) {
        release_drive(conn, &m)?;
        disable_tape(conn, &m.vid, &format!("mount failed: {e}"))?;
        report.errors.push(e.to_string());
        return Ok(true);
    }
    report.record_mount(&m, &mount_type);
    set_drive(conn, &m, "TRANSFERRING", &mount_type)?;
    let result = write_session(inst, conn, &m, &mount_type, report);
    set_drive(conn, &m, "UNMOUNTING", &mount_type)?;
    let unload = library_move(&m, false);
    release_drive(conn, &m)?;
    if let Err(e) = result {
        report.errors.push(e.to_string());
        disable_tape(conn, &m.vid, &format!("write session failed: {e}"))?;
    }
    unload?;
    Ok(true)
}

/// What taped does after a failed session: the tape is disabled with the reason.
fn disable_tape(conn: &mut Db, vid: &str, reason: &str) -> Result<()> {
    tracing::warn!(vid, reason, "disabling tape");
    write_tx(conn, |tx| {
        let t = now(tx)?;
        tx.execute(
            "UPDATE TAPE SET TAPE_STATE = CASE WHEN TAPE_STATE = 'REPACKING' THEN 'REPACKING_DISABLED' ELSE 'DISABLED' END,
               STATE_REASON = ?2, STATE_UPDATE_TIME = ?3, STATE_MODIFIED_BY = 'ctaops-sim@scheduler' WHERE VID = ?1",
            params![vid, reason, t],
        )?;
        Ok(())
    })
}

/// Queued job of a pool.
struct Job {
    request_id: i64,
    archive_id: i64,
    storage_class: String,
    copy_nb: i64,
    size: i64,
    source: String,
    disk_file_id: String,
    repack_vid: Option<String>,
    repack_fseq: Option<i64>,
    creation_time: i64,
}

fn write_session(inst: &Instance, conn: &mut Db, m: &Mount, mount_type: &str, report: &mut RunReport) -> Result<()> {
    let (last_fseq, capacity, data): (i64, i64, i64) = conn.query_row(
        "SELECT T.LAST_FSEQ, M.CAPACITY_IN_BYTES, T.DATA_IN_BYTES FROM TAPE T JOIN MEDIA_TYPE M ON M.MEDIA_TYPE_NAME = T.MEDIA_TYPE_NAME WHERE VID = ?1",
        [&m.vid],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    write_tx(conn, |tx| {
        let t = now(tx)?;
        tx.execute(
            "UPDATE TAPE SET WRITE_MOUNT_COUNT = WRITE_MOUNT_COUNT + 1, LAST_WRITE_DRIVE = ?2, LAST_WRITE_TIME = ?3 WHERE VID = ?1",
            params![m.vid, m.drive, t],
        )?;
        Ok(())
    })?;
    let mut dev = SimhImage::open(inst.image(&m.vid), true)?;
    // Page-cache durability, like the catalogue's synchronous=NORMAL (docs/simulator.md).
    dev.set_sync(false);
    let info = WriterInfo {
        drive_serial: format!("{:0>12}", m.address),
        ..WriterInfo::default()
    };
    let mut session = WriteSession::open(&mut dev, &m.vid, Some(u64::try_from(last_fseq).unwrap_or(0)), info)?;
    let mut used = data;
    loop {
        let jobs: Vec<Job> = conn
            .prepare(
                "SELECT REQUEST_ID, ARCHIVE_FILE_ID, STORAGE_CLASS_NAME, COPY_NB, SIZE_IN_BYTES, SOURCE, DISK_FILE_ID, REPACK_VID,
                   REPACK_FSEQ, CREATION_TIME FROM SIM_ARCHIVE_QUEUE WHERE TAPE_POOL_NAME = ?1 AND MOUNT_TYPE = ?2
                 ORDER BY REQUEST_ID LIMIT 100",
            )?
            .query_map(params![m.pool, mount_type], |r| {
                Ok(Job {
                    request_id: r.get(0)?,
                    archive_id: r.get(1)?,
                    storage_class: r.get(2)?,
                    copy_nb: r.get(3)?,
                    size: r.get(4)?,
                    source: r.get(5)?,
                    disk_file_id: r.get(6)?,
                    repack_vid: r.get(7)?,
                    repack_fseq: r.get(8)?,
                    creation_time: r.get(9)?,
                })
            })?
            .collect::<Result<_>>()?;
        if jobs.is_empty() {
            break;
        }
        for job in jobs {
            if used + job.size > capacity {
                // end of medium: the tape is full, the rest waits for the next mount
                write_tx(conn, |tx| {
                    tx.execute("UPDATE TAPE SET IS_FULL = 1 WHERE VID = ?1", [&m.vid])?;
                    Ok(())
                })?;
                session.finish()?;
                return Ok(());
            }
            let src = Source::decode(&job.source)?;
            // An injected disk read failure: taped writes its placeholder (crate::disk).
            let fault = crate::disk::read_fault(conn, job.archive_id)?;
            let mut reader: Box<dyn std::io::Read> = match &fault {
                Some(msg) => Box::new(crate::disk::FailingRead(msg.clone())),
                None => src.open()?,
            };
            let written = session.write_file(u64::try_from(job.archive_id).unwrap_or(0), &mut reader)?;
            if written.placeholder {
                // TapeWriteTask::execute: a placeholder consumes the fSeq, the job is skipped.
                let message = fault.unwrap_or_else(|| {
                    "In TapeWriteTask::execute(): inserted a placeholder for zero length file.".into()
                });
                crate::disk::commit_skipped(
                    conn,
                    &crate::disk::Skipped {
                        drive: &m.drive,
                        vid: &m.vid,
                        pool: &m.pool,
                        request_id: job.request_id,
                        archive_id: job.archive_id,
                        copy_nb: job.copy_nb,
                        fseq: written.fseq,
                        message: &message,
                    },
                )?;
                continue;
            }
            if written.size != u64::try_from(job.size).unwrap_or(0) {
                return Err(SimError::Cta(format!(
                    "source of archive file {} changed size while archiving",
                    job.archive_id
                )));
            }
            used += job.size;
            commit_written(conn, m, &job, &written)?;
            if let Source::File(p) = &src
                && job.repack_vid.is_some()
            {
                let _ = std::fs::remove_file(p);
            }
            report.files_archived += 1;
            report.bytes_archived += written.size;
        }
    }
    session.finish()?;
    Ok(())
}

/// The catalogue update for one file written to tape.
fn commit_written(conn: &mut Db, m: &Mount, job: &Job, w: &ctaops_tape::WrittenFile) -> Result<()> {
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

/// Pending → ToExpand → Starting (files selected) → Running (read from the source tape, queued for archive).
fn repack_expand_and_retrieve(inst: &Instance, conn: &mut Db, report: &mut RunReport) -> Result<bool> {
    let req: Option<(String, i64)> = conn
        .query_row("SELECT VID, MAX_FILES FROM SIM_REPACK WHERE STATUS IN ('Pending','ToExpand','Starting') ORDER BY CREATION_TIME LIMIT 1", (), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((vid, max_files)) = req else {
        return Ok(false);
    };
    // Expand: select the files, as CTA does, in fSeq order.
    write_tx(conn, |tx| {
        tx.execute("UPDATE SIM_REPACK SET STATUS = 'ToExpand' WHERE VID = ?1", [&vid])?;
        let (n, bytes, last): (i64, i64, i64) = tx.query_row(
            "SELECT COUNT(*), COALESCE(SUM(LOGICAL_SIZE_IN_BYTES),0), COALESCE(MAX(FSEQ),0) FROM
               (SELECT * FROM TAPE_FILE WHERE VID = ?1 ORDER BY FSEQ LIMIT ?2) AS F",
            params![vid, if max_files > 0 { max_files } else { i64::MAX }],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let all: i64 = tx.query_row("SELECT COUNT(*) FROM TAPE_FILE WHERE VID = ?1", [&vid], |r| r.get(0))?;
        tx.execute(
            "UPDATE SIM_REPACK SET STATUS = 'Starting', TOTAL_FILES = ?2, TOTAL_BYTES = ?3, LAST_EXPANDED_FSEQ = ?4, ALL_SELECTED = ?5 WHERE VID = ?1",
            params![vid, n, bytes, last, i64::from(n == all)],
        )?;
        Ok(())
    })?;
    // Retrieve: mount the source tape in a free drive of its logical library.
    let pick: Option<(String, i64, String, String, String, String)> = conn
        .query_row(
            &format!(
                "SELECT D.DRIVE_NAME, D.ELEMENT_ADDRESS, PL.STATE_FILE, T.TAPE_POOL_NAME, P.VIRTUAL_ORGANIZATION_NAME, T.TAPE_STATE
                 FROM TAPE T JOIN TAPE_POOL P ON P.TAPE_POOL_NAME = T.TAPE_POOL_NAME
                 JOIN SIM_DRIVE D ON D.LOGICAL_LIBRARY_NAME = T.LOGICAL_LIBRARY_NAME
                 JOIN LOGICAL_LIBRARY L ON L.LOGICAL_LIBRARY_NAME = D.LOGICAL_LIBRARY_NAME
                 JOIN PHYSICAL_LIBRARY PL ON PL.PHYSICAL_LIBRARY_NAME = L.PHYSICAL_LIBRARY_NAME
                 WHERE T.VID = ?1 AND {FREE_DRIVE} ORDER BY D.DRIVE_NAME LIMIT 1"
            ),
            [&vid],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .optional()?;
    let Some((drive, address, state_file, pool, vo, state)) = pick else {
        return Ok(false); // no free drive: retry on a later step
    };
    if state != "REPACKING" {
        return Ok(false); // REPACKING_DISABLED: queued but not mounted
    }
    let m = Mount {
        drive,
        address: u16::try_from(address).unwrap_or(0),
        library_state: inst.dir.join(state_file),
        vid: vid.clone(),
        pool,
        vo,
        session: next_session(conn)?,
    };
    set_drive(conn, &m, "MOUNTING", "RETRIEVE")?;
    if let Err(e) = library_move(&m, true) {
        release_drive(conn, &m)?;
        report.errors.push(e.to_string());
        fail_repack(conn, &vid, &e.to_string())?;
        return Ok(true);
    }
    report.record_mount(&m, "RETRIEVE");
    set_drive(conn, &m, "TRANSFERRING", "RETRIEVE")?;
    let result = retrieve_for_repack(inst, conn, &m, report);
    set_drive(conn, &m, "UNMOUNTING", "RETRIEVE")?;
    let unload = library_move(&m, false);
    release_drive(conn, &m)?;
    if let Err(e) = result {
        report.errors.push(e.to_string());
        fail_repack(conn, &vid, &e.to_string())?;
    }
    unload?;
    Ok(true)
}

fn fail_repack(conn: &mut Db, vid: &str, msg: &str) -> Result<()> {
    write_tx(conn, |tx| {
        let t = now(tx)?;
        tx.execute(
            "UPDATE SIM_REPACK SET STATUS = 'Failed', FINISHED_TIME = ?2 WHERE VID = ?1",
            params![vid, t],
        )?;
        tx.execute(
            "INSERT INTO SIM_REPACK_ERROR VALUES(?1, 0, 0, ?2, ?3)",
            params![vid, msg, t],
        )?;
        Ok(())
    })
}

fn retrieve_for_repack(inst: &Instance, conn: &mut Db, m: &Mount, report: &mut RunReport) -> Result<()> {
    write_tx(conn, |tx| {
        let t = now(tx)?;
        tx.execute(
            "UPDATE TAPE SET READ_MOUNT_COUNT = READ_MOUNT_COUNT + 1, LAST_READ_DRIVE = ?2, LAST_READ_TIME = ?3 WHERE VID = ?1",
            params![m.vid, m.drive, t],
        )?;
        Ok(())
    })?;
    if unreadable(conn, &m.vid)? {
        return Err(SimError::Cta(format!("tape {} cannot be read (injected fault)", m.vid)));
    }
    let files: Vec<(i64, i64, i64, i64, i64, String, i64)> = conn
        .prepare(
            "SELECT T.FSEQ, T.BLOCK_ID, T.ARCHIVE_FILE_ID, T.LOGICAL_SIZE_IN_BYTES, A.CHECKSUM_ADLER32, A.STORAGE_CLASS_NAME, T.COPY_NB
             FROM TAPE_FILE T JOIN ARCHIVE_FILE A ON A.ARCHIVE_FILE_ID = T.ARCHIVE_FILE_ID
             WHERE T.VID = ?1 AND T.FSEQ <= (SELECT LAST_EXPANDED_FSEQ FROM SIM_REPACK WHERE VID = ?1) ORDER BY T.FSEQ",
        )?
        .query_map([&m.vid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?
        .collect::<Result<_>>()?;
    let buffer = inst.dir.join("buffer").join(&m.vid);
    std::fs::create_dir_all(&buffer)?;
    let mut session = ReadSession::open(SimhImage::open(inst.image(&m.vid), false)?, &m.vid)?;
    write_tx(conn, |tx| {
        tx.execute("UPDATE SIM_REPACK SET STATUS = 'Running' WHERE VID = ?1", [&m.vid])?;
        Ok(())
    })?;
    for (fseq, block_id, archive_id, size, adler, sc, copy_nb) in files {
        let path = buffer.join(archive_id.to_string());
        let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        let read = session.read_file(
            u64::try_from(archive_id).unwrap_or(0),
            u64::try_from(fseq).unwrap_or(0),
            Positioning::BlockId(u64::try_from(block_id).unwrap_or(0)),
            &mut |b| data.extend_from_slice(b),
        );
        let problem = match &read {
            Err(e) => Some(e.to_string()),
            Ok(f) if f.adler32 != u32::try_from(adler).unwrap_or(0) || f.size != u64::try_from(size).unwrap_or(0) => {
                Some(format!(
                    "checksum mismatch: catalogue adler32 {adler:08x} size {size}, tape adler32 {:08x} size {}",
                    f.adler32, f.size
                ))
            }
            Ok(_) => None,
        };
        if read.is_err() {
            // A failed read leaves the position unknown: reopen for the next file.
            session = ReadSession::open(SimhImage::open(inst.image(&m.vid), false)?, &m.vid)?;
        }
        if let Some(msg) = problem {
            write_tx(conn, |tx| {
                let t = now(tx)?;
                tx.execute(
                    "UPDATE SIM_REPACK SET FAILED_RETRIEVE_FILES = FAILED_RETRIEVE_FILES + 1, FAILED_RETRIEVE_BYTES = FAILED_RETRIEVE_BYTES + ?2 WHERE VID = ?1",
                    params![m.vid, size],
                )?;
                tx.execute(
                    "INSERT INTO SIM_REPACK_ERROR VALUES(?1, ?2, ?3, ?4, ?5)",
                    params![m.vid, fseq, archive_id, msg, t],
                )?;
                Ok(())
            })?;
            continue;
        }
        std::fs::write(&path, &data)?;
        report.files_retrieved += 1;
        write_tx(conn, |tx| {
            let t = now(tx)?;
            let pool: String = tx
                .query_row(
                    "SELECT TAPE_POOL_NAME FROM ARCHIVE_ROUTE WHERE STORAGE_CLASS_NAME = ?1 AND COPY_NB = ?2
                     ORDER BY CASE ARCHIVE_ROUTE_TYPE WHEN 'REPACK' THEN 0 ELSE 1 END LIMIT 1",
                    params![sc, copy_nb],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or_else(|| m.pool.clone());
            let disk_id: String = tx.query_row(
                "SELECT DISK_FILE_ID FROM ARCHIVE_FILE WHERE ARCHIVE_FILE_ID = ?1",
                [archive_id],
                |r| r.get(0),
            )?;
            tx.execute(
                "INSERT INTO SIM_ARCHIVE_QUEUE(STORAGE_CLASS_NAME, TAPE_POOL_NAME, COPY_NB, SIZE_IN_BYTES, SOURCE, DISK_FILE_ID,
                   ARCHIVE_FILE_ID, MOUNT_TYPE, REPACK_VID, REPACK_FSEQ, CREATION_TIME, MOUNT_POLICY_NAME)
                 VALUES(?1,?2,?3,?4,?5,?6,?7,'ARCHIVE_FOR_REPACK',?8,?9,?10,(SELECT MOUNT_POLICY FROM SIM_REPACK WHERE VID = ?8))",
                params![sc, pool, copy_nb, size, Source::File(path.clone()).encode(), disk_id, archive_id, m.vid, fseq, t],
            )?;
            tx.execute(
                "UPDATE SIM_REPACK SET RETRIEVED_FILES = RETRIEVED_FILES + 1, RETRIEVED_BYTES = RETRIEVED_BYTES + ?2 WHERE VID = ?1",
                params![m.vid, size],
            )?;
            tx.execute(
                "UPDATE SIM_DRIVE SET FILES = FILES + 1, BYTES = BYTES + ?2, LAST_UPDATE = ?3 WHERE DRIVE_NAME = ?1",
                params![m.drive, size, t],
            )?;
            Ok(())
        })?;
    }
    Ok(())
}

/// Running requests with nothing left queued become Complete (or Failed if any file failed).
fn repack_finish(conn: &mut Db, report: &mut RunReport) -> Result<bool> {
    let n = write_tx(conn, |tx| {
        let t = now(tx)?;
        tx.execute(
            "UPDATE SIM_REPACK SET FINISHED_TIME = ?1,
               STATUS = CASE WHEN FAILED_RETRIEVE_FILES + FAILED_ARCHIVE_FILES > 0 THEN 'Failed' ELSE 'Complete' END
             WHERE STATUS = 'Running' AND NOT EXISTS (SELECT 1 FROM SIM_ARCHIVE_QUEUE Q WHERE Q.REPACK_VID = SIM_REPACK.VID)",
            [t],
        )
    })?;
    report.repacks_completed += n as u64;
    Ok(n > 0)
}
