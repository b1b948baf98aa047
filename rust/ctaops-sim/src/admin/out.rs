//! cta-admin's stdout: `--json` streamed array, `--jsonl` lines, or the tabular default (§1.5, §1.9).

use std::any::Any;
use std::io::{self, Write};

use ctaops_core::admin::Framing;
use ctaops_core::admin::tapefile::TapeFile;
use ctaops_grpc::direct::tapefile_from_view;
use ctaops_grpc::tapefile_wire::TapeFileView;
use serde::Serialize;

/// Receives each record as it is produced instead of printing it (the gRPC server's path).
pub trait RecordSink {
    /// A typed record: itself, to downcast for a direct conversion, and its JSON form on demand.
    ///
    /// # Errors
    /// Stops the listing (e.g. the client went away).
    fn record(&mut self, rec: &dyn Any, json: &dyn Fn() -> serde_json::Result<serde_json::Value>) -> io::Result<()>;

    /// A `tapefile ls` record as its catalogue row holds it. By default as the typed record; a
    /// sink that can encode the fields where they lie does so (millions of rows per tape).
    ///
    /// # Errors
    /// As [`RecordSink::record`].
    fn tape_file(&mut self, view: &TapeFileView<'_>) -> io::Result<()> {
        let t = tapefile_from_view(view);
        self.record(&t, &|| serde_json::to_value(&t))
    }
}

/// Where a listing's records go when they are not printed.
pub type Sink<'s> = &'s mut dyn RecordSink;

/// Collects records and writes them in the requested framing.
pub struct Out<'a> {
    w: &'a mut dyn Write,
    framing: Option<Framing>,
    n: usize,
    header: &'static [&'static str],
    rows: Vec<Vec<String>>,
    sink: Option<Sink<'a>>,
}

impl<'a> Out<'a> {
    pub fn new(w: &'a mut dyn Write, framing: Option<Framing>) -> Self {
        Self {
            w,
            framing,
            n: 0,
            header: &[],
            rows: Vec::new(),
            sink: None,
        }
    }

    /// Hands every record to `sink` instead of printing it (`w` is then left untouched).
    pub fn with_sink(w: &'a mut dyn Write, sink: Sink<'a>) -> Self {
        let mut out = Self::new(w, None);
        out.sink = Some(sink);
        out
    }

    /// Sets the tabular header (only used without `--json`/`--jsonl`).
    pub fn header(&mut self, h: &'static [&'static str]) {
        self.header = h;
    }

    /// One record; `row` gives its table cells when printing a table.
    pub fn emit<T: Serialize + Any>(&mut self, rec: &T, row: impl FnOnce(&T) -> Vec<String>) -> io::Result<()> {
        if let Some(sink) = self.sink.as_mut() {
            self.n += 1;
            return sink.record(rec, &|| serde_json::to_value(rec));
        }
        match self.framing {
            Some(Framing::Json) => {
                self.w.write_all(if self.n == 0 { b"[" } else { b"," })?;
                serde_json::to_writer(&mut *self.w, rec)?;
            }
            Some(Framing::JsonLines) => {
                serde_json::to_writer(&mut *self.w, rec)?;
                self.w.write_all(b"\n")?;
            }
            None => self.rows.push(row(rec)),
        }
        self.n += 1;
        Ok(())
    }

    /// A `tapefile ls` record from its catalogue row: a sink takes the fields as they lie,
    /// printing goes through the typed record as for [`Out::emit`].
    pub fn emit_tape_file(
        &mut self,
        view: &TapeFileView<'_>,
        row: impl FnOnce(&TapeFile) -> Vec<String>,
    ) -> io::Result<()> {
        if let Some(sink) = self.sink.as_mut() {
            self.n += 1;
            return sink.tape_file(view);
        }
        self.emit(&tapefile_from_view(view), row)
    }

    /// Closes the array or prints the table.
    pub fn finish(self) -> io::Result<()> {
        if self.sink.is_some() {
            return Ok(());
        }
        match self.framing {
            Some(Framing::Json) => self.w.write_all(if self.n == 0 { b"[]\n" } else { b"]\n" }),
            Some(Framing::JsonLines) => Ok(()),
            None => write_table(self.w, self.header, &self.rows),
        }
    }
}

/// Right-aligned columns, one space apart, each line with a trailing space; empty cells are `-`;
/// the last column is left-aligned when it is `comment`, `path` or `reason`.
fn write_table(w: &mut dyn Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    if header.is_empty() && rows.is_empty() {
        return Ok(());
    }
    let cell = |s: &str| {
        if s.is_empty() || s == "NoMount" {
            "-".to_owned()
        } else {
            s.to_owned()
        }
    };
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            let l = cell(c).chars().count();
            if i >= widths.len() {
                widths.push(l);
            } else if widths[i] < l {
                widths[i] = l;
            }
        }
    }
    let left_last = matches!(header.last().copied(), Some("comment" | "path" | "reason"));
    let mut line = |cells: Vec<String>| -> io::Result<()> {
        let mut s = String::new();
        let last = cells.len().saturating_sub(1);
        for (i, c) in cells.iter().enumerate() {
            let wdt = widths.get(i).copied().unwrap_or(0);
            if i == last && left_last {
                s.push_str(&format!("{c:<wdt$} "));
            } else {
                s.push_str(&format!("{c:>wdt$} "));
            }
        }
        s.push('\n');
        w.write_all(s.as_bytes())
    };
    line(header.iter().map(|h| (*h).to_owned()).collect())?;
    for r in rows {
        line(r.iter().map(|c| cell(c)).collect())?;
    }
    Ok(())
}

/// Sizes as cta-admin prints them: raw below 1000, else one decimal with K M G T P E.
#[must_use]
pub fn size(v: u64) -> String {
    if v < 1000 {
        return v.to_string();
    }
    let mut f = v as f64;
    let mut unit = 0;
    while f >= 1000.0 && unit < 6 {
        f /= 1000.0;
        unit += 1;
    }
    format!("{f:.1}{}", ["", "K", "M", "G", "T", "P", "E"][unit])
}

/// Unix seconds as `YYYY-MM-DD HH:MM` (UTC in the simulator).
#[must_use]
pub fn time(t: u64) -> String {
    if t == 0 {
        return String::new();
    }
    let days = t / 86_400;
    let (h, m) = ((t % 86_400) / 3600, (t % 3600) / 60);
    // civil-from-days (Howard Hinnant's algorithm)
    let z = i64::try_from(days).unwrap_or(0) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{m:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(size(999), "999");
        assert_eq!(size(3_100_000_000), "3.1G");
        assert_eq!(time(0), "");
        assert_eq!(time(1_700_000_000), "2023-11-14 22:13");
    }
}
