//! The `Negotiate` protocol over a real TLS connection with a scripted mechanism in place of
//! GSS-API (so it runs in every build): SPN announced first, token exchange, nonce issued once
//! and accepted once, refusals, `UNIMPLEMENTED` without Kerberos. The GSS-API mechanism itself
//! is tested against a real KDC in `ctaops-cli/tests/kerberos.rs` and `tests/kerberos_replay.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use ctaops_core::admin::Kind;
use ctaops_grpc::negotiate::{
    Accepted, Acceptor, AcceptorContext, Initiator, KerberosServer, NegotiateError, ServerAuth, SpnChoice,
    authorization_value, negotiate,
};
use tonic::transport::Channel;

/// Accepts `user:<name>` then `done`, answering `srv1` then `final:<name>`; refuses `bad…`.
struct Script {
    final_token: &'static str,
}

struct ScriptCtx {
    user: Option<String>,
    final_token: &'static str,
}

impl AcceptorContext for ScriptCtx {
    fn step(&mut self, input: &[u8]) -> Result<Accepted, String> {
        let text = String::from_utf8_lossy(input).into_owned();
        if text.starts_with("bad") {
            return Err("scripted refusal".into());
        }
        match (&self.user, text.strip_prefix("user:")) {
            (None, Some(u)) => {
                self.user = Some(u.to_owned());
                Ok(Accepted::Continue(b"srv1".to_vec()))
            }
            (Some(u), None) if text == "done" => Ok(Accepted::Complete {
                token: self.final_token.as_bytes().to_vec(),
                user: u.clone(),
            }),
            _ => Err(format!("unexpected token {text}")),
        }
    }
}

impl Acceptor for Script {
    fn service_principal(&self) -> &str {
        "cta/scripted@TEST"
    }
    fn context(&self) -> Result<Box<dyn AcceptorContext>, String> {
        Ok(Box::new(ScriptCtx {
            user: None,
            final_token: self.final_token,
        }))
    }
}

/// The client half: sends `user:<name>`, then `done` after `srv1`; completes on `final`.
struct ScriptInit {
    first: String,
    complete: bool,
}

impl Initiator for ScriptInit {
    fn step(&mut self, input: Option<&[u8]>) -> Result<Option<Vec<u8>>, NegotiateError> {
        match input {
            None => Ok(Some(self.first.clone().into_bytes())),
            Some(b"srv1") => Ok(Some(b"done".to_vec())),
            Some(t) if t.starts_with(b"final") => {
                self.complete = true;
                Ok(None)
            }
            Some(t) => Err(NegotiateError::Failed(format!(
                "mutual authentication failed: {}",
                String::from_utf8_lossy(t)
            ))),
        }
    }
    fn is_complete(&self) -> bool {
        self.complete
    }
}

async fn server(kerberos: bool, final_token: &'static str) -> Running {
    let auth = ServerAuth {
        jwt: true,
        kerberos: kerberos.then(|| Arc::new(KerberosServer::new(Arc::new(Script { final_token })))),
    };
    start_with_auth(MemoryBackend::with_fixtures(), &PKI, auth).await
}

async fn nonce_for(ch: &Channel, first: &str, seen_spn: &Mutex<String>) -> Result<String, NegotiateError> {
    let first = first.to_owned();
    negotiate(
        ch.clone(),
        SpnChoice {
            configured: None,
            host: "localhost",
        },
        Duration::from_secs(10),
        |spn| {
            *seen_spn.lock().unwrap() = spn.to_owned();
            Ok(Box::new(ScriptInit { first, complete: false }))
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nonce_authenticates_one_call_only() {
    let r = server(true, "final").await;
    let ch = channel(&r);
    let spn = Mutex::new(String::new());
    let nonce = nonce_for(&ch, "user:ctaops", &spn).await.unwrap();
    assert_eq!(*spn.lock().unwrap(), "cta/scripted@TEST", "the announced SPN is used");
    assert_eq!(nonce.len(), 64);
    let value = authorization_value(&nonce);
    let want = fixture_records(Kind::Tape).len();
    assert_eq!(tape_ls(&ch, &value).await.unwrap(), want);
    let replay = tape_ls(&ch, &value).await.unwrap_err();
    assert_eq!(replay.code(), tonic::Code::Unauthenticated);
    assert_eq!(replay.message(), "KRB5 authorization process error. Invalid principal.");
    // A nonce never issued, and one that is not base64.
    let forged = tape_ls(&ch, &authorization_value(&"0".repeat(64))).await.unwrap_err();
    assert_eq!(forged.code(), tonic::Code::Unauthenticated);
    let garbage = tape_ls(&ch, "Negotiate !!!").await.unwrap_err();
    assert_eq!(garbage.code(), tonic::Code::Unauthenticated);
    // JWT still works next to Kerberos.
    assert_eq!(
        tape_ls(&ch, &format!("Bearer {}", token_for("ctaops", 60)))
            .await
            .unwrap(),
        want
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_missing_service_are_reported() {
    let r = server(true, "final").await;
    let ch = channel(&r);
    let spn = Mutex::new(String::new());
    let e = nonce_for(&ch, "bad", &spn).await.unwrap_err();
    assert_eq!(e, NegotiateError::Failed("server: Negotiation request failed".into()));

    let r2 = server(true, "forged").await;
    let e = nonce_for(&channel(&r2), "user:ctaops", &spn).await.unwrap_err();
    assert!(e.to_string().contains("mutual authentication failed"), "{e}");

    let r3 = server(false, "final").await;
    let ch3 = channel(&r3);
    let e = nonce_for(&ch3, "user:ctaops", &spn).await.unwrap_err();
    assert_eq!(e, NegotiateError::NotOffered);
    let s = tape_ls(&ch3, &authorization_value(&"0".repeat(64))).await.unwrap_err();
    assert_eq!(s.message(), "KRB5 authorization process error. Invalid principal.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kerberos_only_server_refuses_bearer_tokens() {
    let auth = ServerAuth {
        jwt: false,
        kerberos: Some(Arc::new(KerberosServer::new(Arc::new(Script { final_token: "final" })))),
    };
    let r = start_with_auth(MemoryBackend::with_fixtures(), &PKI, auth).await;
    let s = tape_ls(&channel(&r), &format!("Bearer {}", token_for("ctaops", 60)))
        .await
        .unwrap_err();
    assert_eq!(s.code(), tonic::Code::Unauthenticated);
    assert_eq!(s.message(), "Token authentication disabled on the CTA Frontend");
}

#[cfg(not(feature = "kerberos"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_feature_krb5_is_a_clear_error() {
    let r = server(true, "final").await;
    let mut settings = client_settings(r.dir.path(), &format!("localhost:{}", r.addr.port()), "unused");
    settings.auth = ctaops_grpc::AuthMethod::Krb5;
    let e = ctaops_grpc::AsyncClient::new(settings).unwrap_err();
    assert_eq!(e.code(), "GRPC_KERBEROS_UNSUPPORTED");
    assert!(
        e.to_string().contains("this build of ctaops has no Kerberos support"),
        "{e}"
    );
}
