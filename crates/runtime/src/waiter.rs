//! Waiters: calling an operation until its result says a resource reached a state.
//!
//! The generated waiters describe, for each result, which state it means (the model's
//! acceptors); this module does the polling: delays that grow from the model's minimum to
//! its maximum with jitter, an overall time limit chosen by the caller, and clear errors.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::SdkError;
use crate::middleware::BoxFuture;

/// What a result means to a waiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// The resource is in the wanted state: stop and return the result.
    Success,
    /// The resource can no longer reach the wanted state: stop with an error.
    Failure,
    /// Not there yet: wait and call again.
    Retry,
}

/// Time and randomness for waiters, replaceable so that tests do not sleep.
pub trait WaiterClock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Instant;

    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;

    /// A random number in `[0, 1)`, for jitter.
    fn random(&self) -> f64;
}

/// The real clock: tokio's timer and a fast random source.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemWaiterClock;

impl WaiterClock for SystemWaiterClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }

    fn random(&self) -> f64 {
        fastrand::f64()
    }
}

/// A clock shared by the waiters of a client.
pub type SharedWaiterClock = Arc<dyn WaiterClock>;

/// The delays of a waiter, from its model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delays {
    /// The shortest wait between attempts.
    pub min: Duration,
    /// The longest wait between attempts.
    pub max: Duration,
}

impl Delays {
    /// The wait before attempt `attempt + 1` (after `attempt` attempts): it doubles from the
    /// minimum up to the maximum, and a random point between the minimum and that is taken.
    pub fn delay(&self, attempt: u32, random: f64) -> Duration {
        let grown = self
            .min
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
            .min(self.max);
        let spread = grown.saturating_sub(self.min);
        self.min + spread.mul_f64(random.clamp(0.0, 1.0))
    }
}

/// Why a waiter stopped without reaching the wanted state.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaiterError<O, E> {
    /// A result matched a failure acceptor: the resource cannot reach the wanted state.
    FailureState {
        /// The waiter's name.
        waiter: &'static str,
        /// The result that matched.
        last: Box<Result<O, SdkError<E>>>,
        /// How many calls were made.
        attempts: u32,
    },
    /// The time limit ran out before a result matched a success acceptor.
    TimedOut {
        /// The waiter's name.
        waiter: &'static str,
        /// The time limit.
        max_wait: Duration,
        /// How many calls were made.
        attempts: u32,
    },
    /// A call failed in a way no acceptor expects.
    Operation {
        /// The waiter's name.
        waiter: &'static str,
        /// The error.
        error: SdkError<E>,
    },
}

impl<O, E: fmt::Display> fmt::Display for WaiterError<O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaiterError::FailureState {
                waiter, attempts, ..
            } => write!(
                f,
                "waiter {waiter} stopped: after {attempts} calls the resource is in a state \
                 from which it cannot succeed"
            ),
            WaiterError::TimedOut {
                waiter,
                max_wait,
                attempts,
            } => write!(
                f,
                "waiter {waiter} ran out of time: not done after {:.1} s and {attempts} calls",
                max_wait.as_secs_f64()
            ),
            WaiterError::Operation { waiter, error } => {
                write!(f, "waiter {waiter} stopped on an unexpected error: {error}")
            }
        }
    }
}

impl<O: fmt::Debug, E: std::error::Error + 'static> std::error::Error for WaiterError<O, E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaiterError::Operation { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Calls `call` until `classify` says a result means success (returned) or failure (an
/// error), waiting between calls as `delays` says, for `max_wait` at most.
///
/// A result no acceptor matches is retried when it is an output, and ends the wait when it
/// is an error.
pub async fn wait<O, E>(
    waiter: &'static str,
    delays: Delays,
    max_wait: Duration,
    clock: &dyn WaiterClock,
    call: impl Fn() -> BoxFuture<'static, Result<O, SdkError<E>>>,
    classify: impl Fn(&Result<O, SdkError<E>>) -> Option<State>,
) -> Result<O, WaiterError<O, E>> {
    let start = clock.now();
    let mut attempts = 0;

    loop {
        attempts += 1;
        let result = call().await;
        match classify(&result) {
            Some(State::Success) => {
                return result.map_err(|error| WaiterError::Operation { waiter, error });
            }
            Some(State::Failure) => {
                return Err(WaiterError::FailureState {
                    waiter,
                    last: Box::new(result),
                    attempts,
                })
            }
            Some(State::Retry) => {}
            None => {
                if let Err(error) = result {
                    return Err(WaiterError::Operation { waiter, error });
                }
            }
        }

        let elapsed = clock.now().saturating_duration_since(start);
        let remaining = max_wait.saturating_sub(elapsed);
        let delay = delays.delay(attempts, clock.random());
        if remaining.is_zero() || delay > remaining {
            return Err(WaiterError::TimedOut {
                waiter,
                max_wait,
                attempts,
            });
        }
        tracing::debug!(waiter, attempts, ?delay, "waiting before the next call");
        clock.sleep(delay).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Unhandled;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Mutex;

    /// Virtual time: sleeping moves the clock forward at once.
    struct FakeClock {
        start: Instant,
        elapsed: Mutex<Duration>,
        slept: Mutex<Vec<Duration>>,
    }

    impl FakeClock {
        fn new() -> Self {
            Self {
                start: Instant::now(),
                elapsed: Mutex::new(Duration::ZERO),
                slept: Mutex::new(Vec::new()),
            }
        }
    }

    impl WaiterClock for FakeClock {
        fn now(&self) -> Instant {
            self.start + *self.elapsed.lock().unwrap()
        }

        fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
            *self.elapsed.lock().unwrap() += duration;
            self.slept.lock().unwrap().push(duration);
            Box::pin(async {})
        }

        fn random(&self) -> f64 {
            1.0
        }
    }

    const DELAYS: Delays = Delays {
        min: Duration::from_secs(1),
        max: Duration::from_secs(8),
    };

    #[test]
    fn delays_double_up_to_the_maximum() {
        let delays: Vec<u64> = (1..7).map(|a| DELAYS.delay(a, 1.0).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 8, 8]);
        assert_eq!(DELAYS.delay(5, 0.0), Duration::from_secs(1));
    }

    #[tokio::test]
    async fn retries_until_success_without_sleeping_for_real() {
        let clock = FakeClock::new();
        let calls = AtomicU32::new(0);
        let call = || {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            Box::pin(async move { Ok::<u32, SdkError<Unhandled>>(n) }) as BoxFuture<'static, _>
        };
        let classify = |r: &Result<u32, SdkError<Unhandled>>| match r {
            Ok(n) if *n >= 2 => Some(State::Success),
            Ok(_) => Some(State::Retry),
            Err(_) => None,
        };

        let done = wait(
            "Test",
            DELAYS,
            Duration::from_secs(60),
            &clock,
            call,
            classify,
        )
        .await;

        assert_eq!(done.unwrap(), 2);
        assert_eq!(
            *clock.slept.lock().unwrap(),
            [Duration::from_secs(1), Duration::from_secs(2)]
        );
    }

    #[tokio::test]
    async fn running_out_of_time_is_its_own_error() {
        let clock = FakeClock::new();
        let call =
            || Box::pin(async { Ok::<u32, SdkError<Unhandled>>(0) }) as BoxFuture<'static, _>;

        let err = wait(
            "Test",
            DELAYS,
            Duration::from_secs(10),
            &clock,
            call,
            |_| Some(State::Retry),
        )
        .await
        .unwrap_err();

        assert!(
            matches!(err, WaiterError::TimedOut { attempts: 4, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("ran out of time"), "{err}");
    }
}
