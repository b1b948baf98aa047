//! `tapefile ls` and `recycletf ls` records, and the archive-file messages of other commands.

use super::common::{Checksum, OwnerId};
use super::enums::ChecksumKind;
use super::field::record;

record! {
    /// `TapeFileLsItem.ArchiveFile`.
    pub struct TapeFileArchive {
        archive_id: u64 = "archiveId",
        storage_class: String = "storageClass",
        creation_time: u64 = "creationTime",
        checksum: Vec<Checksum> = "checksum",
        size: u64 = "size",
    }
}

record! {
    /// `TapeFileLsItem.DiskFile`; `diskId` is the decimal EOS fid, `path` is always empty.
    pub struct TapeFileDisk {
        disk_id: String = "diskId",
        disk_instance: String = "diskInstance",
        owner_id: Option<OwnerId> = "ownerId",
        path: String = "path",
    }
}

record! {
    /// `TapeFileLsItem.TapeFile`.
    pub struct TapeFileCopy {
        vid: String = "vid",
        copy_nb: u32 = "copyNb",
        block_id: u64 = "blockId",
        f_seq: u64 = "fSeq",
    }
}

record! {
    /// One `tapefile ls` record (`TapeFileLsItem`): one tape copy of one archive file.
    pub struct TapeFile {
        af: TapeFileArchive = "af",
        df: TapeFileDisk = "df",
        tf: TapeFileCopy = "tf",
        instance_name: String = "instanceName",
    }
}

record! {
    /// One `recycletf ls` record (`RecycleTapeFileLsItem`).
    pub struct RecycleTapeFile {
        vid: String = "vid",
        fseq: u64 = "fseq",
        block_id: u64 = "blockId",
        copy_nb: u32 = "copyNb",
        tape_file_creation_time: u64 = "tapeFileCreationTime",
        archive_file_id: u64 = "archiveFileId",
        disk_instance: String = "diskInstance",
        disk_file_id: String = "diskFileId",
        disk_file_id_when_deleted: String = "diskFileIdWhenDeleted",
        disk_file_uid: u64 = "diskFileUid",
        disk_file_gid: u64 = "diskFileGid",
        size_in_bytes: u64 = "sizeInBytes",
        checksum: Vec<Checksum> = "checksum",
        storage_class: String = "storageClass",
        archive_file_creation_time: u64 = "archiveFileCreationTime",
        reconciliation_time: u64 = "reconciliationTime",
        collocation_hint: String = "collocationHint",
        disk_file_path: String = "diskFilePath",
        reason_log: String = "reasonLog",
        recycle_log_time: u64 = "recycleLogTime",
        virtual_organization: String = "virtualOrganization",
        instance_name: String = "instanceName",
    }
}

record! {
    /// `cta.common.ChecksumBlob.Checksum` in JSON: protobuf prints the `bytes` value in base64.
    pub struct BlobChecksum {
        kind: ChecksumKind = "type",
        value: String = "value",
    }
}

record! {
    /// `cta.common.ChecksumBlob` in JSON.
    pub struct BlobJson {
        cs: Vec<BlobChecksum> = "cs",
    }
}

record! {
    /// `cta.common.DiskFileInfo`.
    pub struct DiskFileInfo {
        path: String = "path",
        owner_id: Option<OwnerId> = "ownerId",
    }
}

record! {
    /// `cta.common.ArchiveFile` (used by `failedrequest ls` and archive-file listings).
    pub struct ArchiveFileInfo {
        archive_id: u64 = "archiveId",
        disk_instance: String = "diskInstance",
        disk_id: String = "diskId",
        size: u64 = "size",
        storage_class: String = "storageClass",
        df: Option<DiskFileInfo> = "df",
        creation_time: u64 = "creationTime",
        csb: Option<BlobJson> = "csb",
    }
}

record! {
    /// `cta.common.TapeFile`.
    pub struct TapeFileRef {
        vid: String = "vid",
        f_seq: u64 = "fSeq",
        block_id: u64 = "blockId",
    }
}

record! {
    /// `ArchiveFileLsItem`: defined by the protocol; this CTA version has no `archivefile ls`
    /// (only `archivefile ch`), but other tools and older versions print it.
    pub struct ArchiveFile {
        af: ArchiveFileInfo = "af",
        tf: Option<TapeFileRef> = "tf",
        copy_nb: u64 = "copyNb",
    }
}
