//! Durations as options take them: `30s`, `5m`, `2h`, `1d`, `1.5h`, `250ms`; a bare number is
//! seconds. Fractions are exact to the nanosecond (digit arithmetic, as for sizes).

use std::time::Duration;

use super::{Malformed, split_number};
use crate::error::Error;

const NANOS_PER_SECOND: u128 = 1_000_000_000;

/// Parses a duration such as `30s`, `5m`, `2h`, `1d`, `1.5h` or `90` (seconds).
///
/// Units (case-insensitive): `ms`, `s`/`sec`, `m`/`min`, `h`, `d`; nothing means seconds.
///
/// # Errors
/// [`Error::InvalidArgument`] naming the text when it is empty, negative, has an unknown unit or
/// does not fit in a [`Duration`].
pub fn parse_duration(text: &str) -> Result<Duration, Error> {
    let bad = |why: &str| Error::InvalidArgument(format!("invalid duration {text:?}: {why}"));
    let (number, unit) = split_number(text).map_err(|why| {
        bad(if why == Malformed::Missing {
            "expected a number optionally followed by ms, s, m, h or d"
        } else {
            why.text()
        })
    })?;
    let nanos_per_unit: u128 = match unit.trim().to_ascii_lowercase().as_str() {
        "ms" => 1_000_000,
        "" | "s" | "sec" => NANOS_PER_SECOND,
        "m" | "min" => 60 * NANOS_PER_SECOND,
        "h" => 3600 * NANOS_PER_SECOND,
        "d" => 86_400 * NANOS_PER_SECOND,
        _ => return Err(bad("unknown unit (ms, s, m, h or d; a bare number is seconds)")),
    };
    let nanos = number.times(nanos_per_unit).ok_or_else(|| bad("too long"))?;
    let secs = u64::try_from(nanos / NANOS_PER_SECOND).map_err(|_| bad("too long"))?;
    let sub = u32::try_from(nanos % NANOS_PER_SECOND).map_err(|_| bad("too long"))?;
    Ok(Duration::new(secs, sub))
}

/// Like [`parse_duration`] for options that count whole seconds: a fraction of a second is
/// refused rather than silently dropped.
///
/// # Errors
/// As [`parse_duration`], and when the duration is not a whole number of seconds.
pub fn parse_whole_seconds(text: &str) -> Result<u64, Error> {
    let d = parse_duration(text)?;
    if d.subsec_nanos() != 0 {
        return Err(Error::InvalidArgument(format!(
            "invalid duration {text:?}: this option takes whole seconds"
        )));
    }
    Ok(d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_bare_seconds() {
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("30").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("5m").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_duration("2h").unwrap(), Duration::from_secs(7200));
        assert_eq!(parse_duration("1d").unwrap(), Duration::from_secs(86_400));
        assert_eq!(parse_duration("1.5h").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration(" 2 MIN ").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("0.1").unwrap(), Duration::from_millis(100));
    }

    #[test]
    fn rejects_bad_durations_with_the_text() {
        for bad in ["", "s", "-5s", "5x", "1.2.3s", "5 hours", "99999999999999999999999d"] {
            let err = parse_duration(bad).unwrap_err();
            assert_eq!(err.code(), "INVALID_ARGUMENT", "{bad}");
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
        assert!(parse_duration("-5s").unwrap_err().to_string().contains("negative"));
    }

    #[test]
    fn whole_seconds_refuse_fractions() {
        assert_eq!(parse_whole_seconds("1.5m").unwrap(), 90);
        assert!(parse_whole_seconds("1.5").is_err());
    }
}
