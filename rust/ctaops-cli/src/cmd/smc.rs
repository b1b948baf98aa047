//! `ctaops smc`: cta-smc's options, output formats and exit codes, speaking SCSI itself (SG_IO on
//! `--device /dev/sgN`) or driving an emulated library kept in a JSON state file
//! (`--library-state FILE`, created by `ctaops smc emulated init`).
//!
//! Exit codes are cta-smc's: 0 ok, 1 parameter or unrecoverable error, 2 release drive and retry
//! in 600 s (volume in use), 3 retry in 60 s (transient: not ready, unit attention, timeout,
//! library paused), 4 demount force first (drive full on mount), 8 operator message and wait (no
//! free port or slot), 9 unload and retry demount (tape still threaded), 16 robot busy. An
//! unknown flag is rejected by the argument parser with ctaops' usage status 2.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use ctaops_scsi::ScsiError;
use ctaops_scsi::cdb::ElementType;
use ctaops_scsi::changer::{Changer, Inventory};
use ctaops_scsi::drive::TapeDrive;
use ctaops_scsi::element::ElementStatus;
use ctaops_scsi::emulated::{EmulatedChanger, EmulatedDrive, SharedLibrary, share};
use ctaops_scsi::library::{FaultTarget, Library, LibrarySpec};
use ctaops_scsi::sense::RetryAdvice;
use ctaops_scsi::transport::ScsiTransport;

use crate::exit::Exit;
use crate::output;

#[derive(Debug, clap::Args)]
#[command(disable_version_flag = true, args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    emulated: Option<Sub>,
    /// Query: D drives, L library, P ports, S slots, V volumes.
    #[arg(short = 'q', value_name = "D|L|P|S|V")]
    query: Option<String>,
    /// Mount VID (-V) into drive ordinal (-D).
    #[arg(short = 'm')]
    mount: bool,
    /// Dismount the tape in drive ordinal (-D), optionally checking its VID (-V).
    #[arg(short = 'd')]
    dismount: bool,
    /// Export VID (-V) to the first free I/O station element.
    #[arg(short = 'e')]
    export: bool,
    /// Import cartridges from the I/O station (all, or only VID -V).
    #[arg(short = 'i')]
    import: bool,
    /// Drive ordinal (element address minus the first drive address).
    #[arg(short = 'D', value_name = "ORDINAL")]
    drive: Option<String>,
    /// Volume id (at most 6 characters, upper-cased); a pattern with * and ? for -q V.
    #[arg(short = 'V', value_name = "VID")]
    vid: Option<String>,
    /// Number of elements to report (-q S, -q V).
    #[arg(short = 'N', value_name = "N")]
    count: Option<String>,
    /// First slot element address to report (-q S).
    #[arg(short = 'S', value_name = "ADDR")]
    start: Option<String>,
    /// JSON output (one line, no trailing newline, like cta-smc).
    #[arg(short = 'j', long)]
    json: bool,
    /// The changer's SCSI generic device (/dev/sgN).
    #[arg(long, value_name = "DEV", conflicts_with = "library_state")]
    device: Option<PathBuf>,
    /// An emulated library state file instead of a device.
    #[arg(long, value_name = "FILE")]
    library_state: Option<PathBuf>,
    /// With -d on an emulated library: unload (eject) the drive first, as the tape server would.
    #[arg(long)]
    unload: bool,
    /// Show the moves that would be made without making them.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Create and change emulated libraries (state files shared with the simulator).
    #[command(subcommand)]
    Emulated(Emulated),
}

#[derive(Debug, clap::Subcommand)]
enum Emulated {
    /// Write a new library state file.
    Init {
        file: PathBuf,
        #[arg(long, default_value_t = 100)]
        slots: u16,
        #[arg(long, default_value_t = 2)]
        drives: u16,
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
        file: PathBuf,
        barcode: String,
        /// I/O station element address (default: the first empty one).
        #[arg(long)]
        port: Option<u16>,
    },
    /// An operator takes the cartridge out of an I/O station element.
    Remove { file: PathBuf, port: u16 },
    /// Inject faults: the next command(s) fail as a real library would.
    Fault {
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

/// A failure with the cta-smc exit code it maps to.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn new(code: u8, message: impl Into<String>) -> Self {
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

type Res<T> = Result<T, Failure>;

/// The changer we talk to, and the state file to write back for an emulated library.
struct Backend {
    changer: Changer<Box<dyn ScsiTransport>>,
    /// The shared library, its state file, and the state as loaded (to save only on change).
    emulated: Option<(SharedLibrary, PathBuf, Library)>,
}

impl Backend {
    fn open(args: &Args) -> Res<Self> {
        if let Some(path) = &args.library_state {
            let loaded = Library::load(path)?;
            let lib = share(loaded.clone());
            let t: Box<dyn ScsiTransport> = Box::new(EmulatedChanger::new(lib.clone()));
            return Ok(Self {
                changer: Changer::new(t),
                emulated: Some((lib, path.clone(), loaded)),
            });
        }
        if let Some(dev) = &args.device {
            return open_device(dev);
        }
        Err(Failure::new(
            1,
            "no changer: give --device /dev/sgN or --library-state FILE",
        ))
    }

    /// Writes the emulated library back (atomically) when a command changed it: moved media, or
    /// consumed an injected fault.
    fn save(&self) -> Res<()> {
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
}

#[cfg(target_os = "linux")]
fn open_device(dev: &Path) -> Res<Backend> {
    let t: Box<dyn ScsiTransport> = Box::new(ctaops_scsi::sgio::SgDevice::open(dev)?);
    Ok(Backend {
        changer: Changer::new(t),
        emulated: None,
    })
}

#[cfg(not(target_os = "linux"))]
fn open_device(dev: &Path) -> Res<Backend> {
    Err(Failure::new(
        1,
        format!("{}: SG_IO is only available on Linux", dev.display()),
    ))
}

fn out(text: &str) -> Res<()> {
    let mut o = io::stdout().lock();
    match o.write_all(text.as_bytes()).and_then(|()| o.flush()) {
        Ok(()) => Ok(()),
        Err(e) if output::is_broken_pipe(&e) => Ok(()),
        Err(e) => Err(Failure::new(1, e.to_string())),
    }
}

fn header(h: &str) -> String {
    format!("\x1b[31;1m{h}\x1b[0m\n")
}

fn parse_num<T: std::str::FromStr>(what: &str, v: Option<&String>) -> Res<Option<T>> {
    v.map(|s| {
        s.trim()
            .parse::<T>()
            .map_err(|_| Failure::new(1, format!("invalid {what}: {s}")))
    })
    .transpose()
}

fn vid_arg(args: &Args, required: bool) -> Res<Option<String>> {
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
        Some(Sub::Emulated(cmd)) => emulated(cmd),
        None => dispatch(args),
    };
    match result {
        Ok(()) => Exit::Success,
        Err(f) => {
            output::error(&f.message);
            Exit::Code(f.code)
        }
    }
}

fn dispatch(args: &Args) -> Res<()> {
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
    let mut b = Backend::open(args)?;
    let result = if let Some(q) = &args.query {
        query(&mut b, args, q)
    } else if args.mount {
        mount(&mut b, args)
    } else if args.dismount {
        dismount(&mut b, args)
    } else if args.export {
        export(&mut b, args)
    } else {
        import(&mut b, args)
    };
    // Save whatever moved, even when a later step failed: the state must match the "robot".
    b.save()?;
    result
}

fn query(b: &mut Backend, args: &Args, q: &str) -> Res<()> {
    match q {
        "L" => query_library(b, args.json),
        "D" | "P" | "S" | "V" => {
            let inv = b.changer.inventory()?;
            match q {
                "D" => query_drives(&inv, args),
                "P" => query_ports(&inv, args.json),
                "S" => query_slots(&inv, args),
                _ => query_volumes(&inv, args),
            }
        }
        other => Err(Failure::new(
            1,
            format!("invalid query type {other:?}: use D, L, P, S or V"),
        )),
    }
}

fn query_library(b: &mut Backend, json: bool) -> Res<()> {
    let inq = b.changer.inquiry()?;
    let a = b.changer.address_assignment()?;
    if json {
        // Keys in cta-smc's order (serde_json would sort them).
        let r = |r: ctaops_scsi::element::ElementRange| format!("{{\"count\":{},\"start\":{}}}", r.count, r.start);
        return out(&format!(
            "[{{\"inquiry\":{{\"vendor\":{},\"product\":{},\"revision\":{}}},\"transport\":{},\"slot\":{},\"port\":{},\"device\":{}}}]",
            json_str(&inq.vendor),
            json_str(&inq.product),
            json_str(&inq.revision),
            r(a.transport),
            r(a.storage),
            r(a.import_export),
            r(a.data_transfer)
        ));
    }
    out(&format!(
        "Vendor/Product/Revision = <{}{}{}>\nTransport Count = {}, Start = {}\nSlot Count = {}, Start = {}\n\
         Port Count = {}, Start = {}\nDevice Count = {}, Start = {}\n",
        inq.vendor,
        inq.product,
        inq.revision,
        a.transport.count,
        a.transport.start,
        a.storage.count,
        a.storage.start,
        a.import_export.count,
        a.import_export.start,
        a.data_transfer.count,
        a.data_transfer.start
    ))
}

/// cta-smc's drive status from descriptor byte 2.
fn drive_status(e: &ElementStatus, spectra_like: bool) -> &'static str {
    if !e.full {
        "free"
    } else if e.except {
        "error"
    } else if e.access && !spectra_like {
        "unloaded"
    } else {
        "loaded"
    }
}

fn query_drives(inv: &Inventory, args: &Args) -> Res<()> {
    let first = inv.assignment.data_transfer.start;
    let only: Option<u16> = parse_num("drive ordinal", args.drive.as_ref())?;
    if let Some(o) = only
        && o >= inv.assignment.data_transfer.count
    {
        return Err(Failure::new(1, format!("invalid drive ordinal {o}")));
    }
    let rows: Vec<(u16, &ElementStatus)> = inv
        .drives
        .iter()
        .map(|e| (e.address - first, e))
        .filter(|(o, _)| only.is_none_or(|x| x == *o))
        .collect();
    let spectra = inv.spectra_like();
    if args.json {
        let items: Vec<String> = rows
            .iter()
            .map(|(o, e)| {
                format!(
                    "{{\"driveOrdinal\":{o},\"elementAddress\":{},\"status\":{},\"vid\":{}}}",
                    e.address,
                    json_str(drive_status(e, spectra)),
                    json_str(&e.vid())
                )
            })
            .collect();
        return out(&format!("[{}]", items.join(",")));
    }
    let mut s = header("Drive Ordinal\tElement Addr.\t  Status     Vid");
    for (o, e) in rows {
        s.push_str(&format!(
            "{o:>13}\t{:>13}\t{:>8}  {}\n",
            e.address,
            drive_status(e, spectra),
            e.vid()
        ));
    }
    out(&s)
}

fn json_str(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

fn port_state(e: &ElementStatus) -> &'static str {
    match (e.full, e.impexp) {
        (false, _) => "",
        (true, false) => "export",
        (true, true) => "import",
    }
}

fn query_ports(inv: &Inventory, json: bool) -> Res<()> {
    if json {
        // Addresses are printed with %4d, inside the JSON too, as cta-smc does.
        let items: Vec<String> = inv
            .ports
            .iter()
            .map(|e| {
                format!(
                    "{{\"elementAddress\":{:4},\"vid\":{},\"state\":{}}}",
                    e.address,
                    json_str(&e.vid()),
                    json_str(port_state(e))
                )
            })
            .collect();
        return out(&format!("[{}]", items.join(",")));
    }
    let mut s = header("Element Addr.\tVid\tImpExp");
    for e in &inv.ports {
        s.push_str(&format!("    {:4}\t{}\t{}\n", e.address, e.vid(), port_state(e)));
    }
    out(&s)
}

fn query_slots(inv: &Inventory, args: &Args) -> Res<()> {
    let start: u16 = parse_num("start slot", args.start.as_ref())?.unwrap_or(inv.assignment.storage.start);
    let n: usize = parse_num("count", args.count.as_ref())?.unwrap_or(usize::MAX);
    let rows: Vec<&ElementStatus> = inv.slots.iter().filter(|e| e.address >= start).take(n).collect();
    if args.json {
        let items: Vec<String> = rows
            .iter()
            .map(|e| format!("{{\"elementAddress\":{:4},\"vid\":{}}}", e.address, json_str(&e.vid())))
            .collect();
        return out(&format!("[{}]", items.join(",")));
    }
    let mut s = header("Element Addr.\tVid");
    for e in rows {
        s.push_str(&format!("    {:4}\t{}\n", e.address, e.vid()));
    }
    out(&s)
}

/// cta-smc's wildcard match: `*` any run, `?` one character.
fn wildcard(pattern: &[u8], s: &[u8]) -> bool {
    match (pattern.first(), s.first()) {
        (None, None) => true,
        (Some(b'*'), _) => wildcard(&pattern[1..], s) || (!s.is_empty() && wildcard(pattern, &s[1..])),
        (Some(b'?'), Some(_)) => wildcard(&pattern[1..], &s[1..]),
        (Some(p), Some(c)) if p == c => wildcard(&pattern[1..], &s[1..]),
        _ => false,
    }
}

fn element_type_name(e: &ElementStatus) -> &'static str {
    match e.element_type {
        ElementType::Transport => "hand",
        ElementType::Storage => "slot",
        ElementType::DataTransfer => "drive",
        ElementType::ImportExport if e.impexp => "import",
        _ => "export",
    }
}

fn query_volumes(inv: &Inventory, args: &Args) -> Res<()> {
    let pattern = args.vid.as_ref().map(|v| v.to_uppercase());
    let n: usize = parse_num("count", args.count.as_ref())?.unwrap_or(usize::MAX);
    let mut rows: Vec<&ElementStatus> = inv
        .all()
        .filter(|e| e.full && !e.vid().is_empty())
        .filter(|e| {
            pattern
                .as_ref()
                .is_none_or(|p| wildcard(p.as_bytes(), e.vid().as_bytes()))
        })
        .collect();
    rows.sort_by_key(|e| e.address);
    rows.truncate(n);
    if args.json {
        let items: Vec<String> = rows
            .iter()
            .map(|e| {
                format!(
                    "{{\"vid\":{},\"elementAddress\":{},\"elementType\":{}}}",
                    json_str(&e.vid()),
                    e.address,
                    json_str(element_type_name(e))
                )
            })
            .collect();
        return out(&format!("[{}]", items.join(",")));
    }
    let mut s = header("Vid\tElement Addr.\tElement Type");
    for e in rows {
        s.push_str(&format!("{}\t    {:4}\t{}\n", e.vid(), e.address, element_type_name(e)));
    }
    out(&s)
}

fn drive_address(inv: &Inventory, args: &Args) -> Res<u16> {
    let o: u16 = parse_num("drive ordinal", args.drive.as_ref())?
        .ok_or_else(|| Failure::new(1, "a drive ordinal is required (-D N)"))?;
    let r = inv.assignment.data_transfer;
    if o >= r.count {
        return Err(Failure::new(
            1,
            format!("invalid drive ordinal {o}: the library has {} drives", r.count),
        ));
    }
    Ok(r.start + o)
}

fn report(args: &Args, action: &str, vid: &str, from: u16, to: u16) -> Res<()> {
    if args.dry_run {
        return out(&format!(
            "dry run: would {action} {vid} from element {from} to element {to}\n"
        ));
    }
    if args.json {
        return out(&format!(
            "{{\"action\":{},\"vid\":{},\"from\":{from},\"to\":{to}}}\n",
            json_str(action),
            json_str(vid)
        ));
    }
    tracing::info!(action, vid, from, to, "moved");
    Ok(())
}

fn do_move(b: &mut Backend, args: &Args, from: u16, to: u16, spectra: bool) -> Res<()> {
    if args.dry_run {
        Ok(())
    } else {
        Ok(b.changer.move_medium(from, to, spectra)?)
    }
}

fn mount(b: &mut Backend, args: &Args) -> Res<()> {
    let vid = vid_arg(args, true)?.unwrap_or_default();
    let inv = b.changer.inventory()?;
    let drive = drive_address(&inv, args)?;
    let Some(e) = inv.find(&vid) else {
        return Err(Failure::new(1, format!("volume {vid} not found in the library")));
    };
    if e.element_type != ElementType::Storage {
        let where_ = format!("in {} element {}", element_type_name(e), e.address);
        return Err(ScsiError::VolumeInUse { vid, detail: where_ }.into());
    }
    if let Some(d) = inv.element(drive)
        && d.full
    {
        return Err(Failure::new(
            4,
            format!("drive {drive} is not free (holds {})", d.vid()),
        ));
    }
    let src = e.address;
    do_move(b, args, src, drive, inv.spectra_like())?;
    report(args, "mount", &vid, src, drive)
}

fn first_free_slot(inv: &Inventory) -> Option<u16> {
    // Home slots of cartridges in drives count as occupied.
    let homes: Vec<u16> = inv.drives.iter().filter(|d| d.full).filter_map(|d| d.source).collect();
    inv.slots
        .iter()
        .find(|s| !s.full && !s.except && !homes.contains(&s.address))
        .map(|s| s.address)
}

fn dismount(b: &mut Backend, args: &Args) -> Res<()> {
    let want = vid_arg(args, false)?;
    let mut inv = b.changer.inventory()?;
    let drive = drive_address(&inv, args)?;
    let spectra = inv.spectra_like();
    let Some(d) = inv.element(drive).cloned() else {
        return Err(Failure::new(1, format!("no drive at element {drive}")));
    };
    if !d.full {
        return Err(Failure::new(1, format!("drive {drive} is empty")));
    }
    if let Some(w) = &want
        && d.vid() != *w
    {
        return Err(Failure::new(1, format!("drive {drive} holds {} and not {w}", d.vid())));
    }
    if !d.access && args.unload && !args.dry_run {
        let Some((lib, _, _)) = &b.emulated else {
            return Err(Failure::new(
                1,
                "--unload needs an emulated library (unload real drives with the tape server)",
            ));
        };
        TapeDrive::new(EmulatedDrive::new(lib.clone(), drive)).unload()?;
        inv = b.changer.inventory()?;
    }
    let d = inv.element(drive).cloned().unwrap_or(d);
    if !d.access && !spectra && !args.dry_run {
        // CTA polls ACCESS for 20 s on a real library; the emulated one cannot change meanwhile.
        let tries = if b.emulated.is_some() { 1 } else { 20 };
        let mut ready = false;
        for i in 0..tries {
            if i > 0 {
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
            if b.changer.element(drive)?.access {
                ready = true;
                break;
            }
        }
        if !ready {
            return Err(ScsiError::DriveLoaded { address: drive }.into());
        }
    }
    let dest = match d.source {
        Some(s)
            if inv
                .element(s)
                .is_some_and(|e| e.element_type == ElementType::Storage && !e.full) =>
        {
            s
        }
        _ => first_free_slot(&inv).ok_or_else(|| Failure::new(8, "no free slot to put the cartridge back"))?,
    };
    do_move(b, args, drive, dest, spectra)?;
    if !args.dry_run {
        let e = b.changer.element(dest)?;
        if e.vid() != d.vid() {
            return Err(Failure::new(
                1,
                format!("{} not found in slot {dest} after the move", d.vid()),
            ));
        }
    }
    report(args, "dismount", &d.vid(), drive, dest)
}

fn export(b: &mut Backend, args: &Args) -> Res<()> {
    let vid = vid_arg(args, true)?.unwrap_or_default();
    let inv = b.changer.inventory()?;
    let Some(e) = inv.find(&vid) else {
        return Err(Failure::new(1, format!("volume {vid} not found in the library")));
    };
    if e.element_type != ElementType::Storage {
        let where_ = format!("in {} element {}", element_type_name(e), e.address);
        return Err(ScsiError::VolumeInUse { vid, detail: where_ }.into());
    }
    let port = inv
        .ports
        .iter()
        .find(|p| !p.full && p.access)
        .map(|p| p.address)
        .ok_or_else(|| Failure::new(8, "no free I/O station element: empty the I/O station"))?;
    let src = e.address;
    do_move(b, args, src, port, inv.spectra_like())?;
    report(args, "export", &vid, src, port)
}

fn import(b: &mut Backend, args: &Args) -> Res<()> {
    let want = vid_arg(args, false)?;
    let mut inv = b.changer.inventory()?;
    let candidates: Vec<ElementStatus> = inv
        .ports
        .iter()
        .filter(|p| {
            p.full
                && match &want {
                    Some(v) => p.vid() == *v,
                    None => p.impexp,
                }
        })
        .cloned()
        .collect();
    if let Some(v) = &want
        && candidates.is_empty()
    {
        return Err(Failure::new(1, format!("volume {v} is not in the I/O station")));
    }
    for p in candidates {
        let slot = first_free_slot(&inv).ok_or_else(|| Failure::new(8, "no free slot for the imported cartridge"))?;
        do_move(b, args, p.address, slot, inv.spectra_like())?;
        report(args, "import", &p.vid(), p.address, slot)?;
        if let Some(s) = inv.slots.iter_mut().find(|s| s.address == slot) {
            s.full = true;
        }
    }
    Ok(())
}

fn parse_sense(s: &str) -> Res<(u8, u8, u8)> {
    let parts: Vec<&str> = s.split('/').collect();
    let hex = |p: &str| {
        u8::from_str_radix(p, 16).map_err(|_| Failure::new(1, format!("invalid sense {s:?}: use KEY/ASC/ASCQ in hex")))
    };
    match parts[..] {
        [k, a, q] => Ok((hex(k)?, hex(a)?, hex(q)?)),
        _ => Err(Failure::new(1, format!("invalid sense {s:?}: use KEY/ASC/ASCQ in hex"))),
    }
}

fn emulated(cmd: &Emulated) -> Res<()> {
    match cmd {
        Emulated::Init {
            file,
            slots,
            drives,
            ports,
            tapes,
            preset,
            force,
        } => {
            if file.exists() && !force {
                return Err(Failure::new(
                    1,
                    format!("{} exists: use --force to replace it", file.display()),
                ));
            }
            let mut spec = match preset.as_str() {
                "ts4500" => LibrarySpec::ts4500(*slots, *drives, *ports),
                "spectra" => LibrarySpec::spectra(*slots, *drives, *ports),
                "cta-example" => LibrarySpec {
                    transport_start: 1000,
                    storage_start: 0,
                    port_start: 1010,
                    drive_start: 1030,
                    ..LibrarySpec::ts4500(*slots, *drives, *ports)
                },
                other => {
                    return Err(Failure::new(
                        1,
                        format!("unknown preset {other:?}: ts4500, spectra or cta-example"),
                    ));
                }
            };
            spec.tapes = *tapes;
            Library::new(&spec)?.save(file)?;
            Ok(())
        }
        Emulated::Insert { file, barcode, port } => {
            let mut lib = Library::load(file)?;
            let port = match port {
                Some(p) => *p,
                None => lib
                    .ports
                    .iter()
                    .find(|p| p.cartridge.is_none())
                    .map(|p| p.address)
                    .ok_or_else(|| Failure::new(8, "the I/O station is full"))?,
            };
            lib.operator_insert(port, barcode)?;
            lib.save(file)?;
            Ok(())
        }
        Emulated::Remove { file, port } => {
            let mut lib = Library::load(file)?;
            let c = lib.operator_remove(*port)?;
            lib.save(file)?;
            out(&format!("{}\n", c.barcode))
        }
        Emulated::Fault {
            file,
            sense,
            drive,
            busy,
            stuck,
            pause,
            tapealert,
            temperature,
            humidity,
            clear,
        } => {
            let mut lib = Library::load(file)?;
            if *clear {
                lib.faults = ctaops_scsi::library::Faults::default();
            }
            if let Some(s) = sense {
                let (k, a, q) = parse_sense(s)?;
                let target = drive.map_or(FaultTarget::Changer, FaultTarget::Drive);
                lib.inject_sense(target, k, a, q);
            }
            if let Some(n) = busy {
                lib.faults.busy_commands = *n;
            }
            if let Some(a) = stuck {
                lib.faults.stuck_elements.push(*a);
            }
            if let Some(p) = pause {
                lib.faults.paused = *p;
            }
            if tapealert.is_some() || temperature.is_some() || humidity.is_some() {
                let Some(addr) = drive else {
                    return Err(Failure::new(
                        1,
                        "--tapealert/--temperature/--humidity need --drive ADDR",
                    ));
                };
                let d = lib
                    .drive_mut(*addr)
                    .ok_or_else(|| Failure::new(1, format!("no drive at element {addr}")))?;
                if let Some(f) = tapealert {
                    if !(1..=64).contains(f) {
                        return Err(Failure::new(1, format!("TapeAlert flag {f} is not in 1..64")));
                    }
                    d.tapealert |= ctaops_scsi::tapealert::bit(*f);
                }
                if let Some(t) = temperature {
                    d.temperature_c = *t;
                }
                if let Some(h) = humidity {
                    d.humidity_pct = *h;
                }
            }
            lib.save(file)?;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard(b"JK*", b"JK2005"));
        assert!(wildcard(b"J?2005", b"JK2005"));
        assert!(!wildcard(b"J?2005", b"JK20056"));
        assert!(wildcard(b"*", b""));
        assert!(!wildcard(b"AB", b"ABC"));
    }

    #[test]
    fn sense_argument() {
        assert!(matches!(parse_sense("2/04/01"), Ok((2, 4, 1))));
        assert!(parse_sense("2/04").is_err());
        assert!(parse_sense("x/04/01").is_err());
    }
}
