//! `ctaops smc`'s command line: cta-smc's flags, short and long as in the `getopt_long` table of
//! CTA's mediachanger/smc/smc.cpp, plus where the changer is and the emulated-library tools.

use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(disable_version_flag = true, args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub(super) emulated: Option<Sub>,
    /// Query: D drives, L library, P ports, S slots, V volumes.
    #[arg(short = 'q', long = "query", value_name = "D|L|P|S|V")]
    pub(super) query: Option<String>,
    /// Mount VID (-V) into drive ordinal (-D).
    #[arg(short = 'm', long = "mount")]
    pub(super) mount: bool,
    /// Dismount the tape in drive ordinal (-D), optionally checking its VID (-V).
    #[arg(short = 'd', long = "dismount")]
    pub(super) dismount: bool,
    /// Export VID (-V) to the first free I/O station element.
    #[arg(short = 'e', long = "export")]
    pub(super) export: bool,
    /// Import cartridges from the I/O station (all, or only VID -V).
    #[arg(short = 'i', long = "import")]
    pub(super) import: bool,
    /// Drive ordinal (element address minus the first drive address).
    #[arg(short = 'D', long = "drive", value_name = "ORDINAL")]
    pub(super) drive: Option<String>,
    /// Volume id (at most 6 characters, upper-cased); a pattern with * and ? for -q V.
    #[arg(short = 'V', long = "vid", value_name = "VID")]
    pub(super) vid: Option<String>,
    /// Number of elements to report (-q S, -q V).
    #[arg(short = 'N', long = "nbelem", value_name = "N")]
    pub(super) count: Option<String>,
    /// First slot element address to report (-q S).
    #[arg(short = 'S', long = "slot", value_name = "ADDR")]
    pub(super) start: Option<String>,
    /// JSON output (one line, no trailing newline, like cta-smc).
    #[arg(short = 'j', long)]
    pub(super) json: bool,
    /// Config file naming the changer (`tools.ctaops-smc.device` or `.library_state`) and
    /// `global.binaries.cta_smc` (default: $CTAOPS_CONFIG, else /etc/cta-ops/cta-ops-config.yaml).
    #[arg(short = 'C', long = "config-file", value_name = "CONFIG_FILE")]
    pub(super) config_file: Option<PathBuf>,
    /// Run the site's cta-smc (`global.binaries.cta_smc`) with the same cta-smc options instead
    /// of speaking SCSI here (also `tools.ctaops-smc.delegate: true`).
    #[arg(long, conflicts_with_all = ["device", "library_state"])]
    pub(super) delegate: bool,
    /// The changer's SCSI generic device (/dev/sgN).
    #[arg(long, value_name = "DEV", conflicts_with = "library_state")]
    pub(super) device: Option<PathBuf>,
    /// An emulated library state file instead of a device.
    #[arg(long, value_name = "FILE")]
    pub(super) library_state: Option<PathBuf>,
    /// With -d on an emulated library: unload (eject) the drive first, as the tape server would.
    #[arg(long)]
    pub(super) unload: bool,
    /// Show the moves that would be made without making them.
    #[arg(long)]
    pub(super) dry_run: bool,
}

#[derive(Debug, clap::Subcommand)]
pub(super) enum Sub {
    /// Create and change emulated libraries (state files shared with the simulator).
    #[command(subcommand)]
    Emulated(Emulated),
}

#[derive(Debug, clap::Subcommand)]
pub(super) enum Emulated {
    /// Write a new library state file.
    Init {
        /// The state file to write.
        file: PathBuf,
        /// Storage slots.
        #[arg(long, default_value_t = 100)]
        slots: u16,
        /// Drives.
        #[arg(long, default_value_t = 2)]
        drives: u16,
        /// I/O station elements.
        #[arg(long, default_value_t = 1)]
        ports: u16,
        /// Cartridges (barcodes V00001L9 …) placed in the first slots.
        #[arg(long, default_value_t = 0)]
        tapes: u32,
        /// Element addresses and identity: ts4500, spectra, or cta-example (the cta-smc man page's).
        #[arg(long, default_value = "ts4500")]
        preset: String,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// An operator puts a cartridge into an I/O station element (it shows as "import").
    Insert {
        /// The library state file.
        file: PathBuf,
        /// The cartridge's barcode (e.g. V00001L9).
        barcode: String,
        /// I/O station element address (default: the first empty one).
        #[arg(long)]
        port: Option<u16>,
    },
    /// An operator takes the cartridge out of an I/O station element.
    Remove {
        /// The library state file.
        file: PathBuf,
        /// I/O station element address.
        port: u16,
    },
    /// Inject faults: the next command(s) fail as a real library would.
    Fault {
        /// The library state file.
        file: PathBuf,
        /// CHECK CONDITION KEY/ASC/ASCQ (hex) on the next changer command, e.g. 2/04/01.
        #[arg(long)]
        sense: Option<String>,
        /// Apply --sense to the drive at this element address instead of the changer.
        #[arg(long)]
        drive: Option<u16>,
        /// The changer answers BUSY to this many commands.
        #[arg(long)]
        busy: Option<u32>,
        /// This element fails every move with a hardware error.
        #[arg(long)]
        stuck: Option<u16>,
        /// IBM pause mode on (true) or off (false).
        #[arg(long)]
        pause: Option<bool>,
        /// Set TapeAlert flag (1–64) on --drive.
        #[arg(long)]
        tapealert: Option<u8>,
        /// Set temperature (°C) of --drive.
        #[arg(long)]
        temperature: Option<i8>,
        /// Set relative humidity (%) of --drive.
        #[arg(long)]
        humidity: Option<i8>,
        /// Remove every injected fault.
        #[arg(long)]
        clear: bool,
    },
}
