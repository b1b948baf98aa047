//! The rows of the upstream `REPACK_STATUS` table, the derived state and the mode.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::StoreError;

/// Longest VID the upstream column (`varchar(20)`) holds: what a lookup of an existing row accepts.
pub const MAX_VID_LEN: usize = 20;

/// Longest VID CTA can mount (`CA_MAXVIDLEN` in CTA's `common/Constants.hpp`: the six characters
/// of a VOL1 label): what `add` accepts.
pub const MAX_NEW_VID_LEN: usize = 6;

/// Longest reason kept in the history, in characters: CTA's own limit for a comment or state
/// reason (`MAX_CHAR_COMMENT` in `RdbmsCatalogueUtils::checkCommentOrReasonMaxLength`). CTA
/// truncates; the store refuses, so what the operator typed is never silently cut.
pub const MAX_REASON_LEN: usize = 1000;

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

impl TapeRow {
    /// Checks what the column types of a hand-edited or foreign table do not: every timestamp
    /// is `YYYY-MM-DD HH:MM:SS` (the steps compute ages from them).
    ///
    /// # Errors
    /// The first bad column, as text.
    pub fn check(&self) -> Result<(), String> {
        let stamps = [
            ("entered", Some(&self.entered)),
            ("started", self.started.as_ref()),
            ("repacked", self.repacked.as_ref()),
            ("quarantined", self.quarantined.as_ref()),
            ("reclaimed", self.reclaimed.as_ref()),
            ("finished", self.finished.as_ref()),
            ("last_write_date", self.last_write_date.as_ref()),
        ];
        for (name, v) in stamps {
            if let Some(v) = v
                && !is_timestamp(v)
            {
                return Err(format!("column {name}: {v:?} is not a YYYY-MM-DD HH:MM:SS time"));
            }
        }
        Ok(())
    }
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b' ',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        })
}

/// A row that cannot be read as a [`TapeRow`] (a hand-edited or damaged table): reported, never
/// acted on, and never in the way of the other rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadRow {
    /// The row's `tape` value as far as it can be read (`?` if not even that).
    pub tape: String,
    /// What is wrong, one line.
    pub problem: String,
}

impl From<BadRow> for StoreError {
    fn from(b: BadRow) -> Self {
        Self::MalformedRow {
            tape: b.tape,
            problem: b.problem,
        }
    }
}

/// What `list` found: the readable rows and the malformed ones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub rows: Vec<TapeRow>,
    pub bad: Vec<BadRow>,
}

/// Whether a step still holds a tape, checked right before each state-changing CTA call (in the
/// same transaction that renews its claim).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Hold {
    /// Still in the table, mode auto, in the state the step claimed it in, claimed by this
    /// owner: the claim is renewed and the call may go ahead.
    Held,
    /// Removed from the table since the claim (`rm --force`).
    Removed { detail: String },
    /// An operator (or another run) set the mode away from auto since the claim.
    TakenOver { mode: Mode, detail: String },
    /// The tape moved on, or its claim is now another run's (this run's lease had expired).
    Lost { detail: String },
}

impl Hold {
    /// One line for the step's report.
    #[must_use]
    pub fn detail(&self) -> &str {
        match self {
            Self::Held => "held",
            Self::Removed { detail } | Self::TakenOver { detail, .. } | Self::Lost { detail } => detail,
        }
    }
}

/// A step's live claim on a tape (what an operator taking the tape over should know).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub step: String,
    pub owner: String,
    /// `YYYY-MM-DD HH:MM:SS` (UTC).
    pub expires_at: String,
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
        validate_new_vid(&self.tape)?;
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

/// Rejects a VID CTA itself would refuse or could not mount, before a tape is entered: CTA's
/// catalogue refuses a VID with lower-case letters (`RdbmsTapeCatalogue::createTape`) and a
/// drive reads at most [`MAX_NEW_VID_LEN`] characters from the label.
///
/// # Errors
/// [`StoreError::InvalidArgument`].
pub fn validate_new_vid(vid: &str) -> Result<(), StoreError> {
    if vid.is_empty()
        || vid.len() > MAX_NEW_VID_LEN
        || !vid.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Err(StoreError::InvalidArgument(format!(
            "bad VID {vid:?}: 1-{MAX_NEW_VID_LEN} upper-case letters or digits (CTA's VID rules)"
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

    /// Checks the reason fits the history (see [`MAX_REASON_LEN`]).
    ///
    /// # Errors
    /// [`StoreError::InvalidArgument`].
    pub fn validate(&self) -> Result<(), StoreError> {
        let n = self.why.chars().count();
        if n > MAX_REASON_LEN {
            return Err(StoreError::InvalidArgument(format!(
                "reason too long: {n} characters, at most {MAX_REASON_LEN}"
            )));
        }
        Ok(())
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
        assert!(validate_new_vid("L80001").is_ok());
        assert!(validate_new_vid("l80001").is_err());
        assert!(validate_new_vid("L800012").is_err());
        assert!(validate_new_vid("L8-001").is_err());
    }

    #[test]
    fn timestamps_are_checked() {
        assert!(is_timestamp("2024-03-01 10:00:00"));
        assert!(!is_timestamp("yesterday"));
        assert!(!is_timestamp("2024-03-01T10:00:00"));
    }

    #[test]
    fn reason_bound_counts_characters() {
        assert!(Actor::new("a", "é".repeat(MAX_REASON_LEN)).validate().is_ok());
        assert!(Actor::new("a", "x".repeat(MAX_REASON_LEN + 1)).validate().is_err());
    }
}
