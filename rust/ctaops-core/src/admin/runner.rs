//! Runs `cta-admin [--config F] --json <command>`, streaming its stdout into the parser, with a
//! timeout, and maps exit statuses as `cta-admin` uses them (0 ok, 2 user error, 1 failure).

use std::io::{self, BufReader, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::Duration;

use arrow_array::RecordBatch;
use wait_timeout::ChildExt;

use super::arrow::read_arrow;
use super::command::AdminCommand;
use super::compat;
use super::error::AdminError;
use super::kind::{Kind, Records};
use super::stream::{Framing, ParseError, read_records};
use super::version::{CtaVersion, Version};
use crate::children::{self, Group, Tracked};

/// Keep at most this much of stderr (CTA's messages are one line, help texts a few kB).
const STDERR_LIMIT: usize = 256 * 1024;

/// What the runner needs; the config loader fills it from `global.binaries.cta-admin`,
/// `global.tape.cta-admin_config` and `global.default_user.sss_keytab_file`.
#[derive(Debug, Clone)]
pub struct RunnerSettings {
    pub binary: PathBuf,
    pub config: Option<PathBuf>,
    pub sss_keytab: Option<PathBuf>,
    pub timeout: Duration,
    /// The CTA version to adapt commands to instead of asking `cta-admin --json version`
    /// (`global.tape.cta_version`, for sites where `version` is unavailable).
    pub cta_version: Option<String>,
}

impl Default for RunnerSettings {
    fn default() -> Self {
        Self {
            binary: PathBuf::from("cta-admin"),
            config: None,
            sss_keytab: None,
            timeout: Duration::from_secs(300),
            cta_version: None,
        }
    }
}

impl RunnerSettings {
    /// Settings from the ops config, as `ctaops.admin.CtaAdmin(config)` reads them: the binary
    /// from `global.binaries.cta-admin`, `--config` from `global.tape.cta-admin_config` and the
    /// sss keytab from `global.default_user.sss_keytab_file`, each file only if it exists (an
    /// absent one is logged and left out); with `tool`, its `tools.<tool>` overrides and its
    /// `timeout` (seconds) apply.
    ///
    /// # Errors
    /// [`crate::Error::Config`] if the tool's overrides have the wrong type.
    pub fn from_config(cfg: &crate::config::Config, tool: Option<&str>) -> crate::Result<Self> {
        let global = match tool {
            Some(t) => cfg.global_for(t)?,
            None => cfg.global().clone(),
        };
        let existing = |key: &str, path: &str| {
            let path = path.trim();
            if path.is_empty() {
                return None;
            }
            let p = PathBuf::from(path);
            if p.exists() {
                Some(p)
            } else {
                tracing::warn!(key, path = %p.display(), "configured file does not exist: not used");
                None
            }
        };
        let timeout = tool
            .and_then(|t| cfg.merged(t).get("timeout").and_then(serde_yaml_ng::Value::as_f64))
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .filter(|d| !d.is_zero())
            .unwrap_or(Self::default().timeout);
        let binary = if global.binaries.cta_admin.trim().is_empty() {
            PathBuf::from("cta-admin")
        } else {
            PathBuf::from(&global.binaries.cta_admin)
        };
        Ok(Self {
            binary,
            config: existing("global.tape.cta-admin_config", &global.tape.cta_admin_config),
            sss_keytab: existing(
                "global.default_user.sss_keytab_file",
                &global.default_user.sss_keytab_file,
            ),
            timeout,
            cta_version: Some(global.tape.cta_version.trim().to_owned()).filter(|v| !v.is_empty()),
        })
    }
}

/// Runs `cta-admin` commands.
#[derive(Debug)]
pub struct Runner {
    settings: RunnerSettings,
    version: OnceLock<Option<CtaVersion>>,
}

struct Finished {
    status: ExitStatus,
    timed_out: bool,
}

impl Runner {
    #[must_use]
    pub fn new(settings: RunnerSettings) -> Self {
        Self {
            settings,
            version: OnceLock::new(),
        }
    }

    #[must_use]
    pub fn settings(&self) -> &RunnerSettings {
        &self.settings
    }

    /// The full argument vector after the binary.
    #[must_use]
    pub fn argv(&self, cmd: &AdminCommand, framing: Framing) -> Vec<std::ffi::OsString> {
        // Global flags are positional in cta-admin: `--json|--jsonl` first, then `--config F`.
        let mut v: Vec<std::ffi::OsString> = vec![framing.flag().into()];
        if let Some(c) = &self.settings.config {
            v.push("--config".into());
            v.push(c.clone().into_os_string());
        }
        v.extend(cmd.argv().into_iter().map(Into::into));
        v
    }

    fn spawn(&self, cmd: &AdminCommand, framing: Framing) -> Result<(Child, Tracked), AdminError> {
        let mut c = Command::new(&self.settings.binary);
        c.args(self.argv(cmd, framing))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(k) = &self.settings.sss_keytab {
            c.env("XrdSecPROTOCOL", "sss").env("XrdSecSSSKT", k);
        }
        // Own process group, so a timeout kills anything cta-admin started too; tracked, so a
        // terminated parent takes the group with it (crate::children).
        c.process_group(0);
        tracing::debug!(command = %cmd, binary = %self.settings.binary.display(), "running cta-admin");
        children::spawn(&mut c, Group::Own).map_err(|e| {
            let binary = self.settings.binary.display().to_string();
            if e.kind() == io::ErrorKind::NotFound {
                AdminError::NotFound {
                    command: cmd.to_string(),
                    binary,
                }
            } else {
                AdminError::Spawn {
                    command: cmd.to_string(),
                    binary,
                    source: e,
                }
            }
        })
    }

    /// The command as it will run: rewritten for the frontend's CTA version where CTA's command
    /// line changed ([`super::compat`]), or refused with [`AdminError::Unsupported`]. The
    /// version is asked only for commands an adaptation concerns, once per runner.
    pub fn prepare(&self, cmd: &AdminCommand) -> Result<AdminCommand, AdminError> {
        if !compat::concerns(cmd) {
            return Ok(cmd.clone());
        }
        let version = match self.cta_version() {
            Ok(v) => v,
            Err(e @ AdminError::InvalidArgument(_)) => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "cannot tell the CTA version (set global.tape.cta_version): commands are sent unadapted");
                self.version.get_or_init(|| None).clone()
            }
        };
        match version {
            Some(v) => compat::adapt(cmd, &v),
            None => Ok(cmd.clone()),
        }
    }

    /// Runs `cmd` (after [`Runner::prepare`]) and hands its stdout to `consume` while it is
    /// being written.
    pub fn run_with<T>(
        &self,
        cmd: &AdminCommand,
        framing: Framing,
        consume: impl FnOnce(&mut BufReader<ChildStdout>) -> Result<T, ParseError>,
    ) -> Result<T, AdminError> {
        let cmd = &self.prepare(cmd)?;
        let (mut child, tracked) = self.spawn(cmd, framing)?;
        let (Some(stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
            return Err(AdminError::InvalidArgument("child pipes missing".into()));
        };
        let err_reader = thread::spawn(move || {
            let mut kept = Vec::new();
            let _ = (&mut stderr).take(STDERR_LIMIT as u64).read_to_end(&mut kept);
            // Drain the rest so the child never blocks on a full stderr pipe.
            let _ = io::copy(&mut stderr, &mut io::sink());
            kept
        });
        let timeout = self.settings.timeout;
        let watchdog = thread::spawn(move || -> io::Result<Finished> {
            // Tracked until waited for (dropped with this closure).
            let _tracked = tracked;
            if let Some(status) = child.wait_timeout(timeout)? {
                return Ok(Finished {
                    status,
                    timed_out: false,
                });
            }
            if let Ok(pid) = i32::try_from(child.id()) {
                let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
            }
            let _ = child.kill();
            Ok(Finished {
                status: child.wait()?,
                timed_out: true,
            })
        });
        let mut reader = BufReader::with_capacity(256 * 1024, stdout);
        let parsed = consume(&mut reader);
        // Read whatever is left, so the exit status (and CTA's message) is what decides.
        let _ = io::copy(&mut reader, &mut io::sink());
        drop(reader);
        let finished = watchdog
            .join()
            .map_err(|_| AdminError::InvalidArgument("watchdog thread panicked".into()))?
            .map_err(|e| AdminError::Spawn {
                command: cmd.to_string(),
                binary: self.settings.binary.display().to_string(),
                source: e,
            })?;
        let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default())
            .trim()
            .to_owned();
        decide(cmd, &finished, &stderr, timeout, parsed)
    }

    /// Runs an `ls`-type command and returns all its records (never a partial list).
    pub fn records(&self, cmd: &AdminCommand) -> Result<Records, AdminError> {
        let kind = self.kind_of(cmd)?;
        self.run_with(cmd, Framing::Json, |r| read_records(kind, Framing::Json, r))
    }

    /// Runs an `ls`-type command into Arrow record batches, without intermediate records.
    pub fn arrow(&self, cmd: &AdminCommand) -> Result<Vec<RecordBatch>, AdminError> {
        let kind = self.kind_of(cmd)?;
        self.run_with(cmd, Framing::Json, |r| read_arrow(kind, Framing::Json, r))
    }

    /// Runs a state-changing command; returns CTA's message (e.g. `Drive X: set Up.`).
    pub fn action(&self, cmd: &AdminCommand) -> Result<String, AdminError> {
        self.run_with(cmd, Framing::Json, |r| {
            let mut text = String::new();
            r.read_to_string(&mut text).map_err(|e| ParseError {
                kind: super::stream::ParseErrorKind::Io,
                record: None,
                field: None,
                detail: e.to_string(),
            })?;
            // With --json, non-ls commands print their message, then `[]`.
            let t = text.trim_end();
            let msg = t.strip_suffix("[]").unwrap_or(t).trim_end();
            Ok(msg.to_owned())
        })
    }

    fn kind_of(&self, cmd: &AdminCommand) -> Result<Kind, AdminError> {
        cmd.record_kind()
            .ok_or_else(|| AdminError::InvalidArgument(format!("'{cmd}' does not list records; use action()")))
    }

    /// `tapepool ls` with both supply shapes filled in (see [`super::tape::TapePool::normalise_supply`]).
    pub fn tape_pools(&self, cmd: &AdminCommand) -> Result<Records, AdminError> {
        let mut recs = self.records(cmd)?;
        if let Records::TapePool(pools) = &mut recs {
            pools.iter_mut().for_each(super::tape::TapePool::normalise_supply);
        }
        Ok(recs)
    }

    /// The `version` record.
    pub fn version(&self) -> Result<Version, AdminError> {
        let cmd = AdminCommand::raw(&["version"])?;
        match self.records(&cmd)? {
            Records::Version(mut v) if !v.is_empty() => Ok(v.swap_remove(0)),
            _ => Err(AdminError::Parse {
                command: cmd.to_string(),
                error: ParseError {
                    kind: super::stream::ParseErrorKind::Invalid,
                    record: None,
                    field: None,
                    detail: "version printed no record".into(),
                },
            }),
        }
    }

    /// The frontend's CTA version, asked once and remembered (`None` if it cannot be told);
    /// the configured `cta_version`, when set, without asking.
    pub fn cta_version(&self) -> Result<Option<CtaVersion>, AdminError> {
        if let Some(v) = self.version.get() {
            return Ok(v.clone());
        }
        if let Some(text) = &self.settings.cta_version {
            let v = CtaVersion::parse(text).ok_or_else(|| {
                AdminError::InvalidArgument(format!("cta_version '{text}' is not a CTA version (e.g. 5.11.7.0-1)"))
            })?;
            return Ok(self.version.get_or_init(|| Some(v)).clone());
        }
        let v = self.version()?.server();
        Ok(self.version.get_or_init(|| v).clone())
    }
}

fn decide<T>(
    cmd: &AdminCommand,
    finished: &Finished,
    stderr: &str,
    timeout: Duration,
    parsed: Result<T, ParseError>,
) -> Result<T, AdminError> {
    let command = cmd.to_string();
    if finished.timed_out {
        return Err(AdminError::Timeout {
            command,
            seconds: timeout.as_secs_f64(),
        });
    }
    if let Some(signal) = finished.status.signal() {
        return Err(AdminError::Killed { command, signal });
    }
    let message = |fallback: &str| {
        if stderr.is_empty() {
            fallback.to_owned()
        } else {
            stderr.to_owned()
        }
    };
    match finished.status.code() {
        Some(0) => parsed.map_err(|error| AdminError::Parse { command, error }),
        Some(2) => Err(AdminError::User {
            command,
            message: message("(no message on stderr)"),
        }),
        Some(status) => {
            let fallback = match &parsed {
                Err(e) => format!("no message on stderr; output: {e}"),
                Ok(_) => "(no message on stderr)".to_owned(),
            };
            Err(AdminError::Failed {
                command,
                status,
                message: message(&fallback),
            })
        }
        None => Err(AdminError::Killed { command, signal: 0 }),
    }
}
