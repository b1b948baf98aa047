//! `cta-verify-file` against the simulator: read each file back from its tape image, check the
//! headers, size and Adler-32 against the catalogue; failures become `failedrequest ls` entries.

use crate::catalogue::OptionalExtension;
use crate::params;
use ctaops_tape::{Positioning, ReadSession, SimhImage};

use crate::catalogue::{now, write_tx};
use crate::error::{Result, SimError, user};
use crate::instance::{Instance, caller};
use crate::scheduler::unreadable;

/// The outcome for one archive file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Verified {
    pub archive_id: u64,
    pub vid: String,
    pub fseq: u64,
    pub ok: bool,
    /// The request's object id (what cta-verify-file prints).
    pub object_id: String,
    pub error: Option<String>,
}

/// Verifies the copies of `ids` on `vid` now (the simulator runs the retrieve synchronously).
pub fn verify_file(inst: &Instance, vid: &str, ids: &[u64]) -> Result<Vec<Verified>> {
    let mut conn = inst.connect()?;
    if conn
        .query_row("SELECT 1 FROM TAPE WHERE VID = ?1", [vid], |_| Ok(()))
        .optional()?
        .is_none()
    {
        return user("The provided --vid does not exist in the Catalogue.");
    }
    let (usr, _) = caller();
    let mut out = Vec::new();
    for &id in ids {
        let row: Option<(i64, i64, i64, i64, i64)> = conn
            .query_row(
                "SELECT T.FSEQ, T.BLOCK_ID, A.SIZE_IN_BYTES, A.CHECKSUM_ADLER32, T.COPY_NB FROM TAPE_FILE T
                 JOIN ARCHIVE_FILE A ON A.ARCHIVE_FILE_ID = T.ARCHIVE_FILE_ID WHERE T.VID = ?1 AND T.ARCHIVE_FILE_ID = ?2",
                params![vid, i64::try_from(id).unwrap_or(i64::MAX)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((fseq, block_id, size, adler, copy_nb)) = row else {
            return user(format!("Archive file {id} has no copy on tape {vid}"));
        };
        let fseq_u = u64::try_from(fseq).unwrap_or(0);
        let error = if unreadable(&conn, vid)? {
            Some(format!("tape {vid} cannot be read (injected fault)"))
        } else {
            match read_one(inst, vid, id, fseq_u, u64::try_from(block_id).unwrap_or(0)) {
                Err(e) => Some(e.to_string()),
                Ok((s, a)) if s != u64::try_from(size).unwrap_or(0) || a != u32::try_from(adler).unwrap_or(0) => {
                    Some(format!(
                        "Checksum mismatch for archive file {id} fSeq {fseq}: catalogue ADLER32 {adler:08x} size {size}, tape ADLER32 {a:08x} size {s}"
                    ))
                }
                Ok(_) => None,
            }
        };
        let object_id = format!("RetrieveRequest-ctaops-sim-{id}-{}", now(&conn)?);
        if let Some(msg) = &error {
            write_tx(&mut conn, |tx| {
                tx.execute(
                    &format!(
"INSERT INTO SIM_FAILED_REQUEST(OBJECT_ID, REQUEST_TYPE, ARCHIVE_FILE_ID, VID, FSEQ, BLOCK_ID, COPY_NB,
                       REQUESTER, GROUPNAME, FAILURE_LOG, TOTAL_RETRIES, TIME) VALUES(?1,'RETRIEVE_REQUEST',?2,?3,?4,?5,?6,?7,'cta',?8,1,?9){}", crate::catalogue::FAILED_REQUEST_UPSERT),
                    params![object_id, i64::try_from(id).unwrap_or(0), vid, fseq, block_id, copy_nb, usr, msg, now(tx)?],
                )?;
                Ok(())
            })?;
        }
        out.push(Verified {
            archive_id: id,
            vid: vid.to_owned(),
            fseq: fseq_u,
            ok: error.is_none(),
            object_id,
            error,
        });
    }
    Ok(out)
}

fn read_one(inst: &Instance, vid: &str, id: u64, fseq: u64, block_id: u64) -> Result<(u64, u32)> {
    let dev = SimhImage::open(inst.image(vid), false)?;
    let mut s = ReadSession::open(dev, vid)?;
    let f = s.read_file(id, fseq, Positioning::BlockId(block_id), &mut |_| {})?;
    Ok((f.size, f.adler32))
}

/// Parses cta-verify-file's `--id a,b,c`.
pub fn parse_ids(list: &str) -> Result<Vec<u64>> {
    list.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| SimError::Usage(format!("{s} is not a valid archive file ID")))
        })
        .collect()
}
