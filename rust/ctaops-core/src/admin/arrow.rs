//! Arrow tables of `cta-admin` records, built column by column straight from the JSON.
//!
//! Each record is read once, by the same streaming framer as the typed path, into per-field
//! column builders ([`BatchBuilder`], see [`super::columns`]): strings are copied from the input
//! into the columns and numbers parsed in place, so no record object is made. When a record is
//! refused, the typed decoder re-reads that one record to name the field.

use std::io::BufRead;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, Schema, SchemaRef};

use super::array::{auto_parts, read_array};
pub use super::columns::{ArrowField, ArrowRecord, ColumnBuilder, RecordBatchBuilder};
pub use super::kind::BatchBuilder;
use super::kind::{Kind, Records, check_one};
use super::stream::{ElementSink, FieldError, Framer, Framing, ParseError, ParseErrorKind, record_error};
use super::times::{convert_batch, convert_schema};

/// Rows per Arrow batch.
pub const BATCH_ROWS: usize = 64 * 1024;

/// The Arrow schema of a kind's table (one column per CTA key; sub-messages are structs; times
/// are `timestamp[s, UTC]`, see [`super::times`]).
#[must_use]
pub fn schema(kind: Kind) -> SchemaRef {
    Arc::new(convert_schema(&Schema::new(kind.arrow_fields())))
}

fn arrow_failed(e: &ArrowError) -> ParseError {
    ParseError {
        kind: ParseErrorKind::Invalid,
        record: None,
        field: None,
        detail: format!("Arrow conversion failed: {e}"),
    }
}

/// Why record `record` (bytes `bytes`) was refused, as the typed decoder sees it.
fn explain(kind: Kind, record: usize, bytes: &[u8], builder_error: &serde_json::Error) -> ParseError {
    let e = check_one(kind, bytes).err().unwrap_or_else(|| FieldError {
        field: None,
        detail: builder_error.to_string(),
        syntax: builder_error.is_syntax() || builder_error.is_eof(),
    });
    record_error(record, e)
}

/// Collects batches of [`BATCH_ROWS`] rows.
struct Batches {
    builder: BatchBuilder,
    out: Vec<RecordBatch>,
}

impl Batches {
    fn new(kind: Kind) -> Self {
        Self {
            builder: BatchBuilder::new(kind),
            out: Vec::new(),
        }
    }

    fn flush_if_full(&mut self) -> Result<(), ArrowError> {
        if self.builder.len() >= BATCH_ROWS {
            self.out.push(convert_batch(&self.builder.finish()?)?);
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<RecordBatch>, ArrowError> {
        if !self.builder.is_empty() || self.out.is_empty() {
            self.out.push(convert_batch(&self.builder.finish()?)?);
        }
        Ok(self.out)
    }
}

impl ElementSink for Batches {
    fn element<'de, D: serde::Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error> {
        self.builder.push_json(d)?;
        self.flush_if_full().map_err(serde::de::Error::custom)
    }
}

/// Reads `kind` records from a stream into Arrow record batches; memory holds one record and the
/// columns built so far. Any error means no result (never a partial table).
pub fn read_arrow<R: BufRead>(kind: Kind, framing: Framing, reader: R) -> Result<Vec<RecordBatch>, ParseError> {
    let mut framer = Framer::new(reader, framing);
    let mut batches = Batches::new(kind);
    loop {
        let record = framer.count() + 1;
        let Some(obj) = framer.next_object()? else { break };
        if let Err(e) = batches.builder.push_json_slice(obj) {
            return Err(explain(kind, record, obj, &e));
        }
        batches.flush_if_full().map_err(|e| arrow_failed(&e))?;
    }
    batches.finish().map_err(|e| arrow_failed(&e))
}

/// Parses output held in memory into Arrow record batches.
///
/// A well-formed `--json` array is read in one pass without the framer, in parallel parts when it
/// is large (see [`super::array`]: one batch list per part, in order); anything unusual
/// (including every error) goes through [`read_arrow`], which gives the exact error.
pub fn parse_arrow(kind: Kind, framing: Framing, data: &[u8]) -> Result<Vec<RecordBatch>, ParseError> {
    parse_arrow_in_parts(kind, framing, data, auto_parts(data.len()))
}

/// [`parse_arrow`] with the in-memory array read in up to `parts` parts whatever its size (for
/// tests comparing the parallel and sequential reads). The batches differ from the one-part read
/// only in where they are cut.
pub fn parse_arrow_in_parts(
    kind: Kind,
    framing: Framing,
    data: &[u8],
    parts: usize,
) -> Result<Vec<RecordBatch>, ParseError> {
    if framing == Framing::Json
        && let Some(parts) = read_array(data, parts, || Batches::new(kind))
    {
        let mut out = Vec::new();
        for p in parts {
            out.extend(p.finish().map_err(|e| arrow_failed(&e))?);
        }
        return Ok(out);
    }
    read_arrow(kind, framing, data)
}

/// Converts already decoded records to Arrow record batches.
pub fn records_to_arrow(records: &Records) -> Result<Vec<RecordBatch>, ParseError> {
    let mut batches = Batches::new(records.kind());
    let n = records.len();
    let mut start = 0;
    while start < n {
        let end = (start + BATCH_ROWS).min(n);
        records
            .append_to(start..end, &mut batches.builder)
            .map_err(|e| arrow_failed(&e))?;
        batches.flush_if_full().map_err(|e| arrow_failed(&e))?;
        start = end;
    }
    batches.finish().map_err(|e| arrow_failed(&e))
}
