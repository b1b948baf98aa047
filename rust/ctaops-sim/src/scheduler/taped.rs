//! The tape daemons: which drives they run (`SIM_TAPED`, their configuration, which
//! `cta-admin drive rm` does not touch), what they report while `sim run` runs, and a restart.
//!
//! CTA (`taped/daemon/DriveHandler.cpp`, `taped/session/DataTransferSession.cpp`): a daemon
//! whose drive is missing from the catalogue (`Scheduler::NoSuchDrive`) puts it down, which
//! registers it again, Down, with the reason built by
//! `DesiredDriveState::generateReasonFromLogMsg` (`[cta-taped] <level> <message>`); the status of
//! a drive follows its desired state when the daemon acts (at once when idle, after the session
//! when mounted).

use crate::catalogue::{Db, OptionalExtension, now, write_tx};
use crate::error::{Result, user};
use crate::instance::Instance;
use crate::params;

use ctaops_scsi::library::Library;

/// Registers every catalogue drive as run by a daemon (at `sim init` and the layout upgrade).
/// (`WHERE` keeps SQLite from reading `ON` as a join constraint.)
pub const REGISTER_ALL: &str =
    "INSERT INTO SIM_TAPED(DRIVE_NAME, LOGICAL_LIBRARY_NAME, HOST, ELEMENT_ADDRESS, DEV_FILE_NAME)
 SELECT DRIVE_NAME, LOGICAL_LIBRARY_NAME, HOST, ELEMENT_ADDRESS, DEV_FILE_NAME FROM SIM_DRIVE WHERE 1 = 1
 ON CONFLICT(DRIVE_NAME) DO NOTHING";

/// The reason a re-registered drive carries: `Scheduler::getDesiredDriveState`'s `NoSuchDrive`
/// message as `putDriveDown` logs it at ERR.
pub const NO_SUCH_DRIVE_REASON: &str = "[cta-taped] ERROR In Scheduler::getDesiredDriveState(): no such drive";

/// The daemons report: a drive removed with `drive rm` while its daemon runs comes back, Down.
pub(super) fn report(conn: &mut Db) -> Result<u64> {
    let n = write_tx(conn, |tx| {
        let t = now(tx)?;
        tx.execute(
            "INSERT INTO SIM_DRIVE(DRIVE_NAME, LOGICAL_LIBRARY_NAME, HOST, ELEMENT_ADDRESS, STATUS_SINCE, DEV_FILE_NAME,
               LAST_UPDATE, DESIRED_UP, STATUS, REASON)
             SELECT DRIVE_NAME, LOGICAL_LIBRARY_NAME, HOST, ELEMENT_ADDRESS, ?1, DEV_FILE_NAME, ?1, 0, 'DOWN', ?2 FROM SIM_TAPED
             WHERE DRIVE_NAME NOT IN (SELECT DRIVE_NAME FROM SIM_DRIVE)",
            params![t, NO_SUCH_DRIVE_REASON],
        )
    })?;
    Ok(n as u64)
}

/// Restarts the daemon of `drive` (every daemon when `None`): a session it left behind is
/// cleaned up (the cartridge goes back to its slot), the drive registers again if it was
/// removed, and its status follows its desired state. Returns the drives restarted.
///
/// # Errors
/// A user error for a drive no daemon runs; catalogue and library errors.
pub fn restart(inst: &Instance, conn: &mut Db, drive: Option<&str>) -> Result<Vec<String>> {
    let daemons: Vec<String> = conn
        .prepare("SELECT DRIVE_NAME FROM SIM_TAPED ORDER BY DRIVE_NAME")?
        .query_map((), |r| r.get(0))?
        .collect::<Result<_>>()?;
    let chosen: Vec<String> = match drive {
        None => daemons,
        Some(d) if daemons.iter().any(|n| n == d) => vec![d.to_owned()],
        Some(d) => return user(format!("No tape daemon runs drive {d}")),
    };
    for name in &chosen {
        clean_up(inst, conn, name)?;
    }
    report(conn)?;
    Ok(chosen)
}

/// Sessions a killed `sim run` left (drives still holding a VID) are cleaned up when the
/// daemons start again with the next run.
pub(super) fn recover(inst: &Instance, conn: &mut Db) -> Result<()> {
    let stale: Vec<String> = conn
        .prepare("SELECT DRIVE_NAME FROM SIM_DRIVE WHERE VID IS NOT NULL ORDER BY DRIVE_NAME")?
        .query_map((), |r| r.get(0))?
        .collect::<Result<_>>()?;
    for name in &stale {
        clean_up(inst, conn, name)?;
    }
    Ok(())
}

/// A drive left mid-session by a daemon that died: unload its cartridge, report the status its
/// desired state asks for.
fn clean_up(inst: &Instance, conn: &mut Db, drive: &str) -> Result<()> {
    let row: Option<(Option<String>, i64, String)> = conn
        .query_row(
            "SELECT D.VID, D.ELEMENT_ADDRESS, PL.STATE_FILE FROM SIM_DRIVE D
               JOIN LOGICAL_LIBRARY L ON L.LOGICAL_LIBRARY_NAME = D.LOGICAL_LIBRARY_NAME
               JOIN PHYSICAL_LIBRARY PL ON PL.PHYSICAL_LIBRARY_NAME = L.PHYSICAL_LIBRARY_NAME
             WHERE D.DRIVE_NAME = ?1",
            [drive],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((vid, address, state_file)) = row else {
        return Ok(());
    };
    if let Some(vid) = vid {
        let path = inst.dir.join(state_file);
        let mut lib = Library::load(&path)?;
        let address = u16::try_from(address).unwrap_or(0);
        if lib.drive_mut(address).is_some_and(|d| d.cartridge.is_some()) {
            if let Err(e) = super::unload(&mut lib, address) {
                tracing::warn!(drive, vid, error = %e, "cannot unload the cartridge a dead session left");
            } else {
                lib.save(&path)?;
            }
        }
        tracing::info!(drive, vid, "cleaned up the session a stopped daemon left");
    }
    super::release_drive(conn, drive)
}
