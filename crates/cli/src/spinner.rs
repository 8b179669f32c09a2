//! A spinner on standard error while a synchronous call runs longer than a second.

use std::future::Future;
use std::io::Write;
use std::time::{Duration, Instant};

/// How long a call runs before the spinner shows.
const QUIET_FOR: Duration = Duration::from_secs(1);

const FRAMES: [char; 10] = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/// Awaits `call`, drawing a spinner with the seconds elapsed once it has run for a second,
/// and clearing it when the call ends. For terminals only: the caller checks.
pub(crate) async fn while_waiting<T>(function: &str, call: impl Future<Output = T>) -> T {
    let start = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut frame = 0;
    let mut drawn = false;
    tokio::pin!(call);

    let result = loop {
        tokio::select! {
            result = &mut call => break result,
            _ = tick.tick() => {
                let elapsed = start.elapsed();
                if elapsed < QUIET_FOR {
                    continue;
                }
                let mut err = std::io::stderr().lock();
                let _ = write!(
                    err,
                    "\r{} waiting for {function}: {} s",
                    FRAMES[frame % FRAMES.len()],
                    elapsed.as_secs()
                );
                let _ = err.flush();
                frame += 1;
                drawn = true;
            }
        }
    };

    if drawn {
        let _ = write!(std::io::stderr(), "\r\x1b[2K");
    }
    result
}
