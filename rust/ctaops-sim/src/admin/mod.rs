//! `cta-admin` against the simulator: parse as the client does, check the caller is an admin,
//! run the command in one transaction, and print/exit as cta-admin does (§1.5).

pub mod change;
pub mod config;
pub mod files;
pub mod ls;
pub mod out;
pub mod parse;
pub mod recycle;

use std::io::Write;

use crate::catalogue::{Db, OptionalExtension};

use crate::catalogue;
use crate::error::{Result, SimError};
use crate::instance::{Instance, caller};
use out::Out;
use parse::Parsed;

/// Runs one cta-admin command line (without the program name) and returns its exit status.
pub fn main(inst_dir: &std::path::Path, args: &[String], stdout: &mut dyn Write, stderr: &mut dyn Write) -> u8 {
    let parsed = match parse::parse(args) {
        Ok(p) => p,
        Err(e) => {
            let _ = writeln!(stderr, "{e}");
            return 1;
        }
    };
    match execute(inst_dir, &parsed, stdout) {
        Ok(()) => 0,
        Err(e) => {
            if matches!(e, SimError::User(_)) && parsed.json {
                let _ = stdout.write_all(b"[]\n");
            }
            let _ = writeln!(stderr, "{e}");
            let _ = stdout.flush();
            e.exit_code()
        }
    }
}

fn execute(inst_dir: &std::path::Path, p: &Parsed, stdout: &mut dyn Write) -> Result<()> {
    execute_as(inst_dir, p, caller(), stdout, None)
}

/// Runs a parsed command as `who` (user, host). With a `sink`, listings hand their typed
/// records to it instead of printing them (the gRPC server: one implementation, two transports).
pub fn execute_as(
    inst_dir: &std::path::Path,
    p: &Parsed,
    (user, host): (String, String),
    stdout: &mut dyn Write,
    sink: Option<out::Sink<'_>>,
) -> Result<()> {
    let inst = Instance::open(inst_dir)?;
    let mut conn = inst.connect()?;
    injected_failure(&mut conn)?;
    let is_admin: Option<i64> = conn
        .query_row("SELECT 1 FROM ADMIN_USER WHERE ADMIN_USER_NAME = ?1", [&user], |r| {
            r.get(0)
        })
        .optional()?;
    if is_admin.is_none() {
        // Scheduler::authorizeAdmin.
        return Err(SimError::User(format!(
            "User: {user} on host: {host} is not authorized to execute CTA admin commands"
        )));
    }
    let name = inst.name();
    let streaming = p.sub == "ls" || p.cmd == "showqueues";
    if streaming {
        // A read transaction gives one consistent snapshot even while the scheduler writes.
        let tx = conn.transaction()?;
        let mut buf = std::io::BufWriter::with_capacity(1 << 16, stdout);
        let mut out = match sink {
            Some(s) => Out::with_sink(&mut buf, s),
            None => Out::new(&mut buf, p.framing()),
        };
        ls::run(&tx, p, &name, &mut out)?;
        out.finish()?;
        buf.flush()?;
        drop(buf);
        tx.commit()?;
        return Ok(());
    }
    if p.cmd == "version" {
        return version(&conn, &name, p, stdout, sink);
    }
    let who = change::Who { user, host };
    let msg = catalogue::write_tx(&mut conn, |tx| change::run(tx, p, &who, &name))?;
    stdout.write_all(msg.as_bytes())?;
    if p.json {
        stdout.write_all(b"[]\n")?;
    }
    Ok(())
}

/// `ctaops sim fault DIR admin-fail --count N --message M`: the next N calls fail with M.
fn injected_failure(conn: &mut Db) -> Result<()> {
    let hit = catalogue::write_tx(conn, |tx| {
        let f: Option<(i64, String, String)> = tx
            .query_row(
                "SELECT rowid, MESSAGE, TARGET FROM SIM_FAULT WHERE KIND = 'admin-fail' AND COUNT > 0 LIMIT 1",
                (),
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        if let Some((id, _, _)) = &f {
            tx.execute("UPDATE SIM_FAULT SET COUNT = COUNT - 1 WHERE rowid = ?1", [id])?;
        }
        Ok(f)
    })?;
    match hit {
        Some((_, msg, kind)) if kind == "user" => Err(SimError::User(msg)),
        Some((_, msg, _)) => Err(SimError::Cta(msg)),
        None => Ok(()),
    }
}

fn version(conn: &Db, name: &str, p: &Parsed, stdout: &mut dyn Write, sink: Option<out::Sink<'_>>) -> Result<()> {
    use ctaops_core::admin::version::{Version, VersionInfo};
    // The release whose command line the simulator implements (cta-interfaces §1.3 is CTA HEAD
    // after 5.11.20.0), so clients adapt nothing (ctaops_core::admin::compat); then our version.
    let v = format!("5.11.20.0-ctaops-sim-{}", ctaops_core::VERSION);
    let schema: String = conn.query_row(
        "SELECT SCHEMA_VERSION_MAJOR || '.' || SCHEMA_VERSION_MINOR FROM CTA_CATALOGUE",
        (),
        |r| r.get(0),
    )?;
    let info = || VersionInfo {
        cta_version: v.clone(),
        xrootd_ssi_protobuf_interface_version: "v1.x".into(),
        extra: Default::default(),
    };
    let rec = Version {
        client_version: Some(info()),
        server_version: Some(info()),
        catalogue_connection_string: "sqlite:catalogue.db".into(),
        catalogue_version: schema,
        is_upgrading: false,
        scheduler_backend_name: "ctaops-sim".into(),
        instance_name: name.to_owned(),
        extra: Default::default(),
    };
    let mut out = match sink {
        Some(s) => Out::with_sink(stdout, s),
        None => Out::new(stdout, p.framing()),
    };
    out.header(&[
        "CTA Admin",
        "Client xrd-ssi-protobuf",
        "CTA Frontend",
        "Server xrd-ssi-protobuf",
        "Catalogue Schema",
        "DB Db String",
        "Instance Name",
        "Status",
        "Scheduler Backend Name",
    ]);
    out.emit(&rec, |r| {
        vec![
            v.clone(),
            "v1.x".into(),
            v.clone(),
            "v1.x".into(),
            r.catalogue_version.clone(),
            r.catalogue_connection_string.clone(),
            name.to_owned(),
            "PRODUCTION".into(),
            r.scheduler_backend_name.clone(),
        ]
    })?;
    out.finish()?;
    Ok(())
}
