//! `tapefile ls` and `recycletf ls`: file copies on tape and in the recycle log.

use ctaops_grpc::pb::cta::common::checksum_blob::checksum::Type as ChecksumType;
use ctaops_grpc::tapefile_wire::{MAX_SUMS, TapeFileView};

use super::prelude::*;

/// Checksum list of a file as `tapefile ls` prints it (hex value).
pub fn checksum_list(adler: u32) -> Vec<Checksum> {
    vec![Checksum {
        kind: ChecksumKind::Adler32,
        value: format!("{adler:08x}"),
        extra: Map::new(),
    }]
}

pub(super) fn tapefile(conn: &Db, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
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
    // Streamed, each row read in place: the bulk listing (millions of rows for a full tape)
    // never holds its result, nor copies a row's text for a sink that encodes it where it lies.
    let adler32 = ChecksumType::Adler32 as i32;
    conn.prepare(&sql)?.query_each(f.refs().as_slice(), |r| {
        let hex = Hex8::of(u32::try_from(r.uint(3)?).unwrap_or(0));
        let (storage_class, disk_id, disk_instance, vid) = (r.text(1)?, r.text(5)?, r.text(6)?, r.text(9)?);
        let mut sums = [(0, ""); MAX_SUMS];
        sums[0] = (adler32, hex.as_str());
        let view = TapeFileView {
            archive_id: r.uint(0)?,
            storage_class: &storage_class,
            creation_time: r.uint(2)?,
            sums,
            n_sums: 1,
            size: r.uint(4)?,
            disk_id: &disk_id,
            disk_instance: &disk_instance,
            owner: Some((
                u32::try_from(r.uint(7)?).unwrap_or(0),
                u32::try_from(r.uint(8)?).unwrap_or(0),
            )),
            path: "",
            vid: &vid,
            copy_nb: u32::try_from(r.uint(10)?).unwrap_or(0),
            block_id: r.uint(11)?,
            f_seq: r.uint(12)?,
            instance_name: inst,
        };
        out.emit_tape_file(&view, |t| {
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
        Ok(())
    })
}

/// A checksum as `tapefile ls` prints it (8 lower-case hex digits), on the stack: the bulk
/// listing formats one per row.
struct Hex8([u8; 8]);

impl Hex8 {
    fn of(v: u32) -> Self {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 8];
        for (i, d) in out.iter_mut().enumerate() {
            *d = DIGITS[((v >> (28 - 4 * i)) & 0xf) as usize];
        }
        Self(out)
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits are ever written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// An EOS fxid (hex) as the decimal disk file ID the catalogue stores; other text is kept as is.
fn fxid_to_decimal(x: &str) -> String {
    u64::from_str_radix(x.trim_start_matches("0x"), 16).map_or_else(|_| x.to_owned(), |n| n.to_string())
}

pub(super) fn recycle(conn: &Db, p: &Parsed, inst: &str, out: &mut Out<'_>) -> Result<()> {
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
    if let Some(x) = p.str("fxid") {
        f.add("R.DISK_FILE_ID = ?", fxid_to_decimal(x));
    }
    if let Some(list) = p.list("fxidfile") {
        let mut marks = Vec::new();
        for x in list {
            f.params.push(Box::new(fxid_to_decimal(x)));
            marks.push(format!("?{}", f.params.len()));
        }
        f.conds.push(if marks.is_empty() {
            "0 = 1".to_owned()
        } else {
            format!("R.DISK_FILE_ID IN ({})", marks.join(", "))
        });
    }
    if let Some(t) = p.uint("logunixtimemin") {
        f.add("R.RECYCLE_LOG_TIME >= ?", i64::try_from(t).unwrap_or(i64::MAX));
    }
    if let Some(t) = p.uint("logunixtimemax") {
        f.add("R.RECYCLE_LOG_TIME <= ?", i64::try_from(t).unwrap_or(i64::MAX));
    }
    let searched = [
        "vid",
        "fxid",
        "diskfileid",
        "fxidfile",
        "id",
        "instance",
        "vo",
        "logunixtimemin",
        "logunixtimemax",
    ]
    .iter()
    .any(|k| p.opts.contains_key(k));
    if !searched {
        return user(
            "Must specify at least one of the following search options: vid, fxid, fxidfile, archiveFileId, instance, vo, ltmin, ltmax",
        );
    }
    let order = if p.str("vid").is_some() {
        "R.FSEQ"
    } else {
        "R.ARCHIVE_FILE_ID, R.COPY_NB"
    };
    let sql = format!(
        "SELECT R.VID, R.FSEQ, R.BLOCK_ID, R.COPY_NB, R.TAPE_FILE_CREATION_TIME, R.ARCHIVE_FILE_ID, R.DISK_INSTANCE_NAME,
           R.DISK_FILE_ID, R.DISK_FILE_ID_WHEN_DELETED, R.DISK_FILE_UID, R.DISK_FILE_GID, R.SIZE_IN_BYTES, R.CHECKSUM_ADLER32,
           R.STORAGE_CLASS_NAME, R.ARCHIVE_FILE_CREATION_TIME, R.RECONCILIATION_TIME, R.COLLOCATION_HINT, R.DISK_FILE_PATH,
           R.REASON_LOG, R.RECYCLE_LOG_TIME, S.VIRTUAL_ORGANIZATION_NAME
         FROM FILE_RECYCLE_LOG R LEFT JOIN STORAGE_CLASS S ON S.STORAGE_CLASS_NAME = R.STORAGE_CLASS_NAME{} ORDER BY {order}",
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

#[cfg(test)]
mod tests {
    use super::Hex8;

    #[test]
    fn checksums_print_as_eight_hex_digits() {
        for v in [0, 1, 0xabc, 0x0a0b_0c0d, 0xdead_beef, u32::MAX] {
            assert_eq!(Hex8::of(v).as_str(), format!("{v:08x}"));
        }
    }
}
