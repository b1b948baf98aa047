//! The server's accept loop: TLS done here (not by tonic) so that every connection is bounded —
//! a TLS handshake timeout, an idle timeout, a connection limit that never exceeds what
//! `RLIMIT_NOFILE` allows, and a pause (never a spin) when descriptors run out anyway.
//!
//! At the limit, a new connection makes room by dropping the oldest connection still in its TLS
//! handshake: a crowd of sockets that never start TLS cannot keep a real client waiting for
//! the handshake timeout. Established connections are never dropped to make room.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio::time::{Instant, Sleep};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::server::TlsStream;
use tokio_stream::wrappers::UnboundedReceiverStream;
use tonic::transport::server::Connected;

/// Descriptors kept back from the connection limit for everything else the server opens
/// (catalogue files, logs, the runtime's own descriptors, blocking threads).
pub const RESERVED_FDS: u64 = 32;
/// How long the accept loop pauses when the process is out of descriptors.
const FD_EXHAUSTED_PAUSE: Duration = Duration::from_millis(100);

/// Limits of [`crate::server::serve`]; see `docs/reliability.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    /// A connection that has not completed its TLS handshake by then is closed.
    pub handshake_timeout: Duration,
    /// A connection with no byte read or written for this long is closed.
    pub idle_timeout: Duration,
    /// Connections open at once (handshaking or established); lowered to what the descriptor
    /// limit allows.
    pub max_connections: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            handshake_timeout: Duration::from_secs(10),
            // Not shorter than a client's request deadline (300 s): a request the backend takes
            // long over, with a client that sends no HTTP/2 pings, moves no byte meanwhile.
            idle_timeout: Duration::from_secs(300),
            max_connections: 256,
        }
    }
}

impl ServerLimits {
    /// `max_connections`, lowered so that connections plus [`RESERVED_FDS`] fit in the soft
    /// `RLIMIT_NOFILE` (at least 1).
    #[must_use]
    pub fn effective_max_connections(&self) -> usize {
        let fds = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
            .map_or(u64::MAX, |(soft, _)| soft);
        let allowed = usize::try_from(fds.saturating_sub(RESERVED_FDS)).unwrap_or(usize::MAX);
        self.max_connections.min(allowed).max(1)
    }
}

/// Why the TLS set-up failed.
#[derive(Debug, thiserror::Error)]
#[error("TLS set-up: {0}")]
pub struct TlsSetupError(String);

/// A rustls acceptor for `cert_pem`/`key_pem` that offers HTTP/2 (ring provider, as tonic's).
pub fn acceptor(cert_pem: &str, key_pem: &str) -> Result<TlsAcceptor, TlsSetupError> {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsSetupError(format!("server certificate: {e}")))?;
    let key =
        PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| TlsSetupError(format!("server key: {e}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| TlsSetupError(e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Connections of `listener` once their TLS handshake is done, within `limits`. The loop stops
/// (and closes the listening socket) when the stream is dropped.
pub fn tls_incoming(
    listener: TcpListener,
    tls: TlsAcceptor,
    limits: ServerLimits,
) -> UnboundedReceiverStream<io::Result<Conn>> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(accept_loop(listener, tls, limits, tx));
    UnboundedReceiverStream::new(rx)
}

/// Handshakes in progress, oldest first, so the oldest can be dropped to make room.
#[derive(Default)]
struct Handshakes {
    next: AtomicU64,
    running: Mutex<VecDeque<(u64, JoinHandle<()>)>>,
}

impl Handshakes {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<(u64, JoinHandle<()>)>> {
        self.running.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
    fn done(&self, id: u64) {
        self.lock().retain(|(i, _)| *i != id);
    }
    /// Ends the oldest handshake; once this returns its socket is closed and its slot free.
    /// False when no connection is in its handshake.
    async fn evict_oldest(&self) -> bool {
        let Some((_, task)) = self.lock().pop_front() else {
            return false;
        };
        task.abort();
        let _ = task.await;
        true
    }
}

fn fd_exhausted(e: &io::Error) -> bool {
    use nix::errno::Errno;
    matches!(
        e.raw_os_error().map(Errno::from_raw),
        Some(Errno::EMFILE | Errno::ENFILE)
    )
}

/// Errors about one connection only: the next accept may succeed at once.
fn per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

async fn accept_loop(
    listener: TcpListener,
    tls: TlsAcceptor,
    limits: ServerLimits,
    tx: mpsc::UnboundedSender<io::Result<Conn>>,
) {
    let mut max = limits.effective_max_connections();
    if max < limits.max_connections {
        tracing::warn!(
            configured = limits.max_connections,
            max,
            "the descriptor limit (ulimit -n) allows fewer connections than configured"
        );
    }
    let slots = Arc::new(Semaphore::new(max));
    // Slots still to retire after the descriptor limit was lowered under the running server.
    let mut debt = 0usize;
    let handshakes = Arc::new(Handshakes::default());
    // One warning per episode of descriptor exhaustion, not one per failed accept.
    let mut exhausted = false;
    let mut full = false;
    loop {
        let accepted = tokio::select! {
            () = tx.closed() => return,
            r = listener.accept() => r,
        };
        let tcp = match accepted {
            Ok((tcp, _)) => tcp,
            Err(e) if fd_exhausted(&e) => {
                if !exhausted {
                    tracing::warn!(error = %e, "out of file descriptors: dropping connections still in their TLS handshake, pausing accepts when there are none");
                    exhausted = true;
                }
                // The limit may have been lowered (prlimit): the connection limit follows it,
                // so that descriptors are left for the catalogue.
                let now = limits.effective_max_connections();
                if now < max {
                    tracing::warn!(max = now, "descriptor limit lowered: connection limit lowered with it");
                    debt += max - now;
                    max = now;
                }
                debt -= slots.forget_permits(debt);
                // Each round closes a connection, so retrying at once is progress, not a spin.
                if handshakes.evict_oldest().await {
                    continue;
                }
                tokio::select! {
                    () = tx.closed() => return,
                    () = tokio::time::sleep(FD_EXHAUSTED_PAUSE) => continue,
                }
            }
            Err(e) if per_connection(&e) => continue,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::select! {
                    () = tx.closed() => return,
                    () = tokio::time::sleep(FD_EXHAUSTED_PAUSE) => continue,
                }
            }
        };
        if exhausted {
            tracing::info!("file descriptors available again");
            exhausted = false;
        }
        let permit = loop {
            debt -= slots.forget_permits(debt);
            if let Ok(p) = Arc::clone(&slots).try_acquire_owned() {
                full = false;
                break p;
            }
            if !full {
                tracing::warn!(max, "connection limit reached");
                full = true;
            }
            // Its slot is free (or retired) once this returns.
            if handshakes.evict_oldest().await {
                continue;
            }
            // Only established connections: wait for one to end.
            let p = tokio::select! {
                () = tx.closed() => return,
                p = Arc::clone(&slots).acquire_owned() => match p {
                    Ok(p) => p,
                    Err(_) => return,
                },
            };
            if debt == 0 {
                break p;
            }
            p.forget();
            debt -= 1;
        };
        let _ = tcp.set_nodelay(true);
        spawn_handshake(tcp, permit, &tls, limits, &handshakes, &tx);
    }
}

fn spawn_handshake(
    tcp: TcpStream,
    permit: OwnedSemaphorePermit,
    tls: &TlsAcceptor,
    limits: ServerLimits,
    handshakes: &Arc<Handshakes>,
    tx: &mpsc::UnboundedSender<io::Result<Conn>>,
) {
    let id = handshakes.next.fetch_add(1, Ordering::Relaxed);
    let (tls, tx, registry) = (tls.clone(), tx.clone(), Arc::clone(handshakes));
    // Registered under the lock before the task can finish and try to remove itself.
    let mut running = handshakes.lock();
    let task = tokio::spawn(async move {
        let peer = tcp.peer_addr().ok();
        let result = tokio::time::timeout(limits.handshake_timeout, tls.accept(tcp)).await;
        registry.done(id);
        match result {
            Ok(Ok(io)) => {
                let _ = tx.send(Ok(Conn::new(io, permit, limits.idle_timeout)));
            }
            Ok(Err(e)) => tracing::debug!(?peer, error = %e, "TLS handshake failed"),
            Err(_) => tracing::debug!(?peer, "TLS handshake timed out"),
        }
    });
    running.push_back((id, task));
}

/// An established connection: its TLS stream, its slot, and its idle timer.
pub struct Conn {
    io: TlsStream<TcpStream>,
    _slot: OwnedSemaphorePermit,
    idle: Duration,
    last: Instant,
    timer: Pin<Box<Sleep>>,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn").field("idle", &self.idle).finish_non_exhaustive()
    }
}

impl Conn {
    fn new(io: TlsStream<TcpStream>, slot: OwnedSemaphorePermit, idle: Duration) -> Self {
        let last = Instant::now();
        Self {
            io,
            _slot: slot,
            idle,
            last,
            timer: Box::pin(tokio::time::sleep_until(last + idle)),
        }
    }

    /// Ready with an error once nothing moved for `idle`. The timer is re-armed lazily (from
    /// `last`) rather than on every byte.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        loop {
            if self.timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let deadline = self.last + self.idle;
            if deadline <= Instant::now() {
                return Poll::Ready(io::Error::new(io::ErrorKind::TimedOut, "connection idle"));
            }
            self.timer.as_mut().reset(deadline);
        }
    }
}

impl AsyncRead for Conn {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(r) => {
                if buf.filled().len() > before {
                    this.last = Instant::now();
                }
                Poll::Ready(r)
            }
            Poll::Pending => this.poll_idle(cx).map(Err),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        match Pin::new(&mut this.io).poll_write(cx, buf) {
            Poll::Ready(r) => {
                if matches!(r, Ok(n) if n > 0) {
                    this.last = Instant::now();
                }
                Poll::Ready(r)
            }
            // A peer that stops reading blocks writes: the idle timer ends that too.
            Poll::Pending => this.poll_idle(cx).map(Err),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.io).poll_flush(cx) {
            Poll::Ready(r) => Poll::Ready(r),
            Poll::Pending => this.poll_idle(cx).map(Err),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

impl Connected for Conn {
    type ConnectInfo = <TlsStream<TcpStream> as Connected>::ConnectInfo;

    /// As tonic's own TLS connections: `Request::remote_addr` works unchanged.
    fn connect_info(&self) -> Self::ConnectInfo {
        self.io.connect_info()
    }
}
