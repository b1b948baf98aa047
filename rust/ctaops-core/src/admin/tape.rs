//! `tape ls` and `tapepool ls` records.

use super::common::{EntryLog, TapeLog};
use super::enums::{LabelFormat, TapeState};
use super::field::record;

record! {
    /// Per storage class statistics of a tape (`--get-storage-class-stats`, CTA 2026-08+).
    pub struct StorageClassStatistics {
        storage_class_name: String = "storageClassName",
        nb_master_files: Option<u64> = "nbMasterFiles",
        master_data_in_bytes: Option<u64> = "masterDataInBytes",
    }
}

record! {
    /// One `tape ls` record (`TapeLsItem`).
    pub struct Tape {
        vid: String = "vid",
        media_type: String = "mediaType",
        vendor: String = "vendor",
        logical_library: String = "logicalLibrary",
        tapepool: String = "tapepool",
        vo: String = "vo",
        encryption_key_name: String = "encryptionKeyName",
        capacity: u64 = "capacity",
        occupancy: u64 = "occupancy",
        last_fseq: u64 = "lastFseq",
        full: bool = "full",
        from_castor: bool = "fromCastor",
        read_mount_count: u64 = "readMountCount",
        write_mount_count: u64 = "writeMountCount",
        label_log: Option<TapeLog> = "labelLog",
        last_written_log: Option<TapeLog> = "lastWrittenLog",
        last_read_log: Option<TapeLog> = "lastReadLog",
        creation_log: EntryLog = "creationLog",
        last_modification_log: EntryLog = "lastModificationLog",
        comment: String = "comment",
        nb_master_files: u64 = "nbMasterFiles",
        master_data_in_bytes: u64 = "masterDataInBytes",
        state: TapeState = "state",
        state_reason: String = "stateReason",
        state_update_time: u64 = "stateUpdateTime",
        state_modified_by: String = "stateModifiedBy",
        dirty: bool = "dirty",
        verification_status: String = "verificationStatus",
        purchase_order: String = "purchaseOrder",
        physical_library: String = "physicalLibrary",
        label_format: LabelFormat = "labelFormat",
        instance_name: String = "instanceName",
        /// Absent from CTA older than 2026-08.
        storage_class_statistics: Option<Vec<StorageClassStatistics>> = "storageClassStatistics",
    }
}

record! {
    /// One `tapepool ls` record (`TapePoolLsItem`). Note `created`/`modified`, not `creationLog`.
    ///
    /// CTA before the `TAPE_POOL_SUPPLY` table printed one comma-separated `supply` string instead
    /// of `supplySource`/`supplyDestination`; both shapes are read, see [`TapePool::normalise_supply`].
    pub struct TapePool {
        name: String = "name",
        vo: String = "vo",
        num_tapes: u64 = "numTapes",
        num_partial_tapes: u64 = "numPartialTapes",
        num_physical_files: u64 = "numPhysicalFiles",
        capacity_bytes: u64 = "capacityBytes",
        data_bytes: u64 = "dataBytes",
        encrypt: bool = "encrypt",
        /// Legacy comma-separated list of supplying pools (older CTA).
        supply: Option<String> = "supply",
        created: EntryLog = "created",
        modified: EntryLog = "modified",
        comment: String = "comment",
        supply_source: Option<Vec<String>> = "supplySource",
        supply_destination: Option<Vec<String>> = "supplyDestination",
        encryption_key_name: Option<String> = "encryptionKeyName",
        instance_name: Option<String> = "instanceName",
    }
}

impl TapePool {
    /// Pools that supply this pool, whichever shape CTA printed.
    #[must_use]
    pub fn supply_sources(&self) -> Vec<String> {
        match (&self.supply_source, &self.supply) {
            (Some(list), _) => list.clone(),
            (None, Some(s)) => s
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect(),
            (None, None) => Vec::new(),
        }
    }

    /// Fills whichever of `supply` / `supplySource` / `supplyDestination` CTA left out, so callers
    /// can use either form. `supplyDestination` cannot be known from an old CTA and becomes `[]`.
    pub fn normalise_supply(&mut self) {
        let sources = self.supply_sources();
        if self.supply.is_none() {
            self.supply = Some(sources.join(","));
        }
        if self.supply_source.is_none() {
            self.supply_source = Some(sources);
        }
        if self.supply_destination.is_none() {
            self.supply_destination = Some(Vec::new());
        }
    }
}
