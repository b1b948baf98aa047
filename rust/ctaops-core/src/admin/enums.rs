//! CTA's enums as printed in `--json` output. Each accepts names it does not know yet.

use super::field::open_enum;

open_enum! {
    /// Tape state (`TAPE.TAPE_STATE`; a string in `tape ls`, one of nine names).
    pub enum TapeState {
        Active = "ACTIVE",
        Disabled = "DISABLED",
        Broken = "BROKEN",
        BrokenPending = "BROKEN_PENDING",
        Exported = "EXPORTED",
        ExportedPending = "EXPORTED_PENDING",
        Repacking = "REPACKING",
        RepackingPending = "REPACKING_PENDING",
        RepackingDisabled = "REPACKING_DISABLED",
    }
}

open_enum! {
    /// `DriveLsItem.DriveStatus`, also used for `desiredDriveState`.
    pub enum DriveStatus {
        UnknownDriveStatus = "UNKNOWN_DRIVE_STATUS",
        Down = "DOWN",
        Up = "UP",
        Probing = "PROBING",
        Starting = "STARTING",
        Mounting = "MOUNTING",
        Transferring = "TRANSFERRING",
        Unloading = "UNLOADING",
        Unmounting = "UNMOUNTING",
        DrainingToDisk = "DRAINING_TO_DISK",
        CleaningUp = "CLEANING_UP",
        Shutdown = "SHUTDOWN",
    }
}

open_enum! {
    /// `cta.admin.MountType`.
    pub enum MountType {
        UnknownMountType = "UNKNOWN_MOUNT_TYPE",
        NoMount = "NO_MOUNT",
        ArchiveForUser = "ARCHIVE_FOR_USER",
        ArchiveForRepack = "ARCHIVE_FOR_REPACK",
        ArchiveAllTypes = "ARCHIVE_ALL_TYPES",
        Retrieve = "RETRIEVE",
        Label = "LABEL",
    }
}

open_enum! {
    /// Repack request status (`RepackInfo::Status`, printed by `toString`).
    pub enum RepackStatus {
        Pending = "Pending",
        ToExpand = "ToExpand",
        Starting = "Starting",
        Running = "Running",
        Complete = "Complete",
        Failed = "Failed",
        Undefined = "UNKNOWN",
    }
}

open_enum! {
    /// `cta.common.ChecksumBlob.Checksum.Type`.
    pub enum ChecksumKind {
        None = "NONE",
        Adler32 = "ADLER32",
        Crc32 = "CRC32",
        Crc32c = "CRC32C",
        Md5 = "MD5",
        Sha1 = "SHA1",
    }
}

open_enum! {
    /// `TapeLsItem.LabelFormat`.
    pub enum LabelFormat {
        Cta = "CTA",
        Osm = "OSM",
        Enstore = "Enstore",
        EnstoreLarge = "EnstoreLarge",
    }
}

open_enum! {
    /// `ArchiveRouteLsItem.ArchiveRouteType`.
    pub enum ArchiveRouteType {
        Default = "DEFAULT",
        Repack = "REPACK",
    }
}

open_enum! {
    /// `cta.admin.RequestType` (failed requests).
    pub enum RequestType {
        Total = "TOTAL",
        ArchiveRequest = "ARCHIVE_REQUEST",
        RetrieveRequest = "RETRIEVE_REQUEST",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_are_kept() {
        let s: TapeState = serde_json::from_str("\"QUARANTINED\"").unwrap();
        assert_eq!(s, TapeState::Unknown("QUARANTINED".into()));
        assert!(!s.is_known());
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"QUARANTINED\"");
        let d: DriveStatus = serde_json::from_str("\"TRANSFERRING\"").unwrap();
        assert_eq!(d, DriveStatus::Transferring);
        assert_eq!(ChecksumKind::from("ADLER32").as_str(), "ADLER32");
        assert!(serde_json::from_str::<LabelFormat>("3").is_err());
    }
}
