//! `diskinstancespace ls` and `disksystem ls`.

use super::prelude::*;

const SPACE_HEADER: &[&str] = &[
    "name",
    "disk buffer",
    "url",
    "interval",
    "last refresh",
    "space",
    "c.user",
    "c.host",
    "c.time",
    "m.user",
    "m.host",
    "m.time",
    "instance",
    "comment",
];

/// `dis ls`. CTA quirks kept: `lastRefreshTime` is always `"0"` and `instanceName` carries the
/// space name (cta-interfaces.md §7.4).
pub(super) fn spaces(conn: &Db, _inst: &str, out: &mut Out<'_>) -> Result<()> {
    out.header(SPACE_HEADER);
    let mut st = conn.prepare(&format!(
        "SELECT DISK_INSTANCE_SPACE_NAME, DISK_INSTANCE_NAME, USER_COMMENT, FREE_SPACE_QUERY_URL, REFRESH_INTERVAL,
           FREE_SPACE, {AUDIT} FROM DISK_INSTANCE_SPACE ORDER BY 1, 2"
    ))?;
    let mut rows = st.query(())?;
    while let Some(r) = rows.next()? {
        let name: String = r.get(0)?;
        let rec = cat::DiskInstanceSpace {
            disk_instance: r.get(1)?,
            comment: text(r, 2)?,
            free_space_query_url: text(r, 3)?,
            refresh_interval: uint(r, 4)?,
            free_space: uint(r, 5)?,
            last_refresh_time: 0,
            creation_log: log(r, 6)?,
            last_modification_log: log(r, 9)?,
            instance_name: name.clone(),
            name,
            extra: Map::new(),
        };
        out.emit(&rec, |t| {
            [
                vec![
                    t.name.clone(),
                    t.disk_instance.clone(),
                    t.free_space_query_url.clone(),
                    t.refresh_interval.to_string(),
                    time(t.last_refresh_time),
                    size(t.free_space),
                ],
                audit_cells(&t.creation_log, &t.last_modification_log),
                vec![t.instance_name.clone(), t.comment.clone()],
            ]
            .concat()
        })?;
    }
    Ok(())
}

const SYSTEM_HEADER: &[&str] = &[
    "name",
    "disk buffer",
    "disk space",
    "regexp",
    "space",
    "sleep",
    "c.user",
    "c.host",
    "c.time",
    "m.user",
    "m.host",
    "m.time",
    "instance",
    "comment",
];

/// `ds ls`.
pub(super) fn systems(conn: &Db, inst: &str, out: &mut Out<'_>) -> Result<()> {
    out.header(SYSTEM_HEADER);
    let mut st = conn.prepare(&format!(
        "SELECT DISK_SYSTEM_NAME, FILE_REGEXP, TARGETED_FREE_SPACE, SLEEP_TIME, {AUDIT}, USER_COMMENT, DISK_INSTANCE_NAME,
           DISK_INSTANCE_SPACE_NAME FROM DISK_SYSTEM ORDER BY 1"
    ))?;
    let mut rows = st.query(())?;
    while let Some(r) = rows.next()? {
        let rec = cat::DiskSystem {
            name: r.get(0)?,
            file_regexp: text(r, 1)?,
            targeted_free_space: uint(r, 2)?,
            sleep_time: uint(r, 3)?,
            creation_log: log(r, 4)?,
            last_modification_log: log(r, 7)?,
            comment: text(r, 10)?,
            disk_instance: text(r, 11)?,
            disk_instance_space: text(r, 12)?,
            instance_name: inst.to_owned(),
            extra: Map::new(),
        };
        out.emit(&rec, |t| {
            [
                vec![
                    t.name.clone(),
                    t.disk_instance.clone(),
                    t.disk_instance_space.clone(),
                    t.file_regexp.clone(),
                    size(t.targeted_free_space),
                    t.sleep_time.to_string(),
                ],
                audit_cells(&t.creation_log, &t.last_modification_log),
                vec![inst.to_owned(), t.comment.clone()],
            ]
            .concat()
        })?;
    }
    Ok(())
}
