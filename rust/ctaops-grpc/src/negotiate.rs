//! Kerberos negotiation (`cta.xrd.Negotiation/Negotiate`, spec §6.2) without the GSS library:
//! the wire message with the service-principal field, the single-use nonces, the server's
//! stream handler and the client's exchange loop. The GSS-API halves plug in through
//! [`Acceptor`] and [`Initiator`] (see `kerberos.rs`, behind the `kerberos` feature), so the
//! protocol is tested in every build with a scripted mechanism.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rand_core::RngCore as _;
use tokio::sync::mpsc;
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::ReceiverStream;
use tonic::codegen::{Body, BoxFuture, Context, Poll, Service, StdError, http};
use tonic::metadata::MetadataMap;
use tonic::server::NamedService;
use tonic::transport::Channel;
use tonic::{Request, Response, Status, Streaming};

use crate::auth::JwtVerifier;
use crate::pb::cta::xrd::KerberosAuthenticationRequest;

/// gRPC path of the negotiation method.
pub const PATH: &str = "/cta.xrd.Negotiation/Negotiate";
/// How long a nonce is valid after the negotiation that issued it (CTA: 60 s).
pub const NONCE_LIFETIME: Duration = Duration::from_secs(60);
/// The field number this crate uses for `service_principal_name` in the reply. CTA HEAD added
/// the field under a number that is not public (spec §9, §11); 5 is the next free one. A server
/// that uses another number is still usable: its SPN is skipped as unknown and the client falls
/// back to the configured or derived SPN.
pub const SPN_FIELD: u32 = 5;

/// `KerberosAuthenticationResponse` plus the service-principal field ([`SPN_FIELD`]).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct NegotiateReply {
    #[prost(bytes = "vec", tag = "1")]
    pub challenge: Vec<u8>,
    #[prost(bool, tag = "2")]
    pub is_complete: bool,
    #[prost(bytes = "vec", tag = "3")]
    pub token: Vec<u8>,
    #[prost(string, tag = "4")]
    pub error_msg: String,
    #[prost(string, tag = "5")]
    pub service_principal_name: String,
}

// ---------------------------------------------------------------------------------------------
// Server side

/// One step of the acceptor.
#[derive(Debug, PartialEq, Eq)]
pub enum Accepted {
    /// Send this token back and wait for the next one.
    Continue(Vec<u8>),
    /// The client is authenticated as local user `user`; `token` (maybe empty) is the final
    /// token for mutual authentication.
    Complete { token: Vec<u8>, user: String },
}

/// One security context being accepted.
pub trait AcceptorContext: Send {
    /// Feeds the client's token; an error text is logged, never sent (CTA sends a fixed text).
    fn step(&mut self, input: &[u8]) -> Result<Accepted, String>;
}

/// The server's Kerberos identity.
pub trait Acceptor: Send + Sync + 'static {
    /// What the server announces first (`grpc.service_principal`).
    fn service_principal(&self) -> &str;
    /// A fresh context for one negotiation.
    fn context(&self) -> Result<Box<dyn AcceptorContext>, String>;
}

/// Issued nonces: nonce → (user name, expiry). Each is removed on first use, expired or not.
#[derive(Debug)]
pub struct NonceStore {
    lifetime: Duration,
    map: Mutex<HashMap<String, (String, Instant)>>,
}

impl Default for NonceStore {
    fn default() -> Self {
        Self::new(NONCE_LIFETIME)
    }
}

impl NonceStore {
    #[must_use]
    pub fn new(lifetime: Duration) -> Self {
        Self {
            lifetime,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// A new nonce for `user`: 256 random bits as 64 lower-case hex characters.
    pub fn issue(&self, user: &str) -> String {
        let mut raw = [0u8; 32];
        rand_core::OsRng.fill_bytes(&mut raw);
        let nonce: String = raw.iter().map(|b| format!("{b:02x}")).collect();
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Unused nonces would otherwise pile up: drop the expired ones as new ones are made.
        map.retain(|_, (_, until)| *until > now);
        map.insert(nonce.clone(), (user.to_owned(), now + self.lifetime));
        nonce
    }

    /// The user a nonce was issued to; the nonce is gone afterwards (single use).
    pub fn redeem(&self, nonce: &str) -> Result<String, Status> {
        let entry = self
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(nonce);
        match entry {
            None => Err(Status::unauthenticated(
                "KRB5 authorization process error. Invalid principal.",
            )),
            Some((user, until)) if until <= Instant::now() => Err(Status::unauthenticated(format!(
                "KRB5 authorization process error. Found expired token for client principal {user}"
            ))),
            Some((user, _)) => Ok(user),
        }
    }
}

/// Kerberos on the server: the acceptor and the nonces it hands out.
pub struct KerberosServer {
    pub acceptor: Arc<dyn Acceptor>,
    pub nonces: NonceStore,
}

impl std::fmt::Debug for KerberosServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KerberosServer")
            .field("service_principal", &self.acceptor.service_principal())
            .finish_non_exhaustive()
    }
}

impl KerberosServer {
    #[must_use]
    pub fn new(acceptor: Arc<dyn Acceptor>) -> Self {
        Self {
            acceptor,
            nonces: NonceStore::default(),
        }
    }
}

/// Which admin authentication methods a server accepts (`grpc.admin.auth_methods`).
#[derive(Debug, Clone)]
pub struct ServerAuth {
    /// `jwt` is listed: `Bearer` tokens are checked.
    pub jwt: bool,
    /// `kerberos` is listed: the negotiation service runs and `Negotiate` nonces are accepted.
    pub kerberos: Option<Arc<KerberosServer>>,
}

impl Default for ServerAuth {
    /// CTA's default: `jwt` only.
    fn default() -> Self {
        Self {
            jwt: true,
            kerberos: None,
        }
    }
}

impl ServerAuth {
    /// Authenticates one admin call from its `authorization` metadata, in CTA's order and with
    /// its texts (`GrpcAuthUtils.cpp`). Returns the user name.
    pub fn authenticate(&self, jwt: &JwtVerifier, md: &MetadataMap) -> Result<String, Status> {
        let value = md
            .get("authorization")
            .ok_or_else(|| Status::unauthenticated("Missing Authorization header"))?
            .to_str()
            .map_err(|_| Status::unauthenticated("Unexpected authorization scheme"))?;
        if let Some(rest) = value.strip_prefix("Negotiate") {
            let Some(krb) = &self.kerberos else {
                return Err(Status::unauthenticated(
                    "KRB5 authorization process error. Invalid principal.",
                ));
            };
            let encoded = rest.trim();
            if encoded.is_empty() {
                return Err(Status::unauthenticated("Missing Authorization token"));
            }
            let nonce = BASE64
                .decode(encoded)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| Status::unauthenticated("KRB5 authorization process error. Invalid principal."))?;
            return krb.nonces.redeem(&nonce).inspect_err(|s| {
                tracing::info!(reason = %s.message(), "Kerberos nonce refused");
            });
        }
        if value.starts_with("Bearer") && !self.jwt {
            return Err(Status::unauthenticated(
                "Token authentication disabled on the CTA Frontend",
            ));
        }
        crate::auth::authenticate(jwt, md)
    }
}

/// The `Negotiation` service. Without Kerberos every call ends `UNIMPLEMENTED`, as CTA's does
/// when `kerberos` is not among the admin auth methods.
#[derive(Debug, Clone, Default)]
pub struct NegotiationService {
    kerberos: Option<Arc<KerberosServer>>,
}

impl NegotiationService {
    #[must_use]
    pub fn new(kerberos: Option<Arc<KerberosServer>>) -> Self {
        Self { kerberos }
    }
}

impl NamedService for NegotiationService {
    const NAME: &'static str = "cta.xrd.Negotiation";
}

type ReplyStream = ReceiverStream<Result<NegotiateReply, Status>>;

#[derive(Clone)]
struct Handler(Option<Arc<KerberosServer>>);

impl tonic::server::StreamingService<KerberosAuthenticationRequest> for Handler {
    type Response = NegotiateReply;
    type ResponseStream = ReplyStream;
    type Future = BoxFuture<Response<ReplyStream>, Status>;

    fn call(&mut self, request: Request<Streaming<KerberosAuthenticationRequest>>) -> Self::Future {
        let kerberos = self.0.clone();
        Box::pin(async move {
            let Some(krb) = kerberos else {
                return Err(Status::unimplemented(
                    "Negotiate (Kerberos) is not enabled on this frontend",
                ));
            };
            let (tx, rx) = mpsc::channel(4);
            // A client that stops answering does not hold the task: the exchange gets as long
            // as the nonce would live, then the stream ends without a nonce.
            tokio::spawn(async move {
                let _ = tokio::time::timeout(NONCE_LIFETIME, run_negotiation(krb, request.into_inner(), tx)).await;
            });
            Ok(Response::new(ReceiverStream::new(rx)))
        })
    }
}

async fn run_negotiation(
    krb: Arc<KerberosServer>,
    mut incoming: Streaming<KerberosAuthenticationRequest>,
    tx: mpsc::Sender<Result<NegotiateReply, Status>>,
) {
    let failed = |reason: &str| {
        tracing::info!(%reason, "Kerberos negotiation failed");
        NegotiateReply {
            error_msg: "Negotiation request failed".into(),
            ..NegotiateReply::default()
        }
    };
    // The server speaks first, with its principal name.
    let hello = NegotiateReply {
        service_principal_name: krb.acceptor.service_principal().to_owned(),
        ..NegotiateReply::default()
    };
    if tx.send(Ok(hello)).await.is_err() {
        return;
    }
    let mut ctx = match krb.acceptor.context() {
        Ok(c) => c,
        Err(e) => {
            let _ = tx.send(Ok(failed(&e))).await;
            let _ = tx.send(Err(Status::cancelled("Negotiation request failed"))).await;
            return;
        }
    };
    while let Some(msg) = incoming.next().await {
        let Ok(msg) = msg else { return };
        let reply = match ctx.step(&msg.challenge) {
            Ok(Accepted::Continue(token)) => NegotiateReply {
                challenge: token,
                ..NegotiateReply::default()
            },
            Ok(Accepted::Complete { token, user }) => {
                let nonce = krb.nonces.issue(&user);
                tracing::info!(%user, "Kerberos negotiation complete");
                let _ = tx
                    .send(Ok(NegotiateReply {
                        challenge: token,
                        is_complete: true,
                        token: nonce.into_bytes(),
                        ..NegotiateReply::default()
                    }))
                    .await;
                return;
            }
            Err(e) => {
                let _ = tx.send(Ok(failed(&e))).await;
                let _ = tx.send(Err(Status::cancelled("Negotiation request failed"))).await;
                return;
            }
        };
        if tx.send(Ok(reply)).await.is_err() {
            return;
        }
    }
}

impl<B> Service<http::Request<B>> for NegotiationService
where
    B: Body + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let handler = Handler(self.kerberos.clone());
        Box::pin(async move {
            if req.uri().path() != PATH {
                return Ok(Status::unimplemented("no such method").into_http());
            }
            let codec = tonic_prost::ProstCodec::<NegotiateReply, KerberosAuthenticationRequest>::default();
            Ok(tonic::server::Grpc::new(codec).streaming(handler, req).await)
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Client side

/// The client's half of a security context.
pub trait Initiator: Send {
    /// `None` first, then each server token; returns the token to send, if any.
    fn step(&mut self, input: Option<&[u8]>) -> Result<Option<Vec<u8>>, NegotiateError>;
    /// Whether the context is established (mutual authentication included).
    fn is_complete(&self) -> bool;
}

/// Why a negotiation did not produce a nonce.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NegotiateError {
    /// No usable ticket (no credentials cache, or its ticket expired).
    #[error("no valid Kerberos ticket: {0} (run kinit)")]
    NoTicket(String),
    /// The server does not serve the negotiation (`UNIMPLEMENTED`).
    #[error("the frontend does not offer Kerberos (Negotiate is not served there)")]
    NotOffered,
    /// Any other failure: GSS error, server refusal, broken stream, mutual check failed.
    #[error("Kerberos negotiation failed: {0}")]
    Failed(String),
}

/// Where the service principal name comes from when the server does not announce it.
#[derive(Debug, Clone)]
pub struct SpnChoice<'a> {
    /// `grpc.service_principal` in `cta-cli.conf` (a ctaops extension).
    pub configured: Option<&'a str>,
    /// Host name of `cta.endpoint`: the last resort is CTA's default `cta/<short host name>`.
    pub host: &'a str,
}

impl SpnChoice<'_> {
    fn pick(&self, announced: &str) -> String {
        if let Some(c) = self.configured {
            return c.to_owned();
        }
        if !announced.is_empty() {
            return announced.to_owned();
        }
        let short = self.host.split('.').next().unwrap_or(self.host);
        format!("cta/{short}")
    }
}

/// Runs one negotiation on `channel` and returns the nonce, ready for
/// `authorization: Negotiate <base64(nonce)>`. `start` makes the context for the chosen SPN.
pub async fn negotiate(
    channel: Channel,
    spn: SpnChoice<'_>,
    timeout: Duration,
    start: impl FnOnce(&str) -> Result<Box<dyn Initiator>, NegotiateError>,
) -> Result<String, NegotiateError> {
    tokio::time::timeout(timeout, exchange(channel, spn, start))
        .await
        .map_err(|_| NegotiateError::Failed(format!("no answer within {} s", timeout.as_secs_f64())))?
}

fn status_error(s: &Status) -> NegotiateError {
    if s.code() == tonic::Code::Unimplemented {
        NegotiateError::NotOffered
    } else {
        NegotiateError::Failed(format!("{:?}: {}", s.code(), s.message()))
    }
}

async fn exchange(
    channel: Channel,
    spn: SpnChoice<'_>,
    start: impl FnOnce(&str) -> Result<Box<dyn Initiator>, NegotiateError>,
) -> Result<String, NegotiateError> {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready()
        .await
        .map_err(|e| NegotiateError::Failed(format!("cannot reach the frontend: {e}")))?;
    let (tx, rx) = mpsc::channel::<KerberosAuthenticationRequest>(4);
    let codec = tonic_prost::ProstCodec::<KerberosAuthenticationRequest, NegotiateReply>::default();
    let path = http::uri::PathAndQuery::from_static(PATH);
    let mut replies = grpc
        .streaming(Request::new(ReceiverStream::new(rx)), path, codec)
        .await
        .map_err(|s| status_error(&s))?
        .into_inner();
    let mut next = async || match replies.message().await {
        Ok(Some(r)) if !r.error_msg.is_empty() => Err(NegotiateError::Failed(format!("server: {}", r.error_msg))),
        Ok(Some(r)) => Ok(r),
        Ok(None) => Err(NegotiateError::Failed("the server ended the negotiation early".into())),
        Err(s) => Err(status_error(&s)),
    };
    let hello = next().await?;
    let spn = spn.pick(&hello.service_principal_name);
    tracing::debug!(%spn, "Kerberos negotiation");
    let mut ctx = blocking(|| start(&spn))?;
    let send = async |challenge: Vec<u8>| {
        tx.send(KerberosAuthenticationRequest {
            challenge,
            service_principal_name: spn.clone(),
        })
        .await
        .map_err(|_| NegotiateError::Failed("the negotiation stream closed".into()))
    };
    let mut token = blocking(|| ctx.step(None))?
        .ok_or_else(|| NegotiateError::Failed("GSS-API produced no initial token".into()))?;
    for _ in 0..16 {
        send(token).await?;
        let reply = next().await?;
        if reply.is_complete {
            // Mutual authentication: the server's last token must complete our context.
            if !reply.challenge.is_empty() || !ctx.is_complete() {
                blocking(|| ctx.step(Some(&reply.challenge)))?;
            }
            if !ctx.is_complete() {
                return Err(NegotiateError::Failed(
                    "the server was not mutually authenticated".into(),
                ));
            }
            let nonce =
                String::from_utf8(reply.token).map_err(|_| NegotiateError::Failed("the nonce is not text".into()))?;
            if nonce.is_empty() {
                return Err(NegotiateError::Failed("the server sent no nonce".into()));
            }
            return Ok(nonce);
        }
        token = blocking(|| ctx.step(Some(&reply.challenge)))?
            .ok_or_else(|| NegotiateError::Failed("the server wants more but GSS-API has nothing to send".into()))?;
    }
    Err(NegotiateError::Failed("too many negotiation rounds".into()))
}

/// Runs a GSS-API call that may talk to the KDC (a service-ticket request) without stalling
/// other tasks, where the runtime allows it (multi-threaded); inline otherwise.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// The `authorization` value for a nonce.
#[must_use]
pub fn authorization_value(nonce: &str) -> String {
    format!("Negotiate {}", BASE64.encode(nonce.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_random_hex_and_single_use() {
        let store = NonceStore::default();
        let a = store.issue("alice");
        let b = store.issue("alice");
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, b);
        assert_eq!(store.redeem(&a).unwrap(), "alice");
        let again = store.redeem(&a).unwrap_err();
        assert_eq!(again.code(), tonic::Code::Unauthenticated);
        assert!(again.message().contains("Invalid principal"), "{}", again.message());
        assert_eq!(store.redeem(&b).unwrap(), "alice");
    }

    #[test]
    fn expired_nonces_are_refused_and_removed() {
        let store = NonceStore::new(Duration::ZERO);
        let n = store.issue("bob");
        let e = store.redeem(&n).unwrap_err();
        assert!(
            e.message().contains("expired token for client principal bob"),
            "{}",
            e.message()
        );
        assert!(store.redeem(&n).unwrap_err().message().contains("Invalid principal"));
    }

    #[test]
    fn spn_precedence_is_configured_then_announced_then_derived() {
        let c = SpnChoice {
            configured: Some("cta/x@R"),
            host: "h.cern.ch",
        };
        assert_eq!(c.pick("cta/y"), "cta/x@R");
        let c = SpnChoice {
            configured: None,
            host: "ctafrontend.cern.ch",
        };
        assert_eq!(c.pick("cta/y@R"), "cta/y@R");
        assert_eq!(c.pick(""), "cta/ctafrontend");
    }

    #[test]
    fn the_reply_keeps_the_public_field_numbers() {
        use prost::Message as _;
        let ours = NegotiateReply {
            challenge: vec![1, 2],
            is_complete: true,
            token: b"n".to_vec(),
            error_msg: "e".into(),
            service_principal_name: "cta/h".into(),
        };
        let public =
            crate::pb::cta::xrd::KerberosAuthenticationResponse::decode(ours.encode_to_vec().as_slice()).unwrap();
        assert_eq!(public.challenge, vec![1, 2]);
        assert!(public.is_complete);
        assert_eq!(public.token, b"n");
        assert_eq!(public.error_msg, "e");
        assert_eq!(authorization_value("ab"), "Negotiate YWI=");
    }
}
