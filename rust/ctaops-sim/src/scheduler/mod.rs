//! `ctaops sim run`: the scheduler, one tape daemon per drive, all drives at once.
//!
//! Time is simulated: every mount is a session on one drive (mount, one file after another,
//! unmount), each step taking simulated seconds (robot and load times drawn from `--seed`, files
//! at the drive's rate). The loop always serves the earliest due step, and after each one offers
//! every free drive the best potential mount by CTA's rules (`pick`), so sessions overlap and the
//! virtual organisations' `readMaxDrives`/`writeMaxDrives` bind. While drives are busy the
//! scheduler's time jumps from one step to the next and the instance clock stays on the wall
//! clock (the catalogue records real times); with `--speed X` the instance clock moves X
//! simulated seconds per wall second, busy or idle. Idle, the scheduler follows the wall clock.
//!
//! Bytes reach the image before the catalogue records them, one file at a time: a killed run
//! leaves at most one unreferenced file past `LAST_FSEQ` per tape, which the next session
//! overwrites, and the drives it left mounted are cleaned up when the next run starts, as taped
//! does after a crash.

mod commit;
mod pick;
mod repack;
mod session;
pub mod taped;
pub mod taped_log;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::catalogue::{Db, OptionalExtension, wall_now, write_tx};
use crate::error::{Result, SimError};
use crate::instance::Instance;
use crate::params;
use ctaops_scsi::library::Library;

pub use pick::MountCriteria;
pub(crate) use repack::{repack_retrieve_failed, repack_retrieve_failed_all, repack_retrieved};

/// How long and how fast to run.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Stop when there is nothing left to do.
    pub until_idle: bool,
    /// Stop after this much wall time (active sessions are ended cleanly first).
    pub duration: Option<Duration>,
    /// Simulated seconds per wall second. `None`: while drives are busy the clock jumps to the
    /// next step, while idle it follows the wall clock.
    pub speed: Option<f64>,
    /// taped's `MountCriteria`; `None` reads `DIR/cta-taped.conf`, else CTA's default.
    pub mount_criteria: Option<MountCriteria>,
    /// Drive transfer rate in bytes per simulated second.
    pub drive_rate: u64,
    /// Seed of the robot and load times.
    pub seed: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            until_idle: true,
            duration: None,
            speed: None,
            mount_criteria: None,
            drive_rate: DEFAULT_DRIVE_RATE,
            seed: 0,
        }
    }
}

/// LTO-9's native rate, 400 MB/s.
pub const DEFAULT_DRIVE_RATE: u64 = 400_000_000;

/// What a run did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct RunReport {
    pub mounts: u64,
    pub files_archived: u64,
    pub bytes_archived: u64,
    pub files_retrieved: u64,
    pub repacks_completed: u64,
    /// Every mount, in the order the sessions started (simulated time).
    pub sessions: Vec<Session>,
    pub errors: Vec<String>,
}

impl RunReport {
    /// Counts a mount and lists it in `sessions`; returns its index there.
    pub(crate) fn record_mount(&mut self, m: &Mount, mount_type: &str, start: u64) -> usize {
        self.mounts += 1;
        self.sessions.push(Session {
            drive: m.drive.clone(),
            vid: m.vid.clone(),
            tapepool: m.pool.clone(),
            vo: m.vo.clone(),
            mount_type: mount_type.to_owned(),
            start,
            end: start,
            files: 0,
            bytes: 0,
        });
        self.sessions.len() - 1
    }
}

/// One mount of a run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Session {
    pub drive: String,
    pub vid: String,
    pub tapepool: String,
    /// The virtual organisation the mount counts against (the repack VO for repack mounts).
    pub vo: String,
    #[serde(rename = "mountType")]
    pub mount_type: String,
    /// Simulated time the mount was decided and the cartridge left its slot.
    pub start: u64,
    /// Simulated time the cartridge was back in its slot.
    pub end: u64,
    /// Files transferred (committed) in the session.
    pub files: u64,
    pub bytes: u64,
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

/// Runs the scheduler.
///
/// # Errors
/// A catalogue or I/O error the run cannot continue past; failed sessions are in the report.
pub fn run(inst: &Instance, opts: RunOptions) -> Result<RunReport> {
    let _lock = run_lock(inst)?;
    let mut conn = inst.connect()?;
    let criteria = match opts.mount_criteria {
        Some(c) => c,
        None => MountCriteria::from_taped_conf(&inst.dir.join("cta-taped.conf"))?,
    };
    let mut report = RunReport::default();
    // Sessions a killed run left behind: the daemons clean their drives when they start.
    taped::recover(inst, &mut conn)?;
    taped::report(&mut conn)?;
    // Without --speed the session times are the scheduler's own: the instance clock stays on the
    // wall clock, so the catalogue never holds times in the future that tools (which read the
    // wall clock) would misread.
    let paced = opts.speed.is_some();
    let mut t = crate::catalogue::now(&conn)?;
    let mut active: Vec<session::Active> = Vec::new();
    let started = Instant::now();
    loop {
        // Steps due now, earliest first (drive name breaks ties: deterministic).
        while let Some(i) = earliest(&active).filter(|&i| active[i].due <= t) {
            let claims = active_claims(&active);
            if !active[i].step(inst, &mut conn, &claims, &mut report, t, &opts)? {
                active.swap_remove(i);
            }
        }
        repack::expand(inst, &mut conn, t)?;
        pick::fill_free_drives(inst, &mut conn, &criteria, &mut active, &mut report, t, &opts)?;
        report.repacks_completed += repack::finish(&mut conn, t)?;
        if opts.duration.is_some_and(|d| started.elapsed() >= d) {
            for mut a in active.drain(..) {
                a.end_now(&mut conn, &mut report, t)?;
            }
            break;
        }
        if let Some(i) = earliest(&active) {
            let due = active[i].due;
            if let Some(speed) = opts.speed.filter(|s| *s > 0.0) {
                let wait = Duration::from_secs_f64(due.saturating_sub(t) as f64 / speed);
                let left = opts.duration.map_or(wait, |d| d.saturating_sub(started.elapsed()));
                std::thread::sleep(wait.min(left));
            }
            t = set_clock(&mut conn, due.max(t), paced)?;
            continue;
        }
        // Idle: a queue due within the clock's one-second resolution is served at once.
        let ready_at = pick::next_ready(&conn, t, &criteria)?;
        if let Some(r) = ready_at.filter(|r| *r <= t + 1) {
            t = set_clock(&mut conn, r.max(t), paced)?;
            continue;
        }
        if opts.until_idle && ready_at.is_none() {
            break;
        }
        // The daemons poll while idle: a drive removed meanwhile registers again.
        taped::report(&mut conn)?;
        std::thread::sleep(Duration::from_millis(200));
        let advanced = match opts.speed {
            Some(s) if s > 1.0 => t + (0.2 * s) as u64,
            _ => t,
        };
        t = set_clock(&mut conn, advanced.max(wall_now()), paced)?;
    }
    Ok(report)
}

/// One `sim run` per instance at a time: two schedulers would each clean up the other's sessions.
fn run_lock(inst: &Instance) -> Result<std::fs::File> {
    let path = inst.dir.join("run.lock");
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(std::fs::TryLockError::WouldBlock) => Err(SimError::Usage(format!(
            "another `ctaops sim run` is running on {} (it holds {})",
            inst.dir.display(),
            path.display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// Index of the active session with the earliest due step.
fn earliest(active: &[session::Active]) -> Option<usize> {
    (0..active.len()).min_by(|&a, &b| (active[a].due, &active[a].m.drive).cmp(&(active[b].due, &active[b].m.drive)))
}

/// Archive requests other sessions are writing (queued until committed, so not to be taken twice).
fn active_claims(active: &[session::Active]) -> Vec<i64> {
    active.iter().filter_map(session::Active::claimed).collect()
}

/// Moves the scheduler to `t`; the instance clock follows when the run is paced (`--speed`).
fn set_clock(conn: &mut Db, t: u64, paced: bool) -> Result<u64> {
    if !paced {
        return Ok(t);
    }
    write_tx(conn, |tx| {
        tx.execute(
            "UPDATE SIM_CLOCK SET NOW = CASE WHEN NOW > ?1 THEN NOW ELSE ?1 END",
            params![i64::try_from(t).unwrap_or(i64::MAX)],
        )?;
        Ok(())
    })?;
    Ok(t)
}

pub(crate) fn set_drive(conn: &mut Db, m: &Mount, status: &str, mount_type: &str) -> Result<()> {
    write_tx(conn, |tx| {
        let t = crate::catalogue::now(tx)?;
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

/// The session is over: the daemon reports the status the desired state asks for (CTA's
/// `DataTransferSession` reports Up, or Down when the drive was set down meanwhile).
pub(crate) fn release_drive(conn: &mut Db, drive: &str) -> Result<()> {
    write_tx(conn, |tx| {
        let t = crate::catalogue::now(tx)?;
        tx.execute(
            "UPDATE SIM_DRIVE SET STATUS = CASE WHEN DESIRED_UP = 1 AND FAILED = 0 THEN 'UP' ELSE 'DOWN' END, STATUS_SINCE = ?2,
               LAST_UPDATE = ?2, MOUNT_TYPE = 'NO_MOUNT', VID = NULL, TAPE_POOL_NAME = NULL, VO = NULL, SESSION_START = 0
             WHERE DRIVE_NAME = ?1",
            params![drive, t],
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
        unload(&mut lib, m.address)
            .map_err(|e| SimError::Cta(format!("library refused to dismount {}: {e}", m.vid)))?;
    }
    lib.save(&m.library_state)?;
    Ok(())
}

/// Returns the cartridge in the drive at `address` to its home slot (or the first free one).
pub(crate) fn unload(lib: &mut Library, address: u16) -> std::result::Result<(), String> {
    let Some(d) = lib.drive_mut(address) else {
        return Err(format!("no drive at element {address}"));
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
            .ok_or_else(|| "library full".to_owned())?,
    };
    lib.move_medium(address, dest)
        .map_err(|s| format!("sense {:x}/{:02x}/{:02x}", s.0, s.1, s.2))
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

/// What taped does after a failed session: the tape is disabled with the reason.
pub(crate) fn disable_tape(conn: &mut Db, vid: &str, reason: &str) -> Result<()> {
    tracing::warn!(vid, reason, "disabling tape");
    write_tx(conn, |tx| {
        let t = crate::catalogue::now(tx)?;
        tx.execute(
            "UPDATE TAPE SET TAPE_STATE = CASE WHEN TAPE_STATE = 'REPACKING' THEN 'REPACKING_DISABLED' ELSE 'DISABLED' END,
               STATE_REASON = ?2, STATE_UPDATE_TIME = ?3, STATE_MODIFIED_BY = 'ctaops-sim@scheduler' WHERE VID = ?1",
            params![vid, reason, t],
        )?;
        Ok(())
    })
}
