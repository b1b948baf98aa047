//! `-q D|L|P|S|V`: cta-smc's query tables (the JSON forms are in `json.rs`).

use ctaops_scsi::cdb::ElementType;
use ctaops_scsi::changer::Inventory;
use ctaops_scsi::element::ElementStatus;

use super::backend::Backend;
use super::options::Args;
use super::{Failure, Res, header, json, out, parse_num};

pub(super) fn run(b: &mut Backend, args: &Args, q: &str) -> Res<()> {
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

fn query_library(b: &mut Backend, as_json: bool) -> Res<()> {
    let inq = b.changer.inquiry()?;
    let a = b.changer.address_assignment()?;
    if as_json {
        return out(&json::library(&inq, &a));
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
pub(super) fn drive_status(e: &ElementStatus, spectra_like: bool) -> &'static str {
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
        return out(&json::drives(&rows, spectra));
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

pub(super) fn port_state(e: &ElementStatus) -> &'static str {
    match (e.full, e.impexp) {
        (false, _) => "",
        (true, false) => "export",
        (true, true) => "import",
    }
}

fn query_ports(inv: &Inventory, as_json: bool) -> Res<()> {
    if as_json {
        return out(&json::ports(&inv.ports));
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
        return out(&json::slots(&rows));
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

pub(super) fn element_type_name(e: &ElementStatus) -> &'static str {
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
        return out(&json::volumes(&rows));
    }
    let mut s = header("Vid\tElement Addr.\tElement Type");
    for e in rows {
        s.push_str(&format!("{}\t    {:4}\t{}\n", e.vid(), e.address, element_type_name(e)));
    }
    out(&s)
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
}
