//! The HTTP transport of the EOS interface (HTTPS, HTTP/1.1) and of `/metrics` (plain HTTP).
//! Each request runs its catalogue work on a blocking thread with its own connection.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request as HttpRequest, Response as HttpResponse, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

use super::http::{Request, Tokens, handle};
use crate::error::{Result, SimError};
use crate::instance::Instance;
use crate::metrics::EosRequests;

/// What both servers share.
#[derive(Debug)]
pub struct Shared {
    pub inst: Instance,
    pub tokens: Tokens,
    pub requests: EosRequests,
}

/// Longest a client may take for its TLS handshake.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// A rustls acceptor for the instance's server certificate, offering HTTP/1.1.
pub fn acceptor(cert_pem: &str, key_pem: &str) -> Result<TlsAcceptor> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |e: String| SimError::Cta(format!("EOS HTTPS TLS set-up: {e}"));
    let certs = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(e.to_string()))?;
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| bad(e.to_string()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| bad(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

fn json_response(status: u16, body: &serde_json::Value) -> HttpResponse<Full<Bytes>> {
    let mut r = HttpResponse::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

async fn eos_request(shared: Arc<Shared>, req: HttpRequest<Incoming>) -> HttpResponse<Full<Bytes>> {
    let r = Request {
        method: req.method().as_str().to_owned(),
        path: req.uri().path().to_owned(),
        query: req.uri().query().unwrap_or_default().to_owned(),
        authorization: req
            .headers()
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let s = Arc::clone(&shared);
    let answer = tokio::task::spawn_blocking(move || match s.inst.connect() {
        Ok(conn) => handle(&conn, &s.tokens, &r),
        Err(e) => super::http::Response {
            status: 500,
            body: serde_json::json!({"errormsg": format!("error: {e}"), "retc": super::namespace::EIO}),
            instance: String::new(),
        },
    })
    .await;
    let answer = answer.unwrap_or_else(|e| super::http::Response {
        status: 500,
        body: serde_json::json!({"errormsg": format!("error: {e}"), "retc": super::namespace::EIO}),
        instance: String::new(),
    });
    shared.requests.count(&answer.instance, answer.status);
    json_response(answer.status, &answer.body)
}

/// Serves the EOS interface on `listener` until `stop` turns true.
pub async fn serve_eos(listener: TcpListener, tls: TlsAcceptor, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            a = listener.accept() => a,
        };
        let Ok((tcp, peer)) = accepted else { continue };
        let tls = tls.clone();
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(HANDSHAKE, tls.accept(tcp)).await {
                Ok(Ok(s)) => s,
                Ok(Err(e)) => {
                    tracing::debug!(%peer, error = %e, "EOS HTTPS handshake failed");
                    return;
                }
                Err(_) => return,
            };
            let svc = hyper::service::service_fn(move |req| {
                let shared = Arc::clone(&shared);
                async move { Ok::<_, Infallible>(eos_request(shared, req).await) }
            });
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await
            {
                tracing::debug!(%peer, error = %e, "EOS HTTPS connection ended");
            }
        });
    }
}

async fn metrics_request(shared: Arc<Shared>, req: HttpRequest<Incoming>) -> HttpResponse<Full<Bytes>> {
    let text = |status: StatusCode, body: String| {
        let mut r = HttpResponse::new(Full::new(Bytes::from(body)));
        *r.status_mut() = status;
        r.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        );
        r
    };
    if req.uri().path() != "/metrics" {
        return text(StatusCode::NOT_FOUND, "only /metrics is served here\n".into());
    }
    let out = tokio::task::spawn_blocking(move || {
        let conn = shared.inst.connect()?;
        crate::metrics::render(&conn, &shared.requests)
    })
    .await;
    match out {
        Ok(Ok(body)) => text(StatusCode::OK, body),
        Ok(Err(e)) => text(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")),
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")),
    }
}

/// Serves `/metrics` over plain HTTP on `listener` until `stop` turns true.
pub async fn serve_metrics(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            a = listener.accept() => a,
        };
        let Ok((tcp, _)) = accepted else { continue };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| {
                let shared = Arc::clone(&shared);
                async move { Ok::<_, Infallible>(metrics_request(shared, req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tcp), svc)
                .await;
        });
    }
}
