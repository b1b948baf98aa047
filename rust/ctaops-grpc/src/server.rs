//! The server half: CTA's three services over a pluggable [`AdminBackend`], TLS only, JWT
//! authentication, the admin-list check on unary calls, header-then-records streams, CTA's
//! status codes and texts, and the standard health service. `ctaops sim serve` plugs the
//! simulator's catalogue in as the backend.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use tokio_stream::{Stream, StreamExt as _};
use tonic::transport::Server;
use tonic::{Request, Response, Status};

use crate::auth::JwtVerifier;
use crate::encode::{DecodedCommand, decode, is_stream};
use crate::incoming::{ServerLimits, acceptor, tls_incoming};
use crate::negotiate::{NegotiationService, ServerAuth};
use crate::pb::cta::admin::{AdminCmd, admin_cmd};
use crate::pb::cta::xrd::cta_rpc_server::{CtaRpc, CtaRpcServer};
use crate::pb::cta::xrd::response::ResponseType;
use crate::pb::cta::xrd::stream_response::Contents;
use crate::pb::cta::xrd::{StreamResponse, request};
use crate::records::header_for;
use crate::stream_service::{CtaRpcStreamService, GenericAdminStream, Record, Reply, ReplyStream};

/// Who is calling: the token's `sub`, and the peer address.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: String,
    pub peer: Option<SocketAddr>,
}

/// A refusal or failure from the backend.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BackendError {
    /// The request is wrong (bad value, missing object, rule violated): `INVALID_ARGUMENT`.
    #[error("{0}")]
    User(String),
    /// The backend failed (catalogue, scheduler): `FAILED_PRECONDITION`, as CTA sends.
    #[error("{0}")]
    Failed(String),
}

impl From<BackendError> for Status {
    fn from(e: BackendError) -> Self {
        match e {
            BackendError::User(m) => Status::invalid_argument(m),
            BackendError::Failed(m) => Status::failed_precondition(m),
        }
    }
}

/// Records of one listing, one `Data` message each (see `records::record_to_data`), as
/// messages or already encoded.
pub type RecordStream = Pin<Box<dyn Stream<Item = Result<Record, BackendError>> + Send>>;

/// What a server needs from the catalogue behind it.
#[tonic::async_trait]
pub trait AdminBackend: Send + Sync + 'static {
    /// Whether `user` is in the admin list (checked before every unary command).
    async fn is_admin(&self, user: &str) -> Result<bool, BackendError>;
    /// A listing (`<cmd> ls`, `showqueues`, `version`). Errors found before the first record
    /// should be returned here, so the client gets them as a status with no records.
    async fn list(&self, caller: &Caller, command: &DecodedCommand) -> Result<RecordStream, BackendError>;
    /// Any other command; returns the reply text (`message_txt`, may be empty).
    async fn execute(&self, caller: &Caller, command: &DecodedCommand) -> Result<String, BackendError>;
}

/// Certificates and token checking for [`serve`].
#[derive(Debug)]
pub struct ServerSettings {
    pub cert_pem: String,
    pub key_pem: String,
    pub jwt: JwtVerifier,
    /// Handshake and idle timeouts, connection limit.
    pub limits: ServerLimits,
}

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
#[error("gRPC server: {0}")]
pub struct ServerError(String);

fn pair_name(cmd: &AdminCmd) -> String {
    let c = admin_cmd::Cmd::try_from(cmd.cmd).map_or_else(|_| cmd.cmd.to_string(), |c| c.as_str_name().to_owned());
    let s =
        admin_cmd::SubCmd::try_from(cmd.subcmd).map_or_else(|_| cmd.subcmd.to_string(), |s| s.as_str_name().to_owned());
    format!("<{c}, {s}>")
}

struct Shared<B> {
    backend: Arc<B>,
    jwt: JwtVerifier,
    auth: ServerAuth,
}

impl<B: AdminBackend> Shared<B> {
    fn admin_cmd<T>(
        &self,
        req: &Request<T>,
        body: &crate::pb::cta::xrd::Request,
    ) -> Result<(Caller, AdminCmd), Status> {
        let user = self.auth.authenticate(&self.jwt, req.metadata())?;
        let caller = Caller {
            user,
            peer: req.remote_addr(),
        };
        match &body.request {
            Some(request::Request::Admincmd(c)) => Ok((caller, c.clone())),
            _ => Err(Status::invalid_argument("Request is not an admin command")),
        }
    }
}

struct Rpc<B>(Arc<Shared<B>>);
struct RpcStream<B>(Arc<Shared<B>>);

fn unimplemented<T>(what: &str) -> Result<T, Status> {
    Err(Status::unimplemented(format!("{what} is not served by this frontend")))
}

#[tonic::async_trait]
impl<B: AdminBackend> CtaRpc for Rpc<B> {
    async fn generic_request(
        &self,
        _: Request<crate::pb::cta::xrd::Request>,
    ) -> Result<Response<crate::pb::cta::xrd::Response>, Status> {
        unimplemented("GenericRequest")
    }
    async fn create(
        &self,
        _: Request<crate::pb::cta::xrd::Request>,
    ) -> Result<Response<crate::pb::cta::xrd::Response>, Status> {
        unimplemented("Create")
    }
    async fn archive(
        &self,
        _: Request<crate::pb::cta::xrd::Request>,
    ) -> Result<Response<crate::pb::cta::xrd::Response>, Status> {
        unimplemented("Archive")
    }
    async fn retrieve(
        &self,
        _: Request<crate::pb::cta::xrd::Request>,
    ) -> Result<Response<crate::pb::cta::xrd::Response>, Status> {
        unimplemented("Retrieve")
    }
    async fn delete(
        &self,
        _: Request<crate::pb::cta::xrd::Request>,
    ) -> Result<Response<crate::pb::cta::xrd::Response>, Status> {
        unimplemented("Delete")
    }
    async fn cancel_retrieve(
        &self,
        _: Request<crate::pb::cta::xrd::Request>,
    ) -> Result<Response<crate::pb::cta::xrd::Response>, Status> {
        unimplemented("CancelRetrieve")
    }

    async fn admin(
        &self,
        req: Request<crate::pb::cta::xrd::Request>,
    ) -> Result<Response<crate::pb::cta::xrd::Response>, Status> {
        let (caller, cmd) = self.0.admin_cmd(&req, req.get_ref())?;
        let decoded = decode(&cmd).map_err(Status::failed_precondition)?;
        if !self.0.backend.is_admin(&caller.user).await? {
            let host = caller.peer.map_or_else(|| "unknown".to_owned(), |p| p.ip().to_string());
            tracing::info!(user = %caller.user, %host, "refused: not an admin");
            return Err(Status::invalid_argument(format!(
                "User: {} on host: {host} is not authorized to execute CTA admin commands",
                caller.user
            )));
        }
        if is_stream(&cmd) {
            return Err(Status::failed_precondition(format!(
                "Admin command pair {} is not implemented.",
                pair_name(&cmd)
            )));
        }
        tracing::info!(user = %caller.user, command = %decoded.command, "admin command");
        let text = self.0.backend.execute(&caller, &decoded).await?;
        let mut reply = crate::pb::cta::xrd::Response {
            message_txt: text,
            ..Default::default()
        };
        reply.set_type(ResponseType::RspSuccess);
        Ok(Response::new(reply))
    }
}

impl<B: AdminBackend> GenericAdminStream for RpcStream<B> {
    async fn call(&self, req: Request<crate::pb::cta::xrd::Request>) -> Result<Response<ReplyStream>, Status> {
        let (caller, cmd) = self.0.admin_cmd(&req, req.get_ref())?;
        if !is_stream(&cmd) {
            return Err(Status::invalid_argument(format!(
                "Admin command pair {} is not implemented.",
                pair_name(&cmd)
            )));
        }
        let decoded = decode(&cmd).map_err(Status::failed_precondition)?;
        let kind = decoded.command.record_kind().ok_or_else(|| {
            Status::invalid_argument(format!("Admin command pair {} is not implemented.", pair_name(&cmd)))
        })?;
        tracing::info!(user = %caller.user, command = %decoded.command, "admin listing");
        let records = self.0.backend.list(&caller, &decoded).await?;
        let mut header = crate::pb::cta::xrd::Response::default();
        header.set_type(ResponseType::RspSuccess);
        header.set_show_header(header_for(kind));
        let first = tokio_stream::once(Ok(Reply::Message(Box::new(StreamResponse {
            contents: Some(Contents::Header(header)),
        }))));
        let rest = records.map(|r| r.map(Reply::Record).map_err(Status::from));
        Ok(Response::new(Box::pin(first.chain(rest))))
    }
}

/// Serves on `listener` until `shutdown` completes. TLS only: a plaintext client fails its
/// handshake. Connections are bounded by `settings.limits` (see [`crate::incoming`]). Health (`grpc.health.v1.Health`) reports the CTA services as serving.
pub async fn serve<B: AdminBackend>(
    backend: Arc<B>,
    settings: ServerSettings,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServerError> {
    serve_with_auth(backend, settings, ServerAuth::default(), listener, shutdown).await
}

/// [`serve`] with the admin authentication methods chosen (`grpc.admin.auth_methods`): with
/// Kerberos, `Negotiation/Negotiate` runs and `Negotiate` nonces are accepted.
pub async fn serve_with_auth<B: AdminBackend>(
    backend: Arc<B>,
    settings: ServerSettings,
    auth: ServerAuth,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServerError> {
    let negotiation = NegotiationService::new(auth.kerberos.clone());
    let shared = Arc::new(Shared {
        backend,
        jwt: settings.jwt,
        auth,
    });
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<CtaRpcServer<Rpc<B>>>().await;
    health.set_serving::<CtaRpcStreamService<RpcStream<B>>>().await;
    let tls = acceptor(&settings.cert_pem, &settings.key_pem).map_err(|e| ServerError(e.to_string()))?;
    let incoming = tls_incoming(listener, tls, settings.limits);
    Server::builder()
        .add_service(health_service)
        .add_service(CtaRpcServer::new(Rpc(Arc::clone(&shared))))
        .add_service(CtaRpcStreamService::new(Arc::new(RpcStream(shared))))
        .add_service(negotiation)
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await
        .map_err(|e| ServerError(e.to_string()))
}
