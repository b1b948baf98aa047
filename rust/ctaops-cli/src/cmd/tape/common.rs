//! What every `ctaops tape` verb shares: which tape to open, and how to print.

use std::path::PathBuf;

use ctaops_tape::{SimhImage, StDevice, TapeDevice, TapeError};

use crate::exit::Exit;
use crate::output;

/// The tape: an image file or a drive.
#[derive(Debug, Clone, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Target {
    /// A tape image file (SIMH format).
    #[arg(long, value_name = "PATH")]
    pub image: Option<PathBuf>,
    /// A Linux st tape drive, non-rewinding (e.g. /dev/nst0), used in variable block mode.
    #[arg(long, value_name = "DEVICE")]
    pub device: Option<PathBuf>,
}

/// How a verb opens the tape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    /// Write, creating an image file that does not exist yet (a blank tape).
    Create,
}

pub type Device = Box<dyn TapeDevice + Send>;

pub fn open(target: &Target, access: Access) -> Result<Device, TapeError> {
    if let Some(path) = &target.image {
        return Ok(match access {
            Access::Read => Box::new(SimhImage::open(path, false)?),
            Access::Write => Box::new(SimhImage::open(path, true)?),
            Access::Create => Box::new(SimhImage::open_or_create(path)?),
        });
    }
    let path = target
        .device
        .as_ref()
        .ok_or_else(|| TapeError::InvalidArgument("give --image or --device".into()))?;
    Ok(Box::new(StDevice::open(path, access != Access::Read)?))
}

/// Prints the error as one line and returns the failure exit.
pub fn fail(e: &dyn std::fmt::Display) -> Exit {
    output::error(e);
    Exit::Failure
}

/// Writes `text` to stdout; a closed pipe ends the command quietly with success.
pub fn print(text: &str) -> Result<(), Exit> {
    output::print(text)
}

/// One JSON document on stdout.
pub fn print_json(value: &impl serde::Serialize) -> Result<(), Exit> {
    let text = serde_json::to_string_pretty(value).map_err(|e| fail(&e))?;
    print(&(text + "\n"))
}

/// A plain text table: columns padded to their widest cell, the last one left free.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let n = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate().take(n - 1) {
            widths[i] = widths[i].max(cell.len());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut l = String::new();
        for (i, c) in cells.enumerate() {
            if i + 1 < n {
                l.push_str(&format!("{c:<w$}  ", w = widths[i]));
            } else {
                l.push_str(c);
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}
