//! Files and directories of an instance with explicit modes: `sim init` run under `umask 000`
//! (a cron job, a container) must not leave anything group- or world-writable, and secrets
//! (keys, tokens, the catalogue URL) readable only by their owner.

use std::fs::Permissions;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use crate::error::{Result, SimError};

/// Directories: everyone may look, only the owner changes them.
pub const DIR: u32 = 0o755;
/// Plain data and configuration without secrets.
pub const DATA: u32 = 0o644;
/// Keys, tokens, a catalogue URL that may hold a password.
pub const SECRET: u32 = 0o600;
/// The `bin/` wrappers.
pub const SCRIPT: u32 = 0o755;

/// Creates `path` (and missing parents) and gives each directory this created exactly `mode`.
pub fn make_dir(path: &Path, mode: u32) -> Result<()> {
    let mut missing = Vec::new();
    let mut p = path;
    while !p.as_os_str().is_empty() && !p.exists() {
        missing.push(p.to_path_buf());
        match p.parent() {
            Some(parent) => p = parent,
            None => break,
        }
    }
    std::fs::create_dir_all(path)?;
    for d in missing {
        set_mode(&d, mode)?;
    }
    Ok(())
}

/// Writes `path` atomically with exactly `mode`, whatever the umask.
pub fn write(path: &Path, data: impl AsRef<[u8]>, mode: u32) -> Result<()> {
    ctaops_core::atomic_write::write_atomic_mode(path, data.as_ref(), mode).map_err(|e| match e {
        ctaops_core::Error::Io { path, source } => SimError::Io(std::io::Error::new(
            source.kind(),
            format!("{}: {source}", path.display()),
        )),
        other => SimError::Cta(other.to_string()),
    })
}

/// Gives a file something else created (SQLite, the tape image writer) exactly `mode`.
pub fn set_mode(path: &Path, mode: u32) -> Result<()> {
    std::fs::set_permissions(path, Permissions::from_mode(mode))?;
    Ok(())
}
