//! `cta-admin` commands as argument vectors (never shell strings), with the options each
//! command accepts (the shared table in [`super::options`]), checked before anything runs.

use std::fmt;

use super::error::AdminError;
use super::kind::Kind;
use super::options::{self, ValueKind};

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
        let spec = options::options(command, sub).ok_or_else(|| {
            AdminError::InvalidArgument(format!(
                "'{command}{}' is not a cta-admin command and subcommand",
                sub.map(|s| format!(" {s}")).unwrap_or_default()
            ))
        })?;
        let mut positional = None;
        let mut args = Vec::new();
        for (key, value) in options {
            let opt = spec
                .iter()
                .find(|s| s.keyword() == *key || (!s.long.is_empty() && s.long.trim_start_matches('-') == *key))
                .ok_or_else(|| {
                    let known: Vec<&str> = spec.iter().map(options::CtaOption::keyword).collect();
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
            match (opt.value, value) {
                (ValueKind::Positional, OptValue::Str(s)) => positional = Some(s.clone()),
                (ValueKind::Str | ValueKind::StrList, OptValue::Str(s)) => {
                    args.extend([opt.long.to_owned(), s.clone()]);
                }
                (ValueKind::Uint, OptValue::Uint(v)) => args.extend([opt.long.to_owned(), v.to_string()]),
                (ValueKind::Uint, OptValue::Str(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                    args.extend([opt.long.to_owned(), s.clone()]);
                }
                (ValueKind::Bool, OptValue::Bool(b)) => args.extend([opt.long.to_owned(), b.to_string()]),
                (ValueKind::Flag, OptValue::Bool(true)) => args.push(opt.long.to_owned()),
                (ValueKind::Flag, OptValue::Bool(false)) => {}
                (ValueKind::Positional | ValueKind::Str | ValueKind::StrList, _) => return Err(bad("a string")),
                (ValueKind::Uint, _) => return Err(bad("an unsigned integer")),
                (ValueKind::Bool | ValueKind::Flag, _) => return Err(bad("true or false")),
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
