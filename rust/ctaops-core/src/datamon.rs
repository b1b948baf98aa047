//! cta-ops-data-monitoring's hot path: daily totals of CTA's `Tape session finished` records,
//! read from cta-taped JSON logs as a stream of chunks (never the whole file in memory).
//!
//! Every non-blank line must be a JSON object (CTA's JSON log format writes one per line);
//! only the lines that mention `Tape session finished` are decoded in full, the rest of a taped
//! log (thousands of other messages a day) costs one substring search. A session's day is its
//! `epoch_time` (UTC); it is counted under its `mountType`, `vo`, `tapePool`, `tapeDrive` and
//! `logicalLibrary` (a missing or empty one as `unknown`, InfluxDB has no empty tag values).
//! CTA logs `dataVolume` and `filesCount` as JSON numbers while its schema
//! (`common/cta-logging.schema.json`) declares them strings: both are accepted.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use memchr::memmem;
use serde::Deserialize;

/// The message CTA's `DriveHandler` logs when a session process ends.
pub const SESSION_FINISHED: &str = "Tape session finished";

/// Seconds in a UTC day.
pub const DAY: i64 = 86_400;

/// Tag value standing for a missing or empty field.
pub const UNKNOWN: &str = "unknown";

/// Why a log cannot be aggregated.
#[derive(Debug, thiserror::Error)]
pub enum DatamonError {
    /// A line that is not a well-formed record.
    #[error("line {line}: {message}")]
    Line { line: u64, message: String },
    /// The log cannot be read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The tags of a destination point.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagSet {
    pub mount_type: String,
    pub vo: String,
    pub tape_pool: String,
    pub drive: String,
    pub library: String,
}

/// The fields of a destination point.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub data_volume: u64,
    pub files_count: u64,
    pub sessions: u64,
    pub failed_sessions: u64,
}

impl Totals {
    /// Adds `other` in place (saturating: a corrupt log cannot wrap a sum).
    pub fn add(&mut self, other: &Self) {
        self.data_volume = self.data_volume.saturating_add(other.data_volume);
        self.files_count = self.files_count.saturating_add(other.files_count);
        self.sessions = self.sessions.saturating_add(other.sessions);
        self.failed_sessions = self.failed_sessions.saturating_add(other.failed_sessions);
    }
}

/// A count as CTA writes it (number) or as its schema declares it (string).
#[derive(Deserialize)]
#[serde(untagged)]
enum Count<'a> {
    Int(u64),
    Float(f64),
    #[serde(borrow)]
    Text(Cow<'a, str>),
}

impl Count<'_> {
    fn value(&self, key: &str) -> Result<u64, String> {
        let bad = || format!("{key} is not a non-negative integer");
        match self {
            Count::Int(n) => Ok(*n),
            // CTA's counters are integers; an integral float (from another writer) is accepted.
            Count::Float(f) if f.is_finite() && *f >= 0.0 && f.fract() == 0.0 && *f < 1.8e19 => Ok(*f as u64),
            Count::Float(_) => Err(bad()),
            Count::Text(s) => s.trim().parse::<u64>().map_err(|_| bad()),
        }
    }
}

/// The fields of a record this module reads; CTA's other keys are skipped.
#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    message: Option<Cow<'a, str>>,
    epoch_time: Option<f64>,
    #[serde(borrow, rename = "mountType")]
    mount_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    vo: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "tapePool")]
    tape_pool: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "tapeDrive")]
    tape_drive: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "logicalLibrary")]
    logical_library: Option<Cow<'a, str>>,
    #[serde(borrow)]
    status: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "dataVolume")]
    data_volume: Option<Count<'a>>,
    #[serde(borrow, rename = "filesCount")]
    files_count: Option<Count<'a>>,
}

fn tag(v: Option<Cow<'_, str>>) -> String {
    match v {
        Some(s) if !s.is_empty() => s.into_owned(),
        _ => UNKNOWN.to_owned(),
    }
}

/// Daily totals per tag set, fed one chunk of log at a time.
#[derive(Debug)]
pub struct Aggregator {
    /// First and last-excluded day kept (Unix seconds of 00:00 UTC); `None`: unbounded.
    from: Option<i64>,
    to: Option<i64>,
    days: HashMap<(i64, TagSet), Totals>,
    /// The unfinished last line of the chunks fed so far.
    partial: Vec<u8>,
    line: u64,
    finder: memmem::Finder<'static>,
    /// Session records counted, and those outside the day range.
    pub records: u64,
    pub skipped_out_of_range: u64,
}

impl Aggregator {
    /// An aggregator keeping the sessions of days `from <= day < to` (Unix seconds, any time of
    /// the day: rounded down to 00:00 UTC).
    #[must_use]
    pub fn new(from: Option<i64>, to: Option<i64>) -> Self {
        Self {
            from: from.map(day_of),
            to: to.map(day_of),
            days: HashMap::new(),
            partial: Vec::new(),
            line: 0,
            finder: memmem::Finder::new(SESSION_FINISHED.as_bytes()),
            records: 0,
            skipped_out_of_range: 0,
        }
    }

    /// Feeds the next bytes of the current log.
    ///
    /// # Errors
    /// The first malformed line, by its number in the current log.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), DatamonError> {
        let mut rest = chunk;
        if !self.partial.is_empty() {
            let Some(nl) = memchr::memchr(b'\n', rest) else {
                self.partial.extend_from_slice(rest);
                return Ok(());
            };
            let mut line = std::mem::take(&mut self.partial);
            line.extend_from_slice(&rest[..nl]);
            self.line_done(&line)?;
            rest = &rest[nl + 1..];
        }
        while let Some(nl) = memchr::memchr(b'\n', rest) {
            self.line_done(&rest[..nl])?;
            rest = &rest[nl + 1..];
        }
        self.partial.extend_from_slice(rest);
        Ok(())
    }

    /// The current log ended: its last line (without a newline) counts, and the next log's
    /// lines are numbered from 1.
    ///
    /// # Errors
    /// The last line is malformed.
    pub fn end_log(&mut self) -> Result<(), DatamonError> {
        let last = std::mem::take(&mut self.partial);
        let r = if last.is_empty() { Ok(()) } else { self.line_done(&last) };
        self.line = 0;
        r
    }

    /// Reads a whole log from `r` in fixed-size chunks.
    ///
    /// # Errors
    /// Read errors and the first malformed line.
    pub fn feed_reader(&mut self, mut r: impl Read) -> Result<(), DatamonError> {
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            };
            self.feed(&buf[..n])?;
        }
        self.end_log()
    }

    /// Reads the log at `path`.
    ///
    /// # Errors
    /// The file cannot be opened or read, or a line is malformed.
    pub fn feed_file(&mut self, path: &Path) -> Result<(), DatamonError> {
        let f = std::fs::File::open(path)?;
        self.feed_reader(f)
    }

    fn line_done(&mut self, raw: &[u8]) -> Result<(), DatamonError> {
        self.line += 1;
        let line = raw.trim_ascii();
        if line.is_empty() {
            return Ok(());
        }
        if line[0] != b'{' {
            return Err(self.bad("not a JSON log record"));
        }
        if self.finder.find(line).is_none() {
            return Ok(());
        }
        let rec: Record<'_> = serde_json::from_slice(line).map_err(|e| self.bad(&format!("invalid JSON: {e}")))?;
        if rec.message.as_deref() != Some(SESSION_FINISHED) {
            return Ok(());
        }
        let t = match rec.epoch_time {
            Some(t) if t.is_finite() && t >= 0.0 => t as i64,
            _ => return Err(self.bad("Tape session finished record without a valid epoch_time")),
        };
        let data_volume = rec
            .data_volume
            .as_ref()
            .map_or(Ok(0), |c| c.value("dataVolume"))
            .map_err(|m| self.bad(&m))?;
        let files_count = rec
            .files_count
            .as_ref()
            .map_or(Ok(0), |c| c.value("filesCount"))
            .map_err(|m| self.bad(&m))?;
        let day = day_of(t);
        if self.from.is_some_and(|f| day < f) || self.to.is_some_and(|e| day >= e) {
            self.skipped_out_of_range += 1;
            return Ok(());
        }
        self.records += 1;
        let failed = rec.status.as_deref() != Some("success");
        let key = TagSet {
            mount_type: tag(rec.mount_type),
            vo: tag(rec.vo),
            tape_pool: tag(rec.tape_pool),
            drive: tag(rec.tape_drive),
            library: tag(rec.logical_library),
        };
        self.days.entry((day, key)).or_default().add(&Totals {
            data_volume,
            files_count,
            sessions: 1,
            failed_sessions: u64::from(failed),
        });
        Ok(())
    }

    fn bad(&self, message: &str) -> DatamonError {
        DatamonError::Line {
            line: self.line,
            message: message.to_owned(),
        }
    }

    /// The daily totals, by day then tag set.
    #[must_use]
    pub fn daily(&self) -> Vec<(i64, TagSet, Totals)> {
        let mut v: Vec<_> = self.days.iter().map(|((d, k), t)| (*d, k.clone(), *t)).collect();
        v.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        v
    }
}

/// 00:00 UTC of the day of Unix time `t`.
#[must_use]
pub fn day_of(t: i64) -> i64 {
    t.div_euclid(DAY) * DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(t: f64, mount: &str, status: &str, volume: &str, files: &str) -> String {
        format!(
            r#"{{"epoch_time":{t},"program":"cta-taped","message":"Tape session finished","mountType":"{mount}","vo":"vo1","tapePool":"p1","tapeDrive":"D1","logicalLibrary":"L1","status":"{status}","dataVolume":{volume},"filesCount":{files}}}"#
        )
    }

    #[test]
    fn sums_per_day_and_tag_set_in_any_chunking() {
        let log = [
            line(86_400.5, "Retrieve", "success", "100", "\"2\""),
            r#"{"epoch_time":86401,"message":"Tape session finished? no, other","x":1}"#.to_owned(),
            r#"{"epoch_time":86401,"message":"Starting session"}"#.to_owned(),
            line(90_000.0, "Retrieve", "failure", "\"50\"", "1"),
            line(172_800.0, "ArchiveForUser", "success", "7", "1"),
        ]
        .join("\n");
        for cut in [1usize, 7, 64, log.len()] {
            let mut a = Aggregator::new(None, None);
            for c in log.as_bytes().chunks(cut) {
                a.feed(c).unwrap();
            }
            a.end_log().unwrap();
            let d = a.daily();
            assert_eq!(d.len(), 2, "cut {cut}");
            assert_eq!(d[0].0, 86_400);
            assert_eq!(
                d[0].2,
                Totals {
                    data_volume: 150,
                    files_count: 3,
                    sessions: 2,
                    failed_sessions: 1
                }
            );
            assert_eq!(d[1].1.mount_type, "ArchiveForUser");
        }
    }

    #[test]
    fn day_range_and_errors() {
        let mut a = Aggregator::new(Some(172_800), Some(172_800 + DAY));
        a.feed(line(86_400.0, "Retrieve", "success", "1", "1").as_bytes())
            .unwrap();
        a.end_log().unwrap();
        assert_eq!((a.records, a.skipped_out_of_range), (0, 1));
        let e = a.feed(b"\nnot json\n").unwrap_err();
        assert_eq!(e.to_string(), "line 2: not a JSON log record");
        let mut a = Aggregator::new(None, None);
        let e = a
            .feed(line(1.0, "Retrieve", "success", "-1", "1").as_bytes())
            .and_then(|()| a.end_log());
        assert_eq!(
            e.unwrap_err().to_string(),
            "line 1: dataVolume is not a non-negative integer"
        );
        let mut a = Aggregator::new(None, None);
        let e = a.feed(b"{\"message\":\"Tape session finished\"}\n").unwrap_err();
        assert!(e.to_string().contains("epoch_time"), "{e}");
        let mut a = Aggregator::new(None, None);
        let e = a.feed(b"{\"message\":\"Tape session finished\",\n").unwrap_err();
        assert!(e.to_string().starts_with("line 1: invalid JSON"), "{e}");
    }
}
