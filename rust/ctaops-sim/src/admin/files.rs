//! `failedrequest rm` and `archivefile ch` (cta-interfaces.md §1.4).

use crate::catalogue::Db;
use crate::params;

use super::parse::Parsed;
use crate::error::{Result, SimError, user};

/// `fr rm --objectid ID`: forgets one failed request.
pub fn failed_rm(tx: &Db, p: &Parsed) -> Result<()> {
    let id = p.str("objectid").unwrap_or_default();
    let n = tx.execute("DELETE FROM SIM_FAILED_REQUEST WHERE OBJECT_ID = ?1", [id])?;
    if n == 0 {
        // OStoreDB::deleteFailed (the objectstore scheduler, the only one implementing it): a
        // server error, not a user error.
        return Err(SimError::Cta(format!("Object {id} not found.")));
    }
    Ok(())
}

/// `af ch --idfile F (--storageclass SC | (--fxid X | --diskfileid D) --diskinstance I)`.
pub fn archivefile_ch(tx: &Db, p: &Parsed) -> Result<()> {
    let ids: Vec<i64> = p
        .list("idfile")
        .unwrap_or_default()
        .iter()
        .map(|s| s.parse::<i64>().map_err(|_| ()))
        .collect::<Result<_, ()>>()
        .or_else(|()| user("The archive file ID list contains a value that is not an archive file ID"))?;
    if ids.is_empty() {
        return user("No archive file IDs were given (--idfile)");
    }
    for id in &ids {
        let n: i64 = tx.query_row(
            "SELECT COUNT(*) FROM ARCHIVE_FILE WHERE ARCHIVE_FILE_ID = ?1",
            [id],
            |r| r.get(0),
        )?;
        if n == 0 {
            return user(format!("Archive file with ID {id} does not exist"));
        }
    }
    if let Some(sc) = p.str("storageclass") {
        let n: i64 = tx.query_row(
            "SELECT COUNT(*) FROM STORAGE_CLASS WHERE STORAGE_CLASS_NAME = ?1",
            [sc],
            |r| r.get(0),
        )?;
        if n == 0 {
            return user(format!("Storage class {sc} does not exist"));
        }
        for id in &ids {
            tx.execute(
                "UPDATE ARCHIVE_FILE SET STORAGE_CLASS_NAME = ?2 WHERE ARCHIVE_FILE_ID = ?1",
                params![id, sc],
            )?;
        }
        return Ok(());
    }
    let disk_id = match (p.str("diskfileid"), p.str("fxid")) {
        (Some(d), _) => d.to_owned(),
        (None, Some(f)) => u64::from_str_radix(f, 16)
            .map(|n| n.to_string())
            .or_else(|_| user(format!("{f} is not a valid hexadecimal file ID")))?,
        (None, None) => return user("Must specify --storageclass, or --fxid/--diskfileid with --diskinstance"),
    };
    let Some(instance) = p.str("diskinstance") else {
        return user("Must specify --diskinstance together with --fxid/--diskfileid");
    };
    if ids.len() != 1 {
        return user("Exactly one archive file ID must be given to change its disk file ID");
    }
    tx.execute(
        "UPDATE ARCHIVE_FILE SET DISK_FILE_ID = ?2, DISK_INSTANCE_NAME = ?3 WHERE ARCHIVE_FILE_ID = ?1",
        params![ids[0], disk_id, instance],
    )?;
    Ok(())
}
