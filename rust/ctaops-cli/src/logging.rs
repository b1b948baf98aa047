//! Log set-up for the binaries: upstream's text line format, or JSON lines, always on stderr.

use std::fmt;

use time::OffsetDateTime;
use time::macros::format_description;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// `YYYY-MM-DD HH:MM:SS [LEVEL] [target] message`, the line format of the upstream ops tools.
struct OpsLineFormat;

impl<S, N> FormatEvent<S, N> for OpsLineFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let now = OffsetDateTime::now_utc();
        let stamp = now
            .format(format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"))
            .map_err(|_| fmt::Error)?;
        let meta = event.metadata();
        write!(writer, "{stamp} [{}] [{}] ", meta.level(), meta.target())?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// One formatted event on its way to stderr, credentials masked (the formatter hands over a
/// whole event before it drops the writer).
#[derive(Default)]
struct MaskedLine(Vec<u8>);

impl std::io::Write for MaskedLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.0);
        let masked = ctaops_core::redact::mask_credentials(&text);
        let out = std::io::stderr().lock().write_all(masked.as_bytes());
        self.0.clear();
        out
    }
}

impl Drop for MaskedLine {
    fn drop(&mut self) {
        let _ = std::io::Write::flush(self);
    }
}

/// Installs the global subscriber once; `RUST_LOG` overrides the verbosity flags.
pub fn init(verbose: u8, json: bool) {
    let level = match verbose {
        0 => Level::WARN,
        1 => Level::INFO,
        2 => Level::DEBUG,
        _ => Level::TRACE,
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level.as_str()));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Colour codes only for a person at a terminal, never into log files or pipes.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(MaskedLine::default);
    // try_init: when embedded in Python a subscriber may already exist; keep it.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.event_format(OpsLineFormat).try_init()
    };
}
