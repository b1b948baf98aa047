//! `drive ls` records.

use super::enums::{DriveStatus, MountType};
use super::field::record;

record! {
    /// One `DRIVE_CONFIG` row of a drive.
    pub struct DriveConfigItem {
        category: String = "category",
        key: String = "key",
        value: String = "value",
        source: String = "source",
    }
}

record! {
    /// One `drive ls` record (`DriveLsItem`). `driveStatusSince` is a duration in seconds,
    /// except for `UNKNOWN_DRIVE_STATUS` where CTA prints the current Unix time.
    pub struct Drive {
        logical_library: String = "logicalLibrary",
        drive_name: String = "driveName",
        host: String = "host",
        desired_drive_state: DriveStatus = "desiredDriveState",
        mount_type: MountType = "mountType",
        drive_status: DriveStatus = "driveStatus",
        drive_status_since: u64 = "driveStatusSince",
        vid: String = "vid",
        tapepool: String = "tapepool",
        files_transferred_in_session: u64 = "filesTransferredInSession",
        bytes_transferred_in_session: u64 = "bytesTransferredInSession",
        session_id: u64 = "sessionId",
        time_since_last_update: u64 = "timeSinceLastUpdate",
        current_priority: u64 = "currentPriority",
        current_activity: String = "currentActivity",
        cta_version: String = "ctaVersion",
        dev_file_name: String = "devFileName",
        raw_library_slot: String = "rawLibrarySlot",
        drive_config: Vec<DriveConfigItem> = "driveConfig",
        comment: String = "comment",
        reason: String = "reason",
        vo: String = "vo",
        disk_system_name: String = "diskSystemName",
        reserved_bytes: u64 = "reservedBytes",
        session_elapsed_time: u64 = "sessionElapsedTime",
        logical_library_disabled: bool = "logicalLibraryDisabled",
        physical_library: String = "physicalLibrary",
        physical_library_disabled: bool = "physicalLibraryDisabled",
        scheduler_backend_name: String = "schedulerBackendName",
        instance_name: String = "instanceName",
    }
}
