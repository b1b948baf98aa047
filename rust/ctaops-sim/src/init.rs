//! `ctaops sim init`: a fresh instance with a default configuration (design.md, "The simulator").

use std::path::{Path, PathBuf};

use crate::catalogue::{Db, ToValue};
use crate::params;
use ctaops_scsi::library::{Library, LibrarySpec};
use ctaops_tape::label::LbpMethod;
use ctaops_tape::{SimhImage, WriterInfo, label_tape};

use crate::catalogue;
use crate::error::{Result, SimError};
use crate::files;
use crate::instance::{Instance, caller};

/// Synthetic catalogue files per filled tape in `--preset cern-like`: with its ~1,000 filled tapes
/// this gives the catalogue about two million files, the scale at which listing tools are judged.
pub const SYNTHETIC_FILES_PER_TAPE: u32 = 2_000;

/// Instance shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// A few tapes and drives, one library: for tests.
    Small,
    /// 2 physical / 4 logical libraries, 40 drives, 5,000 tapes, synthetic catalogue files.
    CernLike,
}

impl std::str::FromStr for Preset {
    type Err = SimError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "small" => Ok(Self::Small),
            "cern-like" => Ok(Self::CernLike),
            _ => Err(SimError::Usage(format!(
                "unknown preset '{s}' (expected small or cern-like)"
            ))),
        }
    }
}

/// What `init` builds.
#[derive(Debug, Clone)]
pub struct InitOptions {
    pub preset: Preset,
    pub seed: u64,
    pub tapes: Option<u32>,
    pub drives: Option<u16>,
    /// The command the `bin/` wrappers run (argv prefix, e.g. `["/usr/bin/ctaops"]`).
    pub exec_prefix: Vec<String>,
    /// Synthetic catalogue files per full tape for the cern-like preset.
    pub synthetic_files_per_tape: Option<u32>,
    /// A PostgreSQL catalogue (`postgresql://…`) instead of `DIR/catalogue.db`.
    pub catalogue: Option<String>,
}

/// A pool of the layout: (name, VO, share of the tapes in percent, labelled).
type Pool = (&'static str, &'static str, u32, bool);

const POOLS: &[Pool] = &[
    ("ctaops_user", "vo_user", 40, true),
    ("ctaops_repack", "vo_repack", 20, true),
    ("supply", "vo_user", 20, true),
    ("erase", "vo_user", 10, true),
    ("tolabel", "vo_user", 10, false),
];

/// `--preset cern-like`: the same pools plus experiments' pools (several VOs; `atlas_raw` files
/// have their second copy in `atlas_raw_c2`), so listings show more than one VO and storage class.
const CERN_POOLS: &[Pool] = &[
    ("ctaops_user", "vo_user", 20, true),
    ("atlas_raw", "atlas", 12, true),
    ("atlas_raw_c2", "atlas", 8, true),
    ("cms_reco", "cms", 12, true),
    ("lhcb_user", "lhcb", 8, true),
    ("ctaops_repack", "vo_repack", 10, true),
    ("supply", "vo_user", 14, true),
    ("erase", "vo_user", 8, true),
    ("tolabel", "vo_user", 8, false),
];

/// cern-like's experiment VOs: (VO, its disk instance, storage class, copies, pool of each copy).
pub const CERN_VOS: &[(&str, &str, &str, &[&str])] = &[
    ("atlas", "eosatlas", "atlas_raw", &["atlas_raw", "atlas_raw_c2"]),
    ("cms", "eoscms", "cms_reco", &["cms_reco"]),
    ("lhcb", "eoslhcb", "lhcb_user", &["lhcb_user"]),
];

fn pools(preset: Preset) -> &'static [Pool] {
    match preset {
        Preset::Small => POOLS,
        Preset::CernLike => CERN_POOLS,
    }
}

/// Splits `total` tapes over the pools by share: each pool gets at least one while tapes last,
/// the last pool the rest; with fewer tapes than pools the last pools stay empty.
fn allocate(total: u32, layout: &[Pool]) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(layout.len());
    let mut acc = 0u32;
    for (i, p) in layout.iter().enumerate() {
        let left = total - acc;
        let n = if i + 1 == layout.len() {
            left
        } else {
            (total * p.2 / 100).max(1).min(left)
        };
        out.push((acc, acc + n));
        acc += n;
    }
    out
}

pub const MEDIA_TYPE: &str = "LTO9";
pub const STORAGE_CLASS: &str = "ctaops_sc";
pub const MOUNT_POLICY: &str = "ctaops_mp";
pub const DISK_INSTANCE: &str = "eosctaops";

/// Creates the instance in `dir` (which must not hold one already). On failure the catalogue is
/// removed again, so a half-built instance is never mistaken for one.
pub fn init(dir: &Path, opts: &InitOptions) -> Result<Instance> {
    // Every path init writes (bin/ wrappers, cta-ops-config.yaml, cta-cli.conf) must work from
    // any working directory, so a relative DIR is made absolute first.
    let dir = &std::path::absolute(dir)?;
    let inst = Instance { dir: dir.to_path_buf() };
    if inst.catalogue_path().exists() || inst.catalogue_url_path().exists() {
        return Err(SimError::Cta(format!(
            "{} already holds a simulator instance",
            dir.display()
        )));
    }
    if let Some(url) = &opts.catalogue {
        if !(url.starts_with("postgresql://") || url.starts_with("postgres://")) {
            // The value is not echoed: a mistyped URL or a key=value string may hold a password.
            return Err(SimError::Usage(
                "--catalogue must be a postgresql:// URL; without it the catalogue is DIR/catalogue.db".into(),
            ));
        }
        // Reach the server and check the database before anything is written, so a wrong URL
        // leaves nothing behind.
        catalogue::ensure_empty(&catalogue::open_pg(url)?)?;
        files::make_dir(dir, files::DIR)?;
        files::write(&inst.catalogue_url_path(), format!("{url}\n"), files::SECRET)?;
    }
    let out = build(&inst, opts);
    if out.is_err() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.join(format!("catalogue.db{suffix}")));
        }
        let _ = std::fs::remove_file(inst.catalogue_url_path());
    }
    out.map(|()| inst)
}

fn build(inst: &Instance, opts: &InitOptions) -> Result<()> {
    let dir = inst.dir.as_path();
    let (n_tapes, n_drives, n_libs) = match opts.preset {
        Preset::Small => (opts.tapes.unwrap_or(10), opts.drives.unwrap_or(2), 1u16),
        Preset::CernLike => (opts.tapes.unwrap_or(5000), opts.drives.unwrap_or(40), 2u16),
    };
    if n_tapes < 5 {
        return Err(SimError::Usage(
            "--tapes must be at least 5 (one per default pool)".into(),
        ));
    }
    if n_drives == 0 {
        return Err(SimError::Usage("--drives must be at least 1".into()));
    }
    for sub in ["tapes", "library", "bin"] {
        files::make_dir(&dir.join(sub), files::DIR)?;
    }
    let mut conn = inst.connect()?;
    if inst.catalogue_path().exists() {
        // SQLite creates its -wal and -shm files with the database's mode.
        files::set_mode(&inst.catalogue_path(), files::DATA)?;
    }
    catalogue::create(&conn)?;
    let (user, host) = caller();
    let now = catalogue::now(&conn)?;
    let tx = conn.transaction()?;
    let a = Audit {
        user: &user,
        host: &host,
        now,
    };
    configure(&tx, &a, opts.preset)?;
    // Physical libraries: tapes and drives split evenly; each has two logical libraries in cern-like.
    let mut vids: Vec<(String, String)> = Vec::new();
    let mut first_tape = 1u32;
    for l in 0..n_libs {
        let pl = format!("ctaops_lib{}", l + 1);
        let tapes_here = n_tapes / u32::from(n_libs) + u32::from(l == 0) * (n_tapes % u32::from(n_libs));
        let drives_here = n_drives / n_libs + u16::from(l == 0) * (n_drives % n_libs);
        let slots = u16::try_from(tapes_here + 20).map_err(|_| SimError::Usage("too many tapes per library".into()))?;
        let mut spec = LibrarySpec::ts4500(slots, drives_here, 4);
        spec.tapes = tapes_here;
        let mut lib = Library::new(&spec)?;
        // Distinct barcodes across libraries: renumber from first_tape.
        for (i, slot) in lib.slots.iter_mut().enumerate() {
            if let Some(c) = slot.cartridge.as_mut() {
                let n = first_tape + u32::try_from(i).unwrap_or(0);
                *c = ctaops_scsi::library::Cartridge::new(&format!("V{n:05}L9"));
            }
        }
        first_tape += tapes_here;
        lib.save(&inst.library_state(&pl))?;
        files::set_mode(&inst.library_state(&pl), files::DATA)?;
        tx.execute(
            concat!(
                "INSERT INTO PHYSICAL_LIBRARY(PHYSICAL_LIBRARY_NAME, PHYSICAL_LIBRARY_MANUFACTURER, PHYSICAL_LIBRARY_MODEL,",
                " PHYSICAL_LIBRARY_TYPE, PHYSICAL_LOCATION, NB_PHYSICAL_CARTRIDGE_SLOTS, NB_AVAILABLE_CARTRIDGE_SLOTS,",
                " NB_PHYSICAL_DRIVE_SLOTS, STATE_FILE, USER_COMMENT,",
                " CREATION_LOG_USER_NAME, CREATION_LOG_HOST_NAME, CREATION_LOG_TIME, LAST_UPDATE_USER_NAME, LAST_UPDATE_HOST_NAME, LAST_UPDATE_TIME)",
                " VALUES(?1,'IBM','TS4500','SCSI','simulated',?2,?3,?4,?5,'simulated library',?6,?7,?8,?6,?7,?8)"
            ),
            params![pl, slots, slots - u16::try_from(tapes_here).unwrap_or(0), drives_here, format!("library/{pl}.json"), a.user, a.host, a.now],
        )?;
        let lls: Vec<String> = if opts.preset == Preset::CernLike {
            vec![format!("{pl}_lto9"), format!("{pl}_lto9b")]
        } else {
            vec![pl.clone()]
        };
        for ll in &lls {
            tx.execute(
                concat!(
                    "INSERT INTO LOGICAL_LIBRARY(LOGICAL_LIBRARY_NAME, PHYSICAL_LIBRARY_NAME, USER_COMMENT,",
                    " CREATION_LOG_USER_NAME, CREATION_LOG_HOST_NAME, CREATION_LOG_TIME, LAST_UPDATE_USER_NAME, LAST_UPDATE_HOST_NAME, LAST_UPDATE_TIME)",
                    " VALUES(?1,?2,'simulated',?3,?4,?5,?3,?4,?5)"
                ),
                params![ll, pl, a.user, a.host, a.now],
            )?;
        }
        for (i, d) in lib.drives.iter().enumerate() {
            let ll = &lls[i % lls.len()];
            tx.execute(
                concat!(
                    "INSERT INTO SIM_DRIVE(DRIVE_NAME, LOGICAL_LIBRARY_NAME, HOST, ELEMENT_ADDRESS, STATUS_SINCE, DEV_FILE_NAME, LAST_UPDATE)",
                    " VALUES(?1,?2,?3,?4,?5,?6,?5)"
                ),
                params![format!("{}{:02}", drive_prefix(&pl), i + 1), ll, format!("tpsrv{:03}", l * 100 + u16::try_from(i).unwrap_or(0) + 1), d.address, a.now, format!("/dev/nst{i}")],
            )?;
        }
        for (i, slot) in lib.slots.iter().enumerate() {
            if let Some(c) = &slot.cartridge {
                vids.push((c.vid().to_owned(), lls[i % lls.len()].clone()));
            }
        }
    }
    // The drives each tape daemon serves (what `drive rm` cannot remove: scheduler::taped).
    tx.execute(crate::scheduler::taped::REGISTER_ALL, ())?;
    // Tapes: pools by share, in VID order.
    let total = u32::try_from(vids.len()).unwrap_or(u32::MAX);
    let layout = pools(opts.preset);
    let bounds: Vec<(u32, u32, &Pool)> = allocate(total, layout)
        .into_iter()
        .zip(layout)
        .map(|((lo, hi), p)| (lo, hi, p))
        .collect();
    let info = WriterInfo::default();
    let mut stmt = tx.prepare(concat!(
        "INSERT INTO TAPE(VID, MEDIA_TYPE_NAME, VENDOR, LOGICAL_LIBRARY_NAME, TAPE_POOL_NAME, LABEL_DRIVE, LABEL_TIME, DIRTY,",
        " TAPE_STATE, STATE_UPDATE_TIME, STATE_MODIFIED_BY,",
        " CREATION_LOG_USER_NAME, CREATION_LOG_HOST_NAME, CREATION_LOG_TIME, LAST_UPDATE_USER_NAME, LAST_UPDATE_HOST_NAME, LAST_UPDATE_TIME)",
        " VALUES(?1,?2,'FUJIFILM',?3,?4,?5,?6,0,'ACTIVE',?7,?8,?9,?10,?7,?9,?10,?7)"
    ))?;
    let modified_by = format!("{user}@{host}");
    for (i, (vid, ll)) in vids.iter().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        let Some(&(_, _, &(pool, _, _, labelled))) = bounds.iter().find(|b| i >= b.0 && i < b.1) else {
            continue;
        };
        let path = inst.image(vid);
        let mut dev = SimhImage::open_or_create(&path)?;
        files::set_mode(&path, files::DATA)?;
        dev.set_sync(false);
        if labelled {
            label_tape(&mut dev, vid, LbpMethod::None, &info)?;
        }
        let (ldrive, ltime) = if labelled {
            (Some("ctaops-label"), Some(now))
        } else {
            (None, None)
        };
        stmt.execute(params![
            vid,
            MEDIA_TYPE,
            ll,
            pool,
            ldrive,
            ltime,
            a.now,
            modified_by,
            a.user,
            a.host
        ])?;
    }
    drop(stmt);
    tx.execute("INSERT INTO SIM_CLOCK(NOW, SPEED) VALUES(?1, 1.0)", params![a.now])?;
    if opts.preset == Preset::CernLike {
        crate::synthetic::populate(
            &tx,
            opts.seed,
            opts.synthetic_files_per_tape.unwrap_or(SYNTHETIC_FILES_PER_TAPE),
            a.now,
        )?;
    }
    tx.commit()?;
    write_bin(inst, &opts.exec_prefix)?;
    crate::serve::write_files(inst)?;
    crate::eos::keytab::update(inst, None)?;
    crate::lab::setup(inst)
}

fn drive_prefix(pl: &str) -> String {
    format!("{}-LTO9-D", pl.to_uppercase().replace('_', ""))
}

/// Audit stamp for inserted rows.
pub struct Audit<'a> {
    pub user: &'a str,
    pub host: &'a str,
    pub now: u64,
}

fn configure(tx: &Db, a: &Audit<'_>, preset: Preset) -> Result<()> {
    let au = "CREATION_LOG_USER_NAME, CREATION_LOG_HOST_NAME, CREATION_LOG_TIME, LAST_UPDATE_USER_NAME, LAST_UPDATE_HOST_NAME, LAST_UPDATE_TIME";
    let av = "?1,?2,?3,?1,?2,?3";
    let ins = |table: &str, cols: &str, vals: &str, extra: &[&dyn ToValue]| -> Result<()> {
        let sql = format!("INSERT INTO {table}({au}, {cols}) VALUES({av}, {vals})");
        let mut p: Vec<&dyn ToValue> = vec![&a.user, &a.host, &a.now];
        p.extend_from_slice(extra);
        tx.execute(&sql, p.as_slice())?;
        Ok(())
    };
    ins(
        "ADMIN_USER",
        "ADMIN_USER_NAME, USER_COMMENT",
        "?4, 'created by ctaops sim init'",
        &[&a.user],
    )?;
    ins(
        "DISK_INSTANCE",
        "DISK_INSTANCE_NAME, USER_COMMENT",
        "?4, 'simulated EOS'",
        &[&DISK_INSTANCE],
    )?;
    ins(
        "VIRTUAL_ORGANIZATION",
        "VIRTUAL_ORGANIZATION_NAME, READ_MAX_DRIVES, WRITE_MAX_DRIVES, MAX_FILE_SIZE, DISK_INSTANCE_NAME, IS_REPACK_VO, USER_COMMENT",
        "'vo_user', 10, 10, 0, ?4, NULL, 'user VO'",
        &[&DISK_INSTANCE],
    )?;
    ins(
        "VIRTUAL_ORGANIZATION",
        "VIRTUAL_ORGANIZATION_NAME, READ_MAX_DRIVES, WRITE_MAX_DRIVES, MAX_FILE_SIZE, DISK_INSTANCE_NAME, IS_REPACK_VO, USER_COMMENT",
        "'vo_repack', 10, 10, 0, ?4, 1, 'repack VO'",
        &[&DISK_INSTANCE],
    )?;
    ins(
        "MEDIA_TYPE",
        "MEDIA_TYPE_NAME, CARTRIDGE, CAPACITY_IN_BYTES, PRIMARY_DENSITY_CODE, SECONDARY_DENSITY_CODE, NB_WRAPS, MIN_LPOS, MAX_LPOS, USER_COMMENT",
        "?4, 'LTO-9', 18000000000000, 96, NULL, 280, 2696, 171097, 'LTO-9 18 TB'",
        &[&MEDIA_TYPE],
    )?;
    ins(
        "MEDIA_TYPE",
        "MEDIA_TYPE_NAME, CARTRIDGE, CAPACITY_IN_BYTES, PRIMARY_DENSITY_CODE, SECONDARY_DENSITY_CODE, NB_WRAPS, MIN_LPOS, MAX_LPOS, USER_COMMENT",
        "'3592JE', '3592', 20000000000000, 85, NULL, NULL, NULL, NULL, 'IBM 3592 JE 20 TB'",
        &[],
    )?;
    if preset == Preset::CernLike {
        for (vo, instance, _, _) in CERN_VOS {
            ins(
                "DISK_INSTANCE",
                "DISK_INSTANCE_NAME, USER_COMMENT",
                "?4, 'simulated EOS'",
                &[instance],
            )?;
            ins(
                "VIRTUAL_ORGANIZATION",
                "VIRTUAL_ORGANIZATION_NAME, READ_MAX_DRIVES, WRITE_MAX_DRIVES, MAX_FILE_SIZE, DISK_INSTANCE_NAME, IS_REPACK_VO, USER_COMMENT",
                "?4, 6, 4, 0, ?5, NULL, 'experiment VO'",
                &[vo, instance],
            )?;
        }
    }
    for (pool, vo, _, _) in pools(preset) {
        ins(
            "TAPE_POOL",
            "TAPE_POOL_NAME, VIRTUAL_ORGANIZATION_NAME, NB_PARTIAL_TAPES, IS_ENCRYPTED, USER_COMMENT",
            "?4, ?5, 2, 0, 'default pool'",
            &[pool, vo],
        )?;
    }
    for dest in ["ctaops_user", "ctaops_repack"] {
        tx.execute("INSERT INTO TAPE_POOL_SUPPLY VALUES('supply', ?1)", [dest])?;
    }
    ins(
        "STORAGE_CLASS",
        "STORAGE_CLASS_NAME, NB_COPIES, VIRTUAL_ORGANIZATION_NAME, USER_COMMENT",
        "?4, 1, 'vo_user', 'one copy'",
        &[&STORAGE_CLASS],
    )?;
    ins(
        "ARCHIVE_ROUTE",
        "STORAGE_CLASS_NAME, COPY_NB, ARCHIVE_ROUTE_TYPE, TAPE_POOL_NAME, USER_COMMENT",
        "?4, 1, 'DEFAULT', 'ctaops_user', 'default route'",
        &[&STORAGE_CLASS],
    )?;
    ins(
        "ARCHIVE_ROUTE",
        "STORAGE_CLASS_NAME, COPY_NB, ARCHIVE_ROUTE_TYPE, TAPE_POOL_NAME, USER_COMMENT",
        "?4, 1, 'REPACK', 'ctaops_repack', 'repack route'",
        &[&STORAGE_CLASS],
    )?;
    if preset == Preset::CernLike {
        for (_, instance, sc, copies) in CERN_VOS {
            let vo = sc.split('_').next().unwrap_or(sc);
            let n = i64::try_from(copies.len()).unwrap_or(1);
            ins(
                "STORAGE_CLASS",
                "STORAGE_CLASS_NAME, NB_COPIES, VIRTUAL_ORGANIZATION_NAME, USER_COMMENT",
                "?4, ?5, ?6, 'experiment data'",
                &[sc, &n, &vo],
            )?;
            for (i, pool) in copies.iter().enumerate() {
                let copy = i64::try_from(i + 1).unwrap_or(1);
                ins(
                    "ARCHIVE_ROUTE",
                    "STORAGE_CLASS_NAME, COPY_NB, ARCHIVE_ROUTE_TYPE, TAPE_POOL_NAME, USER_COMMENT",
                    "?4, ?5, 'DEFAULT', ?6, 'experiment route'",
                    &[sc, &copy, pool],
                )?;
            }
            ins(
                "REQUESTER_GROUP_MOUNT_RULE",
                "DISK_INSTANCE_NAME, REQUESTER_GROUP_NAME, MOUNT_POLICY_NAME, USER_COMMENT",
                "?4, 'cta', ?5, 'default'",
                &[instance, &MOUNT_POLICY],
            )?;
        }
    }
    for (mp, prio) in [(MOUNT_POLICY, 1), ("repack", 2)] {
        ins(
            "MOUNT_POLICY",
            "MOUNT_POLICY_NAME, ARCHIVE_PRIORITY, ARCHIVE_MIN_REQUEST_AGE, RETRIEVE_PRIORITY, RETRIEVE_MIN_REQUEST_AGE, USER_COMMENT",
            "?4, ?5, 0, ?5, 0, 'simulator policy'",
            &[&mp, &prio],
        )?;
    }
    ins(
        "REQUESTER_GROUP_MOUNT_RULE",
        "DISK_INSTANCE_NAME, REQUESTER_GROUP_NAME, MOUNT_POLICY_NAME, USER_COMMENT",
        "?4, 'cta', ?5, 'default'",
        &[&DISK_INSTANCE, &MOUNT_POLICY],
    )?;
    Ok(())
}

fn write_bin(inst: &Instance, prefix: &[String]) -> Result<()> {
    let quoted: Vec<String> = prefix.iter().map(|p| shell_quote(p)).collect();
    let exe = quoted.join(" ");
    let dir = shell_quote(&inst.dir.to_string_lossy());
    let tools: &[(&str, String)] = &[
        (
            "cta-admin",
            format!("exec {exe} sim cta-admin --instance {dir} -- \"$@\"\n"),
        ),
        (
            "cta-admin-grpc",
            format!("exec {exe} sim cta-admin-grpc --instance {dir} -- \"$@\"\n"),
        ),
        (
            "cta-verify-file",
            format!("exec {exe} sim verify-file --instance {dir} -- \"$@\"\n"),
        ),
        (
            "cta-tape-label",
            format!("exec {exe} sim tool tape-label --instance {dir} -- \"$@\"\n"),
        ),
        (
            "cta-readtp",
            format!("exec {exe} sim tool readtp --instance {dir} -- \"$@\"\n"),
        ),
        (
            "cta-statistics-update",
            format!("exec {exe} sim tool statistics-update --instance {dir} -- \"$@\"\n"),
        ),
        (
            "cta-smc",
            format!("exec {exe} smc --library-state {dir}/library/ctaops_lib1.json \"$@\"\n"),
        ),
    ];
    for (name, body) in tools {
        let path: PathBuf = inst.dir.join("bin").join(name);
        let mut text =
            String::from("#!/bin/sh\n# generated by ctaops sim init: runs the simulator in place of the real tool\n");
        text.push_str(body);
        files::write(&path, text, files::SCRIPT)?;
    }
    Ok(())
}

pub(crate) fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tape_gets_a_pool_and_small_counts_fill_the_first_pools() {
        for layout in [POOLS, CERN_POOLS] {
            for total in [5, 7, 60, 5000] {
                let b = allocate(total, layout);
                assert_eq!(b.last().map(|r| r.1), Some(total));
                assert!(b.windows(2).all(|w| w[0].1 == w[1].0));
            }
        }
        // cern-like with 5 tapes: one each for the first five pools, none for the others.
        let b = allocate(5, CERN_POOLS);
        assert!(b[..5].iter().all(|(lo, hi)| hi - lo == 1));
        assert!(b[5..].iter().all(|(lo, hi)| lo == hi));
    }
}
