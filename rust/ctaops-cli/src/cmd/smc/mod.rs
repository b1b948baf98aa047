//! `ctaops smc`: cta-smc's options, output formats and exit codes, speaking SCSI itself (SG_IO on
//! `--device /dev/sgN`) or driving an emulated library kept in a JSON state file
//! (`--library-state FILE`, created by `ctaops smc emulated init`). Without either, the changer
//! comes from the config file (`-C`): `tools.ctaops-smc.device` or `.library_state` (which
//! `ctaops sim init` writes), or `delegate: true` to run the site's `global.binaries.cta_smc`.
//!
//! Exit codes are cta-smc's: 0 ok, 1 parameter or unrecoverable error, 2 release drive and retry
//! in 600 s (volume in use), 3 retry in 60 s (transient: not ready, unit attention, timeout,
//! library paused), 4 demount force first (drive full on mount), 8 operator message and wait (no
//! free port or slot), 9 unload and retry demount (tape still threaded), 16 robot busy. An
//! unknown flag is rejected by the argument parser with ctaops' usage status 2.

mod backend;
mod emulated;
mod json;
mod moves;
mod options;
mod query;

use std::io::{self, Write};

use ctaops_scsi::ScsiError;
use ctaops_scsi::sense::RetryAdvice;

pub use options::Args;

use backend::{Backend, Target};
use options::Sub;

use crate::exit::Exit;
use crate::output;

/// A failure with the cta-smc exit code it maps to.
pub(super) struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    pub(super) fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<ScsiError> for Failure {
    fn from(e: ScsiError) -> Self {
        let code = match &e {
            ScsiError::Status { status: 0x08, .. } => 16,
            ScsiError::VolumeInUse { .. } => 2,
            ScsiError::DriveLoaded { .. } => 9,
            ScsiError::NoFreeElement(_) => 8,
            // The drive keeps the cartridge (PREVENT MEDIUM REMOVAL, tape threaded). cta-smc's
            // sense table (mediachanger smc_lib) gives RBT_NORETRY for 5/53/02: exit 1, as
            // cta-smc, but say what to do.
            _ if e.code() == "MEDIUM_REMOVAL_PREVENTED" => {
                return Self {
                    code: 1,
                    message: format!("{e}: the drive still holds the tape; unload it and retry"),
                };
            }
            _ => match e.retry_advice() {
                RetryAdvice::Retry | RetryAdvice::WaitReady | RetryAdvice::RetryAfter(_) => 3,
                _ => 1,
            },
        };
        Self {
            code,
            message: e.to_string(),
        }
    }
}

pub(super) type Res<T> = Result<T, Failure>;

pub(super) fn out(text: &str) -> Res<()> {
    let mut o = io::stdout().lock();
    match o.write_all(text.as_bytes()).and_then(|()| o.flush()) {
        Ok(()) => Ok(()),
        Err(e) if output::is_broken_pipe(&e) => Ok(()),
        Err(e) => Err(Failure::new(1, e.to_string())),
    }
}

pub(super) fn header(h: &str) -> String {
    format!("\x1b[31;1m{h}\x1b[0m\n")
}

pub(super) fn parse_num<T: std::str::FromStr>(what: &str, v: Option<&String>) -> Res<Option<T>> {
    v.map(|s| {
        s.trim()
            .parse::<T>()
            .map_err(|_| Failure::new(1, format!("invalid {what}: {s}")))
    })
    .transpose()
}

pub(super) fn vid_arg(args: &Args, required: bool) -> Res<Option<String>> {
    match &args.vid {
        None if required => Err(Failure::new(1, "a volume id is required (-V VID)")),
        None => Ok(None),
        Some(v) if v.is_empty() || v.len() > 6 => Err(Failure::new(1, format!("invalid VID {v:?}: 1 to 6 characters"))),
        Some(v) => Ok(Some(v.to_uppercase())),
    }
}

/// Runs `ctaops smc …` and returns cta-smc's exit status.
pub fn run(args: &Args) -> Exit {
    let result = match &args.emulated {
        Some(Sub::Emulated(cmd)) => emulated::run(cmd).map(|()| 0),
        None => dispatch(args),
    };
    match result {
        Ok(0) => Exit::Success,
        Ok(code) => Exit::Code(code),
        Err(f) => {
            output::error(&f.message);
            Exit::Code(f.code)
        }
    }
}

/// Runs one cta-smc action; returns the exit status (non-zero only from a delegated cta-smc).
fn dispatch(args: &Args) -> Res<u8> {
    let actions = [
        args.query.is_some(),
        args.mount,
        args.dismount,
        args.export,
        args.import,
    ];
    if actions.iter().filter(|a| **a).count() != 1 {
        return Err(Failure::new(1, "give exactly one of -q D|L|P|S|V, -m, -d, -e, -i"));
    }
    let mut b = match Target::resolve(args)? {
        Target::Delegate(binary) => return backend::delegate(&binary, args),
        Target::State(path) => Backend::open_state(&path)?,
        Target::Device(dev) => Backend::open_device(&dev)?,
    };
    let result = if let Some(q) = &args.query {
        query::run(&mut b, args, q)
    } else if args.mount {
        moves::mount(&mut b, args)
    } else if args.dismount {
        moves::dismount(&mut b, args)
    } else if args.export {
        moves::export(&mut b, args)
    } else {
        moves::import(&mut b, args)
    };
    // Save whatever moved, even when a later step failed: the state must match the "robot".
    b.save()?;
    result.map(|()| 0)
}
