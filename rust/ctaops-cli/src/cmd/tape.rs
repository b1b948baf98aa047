//! `ctaops tape verify|dump|label|write`: CTA tapes read and written natively, from a SIMH
//! image file or a Linux st drive.

mod catalogue;
mod common;
mod dump;
mod label;
mod verify;
mod write;

use crate::exit::Exit;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Read files back and compare them with the catalogue listing (size, Adler-32, headers).
    ///
    /// Exit status: 0 when every selected file is ok (placeholders allowed), 1 otherwise, 2 usage error.
    Verify(verify::Args),
    /// List every label, tape mark and data run on the tape, with block counts, sizes and Adler-32.
    Dump(dump::Args),
    /// Write a fresh label (VOL1, PRELABEL HDR1, tape mark). Refuses a tape holding data or
    /// labelled with another VID unless --force, and always one the catalogue says holds files.
    Label(label::Args),
    /// Append files to a labelled tape exactly as CTA's tape server would, after the catalogue's
    /// last fSeq when a catalogue is configured.
    Write(write::Args),
}

pub fn run(args: &Args) -> Exit {
    match &args.command {
        Command::Verify(a) => verify::run(a),
        Command::Dump(a) => dump::run(a),
        Command::Label(a) => label::run(a),
        Command::Write(a) => write::run(a),
    }
}
