//! `failedrequest ls` (items, `--summary`, `--log`).

use super::prelude::*;

pub(super) fn failed(conn: &Db, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
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
        // An archive request that never reached tape has no ARCHIVE_FILE row: its file is
        // described by what the disk side sent (CTA keeps that in the request itself).
        "SELECT F.OBJECT_ID, F.REQUEST_TYPE, F.REQUESTER, F.GROUPNAME, F.ARCHIVE_FILE_ID,
           COALESCE(A.DISK_INSTANCE_NAME, D.DISK_INSTANCE_NAME), COALESCE(A.DISK_FILE_ID, D.DISK_FILE_ID),
           COALESCE(A.SIZE_IN_BYTES, D.SIZE_IN_BYTES), COALESCE(A.STORAGE_CLASS_NAME, D.STORAGE_CLASS_NAME),
           COALESCE(A.CREATION_TIME, D.CREATION_TIME), F.VID, F.FSEQ, F.BLOCK_ID, F.TAPE_POOL_NAME, F.COPY_NB,
           F.TOTAL_RETRIES, F.FAILURE_LOG, COALESCE(A.DISK_FILE_UID, D.DISK_FILE_UID), COALESCE(A.DISK_FILE_GID, D.DISK_FILE_GID),
           D.DISK_FILE_PATH
         FROM SIM_FAILED_REQUEST F LEFT JOIN ARCHIVE_FILE A ON A.ARCHIVE_FILE_ID = F.ARCHIVE_FILE_ID
           LEFT JOIN SIM_DISK_FILE D ON D.ARCHIVE_FILE_ID = F.ARCHIVE_FILE_ID{} ORDER BY F.TIME, F.OBJECT_ID",
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
                    // the request's diskFileInfo.path; FailedRequestLsResponseStream::fillBuffer{Archive,Retrieve}
                    // set only the path of `af.df`, so its `ownerId` sub-message is absent from CTA's JSON.
                    path: text(r, 19)?,
                    owner_id: None,
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
