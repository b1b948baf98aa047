//! The standalone tools of cta-interfaces.md §2 against the simulator: `cta-tape-label`,
//! `cta-readtp`, `cta-statistics-update`. Each takes the real tool's command line and returns its
//! exit status; `DIR/bin/<tool>` runs them through `ctaops sim <tool> --instance DIR -- ARGS`.

pub mod label;
pub mod readtp;
pub mod stats;

use std::io::Write;

/// How the CmdLineTool-based CTA tools end: `Aborting: <message>` on stderr and exit 1 on any error.
pub(crate) fn exit_status(result: crate::error::Result<()>, stderr: &mut dyn Write) -> u8 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(stderr, "Aborting: {e}");
            1
        }
    }
}

/// One line in CTA's `StdoutLogger` format (`common/log/StdoutLogger.cpp`): date, host, program,
/// `LVL`, `PID`, `TID`, `MSG`, then the parameters sorted by key, `"` replaced by `'`.
pub fn log_line(out: &mut dyn Write, program: &str, level: &str, msg: &str, params: &[(&str, String)]) {
    let fmt =
        time::macros::format_description!("[month repr:short] [day] [hour]:[minute]:[second].[subsecond digits:9]");
    let when = time::OffsetDateTime::now_utc().format(fmt).unwrap_or_default();
    let (_, host) = crate::instance::caller();
    let pid = std::process::id();
    let clean = |s: &str| s.replace('"', "'").replace(['\t', '\n'], " ");
    let mut line = format!(
        "{when} {host} {program}: LVL=\"{level}\" PID=\"{pid}\" TID=\"{pid}\" MSG=\"{}\"",
        clean(msg)
    );
    let mut sorted: Vec<&(&str, String)> = params.iter().collect();
    sorted.sort_by_key(|(k, _)| *k);
    for (k, v) in sorted {
        line.push_str(&format!(" {k}=\"{}\"", clean(v)));
    }
    let _ = writeln!(out, "{line}");
}
