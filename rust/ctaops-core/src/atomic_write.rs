//! The one way ctaops replaces a file: readers see the old content or the new, never half.
//!
//! What it keeps of what was there (operators point these paths at symlinks, device nodes and
//! files whose mode and owner they chose):
//! - a symlink is followed and its final target is replaced; the link itself stays;
//! - an existing regular file keeps its mode and (when the caller may set it) its owner;
//! - anything that is not a regular file (`/dev/full`, a FIFO) is written in place, never
//!   replaced by a regular file;
//! - a directory is refused;
//! - the temporary file is removed on every error path, and the data and the directory entry
//!   are synced before success is reported.

use std::fs::{self, File, Permissions};
use std::io::{self, Write as _};
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Longest symlink chain followed, as Linux's own limit (beyond it: `ELOOP`).
const MAX_LINKS: usize = 40;

/// Replaces `path` with `data`. A new file gets mode 0666 less the umask.
///
/// # Errors
/// [`Error::Io`] naming `path` (one line) when the file cannot be written.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    write(path, data, None)
}

/// Replaces `path` with `data` and gives it exactly `mode`, whatever the umask and whatever the
/// old file's mode was: for files whose mode is part of what they are (secrets, scripts).
///
/// # Errors
/// As [`write_atomic`].
pub fn write_atomic_mode(path: &Path, data: &[u8], mode: u32) -> Result<()> {
    write(path, data, Some(mode & 0o7777))
}

fn write(path: &Path, data: &[u8], mode: Option<u32>) -> Result<()> {
    let fail = |source: io::Error| Error::io(path, source);
    let target = resolve(path).map_err(fail)?;
    let existing = match fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(fail(e)),
    };
    match &existing {
        Some(m) if m.is_dir() => Err(fail(io::Error::new(io::ErrorKind::IsADirectory, "is a directory"))),
        Some(m) if !m.is_file() => write_in_place(&target, data).map_err(fail),
        _ => replace(&target, data, existing.as_ref(), mode).map_err(fail),
    }
}

/// Follows the last component's symlinks (a dangling link resolves to where it points, so the
/// first write creates its target).
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            Ok(_) => return Ok(p),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(p),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Device nodes and FIFOs: renaming over them would replace the node with a regular file.
fn write_in_place(target: &Path, data: &[u8]) -> io::Result<()> {
    let mut f = fs::OpenOptions::new().write(true).open(target)?;
    f.write_all(data)?;
    f.flush()
}

fn replace(target: &Path, data: &[u8], existing: Option<&fs::Metadata>, mode: Option<u32>) -> io::Result<()> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy());
    // Created 0666 less the umask, as open(2) of a new file would be; dropped (so removed) on
    // every early return below.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(dir)?;
    if let Some(old) = existing {
        keep_owner(tmp.as_file(), old)?;
    }
    // chown clears set-id bits, so the mode comes after it.
    match (mode, existing) {
        (Some(m), _) => tmp.as_file().set_permissions(Permissions::from_mode(m))?,
        (None, Some(old)) => tmp
            .as_file()
            .set_permissions(Permissions::from_mode(old.mode() & 0o7777))?,
        (None, None) => {}
    }
    tmp.as_file_mut().write_all(data)?;
    tmp.as_file().sync_all()?;
    tmp.persist(target).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Gives the new file the old one's owner. Only root may give a file away; anyone else keeps
/// what they can (their own file, a group they are in) and otherwise the file becomes theirs,
/// as it would with any editor.
fn keep_owner(tmp: &File, old: &fs::Metadata) -> io::Result<()> {
    let mine = tmp.metadata()?;
    if mine.uid() == old.uid() && mine.gid() == old.gid() {
        return Ok(());
    }
    match std::os::unix::fs::fchown(tmp, Some(old.uid()), Some(old.gid())) {
        Err(e) if mine.uid() == 0 => Err(e),
        _ => Ok(()),
    }
}

/// Makes the rename itself durable. Some filesystems cannot sync a directory; that is no
/// reason to report a write that happened as failed.
fn sync_dir(dir: &Path) -> io::Result<()> {
    match File::open(dir).and_then(|d| d.sync_all()) {
        Err(e) if matches!(e.kind(), io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported) => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{FileTypeExt as _, symlink};

    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn writes_through_a_symlink_chain_and_keeps_the_links() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("real.json");
        fs::write(&real, "old").unwrap();
        symlink("real.json", d.path().join("l1")).unwrap();
        symlink(d.path().join("l1"), d.path().join("l2")).unwrap();
        write_atomic(&d.path().join("l2"), b"new").unwrap();
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert!(
            fs::symlink_metadata(d.path().join("l1"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            fs::symlink_metadata(d.path().join("l2"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(leftovers(d.path()).is_empty());
    }

    #[test]
    fn a_dangling_symlink_creates_its_target() {
        let d = tempfile::tempdir().unwrap();
        symlink("target", d.path().join("link")).unwrap();
        write_atomic(&d.path().join("link"), b"x").unwrap();
        assert_eq!(fs::read_to_string(d.path().join("target")).unwrap(), "x");
        assert!(
            fs::symlink_metadata(d.path().join("link"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[test]
    fn keeps_the_mode_of_an_existing_file_and_forces_an_explicit_one() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        fs::write(&p, "old").unwrap();
        fs::set_permissions(&p, Permissions::from_mode(0o640)).unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(fs::metadata(&p).unwrap().mode() & 0o7777, 0o640);
        write_atomic_mode(&p, b"newer", 0o600).unwrap();
        assert_eq!(fs::metadata(&p).unwrap().mode() & 0o7777, 0o600);
        assert_eq!(fs::read_to_string(&p).unwrap(), "newer");
    }

    #[test]
    fn a_directory_is_a_one_line_error_and_leaves_nothing() {
        let d = tempfile::tempdir().unwrap();
        let e = write_atomic(d.path(), b"x").unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("is a directory") || msg.contains("Is a directory"),
            "{msg}"
        );
        assert!(!msg.contains('\n'));
        assert!(leftovers(d.path()).is_empty());
    }

    #[test]
    fn a_fifo_is_written_in_place() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("fifo");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(fifo).unwrap())
        };
        write_atomic(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert!(leftovers(d.path()).is_empty());
    }

    #[test]
    fn dev_full_reports_one_line_and_stays_a_device() {
        // Writing to /dev/full is harmless; the bug was replacing the node with a file.
        let e = write_atomic(Path::new("/dev/full"), b"x").unwrap_err();
        assert!(e.to_string().starts_with("/dev/full: "), "{e}");
        assert!(!e.to_string().contains('\n'));
        assert!(fs::symlink_metadata("/dev/full").unwrap().file_type().is_char_device());
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_the_path() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("no/such/file");
        let e = write_atomic(&p, b"x").unwrap_err();
        assert!(e.to_string().starts_with(&p.display().to_string()), "{e}");
    }
}
