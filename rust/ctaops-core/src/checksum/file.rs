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

/// Files at least this large are read by a second thread while the first checksums: copying out
/// of the page cache and checksumming then overlap instead of taking turns on one core.
pub const PIPELINE_THRESHOLD: u64 = 8 * 1024 * 1024;

/// Buffers in flight between the reader thread and the checksummer: enough to absorb jitter,
/// few enough to stay cache-friendly.
const PIPELINE_DEPTH: usize = 4;

/// Like [`checksum_reader`], with reading on a separate thread through a small pool of reused
/// buffers (memory stays at `PIPELINE_DEPTH` buffers whatever the size).
pub fn checksum_reader_pipelined<R: Read + Send>(
    mut reader: R,
    algo: ChecksumType,
    what: &Path,
) -> Result<(Digest, u64)> {
    use std::sync::mpsc::sync_channel;

    let mut summer = Checksummer::new(algo)?;
    let (full_tx, full_rx) = sync_channel::<std::io::Result<(Vec<u8>, usize)>>(PIPELINE_DEPTH);
    let (empty_tx, empty_rx) = sync_channel::<Vec<u8>>(PIPELINE_DEPTH);
    for _ in 0..PIPELINE_DEPTH {
        // The channel has room for exactly PIPELINE_DEPTH buffers, so this cannot block or fail.
        let _ = empty_tx.send(vec![0u8; DEFAULT_BUFFER_SIZE]);
    }
    let mut total: u64 = 0;
    let outcome = std::thread::scope(|scope| {
        scope.spawn(move || {
            while let Ok(mut buf) = empty_rx.recv() {
                let filled = loop {
                    match reader.read(&mut buf) {
                        Err(e) if e.kind() == ErrorKind::Interrupted => {}
                        other => break other,
                    }
                };
                let done = !matches!(filled, Ok(n) if n > 0);
                if full_tx.send(filled.map(|n| (buf, n))).is_err() || done {
                    break;
                }
            }
        });
        loop {
            match full_rx.recv() {
                Ok(Ok((_, 0))) | Err(_) => break Ok(()),
                Ok(Ok((buf, n))) => {
                    summer.update(&buf[..n]);
                    total += n as u64;
                    // The reader may already have stopped; a lost buffer is then harmless.
                    let _ = empty_tx.send(buf);
                }
                Ok(Err(e)) => break Err(Error::io(what, e)),
            }
        }
    });
    outcome.map(|()| (summer.finish(), total))
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
    let (digest, read) = if expected >= PIPELINE_THRESHOLD {
        checksum_reader_pipelined(&file, algo, path)?
    } else {
        checksum_reader(&file, algo, path)?
    };
    let after = file.metadata().map_err(|e| Error::io(path, e))?.len();
    // Only regular files have a meaningful size; pipes and devices report 0.
    if meta.is_file() && (read != expected || after != expected) {
        tracing::warn!(path = %path.display(), expected, read, after, "file changed while being checksummed");
        return Err(Error::FileChanged {
            path: path.to_path_buf(),
            expected,
            actual: read.max(after),
        });
    }
    tracing::debug!(path = %path.display(), bytes = read, algo = %algo, checksum = %digest.to_hex(), "checksummed file");
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
    fn pipelined_matches_sequential_for_every_algorithm() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let data: Vec<u8> = (0..(PIPELINE_THRESHOLD as usize + DEFAULT_BUFFER_SIZE / 3))
            .map(|i| (i % 253) as u8)
            .collect();
        f.write_all(&data).unwrap();
        for algo in [
            ChecksumType::Adler32,
            ChecksumType::Crc32,
            ChecksumType::Crc32c,
            ChecksumType::Md5,
            ChecksumType::Sha1,
        ] {
            let (seq, n1) = checksum_reader(data.as_slice(), algo, f.path()).unwrap();
            let (pipe, n2) = checksum_reader_pipelined(data.as_slice(), algo, f.path()).unwrap();
            assert_eq!(seq, pipe, "{algo}");
            assert_eq!((n1, n2), (data.len() as u64, data.len() as u64));
            assert_eq!(checksum_file(f.path(), algo).unwrap(), seq);
        }
    }

    #[test]
    fn pipelined_reports_read_errors() {
        struct Failing(usize);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::other("medium error"));
                }
                self.0 -= 1;
                buf.fill(7);
                Ok(buf.len())
            }
        }
        let e = checksum_reader_pipelined(Failing(10), ChecksumType::Adler32, Path::new("/dev/fake")).unwrap_err();
        assert_eq!(e.code(), "IO_ERROR");
        assert!(e.to_string().contains("/dev/fake: medium error"));
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
