//! Every `ls`: SQL over the catalogue, one shared typed record per row (ctaops-core::admin), so
//! the JSON is CTA's. Argument errors are raised before the first record (exit 2, `[]`).

use ctaops_core::admin::catalogue as cat;
use ctaops_core::admin::common::{Checksum, EntryLog, OwnerId, TapeLog};
use ctaops_core::admin::drive::Drive;
use ctaops_core::admin::enums::{
    ArchiveRouteType, ChecksumKind, DriveStatus, LabelFormat, MountType, RepackStatus, RequestType, TapeState,
};
use ctaops_core::admin::failed::{FailedRequest, FailedRequestItem, FailedRequestSummary, RequesterId};
use ctaops_core::admin::queue::ShowQueue;
use ctaops_core::admin::repack::{Repack, RepackDestinationInfo};
use ctaops_core::admin::tape::{Tape, TapePool};
use ctaops_core::admin::tapefile::{
    ArchiveFileInfo, RecycleTapeFile, TapeFile, TapeFileArchive, TapeFileCopy, TapeFileDisk, TapeFileRef,
};
use rusqlite::{Connection, Row, ToSql};
use serde_json::Map;

use super::out::{Out, size, time};
use super::parse::Parsed;
use crate::catalogue::{text, uint};
use crate::error::{Result, user};

/// Dispatches `<cmd> ls` (and `showqueues`).
pub fn run(conn: &Connection, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
    match p.cmd.as_str() {
        "tape" => tape(conn, p, inst, out),
        "tapepool" => tapepool(conn, p, inst, out),
        "tapefile" => tapefile(conn, p, inst, out),
        "drive" => drive(conn, p, inst, out),
        "repack" => repack(conn, p, inst, out),
        "failedrequest" => failed(conn, p, inst, out),
        "recycletf" => recycle(conn, p, inst, out),
        "showqueues" => showqueues(conn, inst, out),
        _ => config_ls(conn, p, inst, out),
    }
}

const AUDIT: &str = "CREATION_LOG_USER_NAME, CREATION_LOG_HOST_NAME, CREATION_LOG_TIME, LAST_UPDATE_USER_NAME, LAST_UPDATE_HOST_NAME, LAST_UPDATE_TIME";

fn log(r: &Row<'_>, i: usize) -> rusqlite::Result<EntryLog> {
    Ok(EntryLog {
        username: text(r, i)?,
        host: text(r, i + 1)?,
        time: uint(r, i + 2)?,
        extra: Map::new(),
    })
}

fn tape_log(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<TapeLog>> {
    let drive: Option<String> = r.get(i)?;
    Ok(match drive {
        Some(drive) => Some(TapeLog {
            drive,
            time: uint(r, i + 1)?,
            extra: Map::new(),
        }),
        None => None,
    })
}

fn audit_cells(c: &EntryLog, m: &EntryLog) -> Vec<String> {
    vec![
        c.username.clone(),
        c.host.clone(),
        time(c.time),
        m.username.clone(),
        m.host.clone(),
        time(m.time),
    ]
}

/// A WHERE clause built from optional filters.
#[derive(Default)]
struct Filter {
    conds: Vec<String>,
    params: Vec<Box<dyn ToSql>>,
}

impl Filter {
    fn add(&mut self, cond: &str, v: impl ToSql + 'static) {
        self.params.push(Box::new(v));
        self.conds.push(cond.replace('?', &format!("?{}", self.params.len())));
    }
    fn sql(&self) -> String {
        if self.conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conds.join(" AND "))
        }
    }
    fn refs(&self) -> Vec<&dyn ToSql> {
        self.params.iter().map(|b| b.as_ref() as &dyn ToSql).collect()
    }
}

fn exists(conn: &Connection, sql: &str, key: &str) -> Result<bool> {
    Ok(conn.query_row(sql, [key], |_| Ok(())).is_ok())
}

const TAPE_COLS: &str = "T.VID, T.MEDIA_TYPE_NAME, T.VENDOR, T.LOGICAL_LIBRARY_NAME, T.TAPE_POOL_NAME, P.VIRTUAL_ORGANIZATION_NAME,
 T.ENCRYPTION_KEY_NAME, M.CAPACITY_IN_BYTES, T.DATA_IN_BYTES, T.LAST_FSEQ, T.IS_FULL, T.IS_FROM_CASTOR, T.READ_MOUNT_COUNT,
 T.WRITE_MOUNT_COUNT, T.LABEL_DRIVE, T.LABEL_TIME, T.LAST_WRITE_DRIVE, T.LAST_WRITE_TIME, T.LAST_READ_DRIVE, T.LAST_READ_TIME,
 T.CREATION_LOG_USER_NAME, T.CREATION_LOG_HOST_NAME, T.CREATION_LOG_TIME, T.LAST_UPDATE_USER_NAME, T.LAST_UPDATE_HOST_NAME,
 T.LAST_UPDATE_TIME, T.USER_COMMENT, T.NB_MASTER_FILES, T.MASTER_DATA_IN_BYTES, T.TAPE_STATE, T.STATE_REASON,
 T.STATE_UPDATE_TIME, T.STATE_MODIFIED_BY, T.DIRTY, T.VERIFICATION_STATUS, T.PURCHASE_ORDER, L.PHYSICAL_LIBRARY_NAME, T.LABEL_FORMAT
 FROM TAPE T JOIN TAPE_POOL P ON P.TAPE_POOL_NAME = T.TAPE_POOL_NAME JOIN MEDIA_TYPE M ON M.MEDIA_TYPE_NAME = T.MEDIA_TYPE_NAME
 LEFT JOIN LOGICAL_LIBRARY L ON L.LOGICAL_LIBRARY_NAME = T.LOGICAL_LIBRARY_NAME";

fn tape_row(r: &Row<'_>, inst: &str) -> rusqlite::Result<Tape> {
    Ok(Tape {
        vid: r.get(0)?,
        media_type: r.get(1)?,
        vendor: r.get(2)?,
        logical_library: r.get(3)?,
        tapepool: r.get(4)?,
        vo: r.get(5)?,
        encryption_key_name: text(r, 6)?,
        capacity: uint(r, 7)?,
        occupancy: uint(r, 8)?,
        last_fseq: uint(r, 9)?,
        full: uint(r, 10)? != 0,
        from_castor: uint(r, 11)? != 0,
        read_mount_count: uint(r, 12)?,
        write_mount_count: uint(r, 13)?,
        label_log: tape_log(r, 14)?,
        last_written_log: tape_log(r, 16)?,
        last_read_log: tape_log(r, 18)?,
        creation_log: log(r, 20)?,
        last_modification_log: log(r, 23)?,
        comment: text(r, 26)?,
        nb_master_files: uint(r, 27)?,
        master_data_in_bytes: uint(r, 28)?,
        state: TapeState::from(text(r, 29)?.as_str()),
        state_reason: text(r, 30)?,
        state_update_time: uint(r, 31)?,
        state_modified_by: text(r, 32)?,
        dirty: uint(r, 33)? != 0,
        verification_status: text(r, 34)?,
        purchase_order: text(r, 35)?,
        physical_library: text(r, 36)?,
        label_format: LabelFormat::from(text(r, 37)?.as_str()),
        instance_name: inst.to_owned(),
        storage_class_statistics: None,
        extra: Map::new(),
    })
}

/// One tape by VID (used by the mutating commands too).
pub fn tape_by_vid(conn: &Connection, vid: &str, inst: &str) -> Result<Option<Tape>> {
    let sql = format!("SELECT {TAPE_COLS} WHERE T.VID = ?1");
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query([vid])?;
    Ok(match rows.next()? {
        Some(r) => Some(tape_row(r, inst)?),
        None => None,
    })
}

const TAPE_HEADER: &[&str] = &[
    "vid",
    "media type",
    "vendor",
    "library",
    "order",
    "tapepool",
    "vo",
    "encryption key name",
    "capacity",
    "occupancy",
    "last fseq",
    "full",
    "from castor",
    "state",
    "state reason",
    "label drive",
    "label time",
    "last w drive",
    "last w time",
    "w mounts",
    "last r drive",
    "last r time",
    "r mounts",
    "c.user",
    "c.host",
    "c.time",
    "m.user",
    "m.host",
    "m.time",
    "instance",
    "comment",
];

fn tape_cells(t: &Tape) -> Vec<String> {
    let lg = |l: &Option<TapeLog>| {
        l.as_ref()
            .map_or((String::new(), String::new()), |l| (l.drive.clone(), time(l.time)))
    };
    let (ld, lt) = lg(&t.label_log);
    let (wd, wt) = lg(&t.last_written_log);
    let (rd, rt) = lg(&t.last_read_log);
    let mut reason = t.state_reason.clone();
    if reason.chars().count() > 50 {
        reason = reason.chars().take(50).collect::<String>() + "...";
    }
    let mut v = vec![
        t.vid.clone(),
        t.media_type.clone(),
        t.vendor.clone(),
        t.logical_library.clone(),
        t.purchase_order.clone(),
        t.tapepool.clone(),
        t.vo.clone(),
        t.encryption_key_name.clone(),
        size(t.capacity),
        size(t.occupancy),
        t.last_fseq.to_string(),
        t.full.to_string(),
        t.from_castor.to_string(),
        t.state.to_string(),
        reason,
        ld,
        lt,
        wd,
        wt,
        t.write_mount_count.to_string(),
        rd,
        rt,
        t.read_mount_count.to_string(),
    ];
    v.extend(audit_cells(&t.creation_log, &t.last_modification_log));
    v.push(t.instance_name.clone());
    v.push(t.comment.clone());
    v
}

fn tape(conn: &Connection, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
    let searches = p.opts.keys().filter(|k| !matches!(**k, "all" | "scstats")).count();
    if p.flag("all") && searches > 0 {
        return user("Cannot specify --all together with other search options");
    }
    if !p.flag("all") && searches == 0 {
        return user("Must specify at least one search option, or --all");
    }
    let mut f = Filter::default();
    if let Some(v) = p.str("vid") {
        if !exists(conn, "SELECT 1 FROM TAPE WHERE VID = ?1", v)? {
            return user(format!("Tape VID {v} does not exist."));
        }
        f.add("T.VID = ?", v.to_owned());
    }
    for (key, col) in [
        ("mediatype", "T.MEDIA_TYPE_NAME"),
        ("vendor", "T.VENDOR"),
        ("logicallibrary", "T.LOGICAL_LIBRARY_NAME"),
        ("tapepool", "T.TAPE_POOL_NAME"),
        ("vo", "P.VIRTUAL_ORGANIZATION_NAME"),
        ("purchaseorder", "T.PURCHASE_ORDER"),
        ("physicallibrary", "L.PHYSICAL_LIBRARY_NAME"),
    ] {
        if let Some(v) = p.str(key) {
            f.add(&format!("{col} = ?"), v.to_owned());
        }
    }
    if let Some(s) = p.str("state") {
        f.add("T.TAPE_STATE = ?", s.to_uppercase());
    }
    if let Some(c) = p.uint("capacity") {
        f.add("M.CAPACITY_IN_BYTES = ?", i64::try_from(c).unwrap_or(i64::MAX));
    }
    if let Some(b) = p.bool("full") {
        f.add("T.IS_FULL = ?", i64::from(b));
    }
    if let Some(b) = p.bool("fromcastor") {
        f.add("T.IS_FROM_CASTOR = ?", i64::from(b));
    }
    if let Some(ids) = p.list("fxidfile") {
        let list: Vec<String> = ids.iter().map(|i| format!("'{}'", i.replace('\'', "''"))).collect();
        f.conds.push(format!(
            "T.VID IN (SELECT TF.VID FROM TAPE_FILE TF JOIN ARCHIVE_FILE A ON A.ARCHIVE_FILE_ID = TF.ARCHIVE_FILE_ID WHERE A.DISK_FILE_ID IN ({}))",
            list.join(",")
        ));
    }
    if p.flag("missingfilecopies") {
        f.conds.push(
            "T.VID IN (SELECT TF.VID FROM TAPE_FILE TF JOIN ARCHIVE_FILE A ON A.ARCHIVE_FILE_ID = TF.ARCHIVE_FILE_ID JOIN STORAGE_CLASS S ON S.STORAGE_CLASS_NAME = A.STORAGE_CLASS_NAME WHERE S.NB_COPIES > (SELECT COUNT(*) FROM TAPE_FILE X WHERE X.ARCHIVE_FILE_ID = A.ARCHIVE_FILE_ID))".to_owned(),
        );
    }
    let sql = format!("SELECT {TAPE_COLS}{} ORDER BY T.VID", f.sql());
    out.header(TAPE_HEADER);
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(f.refs().as_slice())?;
    while let Some(r) = rows.next()? {
        out.emit(&tape_row(r, inst)?, tape_cells)?;
    }
    Ok(())
}

fn tapepool(conn: &Connection, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
    let mut f = Filter::default();
    if let Some(n) = p.str("name") {
        f.add("P.TAPE_POOL_NAME = ?", n.to_owned());
    }
    if let Some(v) = p.str("vo") {
        f.add("P.VIRTUAL_ORGANIZATION_NAME = ?", v.to_owned());
    }
    if let Some(e) = p.bool("encrypted") {
        f.add("P.IS_ENCRYPTED = ?", i64::from(e));
    }
    if let Some(k) = p.str("encryptionkeyname") {
        f.add("P.ENCRYPTION_KEY_NAME = ?", k.to_owned());
    }
    let sql = format!(
        "SELECT P.TAPE_POOL_NAME, P.VIRTUAL_ORGANIZATION_NAME,
           (SELECT COUNT(*) FROM TAPE T WHERE T.TAPE_POOL_NAME = P.TAPE_POOL_NAME),
           (SELECT COUNT(*) FROM TAPE T WHERE T.TAPE_POOL_NAME = P.TAPE_POOL_NAME AND T.DATA_IN_BYTES > 0 AND T.IS_FULL = 0),
           (SELECT COALESCE(SUM(T.LAST_FSEQ),0) FROM TAPE T WHERE T.TAPE_POOL_NAME = P.TAPE_POOL_NAME),
           (SELECT COALESCE(SUM(M.CAPACITY_IN_BYTES),0) FROM TAPE T JOIN MEDIA_TYPE M ON M.MEDIA_TYPE_NAME = T.MEDIA_TYPE_NAME WHERE T.TAPE_POOL_NAME = P.TAPE_POOL_NAME),
           (SELECT COALESCE(SUM(T.DATA_IN_BYTES),0) FROM TAPE T WHERE T.TAPE_POOL_NAME = P.TAPE_POOL_NAME),
           P.IS_ENCRYPTED, P.ENCRYPTION_KEY_NAME, P.USER_COMMENT, {AUDIT},
           (SELECT GROUP_CONCAT(SUPPLY_SOURCE_TAPE_POOL_NAME) FROM (SELECT SUPPLY_SOURCE_TAPE_POOL_NAME FROM TAPE_POOL_SUPPLY WHERE SUPPLY_DESTINATION_TAPE_POOL_NAME = P.TAPE_POOL_NAME ORDER BY 1)),
           (SELECT GROUP_CONCAT(SUPPLY_DESTINATION_TAPE_POOL_NAME) FROM (SELECT SUPPLY_DESTINATION_TAPE_POOL_NAME FROM TAPE_POOL_SUPPLY WHERE SUPPLY_SOURCE_TAPE_POOL_NAME = P.TAPE_POOL_NAME ORDER BY 1))
         FROM TAPE_POOL P{} ORDER BY P.TAPE_POOL_NAME",
        f.sql()
    );
    out.header(&[
        "name",
        "vo",
        "#tapes",
        "#partial",
        "#phys files",
        "size",
        "used",
        "avail",
        "use%",
        "encrypt",
        "supply",
        "c.user",
        "c.host",
        "c.time",
        "m.user",
        "m.host",
        "m.time",
        "instance",
        "comment",
    ]);
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(f.refs().as_slice())?;
    while let Some(r) = rows.next()? {
        let split = |s: String| -> Vec<String> { s.split(',').filter(|x| !x.is_empty()).map(str::to_owned).collect() };
        let sources = split(text(r, 16)?);
        let rec = TapePool {
            name: r.get(0)?,
            vo: r.get(1)?,
            num_tapes: uint(r, 2)?,
            num_partial_tapes: uint(r, 3)?,
            num_physical_files: uint(r, 4)?,
            capacity_bytes: uint(r, 5)?,
            data_bytes: uint(r, 6)?,
            encrypt: uint(r, 7)? != 0,
            supply: Some(sources.join(",")),
            created: log(r, 10)?,
            modified: log(r, 13)?,
            comment: text(r, 9)?,
            supply_source: Some(sources),
            supply_destination: Some(split(text(r, 17)?)),
            encryption_key_name: Some(text(r, 8)?),
            instance_name: Some(inst.to_owned()),
            extra: Map::new(),
        };
        out.emit(&rec, |t| {
            let avail = t.capacity_bytes.saturating_sub(t.data_bytes);
            let pct = (t.data_bytes * 100).checked_div(t.capacity_bytes).unwrap_or(0);
            let mut v = vec![
                t.name.clone(),
                t.vo.clone(),
                t.num_tapes.to_string(),
                t.num_partial_tapes.to_string(),
                t.num_physical_files.to_string(),
                size(t.capacity_bytes),
                size(t.data_bytes),
                size(avail),
                format!("{pct}%"),
                t.encrypt.to_string(),
                t.supply.clone().unwrap_or_default(),
            ];
            v.extend(audit_cells(&t.created, &t.modified));
            v.push(inst.to_owned());
            v.push(t.comment.clone());
            v
        })?;
    }
    Ok(())
}

/// Checksum list of a file as `tapefile ls` prints it (hex value).
pub fn checksum_list(adler: u32) -> Vec<Checksum> {
    vec![Checksum {
        kind: ChecksumKind::Adler32,
        value: format!("{adler:08x}"),
        extra: Map::new(),
    }]
}

fn tapefile(conn: &Connection, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
    let mut f = Filter::default();
    if let Some(v) = p.str("vid") {
        if !exists(conn, "SELECT 1 FROM TAPE WHERE VID = ?1", v)? {
            return user(format!("Tape VID {v} does not exist."));
        }
        f.add("TF.VID = ?", v.to_owned());
    }
    if let Some(id) = p.uint("id") {
        if !exists(
            conn,
            "SELECT 1 FROM ARCHIVE_FILE WHERE ARCHIVE_FILE_ID = ?1",
            &id.to_string(),
        )? {
            return user(format!("Archive file with ID {id} does not exist"));
        }
        f.add("A.ARCHIVE_FILE_ID = ?", i64::try_from(id).unwrap_or(i64::MAX));
    }
    let disk_id = p.str("diskfileid").map(str::to_owned).or_else(|| {
        p.str("fxid")
            .map(|x| u64::from_str_radix(x, 16).map_or_else(|_| x.to_owned(), |n| n.to_string()))
    });
    if disk_id.is_some() || p.list("fxidfile").is_some() {
        let Some(i) = p.str("instance") else {
            return user("Disk file IDs are ambiguous without disk instance name");
        };
        f.add("A.DISK_INSTANCE_NAME = ?", i.to_owned());
    }
    if let Some(d) = disk_id {
        f.add("A.DISK_FILE_ID = ?", d);
    }
    if f.conds.is_empty() {
        return user("Must specify at least one search option");
    }
    let sql = format!(
        "SELECT A.ARCHIVE_FILE_ID, A.STORAGE_CLASS_NAME, A.CREATION_TIME, A.CHECKSUM_ADLER32, A.SIZE_IN_BYTES, A.DISK_FILE_ID,
           A.DISK_INSTANCE_NAME, A.DISK_FILE_UID, A.DISK_FILE_GID, TF.VID, TF.COPY_NB, TF.BLOCK_ID, TF.FSEQ
         FROM TAPE_FILE TF JOIN ARCHIVE_FILE A ON A.ARCHIVE_FILE_ID = TF.ARCHIVE_FILE_ID{} ORDER BY TF.VID, TF.FSEQ",
        f.sql()
    );
    out.header(&[
        "archive id",
        "copy no",
        "vid",
        "fseq",
        "block id",
        "disk buffer",
        "disk fxid",
        "size",
        "checksum type",
        "checksum value",
        "storage class",
        "owner",
        "group",
        "creation time",
        "instance",
    ]);
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(f.refs().as_slice())?;
    while let Some(r) = rows.next()? {
        let rec = TapeFile {
            af: TapeFileArchive {
                archive_id: uint(r, 0)?,
                storage_class: r.get(1)?,
                creation_time: uint(r, 2)?,
                checksum: checksum_list(u32::try_from(uint(r, 3)?).unwrap_or(0)),
                size: uint(r, 4)?,
                extra: Map::new(),
            },
            df: TapeFileDisk {
                disk_id: r.get(5)?,
                disk_instance: r.get(6)?,
                owner_id: Some(OwnerId {
                    uid: u32::try_from(uint(r, 7)?).unwrap_or(0),
                    gid: u32::try_from(uint(r, 8)?).unwrap_or(0),
                    extra: Map::new(),
                }),
                path: String::new(),
                extra: Map::new(),
            },
            tf: TapeFileCopy {
                vid: r.get(9)?,
                copy_nb: u32::try_from(uint(r, 10)?).unwrap_or(0),
                block_id: uint(r, 11)?,
                f_seq: uint(r, 12)?,
                extra: Map::new(),
            },
            instance_name: inst.to_owned(),
            extra: Map::new(),
        };
        out.emit(&rec, |t| {
            let (uid, gid) = t.df.owner_id.as_ref().map_or((0, 0), |o| (o.uid, o.gid));
            vec![
                t.af.archive_id.to_string(),
                t.tf.copy_nb.to_string(),
                t.tf.vid.clone(),
                t.tf.f_seq.to_string(),
                t.tf.block_id.to_string(),
                t.df.disk_instance.clone(),
                t.df.disk_id.clone(),
                size(t.af.size),
                "ADLER32".into(),
                t.af.checksum.first().map(|c| c.value.clone()).unwrap_or_default(),
                t.af.storage_class.clone(),
                uid.to_string(),
                gid.to_string(),
                time(t.af.creation_time),
                inst.to_owned(),
            ]
        })?;
    }
    Ok(())
}

fn status_text(s: &DriveStatus) -> &'static str {
    match s {
        DriveStatus::Down => "Down",
        DriveStatus::Up => "Free",
        DriveStatus::Probing => "Probe",
        DriveStatus::Starting => "Start",
        DriveStatus::Mounting => "Mount",
        DriveStatus::Transferring => "Transfer",
        DriveStatus::Unloading => "Unload",
        DriveStatus::Unmounting => "Unmount",
        DriveStatus::DrainingToDisk => "DrainToDisk",
        DriveStatus::CleaningUp => "CleanUp",
        DriveStatus::Shutdown => "Shutdown",
        _ => "Unknown",
    }
}

/// Drive names matching cta-admin's `^<name>$` regex semantics (the simulator supports `.` and `.*`).
pub fn drive_matches(pattern: &str, name: &str) -> bool {
    fn m(p: &[u8], s: &[u8]) -> bool {
        match p {
            [] => s.is_empty(),
            [c, b'*', rest @ ..] => {
                let mut i = 0;
                loop {
                    if m(rest, &s[i..]) {
                        return true;
                    }
                    if i < s.len() && (*c == b'.' || s[i] == *c) {
                        i += 1;
                    } else {
                        return false;
                    }
                }
            }
            [c, rest @ ..] => !s.is_empty() && (*c == b'.' || s[0] == *c) && m(rest, &s[1..]),
        }
    }
    m(pattern.as_bytes(), name.as_bytes())
}

fn drive(conn: &Connection, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
    let now = crate::catalogue::now(conn)?;
    let mut st = conn.prepare(
        "SELECT D.LOGICAL_LIBRARY_NAME, D.DRIVE_NAME, D.HOST, D.DESIRED_UP, D.MOUNT_TYPE, D.STATUS, D.STATUS_SINCE, D.VID,
           D.TAPE_POOL_NAME, D.FILES, D.BYTES, D.SESSION_ID, D.LAST_UPDATE, D.DEV_FILE_NAME, D.ELEMENT_ADDRESS, D.USER_COMMENT,
           D.REASON, D.VO, D.SESSION_START, L.IS_DISABLED, L.PHYSICAL_LIBRARY_NAME, PL.IS_DISABLED
         FROM SIM_DRIVE D JOIN LOGICAL_LIBRARY L ON L.LOGICAL_LIBRARY_NAME = D.LOGICAL_LIBRARY_NAME
         LEFT JOIN PHYSICAL_LIBRARY PL ON PL.PHYSICAL_LIBRARY_NAME = L.PHYSICAL_LIBRARY_NAME ORDER BY D.DRIVE_NAME",
    )?;
    let pattern = p.str("drive");
    let mut recs = Vec::new();
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let name: String = r.get(1)?;
        if pattern.is_some_and(|pat| !drive_matches(pat, &name)) {
            continue;
        }
        let status = DriveStatus::from(text(r, 5)?.as_str());
        let since = uint(r, 6)?;
        let session_start = uint(r, 18)?;
        recs.push(Drive {
            logical_library: r.get(0)?,
            drive_name: name,
            host: r.get(2)?,
            desired_drive_state: if uint(r, 3)? != 0 {
                DriveStatus::Up
            } else {
                DriveStatus::Down
            },
            mount_type: MountType::from(text(r, 4)?.as_str()),
            drive_status: status,
            drive_status_since: now.saturating_sub(since),
            vid: text(r, 7)?,
            tapepool: text(r, 8)?,
            files_transferred_in_session: uint(r, 9)?,
            bytes_transferred_in_session: uint(r, 10)?,
            session_id: uint(r, 11)?,
            time_since_last_update: now.saturating_sub(uint(r, 12)?),
            current_priority: 0,
            current_activity: String::new(),
            cta_version: format!("{}-sim", ctaops_core::VERSION),
            dev_file_name: r.get(13)?,
            raw_library_slot: format!("smc{}", uint(r, 14)?),
            drive_config: Vec::new(),
            comment: text(r, 15)?,
            reason: text(r, 16)?,
            vo: text(r, 17)?,
            disk_system_name: String::new(),
            reserved_bytes: 0,
            session_elapsed_time: if session_start == 0 {
                0
            } else {
                now.saturating_sub(session_start)
            },
            logical_library_disabled: uint(r, 19)? != 0,
            physical_library: text(r, 20)?,
            physical_library_disabled: uint(r, 21)? != 0,
            scheduler_backend_name: "ctaops-sim".into(),
            instance_name: inst.to_owned(),
            extra: Map::new(),
        });
    }
    if let Some(pat) = pattern
        && recs.is_empty()
    {
        return user(format!("Drive {pat} not found"));
    }
    out.header(&[
        "library",
        "drive",
        "host",
        "desired",
        "request",
        "status",
        "since",
        "vid",
        "tapepool",
        "vo",
        "files",
        "data",
        "MB/s",
        "session",
        "priority",
        "activity",
        "scheduler",
        "instance",
        "age",
        "reason",
    ]);
    for d in &recs {
        out.emit(d, |d| {
            let lib = if d.logical_library_disabled {
                format!("!{}", d.logical_library)
            } else {
                d.logical_library.clone()
            };
            let request = match d.mount_type {
                MountType::ArchiveForUser => "ArchiveForUser",
                MountType::ArchiveForRepack => "ArchiveForRepack",
                MountType::Retrieve => "Retrieve",
                MountType::Label => "Label",
                _ => "-",
            };
            let rate = if d.drive_status == DriveStatus::Transferring && d.session_elapsed_time > 0 {
                format!(
                    "{:.1}",
                    d.bytes_transferred_in_session as f64 / 1e6 / d.session_elapsed_time as f64
                )
            } else {
                String::new()
            };
            vec![
                lib,
                d.drive_name.clone(),
                d.host.clone(),
                if d.desired_drive_state == DriveStatus::Up {
                    "Up"
                } else {
                    "Down"
                }
                .into(),
                request.into(),
                status_text(&d.drive_status).into(),
                d.drive_status_since.to_string(),
                d.vid.clone(),
                d.tapepool.clone(),
                d.vo.clone(),
                d.files_transferred_in_session.to_string(),
                size(d.bytes_transferred_in_session),
                rate,
                if d.session_id == 0 {
                    String::new()
                } else {
                    d.session_id.to_string()
                },
                d.current_priority.to_string(),
                d.current_activity.clone(),
                d.scheduler_backend_name.clone(),
                d.instance_name.clone(),
                d.time_since_last_update.to_string(),
                d.reason.clone(),
            ]
        })?;
    }
    Ok(())
}

/// `repack ls` records (all, or one VID).
pub fn repack_records(conn: &Connection, vid: Option<&str>, inst: &str) -> Result<Vec<Repack>> {
    let mut st = conn.prepare(
        "SELECT VID, BUFFER_URL, TOTAL_FILES, TOTAL_BYTES, RETRIEVED_FILES, RETRIEVED_BYTES, ARCHIVED_FILES, ARCHIVED_BYTES,
           FAILED_RETRIEVE_FILES, FAILED_RETRIEVE_BYTES, FAILED_ARCHIVE_FILES, FAILED_ARCHIVE_BYTES, LAST_EXPANDED_FSEQ, STATUS,
           CREATION_USER, CREATION_HOST, CREATION_TIME, FINISHED_TIME, TAPE_POOL_NAME, FILES_AT_START, BYTES_AT_START, ALL_SELECTED
         FROM SIM_REPACK WHERE ?1 IS NULL OR VID = ?1 ORDER BY CREATION_TIME, VID",
    )?;
    let now = crate::catalogue::now(conn)?;
    let mut out = Vec::new();
    let mut rows = st.query([vid])?;
    while let Some(r) = rows.next()? {
        let v: String = r.get(0)?;
        let mut d =
            conn.prepare_cached("SELECT DEST_VID, FILES, BYTES FROM SIM_REPACK_DEST WHERE VID = ?1 ORDER BY DEST_VID")?;
        let dests = d
            .query_map([&v], |x| {
                Ok(RepackDestinationInfo {
                    vid: x.get(0)?,
                    files: uint(x, 1)?,
                    bytes: uint(x, 2)?,
                    extra: Map::new(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let total = uint(r, 2)?;
        let (retrieved, archived) = (uint(r, 4)?, uint(r, 6)?);
        let (fr, fa) = (uint(r, 8)?, uint(r, 10)?);
        let created = uint(r, 16)?;
        let finished = uint(r, 17)?;
        out.push(Repack {
            vid: v,
            repack_buffer_url: r.get(1)?,
            user_provided_files: 0,
            total_files_to_retrieve: total,
            total_bytes_to_retrieve: uint(r, 3)?,
            total_files_to_archive: total,
            total_bytes_to_archive: uint(r, 3)?,
            retrieved_files: retrieved,
            archived_files: archived,
            failed_to_retrieve_files: fr,
            failed_to_retrieve_bytes: uint(r, 9)?,
            failed_to_archive_files: fa,
            failed_to_archive_bytes: uint(r, 11)?,
            last_expanded_fseq: uint(r, 12)?,
            status: RepackStatus::from(text(r, 13)?.as_str()),
            destination_infos: dests,
            creation_log: Some(EntryLog {
                username: r.get(14)?,
                host: r.get(15)?,
                time: created,
                extra: Map::new(),
            }),
            repack_finished_time: finished,
            retrieved_bytes: uint(r, 5)?,
            archived_bytes: uint(r, 7)?,
            repack_time: if finished > 0 {
                finished - created.min(finished)
            } else {
                now.saturating_sub(created)
            },
            files_left_to_retrieve: total.saturating_sub(retrieved + fr),
            files_left_to_archive: total.saturating_sub(archived + fa),
            total_failed_files: fr + fa,
            tapepool: r.get(18)?,
            total_files_on_tape_at_start: uint(r, 19)?,
            total_bytes_on_tape_at_start: uint(r, 20)?,
            all_files_selected_at_start: uint(r, 21)? != 0,
            instance_name: inst.to_owned(),
            scheduler_backend_name: Some("ctaops-sim".into()),
            extra: Map::new(),
        });
    }
    Ok(out)
}

fn repack(conn: &Connection, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
    let recs = repack_records(conn, p.str("vid"), inst)?;
    if p.str("vid").is_some() && recs.is_empty() {
        return user("No repack request for this VID.");
    }
    out.header(&[
        "c.time",
        "repackTime",
        "c.user",
        "vid",
        "tapepool",
        "providedFiles",
        "totalFiles",
        "totalBytes",
        "selectedFiles",
        "filesToRetrieve",
        "filesToArchive",
        "failed",
        "status",
        "scheduler",
        "instance",
    ]);
    for r in &recs {
        out.emit(r, |r| {
            let t = r.repack_time;
            vec![
                time(r.creation_log.as_ref().map_or(0, |c| c.time)),
                format!("{}d{}h{}m{}s", t / 86400, t % 86400 / 3600, t % 3600 / 60, t % 60),
                r.creation_log.as_ref().map(|c| c.username.clone()).unwrap_or_default(),
                r.vid.clone(),
                r.tapepool.clone(),
                r.user_provided_files.to_string(),
                r.total_files_on_tape_at_start.to_string(),
                size(r.total_bytes_on_tape_at_start),
                format!(
                    "{}{}",
                    r.total_files_to_archive,
                    if r.all_files_selected_at_start { "" } else { "*" }
                ),
                r.files_left_to_retrieve.to_string(),
                r.files_left_to_archive.to_string(),
                r.total_failed_files.to_string(),
                r.status.to_string(),
                "ctaops-sim".into(),
                inst.to_owned(),
            ]
        })?;
    }
    Ok(())
}

fn failed(conn: &Connection, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
    if p.flag("justarchive") && p.flag("justretrieve") {
        return user("--justarchive and --justretrieve are mutually exclusive");
    }
    let mut f = Filter::default();
    if p.flag("justarchive") {
        f.add("F.REQUEST_TYPE = ?", "ARCHIVE_REQUEST".to_owned());
    }
    if p.flag("justretrieve") {
        f.add("F.REQUEST_TYPE = ?", "RETRIEVE_REQUEST".to_owned());
    }
    if let Some(v) = p.str("vid") {
        f.add("F.VID = ?", v.to_owned());
    }
    if let Some(t) = p.str("tapepool") {
        f.add("F.TAPE_POOL_NAME = ?", t.to_owned());
    }
    let sql = format!(
        "SELECT F.OBJECT_ID, F.REQUEST_TYPE, F.REQUESTER, F.GROUPNAME, F.ARCHIVE_FILE_ID, A.DISK_INSTANCE_NAME, A.DISK_FILE_ID,
           A.SIZE_IN_BYTES, A.STORAGE_CLASS_NAME, A.CREATION_TIME, F.VID, F.FSEQ, F.BLOCK_ID, F.TAPE_POOL_NAME, F.COPY_NB,
           F.TOTAL_RETRIES, F.FAILURE_LOG, A.DISK_FILE_UID, A.DISK_FILE_GID
         FROM SIM_FAILED_REQUEST F LEFT JOIN ARCHIVE_FILE A ON A.ARCHIVE_FILE_ID = F.ARCHIVE_FILE_ID{} ORDER BY F.TIME, F.OBJECT_ID",
        f.sql()
    );
    let mut st = conn.prepare(&sql)?;
    let mut items = Vec::new();
    let mut rows = st.query(f.refs().as_slice())?;
    while let Some(r) = rows.next()? {
        let retrieve = text(r, 1)? == "RETRIEVE_REQUEST";
        items.push(FailedRequestItem {
            object_id: r.get(0)?,
            request_type: RequestType::from(text(r, 1)?.as_str()),
            requester: Some(RequesterId {
                username: r.get(2)?,
                groupname: r.get(3)?,
                extra: Map::new(),
            }),
            af: Some(ArchiveFileInfo {
                archive_id: uint(r, 4)?,
                disk_instance: text(r, 5)?,
                disk_id: text(r, 6)?,
                size: uint(r, 7)?,
                storage_class: text(r, 8)?,
                df: Some(ctaops_core::admin::tapefile::DiskFileInfo {
                    path: String::new(),
                    owner_id: Some(OwnerId {
                        uid: u32::try_from(uint(r, 17)?).unwrap_or(0),
                        gid: u32::try_from(uint(r, 18)?).unwrap_or(0),
                        extra: Map::new(),
                    }),
                    extra: Map::new(),
                }),
                creation_time: uint(r, 9)?,
                csb: None,
                extra: Map::new(),
            }),
            tf: if retrieve {
                Some(TapeFileRef {
                    vid: text(r, 10)?,
                    f_seq: uint(r, 11)?,
                    block_id: uint(r, 12)?,
                    extra: Map::new(),
                })
            } else {
                None
            },
            tapepool: text(r, 13)?,
            copy_nb: uint(r, 14)?,
            totalretries: u32::try_from(uint(r, 15)?).unwrap_or(0),
            failurelogs: if p.flag("log") { vec![text(r, 16)?] } else { Vec::new() },
            totalreportretries: 0,
            reportfailurelogs: Vec::new(),
            scheduler_backend_name: "ctaops-sim".into(),
            instance_name: inst.to_owned(),
            extra: Map::new(),
        });
    }
    if p.flag("summary") {
        out.header(&["request type", "total files", "total size", "scheduler", "instance"]);
        for kind in [
            RequestType::ArchiveRequest,
            RequestType::RetrieveRequest,
            RequestType::Total,
        ] {
            let sel: Vec<&FailedRequestItem> = items
                .iter()
                .filter(|i| kind == RequestType::Total || i.request_type == kind)
                .collect();
            let rec = FailedRequest::Summary(FailedRequestSummary {
                request_type: kind,
                total_files: sel.len() as u64,
                total_size: sel.iter().map(|i| i.af.as_ref().map_or(0, |a| a.size)).sum(),
                scheduler_backend_name: "ctaops-sim".into(),
                instance_name: inst.to_owned(),
                extra: Map::new(),
            });
            out.emit(&rec, |r| match r {
                FailedRequest::Summary(s) => vec![
                    s.request_type.to_string(),
                    s.total_files.to_string(),
                    size(s.total_size),
                    s.scheduler_backend_name.clone(),
                    inst.to_owned(),
                ],
                FailedRequest::Item(_) => Vec::new(),
            })?;
        }
        return Ok(());
    }
    out.header(&[
        "object id",
        "request type",
        "copy no",
        "tapepool/vid",
        "requester",
        "group",
        "path",
        "scheduler",
        "instance",
    ]);
    for i in items {
        out.emit(&FailedRequest::Item(Box::new(i)), |r| match r {
            FailedRequest::Item(i) => vec![
                i.object_id.clone(),
                i.request_type.to_string(),
                i.copy_nb.to_string(),
                i.tf.as_ref().map_or_else(|| i.tapepool.clone(), |t| t.vid.clone()),
                i.requester.as_ref().map(|x| x.username.clone()).unwrap_or_default(),
                i.requester.as_ref().map(|x| x.groupname.clone()).unwrap_or_default(),
                String::new(),
                "ctaops-sim".into(),
                inst.to_owned(),
            ],
            FailedRequest::Summary(_) => Vec::new(),
        })?;
    }
    Ok(())
}

fn recycle(conn: &Connection, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
    let mut f = Filter::default();
    if let Some(v) = p.str("vid") {
        f.add("R.VID = ?", v.to_owned());
    }
    if let Some(id) = p.uint("id") {
        f.add("R.ARCHIVE_FILE_ID = ?", i64::try_from(id).unwrap_or(i64::MAX));
    }
    if let Some(c) = p.uint("copynb") {
        f.add("R.COPY_NB = ?", i64::try_from(c).unwrap_or(i64::MAX));
    }
    if let Some(i) = p.str("instance") {
        f.add("R.DISK_INSTANCE_NAME = ?", i.to_owned());
    }
    if let Some(d) = p.str("diskfileid") {
        f.add("R.DISK_FILE_ID = ?", d.to_owned());
    }
    if let Some(v) = p.str("vo") {
        f.add("S.VIRTUAL_ORGANIZATION_NAME = ?", v.to_owned());
    }
    let sql = format!(
        "SELECT R.VID, R.FSEQ, R.BLOCK_ID, R.COPY_NB, R.TAPE_FILE_CREATION_TIME, R.ARCHIVE_FILE_ID, R.DISK_INSTANCE_NAME,
           R.DISK_FILE_ID, R.DISK_FILE_ID_WHEN_DELETED, R.DISK_FILE_UID, R.DISK_FILE_GID, R.SIZE_IN_BYTES, R.CHECKSUM_ADLER32,
           R.STORAGE_CLASS_NAME, R.ARCHIVE_FILE_CREATION_TIME, R.RECONCILIATION_TIME, R.COLLOCATION_HINT, R.DISK_FILE_PATH,
           R.REASON_LOG, R.RECYCLE_LOG_TIME, S.VIRTUAL_ORGANIZATION_NAME
         FROM FILE_RECYCLE_LOG R LEFT JOIN STORAGE_CLASS S ON S.STORAGE_CLASS_NAME = R.STORAGE_CLASS_NAME{} ORDER BY R.FILE_RECYCLE_LOG_ID",
        f.sql()
    );
    out.header(&[
        "archive id",
        "copy no",
        "vid",
        "fseq",
        "block id",
        "disk buffer",
        "disk fxid",
        "size",
        "checksum type",
        "checksum value",
        "storage class",
        "owner",
        "group",
        "deletion time",
        "path when deleted",
        "instance",
        "reason",
    ]);
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(f.refs().as_slice())?;
    while let Some(r) = rows.next()? {
        let rec = RecycleTapeFile {
            vid: r.get(0)?,
            fseq: uint(r, 1)?,
            block_id: uint(r, 2)?,
            copy_nb: u32::try_from(uint(r, 3)?).unwrap_or(0),
            tape_file_creation_time: uint(r, 4)?,
            archive_file_id: uint(r, 5)?,
            disk_instance: r.get(6)?,
            disk_file_id: r.get(7)?,
            disk_file_id_when_deleted: r.get(8)?,
            disk_file_uid: uint(r, 9)?,
            disk_file_gid: uint(r, 10)?,
            size_in_bytes: uint(r, 11)?,
            checksum: checksum_list(u32::try_from(uint(r, 12)?).unwrap_or(0)),
            storage_class: r.get(13)?,
            archive_file_creation_time: uint(r, 14)?,
            reconciliation_time: uint(r, 15)?,
            collocation_hint: text(r, 16)?,
            disk_file_path: text(r, 17)?,
            reason_log: r.get(18)?,
            recycle_log_time: uint(r, 19)?,
            virtual_organization: text(r, 20)?,
            instance_name: inst.to_owned(),
            extra: Map::new(),
        };
        out.emit(&rec, |t| {
            vec![
                t.archive_file_id.to_string(),
                t.copy_nb.to_string(),
                t.vid.clone(),
                t.fseq.to_string(),
                t.block_id.to_string(),
                t.disk_instance.clone(),
                t.disk_file_id.clone(),
                size(t.size_in_bytes),
                "ADLER32".into(),
                t.checksum.first().map(|c| c.value.clone()).unwrap_or_default(),
                t.storage_class.clone(),
                t.disk_file_uid.to_string(),
                t.disk_file_gid.to_string(),
                time(t.recycle_log_time),
                t.disk_file_path.clone(),
                inst.to_owned(),
                t.reason_log.clone(),
            ]
        })?;
    }
    Ok(())
}

fn showqueues(conn: &Connection, inst: &str, out: &mut Out<'_>) -> Result<()> {
    let now = crate::catalogue::now(conn)?;
    let mut st = conn.prepare(
        "SELECT Q.MOUNT_TYPE, Q.TAPE_POOL_NAME, COUNT(*), SUM(Q.SIZE_IN_BYTES), MIN(Q.CREATION_TIME), MAX(Q.CREATION_TIME),
           P.VIRTUAL_ORGANIZATION_NAME, V.READ_MAX_DRIVES, V.WRITE_MAX_DRIVES,
           (SELECT COUNT(*) FROM SIM_DRIVE D WHERE D.TAPE_POOL_NAME = Q.TAPE_POOL_NAME AND D.STATUS <> 'UP' AND D.STATUS <> 'DOWN'),
           (SELECT COALESCE(SUM(M.CAPACITY_IN_BYTES),0) FROM TAPE T JOIN MEDIA_TYPE M ON M.MEDIA_TYPE_NAME = T.MEDIA_TYPE_NAME WHERE T.TAPE_POOL_NAME = Q.TAPE_POOL_NAME),
           (SELECT COALESCE(SUM(T.LAST_FSEQ),0) FROM TAPE T WHERE T.TAPE_POOL_NAME = Q.TAPE_POOL_NAME),
           (SELECT COALESCE(SUM(T.DATA_IN_BYTES),0) FROM TAPE T WHERE T.TAPE_POOL_NAME = Q.TAPE_POOL_NAME),
           (SELECT COUNT(*) FROM TAPE T WHERE T.TAPE_POOL_NAME = Q.TAPE_POOL_NAME AND T.IS_FULL = 1),
           (SELECT COUNT(*) FROM TAPE T WHERE T.TAPE_POOL_NAME = Q.TAPE_POOL_NAME AND T.IS_FULL = 0 AND T.TAPE_STATE = 'ACTIVE')
         FROM SIM_ARCHIVE_QUEUE Q JOIN TAPE_POOL P ON P.TAPE_POOL_NAME = Q.TAPE_POOL_NAME
         JOIN VIRTUAL_ORGANIZATION V ON V.VIRTUAL_ORGANIZATION_NAME = P.VIRTUAL_ORGANIZATION_NAME
         GROUP BY Q.MOUNT_TYPE, Q.TAPE_POOL_NAME ORDER BY Q.TAPE_POOL_NAME",
    )?;
    out.header(&[
        "type",
        "instance",
        "scheduler",
        "tapepool",
        "vo",
        "library",
        "vid",
        "files queued",
        "data queued",
        "oldest",
        "youngest",
        "priority",
        "min age",
        "read max drives",
        "write max drives",
        "cur. mounts",
        "cur. files",
        "cur. data",
        "tapes capacity",
        "files on tapes",
        "data on tapes",
        "full tapes",
        "writable tapes",
    ]);
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let rec = ShowQueue {
            mount_type: MountType::from(text(r, 0)?.as_str()),
            tapepool: r.get(1)?,
            logical_library: String::new(),
            vid: String::new(),
            queued_files: uint(r, 2)?,
            queued_bytes: uint(r, 3)?,
            oldest_age: now.saturating_sub(uint(r, 4)?),
            priority: 1,
            min_age: 0,
            cur_mounts: uint(r, 9)?,
            cur_files: 0,
            cur_bytes: 0,
            tapes_capacity: uint(r, 10)?,
            tapes_files: uint(r, 11)?,
            tapes_bytes: uint(r, 12)?,
            full_tapes: uint(r, 13)?,
            writable_tapes: uint(r, 14)?,
            sleeping_for_space: false,
            sleep_start_time: 0,
            disk_system_slept_for: String::new(),
            vo: r.get(6)?,
            read_max_drives: uint(r, 7)?,
            write_max_drives: uint(r, 8)?,
            mount_policies: vec![crate::init::MOUNT_POLICY.to_owned()],
            youngest_age: now.saturating_sub(uint(r, 5)?),
            highest_priority_mount_policy: crate::init::MOUNT_POLICY.to_owned(),
            lowest_request_age_mount_policy: crate::init::MOUNT_POLICY.to_owned(),
            scheduler_backend_name: "ctaops-sim".into(),
            instance_name: inst.to_owned(),
            extra: Map::new(),
        };
        out.emit(&rec, |q| {
            vec![
                q.mount_type.to_string(),
                inst.to_owned(),
                "ctaops-sim".into(),
                q.tapepool.clone(),
                q.vo.clone(),
                String::new(),
                String::new(),
                q.queued_files.to_string(),
                size(q.queued_bytes),
                q.oldest_age.to_string(),
                q.youngest_age.to_string(),
                q.priority.to_string(),
                q.min_age.to_string(),
                q.read_max_drives.to_string(),
                q.write_max_drives.to_string(),
                q.cur_mounts.to_string(),
                q.cur_files.to_string(),
                size(q.cur_bytes),
                size(q.tapes_capacity),
                q.tapes_files.to_string(),
                size(q.tapes_bytes),
                q.full_tapes.to_string(),
                q.writable_tapes.to_string(),
            ]
        })?;
    }
    Ok(())
}

/// The configuration tables: one query each, tabular output by key name.
fn config_ls(conn: &Connection, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
    macro_rules! each {
        ($sql:expr, $params:expr, $header:expr, |$r:ident| $build:expr, |$t:ident| $cells:expr) => {{
            out.header($header);
            let mut st = conn.prepare($sql)?;
            let mut rows = st.query($params)?;
            while let Some($r) = rows.next()? {
                let rec = $build;
                out.emit(&rec, |$t| $cells)?;
            }
        }};
    }
    let e = Map::new;
    match p.cmd.as_str() {
        "storageclass" => {
            if p.str("name").is_some() && p.str("vid").is_some() {
                return user("Cannot specify both storage class name and VID");
            }
            let sql = format!(
                "SELECT STORAGE_CLASS_NAME, NB_COPIES, VIRTUAL_ORGANIZATION_NAME, {AUDIT}, USER_COMMENT FROM STORAGE_CLASS
                 WHERE (?1 IS NULL OR STORAGE_CLASS_NAME = ?1) AND (?2 IS NULL OR STORAGE_CLASS_NAME IN
                 (SELECT A.STORAGE_CLASS_NAME FROM TAPE_FILE T JOIN ARCHIVE_FILE A ON A.ARCHIVE_FILE_ID = T.ARCHIVE_FILE_ID WHERE T.VID = ?2))
                 ORDER BY 1"
            );
            each!(
                &sql,
                [p.str("name"), p.str("vid")],
                &[
                    "storage class",
                    "number of copies",
                    "vo",
                    "c.user",
                    "c.host",
                    "c.time",
                    "m.user",
                    "m.host",
                    "m.time",
                    "instance",
                    "comment"
                ],
                |r| cat::StorageClass {
                    name: r.get(0)?,
                    nb_copies: uint(r, 1)?,
                    vo: r.get(2)?,
                    creation_log: log(r, 3)?,
                    last_modification_log: log(r, 6)?,
                    comment: text(r, 9)?,
                    instance_name: inst.to_owned(),
                    extra: e()
                },
                |t| [
                    vec![t.name.clone(), t.nb_copies.to_string(), t.vo.clone()],
                    audit_cells(&t.creation_log, &t.last_modification_log),
                    vec![inst.to_owned(), t.comment.clone()]
                ]
                .concat()
            );
        }
        "archiveroute" => {
            let sql = format!(
                "SELECT STORAGE_CLASS_NAME, COPY_NB, TAPE_POOL_NAME, {AUDIT}, USER_COMMENT, ARCHIVE_ROUTE_TYPE FROM ARCHIVE_ROUTE ORDER BY 1, 2, 10"
            );
            each!(
                &sql,
                [],
                &[
                    "storage class",
                    "copy number",
                    "type",
                    "tapepool",
                    "c.user",
                    "c.host",
                    "c.time",
                    "m.user",
                    "m.host",
                    "m.time",
                    "instance",
                    "comment"
                ],
                |r| cat::ArchiveRoute {
                    storage_class: r.get(0)?,
                    copy_number: u32::try_from(uint(r, 1)?).unwrap_or(0),
                    tapepool: r.get(2)?,
                    creation_log: log(r, 3)?,
                    last_modification_log: log(r, 6)?,
                    comment: text(r, 9)?,
                    archive_route_type: ArchiveRouteType::from(text(r, 10)?.as_str()),
                    instance_name: inst.to_owned(),
                    extra: e()
                },
                |t| [
                    vec![
                        t.storage_class.clone(),
                        t.copy_number.to_string(),
                        t.archive_route_type.to_string(),
                        t.tapepool.clone()
                    ],
                    audit_cells(&t.creation_log, &t.last_modification_log),
                    vec![inst.to_owned(), t.comment.clone()]
                ]
                .concat()
            );
        }
        "virtualorganization" => {
            let sql = format!(
                "SELECT VIRTUAL_ORGANIZATION_NAME, {AUDIT}, USER_COMMENT, READ_MAX_DRIVES, WRITE_MAX_DRIVES, MAX_FILE_SIZE, DISK_INSTANCE_NAME, IS_REPACK_VO FROM VIRTUAL_ORGANIZATION ORDER BY 1"
            );
            each!(
                &sql,
                [],
                &[
                    "name",
                    "read max drives",
                    "write max drives",
                    "max file size",
                    "disk buffer",
                    "is repack vo",
                    "c.user",
                    "c.host",
                    "c.time",
                    "m.user",
                    "m.host",
                    "m.time",
                    "instance",
                    "comment"
                ],
                |r| cat::VirtualOrganization {
                    name: r.get(0)?,
                    creation_log: log(r, 1)?,
                    last_modification_log: log(r, 4)?,
                    comment: text(r, 7)?,
                    read_max_drives: uint(r, 8)?,
                    write_max_drives: uint(r, 9)?,
                    max_file_size: uint(r, 10)?,
                    diskinstance: r.get(11)?,
                    is_repack_vo: uint(r, 12)? != 0,
                    instance_name: inst.to_owned(),
                    extra: e()
                },
                |t| [
                    vec![
                        t.name.clone(),
                        t.read_max_drives.to_string(),
                        t.write_max_drives.to_string(),
                        size(t.max_file_size),
                        t.diskinstance.clone(),
                        t.is_repack_vo.to_string()
                    ],
                    audit_cells(&t.creation_log, &t.last_modification_log),
                    vec![inst.to_owned(), t.comment.clone()]
                ]
                .concat()
            );
        }
        "mediatype" => {
            let sql = format!(
                "SELECT MEDIA_TYPE_NAME, CARTRIDGE, CAPACITY_IN_BYTES, PRIMARY_DENSITY_CODE, SECONDARY_DENSITY_CODE, NB_WRAPS, MIN_LPOS, MAX_LPOS, USER_COMMENT, {AUDIT} FROM MEDIA_TYPE ORDER BY 1"
            );
            each!(
                &sql,
                [],
                &[
                    "media type",
                    "cartridge",
                    "capacity",
                    "primary density code",
                    "secondary density code",
                    "number of wraps",
                    "min LPos",
                    "max LPos",
                    "c.user",
                    "c.host",
                    "c.time",
                    "m.user",
                    "m.host",
                    "m.time",
                    "instance",
                    "comment"
                ],
                |r| cat::MediaType {
                    name: r.get(0)?,
                    cartridge: r.get(1)?,
                    capacity: uint(r, 2)?,
                    primary_density_code: uint(r, 3)?,
                    secondary_density_code: uint(r, 4)?,
                    number_of_wraps: uint(r, 5)?,
                    min_lpos: uint(r, 6)?,
                    max_lpos: uint(r, 7)?,
                    comment: text(r, 8)?,
                    creation_log: log(r, 9)?,
                    last_modification_log: log(r, 12)?,
                    instance_name: inst.to_owned(),
                    extra: e()
                },
                |t| [
                    vec![
                        t.name.clone(),
                        t.cartridge.clone(),
                        size(t.capacity),
                        t.primary_density_code.to_string(),
                        t.secondary_density_code.to_string(),
                        t.number_of_wraps.to_string(),
                        t.min_lpos.to_string(),
                        t.max_lpos.to_string()
                    ],
                    audit_cells(&t.creation_log, &t.last_modification_log),
                    vec![inst.to_owned(), t.comment.clone()]
                ]
                .concat()
            );
        }
        "logicallibrary" => {
            let sql = format!(
                "SELECT LOGICAL_LIBRARY_NAME, IS_DISABLED, {AUDIT}, USER_COMMENT, DISABLED_REASON, PHYSICAL_LIBRARY_NAME FROM LOGICAL_LIBRARY WHERE ?1 IS NULL OR IS_DISABLED = ?1 ORDER BY 1"
            );
            each!(
                &sql,
                [p.bool("disabled").map(i64::from)],
                &[
                    "library", "disabled", "phys.lib", "reason", "c.user", "c.host", "c.time", "m.user", "m.host",
                    "m.time", "instance", "comment"
                ],
                |r| cat::LogicalLibrary {
                    name: r.get(0)?,
                    is_disabled: uint(r, 1)? != 0,
                    creation_log: log(r, 2)?,
                    last_modification_log: log(r, 5)?,
                    comment: text(r, 8)?,
                    disabled_reason: text(r, 9)?,
                    physical_library: text(r, 10)?,
                    instance_name: inst.to_owned(),
                    extra: e()
                },
                |t| [
                    vec![
                        t.name.clone(),
                        t.is_disabled.to_string(),
                        t.physical_library.clone(),
                        t.disabled_reason.clone()
                    ],
                    audit_cells(&t.creation_log, &t.last_modification_log),
                    vec![inst.to_owned(), t.comment.clone()]
                ]
                .concat()
            );
        }
        "physicallibrary" => {
            let sql = format!(
                "SELECT PHYSICAL_LIBRARY_NAME, PHYSICAL_LIBRARY_MANUFACTURER, PHYSICAL_LIBRARY_MODEL, PHYSICAL_LIBRARY_TYPE, GUI_URL, WEBCAM_URL, PHYSICAL_LOCATION, NB_PHYSICAL_CARTRIDGE_SLOTS, NB_AVAILABLE_CARTRIDGE_SLOTS, NB_PHYSICAL_DRIVE_SLOTS, USER_COMMENT, {AUDIT}, IS_DISABLED, DISABLED_REASON FROM PHYSICAL_LIBRARY WHERE ?1 IS NULL OR PHYSICAL_LIBRARY_NAME = ?1 ORDER BY 1"
            );
            each!(
                &sql,
                [p.str("name")],
                &[
                    "name",
                    "manufacturer",
                    "model",
                    "type",
                    "gui url",
                    "webcam url",
                    "location",
                    "physical cartridge slots",
                    "available cartridge slots",
                    "physical drive slots",
                    "disabled",
                    "c.user",
                    "c.host",
                    "c.time",
                    "m.user",
                    "m.host",
                    "m.time",
                    "instance",
                    "comment"
                ],
                |r| cat::PhysicalLibrary {
                    name: r.get(0)?,
                    manufacturer: r.get(1)?,
                    model: r.get(2)?,
                    library_type: text(r, 3)?,
                    gui_url: text(r, 4)?,
                    webcam_url: text(r, 5)?,
                    location: text(r, 6)?,
                    nb_physical_cartridge_slots: uint(r, 7)?,
                    nb_available_cartridge_slots: uint(r, 8)?,
                    nb_physical_drive_slots: uint(r, 9)?,
                    comment: text(r, 10)?,
                    creation_log: log(r, 11)?,
                    last_modification_log: log(r, 14)?,
                    is_disabled: uint(r, 17)? != 0,
                    disabled_reason: text(r, 18)?,
                    instance_name: inst.to_owned(),
                    extra: e()
                },
                |t| [
                    vec![
                        t.name.clone(),
                        t.manufacturer.clone(),
                        t.model.clone(),
                        t.library_type.clone(),
                        t.gui_url.clone(),
                        t.webcam_url.clone(),
                        t.location.clone(),
                        t.nb_physical_cartridge_slots.to_string(),
                        t.nb_available_cartridge_slots.to_string(),
                        t.nb_physical_drive_slots.to_string(),
                        t.is_disabled.to_string()
                    ],
                    audit_cells(&t.creation_log, &t.last_modification_log),
                    vec![inst.to_owned(), t.comment.clone()]
                ]
                .concat()
            );
        }
        "mountpolicy" => {
            let sql = format!(
                "SELECT MOUNT_POLICY_NAME, ARCHIVE_PRIORITY, ARCHIVE_MIN_REQUEST_AGE, RETRIEVE_PRIORITY, RETRIEVE_MIN_REQUEST_AGE, {AUDIT}, USER_COMMENT FROM MOUNT_POLICY ORDER BY 1"
            );
            each!(
                &sql,
                [],
                &[
                    "mount policy",
                    "a.priority",
                    "a.minAge",
                    "r.priority",
                    "r.minAge",
                    "c.user",
                    "c.host",
                    "c.time",
                    "m.user",
                    "m.host",
                    "m.time",
                    "instance",
                    "comment"
                ],
                |r| cat::MountPolicy {
                    name: r.get(0)?,
                    archive_priority: uint(r, 1)?,
                    archive_min_request_age: uint(r, 2)?,
                    retrieve_priority: uint(r, 3)?,
                    retrieve_min_request_age: uint(r, 4)?,
                    creation_log: log(r, 5)?,
                    last_modification_log: log(r, 8)?,
                    comment: text(r, 11)?,
                    instance_name: inst.to_owned(),
                    extra: e()
                },
                |t| [
                    vec![
                        t.name.clone(),
                        t.archive_priority.to_string(),
                        t.archive_min_request_age.to_string(),
                        t.retrieve_priority.to_string(),
                        t.retrieve_min_request_age.to_string()
                    ],
                    audit_cells(&t.creation_log, &t.last_modification_log),
                    vec![inst.to_owned(), t.comment.clone()]
                ]
                .concat()
            );
        }
        "admin" => {
            let sql = format!("SELECT ADMIN_USER_NAME, {AUDIT}, USER_COMMENT FROM ADMIN_USER ORDER BY 1");
            each!(
                &sql,
                [],
                &[
                    "user", "c.user", "c.host", "c.time", "m.user", "m.host", "m.time", "instance", "comment"
                ],
                |r| cat::Admin {
                    user: r.get(0)?,
                    creation_log: log(r, 1)?,
                    last_modification_log: log(r, 4)?,
                    comment: text(r, 7)?,
                    instance_name: inst.to_owned(),
                    extra: e()
                },
                |t| [
                    vec![t.user.clone()],
                    audit_cells(&t.creation_log, &t.last_modification_log),
                    vec![inst.to_owned(), t.comment.clone()]
                ]
                .concat()
            );
        }
        "diskinstance" => {
            let sql = format!("SELECT DISK_INSTANCE_NAME, USER_COMMENT, {AUDIT} FROM DISK_INSTANCE ORDER BY 1");
            each!(
                &sql,
                [],
                &[
                    "name", "c.user", "c.host", "c.time", "m.user", "m.host", "m.time", "instance", "comment"
                ],
                |r| cat::DiskInstance {
                    name: r.get(0)?,
                    comment: text(r, 1)?,
                    creation_log: log(r, 2)?,
                    last_modification_log: log(r, 5)?,
                    instance_name: inst.to_owned(),
                    extra: e()
                },
                |t| [
                    vec![t.name.clone()],
                    audit_cells(&t.creation_log, &t.last_modification_log),
                    vec![inst.to_owned(), t.comment.clone()]
                ]
                .concat()
            );
        }
        "groupmountrule" => {
            let sql = format!(
                "SELECT DISK_INSTANCE_NAME, REQUESTER_GROUP_NAME, MOUNT_POLICY_NAME, {AUDIT}, USER_COMMENT FROM REQUESTER_GROUP_MOUNT_RULE ORDER BY 1, 2"
            );
            each!(
                &sql,
                [],
                &[
                    "disk buffer",
                    "group",
                    "policy",
                    "c.user",
                    "c.host",
                    "c.time",
                    "m.user",
                    "m.host",
                    "m.time",
                    "instance",
                    "comment"
                ],
                |r| cat::GroupMountRule {
                    disk_instance: r.get(0)?,
                    group_mount_rule: r.get(1)?,
                    mount_policy: r.get(2)?,
                    creation_log: log(r, 3)?,
                    last_modification_log: log(r, 6)?,
                    comment: text(r, 9)?,
                    instance_name: inst.to_owned(),
                    extra: e()
                },
                |t| [
                    vec![
                        t.disk_instance.clone(),
                        t.group_mount_rule.clone(),
                        t.mount_policy.clone()
                    ],
                    audit_cells(&t.creation_log, &t.last_modification_log),
                    vec![inst.to_owned(), t.comment.clone()]
                ]
                .concat()
            );
        }
        "requestermountrule" => {
            let sql = format!(
                "SELECT DISK_INSTANCE_NAME, REQUESTER_NAME, MOUNT_POLICY_NAME, {AUDIT}, USER_COMMENT FROM REQUESTER_MOUNT_RULE ORDER BY 1, 2"
            );
            each!(
                &sql,
                [],
                &[
                    "disk buffer",
                    "username",
                    "policy",
                    "c.user",
                    "c.host",
                    "c.time",
                    "m.user",
                    "m.host",
                    "m.time",
                    "instance",
                    "comment"
                ],
                |r| cat::RequesterMountRule {
                    disk_instance: r.get(0)?,
                    requester_mount_rule: r.get(1)?,
                    mount_policy: r.get(2)?,
                    creation_log: log(r, 3)?,
                    last_modification_log: log(r, 6)?,
                    comment: text(r, 9)?,
                    instance_name: inst.to_owned(),
                    extra: e()
                },
                |t| [
                    vec![
                        t.disk_instance.clone(),
                        t.requester_mount_rule.clone(),
                        t.mount_policy.clone()
                    ],
                    audit_cells(&t.creation_log, &t.last_modification_log),
                    vec![inst.to_owned(), t.comment.clone()]
                ]
                .concat()
            );
        }
        other => {
            return Err(crate::error::SimError::Usage(format!(
                "{other} ls is not implemented by the simulator"
            )));
        }
    }
    Ok(())
}
