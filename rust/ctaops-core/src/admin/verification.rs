//! The verification status a tape carries, as columns a notebook can filter on.
//!
//! `verificationStatus` is free text to CTA; the verification tools store compact JSON in it
//! (`{"date":…,"status":"done","files_submitted":30,"files_verified":30,"files_failed":0}`, see
//! `ctaops.tapeverify.status`). Arrow tables of tapes get a `verification` struct column beside
//! the text, null where the text is empty or not ours.

use std::sync::Arc;

use arrow_array::builder::{StringBuilder, UInt64Builder};
use arrow_array::cast::AsArray;
use arrow_array::{ArrayRef, RecordBatch, StructArray};
use arrow_buffer::NullBuffer;
use arrow_schema::{ArrowError, DataType, Field, Fields, Schema};
use serde::Deserialize;

/// The column holding CTA's text and the column added beside it.
const SOURCE: &str = "verificationStatus";
const COLUMN: &str = "verification";

#[derive(Deserialize)]
struct Stored {
    date: String,
    status: String,
    files_submitted: u64,
    #[serde(default)]
    files_verified: u64,
    #[serde(default)]
    files_failed: u64,
}

fn fields() -> Fields {
    Fields::from(vec![
        Field::new("date", DataType::Utf8, false),
        Field::new("status", DataType::Utf8, false),
        Field::new("files_submitted", DataType::UInt64, false),
        Field::new("files_verified", DataType::UInt64, false),
        Field::new("files_failed", DataType::UInt64, false),
    ])
}

/// Where the added column goes: right after the text it is parsed from.
fn position(schema: &Schema) -> Option<usize> {
    let (i, f) = schema.column_with_name(SOURCE)?;
    (f.data_type() == &DataType::Utf8 && schema.column_with_name(COLUMN).is_none()).then_some(i + 1)
}

/// `schema` with the `verification` column, when it has a `verificationStatus` text column.
#[must_use]
pub fn with_verification_schema(schema: &Schema) -> Schema {
    let Some(at) = position(schema) else {
        return schema.clone();
    };
    let mut out: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    out.insert(at, Field::new(COLUMN, DataType::Struct(fields()), true));
    Schema::new_with_metadata(out, schema.metadata().clone())
}

fn parse(text: &[Option<&str>]) -> Result<ArrayRef, ArrowError> {
    let (mut date, mut status) = (StringBuilder::new(), StringBuilder::new());
    let (mut submitted, mut verified, mut failed) = (UInt64Builder::new(), UInt64Builder::new(), UInt64Builder::new());
    let mut valid = Vec::with_capacity(text.len());
    for t in text {
        let stored = t
            .filter(|t| !t.is_empty())
            .and_then(|t| serde_json::from_str::<Stored>(t).ok());
        valid.push(stored.is_some());
        let s = stored.unwrap_or(Stored {
            date: String::new(),
            status: String::new(),
            files_submitted: 0,
            files_verified: 0,
            files_failed: 0,
        });
        date.append_value(s.date);
        status.append_value(s.status);
        submitted.append_value(s.files_submitted);
        verified.append_value(s.files_verified);
        failed.append_value(s.files_failed);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(date.finish()),
        Arc::new(status.finish()),
        Arc::new(submitted.finish()),
        Arc::new(verified.finish()),
        Arc::new(failed.finish()),
    ];
    Ok(Arc::new(StructArray::try_new(
        fields(),
        columns,
        Some(NullBuffer::from(valid)),
    )?))
}

/// `batch` with the parsed `verification` column, when it has a `verificationStatus` text column.
///
/// # Errors
/// An [`ArrowError`] when the batch cannot be rebuilt.
pub fn with_verification(batch: &RecordBatch) -> Result<RecordBatch, ArrowError> {
    let schema = batch.schema();
    let Some(at) = position(&schema) else {
        return Ok(batch.clone());
    };
    let text: Vec<Option<&str>> = batch.column(at - 1).as_string::<i32>().iter().collect();
    let mut columns = batch.columns().to_vec();
    columns.insert(at, parse(&text)?);
    RecordBatch::try_new(Arc::new(with_verification_schema(&schema)), columns)
}

#[cfg(test)]
mod tests {
    use arrow_array::{Array, StringArray};

    use super::*;

    #[test]
    fn ours_parsed_others_null() {
        let text = StringArray::from(vec![
            r#"{"date":"2026-11-26 06:10:00","status":"failed","files_submitted":30,"files_verified":28,"files_failed":2}"#,
            "",
            "checked by hand in 2019",
        ]);
        let schema = Schema::new(vec![Field::new(SOURCE, DataType::Utf8, false)]);
        let batch = RecordBatch::try_new(Arc::new(schema), vec![Arc::new(text)]).unwrap();
        let out = with_verification(&batch).unwrap();
        assert_eq!(out.num_columns(), 2);
        let v = out.column(1).as_struct();
        assert!(v.is_valid(0) && v.is_null(1) && v.is_null(2));
        assert_eq!(
            v.column_by_name("status").unwrap().as_string::<i32>().value(0),
            "failed"
        );
        let failed = v.column_by_name("files_failed").unwrap();
        assert_eq!(failed.as_primitive::<arrow_array::types::UInt64Type>().value(0), 2);
        // Applying it twice adds nothing.
        assert_eq!(with_verification(&out).unwrap().num_columns(), 2);
    }
}
