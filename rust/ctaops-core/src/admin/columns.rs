//! Arrow column builders for `cta-admin` records, filled one record at a time.
//!
//! Every record field type has a builder ([`ArrowField::Builder`]) that can append either a typed
//! value (records already decoded, or produced by another transport such as gRPC) or the value
//! straight from CTA's JSON ([`ColumnBuilder::append_json`]): strings are copied from the input
//! into the column and numbers parsed in place, so no per-record objects are allocated.
//! [`RecordBatchBuilder`] turns a record type into Arrow record batches.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, BooleanBuilder, NullBufferBuilder, OffsetBufferBuilder, StringBuilder, UInt32Builder, UInt64Builder,
};
use arrow_array::{ArrayRef, ListArray, RecordBatch, StructArray};
use arrow_buffer::NullBuffer;
use arrow_schema::{ArrowError, Field, Schema, SchemaRef};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::field::JsonField;

/// Builds one Arrow column from values of type `T`.
pub trait ColumnBuilder<T>: Sized {
    /// An empty builder.
    fn new_builder() -> Self;
    /// Appends a typed value.
    fn append(&mut self, v: &T);
    /// Appends a null (an absent optional value, or a row under a null parent struct).
    fn append_null(&mut self);
    /// Reads one value in CTA's JSON form and appends it.
    fn append_json<'de, D: Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error>;
    /// Rows appended so far.
    fn rows(&self) -> usize;
    /// The column of everything appended; the builder is empty afterwards.
    fn finish_column(&mut self) -> Result<ArrayRef, ArrowError>;
}

/// A record field type with an Arrow column builder.
pub trait ArrowField: JsonField {
    type Builder: ColumnBuilder<Self>;
}

/// A record (a struct of fields) whose columns can be built; implemented by the `record!` macro.
pub trait ArrowRecord: Sized {
    /// One builder per field (a tuple).
    type Columns;
    /// Empty builders.
    fn new_columns() -> Self::Columns;
    /// The Arrow fields, in column order.
    fn arrow_fields() -> Vec<Field>;
    /// Appends one typed record.
    fn append_columns(cols: &mut Self::Columns, v: &Self);
    /// Appends a null row to every column.
    fn append_null_columns(cols: &mut Self::Columns);
    /// Appends one record read from a JSON object; `rows` is the row count before it. On error
    /// the columns are left uneven and must be dropped.
    fn append_json_columns<'de, A: MapAccess<'de>>(
        cols: &mut Self::Columns,
        rows: usize,
        map: A,
    ) -> Result<(), A::Error>;
    /// The finished columns.
    fn finish_columns(cols: &mut Self::Columns) -> Result<Vec<ArrayRef>, ArrowError>;
}

/// Seed that appends the next JSON value to a builder.
pub struct AppendSeed<'a, T, B>(pub &'a mut B, pub PhantomData<fn() -> T>);

impl<'de, T, B: ColumnBuilder<T>> DeserializeSeed<'de> for AppendSeed<'_, T, B> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.0.append_json(d)
    }
}

/// Appends the next map value to `b` (used by the `record!` macro).
pub fn append_value<'de, T, B: ColumnBuilder<T>, A: MapAccess<'de>>(map: &mut A, b: &mut B) -> Result<(), A::Error> {
    map.next_value_seed(AppendSeed::<T, B>(b, PhantomData))
}

macro_rules! primitive {
    ($t:ty, $b:ty) => {
        impl ArrowField for $t {
            type Builder = $b;
        }
        impl ColumnBuilder<$t> for $b {
            fn new_builder() -> Self {
                <$b>::new()
            }
            fn append(&mut self, v: &$t) {
                self.append_value(*v);
            }
            fn append_null(&mut self) {
                <$b>::append_null(self);
            }
            fn append_json<'de, D: Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error> {
                let v = <$t as JsonField>::de(d)?;
                self.append_value(v);
                Ok(())
            }
            fn rows(&self) -> usize {
                ArrayBuilder::len(self)
            }
            fn finish_column(&mut self) -> Result<ArrayRef, ArrowError> {
                Ok(Arc::new(self.finish()))
            }
        }
    };
}

// `u64` reads CTA's decimal strings through its `JsonField::de`.
primitive!(u64, UInt64Builder);
primitive!(u32, UInt32Builder);
primitive!(bool, BooleanBuilder);

/// Appends a JSON string to a string column without an intermediate `String`.
pub(crate) struct StrAppend<'a>(pub &'a mut StringBuilder);

impl Visitor<'_> for StrAppend<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.append_value(v);
        Ok(())
    }
}

/// String-valued columns (text, and CTA's enums, which are kept as their printed names).
pub(crate) fn string_append_json<'de, D: Deserializer<'de>>(b: &mut StringBuilder, d: D) -> Result<(), D::Error> {
    d.deserialize_str(StrAppend(b))
}

impl ArrowField for String {
    type Builder = StringBuilder;
}

impl ColumnBuilder<String> for StringBuilder {
    fn new_builder() -> Self {
        StringBuilder::new()
    }
    fn append(&mut self, v: &String) {
        self.append_value(v);
    }
    fn append_null(&mut self) {
        StringBuilder::append_null(self);
    }
    fn append_json<'de, D: Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error> {
        string_append_json(self, d)
    }
    fn rows(&self) -> usize {
        ArrayBuilder::len(self)
    }
    fn finish_column(&mut self) -> Result<ArrayRef, ArrowError> {
        Ok(Arc::new(self.finish()))
    }
}

/// An optional value uses its inner type's column, with nulls where it is absent.
pub struct OptionColumn<B>(B);

impl<T: ArrowField> ArrowField for Option<T> {
    type Builder = OptionColumn<T::Builder>;
}

impl<T, B: ColumnBuilder<T>> ColumnBuilder<Option<T>> for OptionColumn<B> {
    fn new_builder() -> Self {
        Self(B::new_builder())
    }
    fn append(&mut self, v: &Option<T>) {
        match v {
            Some(x) => self.0.append(x),
            None => self.0.append_null(),
        }
    }
    fn append_null(&mut self) {
        self.0.append_null();
    }
    fn append_json<'de, D: Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error> {
        self.0.append_json(d)
    }
    fn rows(&self) -> usize {
        self.0.rows()
    }
    fn finish_column(&mut self) -> Result<ArrayRef, ArrowError> {
        self.0.finish_column()
    }
}

/// A list column (`Vec<T>`).
pub struct ListColumn<T: ArrowField> {
    values: T::Builder,
    offsets: OffsetBufferBuilder<i32>,
    nulls: NullBufferBuilder,
    rows: usize,
    /// Items before the current row, to tell the row's length.
    items: usize,
}

impl<T: ArrowField> ArrowField for Vec<T> {
    type Builder = ListColumn<T>;
}

impl<T: ArrowField> ListColumn<T> {
    fn close_row(&mut self, valid: bool) {
        let items = self.values.rows();
        self.offsets.push_length(items - self.items);
        self.items = items;
        self.rows += 1;
        if valid {
            self.nulls.append_non_null();
        } else {
            self.nulls.append_null();
        }
    }
}

impl<T: ArrowField> ColumnBuilder<Vec<T>> for ListColumn<T> {
    fn new_builder() -> Self {
        Self {
            values: T::Builder::new_builder(),
            offsets: OffsetBufferBuilder::new(1024),
            nulls: NullBufferBuilder::new(1024),
            rows: 0,
            items: 0,
        }
    }
    fn append(&mut self, v: &Vec<T>) {
        for x in v {
            self.values.append(x);
        }
        self.close_row(true);
    }
    fn append_null(&mut self) {
        self.close_row(false);
    }
    fn append_json<'de, D: Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error> {
        struct V<'a, T: ArrowField>(&'a mut T::Builder);
        impl<'de, T: ArrowField> Visitor<'de> for V<'_, T> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                while seq
                    .next_element_seed(AppendSeed::<T, T::Builder>(self.0, PhantomData))?
                    .is_some()
                {}
                Ok(())
            }
        }
        d.deserialize_seq(V::<T>(&mut self.values))?;
        self.close_row(true);
        Ok(())
    }
    fn rows(&self) -> usize {
        self.rows
    }
    fn finish_column(&mut self) -> Result<ArrayRef, ArrowError> {
        let offsets = std::mem::replace(&mut self.offsets, OffsetBufferBuilder::new(1024)).finish();
        let values = self.values.finish_column()?;
        let item = Arc::new(Field::new("item", T::arrow_type(), T::arrow_nullable()));
        self.rows = 0;
        self.items = 0;
        Ok(Arc::new(ListArray::try_new(
            item,
            offsets,
            values,
            self.nulls.finish(),
        )?))
    }
}

/// A struct column of a record type (sub-messages such as `creationLog`, `af`).
pub struct StructColumn<T: ArrowRecord> {
    cols: T::Columns,
    nulls: NullBufferBuilder,
    rows: usize,
}

impl<T: ArrowRecord> StructColumn<T> {
    /// Appends one record read from a JSON object.
    pub fn append_map<'de, A: MapAccess<'de>>(&mut self, map: A) -> Result<(), A::Error> {
        T::append_json_columns(&mut self.cols, self.rows, map)?;
        self.nulls.append_non_null();
        self.rows += 1;
        Ok(())
    }

    fn finish_arrays(&mut self) -> Result<(Vec<ArrayRef>, Option<NullBuffer>, usize), ArrowError> {
        let arrays = T::finish_columns(&mut self.cols)?;
        let rows = std::mem::take(&mut self.rows);
        Ok((arrays, self.nulls.finish(), rows))
    }
}

impl<T: ArrowRecord + JsonField> ColumnBuilder<T> for StructColumn<T> {
    fn new_builder() -> Self {
        Self {
            cols: T::new_columns(),
            nulls: NullBufferBuilder::new(1024),
            rows: 0,
        }
    }
    fn append(&mut self, v: &T) {
        T::append_columns(&mut self.cols, v);
        self.nulls.append_non_null();
        self.rows += 1;
    }
    fn append_null(&mut self) {
        T::append_null_columns(&mut self.cols);
        self.nulls.append_null();
        self.rows += 1;
    }
    fn append_json<'de, D: Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error> {
        struct V<'a, T: ArrowRecord>(&'a mut StructColumn<T>);
        impl<'de, T: ArrowRecord> Visitor<'de> for V<'_, T> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
                self.0.append_map(map)
            }
        }
        d.deserialize_map(V(self))
    }
    fn rows(&self) -> usize {
        self.rows
    }
    fn finish_column(&mut self) -> Result<ArrayRef, ArrowError> {
        let (arrays, nulls, rows) = self.finish_arrays()?;
        Ok(Arc::new(StructArray::try_new_with_length(
            T::arrow_fields().into(),
            arrays,
            nulls,
            rows,
        )?))
    }
}

/// Builds Arrow record batches of one record type, one column per key.
pub struct RecordBatchBuilder<T: ArrowRecord> {
    columns: StructColumn<T>,
    schema: SchemaRef,
}

impl<T: ArrowRecord> Default for RecordBatchBuilder<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: ArrowRecord> RecordBatchBuilder<T> {
    #[must_use]
    pub fn new() -> Self {
        Self {
            columns: StructColumn {
                cols: T::new_columns(),
                nulls: NullBufferBuilder::new(0),
                rows: 0,
            },
            schema: Arc::new(Schema::new(T::arrow_fields())),
        }
    }

    /// The schema of the batches.
    #[must_use]
    pub fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    /// Rows appended since the last [`Self::finish`].
    #[must_use]
    pub fn len(&self) -> usize {
        self.columns.rows
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.columns.rows == 0
    }

    /// Appends one typed record (e.g. decoded from protobuf).
    pub fn push(&mut self, v: &T) {
        T::append_columns(&mut self.columns.cols, v);
        self.columns.rows += 1;
    }

    /// Appends one record straight from JSON. After an error the builder must be dropped.
    pub fn push_json<'de, D: Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error> {
        struct V<'a, T: ArrowRecord>(&'a mut StructColumn<T>);
        impl<'de, T: ArrowRecord> Visitor<'de> for V<'_, T> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
                T::append_json_columns(&mut self.0.cols, self.0.rows, map)?;
                self.0.rows += 1;
                Ok(())
            }
        }
        d.deserialize_map(V(&mut self.columns))
    }

    /// The rows appended so far as one batch; the builder starts over empty.
    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let arrays = T::finish_columns(&mut self.columns.cols)?;
        let rows = std::mem::take(&mut self.columns.rows);
        RecordBatch::try_new_with_options(
            Arc::clone(&self.schema),
            arrays,
            &arrow_array::RecordBatchOptions::new().with_row_count(Some(rows)),
        )
    }
}
