//! A build without the `kerberos` feature: choosing `krb5` is one clear error, never a panic.
#![cfg(not(feature = "kerberos"))]
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[test]
fn krb5_without_the_feature_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let inst = dir.path().join("inst");
    let exe = env!("CARGO_BIN_EXE_ctaops");
    let o = Command::new(exe)
        .args(["sim", "init", inst.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ops = inst.join("cta-ops-config.yaml");
    let o = Command::new(exe)
        .args([
            "admin",
            "-C",
            ops.to_str().unwrap(),
            "--transport",
            "grpc",
            "--",
            "tape",
            "ls",
            "--all",
        ])
        .env("CTA_ADMIN_GRPC_AUTH_METHOD", "krb5")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.starts_with("error: [GRPC_KERBEROS_UNSUPPORTED]") && e.contains("no Kerberos support"),
        "{e}"
    );
    assert_eq!(e.trim().lines().count(), 1, "{e}");
}
