//! The one option table of `cta-admin` (cta-interfaces.md §1.3), shared by both transports: per
//! (command, subcommand), each option's long and short spelling, its value kind, whether CTA
//! requires it, and the protobuf key it travels under. The argument-vector builder reads the
//! spellings, the gRPC encoder maps the key name to its prost enum, the decoder goes back.

use super::kind::Kind;

/// How an option's value is written on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// `--opt <text>`.
    Str,
    /// `--opt <unsigned integer>`.
    Uint,
    /// `--opt true|false`.
    Bool,
    /// `--opt` alone means true (sent as a boolean `true`).
    Flag,
    /// `--opt <file>`: the client reads the file into a list of tokens.
    StrList,
    /// `drive`'s `<drive_name>`, the first argument after the subcommand.
    Positional,
}

/// The repeated field of `AdminCmd` an option travels in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProtoField {
    /// `option_str` (`OptionString`).
    Str,
    /// `option_uint64` (`OptionUInt64`).
    Uint64,
    /// `option_bool` (`OptionBoolean`).
    Bool,
    /// `option_str_list` (`OptionStrList`).
    StrList,
}

/// One option of a (command, subcommand).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CtaOption {
    /// `--vid`; empty for the positional drive name.
    pub long: &'static str,
    /// `-v` or `--mt` (many short forms are double-dash); empty when there is none.
    pub short: &'static str,
    pub value: ValueKind,
    /// CTA refuses the command without it (`Missing option: …`).
    pub required: bool,
    /// The protobuf enum value name within [`CtaOption::field`]'s `Key` (`VID`, `TAPE_POOL`).
    pub key: &'static str,
}

pub(crate) const fn o(
    long: &'static str,
    short: &'static str,
    value: ValueKind,
    required: bool,
    key: &'static str,
) -> CtaOption {
    CtaOption {
        long,
        short,
        value,
        required,
        key,
    }
}

impl CtaOption {
    /// The repeated field the option is sent in.
    #[must_use]
    pub const fn field(&self) -> ProtoField {
        match self.value {
            ValueKind::Str | ValueKind::Positional => ProtoField::Str,
            ValueKind::Uint => ProtoField::Uint64,
            ValueKind::Bool | ValueKind::Flag => ProtoField::Bool,
            ValueKind::StrList => ProtoField::StrList,
        }
    }

    /// The keyword the Python API and [`super::AdminCommand::build`] take for it: the long
    /// option without dashes (`-` becomes `_`), with a few shorter names operators use.
    #[must_use]
    pub fn keyword(&self) -> &'static str {
        match self.long {
            "" => "drive",
            "--virtualorganisation" => "vo",
            "--dirtybit" => "dirty",
            "--get-storage-class-stats" => "storage_class_stats",
            "--no-recall" => "no_recall",
            long => long.trim_start_matches('-'),
        }
    }

    /// Whether a command-line token is this option (long or short spelling).
    #[must_use]
    pub fn matches(&self, token: &str) -> bool {
        !self.long.is_empty() && (token == self.long || (!self.short.is_empty() && token == self.short))
    }

    /// How CTA names the option in messages.
    #[must_use]
    pub const fn spelling(&self) -> &'static str {
        if self.long.is_empty() {
            "<drive_name>"
        } else {
            self.long
        }
    }
}

/// The options of one (command, subcommand); `sub` is `None` for `showqueues` and `version`.
#[derive(Debug, Clone, Copy)]
pub struct SubOptions {
    pub command: &'static str,
    pub sub: Option<&'static str>,
    pub options: &'static [CtaOption],
}

pub use super::options_table::TABLE;

/// Options older CTA releases took that HEAD no longer has (see [`super::compat`]): they are
/// only written by the version adaptations, never accepted from callers by
/// [`super::AdminCommand::build`], and the gRPC encoder knows their keys too.
pub const LEGACY: &[SubOptions] = &[
    // Before 5.11.18.1 the archive-ID list file of `archivefile ch` was `--id` under FILE_ID.
    SubOptions {
        command: "archivefile",
        sub: Some("ch"),
        options: &[o("--id", "-I", ValueKind::StrList, true, "FILE_ID")],
    },
    // Before 5.11.16.0 `tapepool add`/`ch` took `--encrypted` (required by `add` before 5.11.6.0).
    SubOptions {
        command: "tapepool",
        sub: Some("add"),
        options: &[o("--encrypted", "-e", ValueKind::Bool, false, "ENCRYPTED")],
    },
    SubOptions {
        command: "tapepool",
        sub: Some("ch"),
        options: &[o("--encrypted", "-e", ValueKind::Bool, false, "ENCRYPTED")],
    },
];

/// Subcommands CTA defines for other tools that `cta-admin` itself refuses (§1.3).
pub const NOT_IN_CTA_ADMIN: &[(&str, &str)] = &[("recycletf", "restore")];

/// The options of `command` (long name or alias) and `sub`; `None` when CTA has no such pair.
#[must_use]
pub fn options(command: &str, sub: Option<&str>) -> Option<&'static [CtaOption]> {
    let name = Kind::from_name(command)?.name();
    TABLE
        .iter()
        .find(|e| e.command == name && e.sub == sub)
        .map(|e| e.options)
}

/// The option a command-line token names.
#[must_use]
pub fn find(options: &'static [CtaOption], token: &str) -> Option<&'static CtaOption> {
    options.iter().find(|o| o.matches(token))
}

/// The options older releases of `command` (long name or alias) and `sub` took ([`LEGACY`]).
#[must_use]
pub fn legacy(command: &str, sub: Option<&str>) -> &'static [CtaOption] {
    let name = Kind::from_name(command).map(Kind::name);
    LEGACY
        .iter()
        .find(|e| Some(e.command) == name && e.sub == sub)
        .map_or(&[], |e| e.options)
}

/// The option a token names, in the current table first, then among the legacy options.
#[must_use]
pub fn find_any(command: &str, sub: Option<&str>, token: &str) -> Option<&'static CtaOption> {
    options(command, sub)
        .and_then(|t| find(t, token))
        .or_else(|| find(legacy(command, sub), token))
}

/// The option sent under `key` in `field` (the decoder's direction).
#[must_use]
pub fn by_key(options: &'static [CtaOption], field: ProtoField, key: &str) -> Option<&'static CtaOption> {
    options.iter().find(|o| o.field() == field && o.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_entries_and_keys_are_unambiguous() {
        for kind in Kind::ALL {
            assert!(TABLE.iter().any(|e| e.command == kind.name()), "{kind:?}");
        }
        for e in TABLE {
            for (i, a) in e.options.iter().enumerate() {
                for b in &e.options[i + 1..] {
                    let what = format!("{} {:?}: {} / {}", e.command, e.sub, a.spelling(), b.spelling());
                    assert!(!(a.field() == b.field() && a.key == b.key), "same key: {what}");
                    assert_ne!(a.keyword(), b.keyword(), "same keyword: {what}");
                    assert!(!b.matches(a.long) && !b.matches(a.short), "same spelling: {what}");
                }
            }
        }
    }

    #[test]
    fn looks_up_by_alias_token_and_key() {
        let tape_ls = options("ta", Some("ls")).unwrap();
        assert_eq!(find(tape_ls, "--mt").unwrap().key, "MEDIA_TYPE");
        assert_eq!(find(tape_ls, "-F").unwrap().field(), ProtoField::StrList);
        assert_eq!(find(tape_ls, "--vo").unwrap().keyword(), "vo");
        assert!(find(tape_ls, "--name").is_none());
        assert_eq!(by_key(tape_ls, ProtoField::Bool, "ALL").unwrap().long, "--all");
        let tp = options("tapepool", Some("ls")).unwrap();
        assert_eq!(by_key(tp, ProtoField::Str, "TAPE_POOL").unwrap().long, "--name");
        assert!(options("version", None).unwrap().is_empty());
        assert!(options("tape", Some("frobnicate")).is_none());
        assert!(options("nosuch", Some("ls")).is_none());
        let drive_down = options("dr", Some("down")).unwrap();
        assert_eq!(drive_down[0].value, ValueKind::Positional);
        assert_eq!(drive_down[0].keyword(), "drive");
    }

    /// The generated table is the spec's matrix, row for row (when the spec is on this machine).
    #[test]
    fn table_matches_the_spec_matrix() {
        let path = std::env::var("CTAOPS_SPEC_DIR").unwrap_or_else(|_| "/work/shared/spec".into());
        let Ok(text) = std::fs::read_to_string(format!("{path}/cta-interfaces.md")) else {
            return;
        };
        let mut rows = 0;
        for line in text.lines() {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if cells.len() == 7 && cells[5].starts_with("Option") && cells[1] != "sub" {
                rows += 1;
                let key = cells[5].rsplit("::").next().unwrap_or_default();
                let found = TABLE
                    .iter()
                    .filter(|e| e.sub == Some(cells[1].trim_end_matches('*')))
                    .flat_map(|e| e.options)
                    .any(|o| o.key == key && (o.long.is_empty() || cells[2].contains(&format!("`{}`", o.long))));
                assert!(found, "{line}");
            }
        }
        assert_eq!(rows, TABLE.iter().map(|e| e.options.len()).sum::<usize>());
    }
}
