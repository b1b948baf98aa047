//! Fixed-width ASCII fields of an 80-byte label record, written and checked as CTA does.

use super::LabelError;

/// Length of every label record.
pub const LABEL_LEN: usize = 80;

/// An 80-byte label record being built: starts as all spaces.
pub(crate) struct Builder(pub(crate) [u8; LABEL_LEN]);

impl Builder {
    pub(crate) fn new(label: &[u8; 4]) -> Self {
        let mut rec = [b' '; LABEL_LEN];
        rec[..4].copy_from_slice(label);
        Self(rec)
    }

    /// Left-justified, space-padded, truncated to the field width; characters that are not
    /// printable ASCII are written as `?` so that no field can spill into the next.
    pub(crate) fn text(&mut self, off: usize, len: usize, value: &str) -> &mut Self {
        for (slot, c) in self.0[off..off + len].iter_mut().zip(value.chars()) {
            *slot = if c.is_ascii() && !c.is_ascii_control() {
                c as u8
            } else {
                b'?'
            };
        }
        self
    }

    /// `%.<len>d` of `value mod 10^len`: zero-padded and wrapping, as CTA's `setInt`.
    pub(crate) fn number(&mut self, off: usize, len: usize, value: u64) -> &mut Self {
        let modulus = 10u64
            .checked_pow(u32::try_from(len).unwrap_or(u32::MAX))
            .unwrap_or(u64::MAX);
        let text = format!("{:0len$}", value % modulus);
        self.text(off, len, &text)
    }
}

/// Read access with the checks CTA's `verify()` makes, naming the record in every error.
pub(crate) struct Fields<'a> {
    pub(crate) rec: &'a [u8; LABEL_LEN],
    pub(crate) record: &'static str,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(bytes: &'a [u8], record: &'static str) -> Result<Self, LabelError> {
        let rec: &[u8; LABEL_LEN] = bytes
            .try_into()
            .map_err(|_| LabelError::new(record, "length", format!("must be 80 bytes, got {}", bytes.len())))?;
        // Labels are printable ASCII (cta-interfaces.md §3.1); anything else cannot be a field value.
        if let Some(at) = rec.iter().position(|b| !(0x20..0x7f).contains(b)) {
            let detail = format!("byte {:#04x} at offset {at} is not printable ASCII", rec[at]);
            return Err(LabelError::new(record, "record", detail));
        }
        Ok(Self { rec, record })
    }

    pub(crate) fn raw(&self, off: usize, len: usize) -> &'a [u8] {
        &self.rec[off..off + len]
    }

    /// The field without its trailing spaces (non-ASCII bytes shown as U+FFFD).
    pub(crate) fn text(&self, off: usize, len: usize) -> String {
        String::from_utf8_lossy(self.raw(off, len))
            .trim_end_matches(' ')
            .to_owned()
    }

    pub(crate) fn err(&self, field: &'static str, detail: impl Into<String>) -> LabelError {
        LabelError::new(self.record, field, detail)
    }

    pub(crate) fn expect_eq(&self, off: usize, value: &[u8], field: &'static str) -> Result<(), LabelError> {
        let got = self.raw(off, value.len());
        if got == value {
            Ok(())
        } else {
            Err(self.err(field, format!("must be '{}', found '{}'", show(value), show(got))))
        }
    }

    pub(crate) fn expect_blank(&self, off: usize, len: usize, field: &'static str) -> Result<(), LabelError> {
        let got = self.raw(off, len);
        if got.iter().all(|&b| b == b' ') {
            Ok(())
        } else {
            Err(self.err(field, format!("must be spaces, found '{}'", show(got))))
        }
    }

    /// Non-blank text field; returns it without trailing spaces.
    pub(crate) fn non_blank(&self, off: usize, len: usize, field: &'static str) -> Result<String, LabelError> {
        let got = self.raw(off, len);
        if got.iter().all(|&b| b == b' ') {
            Err(self.err(field, "must not be blank"))
        } else {
            Ok(self.text(off, len))
        }
    }

    /// Non-blank field of decimal digits (CTA's readers parse these as numbers).
    pub(crate) fn digits(&self, off: usize, len: usize, field: &'static str) -> Result<u64, LabelError> {
        let text = self.non_blank(off, len, field)?;
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.err(
                field,
                format!("must be decimal digits, found '{}'", show(self.raw(off, len))),
            ));
        }
        text.parse()
            .map_err(|_| self.err(field, format!("number out of range: '{text}'")))
    }
}

/// Printable rendering of raw label bytes for messages (non-printable bytes as `\xNN`).
pub(crate) fn show(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                char::from(b).to_string()
            } else {
                format!("\\x{b:02x}")
            }
        })
        .collect()
}
