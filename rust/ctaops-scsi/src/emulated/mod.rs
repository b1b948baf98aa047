//! Emulated changer and drives: [`ScsiTransport`]s that decode CDB bytes against a shared
//! [`Library`] and answer with the data, sense and residual a real device (or mhVTL) gives.

mod changer;
mod drive;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

pub use changer::EmulatedChanger;
pub use drive::EmulatedDrive;

use crate::library::{FaultTarget, Library};
use crate::sense::{Sense, SenseKey};
use crate::transport::{CommandResult, DataDir};

/// A library shared by the emulated changer and its drives.
pub type SharedLibrary = Arc<Mutex<Library>>;

/// Wraps a library for sharing.
#[must_use]
pub fn share(lib: Library) -> SharedLibrary {
    Arc::new(Mutex::new(lib))
}

/// Runs `f` on the library of a state file and writes the file back (atomically) only when `f`
/// changed the library (moved media, consumed an injected fault). The state is re-read each time
/// so that another process (the simulator, another CLI call) sees and makes consistent changes.
pub fn with_state_file<R>(
    path: &std::path::Path,
    f: impl FnOnce(&SharedLibrary) -> crate::Result<R>,
) -> crate::Result<R> {
    let loaded = Library::load(path)?;
    let lib = share(loaded.clone());
    let r = f(&lib);
    let now = lock(&lib).clone();
    if now != loaded {
        now.save(path)?;
    }
    r
}

pub(crate) fn lock(lib: &SharedLibrary) -> MutexGuard<'_, Library> {
    // A panic elsewhere leaves plain data behind; keep serving it.
    lib.lock().unwrap_or_else(PoisonError::into_inner)
}

/// CHECK CONDITION with fixed-format sense.
pub(crate) fn check(key: u8, asc: u8, ascq: u8) -> CommandResult {
    CommandResult::check(Sense::fixed_bytes(SenseKey(key), asc, ascq, None, 0))
}

/// CHECK CONDITION for an invalid CDB field, with the field pointer set (C/D = 1).
pub(crate) fn invalid_field(byte: u16) -> CommandResult {
    let mut s = Sense::fixed_bytes(SenseKey::ILLEGAL_REQUEST, 0x24, 0, None, 0);
    s[15] = 0xC0;
    s[16..18].copy_from_slice(&byte.to_be_bytes());
    CommandResult::check(s)
}

/// Copies `bytes` into a data-in buffer, truncated to its length, with the residual set.
pub(crate) fn respond(data: DataDir<'_>, bytes: &[u8]) -> CommandResult {
    match data {
        DataDir::In(buf) => {
            let n = buf.len().min(bytes.len());
            buf[..n].copy_from_slice(&bytes[..n]);
            CommandResult::good(i32::try_from(buf.len() - n).unwrap_or(i32::MAX))
        }
        _ => CommandResult::good(0),
    }
}

/// Faults that apply before any command is decoded: timeouts, pause, busy, injected sense.
pub(crate) fn injected(lib: &mut Library, target: FaultTarget) -> Option<CommandResult> {
    if lib.faults.timeouts > 0 {
        lib.faults.timeouts -= 1;
        return Some(CommandResult {
            timed_out: true,
            ..CommandResult::default()
        });
    }
    if target == FaultTarget::Changer {
        if lib.faults.paused {
            return Some(check(0x2, 0x04, 0x85));
        }
        if lib.faults.busy_commands > 0 {
            lib.faults.busy_commands -= 1;
            return Some(CommandResult {
                status: 0x08,
                ..CommandResult::default()
            });
        }
    }
    lib.take_injected(target).map(|s| check(s.key, s.asc, s.ascq))
}

pub(crate) fn be16(c: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([c[at], c[at + 1]])
}
