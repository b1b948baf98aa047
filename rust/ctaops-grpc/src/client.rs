//! The native gRPC client: TLS always, `Bearer` JWT per call, CTA's status mapping, a stream
//! cut is an error (never a short list), deadlines, retries for `ls` only, one channel reused.

use std::mem::ManuallyDrop;
use std::time::Duration;

use arrow_array::RecordBatch;
use ctaops_core::admin::arrow::{BATCH_ROWS, records_to_arrow};
use ctaops_core::admin::compat;
use ctaops_core::admin::version::CtaVersion;
use ctaops_core::admin::{AdminCommand, AdminError, Kind, Records};
use tonic::Code;
use tonic::metadata::MetadataValue;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

use bytes::{Buf as _, Bytes};
use prost::Message as _;
use tonic::GrpcMethod;
use tonic::codec::{Codec, DecodeBuf, Decoder, Streaming};
use tonic::codegen::http::uri::PathAndQuery;
use tonic_prost::ProstEncoder;

use crate::arrow_direct::TapeFileColumns;
use crate::config::{AuthMethod, ClientSettings};
use crate::direct::{DirectSink, data_name, tapefile_from_pb};
use crate::encode::{encode, is_stream};
use crate::error::GrpcError;
use crate::pb::cta::admin::{AdminCmd, HeaderType};
use crate::pb::cta::xrd::cta_rpc_client::CtaRpcClient;
use crate::pb::cta::xrd::response::ResponseType;
use crate::pb::cta::xrd::stream_response::Contents;
use crate::pb::cta::xrd::{Data, Request, Response, StreamResponse, data, request};
use crate::records::{data_to_json_line, jsonl_to_records, kind_for};
use crate::tapefile_wire;
use crate::token::TokenFile;

/// What a command returned.
#[derive(Debug)]
pub enum Outcome {
    Records(Records),
    /// A unary command's reply text (may be empty).
    Message(String),
}

/// Async client; cheap to share (`&self` methods), one HTTP/2 connection for all calls.
#[derive(Debug)]
pub struct AsyncClient {
    settings: ClientSettings,
    channel: Channel,
    token: Option<TokenFile>,
    /// The frontend's CTA version, asked once (`None`: it could not tell).
    version: std::sync::OnceLock<Option<CtaVersion>>,
}

/// An error and its sources on one line, each text once (a source often repeats its parent).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    sources_line(e.to_string(), e.source())
}

/// A status on one line: its message, then the transport errors under it. `Status`'s own
/// `Display` is a dump of code, message, details and metadata, never shown to an operator.
fn status_detail(s: &tonic::Status) -> String {
    sources_line(s.message().to_owned(), std::error::Error::source(s))
}

fn sources_line(first: String, mut cur: Option<&(dyn std::error::Error + 'static)>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut push = |t: String| {
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        if !t.is_empty() && !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
    };
    push(first);
    while let Some(e) = cur {
        push(e.to_string());
        cur = e.source();
    }
    parts.join(": ")
}

/// Whether a transport failure is the connect timeout (TCP connect or TLS handshake).
fn connect_timed_out(s: &tonic::Status) -> bool {
    let mut cur = std::error::Error::source(s);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::TimedOut
        {
            return true;
        }
        let text = e.to_string().to_ascii_lowercase();
        if text.contains("timed out") || text.contains("handshake timeout") {
            return true;
        }
        cur = e.source();
    }
    false
}

fn looks_like_tls(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "certificate",
        "tls",
        "handshake",
        "corrupt message",
        "invalidcontenttype",
        "notvalidforname",
        "unknownissuer",
        "alert",
    ]
    .iter()
    .any(|w| t.contains(w))
}

impl AsyncClient {
    /// Builds the channel (connected lazily, on first use). Must run inside a tokio runtime.
    pub fn new(settings: ClientSettings) -> Result<Self, GrpcError> {
        let pem = std::fs::read(&settings.ca_file)
            .map_err(|e| GrpcError::Config(format!("cannot read CA file {}: {e}", settings.ca_file.display())))?;
        // Endpoint::connect_timeout bounds the TCP connection only: a peer that accepts and
        // then never answers TLS would hold the call for its whole deadline without this.
        let tls = ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(pem))
            .domain_name(settings.host().to_owned())
            .timeout(settings.connect_timeout);
        let channel = Endpoint::from_shared(format!("https://{}", settings.endpoint))
            .map_err(|e| GrpcError::Config(format!("bad cta.endpoint '{}': {e}", settings.endpoint)))?
            .tls_config(tls)
            .map_err(|e| GrpcError::Config(format!("TLS set-up: {}", chain(&e))))?
            .connect_timeout(settings.connect_timeout)
            .tcp_nodelay(true)
            .http2_keep_alive_interval(Duration::from_secs(30))
            .connect_lazy();
        let token = match &settings.auth {
            AuthMethod::Jwt(p) => Some(TokenFile::new(p.clone())),
            AuthMethod::Krb5 if cfg!(feature = "kerberos") => None,
            AuthMethod::Krb5 => return Err(GrpcError::KerberosUnsupported),
        };
        Ok(Self {
            settings,
            channel,
            token,
            version: std::sync::OnceLock::new(),
        })
    }

    /// The frontend's CTA version (`settings.cta_version` when set), asked once.
    pub async fn cta_version(&self) -> Result<Option<CtaVersion>, GrpcError> {
        if let Some(v) = self.version.get() {
            return Ok(v.clone());
        }
        let v = if let Some(text) = &self.settings.cta_version {
            Some(CtaVersion::parse(text).ok_or_else(|| {
                GrpcError::Encode(format!("cta_version '{text}' is not a CTA version (e.g. 5.11.7.0-1)"))
            })?)
        } else {
            let command = AdminCommand::raw(&["version"]).map_err(|e| GrpcError::Encode(e.to_string()))?;
            match self.list_encoded(&command, &encode(&command)?, Kind::Version).await? {
                Records::Version(v) => v.first().and_then(ctaops_core::admin::version::Version::server),
                _ => None,
            }
        };
        Ok(self.version.get_or_init(|| v).clone())
    }

    /// The command adapted to the frontend's CTA version (as the `cta-admin` runner does), asked
    /// only for commands an adaptation concerns; refused when that release cannot do it.
    async fn prepare(&self, command: &AdminCommand) -> Result<AdminCommand, GrpcError> {
        if !compat::concerns(command) {
            return Ok(command.clone());
        }
        let version = match self.cta_version().await {
            Ok(v) => v,
            Err(e @ GrpcError::Encode(_)) => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "cannot tell the CTA version: commands are sent unadapted");
                self.version.get_or_init(|| None).clone()
            }
        };
        let Some(version) = version else {
            return Ok(command.clone());
        };
        compat::adapt(command, &version).map_err(|e| match e {
            AdminError::Unsupported { command, message } => GrpcError::Unsupported { command, message },
            other => GrpcError::Encode(other.to_string()),
        })
    }

    #[must_use]
    pub fn settings(&self) -> &ClientSettings {
        &self.settings
    }

    async fn request(&self, command: &AdminCommand, cmd: &AdminCmd) -> Result<tonic::Request<Request>, GrpcError> {
        let mut req = tonic::Request::new(Request {
            request: Some(request::Request::Admincmd(cmd.clone())),
        });
        req.set_timeout(self.settings.timeout);
        if let Some(t) = &self.token {
            let value = MetadataValue::try_from(format!("Bearer {}", t.token()?))
                .map_err(|_| GrpcError::Config("the JWT contains characters not allowed in a header".into()))?;
            req.metadata_mut().insert("authorization", value);
        } else if self.settings.auth == AuthMethod::Krb5 {
            let value = crate::krb_client::authorization(&self.settings, &self.channel, command).await?;
            req.metadata_mut().insert("authorization", value);
        }
        Ok(req)
    }

    /// Maps a status as CTA's client does: `INVALID_ARGUMENT` is the user's error.
    fn status_error(&self, command: &AdminCommand, s: &tonic::Status) -> GrpcError {
        let command = command.to_string();
        let detail = status_detail(s);
        match s.code() {
            Code::InvalidArgument => GrpcError::User {
                command,
                message: s.message().to_owned(),
            },
            Code::Unauthenticated if s.message().starts_with("KRB5") => GrpcError::KerberosNonceRejected {
                command,
                message: s.message().to_owned(),
            },
            Code::Unauthenticated => GrpcError::Unauthenticated {
                command,
                message: s.message().to_owned(),
            },
            Code::DeadlineExceeded => GrpcError::Deadline {
                command,
                seconds: self.settings.timeout.as_secs_f64(),
            },
            Code::Cancelled if s.message().contains("Timeout expired") => GrpcError::Deadline {
                command,
                seconds: self.settings.timeout.as_secs_f64(),
            },
            Code::Unavailable if connect_timed_out(s) => GrpcError::ConnectTimeout {
                command,
                endpoint: self.settings.endpoint.clone(),
                seconds: self.settings.connect_timeout.as_secs_f64(),
            },
            Code::Unavailable | Code::Unknown | Code::Internal if looks_like_tls(&detail) => GrpcError::Tls {
                command,
                endpoint: self.settings.endpoint.clone(),
                message: detail,
            },
            Code::Unavailable => GrpcError::Unavailable {
                command,
                endpoint: self.settings.endpoint.clone(),
                message: detail,
            },
            Code::Internal if s.message().contains("decode") => GrpcError::Decode {
                command,
                message: detail,
            },
            code => GrpcError::Server {
                command,
                status: format!("{code:?}"),
                message: s.message().to_owned(),
            },
        }
    }

    fn reply_error(command: &AdminCommand, r: &Response) -> Option<GrpcError> {
        let command = command.to_string();
        let message = r.message_txt.clone();
        match r.r#type() {
            ResponseType::RspSuccess | ResponseType::RspInvalid => None,
            ResponseType::RspErrUser => Some(GrpcError::User { command, message }),
            other => Some(GrpcError::Server {
                command,
                status: other.as_str_name().to_owned(),
                message,
            }),
        }
    }

    /// Runs any command: listings on `GenericAdminStream`, the rest on `Admin`.
    pub async fn run(&self, command: &AdminCommand) -> Result<Outcome, GrpcError> {
        let command = &self.prepare(command).await?;
        let cmd = encode(command)?;
        if is_stream(&cmd) {
            let kind = command
                .record_kind()
                .ok_or_else(|| GrpcError::Encode(format!("{command}: not a listing")))?;
            return self.list_encoded(command, &cmd, kind).await.map(Outcome::Records);
        }
        self.execute_encoded(command, &cmd).await.map(Outcome::Message)
    }

    /// A listing as typed records; retried (from the start) on transient failures.
    pub async fn list(&self, command: &AdminCommand) -> Result<Records, GrpcError> {
        let command = &self.prepare(command).await?;
        let cmd = encode(command)?;
        let kind = command.record_kind().filter(|_| is_stream(&cmd));
        let kind = kind.ok_or_else(|| GrpcError::Encode(format!("{command}: not a listing command")))?;
        self.list_encoded(command, &cmd, kind).await
    }

    /// A listing as Arrow record batches (same tables as the `cta-admin` path).
    pub async fn arrow(&self, command: &AdminCommand) -> Result<Vec<RecordBatch>, GrpcError> {
        let cmd = encode(command)?;
        let to_arrow = |e: &dyn std::fmt::Display| GrpcError::Decode {
            command: command.to_string(),
            message: e.to_string(),
        };
        // The bulk listing goes from the wire straight into Arrow columns; the rest through
        // typed records and the core's conversion.
        if is_stream(&cmd) && command.record_kind() == Some(Kind::TapeFile) {
            return self
                .retrying(command, || self.tapefile_batches_once(command, &cmd))
                .await;
        }
        let records = self.list(command).await?;
        records_to_arrow(&records).map_err(|e| to_arrow(&e))
    }

    /// A non-listing command; never retried. Returns the reply text.
    pub async fn execute(&self, command: &AdminCommand) -> Result<String, GrpcError> {
        let command = &self.prepare(command).await?;
        let cmd = encode(command)?;
        if is_stream(&cmd) {
            return Err(GrpcError::Encode(format!("{command}: a listing; use list()")));
        }
        self.execute_encoded(command, &cmd).await
    }

    async fn execute_encoded(&self, command: &AdminCommand, cmd: &AdminCmd) -> Result<String, GrpcError> {
        let mut client = CtaRpcClient::new(self.channel.clone());
        let reply = client
            .admin(self.request(command, cmd).await?)
            .await
            .map_err(|s| self.status_error(command, &s))?
            .into_inner();
        match Self::reply_error(command, &reply) {
            Some(e) => Err(e),
            None => Ok(reply.message_txt),
        }
    }

    async fn list_encoded(&self, command: &AdminCommand, cmd: &AdminCmd, kind: Kind) -> Result<Records, GrpcError> {
        self.retrying(command, || self.list_once(command, cmd, kind)).await
    }

    /// Runs an idempotent listing, again from the start on transient failures.
    async fn retrying<T, F: Future<Output = Result<T, GrpcError>>>(
        &self,
        command: &AdminCommand,
        once: impl Fn() -> F,
    ) -> Result<T, GrpcError> {
        let mut attempt = 0;
        loop {
            match once().await {
                Err(e) if e.transient() && attempt < self.settings.retries => {
                    attempt += 1;
                    tracing::warn!(command = %command, attempt, error = %e, "retrying idempotent listing");
                    tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
                }
                other => return other,
            }
        }
    }

    async fn list_once(&self, command: &AdminCommand, cmd: &AdminCmd, kind: Kind) -> Result<Records, GrpcError> {
        let mut buf = Vec::new();
        // Bulk record types are built straight from their prost messages; the rest go through
        // protobuf's canonical JSON and the `cta-admin --json` parser.
        let mut direct = DirectSink::new(kind);
        self.read_listing(command, cmd, kind, |message| {
            let Some(d) = data_of(message)? else {
                return Ok(false);
            };
            match direct.as_mut() {
                Some(sink) => sink.push(d.data),
                None => data_to_json_line(kind, &d, &mut buf),
            }
            .map_err(|e| e.to_string())
        })
        .await?;
        match direct {
            Some(sink) => Ok(sink.finish()),
            None => jsonl_to_records(kind, &buf).map_err(|e| GrpcError::Decode {
                command: command.to_string(),
                message: e.to_string(),
            }),
        }
    }

    /// `tapefile ls` into Arrow batches of [`BATCH_ROWS`] rows, as the `cta-admin` path cuts
    /// them: each record read in place from its message, prost only for what that reader
    /// leaves (see `tapefile_wire`). The first batch starts small and grows (most listings are
    /// short); once one is full the next ones are sized for a whole batch up front, so the
    /// builders of a million-record listing never grow (and copy) again.
    async fn tapefile_batches_once(
        &self,
        command: &AdminCommand,
        cmd: &AdminCmd,
    ) -> Result<Vec<RecordBatch>, GrpcError> {
        let mut batches = Vec::new();
        let mut cols = TapeFileColumns::with_capacity(FIRST_BATCH_ROWS);
        self.read_listing(command, cmd, Kind::TapeFile, |message| {
            if let Some(view) = tapefile_wire::read(message) {
                cols.push_view(&view);
            } else {
                match data_of(message)?.and_then(|d| d.data) {
                    None => return Ok(false),
                    Some(data::Data::TflsItem(item)) => cols.push(&tapefile_from_pb(item)),
                    Some(other) => return Err(format!("a {} record in a TapeFile listing", data_name(&other))),
                }
            }
            if cols.len() == BATCH_ROWS {
                let full = std::mem::replace(&mut cols, TapeFileColumns::with_capacity(BATCH_ROWS));
                batches.push(full.finish().map_err(|e| e.to_string())?);
            }
            Ok(true)
        })
        .await?;
        if !cols.is_empty() {
            batches.push(cols.finish().map_err(|e| GrpcError::Decode {
                command: command.to_string(),
                message: e.to_string(),
            })?);
        }
        Ok(batches)
    }

    /// Opens `GenericAdminStream` with the replies left as the bytes of each message.
    async fn open_stream(&self, command: &AdminCommand, cmd: &AdminCmd) -> Result<Streaming<Bytes>, GrpcError> {
        let mut grpc = tonic::client::Grpc::new(self.channel.clone());
        grpc.ready()
            .await
            .map_err(|e| self.status_error(command, &tonic::Status::unknown(format!("Service was not ready: {e}"))))?;
        let mut req = self.request(command, cmd).await?;
        req.extensions_mut()
            .insert(GrpcMethod::new("cta.xrd.CtaRpcStream", "GenericAdminStream"));
        let path = PathAndQuery::from_static("/cta.xrd.CtaRpcStream/GenericAdminStream");
        Ok(grpc
            .server_streaming(req, path, RawReplies)
            .await
            .map_err(|s| self.status_error(command, &s))?
            .into_inner())
    }

    /// Reads a listing: checks the header, hands every later message to `on_message` (which
    /// says whether it added a record), and turns a failed or cut stream into an error, never
    /// a short list.
    async fn read_listing(
        &self,
        command: &AdminCommand,
        cmd: &AdminCmd,
        kind: Kind,
        mut on_message: impl FnMut(&[u8]) -> Result<bool, String>,
    ) -> Result<usize, GrpcError> {
        let mut stream = self.open_stream(command, cmd).await?;
        let decode = |message: String| GrpcError::Decode {
            command: command.to_string(),
            message,
        };
        let header = match stream.message().await.map_err(|s| self.status_error(command, &s))? {
            Some(m) => StreamResponse::decode(m).map_err(|e| decode(format!("the header: {e}")))?,
            None => return Err(decode("the stream ended without its header".into())),
        };
        match header.contents {
            Some(Contents::Header(r)) => {
                if let Some(e) = Self::reply_error(command, &r) {
                    return Err(e);
                }
                let announced = r.show_header();
                if announced != HeaderType::None && kind_for(announced) != Some(kind) {
                    return Err(decode(format!(
                        "header {} for a {kind:?} listing",
                        announced.as_str_name()
                    )));
                }
            }
            _ => return Err(decode("the first message is not a header".into())),
        }
        let mut count = 0usize;
        loop {
            match stream.message().await {
                Ok(Some(m)) => {
                    let added = on_message(&m).map_err(|e| decode(format!("record {}: {e}", count + 1)))?;
                    count += usize::from(added);
                }
                Ok(None) => return Ok(count),
                Err(s) => {
                    return Err(match s.code() {
                        Code::InvalidArgument
                        | Code::Unauthenticated
                        | Code::FailedPrecondition
                        | Code::DeadlineExceeded
                        | Code::PermissionDenied => self.status_error(command, &s),
                        Code::Cancelled if s.message().contains("Timeout expired") => self.status_error(command, &s),
                        Code::Internal if s.message().contains("decode") => self.status_error(command, &s),
                        _ => GrpcError::Truncated {
                            command: command.to_string(),
                            records: count,
                            message: status_detail(&s),
                        },
                    });
                }
            }
        }
    }
}

/// Rows the first `tapefile ls` batch is sized for (it grows past that if needed).
const FIRST_BATCH_ROWS: usize = 1024;

/// The `Data` of one message after the header; `None` for an empty message. A second header
/// is an error.
fn data_of(message: &[u8]) -> Result<Option<Data>, String> {
    match StreamResponse::decode(message).map_err(|e| e.to_string())?.contents {
        Some(Contents::Data(d)) => Ok(Some(d)),
        Some(Contents::Header(_)) => Err("a second header inside the stream".into()),
        None => Ok(None),
    }
}

/// The request encoded by prost; each reply message handed over as its bytes (no copy: a slice
/// of tonic's receive buffer), so a bulk listing can be read without a prost struct per record.
#[derive(Debug, Clone, Copy, Default)]
struct RawReplies;

#[derive(Debug, Clone, Copy, Default)]
struct RawDecoder;

impl Codec for RawReplies {
    type Encode = Request;
    type Decode = Bytes;
    type Encoder = ProstEncoder<Request>;
    type Decoder = RawDecoder;

    fn encoder(&mut self) -> Self::Encoder {
        ProstEncoder::default()
    }

    fn decoder(&mut self) -> Self::Decoder {
        RawDecoder
    }
}

impl Decoder for RawDecoder {
    type Item = Bytes;
    type Error = tonic::Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<Bytes>, tonic::Status> {
        let n = buf.remaining();
        Ok(Some(buf.copy_to_bytes(n)))
    }
}

/// Blocking client for synchronous callers (CLI, Python without asyncio): owns a small runtime.
#[derive(Debug)]
pub struct Client {
    rt: ManuallyDrop<tokio::runtime::Runtime>,
    inner: AsyncClient,
}

impl Drop for Client {
    /// Shuts the runtime down without waiting for its threads: a plain drop waits, and at Python
    /// interpreter exit, with a connection whose server had gone away, that wait never ended.
    #[expect(
        unsafe_code,
        reason = "ManuallyDrop::take, to hand the runtime to shutdown_background"
    )]
    fn drop(&mut self) {
        // SAFETY: `rt` is taken once, here, and never touched again: the client is being dropped.
        let rt = unsafe { ManuallyDrop::take(&mut self.rt) };
        rt.shutdown_background();
    }
}

impl Client {
    pub fn new(settings: ClientSettings) -> Result<Self, GrpcError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("ctaops-grpc")
            .enable_all()
            .build()
            .map_err(|e| GrpcError::Config(format!("cannot start the gRPC runtime: {e}")))?;
        let inner = {
            let _guard = rt.enter();
            AsyncClient::new(settings)?
        };
        Ok(Self {
            rt: ManuallyDrop::new(rt),
            inner,
        })
    }

    #[must_use]
    pub fn inner(&self) -> &AsyncClient {
        &self.inner
    }

    pub fn run(&self, command: &AdminCommand) -> Result<Outcome, GrpcError> {
        self.rt.block_on(self.inner.run(command))
    }

    /// Runs any future on the client's runtime (where its connection lives).
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    pub fn list(&self, command: &AdminCommand) -> Result<Records, GrpcError> {
        self.rt.block_on(self.inner.list(command))
    }

    pub fn arrow(&self, command: &AdminCommand) -> Result<Vec<RecordBatch>, GrpcError> {
        self.rt.block_on(self.inner.arrow(command))
    }

    pub fn execute(&self, command: &AdminCommand) -> Result<String, GrpcError> {
        self.rt.block_on(self.inner.execute(command))
    }
}
