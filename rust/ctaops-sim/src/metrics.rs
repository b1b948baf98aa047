//! The simulator's Prometheus metrics: computed from the instance on each scrape (text
//! exposition format), plus the EOS request counter the HTTPS namespace keeps.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use ctaops_core::admin::enums::DriveStatus;

use crate::catalogue::Db;
use crate::error::Result;

/// Requests the EOS interface answered, by (disk instance, HTTP status).
#[derive(Debug, Default)]
pub struct EosRequests(Mutex<BTreeMap<(String, u16), u64>>);

impl EosRequests {
    pub fn count(&self, instance: &str, code: u16) {
        let mut m = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *m.entry((instance.to_owned(), code)).or_default() += 1;
    }

    fn snapshot(&self) -> BTreeMap<(String, u16), u64> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

/// A label value escaped as the exposition format wants (`\\`, `\"`, `\n`).
fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

fn head(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn scalar(conn: &Db, sql: &str) -> Result<u64> {
    conn.query_row(sql, (), |r| crate::catalogue::uint(r, 0))
}

fn grouped(conn: &Db, sql: &str) -> Result<Vec<(String, u64)>> {
    conn.query_all(sql, ())?
        .iter()
        .map(|r| Ok((crate::catalogue::text(r, 0)?, crate::catalogue::uint(r, 1)?)))
        .collect()
}

/// The metrics text of the instance behind `conn`.
pub fn render(conn: &Db, eos: &EosRequests) -> Result<String> {
    let mut out = String::new();
    head(&mut out, "ctaops_sim_tapes", "gauge", "Tapes per CTA tape state.");
    for (state, n) in grouped(
        conn,
        "SELECT TAPE_STATE, COUNT(*) FROM TAPE GROUP BY TAPE_STATE ORDER BY TAPE_STATE",
    )? {
        let _ = writeln!(out, "ctaops_sim_tapes{{state=\"{}\"}} {n}", label(&state));
    }
    head(
        &mut out,
        "ctaops_sim_drives",
        "gauge",
        "Drives per status as drive ls shows it.",
    );
    let mut drives: BTreeMap<&str, u64> = BTreeMap::new();
    for r in conn.query_all("SELECT STATUS FROM SIM_DRIVE", ())? {
        let status = DriveStatus::from(crate::catalogue::text(&r, 0)?.as_str());
        *drives.entry(crate::admin::ls::status_text(&status)).or_default() += 1;
    }
    for (status, n) in drives {
        let _ = writeln!(out, "ctaops_sim_drives{{status=\"{}\"}} {n}", label(status));
    }
    let scalars = [
        (
            "ctaops_sim_archive_queue_files",
            "Archive jobs queued (one per tape copy still to write, repack included).",
            "SELECT COUNT(*) FROM SIM_ARCHIVE_QUEUE",
        ),
        (
            "ctaops_sim_retrieve_queue_files",
            "Retrieve jobs queued (repack included).",
            "SELECT COUNT(*) FROM SIM_RETRIEVE_QUEUE",
        ),
        (
            "ctaops_sim_archive_files",
            "Files in the catalogue (ARCHIVE_FILE rows).",
            "SELECT COUNT(*) FROM ARCHIVE_FILE",
        ),
        (
            "ctaops_sim_archived_bytes",
            "Bytes of the files in the catalogue (one copy each).",
            "SELECT COALESCE(SUM(SIZE_IN_BYTES), 0) FROM ARCHIVE_FILE",
        ),
    ];
    for (name, help, sql) in scalars {
        head(&mut out, name, "gauge", help);
        let _ = writeln!(out, "{name} {}", scalar(conn, sql)?);
    }
    head(
        &mut out,
        "ctaops_sim_disk_files",
        "gauge",
        "Files in each disk instance's namespace (queued or on tape).",
    );
    for (instance, n) in crate::eos::namespace::count_per_instance(conn)? {
        let _ = writeln!(
            out,
            "ctaops_sim_disk_files{{disk_instance=\"{}\"}} {n}",
            label(&instance)
        );
    }
    head(
        &mut out,
        "ctaops_sim_eos_requests_total",
        "counter",
        "Requests the simulated EOS HTTPS interface answered, by disk instance (empty: token refused) and HTTP status.",
    );
    for ((instance, code), n) in eos.snapshot() {
        let _ = writeln!(
            out,
            "ctaops_sim_eos_requests_total{{disk_instance=\"{}\",code=\"{code}\"}} {n}",
            label(&instance)
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn requests_are_counted_per_instance_and_code() {
        let r = EosRequests::default();
        r.count("eos1", 200);
        r.count("eos1", 200);
        r.count("", 403);
        let s = r.snapshot();
        assert_eq!(s[&("eos1".to_owned(), 200)], 2);
        assert_eq!(s[&(String::new(), 403)], 1);
    }
}
