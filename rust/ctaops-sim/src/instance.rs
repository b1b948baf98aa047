//! An instance directory: `catalogue.db` (or `catalogue.url` naming a PostgreSQL catalogue), `library/<name>.json` (ctaops-scsi library state files),
//! `tapes/<VID>.tap` (SIMH images), `bin/` (cta-admin & co.), `cta-ops-config.yaml`.

use std::path::{Path, PathBuf};

use crate::catalogue::Db;

use crate::catalogue;
use crate::error::{Result, SimError};

/// Paths of one simulator instance.
#[derive(Debug, Clone)]
pub struct Instance {
    pub dir: PathBuf,
}

impl Instance {
    /// An existing instance (its catalogue must exist).
    pub fn open(dir: &Path) -> Result<Self> {
        let inst = Self { dir: dir.to_path_buf() };
        if !inst.catalogue_path().is_file() && !inst.catalogue_url_path().is_file() {
            return Err(SimError::Cta(format!(
                "{} is not a simulator instance (no catalogue.db or catalogue.url)",
                dir.display()
            )));
        }
        Ok(inst)
    }

    #[must_use]
    pub fn catalogue_path(&self) -> PathBuf {
        self.dir.join("catalogue.db")
    }

    #[must_use]
    pub fn image(&self, vid: &str) -> PathBuf {
        self.dir.join("tapes").join(format!("{vid}.tap"))
    }

    #[must_use]
    pub fn library_state(&self, physical_library: &str) -> PathBuf {
        self.dir.join("library").join(format!("{physical_library}.json"))
    }

    /// Where a PostgreSQL instance keeps its catalogue's URL (one line, mode 0600).
    #[must_use]
    pub fn catalogue_url_path(&self) -> PathBuf {
        self.dir.join("catalogue.url")
    }

    /// The PostgreSQL catalogue URL of this instance, `None` for SQLite.
    ///
    /// # Errors
    /// The file exists but cannot be read.
    pub fn catalogue_url(&self) -> Result<Option<String>> {
        match std::fs::read_to_string(self.catalogue_url_path()) {
            Ok(s) => Ok(Some(s.trim().to_owned())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// A connection to the catalogue: SQLite (WAL, busy timeout) or the instance's PostgreSQL.
    pub fn connect(&self) -> Result<Db> {
        match self.catalogue_url()? {
            Some(url) => catalogue::open_pg(&url),
            None => catalogue::open(&self.catalogue_path()),
        }
    }

    /// The instance name printed in `instanceName`.
    #[must_use]
    pub fn name(&self) -> String {
        "ctaops-sim".to_owned()
    }
}

/// Who is calling: `$USER` (what the simulator treats as the authenticated identity) and host.
#[must_use]
pub fn caller() -> (String, String) {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "root".to_owned());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map_or_else(|_| "localhost".to_owned(), |h| h.trim().to_owned());
    (user, host)
}
