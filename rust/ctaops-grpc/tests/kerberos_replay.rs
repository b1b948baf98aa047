//! Real Kerberos in one process against a throwaway MIT KDC: the client library's full
//! `krb5` path lists the same records as JWT, and a nonce obtained through GSS-API is accepted
//! once and refused when replayed. Skipped (naming the binary) only if the KDC is not installed.
//!
//! MIT krb5 reads `KRB5_CONFIG` and `KRB5CCNAME` from the process environment, so this binary
//! holds exactly one test, which sets them before it starts any thread of its own.

#![cfg(feature = "kerberos")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use ctaops_core::admin::{AdminCommand, Kind};
use ctaops_grpc::config::AuthMethod;
use ctaops_grpc::kerberos::{GssAcceptor, initiator};
use ctaops_grpc::negotiate::{KerberosServer, ServerAuth, SpnChoice, authorization_value, negotiate};
use ctaops_grpc::{AsyncClient, GrpcError};
use ctaops_testutil::{Kdc, REALM};

#[test]
fn kerberos_lists_like_jwt_and_a_replayed_nonce_is_refused() {
    if let Some(bin) = Kdc::missing_binary() {
        eprintln!("skipped: {bin} is not installed (Debian krb5-kdc, krb5-admin-server, krb5-user)");
        return;
    }
    let kdc = Kdc::start().unwrap();
    // MemoryBackend's admin is `ctaops`.
    kdc.add_principal("ctaops").unwrap();
    kdc.add_principal("cta/localhost").unwrap();
    let keytab = kdc.dir().join("frontend.keytab");
    kdc.export_keytab("cta/localhost", &keytab).unwrap();
    let ccache = kdc.dir().join("ctaops.ccache");
    kdc.kinit("ctaops", &ccache, None).unwrap();
    for (k, v) in kdc.env() {
        // SAFETY: the only test of this binary, before it starts any thread; no other thread
        // of the harness reads the environment.
        #[expect(unsafe_code, reason = "MIT krb5 takes its configuration from the environment")]
        unsafe {
            std::env::set_var(k, v);
        }
    }
    // SAFETY: as above.
    #[expect(unsafe_code, reason = "MIT krb5 takes its credentials cache from the environment")]
    unsafe {
        std::env::set_var("KRB5CCNAME", format!("FILE:{}", ccache.display()));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let spn = format!("cta/localhost@{REALM}");
        let acceptor = GssAcceptor::new(&keytab, &spn).unwrap();
        let auth = ServerAuth {
            jwt: true,
            kerberos: Some(Arc::new(KerberosServer::new(Arc::new(acceptor)))),
        };
        let r = start_with_auth(MemoryBackend::with_fixtures(), &PKI, auth).await;
        let endpoint = format!("localhost:{}", r.addr.port());

        // Both configs share the token file: the Kerberos one simply does not read it.
        let token = token_for("ctaops", 60);
        let jwt = AsyncClient::new(client_settings(r.dir.path(), &endpoint, &token)).unwrap();
        let mut settings = client_settings(r.dir.path(), &endpoint, &token);
        settings.auth = AuthMethod::Krb5;
        let krb = AsyncClient::new(settings).unwrap();
        let ls = AdminCommand::raw(&["tape", "ls", "--all"]).unwrap();
        let by_krb = krb.list(&ls).await.unwrap();
        assert_eq!(by_krb.len(), fixture_records(Kind::Tape).len());
        assert_eq!(
            serde_json::to_value(&by_krb).unwrap(),
            serde_json::to_value(jwt.list(&ls).await.unwrap()).unwrap()
        );

        let ch = channel(&r);
        let nonce = negotiate(
            ch.clone(),
            SpnChoice {
                configured: None,
                host: "localhost",
            },
            Duration::from_secs(20),
            initiator,
        )
        .await
        .unwrap();
        let value = authorization_value(&nonce);
        assert!(tape_ls(&ch, &value).await.is_ok());
        let replay = tape_ls(&ch, &value).await.unwrap_err();
        assert_eq!(replay.code(), tonic::Code::Unauthenticated);
        assert_eq!(replay.message(), "KRB5 authorization process error. Invalid principal.");

        // A wrong configured SPN: the KDC has no such principal, a clear negotiation failure.
        let mut settings = client_settings(r.dir.path(), &endpoint, &token);
        settings.auth = AuthMethod::Krb5;
        settings.service_principal = Some(format!("cta/elsewhere@{REALM}"));
        let e = AsyncClient::new(settings).unwrap().list(&ls).await.unwrap_err();
        assert!(matches!(e, GrpcError::KerberosFailed { .. }), "{e:?}");
        assert_eq!(e.code(), "GRPC_KERBEROS_FAILED");
    });
}
