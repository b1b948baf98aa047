//! `ctaops sim serve`: the simulator's catalogue behind CTA's gRPC services (issue 9). The
//! backend runs the same parsed command through the same code as the simulator's `cta-admin`
//! ([`crate::admin::execute_as`]); listings hand their records to a sink that turns them into
//! `Data` messages (`tapefile ls` encoded straight from its catalogue rows), so both transports
//! are one implementation.

use std::any::Any;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::catalogue::OptionalExtension as _;
use bytes::BytesMut;
use ctaops_core::admin::Kind;
use ctaops_grpc::encode::DecodedCommand;
use ctaops_grpc::pb::cta::xrd::Data;
use ctaops_grpc::tapefile_wire::TapeFileView;
use ctaops_grpc::{AdminBackend, BackendError, Caller, Record, RecordStream, records, tapefile_writer};
use tokio::sync::mpsc;
use tokio_stream::Stream;

use crate::admin::parse::{self, Parsed, Value};
use crate::admin::{execute_as, out};
use crate::error::SimError;
use crate::instance::Instance;

/// Records per channel message between the catalogue thread and the stream.
const BATCH: usize = 512;

/// The simulator instance in `dir` as an [`AdminBackend`].
#[derive(Debug, Clone)]
pub struct SimBackend {
    dir: PathBuf,
}

impl SimBackend {
    /// The instance must exist.
    pub fn new(dir: &Path) -> crate::Result<Self> {
        Instance::open(dir)?;
        Ok(Self { dir: dir.to_path_buf() })
    }
}

fn backend_error(e: SimError) -> BackendError {
    match e {
        SimError::User(m) | SimError::Usage(m) => BackendError::User(m),
        other => BackendError::Failed(other.to_string()),
    }
}

/// The request in the form the simulator's `cta-admin` parses, list options filled in from the
/// items the client sent (the client read the file, as `cta-admin` does).
fn parsed(c: &DecodedCommand) -> Result<Parsed, BackendError> {
    let mut p = parse::parse(&c.command.argv()).map_err(backend_error)?;
    if !c.lists.is_empty() {
        let specs = parse::options(&p.cmd, &p.sub).unwrap_or(&[]);
        for (long, items) in &c.lists {
            let spec = specs
                .iter()
                .find(|s| s.long == *long)
                .ok_or_else(|| BackendError::User(format!("{long} is not an option of {} {}", p.cmd, p.sub)))?;
            p.opts.insert(spec.keyword(), Value::List(items.clone()));
        }
    }
    Ok(p)
}

fn who(caller: &Caller) -> (String, String) {
    let host = caller
        .peer
        .map_or_else(|| "localhost".to_owned(), |a| a.ip().to_string());
    (caller.user.clone(), host)
}

/// One typed record as a `Data` message, through CTA's JSON form (the listings other than
/// `tapefile ls`, which [`GrpcSink::tape_file`] encodes from the catalogue row).
fn to_data(kind: Kind, json: &dyn Fn() -> serde_json::Result<serde_json::Value>) -> Result<Data, String> {
    let value = json().map_err(|e| e.to_string())?;
    records::record_to_data(kind, &value).map_err(|e| e.to_string())
}

fn is_admin(dir: &Path, user: &str) -> crate::Result<bool> {
    let conn = Instance::open(dir)?.connect()?;
    let hit: Option<i64> = conn
        .query_row("SELECT 1 FROM ADMIN_USER WHERE ADMIN_USER_NAME = ?1", [user], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(hit.is_some())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, BackendError> + Send + 'static,
) -> Result<T, BackendError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| BackendError::Failed(format!("simulator task failed: {e}")))?
}

type Batch = Result<Vec<Record>, BackendError>;

/// Where the catalogue thread puts a listing's records: batches of [`BATCH`] for the stream.
struct GrpcSink {
    kind: Kind,
    batch: Vec<Record>,
    /// Encoded records are written here and split off, one shared buffer per ~[`BUFFER`] bytes.
    buf: BytesMut,
    tx: mpsc::Sender<Batch>,
}

/// Bytes of encoded records per buffer allocation.
const BUFFER: usize = 256 * 1024;
/// Room left in the buffer below which the next record starts a new one.
const RECORD_HINT: usize = 512;

impl GrpcSink {
    fn push(&mut self, r: Record) -> std::io::Result<()> {
        self.batch.push(r);
        if self.batch.len() >= BATCH {
            let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
            // The client went away: stop reading the catalogue.
            self.tx
                .blocking_send(Ok(full))
                .map_err(|_| std::io::Error::other("the client closed the stream"))?;
        }
        Ok(())
    }
}

impl out::RecordSink for GrpcSink {
    fn record(&mut self, _: &dyn Any, json: &dyn Fn() -> serde_json::Result<serde_json::Value>) -> std::io::Result<()> {
        let d = to_data(self.kind, json).map_err(std::io::Error::other)?;
        self.push(d.into())
    }

    fn tape_file(&mut self, view: &TapeFileView<'_>) -> std::io::Result<()> {
        // A hint: a longer record grows the buffer as it is written.
        if self.buf.capacity() < RECORD_HINT {
            self.buf = BytesMut::with_capacity(BUFFER);
        }
        tapefile_writer::write_data(view, &mut self.buf);
        let encoded = self.buf.split().freeze();
        self.push(Record::Encoded(encoded))
    }
}

/// Batches from the catalogue thread, flattened into one record stream.
struct Batches {
    rx: mpsc::Receiver<Batch>,
    ready: VecDeque<Record>,
}

impl Stream for Batches {
    type Item = Result<Record, BackendError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(d) = self.ready.pop_front() {
                return Poll::Ready(Some(Ok(d)));
            }
            match self.rx.poll_recv(cx) {
                Poll::Ready(Some(Ok(batch))) => self.ready.extend(batch),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

#[tonic::async_trait]
impl AdminBackend for SimBackend {
    async fn is_admin(&self, user: &str) -> Result<bool, BackendError> {
        let (dir, user) = (self.dir.clone(), user.to_owned());
        blocking(move || is_admin(&dir, &user).map_err(backend_error)).await
    }

    async fn list(&self, caller: &Caller, command: &DecodedCommand) -> Result<RecordStream, BackendError> {
        let p = parsed(command)?;
        let kind = command
            .command
            .record_kind()
            .ok_or_else(|| BackendError::User(format!("{} is not a listing", command.command)))?;
        let (dir, who) = (self.dir.clone(), who(caller));
        let (tx, mut rx) = mpsc::channel::<Batch>(8);
        tokio::task::spawn_blocking(move || {
            let mut sink = GrpcSink {
                kind,
                batch: Vec::with_capacity(BATCH),
                buf: BytesMut::new(),
                tx,
            };
            let res = execute_as(&dir, &p, who, &mut std::io::sink(), Some(&mut sink));
            let last = match res {
                Ok(()) => Ok(std::mem::take(&mut sink.batch)),
                Err(e) => Err(backend_error(e)),
            };
            let _ = sink.tx.blocking_send(last);
        });
        // Errors found before the first record become the call's status (no records).
        let first = match rx.recv().await {
            Some(Ok(b)) => b,
            Some(Err(e)) => return Err(e),
            None => return Err(BackendError::Failed("the listing stopped unexpectedly".into())),
        };
        Ok(Box::pin(Batches {
            rx,
            ready: first.into(),
        }))
    }

    async fn execute(&self, caller: &Caller, command: &DecodedCommand) -> Result<String, BackendError> {
        let p = parsed(command)?;
        let (dir, who) = (self.dir.clone(), who(caller));
        blocking(move || {
            let mut text = Vec::new();
            execute_as(&dir, &p, who, &mut text, None).map_err(backend_error)?;
            Ok(String::from_utf8_lossy(&text).into_owned())
        })
        .await
    }
}

/// Shares one backend between the server's services.
pub fn backend(dir: &Path) -> crate::Result<Arc<SimBackend>> {
    SimBackend::new(dir).map(Arc::new)
}
