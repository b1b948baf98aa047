//! `ls` of the configuration tables: one query each, tabular output by key name.

use super::prelude::*;

/// The configuration tables: one query each, tabular output by key name.
pub(super) fn config_ls(conn: &Db, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
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
                 WHERE (STORAGE_CLASS_NAME = ?1 OR ?1 IS NULL) AND (STORAGE_CLASS_NAME IN
                 (SELECT A.STORAGE_CLASS_NAME FROM TAPE_FILE T JOIN ARCHIVE_FILE A ON A.ARCHIVE_FILE_ID = T.ARCHIVE_FILE_ID WHERE T.VID = ?2) OR ?2 IS NULL)
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
                (),
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
                (),
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
                (),
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
                "SELECT LOGICAL_LIBRARY_NAME, IS_DISABLED, {AUDIT}, USER_COMMENT, DISABLED_REASON, PHYSICAL_LIBRARY_NAME FROM LOGICAL_LIBRARY WHERE IS_DISABLED = ?1 OR ?1 IS NULL ORDER BY 1"
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
                "SELECT PHYSICAL_LIBRARY_NAME, PHYSICAL_LIBRARY_MANUFACTURER, PHYSICAL_LIBRARY_MODEL, PHYSICAL_LIBRARY_TYPE, GUI_URL, WEBCAM_URL, PHYSICAL_LOCATION, NB_PHYSICAL_CARTRIDGE_SLOTS, NB_AVAILABLE_CARTRIDGE_SLOTS, NB_PHYSICAL_DRIVE_SLOTS, USER_COMMENT, {AUDIT}, IS_DISABLED, DISABLED_REASON FROM PHYSICAL_LIBRARY WHERE PHYSICAL_LIBRARY_NAME = ?1 OR ?1 IS NULL ORDER BY 1"
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
                (),
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
                (),
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
                (),
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
                (),
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
                (),
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
        "activitymountrule" => {
            let sql = format!(
                "SELECT DISK_INSTANCE_NAME, REQUESTER_NAME, ACTIVITY_REGEX, MOUNT_POLICY_NAME, {AUDIT}, USER_COMMENT FROM REQUESTER_ACTIVITY_MOUNT_RULE ORDER BY 1, 2, 3"
            );
            each!(
                &sql,
                (),
                &[
                    "disk buffer",
                    "username",
                    "policy",
                    "activity",
                    "c.user",
                    "c.host",
                    "c.time",
                    "m.user",
                    "m.host",
                    "m.time",
                    "instance",
                    "comment"
                ],
                |r| cat::ActivityMountRule {
                    disk_instance: r.get(0)?,
                    activity_mount_rule: r.get(1)?,
                    activity_regex: r.get(2)?,
                    mount_policy: r.get(3)?,
                    creation_log: log(r, 4)?,
                    last_modification_log: log(r, 7)?,
                    comment: text(r, 10)?,
                    instance_name: inst.to_owned(),
                    extra: e()
                },
                |t| [
                    vec![
                        t.disk_instance.clone(),
                        t.activity_mount_rule.clone(),
                        t.mount_policy.clone(),
                        t.activity_regex.clone()
                    ],
                    audit_cells(&t.creation_log, &t.last_modification_log),
                    vec![inst.to_owned(), t.comment.clone()]
                ]
                .concat()
            );
        }
        "diskinstancespace" => super::disk::spaces(conn, inst, out)?,
        "disksystem" => super::disk::systems(conn, inst, out)?,
        other => {
            return Err(crate::error::SimError::Usage(format!(
                "{other} ls is not implemented by the simulator"
            )));
        }
    }
    Ok(())
}
