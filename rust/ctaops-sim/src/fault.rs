//! `ctaops sim fault`: break things on purpose so the tools' error paths can be tested.

use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};

use crate::catalogue::{Db, OptionalExtension};
use crate::params;
use ctaops_scsi::library::Library;

use crate::catalogue::write_tx;
use crate::error::{Result, SimError, user};
use crate::instance::Instance;

/// A fault to inject.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Flip one byte in the first data block of the file at `fseq` (the Adler-32 no longer matches).
    CorruptData { vid: String, fseq: u64 },
    /// Damage the HDR1 label of the file at `fseq` (header check fails).
    CorruptHeader { vid: String, fseq: u64 },
    /// Every read of the tape fails.
    Unreadable { vid: String },
    /// The drive fails: down with a reason, never chosen for a mount.
    DriveFail { drive: String },
    /// The next `count` cta-admin calls fail; `user_error` picks exit 2 over exit 1.
    AdminFail {
        count: u32,
        message: String,
        user_error: bool,
    },
    /// The library slot holding `vid` (or the element `slot`) jams: every move from or to it fails.
    JamSlot { vid: Option<String>, slot: Option<u16> },
    /// Reading the disk file of an archive request fails (by archive file ID, or by path on the
    /// disk side): taped writes the "failing to read from disk" placeholder, the fSeq is
    /// consumed and the job fails (`failedrequest ls`), as `TapeWriteTask::execute` does.
    DiskReadFail {
        archive_id: Option<u64>,
        path: Option<String>,
    },
    /// Remove all injected faults (images stay as they are, jammed slots are freed).
    Clear,
}

/// Injects a fault; returns a one-line description.
pub fn inject(inst: &Instance, fault: &Fault) -> Result<String> {
    let mut conn = inst.connect()?;
    match fault {
        Fault::CorruptData { vid, fseq } | Fault::CorruptHeader { vid, fseq } => {
            let data = matches!(fault, Fault::CorruptData { .. });
            let on_tape: Option<i64> = conn
                .query_row("SELECT LAST_FSEQ FROM TAPE WHERE VID = ?1", [vid], |r| r.get(0))
                .optional()?;
            let Some(last) = on_tape else {
                return user(format!("Tape VID {vid} does not exist."));
            };
            if *fseq == 0 || *fseq > u64::try_from(last).unwrap_or(0) {
                return user(format!("Tape {vid} has no file with fSeq {fseq} (last fSeq {last})"));
            }
            // The first file's HDR1 replaces the PRELABEL HDR1 right after VOL1 (object 1), so file N's
            // HDR1 follows 3·(N−1) tape marks (VOL1 first for N = 1) and its data one more.
            let marks = 3 * (fseq - 1) + u64::from(data);
            let skip = u64::from(*fseq == 1 && !data);
            let offset = record_after_marks(&inst.image(vid), marks, skip)?;
            let mut f = OpenOptions::new().read(true).write(true).open(inst.image(vid))?;
            // skip the 4-byte length word; damage a byte in the middle of the label / block start
            let at = offset + 4 + if data { 7 } else { 0 };
            let mut b = [0u8; 1];
            f.seek(SeekFrom::Start(at))?;
            f.read_exact(&mut b)?;
            b[0] ^= if data { 0xFF } else { b'H' ^ b'X' };
            f.seek(SeekFrom::Start(at))?;
            f.write_all(&b)?;
            Ok(format!(
                "corrupted {} of fSeq {fseq} on {vid} at byte {at}",
                if data { "data" } else { "HDR1" }
            ))
        }
        Fault::Unreadable { vid } => {
            write_tx(&mut conn, |tx| {
                tx.execute("INSERT INTO SIM_FAULT VALUES('unreadable', ?1, 1, 'unreadable')", [vid])?;
                Ok(())
            })?;
            Ok(format!("tape {vid} is now unreadable"))
        }
        Fault::DriveFail { drive } => {
            let n = write_tx(&mut conn, |tx| {
                tx.execute(
                    "UPDATE SIM_DRIVE SET FAILED = 1, STATUS = CASE WHEN STATUS = 'UP' THEN 'DOWN' ELSE STATUS END, DESIRED_UP = 0,
                       REASON = 'drive failure (injected fault)' WHERE DRIVE_NAME = ?1",
                    [drive],
                )
            })?;
            if n == 0 {
                return user(format!("Drive {drive} not found"));
            }
            Ok(format!("drive {drive} failed"))
        }
        Fault::AdminFail {
            count,
            message,
            user_error,
        } => {
            write_tx(&mut conn, |tx| {
                tx.execute(
                    "INSERT INTO SIM_FAULT VALUES('admin-fail', ?1, ?2, ?3)",
                    params![if *user_error { "user" } else { "cta" }, count, message],
                )?;
                Ok(())
            })?;
            Ok(format!("the next {count} cta-admin calls fail"))
        }
        Fault::JamSlot { vid, slot } => jam_slot(inst, &conn, vid.as_deref(), *slot),
        Fault::DiskReadFail { archive_id, path } => {
            let id: Option<i64> = match (archive_id, path) {
                (Some(id), _) => conn
                    .query_row(
                        "SELECT ARCHIVE_FILE_ID FROM SIM_ARCHIVE_QUEUE WHERE ARCHIVE_FILE_ID = ?1
                         UNION SELECT ARCHIVE_FILE_ID FROM SIM_DISK_FILE WHERE ARCHIVE_FILE_ID = ?1",
                        [id],
                        |r| r.get(0),
                    )
                    .optional()?,
                (None, Some(p)) => conn
                    .query_row(
                        "SELECT ARCHIVE_FILE_ID FROM SIM_DISK_FILE WHERE DISK_FILE_PATH = ?1 ORDER BY ARCHIVE_FILE_ID LIMIT 1",
                        [p],
                        |r| r.get(0),
                    )
                    .optional()?,
                (None, None) => return user("Give --archive-id or --path"),
            };
            let Some(id) = id else {
                return user(match (archive_id, path) {
                    (Some(id), _) => {
                        format!("No file with archive file ID {id} on the disk side or queued for archival")
                    }
                    (None, p) => format!(
                        "{}: no such file on any disk instance",
                        p.as_deref().unwrap_or_default()
                    ),
                });
            };
            write_tx(&mut conn, |tx| {
                tx.execute(
                    "INSERT INTO SIM_FAULT VALUES('disk-read-fail', ?1, 1, 'disk read fails')",
                    [id.to_string()],
                )?;
                Ok(())
            })?;
            Ok(format!("reading the disk file of archive file {id} now fails"))
        }
        Fault::Clear => {
            for state in library_states(inst, &conn)? {
                let mut lib = Library::load(&state)?;
                if !lib.faults.stuck_elements.is_empty() {
                    lib.faults.stuck_elements.clear();
                    lib.save(&state)?;
                }
            }
            write_tx(&mut conn, |tx| {
                tx.execute("DELETE FROM SIM_FAULT", ())?;
                tx.execute("UPDATE SIM_DRIVE SET FAILED = 0 WHERE FAILED = 1", ())?;
                Ok(())
            })?;
            Ok("faults cleared".into())
        }
    }
}

/// The library state files of the instance's physical libraries.
fn library_states(inst: &Instance, conn: &Db) -> Result<Vec<std::path::PathBuf>> {
    let files: Vec<String> = conn
        .prepare("SELECT STATE_FILE FROM PHYSICAL_LIBRARY WHERE STATE_FILE <> '' ORDER BY 1")?
        .query_map((), |r| r.get(0))?
        .collect::<Result<_>>()?;
    Ok(files.into_iter().map(|f| inst.dir.join(f)).collect())
}

fn jam_slot(inst: &Instance, conn: &Db, vid: Option<&str>, slot: Option<u16>) -> Result<String> {
    for state in library_states(inst, conn)? {
        let mut lib = Library::load(&state)?;
        let address = match (vid, slot) {
            (Some(v), _) => lib.locate(v).map(|(_, a)| a),
            (None, Some(s)) => lib.slots.iter().any(|e| e.address == s).then_some(s),
            (None, None) => None,
        };
        if let Some(a) = address {
            if !lib.faults.stuck_elements.contains(&a) {
                lib.faults.stuck_elements.push(a);
            }
            lib.save(&state)?;
            return Ok(format!("element {a} of {} is jammed", state.display()));
        }
    }
    match (vid, slot) {
        (Some(v), _) => user(format!("Tape {v} is not in any library slot")),
        (None, Some(s)) => user(format!("No library has a storage slot at element {s}")),
        (None, None) => user("Give --vid or --slot"),
    }
}

/// Byte offset of the record after `marks` tape marks (and `skip` more records) in a SIMH image.
fn record_after_marks(path: &std::path::Path, marks: u64, mut skip: u64) -> Result<u64> {
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    let (mut pos, mut seen) = (0u64, 0u64);
    let mut w = [0u8; 4];
    while pos + 4 <= len {
        f.seek(SeekFrom::Start(pos))?;
        f.read_exact(&mut w)?;
        let n = u64::from(u32::from_le_bytes(w));
        if n == 0 {
            seen += 1;
            pos += 4;
            continue;
        }
        if n == 0xFFFF_FFFF {
            break;
        }
        if seen == marks {
            if skip == 0 {
                return Ok(pos);
            }
            skip -= 1;
        }
        pos += 4 + n + (n & 1) + 4;
    }
    Err(SimError::Cta(format!(
        "{}: no record after {marks} tape marks",
        path.display()
    )))
}
