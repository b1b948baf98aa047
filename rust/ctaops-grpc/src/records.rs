//! Records between protobuf and the typed records of `ctaops_core::admin`.
//!
//! `cta-admin --json` prints each `Data` record with protobuf's canonical JSON mapping, and the
//! typed records read exactly that form. Going through the same mapping (prost-reflect over the
//! compiled descriptors) makes a record decoded from gRPC equal to one parsed from JSON by
//! construction, for every record type, with no per-type conversion code to drift.

use ctaops_core::admin::{Framing, Kind, Records, parse_records};
use prost::Message as _;
use prost_reflect::{DeserializeOptions, DynamicMessage, MessageDescriptor, SerializeOptions};
use serde::Serialize;

use crate::pb::POOL;
use crate::pb::cta::admin::HeaderType;
use crate::pb::cta::xrd::Data;

/// The `Data` field and header of each listing (CTA `CtaAdminServer.hpp`).
const TABLE: &[(Kind, &str, HeaderType)] = &[
    (Kind::Admin, "adls_item", HeaderType::AdminLs),
    (Kind::ArchiveRoute, "arls_item", HeaderType::ArchiverouteLs),
    (Kind::Drive, "drls_item", HeaderType::DriveLs),
    (Kind::FailedRequest, "frls_item", HeaderType::FailedrequestLs),
    (Kind::GroupMountRule, "gmrls_item", HeaderType::GroupmountruleLs),
    (Kind::LogicalLibrary, "llls_item", HeaderType::LogicallibraryLs),
    (Kind::MountPolicy, "mpls_item", HeaderType::MountpolicyLs),
    (Kind::Repack, "rels_item", HeaderType::RepackLs),
    (Kind::RequesterMountRule, "rmrls_item", HeaderType::RequestermountruleLs),
    (Kind::ShowQueues, "sq_item", HeaderType::Showqueues),
    (Kind::StorageClass, "scls_item", HeaderType::StorageclassLs),
    (Kind::Tape, "tals_item", HeaderType::TapeLs),
    (Kind::TapePool, "tpls_item", HeaderType::TapepoolLs),
    (Kind::DiskSystem, "dsls_item", HeaderType::DisksystemLs),
    (Kind::TapeFile, "tfls_item", HeaderType::TapefileLs),
    (
        Kind::VirtualOrganization,
        "vols_item",
        HeaderType::VirtualorganizationLs,
    ),
    (Kind::Version, "version_item", HeaderType::VersionCmd),
    (Kind::MediaType, "mtls_item", HeaderType::MediatypeLs),
    (Kind::RecycleTapeFile, "rtfls_item", HeaderType::RecyletapefileLs),
    (Kind::ActivityMountRule, "amrls_item", HeaderType::ActivitymountruleLs),
    (Kind::DiskInstance, "dils_item", HeaderType::DiskinstanceLs),
    (Kind::DiskInstanceSpace, "disls_item", HeaderType::DiskinstancespaceLs),
    (Kind::PhysicalLibrary, "plls_item", HeaderType::PhysicallibraryLs),
    (Kind::ArchiveFile, "afls_item", HeaderType::ArchivefileLs),
];

/// The header a listing of `kind` starts with.
#[must_use]
pub fn header_for(kind: Kind) -> HeaderType {
    TABLE
        .iter()
        .find(|(k, ..)| *k == kind)
        .map_or(HeaderType::None, |(_, _, h)| *h)
}

/// The record kind announced by a header (`FAILEDREQUEST_LS_SUMMARY` too, as XRootD sends it).
#[must_use]
pub fn kind_for(header: HeaderType) -> Option<Kind> {
    if header == HeaderType::FailedrequestLsSummary {
        return Some(Kind::FailedRequest);
    }
    TABLE.iter().find(|(_, _, h)| *h == header).map(|(k, ..)| *k)
}

/// The `Data` oneof field that carries records of `kind` (empty if none).
#[must_use]
pub fn data_field_name(kind: Kind) -> &'static str {
    TABLE.iter().find(|(k, ..)| *k == kind).map_or("", |(_, f, _)| *f)
}

static DATA: std::sync::LazyLock<MessageDescriptor> = std::sync::LazyLock::new(|| {
    #[expect(clippy::expect_used, reason = "cta.xrd.Data is in the compiled descriptor set")]
    POOL.get_message_by_name("cta.xrd.Data")
        .expect("cta.xrd.Data is compiled in")
});

fn data_descriptor() -> MessageDescriptor {
    DATA.clone()
}

/// Why a record could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RecordError(pub String);

fn serialize_options() -> SerializeOptions {
    // CTA's JSON: default values printed, lowerCamelCase names, 64-bit integers as strings.
    SerializeOptions::new().skip_default_fields(false)
}

/// Appends the canonical JSON of one `Data` record of `kind` to `out` (one line). An unset
/// `Data` is skipped, as CTA's client does; a record of another type is an error.
pub fn data_to_json_line(kind: Kind, data: &Data, out: &mut Vec<u8>) -> Result<bool, RecordError> {
    let bytes = data.encode_to_vec();
    let msg = DynamicMessage::decode(data_descriptor(), bytes.as_slice()).map_err(|e| RecordError(e.to_string()))?;
    let Some(field) = data_descriptor()
        .oneofs()
        .next()
        .and_then(|o| o.fields().find(|f| msg.has_field(f)))
    else {
        return Ok(false);
    };
    if field.name() != data_field_name(kind) {
        return Err(RecordError(format!("a {} record in a {kind:?} listing", field.name())));
    }
    let value = msg.get_field(&field);
    let item = value
        .as_message()
        .ok_or_else(|| RecordError(format!("{} is not a message", field.name())))?;
    let mut ser = serde_json::Serializer::new(&mut *out);
    item.serialize_with_options(&mut ser, &serialize_options())
        .map_err(|e| RecordError(e.to_string()))?;
    out.push(b'\n');
    Ok(true)
}

/// Decodes a whole listing (what a client received) into typed records.
pub fn decode_listing(kind: Kind, data: &[Data]) -> Result<Records, RecordError> {
    let mut buf = Vec::with_capacity(data.len() * 256);
    for d in data {
        data_to_json_line(kind, d, &mut buf)?;
    }
    jsonl_to_records(kind, &buf)
}

/// Parses canonical-JSON lines with the same parser as `cta-admin --jsonl` output.
pub fn jsonl_to_records(kind: Kind, jsonl: &[u8]) -> Result<Records, RecordError> {
    let mut records = parse_records(kind, Framing::JsonLines, jsonl).map_err(|e| RecordError(e.to_string()))?;
    // `TapePoolLsItem.supply` (field 9, deprecated): proto3 cannot tell "" from absent, and CTA
    // HEAD no longer sends it, so an empty value means "not sent".
    if let Records::TapePool(pools) = &mut records {
        for p in pools.iter_mut().filter(|p| p.supply.as_deref() == Some("")) {
            p.supply = None;
        }
    }
    // `TapeLsItem.storage_class_statistics` is repeated: CTA HEAD's cta-admin JSON always prints
    // it (`[]` unless --get-storage-class-stats). The vendored .proto lacks the field, and proto3
    // cannot tell empty from absent, so a decoded tape gets the empty list CTA HEAD prints.
    if let Records::Tape(tapes) = &mut records {
        for t in tapes.iter_mut().filter(|t| t.storage_class_statistics.is_none()) {
            t.storage_class_statistics = Some(Vec::new());
        }
    }
    Ok(records)
}

/// Encodes one typed record (anything that serialises to CTA's JSON form) as a `Data` message.
/// Fields the vendored `.proto` lacks (e.g. `storageClassStatistics`) are dropped.
pub fn record_to_data<T: Serialize>(kind: Kind, record: &T) -> Result<Data, RecordError> {
    let desc = data_descriptor();
    let field = desc
        .get_field_by_name(data_field_name(kind))
        .ok_or_else(|| RecordError(format!("{kind:?} records have no protobuf form")))?;
    let item_desc = field
        .kind()
        .as_message()
        .cloned()
        .ok_or_else(|| RecordError("not a message".into()))?;
    let json = serde_json::to_value(record).map_err(|e| RecordError(e.to_string()))?;
    let item = DynamicMessage::deserialize_with_options(
        item_desc,
        json,
        &DeserializeOptions::new().deny_unknown_fields(false),
    )
    .map_err(|e| RecordError(format!("{kind:?} record: {e}")))?;
    let mut data = DynamicMessage::new(desc);
    data.set_field(&field, prost_reflect::Value::Message(item));
    Data::decode(data.encode_to_vec().as_slice()).map_err(|e| RecordError(e.to_string()))
}

/// Encodes every record of a typed list.
pub fn records_to_data(records: &Records) -> Result<Vec<Data>, RecordError> {
    let kind = records.kind();
    let value = serde_json::to_value(records).map_err(|e| RecordError(e.to_string()))?;
    let serde_json::Value::Array(items) = value else {
        return Err(RecordError("a record list did not serialise as an array".into()));
    };
    items.iter().map(|v| record_to_data(kind, v)).collect()
}
