//! Which failures are worth another attempt, and how long the server asked the client to
//! wait.

use std::time::{Duration, SystemTime};

use super::RetryPolicy;
use crate::datetime::DateTime;
use crate::error::{DispatchKind, Failure, SdkError};
use crate::middleware::Response;
use crate::protocol::rest_json::JsonBody;

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

/// Why an attempt is worth repeating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryKind {
    /// The service asked the client to slow down.
    Throttling,
    /// The failure may pass on its own: a 5xx or a broken connection.
    Transient,
    /// A timeout ran out; retrying costs the quota twice as much.
    Timeout,
}

/// Whether a failed attempt is worth repeating under `policy`, and why.
///
/// # Example
/// ```
/// use lamina_runtime::error::{DispatchFailure, DispatchKind, SdkError};
/// use lamina_runtime::retry::{classify, RetryKind, RetryPolicy};
///
/// let reset = SdkError::Dispatch(DispatchFailure::new(DispatchKind::Io, "http://h", None));
/// assert_eq!(classify(&reset, RetryPolicy::Standard), Some(RetryKind::Transient));
/// assert_eq!(classify(&reset, RetryPolicy::InvocationSafe), None, "it may have run");
/// ```
pub fn classify(failure: &Failure, policy: RetryPolicy) -> Option<RetryKind> {
    let kind = match failure {
        SdkError::Service(e) => {
            let code = e.metadata().code().unwrap_or_default();
            let status = e.metadata().response().http_status();
            if THROTTLING_CODES.contains(&code) || status == 429 {
                RetryKind::Throttling
            } else if TRANSIENT_CODES.contains(&code) || TRANSIENT_STATUSES.contains(&status) {
                RetryKind::Transient
            } else {
                return None;
            }
        }
        SdkError::Dispatch(e) => match e.kind() {
            DispatchKind::Credentials => return None,
            _ if e.timeout().is_some() => RetryKind::Timeout,
            DispatchKind::Timeout => RetryKind::Timeout,
            _ => RetryKind::Transient,
        },
        _ => return None,
    };

    let cannot_have_run = match failure {
        SdkError::Dispatch(e) => e.kind() == DispatchKind::Connect,
        _ => kind == RetryKind::Throttling,
    };
    match policy {
        RetryPolicy::InvocationSafe if !cannot_have_run => None,
        _ => Some(kind),
    }
}

/// How long `response` asks the client to wait before trying again: its `Retry-After`
/// header (seconds, or an HTTP date compared with `now`), else a `retryAfterSeconds` member
/// of its JSON body.
///
/// # Example
/// ```
/// use std::time::{Duration, SystemTime};
/// use lamina_runtime::retry::retry_after;
///
/// let response = http::Response::builder()
///     .status(429)
///     .header("Retry-After", "3")
///     .body(bytes::Bytes::new())
///     .unwrap();
/// assert_eq!(retry_after(&response, SystemTime::now()), Some(Duration::from_secs(3)));
/// ```
pub fn retry_after(response: &Response, now: SystemTime) -> Option<Duration> {
    if let Some(value) = response.headers().get(http::header::RETRY_AFTER) {
        let text = value.to_str().ok()?.trim();
        return seconds(text).or_else(|| {
            let at = DateTime::parse_http_date(text)?.as_secs_f64();
            let wait = at - DateTime::from(now).as_secs_f64();
            Some(Duration::from_secs_f64(wait.clamp(0.0, 1e9)))
        });
    }

    let body = JsonBody::parse(response.body());
    let value = body.get("retryAfterSeconds")?;
    match value {
        serde_json::Value::String(text) => seconds(text),
        number => seconds(&number.to_string()),
    }
}

/// A non-negative, finite number of seconds.
fn seconds(text: &str) -> Option<Duration> {
    let value: f64 = text.trim().parse().ok()?;
    (value.is_finite() && value >= 0.0).then(|| Duration::from_secs_f64(value.min(1e9)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{DispatchFailure, ErasedServiceError, ErrorMetadata, ResponseMetadata};

    fn service(code: &str, status: u16) -> Failure {
        let meta = ErrorMetadata::new(
            Some(code.to_owned()),
            None,
            ResponseMetadata::new(status, None, 1),
        );
        SdkError::Service(ErasedServiceError::new(meta.clone(), meta))
    }

    fn response(header: Option<&str>, body: &str) -> Response {
        let mut builder = http::Response::builder().status(429);
        if let Some(value) = header {
            builder = builder.header("retry-after", value);
        }
        builder.body(bytes::Bytes::from(body.to_owned())).unwrap()
    }

    #[test]
    fn the_standard_policy_retries_throttles_5xx_and_broken_connections() {
        let standard = RetryPolicy::Standard;
        let throttle = service("TooManyRequestsException", 429);
        assert_eq!(classify(&throttle, standard), Some(RetryKind::Throttling));
        let unavailable = service("ServiceException", 503);
        assert_eq!(classify(&unavailable, standard), Some(RetryKind::Transient));
        assert_eq!(
            classify(&service("ResourceNotFoundException", 404), standard),
            None
        );

        let timeout = DispatchFailure::new(DispatchKind::Timeout, "h", None);
        let timeout = SdkError::Dispatch(timeout);
        assert_eq!(classify(&timeout, standard), Some(RetryKind::Timeout));
    }

    #[test]
    fn the_invocation_safe_policy_retries_only_what_cannot_have_run() {
        let safe = RetryPolicy::InvocationSafe;
        let throttle = service("TooManyRequestsException", 429);
        assert_eq!(classify(&throttle, safe), Some(RetryKind::Throttling));
        assert_eq!(classify(&service("ServiceException", 500), safe), None);

        let refused = SdkError::Dispatch(DispatchFailure::new(DispatchKind::Connect, "h", None));
        assert_eq!(classify(&refused, safe), Some(RetryKind::Transient));
        let slow = DispatchFailure::new(DispatchKind::Timeout, "h", None);
        assert_eq!(classify(&SdkError::Dispatch(slow), safe), None);
    }

    #[test]
    fn retry_after_reads_seconds_dates_and_the_body() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let later = DateTime::from(now + Duration::from_secs(7)).to_http_date();

        assert_eq!(
            retry_after(&response(Some("2"), ""), now),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_after(&response(Some(&later), ""), now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(retry_after(&response(Some("soon"), ""), now), None);
        assert_eq!(retry_after(&response(Some("-4"), ""), now), None);

        let body = r#"{"retryAfterSeconds":"5","Type":"User"}"#;
        assert_eq!(
            retry_after(&response(None, body), now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(retry_after(&response(None, "<html>"), now), None);
    }
}
