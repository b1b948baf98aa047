//! One command model for both transports: a `cta-admin` argument vector ([`AdminCommand`]) and
//! the `AdminCmd` protobuf, in both directions (the client encodes, the server decodes for its
//! backend). Which options a (command, subcommand) takes, their value kinds and protobuf key
//! names come from the shared table in `ctaops_core::admin::options`; this file only maps a key
//! name to its prost enum value (prost's generated `from_str_name`).

use ctaops_core::admin::options::{self, CtaOption, ProtoField, ValueKind};
use ctaops_core::admin::{AdminCommand, Kind};

use crate::error::GrpcError;
use crate::pb::cta::admin::{
    AdminCmd, OptionBoolean, OptionStrList, OptionString, OptionUInt64, admin_cmd, option_boolean, option_str_list,
    option_string, option_u_int64,
};

/// The protobuf key number of an option; `None` when the public `.proto` copy lacks the key
/// (spec §11: CTA HEAD's `GET_STORAGE_CLASS_STATISTICS` and `ARCHIVE_FILE_ID` list).
#[must_use]
pub fn key_number(option: &CtaOption) -> Option<i32> {
    let name = option.key;
    match option.field() {
        ProtoField::Str => option_string::Key::from_str_name(name).map(|k| k as i32),
        ProtoField::Uint64 => option_u_int64::Key::from_str_name(name).map(|k| k as i32),
        ProtoField::Bool => option_boolean::Key::from_str_name(name).map(|k| k as i32),
        ProtoField::StrList => option_str_list::Key::from_str_name(name).map(|k| k as i32),
    }
}

fn cmd_of(kind: Kind) -> admin_cmd::Cmd {
    use admin_cmd::Cmd as C;
    match kind {
        Kind::ActivityMountRule => C::Activitymountrule,
        Kind::Admin => C::Admin,
        Kind::ArchiveFile => C::Archivefile,
        Kind::ArchiveRoute => C::Archiveroute,
        Kind::DiskInstance => C::Diskinstance,
        Kind::DiskInstanceSpace => C::Diskinstancespace,
        Kind::DiskSystem => C::Disksystem,
        Kind::Drive => C::Drive,
        Kind::FailedRequest => C::Failedrequest,
        Kind::GroupMountRule => C::Groupmountrule,
        Kind::LogicalLibrary => C::Logicallibrary,
        Kind::MediaType => C::Mediatype,
        Kind::MountPolicy => C::Mountpolicy,
        Kind::PhysicalLibrary => C::Physicallibrary,
        Kind::RecycleTapeFile => C::Recycletapefile,
        Kind::Repack => C::Repack,
        Kind::RequesterMountRule => C::Requestermountrule,
        Kind::ShowQueues => C::Showqueues,
        Kind::StorageClass => C::Storageclass,
        Kind::Tape => C::Tape,
        Kind::TapeFile => C::Tapefile,
        Kind::TapePool => C::Tapepool,
        Kind::Version => C::Version,
        Kind::VirtualOrganization => C::Virtualorganization,
    }
}

/// The subcommand word as a prost value (`ls` -> `SUBCMD_LS`).
fn subcmd_of(word: &str) -> Option<admin_cmd::SubCmd> {
    admin_cmd::SubCmd::from_str_name(&format!("SUBCMD_{}", word.to_ascii_uppercase()))
        .filter(|s| *s != admin_cmd::SubCmd::SubcmdNone)
}

/// The subcommand word of a prost value; `None` for `SUBCMD_NONE`.
fn word_of_subcmd(sub: admin_cmd::SubCmd) -> Option<String> {
    sub.as_str_name()
        .strip_prefix("SUBCMD_")
        .filter(|w| *w != "NONE")
        .map(str::to_ascii_lowercase)
}

/// Version strings sent in every request (CTA only echoes them in `version`).
pub const CLIENT_VERSION: &str = concat!("ctaops-", env!("CARGO_PKG_VERSION"));
/// The proto snapshot this crate was built from (see `proto/README.md`).
pub const PROTOBUF_TAG: &str = "dcache-cta-4e51d193";

/// Whether CTA serves this command on `CtaRpcStream/GenericAdminStream` (else `CtaRpc/Admin`).
#[must_use]
pub fn is_stream(cmd: &AdminCmd) -> bool {
    let c = cmd.cmd();
    let sub = cmd.subcmd();
    match c {
        admin_cmd::Cmd::Showqueues | admin_cmd::Cmd::Version => sub == admin_cmd::SubCmd::SubcmdNone,
        admin_cmd::Cmd::None | admin_cmd::Cmd::Archivefile => false,
        _ => sub == admin_cmd::SubCmd::SubcmdLs,
    }
}

/// Reads a list file as `cta-admin` does, bounded (`ctaops_core::admin::list_file`).
fn read_list(path: &str, key: &str) -> Result<Vec<String>, GrpcError> {
    ctaops_core::admin::list_file::read_list(std::path::Path::new(path), key == "FILE_ID")
        .map_err(|e| GrpcError::Encode(format!("cannot read list file {e}")))
}

/// Encodes a command; list options read their file here, as `cta-admin` does client-side.
pub fn encode(command: &AdminCommand) -> Result<AdminCmd, GrpcError> {
    let kind = Kind::from_name(&command.command).ok_or_else(|| {
        GrpcError::Encode(format!(
            "'{}' is not a cta-admin command known to the gRPC encoder",
            command.command
        ))
    })?;
    let mut out = AdminCmd {
        client_version: CLIENT_VERSION.to_owned(),
        protobuf_tag: PROTOBUF_TAG.to_owned(),
        ..AdminCmd::default()
    };
    out.set_cmd(cmd_of(kind));
    let sub = command.sub.as_deref();
    let table = options::options(kind.name(), sub).ok_or_else(|| {
        GrpcError::Encode(format!(
            "unknown subcommand '{}' of {}",
            sub.unwrap_or(""),
            command.command
        ))
    })?;
    match sub {
        None => out.set_subcmd(admin_cmd::SubCmd::SubcmdNone),
        Some(s) => out.set_subcmd(
            subcmd_of(s)
                .ok_or_else(|| GrpcError::Encode(format!("unknown subcommand '{s}' of {}", command.command)))?,
        ),
    }
    let bad = |m: String| GrpcError::Encode(format!("{command}: {m}"));
    let positional = table.iter().find(|o| o.value == ValueKind::Positional);
    let mut args = command.args.iter().peekable();
    let mut first = true;
    while let Some(arg) = args.next() {
        let opt = match positional {
            Some(p) if first && !arg.starts_with('-') => p,
            _ => options::find_any(kind.name(), sub, arg).ok_or_else(|| {
                bad(format!(
                    "option '{arg}' is not an option of {} {}",
                    kind.name(),
                    sub.unwrap_or("")
                ))
            })?,
        };
        first = false;
        let key = key_number(opt).ok_or_else(|| {
            bad(format!(
                "option {arg} cannot be sent over gRPC yet (its protobuf key {} is not public)",
                opt.key
            ))
        })?;
        let mut value = || args.next().ok_or_else(|| bad(format!("option {arg} needs a value")));
        match opt.value {
            ValueKind::Positional => out.option_str.push(OptionString {
                key,
                value: arg.clone(),
            }),
            ValueKind::Flag => out.option_bool.push(OptionBoolean { key, value: true }),
            ValueKind::Bool => {
                let v = match value()?.as_str() {
                    "true" => true,
                    "false" => false,
                    other => return Err(bad(format!("option {arg} expects true or false, not '{other}'"))),
                };
                out.option_bool.push(OptionBoolean { key, value: v });
            }
            ValueKind::Uint => {
                let v = value()?;
                let v = v
                    .parse::<u64>()
                    .map_err(|_| bad(format!("option {arg} expects an unsigned integer, not '{v}'")))?;
                // CTA's client reads these with std::stol: more than i64::MAX is out of range
                // (and the catalogue's signed 64-bit columns could not hold it).
                if i64::try_from(v).is_err() {
                    return Err(bad(format!("option {arg}: {v} is out of range")));
                }
                out.option_uint64.push(OptionUInt64 { key, value: v });
            }
            ValueKind::Str => out.option_str.push(OptionString {
                key,
                value: value()?.clone(),
            }),
            ValueKind::StrList => {
                let item = read_list(value()?, opt.key)?;
                out.option_str_list.push(OptionStrList { key, item });
            }
        }
    }
    Ok(out)
}

/// A request decoded for a server backend: the argument-vector form, plus list options (whose
/// file only the client saw) as `(long option, items)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedCommand {
    pub command: AdminCommand,
    pub lists: Vec<(&'static str, Vec<String>)>,
}

/// Decodes an `AdminCmd` into the argument-vector model (first occurrence of a key wins, as in
/// CTA's option maps). Keys the (command, subcommand) does not take, or unknown to this build
/// (from a newer client), are refused with their number.
pub fn decode(cmd: &AdminCmd) -> Result<DecodedCommand, String> {
    let c = admin_cmd::Cmd::try_from(cmd.cmd).unwrap_or(admin_cmd::Cmd::None);
    let kind = Kind::ALL
        .iter()
        .copied()
        .find(|k| cmd_of(*k) == c)
        .ok_or_else(|| format!("Invalid command/subcommand (cmd {})", cmd.cmd))?;
    let sub = admin_cmd::SubCmd::try_from(cmd.subcmd)
        .map_err(|_| format!("Invalid command/subcommand (subcmd {})", cmd.subcmd))?;
    let sub = word_of_subcmd(sub);
    let table = options::options(kind.name(), sub.as_deref()).ok_or("Invalid command/subcommand")?;
    let lookup = |field: ProtoField, key: i32, what: &str| {
        table
            .iter()
            .chain(options::legacy(kind.name(), sub.as_deref()))
            .find(|o| o.field() == field && key_number(o) == Some(key))
            .ok_or_else(|| format!("unknown {what} option key {key}"))
    };
    let mut args = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for o in &cmd.option_str {
        if !seen.insert((ProtoField::Str, o.key)) {
            continue;
        }
        let opt = lookup(ProtoField::Str, o.key, "string")?;
        if opt.value == ValueKind::Positional {
            args.insert(0, o.value.clone());
        } else {
            args.extend([opt.long.to_owned(), o.value.clone()]);
        }
    }
    for o in &cmd.option_uint64 {
        if seen.insert((ProtoField::Uint64, o.key)) {
            let opt = lookup(ProtoField::Uint64, o.key, "integer")?;
            args.extend([opt.long.to_owned(), o.value.to_string()]);
        }
    }
    for o in &cmd.option_bool {
        if !seen.insert((ProtoField::Bool, o.key)) {
            continue;
        }
        let opt = lookup(ProtoField::Bool, o.key, "boolean")?;
        match opt.value {
            ValueKind::Flag if o.value => args.push(opt.long.to_owned()),
            ValueKind::Flag => {}
            _ => args.extend([opt.long.to_owned(), o.value.to_string()]),
        }
    }
    let mut lists = Vec::new();
    for o in &cmd.option_str_list {
        lists.push((lookup(ProtoField::StrList, o.key, "list")?.long, o.item.clone()));
    }
    Ok(DecodedCommand {
        command: AdminCommand {
            command: kind.name().to_owned(),
            sub,
            args,
        },
        lists,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ctaops_core::admin::OptValue;

    #[test]
    fn encodes_the_spec_examples() {
        let c = encode(&AdminCommand::raw(&["tape", "ls", "--all"]).unwrap()).unwrap();
        assert_eq!((c.cmd, c.subcmd), (15, 5));
        assert_eq!(c.option_bool, [OptionBoolean { key: 6, value: true }]);
        assert!(is_stream(&c));
        let c = encode(&AdminCommand::raw(&["dr", "ls", "IBM.*"]).unwrap()).unwrap();
        assert_eq!((c.cmd, c.subcmd), (4, 5));
        assert_eq!(
            c.option_str,
            [OptionString {
                key: 2,
                value: "IBM.*".into()
            }]
        );
        let c = encode(
            &AdminCommand::raw(&[
                "repack",
                "add",
                "--vid",
                "V01007",
                "--mountpolicy",
                "repack",
                "--justmove",
            ])
            .unwrap(),
        )
        .unwrap();
        assert_eq!((c.cmd, c.subcmd), (11, 1));
        assert_eq!(c.option_str.iter().map(|o| o.key).collect::<Vec<_>>(), [15, 9]);
        assert_eq!(c.option_bool, [OptionBoolean { key: 11, value: true }]);
        assert!(!is_stream(&c));
        let c = encode(&AdminCommand::raw(&["version"]).unwrap()).unwrap();
        assert_eq!((c.cmd, c.subcmd), (20, 0));
        assert!(is_stream(&c));
        let c = encode(&AdminCommand::raw(&["tp", "ls", "--name", "p"]).unwrap()).unwrap();
        assert_eq!(
            c.option_str,
            [OptionString {
                key: 13,
                value: "p".into()
            }]
        );
    }

    #[test]
    fn round_trips_built_commands() {
        let built = AdminCommand::build(
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
        let d = decode(&encode(&built).unwrap()).unwrap();
        assert_eq!(
            d.command.argv(),
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
        let built = AdminCommand::build(
            "dr",
            Some("down"),
            &[("drive", "D1".into()), ("reason", "x".into()), ("force", true.into())],
        )
        .unwrap();
        let d = decode(&encode(&built).unwrap()).unwrap();
        assert_eq!(d.command.argv(), ["drive", "down", "D1", "--reason", "x", "--force"]);
        let built = AdminCommand::build("tf", Some("ls"), &[("id", OptValue::Uint(7))]).unwrap();
        assert_eq!(
            decode(&encode(&built).unwrap()).unwrap().command.argv(),
            ["tapefile", "ls", "--id", "7"]
        );
    }

    #[test]
    fn list_file_past_the_limit_is_refused_without_reading_it_whole() {
        let dir = tempfile::tempdir().unwrap();
        let sparse = dir.path().join("huge");
        std::fs::File::create(&sparse).unwrap().set_len(1 << 40).unwrap();
        for path in [sparse.to_str().unwrap(), "/dev/zero"] {
            let e = encode(&AdminCommand::raw(&["tape", "ls", "--fxidfile", path]).unwrap()).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("cannot read list file {path}: larger than 64 MiB (67108864 bytes), the limit for list files")
            );
        }
    }

    #[test]
    fn reads_list_files_and_refuses_what_it_cannot_encode() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("fids");
        std::fs::write(&f, "fid=12 junk # fid=99\nfid=13\n").unwrap();
        let c = encode(&AdminCommand::raw(&["tape", "ls", "--fxidfile", f.to_str().unwrap()]).unwrap()).unwrap();
        assert_eq!(c.option_str_list[0].item, ["12", "13"]);
        assert_eq!(
            decode(&c).unwrap().lists,
            [("--fxidfile", vec!["12".to_owned(), "13".to_owned()])]
        );
        for bad in [
            &["tape", "ls", "--get-storage-class-stats"][..],
            &["tape", "ls", "--colour", "red"],
            &["tape", "ls", "--capacity", "-1"],
            &["tape", "ls", "--capacity", "9223372036854775808"],
            &["tape", "ls", "--fxidfile", "/dev/zero"],
            &["tape", "ls", "--full", "yes"],
            &["tape", "ls", "--vid"],
            &["tape", "frobnicate"],
        ] {
            let e = encode(&AdminCommand::raw(bad).unwrap()).unwrap_err();
            assert_eq!(e.code(), "INVALID_ARGUMENT", "{bad:?}: {e}");
        }
        assert!(
            decode(&AdminCmd {
                cmd: 99,
                ..AdminCmd::default()
            })
            .is_err()
        );
        assert!(
            decode(&AdminCmd {
                cmd: 15,
                subcmd: 5,
                option_str: vec![OptionString {
                    key: 1000,
                    value: String::new()
                }],
                ..AdminCmd::default()
            })
            .is_err()
        );
    }

    /// Every option of the shared table, in its long and short spelling and as a keyword,
    /// gives the same argument vector, encodes under its own protobuf key, and decodes back.
    #[test]
    fn every_option_of_the_table_encodes_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("list");
        std::fs::write(&list, "fid=12 V1\n").unwrap();
        let list = list.to_str().unwrap().to_owned();
        let mut checked = 0;
        let mut not_public = Vec::new();
        for entry in options::TABLE {
            let sub = entry.sub;
            for opt in entry.options {
                let value: Vec<String> = match opt.value {
                    ValueKind::Str | ValueKind::Positional => vec!["x".into()],
                    ValueKind::Uint => vec!["7".into()],
                    ValueKind::Bool => vec!["false".into()],
                    ValueKind::Flag => vec![],
                    ValueKind::StrList => vec![list.clone()],
                };
                let keyword_value = match opt.value {
                    ValueKind::Uint => OptValue::Uint(7),
                    ValueKind::Bool => OptValue::Bool(false),
                    ValueKind::Flag => OptValue::Bool(true),
                    _ => OptValue::Str(value[0].clone()),
                };
                let built = AdminCommand::build(entry.command, sub, &[(opt.keyword(), keyword_value)]).unwrap();
                let spellings: Vec<&str> = if opt.value == ValueKind::Positional {
                    vec![""]
                } else {
                    [opt.long, opt.short].into_iter().filter(|s| !s.is_empty()).collect()
                };
                for spelling in spellings {
                    let mut words: Vec<String> = vec![entry.command.into()];
                    words.extend(sub.map(str::to_owned));
                    words.extend((!spelling.is_empty()).then(|| spelling.to_owned()));
                    words.extend(value.iter().cloned());
                    let raw = AdminCommand::raw(&words).unwrap();
                    let what = format!("{raw}");
                    let Some(key) = key_number(opt) else {
                        let e = encode(&raw).unwrap_err();
                        assert!(e.to_string().contains("is not public"), "{what}: {e}");
                        not_public.push(opt.key);
                        continue;
                    };
                    let pb = encode(&raw).unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(encode(&built).unwrap(), pb, "{what}: keyword and spelling differ");
                    let keys: Vec<i32> = match opt.field() {
                        ProtoField::Str => pb.option_str.iter().map(|o| o.key).collect(),
                        ProtoField::Uint64 => pb.option_uint64.iter().map(|o| o.key).collect(),
                        ProtoField::Bool => pb.option_bool.iter().map(|o| o.key).collect(),
                        ProtoField::StrList => pb.option_str_list.iter().map(|o| o.key).collect(),
                    };
                    let total =
                        pb.option_str.len() + pb.option_uint64.len() + pb.option_bool.len() + pb.option_str_list.len();
                    assert_eq!((keys, total), (vec![key], 1), "{what}");
                    let back = decode(&pb).unwrap();
                    let kind = Kind::from_name(entry.command).unwrap();
                    assert_eq!(back.command.command, kind.name(), "{what}");
                    assert_eq!(back.command.sub.as_deref(), sub, "{what}");
                    if opt.value == ValueKind::StrList {
                        let items = if opt.key == "FILE_ID" {
                            vec!["12"]
                        } else {
                            vec!["fid=12", "V1"]
                        };
                        assert_eq!(
                            back.lists,
                            [(opt.long, items.iter().map(|s| (*s).to_owned()).collect())]
                        );
                    } else {
                        assert_eq!(back.command.args, built.args, "{what}");
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 500, "{checked}");
        not_public.sort_unstable();
        not_public.dedup();
        assert_eq!(not_public, ["ARCHIVE_FILE_ID", "GET_STORAGE_CLASS_STATISTICS"]);
    }
}
