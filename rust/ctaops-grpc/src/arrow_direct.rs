//! `tapefile ls` records straight into Arrow columns, for the bulk listing: the same table as
//! `ctaops_core::admin::arrow::records_to_arrow` (same schema, same values; the Python tests
//! compare the two), without going through serde; either from typed records or straight from
//! the wire.

use std::sync::Arc;

use arrow_array::builder::{StringBuilder, UInt32Builder, UInt64Builder};
use arrow_array::{ArrayRef, ListArray, RecordBatch, StructArray};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{ArrowError, DataType, Fields, Schema};
use ctaops_core::admin::Kind;
use ctaops_core::admin::tapefile::TapeFile;
use ctaops_core::admin::times::convert_batch;

use crate::tapefile_wire::TapeFileView;

fn struct_fields(dt: &DataType) -> Result<Fields, ArrowError> {
    match dt {
        DataType::Struct(f) => Ok(f.clone()),
        other => Err(ArrowError::SchemaError(format!("expected a struct, found {other}"))),
    }
}

fn sum_kind(v: i32, b: &mut StringBuilder) {
    b.append_value(crate::direct::checksum_kind(v).as_str());
}

/// Column builders of the `tapefile` schema, filled one record at a time, from typed records
/// or straight from the wire ([`TapeFileView`]); both give the same values.
#[derive(Debug, Default)]
pub struct TapeFileColumns {
    archive_id: UInt64Builder,
    storage_class: StringBuilder,
    creation_time: UInt64Builder,
    sum_lens: Vec<usize>,
    sum_kind: StringBuilder,
    sum_value: StringBuilder,
    size: UInt64Builder,
    disk_id: StringBuilder,
    disk_instance: StringBuilder,
    owner_valid: Vec<bool>,
    uid: UInt32Builder,
    gid: UInt32Builder,
    path: StringBuilder,
    vid: StringBuilder,
    copy_nb: UInt32Builder,
    block_id: UInt64Builder,
    f_seq: UInt64Builder,
    instance_name: StringBuilder,
}

impl TapeFileColumns {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Builders with room for `rows` records (strings sized for typical values), so filling
    /// a batch of that many rarely grows a buffer.
    #[must_use]
    pub fn with_capacity(rows: usize) -> Self {
        let text = |bytes_per_row: usize| StringBuilder::with_capacity(rows, rows * bytes_per_row);
        Self {
            archive_id: UInt64Builder::with_capacity(rows),
            storage_class: text(16),
            creation_time: UInt64Builder::with_capacity(rows),
            sum_lens: Vec::with_capacity(rows),
            sum_kind: text(8),
            sum_value: text(8),
            size: UInt64Builder::with_capacity(rows),
            disk_id: text(16),
            disk_instance: text(16),
            owner_valid: Vec::with_capacity(rows),
            uid: UInt32Builder::with_capacity(rows),
            gid: UInt32Builder::with_capacity(rows),
            path: text(0),
            vid: text(8),
            copy_nb: UInt32Builder::with_capacity(rows),
            block_id: UInt64Builder::with_capacity(rows),
            f_seq: UInt64Builder::with_capacity(rows),
            instance_name: text(16),
        }
    }

    /// Records appended so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.sum_lens.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.sum_lens.is_empty()
    }

    fn owner(&mut self, owner: Option<(u32, u32)>) {
        self.owner_valid.push(owner.is_some());
        let (uid, gid) = owner.unwrap_or((0, 0));
        self.uid.append_value(uid);
        self.gid.append_value(gid);
    }

    /// One typed record.
    pub fn push(&mut self, f: &TapeFile) {
        self.archive_id.append_value(f.af.archive_id);
        self.storage_class.append_value(&f.af.storage_class);
        self.creation_time.append_value(f.af.creation_time);
        self.sum_lens.push(f.af.checksum.len());
        for c in &f.af.checksum {
            self.sum_kind.append_value(c.kind.as_str());
            self.sum_value.append_value(&c.value);
        }
        self.size.append_value(f.af.size);
        self.disk_id.append_value(&f.df.disk_id);
        self.disk_instance.append_value(&f.df.disk_instance);
        self.owner(f.df.owner_id.as_ref().map(|o| (o.uid, o.gid)));
        self.path.append_value(&f.df.path);
        self.vid.append_value(&f.tf.vid);
        self.copy_nb.append_value(f.tf.copy_nb);
        self.block_id.append_value(f.tf.block_id);
        self.f_seq.append_value(f.tf.f_seq);
        self.instance_name.append_value(&f.instance_name);
    }

    /// One record read in place from its protobuf message (what `tapefile_from_pb` would give).
    pub fn push_view(&mut self, v: &TapeFileView<'_>) {
        self.archive_id.append_value(v.archive_id);
        self.storage_class.append_value(v.storage_class);
        self.creation_time.append_value(v.creation_time);
        self.sum_lens.push(v.n_sums);
        for &(kind, value) in v.checksums() {
            sum_kind(kind, &mut self.sum_kind);
            self.sum_value.append_value(value);
        }
        self.size.append_value(v.size);
        self.disk_id.append_value(v.disk_id);
        self.disk_instance.append_value(v.disk_instance);
        self.owner(v.owner);
        self.path.append_value(v.path);
        self.vid.append_value(v.vid);
        self.copy_nb.append_value(v.copy_nb);
        self.block_id.append_value(v.block_id);
        self.f_seq.append_value(v.f_seq);
        self.instance_name.append_value(v.instance_name);
    }

    /// One record batch with the core's `tapefile` schema (times converted as the core does).
    pub fn finish(mut self) -> Result<RecordBatch, ArrowError> {
        // Built with CTA's integers, then given the core's timestamp columns in one place.
        let schema = Arc::new(Schema::new(Kind::TapeFile.arrow_fields()));
        let field = |name: &str| schema.field_with_name(name).map(|f| f.data_type().clone());

        let af_fields = struct_fields(&field("af")?)?;
        let DataType::List(item) = af_fields
            .find("checksum")
            .map(|(_, f)| f.data_type().clone())
            .ok_or_else(|| ArrowError::SchemaError("af.checksum missing".into()))?
        else {
            return Err(ArrowError::SchemaError("af.checksum is not a list".into()));
        };
        let sum_struct = StructArray::try_new(
            struct_fields(item.data_type())?,
            vec![Arc::new(self.sum_kind.finish()), Arc::new(self.sum_value.finish())],
            None,
        )?;
        let offsets = OffsetBuffer::from_lengths(self.sum_lens.iter().copied());
        let checksum = ListArray::try_new(item, offsets, Arc::new(sum_struct), None)?;
        let af = StructArray::try_new(
            af_fields,
            vec![
                Arc::new(self.archive_id.finish()),
                Arc::new(self.storage_class.finish()),
                Arc::new(self.creation_time.finish()),
                Arc::new(checksum),
                Arc::new(self.size.finish()),
            ],
            None,
        )?;

        let df_fields = struct_fields(&field("df")?)?;
        let owner_fields = struct_fields(
            df_fields
                .find("ownerId")
                .map(|(_, f)| f.data_type())
                .ok_or_else(|| ArrowError::SchemaError("df.ownerId missing".into()))?,
        )?;
        let owner_valid: NullBuffer = self.owner_valid.iter().copied().collect();
        let owner = StructArray::try_new(
            owner_fields,
            vec![Arc::new(self.uid.finish()), Arc::new(self.gid.finish())],
            (owner_valid.null_count() > 0).then_some(owner_valid),
        )?;
        let df = StructArray::try_new(
            df_fields,
            vec![
                Arc::new(self.disk_id.finish()),
                Arc::new(self.disk_instance.finish()),
                Arc::new(owner),
                Arc::new(self.path.finish()),
            ],
            None,
        )?;

        let tf = StructArray::try_new(
            struct_fields(&field("tf")?)?,
            vec![
                Arc::new(self.vid.finish()),
                Arc::new(self.copy_nb.finish()),
                Arc::new(self.block_id.finish()),
                Arc::new(self.f_seq.finish()),
            ],
            None,
        )?;
        let instance: ArrayRef = Arc::new(self.instance_name.finish());
        convert_batch(&RecordBatch::try_new(
            schema,
            vec![Arc::new(af), Arc::new(df), Arc::new(tf), instance],
        )?)
    }
}

/// One record batch of `tapefile ls` records with the core's `tapefile` schema.
pub fn tapefiles_to_arrow(files: &[TapeFile]) -> Result<RecordBatch, ArrowError> {
    let mut cols = TapeFileColumns::new();
    files.iter().for_each(|f| cols.push(f));
    cols.finish()
}
