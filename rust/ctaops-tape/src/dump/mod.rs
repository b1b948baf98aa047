//! A structural listing of a whole tape: every label, run of tape marks and run of data blocks,
//! with every departure from CTA's layout reported where it occurs.

mod layout;

use ctaops_core::checksum::adler32;

use crate::device::{Record, TapeDevice};
use crate::format::BLOCK_SIZE;
use crate::label::{Label, label_name};
use layout::{Layout, Token};

/// Problems after which a dump stops reading: past this the medium is not a CTA tape in any
/// useful sense, and an image of zeros or noise would otherwise list millions of lines.
pub const DEFAULT_MAX_PROBLEMS: u64 = 100;

/// One entry of a dump, in tape order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DumpItem {
    /// An 80-byte label record: its text, and why CTA's reader would refuse it (if it would).
    Label {
        object: u64,
        name: &'static str,
        text: String,
        error: Option<String>,
    },
    /// `count` consecutive tape marks from `object` (one, except on a damaged tape).
    TapeMark { object: u64, count: u64 },
    /// Consecutive data blocks between two tape marks.
    Data {
        object: u64,
        blocks: u64,
        size: u64,
        adler32: u32,
        largest_block: u64,
    },
    /// A record that could not be read; `fatal` when nothing after it can be reached.
    Error { object: u64, detail: String, fatal: bool },
    /// The record at `object` is not where CTA's layout puts it, or contradicts an earlier label.
    Problem { object: u64, detail: String },
}

/// What a dump read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DumpSummary {
    /// Objects read (records and tape marks).
    pub objects: u64,
    /// Layout problems, invalid labels and read errors.
    pub problems: u64,
    /// True when the dump stopped before the end of data because of `max_problems`.
    pub stopped: bool,
}

/// The run being collected: data blocks or tape marks.
struct Runs<'f> {
    run: Option<DumpItem>,
    on_item: &'f mut dyn FnMut(&DumpItem),
}

impl Runs<'_> {
    fn flush(&mut self) {
        if let Some(item) = self.run.take() {
            (self.on_item)(&item);
        }
    }

    fn emit(&mut self, item: &DumpItem) {
        self.flush();
        (self.on_item)(item);
    }

    fn mark(&mut self, object: u64) {
        if let Some(DumpItem::TapeMark { count, .. }) = &mut self.run {
            *count += 1;
            return;
        }
        self.flush();
        self.run = Some(DumpItem::TapeMark { object, count: 1 });
    }

    fn data(&mut self, object: u64, data: &[u8]) {
        let n = data.len() as u64;
        if let Some(DumpItem::Data {
            blocks,
            size,
            adler32: a,
            largest_block,
            ..
        }) = &mut self.run
        {
            *blocks += 1;
            *size += n;
            *a = adler32(*a, data);
            *largest_block = (*largest_block).max(n);
            return;
        }
        self.flush();
        self.run = Some(DumpItem::Data {
            object,
            blocks: 1,
            size: n,
            adler32: adler32(1, data),
            largest_block: n,
        });
    }
}

/// Reads a tape from BOT to end of data (or until more than `max_problems` problems).
pub fn dump(
    dev: &mut dyn TapeDevice,
    max_problems: u64,
    mut on_item: impl FnMut(&DumpItem),
) -> crate::Result<DumpSummary> {
    dev.rewind()?;
    let mut buf = vec![0u8; crate::device::MAX_RECORD_LEN];
    let mut object = 0u64;
    let mut problems = 0u64;
    let mut stopped = false;
    let mut layout = Layout::new();
    let mut runs = Runs {
        run: None,
        on_item: &mut on_item,
    };
    loop {
        let rec = dev.read_record(&mut buf);
        // A problem is listed just before the record it is about.
        let mut report = |problem: Option<String>, runs: &mut Runs<'_>| {
            if let Some(detail) = problem {
                problems += 1;
                runs.emit(&DumpItem::Problem { object, detail });
            }
        };
        match rec {
            Ok(Record::Data(n)) if label_name(&buf[..n]).is_some() => {
                let name = label_name(&buf[..n]).unwrap_or("?");
                let parsed = Label::parse_any(&buf[..n]);
                report(layout.record(object, &Token::Label(name, &parsed)), &mut runs);
                let error = parsed.as_ref().err().map(ToString::to_string);
                problems += u64::from(error.is_some());
                runs.emit(&DumpItem::Label {
                    object,
                    name,
                    text: String::from_utf8_lossy(&buf[..n]).into_owned(),
                    error,
                });
            }
            Ok(Record::Data(n)) => {
                report(layout.record(object, &Token::Data(&buf[..n])), &mut runs);
                runs.data(object, &buf[..n]);
            }
            Ok(Record::TapeMark) => {
                report(layout.record(object, &Token::TapeMark), &mut runs);
                runs.mark(object);
            }
            Ok(Record::EndOfData) => {
                report(layout.record(object, &Token::End), &mut runs);
                if let Some(n) = dev.bytes_past_end() {
                    report(
                        Some(format!(
                            "object {object}: end-of-medium marker with {n} more bytes after it (unreachable by any drive)"
                        )),
                        &mut runs,
                    );
                }
                break;
            }
            Err(e) => {
                problems += 1;
                let fatal = !e.is_recoverable();
                runs.emit(&DumpItem::Error {
                    object,
                    detail: e.to_string(),
                    fatal,
                });
                if fatal {
                    break;
                }
            }
        }
        object += 1;
        if problems + layout.folded > max_problems {
            problems += layout.folded;
            runs.emit(&DumpItem::Problem {
                object,
                detail: format!("more than {max_problems} problems: stopped reading at object {object}"),
            });
            stopped = true;
            break;
        }
    }
    if !stopped {
        problems += layout.folded;
    }
    runs.flush();
    // Shrink early: a dump can run over many tapes in one process.
    buf.truncate(BLOCK_SIZE);
    Ok(DumpSummary {
        objects: object,
        problems,
        stopped,
    })
}

#[cfg(test)]
mod tests;
