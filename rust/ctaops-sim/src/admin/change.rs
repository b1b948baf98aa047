//! The non-`ls` commands with CTA's server-side rules (cta-interfaces.md §1.4, §5.3, §5.4, §6.1).

use crate::catalogue::{Db, OptionalExtension};
use crate::params;

use super::ls::{drive_matches, tape_by_vid};
use super::parse::Parsed;
use crate::catalogue::now;
use crate::error::{Result, SimError, user};

/// Who runs the command (for audit columns).
pub struct Who {
    pub user: String,
    pub host: String,
}

const STATES: &[&str] = &[
    "ACTIVE",
    "DISABLED",
    "BROKEN",
    "BROKEN_PENDING",
    "EXPORTED",
    "EXPORTED_PENDING",
    "REPACKING",
    "REPACKING_PENDING",
    "REPACKING_DISABLED",
];

fn parse_state(s: &str) -> Result<String> {
    let up = s.to_uppercase();
    if STATES.contains(&up.as_str()) {
        Ok(up)
    } else {
        user(format!(
            "The state given ({s}) does not exist. Possible values are ACTIVE BROKEN DISABLED EXPORTED REPACKING REPACKING_DISABLED"
        ))
    }
}

fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|r| r.trim().is_empty())
}

/// Runs one mutating command; returns the `message_txt` to print.
pub fn run(tx: &Db, p: &Parsed, who: &Who, inst: &str) -> Result<String> {
    match (p.cmd.as_str(), p.sub.as_str()) {
        ("tape", "ch") => tape_ch(tx, p, who, inst).map(|()| String::new()),
        ("tape", "add") => tape_add(tx, p, who).map(|()| String::new()),
        ("tape", "rm") => tape_rm(tx, p).map(|()| String::new()),
        ("tape", "reclaim") => tape_reclaim(tx, p, who).map(|()| String::new()),
        ("tapefile", "rm") => tapefile_rm(tx, p, who).map(|()| String::new()),
        ("tapepool", "ch") => tapepool_ch(tx, p, who).map(|()| String::new()),
        ("drive", "up" | "down" | "ch") => drive_state(tx, p),
        ("drive", "rm") => drive_rm(tx, p),
        ("failedrequest", "rm") => super::files::failed_rm(tx, p).map(|()| String::new()),
        ("archivefile", "ch") => super::files::archivefile_ch(tx, p).map(|()| String::new()),
        ("recycletf", "restore") => super::recycle::restore(tx, p).map(|()| String::new()),
        (c, s)
            if super::config::handles(c, s) && (c, s) != ("logicallibrary", "ch") && (c, s) != ("tapepool", "ch") =>
        {
            super::config::run(tx, p, who)
        }
        ("logicallibrary", "ch") => ll_ch(tx, p, who).map(|()| String::new()),
        ("repack", "add") => repack_add(tx, p, who, inst).map(|()| String::new()),
        ("repack", "rm") => repack_rm(tx, p).map(|()| String::new()),
        ("repack", "err") => Ok("Not implemented".to_owned()),
        (c, s) => Err(SimError::Usage(format!("{c} {s} is not implemented by the simulator"))),
    }
}

fn touch_tape(tx: &Db, vid: &str, who: &Who, t: u64) -> Result<()> {
    tx.execute(
        "UPDATE TAPE SET LAST_UPDATE_USER_NAME = ?2, LAST_UPDATE_HOST_NAME = ?3, LAST_UPDATE_TIME = ?4 WHERE VID = ?1",
        params![vid, who.user, who.host, t],
    )?;
    Ok(())
}

fn exists(tx: &Db, sql: &str, key: &str) -> Result<bool> {
    Ok(tx.query_row(sql, [key], |_| Ok(())).optional()?.is_some())
}

fn tape_ch(tx: &Db, p: &Parsed, who: &Who, inst: &str) -> Result<()> {
    let vid = p.str("vid").unwrap_or_default();
    let Some(tape) = tape_by_vid(tx, vid, inst)? else {
        return tape_ch_missing(tx, p, vid);
    };
    let t = now(tx)?;
    if let Some(mt) = p.str("mediatype") {
        if tape.last_fseq > 0 {
            return user(format!(
                "Unable to modify media type of tape {vid} because it contains files"
            ));
        }
        if !exists(tx, "SELECT 1 FROM MEDIA_TYPE WHERE MEDIA_TYPE_NAME = ?1", mt)? {
            return user(format!(
                "Cannot modify tape {vid} because the media type {mt} does not exist"
            ));
        }
        tx.execute("UPDATE TAPE SET MEDIA_TYPE_NAME = ?2 WHERE VID = ?1", params![vid, mt])?;
    }
    if let Some(v) = p.str("vendor") {
        tx.execute("UPDATE TAPE SET VENDOR = ?2 WHERE VID = ?1", params![vid, v])?;
    }
    if let Some(ll) = p.str("logicallibrary") {
        if !exists(tx, "SELECT 1 FROM LOGICAL_LIBRARY WHERE LOGICAL_LIBRARY_NAME = ?1", ll)? {
            return user(format!(
                "Cannot modify tape {vid} because the logical library {ll} does not exist"
            ));
        }
        tx.execute(
            "UPDATE TAPE SET LOGICAL_LIBRARY_NAME = ?2 WHERE VID = ?1",
            params![vid, ll],
        )?;
    }
    if let Some(tp) = p.str("tapepool") {
        if !exists(tx, "SELECT 1 FROM TAPE_POOL WHERE TAPE_POOL_NAME = ?1", tp)? {
            return user(format!(
                "Cannot modify tape {vid} because the tape pool {tp} does not exist"
            ));
        }
        tx.execute("UPDATE TAPE SET TAPE_POOL_NAME = ?2 WHERE VID = ?1", params![vid, tp])?;
    }
    if let Some(c) = p.str("comment") {
        tx.execute(
            "UPDATE TAPE SET USER_COMMENT = NULLIF(?2, '') WHERE VID = ?1",
            params![vid, c],
        )?;
    }
    if let Some(k) = p.str("encryptionkeyname") {
        if tape.last_fseq > 0 {
            return user("ERROR: forbidden to set an encryption key on a non empty tape.");
        }
        tx.execute(
            "UPDATE TAPE SET ENCRYPTION_KEY_NAME = NULLIF(?2, '') WHERE VID = ?1",
            params![vid, k],
        )?;
    }
    if let Some(po) = p.str("purchaseorder") {
        tx.execute("UPDATE TAPE SET PURCHASE_ORDER = ?2 WHERE VID = ?1", params![vid, po])?;
    }
    if let Some(f) = p.bool("full") {
        tx.execute(
            "UPDATE TAPE SET IS_FULL = ?2 WHERE VID = ?1",
            params![vid, i64::from(f)],
        )?;
    }
    if let Some(s) = p.str("state") {
        change_state(
            tx,
            vid,
            tape.state.as_str(),
            &tape.state_reason,
            s,
            p.str("reason"),
            who,
            t,
        )?;
    } else if p.str("reason").is_some() {
        // a reason alone updates the reason of the current state
        tx.execute(
            "UPDATE TAPE SET STATE_REASON = ?2 WHERE VID = ?1",
            params![vid, p.str("reason")],
        )?;
    }
    if let Some(d) = p.bool("dirty") {
        tx.execute("UPDATE TAPE SET DIRTY = ?2 WHERE VID = ?1", params![vid, i64::from(d)])?;
    }
    if let Some(v) = p.str("verificationstatus") {
        tx.execute(
            "UPDATE TAPE SET VERIFICATION_STATUS = NULLIF(?2, '') WHERE VID = ?1",
            params![vid, v],
        )?;
    }
    touch_tape(tx, vid, who, t)
}

/// `tape ch` of a VID the catalogue does not hold: AdminCmd::processTape_Ch makes its calls in
/// this order and the first refuses (RdbmsTapeCatalogue::modifyTape*; the state goes through
/// Scheduler::triggerTapeStateChange, after the state name is parsed). No option, no call.
fn tape_ch_missing(tx: &Db, p: &Parsed, vid: &str) -> Result<()> {
    let gone = || user(format!("Cannot modify tape {vid} because it does not exist"));
    if let Some(mt) = p.str("mediatype") {
        if !exists(tx, "SELECT 1 FROM MEDIA_TYPE WHERE MEDIA_TYPE_NAME = ?1", mt)? {
            return user(format!(
                "Cannot modify tape {vid} because the media type {mt} does not exist"
            ));
        }
        return gone();
    }
    if p.str("vendor").is_some() {
        return gone();
    }
    if let Some(ll) = p.str("logicallibrary") {
        if !exists(tx, "SELECT 1 FROM LOGICAL_LIBRARY WHERE LOGICAL_LIBRARY_NAME = ?1", ll)? {
            return user(format!(
                "Cannot modify tape {vid} because the logical library {ll} does not exist"
            ));
        }
        return user(format!(
            "Cannot modify tape {vid} because either it or logical library {ll} does not exist"
        ));
    }
    if let Some(tp) = p.str("tapepool") {
        if !exists(tx, "SELECT 1 FROM TAPE_POOL WHERE TAPE_POOL_NAME = ?1", tp)? {
            return user(format!(
                "Cannot modify tape {vid} because the tape pool {tp} does not exist"
            ));
        }
        return user(format!(
            "Cannot modify tape {vid} because either it or tape pool {tp} does not exist"
        ));
    }
    if ["comment", "encryptionkeyname", "purchaseorder", "full"]
        .iter()
        .any(|o| p.opts.contains_key(o))
    {
        return gone();
    }
    if let Some(s) = p.str("state") {
        parse_state(s)?;
        return user(format!("The VID {vid} does not exist"));
    }
    if p.opts.contains_key("dirty") || p.opts.contains_key("verificationstatus") {
        return gone();
    }
    Ok(())
}

/// `tape ch --state` (§5.3); the simulator's scheduler backend finishes pending transitions at once
/// (as CTA's PostgreSQL scheduler does), so `*_PENDING` is never left behind.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site; the arguments are the rule's inputs"
)]
fn change_state(
    tx: &Db,
    vid: &str,
    from: &str,
    old_reason: &str,
    to_raw: &str,
    reason: Option<&str>,
    who: &Who,
    t: u64,
) -> Result<()> {
    let to = parse_state(to_raw)?;
    if to.ends_with("_PENDING") {
        return user("Internal states cannot be set directly by the user");
    }
    if to == from {
        if let Some(r) = reason.filter(|r| !r.trim().is_empty() && *r != old_reason) {
            tx.execute("UPDATE TAPE SET STATE_REASON = ?2 WHERE VID = ?1", params![vid, r])?;
        }
        return Ok(());
    }
    if let Some(base) = from.strip_suffix("_PENDING")
        && to != base
    {
        return user(format!(
            "Cannot modify tape {vid} state while it is in a temporary internal state"
        ));
    }
    let repacking = |s: &str| matches!(s, "REPACKING" | "REPACKING_DISABLED");
    if repacking(from) && !repacking(&to) && exists(tx, "SELECT 1 FROM SIM_REPACK WHERE VID = ?1", vid)? {
        return user(format!(
            "Cannot modify tape {vid} state because there is a repack for that tape"
        ));
    }
    let allowed = match (from, to.as_str()) {
        (f, "REPACKING_DISABLED") => f == "REPACKING",
        ("REPACKING_DISABLED", t) => matches!(t, "REPACKING" | "BROKEN" | "EXPORTED"),
        _ => true,
    };
    if !allowed {
        return user(format!("Cannot modify tape {vid} state from {from} to {to}"));
    }
    if to != "ACTIVE" && blank(reason) {
        return user(format!(
            "Cannot modify the state of the tape {vid} to {to} because the reason has not been provided."
        ));
    }
    let reason = reason.filter(|r| !r.trim().is_empty());
    tx.execute(
        "UPDATE TAPE SET TAPE_STATE = ?2, STATE_REASON = ?3, STATE_UPDATE_TIME = ?4, STATE_MODIFIED_BY = ?5 WHERE VID = ?1",
        params![vid, to, reason, t, format!("{}@{}", who.user, who.host)],
    )?;
    Ok(())
}

fn tape_add(tx: &Db, p: &Parsed, who: &Who) -> Result<()> {
    let vid = p.str("vid").unwrap_or_default();
    if vid.is_empty() || vid.chars().any(char::is_lowercase) {
        return user("Cannot create tape because the VID has non uppercase characters");
    }
    let state = parse_state(p.str("state").unwrap_or("ACTIVE"))?;
    if state != "ACTIVE" && blank(p.str("reason")) {
        return user(format!(
            "Cannot create tape because no reason has been provided for the state {state}"
        ));
    }
    if exists(tx, "SELECT 1 FROM TAPE WHERE VID = ?1", vid)? {
        return user(format!(
            "Cannot create tape {vid} because a tape with the same volume identifier already exists"
        ));
    }
    for (key, sql, what) in [
        (
            "logicallibrary",
            "SELECT 1 FROM LOGICAL_LIBRARY WHERE LOGICAL_LIBRARY_NAME = ?1",
            "logical library",
        ),
        (
            "tapepool",
            "SELECT 1 FROM TAPE_POOL WHERE TAPE_POOL_NAME = ?1",
            "tape pool",
        ),
        (
            "mediatype",
            "SELECT 1 FROM MEDIA_TYPE WHERE MEDIA_TYPE_NAME = ?1",
            "media type",
        ),
    ] {
        let v = p.str(key).unwrap_or_default();
        if !exists(tx, sql, v)? {
            return user(format!("Cannot create tape {vid} because {what} {v} does not exist"));
        }
    }
    let t = now(tx)?;
    tx.execute(
        "INSERT INTO TAPE(VID, MEDIA_TYPE_NAME, VENDOR, LOGICAL_LIBRARY_NAME, TAPE_POOL_NAME, IS_FULL, TAPE_STATE, STATE_REASON,
           STATE_UPDATE_TIME, STATE_MODIFIED_BY, PURCHASE_ORDER, USER_COMMENT, CREATION_LOG_USER_NAME, CREATION_LOG_HOST_NAME,
           CREATION_LOG_TIME, LAST_UPDATE_USER_NAME, LAST_UPDATE_HOST_NAME, LAST_UPDATE_TIME)
         VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,NULLIF(?12,''),?13,?14,?9,?13,?14,?9)",
        params![
            vid, p.str("mediatype"), p.str("vendor"), p.str("logicallibrary"), p.str("tapepool"), i64::from(p.flag("full")),
            state, p.str("reason"), t, format!("{}@{}", who.user, who.host), p.str("purchaseorder"),
            p.str("comment").unwrap_or(""), who.user, who.host
        ],
    )?;
    Ok(())
}

fn tape_rm(tx: &Db, p: &Parsed) -> Result<()> {
    let vid = p.str("vid").unwrap_or_default();
    if !exists(tx, "SELECT 1 FROM TAPE WHERE VID = ?1", vid)? {
        return user(format!("Cannot delete tape {vid} because it does not exist"));
    }
    if exists(tx, "SELECT 1 FROM SIM_REPACK WHERE VID = ?1", vid)? {
        return user(format!(
            "Cannot delete tape {vid} because there is a repack for that tape"
        ));
    }
    if exists(
        tx,
        "SELECT 1 FROM TAPE_FILE WHERE VID = ?1 UNION ALL SELECT 1 FROM FILE_RECYCLE_LOG WHERE VID = ?1",
        vid,
    )? {
        return user(format!(
            "Cannot delete tape {vid} because either it contains one or more files or the files that were in it are in the file recycle log."
        ));
    }
    tx.execute("DELETE FROM TAPE WHERE VID = ?1", [vid])?;
    Ok(())
}

/// Recycle-log quarantine (CTA's `cta.catalogue.recycle_log_quarantine_secs`); the simulator reads
/// `CTAOPS_SIM_RECYCLE_QUARANTINE_SECS` so tests can shorten it.
fn quarantine_secs() -> u64 {
    std::env::var("CTAOPS_SIM_RECYCLE_QUARANTINE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(31 * 86_400)
}

fn tape_reclaim(tx: &Db, p: &Parsed, who: &Who) -> Result<()> {
    let vid = p.str("vid").unwrap_or_default();
    let row: Option<(String, i64)> = tx
        .query_row("SELECT TAPE_STATE, IS_FULL FROM TAPE WHERE VID = ?1", [vid], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((state, full)) = row else {
        return user(format!("Cannot reclaim tape {vid} because it does not exist"));
    };
    if !matches!(state.as_str(), "ACTIVE" | "DISABLED" | "BROKEN") {
        return user(format!(
            "Cannot reclaim tape {vid} because it is not on ACTIVE, DISABLED or BROKEN state"
        ));
    }
    if full == 0 {
        return user(format!("Cannot reclaim tape {vid} because it is not FULL"));
    }
    if exists(tx, "SELECT 1 FROM TAPE_FILE WHERE VID = ?1", vid)? {
        return user(format!(
            "Cannot reclaim tape {vid} because there is at least one tape file in the catalogue that is on the tape"
        ));
    }
    let t = now(tx)?;
    let newest: Option<i64> = tx.query_row(
        "SELECT MAX(RECYCLE_LOG_TIME) FROM FILE_RECYCLE_LOG WHERE VID = ?1",
        [vid],
        |r| r.get(0),
    )?;
    if let Some(n) = newest {
        let age = t.saturating_sub(u64::try_from(n).unwrap_or(0));
        let q = quarantine_secs();
        if age < q {
            return user(format!(
                "This tape contains files deleted {age} seconds ago while recycle_log_quarantine_secs is configured at {q}. Please reclaim this tape later."
            ));
        }
    }
    tx.execute("DELETE FROM FILE_RECYCLE_LOG WHERE VID = ?1", [vid])?;
    tx.execute(
        "UPDATE TAPE SET DATA_IN_BYTES = 0, MASTER_DATA_IN_BYTES = 0, LAST_FSEQ = 0, NB_MASTER_FILES = 0, NB_COPY_NB_1 = 0,
           COPY_NB_1_IN_BYTES = 0, NB_COPY_NB_GT_1 = 0, COPY_NB_GT_1_IN_BYTES = 0, IS_FULL = 0, IS_FROM_CASTOR = 0,
           VERIFICATION_STATUS = NULL, DIRTY = 0 WHERE VID = ?1",
        [vid],
    )?;
    touch_tape(tx, vid, who, t)
}

/// `--fxid`/`--diskfileid` as the frontend reads them (AdminCmdOptions::getAndValidateDiskFileIdOptional):
/// not both, and an fxid is hexadecimal, turned into the decimal disk file ID.
pub fn disk_file_id(p: &Parsed) -> Result<Option<String>> {
    match (p.str("fxid"), p.str("diskfileid")) {
        (Some(x), Some(d)) => user(format!(
            "File ID can't be received in both string ({d}) and hexadecimal ({x}) formats"
        )),
        (Some(x), None) => u64::from_str_radix(x, 16)
            .map(|n| Some(n.to_string()))
            .or_else(|_| user(format!("{x} is not a valid hexadecimal file ID value"))),
        (None, d) => Ok(d.map(str::to_owned)),
    }
}

/// `tf rm`: RdbmsArchiveFileCatalogue::getArchiveFileCopyForDeletion's checks in its order, then
/// the copy goes to the recycle log (RdbmsTapeFileCatalogue::deleteTapeFileCopy).
fn tapefile_rm(tx: &Db, p: &Parsed, who: &Who) -> Result<()> {
    let vid = p.str("vid").unwrap_or_default();
    let disk_id = disk_file_id(p)?;
    let id = p.uint("id").map(|v| i64::try_from(v).unwrap_or(i64::MAX));
    let inst = p.str("instance");
    if disk_id.is_none() && id.is_none() {
        return user("To delete a file copy either the diskFileId+diskInstanceName or archiveFileId must be specified");
    }
    if disk_id.is_some() && inst.is_none() {
        return user("DiskFileId makes no sense without disk instance");
    }
    let state: Option<String> = tx
        .query_row("SELECT TAPE_STATE FROM TAPE WHERE VID = ?1", [vid], |r| r.get(0))
        .optional()?;
    let Some(state) = state else {
        return user(format!("Tape {vid} not found"));
    };
    if !matches!(state.as_str(), "REPACKING_DISABLED" | "BROKEN") {
        return user(format!("Tape {vid} not in REPACKING_DISABLED or BROKEN states"));
    }
    // The file as named, on any tape; the texts name it by archive ID when one was given.
    let what = match (id, &disk_id) {
        (Some(id), _) => format!("archiveFileId {id}"),
        (None, d) => format!(
            "eosFxid {} and diskInstance {}",
            d.as_deref().unwrap_or_default(),
            inst.unwrap_or_default()
        ),
    };
    let file: Option<i64> = match (id, &disk_id) {
        (Some(id), None) => tx.query_row(
            "SELECT ARCHIVE_FILE_ID FROM ARCHIVE_FILE WHERE ARCHIVE_FILE_ID = ?1",
            [id],
            |r| r.get(0),
        ),
        (Some(id), Some(d)) => tx.query_row(
            "SELECT ARCHIVE_FILE_ID FROM ARCHIVE_FILE WHERE ARCHIVE_FILE_ID = ?1 AND DISK_FILE_ID = ?2 AND DISK_INSTANCE_NAME = ?3",
            params![id, d, inst],
            |r| r.get(0),
        ),
        (None, d) => tx.query_row(
            "SELECT ARCHIVE_FILE_ID FROM ARCHIVE_FILE WHERE DISK_FILE_ID = ?1 AND DISK_INSTANCE_NAME = ?2",
            params![d, inst],
            |r| r.get(0),
        ),
    }
    .optional()?;
    let Some(id) = file else {
        return user(format!(
            "Cannot delete a copy of the file with {what} because the file does not exist"
        ));
    };
    let copies: i64 = tx.query_row("SELECT COUNT(*) FROM TAPE_FILE WHERE ARCHIVE_FILE_ID = ?1", [id], |r| {
        r.get(0)
    })?;
    if copies == 1 {
        return user(format!(
            "Cannot delete a copy of the file with {what} because it is the only copy"
        ));
    }
    let on_tape: Option<i64> = tx
        .query_row(
            "SELECT FSEQ FROM TAPE_FILE WHERE ARCHIVE_FILE_ID = ?1 AND VID = ?2",
            params![id, vid],
            |r| r.get(0),
        )
        .optional()?;
    let Some(fseq) = on_tape else {
        return user(format!("No copy of the file with {what} on vid {vid}"));
    };
    let t = now(tx)?;
    recycle_tape_file(
        tx,
        vid,
        fseq,
        &format!(
            "(Deleted using cta-admin tf rm) {}",
            p.str("reason").unwrap_or_default()
        ),
        t,
    )?;
    touch_tape(tx, vid, who, t)
}

/// Moves one tape copy to FILE_RECYCLE_LOG and marks the tape dirty.
pub fn recycle_tape_file(tx: &Db, vid: &str, fseq: i64, reason: &str, t: u64) -> Result<()> {
    tx.execute(
        "INSERT INTO FILE_RECYCLE_LOG(VID, FSEQ, BLOCK_ID, COPY_NB, TAPE_FILE_CREATION_TIME, ARCHIVE_FILE_ID, DISK_INSTANCE_NAME,
           DISK_FILE_ID, DISK_FILE_ID_WHEN_DELETED, DISK_FILE_UID, DISK_FILE_GID, SIZE_IN_BYTES, CHECKSUM_ADLER32,
           STORAGE_CLASS_NAME, ARCHIVE_FILE_CREATION_TIME, RECONCILIATION_TIME, COLLOCATION_HINT, DISK_FILE_PATH, REASON_LOG,
           RECYCLE_LOG_TIME)
         SELECT T.VID, T.FSEQ, T.BLOCK_ID, T.COPY_NB, T.CREATION_TIME, A.ARCHIVE_FILE_ID, A.DISK_INSTANCE_NAME, A.DISK_FILE_ID,
           A.DISK_FILE_ID, A.DISK_FILE_UID, A.DISK_FILE_GID, A.SIZE_IN_BYTES, A.CHECKSUM_ADLER32, A.STORAGE_CLASS_NAME,
           A.CREATION_TIME, A.RECONCILIATION_TIME, A.COLLOCATION_HINT, '', ?3, ?4
         FROM TAPE_FILE T JOIN ARCHIVE_FILE A ON A.ARCHIVE_FILE_ID = T.ARCHIVE_FILE_ID WHERE T.VID = ?1 AND T.FSEQ = ?2",
        params![vid, fseq, reason, t],
    )?;
    tx.execute("DELETE FROM TAPE_FILE WHERE VID = ?1 AND FSEQ = ?2", params![vid, fseq])?;
    tx.execute("UPDATE TAPE SET DIRTY = 1 WHERE VID = ?1", [vid])?;
    Ok(())
}

/// `tp ch`: one catalogue call per given option in the order of
/// `AdminCmd::processTapePool_Ch` (comment, vo, partial tapes, encryption, supply), each with the
/// checks and texts of its `RdbmsTapePoolCatalogue::modifyTapePool*`/`setTapePoolEncryption`.
fn tapepool_ch(tx: &Db, p: &Parsed, who: &Who) -> Result<()> {
    let name = p.str("name").unwrap_or_default();
    let missing = || -> Result<()> {
        if exists(tx, "SELECT 1 FROM TAPE_POOL WHERE TAPE_POOL_NAME = ?1", name)? {
            Ok(())
        } else {
            user(format!("Cannot modify tape pool '{name}' because it does not exist"))
        }
    };
    let empty_name = || -> Result<()> {
        if name.is_empty() {
            return user("Cannot modify tape pool because the tape pool name is an empty string");
        }
        Ok(())
    };
    let touched = ["comment", "vo", "partialtapesnumber", "encryptionkeyname", "supply"]
        .iter()
        .any(|o| p.opts.contains_key(o));
    if let Some(c) = p.str("comment") {
        empty_name()?;
        if c.is_empty() {
            return user("Cannot modify tape pool because the new comment is an empty string");
        }
        missing()?;
        tx.execute(
            "UPDATE TAPE_POOL SET USER_COMMENT = ?2 WHERE TAPE_POOL_NAME = ?1",
            params![name, c],
        )?;
    }
    if let Some(vo) = p.str("vo") {
        empty_name()?;
        if vo.is_empty() {
            return user("Cannot modify tape pool because the new VO is an empty string");
        }
        if !exists(
            tx,
            "SELECT 1 FROM VIRTUAL_ORGANIZATION WHERE VIRTUAL_ORGANIZATION_NAME = ?1",
            vo,
        )? {
            return user(format!(
                "Cannot modify tape pool '{name}' because the vo '{vo}' does not exist"
            ));
        }
        missing()?;
        tx.execute(
            "UPDATE TAPE_POOL SET VIRTUAL_ORGANIZATION_NAME = ?2 WHERE TAPE_POOL_NAME = ?1",
            params![name, vo],
        )?;
    }
    if let Some(n) = p.uint("partialtapesnumber") {
        empty_name()?;
        missing()?;
        tx.execute(
            "UPDATE TAPE_POOL SET NB_PARTIAL_TAPES = ?2 WHERE TAPE_POOL_NAME = ?1",
            params![name, i64::try_from(n).unwrap_or(i64::MAX)],
        )?;
    }
    if let Some(k) = p.str("encryptionkeyname") {
        missing()?;
        tx.execute(
            "UPDATE TAPE_POOL SET ENCRYPTION_KEY_NAME = NULLIF(?2, ''), IS_ENCRYPTED = (?2 <> '') WHERE TAPE_POOL_NAME = ?1",
            params![name, k],
        )?;
    }
    if let Some(s) = p.str("supply") {
        empty_name()?;
        check_supply(tx, name, s, "modify")?;
        missing()?;
        set_supply(tx, name, s)?;
    }
    if touched {
        tx.execute(
            "UPDATE TAPE_POOL SET LAST_UPDATE_USER_NAME = ?2, LAST_UPDATE_HOST_NAME = ?3, LAST_UPDATE_TIME = ?4 WHERE TAPE_POOL_NAME = ?1",
            params![name, who.user, who.host, now(tx)?],
        )?;
    }
    Ok(())
}

/// The pools of `--supply a,b` (CTA's `commaSeparatedStringToVector`: trimmed, empties dropped).
fn supply_list(s: &str) -> Vec<&str> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty()).collect()
}

/// `--supply` of `tp add` (`verb` "create") or `tp ch` ("modify"): each pool must exist, then
/// differ from the pool itself, in list order (`RdbmsTapePoolCatalogue::createTapePool`,
/// `modifyTapePoolSupply`).
pub fn check_supply(tx: &Db, name: &str, s: &str, verb: &str) -> Result<()> {
    for src in supply_list(s) {
        if !exists(tx, "SELECT 1 FROM TAPE_POOL WHERE TAPE_POOL_NAME = ?1", src)? {
            return user(format!(
                "Cannot {verb} tape pool '{name}' because the supply tape pool '{src}' does not exist"
            ));
        }
        if src == name {
            return user(format!(
                "Cannot {verb} tape pool '{name}' because it and the supply tape pool '{src}' are the same"
            ));
        }
    }
    Ok(())
}

/// Writes the pools that supply `name` (checked by [`check_supply`]).
pub fn set_supply(tx: &Db, name: &str, s: &str) -> Result<()> {
    tx.execute(
        "DELETE FROM TAPE_POOL_SUPPLY WHERE SUPPLY_DESTINATION_TAPE_POOL_NAME = ?1",
        [name],
    )?;
    for src in supply_list(s) {
        tx.execute("INSERT INTO TAPE_POOL_SUPPLY VALUES(?1, ?2)", params![src, name])?;
    }
    Ok(())
}

/// `drive rm`: only drives that are Down, Shutdown or Unknown, unless `--force`.
fn drive_rm(tx: &Db, p: &Parsed) -> Result<String> {
    let pattern = p.str("drive").unwrap_or_default();
    let names: Vec<(String, String, bool)> = tx
        .prepare("SELECT DRIVE_NAME, STATUS, DESIRED_UP FROM SIM_DRIVE ORDER BY DRIVE_NAME")?
        .query_map((), |r| Ok((r.get(0)?, r.get(1)?, r.get::<i64>(2)? != 0)))?
        .collect::<Result<Vec<_>>>()?;
    let matched: Vec<_> = names
        .into_iter()
        .filter(|(n, _, _)| drive_matches(pattern, n))
        .collect();
    if matched.is_empty() {
        return Ok(format!("No drives match \"^{pattern}$\". No drives were removed.\n"));
    }
    let force = p.flag("force");
    let mut msg = String::new();
    for (name, status, _) in matched {
        if force || matches!(status.as_str(), "DOWN" | "SHUTDOWN" | "UNKNOWN") {
            tx.execute("DELETE FROM SIM_DRIVE WHERE DRIVE_NAME = ?1", [&name])?;
            msg.push_str(&format!(
                "Drive {name} removed{}.\n",
                if force { " (forced)" } else { "" }
            ));
        } else {
            msg.push_str(&format!(
                "Drive {name} in state {} and force is not set (skipped).\n",
                super::ls::status_text(&ctaops_core::admin::enums::DriveStatus::from(status.as_str()))
            ));
        }
    }
    Ok(msg)
}

fn drive_state(tx: &Db, p: &Parsed) -> Result<String> {
    let pattern = p.str("drive").unwrap_or_default();
    // AdminCmd::processDrive_Down/_Ch refuse a blank reason/comment before looking at drives.
    match p.sub.as_str() {
        "down" if blank(p.str("reason")) => {
            return user("You must provide a reason in order to set the drive down");
        }
        "ch" if blank(p.str("comment")) => return user("You must provide a comment to change it."),
        _ => {}
    }
    let names: Vec<(String, String)> = tx
        .prepare("SELECT DRIVE_NAME, STATUS FROM SIM_DRIVE ORDER BY DRIVE_NAME")?
        .query_map((), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<_>>>()?;
    let matched: Vec<(String, String)> = names.into_iter().filter(|(n, _)| drive_matches(pattern, n)).collect();
    if matched.is_empty() {
        return Ok(format!("No drives match \"^{pattern}$\". No action was taken.\n"));
    }
    let t = now(tx)?;
    let mut msg = String::new();
    for (name, status) in matched {
        match p.sub.as_str() {
            "up" => {
                tx.execute(
                    "UPDATE SIM_DRIVE SET DESIRED_UP = 1, FORCE_DOWN = 0, REASON = ?2,
                       STATUS = CASE WHEN STATUS = 'DOWN' THEN 'UP' ELSE STATUS END,
                       STATUS_SINCE = CASE WHEN STATUS = 'DOWN' THEN ?3 ELSE STATUS_SINCE END, LAST_UPDATE = ?3 WHERE DRIVE_NAME = ?1",
                    params![name, p.str("reason"), t],
                )?;
                msg.push_str(&format!("Drive {name}: set Up.\n"));
            }
            "down" => {
                let reason = p.str("reason").unwrap_or_default();
                let force = p.flag("force");
                // An idle drive goes down at once; a busy one finishes its session first (unless forced).
                let busy = status != "UP" && status != "DOWN";
                tx.execute(
                    "UPDATE SIM_DRIVE SET DESIRED_UP = 0, FORCE_DOWN = ?2, REASON = ?3,
                       STATUS = CASE WHEN ?4 THEN STATUS ELSE 'DOWN' END,
                       STATUS_SINCE = CASE WHEN ?4 THEN STATUS_SINCE ELSE ?5 END, LAST_UPDATE = ?5 WHERE DRIVE_NAME = ?1",
                    params![name, i64::from(force), reason, busy && !force, t],
                )?;
                msg.push_str(&format!(
                    "Drive {name}: set Down{}.\n",
                    if force { " (forced)" } else { "" }
                ));
            }
            _ => {
                tx.execute(
                    "UPDATE SIM_DRIVE SET USER_COMMENT = ?2 WHERE DRIVE_NAME = ?1",
                    params![name, p.str("comment")],
                )?;
                msg.push_str(&format!("Drive {name}: set a new comment.\n"));
            }
        }
    }
    Ok(msg)
}

/// `ll ch`: AdminCmd::processLogicalLibrary_Ch (disabled, comment, reason, physical library),
/// each a RdbmsLogicalLibraryCatalogue call that refuses a library that does not exist.
fn ll_ch(tx: &Db, p: &Parsed, who: &Who) -> Result<()> {
    let name = p.str("name").unwrap_or_default();
    let missing = || -> Result<()> {
        if exists(
            tx,
            "SELECT 1 FROM LOGICAL_LIBRARY WHERE LOGICAL_LIBRARY_NAME = ?1",
            name,
        )? {
            Ok(())
        } else {
            user(format!(
                "Cannot modify logical library {name} because it does not exist"
            ))
        }
    };
    let reason = p.str("disabledreason");
    if let Some(d) = p.bool("disabled") {
        // Only an absent reason is refused; an empty one is accepted (and stored as none).
        if d && reason.is_none() {
            return user(format!(
                "Cannot disable logical library {name} because the reason has not been provided"
            ));
        }
        missing()?;
        tx.execute(
            "UPDATE LOGICAL_LIBRARY SET IS_DISABLED = ?2 WHERE LOGICAL_LIBRARY_NAME = ?1",
            params![name, i64::from(d)],
        )?;
        if !d && reason.is_none() {
            tx.execute(
                "UPDATE LOGICAL_LIBRARY SET DISABLED_REASON = NULL WHERE LOGICAL_LIBRARY_NAME = ?1",
                [name],
            )?;
        }
    }
    if let Some(c) = p.str("comment") {
        missing()?;
        tx.execute(
            "UPDATE LOGICAL_LIBRARY SET USER_COMMENT = ?2 WHERE LOGICAL_LIBRARY_NAME = ?1",
            params![name, c],
        )?;
    }
    if let Some(r) = reason {
        missing()?;
        tx.execute(
            "UPDATE LOGICAL_LIBRARY SET DISABLED_REASON = NULLIF(?2, '') WHERE LOGICAL_LIBRARY_NAME = ?1",
            params![name, r],
        )?;
    }
    if let Some(pl) = p.str("physicallibrary") {
        if !pl.is_empty()
            && !exists(
                tx,
                "SELECT 1 FROM PHYSICAL_LIBRARY WHERE PHYSICAL_LIBRARY_NAME = ?1",
                pl,
            )?
        {
            return user(format!(
                "Cannot update logical library {name} because physical library {pl} does not exist"
            ));
        }
        missing()?;
        tx.execute(
            "UPDATE LOGICAL_LIBRARY SET PHYSICAL_LIBRARY_NAME = NULLIF(?2, '') WHERE LOGICAL_LIBRARY_NAME = ?1",
            params![name, pl],
        )?;
    }
    if ["disabled", "comment", "disabledreason", "physicallibrary"]
        .iter()
        .any(|o| p.opts.contains_key(o))
    {
        tx.execute(
            "UPDATE LOGICAL_LIBRARY SET LAST_UPDATE_USER_NAME = ?2, LAST_UPDATE_HOST_NAME = ?3, LAST_UPDATE_TIME = ?4 WHERE LOGICAL_LIBRARY_NAME = ?1",
            params![name, who.user, who.host, now(tx)?],
        )?;
    }
    Ok(())
}

fn repack_add(tx: &Db, p: &Parsed, who: &Who, inst: &str) -> Result<()> {
    let mp = p.str("mountpolicy").unwrap_or_default();
    if !exists(tx, "SELECT 1 FROM MOUNT_POLICY WHERE MOUNT_POLICY_NAME = ?1", mp)? {
        return user("The mount policy name provided does not match any existing mount policy.");
    }
    if p.flag("justmove") && p.flag("justaddcopies") {
        return user("--justaddcopies and --justmove are mutually exclusive");
    }
    let mut vids: Vec<String> = p.str("vid").map(str::to_owned).into_iter().collect();
    vids.extend(p.list("vidfile").unwrap_or_default().iter().cloned());
    if vids.is_empty() {
        return user("Must specify at least one vid, using --vid or --vidfile options");
    }
    let buffer = p
        .str("bufferurl")
        .unwrap_or("root://ctaops-sim//eos/ctaops/repack")
        .to_owned();
    let repack_vo: Option<String> = tx
        .query_row(
            "SELECT VIRTUAL_ORGANIZATION_NAME FROM VIRTUAL_ORGANIZATION WHERE IS_REPACK_VO = 1",
            (),
            |r| r.get(0),
        )
        .optional()?;
    if repack_vo.is_none() {
        return user("There is no default virtual organization for repack.");
    }
    let t = now(tx)?;
    let kind = if p.flag("justmove") {
        "MoveOnly"
    } else if p.flag("justaddcopies") {
        "AddCopiesOnly"
    } else {
        "MoveAndAddCopies"
    };
    for vid in vids {
        let Some(tape) = tape_by_vid(tx, &vid, inst)? else {
            return user("The VID provided for repacking does not exist");
        };
        if !tape.full {
            return user("You must set the tape as full before repacking it.");
        }
        match tape.state.as_str() {
            "REPACKING" | "REPACKING_DISABLED" => {}
            s @ ("ACTIVE" | "DISABLED") => {
                return user(format!(
                    "You cannot repack a tape that is {s}. You must first change its state to REPACKING."
                ));
            }
            "REPACKING_PENDING" => {
                return user(
                    "You cannot repack a tape that is REPACKING_PENDING. You must wait for its state to complete the transition to REPACKING.",
                );
            }
            s => return user(format!("You cannot repack a tape that is {s}.")),
        }
        if exists(tx, "SELECT 1 FROM SIM_REPACK WHERE VID = ?1", &vid)? {
            return user("A repack request already exists for this VID.");
        }
        tx.execute(
            "INSERT INTO SIM_REPACK(VID, STATUS, BUFFER_URL, MOUNT_POLICY, REPACK_TYPE, MAX_FILES, TAPE_POOL_NAME, FILES_AT_START,
               BYTES_AT_START, CREATION_USER, CREATION_HOST, CREATION_TIME)
             VALUES(?1, 'Pending', ?2, ?3, ?4, ?5, ?6, (SELECT COUNT(*) FROM TAPE_FILE WHERE VID = ?1),
               (SELECT COALESCE(SUM(LOGICAL_SIZE_IN_BYTES),0) FROM TAPE_FILE WHERE VID = ?1), ?7, ?8, ?9)",
            params![vid, buffer, mp, kind, i64::try_from(p.uint("maxfilestoselect").unwrap_or(0)).unwrap_or(0), tape.tapepool, who.user, who.host, t],
        )?;
    }
    Ok(())
}

fn repack_rm(tx: &Db, p: &Parsed) -> Result<()> {
    let vid = p.str("vid").unwrap_or_default();
    if tx.execute("DELETE FROM SIM_REPACK WHERE VID = ?1", [vid])? == 0 {
        return user("No repack request for this VID.");
    }
    tx.execute("DELETE FROM SIM_REPACK_DEST WHERE VID = ?1", [vid])?;
    tx.execute("DELETE FROM SIM_REPACK_ERROR WHERE VID = ?1", [vid])?;
    tx.execute("DELETE FROM SIM_ARCHIVE_QUEUE WHERE REPACK_VID = ?1", [vid])?;
    Ok(())
}
