//! One drive's session as a state machine in simulated time: mounting → one file per step →
//! unmounting. Each file's bytes move when its step starts and the catalogue records it when
//! the step is due, as taped reports a file once the drive has it (archive) or the disk has it
//! (retrieve).

use ctaops_tape::{SimhImage, WriteSession, WriterInfo, WrittenFile};

use crate::catalogue::{Db, now, write_tx};
use crate::error::{Result, SimError};
use crate::params;

use super::taped_log::{self, HEADER_BYTES_PER_FILE, SessionStats};
use super::{Mount, RunOptions, RunReport, disable_tape, library_move, release_drive, set_drive, unreadable};
use crate::archive::Source;
use crate::retrieve::{self, RetrieveJob};

/// What the mount is for.
pub(crate) enum Kind {
    Archive { mount_type: String },
    Retrieve,
}

impl Kind {
    fn mount_type(&self) -> &str {
        match self {
            Kind::Archive { mount_type } => mount_type,
            Kind::Retrieve => "RETRIEVE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Mounting,
    Transferring,
    Unmounting,
}

/// The open tape of a transferring session.
enum Tape {
    Write {
        image: SimhImage,
        last_fseq: u64,
        used: i64,
        capacity: i64,
        info: WriterInfo,
    },
    Read {
        image: std::path::PathBuf,
        session: Option<ctaops_tape::ReadSession<SimhImage>>,
    },
}

/// A file whose bytes moved and whose catalogue update is due at the end of the step.
enum Pending {
    Written(ArchiveJob, WrittenFile),
    Read(RetrieveJob, retrieve::Outcome),
}

/// A queued archive job.
pub(crate) struct ArchiveJob {
    pub(crate) request_id: i64,
    pub(crate) archive_id: i64,
    pub(crate) storage_class: String,
    pub(crate) copy_nb: i64,
    pub(crate) size: i64,
    pub(crate) source: String,
    pub(crate) disk_file_id: String,
    pub(crate) repack_vid: Option<String>,
    pub(crate) repack_fseq: Option<i64>,
    pub(crate) creation_time: i64,
}

/// A session in progress.
pub(crate) struct Active {
    pub(crate) m: Mount,
    kind: Kind,
    phase: Phase,
    /// Simulated time the current step ends.
    pub(crate) due: u64,
    report_index: usize,
    tape: Option<Tape>,
    pending: Option<Pending>,
    unmount_secs: u64,
    /// What the `Tape session finished` record reports.
    stats: SessionStats,
    /// Where the instance's taped log lives.
    instance_dir: std::path::PathBuf,
}

/// Robot and load times: (mount, unmount) seconds, drawn from the run's seed and the session.
fn handling_times(seed: u64, session: i64) -> (u64, u64) {
    let mut x = seed ^ (u64::try_from(session).unwrap_or(0).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    // splitmix64: a fixed, well-spread sequence per (seed, session)
    let mut next = || {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    (40 + next() % 61, 30 + next() % 31)
}

/// Seconds the drive needs for `size` bytes (at least one: the clock counts whole seconds).
fn transfer_secs(size: i64, rate: u64) -> u64 {
    u64::try_from(size).unwrap_or(0).div_ceil(rate.max(1)).max(1)
}

impl Active {
    /// Starts a mount: the drive reports Mounting and the robot moves the cartridge. A refused
    /// move fails the mount at once (`None`): the tape is disabled, or its retrieves failed.
    pub(crate) fn start(
        inst: &crate::Instance,
        conn: &mut Db,
        m: Mount,
        kind: Kind,
        report: &mut RunReport,
        t: u64,
        opts: &RunOptions,
    ) -> Result<Option<Self>> {
        set_drive(conn, &m, "MOUNTING", kind.mount_type())?;
        if let Err(e) = library_move(&m, true) {
            release_drive(conn, &m.drive)?;
            report.errors.push(e.to_string());
            match kind {
                Kind::Archive { .. } => disable_tape(conn, &m.vid, &format!("mount failed: {e}"))?,
                Kind::Retrieve => retrieve::fail_all(conn, &m.vid, &format!("mount failed: {e}"))?,
            }
            let stats = SessionStats {
                start: t,
                end: t,
                failed: true,
                ..SessionStats::default()
            };
            log_finished(&inst.dir, conn, &m, kind.mount_type(), &stats);
            return Ok(None);
        }
        let report_index = report.record_mount(&m, kind.mount_type(), t);
        let (mount_secs, unmount_secs) = handling_times(opts.seed, m.session);
        Ok(Some(Self {
            m,
            kind,
            phase: Phase::Mounting,
            due: t + mount_secs,
            report_index,
            tape: None,
            pending: None,
            unmount_secs,
            stats: SessionStats {
                start: t,
                ..SessionStats::default()
            },
            instance_dir: inst.dir.clone(),
        }))
    }

    /// The archive request whose bytes are on the tape but not yet in the catalogue.
    pub(crate) fn claimed(&self) -> Option<i64> {
        match &self.pending {
            Some(Pending::Written(job, _)) => Some(job.request_id),
            _ => None,
        }
    }

    /// Runs the step that is due at `t`; false once the cartridge is back in its slot.
    pub(crate) fn step(
        &mut self,
        inst: &crate::Instance,
        conn: &mut Db,
        claims: &[i64],
        report: &mut RunReport,
        t: u64,
        opts: &RunOptions,
    ) -> Result<bool> {
        match self.phase {
            Phase::Mounting => {
                set_drive(conn, &self.m, "TRANSFERRING", self.kind.mount_type())?;
                self.phase = Phase::Transferring;
                self.stats.transfer_start = Some(t);
                if let Err(e) = self.open_tape(inst, conn) {
                    self.fail(conn, report, &e)?;
                    return Ok(true);
                }
                self.transfer(conn, claims, report, t, opts)?;
                Ok(true)
            }
            Phase::Transferring => {
                self.transfer(conn, claims, report, t, opts)?;
                Ok(true)
            }
            Phase::Unmounting => {
                self.unmount(conn, report, t)?;
                Ok(false)
            }
        }
    }

    /// The run ends (`--for`): record the file in flight, flush, and unmount at once.
    pub(crate) fn end_now(&mut self, conn: &mut Db, report: &mut RunReport, t: u64) -> Result<()> {
        if self.phase != Phase::Unmounting {
            if let Err(e) = self.commit_pending(conn, report) {
                report.errors.push(e.to_string());
            }
            self.close_tape();
        }
        self.unmount(conn, report, t)
    }

    fn open_tape(&mut self, inst: &crate::Instance, conn: &mut Db) -> Result<()> {
        let t = now(conn)?;
        match self.kind {
            Kind::Archive { .. } => {
                let (last_fseq, capacity, used): (i64, i64, i64) = conn.query_row(
                    "SELECT T.LAST_FSEQ, M.CAPACITY_IN_BYTES, T.DATA_IN_BYTES FROM TAPE T
                       JOIN MEDIA_TYPE M ON M.MEDIA_TYPE_NAME = T.MEDIA_TYPE_NAME WHERE VID = ?1",
                    [&self.m.vid],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
                write_tx(conn, |tx| {
                    tx.execute(
                        "UPDATE TAPE SET WRITE_MOUNT_COUNT = WRITE_MOUNT_COUNT + 1, LAST_WRITE_DRIVE = ?2, LAST_WRITE_TIME = ?3 WHERE VID = ?1",
                        params![self.m.vid, self.m.drive, t],
                    )?;
                    Ok(())
                })?;
                let mut image = SimhImage::open(inst.image(&self.m.vid), true)?;
                // Page-cache durability, like the catalogue's synchronous=NORMAL (docs/simulator.md).
                image.set_sync(false);
                let info = WriterInfo {
                    drive_serial: format!("{:0>12}", self.m.address),
                    ..WriterInfo::default()
                };
                let last_fseq = u64::try_from(last_fseq).unwrap_or(0);
                // Checks VOL1 and positions after the last file; later files resume from there.
                WriteSession::open(&mut image, &self.m.vid, Some(last_fseq), info.clone())?;
                self.tape = Some(Tape::Write {
                    image,
                    last_fseq,
                    used,
                    capacity,
                    info,
                });
            }
            Kind::Retrieve => {
                write_tx(conn, |tx| {
                    tx.execute(
                        "UPDATE TAPE SET READ_MOUNT_COUNT = READ_MOUNT_COUNT + 1, LAST_READ_DRIVE = ?2, LAST_READ_TIME = ?3 WHERE VID = ?1",
                        params![self.m.vid, self.m.drive, t],
                    )?;
                    Ok(())
                })?;
                if unreadable(conn, &self.m.vid)? {
                    return Err(SimError::Cta(format!(
                        "tape {} cannot be read (injected fault)",
                        self.m.vid
                    )));
                }
                self.tape = Some(Tape::Read {
                    image: inst.image(&self.m.vid),
                    session: None,
                });
            }
        }
        Ok(())
    }

    /// Records the file of the previous step, then starts the next one or the unmount.
    fn transfer(
        &mut self,
        conn: &mut Db,
        claims: &[i64],
        report: &mut RunReport,
        t: u64,
        opts: &RunOptions,
    ) -> Result<()> {
        if let Err(e) = self.commit_pending(conn, report) {
            return self.fail(conn, report, &e);
        }
        if forced_down(conn, &self.m.drive)? {
            return self.begin_unmount(t);
        }
        let next = match &self.kind {
            Kind::Archive { mount_type } => {
                let mount_type = mount_type.clone();
                self.write_next(conn, &mount_type, claims)
            }
            Kind::Retrieve => self.read_next(conn),
        };
        match next {
            Ok(Some(size)) => {
                self.due = t + transfer_secs(size, opts.drive_rate);
                Ok(())
            }
            Ok(None) => self.begin_unmount(t),
            Err(e) => self.fail(conn, report, &e),
        }
    }

    /// Writes the next queued file of the pool to the tape; its size, or `None` when the queue
    /// is empty or the tape is full.
    fn write_next(&mut self, conn: &mut Db, mount_type: &str, claims: &[i64]) -> Result<Option<i64>> {
        let Some(Tape::Write {
            image,
            last_fseq,
            used,
            capacity,
            info,
        }) = self.tape.as_mut()
        else {
            return Ok(None);
        };
        let Some(job) = next_archive_job(conn, &self.m.pool, mount_type, claims)? else {
            return Ok(None);
        };
        if *used + job.size > *capacity {
            // End of medium: the tape is full, the rest waits for the next mount.
            write_tx(conn, |tx| {
                tx.execute("UPDATE TAPE SET IS_FULL = 1 WHERE VID = ?1", [&self.m.vid])?;
                Ok(())
            })?;
            return Ok(None);
        }
        let src = Source::decode(&job.source)?;
        // An injected disk read failure: taped writes its placeholder (crate::disk).
        let fault = crate::disk::read_fault(conn, job.archive_id)?;
        let mut reader: Box<dyn std::io::Read> = match &fault {
            Some(msg) => Box::new(crate::disk::FailingRead(msg.clone())),
            None => src.open()?,
        };
        let mut session = WriteSession::resume(image, &self.m.vid, *last_fseq, info.clone())?;
        let written = session.write_file(u64::try_from(job.archive_id).unwrap_or(0), &mut reader)?;
        if written.placeholder {
            // TapeWriteTask::execute: a placeholder consumes the fSeq, the job is skipped.
            *last_fseq = written.fseq;
            let message = fault
                .unwrap_or_else(|| "In TapeWriteTask::execute(): inserted a placeholder for zero length file.".into());
            crate::disk::commit_skipped(
                conn,
                &crate::disk::Skipped {
                    drive: &self.m.drive,
                    vid: &self.m.vid,
                    pool: &self.m.pool,
                    request_id: job.request_id,
                    archive_id: job.archive_id,
                    copy_nb: job.copy_nb,
                    fseq: written.fseq,
                    message: &message,
                },
            )?;
            return Ok(Some(0));
        }
        if written.size != u64::try_from(job.size).unwrap_or(0) {
            return Err(SimError::Cta(format!(
                "source of archive file {} changed size while archiving",
                job.archive_id
            )));
        }
        *last_fseq = written.fseq;
        *used += job.size;
        let size = job.size;
        self.pending = Some(Pending::Written(job, written));
        Ok(Some(size))
    }

    /// Reads the next queued retrieve of the tape to its destination; its size, or `None`.
    fn read_next(&mut self, conn: &mut Db) -> Result<Option<i64>> {
        let Some(Tape::Read { image, session }) = self.tape.as_mut() else {
            return Ok(None);
        };
        let Some(job) = retrieve::next_job(conn, &self.m.vid)? else {
            return Ok(None);
        };
        let (outcome, kept) = retrieve::read_into(session.take(), image, &self.m.vid, &job, conn)?;
        // A failed read leaves the position unknown: the next file opens a new session.
        *session = kept;
        let size = job.size;
        self.pending = Some(Pending::Read(job, outcome));
        Ok(Some(size))
    }

    fn commit_pending(&mut self, conn: &mut Db, report: &mut RunReport) -> Result<()> {
        let Some(p) = self.pending.take() else {
            return Ok(());
        };
        let (files, bytes) = match p {
            Pending::Written(job, w) => {
                super::commit::commit_written(conn, &self.m, &job, &w)?;
                if let Ok(Source::File(path)) = Source::decode(&job.source)
                    && job.repack_vid.is_some()
                {
                    let _ = std::fs::remove_file(path);
                }
                report.files_archived += 1;
                report.bytes_archived += w.size;
                self.stats.header_volume += HEADER_BYTES_PER_FILE;
                (1, w.size)
            }
            Pending::Read(job, outcome) => {
                let ok = outcome.is_ok();
                retrieve::commit(conn, &self.m, &job, &outcome)?;
                // repack reads count too, as they always have in this report
                if ok {
                    report.files_retrieved += 1;
                }
                if ok {
                    let size = u64::try_from(job.size).unwrap_or(0);
                    self.stats.header_volume += HEADER_BYTES_PER_FILE;
                    if job.repack {
                        self.stats.repack_files += 1;
                        self.stats.repack_bytes += size;
                    } else {
                        self.stats.user_files += 1;
                        self.stats.user_bytes += size;
                    }
                    (1, size)
                } else {
                    (0, 0)
                }
            }
        };
        let s = &mut report.sessions[self.report_index];
        s.files += files;
        s.bytes += bytes;
        self.stats.files += files;
        self.stats.data_volume += bytes;
        Ok(())
    }

    fn begin_unmount(&mut self, t: u64) -> Result<()> {
        self.close_tape();
        self.phase = Phase::Unmounting;
        self.stats.unmount_start = Some(t);
        self.due = t + self.unmount_secs;
        Ok(())
    }

    fn close_tape(&mut self) {
        if let Some(Tape::Write { image, .. }) = self.tape.as_mut() {
            use ctaops_tape::TapeDevice;
            if let Err(e) = image.flush() {
                tracing::warn!(vid = %self.m.vid, error = %e, "flushing the image failed");
            }
        }
        self.tape = None;
    }

    /// The session failed: taped disables the tape (archive) or fails its requests (retrieve),
    /// then unmounts.
    fn fail(&mut self, conn: &mut Db, report: &mut RunReport, e: &SimError) -> Result<()> {
        report.errors.push(e.to_string());
        self.pending = None;
        self.stats.failed = true;
        match self.kind {
            Kind::Archive { .. } => disable_tape(conn, &self.m.vid, &format!("write session failed: {e}"))?,
            Kind::Retrieve => retrieve::fail_all(conn, &self.m.vid, &e.to_string())?,
        }
        let t = now(conn)?;
        self.begin_unmount(t.max(self.due))
    }

    fn unmount(&mut self, conn: &mut Db, report: &mut RunReport, t: u64) -> Result<()> {
        set_drive(conn, &self.m, "UNMOUNTING", self.kind.mount_type())?;
        let unloaded = library_move(&self.m, false);
        release_drive(conn, &self.m.drive)?;
        report.sessions[self.report_index].end = t;
        if let Err(e) = unloaded {
            report.errors.push(e.to_string());
        }
        if self.stats.unmount_start.is_none() {
            self.stats.unmount_start = Some(t);
        }
        self.stats.end = t;
        log_finished(&self.instance_dir, conn, &self.m, self.kind.mount_type(), &self.stats);
        Ok(())
    }
}

/// Appends the session's `Tape session finished` record to the instance's taped log. A log that
/// cannot be written is a warning: the tape work the record describes is done either way.
fn log_finished(instance_dir: &std::path::Path, conn: &Db, m: &Mount, mount_type: &str, stats: &SessionStats) {
    // The daemon's registration outlives `drive rm`, so host and library come from it.
    let (host, library): (String, String) = conn
        .query_row(
            "SELECT HOST, LOGICAL_LIBRARY_NAME FROM SIM_TAPED WHERE DRIVE_NAME = ?1",
            [&m.drive],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or_else(|_| ("localhost".to_owned(), String::new()));
    let info = taped_log::MountInfo {
        drive: &m.drive,
        host: &host,
        logical_library: &library,
        vid: &m.vid,
        pool: &m.pool,
        vo: &m.vo,
        mount_type,
        session: m.session,
    };
    if let Err(e) = taped_log::append(instance_dir, &taped_log::record(&info, stats)) {
        tracing::warn!(drive = %m.drive, error = %e, "cannot append to the taped log");
    }
}

/// `drive down --force`: the session stops after the file in flight.
fn forced_down(conn: &Db, drive: &str) -> Result<bool> {
    let v: Option<(i64, i64)> = crate::catalogue::OptionalExtension::optional(conn.query_row(
        "SELECT DESIRED_UP, FORCE_DOWN FROM SIM_DRIVE WHERE DRIVE_NAME = ?1",
        [drive],
        |r| Ok((r.get(0)?, r.get(1)?)),
    ))?;
    // A drive removed under a running session stops it too.
    Ok(v.is_none_or(|(up, force)| up == 0 && force != 0))
}

/// The oldest job of the queue that no other session is writing.
fn next_archive_job(conn: &Db, pool: &str, mount_type: &str, claims: &[i64]) -> Result<Option<ArchiveJob>> {
    let limit = i64::try_from(claims.len() + 1).unwrap_or(i64::MAX);
    let jobs: Vec<ArchiveJob> = conn
        .prepare(
            "SELECT REQUEST_ID, ARCHIVE_FILE_ID, STORAGE_CLASS_NAME, COPY_NB, SIZE_IN_BYTES, SOURCE, DISK_FILE_ID, REPACK_VID,
               REPACK_FSEQ, CREATION_TIME FROM SIM_ARCHIVE_QUEUE WHERE TAPE_POOL_NAME = ?1 AND MOUNT_TYPE = ?2
             ORDER BY REQUEST_ID LIMIT ?3",
        )?
        .query_map(params![pool, mount_type, limit], |r| {
            Ok(ArchiveJob {
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
    Ok(jobs.into_iter().find(|j| !claims.contains(&j.request_id)))
}
