//! What a verification found: one entry per file, tape-level problems, and a summary.

use std::collections::BTreeMap;

/// The verdict on one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Read back completely; size and Adler-32 equal the catalogue's.
    Ok,
    /// Size matches, Adler-32 does not.
    ChecksumMismatch,
    /// The data read back has another size than the catalogue says.
    SizeMismatch,
    /// A header or trailer label is out of spec or does not match the catalogue.
    HeaderError,
    /// The data could not be read (framing, truncation, oversized block …).
    Unreadable,
    /// In the catalogue, not found on the tape.
    Missing,
    /// On the tape, not in the catalogue.
    Unexpected,
    /// CTA's placeholder for a zero-length or unreadable source file (not an error).
    Placeholder,
    /// Read back with the catalogue's size, but the catalogue lists no checksum to compare with.
    NoChecksum,
}

impl FileStatus {
    /// Every status, in report order.
    pub const ALL: [Self; 9] = [
        Self::Ok,
        Self::ChecksumMismatch,
        Self::SizeMismatch,
        Self::HeaderError,
        Self::Unreadable,
        Self::Missing,
        Self::Unexpected,
        Self::Placeholder,
        Self::NoChecksum,
    ];

    /// The status as printed (`ok`, `checksum_mismatch`, …).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::ChecksumMismatch => "checksum_mismatch",
            Self::SizeMismatch => "size_mismatch",
            Self::HeaderError => "header_error",
            Self::Unreadable => "unreadable",
            Self::Missing => "missing",
            Self::Unexpected => "unexpected",
            Self::Placeholder => "placeholder",
            Self::NoChecksum => "no_checksum",
        }
    }

    /// True for the statuses a clean tape may have.
    #[must_use]
    pub fn is_good(self) -> bool {
        matches!(self, Self::Ok | Self::Placeholder)
    }
}

/// One file's result.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileReport {
    pub fseq: u64,
    #[serde(rename = "archiveId")]
    pub archive_id: Option<u64>,
    /// The catalogue blockId, or for a file not in the catalogue the one CTA would have recorded.
    #[serde(rename = "blockId")]
    pub block_id: Option<u64>,
    /// Bytes read back.
    pub size: u64,
    #[serde(rename = "expectedSize")]
    pub expected_size: Option<u64>,
    /// Adler-32 of the bytes read, in CTA's spelling (8 lower-case hex digits).
    pub checksum: Option<String>,
    #[serde(rename = "expectedChecksum")]
    pub expected_checksum: Option<String>,
    pub status: FileStatus,
    pub detail: String,
    /// Logical object number of the file's HDR1 on the tape.
    pub position: Option<u64>,
    pub blocks: u64,
}

/// Counts and volume.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Summary {
    pub files: u64,
    /// Files per status (every status present, zeros included).
    pub counts: BTreeMap<&'static str, u64>,
    /// Payload bytes read back.
    pub bytes: u64,
    #[serde(rename = "expectedBytes")]
    pub expected_bytes: u64,
    pub seconds: f64,
    #[serde(rename = "bytesPerSecond")]
    pub bytes_per_second: f64,
}

/// The VOL1 as found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VolumeInfo {
    pub vsn: String,
    pub owner: String,
    pub lbp: crate::label::LbpMethod,
}

/// A whole verification.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VerifyReport {
    pub vid: String,
    pub volume: Option<VolumeInfo>,
    pub files: Vec<FileReport>,
    /// Problems not tied to one file (VOL1, stray tape marks or blocks between files, framing
    /// that stopped the read).
    #[serde(rename = "tapeErrors")]
    pub tape_errors: Vec<String>,
    pub summary: Summary,
}

impl VerifyReport {
    /// True when every selected file is ok (placeholders allowed) and the tape itself had no problem.
    #[must_use]
    pub fn all_ok(&self) -> bool {
        self.tape_errors.is_empty() && self.files.iter().all(|f| f.status.is_good())
    }
}

/// Progress of a running verification.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Progress {
    pub files_done: u64,
    pub files_total: Option<u64>,
    pub bytes_done: u64,
    pub bytes_total: Option<u64>,
    pub elapsed_seconds: f64,
    pub bytes_per_second: f64,
    /// Seconds left at the current rate, when the total is known.
    pub eta_seconds: Option<f64>,
}

/// Adler-32 in CTA's printed form.
#[must_use]
pub fn checksum_hex(value: u32) -> String {
    format!("{value:08x}")
}
