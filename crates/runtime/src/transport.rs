//! Sending a request and reading the whole response: the end of every middleware chain.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tracing::Instrument;

use crate::error::{ConstructionFailure, DispatchFailure, DispatchKind, Failure, SdkError};
use crate::middleware::{BoxFuture, Context, Request, Response};

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
}

/// A transport shared by a client's calls.
pub type SharedConnector = Arc<dyn HttpConnector>;

/// The default transport: reqwest with rustls, one connection pool per configuration.
#[derive(Debug, Clone)]
pub struct ReqwestConnector {
    client: Result<reqwest::Client, Arc<reqwest::Error>>,
}

impl ReqwestConnector {
    /// A transport that gives up opening a connection after `connect_timeout`.
    ///
    /// If the HTTP client cannot be set up (its TLS backend failed to start), every call
    /// fails with a dispatch error that says so.
    pub fn new(connect_timeout: Duration) -> Self {
        let client = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .tcp_keepalive(Duration::from_secs(60))
            .pool_idle_timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(Arc::new);
        Self { client }
    }
}

impl HttpConnector for ReqwestConnector {
    fn call(&self, request: Request) -> BoxFuture<'_, Result<Response, DispatchFailure>> {
        Box::pin(async move {
            let target = request.uri().to_string();
            let client = self.client.as_ref().map_err(|e| {
                let cause = format!("the HTTP client could not be created: {e}");
                DispatchFailure::new(DispatchKind::Connect, &target, Some(cause.into()))
            })?;
            let request =
                reqwest::Request::try_from(request).map_err(|e| dispatch_failure(&target, e))?;
            let response = client
                .execute(request)
                .await
                .map_err(|e| dispatch_failure(&target, e))?;

            let mut builder = http::Response::builder()
                .status(response.status())
                .version(response.version());
            if let Some(headers) = builder.headers_mut() {
                *headers = response.headers().clone();
            }
            let body = response
                .bytes()
                .await
                .map_err(|e| dispatch_failure(&target, e))?;

            builder
                .body(body)
                .map_err(|e| DispatchFailure::new(DispatchKind::Io, target, Some(e.into())))
        })
    }
}

fn dispatch_failure(target: &str, error: reqwest::Error) -> DispatchFailure {
    let kind = if error.is_connect() {
        DispatchKind::Connect
    } else if error.is_timeout() {
        DispatchKind::Timeout
    } else {
        DispatchKind::Io
    };
    DispatchFailure::new(kind, target, Some(error.into()))
}

/// Sends the context's request through the configured transport and stores the response.
pub(crate) async fn send(ctx: &mut Context) -> Result<(), Failure> {
    let request = ctx.request().map(copy_request).ok_or_else(|| {
        SdkError::Construction(ConstructionFailure::other(
            "no request reached the transport: is the serializer missing from the stack?",
            None,
        ))
    })?;
    let connector = ctx.config().connector().clone();

    ctx.count_attempt();
    let span = tracing::debug_span!(
        "attempt",
        attempt = ctx.attempts(),
        method = %request.method(),
        uri = %request.uri(),
    );
    let response = connector
        .call(request)
        .instrument(span.clone())
        .await
        .map_err(SdkError::Dispatch)?;
    span.in_scope(|| {
        let request_id = response
            .headers()
            .get("x-amzn-requestid")
            .and_then(|v| v.to_str().ok());
        tracing::debug!(
            status = response.status().as_u16(),
            request_id,
            "response received"
        );
    });

    ctx.set_response(response);
    Ok(())
}

/// A copy of a request that shares its body buffer instead of copying it.
pub fn copy_request(request: &Request) -> Request {
    let mut copy = http::Request::new(Bytes::clone(request.body()));
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}
