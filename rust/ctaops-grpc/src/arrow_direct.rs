//! `tapefile ls` records straight into Arrow columns, for the bulk listing: the same table as
//! `ctaops_core::admin::arrow::records_to_arrow` (same schema, same values; the Python tests
//! compare the two), without going through serde.

use std::sync::Arc;

use arrow_array::builder::{StringBuilder, UInt32Builder, UInt64Builder};
use arrow_array::{ArrayRef, ListArray, RecordBatch, StructArray};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{ArrowError, DataType, Fields};
use ctaops_core::admin::Kind;
use ctaops_core::admin::arrow::schema;
use ctaops_core::admin::tapefile::TapeFile;

fn struct_fields(dt: &DataType) -> Result<Fields, ArrowError> {
    match dt {
        DataType::Struct(f) => Ok(f.clone()),
        other => Err(ArrowError::SchemaError(format!("expected a struct, found {other}"))),
    }
}

fn strings<'a>(values: impl Iterator<Item = &'a str>, n: usize) -> ArrayRef {
    let mut b = StringBuilder::with_capacity(n, n * 16);
    values.for_each(|v| b.append_value(v));
    Arc::new(b.finish())
}

fn u64s(values: impl Iterator<Item = u64>, n: usize) -> ArrayRef {
    let mut b = UInt64Builder::with_capacity(n);
    values.for_each(|v| b.append_value(v));
    Arc::new(b.finish())
}

fn u32s(values: impl Iterator<Item = u32>, n: usize) -> ArrayRef {
    let mut b = UInt32Builder::with_capacity(n);
    values.for_each(|v| b.append_value(v));
    Arc::new(b.finish())
}

/// One record batch of `tapefile ls` records with the core's `tapefile` schema.
pub fn tapefiles_to_arrow(files: &[TapeFile]) -> Result<RecordBatch, ArrowError> {
    let schema = schema(Kind::TapeFile);
    let n = files.len();
    let field = |name: &str| schema.field_with_name(name).map(|f| f.data_type().clone());

    let af_fields = struct_fields(&field("af")?)?;
    let DataType::List(item) = af_fields
        .find("checksum")
        .map(|(_, f)| f.data_type().clone())
        .ok_or_else(|| ArrowError::SchemaError("af.checksum missing".into()))?
    else {
        return Err(ArrowError::SchemaError("af.checksum is not a list".into()));
    };
    let sum_fields = struct_fields(item.data_type())?;
    let sums = files.iter().flat_map(|f| f.af.checksum.iter());
    let n_sums = files.iter().map(|f| f.af.checksum.len()).sum();
    let sum_struct = StructArray::try_new(
        sum_fields,
        vec![
            strings(sums.clone().map(|c| c.kind.as_str()), n_sums),
            strings(sums.map(|c| c.value.as_str()), n_sums),
        ],
        None,
    )?;
    let offsets = OffsetBuffer::from_lengths(files.iter().map(|f| f.af.checksum.len()));
    let checksum = ListArray::try_new(item, offsets, Arc::new(sum_struct), None)?;
    let af = StructArray::try_new(
        af_fields,
        vec![
            u64s(files.iter().map(|f| f.af.archive_id), n),
            strings(files.iter().map(|f| f.af.storage_class.as_str()), n),
            u64s(files.iter().map(|f| f.af.creation_time), n),
            Arc::new(checksum),
            u64s(files.iter().map(|f| f.af.size), n),
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
    let owner_valid: NullBuffer = files.iter().map(|f| f.df.owner_id.is_some()).collect();
    let owner = StructArray::try_new(
        owner_fields,
        vec![
            u32s(files.iter().map(|f| f.df.owner_id.as_ref().map_or(0, |o| o.uid)), n),
            u32s(files.iter().map(|f| f.df.owner_id.as_ref().map_or(0, |o| o.gid)), n),
        ],
        (owner_valid.null_count() > 0).then_some(owner_valid),
    )?;
    let df = StructArray::try_new(
        df_fields,
        vec![
            strings(files.iter().map(|f| f.df.disk_id.as_str()), n),
            strings(files.iter().map(|f| f.df.disk_instance.as_str()), n),
            Arc::new(owner),
            strings(files.iter().map(|f| f.df.path.as_str()), n),
        ],
        None,
    )?;

    let tf = StructArray::try_new(
        struct_fields(&field("tf")?)?,
        vec![
            strings(files.iter().map(|f| f.tf.vid.as_str()), n),
            u32s(files.iter().map(|f| f.tf.copy_nb), n),
            u64s(files.iter().map(|f| f.tf.block_id), n),
            u64s(files.iter().map(|f| f.tf.f_seq), n),
        ],
        None,
    )?;
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(af),
            Arc::new(df),
            Arc::new(tf),
            strings(files.iter().map(|f| f.instance_name.as_str()), n),
        ],
    )
}
