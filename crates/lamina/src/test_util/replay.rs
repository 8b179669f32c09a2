//! A connector that answers with recorded responses and checks the requests it was sent.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use http::HeaderName;

use super::compare::{self, HeaderSelection};
use crate::config::HttpConnector;
use crate::error::{DispatchFailure, DispatchKind};
use crate::middleware::{BoxFuture, Request, Response};
use lamina_runtime::transport::copy_request;

/// The headers a replay never compares: they change with every signature, clock, attempt or
/// client version.
pub const IGNORED_HEADERS: &[&str] = &[
    "authorization",
    "x-amz-date",
    "x-amz-content-sha256",
    "x-amz-security-token",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
    "user-agent",
    "x-amz-user-agent",
];

/// One recorded exchange: the request expected, and the response to answer it with.
#[derive(Debug)]
pub struct ReplayEvent {
    request: Request,
    response: Response,
}

impl ReplayEvent {
    /// An exchange from its request and response, built with the `http` crate (version 1).
    ///
    /// Only the request's method, path, query, body and headers are compared, so its URI
    /// may be a bare path such as `/2015-03-31/functions/f/invocations`.
    pub fn new(
        request: http::Request<impl Into<Bytes>>,
        response: http::Response<impl Into<Bytes>>,
    ) -> Self {
        Self {
            request: request.map(Into::into),
            response: response.map(Into::into),
        }
    }

    /// The recorded request.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// The recorded response.
    pub fn response(&self) -> &Response {
        &self.response
    }
}

/// An [`HttpConnector`] that answers each request with the next recorded response, and
/// keeps what was actually sent for [`ReplayClient::check_requests`].
///
/// Clones share their recording, so a test can keep one clone and give the other to the
/// client's configuration. When the recorded responses run out, calls fail with a dispatch
/// error that says so.
///
/// # Example
/// ```
/// use lamina::config::Credentials;
/// use lamina::test_util::{ReplayClient, ReplayEvent};
/// use lamina::{Client, Config};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let replay = ReplayClient::new([ReplayEvent::new(
///     http::Request::post("/2015-03-31/functions/greet/invocations")
///         .header("x-amz-invocation-type", "RequestResponse")
///         .body(r#"{"name": "Ada"}"#)
///         .unwrap(),
///     http::Response::builder()
///         .status(200)
///         .header("x-amz-executed-version", "$LATEST")
///         .body(r#""Hello, Ada!""#)
///         .unwrap(),
/// )]);
/// let config = Config::builder()
///     .region("us-east-1")
///     .credentials(Credentials::new("AKID", "secret", None, None, "test"))
///     .connector(replay.clone())
///     .build();
///
/// let output = Client::from_conf(config)
///     .invoke()
///     .function_name("greet")
///     .invocation_type(lamina::types::InvocationType::RequestResponse)
///     .payload(r#"{"name":"Ada"}"#)
///     .send()
///     .await
///     .unwrap();
///
/// assert_eq!(output.payload().unwrap().as_ref(), br#""Hello, Ada!""#);
/// replay.assert_requests_match();
/// # }
/// ```
#[derive(Clone)]
pub struct ReplayClient {
    state: Arc<Mutex<ReplayState>>,
    headers: HeaderSelection,
    ignored: Arc<[HeaderName]>,
}

struct ReplayState {
    events: Vec<ReplayEvent>,
    sent: Vec<Request>,
}

impl ReplayClient {
    /// A connector that answers with `events`' responses in order.
    ///
    /// By default every header of a recorded request, except [`IGNORED_HEADERS`], must be
    /// sent with the same value; headers only the sent request has are not compared.
    pub fn new(events: impl IntoIterator<Item = ReplayEvent>) -> Self {
        let ignored = IGNORED_HEADERS
            .iter()
            .map(|name| HeaderName::from_static(name))
            .collect();

        Self {
            state: Arc::new(Mutex::new(ReplayState {
                events: events.into_iter().collect(),
                sent: Vec::new(),
            })),
            headers: HeaderSelection::Recorded,
            ignored,
        }
    }

    /// Compares only the headers named here, which must then be present in both requests or
    /// in neither. [`IGNORED_HEADERS`] stay ignored even when named.
    ///
    /// # Panics
    /// When a name is not a valid header name; the message names it.
    pub fn check_headers<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        let names = names
            .into_iter()
            .map(|name| {
                HeaderName::try_from(name.to_ascii_lowercase()).unwrap_or_else(|e| {
                    panic!("check_headers: `{name}` is not a valid header name: {e}")
                })
            })
            .collect();
        self.headers = HeaderSelection::Only(names);
        self
    }

    /// The requests sent so far, in order, as the client sent them (signing headers too).
    pub fn actual_requests(&self) -> Vec<Request> {
        self.lock().sent.iter().map(copy_request).collect()
    }

    /// Checks that exactly the recorded requests were sent, in order; the error lists every
    /// difference.
    pub fn check_requests(&self) -> Result<(), ReplayMismatch> {
        let state = self.lock();
        let mut differences = Vec::new();

        let (recorded, sent) = (state.events.len(), state.sent.len());
        if recorded != sent {
            differences.push(format!(
                "{recorded} {} recorded, but {sent} {} sent",
                plural(recorded, "request was", "requests were"),
                plural(sent, "was", "were")
            ));
        }
        for (i, (event, actual)) in state.events.iter().zip(&state.sent).enumerate() {
            let found = compare::differences(&event.request, actual, &self.headers, &self.ignored);
            differences.extend(found.into_iter().map(|d| format!("request {}: {d}", i + 1)));
        }

        if differences.is_empty() {
            Ok(())
        } else {
            Err(ReplayMismatch { differences })
        }
    }

    /// Panics, listing every difference, unless exactly the recorded requests were sent.
    #[track_caller]
    pub fn assert_requests_match(&self) {
        if let Err(mismatch) = self.check_requests() {
            panic!("{mismatch}");
        }
    }

    fn lock(&self) -> MutexGuard<'_, ReplayState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

impl HttpConnector for ReplayClient {
    fn call(&self, request: Request) -> BoxFuture<'_, Result<Response, DispatchFailure>> {
        let mut state = self.lock();
        state.sent.push(copy_request(&request));
        let number = state.sent.len();

        let answer = match state.events.get(number - 1) {
            Some(event) => Ok(copy_response(&event.response)),
            None => {
                let recorded = state.events.len();
                let why = format!(
                    "no recorded response is left for request {number} ({} {uri}): only \
                     {recorded} {} recorded",
                    request.method(),
                    plural(recorded, "was", "were"),
                    uri = request.uri(),
                );
                Err(DispatchFailure::new(
                    DispatchKind::Io,
                    "the replay client",
                    Some(why.into()),
                ))
            }
        };
        Box::pin(std::future::ready(answer))
    }
}

impl fmt::Debug for ReplayClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("ReplayClient")
            .field("recorded", &state.events.len())
            .field("sent", &state.sent.len())
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

fn copy_response(response: &Response) -> Response {
    let mut copy = http::Response::new(Bytes::clone(response.body()));
    *copy.status_mut() = response.status();
    *copy.version_mut() = response.version();
    *copy.headers_mut() = response.headers().clone();
    copy
}

/// The requests sent were not the recorded ones; `Display` lists every difference, one a
/// line, each naming the request (counted from 1) and the part that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayMismatch {
    differences: Vec<String>,
}

impl ReplayMismatch {
    /// The differences, one sentence each.
    pub fn differences(&self) -> &[String] {
        &self.differences
    }
}

impl fmt::Display for ReplayMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the requests sent differ from the recorded ones:")?;
        for difference in &self.differences {
            write!(f, "\n  - {difference}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ReplayMismatch {}
