//! The `ls`-type commands, their aliases, and a typed list of records of any one of them.

use std::fmt;

use arrow_array::RecordBatch;
use arrow_schema::ArrowError;
use serde::Serialize;
use serde_json::Value;

use super::catalogue::{
    ActivityMountRule, Admin, ArchiveRoute, DiskInstance, DiskInstanceSpace, DiskSystem, GroupMountRule,
    LogicalLibrary, MediaType, MountPolicy, PhysicalLibrary, RequesterMountRule, StorageClass, VirtualOrganization,
};
use super::columns::RecordBatchBuilder;
use super::drive::Drive;
use super::failed::{FailedRequest, FailedRequestItem, FailedRequestSummary};
use super::field::JsonField;
use super::queue::ShowQueue;
use super::repack::Repack;
use super::tape::{Tape, TapePool};
use super::tapefile::{ArchiveFile, RecycleTapeFile, TapeFile};
use super::version::Version;

macro_rules! kinds {
    ($( $(#[$m:meta])* $kind:ident($ty:ty) = $name:literal / $alias:literal ),* $(,)?) => {
        /// A `cta-admin` command whose output is a list of records.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Kind { $( $(#[$m])* $kind, )* }

        impl Kind {
            /// Every kind, in `cta-admin` help order.
            pub const ALL: &'static [Kind] = &[$(Kind::$kind),*];

            /// The long command name (`tapefile`).
            #[must_use]
            pub const fn name(self) -> &'static str {
                match self { $( Kind::$kind => $name, )* }
            }

            /// The short alias (`tf`).
            #[must_use]
            pub const fn alias(self) -> &'static str {
                match self { $( Kind::$kind => $alias, )* }
            }

            /// Looks a kind up by command name or alias (case-sensitive, as `cta-admin`).
            #[must_use]
            pub fn from_name(s: &str) -> Option<Kind> {
                match s {
                    $( $name | $alias => Some(Kind::$kind), )*
                    _ => None,
                }
            }

            /// CTA's key names of the record, in declaration order.
            #[must_use]
            pub fn fields(self) -> &'static [&'static str] {
                match self { $( Kind::$kind => <$ty>::FIELDS, )* }
            }
        }

        /// Records of one kind, stored without per-record boxing.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Records { $( $kind(Vec<$ty>), )* }

        impl Records {
            /// An empty list of `kind`.
            #[must_use]
            pub fn empty(kind: Kind) -> Self {
                match kind { $( Kind::$kind => Records::$kind(Vec::new()), )* }
            }

            #[must_use]
            pub fn kind(&self) -> Kind {
                match self { $( Records::$kind(_) => Kind::$kind, )* }
            }

            #[must_use]
            pub fn len(&self) -> usize {
                match self { $( Records::$kind(v) => v.len(), )* }
            }

            #[must_use]
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// One key of record `i`, numbers as numbers. Outer `None`: no record `i`;
            /// inner `None`: the record has no such key.
            #[must_use]
            pub fn get_native(&self, i: usize, key: &str) -> Option<Option<Value>> {
                match self { $( Records::$kind(v) => v.get(i).map(|r| r.get_native(key)), )* }
            }

            /// Record `i` as a JSON value with numbers as numbers.
            #[must_use]
            pub fn to_native(&self, i: usize) -> Option<Value> {
                match self { $( Records::$kind(v) => v.get(i).map(JsonField::to_native), )* }
            }

            /// Record `i` in CTA's exact JSON form (uint64 as strings).
            pub fn to_cta_json(&self, i: usize) -> Option<String> {
                match self { $( Records::$kind(v) => v.get(i).and_then(|r| serde_json::to_string(r).ok()), )* }
            }

            /// Parses one record of this list's kind and appends it.
            pub(crate) fn push_from_slice(&mut self, bytes: &[u8]) -> serde_json::Result<()> {
                match self { $( Records::$kind(v) => v.push(serde_json::from_slice(bytes)?), )* }
                Ok(())
            }

            /// Reads one record of this list's kind from a deserializer and appends it.
            pub(crate) fn push_de<'de, D: serde::Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error> {
                match self { $( Records::$kind(v) => v.push(serde::Deserialize::deserialize(d)?), )* }
                Ok(())
            }

            /// Moves the records of `other` (of the same kind) to the end of this list; records of
            /// another kind are never mixed in (the lists come from readers of one kind).
            pub(crate) fn append(&mut self, other: Records) {
                match (self, other) {
                    $( (Records::$kind(v), Records::$kind(mut o)) => v.append(&mut o), )*
                    (this, o) => debug_assert!(false, "append {} to {}", o.kind(), this.kind()),
                }
            }

            /// Appends records `range` to an Arrow batch builder of the same kind.
            pub fn append_to(&self, range: std::ops::Range<usize>, b: &mut BatchBuilder) -> Result<(), ArrowError> {
                match (self, b) {
                    $( (Records::$kind(v), BatchBuilder::$kind(b)) => {
                        v[range].iter().for_each(|r| b.push(r));
                        Ok(())
                    } )*
                    (r, b) => Err(ArrowError::InvalidArgumentError(format!(
                        "cannot append {} records to a {} table", r.kind(), b.kind()
                    ))),
                }
            }
        }

        /// Arrow record batches of one kind, filled one record at a time (from JSON, or from
        /// typed records, e.g. decoded from another transport).
        pub enum BatchBuilder { $( $kind(Box<RecordBatchBuilder<$ty>>), )* }

        impl BatchBuilder {
            /// An empty builder for `kind`.
            #[must_use]
            pub fn new(kind: Kind) -> Self {
                match kind { $( Kind::$kind => BatchBuilder::$kind(Box::default()), )* }
            }

            #[must_use]
            pub fn kind(&self) -> Kind {
                match self { $( BatchBuilder::$kind(_) => Kind::$kind, )* }
            }

            /// Rows appended since the last [`BatchBuilder::finish`].
            #[must_use]
            pub fn len(&self) -> usize {
                match self { $( BatchBuilder::$kind(b) => b.len(), )* }
            }

            #[must_use]
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Appends one record read straight from JSON (no record object is made). After an
            /// error the builder is unusable and must be dropped.
            pub fn push_json<'de, D: serde::Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error> {
                match self { $( BatchBuilder::$kind(b) => b.push_json(d), )* }
            }

            /// Appends one record given as the bytes of one JSON object.
            pub fn push_json_slice(&mut self, bytes: &[u8]) -> serde_json::Result<()> {
                let mut de = serde_json::Deserializer::from_slice(bytes);
                self.push_json(&mut de)?;
                de.end()
            }

            /// The rows so far as one batch; the builder starts over empty.
            pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
                match self { $( BatchBuilder::$kind(b) => b.finish(), )* }
            }
        }

        impl Serialize for Records {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self { $( Records::$kind(v) => v.serialize(s), )* }
            }
        }

        /// Validates one record of `kind` (used to pin-point errors found on the Arrow path).
        pub(crate) fn check_one(kind: Kind, bytes: &[u8]) -> Result<(), super::stream::FieldError> {
            match kind { $( Kind::$kind => super::stream::decode_one::<$ty>(bytes).map(drop), )* }
        }
    };
}

kinds! {
    ActivityMountRule(ActivityMountRule) = "activitymountrule" / "amr",
    Admin(Admin) = "admin" / "ad",
    /// No `archivefile ls` in this CTA version; the record type is kept for other producers.
    ArchiveFile(ArchiveFile) = "archivefile" / "af",
    ArchiveRoute(ArchiveRoute) = "archiveroute" / "ar",
    DiskInstance(DiskInstance) = "diskinstance" / "di",
    DiskInstanceSpace(DiskInstanceSpace) = "diskinstancespace" / "dis",
    DiskSystem(DiskSystem) = "disksystem" / "ds",
    Drive(Drive) = "drive" / "dr",
    FailedRequest(FailedRequest) = "failedrequest" / "fr",
    GroupMountRule(GroupMountRule) = "groupmountrule" / "gmr",
    LogicalLibrary(LogicalLibrary) = "logicallibrary" / "ll",
    MediaType(MediaType) = "mediatype" / "mt",
    MountPolicy(MountPolicy) = "mountpolicy" / "mp",
    PhysicalLibrary(PhysicalLibrary) = "physicallibrary" / "pl",
    RecycleTapeFile(RecycleTapeFile) = "recycletf" / "rtf",
    Repack(Repack) = "repack" / "re",
    RequesterMountRule(RequesterMountRule) = "requestermountrule" / "rmr",
    ShowQueues(ShowQueue) = "showqueues" / "sq",
    StorageClass(StorageClass) = "storageclass" / "sc",
    Tape(Tape) = "tape" / "ta",
    TapeFile(TapeFile) = "tapefile" / "tf",
    TapePool(TapePool) = "tapepool" / "tp",
    Version(Version) = "version" / "v",
    VirtualOrganization(VirtualOrganization) = "virtualorganization" / "vo",
}

impl Kind {
    /// Arrow fields of this kind's table. `failedrequest` items and summaries share one table
    /// whose columns are all nullable.
    #[must_use]
    pub fn arrow_fields(self) -> Vec<arrow_schema::Field> {
        macro_rules! f {
            ($t:ty) => {
                <$t>::arrow_fields()
            };
        }
        match self {
            Kind::ActivityMountRule => f!(ActivityMountRule),
            Kind::Admin => f!(Admin),
            Kind::ArchiveFile => f!(ArchiveFile),
            Kind::ArchiveRoute => f!(ArchiveRoute),
            Kind::DiskInstance => f!(DiskInstance),
            Kind::DiskInstanceSpace => f!(DiskInstanceSpace),
            Kind::DiskSystem => f!(DiskSystem),
            Kind::Drive => f!(Drive),
            Kind::FailedRequest => {
                let mut fields: Vec<_> = f!(FailedRequestItem)
                    .into_iter()
                    .map(|x| x.with_nullable(true))
                    .collect();
                for x in f!(FailedRequestSummary) {
                    if !fields.iter().any(|y| y.name() == x.name()) {
                        fields.push(x.with_nullable(true));
                    }
                }
                fields
            }
            Kind::GroupMountRule => f!(GroupMountRule),
            Kind::LogicalLibrary => f!(LogicalLibrary),
            Kind::MediaType => f!(MediaType),
            Kind::MountPolicy => f!(MountPolicy),
            Kind::PhysicalLibrary => f!(PhysicalLibrary),
            Kind::RecycleTapeFile => f!(RecycleTapeFile),
            Kind::Repack => f!(Repack),
            Kind::RequesterMountRule => f!(RequesterMountRule),
            Kind::ShowQueues => f!(ShowQueue),
            Kind::StorageClass => f!(StorageClass),
            Kind::Tape => f!(Tape),
            Kind::TapeFile => f!(TapeFile),
            Kind::TapePool => f!(TapePool),
            Kind::Version => f!(Version),
            Kind::VirtualOrganization => f!(VirtualOrganization),
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Kind {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        Kind::from_name(s).ok_or_else(|| {
            crate::Error::InvalidArgument(format!(
                "unknown cta-admin record kind '{s}' (expected one of: {})",
                Kind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
            ))
        })
    }
}

impl Records {
    /// The records of several listings of `kind`, in order (e.g. `tapefile ls` of many tapes).
    ///
    /// # Errors
    /// The kind of the first part that is not `kind`.
    pub fn concat(kind: Kind, parts: impl IntoIterator<Item = Records>) -> Result<Records, Kind> {
        let mut out = Records::empty(kind);
        for part in parts {
            if part.kind() != kind {
                return Err(part.kind());
            }
            out.append(part);
        }
        Ok(out)
    }
}
