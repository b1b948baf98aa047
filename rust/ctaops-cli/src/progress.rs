//! Progress of long-running commands: a bar on stderr when stderr is a terminal (redrawn a few
//! times a second, cleared at the end), otherwise a `tracing` info line every interval
//! (default 10 s; `CTAOPS_PROGRESS_INTERVAL` seconds, fractions allowed, so tests need not wait).
//! Never anything on stdout: that is the command's data.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Environment variable giving the interval of the not-on-a-terminal lines, in seconds.
pub const INTERVAL_ENV: &str = "CTAOPS_PROGRESS_INTERVAL";
const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);
/// Redraws per second of the bar: enough to look live, few enough not to cost a fast loop.
const REDRAW_HZ: u8 = 4;

fn interval() -> Duration {
    std::env::var(INTERVAL_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .unwrap_or(DEFAULT_INTERVAL)
}

/// Rate-limits the plain lines: the first update after each `every` passes.
#[derive(Debug)]
pub struct Throttle {
    every: Duration,
    next: Instant,
}

impl Throttle {
    #[must_use]
    pub fn new(every: Duration, now: Instant) -> Self {
        Self {
            every,
            next: now + every,
        }
    }

    /// Whether to report at `now`; if so the next report is due one interval later.
    pub fn due(&mut self, now: Instant) -> bool {
        if now < self.next {
            return false;
        }
        self.next = now + self.every;
        true
    }
}

enum Display {
    Bar(ProgressBar),
    Lines(Throttle),
}

/// One command's progress.
pub struct Progress {
    what: &'static str,
    display: Display,
}

impl Progress {
    /// Progress of `what` (e.g. `tape verify`), `total` units if known.
    #[must_use]
    pub fn new(what: &'static str, total: Option<u64>) -> Self {
        let display = if std::io::stderr().is_terminal() {
            let bar = total.map_or_else(ProgressBar::new_spinner, ProgressBar::new);
            bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(REDRAW_HZ));
            let template = if total.is_some() {
                "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg}"
            } else {
                "{prefix} [{elapsed_precise}] {spinner} {msg}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.set_prefix(what);
            if total.is_none() {
                bar.enable_steady_tick(Duration::from_millis(250));
            }
            Display::Bar(bar)
        } else {
            Display::Lines(Throttle::new(interval(), Instant::now()))
        };
        Self { what, display }
    }

    /// `done` units so far; `message` (built only when shown) says the rest, e.g. the rate.
    pub fn update(&mut self, done: u64, message: impl FnOnce() -> String) {
        match &mut self.display {
            Display::Bar(bar) => {
                bar.set_position(done);
                bar.set_message(message());
            }
            Display::Lines(throttle) => {
                if throttle.due(Instant::now()) {
                    tracing::info!(target: "ctaops::progress", "{}: {done} done, {}", self.what, message());
                }
            }
        }
    }

    /// Removes the bar (nothing of it stays on the terminal).
    pub fn finish(self) {
        if let Display::Bar(bar) = self.display {
            bar.finish_and_clear();
        }
    }
}

/// Runs `work` with a spinner (terminal) or a periodic "still running" line: for commands whose
/// work happens in one library call that reports nothing until it is done.
pub fn while_running<T>(what: &'static str, work: impl FnOnce() -> T) -> T {
    let progress = Progress::new(what, None);
    let result = match &progress.display {
        Display::Bar(_) => work(),
        Display::Lines(_) => {
            let every = interval();
            let (stop, stopped) = std::sync::mpsc::channel::<()>();
            let started = Instant::now();
            let ticker = std::thread::spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
                    tracing::info!(
                        target: "ctaops::progress",
                        "{what}: still running after {:.0} s",
                        started.elapsed().as_secs_f64()
                    );
                }
            });
            let result = work();
            drop(stop);
            let _ = ticker.join();
            result
        }
    };
    progress.finish();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_reports_once_per_interval() {
        let start = Instant::now();
        let mut t = Throttle::new(Duration::from_millis(100), start);
        assert!(!t.due(start));
        assert!(!t.due(start + Duration::from_millis(99)));
        assert!(t.due(start + Duration::from_millis(100)));
        assert!(!t.due(start + Duration::from_millis(150)));
        assert!(t.due(start + Duration::from_millis(260)));
    }

    #[test]
    fn a_per_file_loop_draws_a_few_lines_not_one_per_file() {
        let start = Instant::now();
        let mut t = Throttle::new(Duration::from_millis(250), start);
        // 10,000 files in one simulated second
        let shown = (0..10_000u64)
            .filter(|i| t.due(start + Duration::from_micros(i * 100)))
            .count();
        assert_eq!(shown, 3);
    }
}
