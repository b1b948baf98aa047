//! `drive ls`, and the drive-name matching shared with `drive up/down/ch/rm`.

use super::prelude::*;

pub fn status_text(s: &DriveStatus) -> &'static str {
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

/// Whether `name` matches the drive pattern as CTA's frontend matches it: the whole name
/// against the pattern as an extended regular expression (`^pattern$`, `utils::Regex`), so
/// `D0.`, `(D01|D02)` and `CTA.*` work as on a real frontend. A pattern that does not compile
/// matches nothing.
pub fn drive_matches(pattern: &str, name: &str) -> bool {
    regex::Regex::new(&format!("^(?:{pattern})$")).is_ok_and(|re| re.is_match(name))
}

pub(super) fn drive(conn: &Db, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
    let now = crate::catalogue::now(conn)?;
    let mut st = conn.prepare(
        "SELECT D.LOGICAL_LIBRARY_NAME, D.DRIVE_NAME, D.HOST, D.DESIRED_UP, D.MOUNT_TYPE, D.STATUS, D.STATUS_SINCE, D.VID,
           D.TAPE_POOL_NAME, D.FILES, D.BYTES, D.SESSION_ID, D.LAST_UPDATE, D.DEV_FILE_NAME,
           D.ELEMENT_ADDRESS - (SELECT MIN(A.ELEMENT_ADDRESS) FROM
               (SELECT ELEMENT_ADDRESS, LOGICAL_LIBRARY_NAME FROM SIM_TAPED
                UNION ALL SELECT ELEMENT_ADDRESS, LOGICAL_LIBRARY_NAME FROM SIM_DRIVE) A
             JOIN LOGICAL_LIBRARY L2 ON L2.LOGICAL_LIBRARY_NAME = A.LOGICAL_LIBRARY_NAME
             WHERE COALESCE(L2.PHYSICAL_LIBRARY_NAME, L2.LOGICAL_LIBRARY_NAME) = COALESCE(L.PHYSICAL_LIBRARY_NAME, L.LOGICAL_LIBRARY_NAME)),
           D.USER_COMMENT,
           D.REASON, D.VO, D.SESSION_START, L.IS_DISABLED, L.PHYSICAL_LIBRARY_NAME, PL.IS_DISABLED
         FROM SIM_DRIVE D JOIN LOGICAL_LIBRARY L ON L.LOGICAL_LIBRARY_NAME = D.LOGICAL_LIBRARY_NAME
         LEFT JOIN PHYSICAL_LIBRARY PL ON PL.PHYSICAL_LIBRARY_NAME = L.PHYSICAL_LIBRARY_NAME ORDER BY D.DRIVE_NAME",
    )?;
    let pattern = p.str("drive");
    let mut recs = Vec::new();
    let mut rows = st.query(())?;
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
            // cta-taped's DriveControlPath: `smc` and the drive's ordinal in its library (the
            // element address less the library's first drive address, from every drive its
            // daemons know, removed ones included), as `cta-smc -D` counts.
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
        return user(format!("Drive {pat} not found."));
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
