//! CTA's tape layout as a grammar, checked record by record while a dump reads the tape:
//! `VOL1 (HDR1 HDR2 UHL1 TM data… TM EOF1 EOF2 UTL1 TM)* EOD`, or `VOL1 HDR1(PRELABEL) TM EOD`
//! for a labelled tape with no file (cta-interfaces.md §3).
//!
//! A record out of place is one problem; the checker then resynchronises on what it found, so
//! one damaged record is reported once, not as a cascade through the rest of the tape.

use crate::label::{Hdr1, LABEL_LEN, Label, LabelError, Uhl1};

/// What the next record should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Vol1,
    FileOrEnd,
    PrelabelMark,
    End,
    Hdr2,
    Uhl1,
    HeaderMark,
    FirstBlock,
    BlockOrMark,
    Eof1,
    Eof2,
    Utl1,
    TrailerMark,
}

impl Expect {
    fn describe(self) -> &'static str {
        match self {
            Self::Vol1 => "VOL1",
            Self::FileOrEnd => "a file's HDR1 or the end of data",
            Self::PrelabelMark => "the tape mark after the PRELABEL HDR1",
            Self::End => "the end of data after the PRELABEL file",
            Self::Hdr2 => "HDR2",
            Self::Uhl1 => "UHL1",
            Self::HeaderMark => "the tape mark after UHL1",
            Self::FirstBlock => "the file's first data block",
            Self::BlockOrMark => "a data block or the tape mark after the data",
            Self::Eof1 => "EOF1",
            Self::Eof2 => "EOF2",
            Self::Utl1 => "UTL1",
            Self::TrailerMark => "the tape mark after UTL1",
        }
    }

    fn in_header(self) -> bool {
        matches!(self, Self::Hdr2 | Self::Uhl1 | Self::HeaderMark)
    }

    fn in_trailer(self) -> bool {
        matches!(self, Self::Eof1 | Self::Eof2 | Self::Utl1 | Self::TrailerMark)
    }
}

/// One record as the layout sees it.
pub(super) enum Token<'a> {
    /// A label, parsed (or why it does not parse), under the name of its first four bytes.
    Label(&'static str, &'a Result<Option<Label>, LabelError>),
    /// A data block: its bytes (an 80-byte one where a label belongs is that label, damaged).
    Data(&'a [u8]),
    TapeMark,
    End,
}

/// The checker's state between records.
pub(super) struct Layout {
    expect: Expect,
    vsn: Option<String>,
    /// Files met so far: the fSeq the next UHL1 must carry, minus one.
    files: u64,
    file_id: Option<String>,
    uhl1_fseq: Option<u64>,
    blocks: u64,
    /// The previous record was a tape mark already reported as out of place.
    mark_reported: bool,
    /// Stray tape marks folded into the line of the first one of their run: they count as
    /// problems (so an image of zeros stops early) without a line each.
    pub(super) folded: u64,
}

impl Layout {
    pub(super) fn new() -> Self {
        Self {
            expect: Expect::Vol1,
            vsn: None,
            files: 0,
            file_id: None,
            uhl1_fseq: None,
            blocks: 0,
            mark_reported: false,
            folded: 0,
        }
    }

    /// Checks the record at `object`; returns what is wrong with it, if anything.
    pub(super) fn record(&mut self, object: u64, token: &Token<'_>) -> Option<String> {
        let was_reported = std::mem::take(&mut self.mark_reported);
        let expect = self.expect;
        let problem = match token {
            Token::Label(name, parsed) => self.label(object, name, parsed),
            Token::Data(bytes) if bytes.len() == LABEL_LEN && self.expects_label() => self.damaged_label(bytes),
            Token::Data(_) => self.data(),
            Token::TapeMark => {
                let p = self.mark();
                if p.is_some() {
                    self.mark_reported = true;
                    // One line for a run of stray tape marks (an image of zeros is nothing else).
                    if was_reported && self.expect == expect {
                        self.folded += 1;
                        return None;
                    }
                }
                p
            }
            Token::End => self.end(),
        };
        problem.map(|p| format!("object {object}: {p}"))
    }

    fn found(&self, what: &str) -> String {
        format!("{what} where {} was expected", self.expect.describe())
    }

    fn label(&mut self, object: u64, name: &str, parsed: &Result<Option<Label>, LabelError>) -> Option<String> {
        let ok = parsed.as_ref().ok().and_then(Option::as_ref);
        let mut problem = match (name, self.expect) {
            ("VOL1", Expect::Vol1)
            | ("HDR1", Expect::FileOrEnd)
            | ("HDR2", Expect::Hdr2)
            | ("UHL1", Expect::Uhl1)
            | ("EOF1", Expect::Eof1)
            | ("EOF2", Expect::Eof2)
            | ("UTL1", Expect::Utl1) => None,
            _ => Some(self.found(name)),
        };
        // Resynchronise on the label found, whatever was expected.
        let mut detail = None;
        match name {
            "VOL1" => {
                if object != 0 {
                    problem = Some(format!("VOL1 at object {object}, not at the beginning of the tape"));
                }
                if let Some(Label::Vol1(v)) = ok {
                    self.vsn = Some(v.vsn.clone());
                }
                self.expect = Expect::FileOrEnd;
            }
            "HDR1" => {
                let prelabel = matches!(ok, Some(Label::Hdr1(h)) if h.is_prelabel());
                if prelabel {
                    if object != 1 {
                        problem.get_or_insert_with(|| "PRELABEL HDR1 after the first file".into());
                    }
                    self.expect = Expect::PrelabelMark;
                } else {
                    self.files += 1;
                    self.blocks = 0;
                    self.uhl1_fseq = None;
                    self.file_id = None;
                    if let Some(Label::Hdr1(h)) = ok {
                        detail = self.check_hdr1(h);
                        self.file_id = Some(h.file_id.clone());
                    }
                    self.expect = Expect::Hdr2;
                }
            }
            "HDR2" => self.expect = Expect::Uhl1,
            "UHL1" => {
                if let Some(Label::Uhl1(u)) = ok {
                    detail = self.check_uhl1(u);
                }
                self.expect = Expect::HeaderMark;
            }
            "EOF1" => {
                if let Some(Label::Hdr1(h)) = ok {
                    detail = self.check_eof1(h);
                }
                self.expect = Expect::Eof2;
            }
            "EOF2" => self.expect = Expect::Utl1,
            "UTL1" => {
                if let Some(Label::Uhl1(u)) = ok
                    && let Some(f) = self.uhl1_fseq
                    && u.fseq != f
                {
                    detail = Some(format!("UTL1 fSeq {} is not the UHL1 fSeq {f}", u.fseq));
                }
                self.expect = Expect::TrailerMark;
            }
            _ => {}
        }
        problem.or(detail)
    }

    fn expects_label(&self) -> bool {
        matches!(
            self.expect,
            Expect::Vol1 | Expect::FileOrEnd | Expect::Hdr2 | Expect::Uhl1 | Expect::Eof1 | Expect::Eof2 | Expect::Utl1
        )
    }

    /// An 80-byte record that is not a label where one belongs: that label, damaged. Taking it
    /// as such keeps the files after it counted right (one problem, not a cascade).
    fn damaged_label(&mut self, bytes: &[u8]) -> Option<String> {
        let id = String::from_utf8_lossy(&bytes[..4]).escape_debug().to_string();
        let name = match self.expect {
            Expect::Vol1 => "VOL1",
            Expect::FileOrEnd => "HDR1",
            Expect::Hdr2 => "HDR2",
            Expect::Uhl1 => "UHL1",
            Expect::Eof1 => "EOF1",
            Expect::Eof2 => "EOF2",
            _ => "UTL1",
        };
        self.expect = match self.expect {
            Expect::Vol1 => Expect::FileOrEnd,
            Expect::FileOrEnd => {
                self.files += 1;
                self.blocks = 0;
                self.uhl1_fseq = None;
                self.file_id = None;
                Expect::Hdr2
            }
            Expect::Hdr2 => Expect::Uhl1,
            Expect::Uhl1 => Expect::HeaderMark,
            Expect::Eof1 => Expect::Eof2,
            Expect::Eof2 => Expect::Utl1,
            _ => Expect::TrailerMark,
        };
        Some(format!("{name} damaged: an 80-byte record with identifier '{id}'"))
    }

    fn check_hdr1(&self, h: &Hdr1) -> Option<String> {
        match &self.vsn {
            Some(v) if *v != h.vsn => Some(format!("HDR1 VSN '{}' is not the VOL1 VSN '{v}'", h.vsn)),
            _ => None,
        }
    }

    fn check_uhl1(&mut self, u: &Uhl1) -> Option<String> {
        self.uhl1_fseq = Some(u.fseq);
        (u.fseq != self.files).then(|| format!("UHL1 fSeq {} but this is file {} on the tape", u.fseq, self.files))
    }

    fn check_eof1(&self, h: &Hdr1) -> Option<String> {
        if h.block_count != self.blocks % 1_000_000 {
            return Some(format!(
                "EOF1 block count {} but the file has {} data blocks",
                h.block_count, self.blocks
            ));
        }
        match &self.file_id {
            Some(id) if *id != h.file_id => {
                Some(format!("EOF1 file id '{}' is not the HDR1 file id '{id}'", h.file_id))
            }
            _ => None,
        }
    }

    fn data(&mut self) -> Option<String> {
        let problem = match self.expect {
            Expect::FirstBlock | Expect::BlockOrMark => None,
            _ => Some(self.found("a data block")),
        };
        if !matches!(self.expect, Expect::FirstBlock | Expect::BlockOrMark) {
            // Data where labels belong: count it with the file it is in.
            self.blocks = 0;
        }
        self.blocks += 1;
        self.expect = Expect::BlockOrMark;
        problem
    }

    fn mark(&mut self) -> Option<String> {
        let (problem, next) = match self.expect {
            Expect::PrelabelMark => (None, Expect::End),
            Expect::HeaderMark => (None, Expect::FirstBlock),
            Expect::BlockOrMark => (None, Expect::Eof1),
            Expect::TrailerMark => (None, Expect::FileOrEnd),
            Expect::FirstBlock => (
                Some(
                    "a tape mark where the file's first data block was expected (a file has at least one block)".into(),
                ),
                Expect::Eof1,
            ),
            e if e.in_header() => (Some(self.found("a tape mark")), Expect::FirstBlock),
            e if e.in_trailer() => (Some(self.found("a tape mark")), Expect::FileOrEnd),
            // A tape mark where VOL1 belongs: VOL1 is lost, the files may still follow.
            Expect::Vol1 => (Some(self.found("a tape mark")), Expect::FileOrEnd),
            e => (Some(self.found("a tape mark")), e),
        };
        self.expect = next;
        problem
    }

    fn end(&mut self) -> Option<String> {
        match self.expect {
            // A blank tape is not out of spec: it is not a CTA tape yet.
            Expect::FileOrEnd | Expect::End | Expect::Vol1 => None,
            e => Some(format!(
                "end of data where {} was expected (the tape ends inside file {})",
                e.describe(),
                self.files
            )),
        }
    }
}
