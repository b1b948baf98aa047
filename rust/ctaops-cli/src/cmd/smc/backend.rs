//! Where the changer is: `--device`, `--library-state`, or the config file's `tools.ctaops-smc`
//! section; and delegation to the site's `cta-smc` (`global.binaries.cta_smc`).

use std::path::{Path, PathBuf};

use ctaops_core::children::{self, Group};
use ctaops_core::config::Config;
use ctaops_scsi::changer::Changer;
use ctaops_scsi::emulated::{EmulatedChanger, SharedLibrary, share};
use ctaops_scsi::library::Library;
use ctaops_scsi::transport::ScsiTransport;

use super::options::Args;
use super::{Failure, Res};

/// The config section naming the changer (no upstream key exists: cta-smc reads the rmcd's).
pub(super) const SECTION: &str = "ctaops-smc";

/// Set in a delegated cta-smc's environment, so a misconfigured `cta_smc` pointing back at
/// `ctaops smc -C …` with `delegate: true` fails instead of looping.
const DELEGATED_ENV: &str = "CTAOPS_SMC_DELEGATED";

/// Where the commands go.
pub(super) enum Target {
    Device(PathBuf),
    State(PathBuf),
    /// Run this cta-smc binary with the same options.
    Delegate(PathBuf),
}

impl Target {
    /// Command-line flags first, then the config file.
    pub(super) fn resolve(args: &Args) -> Res<Self> {
        if let Some(p) = &args.library_state {
            return Ok(Self::State(p.clone()));
        }
        if let Some(d) = &args.device {
            return Ok(Self::Device(d.clone()));
        }
        let cfg = Config::load(args.config_file.as_deref()).map_err(|e| Failure::new(1, e.to_string()))?;
        let where_ = cfg
            .source()
            .map_or_else(|| "the default config".to_owned(), |p| p.display().to_string());
        let section = cfg.tool_raw(SECTION);
        let text = |key: &str| {
            section
                .and_then(|s| s.get(key))
                .and_then(|v| v.as_str())
                .filter(|v| !v.trim().is_empty())
                .map(str::to_owned)
        };
        let delegate_key = section.and_then(|s| s.get("delegate")).and_then(|v| v.as_bool());
        if args.delegate || delegate_key == Some(true) {
            if std::env::var_os(DELEGATED_ENV).is_some() {
                return Err(Failure::new(
                    1,
                    "global.binaries.cta_smc runs ctaops smc in delegate mode again: point it at the real cta-smc",
                ));
            }
            return Ok(Self::Delegate(PathBuf::from(&cfg.global().binaries.cta_smc)));
        }
        // Relative paths in the file are relative to the file.
        let base = cfg
            .source()
            .and_then(Path::parent)
            .map(Path::to_owned)
            .unwrap_or_default();
        if let Some(p) = text("library_state") {
            return Ok(Self::State(base.join(p)));
        }
        if let Some(d) = text("device") {
            return Ok(Self::Device(PathBuf::from(d)));
        }
        Err(Failure::new(
            1,
            format!(
                "no changer: give --device /dev/sgN or --library-state FILE, or set tools.{SECTION}.device \
                 (or .library_state) in {where_}"
            ),
        ))
    }
}

/// cta-smc's options rebuilt from ours, for the delegated binary.
fn cta_smc_argv(args: &Args) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(q) = &args.query {
        v.extend(["-q".to_owned(), q.clone()]);
    }
    for (on, flag) in [
        (args.mount, "-m"),
        (args.dismount, "-d"),
        (args.export, "-e"),
        (args.import, "-i"),
    ] {
        if on {
            v.push(flag.to_owned());
        }
    }
    for (val, flag) in [
        (&args.drive, "-D"),
        (&args.vid, "-V"),
        (&args.count, "-N"),
        (&args.start, "-S"),
    ] {
        if let Some(x) = val {
            v.extend([flag.to_owned(), x.clone()]);
        }
    }
    if args.json {
        v.push("--json".to_owned());
    }
    v
}

/// Runs the site's cta-smc with the same options; its exit status is ours.
pub(super) fn delegate(binary: &Path, args: &Args) -> Res<u8> {
    if args.dry_run || args.unload {
        return Err(Failure::new(
            1,
            "--dry-run and --unload are not cta-smc options: drop --delegate",
        ));
    }
    tracing::debug!(binary = %binary.display(), "delegating to cta-smc");
    let mut cmd = std::process::Command::new(binary);
    cmd.args(cta_smc_argv(args)).env(DELEGATED_ENV, "1");
    let cannot = |e: std::io::Error| {
        Failure::new(
            1,
            format!("cannot run {} (global.binaries.cta_smc): {e}", binary.display()),
        )
    };
    let (mut child, _tracked) = children::spawn(&mut cmd, Group::Shared).map_err(cannot)?;
    let status = child.wait().map_err(cannot)?;
    // A signal-killed child has no code: report it as an unrecoverable failure.
    Ok(status.code().and_then(|c| u8::try_from(c).ok()).unwrap_or(1))
}

/// The changer we talk to, and the state file to write back for an emulated library.
pub(super) struct Backend {
    pub(super) changer: Changer<Box<dyn ScsiTransport>>,
    /// The shared library, its state file, and the state as loaded (to save only on change).
    pub(super) emulated: Option<(SharedLibrary, PathBuf, Library)>,
}

impl Backend {
    pub(super) fn open_state(path: &Path) -> Res<Self> {
        let loaded = Library::load(path)?;
        let lib = share(loaded.clone());
        let t: Box<dyn ScsiTransport> = Box::new(EmulatedChanger::new(lib.clone()));
        Ok(Self {
            changer: Changer::new(t),
            emulated: Some((lib, path.to_owned(), loaded)),
        })
    }

    /// Writes the emulated library back (atomically) when a command changed it: moved media, or
    /// consumed an injected fault.
    pub(super) fn save(&self) -> Res<()> {
        if let Some((lib, path, loaded)) = &self.emulated {
            let now = lib
                .lock()
                .map_err(|_| Failure::new(1, "library state lock poisoned"))?
                .clone();
            if now != *loaded {
                now.save(path)?;
            }
        }
        Ok(())
    }

    #[cfg(target_os = "linux")]
    pub(super) fn open_device(dev: &Path) -> Res<Self> {
        let t: Box<dyn ScsiTransport> = Box::new(ctaops_scsi::sgio::SgDevice::open(dev)?);
        Ok(Self {
            changer: Changer::new(t),
            emulated: None,
        })
    }

    #[cfg(not(target_os = "linux"))]
    pub(super) fn open_device(dev: &Path) -> Res<Self> {
        Err(Failure::new(
            1,
            format!("{}: SG_IO is only available on Linux", dev.display()),
        ))
    }
}
