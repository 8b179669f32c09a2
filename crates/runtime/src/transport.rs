//! Sending a request and reading the response, whole or as a stream: the end of every
//! middleware chain.

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Context as TaskContext, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use http_body::Body as _;
use tracing::Instrument;

use crate::error::{
    BoxError, ConstructionFailure, DispatchFailure, DispatchKind, Failure, SdkError,
};
use crate::middleware::{BoxFuture, Context, Request, Response};
use crate::timeout::TimeoutConfig;

/// How long a pooled connection may sit idle before it is closed: below the 350 s after
/// which NAT gateways silently drop idle flows.
const POOL_IDLE: Duration = Duration::from_secs(60);

/// When TCP keepalive starts probing a silent connection, how often, and how many probes
/// go unanswered before the connection is dropped.
const KEEPALIVE: (Duration, Duration, u32) = (Duration::from_secs(30), Duration::from_secs(10), 3);

/// Something that sends an HTTP request and returns the complete response.
///
/// The default is [`ReqwestConnector`]; tests and users may plug in their own.
///
/// # Example
/// ```
/// use lamina_runtime::error::DispatchFailure;
/// use lamina_runtime::middleware::{BoxFuture, Request, Response};
/// use lamina_runtime::transport::HttpConnector;
///
/// /// Answers every request with an empty 200.
/// #[derive(Debug)]
/// struct AlwaysOk;
///
/// impl HttpConnector for AlwaysOk {
///     fn call(&self, _request: Request) -> BoxFuture<'_, Result<Response, DispatchFailure>> {
///         Box::pin(async { Ok(http::Response::new(bytes::Bytes::new())) })
///     }
/// }
/// ```
pub trait HttpConnector: fmt::Debug + Send + Sync {
    /// Sends `request` and reads its response to the end.
    fn call(&self, request: Request) -> BoxFuture<'_, Result<Response, DispatchFailure>>;

    /// Sends `request` and returns once the response's head has arrived, with its body as
    /// a stream read only as fast as it is consumed.
    ///
    /// The default reads the body whole with [`call`](Self::call) and hands it over as one
    /// chunk, so a connector that cannot stream still works with streaming operations.
    fn call_streaming(
        &self,
        request: Request,
    ) -> BoxFuture<'_, Result<http::Response<BodyStream>, DispatchFailure>> {
        Box::pin(async move {
            let response = self.call(request).await?;
            let (head, body) = response.into_parts();
            Ok(http::Response::from_parts(head, one_chunk(body)))
        })
    }
}

/// The body of a streamed response: its chunks as they arrive.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send>>;

/// Where a streamed response's body waits, in the extensions of the [`Response`] the
/// deserializer sees (whose own body is then empty), until an event receiver takes it.
#[derive(Clone)]
pub struct StreamSlot(Arc<Mutex<Option<BodyStream>>>);

impl StreamSlot {
    /// A slot holding `body`.
    pub fn new(body: BodyStream) -> Self {
        Self(Arc::new(Mutex::new(Some(body))))
    }

    /// The body, for the first caller only.
    pub fn take(&self) -> Option<BodyStream> {
        self.0.lock().ok().and_then(|mut body| body.take())
    }
}

impl fmt::Debug for StreamSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StreamSlot")
    }
}

/// Marks a call whose successful responses are streamed instead of read whole (set in the
/// context's properties by [`crate::client::run_streaming`]).
#[derive(Debug, Clone, Copy)]
pub struct StreamResponses;

/// A body of one chunk, for responses read whole.
pub(crate) fn one_chunk(bytes: Bytes) -> BodyStream {
    Box::pin(Chunks(Some(Ok(bytes))))
}

/// A body of at most one chunk.
struct Chunks(Option<Result<Bytes, BoxError>>);

impl Stream for Chunks {
    type Item = Result<Bytes, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.0.take())
    }
}

/// A reqwest response body read as a stream of chunks, whose errors say what failed.
struct ReqwestBody {
    inner: reqwest::Body,
    timeouts: TimeoutConfig,
    target: http::Uri,
    status: u16,
}

impl Stream for ReqwestBody {
    type Item = Result<Bytes, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            let frame = match ready!(Pin::new(&mut this.inner).poll_frame(cx)) {
                None => return Poll::Ready(None),
                Some(Ok(frame)) => frame,
                Some(Err(e)) => {
                    let failure = failure(&this.timeouts, &this.target, e);
                    return Poll::Ready(Some(Err(Box::new(failure.with_status(this.status)))));
                }
            };
            if let Ok(data) = frame.into_data() {
                return Poll::Ready(Some(Ok(data)));
            }
        }
    }
}

/// A transport shared by a client's calls.
pub type SharedConnector = Arc<dyn HttpConnector>;

/// The default transport: reqwest with rustls, one connection pool per configuration.
#[derive(Debug, Clone)]
pub struct ReqwestConnector {
    client: Result<reqwest::Client, Arc<reqwest::Error>>,
    timeouts: TimeoutConfig,
}

impl ReqwestConnector {
    /// A transport with the connect and read limits of `timeouts`, TCP keepalive, and idle
    /// connections closed after a minute.
    ///
    /// If the HTTP client cannot be set up (its TLS backend failed to start), every call
    /// fails with a dispatch error that says so.
    pub fn new(timeouts: &TimeoutConfig) -> Self {
        let (idle, interval, probes) = KEEPALIVE;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(timeouts.connect())
            .tcp_keepalive(idle)
            .tcp_keepalive_interval(interval)
            .tcp_keepalive_retries(probes)
            .pool_idle_timeout(POOL_IDLE)
            .redirect(reqwest::redirect::Policy::none());
        if let Some(read) = timeouts.read() {
            builder = builder.read_timeout(read);
        }

        Self {
            client: builder.build().map_err(Arc::new),
            timeouts: *timeouts,
        }
    }
}

impl HttpConnector for ReqwestConnector {
    fn call(&self, request: Request) -> BoxFuture<'_, Result<Response, DispatchFailure>> {
        Box::pin(async move {
            let uri = request.uri().clone();
            let (head, response) = self.execute(&uri, request).await?;
            let status = head.status.as_u16();

            let body = response
                .bytes()
                .await
                .map_err(|e| failure(&self.timeouts, &uri, e).with_status(status))?;
            Ok(http::Response::from_parts(head, body))
        })
    }

    fn call_streaming(
        &self,
        request: Request,
    ) -> BoxFuture<'_, Result<http::Response<BodyStream>, DispatchFailure>> {
        Box::pin(async move {
            let uri = request.uri().clone();
            let (head, response) = self.execute(&uri, request).await?;

            let body: BodyStream = Box::pin(ReqwestBody {
                inner: reqwest::Body::from(response),
                timeouts: self.timeouts,
                status: head.status.as_u16(),
                target: uri,
            });
            Ok(http::Response::from_parts(head, body))
        })
    }
}

impl ReqwestConnector {
    /// Sends `request` and waits for the response's head, which it copies out; the body is
    /// still to be read from the reqwest response.
    async fn execute(
        &self,
        target: &http::Uri,
        request: Request,
    ) -> Result<(http::response::Parts, reqwest::Response), DispatchFailure> {
        let client = self.client.as_ref().map_err(|e| {
            let cause = format!("the HTTP client could not be created: {e}");
            DispatchFailure::new(
                DispatchKind::Connect,
                target.to_string(),
                Some(cause.into()),
            )
        })?;
        let request = reqwest_request(request)
            .map_err(|e| DispatchFailure::new(DispatchKind::Io, target.to_string(), Some(e)))?;
        let response = client
            .execute(request)
            .await
            .map_err(|e| failure(&self.timeouts, target, e))?;

        let mut response = response;
        let mut head = http::Response::new(());
        *head.status_mut() = response.status();
        *head.version_mut() = response.version();
        *head.headers_mut() = std::mem::take(response.headers_mut());
        Ok((head.into_parts().0, response))
    }
}

/// `request` as reqwest takes it, its URL written once into a buffer of the right size.
fn reqwest_request(request: Request) -> Result<reqwest::Request, BoxError> {
    use std::fmt::Write as _;

    let (parts, body) = request.into_parts();
    let uri = &parts.uri;
    let length = uri.scheme_str().map_or(0, str::len)
        + uri.authority().map_or(0, |a| a.as_str().len())
        + uri.path_and_query().map_or(1, |p| p.as_str().len())
        + 3;
    let mut text = String::with_capacity(length);
    let _ = write!(text, "{uri}");

    let mut out = reqwest::Request::new(parts.method, reqwest::Url::parse(&text)?);
    *out.headers_mut() = parts.headers;
    *out.version_mut() = parts.version;
    *out.body_mut() = Some(body.into());
    Ok(out)
}

/// What a reqwest error on the way to `target` means for the caller, naming the timeout that
/// ran out.
fn failure(timeouts: &TimeoutConfig, target: &http::Uri, error: reqwest::Error) -> DispatchFailure {
    let (connect, timeout) = (error.is_connect(), error.is_timeout());
    let kind = match (connect, timeout) {
        (true, _) => DispatchKind::Connect,
        (false, true) => DispatchKind::Timeout,
        (false, false) => DispatchKind::Io,
    };
    let failure = DispatchFailure::new(kind, target.to_string(), Some(error.into()));

    match (connect, timeout, timeouts.read()) {
        (true, true, _) => failure.with_timeout("connect timeout", timeouts.connect()),
        (false, true, Some(read)) => failure.with_timeout("read timeout", read),
        _ => failure,
    }
}

/// Sends the context's request through the configured transport and stores the response.
pub(crate) async fn send(ctx: &mut Context) -> Result<(), Failure> {
    let request = ctx.take_request().ok_or_else(|| {
        SdkError::Construction(ConstructionFailure::other(
            "no request reached the transport: is the serializer missing from the stack, or did \
             a middleware run the rest of the chain again without setting the request?",
            None,
        ))
    })?;
    let connector = ctx.config().connector().clone();
    let attempt_timeout = ctx.config().timeouts().attempt();
    let target = attempt_timeout.map(|_| request.uri().clone());

    ctx.count_attempt();
    let span = tracing::debug_span!(
        "attempt",
        attempt = ctx.attempts(),
        method = %request.method(),
        uri = %request.uri(),
        status = tracing::field::Empty,
        request_id = tracing::field::Empty,
    );
    let streaming = ctx.properties().get::<StreamResponses>().is_some();
    let call = async {
        if streaming {
            receive_streaming(connector.as_ref(), request).await
        } else {
            connector.call(request).await
        }
    }
    .instrument(span.clone());
    let response = match attempt_timeout {
        None => call.await,
        Some(limit) => tokio::time::timeout(limit, call).await.unwrap_or_else(|_| {
            let target = target.map(|uri| uri.to_string()).unwrap_or_default();
            let failure = DispatchFailure::new(DispatchKind::Timeout, target, None);
            Err(failure.with_timeout("attempt timeout", limit))
        }),
    }
    .map_err(SdkError::Dispatch)?;
    let status = response.status().as_u16();
    let request_id = crate::protocol::rest_json::request_id(response.headers());
    span.record("status", status);
    if let Some(id) = request_id {
        span.record("request_id", id);
    }
    span.in_scope(|| tracing::debug!(status, request_id, "response received"));

    ctx.set_response(response);
    Ok(())
}

/// Sends `request` for a streamed response: a successful response keeps its body as a
/// stream in a [`StreamSlot`]; any other is read whole, for the error deserializers.
async fn receive_streaming(
    connector: &dyn HttpConnector,
    request: Request,
) -> Result<Response, DispatchFailure> {
    let target = request.uri().to_string();
    let (head, mut body) = connector.call_streaming(request).await?.into_parts();

    if head.status.is_success() {
        let mut response = http::Response::from_parts(head, Bytes::new());
        response.extensions_mut().insert(StreamSlot::new(body));
        return Ok(response);
    }
    let mut whole = bytes::BytesMut::new();
    while let Some(chunk) = std::future::poll_fn(|cx| body.as_mut().poll_next(cx)).await {
        let chunk = chunk.map_err(|e| match e.downcast::<DispatchFailure>() {
            Ok(failure) => *failure,
            Err(e) => DispatchFailure::new(DispatchKind::Io, &target, Some(e))
                .with_status(head.status.as_u16()),
        })?;
        whole.extend_from_slice(&chunk);
    }
    Ok(http::Response::from_parts(head, whole.freeze()))
}

/// A copy of a request that shares its body buffer instead of copying it; its header map is
/// copied as it is, without hashing the names again.
pub fn copy_request(request: &Request) -> Request {
    let mut copy = http::Request::new(Bytes::clone(request.body()));
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;
    use crate::config::Credentials;
    use crate::signing::Signer;

    #[test]
    fn a_copy_keeps_every_value_of_a_header_in_order_and_signs_on_its_own() {
        let mut request = http::Request::post("https://lambda.us-east-1.amazonaws.com/x")
            .header("x-amz-client-context", "first")
            .header("x-amz-client-context", "second")
            .header("content-type", "application/json")
            .body(Bytes::from_static(b"{}"))
            .unwrap();
        request
            .headers_mut()
            .get_mut("content-type")
            .unwrap()
            .set_sensitive(true);

        let mut copy = copy_request(&request);
        let creds = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
        let signer = Signer::default();
        signer
            .sign(&mut copy, &creds, "us-east-1", "lambda", SystemTime::now())
            .unwrap();

        let values: Vec<_> = copy
            .headers()
            .get_all("x-amz-client-context")
            .iter()
            .collect();
        assert_eq!(values, ["first", "second"]);
        assert!(copy.headers()["content-type"].is_sensitive());
        assert_eq!(copy.body().as_ptr(), request.body().as_ptr());
        assert!(copy.headers().contains_key("authorization"));
        assert!(!request.headers().contains_key("authorization"));
    }
}
