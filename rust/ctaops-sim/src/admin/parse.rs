//! cta-admin's client-side argument parsing (cta-interfaces.md §1.1–1.3): command aliases,
//! long/short options per (command, subcommand), value types, required options.

use std::collections::HashMap;

use crate::error::{Result, SimError};

use ctaops_core::admin::options::{self as table, NOT_IN_CTA_ADMIN};
pub use ctaops_core::admin::options::{CtaOption as Opt, ValueKind as Kind};

use Kind::{Bool, Flag, Positional, StrList, Uint};

/// Command aliases (`cmdLookup`).
pub const COMMANDS: &[(&str, &str)] = &[
    ("activitymountrule", "amr"),
    ("admin", "ad"),
    ("archivefile", "af"),
    ("archiveroute", "ar"),
    ("diskinstance", "di"),
    ("diskinstancespace", "dis"),
    ("disksystem", "ds"),
    ("drive", "dr"),
    ("failedrequest", "fr"),
    ("groupmountrule", "gmr"),
    ("logicallibrary", "ll"),
    ("mediatype", "mt"),
    ("mountpolicy", "mp"),
    ("physicallibrary", "pl"),
    ("recycletf", "rtf"),
    ("repack", "re"),
    ("requestermountrule", "rmr"),
    ("showqueues", "sq"),
    ("storageclass", "sc"),
    ("tape", "ta"),
    ("tapefile", "tf"),
    ("tapepool", "tp"),
    ("version", "v"),
    ("virtualorganization", "vo"),
];

/// Subcommands of each command in help order (`cmdHelp` of CTA's `tools/CtaAdminCmdParser.hpp`).
const SUBCOMMANDS: &[(&str, &[&str])] = &[
    ("activitymountrule", &["add", "ch", "rm", "ls"]),
    ("admin", &["add", "ch", "rm", "ls"]),
    ("archivefile", &["ch"]),
    ("archiveroute", &["add", "ch", "rm", "ls"]),
    ("diskinstance", &["add", "ch", "rm", "ls"]),
    ("diskinstancespace", &["add", "ch", "rm", "ls"]),
    ("disksystem", &["add", "ch", "rm", "ls"]),
    ("drive", &["up", "down", "ls", "ch", "rm"]),
    ("failedrequest", &["ls", "rm"]),
    ("groupmountrule", &["add", "ch", "rm", "ls"]),
    ("logicallibrary", &["add", "ch", "rm", "ls"]),
    ("mediatype", &["add", "ch", "rm", "ls"]),
    ("mountpolicy", &["add", "ch", "rm", "ls"]),
    ("physicallibrary", &["add", "ch", "rm", "ls"]),
    ("recycletf", &["ls"]),
    ("repack", &["add", "rm", "ls", "err"]),
    ("requestermountrule", &["add", "ch", "rm", "ls"]),
    ("showqueues", &[]),
    ("storageclass", &["add", "ch", "rm", "ls"]),
    ("tape", &["add", "ch", "rm", "reclaim", "ls"]),
    ("tapefile", &["ls", "rm"]),
    ("tapepool", &["add", "ch", "rm", "ls"]),
    ("version", &[]),
    ("virtualorganization", &["add", "ch", "rm", "ls"]),
];

/// The text cta-admin prints (on stderr, exit 1) with no command, an unknown command, or both
/// `--json` and `--jsonl`: `CtaAdminParsedCmd::throwUsage` with no command set. Each command's
/// line is `CmdHelp::short_help` (`long/short` padded to 25 columns, then the subcommands),
/// the lines sorted as strings. It ends with an empty line: the text ends with a newline and
/// `main` adds one.
#[must_use]
pub fn usage_text() -> String {
    let exe = "cta-admin";
    let mut s = format!(
        "CTA Administration Tool\n\n\
         Usage: {exe} [--json|--jsonl] [--config <configpath>] <command> [<subcommand> [<option>...]]\n\
         \x20      {exe} <command> help\n\n\
         By default, the output is in tabular format.\n\
         If the --json option is used, the output is a JSON array.\n\
         If, instead, the --jsonl option is used, the output is in JSON Lines format.\n\n\
         Commands have a long and short version. Subcommands (add/ch/ls/rm/etc.) do not have short versions. For\n\
         detailed help on the options of each subcommand, type: {exe} <command> help\n\n"
    );
    let mut lines: Vec<String> = COMMANDS
        .iter()
        .map(|(long, short)| {
            let mut line = format!("{:<25}", format!("{long}/{short}"));
            let subs = SUBCOMMANDS.iter().find(|(c, _)| c == long).map_or(&[][..], |(_, s)| s);
            for (i, sub) in subs.iter().enumerate() {
                line.push(if i == 0 { ' ' } else { '/' });
                line.push_str(sub);
            }
            line
        })
        .collect();
    lines.sort();
    for l in lines {
        s.push_str(&format!("  {exe} {l}\n"));
    }
    s
}

/// Options of each (command, subcommand): CTA's table (cta-interfaces.md §1.3), the same one the
/// client side builds argument vectors and gRPC requests from. `sub` is `""` for `showqueues`
/// and `version`; subcommands `cta-admin` itself refuses are `None` here too.
#[must_use]
pub fn options(cmd: &str, sub: &str) -> Option<&'static [Opt]> {
    if NOT_IN_CTA_ADMIN.contains(&(cmd, sub)) {
        return None;
    }
    table::options(cmd, Some(sub).filter(|s| !s.is_empty()))
}

/// A parsed value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Uint(u64),
    Bool(bool),
    List(Vec<String>),
}

/// A parsed command line.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub json: bool,
    pub jsonl: bool,
    pub cmd: String,
    pub sub: String,
    pub opts: HashMap<&'static str, Value>,
}

impl Parsed {
    #[must_use]
    pub fn str(&self, key: &str) -> Option<&str> {
        match self.opts.get(key) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }
    #[must_use]
    pub fn uint(&self, key: &str) -> Option<u64> {
        match self.opts.get(key) {
            Some(Value::Uint(v)) => Some(*v),
            _ => None,
        }
    }
    #[must_use]
    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.opts.get(key) {
            Some(Value::Bool(v)) => Some(*v),
            _ => None,
        }
    }
    #[must_use]
    pub fn flag(&self, key: &str) -> bool {
        self.bool(key).unwrap_or(false)
    }
    #[must_use]
    pub fn list(&self, key: &str) -> Option<&[String]> {
        match self.opts.get(key) {
            Some(Value::List(v)) => Some(v),
            _ => None,
        }
    }
    /// Framing wanted on stdout.
    #[must_use]
    pub fn framing(&self) -> Option<ctaops_core::admin::Framing> {
        if self.json {
            Some(ctaops_core::admin::Framing::Json)
        } else if self.jsonl {
            Some(ctaops_core::admin::Framing::JsonLines)
        } else {
            None
        }
    }
}

fn usage(msg: impl Into<String>) -> SimError {
    SimError::Usage(msg.into())
}

/// Parses `[--json|--jsonl] <command> [<subcommand>] [options]` as cta-admin does.
pub fn parse(args: &[String]) -> Result<Parsed> {
    parse_with(args, options)
}

/// Parses a request as CTA's frontend takes it: every subcommand it serves, including those
/// `cta-admin` refuses (`recycletf restore`, sent by `cta-restore-deleted-files`).
pub fn parse_frontend(args: &[String]) -> Result<Parsed> {
    parse_with(args, |cmd, sub| {
        table::options(cmd, Some(sub).filter(|s| !s.is_empty()))
    })
}

fn parse_with(args: &[String], options: fn(&str, &str) -> Option<&'static [Opt]>) -> Result<Parsed> {
    let mut p = Parsed::default();
    let mut i = 0;
    if args.get(i).map(String::as_str) == Some("--json") {
        p.json = true;
        i += 1;
    }
    if args.get(i).map(String::as_str) == Some("--jsonl") {
        if p.json {
            return Err(usage(usage_text()));
        }
        p.jsonl = true;
        i += 1;
    }
    if args.get(i).map(String::as_str) == Some("--config") {
        i += 2; // the simulator needs no endpoint; the path is accepted and ignored
    }
    let Some(word) = args.get(i) else {
        return Err(usage(usage_text()));
    };
    i += 1;
    let Some(&(cmd, _)) = COMMANDS.iter().find(|(l, s)| l == word || s == word) else {
        return Err(usage(usage_text()));
    };
    p.cmd = cmd.to_owned();
    let has_sub = !matches!(cmd, "showqueues" | "version");
    if has_sub {
        match args.get(i).map(String::as_str) {
            None => {
                return Err(usage(format!(
                    "Missing subcommand for {cmd}. Try: cta-admin {cmd} help"
                )));
            }
            Some("help") => return Err(usage(format!("cta-admin {cmd} help: see cta-admin(1)"))),
            Some(s) => p.sub = s.to_owned(),
        }
        i += 1;
    }
    let Some(specs) = options(cmd, &p.sub) else {
        return Err(usage(format!(
            "Invalid subcommand for {cmd}: {} (not implemented by the simulator)",
            p.sub
        )));
    };
    // drive's positional name comes first (or `--all`/`-a` in `drive ls`).
    if let Some(pos) = specs.iter().find(|s| s.value == Positional)
        && let Some(a) = args.get(i).filter(|a| !a.starts_with('-'))
    {
        p.opts.insert(pos.keyword(), Value::Str(a.clone()));
        i += 1;
    }
    while let Some(tok) = args.get(i) {
        i += 1;
        let Some(spec) = table::find(specs, tok) else {
            return Err(usage(format!("Invalid option: {tok}")));
        };
        let value = if spec.value == Flag {
            Value::Bool(true)
        } else {
            let Some(v) = args.get(i) else {
                return Err(usage(format!("{tok} expects a parameter")));
            };
            i += 1;
            match spec.value {
                Uint => Value::Uint(parse_uint(v)?),
                Bool => match v.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => return Err(usage(format!("{v} is not a boolean value"))),
                },
                StrList => Value::List(read_list(v, spec.long == "--fxidfile")?),
                _ => Value::Str(v.clone()),
            }
        };
        p.opts.insert(spec.keyword(), value);
    }
    for s in specs.iter().filter(|s| s.required) {
        if !p.opts.contains_key(s.keyword()) {
            return Err(usage(format!("Missing option: {}", s.spelling())));
        }
    }
    Ok(p)
}

/// An unsigned option as CTA's client reads it (`std::stol`, then refused if negative): the
/// catalogue's signed 64-bit columns cannot hold more than `i64::MAX`, so larger values are
/// "out of range" here, before anything is stored.
fn parse_uint(v: &str) -> Result<u64> {
    let digits = v.strip_prefix('-').or_else(|| v.strip_prefix('+')).unwrap_or(v);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(usage(format!("{v} is not a valid unsigned integer")));
    }
    v.parse::<i64>()
        .ok()
        .and_then(|n| u64::try_from(n).ok())
        .ok_or_else(|| usage(format!("{v} is out of range")))
}

/// Reads a `--fxidfile`/`--vidfile` list (bounded: see `ctaops_core::admin::list_file`).
fn read_list(path: &str, fid_only: bool) -> Result<Vec<String>> {
    use ctaops_core::bounded::BoundedReadError;
    ctaops_core::admin::list_file::read_list(std::path::Path::new(path), fid_only).map_err(|e| match e {
        // CTA's wording for a file it cannot open.
        BoundedReadError::Io { source, .. } if source.kind() != std::io::ErrorKind::InvalidData => {
            usage(format!("Unable to open file {path}"))
        }
        other => usage(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn aliases_and_short_options() {
        let p = parse(&v(&[
            "--json", "ta", "ch", "-v", "V00001", "--db", "false", "-s", "disabled",
        ]))
        .unwrap();
        assert_eq!(p.cmd, "tape");
        assert_eq!(p.str("vid"), Some("V00001"));
        assert_eq!(p.bool("dirty"), Some(false));
        assert!(p.json);
    }

    #[test]
    fn client_errors() {
        let e = |a: &[&str]| parse(&v(a)).unwrap_err().to_string();
        assert_eq!(e(&["tape", "ls", "--bogus"]), "Invalid option: --bogus");
        assert_eq!(e(&["tape", "ch"]), "Missing option: --vid");
        assert_eq!(e(&["tape", "ls", "-f", "maybe"]), "maybe is not a boolean value");
        assert_eq!(e(&["tape", "ls", "-c", "x"]), "x is not a valid unsigned integer");
        assert_eq!(e(&["tape", "ls", "-c", "-1"]), "-1 is out of range");
        assert_eq!(
            e(&["tape", "ls", "-c", "9223372036854775808"]),
            "9223372036854775808 is out of range"
        );
        assert_eq!(
            e(&["tape", "ls", "-c", "99999999999999999999999"]),
            "99999999999999999999999 is out of range"
        );
        assert_eq!(e(&["drive", "down", "--reason", "r"]), "Missing option: <drive_name>");
        assert_eq!(e(&["--json", "--jsonl", "tape", "ls"]), usage_text());
        assert_eq!(e(&["bogus"]), usage_text());
        assert_eq!(e(&[]), usage_text());
    }

    #[test]
    fn usage_lines() {
        // cta-interfaces.md §1.3.1: sorted, `long/short` padded to 25 columns.
        let u = usage_text();
        assert!(u.starts_with("CTA Administration Tool\n\nUsage: cta-admin [--json|--jsonl]"));
        assert!(u.contains("\n       cta-admin <command> help\n\n"));
        assert!(u.contains(&format!("  cta-admin showqueues/sq{}\n", " ".repeat(12))));
        assert!(u.contains(&format!(
            "  cta-admin tape/ta{}add/ch/rm/reclaim/ls\n  cta-admin tapefile/tf",
            " ".repeat(19)
        )));
        assert!(u.ends_with("  cta-admin virtualorganization/vo    add/ch/rm/ls\n"));
    }
}
