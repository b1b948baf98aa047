//! User retrieves: `ctaops sim retrieve` queues them (one copy per file, on a tape that can be
//! mounted), the scheduler mounts the tape, reads the files back from the image (headers, size and
//! Adler-32 checked) into their destinations, and failures become `failedrequest ls` entries.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::catalogue::{Db, OptionalExtension};
use crate::params;
use ctaops_tape::{Positioning, ReadSession, SimhImage};

use crate::archive::{Requester, mount_policy};
use crate::catalogue::{now, write_tx};
use crate::error::{Result, SimError, user};
use crate::instance::Instance;
use crate::scheduler::{
    FREE_DRIVE, Mount, RunReport, library_move, next_session, release_drive, set_drive, unreadable,
};

/// Queues retrieves of `ids` into `dest` (one file per archive ID, named after it); returns the
/// request IDs.
pub fn queue(inst: &Instance, ids: &[u64], dest: &Path, who: &Requester) -> Result<Vec<u64>> {
    std::fs::create_dir_all(dest)?;
    let dest = std::fs::canonicalize(dest)?;
    let mut conn = inst.connect()?;
    write_tx(&mut conn, |tx| {
        let t = now(tx)?;
        let mut out = Vec::new();
        for &id in ids {
            let id_sql = i64::try_from(id).unwrap_or(i64::MAX);
            // The copy CTA would pick: on an ACTIVE tape, lowest copy number first.
            let copy: Option<(String, i64, i64, i64, i64, String)> = tx
                .query_row(
                    "SELECT T.VID, T.FSEQ, T.BLOCK_ID, T.COPY_NB, A.SIZE_IN_BYTES, V.DISK_INSTANCE_NAME
                     FROM TAPE_FILE T JOIN TAPE P ON P.VID = T.VID JOIN ARCHIVE_FILE A ON A.ARCHIVE_FILE_ID = T.ARCHIVE_FILE_ID
                     JOIN STORAGE_CLASS S ON S.STORAGE_CLASS_NAME = A.STORAGE_CLASS_NAME
                     JOIN VIRTUAL_ORGANIZATION V ON V.VIRTUAL_ORGANIZATION_NAME = S.VIRTUAL_ORGANIZATION_NAME
                     WHERE T.ARCHIVE_FILE_ID = ?1 AND P.TAPE_STATE = 'ACTIVE' ORDER BY T.COPY_NB LIMIT 1",
                    [id_sql],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
                )
                .optional()?;
            let Some((vid, fseq, block_id, copy_nb, size, disk_instance)) = copy else {
                return user(format!(
                    "No copy of archive file {id} is on a tape that can be mounted (ACTIVE)"
                ));
            };
            let policy = mount_policy(tx, &disk_instance, who)?;
            let dst = dest.join(id.to_string());
            let request_id: i64 = tx.query_row(
                "INSERT INTO SIM_RETRIEVE_QUEUE(ARCHIVE_FILE_ID, VID, FSEQ, BLOCK_ID, COPY_NB, SIZE_IN_BYTES, DST_URL,
                   MOUNT_POLICY_NAME, REQUESTER, GROUPNAME, CREATION_TIME) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)
                 RETURNING REQUEST_ID",
                params![
                    id_sql,
                    vid,
                    fseq,
                    block_id,
                    copy_nb,
                    size,
                    format!("file://{}", dst.display()),
                    policy,
                    who.user,
                    who.group,
                    t
                ],
                |r| r.get(0),
            )?;
            out.push(u64::try_from(request_id).unwrap_or(0));
        }
        Ok(out)
    })
}

/// Retrieve queues (one per tape) with CTA's summary: highest retrieve priority, smallest
/// minimum retrieve age of their requests' mount policies.
pub const RETRIEVE_QUEUES: &str = "SELECT Q.VID, MIN(Q.CREATION_TIME) AS OLDEST, MAX(Q.CREATION_TIME) AS YOUNGEST,
   COUNT(*) AS FILES, SUM(Q.SIZE_IN_BYTES) AS BYTES,
   MAX(COALESCE(MP.RETRIEVE_PRIORITY, 0)) AS PRIORITY, MIN(COALESCE(MP.RETRIEVE_MIN_REQUEST_AGE, 0)) AS MIN_AGE
 FROM SIM_RETRIEVE_QUEUE Q LEFT JOIN MOUNT_POLICY MP ON MP.MOUNT_POLICY_NAME = Q.MOUNT_POLICY_NAME GROUP BY Q.VID";

/// True while a retrieve queue only waits for its minimum age.
pub fn waiting_for_age(conn: &Db) -> Result<bool> {
    let n: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM ({RETRIEVE_QUEUES}) Q WHERE ?1 - Q.OLDEST < Q.MIN_AGE"),
        [now(conn)?],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// Mounts the tape of the best retrieve queue on a free drive of its logical library and serves it.
pub(crate) fn retrieve_mount(inst: &Instance, conn: &mut Db, report: &mut RunReport) -> Result<bool> {
    let pick: Option<(String, i64, String, String, String, String)> = conn
        .query_row(
            &format!(
                "SELECT D.DRIVE_NAME, D.ELEMENT_ADDRESS, PL.STATE_FILE, T.VID, T.TAPE_POOL_NAME, P.VIRTUAL_ORGANIZATION_NAME
                 FROM ({RETRIEVE_QUEUES}) Q JOIN TAPE T ON T.VID = Q.VID AND T.TAPE_STATE = 'ACTIVE'
                 JOIN TAPE_POOL P ON P.TAPE_POOL_NAME = T.TAPE_POOL_NAME
                 JOIN VIRTUAL_ORGANIZATION V ON V.VIRTUAL_ORGANIZATION_NAME = P.VIRTUAL_ORGANIZATION_NAME
                 JOIN SIM_DRIVE D ON D.LOGICAL_LIBRARY_NAME = T.LOGICAL_LIBRARY_NAME
                 JOIN LOGICAL_LIBRARY L ON L.LOGICAL_LIBRARY_NAME = D.LOGICAL_LIBRARY_NAME
                 JOIN PHYSICAL_LIBRARY PL ON PL.PHYSICAL_LIBRARY_NAME = L.PHYSICAL_LIBRARY_NAME
                 WHERE {FREE_DRIVE} AND T.VID NOT IN (SELECT VID FROM SIM_DRIVE WHERE VID IS NOT NULL)
                   AND ?1 - Q.OLDEST >= Q.MIN_AGE
                   AND (SELECT COUNT(*) FROM SIM_DRIVE D2 WHERE D2.VO = V.VIRTUAL_ORGANIZATION_NAME
                        AND D2.MOUNT_TYPE = 'RETRIEVE') < V.READ_MAX_DRIVES
                 ORDER BY Q.PRIORITY DESC, Q.OLDEST, T.VID, D.DRIVE_NAME LIMIT 1"
            ),
            [now(conn)?],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .optional()?;
    let Some((drive, address, state_file, vid, pool, vo)) = pick else {
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
    set_drive(conn, &m, "MOUNTING", "RETRIEVE")?;
    if let Err(e) = library_move(&m, true) {
        release_drive(conn, &m)?;
        report.errors.push(e.to_string());
        fail_all(conn, &m.vid, &format!("mount failed: {e}"))?;
        return Ok(true);
    }
    report.record_mount(&m, "RETRIEVE");
    set_drive(conn, &m, "TRANSFERRING", "RETRIEVE")?;
    let result = serve(inst, conn, &m, report);
    set_drive(conn, &m, "UNMOUNTING", "RETRIEVE")?;
    let unload = library_move(&m, false);
    release_drive(conn, &m)?;
    if let Err(e) = result {
        report.errors.push(e.to_string());
        fail_all(conn, &m.vid, &e.to_string())?;
    }
    unload?;
    Ok(true)
}

/// A queued retrieve of the mounted tape.
struct Job {
    request_id: i64,
    archive_id: i64,
    fseq: i64,
    block_id: i64,
    copy_nb: i64,
    size: i64,
    dst: String,
    requester: String,
    group: String,
}

fn serve(inst: &Instance, conn: &mut Db, m: &Mount, report: &mut RunReport) -> Result<()> {
    write_tx(conn, |tx| {
        tx.execute(
            "UPDATE TAPE SET READ_MOUNT_COUNT = READ_MOUNT_COUNT + 1, LAST_READ_DRIVE = ?2, LAST_READ_TIME = ?3 WHERE VID = ?1",
            params![m.vid, m.drive, now(tx)?],
        )?;
        Ok(())
    })?;
    if unreadable(conn, &m.vid)? {
        return Err(SimError::Cta(format!("tape {} cannot be read (injected fault)", m.vid)));
    }
    let jobs: Vec<Job> = conn
        .prepare(
            "SELECT Q.REQUEST_ID, Q.ARCHIVE_FILE_ID, Q.FSEQ, Q.BLOCK_ID, Q.COPY_NB, Q.SIZE_IN_BYTES, Q.DST_URL, Q.REQUESTER, Q.GROUPNAME
             FROM SIM_RETRIEVE_QUEUE Q WHERE Q.VID = ?1 ORDER BY Q.FSEQ, Q.REQUEST_ID",
        )?
        .query_map([&m.vid], |r| {
            Ok(Job {
                request_id: r.get(0)?,
                archive_id: r.get(1)?,
                fseq: r.get(2)?,
                block_id: r.get(3)?,
                copy_nb: r.get(4)?,
                size: r.get(5)?,
                dst: r.get(6)?,
                requester: r.get(7)?,
                group: r.get(8)?,
            })
        })?
        .collect::<Result<_>>()?;
    let mut session: Option<ReadSession<SimhImage>> = None;
    for job in jobs {
        let s = match session.take() {
            Some(s) => s,
            None => ReadSession::open(SimhImage::open(inst.image(&m.vid), false)?, &m.vid)?,
        };
        let (outcome, s) = read_into(s, &job, conn)?;
        // A failed read leaves the position unknown: the next file opens a new session.
        session = s;
        write_tx(conn, |tx| {
            let t = now(tx)?;
            tx.execute("DELETE FROM SIM_RETRIEVE_QUEUE WHERE REQUEST_ID = ?1", [job.request_id])?;
            match &outcome {
                Ok(()) => {
                    tx.execute(
                        "UPDATE SIM_DRIVE SET FILES = FILES + 1, BYTES = BYTES + ?2, LAST_UPDATE = ?3 WHERE DRIVE_NAME = ?1",
                        params![m.drive, job.size, t],
                    )?;
                }
                Err(msg) => {
                    tx.execute(
                        &format!(
"INSERT INTO SIM_FAILED_REQUEST(OBJECT_ID, REQUEST_TYPE, ARCHIVE_FILE_ID, VID, FSEQ, BLOCK_ID,
                           COPY_NB, REQUESTER, GROUPNAME, FAILURE_LOG, TOTAL_RETRIES, TIME)
                         VALUES(?1,'RETRIEVE_REQUEST',?2,?3,?4,?5,?6,?7,?8,?9,1,?10){}", crate::catalogue::FAILED_REQUEST_UPSERT),
                        params![
                            format!("RetrieveRequest-ctaops-sim-{}-{}", job.archive_id, job.request_id),
                            job.archive_id,
                            m.vid,
                            job.fseq,
                            job.block_id,
                            job.copy_nb,
                            job.requester,
                            job.group,
                            msg,
                            t
                        ],
                    )?;
                }
            }
            Ok(())
        })?;
        if outcome.is_ok() {
            report.files_retrieved += 1;
        }
    }
    Ok(())
}

type Outcome = std::result::Result<(), String>;

/// Reads one file into its destination; returns the outcome and the session if still positioned.
fn read_into(mut s: ReadSession<SimhImage>, job: &Job, conn: &Db) -> Result<(Outcome, Option<ReadSession<SimhImage>>)> {
    let adler: i64 = conn.query_row(
        "SELECT CHECKSUM_ADLER32 FROM ARCHIVE_FILE WHERE ARCHIVE_FILE_ID = ?1",
        [job.archive_id],
        |r| r.get(0),
    )?;
    let path = PathBuf::from(job.dst.strip_prefix("file://").unwrap_or(&job.dst));
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    let mut io_err = None;
    let read = s.read_file(
        u64::try_from(job.archive_id).unwrap_or(0),
        u64::try_from(job.fseq).unwrap_or(0),
        Positioning::BlockId(u64::try_from(job.block_id).unwrap_or(0)),
        &mut |b| {
            if io_err.is_none()
                && let Err(e) = out.write_all(b)
            {
                io_err = Some(e);
            }
        },
    );
    if let Some(e) = io_err {
        return Err(e.into());
    }
    out.flush()?;
    Ok(match read {
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            (Err(e.to_string()), None)
        }
        Ok(f) if f.adler32 != u32::try_from(adler).unwrap_or(0) || f.size != u64::try_from(job.size).unwrap_or(0) => {
            let _ = std::fs::remove_file(&path);
            (
                Err(format!(
                    "checksum mismatch: catalogue adler32 {adler:08x} size {}, tape adler32 {:08x} size {}",
                    job.size, f.adler32, f.size
                )),
                Some(s),
            )
        }
        Ok(_) => (Ok(()), Some(s)),
    })
}

/// Every queued retrieve of `vid` fails with `msg` (the mount or the whole session failed).
fn fail_all(conn: &mut Db, vid: &str, msg: &str) -> Result<()> {
    write_tx(conn, |tx| {
        let t = now(tx)?;
        tx.execute(
            &format!(
"INSERT INTO SIM_FAILED_REQUEST(OBJECT_ID, REQUEST_TYPE, ARCHIVE_FILE_ID, VID, FSEQ, BLOCK_ID, COPY_NB,
               REQUESTER, GROUPNAME, FAILURE_LOG, TOTAL_RETRIES, TIME)
             SELECT 'RetrieveRequest-ctaops-sim-' || ARCHIVE_FILE_ID || '-' || REQUEST_ID, 'RETRIEVE_REQUEST', ARCHIVE_FILE_ID,
               VID, FSEQ, BLOCK_ID, COPY_NB, REQUESTER, GROUPNAME, ?2, 1, CAST(?3 AS BIGINT) FROM SIM_RETRIEVE_QUEUE WHERE VID = ?1{}", crate::catalogue::FAILED_REQUEST_UPSERT),
            params![vid, msg, t],
        )?;
        tx.execute("DELETE FROM SIM_RETRIEVE_QUEUE WHERE VID = ?1", [vid])?;
        Ok(())
    })
}
