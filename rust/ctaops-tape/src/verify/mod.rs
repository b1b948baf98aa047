//! Read-back verification of a tape against its catalogue listing.
//!
//! Two threads: the walker reads records (labels checked, problems written down) and sends data
//! blocks through a bounded channel; the calling thread computes Adler-32, classifies each file
//! and reports progress. Buffers circulate between the two, so memory stays at
//! `depth` blocks whatever the tape size.

mod catalogue;
mod report;
mod select;
mod walker;

use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use ctaops_core::checksum::{ChecksumEntry, Checksummer, adler32};

pub use catalogue::{Catalogue, CatalogueEntry, entries_from_records, parse_tapefile_ls};
pub use report::{FileReport, FileStatus, Progress, Summary, VerifyReport, VolumeInfo, checksum_hex};
pub use select::{READ_TIME_RATE, Selection, select};

use crate::device::TapeDevice;
use crate::error::{Result, TapeError};
use crate::format::{BLOCK_SIZE, block_id_for, placeholder_kind};
use walker::{FileEnd, FileStart, Msg, Walker};

/// What to verify.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    pub vid: String,
    /// The catalogue listing; without one, files are checked for structure and read back only.
    pub catalogue: Option<Vec<CatalogueEntry>>,
    pub selection: Selection,
    /// Blocks in flight between reader and checksummer (memory: `depth + 1` blocks).
    pub depth: usize,
}

impl VerifyOptions {
    #[must_use]
    pub fn new(vid: &str) -> Self {
        Self {
            vid: vid.to_owned(),
            catalogue: None,
            selection: Selection::default(),
            depth: 8,
        }
    }
}

/// Bytes of a file's first block kept to recognise placeholders.
const HEAD_KEEP: usize = 128;
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

struct Current {
    start: FileStart,
    size: u64,
    adler: u32,
    /// The catalogue's other checksums of this file and their running values.
    others: Vec<(ChecksumEntry, Checksummer)>,
    head: Vec<u8>,
}

struct Collector<'a> {
    catalogue: Option<&'a Catalogue>,
    files: Vec<FileReport>,
    reported: Vec<bool>,
    tape_errors: Vec<String>,
    /// Why the walker stopped before reading the files (wrong or missing VOL1).
    abandoned: Option<String>,
    volume: Option<VolumeInfo>,
    current: Option<Current>,
    bytes: u64,
    files_total: Option<u64>,
    bytes_total: Option<u64>,
    started: Instant,
    last_progress: Instant,
}

impl Collector<'_> {
    fn progress(&self) -> Progress {
        let elapsed = self.started.elapsed().as_secs_f64();
        let rate = if elapsed > 0.0 {
            self.bytes as f64 / elapsed
        } else {
            0.0
        };
        let eta = self
            .bytes_total
            .filter(|_| rate > 0.0)
            .map(|total| total.saturating_sub(self.bytes) as f64 / rate);
        Progress {
            files_done: self.files.len() as u64,
            files_total: self.files_total,
            bytes_done: self.bytes,
            bytes_total: self.bytes_total,
            elapsed_seconds: elapsed,
            bytes_per_second: rate,
            eta_seconds: eta,
        }
    }

    /// Checksums one data block of the current file.
    fn block(&mut self, data: &[u8], progress: &mut Option<&mut dyn FnMut(&Progress)>) {
        let n = data.len();
        if let Some(cur) = &mut self.current {
            cur.adler = adler32(cur.adler, data);
            for (_, sum) in &mut cur.others {
                sum.update(data);
            }
            cur.size += n as u64;
            if cur.head.len() < HEAD_KEEP {
                let take = (HEAD_KEEP - cur.head.len()).min(n);
                cur.head.extend_from_slice(&data[..take]);
            }
        }
        self.bytes += n as u64;
        if let Some(cb) = progress.as_mut()
            && self.last_progress.elapsed() >= PROGRESS_EVERY
        {
            self.last_progress = Instant::now();
            cb(&self.progress());
        }
    }

    fn entry(&self, i: usize) -> Option<&CatalogueEntry> {
        self.catalogue.map(|c| &c.entries()[i])
    }

    fn entry_report(&mut self, i: usize, status: FileStatus, detail: String, position: Option<u64>) {
        let Some(e) = self.entry(i).cloned() else { return };
        self.reported[i] = true;
        self.files.push(FileReport {
            fseq: e.fseq,
            archive_id: Some(e.archive_id),
            block_id: Some(e.block_id),
            size: 0,
            expected_size: Some(e.size),
            checksum: None,
            expected_checksum: e.adler32.map(checksum_hex),
            status,
            detail,
            position,
            blocks: 0,
        });
    }

    fn finish_file(&mut self, end: &FileEnd) {
        let Some(cur) = self.current.take() else { return };
        let entry = cur.start.entry.and_then(|i| self.entry(i).cloned());
        let mut detail: Vec<String> = end.data_issues.clone();
        detail.extend(end.header_issues.iter().cloned());
        let (header_bad, data_bad) = (!end.header_issues.is_empty(), !end.data_issues.is_empty());
        let placeholder = if end.blocks == 1 {
            placeholder_kind(&cur.head)
        } else {
            None
        };
        let status = if data_bad {
            FileStatus::Unreadable
        } else if let Some(e) = &entry {
            // What was read is compared even when the labels are damaged: lost or extra data
            // must show as such, not only as a label problem.
            let size_bad = e.size != cur.size;
            if size_bad {
                detail.push(format!("read {} bytes, catalogue says {}", cur.size, e.size));
            }
            let mut sum_bad = false;
            if let Some(want) = e.adler32
                && want != cur.adler
            {
                sum_bad = true;
                detail.push(format!(
                    "Adler-32 {} read, catalogue says {}",
                    checksum_hex(cur.adler),
                    checksum_hex(want)
                ));
            }
            for (want, sum) in cur.others {
                let got = sum.finish();
                if got.to_hex() != want.to_hex() {
                    sum_bad = true;
                    detail.push(format!(
                        "{} {} read, catalogue says {}",
                        want.kind,
                        got.to_hex(),
                        want.to_hex()
                    ));
                }
            }
            if size_bad {
                FileStatus::SizeMismatch
            } else if sum_bad {
                FileStatus::ChecksumMismatch
            } else if header_bad {
                FileStatus::HeaderError
            } else if e.has_checksum() {
                FileStatus::Ok
            } else {
                detail.push("size matches; the catalogue lists no checksum to compare with".into());
                FileStatus::NoChecksum
            }
        } else if header_bad {
            FileStatus::HeaderError
        } else if let Some(kind) = placeholder {
            detail.push(format!("placeholder for a {kind}"));
            FileStatus::Placeholder
        } else if self.catalogue.is_none() {
            detail.push("read back; no catalogue to compare with".into());
            FileStatus::Ok
        } else {
            detail.push("on the tape but not in the catalogue".into());
            FileStatus::Unexpected
        };
        if let Some(i) = cur.start.entry {
            self.reported[i] = true;
        }
        self.files.push(FileReport {
            fseq: cur.start.fseq,
            archive_id: entry.as_ref().map(|e| e.archive_id).or(cur.start.archive_id),
            block_id: Some(
                entry
                    .as_ref()
                    .map_or_else(|| block_id_for(cur.start.fseq, cur.start.position), |e| e.block_id),
            ),
            size: cur.size,
            expected_size: entry.as_ref().map(|e| e.size),
            checksum: Some(checksum_hex(cur.adler)),
            expected_checksum: entry.as_ref().and_then(|e| e.adler32).map(checksum_hex),
            status,
            detail: detail.join("; "),
            position: Some(cur.start.position),
            blocks: end.blocks,
        });
    }
}

/// Verifies a tape. Problems on the tape are classified in the report, never returned as
/// errors; `Err` only means the options themselves are unusable.
pub fn verify_tape(
    dev: &mut (dyn TapeDevice + Send),
    opts: &VerifyOptions,
    mut progress: Option<&mut dyn FnMut(&Progress)>,
) -> Result<VerifyReport> {
    if opts.catalogue.as_ref().is_some_and(Vec::is_empty) {
        return Err(TapeError::InvalidArgument(format!(
            "the catalogue listing has no files on {}: nothing to compare with (leave the listing out to check the tape's structure only)",
            opts.vid
        )));
    }
    let catalogue = opts.catalogue.clone().map(Catalogue::new).transpose()?;
    if catalogue.is_none() && !opts.selection.is_all() {
        return Err(TapeError::InvalidArgument(
            "selecting files (fSeq list, first, last, random, data size) needs the catalogue listing".into(),
        ));
    }
    let (selected, not_listed) = match &catalogue {
        Some(c) if !opts.selection.is_all() => {
            let (s, n) = select(c, &opts.selection);
            (Some(s), n)
        }
        _ => (None, Vec::new()),
    };
    let depth = opts.depth.max(1);
    let (tx, rx) = sync_channel::<Msg>(depth);
    let (free_tx, free_rx) = sync_channel::<Vec<u8>>(depth + 1);
    for _ in 0..=depth {
        let _ = free_tx.send(vec![0u8; BLOCK_SIZE]);
    }
    let n_entries = catalogue.as_ref().map_or(0, Catalogue::len);
    let (files_total, bytes_total) = match (&catalogue, &selected) {
        (Some(c), Some(s)) => (Some(s.len() as u64), Some(s.iter().map(|&i| c.entries()[i].size).sum())),
        (Some(c), None) => (Some(c.len() as u64), Some(c.entries().iter().map(|e| e.size).sum())),
        _ => (None, None),
    };
    let now = Instant::now();
    let mut col = Collector {
        catalogue: catalogue.as_ref(),
        files: Vec::new(),
        reported: vec![false; n_entries],
        tape_errors: Vec::new(),
        abandoned: None,
        volume: None,
        current: None,
        bytes: 0,
        files_total,
        bytes_total,
        started: now,
        last_progress: now,
    };
    let walker_panicked = std::thread::scope(|s| {
        let mut walker = Walker {
            dev,
            tx,
            free: free_rx,
            vid: &opts.vid,
            catalogue: catalogue.as_ref(),
            scratch: vec![0u8; BLOCK_SIZE],
            obj: 0,
            seen: vec![false; n_entries],
            stray: None,
            spare: None,
            hung_up: false,
        };
        let selected = selected.as_deref();
        let handle = s.spawn(move || match selected {
            Some(sel) => walker.walk_selected(sel),
            None => walker.walk_all(),
        });
        for msg in rx {
            match msg {
                Msg::Volume(v) => col.volume = Some(v),
                Msg::TapeError(t) => col.tape_errors.push(t),
                Msg::Abandoned(why) => col.abandoned = Some(why),
                Msg::Start(start) => {
                    let others = start
                        .entry
                        .and_then(|i| col.entry(i))
                        .map(|e| {
                            e.other_checksums
                                .iter()
                                .filter_map(|c| Checksummer::new(c.kind).ok().map(|s| (c.clone(), s)))
                                .collect()
                        })
                        .unwrap_or_default();
                    col.current = Some(Current {
                        start,
                        size: 0,
                        adler: 1,
                        others,
                        head: Vec::new(),
                    });
                }
                Msg::Block(buf, n) => {
                    col.block(&buf[..n], &mut progress);
                    let _ = free_tx.send(buf);
                }
                Msg::Shared(block) => col.block(block.as_slice(), &mut progress),
                Msg::End(end) => {
                    col.finish_file(&end);
                    if let Some(cb) = progress.as_mut() {
                        cb(&col.progress());
                    }
                }
                Msg::Failed {
                    entry,
                    status,
                    detail,
                    position,
                } => col.entry_report(entry, status, detail, position),
            }
        }
        handle.join().is_err()
    });
    if walker_panicked {
        col.tape_errors
            .push("internal error: the tape reader stopped unexpectedly".into());
    }
    // Catalogue files never met on the tape.
    let wanted: Vec<usize> = selected.unwrap_or_else(|| (0..n_entries).collect());
    let why_missing = col
        .abandoned
        .clone()
        .unwrap_or_else(|| "in the catalogue, not found on the tape".into());
    for i in wanted {
        if !col.reported[i] {
            col.entry_report(i, FileStatus::Missing, why_missing.clone(), None);
        }
    }
    for fseq in not_listed {
        col.files.push(FileReport {
            fseq,
            archive_id: None,
            block_id: None,
            size: 0,
            expected_size: None,
            checksum: None,
            expected_checksum: None,
            status: FileStatus::Missing,
            detail: format!("fSeq {fseq} is not in the catalogue listing"),
            position: None,
            blocks: 0,
        });
    }
    col.files.sort_by_key(|f| (f.fseq, f.position));
    let seconds = col.started.elapsed().as_secs_f64();
    let mut counts = std::collections::BTreeMap::new();
    for s in FileStatus::ALL {
        counts.insert(s.as_str(), 0);
    }
    for f in &col.files {
        *counts.entry(f.status.as_str()).or_insert(0) += 1;
    }
    let summary = Summary {
        files: col.files.len() as u64,
        counts,
        bytes: col.bytes,
        expected_bytes: col.files.iter().filter_map(|f| f.expected_size).sum(),
        seconds,
        bytes_per_second: if seconds > 0.0 { col.bytes as f64 / seconds } else { 0.0 },
    };
    if let Some(cb) = progress.as_mut() {
        cb(&col.progress());
    }
    Ok(VerifyReport {
        vid: opts.vid.clone(),
        volume: col.volume,
        files: col.files,
        tape_errors: col.tape_errors,
        summary,
    })
}
