//! `ctaops sim`: the CTA simulator (init, cta-admin, archive, run, verify-file, fault).

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use ctaops_sim::archive::Source;
use ctaops_sim::fault::Fault;
use ctaops_sim::init::{InitOptions, Preset};
use ctaops_sim::{Instance, SimError};

mod admin_grpc;
mod serve;

use crate::exit::Exit;
use crate::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Create an instance: catalogue, library state, labelled tape images, bin/ wrappers, config.
    Init {
        /// The instance directory to create.
        dir: PathBuf,
        /// Seed of the generated instance (same seed, same instance).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// small (tests) or cern-like (2 physical / 4 logical libraries, 40 drives, 5,000 tapes).
        #[arg(long, default_value = "small")]
        preset: String,
        /// Number of tapes (default: the preset's).
        #[arg(long)]
        tapes: Option<u32>,
        /// Number of drives (default: the preset's).
        #[arg(long)]
        drives: Option<u16>,
        /// Synthetic catalogue files per filled tape (cern-like only; default 2000).
        #[arg(long)]
        synthetic_files_per_tape: Option<u32>,
        /// A PostgreSQL catalogue, `postgresql://user@host:port/db` (an empty database); default
        /// `DIR/catalogue.db` (SQLite).
        #[arg(long)]
        catalogue: Option<String>,
    },
    /// Run a cta-admin command line against an instance (what DIR/bin/cta-admin execs).
    #[command(name = "cta-admin", disable_help_flag = true)]
    CtaAdmin {
        /// The instance directory.
        #[arg(long)]
        instance: PathBuf,
        /// `[--json] WORDS…` as cta-admin takes them (`--help` after --instance: cta-admin's help).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run a cta-admin command line through the instance's gRPC frontend (`sim serve`), as
    /// CTA's `cta-admin-grpc` does (what DIR/bin/cta-admin-grpc execs).
    #[command(name = "cta-admin-grpc", disable_help_flag = true)]
    CtaAdminGrpc(admin_grpc::AdminGrpcArgs),
    /// Queue files for archival (generated data with --count/--size, or FILEs).
    Archive {
        /// The instance directory.
        dir: PathBuf,
        /// Storage class of the files (it picks the tape pool).
        #[arg(long)]
        storageclass: String,
        /// Number of generated files (with --size).
        #[arg(long, requires = "size")]
        count: Option<u32>,
        /// Size of each generated file (e.g. 10M, 1GiB).
        #[arg(long)]
        size: Option<String>,
        /// Seed of the generated data (file i uses seed+i).
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Requester whose mount rule picks the mount policy (default: $USER).
        #[arg(long)]
        requester: Option<String>,
        /// Requester group, used when the requester has no rule of their own.
        #[arg(long, default_value = "cta")]
        group: String,
        /// Disk instance sending the requests (default: the storage class's VO's).
        #[arg(long)]
        disk_instance: Option<String>,
        /// Disk path; a pattern when more than one file is archived: {n} = 1-based index in
        /// this command, {id} = archive file ID, {instance} = disk instance
        /// (default /eos/{instance}/ctaops/file{id}).
        #[arg(long)]
        path: Option<String>,
        /// Disk file ID (EOS fid, decimal); same pattern rules as --path (default: archive ID + 4000000000).
        #[arg(long)]
        disk_file_id: Option<String>,
        /// Owner uid of the disk files (non-zero, as CTA requires).
        #[arg(long, default_value_t = 1000)]
        owner_uid: u32,
        /// Owner gid of the disk files.
        #[arg(long, default_value_t = 1000)]
        owner_gid: u32,
        /// Files to archive instead of generated data.
        files: Vec<PathBuf>,
    },
    /// Play the disk side's DELETE event: queued archive requests are cancelled, tape copies move
    /// to the recycle log ("File deleted by USER from the INSTANCE instance"), the file is removed.
    Delete {
        /// The instance directory.
        dir: PathBuf,
        /// Path of the file on the disk side.
        #[arg(long, conflicts_with = "archive_id", required_unless_present = "archive_id")]
        path: Option<String>,
        /// Archive file ID of the file (its sys.archive.file_id).
        #[arg(long)]
        archive_id: Option<u64>,
        /// Disk instance sending the event (default: the file's own).
        #[arg(long)]
        disk_instance: Option<String>,
        /// The user deleting the file (default: $USER).
        #[arg(long)]
        requester: Option<String>,
        /// The deleting user's group.
        #[arg(long, default_value = "cta")]
        group: String,
    },
    /// Queue user retrieves of archive files (the scheduler mounts their tapes and reads them back).
    Retrieve {
        /// The instance directory.
        dir: PathBuf,
        /// Archive file IDs, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        id: Vec<u64>,
        /// Directory the files are written to, one per archive ID (default DIR/retrieved).
        #[arg(long)]
        dest: Option<PathBuf>,
        /// Requester whose mount rule picks the mount policy (default: $USER).
        #[arg(long)]
        requester: Option<String>,
        /// Requester group, used when the requester has no rule of their own.
        #[arg(long, default_value = "cta")]
        group: String,
    },
    /// Run the scheduler (mounts, writes, repacks).
    Run {
        /// The instance directory.
        dir: PathBuf,
        /// Stop when nothing is left to do (the default unless --for is given).
        #[arg(long)]
        until_idle: bool,
        /// Run for this long (30s, 5m, 2h, 1d; a bare number is seconds), idling when there is
        /// nothing to do.
        #[arg(long = "for", value_name = "DURATION")]
        duration: Option<String>,
        /// Move the instance clock this many simulated seconds per wall-clock second. Without it,
        /// sessions take scheduler time only (the report's start/end) and the catalogue records
        /// wall-clock times.
        #[arg(long)]
        speed: Option<f64>,
        /// Seed of the simulated robot and load times (same seed, same sessions).
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Drive transfer rate (bytes per simulated second; suffixes as in --size, e.g. 400MB).
        #[arg(long, value_name = "RATE")]
        drive_rate: Option<String>,
        /// taped's MountCriteria `BYTES,FILES` (default: DIR/cta-taped.conf, else 500000000000,10000).
        #[arg(long, value_name = "BYTES,FILES")]
        mount_criteria: Option<String>,
    },
    /// The tape daemons of the instance (`restart [DRIVE]`: clean up a session a dead daemon left
    /// and register the drive again if `drive rm` removed it).
    Taped {
        /// The instance directory.
        dir: PathBuf,
        #[command(subcommand)]
        action: TapedCmd,
    },
    /// cta-verify-file: read the files back from the tape image and check them
    /// (`--vid/-v VID (--id/-I ID,… | --filename/-F FILE) [-i INSTANCE] [-u USER] [-g GROUP]`).
    #[command(name = "verify-file", disable_help_flag = true)]
    VerifyFile {
        /// The instance directory.
        #[arg(long)]
        instance: PathBuf,
        /// cta-verify-file's options (`--help` after --instance: its own help).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// cta-tape-label, cta-readtp or cta-statistics-update against an instance (what the
    /// DIR/bin wrappers exec), with the real tool's command line.
    #[command(name = "tool", disable_help_flag = true)]
    Tool {
        /// tape-label | readtp | statistics-update
        name: String,
        /// The instance directory.
        #[arg(long)]
        instance: PathBuf,
        /// The tool's own command line (`--help` after --instance: the tool's help).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Inject a fault.
    Fault {
        /// The instance directory.
        dir: PathBuf,
        #[command(subcommand)]
        fault: FaultCmd,
    },
    /// Serve the instance over CTA's gRPC admin protocol (TLS, JWT), its disk instances' EOS
    /// namespace over HTTPS and Prometheus metrics, until SIGINT/SIGTERM.
    Serve(serve::ServeArgs),
    /// Serve only the disk instances' EOS namespace over HTTPS (and the metrics).
    ServeEos(serve::ServeEosArgs),
    /// Print a JWT for the instance's gRPC frontend.
    Token(serve::TokenArgs),
}

#[derive(Debug, clap::Subcommand)]
enum TapedCmd {
    /// Restart the daemon of DRIVE (every daemon without it).
    Restart {
        /// The drive name (default: every drive).
        drive: Option<String>,
    },
}

#[derive(Debug, clap::Subcommand)]
enum FaultCmd {
    /// Flip a byte in the first data block of a file on a tape image.
    CorruptData {
        /// The tape.
        #[arg(long)]
        vid: String,
        /// The file's fSeq on the tape.
        #[arg(long)]
        fseq: u64,
    },
    /// Damage the HDR1 label of a file on a tape image.
    CorruptHeader {
        /// The tape.
        #[arg(long)]
        vid: String,
        /// The file's fSeq on the tape.
        #[arg(long)]
        fseq: u64,
    },
    /// Every read of the tape fails.
    Unreadable {
        /// The tape.
        #[arg(long)]
        vid: String,
    },
    /// A drive fails (down, never mounted).
    DriveFail {
        /// The drive name.
        #[arg(long)]
        drive: String,
    },
    /// The next N cta-admin calls fail with MESSAGE (exit 1, or exit 2 with --user-error).
    AdminFail {
        /// How many calls fail.
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// What they print on stderr.
        #[arg(long, default_value = "injected failure")]
        message: String,
        /// Fail as CTA's refusal of a user error (exit 2) instead of exit 1.
        #[arg(long)]
        user_error: bool,
    },
    /// Jam the library slot holding VID (or the element at --slot): moves from or to it fail
    /// with a hardware error (sense 4/40/01) and the element reports EXCEPT.
    JamSlot {
        /// The tape whose slot jams.
        #[arg(long, conflicts_with = "slot", required_unless_present = "slot")]
        vid: Option<String>,
        /// The element address that jams.
        #[arg(long)]
        slot: Option<u16>,
    },
    /// Reading a file from the disk side fails when the scheduler archives it: taped leaves its
    /// "failing to read from disk" placeholder on the tape and the request fails.
    DiskReadFail {
        /// The file's archive ID.
        #[arg(long, conflicts_with = "path", required_unless_present = "path")]
        archive_id: Option<u64>,
        /// The file's disk path.
        #[arg(long)]
        path: Option<String>,
    },
    /// Remove injected faults (damaged images stay damaged, jammed slots are freed).
    Clear,
}

pub fn run(args: &Args) -> Exit {
    match run_inner(args) {
        Ok(e) => e,
        Err(e) => {
            output::error(&e);
            match e {
                SimError::User(_) => Exit::Code(2),
                // cta-verify-file's usage errors exit 1, like the real tool
                SimError::Usage(_) if matches!(args.cmd, Sub::VerifyFile { .. }) => Exit::Failure,
                SimError::Usage(_) => Exit::Usage,
                _ => Exit::Failure,
            }
        }
    }
}

/// The argv prefix the instance's wrapper scripts exec: this executable, or `python -m ctaops`
/// when the CLI runs inside the Python console script.
fn exec_prefix() -> Vec<String> {
    // The console script names its interpreter: current_exe() would resolve a venv's python
    // symlink to the base interpreter, which cannot import the venv's ctaops.
    if let Ok(python) = std::env::var("CTAOPS_PYTHON")
        && !python.is_empty()
    {
        return vec![python, "-m".into(), "ctaops".into()];
    }
    let exe = std::env::current_exe()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "ctaops".into());
    let name = std::path::Path::new(&exe)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.starts_with("python") {
        vec![exe, "-m".into(), "ctaops".into()]
    } else {
        vec![exe]
    }
}

/// `--requester`/`--group` over the default requester (`$USER`).
fn requester_of(requester: Option<&String>, group: &str) -> ctaops_sim::archive::Requester {
    let mut who = ctaops_sim::archive::Requester::default();
    if let Some(r) = requester {
        who.user.clone_from(r);
    }
    who.group = group.to_owned();
    who
}

fn json_line(v: &impl serde::Serialize) -> Result<(), SimError> {
    let mut out = io::stdout().lock();
    serde_json::to_writer(&mut out, v)?;
    out.write_all(b"\n")?;
    Ok(())
}

fn run_inner(args: &Args) -> Result<Exit, SimError> {
    match &args.cmd {
        Sub::Init {
            dir,
            seed,
            preset,
            tapes,
            drives,
            synthetic_files_per_tape,
            catalogue,
        } => {
            let opts = InitOptions {
                preset: preset.parse::<Preset>()?,
                seed: *seed,
                tapes: *tapes,
                drives: *drives,
                exec_prefix: exec_prefix(),
                synthetic_files_per_tape: *synthetic_files_per_tape,
                catalogue: catalogue.clone(),
            };
            // A failed init removes the directory it created, so no half-built instance is left.
            let created = !dir.exists();
            ctaops_sim::files::make_dir(dir, ctaops_sim::files::DIR)?;
            let dir = std::fs::canonicalize(dir)?;
            let inst = crate::progress::while_running("sim init", || ctaops_sim::init::init(&dir, &opts)).inspect_err(
                |_| {
                    if created {
                        let _ = std::fs::remove_dir_all(&dir);
                    }
                },
            )?;
            json_line(
                &serde_json::json!({"instance": inst.dir, "config": inst.dir.join("cta-ops-config.yaml"), "cta-admin": inst.dir.join("bin/cta-admin")}),
            )?;
            Ok(Exit::Success)
        }
        Sub::CtaAdmin { instance, args } => {
            let code = ctaops_sim::admin::main(instance, args, &mut output::Stdout, &mut output::Stderr);
            Ok(Exit::Code(code))
        }
        Sub::CtaAdminGrpc(a) => admin_grpc::run(a),
        Sub::Tool { name, instance, args } => {
            let tool = match name.as_str() {
                "tape-label" => ctaops_sim::tools::label::main,
                "readtp" => ctaops_sim::tools::readtp::main,
                "statistics-update" => ctaops_sim::tools::stats::main,
                other => {
                    return Err(SimError::Usage(format!(
                        "unknown tool '{other}' (expected tape-label, readtp or statistics-update)"
                    )));
                }
            };
            let code = tool(instance, args, &mut output::Stdout, &mut output::Stderr);
            Ok(Exit::Code(code))
        }
        Sub::Archive {
            dir,
            storageclass,
            count,
            size,
            seed,
            requester,
            group,
            disk_instance,
            path,
            disk_file_id,
            owner_uid,
            owner_gid,
            files,
        } => {
            let inst = Instance::open(dir)?;
            let mut sources: Vec<Source> = files.iter().map(|f| Source::File(f.clone())).collect();
            if let Some(n) = count {
                let bytes = ctaops_core::units::parse_size(size.as_deref().unwrap_or("0"))
                    .map_err(|e| SimError::Usage(format!("--size: {e}")))?;
                ctaops_sim::archive::check_size(bytes).map_err(|e| SimError::Usage(format!("--size: {e}")))?;
                sources.extend((0..u64::from(*n)).map(|i| Source::Generated {
                    seed: seed + i,
                    size: bytes,
                }));
            }
            if sources.is_empty() {
                return Err(SimError::Usage("give --count N --size SIZE or FILE arguments".into()));
            }
            let who = requester_of(requester.as_ref(), group);
            let disk = ctaops_sim::archive::DiskSide {
                instance: disk_instance.clone(),
                path: path.clone(),
                disk_file_id: disk_file_id.clone(),
                owner_uid: *owner_uid,
                gid: *owner_gid,
            };
            // One request per file, as EOS sends them: a refused file does not stop the others.
            let q = crate::progress::while_running("sim archive", || {
                ctaops_sim::archive::queue_requests(&inst, storageclass, &sources, &who, &disk)
            })?;
            json_line(&serde_json::json!({
                "queued": q.archive_ids.len(), "archiveIds": q.archive_ids, "ignored": q.ignored, "rejected": q.rejected
            }))?;
            for r in &q.rejected {
                output::error(&format!("{}: {}", r.path, r.error));
            }
            Ok(if q.rejected.is_empty() {
                Exit::Success
            } else {
                Exit::Code(2)
            })
        }
        Sub::Delete {
            dir,
            path,
            archive_id,
            disk_instance,
            requester,
            group,
        } => {
            let inst = Instance::open(dir)?;
            let who = requester_of(requester.as_ref(), group);
            let target = match (path, archive_id) {
                (Some(p), _) => ctaops_sim::disk::Target::Path {
                    instance: disk_instance.clone(),
                    path: p.clone(),
                },
                (None, Some(id)) => ctaops_sim::disk::Target::ArchiveId {
                    instance: disk_instance.clone(),
                    id: *id,
                },
                (None, None) => return Err(SimError::Usage("give --path or --archive-id".into())),
            };
            let deleted = ctaops_sim::disk::delete(&inst, &target, &who)?;
            json_line(&deleted)?;
            Ok(Exit::Success)
        }
        Sub::Retrieve {
            dir,
            id,
            dest,
            requester,
            group,
        } => {
            let inst = Instance::open(dir)?;
            let who = requester_of(requester.as_ref(), group);
            let dest = dest.clone().unwrap_or_else(|| inst.dir.join("retrieved"));
            let ids = ctaops_sim::retrieve::queue(&inst, id, &dest, &who)?;
            json_line(&serde_json::json!({"queued": ids.len(), "requestIds": ids, "dest": dest}))?;
            Ok(Exit::Success)
        }
        Sub::Run {
            dir,
            until_idle,
            duration,
            speed,
            seed,
            drive_rate,
            mount_criteria,
        } => {
            let inst = Instance::open(dir)?;
            let duration = duration.as_deref().map(parse_duration).transpose()?;
            if speed.is_some_and(|s| !(s.is_finite() && s > 0.0)) {
                return Err(SimError::Usage("--speed must be a positive number".into()));
            }
            let drive_rate = match drive_rate {
                None => ctaops_sim::scheduler::DEFAULT_DRIVE_RATE,
                Some(r) => match ctaops_core::units::parse_size(r) {
                    Ok(0) | Err(_) => {
                        return Err(SimError::Usage(format!("--drive-rate: '{r}' is not a positive rate")));
                    }
                    Ok(v) => v,
                },
            };
            let mount_criteria = mount_criteria
                .as_deref()
                .map(ctaops_sim::scheduler::MountCriteria::parse)
                .transpose()?;
            let opts = ctaops_sim::scheduler::RunOptions {
                until_idle: *until_idle || duration.is_none(),
                duration,
                speed: *speed,
                mount_criteria,
                drive_rate,
                seed: *seed,
            };
            let report = crate::progress::while_running("sim run", || ctaops_sim::scheduler::run(&inst, opts))?;
            json_line(&report)?;
            Ok(if report.errors.is_empty() {
                Exit::Success
            } else {
                Exit::Failure
            })
        }
        Sub::Taped {
            dir,
            action: TapedCmd::Restart { drive },
        } => {
            let inst = Instance::open(dir)?;
            let mut conn = inst.connect()?;
            let restarted = ctaops_sim::scheduler::taped::restart(&inst, &mut conn, drive.as_deref())?;
            json_line(&serde_json::json!({ "restarted": restarted }))?;
            Ok(Exit::Success)
        }
        Sub::VerifyFile { instance, args } => {
            let (mut vid, mut id, mut filename) = (None, None, None);
            let mut it = args.iter();
            while let Some(a) = it.next() {
                let slot = match a.as_str() {
                    "--vid" | "-v" => &mut vid,
                    "--id" | "-I" => &mut id,
                    "--filename" | "-F" => &mut filename,
                    "--instance" | "-i" | "--request.user" | "-u" | "--request.group" | "-g" => {
                        it.next();
                        continue;
                    }
                    other => return Err(SimError::Usage(format!("unrecognized option '{other}'"))),
                };
                *slot = Some(
                    it.next()
                        .ok_or_else(|| SimError::Usage(format!("option '{a}' requires an argument")))?
                        .clone(),
                );
            }
            if id.is_none() && filename.is_none() {
                return Err(SimError::Usage(
                    "Missing command-line option: --id or --filename must be provided".into(),
                ));
            }
            let Some(vid) = vid else {
                return Err(SimError::Usage(
                    "Missing command-line option: --vid must be provided".into(),
                ));
            };
            let mut ids = Vec::new();
            if let Some(list) = &id {
                ids.extend(ctaops_sim::verify::parse_ids(list)?);
            }
            if let Some(f) = &filename {
                let text = ctaops_core::bounded::read_text_bounded(
                    std::path::Path::new(f),
                    ctaops_core::bounded::LIST_FILE_MAX_BYTES,
                    "list files",
                )
                .map_err(|e| SimError::Usage(e.to_string()))?;
                ids.extend(ctaops_sim::verify::parse_ids(
                    &text.split_whitespace().collect::<Vec<_>>().join(","),
                )?);
            }
            let vid = &vid;
            let inst = Instance::open(instance)?;
            let results = ctaops_sim::verify::verify_file(&inst, vid, &ids)?;
            let mut out = io::stdout().lock();
            let mut failed = false;
            for r in &results {
                writeln!(out, "{}", r.object_id)?;
                if let Some(e) = &r.error {
                    failed = true;
                    let _ = writeln!(io::stderr().lock(), "{e}");
                }
            }
            Ok(if failed { Exit::Failure } else { Exit::Success })
        }
        Sub::Fault { dir, fault } => {
            let inst = Instance::open(dir)?;
            let f = match fault {
                FaultCmd::CorruptData { vid, fseq } => Fault::CorruptData {
                    vid: vid.clone(),
                    fseq: *fseq,
                },
                FaultCmd::CorruptHeader { vid, fseq } => Fault::CorruptHeader {
                    vid: vid.clone(),
                    fseq: *fseq,
                },
                FaultCmd::Unreadable { vid } => Fault::Unreadable { vid: vid.clone() },
                FaultCmd::DriveFail { drive } => Fault::DriveFail { drive: drive.clone() },
                FaultCmd::AdminFail {
                    count,
                    message,
                    user_error,
                } => Fault::AdminFail {
                    count: *count,
                    message: message.clone(),
                    user_error: *user_error,
                },
                FaultCmd::JamSlot { vid, slot } => Fault::JamSlot {
                    vid: vid.clone(),
                    slot: *slot,
                },
                FaultCmd::DiskReadFail { archive_id, path } => Fault::DiskReadFail {
                    archive_id: *archive_id,
                    path: path.clone(),
                },
                FaultCmd::Clear => Fault::Clear,
            };
            let msg = ctaops_sim::fault::inject(&inst, &f)?;
            json_line(&serde_json::json!({"fault": msg}))?;
            Ok(Exit::Success)
        }
        Sub::Serve(a) => serve::serve(a),
        Sub::ServeEos(a) => serve::serve_eos(a),
        Sub::Token(a) => serve::token(a),
    }
}

fn parse_duration(s: &str) -> Result<Duration, SimError> {
    ctaops_core::units::parse_duration(s).map_err(|e| SimError::Usage(format!("--for: {e}")))
}
