//! Reading operator-given files without trusting their size.
//!
//! A list file or config file named on the command line may be `/dev/zero`, a FIFO or a
//! sparse file of terabytes; reading it whole would grow until the machine runs out of
//! memory and then fail with a misleading message. Every such read goes through
//! [`read_bounded`], which stops one byte past the limit.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Largest `--fxidfile`/`--vidfile`/`--idfile` (and other list file) ctaops reads: CTA's own
/// `cta-admin` reads these files whole without a limit, so this one is ours (documented in
/// `docs/reliability.md`, "Input limits").
pub const LIST_FILE_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Largest config file (ops config, error translations, any YAML ctaops loads).
pub const CONFIG_FILE_MAX_BYTES: u64 = 1024 * 1024;

/// Why a bounded read failed.
#[derive(Debug, thiserror::Error)]
pub enum BoundedReadError {
    /// The file could not be opened or read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The file holds more than `limit` bytes.
    #[error("{}: {}", path.display(), too_large(*limit, what))]
    TooLarge {
        path: PathBuf,
        limit: u64,
        what: &'static str,
    },
}

/// `larger than 64 MiB (67108864 bytes), the limit for list files`: the unit an operator
/// thinks in, and the exact figure.
#[must_use]
pub fn too_large(limit: u64, what: &str) -> String {
    const MIB: u64 = 1024 * 1024;
    let size = if limit.is_multiple_of(MIB) {
        format!("{} MiB ({limit} bytes)", limit / MIB)
    } else {
        format!("{limit} bytes")
    };
    format!("larger than {size}, the limit for {what}")
}

/// Reads at most `limit` bytes of `path`; a longer file is [`BoundedReadError::TooLarge`].
///
/// A regular file is judged by its size before anything is read (a sparse file of terabytes
/// fails at once); anything else (FIFO, `/dev/stdin`, character device) is read one byte past
/// the limit at most.
///
/// # Errors
/// [`BoundedReadError::Io`] when the file cannot be opened or read, `TooLarge` past `limit`.
pub fn read_bounded(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>, BoundedReadError> {
    let io_err = |source| BoundedReadError::Io {
        path: path.to_owned(),
        source,
    };
    let too_large = || BoundedReadError::TooLarge {
        path: path.to_owned(),
        limit,
        what,
    };
    let file = std::fs::File::open(path).map_err(io_err)?;
    let meta = file.metadata().map_err(io_err)?;
    if meta.is_file() && meta.len() > limit {
        return Err(too_large());
    }
    let mut buf = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(io_err)?;
    if buf.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(buf)
}

/// [`read_bounded`], then the bytes as UTF-8 text.
///
/// # Errors
/// As [`read_bounded`]; invalid UTF-8 is an [`io::ErrorKind::InvalidData`] I/O error naming
/// the byte offset.
pub fn read_text_bounded(path: &Path, limit: u64, what: &'static str) -> Result<String, BoundedReadError> {
    let bytes = read_bounded(path, limit, what)?;
    String::from_utf8(bytes).map_err(|e| BoundedReadError::Io {
        path: path.to_owned(),
        source: io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_limit_and_refuses_one_byte_more() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"12345").unwrap();
        assert_eq!(read_bounded(&p, 5, "tests").unwrap(), b"12345");
        let e = read_bounded(&p, 4, "tests").unwrap_err();
        assert!(matches!(e, BoundedReadError::TooLarge { limit: 4, .. }), "{e}");
        assert_eq!(
            e.to_string(),
            format!("{}: larger than 4 bytes, the limit for tests", p.display())
        );
    }

    #[test]
    fn endless_device_stops_past_the_limit() {
        let e = read_bounded(Path::new("/dev/zero"), 1024 * 1024, "list files").unwrap_err();
        assert_eq!(
            e.to_string(),
            "/dev/zero: larger than 1 MiB (1048576 bytes), the limit for list files"
        );
    }

    #[test]
    fn sparse_huge_file_fails_without_reading() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sparse");
        std::fs::File::create(&p).unwrap().set_len(1 << 40).unwrap();
        let t0 = std::time::Instant::now();
        let e = read_bounded(&p, LIST_FILE_MAX_BYTES, "list files").unwrap_err();
        assert!(matches!(e, BoundedReadError::TooLarge { .. }));
        assert!(t0.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn invalid_utf8_names_the_offset() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"V1\n\xff\n").unwrap();
        let e = read_text_bounded(&p, 100, "tests").unwrap_err();
        assert!(
            e.to_string().ends_with("not UTF-8 text (invalid byte at offset 3)"),
            "{e}"
        );
    }
}
