//! Retrieves: `ctaops sim retrieve` queues user requests (one copy per file, on a tape that can
//! be mounted) and repack expansion queues the files of the tape being repacked, both in the
//! tape's retrieve queue as CTA does. A retrieve session (`scheduler::session`) reads each file
//! back from the image (headers, size and Adler-32 checked) into its destination; a failed user
//! request becomes a `failedrequest ls` entry, a repack's file is counted as a failed retrieve.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::catalogue::{Db, OptionalExtension};
use crate::params;
use ctaops_tape::{Positioning, ReadSession, SimhImage};

use crate::archive::{Requester, Source, mount_policy};
use crate::catalogue::{now, write_tx};
use crate::error::{Result, user};
use crate::instance::Instance;
use crate::scheduler::Mount;

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

/// A queued retrieve of a mounted tape.
pub(crate) struct RetrieveJob {
    pub(crate) request_id: i64,
    pub(crate) archive_id: i64,
    pub(crate) fseq: i64,
    pub(crate) block_id: i64,
    pub(crate) copy_nb: i64,
    pub(crate) size: i64,
    /// `file://` URL of the destination (the repack buffer for a repack's file).
    pub(crate) dst: String,
    pub(crate) requester: String,
    pub(crate) group: String,
    /// A file of a repack (read into the repack buffer, then queued for archive).
    pub(crate) repack: bool,
}

/// The next queued retrieve of `vid`, in tape order.
pub(crate) fn next_job(conn: &Db, vid: &str) -> Result<Option<RetrieveJob>> {
    conn.query_row(
        "SELECT Q.REQUEST_ID, Q.ARCHIVE_FILE_ID, Q.FSEQ, Q.BLOCK_ID, Q.COPY_NB, Q.SIZE_IN_BYTES, Q.DST_URL, Q.REQUESTER, Q.GROUPNAME,
           Q.REPACK FROM SIM_RETRIEVE_QUEUE Q WHERE Q.VID = ?1 ORDER BY Q.FSEQ, Q.REQUEST_ID LIMIT 1",
        [vid],
        |r| {
            Ok(RetrieveJob {
                request_id: r.get(0)?,
                archive_id: r.get(1)?,
                fseq: r.get(2)?,
                block_id: r.get(3)?,
                copy_nb: r.get(4)?,
                size: r.get(5)?,
                dst: r.get(6)?,
                requester: r.get(7)?,
                group: r.get(8)?,
                repack: r.get::<i64>(9)? != 0,
            })
        },
    )
    .optional()
}

/// What became of one file: read and checked, or why not.
pub(crate) type Outcome = std::result::Result<(), String>;

/// Reads one file into its destination; returns the outcome and the session if still positioned
/// (`None` in: open a new one).
pub(crate) fn read_into(
    session: Option<ReadSession<SimhImage>>,
    image: &Path,
    vid: &str,
    job: &RetrieveJob,
    conn: &Db,
) -> Result<(Outcome, Option<ReadSession<SimhImage>>)> {
    let mut s = match session {
        Some(s) => s,
        None => ReadSession::open(SimhImage::open(image, false)?, vid)?,
    };
    let adler: i64 = conn.query_row(
        "SELECT CHECKSUM_ADLER32 FROM ARCHIVE_FILE WHERE ARCHIVE_FILE_ID = ?1",
        [job.archive_id],
        |r| r.get(0),
    )?;
    let path = PathBuf::from(job.dst.strip_prefix("file://").unwrap_or(&job.dst));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
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

/// Records one file's outcome: the request leaves the queue; a user failure goes to
/// `failedrequest ls`, a repack's file is queued for archive (or counted as failed).
pub(crate) fn commit(conn: &mut Db, m: &Mount, job: &RetrieveJob, outcome: &Outcome) -> Result<()> {
    write_tx(conn, |tx| {
        let t = now(tx)?;
        tx.execute("DELETE FROM SIM_RETRIEVE_QUEUE WHERE REQUEST_ID = ?1", [job.request_id])?;
        match (outcome, job.repack) {
            (Ok(()), repack) => {
                tx.execute(
                    "UPDATE SIM_DRIVE SET FILES = FILES + 1, BYTES = BYTES + ?2, LAST_UPDATE = ?3 WHERE DRIVE_NAME = ?1",
                    params![m.drive, job.size, t],
                )?;
                if repack {
                    crate::scheduler::repack_retrieved(tx, m, job, t)?;
                }
            }
            (Err(msg), true) => {
                crate::scheduler::repack_retrieve_failed(tx, &m.vid, job, msg, t)?;
            }
            (Err(msg), false) => {
                tx.execute(
                    &format!(
                        "INSERT INTO SIM_FAILED_REQUEST(OBJECT_ID, REQUEST_TYPE, ARCHIVE_FILE_ID, VID, FSEQ, BLOCK_ID,
                           COPY_NB, REQUESTER, GROUPNAME, FAILURE_LOG, TOTAL_RETRIES, TIME)
                         VALUES(?1,'RETRIEVE_REQUEST',?2,?3,?4,?5,?6,?7,?8,?9,1,?10){}",
                        crate::catalogue::FAILED_REQUEST_UPSERT
                    ),
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
    })
}

/// Every queued retrieve of `vid` fails with `msg` (the mount or the whole session failed): user
/// requests go to `failedrequest ls`, a repack's files are counted as failed retrieves.
pub(crate) fn fail_all(conn: &mut Db, vid: &str, msg: &str) -> Result<()> {
    write_tx(conn, |tx| {
        let t = now(tx)?;
        tx.execute(
            &format!(
                "INSERT INTO SIM_FAILED_REQUEST(OBJECT_ID, REQUEST_TYPE, ARCHIVE_FILE_ID, VID, FSEQ, BLOCK_ID, COPY_NB,
               REQUESTER, GROUPNAME, FAILURE_LOG, TOTAL_RETRIES, TIME)
             SELECT 'RetrieveRequest-ctaops-sim-' || ARCHIVE_FILE_ID || '-' || REQUEST_ID, 'RETRIEVE_REQUEST', ARCHIVE_FILE_ID,
               VID, FSEQ, BLOCK_ID, COPY_NB, REQUESTER, GROUPNAME, ?2, 1, CAST(?3 AS BIGINT) FROM SIM_RETRIEVE_QUEUE
             WHERE VID = ?1 AND REPACK = 0{}",
                crate::catalogue::FAILED_REQUEST_UPSERT
            ),
            params![vid, msg, t],
        )?;
        let (files, bytes): (i64, i64) = tx.query_row(
            "SELECT COUNT(*), COALESCE(SUM(SIZE_IN_BYTES), 0) FROM SIM_RETRIEVE_QUEUE WHERE VID = ?1 AND REPACK = 1",
            [vid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if files > 0 {
            crate::scheduler::repack_retrieve_failed_all(tx, vid, files, bytes, msg, t)?;
        }
        tx.execute("DELETE FROM SIM_RETRIEVE_QUEUE WHERE VID = ?1", [vid])?;
        Ok(())
    })
}

/// The buffer file a repack reads `archive_id` of `vid` into.
pub(crate) fn repack_buffer(inst: &Instance, vid: &str, archive_id: i64) -> PathBuf {
    inst.dir.join("buffer").join(vid).join(archive_id.to_string())
}

/// Source of an archive-for-repack job read into the buffer.
pub(crate) fn buffer_source(dst_url: &str) -> String {
    Source::File(PathBuf::from(dst_url.strip_prefix("file://").unwrap_or(dst_url))).encode()
}
