//! The conventions hold for the whole `ctaops` tree, including subcommands added later.

use clap::{ArgAction, Command};

fn walk<'a>(cmd: &'a Command, path: &str, out: &mut Vec<(String, &'a Command)>) {
    let here = format!("{path} {}", cmd.get_name()).trim().to_owned();
    for sub in cmd.get_subcommands() {
        walk(sub, &here, out);
    }
    out.push((here, cmd));
}

fn all_commands() -> Vec<(String, Command)> {
    let mut cmd = crate::command();
    cmd.build();
    let mut found = Vec::new();
    walk(&cmd, "", &mut found);
    found.into_iter().map(|(p, c)| (p, c.clone())).collect()
}

#[test]
fn every_hyphenated_long_option_takes_its_underscore_spelling() {
    let mut missing = Vec::new();
    for (path, cmd) in all_commands() {
        for arg in cmd.get_arguments() {
            if let Some(long) = arg.get_long().filter(|l| l.contains('-')) {
                let underscore = long.replace('-', "_");
                if !arg.get_all_aliases().is_some_and(|a| a.contains(&underscore.as_str())) {
                    missing.push(format!("{path} --{long}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "no underscore alias: {missing:?}");
}

#[test]
fn every_argument_has_help_text() {
    let mut missing = Vec::new();
    for (path, cmd) in all_commands() {
        for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                missing.push(format!("{path} {}", arg.get_id()));
            }
        }
    }
    assert!(missing.is_empty(), "no help text: {missing:?}");
}

#[test]
fn version_is_long_only_everywhere() {
    for (path, cmd) in all_commands() {
        for arg in cmd.get_arguments() {
            if matches!(arg.get_action(), ArgAction::Version) {
                assert_eq!(
                    arg.get_short(),
                    None,
                    "{path}: -{:?} prints the version",
                    arg.get_short()
                );
                assert_eq!(arg.get_long(), Some("version"), "{path}");
            }
        }
    }
}

#[test]
fn upper_v_is_an_upstream_meaning_or_nothing() {
    let mut uses = Vec::new();
    for (path, cmd) in all_commands() {
        for arg in cmd.get_arguments().filter(|a| a.get_short() == Some('V')) {
            uses.push(format!("{path} {}", arg.get_id()));
        }
    }
    uses.sort();
    uses.dedup();
    // cta-smc's VID; the repack manager's verbose (global there, so its verbs inherit it).
    assert!(
        uses.iter()
            .all(|u| u == "ctaops smc vid" || u.starts_with("ctaops repack-manager")),
        "{uses:?}"
    );
    assert!(uses.contains(&"ctaops smc vid".to_owned()), "{uses:?}");
    assert!(uses.iter().any(|u| u.ends_with("verbose_upper")), "{uses:?}");
}

#[test]
fn one_concept_one_name() {
    let expect = [
        ("config_file", Some('C'), "config-file"),
        ("dry_run", None, "dry-run"),
        ("json", None, "json"),
    ];
    for (path, cmd) in all_commands() {
        for arg in cmd.get_arguments() {
            for (id, short, long) in expect {
                if arg.get_id() == id {
                    assert_eq!(arg.get_long(), Some(long), "{path} {id}");
                    if short.is_some() {
                        assert_eq!(arg.get_short(), short, "{path} {id}");
                    }
                }
            }
        }
    }
}

#[test]
fn a_stray_upper_v_is_a_usage_error_not_the_version() {
    let err = crate::command()
        .try_get_matches_from(["ctaops", "tape", "verify", "--image", "x", "--vid", "V00001", "-V"])
        .unwrap_err();
    assert_eq!(err.kind(), clap::error::ErrorKind::UnknownArgument);
    let ok = crate::command()
        .try_get_matches_from(["ctaops", "tape", "verify", "--version"])
        .unwrap_err();
    assert_eq!(ok.kind(), clap::error::ErrorKind::DisplayVersion);
}

#[test]
fn underscore_spellings_parse() {
    let m = crate::command()
        .try_get_matches_from([
            "ctaops",
            "tape",
            "verify",
            "--image",
            "x",
            "--vid",
            "V00001",
            "--data_size",
            "10.2M",
            "--read_time",
            "2m",
        ])
        .unwrap();
    let (_, tape) = m.subcommand().unwrap();
    let (_, verify) = tape.subcommand().unwrap();
    assert_eq!(verify.get_one::<u64>("data_size"), Some(&10_695_475));
    assert_eq!(verify.get_one::<u64>("read_time"), Some(&120));
}
