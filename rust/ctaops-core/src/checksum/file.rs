use std::io::{ErrorKind, Read};
use std::path::Path;

use super::{ChecksumType, Checksummer, Digest};
use crate::{Error, Result};

/// Read size for file checksums: small enough to stay in L2 so the checksum runs on data the
/// kernel copy has just made hot (measured faster than 4 MiB reads, see docs/performance.md).
pub const DEFAULT_BUFFER_SIZE: usize = 512 * 1024;

/// Checksums everything `reader` yields, reading into one reused buffer.
/// Returns the digest and the number of bytes read; `what` names the source in errors.
pub fn checksum_reader(mut reader: impl Read, algo: ChecksumType, what: &Path) -> Result<(Digest, u64)> {
    let mut summer = Checksummer::new(algo)?;
    let mut buf = vec![0u8; DEFAULT_BUFFER_SIZE];
    let mut total: u64 = 0;
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                summer.update(&buf[..n]);
                total += n as u64;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(what, e)),
        }
    }
    Ok((summer.finish(), total))
}

/// Checksums a regular file. The size is taken before and after reading and compared with
/// the bytes actually read, so a file that grows or shrinks underneath gives
/// [`Error::FileChanged`] instead of a checksum of data that never existed on disk as a whole.
pub fn checksum_file(path: &Path, algo: ChecksumType) -> Result<Digest> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::io(
            path,
            std::io::Error::new(ErrorKind::IsADirectory, "is a directory"),
        ));
    }
    let expected = meta.len();
    let (digest, read) = checksum_reader(&file, algo, path)?;
    let after = file.metadata().map_err(|e| Error::io(path, e))?.len();
    // Only regular files have a meaningful size; pipes and devices report 0.
    if meta.is_file() && (read != expected || after != expected) {
        return Err(Error::FileChanged {
            path: path.to_path_buf(),
            expected,
            actual: read.max(after),
        });
    }
    Ok(digest)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn file_checksum_matches_one_shot_across_buffer_boundaries() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let data: Vec<u8> = (0..(DEFAULT_BUFFER_SIZE * 2 + 123)).map(|i| (i % 251) as u8).collect();
        f.write_all(&data).unwrap();
        let d = checksum_file(f.path(), ChecksumType::Adler32).unwrap();
        assert_eq!(d.as_u32(), Some(super::super::adler32(1, &data)));
        assert_eq!(d.to_hex(), format!("{:08x}", super::super::adler32(1, &data)));
    }

    #[test]
    fn missing_file_and_directory_have_codes() {
        let dir = tempfile::tempdir().unwrap();
        let e = checksum_file(&dir.path().join("nope"), ChecksumType::Adler32).unwrap_err();
        assert_eq!(e.code(), "FILE_NOT_FOUND");
        assert!(e.to_string().contains("nope"));
        let e = checksum_file(dir.path(), ChecksumType::Adler32).unwrap_err();
        assert_eq!(e.code(), "IS_A_DIRECTORY");
    }
}
