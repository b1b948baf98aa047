//! stdout/stderr helpers: data goes to stdout, diagnostics to stderr, one line per error.
//!
//! A reader that stops reading (`ctaops … | head -1`) is not an error. Rust ignores SIGPIPE, so
//! a write to the closed pipe returns `BrokenPipe`; every stdout write goes through here, which
//! remembers it, and [`crate::run`] then ends the command quietly with exit 0.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::exit::Exit;

/// Prints `error: <message>` on stderr, as one line, credentials masked; nothing once the
/// reader of stdout has gone (all there is to say then is that the pipe broke).
pub fn error(message: &dyn std::fmt::Display) {
    if stdout_closed() {
        return;
    }
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

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// True when a write failed only because the reader went away (`ctaops … | head`).
pub fn is_broken_pipe(e: &io::Error) -> bool {
    let broken = e.kind() == io::ErrorKind::BrokenPipe;
    if broken {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
    broken
}

/// True once a stdout write found the reader gone.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// stdout for code that writes through `&mut dyn Write` (the simulator's cta-admin and tools):
/// once the reader has gone every write fails with `BrokenPipe`, so the producer stops, and the
/// closure is remembered.
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if stdout_closed() {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        io::stdout().lock().write(buf).inspect_err(|e| {
            is_broken_pipe(e);
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        if stdout_closed() {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        io::stdout().lock().flush().inspect_err(|e| {
            is_broken_pipe(e);
        })
    }
}

/// stderr for the same code: silent once stdout is closed, because all it would add then is
/// that the pipe broke.
pub struct Stderr;

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if stdout_closed() {
            return Ok(buf.len());
        }
        io::stderr().lock().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().lock().flush()
    }
}

/// Writes `text` to stdout. A reader that went away (`ctaops … | head -1`) is not an error: it
/// stops the command quietly with success, `Err(Exit::Success)`; any other write error is
/// reported and is `Err(Exit::Failure)`.
pub fn print(text: &str) -> Result<(), Exit> {
    write_stdout(text.as_bytes())
}

/// [`print`] for bytes (file names need not be UTF-8).
pub fn write_stdout(bytes: &[u8]) -> Result<(), Exit> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| stdout_error(&e))
}

/// The exit a failed stdout write ends the command with: success for a closed pipe.
pub fn stdout_error(e: &io::Error) -> Exit {
    if is_broken_pipe(e) {
        Exit::Success
    } else {
        error(e);
        Exit::Failure
    }
}
