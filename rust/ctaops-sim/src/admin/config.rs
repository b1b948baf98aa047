//! add/ch/rm of the catalogue's configuration tables, described as data: which options are the
//! key, which set columns, what each option must refer to, and what blocks a removal. The
//! family-specific rules of §1.4 (route types, repack VO, density codes, disabled reasons,
//! supply pools) are checked in [`rules`].

use crate::catalogue::Db;
use crate::catalogue::Value as Sql;

use super::change::{Who, set_supply};
use super::parse::{Parsed, Value};
use crate::catalogue::now;
use crate::error::{Result, user};

/// An option that must name an existing row of another table.
struct Ref {
    opt: &'static str,
    table: &'static str,
    col: &'static str,
    what: &'static str,
}

/// One configuration table as cta-admin sees it.
struct Family {
    what: &'static str,
    table: &'static str,
    /// (option key, column) of the primary key.
    keys: &'static [(&'static str, &'static str)],
    /// (option key, column) set by add/ch when given.
    cols: &'static [(&'static str, &'static str)],
    /// Columns set on add when no option gives them (SQL literals).
    defaults: &'static [(&'static str, &'static str)],
    refs: &'static [Ref],
    /// (table, column holding the first key, what) rows that block `rm`.
    used_by: &'static [(&'static str, &'static str, &'static str)],
}

const fn r(opt: &'static str, table: &'static str, col: &'static str, what: &'static str) -> Ref {
    Ref { opt, table, col, what }
}

const DI: Ref = r("diskinstance", "DISK_INSTANCE", "DISK_INSTANCE_NAME", "disk instance");
const RULE_DI: Ref = r("instance", "DISK_INSTANCE", "DISK_INSTANCE_NAME", "disk instance");
const MP: Ref = r("mountpolicy", "MOUNT_POLICY", "MOUNT_POLICY_NAME", "mount policy");
const VO: Ref = r(
    "vo",
    "VIRTUAL_ORGANIZATION",
    "VIRTUAL_ORGANIZATION_NAME",
    "virtual organization",
);
const SC: Ref = r("storageclass", "STORAGE_CLASS", "STORAGE_CLASS_NAME", "storage class");
const TP: Ref = r("tapepool", "TAPE_POOL", "TAPE_POOL_NAME", "tape pool");
const DIS: Ref = r(
    "diskinstancespace",
    "DISK_INSTANCE_SPACE",
    "DISK_INSTANCE_SPACE_NAME",
    "disk instance space",
);
const PL: Ref = r(
    "physicallibrary",
    "PHYSICAL_LIBRARY",
    "PHYSICAL_LIBRARY_NAME",
    "physical library",
);
const COMMENT: (&str, &str) = ("comment", "USER_COMMENT");
const RULE_COLS: &[(&str, &str)] = &[("mountpolicy", "MOUNT_POLICY_NAME"), COMMENT];

fn family(cmd: &str) -> Option<Family> {
    Some(match cmd {
        "admin" => Family {
            what: "admin user",
            table: "ADMIN_USER",
            keys: &[("username", "ADMIN_USER_NAME")],
            cols: &[COMMENT],
            defaults: &[],
            refs: &[],
            used_by: &[],
        },
        "storageclass" => Family {
            what: "storage class",
            table: "STORAGE_CLASS",
            keys: &[("name", "STORAGE_CLASS_NAME")],
            cols: &[
                ("numberofcopies", "NB_COPIES"),
                ("vo", "VIRTUAL_ORGANIZATION_NAME"),
                COMMENT,
            ],
            defaults: &[],
            refs: &[VO],
            used_by: &[
                ("ARCHIVE_ROUTE", "STORAGE_CLASS_NAME", "archive route(s)"),
                ("ARCHIVE_FILE", "STORAGE_CLASS_NAME", "archive file(s)"),
            ],
        },
        "archiveroute" => Family {
            what: "archive route",
            table: "ARCHIVE_ROUTE",
            keys: &[
                ("storageclass", "STORAGE_CLASS_NAME"),
                ("copynb", "COPY_NB"),
                ("archiveroutetype", "ARCHIVE_ROUTE_TYPE"),
            ],
            cols: &[("tapepool", "TAPE_POOL_NAME"), COMMENT],
            defaults: &[],
            refs: &[SC, TP],
            used_by: &[],
        },
        "virtualorganization" => Family {
            what: "virtual organization",
            table: "VIRTUAL_ORGANIZATION",
            keys: &[("vo", "VIRTUAL_ORGANIZATION_NAME")],
            cols: &[
                ("readmaxdrives", "READ_MAX_DRIVES"),
                ("writemaxdrives", "WRITE_MAX_DRIVES"),
                ("maxfilesize", "MAX_FILE_SIZE"),
                ("diskinstance", "DISK_INSTANCE_NAME"),
                ("isrepackvo", "IS_REPACK_VO"),
                COMMENT,
            ],
            defaults: &[("MAX_FILE_SIZE", "0")],
            refs: &[DI],
            used_by: &[
                ("TAPE_POOL", "VIRTUAL_ORGANIZATION_NAME", "tape pool(s)"),
                ("STORAGE_CLASS", "VIRTUAL_ORGANIZATION_NAME", "storage class(es)"),
            ],
        },
        "mediatype" => Family {
            what: "media type",
            table: "MEDIA_TYPE",
            keys: &[("name", "MEDIA_TYPE_NAME")],
            cols: &[
                ("cartridge", "CARTRIDGE"),
                ("capacity", "CAPACITY_IN_BYTES"),
                ("primarydensitycode", "PRIMARY_DENSITY_CODE"),
                ("secondarydensitycode", "SECONDARY_DENSITY_CODE"),
                ("nbwraps", "NB_WRAPS"),
                ("minlpos", "MIN_LPOS"),
                ("maxlpos", "MAX_LPOS"),
                COMMENT,
            ],
            defaults: &[],
            refs: &[],
            used_by: &[("TAPE", "MEDIA_TYPE_NAME", "tape(s)")],
        },
        "mountpolicy" => Family {
            what: "mount policy",
            table: "MOUNT_POLICY",
            keys: &[("name", "MOUNT_POLICY_NAME")],
            cols: &[
                ("archivepriority", "ARCHIVE_PRIORITY"),
                ("minarchiverequestage", "ARCHIVE_MIN_REQUEST_AGE"),
                ("retrievepriority", "RETRIEVE_PRIORITY"),
                ("minretrieverequestage", "RETRIEVE_MIN_REQUEST_AGE"),
                COMMENT,
            ],
            defaults: &[],
            refs: &[],
            used_by: &[
                ("REQUESTER_MOUNT_RULE", "MOUNT_POLICY_NAME", "requester mount rule(s)"),
                ("REQUESTER_GROUP_MOUNT_RULE", "MOUNT_POLICY_NAME", "group mount rule(s)"),
                (
                    "REQUESTER_ACTIVITY_MOUNT_RULE",
                    "MOUNT_POLICY_NAME",
                    "activity mount rule(s)",
                ),
            ],
        },
        "requestermountrule" => Family {
            what: "requester mount rule",
            table: "REQUESTER_MOUNT_RULE",
            keys: &[("instance", "DISK_INSTANCE_NAME"), ("name", "REQUESTER_NAME")],
            cols: RULE_COLS,
            defaults: &[],
            refs: &[RULE_DI, MP],
            used_by: &[],
        },
        "groupmountrule" => Family {
            what: "requester group mount rule",
            table: "REQUESTER_GROUP_MOUNT_RULE",
            keys: &[("instance", "DISK_INSTANCE_NAME"), ("name", "REQUESTER_GROUP_NAME")],
            cols: RULE_COLS,
            defaults: &[],
            refs: &[RULE_DI, MP],
            used_by: &[],
        },
        "activitymountrule" => Family {
            what: "requester activity mount rule",
            table: "REQUESTER_ACTIVITY_MOUNT_RULE",
            keys: &[
                ("instance", "DISK_INSTANCE_NAME"),
                ("name", "REQUESTER_NAME"),
                ("activityregex", "ACTIVITY_REGEX"),
            ],
            cols: RULE_COLS,
            defaults: &[],
            refs: &[RULE_DI, MP],
            used_by: &[],
        },
        "diskinstance" => Family {
            what: "disk instance",
            table: "DISK_INSTANCE",
            keys: &[("name", "DISK_INSTANCE_NAME")],
            cols: &[COMMENT],
            defaults: &[],
            refs: &[],
            used_by: &[
                ("VIRTUAL_ORGANIZATION", "DISK_INSTANCE_NAME", "virtual organization(s)"),
                ("DISK_INSTANCE_SPACE", "DISK_INSTANCE_NAME", "disk instance space(s)"),
                ("REQUESTER_MOUNT_RULE", "DISK_INSTANCE_NAME", "requester mount rule(s)"),
                (
                    "REQUESTER_GROUP_MOUNT_RULE",
                    "DISK_INSTANCE_NAME",
                    "group mount rule(s)",
                ),
            ],
        },
        "diskinstancespace" => Family {
            what: "disk instance space",
            table: "DISK_INSTANCE_SPACE",
            keys: &[
                ("name", "DISK_INSTANCE_SPACE_NAME"),
                ("diskinstance", "DISK_INSTANCE_NAME"),
            ],
            cols: &[
                ("freespacequeryurl", "FREE_SPACE_QUERY_URL"),
                ("refreshinterval", "REFRESH_INTERVAL"),
                COMMENT,
            ],
            defaults: &[],
            refs: &[DI],
            used_by: &[("DISK_SYSTEM", "DISK_INSTANCE_SPACE_NAME", "disk system(s)")],
        },
        "disksystem" => Family {
            what: "disk system",
            table: "DISK_SYSTEM",
            keys: &[("disksystem", "DISK_SYSTEM_NAME")],
            cols: &[
                ("fileregexp", "FILE_REGEXP"),
                ("diskinstance", "DISK_INSTANCE_NAME"),
                ("diskinstancespace", "DISK_INSTANCE_SPACE_NAME"),
                ("targetedfreespace", "TARGETED_FREE_SPACE"),
                ("sleeptime", "SLEEP_TIME"),
                COMMENT,
            ],
            defaults: &[],
            refs: &[DI, DIS],
            used_by: &[],
        },
        "logicallibrary" => Family {
            what: "logical library",
            table: "LOGICAL_LIBRARY",
            keys: &[("name", "LOGICAL_LIBRARY_NAME")],
            cols: &[
                ("disabled", "IS_DISABLED"),
                ("physicallibrary", "PHYSICAL_LIBRARY_NAME"),
                COMMENT,
            ],
            defaults: &[],
            refs: &[PL],
            used_by: &[
                ("TAPE", "LOGICAL_LIBRARY_NAME", "tape(s)"),
                ("SIM_DRIVE", "LOGICAL_LIBRARY_NAME", "drive(s)"),
            ],
        },
        "physicallibrary" => Family {
            what: "physical library",
            table: "PHYSICAL_LIBRARY",
            keys: &[("name", "PHYSICAL_LIBRARY_NAME")],
            cols: &[
                ("manufacturer", "PHYSICAL_LIBRARY_MANUFACTURER"),
                ("model", "PHYSICAL_LIBRARY_MODEL"),
                ("type", "PHYSICAL_LIBRARY_TYPE"),
                ("guiurl", "GUI_URL"),
                ("webcamurl", "WEBCAM_URL"),
                ("location", "PHYSICAL_LOCATION"),
                ("nbphysicalcartridgeslots", "NB_PHYSICAL_CARTRIDGE_SLOTS"),
                ("nbavailablecartridgeslots", "NB_AVAILABLE_CARTRIDGE_SLOTS"),
                ("nbphysicaldriveslots", "NB_PHYSICAL_DRIVE_SLOTS"),
                ("disabled", "IS_DISABLED"),
                ("disabledreason", "DISABLED_REASON"),
                COMMENT,
            ],
            // A library added by cta-admin has no simulated robot (no state file).
            defaults: &[("STATE_FILE", "''")],
            refs: &[],
            used_by: &[("LOGICAL_LIBRARY", "PHYSICAL_LIBRARY_NAME", "logical library(ies)")],
        },
        "tapepool" => Family {
            what: "tape pool",
            table: "TAPE_POOL",
            keys: &[("name", "TAPE_POOL_NAME")],
            cols: &[
                ("vo", "VIRTUAL_ORGANIZATION_NAME"),
                ("partialtapesnumber", "NB_PARTIAL_TAPES"),
                ("encryptionkeyname", "ENCRYPTION_KEY_NAME"),
                COMMENT,
            ],
            defaults: &[],
            refs: &[VO],
            used_by: &[
                ("TAPE", "TAPE_POOL_NAME", "tape(s)"),
                ("ARCHIVE_ROUTE", "TAPE_POOL_NAME", "archive route(s)"),
            ],
        },
        _ => return None,
    })
}

/// True when `cmd sub` is handled here.
#[must_use]
pub fn handles(cmd: &str, sub: &str) -> bool {
    matches!(sub, "add" | "ch" | "rm") && family(cmd).is_some()
}

fn sql_value(v: &Value) -> Sql {
    match v {
        Value::Str(s) if s.is_empty() => Sql::Null,
        Value::Str(s) => Sql::Text(s.clone()),
        Value::Uint(u) => Sql::Integer(i64::try_from(*u).unwrap_or(i64::MAX)),
        Value::Bool(b) => Sql::Integer(i64::from(*b)),
        Value::List(l) => Sql::Text(l.join(",")),
    }
}

/// The key values of the command, normalised as CTA stores them.
fn key_values(fam: &Family, p: &Parsed) -> Vec<(&'static str, Sql)> {
    fam.keys
        .iter()
        .map(|(opt, col)| {
            let v = match (*opt, p.opts.get(opt)) {
                ("archiveroutetype", Some(Value::Str(s))) => Sql::Text(s.to_uppercase()),
                ("archiveroutetype", _) => Sql::Text("DEFAULT".into()),
                (_, Some(v)) => sql_value(v),
                (_, None) => Sql::Null,
            };
            (*col, v)
        })
        .collect()
}

fn describe(keys: &[(&str, Sql)]) -> String {
    keys.iter()
        .map(|(_, v)| match v {
            Sql::Text(s) => s.clone(),
            Sql::Integer(i) => i.to_string(),
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn key_exists(tx: &Db, fam: &Family, keys: &[(&str, Sql)]) -> Result<bool> {
    let cond: Vec<String> = keys.iter().map(|(c, _)| format!("{c} = ?")).collect();
    let sql = format!("SELECT COUNT(*) FROM {} WHERE {}", fam.table, cond.join(" AND "));
    let n: i64 = tx.query_row(
        &sql,
        crate::catalogue::params_from_iter(keys.iter().map(|(_, v)| v)),
        |row| row.get(0),
    )?;
    Ok(n > 0)
}

fn count(tx: &Db, table: &str, col: &str, v: &Sql) -> Result<i64> {
    tx.query_row(&format!("SELECT COUNT(*) FROM {table} WHERE {col} = ?1"), [v], |row| {
        row.get(0)
    })
}

/// Runs `cmd add|ch|rm` of a configuration family; returns the `message_txt` (always empty).
pub fn run(tx: &Db, p: &Parsed, who: &Who) -> Result<String> {
    let Some(fam) = family(&p.cmd) else {
        return user(format!("{} {} is not a configuration command", p.cmd, p.sub));
    };
    let keys = key_values(&fam, p);
    let name = describe(&keys);
    let verb = match p.sub.as_str() {
        "add" => "create",
        "ch" => "modify",
        _ => "delete",
    };
    let found = key_exists(tx, &fam, &keys)?;
    match (p.sub.as_str(), found) {
        ("add", true) => {
            return user(format!("Cannot create {} {name} because it already exists", fam.what));
        }
        ("ch" | "rm", false) => {
            return user(format!("Cannot {verb} {} {name} because it does not exist", fam.what));
        }
        _ => {}
    }
    // CTA refuses empty strings (`UserSpecifiedAnEmptyString…`); an empty key name means "no key".
    for (opt, v) in &p.opts {
        if let Value::Str(text) = v
            && text.trim().is_empty()
            && !matches!(*opt, "encryptionkeyname" | "supply")
        {
            return user(format!(
                "Cannot {verb} {} because the {opt} is an empty string",
                fam.what
            ));
        }
    }
    if p.sub != "rm" {
        for rf in fam.refs {
            if let Some(Value::Str(v)) = p.opts.get(rf.opt)
                && !v.is_empty()
                && count(tx, rf.table, rf.col, &Sql::Text(v.clone()))? == 0
            {
                return user(format!(
                    "Cannot {verb} {} {name} because {} {v} does not exist",
                    fam.what, rf.what
                ));
            }
        }
    }
    rules(tx, &fam, p, &keys, &name)?;
    let t = i64::try_from(now(tx)?).unwrap_or(i64::MAX);
    match p.sub.as_str() {
        "add" => insert(tx, &fam, p, &keys, who, t)?,
        "ch" => update(tx, &fam, p, &keys, who, t)?,
        _ => {
            for (table, col, what) in fam.used_by {
                let n = count(tx, table, col, &keys[0].1)?;
                if n > 0 {
                    return user(format!(
                        "Cannot delete {} {name} because it is used by {n} {what}",
                        fam.what
                    ));
                }
            }
            let cond: Vec<String> = keys.iter().map(|(c, _)| format!("{c} = ?")).collect();
            tx.execute(
                &format!("DELETE FROM {} WHERE {}", fam.table, cond.join(" AND ")),
                crate::catalogue::params_from_iter(keys.iter().map(|(_, v)| v)),
            )?;
            if p.cmd == "tapepool" {
                tx.execute(
                    "DELETE FROM TAPE_POOL_SUPPLY WHERE SUPPLY_SOURCE_TAPE_POOL_NAME = ?1 OR SUPPLY_DESTINATION_TAPE_POOL_NAME = ?1",
                    [&keys[0].1],
                )?;
            }
        }
    }
    Ok(String::new())
}

fn insert(tx: &Db, fam: &Family, p: &Parsed, keys: &[(&str, Sql)], who: &Who, t: i64) -> Result<()> {
    let mut cols: Vec<String> = Vec::new();
    let mut vals: Vec<Sql> = Vec::new();
    for (c, v) in keys {
        cols.push((*c).to_owned());
        vals.push(v.clone());
    }
    for (opt, col) in fam.cols {
        if let Some(v) = p.opts.get(opt) {
            cols.push((*col).to_owned());
            vals.push(sql_value(v));
        }
    }
    for c in [
        "CREATION_LOG_USER_NAME",
        "CREATION_LOG_HOST_NAME",
        "LAST_UPDATE_USER_NAME",
        "LAST_UPDATE_HOST_NAME",
    ] {
        cols.push(c.to_owned());
        vals.push(Sql::Text(if c.ends_with("USER_NAME") {
            who.user.clone()
        } else {
            who.host.clone()
        }));
    }
    for c in ["CREATION_LOG_TIME", "LAST_UPDATE_TIME"] {
        cols.push(c.to_owned());
        vals.push(Sql::Integer(t));
    }
    let mut marks: Vec<String> = vec!["?".to_owned(); vals.len()];
    for (col, lit) in fam.defaults {
        if !cols.iter().any(|c| c == col) {
            cols.push((*col).to_owned());
            marks.push((*lit).to_owned());
        }
    }
    tx.execute(
        &format!(
            "INSERT INTO {}({}) VALUES({})",
            fam.table,
            cols.join(", "),
            marks.join(", ")
        ),
        crate::catalogue::params_from_iter(vals.iter()),
    )?;
    after_write(tx, p, keys)
}

fn update(tx: &Db, fam: &Family, p: &Parsed, keys: &[(&str, Sql)], who: &Who, t: i64) -> Result<()> {
    let mut sets: Vec<String> = vec![
        "LAST_UPDATE_USER_NAME = ?".into(),
        "LAST_UPDATE_HOST_NAME = ?".into(),
        "LAST_UPDATE_TIME = ?".into(),
    ];
    let mut vals: Vec<Sql> = vec![
        Sql::Text(who.user.clone()),
        Sql::Text(who.host.clone()),
        Sql::Integer(t),
    ];
    for (opt, col) in fam.cols {
        if let Some(v) = p.opts.get(opt) {
            sets.push(format!("{col} = ?"));
            vals.push(sql_value(v));
        }
    }
    // `--disabled false` without a reason clears the reason (§1.4).
    if p.bool("disabled") == Some(false) && p.str("disabledreason").is_none() && p.cmd == "physicallibrary" {
        sets.push("DISABLED_REASON = NULL".into());
    }
    let cond: Vec<String> = keys.iter().map(|(c, _)| format!("{c} = ?")).collect();
    vals.extend(keys.iter().map(|(_, v)| v.clone()));
    tx.execute(
        &format!(
            "UPDATE {} SET {} WHERE {}",
            fam.table,
            sets.join(", "),
            cond.join(" AND ")
        ),
        crate::catalogue::params_from_iter(vals.iter()),
    )?;
    after_write(tx, p, keys)
}

/// Derived columns and side tables written with the row.
fn after_write(tx: &Db, p: &Parsed, keys: &[(&str, Sql)]) -> Result<()> {
    if p.cmd != "tapepool" {
        return Ok(());
    }
    let Sql::Text(name) = &keys[0].1 else {
        return Ok(());
    };
    if p.str("encryptionkeyname").is_some() || p.sub == "add" {
        tx.execute(
            "UPDATE TAPE_POOL SET IS_ENCRYPTED = CASE WHEN ENCRYPTION_KEY_NAME IS NULL THEN 0 ELSE 1 END WHERE TAPE_POOL_NAME = ?1",
            [name],
        )?;
    }
    if let Some(s) = p.str("supply") {
        set_supply(tx, name, s)?;
    }
    Ok(())
}

/// The family-specific rules of cta-interfaces.md §1.4.
fn rules(tx: &Db, fam: &Family, p: &Parsed, keys: &[(&str, Sql)], name: &str) -> Result<()> {
    match (p.cmd.as_str(), p.sub.as_str()) {
        ("archiveroute", sub) => {
            if let Sql::Text(t) = &keys[2].1
                && t != "DEFAULT"
                && t != "REPACK"
            {
                return user(format!(
                    "{t} is not a valid archive route type. Valid types are DEFAULT or REPACK"
                ));
            }
            if sub == "add" && p.uint("copynb") == Some(0) {
                return user("Invalid copy number 0: copy numbers start at 1");
            }
            if sub != "rm"
                && let Some(pool) = p.str("tapepool")
            {
                let n: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM ARCHIVE_ROUTE WHERE STORAGE_CLASS_NAME = ?1 AND TAPE_POOL_NAME = ?2
                     AND NOT (COPY_NB = ?3 AND ARCHIVE_ROUTE_TYPE = ?4)",
                    crate::params![&keys[0].1, pool, &keys[1].1, &keys[2].1],
                    |row| row.get(0),
                )?;
                if n > 0 {
                    return user(format!(
                        "Cannot {} archive route {name} because storage class {} already has a route to tape pool {pool}",
                        if sub == "add" { "create" } else { "modify" },
                        describe(&keys[..1])
                    ));
                }
            }
        }
        ("virtualorganization", sub) => {
            let others: i64 = tx.query_row(
                "SELECT COUNT(*) FROM VIRTUAL_ORGANIZATION WHERE IS_REPACK_VO = 1 AND VIRTUAL_ORGANIZATION_NAME <> ?1",
                [&keys[0].1],
                |row| row.get(0),
            )?;
            if p.bool("isrepackvo") == Some(true) && others > 0 {
                return user(format!(
                    "Cannot set virtual organization {name} as the repack VO because there is already one"
                ));
            }
            let is_repack: i64 = tx.query_row(
                "SELECT COUNT(*) FROM VIRTUAL_ORGANIZATION WHERE IS_REPACK_VO = 1 AND VIRTUAL_ORGANIZATION_NAME = ?1",
                [&keys[0].1],
                |row| row.get(0),
            )?;
            let repacks: i64 = tx.query_row("SELECT COUNT(*) FROM SIM_REPACK", (), |row| row.get(0))?;
            let unsets = sub == "rm" || p.bool("isrepackvo") == Some(false);
            if is_repack > 0 && unsets && repacks > 0 {
                return user(format!(
                    "Cannot {} the repack virtual organization {name} while repack requests exist",
                    if sub == "rm" { "delete" } else { "modify" }
                ));
            }
        }
        ("mediatype", "add" | "ch") => {
            for (opt, label) in [
                ("primarydensitycode", "Primary density code"),
                ("secondarydensitycode", "Secondary density code"),
            ] {
                if let Some(v) = p.uint(opt).filter(|v| *v > 255) {
                    return user(format!("{label} cannot be larger than 255: value={v}"));
                }
            }
            if let Some(v) = p.uint("nbwraps").filter(|v| *v > u64::from(u32::MAX)) {
                return user(format!("Number of wraps cannot be larger than {}: value={v}", u32::MAX));
            }
        }
        ("physicallibrary" | "logicallibrary", "add" | "ch") => {
            let reason = p.str("disabledreason").is_some_and(|r| !r.trim().is_empty());
            if p.bool("disabled") == Some(true) && !reason && p.sub == "ch" {
                return user(format!(
                    "Cannot disable {} {name} because no reason was provided (--disabledreason)",
                    fam.what
                ));
            }
        }
        _ => {}
    }
    Ok(())
}
