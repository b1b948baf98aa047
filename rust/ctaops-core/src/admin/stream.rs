//! Streaming framing of `cta-admin --json` / `--jsonl` output.
//!
//! `--json` prints one line `[obj,obj,…]` (the array is streamed: no newline between elements,
//! `[]` when empty); `--jsonl` prints one object per line and nothing when empty. The framer cuts
//! the byte stream into complete objects as they arrive, keeping only the current one in memory,
//! so records come out while the producer is still writing and memory does not grow with the
//! output. Each object is then decoded on its own, which lets every error name its record.

use std::fmt;
use std::io::{self, BufRead};
use std::marker::PhantomData;

use memchr::{memchr, memchr2, memchr3};
use serde::de::DeserializeOwned;

use super::array::{auto_parts, read_array};
use super::kind::{Kind, Records, check_one};

/// Largest single record accepted by every reader, streamed or in memory (CTA's biggest, a drive
/// with its config, is a few kB).
pub const DEFAULT_MAX_RECORD_BYTES: usize = 16 << 20;

/// How the records are delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `--json`: one streamed array.
    Json,
    /// `--jsonl`: one object per line.
    JsonLines,
}

impl Framing {
    /// Guesses the framing from the first non-blank byte: `[` is `--json`, anything else `--jsonl`.
    #[must_use]
    pub fn detect(data: &[u8]) -> Self {
        match data.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'[') => Framing::Json,
            _ => Framing::JsonLines,
        }
    }

    /// The `cta-admin` flag.
    #[must_use]
    pub const fn flag(self) -> &'static str {
        match self {
            Framing::Json => "--json",
            Framing::JsonLines => "--jsonl",
        }
    }
}

impl std::str::FromStr for Framing {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s.trim_start_matches('-') {
            "json" => Ok(Framing::Json),
            "jsonl" => Ok(Framing::JsonLines),
            _ => Err(crate::Error::InvalidArgument(format!(
                "unknown framing '{s}' (expected json or jsonl)"
            ))),
        }
    }
}

/// What went wrong with the output as a whole or with one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// `--json` output with no bytes at all (CTA always prints at least `[]`).
    Empty,
    /// Text that is not JSON (an XRootD error on stdout, a message, garbage).
    NotJson,
    /// The output stops inside a record or before the closing `]`.
    Truncated,
    /// One record is larger than the configured limit.
    TooLarge,
    /// A record is JSON but not the expected record (wrong type, missing field).
    Invalid,
    /// Reading the stream failed.
    Io,
}

impl ParseErrorKind {
    /// Stable error code.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::Empty => "CTA_ADMIN_EMPTY_OUTPUT",
            Self::NotJson => "CTA_ADMIN_NOT_JSON",
            Self::Truncated => "CTA_ADMIN_TRUNCATED",
            Self::TooLarge => "CTA_ADMIN_RECORD_TOO_LARGE",
            Self::Invalid => "CTA_ADMIN_PARSE_ERROR",
            Self::Io => "CTA_ADMIN_IO_ERROR",
        }
    }
}

/// A parse failure; `record` is 1-based (the first record is record 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub record: Option<usize>,
    pub field: Option<String>,
    pub detail: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ParseErrorKind::Empty => "empty output",
            ParseErrorKind::NotJson => "output is not JSON",
            ParseErrorKind::Truncated => "truncated output",
            ParseErrorKind::TooLarge => "record too large",
            ParseErrorKind::Invalid => "invalid record",
            ParseErrorKind::Io => "read error",
        };
        f.write_str(what)?;
        if let Some(r) = self.record {
            write!(f, ": record {r}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.detail)
    }
}

impl std::error::Error for ParseError {}

/// Where a record failed to decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Option<String>,
    pub detail: String,
    pub syntax: bool,
}

/// Decodes one record; on failure re-reads it tracking the path so the error names the field.
pub(crate) fn decode_one<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, FieldError> {
    serde_json::from_slice(bytes).map_err(|_| diagnose::<T>(bytes))
}

fn diagnose<T: DeserializeOwned>(bytes: &[u8]) -> FieldError {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let err = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(_) => {
            let detail = de
                .end()
                .err()
                .map_or_else(|| "record could not be decoded".to_owned(), |e| e.to_string());
            return FieldError {
                field: None,
                detail: strip_position(&detail),
                syntax: true,
            };
        }
        Err(e) => e,
    };
    let path = err.path().to_string();
    let inner = err.into_inner();
    let detail = strip_position(&inner.to_string());
    let syntax = inner.is_syntax() || inner.is_eof();
    // serde reports a missing or repeated key at its parent; name the key itself.
    let missing = detail
        .strip_prefix("missing field `")
        .or_else(|| detail.strip_prefix("duplicate field `"))
        .and_then(|r| r.split('`').next())
        .map(str::to_owned);
    let field = match (path.as_str(), missing) {
        (".", Some(m)) => Some(m),
        (".", None) => None,
        (p, Some(m)) => Some(format!("{p}.{m}")),
        (p, None) => Some(p.to_owned()),
    };
    FieldError { field, detail, syntax }
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// Brace matching that knows about strings and escapes, resumable across chunks.
#[derive(Debug, Default)]
struct Scan {
    depth: usize,
    in_str: bool,
    esc: bool,
}

impl Scan {
    /// Feeds bytes; returns the offset just past the closing brace once the object is complete.
    fn feed(&mut self, chunk: &[u8]) -> Option<usize> {
        let mut i = 0;
        while i < chunk.len() {
            if self.in_str {
                if self.esc {
                    self.esc = false;
                    i += 1;
                    continue;
                }
                let j = memchr2(b'"', b'\\', &chunk[i..])?;
                i += j;
                if chunk[i] == b'\\' {
                    self.esc = true;
                } else {
                    self.in_str = false;
                }
                i += 1;
            } else {
                let j = memchr3(b'"', b'{', b'}', &chunk[i..])?;
                i += j;
                match chunk[i] {
                    b'"' => self.in_str = true,
                    b'{' => self.depth += 1,
                    _ => {
                        self.depth = self.depth.saturating_sub(1);
                        if self.depth == 0 {
                            return Some(i + 1);
                        }
                    }
                }
                i += 1;
            }
        }
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    /// Inside the array; `true` right after `[` (a `]` may close it).
    InArray(bool),
    Done,
    /// After an error: nothing more is produced.
    Failed,
}

/// Cuts a byte stream into complete JSON objects, one at a time.
pub struct Framer<R> {
    reader: R,
    framing: Framing,
    state: State,
    buf: Vec<u8>,
    max_record: usize,
    count: usize,
}

impl<R: BufRead> Framer<R> {
    #[must_use]
    pub fn new(reader: R, framing: Framing) -> Self {
        Self::with_limit(reader, framing, DEFAULT_MAX_RECORD_BYTES)
    }

    #[must_use]
    pub fn with_limit(reader: R, framing: Framing, max_record: usize) -> Self {
        Self {
            reader,
            framing,
            state: State::Start,
            buf: Vec::with_capacity(4096),
            max_record,
            count: 0,
        }
    }

    /// Number of records framed so far.
    #[must_use]
    pub fn count(&self) -> usize {
        self.count
    }

    fn err(&self, kind: ParseErrorKind, record: Option<usize>, detail: impl Into<String>) -> ParseError {
        ParseError {
            kind,
            record,
            field: None,
            detail: detail.into(),
        }
    }

    fn io_err(&self, e: &io::Error) -> ParseError {
        self.err(ParseErrorKind::Io, None, e.to_string())
    }

    /// Next non-blank byte, not consumed; `None` at end of input.
    fn peek_non_ws(&mut self) -> Result<Option<u8>, ParseError> {
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.io_err(&e)),
            };
            if chunk.is_empty() {
                return Ok(None);
            }
            match chunk.iter().position(|b| !b.is_ascii_whitespace()) {
                Some(i) => {
                    let b = chunk[i];
                    self.reader.consume(i);
                    return Ok(Some(b));
                }
                None => {
                    let n = chunk.len();
                    self.reader.consume(n);
                }
            }
        }
    }

    /// A short excerpt of what is at the read position, for "not JSON" messages.
    fn excerpt(&mut self) -> String {
        let chunk = self.reader.fill_buf().unwrap_or(&[]);
        let end = memchr(b'\n', chunk).unwrap_or(chunk.len()).min(120);
        let text = String::from_utf8_lossy(&chunk[..end]).trim().to_owned();
        format!("found '{text}'")
    }

    fn not_json(&mut self, record: Option<usize>, expected: &str) -> ParseError {
        let found = self.excerpt();
        self.err(ParseErrorKind::NotJson, record, format!("expected {expected}, {found}"))
    }

    fn too_large(&mut self, record: usize) -> ParseError {
        let limit = self.max_record;
        self.err(
            ParseErrorKind::TooLarge,
            Some(record),
            format!("record is larger than {limit} bytes (a huge line that is not a CTA record?)"),
        )
    }

    /// Copies one object (the read position is at its `{`) into `self.buf`.
    fn read_object(&mut self) -> Result<(), ParseError> {
        self.buf.clear();
        let mut scan = Scan::default();
        let record = self.count;
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.io_err(&e)),
            };
            if chunk.is_empty() {
                return Err(self.err(ParseErrorKind::Truncated, Some(record), "output ends inside the record"));
            }
            let end = scan.feed(chunk);
            let take = end.unwrap_or(chunk.len());
            if self.buf.len() + take > self.max_record {
                return Err(self.too_large(record));
            }
            self.buf.extend_from_slice(&chunk[..take]);
            self.reader.consume(take);
            if end.is_some() {
                return Ok(());
            }
        }
    }

    /// Copies one line (without its newline) into `self.buf`; `--jsonl` records never span lines.
    fn read_line(&mut self) -> Result<(), ParseError> {
        self.buf.clear();
        let record = self.count;
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.io_err(&e)),
            };
            if chunk.is_empty() {
                return Ok(());
            }
            let nl = memchr(b'\n', chunk);
            let take = nl.unwrap_or(chunk.len());
            if self.buf.len() + take > self.max_record {
                return Err(self.too_large(record));
            }
            self.buf.extend_from_slice(&chunk[..take]);
            self.reader.consume(take + usize::from(nl.is_some()));
            if nl.is_some() {
                return Ok(());
            }
        }
    }

    /// The next complete object, or `None` once the output has ended correctly.
    pub fn next_object(&mut self) -> Result<Option<&[u8]>, ParseError> {
        if self.state == State::Failed {
            return Ok(None);
        }
        let res = self.advance();
        if res.is_err() {
            self.state = State::Failed;
        }
        match res {
            Ok(true) => Ok(Some(&self.buf)),
            Ok(false) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn advance(&mut self) -> Result<bool, ParseError> {
        match self.framing {
            Framing::Json => self.advance_json(),
            Framing::JsonLines => self.advance_jsonl(),
        }
    }

    fn start_object(&mut self) -> Result<bool, ParseError> {
        self.count += 1;
        self.read_object()?;
        Ok(true)
    }

    fn advance_json(&mut self) -> Result<bool, ParseError> {
        loop {
            match self.state {
                State::Start => match self.peek_non_ws()? {
                    None => {
                        return Err(self.err(
                            ParseErrorKind::Empty,
                            None,
                            "no output at all (cta-admin --json prints at least `[]`)",
                        ));
                    }
                    Some(b'[') => {
                        self.reader.consume(1);
                        self.state = State::InArray(true);
                    }
                    Some(_) => return Err(self.not_json(None, "`[`")),
                },
                State::InArray(first) => {
                    let next = self.count + 1;
                    match self.peek_non_ws()? {
                        None => {
                            return Err(self.err(
                                ParseErrorKind::Truncated,
                                None,
                                format!("output ends after {} record(s) without the closing `]`", self.count),
                            ));
                        }
                        Some(b']') => {
                            self.reader.consume(1);
                            self.state = State::Done;
                        }
                        Some(b'{') if first => {
                            self.state = State::InArray(false);
                            return self.start_object();
                        }
                        Some(b',') if !first => {
                            self.reader.consume(1);
                            return match self.peek_non_ws()? {
                                Some(b'{') => self.start_object(),
                                None => Err(self.err(
                                    ParseErrorKind::Truncated,
                                    Some(next),
                                    "output ends after `,` before the record",
                                )),
                                Some(_) => Err(self.not_json(Some(next), "`{`")),
                            };
                        }
                        Some(_) => {
                            let exp = if first { "`{` or `]`" } else { "`,` or `]`" };
                            return Err(self.not_json(Some(next), exp));
                        }
                    }
                }
                State::Failed => return Ok(false),
                State::Done => {
                    return match self.peek_non_ws()? {
                        None => Ok(false),
                        Some(_) => Err(self.not_json(None, "end of output after `]`")),
                    };
                }
            }
        }
    }

    fn advance_jsonl(&mut self) -> Result<bool, ParseError> {
        if matches!(self.state, State::Done | State::Failed) {
            return Ok(false);
        }
        match self.peek_non_ws()? {
            None => {
                self.state = State::Done;
                Ok(false)
            }
            Some(b'{') => {
                self.count += 1;
                self.read_line()?;
                let mut scan = Scan::default();
                match scan.feed(&self.buf) {
                    None => Err(self.err(
                        ParseErrorKind::Truncated,
                        Some(self.count),
                        "line ends before the record is complete",
                    )),
                    Some(end) if self.buf[end..].iter().all(u8::is_ascii_whitespace) => {
                        self.buf.truncate(end);
                        Ok(true)
                    }
                    Some(_) => Err(self.err(
                        ParseErrorKind::NotJson,
                        Some(self.count),
                        "unexpected text after the record on the same line",
                    )),
                }
            }
            Some(_) => {
                let n = self.count + 1;
                Err(self.not_json(Some(n), "`{`"))
            }
        }
    }
}

pub(crate) fn record_error(record: usize, e: FieldError) -> ParseError {
    ParseError {
        kind: if e.syntax {
            ParseErrorKind::NotJson
        } else {
            ParseErrorKind::Invalid
        },
        record: Some(record),
        field: e.field,
        detail: e.detail,
    }
}

/// Iterator of typed records over any reader; stops after the first error.
pub struct RecordIter<T, R> {
    framer: Framer<R>,
    done: bool,
    _t: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned, R: BufRead> RecordIter<T, R> {
    #[must_use]
    pub fn new(reader: R, framing: Framing) -> Self {
        Self {
            framer: Framer::new(reader, framing),
            done: false,
            _t: PhantomData,
        }
    }
}

impl<T: DeserializeOwned, R: BufRead> Iterator for RecordIter<T, R> {
    type Item = Result<T, ParseError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let rec = self.framer.count() + 1;
        let out = match self.framer.next_object() {
            Ok(None) => None,
            Ok(Some(bytes)) => Some(decode_one::<T>(bytes).map_err(|e| record_error(rec, e))),
            Err(e) => Some(Err(e)),
        };
        if !matches!(out, Some(Ok(_))) {
            self.done = true;
        }
        out
    }
}

/// Typed records of `T` from a reader.
pub fn records<T: DeserializeOwned, R: BufRead>(reader: R, framing: Framing) -> RecordIter<T, R> {
    RecordIter::new(reader, framing)
}

/// Reads all records of `kind`; any error means no result at all (never a partial list).
pub fn read_records<R: BufRead>(kind: Kind, framing: Framing, reader: R) -> Result<Records, ParseError> {
    let mut framer = Framer::new(reader, framing);
    let mut out = Records::empty(kind);
    loop {
        let rec = framer.count() + 1;
        let Some(bytes) = framer.next_object()? else { break };
        if out.push_from_slice(bytes).is_err() {
            let e = check_one(kind, bytes).err().unwrap_or(FieldError {
                field: None,
                detail: "record could not be decoded".into(),
                syntax: false,
            });
            return Err(record_error(rec, e));
        }
    }
    Ok(out)
}

/// Reads all records of `kind` from bytes.
///
/// A well-formed `--json` array is read in one pass without the framer, in parallel parts when it
/// is large (see [`super::array`]); anything unusual (including every error) goes through
/// [`read_records`], which gives the exact error.
pub fn parse_records(kind: Kind, framing: Framing, data: &[u8]) -> Result<Records, ParseError> {
    parse_records_in_parts(kind, framing, data, auto_parts(data.len()))
}

/// [`parse_records`] with the in-memory array read in up to `parts` parts whatever its size (for
/// tests comparing the parallel and sequential reads).
pub fn parse_records_in_parts(kind: Kind, framing: Framing, data: &[u8], parts: usize) -> Result<Records, ParseError> {
    if framing == Framing::Json
        && let Some(parts) = read_array(data, parts, || Records::empty(kind))
    {
        let mut parts = parts.into_iter();
        let mut out = parts.next().unwrap_or_else(|| Records::empty(kind));
        for p in parts {
            out.append(p);
        }
        return Ok(out);
    }
    read_records(kind, framing, data)
}

/// Takes each element of a JSON array from the deserializer.
pub(crate) trait ElementSink {
    fn element<'de, D: serde::Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error>;
}

impl ElementSink for Records {
    fn element<'de, D: serde::Deserializer<'de>>(&mut self, d: D) -> Result<(), D::Error> {
        self.push_de(d)
    }
}
