//! `failedrequest ls` records (items, or summaries with `--summary`).

use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize, Serializer};

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
