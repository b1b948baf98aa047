//! The native gRPC client: TLS always, `Bearer` JWT per call, CTA's status mapping, a stream
//! cut is an error (never a short list), deadlines, retries for `ls` only, one channel reused.

use std::time::Duration;

use arrow_array::RecordBatch;
use ctaops_core::admin::arrow::records_to_arrow;
use ctaops_core::admin::compat;
use ctaops_core::admin::version::CtaVersion;
use ctaops_core::admin::{AdminCommand, AdminError, Kind, Records};
use tonic::Code;
use tonic::metadata::MetadataValue;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

use crate::arrow_direct::tapefiles_to_arrow;
use crate::config::{AuthMethod, ClientSettings};
use crate::direct::DirectSink;
use crate::encode::{encode, is_stream};
use crate::error::GrpcError;
use crate::pb::cta::admin::{AdminCmd, HeaderType};
use crate::pb::cta::xrd::cta_rpc_client::CtaRpcClient;
use crate::pb::cta::xrd::cta_rpc_stream_client::CtaRpcStreamClient;
use crate::pb::cta::xrd::response::ResponseType;
use crate::pb::cta::xrd::stream_response::Contents;
use crate::pb::cta::xrd::{Request, Response, request};
use crate::records::{data_to_json_line, jsonl_to_records, kind_for};
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

fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    parts.join(": ")
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
        let tls = ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(pem))
            .domain_name(settings.host().to_owned());
        let channel = Endpoint::from_shared(format!("https://{}", settings.endpoint))
            .map_err(|e| GrpcError::Config(format!("bad cta.endpoint '{}': {e}", settings.endpoint)))?
            .tls_config(tls)
            .map_err(|e| GrpcError::Config(format!("TLS set-up: {}", chain(&e))))?
            .connect_timeout(Duration::from_secs(10))
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
        let detail = chain(s);
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
        let records = self.list(command).await?;
        // The bulk listing is built column by column; the rest through the core's conversion.
        if let Records::TapeFile(files) = &records {
            if files.is_empty() {
                return Ok(Vec::new());
            }
            return tapefiles_to_arrow(files)
                .map(|b| vec![b])
                .map_err(|e| GrpcError::Decode {
                    command: command.to_string(),
                    message: e.to_string(),
                });
        }
        records_to_arrow(&records).map_err(|e| GrpcError::Decode {
            command: command.to_string(),
            message: e.to_string(),
        })
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
        let mut attempt = 0;
        loop {
            match self.list_once(command, cmd, kind).await {
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
        let mut client = CtaRpcStreamClient::new(self.channel.clone());
        let mut stream = client
            .generic_admin_stream(self.request(command, cmd).await?)
            .await
            .map_err(|s| self.status_error(command, &s))?
            .into_inner();
        let decode = |message: String| GrpcError::Decode {
            command: command.to_string(),
            message,
        };
        let header = match stream.message().await.map_err(|s| self.status_error(command, &s))? {
            Some(m) => m,
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
        let mut buf = Vec::new();
        // Bulk record types are built straight from their prost messages; the rest go through
        // protobuf's canonical JSON and the `cta-admin --json` parser.
        let mut direct = DirectSink::new(kind);
        let mut count = 0usize;
        loop {
            match stream.message().await {
                Ok(Some(m)) => match m.contents {
                    Some(Contents::Data(d)) => {
                        let added = match direct.as_mut() {
                            Some(sink) => sink.push(d.data),
                            None => data_to_json_line(kind, &d, &mut buf),
                        };
                        count += usize::from(added.map_err(|e| decode(format!("record {}: {e}", count + 1)))?);
                    }
                    Some(Contents::Header(_)) => return Err(decode("a second header inside the stream".into())),
                    None => {}
                },
                Ok(None) => break,
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
                            message: chain(&s),
                        },
                    });
                }
            }
        }
        match direct {
            Some(sink) => Ok(sink.finish()),
            None => jsonl_to_records(kind, &buf).map_err(|e| decode(e.to_string())),
        }
    }
}

/// Blocking client for synchronous callers (CLI, Python without asyncio): owns a small runtime.
#[derive(Debug)]
pub struct Client {
    rt: tokio::runtime::Runtime,
    inner: AsyncClient,
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
        Ok(Self { rt, inner })
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
