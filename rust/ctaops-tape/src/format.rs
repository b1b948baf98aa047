//! Constants and rules of CTA's on-tape layout (cta-interfaces.md §3.3, §3.5).

/// Block size CTA writes with (`TapeWriteTask::openFileWriter`).
pub const BLOCK_SIZE: usize = 256 * 1024;

/// The single data block of the placeholder written for a zero-length file (81 bytes, NUL included).
pub const PLACEHOLDER_ZERO_LENGTH: &[u8] =
    b"This file intentionally left blank: zero-length file cannot be recorded to tape.\0";

/// The placeholder written when the disk file could not be read (89 bytes, NUL included).
pub const PLACEHOLDER_READ_FAILURE: &[u8] =
    b"This file intentionally left blank: leaving placeholder after failing to read from disk.\0";

/// Objects a file takes besides its data blocks: 3 headers, TM, TM, 3 trailers, TM.
pub const OBJECTS_PER_FILE_BESIDES_DATA: u64 = 9;

/// Which placeholder `data` is, if it is one.
#[must_use]
pub fn placeholder_kind(data: &[u8]) -> Option<&'static str> {
    if data == PLACEHOLDER_ZERO_LENGTH {
        Some("zero-length file")
    } else if data == PLACEHOLDER_READ_FAILURE {
        Some("disk read failure")
    } else {
        None
    }
}

/// The blockId CTA records for a file whose HDR1 is at `hdr1_position`: 0 for fSeq 1.
#[must_use]
pub fn block_id_for(fseq: u64, hdr1_position: u64) -> u64 {
    if fseq == 1 { 0 } else { hdr1_position }
}

/// Where a reader locates for a catalogue blockId (`CtaFileReader::getBlockIDTarget`: 0 → 1).
#[must_use]
pub fn hdr1_position(block_id: u64) -> u64 {
    if block_id == 0 { 1 } else { block_id }
}

/// Number of data blocks CTA writes for `size` bytes (a zero-length file has its placeholder block).
#[must_use]
pub fn data_blocks(size: u64) -> u64 {
    if size == 0 { 1 } else { size.div_ceil(BLOCK_SIZE as u64) }
}

/// True when `vid` can be written and read back by CTA: exactly 6 upper-case letters or digits
/// (the VOL1 VSN field is compared raw with the VID).
#[must_use]
pub fn is_valid_vid(vid: &str) -> bool {
    vid.len() == 6 && vid.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_have_the_documented_lengths() {
        assert_eq!(PLACEHOLDER_ZERO_LENGTH.len(), 81);
        assert_eq!(PLACEHOLDER_READ_FAILURE.len(), 89);
    }

    #[test]
    fn block_id_rule() {
        assert_eq!(block_id_for(1, 1), 0);
        assert_eq!(block_id_for(2, 13), 13);
        assert_eq!(hdr1_position(0), 1);
        assert_eq!(hdr1_position(13), 13);
        // §3.3 example: file 1 of 600000 bytes → file 2 at 1 + 9 + 3.
        assert_eq!(1 + OBJECTS_PER_FILE_BESIDES_DATA + data_blocks(600_000), 13);
    }
}
