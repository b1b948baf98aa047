//! Kerberos over the native gRPC transport, end to end against a throwaway MIT KDC: `ctaops sim
//! serve` with `grpc.admin.auth_methods jwt kerberos` and a keytab, `ctaops admin --transport
//! grpc` with `kinit` tickets. Each process gets the KDC's `KRB5_CONFIG` and its own
//! `KRB5CCNAME`; nothing outside temp dirs is touched. Skipped (saying which binary is missing)
//! only when the KDC binaries are not installed.
#![cfg(feature = "kerberos")]
#![expect(clippy::unwrap_used, clippy::print_stderr, reason = "test helpers fail loudly")]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use ctaops_testutil::{Kdc, REALM};

const ADMIN: &str = "alice";
const NON_ADMIN: &str = "bob";
const SPN: &str = "cta/localhost";

struct World {
    kdc: Kdc,
    dir: tempfile::TempDir,
    server: Child,
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_ctaops")
}

fn skip() -> bool {
    if let Some(bin) = Kdc::missing_binary() {
        eprintln!("skipped: {bin} is not installed (Debian krb5-kdc, krb5-admin-server, krb5-user)");
        return true;
    }
    false
}

/// A KDC with the two users and the frontend's principal, and a simulator instance whose admin
/// is `alice`, served with `auth_methods`.
fn world(auth_methods: &str) -> World {
    let kdc = Kdc::start().unwrap();
    for p in [ADMIN, NON_ADMIN, SPN] {
        kdc.add_principal(p).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let inst = dir.path().join("inst");
    let o = Command::new(exe())
        .args(["sim", "init", inst.to_str().unwrap()])
        .env("USER", ADMIN)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let keytab = dir.path().join("cta-frontend.keytab");
    kdc.export_keytab(SPN, &keytab).unwrap();
    std::fs::write(
        inst.join("cta-frontend.conf"),
        format!(
            "grpc.admin.auth_methods {auth_methods}\ngrpc.keytab {}\ngrpc.service_principal {SPN}@{REALM}\n",
            keytab.display()
        ),
    )
    .unwrap();
    let mut server = Command::new(exe())
        .args(["sim", "serve", inst.to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .envs(kdc.env())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("listening on "), "sim serve printed {line:?}");
    World { kdc, dir, server }
}

impl World {
    fn inst(&self) -> PathBuf {
        self.dir.path().join("inst")
    }

    fn ccache(&self, principal: &str) -> PathBuf {
        self.dir.path().join(format!("{principal}.ccache"))
    }

    fn kinit(&self, principal: &str) {
        self.kdc.kinit(principal, &self.ccache(principal), None).unwrap();
    }

    /// `ctaops admin --transport grpc WORDS` with `method` and the credentials cache `ccache`.
    fn admin(&self, method: &str, ccache: &Path, words: &[&str]) -> Output {
        let ops = self.inst().join("cta-ops-config.yaml");
        Command::new(exe())
            .args([
                "admin",
                "-C",
                ops.to_str().unwrap(),
                "--transport",
                "grpc",
                "--json",
                "--",
            ])
            .args(words)
            .envs(self.kdc.env())
            .env("KRB5CCNAME", format!("FILE:{}", ccache.display()))
            .env("CTA_ADMIN_GRPC_AUTH_METHOD", method)
            .output()
            .unwrap()
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn records(o: &Output) -> serde_json::Value {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn an_admin_lists_tapes_over_kerberos_as_over_jwt() {
    if skip() {
        return;
    }
    let w = world("jwt kerberos");
    w.kinit(ADMIN);
    let cc = w.ccache(ADMIN);
    let krb = records(&w.admin("krb5", &cc, &["tape", "ls", "--all"]));
    let jwt = records(&w.admin("jwt", &cc, &["tape", "ls", "--all"]));
    assert!(krb.as_array().is_some_and(|a| !a.is_empty()), "{krb}");
    assert_eq!(krb, jwt);
    // A unary admin command too: each call negotiates again (nonces are single use).
    let drives = records(&w.admin("krb5", &cc, &["drive", "ls"]));
    let drive = drives[0]["driveName"].as_str().unwrap().to_owned();
    let o = w.admin("krb5", &cc, &["drive", "down", &drive, "--reason", "kerberos test"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let drives = records(&w.admin("krb5", &cc, &["drive", "ls"]));
    assert!(drives.to_string().contains("kerberos test"), "{drives}");
}

#[test]
fn a_non_admin_principal_is_refused_with_ctas_message() {
    if skip() {
        return;
    }
    let w = world("kerberos");
    w.kinit(NON_ADMIN);
    let o = w.admin(
        "krb5",
        &w.ccache(NON_ADMIN),
        &["drive", "down", "anything", "--reason", "x"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("User: bob on host:") && e.contains("is not authorized to execute CTA admin commands"),
        "{e}"
    );
}

#[test]
fn no_ticket_is_a_clear_error() {
    if skip() {
        return;
    }
    let w = world("jwt kerberos");
    let o = w.admin("krb5", &w.dir.path().join("none.ccache"), &["tape", "ls", "--all"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("[GRPC_KERBEROS_NO_TICKET]") && e.contains("kinit"), "{e}");
    assert_eq!(e.trim().lines().count(), 1, "{e}");
}

#[test]
fn an_expired_ticket_is_a_clear_error() {
    if skip() {
        return;
    }
    let w = world("jwt kerberos");
    let cc = w.ccache(ADMIN);
    w.kdc.kinit(ADMIN, &cc, Some("2s")).unwrap();
    std::thread::sleep(std::time::Duration::from_secs(3));
    let o = w.admin("krb5", &cc, &["tape", "ls", "--all"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("[GRPC_KERBEROS_NO_TICKET]") && e.contains("kinit"), "{e}");
}

#[test]
fn a_server_without_kerberos_answers_unimplemented() {
    if skip() {
        return;
    }
    let w = world("jwt");
    w.kinit(ADMIN);
    let o = w.admin("krb5", &w.ccache(ADMIN), &["tape", "ls", "--all"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("[GRPC_KERBEROS_NOT_OFFERED]") && e.contains("UNIMPLEMENTED"),
        "{e}"
    );
}

#[test]
fn a_server_with_only_kerberos_refuses_jwt() {
    if skip() {
        return;
    }
    let w = world("kerberos");
    let o = w.admin("jwt", &w.ccache(ADMIN), &["tape", "ls", "--all"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("Token authentication disabled on the CTA Frontend"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn sim_serve_refuses_a_bad_kerberos_setup() {
    let dir = tempfile::tempdir().unwrap();
    let inst = dir.path().join("inst");
    let o = Command::new(exe())
        .args(["sim", "init", inst.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let junk = dir.path().join("junk.keytab");
    std::fs::write(&junk, "not a keytab").unwrap();
    for (conf, want) in [
        (
            "grpc.admin.auth_methods kerberos\ngrpc.keytab /nonexistent/cta.keytab\n".to_owned(),
            "does not exist",
        ),
        (
            format!("grpc.admin.auth_methods kerberos\ngrpc.keytab {}\n", junk.display()),
            "cannot use keytab",
        ),
        (
            "grpc.admin.auth_methods jwt krb5\n".to_owned(),
            "unknown grpc.admin.auth_methods value 'krb5'",
        ),
    ] {
        std::fs::write(inst.join("cta-frontend.conf"), conf).unwrap();
        let o = Command::new(exe())
            .args(["sim", "serve", inst.to_str().unwrap(), "--listen", "127.0.0.1:0"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(o.stdout.is_empty(), "nothing served");
        let e = stderr(&o);
        assert!(e.contains(want) && e.trim().lines().count() == 1, "{e}");
    }
}
