//! The 64 TapeAlert flags (SSC-3/SSC-4 names) with severity and the recommended action.

use serde::{Deserialize, Serialize};

/// TapeAlert severity classes (I = information, W = warning, C = critical).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Information,
    Warning,
    Critical,
}

/// One flag definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TapeAlertFlag {
    pub code: u8,
    pub name: &'static str,
    pub severity: Severity,
    pub action: &'static str,
    /// What the flag is about, to tell a bad drive from a bad cartridge.
    pub subject: Subject,
}

/// Whether a flag points at the cartridge, the drive, cleaning or something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Subject {
    Media,
    Drive,
    Cleaning,
    Other,
}

use Severity::{Critical as C, Information as I, Warning as W};
use Subject::{Cleaning as Cl, Drive as Dr, Media as Me, Other as Ot};

const fn f(code: u8, name: &'static str, severity: Severity, subject: Subject, action: &'static str) -> TapeAlertFlag {
    TapeAlertFlag {
        code,
        name,
        severity,
        action,
        subject,
    }
}

const COPY_OFF: &str = "Copy the data off this cartridge and retire it";
const SERVICE: &str = "Call the drive vendor for service";
const RESERVED: &str = "No action";

/// Flags 1..=64, index = code - 1.
pub const FLAGS: [TapeAlertFlag; 64] = [
    f(
        0x01,
        "Read warning",
        W,
        Me,
        "The drive is having problems reading; copy the data if it persists",
    ),
    f(
        0x02,
        "Write warning",
        W,
        Me,
        "The drive is having problems writing; use another cartridge if it persists",
    ),
    f(
        0x03,
        "Hard error",
        W,
        Dr,
        "Retry the operation; a read/write failure was reported",
    ),
    f(0x04, "Media", C, Me, COPY_OFF),
    f(
        0x05,
        "Read failure",
        C,
        Dr,
        "Try the cartridge in another drive; if it fails there too the cartridge is bad",
    ),
    f(
        0x06,
        "Write failure",
        C,
        Me,
        "Try another cartridge; if writes still fail, the drive is faulty",
    ),
    f(
        0x07,
        "Media life",
        W,
        Me,
        "The cartridge reached its end of life: copy the data and retire it",
    ),
    f(
        0x08,
        "Not data grade",
        W,
        Me,
        "Replace the cartridge with a data-grade one",
    ),
    f(
        0x09,
        "Write protect",
        C,
        Me,
        "Remove write protection or use another cartridge",
    ),
    f(
        0x0A,
        "No removal",
        I,
        Ot,
        "Wait for the operation to finish before unloading",
    ),
    f(
        0x0B,
        "Cleaning media",
        I,
        Cl,
        "A cleaning cartridge is loaded; data operations are not possible",
    ),
    f(
        0x0C,
        "Unsupported format",
        I,
        Me,
        "Use a cartridge of a format this drive supports",
    ),
    f(0x0D, "Recoverable mechanical cartridge failure", C, Me, COPY_OFF),
    f(
        0x0E,
        "Unrecoverable mechanical cartridge failure",
        C,
        Me,
        "Snapped tape: do not reload; call service",
    ),
    f(
        0x0F,
        "Memory chip in cartridge failure",
        W,
        Me,
        "Cartridge memory failed: copy the data and retire the cartridge",
    ),
    f(
        0x10,
        "Forced eject",
        C,
        Ot,
        "The cartridge was ejected manually during an operation; check the data",
    ),
    f(
        0x11,
        "Read only format",
        W,
        Me,
        "This format can only be read here; use a writable generation",
    ),
    f(
        0x12,
        "Tape directory corrupted on load",
        W,
        Me,
        "The tape directory will be rebuilt; expect slow positioning",
    ),
    f(0x13, "Nearing media life", I, Me, "Plan to replace this cartridge"),
    f(0x14, "Cleaning required", C, Cl, "Clean the drive now"),
    f(
        0x15,
        "Cleaning requested",
        W,
        Cl,
        "Clean the drive soon (periodic cleaning)",
    ),
    f(0x16, "Expired cleaning media", C, Cl, "Replace the cleaning cartridge"),
    f(0x17, "Invalid cleaning tape", C, Cl, "Use a valid cleaning cartridge"),
    f(0x18, "Retension requested", W, Me, "Retension the tape"),
    f(0x19, "Dual-port interface error", W, Dr, "Check the drive interfaces"),
    f(0x1A, "Cooling fan failure", W, Dr, "Check the drive fan"),
    f(0x1B, "Power supply failure", W, Dr, "Check the drive power supply"),
    f(0x1C, "Power consumption", W, Dr, "Check the drive power consumption"),
    f(
        0x1D,
        "Drive maintenance required",
        W,
        Dr,
        "Schedule preventive maintenance",
    ),
    f(
        0x1E,
        "Hardware A",
        C,
        Dr,
        "Reset the drive; if the flag returns, call service",
    ),
    f(0x1F, "Hardware B", C, Dr, SERVICE),
    f(0x20, "Interface", W, Dr, "Check the cables and the host interface"),
    f(
        0x21,
        "Eject media",
        C,
        Ot,
        "Unload the cartridge and retry the operation",
    ),
    f(
        0x22,
        "Microcode update fail",
        W,
        Dr,
        "Retry the firmware update with a correct image",
    ),
    f(
        0x23,
        "Drive humidity",
        W,
        Dr,
        "Bring the drive back into its humidity range",
    ),
    f(
        0x24,
        "Drive temperature",
        W,
        Dr,
        "Bring the drive back into its temperature range (cooling)",
    ),
    f(0x25, "Drive voltage", W, Dr, "Check the drive supply voltage"),
    f(
        0x26,
        "Predictive failure",
        C,
        Dr,
        "The drive predicts a hardware failure: call service",
    ),
    f(0x27, "Diagnostics required", W, Dr, "Run the drive diagnostics"),
    f(0x28, "Loader hardware A (obsolete)", C, Ot, SERVICE),
    f(
        0x29,
        "Loader stray tape (obsolete)",
        C,
        Ot,
        "Remove the stray cartridge from the loader",
    ),
    f(0x2A, "Loader hardware B (obsolete)", W, Ot, SERVICE),
    f(0x2B, "Loader door (obsolete)", C, Ot, "Close the loader door"),
    f(0x2C, "Loader hardware C (obsolete)", C, Ot, SERVICE),
    f(0x2D, "Loader magazine (obsolete)", C, Ot, "Check the magazine"),
    f(0x2E, "Loader predictive failure (obsolete)", W, Ot, SERVICE),
    f(
        0x2F,
        "Encryption control communications failure",
        W,
        Ot,
        "Check the link to the key manager",
    ),
    f(0x30, "Encryption key manager error", W, Ot, "Check the key manager"),
    f(
        0x31,
        "Diminished native capacity",
        W,
        Me,
        "The cartridge has less capacity than nominal; consider retiring it",
    ),
    f(
        0x32,
        "Lost statistics",
        W,
        Me,
        "Media statistics were lost; no action on the data",
    ),
    f(
        0x33,
        "Tape directory invalid at unload",
        W,
        Me,
        "The tape directory will be rebuilt on the next load",
    ),
    f(0x34, "Tape system area write failure", C, Me, COPY_OFF),
    f(0x35, "Tape system area read failure", C, Me, COPY_OFF),
    f(
        0x36,
        "No start of data",
        C,
        Me,
        "The tape is blank or damaged at the start of data",
    ),
    f(
        0x37,
        "Loading failure",
        C,
        Dr,
        "The cartridge could not be loaded: try another drive, then service",
    ),
    f(
        0x38,
        "Unrecoverable unload failure",
        C,
        Dr,
        "The cartridge is stuck in the drive: call service",
    ),
    f(
        0x39,
        "Automation interface failure",
        C,
        Dr,
        "Check the library-to-drive interface",
    ),
    f(0x3A, "Microcode failure", W, Dr, "Reload the drive firmware"),
    f(
        0x3B,
        "WORM volume integrity check failed",
        W,
        Me,
        "Check the WORM cartridge; its data may have been altered",
    ),
    f(
        0x3C,
        "WORM volume overwrite attempted",
        W,
        Me,
        "An overwrite of WORM data was refused",
    ),
    f(
        0x3D,
        "Encryption policy violation",
        W,
        Ot,
        "Check the encryption settings",
    ),
    f(0x3E, "Reserved (0x3E)", I, Ot, RESERVED),
    f(0x3F, "Reserved (0x3F)", I, Ot, RESERVED),
    f(0x40, "Reserved (0x40)", I, Ot, RESERVED),
];

/// The flag with this code (1..=64).
#[must_use]
pub fn flag(code: u8) -> Option<&'static TapeAlertFlag> {
    FLAGS.get(usize::from(code).checked_sub(1)?)
}

/// The active flags of a bitmap (bit 63 = flag 1, as on the wire).
#[must_use]
pub fn active(bitmap: u64) -> Vec<&'static TapeAlertFlag> {
    FLAGS
        .iter()
        .filter(|f| bitmap & (1u64 << (64 - u32::from(f.code))) != 0)
        .collect()
}

/// The bit of a flag in a bitmap.
#[must_use]
pub fn bit(code: u8) -> u64 {
    if (1..=64).contains(&code) {
        1u64 << (64 - u32::from(code))
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_complete_and_ordered() {
        for (i, f) in FLAGS.iter().enumerate() {
            assert_eq!(usize::from(f.code), i + 1);
        }
        assert_eq!(flag(0x14).unwrap().name, "Cleaning required");
        assert_eq!(flag(0x14).unwrap().severity, Severity::Critical);
        assert_eq!(flag(0x32).unwrap().name, "Lost statistics");
        assert!(flag(0).is_none() && flag(65).is_none());
    }

    #[test]
    fn bitmap_order_is_msb_first() {
        let a = active(bit(1) | bit(0x24) | bit(64));
        let codes: Vec<u8> = a.iter().map(|f| f.code).collect();
        assert_eq!(codes, [1, 0x24, 64]);
        assert_eq!(bit(1), 1 << 63);
        assert_eq!(bit(99), 0);
    }
}
