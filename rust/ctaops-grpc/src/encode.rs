//! One command model for both transports: a `cta-admin` argument vector ([`AdminCommand`]) and
//! the `AdminCmd` protobuf, in both directions (the client encodes, the server decodes for its
//! backend). Option names and keys follow CTA's `cta-admin` tables.

use ctaops_core::admin::{AdminCommand, Kind};

use crate::error::GrpcError;
use crate::pb::cta::admin::{
    AdminCmd, OptionBoolean, OptionStrList, OptionString, OptionUInt64, admin_cmd, option_boolean, option_str_list,
    option_string, option_u_int64,
};

/// How a long option travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wire {
    /// Present means true.
    Flag(option_boolean::Key),
    /// `true`/`false` value.
    Bool(option_boolean::Key),
    Uint(option_u_int64::Key),
    Str(option_string::Key),
    /// The value names a file whose tokens are sent as a list.
    List(option_str_list::Key),
}

use option_boolean::Key as B;
use option_str_list::Key as L;
use option_string::Key as S;
use option_u_int64::Key as U;

/// Long options and their keys; the first entry for a key is the one the decoder writes back.
const OPTIONS: &[(&str, Wire)] = &[
    ("--all", Wire::Flag(B::All)),
    ("--force", Wire::Flag(B::Force)),
    ("--summary", Wire::Flag(B::Summary)),
    ("--log", Wire::Flag(B::ShowLogEntries)),
    ("--justarchive", Wire::Flag(B::Justarchive)),
    ("--justaddcopies", Wire::Flag(B::Justaddcopies)),
    ("--justmove", Wire::Flag(B::Justmove)),
    ("--justretrieve", Wire::Flag(B::Justretrieve)),
    ("--no-recall", Wire::Flag(B::NoRecall)),
    ("--missingfilecopies", Wire::Flag(B::MissingFileCopies)),
    ("--lookupnamespace", Wire::Flag(B::LookupNamespace)),
    ("--full", Wire::Bool(B::Full)),
    ("--disabled", Wire::Bool(B::Disabled)),
    ("--encrypted", Wire::Bool(B::Encrypted)),
    ("--fromcastor", Wire::Bool(B::FromCastor)),
    ("--readonly", Wire::Bool(B::ReadOnly)),
    ("--dirtybit", Wire::Bool(B::DirtyBit)),
    ("--isrepackvo", Wire::Bool(B::IsRepackVo)),
    ("--id", Wire::Uint(U::ArchiveFileId)),
    ("--capacity", Wire::Uint(U::Capacity)),
    ("--copynb", Wire::Uint(U::CopyNumber)),
    ("--maxfilestoselect", Wire::Uint(U::MaxFilesToExpand)),
    ("--logunixtimemin", Wire::Uint(U::LogUnixtimeMin)),
    ("--logunixtimemax", Wire::Uint(U::LogUnixtimeMax)),
    ("--partialtapesnumber", Wire::Uint(U::PartialTapesNumber)),
    ("--readmaxdrives", Wire::Uint(U::ReadMaxDrives)),
    ("--writemaxdrives", Wire::Uint(U::WriteMaxDrives)),
    ("--vid", Wire::Str(S::Vid)),
    ("--comment", Wire::Str(S::Comment)),
    ("--reason", Wire::Str(S::Reason)),
    ("--state", Wire::Str(S::State)),
    ("--tapepool", Wire::Str(S::TapePool)),
    ("--storageclass", Wire::Str(S::StorageClass)),
    ("--logicallibrary", Wire::Str(S::LogicalLibrary)),
    ("--physicallibrary", Wire::Str(S::PhysicalLibrary)),
    ("--mediatype", Wire::Str(S::MediaType)),
    ("--vendor", Wire::Str(S::Vendor)),
    ("--virtualorganisation", Wire::Str(S::Vo)),
    ("--vo", Wire::Str(S::Vo)),
    ("--encryptionkeyname", Wire::Str(S::EncryptionKeyName)),
    ("--mountpolicy", Wire::Str(S::MountPolicy)),
    ("--bufferurl", Wire::Str(S::Bufferurl)),
    ("--instance", Wire::Str(S::Instance)),
    ("--username", Wire::Str(S::Username)),
    ("--fxid", Wire::Str(S::Fxid)),
    ("--diskfileid", Wire::Str(S::DiskFileId)),
    ("--objectid", Wire::Str(S::Objectid)),
    ("--diskinstance", Wire::Str(S::DiskInstance)),
    ("--verificationstatus", Wire::Str(S::VerificationStatus)),
    ("--purchaseorder", Wire::Str(S::MediaPurchaseOrderNumber)),
    ("--disabledreason", Wire::Str(S::DisabledReason)),
    ("--drive", Wire::Str(S::Drive)),
    ("--vidfile", Wire::List(L::Vid)),
    ("--fxidfile", Wire::List(L::FileId)),
];

/// Options CTA HEAD knows but whose key number is not in the public `.proto` copy (spec §11).
const NOT_PUBLIC: &[&str] = &["--get-storage-class-stats", "--idfile"];

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

/// The command word `cta-admin` uses for a `Cmd` (the inverse of `cmd_of`).
fn word_of(cmd: admin_cmd::Cmd) -> Option<&'static str> {
    use admin_cmd::Cmd as C;
    Some(match cmd {
        C::None => return None,
        C::Admin => "admin",
        C::Archiveroute => "archiveroute",
        C::Drive => "drive",
        C::Failedrequest => "failedrequest",
        C::Groupmountrule => "groupmountrule",
        C::Logicallibrary => "logicallibrary",
        C::Mountpolicy => "mountpolicy",
        C::Repack => "repack",
        C::Requestermountrule => "requestermountrule",
        C::Showqueues => "showqueues",
        C::Storageclass => "storageclass",
        C::Tape => "tape",
        C::Tapepool => "tapepool",
        C::Disksystem => "disksystem",
        C::Tapefile => "tapefile",
        C::Virtualorganization => "virtualorganization",
        C::Version => "version",
        C::Mediatype => "mediatype",
        C::Recycletapefile => "recycletf",
        C::Activitymountrule => "activitymountrule",
        C::Diskinstance => "diskinstance",
        C::Diskinstancespace => "diskinstancespace",
        C::Archivefile => "archivefile",
        C::Physicallibrary => "physicallibrary",
    })
}

const SUBS: &[(&str, admin_cmd::SubCmd)] = &[
    ("add", admin_cmd::SubCmd::SubcmdAdd),
    ("ch", admin_cmd::SubCmd::SubcmdCh),
    ("err", admin_cmd::SubCmd::SubcmdErr),
    ("ls", admin_cmd::SubCmd::SubcmdLs),
    ("reclaim", admin_cmd::SubCmd::SubcmdReclaim),
    ("rm", admin_cmd::SubCmd::SubcmdRm),
    ("up", admin_cmd::SubCmd::SubcmdUp),
    ("down", admin_cmd::SubCmd::SubcmdDown),
    ("retry", admin_cmd::SubCmd::SubcmdRetry),
    ("show", admin_cmd::SubCmd::SubcmdShow),
    ("restore", admin_cmd::SubCmd::SubcmdRestore),
];

/// `--name` is an alias whose key depends on the command.
fn name_alias(kind: Kind) -> Option<Wire> {
    Some(Wire::Str(match kind {
        Kind::TapePool => S::TapePool,
        Kind::StorageClass => S::StorageClass,
        Kind::LogicalLibrary => S::LogicalLibrary,
        Kind::PhysicalLibrary => S::PhysicalLibrary,
        Kind::MediaType => S::MediaType,
        Kind::MountPolicy => S::MountPolicy,
        Kind::VirtualOrganization => S::Vo,
        Kind::DiskSystem => S::DiskSystem,
        Kind::DiskInstance => S::DiskInstance,
        Kind::DiskInstanceSpace => S::DiskInstanceSpace,
        _ => return None,
    }))
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

/// Reads a list file as `cta-admin` does: whitespace-separated tokens, `#` comments; for
/// `FILE_ID` only `fid=` tokens, prefix removed.
fn read_list(path: &str, key: L) -> Result<Vec<String>, GrpcError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| GrpcError::Encode(format!("cannot read list file {path}: {e}")))?;
    let mut items = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        for tok in line.split_whitespace() {
            match key {
                L::FileId => items.extend(tok.strip_prefix("fid=").map(str::to_owned)),
                L::Vid => items.push(tok.to_owned()),
            }
        }
    }
    Ok(items)
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
    match command.sub.as_deref() {
        None => out.set_subcmd(admin_cmd::SubCmd::SubcmdNone),
        Some(s) => {
            let sub = SUBS.iter().find(|(w, _)| *w == s).map(|(_, v)| *v);
            out.set_subcmd(
                sub.ok_or_else(|| GrpcError::Encode(format!("unknown subcommand '{s}' of {}", command.command)))?,
            );
        }
    }
    let bad = |m: String| GrpcError::Encode(format!("{command}: {m}"));
    let mut args = command.args.iter().peekable();
    let mut first = true;
    while let Some(arg) = args.next() {
        if first && kind == Kind::Drive && !arg.starts_with('-') {
            first = false;
            out.option_str.push(OptionString {
                key: S::Drive as i32,
                value: arg.clone(),
            });
            continue;
        }
        first = false;
        if NOT_PUBLIC.contains(&arg.as_str()) {
            return Err(bad(format!(
                "option {arg} cannot be sent over gRPC yet (its protobuf key is not public)"
            )));
        }
        let wire = if arg == "--name" {
            name_alias(kind)
        } else {
            OPTIONS.iter().find(|(l, _)| l == arg).map(|(_, w)| *w)
        };
        let wire = wire.ok_or_else(|| bad(format!("option '{arg}' has no gRPC encoding")))?;
        let mut value = || args.next().ok_or_else(|| bad(format!("option {arg} needs a value")));
        match wire {
            Wire::Flag(key) => out.option_bool.push(OptionBoolean {
                key: key as i32,
                value: true,
            }),
            Wire::Bool(key) => {
                let v = match value()?.as_str() {
                    "true" => true,
                    "false" => false,
                    other => return Err(bad(format!("option {arg} expects true or false, not '{other}'"))),
                };
                out.option_bool.push(OptionBoolean {
                    key: key as i32,
                    value: v,
                });
            }
            Wire::Uint(key) => {
                let v = value()?;
                let v = v
                    .parse::<u64>()
                    .map_err(|_| bad(format!("option {arg} expects an unsigned integer, not '{v}'")))?;
                out.option_uint64.push(OptionUInt64 {
                    key: key as i32,
                    value: v,
                });
            }
            Wire::Str(key) => out.option_str.push(OptionString {
                key: key as i32,
                value: value()?.clone(),
            }),
            Wire::List(key) => {
                let item = read_list(value()?, key)?;
                out.option_str_list.push(OptionStrList { key: key as i32, item });
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
/// CTA's option maps). Unknown keys (from a newer client) are refused with their number.
pub fn decode(cmd: &AdminCmd) -> Result<DecodedCommand, String> {
    let c = admin_cmd::Cmd::try_from(cmd.cmd).unwrap_or(admin_cmd::Cmd::None);
    let word = word_of(c).ok_or_else(|| format!("Invalid command/subcommand (cmd {})", cmd.cmd))?;
    let sub = admin_cmd::SubCmd::try_from(cmd.subcmd)
        .map_err(|_| format!("Invalid command/subcommand (subcmd {})", cmd.subcmd))?;
    let sub = if sub == admin_cmd::SubCmd::SubcmdNone {
        None
    } else {
        Some(
            SUBS.iter()
                .find(|(_, v)| *v == sub)
                .map(|(w, _)| (*w).to_owned())
                .ok_or("Invalid command/subcommand")?,
        )
    };
    let mut args = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for o in &cmd.option_str {
        if !seen.insert(("s", o.key)) {
            continue;
        }
        if o.key == S::Drive as i32 && c == admin_cmd::Cmd::Drive {
            args.insert(0, o.value.clone());
            continue;
        }
        let long = long_for(|w| matches!(w, Wire::Str(k) if k as i32 == o.key))
            .ok_or_else(|| format!("unknown string option key {}", o.key))?;
        args.extend([long.to_owned(), o.value.clone()]);
    }
    for o in &cmd.option_uint64 {
        if seen.insert(("u", o.key)) {
            let long = long_for(|w| matches!(w, Wire::Uint(k) if k as i32 == o.key))
                .ok_or_else(|| format!("unknown integer option key {}", o.key))?;
            args.extend([long.to_owned(), o.value.to_string()]);
        }
    }
    for o in &cmd.option_bool {
        if !seen.insert(("b", o.key)) {
            continue;
        }
        match long_for(|w| matches!(w, Wire::Flag(k) | Wire::Bool(k) if k as i32 == o.key)) {
            Some(long) if OPTIONS.iter().any(|(l, w)| *l == long && matches!(w, Wire::Flag(_))) => {
                if o.value {
                    args.push(long.to_owned());
                }
            }
            Some(long) => args.extend([long.to_owned(), o.value.to_string()]),
            None => return Err(format!("unknown boolean option key {}", o.key)),
        }
    }
    let mut lists = Vec::new();
    for o in &cmd.option_str_list {
        let long = long_for(|w| matches!(w, Wire::List(k) if k as i32 == o.key))
            .ok_or_else(|| format!("unknown list option key {}", o.key))?;
        lists.push((long, o.item.clone()));
    }
    Ok(DecodedCommand {
        command: AdminCommand {
            command: word.to_owned(),
            sub,
            args,
        },
        lists,
    })
}

fn long_for(pred: impl Fn(Wire) -> bool) -> Option<&'static str> {
    OPTIONS.iter().find(|(_, w)| pred(*w)).map(|(l, _)| *l)
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
}
