//! `ctaops tape dump`: every object on the tape, labels decoded.

use ctaops_tape::dump::{DEFAULT_MAX_PROBLEMS, DumpItem, dump};
use ctaops_tape::label::{Label, LbpMethod};

use super::common::{self, Access, Target};
use crate::exit::Exit;
use crate::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: Target,
    /// One JSON document (`items` in tape order, `objects`, `problems`, `stopped`) instead of text.
    #[arg(long)]
    json: bool,
    /// Stop reading after this many problems (layout, labels, read errors), so that a damaged or
    /// foreign medium gives a bounded listing.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_PROBLEMS)]
    max_problems: u64,
}

fn describe_label(text: &str) -> String {
    match Label::parse_any(text.as_bytes()) {
        Ok(Some(Label::Vol1(v))) => format!(
            "VSN={} owner={} lbp={}",
            v.vsn,
            v.owner,
            if v.lbp == LbpMethod::Crc32c { "crc32c" } else { "none" }
        ),
        Ok(Some(Label::Hdr1(h))) => format!(
            "fileId={} vsn={} fseq={} created={} expires={} blocks={} system={:?}",
            h.file_id, h.vsn, h.fseq_field, h.creation_date, h.expiration_date, h.block_count, h.system_code
        ),
        Ok(Some(Label::Hdr2(h))) => format!(
            "format=F blockLength={} recordLength={} technique={:?}",
            h.block_length, h.record_length, h.recording_technique
        ),
        Ok(Some(Label::Uhl1(u))) => format!(
            "fseq={} blockSize={} recordLength={} site={} host={} drive={} {} {}",
            u.fseq, u.block_size, u.record_length, u.site, u.mover_host, u.drive_vendor, u.drive_model, u.drive_serial
        ),
        _ => String::new(),
    }
}

pub fn run(args: &Args) -> Exit {
    let mut dev = match common::open(&args.target, Access::Read) {
        Ok(d) => d,
        Err(e) => return common::fail(&e),
    };
    let mut items = Vec::new();
    let summary = match dump(&mut *dev, args.max_problems, |item| items.push(item.clone())) {
        Ok(s) => s,
        Err(e) => return common::fail(&e),
    };
    // The first problem, if any: the listing says where, stderr that the tape is out of spec.
    let first_problem = items.iter().find_map(|i| match i {
        DumpItem::Error { object, detail, .. } => Some(format!("object {object}: {detail}")),
        DumpItem::Label {
            object,
            name,
            error: Some(e),
            ..
        } => Some(format!("object {object}: {name}: {e}")),
        DumpItem::Problem { detail, .. } => Some(detail.clone()),
        _ => None,
    });
    let objects = summary.objects;
    let printed = if args.json {
        common::print_json(&serde_json::json!({
            "objects": objects,
            "problems": summary.problems,
            "stopped": summary.stopped,
            "items": items,
        }))
    } else {
        let rows: Vec<Vec<String>> = items
            .iter()
            .map(|item| match item {
                DumpItem::Label {
                    object,
                    name,
                    text,
                    error,
                } => vec![
                    object.to_string(),
                    (*name).to_owned(),
                    match error {
                        Some(e) => format!("INVALID: {e} | {text}"),
                        None => describe_label(text),
                    },
                ],
                DumpItem::TapeMark { object, count } => vec![
                    object.to_string(),
                    "TM".into(),
                    if *count > 1 {
                        format!("{count} tape marks")
                    } else {
                        String::new()
                    },
                ],
                DumpItem::Problem { detail, .. } => vec![String::new(), "PROBLEM".into(), detail.clone()],
                DumpItem::Data {
                    object,
                    blocks,
                    size,
                    adler32,
                    largest_block,
                } => vec![
                    object.to_string(),
                    "DATA".into(),
                    format!("{blocks} blocks, {size} bytes, adler32 {adler32:08x}, largest block {largest_block}"),
                ],
                DumpItem::Error { object, detail, fatal } => vec![
                    object.to_string(),
                    "ERROR".into(),
                    format!("{detail}{}", if *fatal { " (cannot read further)" } else { "" }),
                ],
            })
            .collect();
        let mut text = common::table(&["object", "kind", "detail"], &rows);
        text.push_str(&format!("{objects} objects, {} problem(s)\n", summary.problems));
        common::print(&text)
    };
    if let Err(exit) = printed {
        return exit;
    }
    match first_problem {
        Some(e) => {
            let more = summary.problems.saturating_sub(1);
            let tail = if more > 0 {
                format!(" (and {more} more problem(s))")
            } else {
                String::new()
            };
            output::error(&format!("out of CTA's layout: {e}{tail}"));
            Exit::Failure
        }
        None => Exit::Success,
    }
}
