//! `cta-admin` commands as argument vectors (never shell strings), with the options each
//! command accepts, checked before anything runs.

use std::fmt;

use super::error::AdminError;
use super::kind::Kind;

/// How an option's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptKind {
    /// `--opt <text>`.
    Str,
    /// `--opt <unsigned integer>`.
    Uint,
    /// `--opt true|false`.
    Bool,
    /// `--opt` alone when true, left out when false.
    Flag,
    /// The drive name, first argument after the subcommand.
    Positional,
}

/// One accepted option: the caller's key (Python keyword), CTA's long option, its value type.
#[derive(Debug, Clone, Copy)]
pub struct OptSpec {
    pub key: &'static str,
    pub long: &'static str,
    pub kind: OptKind,
}

const fn o(key: &'static str, long: &'static str, kind: OptKind) -> OptSpec {
    OptSpec { key, long, kind }
}

use OptKind::{Bool, Flag, Positional, Str, Uint};

const TAPE_LS: &[OptSpec] = &[
    o("vid", "--vid", Str),
    o("mediatype", "--mediatype", Str),
    o("vendor", "--vendor", Str),
    o("logicallibrary", "--logicallibrary", Str),
    o("tapepool", "--tapepool", Str),
    o("vo", "--virtualorganisation", Str),
    o("capacity", "--capacity", Uint),
    o("full", "--full", Bool),
    o("fxidfile", "--fxidfile", Str),
    o("all", "--all", Flag),
    o("state", "--state", Str),
    o("fromcastor", "--fromcastor", Bool),
    o("purchaseorder", "--purchaseorder", Str),
    o("physicallibrary", "--physicallibrary", Str),
    o("missingfilecopies", "--missingfilecopies", Flag),
    o("storage_class_stats", "--get-storage-class-stats", Flag),
];
const TAPE_CH: &[OptSpec] = &[
    o("vid", "--vid", Str),
    o("mediatype", "--mediatype", Str),
    o("vendor", "--vendor", Str),
    o("logicallibrary", "--logicallibrary", Str),
    o("tapepool", "--tapepool", Str),
    o("encryptionkeyname", "--encryptionkeyname", Str),
    o("full", "--full", Bool),
    o("verificationstatus", "--verificationstatus", Str),
    o("state", "--state", Str),
    o("purchaseorder", "--purchaseorder", Str),
    o("reason", "--reason", Str),
    o("comment", "--comment", Str),
    o("dirty", "--dirtybit", Bool),
];
const VID_ONLY: &[OptSpec] = &[o("vid", "--vid", Str)];
const TAPEPOOL_LS: &[OptSpec] = &[
    o("name", "--name", Str),
    o("vo", "--virtualorganisation", Str),
    o("encrypted", "--encrypted", Bool),
    o("encryptionkeyname", "--encryptionkeyname", Str),
];
const TAPEFILE_LS: &[OptSpec] = &[
    o("vid", "--vid", Str),
    o("instance", "--instance", Str),
    o("fxid", "--fxid", Str),
    o("diskfileid", "--diskfileid", Str),
    o("fxidfile", "--fxidfile", Str),
    o("id", "--id", Uint),
];
const DRIVE_LS: &[OptSpec] = &[o("drive", "", Positional), o("all", "--all", Flag)];
const DRIVE_UP: &[OptSpec] = &[o("drive", "", Positional), o("reason", "--reason", Str)];
const DRIVE_DOWN: &[OptSpec] = &[
    o("drive", "", Positional),
    o("reason", "--reason", Str),
    o("force", "--force", Flag),
];
const DRIVE_CH: &[OptSpec] = &[o("drive", "", Positional), o("comment", "--comment", Str)];
const DRIVE_RM: &[OptSpec] = &[o("drive", "", Positional), o("force", "--force", Flag)];
const REPACK_ADD: &[OptSpec] = &[
    o("mountpolicy", "--mountpolicy", Str),
    o("vid", "--vid", Str),
    o("vidfile", "--vidfile", Str),
    o("bufferurl", "--bufferurl", Str),
    o("maxfilestoselect", "--maxfilestoselect", Uint),
    o("no_recall", "--no-recall", Flag),
    o("justmove", "--justmove", Flag),
    o("justaddcopies", "--justaddcopies", Flag),
];
const STORAGECLASS_LS: &[OptSpec] = &[o("name", "--name", Str), o("vid", "--vid", Str)];
const RECYCLETF_LS: &[OptSpec] = &[
    o("vid", "--vid", Str),
    o("fxid", "--fxid", Str),
    o("diskfileid", "--diskfileid", Str),
    o("fxidfile", "--fxidfile", Str),
    o("copynb", "--copynb", Uint),
    o("id", "--id", Uint),
    o("instance", "--instance", Str),
    o("logunixtimemin", "--logunixtimemin", Uint),
    o("logunixtimemax", "--logunixtimemax", Uint),
    o("vo", "--virtualorganisation", Str),
];
const FAILEDREQUEST_LS: &[OptSpec] = &[
    o("justarchive", "--justarchive", Flag),
    o("justretrieve", "--justretrieve", Flag),
    o("tapepool", "--tapepool", Str),
    o("vid", "--vid", Str),
    o("log", "--log", Flag),
    o("summary", "--summary", Flag),
];
const LOGICALLIBRARY_LS: &[OptSpec] = &[o("disabled", "--disabled", Bool)];
const NONE: &[OptSpec] = &[];

/// The options of a (command, subcommand) this layer builds; `None` for anything else (use
/// [`AdminCommand::raw`]).
#[must_use]
pub fn specs(command: &str, sub: Option<&str>) -> Option<&'static [OptSpec]> {
    let kind = Kind::from_name(command)?;
    Some(match (kind, sub) {
        (Kind::Tape, Some("ls")) => TAPE_LS,
        (Kind::Tape, Some("ch")) => TAPE_CH,
        (Kind::Tape, Some("reclaim" | "rm")) => VID_ONLY,
        (Kind::TapePool, Some("ls")) => TAPEPOOL_LS,
        (Kind::TapeFile, Some("ls")) => TAPEFILE_LS,
        (Kind::Drive, Some("ls")) => DRIVE_LS,
        (Kind::Drive, Some("up")) => DRIVE_UP,
        (Kind::Drive, Some("down")) => DRIVE_DOWN,
        (Kind::Drive, Some("ch")) => DRIVE_CH,
        (Kind::Drive, Some("rm")) => DRIVE_RM,
        (Kind::Repack, Some("ls" | "rm" | "err")) => VID_ONLY,
        (Kind::Repack, Some("add")) => REPACK_ADD,
        (Kind::StorageClass, Some("ls")) => STORAGECLASS_LS,
        (Kind::RecycleTapeFile, Some("ls")) => RECYCLETF_LS,
        (Kind::FailedRequest, Some("ls")) => FAILEDREQUEST_LS,
        (Kind::LogicalLibrary, Some("ls")) => LOGICALLIBRARY_LS,
        (Kind::ShowQueues | Kind::Version, None) => NONE,
        (_, Some("ls")) if kind != Kind::ArchiveFile => NONE,
        _ => return None,
    })
}

/// An option value given by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptValue {
    Str(String),
    Uint(u64),
    Bool(bool),
}

impl From<&str> for OptValue {
    fn from(s: &str) -> Self {
        Self::Str(s.to_owned())
    }
}
impl From<String> for OptValue {
    fn from(s: String) -> Self {
        Self::Str(s)
    }
}
impl From<u64> for OptValue {
    fn from(v: u64) -> Self {
        Self::Uint(v)
    }
}
impl From<bool> for OptValue {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}

/// One `cta-admin` invocation after the global flags: `<command> [<sub>] <args>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminCommand {
    pub command: String,
    pub sub: Option<String>,
    pub args: Vec<String>,
}

impl AdminCommand {
    /// Builds a command from keyword options, refusing options the command does not take.
    pub fn build(command: &str, sub: Option<&str>, options: &[(&str, OptValue)]) -> Result<Self, AdminError> {
        let spec = specs(command, sub).ok_or_else(|| {
            AdminError::InvalidArgument(format!(
                "'{command}{}' is not a command this API builds; use run() with explicit arguments",
                sub.map(|s| format!(" {s}")).unwrap_or_default()
            ))
        })?;
        let mut positional = None;
        let mut args = Vec::new();
        for (key, value) in options {
            let opt = spec
                .iter()
                .find(|s| s.key == *key || s.long.trim_start_matches('-') == *key)
                .ok_or_else(|| {
                    let known: Vec<&str> = spec.iter().map(|s| s.key).collect();
                    AdminError::InvalidArgument(format!(
                        "{command} {}: unknown option '{key}' (accepted: {})",
                        sub.unwrap_or(""),
                        if known.is_empty() {
                            "none".to_owned()
                        } else {
                            known.join(", ")
                        }
                    ))
                })?;
            let bad = |want: &str| {
                AdminError::InvalidArgument(format!(
                    "{command} {}: option '{key}' expects {want}",
                    sub.unwrap_or("")
                ))
            };
            match (opt.kind, value) {
                (Positional, OptValue::Str(s)) => positional = Some(s.clone()),
                (Str, OptValue::Str(s)) => args.extend([opt.long.to_owned(), s.clone()]),
                (Uint, OptValue::Uint(v)) => args.extend([opt.long.to_owned(), v.to_string()]),
                (Uint, OptValue::Str(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                    args.extend([opt.long.to_owned(), s.clone()]);
                }
                (Bool, OptValue::Bool(b)) => args.extend([opt.long.to_owned(), b.to_string()]),
                (Flag, OptValue::Bool(true)) => args.push(opt.long.to_owned()),
                (Flag, OptValue::Bool(false)) => {}
                (Positional | Str, _) => return Err(bad("a string")),
                (Uint, _) => return Err(bad("an unsigned integer")),
                (Bool | Flag, _) => return Err(bad("true or false")),
            }
        }
        if let Some(p) = positional {
            args.insert(0, p);
        }
        Ok(Self {
            command: command.to_owned(),
            sub: sub.map(str::to_owned),
            args,
        })
    }

    /// Any command, arguments given verbatim (first word is the command, then the subcommand).
    pub fn raw<S: AsRef<str>>(words: &[S]) -> Result<Self, AdminError> {
        let mut it = words.iter().map(|s| s.as_ref().to_owned());
        let command = it
            .next()
            .ok_or_else(|| AdminError::InvalidArgument("no cta-admin command given".into()))?;
        let rest: Vec<String> = it.collect();
        let (sub, args) = match rest.split_first() {
            Some((s, tail)) if !s.starts_with('-') => (Some(s.clone()), tail.to_vec()),
            _ => (None, rest),
        };
        Ok(Self { command, sub, args })
    }

    /// The record kind this command prints, if it is an `ls`-type command.
    #[must_use]
    pub fn record_kind(&self) -> Option<Kind> {
        let kind = Kind::from_name(&self.command)?;
        match (kind, self.sub.as_deref()) {
            (Kind::ShowQueues | Kind::Version, _) | (_, Some("ls")) => Some(kind),
            _ => None,
        }
    }

    /// The words after the global flags.
    #[must_use]
    pub fn argv(&self) -> Vec<String> {
        let mut v = vec![self.command.clone()];
        v.extend(self.sub.clone());
        v.extend(self.args.iter().cloned());
        v
    }
}

impl fmt::Display for AdminCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<String> = self
            .argv()
            .into_iter()
            .map(|w| {
                if w.is_empty() || w.contains(char::is_whitespace) {
                    format!("'{w}'")
                } else {
                    w
                }
            })
            .collect();
        f.write_str(&words.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_argument_vectors() {
        let c = AdminCommand::build("tape", Some("ls"), &[("tapepool", "p 1".into()), ("full", true.into())]).unwrap();
        assert_eq!(c.argv(), ["tape", "ls", "--tapepool", "p 1", "--full", "true"]);
        assert_eq!(c.record_kind(), Some(Kind::Tape));
        assert_eq!(c.to_string(), "tape ls --tapepool 'p 1' --full true");
        let c = AdminCommand::build(
            "tape",
            Some("ch"),
            &[
                ("vid", "V1".into()),
                ("state", "REPACKING".into()),
                ("reason", "r".into()),
                ("dirty", false.into()),
            ],
        )
        .unwrap();
        assert_eq!(
            c.argv(),
            [
                "tape",
                "ch",
                "--vid",
                "V1",
                "--state",
                "REPACKING",
                "--reason",
                "r",
                "--dirtybit",
                "false"
            ]
        );
        assert_eq!(c.record_kind(), None);
        let c = AdminCommand::build(
            "dr",
            Some("down"),
            &[("reason", "x".into()), ("drive", "D1".into()), ("force", true.into())],
        )
        .unwrap();
        assert_eq!(c.argv(), ["dr", "down", "D1", "--reason", "x", "--force"]);
        let c = AdminCommand::build("tf", Some("ls"), &[("id", 7u64.into())]).unwrap();
        assert_eq!(c.argv(), ["tf", "ls", "--id", "7"]);
        assert_eq!(
            AdminCommand::build("sq", None, &[]).unwrap().record_kind(),
            Some(Kind::ShowQueues)
        );
    }

    #[test]
    fn refuses_bad_options() {
        let e = AdminCommand::build("tape", Some("ls"), &[("colour", "red".into())]).unwrap_err();
        assert!(e.to_string().contains("unknown option 'colour'"), "{e}");
        assert_eq!(e.code(), "INVALID_ARGUMENT");
        assert!(AdminCommand::build("tape", Some("ls"), &[("full", "yes".into())]).is_err());
        assert!(AdminCommand::build("tape", Some("ls"), &[("capacity", "-1".into())]).is_err());
        assert!(AdminCommand::build("nosuch", Some("ls"), &[]).is_err());
        assert!(AdminCommand::raw::<&str>(&[]).is_err());
        let r = AdminCommand::raw(&["admin", "ls"]).unwrap();
        assert_eq!(r.record_kind(), Some(Kind::Admin));
    }
}
