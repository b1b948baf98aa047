//! cta-admin's client-side argument parsing (cta-interfaces.md §1.1–1.3): command aliases,
//! long/short options per (command, subcommand), value types, required options.

use std::collections::HashMap;

use crate::error::{Result, SimError};

/// How an option's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    Uint,
    Bool,
    Flag,
    /// A file the client reads into a list of tokens.
    StrList,
    /// `drive`'s `<drive_name>`.
    Positional,
}

/// One accepted option of a (command, subcommand).
#[derive(Debug, Clone, Copy)]
pub struct Opt {
    pub key: &'static str,
    pub long: &'static str,
    pub short: &'static str,
    pub kind: Kind,
    pub required: bool,
}

pub(crate) const fn o(key: &'static str, long: &'static str, short: &'static str, kind: Kind, required: bool) -> Opt {
    Opt {
        key,
        long,
        short,
        kind,
        required,
    }
}

use Kind::{Bool, Flag, Positional, Str, StrList, Uint};

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

/// A static option list (const promotion does not reach `const fn` calls in match arms).
macro_rules! l {
    ($($e:expr),* $(,)?) => {{
        const O: &[Opt] = &[$($e),*];
        O
    }};
}

const VID_REQ: &[Opt] = &[o("vid", "--vid", "-v", Str, true)];

/// Options of each (command, subcommand) the simulator implements.
#[must_use]
pub fn options(cmd: &str, sub: &str) -> Option<&'static [Opt]> {
    Some(match (cmd, sub) {
        ("tape", "ls") => l![
            o("vid", "--vid", "-v", Str, false),
            o("mediatype", "--mediatype", "--mt", Str, false),
            o("vendor", "--vendor", "--ve", Str, false),
            o("logicallibrary", "--logicallibrary", "-l", Str, false),
            o("tapepool", "--tapepool", "-t", Str, false),
            o("vo", "--virtualorganisation", "--vo", Str, false),
            o("capacity", "--capacity", "-c", Uint, false),
            o("full", "--full", "-f", Bool, false),
            o("fxidfile", "--fxidfile", "-F", StrList, false),
            o("all", "--all", "-a", Flag, false),
            o("state", "--state", "-s", Str, false),
            o("fromcastor", "--fromcastor", "--fc", Bool, false),
            o("purchaseorder", "--purchaseorder", "-p", Str, false),
            o("physicallibrary", "--physicallibrary", "--pl", Str, false),
            o("missingfilecopies", "--missingfilecopies", "--mfc", Flag, false),
            o(
                "scstats",
                "--get-storage-class-stats",
                "--get-storage-class-stats",
                Flag,
                false
            ),
        ],
        ("tape", "add") => l![
            o("vid", "--vid", "-v", Str, true),
            o("mediatype", "--mediatype", "--mt", Str, true),
            o("vendor", "--vendor", "--ve", Str, true),
            o("logicallibrary", "--logicallibrary", "-l", Str, true),
            o("tapepool", "--tapepool", "-t", Str, true),
            o("full", "--full", "-f", Bool, true),
            o("state", "--state", "-s", Str, false),
            o("purchaseorder", "--purchaseorder", "-p", Str, false),
            o("reason", "--reason", "-r", Str, false),
            o("comment", "--comment", "-m", Str, false),
        ],
        ("tape", "ch") => l![
            o("vid", "--vid", "-v", Str, true),
            o("mediatype", "--mediatype", "--mt", Str, false),
            o("vendor", "--vendor", "--ve", Str, false),
            o("logicallibrary", "--logicallibrary", "-l", Str, false),
            o("tapepool", "--tapepool", "-t", Str, false),
            o("encryptionkeyname", "--encryptionkeyname", "-k", Str, false),
            o("full", "--full", "-f", Bool, false),
            o("verificationstatus", "--verificationstatus", "--vs", Str, false),
            o("state", "--state", "-s", Str, false),
            o("purchaseorder", "--purchaseorder", "-p", Str, false),
            o("reason", "--reason", "-r", Str, false),
            o("comment", "--comment", "-m", Str, false),
            o("dirtybit", "--dirtybit", "--db", Bool, false),
        ],
        ("tape", "rm" | "reclaim") | ("repack", "rm" | "err") => VID_REQ,
        ("tapefile", "ls") => l![
            o("vid", "--vid", "-v", Str, false),
            o("instance", "--instance", "-i", Str, false),
            o("fxid", "--fxid", "-f", Str, false),
            o("diskfileid", "--diskfileid", "--dfid", Str, false),
            o("fxidfile", "--fxidfile", "-F", StrList, false),
            o("id", "--id", "-I", Uint, false),
        ],
        ("tapefile", "rm") => l![
            o("vid", "--vid", "-v", Str, true),
            o("instance", "--instance", "-i", Str, false),
            o("fxid", "--fxid", "-f", Str, false),
            o("diskfileid", "--diskfileid", "--dfid", Str, false),
            o("id", "--id", "-I", Uint, false),
            o("reason", "--reason", "-r", Str, true),
        ],
        ("tapepool", "ls") => l![
            o("name", "--name", "-n", Str, false),
            o("vo", "--virtualorganisation", "--vo", Str, false),
            o("encrypted", "--encrypted", "-e", Bool, false),
            o("encryptionkeyname", "--encryptionkeyname", "-k", Str, false),
        ],
        ("tapepool", "ch") => l![
            o("name", "--name", "-n", Str, true),
            o("vo", "--virtualorganisation", "--vo", Str, false),
            o("partialtapesnumber", "--partialtapesnumber", "-p", Uint, false),
            o("encryptionkeyname", "--encryptionkeyname", "-k", Str, false),
            o("supply", "--supply", "-s", Str, false),
            o("comment", "--comment", "-m", Str, false),
        ],
        ("drive", "ls") => l![
            o("drive", "", "", Positional, false),
            o("all", "--all", "-a", Flag, false)
        ],
        ("drive", "up") => l![
            o("drive", "", "", Positional, true),
            o("reason", "--reason", "-r", Str, false)
        ],
        ("drive", "down") => l![
            o("drive", "", "", Positional, true),
            o("reason", "--reason", "-r", Str, true),
            o("force", "--force", "-f", Flag, false),
        ],
        ("drive", "ch") => l![
            o("drive", "", "", Positional, true),
            o("comment", "--comment", "-m", Str, true)
        ],
        ("repack", "add") => l![
            o("mountpolicy", "--mountpolicy", "-u", Str, true),
            o("vid", "--vid", "-v", Str, false),
            o("vidfile", "--vidfile", "-f", StrList, false),
            o("bufferurl", "--bufferurl", "-b", Str, false),
            o("maxfilestoselect", "--maxfilestoselect", "--mfts", Uint, false),
            o("norecall", "--no-recall", "--nr", Flag, false),
            o("justmove", "--justmove", "-m", Flag, false),
            o("justaddcopies", "--justaddcopies", "-a", Flag, false),
        ],
        ("repack", "ls") => l![o("vid", "--vid", "-v", Str, false)],
        ("logicallibrary", "ls") => l![o("disabled", "--disabled", "-d", Bool, false)],
        ("logicallibrary", "ch") => l![
            o("name", "--name", "-n", Str, true),
            o("disabled", "--disabled", "-d", Bool, false),
            o("physicallibrary", "--physicallibrary", "--pl", Str, false),
            o("comment", "--comment", "-m", Str, false),
            o("disabledreason", "--disabledreason", "--dr", Str, false),
        ],
        ("storageclass", "ls") => l![
            o("name", "--name", "-n", Str, false),
            o("vid", "--vid", "-v", Str, false)
        ],
        ("failedrequest", "ls") => l![
            o("justarchive", "--justarchive", "-a", Flag, false),
            o("justretrieve", "--justretrieve", "-r", Flag, false),
            o("tapepool", "--tapepool", "-t", Str, false),
            o("vid", "--vid", "-v", Str, false),
            o("log", "--log", "-l", Flag, false),
            o("summary", "--summary", "-S", Flag, false),
        ],
        ("recycletf", "ls") => l![
            o("vid", "--vid", "-v", Str, false),
            o("fxid", "--fxid", "-f", Str, false),
            o("diskfileid", "--diskfileid", "--dfid", Str, false),
            o("copynb", "--copynb", "-c", Uint, false),
            o("id", "--id", "-I", Uint, false),
            o("instance", "--instance", "-i", Str, false),
            o("vo", "--virtualorganisation", "--vo", Str, false),
            o("fxidfile", "--fxidfile", "-F", StrList, false),
            o("ltmin", "--logunixtimemin", "--ltmin", Uint, false),
            o("ltmax", "--logunixtimemax", "--ltmax", Uint, false),
        ],
        ("physicallibrary", "ls") => l![o("name", "--name", "-n", Str, false)],
        (
            "admin"
            | "archiveroute"
            | "virtualorganization"
            | "mediatype"
            | "mountpolicy"
            | "diskinstance"
            | "groupmountrule"
            | "requestermountrule",
            "ls",
        )
        | ("showqueues" | "version", "") => l![],
        _ => return super::config_opts::options(cmd, sub),
    })
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
    let mut p = Parsed::default();
    let mut i = 0;
    if args.get(i).map(String::as_str) == Some("--json") {
        p.json = true;
        i += 1;
    }
    if args.get(i).map(String::as_str) == Some("--jsonl") {
        if p.json {
            return Err(usage("--json and --jsonl are mutually exclusive"));
        }
        p.jsonl = true;
        i += 1;
    }
    if args.get(i).map(String::as_str) == Some("--config") {
        i += 2; // the simulator needs no endpoint; the path is accepted and ignored
    }
    let Some(word) = args.get(i) else {
        return Err(usage(
            "Usage: cta-admin [--json|--jsonl] <command> [<subcommand> [<option>...]]",
        ));
    };
    i += 1;
    let Some(&(cmd, _)) = COMMANDS.iter().find(|(l, s)| l == word || s == word) else {
        return Err(usage(format!("Invalid command: {word}")));
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
    if let Some(pos) = specs.iter().find(|s| s.kind == Positional)
        && let Some(a) = args.get(i).filter(|a| !a.starts_with('-'))
    {
        p.opts.insert(pos.key, Value::Str(a.clone()));
        i += 1;
    }
    while let Some(tok) = args.get(i) {
        i += 1;
        let Some(spec) = specs
            .iter()
            .find(|s| s.kind != Positional && (s.long == tok || s.short == tok))
        else {
            return Err(usage(format!("Invalid option: {tok}")));
        };
        let value = if spec.kind == Flag {
            Value::Bool(true)
        } else {
            let Some(v) = args.get(i) else {
                return Err(usage(format!("{tok} expects a parameter")));
            };
            i += 1;
            match spec.kind {
                Uint => {
                    if v.starts_with('-') && v[1..].parse::<u64>().is_ok() {
                        return Err(usage(format!("{v} is out of range")));
                    }
                    Value::Uint(
                        v.parse()
                            .map_err(|_| usage(format!("{v} is not a valid unsigned integer")))?,
                    )
                }
                Bool => match v.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => return Err(usage(format!("{v} is not a boolean value"))),
                },
                StrList => Value::List(read_list(v, spec.key == "fxidfile")?),
                _ => Value::Str(v.clone()),
            }
        };
        p.opts.insert(spec.key, value);
    }
    for s in specs.iter().filter(|s| s.required) {
        if !p.opts.contains_key(s.key) {
            let name = if s.kind == Positional { "<drive_name>" } else { s.long };
            return Err(usage(format!("Missing option: {name}")));
        }
    }
    Ok(p)
}

/// Reads a `--fxidfile`/`--vidfile` list: `#` comments, whitespace-separated tokens; for
/// `--fxidfile` only `fid=` tokens count (`eos find --fid` output).
fn read_list(path: &str, fid_only: bool) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|_| usage(format!("Unable to open file {path}")))?;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        for tok in line.split_whitespace() {
            if fid_only {
                if let Some(f) = tok.strip_prefix("fid=") {
                    out.push(f.to_owned());
                }
            } else {
                out.push(tok.to_owned());
            }
        }
    }
    Ok(out)
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
        assert_eq!(p.bool("dirtybit"), Some(false));
        assert!(p.json);
    }

    #[test]
    fn client_errors() {
        let e = |a: &[&str]| parse(&v(a)).unwrap_err().to_string();
        assert_eq!(e(&["tape", "ls", "--bogus"]), "Invalid option: --bogus");
        assert_eq!(e(&["tape", "ch"]), "Missing option: --vid");
        assert_eq!(e(&["tape", "ls", "-f", "maybe"]), "maybe is not a boolean value");
        assert_eq!(e(&["tape", "ls", "-c", "x"]), "x is not a valid unsigned integer");
        assert_eq!(e(&["drive", "down", "--reason", "r"]), "Missing option: <drive_name>");
        assert_eq!(
            e(&["--json", "--jsonl", "tape", "ls"]),
            "--json and --jsonl are mutually exclusive"
        );
    }
}
