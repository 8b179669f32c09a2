//! Trying a call again after throttles, transient server errors and broken connections.

use std::time::Duration;

use http::HeaderValue;

use crate::error::{DispatchKind, Failure, SdkError};
use crate::middleware::{BoxFuture, Context, Middleware, Next};
use crate::transport::copy_request;

/// Error codes AWS services use for throttling.
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes AWS services use for failures that may pass on their own.
const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException"];

/// HTTP statuses that mean the service may succeed if asked again.
const TRANSIENT_STATUSES: &[u16] = &[500, 502, 503, 504];

/// How failed attempts are retried.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use lamina_runtime::retry::RetryConfig;
///
/// let retry = RetryConfig::default()
///     .with_max_attempts(5)
///     .with_initial_backoff(Duration::from_millis(10));
/// assert_eq!(retry.max_attempts(), 5);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryConfig {
    max_attempts: u32,
    initial_backoff: Duration,
    throttling_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(50),
            throttling_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
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

    /// Sets the base delay before retrying a transient error; throttles wait twenty times as
    /// long, as with the defaults of 50 ms and 1 s.
    pub fn with_initial_backoff(mut self, base: Duration) -> Self {
        self.initial_backoff = base;
        self.throttling_backoff = base * 20;
        self
    }

    /// The longest the client waits before retrying, after `attempt` attempts failed for
    /// `kind`: exponential growth with full jitter, capped at 20 s.
    pub fn backoff(&self, kind: RetryKind, attempt: u32) -> Duration {
        let base = match kind {
            RetryKind::Throttling => self.throttling_backoff,
            RetryKind::Transient => self.initial_backoff,
        };
        let exponent = attempt.saturating_sub(1).min(16);
        let ceiling = base.saturating_mul(1 << exponent).min(self.max_backoff);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// Why an attempt is worth repeating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryKind {
    /// The service asked the client to slow down.
    Throttling,
    /// The failure may pass on its own: a 5xx, a timeout or a broken connection.
    Transient,
}

/// Whether a failed attempt is worth repeating, and why.
pub fn classify(failure: &Failure) -> Option<RetryKind> {
    match failure {
        SdkError::Service(e) => {
            let code = e.metadata().code().unwrap_or_default();
            let status = e.metadata().response().http_status();
            if THROTTLING_CODES.contains(&code) || status == 429 {
                Some(RetryKind::Throttling)
            } else if TRANSIENT_CODES.contains(&code) || TRANSIENT_STATUSES.contains(&status) {
                Some(RetryKind::Transient)
            } else {
                None
            }
        }
        SdkError::Dispatch(e) if e.kind() != DispatchKind::Credentials => {
            Some(RetryKind::Transient)
        }
        _ => None,
    }
}

/// Finalize-step middleware that runs the rest of the chain again while a failure is
/// retryable and attempts remain, and sends `amz-sdk-request: attempt=N; max=M`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Retry;

impl Middleware for Retry {
    fn handle<'a>(
        &'a self,
        ctx: &'a mut Context,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            let config = ctx.config().retry().clone();
            let original = crate::middleware::request_of(ctx).map(|r| copy_request(r))?;
            let mut attempt = 0;

            loop {
                attempt += 1;
                let mut request = copy_request(&original);
                let header = format!("attempt={attempt}; max={}", config.max_attempts());
                if let Ok(value) = HeaderValue::try_from(header) {
                    request.headers_mut().insert("amz-sdk-request", value);
                }
                ctx.set_request(request);

                let failure = match next.run(ctx).await {
                    Ok(()) => return Ok(()),
                    Err(failure) => failure,
                };
                let kind = match classify(&failure) {
                    Some(kind) if attempt < config.max_attempts() => kind,
                    _ => return Err(failure),
                };

                let delay = config.backoff(kind, attempt);
                tracing::debug!(attempt, ?kind, ?delay, error = %failure, "retrying");
                tokio::time::sleep(delay).await;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
