//! `ctaops checksum [--algo A] PATH...`

use std::io;
use std::path::{Path, PathBuf};

use ctaops_core::checksum::{ChecksumType, Digest, checksum_file, checksum_reader_pipelined};

use crate::exit::Exit;
use crate::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Checksum algorithm.
    #[arg(long, short = 'a', default_value = "adler32", value_parser = parse_algo)]
    algo: ChecksumType,
    /// Files to checksum; `-` reads standard input.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

fn parse_algo(s: &str) -> Result<ChecksumType, String> {
    match s.parse::<ChecksumType>() {
        Ok(ChecksumType::None) => Err("NONE is not an algorithm that can be computed".to_owned()),
        Ok(t) => Ok(t),
        Err(e) => Err(e.to_string()),
    }
}

fn checksum_one(path: &Path, algo: ChecksumType) -> ctaops_core::Result<Digest> {
    if path == Path::new("-") {
        checksum_reader_pipelined(io::stdin(), algo, Path::new("<stdin>")).map(|(d, _)| d)
    } else {
        checksum_file(path, algo)
    }
}

/// `<hex> <path>\n` with the path's bytes exactly as the OS gave them (as `xrdadler32`
/// prints them), so a non-UTF-8 name can be pasted back into another command.
fn line(hex: &str, path: &Path) -> Vec<u8> {
    #[cfg(unix)]
    let name = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let name = path.display().to_string().into_bytes();
    let mut out = Vec::with_capacity(hex.len() + name.len() + 2);
    out.extend_from_slice(hex.as_bytes());
    out.push(b' ');
    out.extend_from_slice(&name);
    out.push(b'\n');
    out
}

/// Prints one `<hex> <path>` line per file (xrdadler32's format); errors go to stderr and
/// do not stop the other paths.
pub fn run(args: &Args) -> Exit {
    let mut failed = false;
    for path in &args.paths {
        match checksum_one(path, args.algo) {
            Ok(digest) => {
                if let Err(exit) = output::write_stdout(&line(&digest.to_hex(), path)) {
                    return exit;
                }
            }
            Err(e) => {
                tracing::debug!(code = e.code(), "checksum failed");
                output::error(&e);
                failed = true;
            }
        }
    }
    if failed { Exit::Failure } else { Exit::Success }
}
