//! Records of the catalogue's configuration tables: storage classes, routes, media types,
//! libraries, VOs, mount policies and rules, admins, disk instances and disk systems.

use super::common::EntryLog;
use super::enums::ArchiveRouteType;
use super::field::record;

record! {
    /// `storageclass ls` (`StorageClassLsItem`).
    pub struct StorageClass {
        name: String = "name",
        nb_copies: u64 = "nbCopies",
        vo: String = "vo",
        creation_log: EntryLog = "creationLog",
        last_modification_log: EntryLog = "lastModificationLog",
        comment: String = "comment",
        instance_name: String = "instanceName",
    }
}

record! {
    /// `archiveroute ls` (`ArchiveRouteLsItem`); `copyNumber` is a uint32 (JSON number).
    pub struct ArchiveRoute {
        storage_class: String = "storageClass",
        copy_number: u32 = "copyNumber",
        tapepool: String = "tapepool",
        creation_log: EntryLog = "creationLog",
        last_modification_log: EntryLog = "lastModificationLog",
        comment: String = "comment",
        archive_route_type: ArchiveRouteType = "archiveRouteType",
        instance_name: String = "instanceName",
    }
}

record! {
    /// `mediatype ls` (`MediaTypeLsItem`); numeric columns are `"0"` when NULL.
    pub struct MediaType {
        name: String = "name",
        cartridge: String = "cartridge",
        capacity: u64 = "capacity",
        primary_density_code: u64 = "primaryDensityCode",
        secondary_density_code: u64 = "secondaryDensityCode",
        number_of_wraps: u64 = "numberOfWraps",
        min_lpos: u64 = "minLpos",
        max_lpos: u64 = "maxLpos",
        comment: String = "comment",
        creation_log: EntryLog = "creationLog",
        last_modification_log: EntryLog = "lastModificationLog",
        instance_name: String = "instanceName",
    }
}

record! {
    /// `logicallibrary ls` (`LogicalLibraryLsItem`).
    pub struct LogicalLibrary {
        name: String = "name",
        is_disabled: bool = "isDisabled",
        creation_log: EntryLog = "creationLog",
        last_modification_log: EntryLog = "lastModificationLog",
        comment: String = "comment",
        disabled_reason: String = "disabledReason",
        physical_library: String = "physicalLibrary",
        instance_name: String = "instanceName",
    }
}

record! {
    /// `physicallibrary ls` (`PhysicalLibraryLsItem`).
    pub struct PhysicalLibrary {
        name: String = "name",
        manufacturer: String = "manufacturer",
        model: String = "model",
        library_type: String = "type",
        gui_url: String = "guiUrl",
        webcam_url: String = "webcamUrl",
        location: String = "location",
        nb_physical_cartridge_slots: u64 = "nbPhysicalCartridgeSlots",
        nb_available_cartridge_slots: u64 = "nbAvailableCartridgeSlots",
        nb_physical_drive_slots: u64 = "nbPhysicalDriveSlots",
        comment: String = "comment",
        creation_log: EntryLog = "creationLog",
        last_modification_log: EntryLog = "lastModificationLog",
        is_disabled: bool = "isDisabled",
        disabled_reason: String = "disabledReason",
        instance_name: String = "instanceName",
    }
}

record! {
    /// `virtualorganization ls` (`VirtualOrganizationLsItem`); note the lower-case `diskinstance`.
    pub struct VirtualOrganization {
        name: String = "name",
        creation_log: EntryLog = "creationLog",
        last_modification_log: EntryLog = "lastModificationLog",
        comment: String = "comment",
        read_max_drives: u64 = "readMaxDrives",
        write_max_drives: u64 = "writeMaxDrives",
        max_file_size: u64 = "maxFileSize",
        diskinstance: String = "diskinstance",
        is_repack_vo: bool = "isRepackVo",
        instance_name: String = "instanceName",
    }
}

record! {
    /// `mountpolicy ls` (`MountPolicyLsItem`).
    pub struct MountPolicy {
        name: String = "name",
        archive_priority: u64 = "archivePriority",
        archive_min_request_age: u64 = "archiveMinRequestAge",
        retrieve_priority: u64 = "retrievePriority",
        retrieve_min_request_age: u64 = "retrieveMinRequestAge",
        creation_log: EntryLog = "creationLog",
        last_modification_log: EntryLog = "lastModificationLog",
        comment: String = "comment",
        instance_name: String = "instanceName",
    }
}

record! {
    /// `requestermountrule ls` (`RequesterMountRuleLsItem`).
    pub struct RequesterMountRule {
        disk_instance: String = "diskInstance",
        requester_mount_rule: String = "requesterMountRule",
        mount_policy: String = "mountPolicy",
        creation_log: EntryLog = "creationLog",
        last_modification_log: EntryLog = "lastModificationLog",
        comment: String = "comment",
        instance_name: String = "instanceName",
    }
}

record! {
    /// `groupmountrule ls` (`GroupMountRuleLsItem`).
    pub struct GroupMountRule {
        disk_instance: String = "diskInstance",
        group_mount_rule: String = "groupMountRule",
        mount_policy: String = "mountPolicy",
        creation_log: EntryLog = "creationLog",
        last_modification_log: EntryLog = "lastModificationLog",
        comment: String = "comment",
        instance_name: String = "instanceName",
    }
}

record! {
    /// `activitymountrule ls` (`ActivityMountRuleLsItem`).
    pub struct ActivityMountRule {
        disk_instance: String = "diskInstance",
        activity_mount_rule: String = "activityMountRule",
        activity_regex: String = "activityRegex",
        mount_policy: String = "mountPolicy",
        creation_log: EntryLog = "creationLog",
        last_modification_log: EntryLog = "lastModificationLog",
        comment: String = "comment",
        instance_name: String = "instanceName",
    }
}

record! {
    /// `admin ls` (`AdminLsItem`).
    pub struct Admin {
        user: String = "user",
        creation_log: EntryLog = "creationLog",
        last_modification_log: EntryLog = "lastModificationLog",
        comment: String = "comment",
        instance_name: String = "instanceName",
    }
}

record! {
    /// `diskinstance ls` (`DiskInstanceLsItem`).
    pub struct DiskInstance {
        name: String = "name",
        comment: String = "comment",
        creation_log: EntryLog = "creationLog",
        last_modification_log: EntryLog = "lastModificationLog",
        instance_name: String = "instanceName",
    }
}

record! {
    /// `diskinstancespace ls` (`DiskInstanceSpaceLsItem`). CTA quirks: `lastRefreshTime` is always
    /// `"0"` and `instanceName` carries the space name.
    pub struct DiskInstanceSpace {
        name: String = "name",
        disk_instance: String = "diskInstance",
        comment: String = "comment",
        free_space_query_url: String = "freeSpaceQueryUrl",
        refresh_interval: u64 = "refreshInterval",
        free_space: u64 = "freeSpace",
        last_refresh_time: u64 = "lastRefreshTime",
        creation_log: EntryLog = "creationLog",
        last_modification_log: EntryLog = "lastModificationLog",
        instance_name: String = "instanceName",
    }
}

record! {
    /// `disksystem ls` (`DiskSystemLsItem`).
    pub struct DiskSystem {
        name: String = "name",
        file_regexp: String = "fileRegexp",
        targeted_free_space: u64 = "targetedFreeSpace",
        sleep_time: u64 = "sleepTime",
        creation_log: EntryLog = "creationLog",
        last_modification_log: EntryLog = "lastModificationLog",
        comment: String = "comment",
        disk_instance: String = "diskInstance",
        disk_instance_space: String = "diskInstanceSpace",
        instance_name: String = "instanceName",
    }
}
