//! `cta-readtp <VID> <SEQUENCE> [-f/--destination_files FILE] [-u/--drive UNIT] [-h/--help]`
//! (cta-interfaces.md §2.6): reads files back from the image by fSeq (a new read session each),
//! checks headers and Adler-32 against the catalogue, writes the payload to the next destination.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::catalogue::OptionalExtension;
use crate::params;
use ctaops_tape::{Positioning, ReadSession, SimhImage};

use crate::error::{Result, SimError};
use crate::instance::Instance;
use crate::scheduler::unreadable;

const USAGE: &str =
    "Usage: cta-readtp <VID> <SEQUENCE> [--destination_files/-f <FILE_PATH>] [--drive/-u <UNIT>] [--help/-h]";
const PROGRAM: &str = "cta-readtp";

/// One item of the fSeq sequence: `n`, `m-n` or `m-` (to the end of the tape).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub lower: u64,
    pub upper: Option<u64>,
}

/// Parses `TapeFseqSequenceParser`'s syntax with its messages.
pub fn parse_sequence(s: &str) -> Result<Vec<Range>> {
    let bad = |why: &str| SimError::Cta(format!("Invalid range string: '{s}': {why}"));
    let num = |t: &str| t.parse::<u64>().map_err(|_| bad("Expecting an unsigned integer"));
    let mut out = Vec::new();
    for item in s.split(',') {
        let parts: Vec<&str> = item.split('-').collect();
        let r = match parts.as_slice() {
            [n] => {
                let n = num(n)?;
                if n == 0 {
                    return Err(bad("The lower boundary can not be '0'"));
                }
                Range {
                    lower: n,
                    upper: Some(n),
                }
            }
            ["", _] => return Err(bad("Strings of the form '-n' or '-' are invalid")),
            [m, ""] => Range {
                lower: num(m)?,
                upper: None,
            },
            [m, n] => Range {
                lower: num(m)?,
                upper: Some(num(n)?),
            },
            _ => return Err(bad("A range string can only contain one or no dashes ('-')")),
        };
        if r.lower == 0 {
            return Err(bad("The lower boundary can not be '0'"));
        }
        if r.upper == Some(0) {
            return Err(bad("The upper boundary can not be '0'"));
        }
        if r.upper.is_some_and(|u| u < r.lower) {
            return Err(bad("The lower boundary cannot be greater than the upper boundary"));
        }
        out.push(r);
    }
    Ok(out)
}

/// Runs `cta-readtp ARGS`: exit 0 even when files fail, 1 when setup fails (`Aborting: …`).
pub fn main(inst_dir: &Path, args: &[String], stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    super::exit_status(run(inst_dir, args, stdout), stderr)
}

fn run(inst_dir: &Path, args: &[String], stdout: &mut dyn Write) -> Result<()> {
    let mut positional = Vec::new();
    let mut dest_file = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--destination_files" | "-f" | "--drive" | "-u" => {
                let v = it
                    .next()
                    .ok_or_else(|| SimError::Usage(format!("option '{a}' requires an argument\n{USAGE}")))?;
                // The drive only matters on a tape server: every simulated tape is readable here.
                if matches!(a.as_str(), "--destination_files" | "-f") {
                    dest_file = Some(v.clone());
                }
            }
            "--help" | "-h" => {
                writeln!(stdout, "{USAGE}")?;
                return Ok(());
            }
            s if s.starts_with('-') && s.len() > 1 => {
                return Err(SimError::Usage(format!("unrecognized option '{s}'\n{USAGE}")));
            }
            s => positional.push(s.to_owned()),
        }
    }
    if positional.len() < 2 {
        writeln!(stdout, "{USAGE}")?;
        return Ok(());
    }
    if positional[0].len() > 6 {
        return Err(SimError::Usage(format!("The vid is too long\n{USAGE}")));
    }
    let vid = positional[0].to_uppercase();
    let ranges = parse_sequence(&positional[1])?;
    let mut dests: std::collections::VecDeque<String> = match &dest_file {
        Some(f) => ctaops_core::bounded::read_text_bounded(
            Path::new(f),
            ctaops_core::bounded::LIST_FILE_MAX_BYTES,
            "list files",
        )
        .map_err(|e| SimError::Cta(format!("Failed to read destination file list {e}")))?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect(),
        None => std::collections::VecDeque::new(),
    };
    let inst = Instance::open(inst_dir)?;
    let conn = inst.connect()?;
    let last_fseq: i64 = conn
        .query_row("SELECT LAST_FSEQ FROM TAPE WHERE VID = ?1", [&vid], |r| r.get(0))
        .optional()?
        .ok_or_else(|| SimError::Cta(format!("Tape {vid} does not exist in the catalogue")))?;
    let last = u64::try_from(last_fseq).unwrap_or(0);
    let broken = unreadable(&conn, &vid)?;
    let (mut reads, mut ok, mut failed) = (0u64, 0u64, 0u64);
    let fseqs = ranges.iter().flat_map(|r| r.lower..=r.upper.unwrap_or(last).min(last));
    for fseq in fseqs {
        let row: Option<(i64, i64)> = conn
            .query_row(
                "SELECT T.ARCHIVE_FILE_ID, A.CHECKSUM_ADLER32 FROM TAPE_FILE T JOIN ARCHIVE_FILE A
                 ON A.ARCHIVE_FILE_ID = T.ARCHIVE_FILE_ID WHERE T.VID = ?1 AND T.FSEQ = ?2",
                params![vid, i64::try_from(fseq).unwrap_or(i64::MAX)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        // fSeqs without a catalogue entry (placeholders, recycled copies) are skipped silently.
        let Some((id, adler)) = row else { continue };
        reads += 1;
        let id = u64::try_from(id).unwrap_or(0);
        let expected = u32::try_from(adler).unwrap_or(0);
        let dest = dests.front().cloned().unwrap_or_else(|| "file:///dev/null".to_owned());
        let result = if broken {
            Err(SimError::Cta(format!("tape {vid} cannot be read (injected fault)")))
        } else {
            read_one(&inst, &vid, id, fseq, &dest)
        };
        match result {
            Ok((size, got)) if got == expected => {
                ok += 1;
                if !dests.is_empty() {
                    dests.pop_front();
                }
                super::log_line(
                    stdout,
                    PROGRAM,
                    "INFO",
                    "Read file from tape successfully",
                    &[
                        ("checksumType", "ADLER32".into()),
                        ("checksumValue", format!("0x{got:x}")),
                        ("destinationURL", dest.clone()),
                        ("fSeq", fseq.to_string()),
                        ("fileId", id.to_string()),
                        ("readFileSize", size.to_string()),
                        ("tapeVid", vid.clone()),
                    ],
                );
            }
            outcome => {
                failed += 1;
                let why = match outcome {
                    Ok((_, got)) => format!("Checksum mismatch: expected ADLER32 0x{expected:x}, computed 0x{got:x}"),
                    Err(e) => e.to_string(),
                };
                super::log_line(
                    stdout,
                    PROGRAM,
                    "ERR",
                    "Failed to read file from tape",
                    &[
                        ("fSeq", fseq.to_string()),
                        ("fileId", id.to_string()),
                        ("tapeReadError", why),
                        ("tapeVid", vid.clone()),
                    ],
                );
            }
        }
    }
    super::log_line(
        stdout,
        PROGRAM,
        "INFO",
        "Finished reading tape",
        &[
            ("nbFailedReads", failed.to_string()),
            ("nbReads", reads.to_string()),
            ("nbSuccessfullReads", ok.to_string()),
            ("tapeVid", vid),
        ],
    );
    Ok(())
}

/// Reads one file positioned by fSeq (a fresh session, as cta-readtp does) into `dest`.
fn read_one(inst: &Instance, vid: &str, id: u64, fseq: u64, dest: &str) -> Result<(u64, u32)> {
    let path = dest.strip_prefix("file://").unwrap_or(dest);
    let mut sink = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut io_err = None;
    let dev = SimhImage::open(inst.image(vid), false)?;
    let mut s = ReadSession::open(dev, vid)?;
    let f = s.read_file(id, fseq, Positioning::Fseq, &mut |b| {
        if io_err.is_none()
            && let Err(e) = sink.write_all(b)
        {
            io_err = Some(e);
        }
    })?;
    if let Some(e) = io_err {
        return Err(e.into());
    }
    sink.flush()?;
    Ok((f.size, f.adler32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences() {
        assert_eq!(
            parse_sequence("1,3-4,7-").unwrap(),
            vec![
                Range {
                    lower: 1,
                    upper: Some(1)
                },
                Range {
                    lower: 3,
                    upper: Some(4)
                },
                Range { lower: 7, upper: None }
            ]
        );
        let e = |s: &str| parse_sequence(s).unwrap_err().to_string();
        assert!(e("x").ends_with("Expecting an unsigned integer"));
        assert!(e("-3").ends_with("Strings of the form '-n' or '-' are invalid"));
        assert!(e("0").ends_with("The lower boundary can not be '0'"));
        assert!(e("2-0").ends_with("The upper boundary can not be '0'"));
        assert!(e("5-2").ends_with("The lower boundary cannot be greater than the upper boundary"));
        assert!(e("1-2-3").ends_with("A range string can only contain one or no dashes ('-')"));
    }
}
