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
    // The frontend serves subcommands cta-admin refuses (recycletf restore).
    let mut p = parse::parse_frontend(&c.command.argv()).map_err(backend_error)?;
    if !c.lists.is_empty() {
        let specs =
            ctaops_core::admin::options::options(&p.cmd, Some(p.sub.as_str()).filter(|s| !s.is_empty())).unwrap_or(&[]);
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

/// Records from the catalogue thread. `last` marks the end of the listing: a channel that closes
/// without it (the thread died) is an error, never a short list passed off as complete.
struct Batch {
    records: Vec<Record>,
    last: bool,
}

type Sent = Result<Batch, BackendError>;

/// Where the catalogue thread puts a listing's records: batches of [`BATCH`] for the stream.
struct GrpcSink {
    kind: Kind,
    batch: Vec<Record>,
    /// Encoded records are written here and split off, one shared buffer per ~[`BUFFER`] bytes.
    buf: BytesMut,
    tx: mpsc::Sender<Sent>,
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
                .blocking_send(Ok(Batch {
                    records: full,
                    last: false,
                }))
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
    rx: mpsc::Receiver<Sent>,
    ready: VecDeque<Record>,
    /// The last batch (or an error) has come.
    ended: bool,
}

impl Stream for Batches {
    type Item = Result<Record, BackendError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(d) = self.ready.pop_front() {
                return Poll::Ready(Some(Ok(d)));
            }
            match self.rx.poll_recv(cx) {
                Poll::Ready(Some(Ok(batch))) => {
                    self.ended = batch.last;
                    self.ready.extend(batch.records);
                }
                Poll::Ready(Some(Err(e))) => {
                    self.ended = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) if self.ended => return Poll::Ready(None),
                Poll::Ready(None) => {
                    self.ended = true;
                    return Poll::Ready(Some(Err(stopped())));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

fn stopped() -> BackendError {
    BackendError::Failed("the listing stopped unexpectedly".into())
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
        let (tx, mut rx) = mpsc::channel::<Sent>(8);
        tokio::task::spawn_blocking(move || {
            let mut sink = GrpcSink {
                kind,
                batch: Vec::with_capacity(BATCH),
                buf: BytesMut::new(),
                tx,
            };
            let res = execute_as(&dir, &p, who, &mut std::io::sink(), Some(&mut sink));
            let last = match res {
                Ok(()) => Ok(Batch {
                    records: std::mem::take(&mut sink.batch),
                    last: true,
                }),
                Err(e) => Err(backend_error(e)),
            };
            let _ = sink.tx.blocking_send(last);
        });
        // Errors found before the first record become the call's status (no records).
        let first = match rx.recv().await {
            Some(Ok(b)) => b,
            Some(Err(e)) => return Err(e),
            None => return Err(stopped()),
        };
        Ok(Box::pin(Batches {
            rx,
            ready: first.records.into(),
            ended: first.last,
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

#[cfg(test)]
mod tests {
    use tokio_stream::StreamExt as _;

    use super::*;

    fn batch(n: usize, last: bool) -> Sent {
        let records = (0..n)
            .map(|_| Record::Encoded(bytes::Bytes::from_static(b"x")))
            .collect();
        Ok(Batch { records, last })
    }

    async fn drain(sent: Vec<Sent>) -> (usize, Option<String>) {
        let (tx, rx) = mpsc::channel(sent.len().max(1));
        for s in sent {
            tx.send(s).await.unwrap();
        }
        drop(tx);
        let mut stream = Batches {
            rx,
            ready: VecDeque::new(),
            ended: false,
        };
        let (mut n, mut err) = (0, None);
        while let Some(r) = stream.next().await {
            match r {
                Ok(_) => n += 1,
                Err(e) => err = Some(e.to_string()),
            }
        }
        (n, err)
    }

    #[tokio::test]
    async fn a_listing_ends_only_with_its_last_batch() {
        assert_eq!(drain(vec![batch(2, false), batch(1, true)]).await, (3, None));
        // The catalogue thread went away after a first batch: an error after the records, not
        // a short list that looks complete.
        let (n, err) = drain(vec![batch(2, false)]).await;
        assert_eq!(n, 2);
        assert!(err.unwrap().contains("stopped unexpectedly"));
        let (n, err) = drain(vec![batch(1, false), Err(BackendError::User("no such tape".into()))]).await;
        assert_eq!((n, err.as_deref()), (1, Some("no such tape")));
    }
}
