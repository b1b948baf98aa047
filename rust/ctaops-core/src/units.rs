//! Sizes and durations as people write them on command lines and in the config file, parsed by
//! one parser each for Rust and Python (`ctaops._core.parse_size`, `parse_duration`).
//!
//! Sizes: a bare number is bytes; `kB/KB MB GB TB PB EB` are SI (powers of 1000, what CTA's and
//! EOS's tools print); `KiB MiB GiB …` are IEC (powers of 1024); a bare letter `K M G T P E`
//! stays IEC because upstream documents `default_file_size: '10G'` as 10 GiB and
//! `random_file_size: 5368709120` as 5 GiB (ops-tools §5.3). Letters are case-insensitive; only
//! `B` against `iB` tells SI from IEC. People read sizes as [`format_size_human`] prints them
//! (`10.2 GB`); the config reads back what [`format_size`] writes (`10G`); [`format_size_decimal`]
//! is cta-admin's table style, only for output that mimics cta-admin.

mod duration;

pub use duration::{parse_duration, parse_whole_seconds};

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

/// Unit letters in increasing order; index `i` means `1024^(i+1)` (or `1000^(i+1)`).
const UNITS: [char; 6] = ['K', 'M', 'G', 'T', 'P', 'E'];

/// Parses a size such as `10G`, `0B`, `1.5T`, `512`, `4KiB` or `2 GB` into bytes.
///
/// Fractions are exact (digit arithmetic, not floating point) and rounded down to whole bytes.
///
/// # Errors
/// [`Error::InvalidArgument`] naming the text when it is empty, negative, has an unknown unit or
/// does not fit in 64 bits.
pub fn parse_size(text: &str) -> Result<u64, Error> {
    let bad = |why: &str| Error::InvalidArgument(format!("invalid size {text:?}: {why}"));
    let (number, unit) = split_number(text).map_err(|why| {
        bad(if why == Malformed::Missing {
            "expected a number optionally followed by B, kB, KiB, K, MB, MiB, M, … up to E"
        } else {
            why.text()
        })
    })?;
    let multiplier = unit_multiplier(unit.trim())
        .ok_or_else(|| bad("unknown unit (B; SI kB MB GB TB PB EB; IEC KiB MiB GiB TiB PiB EiB or K M G T P E)"))?;
    let bytes = number.times(multiplier).ok_or_else(|| bad("too large"))?;
    u64::try_from(bytes).map_err(|_| bad("too large (more than 16 EiB)"))
}

/// Why a number did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Malformed {
    /// No digits at all.
    Missing,
    /// A minus sign.
    Negative,
    /// Two dots, a lone dot, or more digits than fit.
    Bad,
}

impl Malformed {
    pub(crate) const fn text(self) -> &'static str {
        match self {
            Self::Missing => "expected a number",
            Self::Negative => "cannot be negative",
            Self::Bad => "malformed number",
        }
    }
}

/// A non-negative decimal number kept as digits, so that `10.2` times a unit is exact.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decimal {
    int: u128,
    frac: u128,
    frac_scale: u128,
}

impl Decimal {
    /// `self * multiplier`, rounded down; `None` on overflow.
    pub(crate) fn times(self, multiplier: u128) -> Option<u128> {
        let whole = self.int.checked_mul(multiplier)?;
        whole.checked_add(self.frac.checked_mul(multiplier)? / self.frac_scale)
    }
}

/// Splits `text` (trimmed) into its leading decimal number and the rest.
pub(crate) fn split_number(text: &str) -> Result<(Decimal, &str), Malformed> {
    let s = text.trim();
    let end = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let (number, rest) = s.split_at(end);
    if number.is_empty() {
        return Err(if s.starts_with('-') {
            Malformed::Negative
        } else {
            Malformed::Missing
        });
    }
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    if int_part.is_empty() && frac_part.is_empty() || frac_part.contains('.') {
        return Err(Malformed::Bad);
    }
    let int: u128 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().map_err(|_| Malformed::Bad)?
    };
    // Only the first 18 fractional digits matter for a 64-bit result; more could overflow u128.
    let frac_digits = &frac_part[..frac_part.len().min(18)];
    let frac: u128 = if frac_digits.is_empty() {
        0
    } else {
        frac_digits.parse().map_err(|_| Malformed::Bad)?
    };
    let frac_scale = 10u128.pow(u32::try_from(frac_digits.len()).map_err(|_| Malformed::Bad)?);
    Ok((Decimal { int, frac, frac_scale }, rest))
}

fn unit_multiplier(unit: &str) -> Option<u128> {
    let upper = unit.to_ascii_uppercase();
    let mut chars = upper.chars();
    let Some(first) = chars.next() else { return Some(1) };
    if first == 'B' {
        return chars.as_str().is_empty().then_some(1);
    }
    let power = u32::try_from(UNITS.iter().position(|&u| u == first)?).ok()? + 1;
    match chars.as_str() {
        "" | "I" | "IB" => Some(1024u128.pow(power)),
        "B" => Some(1000u128.pow(power)),
        _ => None,
    }
}

/// Formats bytes for people: SI units with one decimal and a space, `999 B`, `1.0 kB`,
/// `10.2 GB`. Every size ctaops prints for an operator to read goes through here.
#[must_use]
pub fn format_size_human(bytes: u64) -> String {
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let (value, unit) = scaled(bytes, 1000);
    let prefix = if unit == 'K' { 'k' } else { unit };
    format!("{value:.1} {prefix}B")
}

/// Formats bytes the way the config writes them: `0B`, `512B`, `10G`, `1.5T` (bare letters,
/// so IEC, at most one decimal, no trailing `.0`). Exact multiples round-trip through [`parse_size`].
#[must_use]
pub fn format_size(bytes: u64) -> String {
    format_with(bytes, 1024, "B")
}

/// Formats bytes as cta-admin's text tables do: below 1000 the raw number, otherwise powers
/// of 1000 with exactly one decimal (`3.1G`).
#[must_use]
pub fn format_size_decimal(bytes: u64) -> String {
    if bytes < 1000 {
        return bytes.to_string();
    }
    let (value, unit) = scaled(bytes, 1000);
    format!("{value:.1}{unit}")
}

fn scaled(bytes: u64, base: u64) -> (f64, char) {
    let mut power = 0usize;
    let mut divisor = 1u128;
    while power < UNITS.len() && u128::from(bytes) >= divisor * u128::from(base) {
        power += 1;
        divisor *= u128::from(base);
    }
    #[expect(clippy::cast_precision_loss, reason = "display only, one decimal")]
    let value = bytes as f64 / divisor as f64;
    (value, if power == 0 { 'B' } else { UNITS[power - 1] })
}

fn format_with(bytes: u64, base: u64, byte_suffix: &str) -> String {
    if bytes < base {
        return format!("{bytes}{byte_suffix}");
    }
    let (value, unit) = scaled(bytes, base);
    let rounded = (value * 10.0).round() / 10.0;
    #[expect(clippy::cast_precision_loss, reason = "display only")]
    if rounded >= base as f64 && unit != 'E' {
        // 1023.96K rounds to 1024.0K: say 1M instead.
        let next = UNITS[UNITS.iter().position(|&u| u == unit).unwrap_or(0) + 1];
        return format!("1{next}");
    }
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}{unit}")
    } else {
        format!("{rounded:.1}{unit}")
    }
}

/// A size in bytes that reads from config either as a number of bytes or as text like `'1G'`,
/// and writes back as text ([`format_size`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Size(pub u64);

impl Size {
    #[must_use]
    pub const fn bytes(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_size(self.0))
    }
}

impl std::str::FromStr for Size {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        parse_size(s).map(Size)
    }
}

impl Serialize for Size {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_size(self.0))
    }
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Size;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a size such as '10G', '0B' or a number of bytes")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Size, E> {
                Ok(Size(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Size, E> {
                u64::try_from(v)
                    .map(Size)
                    .map_err(|_| E::custom("sizes cannot be negative"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Size, E> {
                parse_size(v).map(Size).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn parses_upstream_examples() {
        assert_eq!(parse_size("10G").unwrap(), 10 * (1 << 30));
        assert_eq!(parse_size("0B").unwrap(), 0);
        assert_eq!(parse_size("1G").unwrap(), 1 << 30);
        assert_eq!(parse_size("1.5T").unwrap(), 3 << 39);
        assert_eq!(parse_size("5368709120").unwrap(), 5 << 30);
        assert_eq!(parse_size(" 4 KiB ").unwrap(), 4096);
        assert_eq!(parse_size("2gb").unwrap(), 2_000_000_000);
        assert_eq!(parse_size("2gib").unwrap(), 2 << 30);
        assert_eq!(parse_size("3Ki").unwrap(), 3072);
        assert_eq!(parse_size(".5K").unwrap(), 512);
        assert_eq!(parse_size("15E").unwrap(), 15 << 60);
        assert_eq!(parse_size("0.1B").unwrap(), 0);
    }

    #[test]
    fn si_with_b_iec_with_ib_or_a_bare_letter() {
        assert_eq!(parse_size("1MB").unwrap(), 1_000_000);
        assert_eq!(parse_size("1kB").unwrap(), 1000);
        assert_eq!(parse_size("1KB").unwrap(), 1000);
        assert_eq!(parse_size("1MiB").unwrap(), 1 << 20);
        assert_eq!(parse_size("1M").unwrap(), 1 << 20);
        assert_eq!(parse_size("10.2M").unwrap(), 10_695_475);
        assert_eq!(parse_size("10.2MB").unwrap(), 10_200_000);
        assert_eq!(parse_size("1.5EB").unwrap(), 1_500_000_000_000_000_000);
    }

    #[test]
    fn negative_sizes_say_so() {
        assert!(parse_size("-1").unwrap_err().to_string().contains("cannot be negative"));
    }

    #[test]
    fn rejects_bad_sizes_with_the_text() {
        for bad in [
            "",
            "G",
            "-1G",
            "10X",
            "1.2.3K",
            "10GG",
            "10GiBB",
            "16E",
            "99999999999999999999999999999999999999999",
            ".",
        ] {
            let err = parse_size(bad).unwrap_err();
            assert_eq!(err.code(), "INVALID_ARGUMENT", "{bad}");
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn formats_like_the_config() {
        assert_eq!(format_size(0), "0B");
        assert_eq!(format_size(1023), "1023B");
        assert_eq!(format_size(1024), "1K");
        assert_eq!(format_size(10 << 30), "10G");
        assert_eq!(format_size(3 << 39), "1.5T");
        assert_eq!(format_size((1 << 20) - 1), "1M");
        assert_eq!(format_size(u64::MAX), "16E");
    }

    #[test]
    fn formats_like_cta_admin() {
        assert_eq!(format_size_decimal(999), "999");
        assert_eq!(format_size_decimal(1000), "1.0K");
        assert_eq!(format_size_decimal(3_100_000_000), "3.1G");
        assert_eq!(format_size_decimal(18_743_209_871_234), "18.7T");
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(format_size_human(0), "0 B");
        assert_eq!(format_size_human(999), "999 B");
        assert_eq!(format_size_human(1000), "1.0 kB");
        assert_eq!(format_size_human(10_200_000_000), "10.2 GB");
        assert_eq!(format_size_human(u64::MAX), "18.4 EB");
    }

    proptest! {
        #[test]
        fn exact_multiples_round_trip(n in 0u64..1024, power in 0u32..7) {
            let bytes = n << (10 * power).min(60);
            prop_assert_eq!(parse_size(&format_size(bytes)).unwrap(), bytes);
        }

        #[test]
        fn formatting_is_within_five_percent(bytes in any::<u64>()) {
            let back = parse_size(&format_size(bytes)).unwrap_or(u64::MAX);
            #[expect(clippy::cast_precision_loss, reason = "tolerance check")]
            let ratio = back as f64 / bytes.max(1) as f64;
            prop_assert!((0.95..=1.05).contains(&ratio) || bytes == 0, "{} -> {}", bytes, back);
        }

        #[test]
        fn parse_never_panics(s in ".{0,24}") {
            let _ = parse_size(&s);
        }
    }
}
