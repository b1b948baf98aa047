//! `ctaops tape write`: append files to a labelled tape as CTA's tape server would.

use std::fs::File;
use std::path::PathBuf;

use ctaops_tape::format::BLOCK_SIZE;
use ctaops_tape::{WriteSession, WriterInfo, WrittenFile};

use super::catalogue::{self, Answer, CatalogueArgs};
use super::common::{self, Access, Target};
use crate::exit::Exit;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: Target,
    /// The tape's VID: the VOL1 VSN must equal it.
    #[arg(long)]
    vid: String,
    /// Archive file ID of the first file (the next files get the following IDs).
    /// Default: the file's fSeq.
    #[arg(long, value_name = "ID")]
    archive_id: Option<u64>,
    /// The catalogue's last fSeq of the tape (default: the catalogue's, else counted from the
    /// tape marks). Refused when a configured catalogue says otherwise.
    #[arg(long, value_name = "N")]
    last_fseq: Option<u64>,
    #[command(flatten)]
    catalogue: CatalogueArgs,
    /// Say what would be written where, write nothing (the tape is only read).
    #[arg(long)]
    dry_run: bool,
    /// One JSON document on stdout instead of a table.
    #[arg(long)]
    json: bool,
    /// Files to append, in order.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

#[derive(serde::Serialize)]
struct Written<'a> {
    #[serde(flatten)]
    file: &'a WrittenFile,
    checksum: String,
    path: String,
}

pub fn run(args: &Args) -> Exit {
    // Open every source first: nothing is written unless all of them can be read.
    let mut sources = Vec::with_capacity(args.files.len());
    for path in &args.files {
        match File::open(path).and_then(|f| f.metadata().map(|m| (f, m))) {
            Ok((_, m)) if m.is_dir() => return common::fail(&format!("{}: is a directory", path.display())),
            Ok((f, m)) => sources.push((f, m.len())),
            Err(e) => return common::fail(&format!("{}: {e}", path.display())),
        }
    }
    let last_fseq = match catalogue_last_fseq(args) {
        Ok(n) => n,
        Err(exit) => return exit,
    };
    let access = if args.dry_run { Access::Read } else { Access::Write };
    let mut dev = match common::open(&args.target, access) {
        Ok(d) => d,
        Err(e) => return common::fail(&e),
    };
    let info = WriterInfo::for_device(&mut *dev);
    let min = dev.min_block() as u64;
    let mut session = match WriteSession::open(&mut *dev, &args.vid, last_fseq, info) {
        Ok(s) => s,
        Err(e) => return common::fail(&e),
    };
    // A drive with a minimum block size (tgt: 4 bytes) refuses a shorter last block; find that out
    // before writing anything rather than leave a file without its trailer on the tape.
    for (path, (_, len)) in args.files.iter().zip(&sources) {
        let last_block = len % BLOCK_SIZE as u64;
        if last_block > 0 && last_block < min {
            return common::fail(&format!(
                "{}: its last block would be {last_block} bytes, below the drive's minimum block size of {min} bytes",
                path.display()
            ));
        }
    }
    if args.dry_run {
        return dry_run(args, session.last_fseq(), &sources);
    }
    let mut written = Vec::with_capacity(sources.len());
    for (path, (mut src, _)) in args.files.iter().zip(sources) {
        let fseq = session.last_fseq() + 1;
        let archive_id = args.archive_id.map_or(fseq, |first| first + written.len() as u64);
        match session.write_file(archive_id, &mut src) {
            Ok(w) => {
                tracing::info!(fseq = w.fseq, block_id = w.block_id, size = w.size, "file written");
                written.push((path, w));
            }
            Err(e) => {
                common::fail(&format!("{}: {e}", path.display()));
                return report(args, &written).err().unwrap_or(Exit::Failure);
            }
        }
    }
    if let Err(e) = session.finish() {
        return common::fail(&e);
    }
    match report(args, &written) {
        Ok(()) => Exit::Success,
        Err(e) => e,
    }
}

/// The last fSeq to append after: the catalogue's when it knows the tape (a different
/// --last-fseq is refused), else --last-fseq, else `None` (counted on the tape).
fn catalogue_last_fseq(args: &Args) -> Result<Option<u64>, Exit> {
    match catalogue::lookup(&args.catalogue, &args.vid)? {
        Answer::Known(k) => match args.last_fseq {
            Some(n) if n != k.last_fseq => Err(common::fail(&format!(
                "refusing to write to {}: --last-fseq {n} but the catalogue's last fSeq is {}",
                args.vid, k.last_fseq
            ))),
            _ => Ok(Some(k.last_fseq)),
        },
        Answer::Unknown => {
            crate::output::warning(&format!(
                "the catalogue has no tape {}: writing by the tape's own marks",
                args.vid
            ));
            Ok(args.last_fseq)
        }
        Answer::NotAsked => Ok(args.last_fseq),
    }
}

/// One "would write" line per file: its fSeq, archive ID, size and source.
fn dry_run(args: &Args, last_fseq: u64, sources: &[(File, u64)]) -> Exit {
    let mut text = String::new();
    for (i, (path, (_, len))) in args.files.iter().zip(sources).enumerate() {
        let fseq = last_fseq + 1 + i as u64;
        let archive_id = args.archive_id.map_or(fseq, |first| first + i as u64);
        text.push_str(&format!(
            "would write {} to {} as fSeq {fseq}, archive id {archive_id}, {}\n",
            path.display(),
            args.vid,
            ctaops_core::units::format_size_human(*len)
        ));
    }
    match common::print(&text) {
        Ok(()) => Exit::Success,
        Err(e) => e,
    }
}

fn report(args: &Args, written: &[(&PathBuf, WrittenFile)]) -> Result<(), Exit> {
    if args.json {
        let files: Vec<Written<'_>> = written
            .iter()
            .map(|(p, w)| Written {
                file: w,
                checksum: format!("{:08x}", w.adler32),
                path: p.display().to_string(),
            })
            .collect();
        return common::print_json(&serde_json::json!({ "vid": args.vid, "files": files }));
    }
    let rows: Vec<Vec<String>> = written
        .iter()
        .map(|(p, w)| {
            vec![
                w.fseq.to_string(),
                w.block_id.to_string(),
                w.archive_id.to_string(),
                w.size.to_string(),
                format!("{:08x}", w.adler32),
                if w.placeholder {
                    format!("{} (placeholder)", p.display())
                } else {
                    p.display().to_string()
                },
            ]
        })
        .collect();
    common::print(&common::table(
        &["fseq", "block id", "archive id", "size", "adler32", "file"],
        &rows,
    ))
}
