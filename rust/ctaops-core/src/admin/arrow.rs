//! Arrow tables of `cta-admin` records, decoded column-wise straight from the JSON bytes.
//!
//! The framer hands each complete record to `arrow-json`'s decoder (which reads CTA's
//! uint64-as-string values into `UInt64` columns); only the records of the current batch are
//! kept, so an error can be re-checked with the typed decoder to name the record and field.

use std::io::BufRead;
use std::sync::Arc;

use arrow_array::{Array, RecordBatch};
use arrow_json::reader::{Decoder, ReaderBuilder};
use arrow_schema::{ArrowError, Schema, SchemaRef};

use super::kind::{Kind, Records, check_one};
use super::stream::{Framer, Framing, ParseError, ParseErrorKind};

/// Rows per Arrow batch.
pub const BATCH_ROWS: usize = 64 * 1024;

/// The Arrow schema of a kind's table (one column per CTA key; sub-messages are structs).
#[must_use]
pub fn schema(kind: Kind) -> SchemaRef {
    Arc::new(Schema::new(kind.arrow_fields()))
}

fn decoder(kind: Kind) -> Result<Decoder, ParseError> {
    ReaderBuilder::new(schema(kind))
        .with_batch_size(BATCH_ROWS)
        .build_decoder()
        .map_err(|e| ParseError {
            kind: ParseErrorKind::Invalid,
            record: None,
            field: None,
            detail: format!("cannot build the Arrow decoder: {e}"),
        })
}

/// Records of one batch kept until the batch is flushed, to explain a decoder error.
struct Pending {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    first: usize,
}

impl Pending {
    fn explain(&self, kind: Kind, e: &ArrowError) -> ParseError {
        let mut start = 0;
        for (i, &end) in self.ends.iter().enumerate() {
            if let Err(fe) = check_one(kind, &self.bytes[start..end]) {
                return ParseError {
                    kind: if fe.syntax {
                        ParseErrorKind::NotJson
                    } else {
                        ParseErrorKind::Invalid
                    },
                    record: Some(self.first + i),
                    field: fe.field,
                    detail: fe.detail,
                };
            }
            start = end;
        }
        ParseError {
            kind: ParseErrorKind::Invalid,
            record: None,
            field: None,
            detail: format!(
                "records {}..{}: {e}",
                self.first,
                self.first + self.ends.len().saturating_sub(1)
            ),
        }
    }
}

/// Non-nullable columns must not hold nulls: a missing required key shows up as one.
fn check_required(batch: &RecordBatch) -> Result<(), String> {
    for (field, col) in batch.schema().fields().iter().zip(batch.columns()) {
        if !field.is_nullable() && col.null_count() > 0 {
            return Err(format!("missing field `{}`", field.name()));
        }
    }
    Ok(())
}

fn flush(
    decoder: &mut Decoder,
    kind: Kind,
    pending: &mut Pending,
    out: &mut Vec<RecordBatch>,
) -> Result<(), ParseError> {
    match decoder.flush() {
        Ok(Some(batch)) => {
            if let Err(msg) = check_required(&batch) {
                return Err(pending.explain(kind, &ArrowError::JsonError(msg)));
            }
            out.push(batch);
        }
        Ok(None) => {}
        Err(e) => return Err(pending.explain(kind, &e)),
    }
    pending.first += pending.ends.len();
    pending.bytes.clear();
    pending.ends.clear();
    Ok(())
}

/// Reads `kind` records from a stream into Arrow record batches.
pub fn read_arrow<R: BufRead>(kind: Kind, framing: Framing, reader: R) -> Result<Vec<RecordBatch>, ParseError> {
    let mut framer = Framer::new(reader, framing);
    let mut dec = decoder(kind)?;
    let mut out = Vec::new();
    let mut pending = Pending {
        bytes: Vec::new(),
        ends: Vec::new(),
        first: 1,
    };
    while let Some(obj) = framer.next_object()? {
        pending.bytes.extend_from_slice(obj);
        pending.ends.push(pending.bytes.len());
        if let Err(e) = dec.decode(obj) {
            return Err(pending.explain(kind, &e));
        }
        if pending.ends.len() >= BATCH_ROWS {
            flush(&mut dec, kind, &mut pending, &mut out)?;
        }
    }
    flush(&mut dec, kind, &mut pending, &mut out)?;
    Ok(out)
}

/// Converts already decoded records to Arrow record batches.
pub fn records_to_arrow(records: &Records) -> Result<Vec<RecordBatch>, ParseError> {
    let kind = records.kind();
    let mut dec = decoder(kind)?;
    let mut out = Vec::new();
    let n = records.len();
    let mut start = 0;
    while start < n {
        let end = (start + BATCH_ROWS).min(n);
        let fail = |e: ArrowError| ParseError {
            kind: ParseErrorKind::Invalid,
            record: None,
            field: None,
            detail: format!("Arrow conversion failed: {e}"),
        };
        records.serialize_into(&mut dec, start..end).map_err(fail)?;
        if let Some(b) = dec.flush().map_err(fail)? {
            out.push(b);
        }
        start = end;
    }
    Ok(out)
}
