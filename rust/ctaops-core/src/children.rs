//! Child processes outlive nothing: a process that forwards termination (the `ctaops` command
//! line, the Python tools) passes SIGTERM, SIGINT and SIGHUP on to every child it is running —
//! to the child's whole process group when it leads one (as `cta-admin` does, so that a
//! timeout can kill what it started) — then exits with 128 + the signal number.
//!
//! Without this, a child in its own process group is orphaned when its parent is killed (a
//! terminal's Ctrl-C reaches only the foreground group; `kill PID` only PID).
//!
//! Forwarding is opt-in per process ([`forward_termination`]), and the handlers are installed
//! only when the first child is spawned: a library user keeps its own signal handling, and a
//! command that spawns nothing (`ctaops sim serve`, with its graceful shutdown) is unaffected.

use std::io;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, Once, PoisonError};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;

/// How long children get to exit after the forwarded signal before they are killed.
const GRACE: Duration = Duration::from_secs(2);

/// Whether a child leads its own process group (`Command::process_group(0)`, `setsid`) or
/// shares ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Own,
    Shared,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Live {
    pid: i32,
    group: Group,
}

static LIVE: Mutex<Vec<Live>> = Mutex::new(Vec::new());
static ENABLED: AtomicBool = AtomicBool::new(false);
static INSTALL: Once = Once::new();

fn live() -> MutexGuard<'static, Vec<Live>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Makes this process forward termination signals to its children (see the module docs).
/// Call it from a program's `main`, never from a library.
pub fn forward_termination() {
    ENABLED.store(true, Ordering::SeqCst);
}

/// A child being tracked; dropping it stops tracking (after the child was waited for).
#[derive(Debug)]
#[must_use = "the child is tracked only while this lives"]
pub struct Tracked {
    pid: i32,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        live().retain(|l| l.pid != self.pid);
    }
}

/// Spawns `cmd` and tracks the child. The registry is locked across the spawn, so a signal
/// arriving meanwhile still finds the child.
pub fn spawn(cmd: &mut Command, group: Group) -> io::Result<(Child, Tracked)> {
    let mut running = live();
    install();
    let child = cmd.spawn()?;
    let pid = pid_of(child.id());
    running.push(Live { pid, group });
    Ok((child, Tracked { pid }))
}

/// Tracks a child spawned elsewhere (the Python tools' `subprocess`).
pub fn track(pid: u32, group: Group) -> Tracked {
    let pid = pid_of(pid);
    let mut running = live();
    install();
    running.push(Live { pid, group });
    Tracked { pid }
}

fn pid_of(id: u32) -> i32 {
    i32::try_from(id).unwrap_or(i32::MAX)
}

/// Sends `signal` to every tracked child (its group when it leads one). Returns how many
/// children were signalled.
fn signal_all(children: &[Live], signal: Signal) -> usize {
    children
        .iter()
        .filter(|l| {
            let pid = Pid::from_raw(l.pid);
            match l.group {
                Group::Own => killpg(pid, signal).is_ok(),
                Group::Shared => kill(pid, signal).is_ok(),
            }
        })
        .count()
}

fn any_alive(children: &[Live]) -> bool {
    children.iter().any(|l| {
        let pid = Pid::from_raw(l.pid);
        match l.group {
            Group::Own => killpg(pid, None).is_ok(),
            Group::Shared => kill(pid, None).is_ok(),
        }
    })
}

/// Forwards `signal` to the children, waits up to [`GRACE`] for them, kills what is left, and
/// exits with the conventional status. The registry stays locked: nothing new is spawned.
fn stop_children_and_exit(signal: Signal) -> ! {
    let children = live();
    if signal_all(&children, signal) > 0 {
        tracing::warn!(signal = %signal, children = children.len(), "terminating: stopping child processes");
        let deadline = Instant::now() + GRACE;
        while any_alive(&children) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        signal_all(&children, Signal::SIGKILL);
    }
    std::process::exit(128 + signal as i32)
}

/// Installs the handlers (once, when enabled) on a thread of their own: tokio's signal
/// support, so no signal-handler code of ours runs in signal context.
fn install() {
    if !ENABLED.load(Ordering::SeqCst) {
        return;
    }
    INSTALL.call_once(|| {
        if let Err(e) = listen() {
            tracing::warn!(error = %e, "cannot install signal handlers: children are not stopped with this process");
        }
    });
}

fn listen() -> io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let rt = tokio::runtime::Builder::new_current_thread().enable_io().build()?;
    // Registered here, before the first child exists; awaited on the thread below.
    let (mut term, mut int, mut hup) = rt.block_on(async {
        Ok::<_, io::Error>((
            signal(SignalKind::terminate())?,
            signal(SignalKind::interrupt())?,
            signal(SignalKind::hangup())?,
        ))
    })?;
    std::thread::Builder::new()
        .name("ctaops-signals".into())
        .spawn(move || {
            let got = rt.block_on(async {
                tokio::select! {
                    _ = term.recv() => Signal::SIGTERM,
                    _ = int.recv() => Signal::SIGINT,
                    _ = hup.recv() => Signal::SIGHUP,
                }
            });
            stop_children_and_exit(got)
        })?;
    Ok(())
}
