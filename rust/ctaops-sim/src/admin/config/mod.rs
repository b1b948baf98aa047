//! add/ch/rm of the catalogue's configuration tables, described as data: which options are the
//! key, which set columns, and, per subcommand, the checks CTA makes, in CTA's order and with
//! CTA's texts. The texts come from CTA's `catalogue/rdbms/Rdbms*Catalogue.cpp` (each family's
//! `create*`, `modify*`, `delete*`) and `frontend/common/AdminCmd.cpp` (`process<Family>_Add/Ch/Rm`,
//! which decides which catalogue calls a `ch` makes and in which order); the function is named
//! next to each table. CTA sends a `UserError`'s text as it is (`XrdSsiCtaRequestProc.cpp`), so
//! what cta-admin prints on stderr is exactly the text below.
//!
//! Where CTA has no check of its own and relies on a foreign key of its schema, the database
//! error reaches cta-admin as a server error (exit 1); the simulator refuses with
//! [`Fail::Server`] and a text of its own (CTA's is the database driver's).

use crate::catalogue::Value as Sql;
use crate::catalogue::{Db, OptionalExtension};

use super::change::{Who, check_supply, set_supply};
use super::parse::{Parsed, Value};
use crate::catalogue::now;
use crate::error::{Result, SimError, user};

mod admin_user;
mod disk;
mod library;
mod media_type;
mod mount_policy;
mod storage_class;
mod tape_pool;
mod virtual_organization;

/// How CTA reports a failed check.
#[derive(Clone, Copy)]
enum Fail {
    /// A `UserError`: exit 2, `[]` under `--json`.
    User,
    /// A database error (a foreign key CTA does not check itself): exit 1.
    Server,
}

/// One check. Texts are templates: `{opt}` is the value of option `opt` (key options as CTA
/// stores them, e.g. the route type upper-cased), `{found}` the first column the query found.
enum Check {
    /// The option is given as an empty string (CTA's `UserSpecifiedAnEmptyString…`).
    Empty(&'static str, &'static str),
    /// The option is given as zero (`UserSpecifiedAZero…`).
    Zero(&'static str, &'static str),
    /// Refused when the query (bound to the values of the options) finds a row; `""` as the
    /// query means "the family's own row, by its key". Skipped when an option is not given.
    Found(&'static str, &'static [&'static str], &'static str, Fail),
    /// Refused when the query finds no row; skipped when an option is not given or empty.
    Absent(&'static str, &'static [&'static str], &'static str, Fail),
    /// A rule that needs code.
    Rule(fn(&Db, &Parsed) -> Result<()>),
}

use Check::{Absent, Empty, Found, Rule, Zero};

/// The row already exists (CTA's `…Exists()` before an insert).
const fn exists(msg: &'static str) -> Check {
    Found("", &[], msg, Fail::User)
}

/// The row does not exist (CTA's UPDATE/DELETE affecting no row).
const fn missing(msg: &'static str) -> Check {
    Absent("", &[], msg, Fail::User)
}

/// (option, checks) of `ch`, in the order `AdminCmd::process<Family>_Ch` calls the catalogue;
/// a step runs when its option is given, `""` always.
type Steps = &'static [(&'static str, &'static [Check])];

/// One configuration table as cta-admin sees it.
struct Family {
    table: &'static str,
    /// (option key, column) of the primary key.
    keys: &'static [(&'static str, &'static str)],
    /// (option key, column) set by add/ch when given.
    cols: &'static [(&'static str, &'static str)],
    /// Columns set on add when no option gives them (SQL literals).
    defaults: &'static [(&'static str, &'static str)],
    add: &'static [Check],
    ch: Steps,
    rm: &'static [Check],
}

const COMMENT: (&str, &str) = ("comment", "USER_COMMENT");
const RULE_COLS: &[(&str, &str)] = &[("mountpolicy", "MOUNT_POLICY_NAME"), COMMENT];

const VO_EXISTS: &str = "SELECT 1 FROM VIRTUAL_ORGANIZATION WHERE VIRTUAL_ORGANIZATION_NAME = ?1";
const MP_EXISTS: &str = "SELECT 1 FROM MOUNT_POLICY WHERE MOUNT_POLICY_NAME = ?1";
const DI_EXISTS: &str = "SELECT 1 FROM DISK_INSTANCE WHERE DISK_INSTANCE_NAME = ?1";
const TP_EXISTS: &str = "SELECT 1 FROM TAPE_POOL WHERE TAPE_POOL_NAME = ?1";
const SC_EXISTS: &str = "SELECT 1 FROM STORAGE_CLASS WHERE STORAGE_CLASS_NAME = ?1";

fn family(cmd: &str) -> Option<Family> {
    Some(match cmd {
        "admin" => admin_user::ADMIN,
        "storageclass" => storage_class::STORAGECLASS,
        "archiveroute" => storage_class::ARCHIVEROUTE,
        "virtualorganization" => virtual_organization::VIRTUALORGANIZATION,
        "mediatype" => media_type::MEDIATYPE,
        "mountpolicy" => mount_policy::MOUNTPOLICY,
        "requestermountrule" => mount_policy::REQUESTERMOUNTRULE,
        "groupmountrule" => mount_policy::GROUPMOUNTRULE,
        "activitymountrule" => mount_policy::ACTIVITYMOUNTRULE,
        "diskinstance" => disk::DISKINSTANCE,
        "diskinstancespace" => disk::DISKINSTANCESPACE,
        "disksystem" => disk::DISKSYSTEM,
        "logicallibrary" => library::LOGICALLIBRARY,
        "physicallibrary" => library::PHYSICALLIBRARY,
        "tapepool" => tape_pool::TAPEPOOL,
        _ => return None,
    })
}

/// True when `cmd sub` is handled here.
#[must_use]
pub fn handles(cmd: &str, sub: &str) -> bool {
    matches!(sub, "add" | "ch" | "rm") && family(cmd).is_some()
}

/// An option's value as the catalogue stores it. An empty key name means "no key" and an empty
/// disabled reason "no reason" (CTA binds them as NULL); other empty strings are stored as given.
fn sql_value(opt: &str, v: &Value) -> Sql {
    match v {
        Value::Str(s) if s.is_empty() && matches!(opt, "encryptionkeyname" | "disabledreason") => Sql::Null,
        Value::Str(s) => Sql::Text(s.clone()),
        Value::Uint(u) => Sql::Integer(i64::try_from(*u).unwrap_or(i64::MAX)),
        Value::Bool(b) => Sql::Integer(i64::from(*b)),
        Value::List(l) => Sql::Text(l.join(",")),
    }
}

/// The value of option `opt`, normalised as CTA stores it (the route type upper-cased, DEFAULT
/// when not given: `AdminCmd::processArchiveRoute_Add`).
fn opt_value(p: &Parsed, opt: &str) -> Option<Sql> {
    match (opt, p.opts.get(opt)) {
        ("archiveroutetype", Some(Value::Str(s))) => Some(Sql::Text(s.to_uppercase())),
        ("archiveroutetype", _) => Some(Sql::Text("DEFAULT".into())),
        (_, v) => v.map(|v| sql_value(opt, v)),
    }
}

/// The key values of the command.
fn key_values(fam: &Family, p: &Parsed) -> Vec<(&'static str, Sql)> {
    fam.keys
        .iter()
        .map(|(opt, col)| (*col, opt_value(p, opt).unwrap_or(Sql::Null)))
        .collect()
}

fn text(v: &Sql) -> String {
    match v {
        Sql::Text(s) => s.clone(),
        Sql::Integer(i) => i.to_string(),
        Sql::Real(f) => f.to_string(),
        _ => String::new(),
    }
}

/// Fills a template: `{opt}` with the option's value, `{found}` with `found`.
fn fill(tpl: &str, p: &Parsed, found: Option<&Sql>) -> String {
    let mut out = String::with_capacity(tpl.len());
    let mut rest = tpl;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after
            .find('}')
            .filter(|e| after[..*e].chars().all(|c| c.is_ascii_lowercase()))
        else {
            out.push('{');
            rest = after;
            continue;
        };
        let word = &after[..end];
        let v = if word == "found" {
            found.cloned()
        } else {
            opt_value(p, word)
        };
        out.push_str(&v.as_ref().map(text).unwrap_or_default());
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn refuse(fail: Fail, msg: String) -> SimError {
    match fail {
        Fail::User => SimError::User(msg),
        Fail::Server => SimError::Cta(msg),
    }
}

/// The first column of the first row `sql` finds, if any.
fn first(tx: &Db, sql: &str, vals: &[Sql]) -> Result<Option<Sql>> {
    tx.query_row(sql, crate::catalogue::params_from_iter(vals.iter()), |r| {
        Ok(r.0.first().cloned().unwrap_or(Sql::Null))
    })
    .optional()
}

/// Runs `checks` in order; the first that fails refuses the command.
fn run_checks(tx: &Db, fam: &Family, p: &Parsed, keys: &[(&str, Sql)], checks: &[Check]) -> Result<()> {
    for c in checks {
        match c {
            Empty(opt, msg) => {
                if matches!(p.opts.get(opt), Some(Value::Str(s)) if s.is_empty()) {
                    return user(fill(msg, p, None));
                }
            }
            Zero(opt, msg) => {
                if p.uint(opt) == Some(0) {
                    return user(fill(msg, p, None));
                }
            }
            Found(sql, args, msg, fail) | Absent(sql, args, msg, fail) => {
                let want_row = matches!(c, Absent(..));
                let (sql, vals) = if sql.is_empty() {
                    let cond: Vec<String> = keys
                        .iter()
                        .enumerate()
                        .map(|(i, (col, _))| format!("{col} = ?{}", i + 1))
                        .collect();
                    (
                        format!("SELECT 1 FROM {} WHERE {}", fam.table, cond.join(" AND ")),
                        keys.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>(),
                    )
                } else {
                    let vals: Vec<Sql> = args.iter().filter_map(|a| opt_value(p, a)).collect();
                    // A reference check is CTA's only when the option names something.
                    let unnamed =
                        |v: &Sql| matches!(v, Sql::Null) || (want_row && matches!(v, Sql::Text(s) if s.is_empty()));
                    if vals.len() < args.len() || vals.iter().any(unnamed) {
                        continue;
                    }
                    ((*sql).to_owned(), vals)
                };
                let found = first(tx, &sql, &vals)?;
                if found.is_some() != want_row {
                    return Err(refuse(*fail, fill(msg, p, found.as_ref())));
                }
            }
            Rule(f) => f(tx, p)?,
        }
    }
    Ok(())
}

/// Runs `cmd add|ch|rm` of a configuration family; returns the `message_txt` (always empty).
pub fn run(tx: &Db, p: &Parsed, who: &Who) -> Result<String> {
    let Some(fam) = family(&p.cmd) else {
        return user(format!("{} {} is not a configuration command", p.cmd, p.sub));
    };
    let keys = key_values(&fam, p);
    let t = i64::try_from(now(tx)?).unwrap_or(i64::MAX);
    match p.sub.as_str() {
        "add" => {
            run_checks(tx, &fam, p, &keys, fam.add)?;
            insert(tx, &fam, p, &keys, who, t)?;
        }
        "ch" => {
            // One catalogue call per given option, in AdminCmd's order; no option, no call.
            for (opt, checks) in fam.ch {
                if opt.is_empty() || p.opts.contains_key(opt) {
                    run_checks(tx, &fam, p, &keys, checks)?;
                }
            }
            if fam.cols.iter().any(|(opt, _)| p.opts.contains_key(opt)) {
                update(tx, &fam, p, &keys, who, t)?;
            }
        }
        _ => {
            run_checks(tx, &fam, p, &keys, fam.rm)?;
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
            vals.push(sql_value(opt, v));
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
            vals.push(sql_value(opt, v));
        }
    }
    // `--disabled false` without a reason clears the reason (AdminCmd::processPhysicalLibrary_Ch).
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

/// `strToArchiveRouteType` (common/dataStructures/ArchiveRouteType.cpp), which
/// `AdminCmd::processArchiveRoute_*` calls before the catalogue.
fn route_type(_: &Db, p: &Parsed) -> Result<()> {
    match opt_value(p, "archiveroutetype") {
        Some(Sql::Text(t)) if t != "DEFAULT" && t != "REPACK" => user(format!(
            "The type given ({t}) does not exist. Possible values are DEFAULT and REPACK."
        )),
        _ => Ok(()),
    }
}

/// `RdbmsArchiveRouteCatalogue::modifyArchiveRouteTapePoolName`: its reasons prefixed with the
/// route; a second route of the class to the same pool breaks the schema's unique constraint.
fn route_tape_pool(tx: &Db, p: &Parsed) -> Result<()> {
    let prefix = fill(storage_class::AR_CH_TP, p, None);
    let sc = opt_value(p, "storageclass").unwrap_or(Sql::Null);
    let nb = opt_value(p, "copynb").unwrap_or(Sql::Null);
    let ty = opt_value(p, "archiveroutetype").unwrap_or(Sql::Null);
    let tp = opt_value(p, "tapepool").unwrap_or(Sql::Null);
    let route =
        "SELECT 1 FROM ARCHIVE_ROUTE WHERE STORAGE_CLASS_NAME = ?1 AND COPY_NB = ?2 AND ARCHIVE_ROUTE_TYPE = ?3";
    if first(tx, route, &[sc.clone(), nb.clone(), ty.clone()])?.is_none() {
        return user(format!("{prefix}Archive route does not exist"));
    }
    if first(tx, TP_EXISTS, std::slice::from_ref(&tp))?.is_none() {
        return user(format!("{prefix}Tape pool does not exist"));
    }
    let other = "SELECT 1 FROM ARCHIVE_ROUTE WHERE STORAGE_CLASS_NAME = ?1 AND TAPE_POOL_NAME = ?2
                 AND NOT (COPY_NB = ?3 AND ARCHIVE_ROUTE_TYPE = ?4)";
    if first(tx, other, &[sc, tp, nb, ty])?.is_some() {
        return Err(SimError::Cta(format!(
            "{prefix}storage class {} already has a route to tape pool {} (unique constraint)",
            p.str("storageclass").unwrap_or_default(),
            p.str("tapepool").unwrap_or_default()
        )));
    }
    Ok(())
}

/// The repack VO, if one is set.
fn repack_vo(tx: &Db) -> Result<Option<String>> {
    tx.query_row(
        "SELECT VIRTUAL_ORGANIZATION_NAME FROM VIRTUAL_ORGANIZATION WHERE IS_REPACK_VO = 1",
        (),
        |r| r.get(0),
    )
    .optional()
}

fn repacks_exist(tx: &Db) -> Result<bool> {
    Ok(first(tx, "SELECT 1 FROM SIM_REPACK", &[])?.is_some())
}

/// The frontend's text when the repack VO would go while repacks exist
/// (AdminCmd::processVirtualOrganization_Ch/_Rm, the same after C++ string concatenation).
const REPACK_VO_BUSY: &str = "Cannot remove default virtual organization for repack while repacks are ongoing.";
/// RdbmsVirtualOrganizationCatalogue::createVirtualOrganization/modifyVirtualOrganizationIsRepackVo.
const REPACK_VO_TAKEN: &str = "There already exists a default VO for repacking";

fn vo_add_repack(tx: &Db, p: &Parsed) -> Result<()> {
    if p.bool("isrepackvo") == Some(true) && repack_vo(tx)?.is_some() {
        return user(REPACK_VO_TAKEN);
    }
    Ok(())
}

/// `vo ch --isrepackvo`: the frontend refuses any `false` while repacks exist (whichever VO);
/// the catalogue does nothing when the flag is already as asked.
fn vo_ch_repack(tx: &Db, p: &Parsed) -> Result<()> {
    let want = p.flag("isrepackvo");
    if !want && repacks_exist(tx)? {
        return user(REPACK_VO_BUSY);
    }
    let name = p.str("vo").unwrap_or_default();
    match repack_vo(tx)? {
        Some(current) if want && current != name => user(REPACK_VO_TAKEN),
        Some(current) if current == name => Ok(()),
        None if !want => Ok(()),
        Some(_) if !want => Ok(()),
        _ => {
            if first(tx, VO_EXISTS, &[Sql::Text(name.to_owned())])?.is_none() {
                return user(fill(virtual_organization::VO_CH_MISSING, p, None));
            }
            Ok(())
        }
    }
}

fn vo_rm_repack(tx: &Db, p: &Parsed) -> Result<()> {
    if repack_vo(tx)?.as_deref() == p.str("vo") && repacks_exist(tx)? {
        return user(REPACK_VO_BUSY);
    }
    Ok(())
}

/// AdminCmd::processMediaType_Add/_Ch bound the options narrower than 64 bits, in this order.
fn media_bounds(_: &Db, p: &Parsed) -> Result<()> {
    if let Some(v) = p.uint("nbwraps").filter(|v| *v > u64::from(u32::MAX)) {
        return user(format!("Number of wraps cannot be larger than {}: value={v}", u32::MAX));
    }
    for (opt, label) in [
        ("primarydensitycode", "Primary density code"),
        ("secondarydensitycode", "Secondary density code"),
    ] {
        if let Some(v) = p.uint(opt).filter(|v| *v > 255) {
            return user(format!("{label} cannot be larger than 255: value={v}"));
        }
    }
    Ok(())
}

/// AdminCmd::processPhysicalLibrary_Ch: disabling needs `--disabledreason` (given, even empty).
fn pl_disabled_reason(_: &Db, p: &Parsed) -> Result<()> {
    if p.bool("disabled") == Some(true) && p.str("disabledreason").is_none() {
        return user(format!(
            "Cannot disable physical library {} because the reason has not been provided",
            p.str("name").unwrap_or_default()
        ));
    }
    Ok(())
}

fn tp_add_supply(tx: &Db, p: &Parsed) -> Result<()> {
    match p.str("supply") {
        Some(s) => check_supply(tx, p.str("name").unwrap_or_default(), s, "create"),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let mut p = Parsed {
            cmd: "archiveroute".into(),
            sub: "add".into(),
            ..Parsed::default()
        };
        p.opts.insert("storageclass", Value::Str("sc".into()));
        p.opts.insert("copynb", Value::Uint(2));
        p.opts.insert("tapepool", Value::Str("tp".into()));
        assert_eq!(
            fill(
                "route : ({storageclass},{copynb},{archiveroutetype})->{tapepool} {found} {x",
                &p,
                Some(&Sql::Text("f".into()))
            ),
            "route : (sc,2,DEFAULT)->tp f {x"
        );
    }
}
