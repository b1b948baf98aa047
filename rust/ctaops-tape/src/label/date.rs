//! Label dates in the `cyyddd` form (`c` = `0` for 20xx, space for 19xx).

use super::LabelError;

/// A day as written into HDR1/EOF1 creation and expiration dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelDate {
    pub year: i32,
    /// Day of the year, 1–366.
    pub day_of_year: u16,
}

impl LabelDate {
    /// Today (UTC: CTA uses the tape server's local time; a UTC day keeps images reproducible across hosts).
    #[must_use]
    pub fn today() -> Self {
        let now = time::OffsetDateTime::now_utc();
        Self {
            year: now.year(),
            day_of_year: now.ordinal(),
        }
    }

    /// Builds a date, checking the day of year.
    pub fn new(year: i32, day_of_year: u16) -> Result<Self, LabelError> {
        if !(1900..=2099).contains(&year) || !(1..=366).contains(&day_of_year) {
            return Err(LabelError::new(
                "date",
                "cyyddd",
                format!("year {year} day {day_of_year} cannot be written"),
            ));
        }
        Ok(Self { year, day_of_year })
    }

    /// The 6-character field: `year mod 100` is printed without zero padding, so 2000–2009
    /// give 5 characters and a trailing space, exactly as CTA writes them.
    #[must_use]
    pub fn to_field(self) -> String {
        let century = if self.year >= 2000 { '0' } else { ' ' };
        let field = format!("{century}{}{:03}", self.year.rem_euclid(100), self.day_of_year);
        format!("{field:<6}")
    }
}

/// True when `raw` could have been written by CTA's date formatter (`c`, 1–2 digit year, 3 digit day).
pub(crate) fn is_cyyddd(raw: &[u8]) -> bool {
    if raw.len() != 6 || !matches!(raw[0], b'0' | b' ') {
        return false;
    }
    let body = &raw[1..];
    let trimmed: &[u8] = if body[4] == b' ' { &body[..4] } else { body };
    trimmed.len() >= 4 && trimmed.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_cta() {
        assert_eq!(LabelDate::new(2026, 64).unwrap().to_field(), "026064");
        assert_eq!(LabelDate::new(2005, 10).unwrap().to_field(), "05010 ");
        assert_eq!(LabelDate::new(1999, 365).unwrap().to_field(), " 99365");
        assert!(LabelDate::new(2026, 0).is_err());
    }

    #[test]
    fn recognises_written_dates() {
        for d in [
            LabelDate::new(2026, 64).unwrap(),
            LabelDate::new(2005, 10).unwrap(),
            LabelDate::new(1999, 1).unwrap(),
        ] {
            assert!(is_cyyddd(d.to_field().as_bytes()), "{d:?}");
        }
        assert!(!is_cyyddd(b"ABCDEF"));
        assert!(!is_cyyddd(b"1 2345"));
    }
}
