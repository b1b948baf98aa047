//! `repack ls` records.

use super::common::EntryLog;
use super::enums::RepackStatus;
use super::field::record;

record! {
    /// What a repack wrote to one destination tape (`RepackDestinationInfos`).
    pub struct RepackDestinationInfo {
        vid: String = "vid",
        files: u64 = "files",
        bytes: u64 = "bytes",
    }
}

record! {
    /// One `repack ls` record (`RepackLsItem`).
    pub struct Repack {
        vid: String = "vid",
        repack_buffer_url: String = "repackBufferUrl",
        user_provided_files: u64 = "userProvidedFiles",
        total_files_to_retrieve: u64 = "totalFilesToRetrieve",
        total_bytes_to_retrieve: u64 = "totalBytesToRetrieve",
        total_files_to_archive: u64 = "totalFilesToArchive",
        total_bytes_to_archive: u64 = "totalBytesToArchive",
        retrieved_files: u64 = "retrievedFiles",
        archived_files: u64 = "archivedFiles",
        failed_to_retrieve_files: u64 = "failedToRetrieveFiles",
        failed_to_retrieve_bytes: u64 = "failedToRetrieveBytes",
        failed_to_archive_files: u64 = "failedToArchiveFiles",
        failed_to_archive_bytes: u64 = "failedToArchiveBytes",
        last_expanded_fseq: u64 = "lastExpandedFseq",
        status: RepackStatus = "status",
        destination_infos: Vec<RepackDestinationInfo> = "destinationInfos",
        creation_log: Option<EntryLog> = "creationLog",
        repack_finished_time: u64 = "repackFinishedTime",
        retrieved_bytes: u64 = "retrievedBytes",
        archived_bytes: u64 = "archivedBytes",
        repack_time: u64 = "repackTime",
        files_left_to_retrieve: u64 = "filesLeftToRetrieve",
        files_left_to_archive: u64 = "filesLeftToArchive",
        total_failed_files: u64 = "totalFailedFiles",
        tapepool: String = "tapepool",
        total_files_on_tape_at_start: u64 = "totalFilesOnTapeAtStart",
        total_bytes_on_tape_at_start: u64 = "totalBytesOnTapeAtStart",
        all_files_selected_at_start: bool = "allFilesSelectedAtStart",
        instance_name: String = "instanceName",
        /// Not in every protocol version (the gRPC proto lacks it).
        scheduler_backend_name: Option<String> = "schedulerBackendName",
    }
}

impl Repack {
    /// The `repack add` entry log, if CTA printed one.
    #[must_use]
    pub fn created(&self) -> Option<&EntryLog> {
        self.creation_log.as_ref()
    }
}
