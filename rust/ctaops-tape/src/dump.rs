//! A structural listing of a whole tape: every label, tape mark and run of data blocks.

use ctaops_core::checksum::adler32;

use crate::device::{Record, TapeDevice};
use crate::format::BLOCK_SIZE;
use crate::label::{Label, label_name};

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
    TapeMark {
        object: u64,
    },
    /// Consecutive data blocks between two tape marks.
    Data {
        object: u64,
        blocks: u64,
        size: u64,
        adler32: u32,
        largest_block: u64,
    },
    /// A record that could not be read; `fatal` when nothing after it can be reached.
    Error {
        object: u64,
        detail: String,
        fatal: bool,
    },
}

/// Reads a tape from BOT to end of data.
pub fn dump(dev: &mut dyn TapeDevice, mut on_item: impl FnMut(&DumpItem)) -> crate::Result<u64> {
    dev.rewind()?;
    let mut buf = vec![0u8; crate::device::MAX_RECORD_LEN];
    let mut object = 0u64;
    let mut run: Option<DumpItem> = None;
    let flush = |run: &mut Option<DumpItem>, on_item: &mut dyn FnMut(&DumpItem)| {
        if let Some(item) = run.take() {
            on_item(&item);
        }
    };
    loop {
        let rec = dev.read_record(&mut buf);
        match rec {
            Ok(Record::Data(n)) if label_name(&buf[..n]).is_some() => {
                flush(&mut run, &mut on_item);
                let (name, error) = match Label::parse_any(&buf[..n]) {
                    Ok(Some(l)) => (l.name(), None),
                    Ok(None) => ("?", None),
                    Err(e) => (label_name(&buf[..n]).unwrap_or("?"), Some(e.to_string())),
                };
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                on_item(&DumpItem::Label {
                    object,
                    name,
                    text,
                    error,
                });
            }
            Ok(Record::Data(n)) => {
                let data = &buf[..n];
                match &mut run {
                    Some(DumpItem::Data {
                        blocks,
                        size,
                        adler32: a,
                        largest_block,
                        ..
                    }) => {
                        *blocks += 1;
                        *size += n as u64;
                        *a = adler32(*a, data);
                        *largest_block = (*largest_block).max(n as u64);
                    }
                    _ => {
                        run = Some(DumpItem::Data {
                            object,
                            blocks: 1,
                            size: n as u64,
                            adler32: adler32(1, data),
                            largest_block: n as u64,
                        });
                    }
                }
            }
            Ok(Record::TapeMark) => {
                flush(&mut run, &mut on_item);
                on_item(&DumpItem::TapeMark { object });
            }
            Ok(Record::EndOfData) => break,
            Err(e) => {
                flush(&mut run, &mut on_item);
                let fatal = !e.is_recoverable();
                on_item(&DumpItem::Error {
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
    }
    flush(&mut run, &mut on_item);
    // Shrink early: a dump can run over many tapes in one process.
    buf.truncate(BLOCK_SIZE);
    Ok(object)
}
