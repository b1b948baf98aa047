//! `showqueues`: one row per pool with queued requests or mounts.

use super::prelude::*;

pub(super) fn showqueues(conn: &Connection, inst: &str, out: &mut Out<'_>) -> Result<()> {
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
