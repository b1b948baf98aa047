//! Checksums as CTA uses them: Adler-32 on every file, plus the other types a checksum blob may hold.
//!
//! The fast paths are SIMD crates with runtime CPU detection (`simd-adler32`, `crc32fast`, `crc32c`),
//! so a portable wheel still runs the AVX2/SSE4.2 code on the machine it lands on.

mod algo;
mod blob;
mod file;
mod stream;

pub use algo::ChecksumType;
pub use blob::{ChecksumBlob, ChecksumEntry, JsonChecksum};
pub use file::{DEFAULT_BUFFER_SIZE, PIPELINE_THRESHOLD, checksum_file, checksum_reader, checksum_reader_pipelined};
pub use stream::{Checksummer, Digest, adler32, crc32, crc32c, md5, sha1};
