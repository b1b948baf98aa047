//! The JWT bearer token, read from its file and re-read when the file changes (tokens are
//! rotated by an external renewer). The token is never logged.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

use crate::error::GrpcError;

#[derive(Debug)]
pub struct TokenFile {
    path: PathBuf,
    cache: Mutex<Option<(SystemTime, u64, String)>>,
}

impl TokenFile {
    #[must_use]
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            cache: Mutex::new(None),
        }
    }

    /// The current token; the file is read again only when its mtime or size changed.
    pub fn token(&self) -> Result<String, GrpcError> {
        let err = |e: std::io::Error| GrpcError::Config(format!("cannot read JWT file {}: {e}", self.path.display()));
        let meta = std::fs::metadata(&self.path).map_err(err)?;
        let stamp = (meta.modified().unwrap_or(SystemTime::UNIX_EPOCH), meta.len());
        let mut cache = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((m, l, tok)) = cache.as_ref()
            && (*m, *l) == stamp
        {
            return Ok(tok.clone());
        }
        // Surrounding whitespace (a trailing newline) is not valid in a metadata value.
        let tok = std::fs::read_to_string(&self.path).map_err(err)?.trim().to_owned();
        if tok.is_empty() {
            return Err(GrpcError::Config(format!("JWT file {} is empty", self.path.display())));
        }
        *cache = Some((stamp.0, stamp.1, tok.clone()));
        Ok(tok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rereads_a_changed_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("tok");
        std::fs::write(&p, "aaa\n").unwrap();
        let t = TokenFile::new(p.clone());
        assert_eq!(t.token().unwrap(), "aaa");
        std::fs::write(&p, "bbbb\n").unwrap();
        assert_eq!(t.token().unwrap(), "bbbb");
        std::fs::write(&p, "\n").unwrap();
        assert_eq!(t.token().unwrap_err().code(), "GRPC_CONFIG");
        std::fs::remove_file(&p).unwrap();
        assert_eq!(t.token().unwrap_err().code(), "GRPC_CONFIG");
    }
}
