//! The rows of the upstream `REPACK_STATUS` table, the derived state and the mode.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// Longest VID the upstream column (`varchar(20)`) holds.
pub const MAX_VID_LEN: usize = 20;

/// Who owns a tape (ops-tools §6.3): orthogonal to the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The scheduled steps process it.
    Auto,
    /// An operator owns it; the steps leave it alone.
    Manual,
    /// The automation found a problem; nothing touches it until an operator acts.
    Error,
}

impl Mode {
    pub const ALL: [Self; 3] = [Self::Auto, Self::Manual, Self::Error];

    /// The value of the `automation_modes` enum.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Manual => "manual",
            Self::Error => "error",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| StoreError::InvalidArgument(format!("bad mode {s:?}: expected auto, manual or error")))
    }
}

/// Where a tape is in its repack life: the last non-null timestamp column (ops-tools §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Entered,
    Started,
    Repacked,
    Quarantined,
    Reclaimed,
    Finished,
}

impl State {
    /// In life order; the index is the column's position among the timestamps.
    pub const ALL: [Self; 6] = [
        Self::Entered,
        Self::Started,
        Self::Repacked,
        Self::Quarantined,
        Self::Reclaimed,
        Self::Finished,
    ];

    /// The timestamp column that marks this state (also the state's lowercase name).
    #[must_use]
    pub const fn column(self) -> &'static str {
        match self {
            Self::Entered => "entered",
            Self::Started => "started",
            Self::Repacked => "repacked",
            Self::Quarantined => "quarantined",
            Self::Reclaimed => "reclaimed",
            Self::Finished => "finished",
        }
    }

    /// The state before this one (`None` for `Entered`).
    #[must_use]
    pub fn previous(self) -> Option<Self> {
        let i = Self::ALL.iter().position(|s| *s == self)?;
        i.checked_sub(1).map(|j| Self::ALL[j])
    }

    /// The state after this one (`None` for `Finished`).
    #[must_use]
    pub fn next(self) -> Option<Self> {
        let i = Self::ALL.iter().position(|s| *s == self)?;
        Self::ALL.get(i + 1).copied()
    }

    /// SQL condition "the tape is exactly in this state" (this column set, every later one null).
    #[must_use]
    pub fn sql_condition(self) -> String {
        let mut parts = vec![format!("{} IS NOT NULL", self.column())];
        let mut s = self.next();
        while let Some(later) = s {
            parts.push(format!("{} IS NULL", later.column()));
            s = later.next();
        }
        parts.join(" AND ")
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.column())
    }
}

impl FromStr for State {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        Self::ALL.into_iter().find(|st| st.column() == lower).ok_or_else(|| {
            StoreError::InvalidArgument(format!(
                "bad state {s:?}: expected entered, started, repacked, quarantined, reclaimed or finished"
            ))
        })
    }
}

/// One row of the repack table. Timestamps are `YYYY-MM-DD HH:MM:SS` (UTC, `timestamp(0)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TapeRow {
    pub tape: String,
    pub entered: String,
    pub started: Option<String>,
    pub repacked: Option<String>,
    pub quarantined: Option<String>,
    pub reclaimed: Option<String>,
    pub finished: Option<String>,
    pub files: i64,
    pub bytes: i64,
    pub usage: i16,
    pub last_write_date: Option<String>,
    pub mode: Mode,
    pub priority: i16,
    pub mediatype: String,
    pub tapepool: String,
    pub responsible: String,
}

impl TapeRow {
    /// The derived state: the last timestamp set, in life order.
    #[must_use]
    pub fn state(&self) -> State {
        let stamps = [
            (State::Finished, &self.finished),
            (State::Reclaimed, &self.reclaimed),
            (State::Quarantined, &self.quarantined),
            (State::Repacked, &self.repacked),
            (State::Started, &self.started),
        ];
        stamps
            .into_iter()
            .find(|(_, t)| t.is_some())
            .map_or(State::Entered, |(s, _)| s)
    }
}

/// What `add` needs to enter a tape (state Entered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTape {
    pub tape: String,
    pub files: i64,
    pub bytes: i64,
    pub usage: i16,
    pub last_write_date: Option<String>,
    pub mode: Mode,
    pub priority: i16,
    pub mediatype: String,
    pub tapepool: String,
    pub responsible: String,
}

impl NewTape {
    /// Checks the values against the upstream column types before anything is written.
    ///
    /// # Errors
    /// [`StoreError::InvalidArgument`] naming the bad field.
    pub fn validate(&self) -> Result<(), StoreError> {
        validate_vid(&self.tape)?;
        let bad = |what: &str| Err(StoreError::InvalidArgument(format!("tape {}: {what}", self.tape)));
        if self.files < 0 || self.bytes < 0 {
            return bad("files and bytes must not be negative");
        }
        if !(0..=100).contains(&self.usage) {
            return bad("usage is a percentage (0-100)");
        }
        if self.mediatype.len() > 20 || self.tapepool.len() > 200 || self.responsible.len() > 40 {
            return bad("mediatype (20), tapepool or responsible (40) too long");
        }
        Ok(())
    }
}

/// Rejects what cannot be a VID before it reaches SQL.
///
/// # Errors
/// [`StoreError::InvalidArgument`].
pub fn validate_vid(vid: &str) -> Result<(), StoreError> {
    if vid.is_empty()
        || vid.len() > MAX_VID_LEN
        || !vid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(StoreError::InvalidArgument(format!(
            "bad VID {vid:?}: 1-{MAX_VID_LEN} letters, digits, '-' or '_'"
        )));
    }
    Ok(())
}

/// Who changes a row and why: written to the history with the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub who: String,
    pub why: String,
}

impl Actor {
    #[must_use]
    pub fn new(who: impl Into<String>, why: impl Into<String>) -> Self {
        Self {
            who: who.into(),
            why: why.into(),
        }
    }
}

/// One entry of a tape's audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub tape: String,
    pub at: String,
    pub actor: String,
    /// `add`, `remove`, `mode`, `priority`, `advance`.
    pub action: String,
    pub from_value: Option<String>,
    pub to_value: Option<String>,
    pub reason: String,
}

/// Filters for `list`; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub state: Option<State>,
    pub mode: Option<Mode>,
    pub tapepool: Option<String>,
    pub tapes: Vec<String>,
}

impl Filter {
    #[must_use]
    pub fn accepts(&self, row: &TapeRow) -> bool {
        self.state.is_none_or(|s| row.state() == s)
            && self.mode.is_none_or(|m| row.mode == m)
            && self.tapepool.as_ref().is_none_or(|p| &row.tapepool == p)
            && (self.tapes.is_empty() || self.tapes.contains(&row.tape))
    }
}

/// Result of a change that may already have been made (idempotent operations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The change was written (with its history row).
    Applied,
    /// The row already was in the asked-for state: nothing written.
    Unchanged,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_order_and_condition() {
        assert_eq!(State::Entered.previous(), None);
        assert_eq!(State::Repacked.previous(), Some(State::Started));
        assert_eq!(State::Finished.next(), None);
        assert_eq!(
            State::Reclaimed.sql_condition(),
            "reclaimed IS NOT NULL AND finished IS NULL"
        );
        assert_eq!("Quarantined".parse::<State>().ok(), Some(State::Quarantined));
        assert!("gone".parse::<State>().is_err());
        assert!("AUTO".parse::<Mode>().is_err());
    }

    #[test]
    fn vid_rules() {
        assert!(validate_vid("L80001").is_ok());
        assert!(validate_vid("").is_err());
        assert!(validate_vid("a'b").is_err());
        assert!(validate_vid(&"x".repeat(21)).is_err());
    }
}
