//! `showqueues` records.

use super::enums::MountType;
use super::field::record;

record! {
    /// One `showqueues` record (`ShowQueuesItem`): an archive queue (per tape pool and mount type)
    /// or a retrieve queue (per VID).
    pub struct ShowQueue {
        mount_type: MountType = "mountType",
        tapepool: String = "tapepool",
        logical_library: String = "logicalLibrary",
        vid: String = "vid",
        queued_files: u64 = "queuedFiles",
        queued_bytes: u64 = "queuedBytes",
        oldest_age: u64 = "oldestAge",
        priority: u64 = "priority",
        min_age: u64 = "minAge",
        cur_mounts: u64 = "curMounts",
        cur_files: u64 = "curFiles",
        cur_bytes: u64 = "curBytes",
        tapes_capacity: u64 = "tapesCapacity",
        tapes_files: u64 = "tapesFiles",
        tapes_bytes: u64 = "tapesBytes",
        full_tapes: u64 = "fullTapes",
        writable_tapes: u64 = "writableTapes",
        sleeping_for_space: bool = "sleepingForSpace",
        sleep_start_time: u64 = "sleepStartTime",
        disk_system_slept_for: String = "diskSystemSleptFor",
        vo: String = "vo",
        read_max_drives: u64 = "readMaxDrives",
        write_max_drives: u64 = "writeMaxDrives",
        mount_policies: Vec<String> = "mountPolicies",
        youngest_age: u64 = "youngestAge",
        highest_priority_mount_policy: String = "highestPriorityMountPolicy",
        lowest_request_age_mount_policy: String = "lowestRequestAgeMountPolicy",
        scheduler_backend_name: String = "schedulerBackendName",
        instance_name: String = "instanceName",
    }
}
