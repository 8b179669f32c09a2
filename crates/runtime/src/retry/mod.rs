//! Trying a call again after throttles, transient server errors and broken connections, as
//! the AWS SDKs' standard and adaptive retry modes define it.
//!
//! - [`classify`] decides whether a failed attempt is worth repeating, under a
//!   [`RetryPolicy`];
//! - [`RetryQuota`] is the client's retry budget, so that an outage does not multiply the
//!   load on the service;
//! - [`RateLimiter`] is the adaptive mode's client-side sending rate;
//! - [`Retry`] is the middleware that runs the attempts.

mod adaptive;
mod classify;
mod middleware;
mod quota;

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use adaptive::RateLimiter;
pub use classify::{classify, retry_after, RetryKind};
pub use middleware::Retry;
pub use quota::RetryQuota;

/// How hard the client tries: the AWS SDKs' `retry_mode` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RetryMode {
    /// Backoff with jitter and a retry quota.
    #[default]
    Standard,
    /// Standard, and the client also slows its own sending rate while it is throttled.
    Adaptive,
}

impl FromStr for RetryMode {
    type Err = String;

    /// Reads `standard` or `adaptive`; `legacy`, the older SDKs' mode, reads as `standard`.
    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "standard" | "legacy" => Ok(Self::Standard),
            "adaptive" => Ok(Self::Adaptive),
            other => Err(format!(
                "unknown retry mode `{other}`: use `standard` or `adaptive`"
            )),
        }
    }
}

impl fmt::Display for RetryMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Standard => "standard",
            Self::Adaptive => "adaptive",
        })
    }
}

/// Which failures are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RetryPolicy {
    /// What the AWS SDKs retry: throttles, 500, 502, 503 and 504, timeouts and broken
    /// connections. A synchronous `Invoke` retried after its request arrived may run the
    /// function twice.
    #[default]
    Standard,
    /// Only failures where the request cannot have run: the connection could not be opened,
    /// or the service refused it with a throttle. For functions that must not run twice.
    InvocationSafe,
}

/// How failed attempts are retried.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use lamina_runtime::retry::{RetryConfig, RetryMode, RetryPolicy};
///
/// let retry = RetryConfig::default()
///     .with_max_attempts(5)
///     .with_mode(RetryMode::Adaptive)
///     .with_policy(RetryPolicy::InvocationSafe)
///     .with_initial_backoff(Duration::from_millis(10));
/// assert_eq!(retry.max_attempts(), 5);
/// assert_eq!(retry.mode(), RetryMode::Adaptive);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryConfig {
    mode: RetryMode,
    policy: RetryPolicy,
    max_attempts: u32,
    initial_backoff: Duration,
    throttling_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            mode: RetryMode::Standard,
            policy: RetryPolicy::Standard,
            max_attempts: 3,
            initial_backoff: Duration::from_millis(50),
            throttling_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(20),
        }
    }
}

impl RetryConfig {
    /// How many attempts a call makes at most, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Sets the number of attempts (at least 1; 1 turns retries off).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The retry mode.
    pub fn mode(&self) -> RetryMode {
        self.mode
    }

    /// Sets the retry mode.
    pub fn with_mode(mut self, mode: RetryMode) -> Self {
        self.mode = mode;
        self
    }

    /// Which failures are retried.
    pub fn policy(&self) -> RetryPolicy {
        self.policy
    }

    /// Sets which failures are retried.
    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Sets the base delay before retrying a transient error; throttles wait twenty times as
    /// long, as with the defaults of 50 ms and 1 s.
    pub fn with_initial_backoff(mut self, base: Duration) -> Self {
        self.initial_backoff = base;
        self.throttling_backoff = base * 20;
        self
    }

    /// The longest wait a server's `Retry-After` may ask for; longer requests are cut to it.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// Sets the longest wait a server's `Retry-After` may ask for (20 s by default).
    pub fn with_max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// The longest the client waits before retrying, after `attempt` attempts failed for
    /// `kind`: exponential growth with full jitter, capped at 20 s.
    pub fn backoff(&self, kind: RetryKind, attempt: u32) -> Duration {
        let base = match kind {
            RetryKind::Throttling => self.throttling_backoff,
            RetryKind::Transient | RetryKind::Timeout => self.initial_backoff,
        };
        let exponent = attempt.saturating_sub(1).min(16);
        let ceiling = base.saturating_mul(1 << exponent).min(self.max_backoff);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// What the calls of one configuration share about retrying: the quota and, in adaptive
/// mode, the sending rate, and the attempt header values.
#[derive(Debug)]
pub struct RetryState {
    quota: RetryQuota,
    limiter: Mutex<RateLimiter>,
    epoch: tokio::time::Instant,
    attempt_headers: std::sync::OnceLock<(u32, Vec<http::HeaderValue>)>,
}

impl RetryState {
    /// Fresh state: a full quota and no rate limit.
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            quota: RetryQuota::default(),
            limiter: Mutex::new(RateLimiter::default()),
            epoch: tokio::time::Instant::now(),
            attempt_headers: std::sync::OnceLock::new(),
        })
    }

    /// The `amz-sdk-request` value of attempt `attempt` of at most `max`: `attempt=1; max=3`.
    ///
    /// The values for the first `max` attempts are made once and then shared by every call.
    ///
    /// # Example
    /// ```
    /// use lamina_runtime::retry::RetryState;
    /// let state = RetryState::new();
    /// assert_eq!(state.attempt_header(2, 3).unwrap(), "attempt=2; max=3");
    /// ```
    pub fn attempt_header(&self, attempt: u32, max: u32) -> Option<http::HeaderValue> {
        let text = |attempt: u32| format!("attempt={attempt}; max={max}");
        let (kept_max, kept) = self.attempt_headers.get_or_init(|| {
            let values = (1..=max.min(16)).filter_map(|a| text(a).try_into().ok());
            (max, values.collect())
        });
        let index = usize::try_from(attempt).ok()?.checked_sub(1)?;
        match kept.get(index) {
            Some(value) if *kept_max == max => Some(value.clone()),
            _ => http::HeaderValue::try_from(text(attempt)).ok(),
        }
    }

    /// The retry quota.
    pub fn quota(&self) -> &RetryQuota {
        &self.quota
    }

    /// Runs `f` on the adaptive rate limiter with the current time in seconds.
    pub fn with_limiter<T>(&self, f: impl FnOnce(&mut RateLimiter, f64) -> T) -> T {
        let now = self.epoch.elapsed().as_secs_f64();
        let mut limiter = self
            .limiter
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut limiter, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempt_headers_count_attempts_against_the_maximum() {
        let state = RetryState::new();
        let header = |attempt, max| state.attempt_header(attempt, max).unwrap();

        assert_eq!(header(1, 3), "attempt=1; max=3");
        assert_eq!(header(3, 3), "attempt=3; max=3");
        assert_eq!(header(4, 3), "attempt=4; max=3");
        assert_eq!(header(2, 5), "attempt=2; max=5");
        assert_eq!(state.attempt_header(0, 3), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let config = RetryConfig::default();
        for attempt in 1..40 {
            let delay = config.backoff(RetryKind::Throttling, attempt);
            assert!(delay <= Duration::from_secs(20), "{delay:?}");
        }
        for _ in 0..100 {
            assert!(config.backoff(RetryKind::Transient, 1) <= Duration::from_millis(50));
        }
    }

    #[test]
    fn at_least_one_attempt() {
        assert_eq!(
            RetryConfig::default().with_max_attempts(0).max_attempts(),
            1
        );
    }

    #[test]
    fn modes_read_as_the_aws_settings_name_them() {
        assert_eq!("adaptive".parse(), Ok(RetryMode::Adaptive));
        assert_eq!(" Standard ".parse(), Ok(RetryMode::Standard));
        assert_eq!("legacy".parse(), Ok(RetryMode::Standard));
        let err = "fast".parse::<RetryMode>().unwrap_err();
        assert!(err.contains("`fast`") && err.contains("adaptive"), "{err}");
    }
}
