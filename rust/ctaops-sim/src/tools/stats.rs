//! `cta-statistics-update [CATALOGUE_CONF]` (cta-interfaces.md §2.9): recomputes the per-tape file
//! statistics of every dirty tape and clears its dirty bit, in one transaction.

use std::io::Write;
use std::path::Path;

use crate::catalogue::write_tx;
use crate::error::{Result, SimError};
use crate::instance::Instance;

const USAGE: &str = "Usage: cta-statistics-update <catalogue_configuration_file> [--help/-h]";

/// Runs `cta-statistics-update ARGS` (the catalogue configuration path is accepted and ignored:
/// the instance is the catalogue).
pub fn main(inst_dir: &Path, args: &[String], stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    super::exit_status(run(inst_dir, args, stdout), stderr)
}

fn run(inst_dir: &Path, args: &[String], stdout: &mut dyn Write) -> Result<()> {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        writeln!(stdout, "{USAGE}")?;
        return Ok(());
    }
    if let Some(bad) = args.iter().find(|a| a.starts_with('-')) {
        return Err(SimError::Usage(format!("unrecognized option '{bad}'\n{USAGE}")));
    }
    if args.len() > 1 {
        return Err(SimError::Usage(format!("Too many arguments\n{USAGE}")));
    }
    let inst = Instance::open(inst_dir)?;
    let mut conn = inst.connect()?;
    let updated = write_tx(&mut conn, |tx| {
        tx.execute(
            "UPDATE TAPE SET
               NB_MASTER_FILES = (SELECT COUNT(*) FROM TAPE_FILE F WHERE F.VID = TAPE.VID),
               MASTER_DATA_IN_BYTES = (SELECT COALESCE(SUM(F.LOGICAL_SIZE_IN_BYTES), 0) FROM TAPE_FILE F WHERE F.VID = TAPE.VID),
               NB_COPY_NB_1 = (SELECT COUNT(*) FROM TAPE_FILE F WHERE F.VID = TAPE.VID AND F.COPY_NB = 1),
               COPY_NB_1_IN_BYTES = (SELECT COALESCE(SUM(F.LOGICAL_SIZE_IN_BYTES), 0) FROM TAPE_FILE F
                                     WHERE F.VID = TAPE.VID AND F.COPY_NB = 1),
               NB_COPY_NB_GT_1 = (SELECT COUNT(*) FROM TAPE_FILE F WHERE F.VID = TAPE.VID AND F.COPY_NB > 1),
               COPY_NB_GT_1_IN_BYTES = (SELECT COALESCE(SUM(F.LOGICAL_SIZE_IN_BYTES), 0) FROM TAPE_FILE F
                                        WHERE F.VID = TAPE.VID AND F.COPY_NB > 1),
               DIRTY = 0
             WHERE DIRTY = 1",
            (),
        )
    })?;
    super::log_line(
        stdout,
        "cta-statistics-update",
        "INFO",
        "Updated the statistics of the dirty tapes",
        &[("nbUpdatedTapes", updated.to_string())],
    );
    Ok(())
}
