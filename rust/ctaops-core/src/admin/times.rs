//! CTA's times as Arrow timestamp columns.
//!
//! CTA prints every time as seconds since the epoch, and `0` where something never happened
//! (`repackFinishedTime` of a running repack, a disk system never refreshed). The typed records
//! keep CTA's integers (what `--json` and `to_dicts()` give); Arrow tables, which feed pandas and
//! polars, get `timestamp[s, UTC]` columns instead so that a notebook can group by day or plot
//! over time without converting, and `0` becomes null rather than 1 January 1970.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::UInt64Type;
use arrow_array::{Array, ArrayRef, ListArray, RecordBatch, StructArray, TimestampSecondArray};
use arrow_schema::{ArrowError, DataType, Field, FieldRef, Fields, Schema, TimeUnit};

/// The keys that hold a point in time (durations such as `repackTime`, `sleepTime`,
/// `sessionElapsedTime` and `timeSinceLastUpdate` stay numbers).
const TIME_KEYS: [&str; 10] = [
    "time",
    "stateUpdateTime",
    "creationTime",
    "tapeFileCreationTime",
    "archiveFileCreationTime",
    "reconciliationTime",
    "recycleLogTime",
    "repackFinishedTime",
    "lastRefreshTime",
    "sleepStartTime",
];

/// Whether CTA's key `name` holds a point in time (seconds since the epoch, 0 for never).
#[must_use]
pub fn is_time_key(name: &str) -> bool {
    TIME_KEYS.contains(&name)
}

fn is_time(field: &Field) -> bool {
    field.data_type() == &DataType::UInt64 && is_time_key(field.name())
}

fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Second, Some("UTC".into()))
}

/// `field` with its time keys (at any depth) typed as timestamps.
fn convert_field(field: &Field) -> Field {
    if is_time(field) {
        // Zero becomes null, so every time column may hold nulls.
        return Field::new(field.name(), timestamp_type(), true);
    }
    match field.data_type() {
        DataType::Struct(children) => field.clone().with_data_type(DataType::Struct(convert_fields(children))),
        DataType::List(item) => field
            .clone()
            .with_data_type(DataType::List(Arc::new(convert_field(item)))),
        _ => field.clone(),
    }
}

fn convert_fields(fields: &Fields) -> Fields {
    fields.iter().map(|f| convert_field(f)).collect()
}

/// A schema with every time key as `timestamp[s, UTC]`.
#[must_use]
pub fn convert_schema(schema: &Schema) -> Schema {
    Schema::new_with_metadata(convert_fields(schema.fields()), schema.metadata().clone())
}

/// Seconds since the epoch as a timestamp column; `0` (CTA's "never") and nulls become null.
fn seconds_to_timestamps(array: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    let seconds = array.as_primitive::<UInt64Type>();
    let values = seconds
        .iter()
        .map(|v| match v {
            None | Some(0) => Ok(None),
            Some(s) => i64::try_from(s)
                .map(Some)
                .map_err(|_| ArrowError::ComputeError(format!("time {s} is beyond the year 292 billion"))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Arc::new(TimestampSecondArray::from(values).with_timezone("UTC")))
}

fn convert_column(field: &Field, array: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    if is_time(field) {
        return seconds_to_timestamps(array);
    }
    match field.data_type() {
        DataType::Struct(children) => {
            let s = array.as_struct();
            let columns = children
                .iter()
                .zip(s.columns())
                .map(|(f, c)| convert_column(f, c))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Arc::new(StructArray::try_new(
                convert_fields(children),
                columns,
                s.nulls().cloned(),
            )?))
        }
        DataType::List(item) => {
            let l = array.as_list::<i32>();
            let values = convert_column(item, l.values())?;
            let item: FieldRef = Arc::new(convert_field(item));
            Ok(Arc::new(ListArray::try_new(
                item,
                l.offsets().clone(),
                values,
                l.nulls().cloned(),
            )?))
        }
        _ => Ok(Arc::clone(array)),
    }
}

/// `batch` with every time key (at any depth) as `timestamp[s, UTC]`.
///
/// # Errors
/// An [`ArrowError`] when the columns cannot be rebuilt (a time beyond what `i64` holds).
pub fn convert_batch(batch: &RecordBatch) -> Result<RecordBatch, ArrowError> {
    let schema = batch.schema();
    let columns = schema
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(f, c)| convert_column(f, c))
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(Arc::new(convert_schema(&schema)), columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::arrow::parse_arrow;
    use crate::admin::kind::Kind;
    use crate::admin::stream::Framing;

    const TAPE: &str = r#"[{"vid":"V1","mediaType":"LTO9","vendor":"IBM","logicalLibrary":"L","tapepool":"p","vo":"vo","encryptionKeyName":"","capacity":"1","occupancy":"0","lastFseq":"0","full":false,"fromCastor":false,"readMountCount":"0","writeMountCount":"0","creationLog":{"username":"u","host":"h","time":"1700000000"},"lastModificationLog":{"username":"u","host":"h","time":"0"},"comment":"","nbMasterFiles":"0","masterDataInBytes":"0","state":"ACTIVE","stateReason":"","stateUpdateTime":"1700000100","stateModifiedBy":"u","dirty":false,"verificationStatus":"","purchaseOrder":"","physicalLibrary":"","labelFormat":"CTA","instanceName":""}]"#;

    #[test]
    fn times_become_utc_timestamps_and_zero_becomes_null() {
        let batches = parse_arrow(Kind::Tape, Framing::Json, TAPE.as_bytes()).unwrap();
        let b = &batches[0];
        let state = b.column_by_name("stateUpdateTime").unwrap();
        assert_eq!(state.data_type(), &timestamp_type());
        let state = state.as_primitive::<arrow_array::types::TimestampSecondType>();
        assert_eq!(state.value(0), 1_700_000_100);
        let created = b.column_by_name("creationLog").unwrap().as_struct();
        let t = created.column_by_name("time").unwrap();
        assert_eq!(t.data_type(), &timestamp_type());
        let modified = b.column_by_name("lastModificationLog").unwrap().as_struct();
        assert!(modified.column_by_name("time").unwrap().is_null(0));
        // Counts and sizes stay numbers.
        assert_eq!(b.column_by_name("capacity").unwrap().data_type(), &DataType::UInt64);
    }
}
