//! `ctaops sim serve`: the simulator's catalogue behind CTA's gRPC services (issue 9). The
//! backend runs the same parsed command through the same code as the simulator's `cta-admin`
//! ([`crate::admin::execute_as`]); listings hand their typed records to a sink that turns them
//! into `Data` messages, so both transports are one implementation.

use std::any::Any;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::catalogue::OptionalExtension as _;
use ctaops_core::admin::Kind;
use ctaops_core::admin::tapefile::TapeFile;
use ctaops_grpc::encode::DecodedCommand;
use ctaops_grpc::pb::cta::xrd::{Data, data};
use ctaops_grpc::{AdminBackend, BackendError, Caller, RecordStream, direct, records};
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

/// One typed record as a `Data` message: bulk types directly (moving the strings of a record
/// its producer gave up), the rest through CTA's JSON form.
fn to_data(
    kind: Kind,
    rec: &dyn Any,
    json: &dyn Fn() -> serde_json::Result<serde_json::Value>,
) -> Result<Data, String> {
    let owned = rec
        .downcast_ref::<RefCell<Option<TapeFile>>>()
        .and_then(|slot| slot.borrow_mut().take());
    let item = match (owned, rec.downcast_ref::<TapeFile>()) {
        (Some(t), _) => Some(direct::tapefile_into_pb(t)),
        (None, Some(t)) => Some(direct::tapefile_to_pb(t)),
        (None, None) => None,
    };
    if let Some(item) = item {
        return Ok(Data {
            data: Some(data::Data::TflsItem(item.map_err(|e| e.to_string())?)),
        });
    }
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

type Batch = Result<Vec<Data>, BackendError>;

/// Batches from the catalogue thread, flattened into one record stream.
struct Batches {
    rx: mpsc::Receiver<Batch>,
    ready: VecDeque<Data>,
}

impl Stream for Batches {
    type Item = Result<Data, BackendError>;

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
            let mut batch = Vec::with_capacity(BATCH);
            let mut sink = |rec: &dyn Any, json: &dyn Fn() -> serde_json::Result<serde_json::Value>| {
                batch.push(to_data(kind, rec, json).map_err(std::io::Error::other)?);
                if batch.len() >= BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    // The client went away: stop reading the catalogue.
                    tx.blocking_send(Ok(full))
                        .map_err(|_| std::io::Error::other("the client closed the stream"))?;
                }
                Ok(())
            };
            let sink: out::Sink<'_> = &mut sink;
            let res = execute_as(&dir, &p, who, &mut std::io::sink(), Some(sink));
            let last = match res {
                Ok(()) => Ok(batch),
                Err(e) => Err(backend_error(e)),
            };
            let _ = tx.blocking_send(last);
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
