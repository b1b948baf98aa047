//! stdout/stderr helpers: data goes to stdout, diagnostics to stderr, one line per error.

use std::io::{self, Write};

/// Prints `error: <message>` on stderr, as one line, credentials masked.
pub fn error(message: &dyn std::fmt::Display) {
    let text = one_line(message);
    let _ = writeln!(io::stderr().lock(), "error: {text}");
}

/// Prints `warning: <message>` on stderr, as one line, credentials masked.
pub fn warning(message: &dyn std::fmt::Display) {
    let text = one_line(message);
    let _ = writeln!(io::stderr().lock(), "warning: {text}");
}

fn one_line(message: &dyn std::fmt::Display) -> String {
    let text = message.to_string().replace('\n', " ");
    ctaops_core::redact::mask_credentials(&text).into_owned()
}

/// True when a write failed only because the reader went away (`ctaops … | head`).
pub fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}
