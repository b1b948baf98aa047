//! `repack ls` (records shared with the scheduler's progress reports).

use super::prelude::*;

/// `repack ls` records (all, or one VID).
pub fn repack_records(conn: &Db, vid: Option<&str>, inst: &str) -> Result<Vec<Repack>> {
    let mut st = conn.prepare(
        "SELECT VID, BUFFER_URL, TOTAL_FILES, TOTAL_BYTES, RETRIEVED_FILES, RETRIEVED_BYTES, ARCHIVED_FILES, ARCHIVED_BYTES,
           FAILED_RETRIEVE_FILES, FAILED_RETRIEVE_BYTES, FAILED_ARCHIVE_FILES, FAILED_ARCHIVE_BYTES, LAST_EXPANDED_FSEQ, STATUS,
           CREATION_USER, CREATION_HOST, CREATION_TIME, FINISHED_TIME, TAPE_POOL_NAME, FILES_AT_START, BYTES_AT_START, ALL_SELECTED
         FROM SIM_REPACK WHERE VID = ?1 OR ?1 IS NULL ORDER BY CREATION_TIME, VID",
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
            .collect::<Result<Vec<_>>>()?;
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

pub(super) fn repack(conn: &Db, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
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
