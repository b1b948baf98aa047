//! `failedrequest ls` records (items, or summaries with `--summary`).

use std::sync::Arc;

use arrow_array::ArrayRef;
use arrow_array::builder::UInt64Builder;
use arrow_schema::ArrowError;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, Error as _, MapAccess};
use serde::{Deserialize, Serialize, Serializer};

use super::columns::{ArrowRecord, ColumnBuilder};

use super::enums::RequestType;
use super::field::{JsonField, record};
use super::tapefile::{ArchiveFileInfo, TapeFileRef};

record! {
    /// `cta.common.RequesterId`.
    pub struct RequesterId {
        username: String = "username",
        groupname: String = "groupname",
    }
}

record! {
    /// One failed request (`FailedRequestLsItem`); `tf` only for retrieves, `tapepool` for archives.
    pub struct FailedRequestItem {
        object_id: String = "objectId",
        request_type: RequestType = "requestType",
        requester: Option<RequesterId> = "requester",
        af: Option<ArchiveFileInfo> = "af",
        tf: Option<TapeFileRef> = "tf",
        tapepool: String = "tapepool",
        copy_nb: u64 = "copyNb",
        totalretries: u32 = "totalretries",
        failurelogs: Vec<String> = "failurelogs",
        totalreportretries: u32 = "totalreportretries",
        reportfailurelogs: Vec<String> = "reportfailurelogs",
        scheduler_backend_name: String = "schedulerBackendName",
        instance_name: String = "instanceName",
    }
}

record! {
    /// One `failedrequest ls --summary` row (`FailedRequestLsSummary`).
    pub struct FailedRequestSummary {
        request_type: RequestType = "requestType",
        total_files: u64 = "totalFiles",
        total_size: u64 = "totalSize",
        scheduler_backend_name: String = "schedulerBackendName",
        instance_name: String = "instanceName",
    }
}

/// A `failedrequest ls` record: an item (has `objectId`) or, with `--summary`, a summary row.
#[derive(Debug, Clone, PartialEq)]
pub enum FailedRequest {
    Item(Box<FailedRequestItem>),
    Summary(FailedRequestSummary),
}

impl FailedRequest {
    /// Key names of an item (the larger shape).
    pub const FIELDS: &'static [&'static str] = FailedRequestItem::FIELDS;

    /// The value of one key, numbers as numbers.
    #[must_use]
    pub fn get_native(&self, key: &str) -> Option<serde_json::Value> {
        match self {
            Self::Item(i) => i.get_native(key),
            Self::Summary(s) => s.get_native(key),
        }
    }
}

impl Serialize for FailedRequest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Item(i) => i.serialize(s),
            Self::Summary(x) => x.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for FailedRequest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Both shapes share keys, so look at the object first; failed-request listings are small.
        let v = serde_json::Value::deserialize(d)?;
        let is_item = v.get("objectId").is_some();
        if is_item {
            FailedRequestItem::deserialize(v)
                .map(|i| Self::Item(Box::new(i)))
                .map_err(D::Error::custom)
        } else {
            FailedRequestSummary::deserialize(v)
                .map(Self::Summary)
                .map_err(D::Error::custom)
        }
    }
}

impl JsonField for FailedRequest {
    fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::deserialize(d)
    }
    fn ser<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.serialize(s)
    }
    fn arrow_type() -> arrow_schema::DataType {
        FailedRequestItem::arrow_type()
    }
    fn to_native(&self) -> serde_json::Value {
        match self {
            Self::Item(i) => i.to_native(),
            Self::Summary(s) => s.to_native(),
        }
    }
}

/// Items and summary rows share one table: the item's columns, then `totalFiles`/`totalSize`;
/// every column is nullable, each row fills the keys its shape has.
impl ArrowRecord for FailedRequest {
    type Columns = (
        <FailedRequestItem as ArrowRecord>::Columns,
        UInt64Builder,
        UInt64Builder,
    );

    fn new_columns() -> Self::Columns {
        (
            FailedRequestItem::new_columns(),
            UInt64Builder::new(),
            UInt64Builder::new(),
        )
    }

    fn arrow_fields() -> Vec<arrow_schema::Field> {
        super::kind::Kind::FailedRequest.arrow_fields()
    }

    fn append_columns(cols: &mut Self::Columns, v: &Self) {
        match v {
            Self::Item(item) => {
                FailedRequestItem::append_columns(&mut cols.0, item);
                cols.1.append_null();
                cols.2.append_null();
            }
            Self::Summary(s) => {
                let (
                    object_id,
                    request_type,
                    requester,
                    af,
                    tf,
                    tapepool,
                    copy_nb,
                    retries,
                    logs,
                    report_retries,
                    report_logs,
                    backend,
                    instance,
                ) = &mut cols.0;
                ColumnBuilder::<String>::append_null(object_id);
                ColumnBuilder::<RequestType>::append(request_type, &s.request_type);
                ColumnBuilder::<Option<RequesterId>>::append_null(requester);
                ColumnBuilder::<Option<ArchiveFileInfo>>::append_null(af);
                ColumnBuilder::<Option<TapeFileRef>>::append_null(tf);
                ColumnBuilder::<String>::append_null(tapepool);
                ColumnBuilder::<u64>::append_null(copy_nb);
                ColumnBuilder::<u32>::append_null(retries);
                ColumnBuilder::<Vec<String>>::append_null(logs);
                ColumnBuilder::<u32>::append_null(report_retries);
                ColumnBuilder::<Vec<String>>::append_null(report_logs);
                ColumnBuilder::<String>::append(backend, &s.scheduler_backend_name);
                ColumnBuilder::<String>::append(instance, &s.instance_name);
                cols.1.append_value(s.total_files);
                cols.2.append_value(s.total_size);
            }
        }
    }

    fn append_null_columns(cols: &mut Self::Columns) {
        FailedRequestItem::append_null_columns(&mut cols.0);
        cols.1.append_null();
        cols.2.append_null();
    }

    fn append_json_columns<'de, A: MapAccess<'de>>(
        cols: &mut Self::Columns,
        _rows: usize,
        map: A,
    ) -> Result<(), A::Error> {
        // The shape is only known once `objectId` is seen; these listings are small, so decode first.
        let v = Self::deserialize(MapAccessDeserializer::new(map))?;
        Self::append_columns(cols, &v);
        Ok(())
    }

    fn finish_columns(cols: &mut Self::Columns) -> Result<Vec<ArrayRef>, ArrowError> {
        let mut out = FailedRequestItem::finish_columns(&mut cols.0)?;
        out.push(Arc::new(cols.1.finish()));
        out.push(Arc::new(cols.2.finish()));
        Ok(out)
    }
}
