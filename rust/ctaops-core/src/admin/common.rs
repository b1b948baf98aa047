//! Sub-messages shared by several records (`cta.common`).

use super::enums::ChecksumKind;
use super::field::record;
use crate::checksum::{ChecksumBlob, JsonChecksum};

record! {
    /// Who changed an entry and when (`cta.common.EntryLog`).
    pub struct EntryLog {
        username: String = "username",
        host: String = "host",
        time: u64 = "time",
    }
}

record! {
    /// Which drive did something to a tape and when (`cta.common.TapeLog`).
    pub struct TapeLog {
        drive: String = "drive",
        time: u64 = "time",
    }
}

record! {
    /// One checksum as printed in `tapefile ls`/`recycletf ls` (`cta.admin.Checksum`): value in hex.
    pub struct Checksum {
        kind: ChecksumKind = "type",
        value: String = "value",
    }
}

record! {
    /// Disk owner (`cta.common.OwnerId`).
    pub struct OwnerId {
        uid: u32 = "uid",
        gid: u32 = "gid",
    }
}

/// The checksum list in the core's [`ChecksumBlob`] form (fails on names or hex it cannot read).
pub fn checksums_to_blob(list: &[Checksum]) -> crate::Result<ChecksumBlob> {
    let items: Vec<JsonChecksum> = list
        .iter()
        .map(|c| JsonChecksum {
            kind: c.kind.as_str().to_owned(),
            value: c.value.clone(),
        })
        .collect();
    ChecksumBlob::from_json_list(&items)
}
