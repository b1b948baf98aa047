//! `cta-tape-label --vid/-v VID [--oldlabel/-o OLD] [--loadtimeout/-t S] [--drive/-u UNIT]
//! [--force/-f] [--debug/-d] [--help/-h]` (cta-interfaces.md §2.7): writes VOL1 + PRELABEL HDR1 +
//! one tape mark on the image and records the label in the catalogue.

use std::io::Write;

use crate::catalogue::OptionalExtension;
use crate::params;
use ctaops_tape::label::LbpMethod;
use ctaops_tape::writer::{TapeContents, inspect};
use ctaops_tape::{SimhImage, WriterInfo, label_tape};

use crate::catalogue::{now, write_tx};
use crate::error::{Result, SimError};
use crate::instance::Instance;

const USAGE: &str = "Usage: cta-tape-label --vid/-v <vid> [--oldlabel/-o <old_vid>] [--loadtimeout/-t <secs>] [--drive/-u <unit>] [--force/-f] [--debug/-d] [--help/-h]";

struct Args {
    vid: String,
    old: Option<String>,
    drive: Option<String>,
    force: bool,
}

fn parse(args: &[String]) -> Result<Option<Args>> {
    let (mut vid, mut old, mut drive, mut force) = (None, None, None, false);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| SimError::Usage(format!("option '{a}' requires an argument\n{USAGE}")))
        };
        match a.as_str() {
            "--vid" | "-v" => vid = Some(value()?),
            "--oldlabel" | "-o" => old = Some(value()?),
            "--drive" | "-u" => drive = Some(value()?),
            "--loadtimeout" | "-t" => {
                let v = value()?;
                v.parse::<u64>()
                    .map_err(|_| SimError::Usage(format!("{v} is not a valid load timeout\n{USAGE}")))?;
            }
            "--force" | "-f" => force = true,
            "--debug" | "-d" => {}
            "--help" | "-h" => return Ok(None),
            other => return Err(SimError::Usage(format!("unrecognized option '{other}'\n{USAGE}"))),
        }
    }
    let Some(vid) = vid else {
        return Err(SimError::Usage(format!(
            "The vid must be specified with --vid/-v\n{USAGE}"
        )));
    };
    if vid.len() > 6 {
        return Err(SimError::Usage(format!(
            "The -v option must be at most 6 characters long\n{USAGE}"
        )));
    }
    if vid.is_empty() || !vid.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return Err(SimError::Usage(format!(
            "The -v option must only contain uppercase alphanumeric characters\n{USAGE}"
        )));
    }
    Ok(Some(Args { vid, old, drive, force }))
}

/// Runs `cta-tape-label ARGS`; `Aborting: <message>` and exit 1 on any error.
pub fn main(inst_dir: &std::path::Path, args: &[String], stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    super::exit_status(run(inst_dir, args, stdout), stderr)
}

fn run(inst_dir: &std::path::Path, args: &[String], stdout: &mut dyn Write) -> Result<()> {
    let Some(a) = parse(args)? else {
        writeln!(stdout, "{USAGE}")?;
        return Ok(());
    };
    let inst = Instance::open(inst_dir)?;
    let mut conn = inst.connect()?;
    let vid = a.vid.as_str();
    let row: Option<(String, Option<String>)> = conn
        .query_row(
            "SELECT LOGICAL_LIBRARY_NAME, (SELECT DRIVE_NAME FROM SIM_DRIVE WHERE VID = ?1) FROM TAPE WHERE VID = ?1",
            [vid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((ll, mounted_in)) = row else {
        return Err(SimError::Cta(format!(
            "Cannot label tape {vid} because it does not exist"
        )));
    };
    let files: i64 = conn.query_row("SELECT COUNT(*) FROM TAPE_FILE WHERE VID = ?1", [vid], |r| r.get(0))?;
    if files > 0 {
        return Err(SimError::Cta(format!(
            "Cannot label tape {vid} because it has {files} file(s)"
        )));
    }
    if let Some(d) = mounted_in {
        return Err(SimError::Cta(format!(
            "Cannot label tape {vid} because it is mounted in drive {d}"
        )));
    }
    let drive = match a.drive {
        Some(d) => d,
        None => conn
            .query_row(
                "SELECT DRIVE_NAME FROM SIM_DRIVE WHERE LOGICAL_LIBRARY_NAME = ?1 ORDER BY DRIVE_NAME LIMIT 1",
                [&ll],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or_else(|| "ctaops-label".to_owned()),
    };
    let mut dev = SimhImage::open_or_create(inst.image(vid))?;
    if !a.force {
        let expected = a.old.as_deref().unwrap_or(vid);
        match inspect(&mut dev)? {
            TapeContents::Blank => {}
            TapeContents::Labelled { vsn } | TapeContents::Data { vsn: Some(vsn), .. } if vsn == expected => {}
            TapeContents::Labelled { vsn } | TapeContents::Data { vsn: Some(vsn), .. } => {
                return Err(SimError::Cta(format!(
                    "The tape {vid} has label {vsn}, expected {expected} (use --oldlabel or --force)"
                )));
            }
            TapeContents::Data { vsn: None, .. } => {
                return Err(SimError::Cta(format!(
                    "The tape {vid} is not blank and has no VOL1 label (use --force)"
                )));
            }
        }
    }
    label_tape(&mut dev, vid, LbpMethod::None, &WriterInfo::default())?;
    drop(dev);
    write_tx(&mut conn, |tx| {
        tx.execute(
            "UPDATE TAPE SET LABEL_DRIVE = ?2, LABEL_TIME = ?3, LABEL_FORMAT = 'CTA' WHERE VID = ?1",
            params![vid, drive, now(tx)?],
        )?;
        Ok(())
    })?;
    super::log_line(
        stdout,
        "cta-tape-label",
        "INFO",
        "Label session finished",
        &[("tapeVid", vid.to_owned()), ("tapeDrive", drive.clone())],
    );
    Ok(())
}
