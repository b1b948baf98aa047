//! `showqueues`: one row per pool with queued requests or mounts.

use super::prelude::*;

pub(super) fn showqueues(conn: &Db, inst: &str, out: &mut Out<'_>) -> Result<()> {
    let now = crate::catalogue::now(conn)?;
    // Pool-level columns shared by both queue kinds (`X.POOL` is the queue's tape pool).
    let pool_cols = "V.VIRTUAL_ORGANIZATION_NAME, V.READ_MAX_DRIVES, V.WRITE_MAX_DRIVES,
           (SELECT COALESCE(SUM(M.CAPACITY_IN_BYTES),0) FROM TAPE T JOIN MEDIA_TYPE M ON M.MEDIA_TYPE_NAME = T.MEDIA_TYPE_NAME WHERE T.TAPE_POOL_NAME = X.POOL),
           (SELECT COALESCE(SUM(T.LAST_FSEQ),0) FROM TAPE T WHERE T.TAPE_POOL_NAME = X.POOL),
           (SELECT COALESCE(SUM(T.DATA_IN_BYTES),0) FROM TAPE T WHERE T.TAPE_POOL_NAME = X.POOL),
           (SELECT COUNT(*) FROM TAPE T WHERE T.TAPE_POOL_NAME = X.POOL AND T.IS_FULL = 1),
           (SELECT COUNT(*) FROM TAPE T WHERE T.TAPE_POOL_NAME = X.POOL AND T.IS_FULL = 0 AND T.TAPE_STATE = 'ACTIVE')";
    let sql = format!(
        "SELECT X.*, {pool_cols} FROM (
           SELECT Q.MOUNT_TYPE AS KIND, Q.TAPE_POOL_NAME AS POOL, '' AS LIB, '' AS VID, COUNT(*), SUM(Q.SIZE_IN_BYTES),
             MIN(Q.CREATION_TIME), MAX(Q.CREATION_TIME), MAX(COALESCE(MP.ARCHIVE_PRIORITY, 0)),
             MIN(COALESCE(MP.ARCHIVE_MIN_REQUEST_AGE, 0)), {policies},
             (SELECT Q2.MOUNT_POLICY_NAME FROM SIM_ARCHIVE_QUEUE Q2 LEFT JOIN MOUNT_POLICY M2 ON M2.MOUNT_POLICY_NAME = Q2.MOUNT_POLICY_NAME
              WHERE Q2.TAPE_POOL_NAME = Q.TAPE_POOL_NAME AND Q2.MOUNT_TYPE = Q.MOUNT_TYPE ORDER BY M2.ARCHIVE_PRIORITY DESC LIMIT 1),
             (SELECT Q2.MOUNT_POLICY_NAME FROM SIM_ARCHIVE_QUEUE Q2 LEFT JOIN MOUNT_POLICY M2 ON M2.MOUNT_POLICY_NAME = Q2.MOUNT_POLICY_NAME
              WHERE Q2.TAPE_POOL_NAME = Q.TAPE_POOL_NAME AND Q2.MOUNT_TYPE = Q.MOUNT_TYPE ORDER BY M2.ARCHIVE_MIN_REQUEST_AGE LIMIT 1),
             (SELECT COUNT(*) FROM SIM_DRIVE D WHERE D.TAPE_POOL_NAME = Q.TAPE_POOL_NAME AND D.MOUNT_TYPE = Q.MOUNT_TYPE)
           FROM SIM_ARCHIVE_QUEUE Q LEFT JOIN MOUNT_POLICY MP ON MP.MOUNT_POLICY_NAME = Q.MOUNT_POLICY_NAME
           GROUP BY Q.MOUNT_TYPE, Q.TAPE_POOL_NAME
           UNION ALL
           SELECT 'RETRIEVE', T.TAPE_POOL_NAME, T.LOGICAL_LIBRARY_NAME, Q.VID, COUNT(*), SUM(Q.SIZE_IN_BYTES),
             MIN(Q.CREATION_TIME), MAX(Q.CREATION_TIME), MAX(COALESCE(MP.RETRIEVE_PRIORITY, 0)),
             MIN(COALESCE(MP.RETRIEVE_MIN_REQUEST_AGE, 0)), {policies},
             (SELECT Q2.MOUNT_POLICY_NAME FROM SIM_RETRIEVE_QUEUE Q2 LEFT JOIN MOUNT_POLICY M2 ON M2.MOUNT_POLICY_NAME = Q2.MOUNT_POLICY_NAME
              WHERE Q2.VID = Q.VID ORDER BY M2.RETRIEVE_PRIORITY DESC LIMIT 1),
             (SELECT Q2.MOUNT_POLICY_NAME FROM SIM_RETRIEVE_QUEUE Q2 LEFT JOIN MOUNT_POLICY M2 ON M2.MOUNT_POLICY_NAME = Q2.MOUNT_POLICY_NAME
              WHERE Q2.VID = Q.VID ORDER BY M2.RETRIEVE_MIN_REQUEST_AGE LIMIT 1),
             (SELECT COUNT(*) FROM SIM_DRIVE D WHERE D.VID = Q.VID)
           FROM SIM_RETRIEVE_QUEUE Q JOIN TAPE T ON T.VID = Q.VID
           LEFT JOIN MOUNT_POLICY MP ON MP.MOUNT_POLICY_NAME = Q.MOUNT_POLICY_NAME
           GROUP BY Q.VID, T.TAPE_POOL_NAME, T.LOGICAL_LIBRARY_NAME
         ) X JOIN TAPE_POOL P ON P.TAPE_POOL_NAME = X.POOL
         JOIN VIRTUAL_ORGANIZATION V ON V.VIRTUAL_ORGANIZATION_NAME = P.VIRTUAL_ORGANIZATION_NAME
         ORDER BY X.KIND, X.POOL, X.VID",
        policies = conn.group_concat("Q.MOUNT_POLICY_NAME", true)
    );
    let mut st = conn.prepare(&sql)?;
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
    let mut rows = st.query(())?;
    while let Some(r) = rows.next()? {
        let policies: Vec<String> = text(r, 10)?
            .split(',')
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect();
        let rec = ShowQueue {
            mount_type: MountType::from(text(r, 0)?.as_str()),
            tapepool: r.get(1)?,
            logical_library: text(r, 2)?,
            vid: text(r, 3)?,
            queued_files: uint(r, 4)?,
            queued_bytes: uint(r, 5)?,
            oldest_age: now.saturating_sub(uint(r, 6)?),
            youngest_age: now.saturating_sub(uint(r, 7)?),
            priority: uint(r, 8)?,
            min_age: uint(r, 9)?,
            mount_policies: policies,
            highest_priority_mount_policy: text(r, 11)?,
            lowest_request_age_mount_policy: text(r, 12)?,
            cur_mounts: uint(r, 13)?,
            cur_files: 0,
            cur_bytes: 0,
            vo: r.get(14)?,
            read_max_drives: uint(r, 15)?,
            write_max_drives: uint(r, 16)?,
            tapes_capacity: uint(r, 17)?,
            tapes_files: uint(r, 18)?,
            tapes_bytes: uint(r, 19)?,
            full_tapes: uint(r, 20)?,
            writable_tapes: uint(r, 21)?,
            sleeping_for_space: false,
            sleep_start_time: 0,
            disk_system_slept_for: String::new(),
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
                q.logical_library.clone(),
                q.vid.clone(),
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
