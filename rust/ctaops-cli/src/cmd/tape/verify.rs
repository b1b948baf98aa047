//! `ctaops tape verify`: native read-back verification.

use std::path::PathBuf;

use ctaops_core::admin::{AdminCommand, OptValue, Records, RunnerSettings};
use ctaops_core::config::Config;
use ctaops_tape::verify::{
    CatalogueEntry, Progress, READ_TIME_RATE, Selection, VerifyOptions, VerifyReport, entries_from_records,
    parse_tapefile_ls, verify_tape,
};

use super::common::{self, Access, Target};
use crate::cta::Cta;
use crate::exit::Exit;
use crate::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: Target,
    /// The tape's VID (must equal the VOL1 VSN).
    #[arg(long)]
    vid: String,
    /// A saved `cta-admin --json tapefile ls --vid VID` output to compare with. Without it,
    /// files are read back and their structure checked only.
    #[arg(long, value_name = "TAPEFILE_LS_JSON", conflicts_with = "cta")]
    catalogue: Option<PathBuf>,
    /// Ask cta-admin for the listing (`tapefile ls --vid VID`), with the binary and client
    /// config of the ops config file (`global.binaries.cta-admin`, `global.tape.cta-admin_config`).
    #[arg(long)]
    cta: bool,
    /// Ops config file for --cta (default: $CTAOPS_CONFIG, else /etc/cta-ops/cta-ops-config.yaml).
    #[arg(short = 'C', long = "config-file", value_name = "CONFIG_FILE", requires = "cta")]
    config_file: Option<PathBuf>,
    /// The first N files (fSeq order).
    #[arg(long, value_name = "N", default_value_t = 0)]
    first: usize,
    /// The last N files (fSeq order).
    #[arg(long, value_name = "N", default_value_t = 0)]
    last: usize,
    /// N random files besides those selected otherwise.
    #[arg(long, value_name = "N", default_value_t = 0)]
    random: usize,
    /// Seed of the random choice (default: from the clock; printed in --json output).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// fSeqs to verify: comma-separated `n`, `m-n` or `m-` (to the end), as cta-readtp takes them.
    #[arg(long, value_name = "LIST", value_parser = parse_fseq_list)]
    fseq: Option<FseqList>,
    /// Add random files until at least this much data is selected (500GB is SI, 2TiB and 2T
    /// are IEC, 1000000 is bytes).
    // Hyphen values reach the parser, so `-5M` is refused as negative rather than as an option.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, allow_hyphen_values = true)]
    data_size: Option<u64>,
    /// Add random files until reading them takes at least this long at 300 MB/s (upstream's
    /// rule): seconds, or 30s, 5m, 2h, 1d.
    #[arg(long, value_name = "DURATION", value_parser = parse_seconds, allow_hyphen_values = true)]
    read_time: Option<u64>,
    /// One JSON document on stdout instead of a table.
    #[arg(long)]
    json: bool,
}

/// A parsed `--fseq` list: closed ranges and an optional open `m-` start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FseqList {
    ranges: Vec<(u64, u64)>,
    open_from: Option<u64>,
}

fn parse_fseq_list(text: &str) -> Result<FseqList, String> {
    let mut list = FseqList {
        ranges: Vec::new(),
        open_from: None,
    };
    for item in text.split(',') {
        let num = |s: &str| -> Result<u64, String> {
            let v: u64 = s
                .parse()
                .map_err(|_| format!("Invalid range string: '{item}': Expecting an unsigned integer"))?;
            if v == 0 {
                Err(format!("Invalid range string: '{item}': fSeq 0 does not exist"))
            } else {
                Ok(v)
            }
        };
        match item.split_once('-') {
            None => {
                let v = num(item)?;
                list.ranges.push((v, v));
            }
            Some((lo, "")) => {
                let lo = num(lo)?;
                list.open_from = Some(list.open_from.map_or(lo, |o| o.min(lo)));
            }
            Some((lo, hi)) => {
                if hi.contains('-') {
                    return Err(format!("Invalid range string: '{item}': only one dash allowed"));
                }
                let (lo, hi) = (num(lo)?, num(hi)?);
                if lo > hi {
                    return Err(format!(
                        "Invalid range string: '{item}': the lower boundary is greater than the upper"
                    ));
                }
                list.ranges.push((lo, hi));
            }
        }
    }
    Ok(list)
}

fn parse_size(text: &str) -> Result<u64, String> {
    ctaops_core::units::parse_size(text).map_err(|e| e.to_string())
}

fn parse_seconds(text: &str) -> Result<u64, String> {
    ctaops_core::units::parse_whole_seconds(text).map_err(|e| e.to_string())
}

fn usage(message: &str) -> Exit {
    output::error(&message);
    Exit::Usage
}

fn load_catalogue(path: &PathBuf, vid: &str) -> Result<Vec<CatalogueEntry>, Exit> {
    let text = std::fs::read_to_string(path).map_err(|e| common::fail(&format!("{}: {e}", path.display())))?;
    parse_tapefile_ls(&text, vid).map_err(|e| common::fail(&format!("{}: {e}", path.display())))
}

/// `tapefile ls --vid VID` through the transport the ops config names.
fn ask_cta(args: &Args) -> Result<Vec<CatalogueEntry>, Exit> {
    let cfg = Config::load(args.config_file.as_deref()).map_err(|e| common::fail(&e))?;
    let cta = Cta::from_global(cfg.global(), RunnerSettings::default().timeout).map_err(|e| common::fail(&e))?;
    let cmd = AdminCommand::build("tapefile", Some("ls"), &[("vid", OptValue::Str(args.vid.clone()))])
        .map_err(|e| common::fail(&e))?;
    match cta.records(&cmd).map_err(|e| common::fail(&e))? {
        Records::TapeFile(files) => entries_from_records(&files, &args.vid).map_err(|e| common::fail(&e)),
        other => Err(common::fail(&format!(
            "cta-admin {cmd}: unexpected {} records",
            other.kind().name()
        ))),
    }
}

fn selection(args: &Args, catalogue: Option<&[CatalogueEntry]>, seed: u64) -> Selection {
    let mut fseqs = Vec::new();
    if let Some(list) = &args.fseq {
        for &(lo, hi) in &list.ranges {
            // Requested fSeqs outside the catalogue are reported missing; cap the expansion.
            fseqs.extend(lo..=hi.min(lo.saturating_add(1_000_000)));
        }
        if let (Some(from), Some(cat)) = (list.open_from, catalogue) {
            fseqs.extend(cat.iter().map(|e| e.fseq).filter(|&f| f >= from));
        }
    }
    let min_bytes = args
        .data_size
        .unwrap_or(0)
        .max(args.read_time.unwrap_or(0).saturating_mul(READ_TIME_RATE));
    Selection {
        fseqs,
        first: args.first,
        last: args.last,
        random: args.random,
        seed,
        min_bytes,
    }
}

/// Progress on stderr, one line rewritten in place (only on a terminal).
/// The rate and what is left, for the progress display.
fn progress_message(p: &Progress) -> String {
    let pct = p
        .bytes_total
        .filter(|&t| t > 0)
        .map(|t| format!(" {:5.1}%", p.bytes_done as f64 * 100.0 / t as f64));
    let eta = p.eta_seconds.map(|s| format!(" ETA {:.0}s", s)).unwrap_or_default();
    format!(
        "{:.1} MB{} at {:.1} MB/s{eta}",
        p.bytes_done as f64 / 1e6,
        pct.unwrap_or_default(),
        p.bytes_per_second / 1e6
    )
}

pub fn run(args: &Args) -> Exit {
    let selecting = args.first + args.last + args.random > 0
        || args.fseq.is_some()
        || args.data_size.is_some_and(|d| d > 0)
        || args.read_time.is_some_and(|t| t > 0);
    if selecting && args.catalogue.is_none() && !args.cta {
        return usage("--first, --last, --random, --fseq, --data-size and --read-time need --catalogue or --cta");
    }
    let loaded = match (&args.catalogue, args.cta) {
        (Some(path), _) => load_catalogue(path, &args.vid).map(Some),
        (None, true) => ask_cta(args).map(Some),
        (None, false) => Ok(None),
    };
    let catalogue = match loaded {
        Ok(c) => c,
        Err(exit) => return exit,
    };
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let sel = selection(args, catalogue.as_deref(), seed);
    let mut dev = match common::open(&args.target, Access::Read) {
        Ok(d) => d,
        Err(e) => return common::fail(&e),
    };
    let opts = VerifyOptions {
        catalogue,
        selection: sel,
        ..VerifyOptions::new(&args.vid)
    };
    let mut shown: Option<crate::progress::Progress> = None;
    let mut cb = |p: &Progress| {
        shown
            .get_or_insert_with(|| crate::progress::Progress::new("tape verify", p.files_total))
            .update(p.files_done, || progress_message(p));
    };
    let verified = verify_tape(&mut *dev, &opts, Some(&mut cb));
    if let Some(p) = shown {
        p.finish();
    }
    let report = match verified {
        Ok(r) => r,
        Err(e) => return common::fail(&e),
    };
    let printed = if args.json {
        print_json(&report, seed)
    } else {
        print_table(&report)
    };
    if let Err(exit) = printed {
        return exit;
    }
    if report.files.is_empty()
        && let Some(first) = report.tape_errors.first()
    {
        // Nothing could be checked at all: say why on stderr too, not only in the report.
        output::error(first);
    }
    if report.all_ok() { Exit::Success } else { Exit::Failure }
}

fn print_json(report: &VerifyReport, seed: u64) -> Result<(), Exit> {
    let mut value = serde_json::to_value(report).map_err(|e| common::fail(&e))?;
    if let Some(obj) = value.as_object_mut() {
        obj.insert("seed".into(), seed.into());
    }
    common::print_json(&value)
}

fn print_table(report: &VerifyReport) -> Result<(), Exit> {
    let rows: Vec<Vec<String>> = report
        .files
        .iter()
        .map(|f| {
            vec![
                f.fseq.to_string(),
                f.archive_id.map(|a| a.to_string()).unwrap_or_else(|| "-".into()),
                f.block_id.map(|b| b.to_string()).unwrap_or_else(|| "-".into()),
                f.size.to_string(),
                f.checksum.clone().unwrap_or_else(|| "-".into()),
                f.status.as_str().to_owned(),
                f.detail.clone(),
            ]
        })
        .collect();
    let mut text = common::table(
        &["fseq", "archive id", "block id", "size", "adler32", "status", "detail"],
        &rows,
    );
    for e in &report.tape_errors {
        text.push_str(&format!("tape: {e}\n"));
    }
    let s = &report.summary;
    let counts: Vec<String> = s
        .counts
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    text.push_str(&format!(
        "{}: {} files ({}), {} read in {:.2}s ({}/s)\n",
        report.vid,
        s.files,
        counts.join(", "),
        ctaops_core::units::format_size_human(s.bytes),
        s.seconds,
        ctaops_core::units::format_size_human(bytes_per_second(s.bytes_per_second))
    ));
    common::print(&text)
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a display rate, clamped to u64's range"
)]
fn bytes_per_second(rate: f64) -> u64 {
    rate.max(0.0).min(u64::MAX as f64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fseq_lists_like_cta_readtp() {
        let l = parse_fseq_list("1,3-5,9-").unwrap();
        assert_eq!(l.ranges, vec![(1, 1), (3, 5)]);
        assert_eq!(l.open_from, Some(9));
        for bad in ["", "0", "a", "5-3", "-", "-4", "1-2-3"] {
            assert!(parse_fseq_list(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes() {
        // The core parser's rules (units.rs tests them); here only that the option uses it.
        assert_eq!(parse_size("2GB").unwrap(), 2_000_000_000);
        assert_eq!(
            parse_size("10.2M").unwrap(),
            ctaops_core::units::parse_size("10.2M").unwrap()
        );
        assert!(parse_size("3 parsecs").is_err());
        assert_eq!(parse_seconds("2m").unwrap(), 120);
    }
}
