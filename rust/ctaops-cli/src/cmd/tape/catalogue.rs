//! What CTA's catalogue says about a tape, asked before `tape label` or `tape write` touches it:
//! a tape the catalogue says holds files is never relabelled, and files are appended after the
//! catalogue's last fSeq, as CTA's tape server does. The catalogue is asked whenever an ops
//! config is found (`-C`, `$CTAOPS_CONFIG`, or the default path), through the transport it names.

use std::path::PathBuf;

use ctaops_core::admin::{AdminCommand, OptValue, Records, RunnerSettings};
use ctaops_core::config::Config;

use super::common;
use crate::cta::Cta;
use crate::exit::Exit;

/// Where the catalogue is, shared by the writing verbs.
#[derive(Debug, Clone, clap::Args)]
pub struct CatalogueArgs {
    /// Ops config naming how to reach CTA (`global.binaries.cta-admin`,
    /// `global.tape.cta-admin_config`), asked what it knows of the tape before writing (default:
    /// $CTAOPS_CONFIG, else /etc/cta-ops/cta-ops-config.yaml if it exists, else no check).
    #[arg(short = 'C', long = "config-file", value_name = "CONFIG_FILE")]
    pub config_file: Option<PathBuf>,
    /// Do not ask CTA's catalogue (a tape outside any CTA instance).
    #[arg(long, conflicts_with = "config_file")]
    pub no_catalogue: bool,
}

/// The catalogue's view of one tape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    pub files: u64,
    pub bytes: u64,
    pub last_fseq: u64,
}

/// What the catalogue answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// No config was found or --no-catalogue: nothing was asked.
    NotAsked,
    /// The catalogue has no tape of that VID.
    Unknown,
    Known(Known),
}

/// Asks `tape ls --vid VID`; a catalogue that cannot be asked is a failure (exit 1), never
/// taken as "no files".
pub fn lookup(args: &CatalogueArgs, vid: &str) -> Result<Answer, Exit> {
    if args.no_catalogue || Config::locate(args.config_file.as_deref()).is_none() {
        return Ok(Answer::NotAsked);
    }
    let ask = |e: &dyn std::fmt::Display| common::fail(&format!("cannot ask the catalogue about {vid}: {e}"));
    let cfg = Config::load(args.config_file.as_deref()).map_err(|e| ask(&e))?;
    let cta = Cta::from_global(cfg.global(), RunnerSettings::default().timeout).map_err(|e| ask(&e))?;
    let cmd =
        AdminCommand::build("tape", Some("ls"), &[("vid", OptValue::Str(vid.to_owned()))]).map_err(|e| ask(&e))?;
    match cta.records(&cmd).map_err(|e| ask(&e))? {
        Records::Tape(tapes) => Ok(tapes.iter().find(|t| t.vid == vid).map_or(Answer::Unknown, |t| {
            Answer::Known(Known {
                files: t.nb_master_files,
                bytes: t.master_data_in_bytes,
                last_fseq: t.last_fseq,
            })
        })),
        other => Err(ask(&format!("unexpected {} records", other.kind().name()))),
    }
}
