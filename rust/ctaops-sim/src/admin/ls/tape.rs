//! `tape ls` and `tapepool ls`.

use std::collections::HashMap;

use super::prelude::*;
use ctaops_core::admin::tape::StorageClassStatistics;

pub(super) const TAPE_COLS: &str = "T.VID, T.MEDIA_TYPE_NAME, T.VENDOR, T.LOGICAL_LIBRARY_NAME, T.TAPE_POOL_NAME, P.VIRTUAL_ORGANIZATION_NAME,
 T.ENCRYPTION_KEY_NAME, M.CAPACITY_IN_BYTES, T.DATA_IN_BYTES, T.LAST_FSEQ, T.IS_FULL, T.IS_FROM_CASTOR, T.READ_MOUNT_COUNT,
 T.WRITE_MOUNT_COUNT, T.LABEL_DRIVE, T.LABEL_TIME, T.LAST_WRITE_DRIVE, T.LAST_WRITE_TIME, T.LAST_READ_DRIVE, T.LAST_READ_TIME,
 T.CREATION_LOG_USER_NAME, T.CREATION_LOG_HOST_NAME, T.CREATION_LOG_TIME, T.LAST_UPDATE_USER_NAME, T.LAST_UPDATE_HOST_NAME,
 T.LAST_UPDATE_TIME, T.USER_COMMENT, T.NB_MASTER_FILES, T.MASTER_DATA_IN_BYTES, T.TAPE_STATE, T.STATE_REASON,
 T.STATE_UPDATE_TIME, T.STATE_MODIFIED_BY, T.DIRTY, T.VERIFICATION_STATUS, T.PURCHASE_ORDER, L.PHYSICAL_LIBRARY_NAME, T.LABEL_FORMAT
 FROM TAPE T JOIN TAPE_POOL P ON P.TAPE_POOL_NAME = T.TAPE_POOL_NAME JOIN MEDIA_TYPE M ON M.MEDIA_TYPE_NAME = T.MEDIA_TYPE_NAME
 LEFT JOIN LOGICAL_LIBRARY L ON L.LOGICAL_LIBRARY_NAME = T.LOGICAL_LIBRARY_NAME";

pub(super) fn tape_row(r: &Row, inst: &str) -> Result<Tape> {
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
pub fn tape_by_vid(conn: &Db, vid: &str, inst: &str) -> Result<Option<Tape>> {
    let sql = format!("SELECT {TAPE_COLS} WHERE T.VID = ?1");
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows = st.query([vid])?;
    Ok(match rows.next()? {
        Some(r) => Some(tape_row(r, inst)?),
        None => None,
    })
}

pub(super) const TAPE_HEADER: &[&str] = &[
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

pub(super) fn tape_cells(t: &Tape) -> Vec<String> {
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

pub(super) fn tape(conn: &Db, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
    let searches = p
        .opts
        .keys()
        .filter(|k| !matches!(**k, "all" | "storage_class_stats"))
        .count();
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
    let mut stats = if p.flag("storage_class_stats") {
        storage_class_statistics(conn, p.str("vid"))?
    } else {
        HashMap::new()
    };
    while let Some(r) = rows.next()? {
        let mut t = tape_row(r, inst)?;
        // A repeated field: CTA's JSON always prints it, `[]` unless asked for and the tape holds files.
        t.storage_class_statistics = Some(stats.remove(&t.vid).unwrap_or_default());
        out.emit(&t, tape_cells)?;
    }
    Ok(())
}

/// `--get-storage-class-stats`: per tape and storage class, the files and bytes of its copies
/// (RdbmsCatalogueGetTapesItor::loadStorageClassStatistics; the frontend copies them into
/// `TapeLsItem.storage_class_statistics` in TapeLsResponseStream::next).
fn storage_class_statistics(conn: &Db, vid: Option<&str>) -> Result<HashMap<String, Vec<StorageClassStatistics>>> {
    let sql = format!(
        "SELECT TF.VID, A.STORAGE_CLASS_NAME, COUNT(*), COALESCE(SUM(TF.LOGICAL_SIZE_IN_BYTES), 0)
         FROM TAPE_FILE TF JOIN ARCHIVE_FILE A ON A.ARCHIVE_FILE_ID = TF.ARCHIVE_FILE_ID{}
         GROUP BY TF.VID, A.STORAGE_CLASS_NAME ORDER BY TF.VID, A.STORAGE_CLASS_NAME",
        if vid.is_some() { " WHERE TF.VID = ?1" } else { "" }
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = match vid {
        Some(v) => st.query([v])?,
        None => st.query(())?,
    };
    let mut by_vid: HashMap<String, Vec<StorageClassStatistics>> = HashMap::new();
    while let Some(r) = rows.next()? {
        by_vid.entry(r.get(0)?).or_default().push(StorageClassStatistics {
            storage_class_name: r.get(1)?,
            nb_master_files: Some(uint(r, 2)?),
            master_data_in_bytes: Some(uint(r, 3)?),
            extra: Map::new(),
        });
    }
    Ok(by_vid)
}

pub(super) fn tapepool(conn: &Db, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
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
           P.NB_PARTIAL_TAPES,
           (SELECT COALESCE(SUM(T.LAST_FSEQ),0) FROM TAPE T WHERE T.TAPE_POOL_NAME = P.TAPE_POOL_NAME),
           (SELECT COALESCE(SUM(M.CAPACITY_IN_BYTES),0) FROM TAPE T JOIN MEDIA_TYPE M ON M.MEDIA_TYPE_NAME = T.MEDIA_TYPE_NAME WHERE T.TAPE_POOL_NAME = P.TAPE_POOL_NAME),
           (SELECT COALESCE(SUM(T.DATA_IN_BYTES),0) FROM TAPE T WHERE T.TAPE_POOL_NAME = P.TAPE_POOL_NAME),
           P.IS_ENCRYPTED, P.ENCRYPTION_KEY_NAME, P.USER_COMMENT, {AUDIT},
           (SELECT {src} FROM (SELECT SUPPLY_SOURCE_TAPE_POOL_NAME FROM TAPE_POOL_SUPPLY WHERE SUPPLY_DESTINATION_TAPE_POOL_NAME = P.TAPE_POOL_NAME ORDER BY 1) AS S),
           (SELECT {dst} FROM (SELECT SUPPLY_DESTINATION_TAPE_POOL_NAME FROM TAPE_POOL_SUPPLY WHERE SUPPLY_SOURCE_TAPE_POOL_NAME = P.TAPE_POOL_NAME ORDER BY 1) AS S)
         FROM TAPE_POOL P{} ORDER BY P.TAPE_POOL_NAME",
        f.sql(),
        src = conn.group_concat("SUPPLY_SOURCE_TAPE_POOL_NAME", false),
        dst = conn.group_concat("SUPPLY_DESTINATION_TAPE_POOL_NAME", false),
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
            // CTA HEAD prints only supplySource/supplyDestination (TapePoolLsResponseStream::next
            // no longer sets the deprecated comma-joined `supply`); the table still shows the list.
            supply: None,
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
                t.supply_sources().join(","),
            ];
            v.extend(audit_cells(&t.created, &t.modified));
            v.push(inst.to_owned());
            v.push(t.comment.clone());
            v
        })?;
    }
    Ok(())
}
