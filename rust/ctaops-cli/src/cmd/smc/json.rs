//! cta-smc's `--json` output: one line, no trailing newline, keys in cta-smc's order (which is
//! why these are written by hand: serde_json would sort the keys).

use ctaops_scsi::element::{AddressAssignment, ElementRange, ElementStatus};
use ctaops_scsi::inquiry::Inquiry;

use super::query::{drive_status, element_type_name, port_state};

/// A JSON string literal.
pub(super) fn string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

fn array(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(","))
}

fn range(r: ElementRange) -> String {
    format!("{{\"count\":{},\"start\":{}}}", r.count, r.start)
}

/// `-q L --json`.
pub(super) fn library(inq: &Inquiry, a: &AddressAssignment) -> String {
    format!(
        "[{{\"inquiry\":{{\"vendor\":{},\"product\":{},\"revision\":{}}},\"transport\":{},\"slot\":{},\"port\":{},\"device\":{}}}]",
        string(&inq.vendor),
        string(&inq.product),
        string(&inq.revision),
        range(a.transport),
        range(a.storage),
        range(a.import_export),
        range(a.data_transfer)
    )
}

/// `-q D --json`: (ordinal, element) rows.
pub(super) fn drives(rows: &[(u16, &ElementStatus)], spectra_like: bool) -> String {
    array(rows.iter().map(|(o, e)| {
        format!(
            "{{\"driveOrdinal\":{o},\"elementAddress\":{},\"status\":{},\"vid\":{}}}",
            e.address,
            string(drive_status(e, spectra_like)),
            string(&e.vid())
        )
    }))
}

/// `-q P --json`. Addresses are printed with %4d, inside the JSON too, as cta-smc does.
pub(super) fn ports(ports: &[ElementStatus]) -> String {
    array(ports.iter().map(|e| {
        format!(
            "{{\"elementAddress\":{:4},\"vid\":{},\"state\":{}}}",
            e.address,
            string(&e.vid()),
            string(port_state(e))
        )
    }))
}

/// `-q S --json` (%4d addresses, as for ports).
pub(super) fn slots(rows: &[&ElementStatus]) -> String {
    array(
        rows.iter()
            .map(|e| format!("{{\"elementAddress\":{:4},\"vid\":{}}}", e.address, string(&e.vid()))),
    )
}

/// `-q V --json`.
pub(super) fn volumes(rows: &[&ElementStatus]) -> String {
    array(rows.iter().map(|e| {
        format!(
            "{{\"vid\":{},\"elementAddress\":{},\"elementType\":{}}}",
            string(&e.vid()),
            e.address,
            string(element_type_name(e))
        )
    }))
}

/// A move's report (`-m/-d/-e/-i --json`), one line each.
pub(super) fn moved(action: &str, vid: &str, from: u16, to: u16) -> String {
    format!(
        "{{\"action\":{},\"vid\":{},\"from\":{from},\"to\":{to}}}\n",
        string(action),
        string(vid)
    )
}
