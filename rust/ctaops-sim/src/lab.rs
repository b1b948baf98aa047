//! The ops lab `sim init` sets up beside the instance, so every ops tool runs against it with
//! `-C DIR/cta-ops-config.yaml` and nothing else (issue 16, "a lab with no manual step"):
//!
//! * every path-valued key the tools read (logs, ATRESYS database and outputs, verification
//!   state, Prometheus textfiles, lock files, drive facts, library exports) points under `DIR/`,
//!   never at `/var/lib`, `/var/log`, `/etc` or `/tmp` defaults;
//! * the pools and mount policies ATRESYS and the verification feeder name in that config are
//!   created through the simulator's own cta-admin (`admin::main`), as an operator would;
//! * the first library's drive export (`library_drive_config/`) lets
//!   `cta-ops-drive-config-generate` name the drives, and `bin/sendmail` files mail under
//!   `DIR/mail/` instead of sending it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ctaops_scsi::library::Library;

use crate::catalogue::Db;
use crate::error::{Result, SimError};
use crate::files;
use crate::instance::Instance;

/// The pool ATRESYS parks repacked tapes in (its `quarantine_pool`, upstream's default name).
pub const QUARANTINE_POOL: &str = "quarantine";
/// Mount policies named by ATRESYS's default priorities and the verification feeder.
const MOUNT_POLICIES: &[(&str, u32)] = &[
    ("repack_low_priority", 2),
    ("repack_high_priority", 3),
    ("verification", 1),
];
/// Destination-pool prefixes of ATRESYS's default priorities (`default_dst_pool_prefix`).
const DST_PREFIXES: &[&str] = &["tolabel", "erase"];
/// Directories the config names, made at init so a tool's first run finds them.
const DIRS: &[&str] = &[
    "log/repack",
    "log/verification",
    "verification/state",
    "atresys",
    "metrics",
    "run",
    "mail",
    "library_drive_config",
];

/// What the config is generated from: the catalogue's libraries and drives.
struct Layout {
    /// (logical library, physical library)
    logical: Vec<(String, String)>,
    /// (drive name, logical library)
    drives: Vec<(String, String)>,
}

fn layout(db: &Db) -> Result<Layout> {
    let logical = db
        .prepare(
            "SELECT LOGICAL_LIBRARY_NAME, PHYSICAL_LIBRARY_NAME FROM LOGICAL_LIBRARY ORDER BY LOGICAL_LIBRARY_NAME",
        )?
        .query_map((), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<(String, String)>>>()?;
    let drives = db
        .prepare("SELECT DRIVE_NAME, LOGICAL_LIBRARY_NAME FROM SIM_DRIVE ORDER BY DRIVE_NAME")?
        .query_map((), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<Vec<(String, String)>>>()?;
    Ok(Layout { logical, drives })
}

/// `lib_to_pool_map` suffix of a logical library: `ctaops_lib1` → `_LIB1`,
/// `ctaops_lib2_lto9b` → `_LIB2LTO9B` (CERN's suffixes name the library the same way: `_IBM1L8`).
#[must_use]
pub fn pool_suffix(logical_library: &str) -> String {
    let short = logical_library.strip_prefix("ctaops_").unwrap_or(logical_library);
    format!("_{}", short.replace('_', "").to_uppercase())
}

/// The name CERN's drive naming gives a physical library (`ctaops_lib1` → `CTAOPSLIB1`): the
/// library name in its export and the root of its drives' names.
#[must_use]
pub fn library_label(physical_library: &str) -> String {
    physical_library.to_uppercase().replace('_', "")
}

/// Sets the lab up in an instance whose catalogue, libraries and `bin/` already exist.
pub fn setup(inst: &Instance) -> Result<()> {
    let lay = layout(&inst.connect()?)?;
    for d in DIRS {
        files::make_dir(&inst.dir.join(d), files::DIR)?;
    }
    create_cta_objects(inst, &lay)?;
    write_drive_export(inst, &lay)?;
    write_sendmail(inst)?;
    write_config(inst, &lay)
}

/// One cta-admin command through the simulator's own front door; its refusal fails the init.
fn cta_admin(inst: &Instance, words: &[&str]) -> Result<()> {
    let args: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    if crate::admin::main(&inst.dir, &args, &mut out, &mut err) != 0 {
        return Err(SimError::Cta(format!(
            "sim init: cta-admin {}: {}",
            words.join(" "),
            String::from_utf8_lossy(&err).trim()
        )));
    }
    Ok(())
}

fn create_cta_objects(inst: &Instance, lay: &Layout) -> Result<()> {
    let comment = "created by ctaops sim init for the ops tools";
    let mut pools = vec![QUARANTINE_POOL.to_owned()];
    for (ll, _) in &lay.logical {
        for prefix in DST_PREFIXES {
            pools.push(format!("{prefix}{}", pool_suffix(ll)));
        }
    }
    for pool in &pools {
        cta_admin(
            inst,
            &[
                "tapepool",
                "add",
                "--name",
                pool,
                "--vo",
                "vo_user",
                "--partialtapesnumber",
                "0",
                "--comment",
                comment,
            ],
        )?;
    }
    for (mp, prio) in MOUNT_POLICIES {
        let prio = prio.to_string();
        cta_admin(
            inst,
            &[
                "mountpolicy",
                "add",
                "--name",
                mp,
                "--archivepriority",
                &prio,
                "--minarchiverequestage",
                "0",
                "--retrievepriority",
                &prio,
                "--minretrieverequestage",
                "0",
                "--comment",
                comment,
            ],
        )?;
    }
    Ok(())
}

/// A TS4500 configuration export of the first physical library (the one
/// `tools.ctaops-smc.library_state` names): drive serials and their frame/column/row.
fn write_drive_export(inst: &Instance, lay: &Layout) -> Result<()> {
    let Some((_, pl)) = lay.logical.first() else {
        return Ok(());
    };
    let lib = Library::load(&inst.library_state(pl))?;
    let drives: Vec<serde_json::Value> = lib
        .drives
        .iter()
        .enumerate()
        .map(|(i, d)| {
            // 12 drives a frame, 4 columns of 3 rows, as a TS4500 frame holds them.
            let (frame, col, row) = (i / 12 + 1, (i % 12) / 3 + 1, i % 3 + 1);
            serde_json::json!({
                "serialNumber": d.serial,
                "location": format!("F{frame}C{col}R{row}"),
                "type": d.product,
            })
        })
        .collect();
    let name = library_label(pl);
    let doc = serde_json::json!({"library": {"name": name, "serialNumber": lib.serial}, "drives": drives});
    let path = inst.dir.join("library_drive_config").join(format!("{name}.json"));
    files::write(&path, serde_json::to_string_pretty(&doc)? + "\n", files::DATA)
}

/// `bin/sendmail`: appends each message (with its arguments) to `DIR/mail/outbox`.
fn write_sendmail(inst: &Instance) -> Result<()> {
    let outbox = inst.dir.join("mail").join("outbox");
    let body = format!(
        "#!/bin/sh\n# generated by ctaops sim init: files mail under the instance instead of sending it\n\
         {{ echo \"From ctaops-sim $(date -u '+%a %b %e %H:%M:%S %Y')\"; echo \"X-Sendmail-Args: $*\"; cat; echo; }} >> {}\n",
        crate::init::shell_quote(&outbox.to_string_lossy())
    );
    let path = inst.dir.join("bin").join("sendmail");
    files::write(&path, body, files::SCRIPT)
}

/// A YAML double-quoted scalar (JSON's escaping is valid YAML).
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("'{s}'"))
}

fn write_config(inst: &Instance, lay: &Layout) -> Result<()> {
    let p = |rel: &str| q(&inst.dir.join(rel).to_string_lossy());
    let b = |name: &str| q(&inst.dir.join("bin").join(name).to_string_lossy());
    let bin = |name: &str| inst.dir.join("bin").join(name).to_string_lossy().into_owned();
    let stats = q(&bin("cta-statistics-update"));
    let (user, _) = crate::instance::caller();
    let mut y = String::from(
        "# generated by ctaops sim init: points every ops tool at this simulator instance.\n\
         # Every file a tool reads or writes is under this directory (docs/simulator.md, \"The ops config\").\n",
    );
    let _ = write!(
        y,
        "global:\n  logging:\n    log_dir: {log}\n    error_translation_file: ''\n\
         \x20 default_user:\n    name: {user}\n    group: tape\n    sss_keytab_file: ''  # the simulator needs none\n\
         \x20 email:\n    recipients: ['tape-ops@localhost']\n    sender: 'cta-ops@localhost'\n\
         \x20 metrics:\n    textfile_dir: {metrics}\n\
         \x20 binaries:\n    sendmail: {sendmail}\n    cta-admin: {admin}\n    cta_smc: {smc}\n    cta_label: {label}\n\
         \x20   cta_verify_file_cmd: {verify}\n",
        log = p("log/"),
        metrics = p("metrics/"),
        user = q(&user),
        sendmail = b("sendmail"),
        admin = b("cta-admin"),
        smc = b("cta-smc"),
        label = b("cta-tape-label"),
        verify = q(&format!("{} --id", bin("cta-verify-file"))),
    );
    let _ = write!(
        y,
        "  tape:\n    cta-admin_config: {conf}\n    drive_facts: {facts}\n    drive_facts_file_path: {facts}\n\
         \x20   pool_prefixes_ok_for_labeling: ['tolabel', 'erase', 'test_']\n\
         \x20   tape_drive_types:\n      - {{name: 'ULT3580-TD9', model: 'LTO9'}}\n    lib_to_pool_map:\n",
        conf = q(&crate::serve::cta_cli_conf(inst).to_string_lossy()),
        facts = p("drive_facts.json"),
    );
    for (ll, _) in &lay.logical {
        let _ = writeln!(y, "      {}: {{LTO9: {}}}", q(ll), q(&pool_suffix(ll)));
    }
    // Drive roots (`CTAOPSLIB1-LTO9`) name a physical library's first logical library; where a
    // library is split (cern-like), each drive's full name is listed too (the longest key wins).
    y.push_str("    drive_to_lib_map:\n      separator: '-'\n");
    let mut roots: BTreeMap<String, &str> = BTreeMap::new();
    for (ll, pl) in &lay.logical {
        roots
            .entry(format!("{}-LTO9", library_label(pl)))
            .or_insert(ll.as_str());
    }
    for (root, ll) in &roots {
        let _ = writeln!(y, "      {}: {}", q(root), q(ll));
    }
    if lay.logical.len() > roots.len() {
        for (drive, ll) in &lay.drives {
            let _ = writeln!(y, "      {}: {}", q(drive), q(ll));
        }
    }
    let first_pl = lay.logical.first().map_or("ctaops_lib1", |(_, pl)| pl.as_str());
    let _ = write!(
        y,
        "tools:\n  ctaops-smc:\n    library_state: {state}\n\
         \x20 cta-ops-admin:\n    tape-label:\n      lock_file: {lock}\n\
         \x20   tape-location:\n      cta_statistics_update_cmd: {stats}\n\
         \x20   tape-unmount:\n      cta_statistics_update_cmd: {stats}\n\
         \x20   tape-summary:\n      default_file_path: {summary}\n      cta_statistics_update_cmd: {stats}\n\
         \x20   tape-drivetest:\n      default_file_path: {drivetest}\n",
        state = q(&inst.library_state(first_pl).to_string_lossy()),
        lock = p("run/tape-label.lock"),
        summary = p("run/tape-summary/"),
        drivetest = p("run/tape-drivetest/"),
    );
    let _ = write!(
        y,
        "  cta-ops-repack-automation:\n    logging:\n      log_dir: {log}\n\
         \x20   database:\n      backend: sqlite\n      path: {db}\n      repack_table_name: REPACK_STATUS\n\
         \x20   # ATRESYS's quarantine is wall-clock days a lab cannot wait; CTA's own recycle-log\n\
         \x20   # quarantine (simulated time, `sim run --speed`) still holds reclaim back.\n\
         \x20   quarantine_days: 0\n\
         \x20   quarantine_pool: {quarantine}\n\
         \x20   cta-ops-repack-0-scan:\n      ignore_pools: [{quarantine}]\n\
         \x20   cta-ops-repack-2-start:\n      existing_files_on_tape: {tf}\n\
         \x20   cta-ops-repack-3-end:\n      repack-end-json-path: {end}\n\
         \x20   cta-ops-repack-monitor:\n      ls_out: {ls}\n      prometheus_out: {prom}\n",
        log = p("log/repack/"),
        db = p("atresys/atresys.sqlite"),
        quarantine = q(QUARANTINE_POOL),
        tf = p("log/repack/repack-tapefile-$DATE-$TAPE.txt"),
        end = p("log/repack/cta-ops-repack-end-json.log"),
        ls = p("log/repack/cta-ops-repack-automation-json.log"),
        prom = p("metrics/atresys.prom"),
    );
    let _ = write!(
        y,
        "  cta-ops-tape-verify:\n    logging:\n      log_dir: {log}\n    state_dir: {state}\n\
         \x20   cta-ops-verification-feeder:\n      verification_mount_policy: verification\n\
         \x20 cta-ops-drive-config-generate:\n    library_config_dir: {export}\n\
         \x20 cta-ops-drive-environmentals:\n    output_file: {env}\n\
         \x20 cta-ops-pool-supply:\n    metrics_file: {supply}\n\
         \x20 cta-ops-eos:\n    cta-ops-get-path-from-eos:\n      rest_key_tab: {keytab}\n\
         \x20   cta-ops-change-storage-class:\n      state_dir: {eos_state}\n",
        log = p("log/verification/"),
        state = p("verification/state"),
        export = p("library_drive_config"),
        env = p("metrics/drive-environmentals.json"),
        supply = p("metrics/pool-supply.prom"),
        keytab = p("eos.rest.keytab.yaml"),
        eos_state = p("log/eos/state"),
    );
    // An InfluxDB of the operator's on the default port: the daily source the collector fills, the
    // destination of the aggregates and the import database are three databases of it.
    y.push_str("  cta-ops-data-monitoring:\n");
    for (side, db) in [
        ("src", "ctaops_taped"),
        ("dst", "ctaops_datamon"),
        ("import", "ctaops_import"),
    ] {
        let _ = write!(
            y,
            "    {side}_influxdb_host: 127.0.0.1\n    {side}_influxdb_port: 8086\n\
             \x20   {side}_influxdb_database: {db}\n    {side}_influxdb_username: ctaops\n\
             \x20   {side}_influxdb_password: ctaops\n    {side}_influxdb_client_timeout: 30\n"
        );
    }
    files::write(&inst.dir.join("cta-ops-config.yaml"), y, files::DATA)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_and_labels_name_the_library() {
        assert_eq!(pool_suffix("ctaops_lib1"), "_LIB1");
        assert_eq!(pool_suffix("ctaops_lib2_lto9b"), "_LIB2LTO9B");
        assert_eq!(library_label("ctaops_lib1"), "CTAOPSLIB1");
    }
}
