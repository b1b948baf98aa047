//! Command-line conventions applied to the whole clap tree in one place, so that no subcommand
//! can forget them: every hyphenated long option also answers to its underscore spelling
//! (upstream's Python tools write `--read_time`, `--data_size`), and the version is `--version`
//! only, because `-V` means something else in the tools ctaops mimics (cta-smc's VID, the repack
//! manager's verbose) and a stray `-V` must not turn a cron line into a version print.

use clap::{Arg, ArgAction, Command};

/// The program name under which the process runs `ctaops repack-manager` itself, as upstream's
/// console script of that name does.
pub const REPACK_MANAGER: &str = "cta-ops-repack-manager";

/// Adds the conventions to `cmd` and all its subcommands.
pub fn apply(cmd: Command) -> Command {
    let cmd = cmd.disable_version_flag(true).arg(
        Arg::new("version")
            .long("version")
            .action(ArgAction::Version)
            .global(true)
            .help("Print the ctaops version and exit"),
    );
    with_underscore_aliases(cmd)
}

fn with_underscore_aliases(cmd: Command) -> Command {
    cmd.mut_args(|arg| {
        let alias = arg.get_long().filter(|l| l.contains('-')).map(|l| l.replace('-', "_"));
        let already = arg
            .get_all_aliases()
            .is_some_and(|a| alias.as_deref().is_some_and(|x| a.contains(&x)));
        match alias {
            Some(a) if !already => arg.alias(a),
            _ => arg,
        }
    })
    .mut_subcommands(with_underscore_aliases)
}

/// True when the process was started as `cta-ops-repack-manager` (argv[0]'s file name).
pub fn is_repack_manager(args: &[std::ffi::OsString]) -> bool {
    args.first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .is_some_and(|n| n == REPACK_MANAGER)
}

/// `sub` of `root` as a program of its own named `program`: its usage lines and errors name
/// `program`, and it keeps the root's global options (-v, --log-json) and version.
pub fn standalone(root: &Command, sub: &str, program: &'static str) -> Option<Command> {
    let mut cmd = root
        .find_subcommand(sub)?
        .clone()
        .name(program)
        .bin_name(program)
        .version(root.get_version().unwrap_or_default().to_owned());
    for arg in root.get_arguments().filter(|a| a.is_global_set()) {
        cmd = cmd.arg(arg.clone());
    }
    Some(apply(cmd))
}

/// Words that only steer logging, accepted before any subcommand.
fn is_global_flag(word: &str) -> bool {
    matches!(word, "--log-json" | "--log_json" | "--verbose")
        || word.len() > 1 && word.starts_with('-') && word[1..].chars().all(|c| c == 'v')
}

/// Pass-through subcommands (`sim cta-admin`, `sim verify-file`, `sim tool`) hand every word to
/// the tool they run, `--help` included; `--help` (or `-h`) as the first word after such a
/// subcommand shows ctaops' own help instead. Returns that help, if asked for.
pub fn pass_through_help(cmd: &mut Command, args: &[std::ffi::OsString]) -> Option<String> {
    let words: Vec<&str> = args.iter().skip(1).map(|a| a.to_str().unwrap_or("")).collect();
    let mut path: Vec<&str> = Vec::new();
    let mut i = 0;
    {
        let mut cur: &Command = cmd;
        while i < words.len() {
            if is_global_flag(words[i]) {
                i += 1;
                continue;
            }
            match cur.find_subcommand(words[i]) {
                Some(sub) => {
                    path.push(words[i]);
                    cur = sub;
                    i += 1;
                }
                None => break,
            }
        }
        if !cur.is_disable_help_flag_set() || path.is_empty() || !matches!(words.get(i), Some(&("--help" | "-h"))) {
            return None;
        }
    }
    cmd.build();
    let mut cur = &mut *cmd;
    for name in path {
        cur = cur.find_subcommand_mut(name)?;
    }
    Some(cur.render_long_help().to_string())
}

#[cfg(test)]
mod tests;
