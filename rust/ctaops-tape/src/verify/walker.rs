//! The reader side of a verification: walks the tape, checks labels, and hands data blocks to
//! the checksum side through a bounded channel of reused buffers.
//!
//! It never stops at the first problem: every issue is written down against the file (header
//! issues or data issues) or the tape, and it moves on to the next file wherever the medium
//! lets it (resynchronising on the next HDR1).

use std::sync::mpsc::{Receiver, SyncSender};

use super::catalogue::Catalogue;
use super::report::{FileStatus, VolumeInfo};
use crate::device::{MAX_RECORD_LEN, Record, SharedBlock, SharedRecord, TapeDevice};
use crate::error::TapeError;
use crate::format::{BLOCK_SIZE, hdr1_position};
use crate::label::{Hdr1, Hdr2, LABEL_LEN, LabelError, Uhl1, Vol1, label_name};

pub(super) struct FileStart {
    pub position: u64,
    pub fseq: u64,
    pub entry: Option<usize>,
    pub archive_id: Option<u64>,
}

pub(super) struct FileEnd {
    pub header_issues: Vec<String>,
    pub data_issues: Vec<String>,
    pub blocks: u64,
}

pub(super) enum Msg {
    Volume(VolumeInfo),
    Start(FileStart),
    Block(Vec<u8>, usize),
    /// A block read without a copy (image files): a view into the page cache.
    Shared(SharedBlock),
    End(FileEnd),
    /// A selected catalogue file that could not even be started.
    Failed {
        entry: usize,
        status: FileStatus,
        detail: String,
        position: Option<u64>,
    },
    TapeError(String),
    /// Nothing more will be read, for this reason: selected files not met are reported with it.
    Abandoned(String),
}

/// A data block in hand: in a pooled buffer, or shared from the page cache.
enum Got {
    Buf(Vec<u8>, usize),
    Shared(SharedBlock),
}

impl Got {
    fn bytes(&self) -> &[u8] {
        match self {
            Self::Buf(buf, n) => &buf[..*n],
            Self::Shared(b) => b.as_slice(),
        }
    }
}

#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

const TRAILERS: [&str; 3] = ["EOF1", "EOF2", "UTL1"];

pub(super) struct Walker<'a> {
    pub dev: &'a mut (dyn TapeDevice + Send),
    pub tx: SyncSender<Msg>,
    pub free: Receiver<Vec<u8>>,
    pub vid: &'a str,
    pub catalogue: Option<&'a Catalogue>,
    pub scratch: Vec<u8>,
    pub obj: u64,
    pub seen: Vec<bool>,
    /// First object and count of stray records met between files.
    pub stray: Option<(u64, u64)>,
    pub spare: Option<Vec<u8>>,
    /// Set when the consumer went away: nothing more to do.
    pub hung_up: bool,
}

/// What is wrong with an 80-byte record that should have been a label.
fn damage(raw: &[u8]) -> String {
    let id = String::from_utf8_lossy(&raw[..4]);
    format!("identifier '{}'", id.escape_debug())
}

fn describe(rec: &Result<Record, TapeError>) -> String {
    match rec {
        Ok(Record::Data(n)) => format!("a {n}-byte block"),
        Ok(Record::TapeMark) => "a tape mark".into(),
        Ok(Record::EndOfData) => "end of data".into(),
        Err(e) => e.to_string(),
    }
}

impl Walker<'_> {
    fn send(&mut self, msg: Msg) {
        if !self.hung_up && self.tx.send(msg).is_err() {
            self.hung_up = true;
        }
    }

    fn tape_error(&mut self, text: String) {
        self.send(Msg::TapeError(text));
    }

    /// Reads one record into `buf`, keeping the object count in step with the device.
    fn read_into(dev: &mut (dyn TapeDevice + Send), buf: &mut [u8], obj: &mut u64) -> Result<Record, TapeError> {
        let rec = dev.read_record(buf);
        Self::count(&rec, obj);
        rec
    }

    /// Keeps the object count in step with the device after a read.
    fn count(rec: &Result<Record, TapeError>, obj: &mut u64) {
        match rec {
            Ok(Record::Data(_) | Record::TapeMark) => *obj += 1,
            Err(e) if e.is_recoverable() => *obj += 1,
            _ => {}
        }
    }

    /// Reads the next data-section record: zero-copy where the device allows, otherwise into a
    /// pooled buffer. `None` when the consumer has gone away.
    fn next_block(&mut self, block_size: usize) -> Option<(Result<Record, TapeError>, Option<Got>)> {
        if let Some(res) = self.dev.read_record_shared(block_size) {
            let (rec, got) = match res {
                Ok(SharedRecord::Data(b)) => (Ok(Record::Data(b.len())), Some(Got::Shared(b))),
                Ok(SharedRecord::TapeMark) => (Ok(Record::TapeMark), None),
                Ok(SharedRecord::EndOfData) => (Ok(Record::EndOfData), None),
                Err(e) => (Err(e), None),
            };
            Self::count(&rec, &mut self.obj);
            return Some((rec, got));
        }
        let mut buf = self.buffer(block_size)?;
        let rec = Self::read_into(self.dev, &mut buf[..block_size], &mut self.obj);
        if let Ok(Record::Data(n)) = rec {
            return Some((rec, Some(Got::Buf(buf, n))));
        }
        self.spare = Some(buf);
        Some((rec, None))
    }

    fn recycle(&mut self, got: Got) {
        if let Got::Buf(buf, _) = got {
            self.spare = Some(buf);
        }
    }

    fn read_scratch(&mut self) -> Result<Record, TapeError> {
        Self::read_into(self.dev, &mut self.scratch, &mut self.obj)
    }

    fn scratch_label(&self, rec: &Result<Record, TapeError>) -> Option<&'static str> {
        match rec {
            Ok(Record::Data(LABEL_LEN)) => label_name(&self.scratch[..LABEL_LEN]),
            _ => None,
        }
    }

    fn seek(&mut self, object: u64) -> Result<(), TapeError> {
        self.dev.locate(object)?;
        self.obj = object;
        Ok(())
    }

    fn buffer(&mut self, size: usize) -> Option<Vec<u8>> {
        let mut buf = match self.spare.take() {
            Some(b) => b,
            None => self.free.recv().ok()?,
        };
        if buf.len() < size {
            buf.resize(size, 0);
        }
        Some(buf)
    }

    fn flush_stray(&mut self) {
        if let Some((first, count)) = self.stray.take() {
            self.tape_error(format!(
                "objects {first}-{}: {count} data block(s) outside any file (skipped while looking for the next HDR1)",
                first + count - 1
            ));
        }
    }

    /// Reads VOL1; `Stop` when nothing on the tape can be read.
    fn check_vol1(&mut self) -> Flow {
        if let Err(e) = self.dev.rewind() {
            self.tape_error(format!("rewind failed: {e}"));
            return Flow::Stop;
        }
        self.obj = 0;
        let rec = self.read_scratch();
        match rec {
            Ok(Record::Data(n)) => match Vol1::parse(&self.scratch[..n]) {
                Ok(v) => {
                    let wrong = (!v.matches_vid(self.vid)).then(|| v.vsn.clone());
                    self.send(Msg::Volume(VolumeInfo {
                        vsn: v.vsn,
                        owner: v.owner,
                        lbp: v.lbp,
                    }));
                    if let Some(vsn) = wrong {
                        // Another cartridge: a drive would read all of it for nothing.
                        let why = format!("VOL1 VSN '{vsn}' does not match VID '{}'", self.vid);
                        self.tape_error(format!("{why}: the tape was not read further"));
                        self.send(Msg::Abandoned(format!("not read: {why}")));
                        return Flow::Stop;
                    }
                }
                Err(e) => {
                    // Not a CTA tape: reading the rest (hours on a full cartridge) would tell nothing.
                    let hint = if n == LABEL_LEN {
                        String::new()
                    } else {
                        format!(" (object 0 is a {n}-byte block; CTA writes an 80-byte VOL1 in variable-block mode)")
                    };
                    self.tape_error(format!("object 0: not a CTA tape: {e}{hint}"));
                    self.send(Msg::Abandoned("not read: no valid VOL1 on the tape".into()));
                    return Flow::Stop;
                }
            },
            Ok(Record::EndOfData) => {
                self.tape_error("the tape is blank (no VOL1)".into());
                self.send(Msg::Abandoned("not read: the tape is blank".into()));
                return Flow::Stop;
            }
            Ok(Record::TapeMark) => self.tape_error("object 0: a tape mark where VOL1 was expected".into()),
            Err(e) => {
                let fatal = !e.is_recoverable();
                self.tape_error(format!("VOL1: {e}"));
                if fatal {
                    self.send(Msg::Abandoned(format!("not read: VOL1 unreadable: {e}")));
                    return Flow::Stop;
                }
            }
        }
        Flow::Continue
    }

    /// Where a file should start (after VOL1 or a file's last tape mark, or at a catalogue
    /// blockId) and `rec` is not an HDR1: `Some` when it is the file's own header section with
    /// HDR1 damaged or lost, so the file is read and blamed alone. A record of another kind
    /// (data, trailers) is not a file start. With `lost_hdr1`, an HDR2 or UHL1 there means HDR1
    /// itself is gone (in tape order only: at a catalogue blockId it means a wrong blockId); it
    /// steps back one object to re-read it.
    fn damaged_hdr1(
        &mut self,
        pos: u64,
        rec: &Result<Record, TapeError>,
        lost_hdr1: bool,
    ) -> Option<Result<Hdr1, LabelError>> {
        match (rec, self.scratch_label(rec)) {
            (Ok(Record::Data(LABEL_LEN)), None) => Some(Hdr1::parse(&self.scratch[..LABEL_LEN])),
            (Ok(Record::Data(LABEL_LEN)), Some(name @ ("HDR2" | "UHL1"))) if lost_hdr1 => {
                let lost = LabelError::new("HDR1", "record", format!("missing (the file starts with {name})"));
                match self.seek(pos) {
                    Ok(()) => Some(Err(lost)),
                    Err(_) => None,
                }
            }
            (Err(e), _) if e.is_recoverable() => Some(Err(LabelError::new("HDR1", "record", e.to_string()))),
            _ => None,
        }
    }

    /// Verifies every file in tape order.
    pub fn walk_all(&mut self) {
        if self.check_vol1() == Flow::Stop {
            return;
        }
        let mut expected = 1u64;
        while !self.hung_up {
            let pos = self.obj;
            let rec = self.read_scratch();
            if self.scratch_label(&rec) == Some("HDR1") {
                self.flush_stray();
                let hdr1 = Hdr1::parse(&self.scratch[..LABEL_LEN]);
                if matches!(&hdr1, Ok(h) if h.is_prelabel()) {
                    if pos != 1 {
                        self.tape_error(format!("object {pos}: PRELABEL HDR1 after the first file"));
                    }
                    let next = self.read_scratch();
                    if !matches!(next, Ok(Record::TapeMark)) {
                        let what = describe(&next);
                        self.tape_error(format!(
                            "object {}: {what} after PRELABEL HDR1, expected a tape mark",
                            pos + 1
                        ));
                    }
                    continue;
                }
                let (flow, _) = self.file(pos, hdr1, expected, None);
                expected += 1;
                if flow == Flow::Stop {
                    break;
                }
                continue;
            }
            // Files are counted by their tape marks: a damaged HDR1 still starts file `expected`,
            // so the files after it keep their own fSeqs.
            if self.stray.is_none()
                && let Some(hdr1) = self.damaged_hdr1(pos, &rec, true)
            {
                let (flow, _) = self.file(pos, hdr1, expected, None);
                expected += 1;
                if flow == Flow::Stop {
                    break;
                }
                continue;
            }
            match rec {
                Ok(Record::Data(_)) => match &mut self.stray {
                    Some((_, count)) => *count += 1,
                    None => self.stray = Some((pos, 1)),
                },
                Ok(Record::TapeMark) => {
                    self.flush_stray();
                    self.tape_error(format!("object {pos}: tape mark where a file's HDR1 was expected"));
                }
                Ok(Record::EndOfData) => {
                    if let Some(n) = self.dev.bytes_past_end() {
                        self.tape_error(format!(
                            "object {pos}: end-of-medium marker with {n} more bytes after it (unreachable by any drive)"
                        ));
                    }
                    break;
                }
                Err(e) => {
                    self.flush_stray();
                    let fatal = !e.is_recoverable();
                    self.tape_error(e.to_string());
                    if fatal {
                        break;
                    }
                }
            }
        }
        self.flush_stray();
    }

    /// Verifies the given catalogue files, locating each by its blockId.
    pub fn walk_selected(&mut self, selected: &[usize]) {
        let Some(cat) = self.catalogue else { return };
        let usable = self.check_vol1() == Flow::Continue;
        for &i in selected {
            if self.hung_up {
                return;
            }
            let e = &cat.entries()[i];
            let fail = |status, detail: String, position| Msg::Failed {
                entry: i,
                status,
                detail,
                position,
            };
            if !usable {
                // Why is in the Abandoned message; the files are reported missing with it.
                return;
            }
            if e.block_id > u64::from(u32::MAX) {
                let detail = format!("catalogue blockId {} is larger than 2^32-1", e.block_id);
                self.send(fail(FileStatus::HeaderError, detail, None));
                continue;
            }
            let target = hdr1_position(e.block_id);
            if self.obj != target {
                match self.seek(target) {
                    Ok(()) => {}
                    Err(TapeError::EndOfData { object, .. }) => {
                        let detail = format!("blockId {} is past the end of data (object {object})", e.block_id);
                        self.send(fail(FileStatus::Missing, detail, None));
                        continue;
                    }
                    Err(err) => {
                        self.send(fail(
                            FileStatus::Unreadable,
                            format!("cannot locate to object {target}: {err}"),
                            None,
                        ));
                        continue;
                    }
                }
            }
            let rec = self.read_scratch();
            if self.scratch_label(&rec) == Some("HDR1") {
                let hdr1 = Hdr1::parse(&self.scratch[..LABEL_LEN]);
                if !matches!(&hdr1, Ok(h) if h.is_prelabel()) {
                    self.file(target, hdr1, e.fseq, Some(i));
                    continue;
                }
            } else if let Some(hdr1) = self.damaged_hdr1(target, &rec, false) {
                self.file(target, hdr1, e.fseq, Some(i));
                continue;
            }
            let (status, detail) = match &rec {
                Ok(Record::EndOfData) => (FileStatus::Missing, format!("object {target} is the end of data")),
                Err(err) if !err.is_recoverable() => (FileStatus::Unreadable, err.to_string()),
                other => (
                    FileStatus::HeaderError,
                    format!(
                        "object {target} (blockId {}): expected HDR1, found {}",
                        e.block_id,
                        describe(other)
                    ),
                ),
            };
            self.send(fail(status, detail, Some(target)));
        }
    }

    /// Reads one file whose HDR1 (at `pos`) has just been read. Returns the fSeq it was taken for.
    #[expect(
        clippy::too_many_lines,
        reason = "one linear walk over a file's records reads best in one place"
    )]
    fn file(&mut self, pos: u64, hdr1: Result<Hdr1, LabelError>, expected: u64, forced: Option<usize>) -> (Flow, u64) {
        let mut hi: Vec<String> = Vec::new();
        let mut di: Vec<String> = Vec::new();
        let hdr1 = hdr1.map_err(|e| hi.push(format!("object {pos}: {e}"))).ok();

        // Header section: HDR2, UHL1, tape mark.
        let mut uhl1: Option<Uhl1> = None;
        let mut pending: Option<Vec<u8>> = None;
        let mut want = 0usize; // 0: HDR2, 1: UHL1, 2: the tape mark
        let wanted = |w: usize| ["HDR2", "UHL1", "the tape mark after UHL1"][w.min(2)];
        let mut next_file_at: Option<u64> = None;
        loop {
            let p = self.obj;
            let rec = self.read_scratch();
            if let Some(name) = self.scratch_label(&rec) {
                match name {
                    "HDR2" if want == 0 => {
                        if let Err(e) = Hdr2::parse(&self.scratch[..LABEL_LEN]) {
                            hi.push(format!("object {p}: {e}"));
                        }
                        want = 1;
                    }
                    "UHL1" if want <= 1 => {
                        if want == 0 {
                            hi.push(format!("object {p}: HDR2 missing (UHL1 found)"));
                        }
                        match Uhl1::parse(&self.scratch[..LABEL_LEN]) {
                            Ok(u) => uhl1 = Some(u),
                            Err(e) => hi.push(format!("object {p}: {e}")),
                        }
                        want = 2;
                    }
                    "HDR1" => {
                        hi.push(format!(
                            "object {p}: file has no data (next HDR1 where {} was expected)",
                            wanted(want)
                        ));
                        next_file_at = Some(p);
                        break;
                    }
                    other => {
                        hi.push(format!("object {p}: {other} where {} was expected", wanted(want)));
                        want = (want + 1).min(2);
                    }
                }
                continue;
            }
            match rec {
                Ok(Record::TapeMark) => {
                    if want < 2 {
                        hi.push(format!("object {p}: tape mark where {} was expected", wanted(want)));
                    }
                    break;
                }
                // An 80-byte record in a label's place is that label, damaged: the data still
                // starts after the tape mark.
                Ok(Record::Data(LABEL_LEN)) if want < 2 => {
                    let name = wanted(want);
                    hi.push(format!(
                        "object {p}: {name} damaged ({})",
                        damage(&self.scratch[..LABEL_LEN])
                    ));
                    want += 1;
                }
                Ok(Record::Data(n)) => {
                    hi.push(format!(
                        "object {p}: {n}-byte data block where {} was expected",
                        wanted(want)
                    ));
                    pending = Some(self.scratch[..n].to_vec());
                    break;
                }
                Ok(Record::EndOfData) => {
                    di.push(format!("object {p}: end of data inside the file's headers"));
                    want = usize::MAX;
                    break;
                }
                Err(e) if e.is_recoverable() => {
                    di.push(e.to_string());
                    break;
                }
                Err(e) => {
                    di.push(e.to_string());
                    want = usize::MAX;
                    break;
                }
            }
        }

        // Which file this is.
        let cat = self.catalogue;
        let fseq_on_tape = uhl1.as_ref().map(|u| u.fseq);
        // A file's fSeq is its rank on the tape: CTA positions by fSeq by counting tape marks.
        let fseq = forced
            .and_then(|i| cat.map(|c| c.entries()[i].fseq))
            .unwrap_or(expected);
        match (forced, fseq_on_tape) {
            (None, Some(f)) if f != expected => {
                hi.push(format!(
                    "fSeq out of sequence: UHL1 says fSeq {f}, but this is file {expected} on the tape"
                ));
            }
            (Some(_), Some(f)) if f != fseq => hi.push(format!("UHL1 fSeq {f} is not the catalogue's fSeq {fseq}")),
            _ => {}
        }
        let mut entry = forced.or_else(|| cat.and_then(|c| c.index_of(fseq)));
        if forced.is_none()
            && let Some(i) = entry
        {
            if self.seen[i] {
                hi.push(format!("fSeq {fseq} appears more than once on the tape"));
                entry = None;
            } else {
                self.seen[i] = true;
            }
        }
        if let (Some(i), Some(c)) = (entry, cat) {
            let e = &c.entries()[i];
            if hdr1_position(e.block_id) != pos {
                hi.push(format!(
                    "catalogue blockId {} points to object {}, but the file's HDR1 is at object {pos}",
                    e.block_id,
                    hdr1_position(e.block_id)
                ));
            }
            if let Some(h) = &hdr1
                && h.archive_id() != Some(e.archive_id)
            {
                hi.push(format!(
                    "HDR1 file id '{}' is not archive file {} ({:X})",
                    h.file_id, e.archive_id, e.archive_id
                ));
            }
        }
        if let Some(h) = &hdr1
            && h.vsn != self.vid
        {
            hi.push(format!("HDR1 VSN '{}' is not VID '{}'", h.vsn, self.vid));
        }
        let mut block_size = uhl1.as_ref().map_or(BLOCK_SIZE as u64, |u| u.block_size);
        if block_size > MAX_RECORD_LEN as u64 {
            hi.push(format!(
                "UHL1 block size {block_size} is larger than any readable block"
            ));
            block_size = MAX_RECORD_LEN as u64;
        }
        let block_size = block_size as usize;
        let archive_id = hdr1.as_ref().and_then(Hdr1::archive_id);
        self.send(Msg::Start(FileStart {
            position: pos,
            fseq,
            entry,
            archive_id,
        }));

        let mut blocks = 0u64;
        let end = |s: &mut Self, hi: Vec<String>, di: Vec<String>, blocks: u64| {
            s.send(Msg::End(FileEnd {
                header_issues: hi,
                data_issues: di,
                blocks,
            }));
        };
        if want == usize::MAX {
            end(self, hi, di, blocks);
            return (Flow::Stop, fseq);
        }
        if let Some(p) = next_file_at {
            if let Err(e) = self.seek(p) {
                di.push(e.to_string());
            }
            end(self, hi, di, blocks);
            return (Flow::Continue, fseq);
        }

        // Data section.
        let mut eof1_early: Option<[u8; LABEL_LEN]> = None;
        if let Some(data) = pending.take() {
            if data.len() > block_size {
                di.push(format!(
                    "{}-byte block is longer than the UHL1 block size {block_size}",
                    data.len()
                ));
            } else if let Some(mut buf) = self.buffer(data.len()) {
                buf[..data.len()].copy_from_slice(&data);
                blocks += 1;
                self.send(Msg::Block(buf, data.len()));
            }
        }
        loop {
            let p = self.obj;
            let Some((rec, got)) = self.next_block(block_size) else {
                self.hung_up = true;
                return (Flow::Stop, fseq);
            };
            match rec {
                Ok(Record::Data(n)) => {
                    let Some(got) = got else { continue };
                    let label = if n == LABEL_LEN { label_name(got.bytes()) } else { None };
                    if label == Some("EOF1") {
                        hi.push(format!("object {p}: tape mark missing after the data (EOF1 found)"));
                        let mut rec = [0u8; LABEL_LEN];
                        rec.copy_from_slice(got.bytes());
                        eof1_early = Some(rec);
                        self.recycle(got);
                        break;
                    }
                    if label == Some("HDR1") {
                        hi.push(format!(
                            "object {p}: file ends without tape mark and trailers (next HDR1 found)"
                        ));
                        self.recycle(got);
                        if let Err(e) = self.seek(p) {
                            di.push(e.to_string());
                        }
                        end(self, hi, di, blocks);
                        return (Flow::Continue, fseq);
                    }
                    blocks += 1;
                    self.send(match got {
                        Got::Buf(buf, n) => Msg::Block(buf, n),
                        Got::Shared(b) => Msg::Shared(b),
                    });
                }
                Ok(Record::TapeMark) => break,
                Ok(Record::EndOfData) => {
                    di.push(format!(
                        "object {p}: end of data inside the file's data (tape or image truncated)"
                    ));
                    end(self, hi, di, blocks);
                    return (Flow::Stop, fseq);
                }
                Err(e) => {
                    let fatal = !e.is_recoverable();
                    di.push(match e {
                        TapeError::BlockTooLong { object, len, .. } => format!(
                            "object {object}: block{} is longer than the UHL1 block size {block_size}",
                            len.map(|l| format!(" of {l} bytes")).unwrap_or_default()
                        ),
                        other => other.to_string(),
                    });
                    if fatal {
                        end(self, hi, di, blocks);
                        return (Flow::Stop, fseq);
                    }
                }
            }
        }

        // Trailer section: EOF1, EOF2, UTL1, tape mark.
        let mut want = 0usize;
        let mut stray = 0u64;
        let trailer_name = |w: usize| if w < 3 { TRAILERS[w] } else { "the tape mark after UTL1" };
        if let Some(rec) = eof1_early {
            self.check_trailer(0, &rec, self.obj - 1, fseq, blocks, &mut hi);
            want = 1;
        }
        loop {
            let p = self.obj;
            let rec = self.read_scratch();
            if let Some(name) = self.scratch_label(&rec) {
                if name == "HDR1" {
                    hi.push(format!(
                        "object {p}: next file's HDR1 where {} was expected",
                        trailer_name(want)
                    ));
                    if let Err(e) = self.seek(p) {
                        di.push(e.to_string());
                    }
                    break;
                }
                match TRAILERS.iter().position(|&t| t == name) {
                    Some(k) if k >= want => {
                        if k > want {
                            hi.push(format!("object {p}: {name} where {} was expected", trailer_name(want)));
                        }
                        let mut raw = [0u8; LABEL_LEN];
                        raw.copy_from_slice(&self.scratch[..LABEL_LEN]);
                        self.check_trailer(k, &raw, p, fseq, blocks, &mut hi);
                        want = k + 1;
                    }
                    _ => hi.push(format!("object {p}: {name} where {} was expected", trailer_name(want))),
                }
                continue;
            }
            match rec {
                Ok(Record::TapeMark) if want == 3 => break,
                Ok(Record::TapeMark) => {
                    hi.push(format!(
                        "object {p}: tape mark where {} was expected",
                        trailer_name(want)
                    ));
                    if want > 0 {
                        break;
                    }
                }
                Ok(Record::Data(LABEL_LEN)) if want < 3 => {
                    let name = trailer_name(want);
                    hi.push(format!(
                        "object {p}: {name} damaged ({})",
                        damage(&self.scratch[..LABEL_LEN])
                    ));
                    want += 1;
                }
                Ok(Record::Data(n)) => {
                    stray += 1;
                    if stray == 1 {
                        hi.push(format!(
                            "object {p}: {n}-byte data block where {} was expected",
                            trailer_name(want)
                        ));
                    }
                }
                Ok(Record::EndOfData) => {
                    hi.push(format!(
                        "object {p}: end of data where {} was expected",
                        trailer_name(want)
                    ));
                    break;
                }
                Err(e) if e.is_recoverable() => hi.push(e.to_string()),
                Err(e) => {
                    di.push(e.to_string());
                    end(self, hi, di, blocks);
                    return (Flow::Stop, fseq);
                }
            }
        }
        if stray > 1 {
            hi.push(format!("{stray} data blocks in all between the data and the trailers"));
        }
        end(self, hi, di, blocks);
        (Flow::Continue, fseq)
    }

    fn check_trailer(&self, kind: usize, raw: &[u8], p: u64, fseq: u64, blocks: u64, hi: &mut Vec<String>) {
        let problem = match kind {
            0 => match Hdr1::parse(raw) {
                Ok(h) if h.block_count != blocks % 1_000_000 => Some(format!(
                    "EOF1 block count {} but {blocks} data blocks were read",
                    h.block_count
                )),
                Ok(_) => None,
                Err(e) => Some(e.to_string()),
            },
            1 => Hdr2::parse(raw).err().map(|e| e.to_string()),
            _ => match Uhl1::parse(raw) {
                Ok(u) if u.fseq != fseq => Some(format!("UTL1 fSeq {} is not the file's fSeq {fseq}", u.fseq)),
                Ok(_) => None,
                Err(e) => Some(e.to_string()),
            },
        };
        if let Some(text) = problem {
            hi.push(format!("object {p}: {text}"));
        }
    }
}
