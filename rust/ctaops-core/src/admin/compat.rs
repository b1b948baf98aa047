//! Version-keyed adaptations: the command model follows CTA HEAD's command line (the shared
//! table in [`super::options`]); for an older frontend, [`adapt`] rewrites a command into what
//! that release accepts, or refuses it in one line when the release cannot do it. Facts come
//! from the history of CTA's `cmdOptions` table between 5.10 and HEAD (docs/admin.md).

use super::command::AdminCommand;
use super::error::AdminError;
use super::options::{self, CtaOption, ValueKind};
use super::version::CtaVersion;

/// CTA releases that exist without the option, `[from, to)`; `None` = still missing at HEAD.
type Missing = &'static [(&'static [u64], Option<&'static [u64]>)];

/// What to do with an option the detected release does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Older {
    /// The release cannot do it: refuse before running anything.
    Refuse,
    /// The release behaves as if it were given: leave it out.
    Drop,
    /// Leave it out when its value is this one (the release's only behaviour), refuse otherwise.
    DropIf(&'static str),
    /// The release spells it this way (same value).
    Rename(&'static str),
    /// The release took a hexadecimal EOS fxid under the same option as a decimal disk file ID.
    HexToDecimal,
}

/// One place where CTA's command line changed.
#[derive(Debug, Clone, Copy)]
pub struct Adaptation {
    pub command: &'static str,
    pub subs: &'static [&'static str],
    /// Long option as the command model writes it.
    pub option: &'static str,
    /// Releases without the option (or with another meaning).
    pub missing: Missing,
    pub older: Older,
}

const fn a(
    command: &'static str,
    subs: &'static [&'static str],
    option: &'static str,
    missing: Missing,
    older: Older,
) -> Adaptation {
    Adaptation {
        command,
        subs,
        option,
        missing,
        older,
    }
}

const BEFORE_5_11_1: Missing = &[(&[0], Some(&[5, 11, 1]))];
const BEFORE_5_11_2: Missing = &[(&[0], Some(&[5, 11, 2]))];
const BEFORE_5_11_5: Missing = &[(&[0], Some(&[5, 11, 5]))];
const BEFORE_5_11_6: Missing = &[(&[0], Some(&[5, 11, 6]))];
const BEFORE_5_11_18: Missing = &[(&[0], Some(&[5, 11, 18]))];
const BEFORE_5_11_18_1: Missing = &[(&[0], Some(&[5, 11, 18, 1]))];
const FROM_5_11_16: Missing = &[(&[5, 11, 16], None)];
/// Added in 5.11.18.1 (a later hotfix), absent from 5.11.19.x, back from 5.11.20.0.
const STORAGE_CLASS_STATS: Missing = &[(&[0], Some(&[5, 11, 18, 1])), (&[5, 11, 19], Some(&[5, 11, 20]))];

/// Every adaptation, in release order (documented in docs/admin.md).
#[rustfmt::skip]
pub const ADAPTATIONS: &[Adaptation] = &[
    a("archiveroute", &["add", "ch", "rm"], "--archiveroutetype", BEFORE_5_11_1, Older::DropIf("DEFAULT")),
    a("physicallibrary", &["ch"], "--disabled", BEFORE_5_11_1, Older::Refuse),
    a("physicallibrary", &["ch"], "--disabledreason", BEFORE_5_11_1, Older::Refuse),
    // Before 5.11.2 there was one scheduler backend, so `drive ls` listed every drive.
    a("drive", &["ls"], "--all", BEFORE_5_11_2, Older::Drop),
    a("tapefile", &["ls", "rm"], "--diskfileid", BEFORE_5_11_5, Older::Rename("--fxid")),
    a("recycletf", &["ls"], "--diskfileid", BEFORE_5_11_5, Older::Rename("--fxid")),
    a("archivefile", &["ch"], "--diskfileid", BEFORE_5_11_5, Older::Rename("--fxid")),
    a("tapefile", &["ls", "rm"], "--fxid", BEFORE_5_11_5, Older::HexToDecimal),
    a("recycletf", &["ls"], "--fxid", BEFORE_5_11_5, Older::HexToDecimal),
    a("archivefile", &["ch"], "--fxid", BEFORE_5_11_5, Older::HexToDecimal),
    a("tape", &["ls"], "--missingfilecopies", BEFORE_5_11_5, Older::Refuse),
    a("tapepool", &["add", "ch", "ls"], "--encryptionkeyname", BEFORE_5_11_6, Older::Refuse),
    a("tapepool", &["add", "ch"], "--encrypted", FROM_5_11_16, Older::Refuse),
    a("physicallibrary", &["ch"], "--model", BEFORE_5_11_18, Older::Refuse),
    a("physicallibrary", &["ch"], "--type", BEFORE_5_11_18, Older::Refuse),
    a("storageclass", &["ls"], "--vid", BEFORE_5_11_18, Older::Refuse),
    a("archivefile", &["ch"], "--idfile", BEFORE_5_11_18_1, Older::Rename("--id")),
    a("tape", &["ls"], "--get-storage-class-stats", STORAGE_CLASS_STATS, Older::Refuse),
];

/// Options a release requires that HEAD made optional: added with this value when absent.
/// (`tapepool add --encrypted` was required before 5.11.6.0; no key name meant unencrypted.)
pub const REQUIRED_BEFORE: &[(&str, &str, &str, &[u64], &str)] =
    &[("tapepool", "add", "--encrypted", &[5, 11, 6], "false")];

fn in_missing(version: &CtaVersion, missing: Missing) -> bool {
    missing
        .iter()
        .any(|(from, to)| version.at_least(from) && to.is_none_or(|t| !version.at_least(t)))
}

/// What the option needs, for messages: the release from which it is there for good.
fn needs(missing: Missing) -> String {
    if missing.iter().any(|(_, to)| to.is_none()) {
        return "a CTA release before it was removed".to_owned();
    }
    let mut last: &[u64] = &[0];
    for (_, to) in missing {
        if let Some(t) = to
            && CtaVersion::parse(&join(t)).is_some_and(|v| v.at_least(last))
        {
            last = t;
        }
    }
    format!("CTA {} or newer", join(last))
}

fn join(parts: &[u64]) -> String {
    parts.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

/// One option occurrence in a command's arguments.
struct Arg {
    opt: Option<&'static CtaOption>,
    words: Vec<String>,
}

/// Splits the arguments into options (with their value) using the shared table; words the
/// table does not know are kept one by one.
fn split(cmd: &AdminCommand) -> Vec<Arg> {
    let sub = cmd.sub.as_deref();
    let positional = options::options(&cmd.command, sub)
        .and_then(|t| t.iter().find(|o| o.value == ValueKind::Positional))
        .is_some();
    let mut out = Vec::new();
    let mut it = cmd.args.iter();
    let mut first = true;
    while let Some(w) = it.next() {
        let opt = if positional && first && !w.starts_with('-') {
            None
        } else {
            options::find_any(&cmd.command, sub, w)
        };
        first = false;
        let mut words = vec![w.clone()];
        if let Some(o) = opt
            && o.value != ValueKind::Flag
            && let Some(v) = it.next()
        {
            words.push(v.clone());
        }
        out.push(Arg { opt, words });
    }
    out
}

/// Rewrites `cmd` for CTA `version`; refuses (nothing is run) what that release cannot do.
/// Commands and options without an adaptation pass unchanged.
pub fn adapt(cmd: &AdminCommand, version: &CtaVersion) -> Result<AdminCommand, AdminError> {
    let Some(kind) = super::kind::Kind::from_name(&cmd.command) else {
        return Ok(cmd.clone());
    };
    let name = kind.name();
    let sub = cmd.sub.as_deref().unwrap_or("");
    let refuse = |message: String| AdminError::Unsupported {
        command: cmd.to_string(),
        message,
    };
    let mut args = Vec::with_capacity(cmd.args.len());
    for mut arg in split(cmd) {
        let rule = arg.opt.and_then(|o| {
            ADAPTATIONS
                .iter()
                .find(|r| r.command == name && r.subs.contains(&sub) && r.option == o.long)
        });
        let Some(rule) = rule.filter(|r| in_missing(version, r.missing)) else {
            args.append(&mut arg.words);
            continue;
        };
        let spelled = arg.words[0].clone();
        let value = arg.words.get(1).cloned().unwrap_or_default();
        match rule.older {
            Older::Refuse => {
                return Err(refuse(format!(
                    "option {spelled} needs {} (this CTA is {version})",
                    needs(rule.missing)
                )));
            }
            Older::Drop => {}
            Older::DropIf(only) if value == only => {}
            Older::DropIf(only) => {
                return Err(refuse(format!(
                    "{spelled} {value} needs {}; CTA {version} only has {only} (leave the option out)",
                    needs(rule.missing)
                )));
            }
            Older::Rename(to) => {
                args.push(to.to_owned());
                args.extend(arg.words.into_iter().skip(1));
            }
            Older::HexToDecimal => {
                let hex = value.trim_start_matches("0x");
                let dec = u64::from_str_radix(hex, 16)
                    .map_err(|_| refuse(format!("{spelled} '{value}' is not a hexadecimal fxid")))?;
                args.extend([spelled, dec.to_string()]);
            }
        }
    }
    for (c, s, option, before, value) in REQUIRED_BEFORE {
        let given = |w: &String| options::find_any(name, Some(sub), w).is_some_and(|o| o.long == *option);
        if *c == name && *s == sub && !version.at_least(before) && !args.iter().any(given) {
            args.extend([(*option).to_owned(), (*value).to_owned()]);
        }
    }
    Ok(AdminCommand {
        command: cmd.command.clone(),
        sub: cmd.sub.clone(),
        args,
    })
}

/// Whether any adaptation concerns `cmd` (if not, the runner need not ask for the version).
#[must_use]
pub fn concerns(cmd: &AdminCommand) -> bool {
    let Some(kind) = super::kind::Kind::from_name(&cmd.command) else {
        return false;
    };
    let sub = cmd.sub.as_deref().unwrap_or("");
    let name = kind.name();
    REQUIRED_BEFORE.iter().any(|(c, s, ..)| *c == name && *s == sub)
        || split(cmd).iter().any(|arg| {
            arg.opt.is_some_and(|o| {
                ADAPTATIONS
                    .iter()
                    .any(|r| r.command == name && r.subs.contains(&sub) && r.option == o.long)
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> CtaVersion {
        CtaVersion::parse(s).unwrap()
    }

    fn raw(words: &[&str]) -> AdminCommand {
        AdminCommand::raw(words).unwrap()
    }

    #[test]
    fn rewrites_for_older_releases() {
        let af = raw(&["af", "ch", "--idfile", "/tmp/ids", "-s", "sc1"]);
        assert_eq!(adapt(&af, &v("5.11.20.0-1")).unwrap(), af);
        assert_eq!(
            adapt(&af, &v("5.11.7.0-1")).unwrap().argv(),
            ["af", "ch", "--id", "/tmp/ids", "-s", "sc1"]
        );
        let tf = raw(&["tf", "ls", "--fxid", "1f", "--vid", "V1"]);
        assert_eq!(
            adapt(&tf, &v("5.10.11.0-1")).unwrap().argv(),
            ["tf", "ls", "--fxid", "31", "--vid", "V1"]
        );
        let tf = raw(&["tf", "ls", "--dfid", "31"]);
        assert_eq!(
            adapt(&tf, &v("5.11.4.0-1")).unwrap().argv(),
            ["tf", "ls", "--fxid", "31"]
        );
        let dr = raw(&["dr", "ls", "--all"]);
        assert_eq!(adapt(&dr, &v("5.10.11.0-1")).unwrap().argv(), ["dr", "ls"]);
        let ar = raw(&["ar", "rm", "-s", "sc", "-c", "1", "--art", "DEFAULT"]);
        assert_eq!(
            adapt(&ar, &v("5.11.0.0-1")).unwrap().argv(),
            ["ar", "rm", "-s", "sc", "-c", "1"]
        );
        let tp = raw(&["tp", "add", "-n", "p", "--vo", "vo", "-p", "2", "-m", "c"]);
        assert_eq!(
            adapt(&tp, &v("5.11.5.0-1")).unwrap().argv().last().map(String::as_str),
            Some("false")
        );
        assert_eq!(adapt(&tp, &v("5.11.6.0-1")).unwrap(), tp);
    }

    #[test]
    fn refuses_in_one_line_what_a_release_cannot_do() {
        let stats = raw(&["tape", "ls", "--all", "--get-storage-class-stats"]);
        for (version, ok) in [
            ("5.11.18.0-1", false),
            ("5.11.18.1-1", true),
            ("5.11.19.0-2", false),
            ("5.11.20.0-1", true),
            ("6.0.0-1", true),
        ] {
            let r = adapt(&stats, &v(version));
            assert_eq!(r.is_ok(), ok, "{version}: {r:?}");
        }
        let e = adapt(&stats, &v("5.11.19.0-2")).unwrap_err();
        assert_eq!(e.code(), "CTA_VERSION_UNSUPPORTED");
        assert_eq!(
            e.to_string(),
            "cta-admin tape ls --all --get-storage-class-stats: option --get-storage-class-stats \
             needs CTA 5.11.20 or newer (this CTA is 5.11.19.0-2)"
        );
        let e = adapt(&raw(&["tp", "ch", "-n", "p", "-e", "true"]), &v("5.11.16.0-1")).unwrap_err();
        assert!(e.to_string().contains("before it was removed"), "{e}");
        let e = adapt(&raw(&["ar", "add", "--archiveroutetype", "REPACK"]), &v("5.10.11.0-1")).unwrap_err();
        assert!(e.to_string().contains("only has DEFAULT"), "{e}");
        let e = adapt(&raw(&["tf", "ls", "--fxid", "xyz"]), &v("5.10.11.0-1")).unwrap_err();
        assert!(e.to_string().contains("not a hexadecimal fxid"), "{e}");
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn only_concerned_commands_need_the_version() {
        assert!(!concerns(&raw(&["tape", "ls", "--all"])));
        assert!(concerns(&raw(&["dr", "ls", "--all"])));
        assert!(concerns(&raw(&["tf", "ls", "-f", "1f"])));
        assert!(concerns(&raw(&["tp", "add", "-n", "p"])));
        // `--all` as a drive name in the positional slot is still the flag in cta-admin.
        assert!(!concerns(&raw(&["dr", "up", "D1"])));
    }

    #[test]
    fn every_adapted_option_is_in_a_table() {
        for r in ADAPTATIONS {
            for sub in r.subs {
                let found = options::options(r.command, Some(sub))
                    .into_iter()
                    .flatten()
                    .chain(options::legacy(r.command, Some(sub)))
                    .any(|o| o.long == r.option);
                assert!(found, "{} {sub} {}", r.command, r.option);
            }
            if let Older::Rename(to) = r.older {
                for sub in r.subs {
                    assert!(options::find_any(r.command, Some(sub), to).is_some(), "{to}");
                }
            }
        }
    }
}
