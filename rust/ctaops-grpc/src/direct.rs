//! Typed records straight from and to their prost messages, for the record types whose
//! listings are bulk (`tapefile ls`): no JSON in between. Each conversion yields exactly what
//! the canonical-JSON route (`records::data_to_json_line` + the JSON parser) yields; the tests in
//! `tests/roundtrip.rs` compare the two routes on every field.
//!
//! Other record types still take the JSON route (correct, slower): their listings are short.

use ctaops_core::admin::common::{Checksum, OwnerId};
use ctaops_core::admin::enums::ChecksumKind;
use ctaops_core::admin::tapefile::{TapeFile, TapeFileArchive, TapeFileCopy, TapeFileDisk};
use ctaops_core::admin::{Kind, Records};

use crate::pb::cta::admin::tape_file_ls_item::{ArchiveFile, DiskFile, TapeFile as PbTapeCopy};
use crate::pb::cta::admin::{Checksum as PbChecksum, TapeFileLsItem};
use crate::pb::cta::common::OwnerId as PbOwnerId;
use crate::pb::cta::common::checksum_blob::checksum::Type as ChecksumType;
use crate::pb::cta::xrd::data;
use crate::records::RecordError;
use crate::tapefile_wire::TapeFileView;

/// Whether `kind` has a direct conversion here.
#[must_use]
pub fn is_direct(kind: Kind) -> bool {
    kind == Kind::TapeFile
}

pub(crate) fn checksum_kind(v: i32) -> ChecksumKind {
    // An enum number this copy of the .proto does not know prints as the number in JSON.
    ChecksumType::try_from(v).map_or_else(
        |_| ChecksumKind::Unknown(v.to_string()),
        |t| ChecksumKind::from(t.as_str_name()),
    )
}

fn checksum_number(k: &ChecksumKind) -> Result<i32, RecordError> {
    match ChecksumType::from_str_name(k.as_str()) {
        Some(t) => Ok(t as i32),
        None => k
            .as_str()
            .parse()
            .map_err(|_| RecordError(format!("checksum type {k} has no protobuf number"))),
    }
}

fn checksums_from(list: Vec<PbChecksum>) -> Vec<Checksum> {
    list.into_iter()
        .map(|c| Checksum {
            kind: checksum_kind(c.r#type),
            value: c.value,
            extra: serde_json::Map::new(),
        })
        .collect()
}

/// A `tapefile ls` record from its protobuf message.
#[must_use]
pub fn tapefile_from_pb(item: TapeFileLsItem) -> TapeFile {
    let af = item.af.unwrap_or_default();
    let df = item.df.unwrap_or_default();
    let tf = item.tf.unwrap_or_default();
    TapeFile {
        af: TapeFileArchive {
            archive_id: af.archive_id,
            storage_class: af.storage_class,
            creation_time: af.creation_time,
            checksum: checksums_from(af.checksum),
            size: af.size,
            extra: serde_json::Map::new(),
        },
        df: TapeFileDisk {
            disk_id: df.disk_id,
            disk_instance: df.disk_instance,
            owner_id: df.owner_id.map(|o| OwnerId {
                uid: o.uid,
                gid: o.gid,
                extra: serde_json::Map::new(),
            }),
            path: df.path,
            extra: serde_json::Map::new(),
        },
        tf: TapeFileCopy {
            vid: tf.vid,
            copy_nb: tf.copy_nb,
            block_id: tf.block_id,
            f_seq: tf.f_seq,
            extra: serde_json::Map::new(),
        },
        instance_name: item.instance_name,
        extra: serde_json::Map::new(),
    }
}

/// A `tapefile ls` record from its borrowed fields (what [`tapefile_from_pb`] gives for the
/// message the view was read from, or that [`crate::tapefile_writer::write_data`] writes).
#[must_use]
pub fn tapefile_from_view(v: &TapeFileView<'_>) -> TapeFile {
    TapeFile {
        af: TapeFileArchive {
            archive_id: v.archive_id,
            storage_class: v.storage_class.to_owned(),
            creation_time: v.creation_time,
            checksum: v
                .checksums()
                .iter()
                .map(|&(kind, value)| Checksum {
                    kind: checksum_kind(kind),
                    value: value.to_owned(),
                    extra: serde_json::Map::new(),
                })
                .collect(),
            size: v.size,
            extra: serde_json::Map::new(),
        },
        df: TapeFileDisk {
            disk_id: v.disk_id.to_owned(),
            disk_instance: v.disk_instance.to_owned(),
            owner_id: v.owner.map(|(uid, gid)| OwnerId {
                uid,
                gid,
                extra: serde_json::Map::new(),
            }),
            path: v.path.to_owned(),
            extra: serde_json::Map::new(),
        },
        tf: TapeFileCopy {
            vid: v.vid.to_owned(),
            copy_nb: v.copy_nb,
            block_id: v.block_id,
            f_seq: v.f_seq,
            extra: serde_json::Map::new(),
        },
        instance_name: v.instance_name.to_owned(),
        extra: serde_json::Map::new(),
    }
}

/// The protobuf message of a `tapefile ls` record. Keys the typed record kept in `extra` (from
/// a newer server) have no field here and are dropped, as the JSON route drops them.
pub fn tapefile_to_pb(t: &TapeFile) -> Result<TapeFileLsItem, RecordError> {
    tapefile_into_pb(t.clone())
}

/// [`tapefile_to_pb`] for a record the caller no longer needs: its strings move, not copied.
pub fn tapefile_into_pb(t: TapeFile) -> Result<TapeFileLsItem, RecordError> {
    let checksum =
        t.af.checksum
            .into_iter()
            .map(|c| {
                Ok(PbChecksum {
                    r#type: checksum_number(&c.kind)?,
                    value: c.value,
                })
            })
            .collect::<Result<_, RecordError>>()?;
    Ok(TapeFileLsItem {
        af: Some(ArchiveFile {
            archive_id: t.af.archive_id,
            storage_class: t.af.storage_class,
            creation_time: t.af.creation_time,
            checksum,
            size: t.af.size,
        }),
        df: Some(DiskFile {
            disk_id: t.df.disk_id,
            disk_instance: t.df.disk_instance,
            owner_id: t.df.owner_id.map(|o| PbOwnerId { uid: o.uid, gid: o.gid }),
            path: t.df.path,
        }),
        tf: Some(PbTapeCopy {
            vid: t.tf.vid,
            copy_nb: t.tf.copy_nb,
            block_id: t.tf.block_id,
            f_seq: t.tf.f_seq,
        }),
        instance_name: t.instance_name,
    })
}

/// Collects the records of a direct listing as they arrive.
#[derive(Debug)]
pub struct DirectSink {
    records: Records,
}

impl DirectSink {
    /// `None` if `kind` has no direct conversion.
    #[must_use]
    pub fn new(kind: Kind) -> Option<Self> {
        is_direct(kind).then(|| Self {
            records: Records::empty(kind),
        })
    }

    /// Adds one `Data`; `Ok(false)` for an empty `Data` (skipped, as CTA's client does).
    pub fn push(&mut self, d: Option<data::Data>) -> Result<bool, RecordError> {
        match (&mut self.records, d) {
            (_, None) => Ok(false),
            (Records::TapeFile(v), Some(data::Data::TflsItem(item))) => {
                v.push(tapefile_from_pb(item));
                Ok(true)
            }
            (r, Some(other)) => Err(RecordError(format!(
                "a {} record in a {:?} listing",
                data_name(&other),
                r.kind()
            ))),
        }
    }

    #[must_use]
    pub fn finish(self) -> Records {
        self.records
    }
}

pub(crate) fn data_name(d: &data::Data) -> String {
    // The Debug form starts with the variant name (e.g. `TalsItem(…)`).
    let s = format!("{d:?}");
    s.split('(').next().unwrap_or("unknown").to_owned()
}
