//! Named middleware in ordered steps: the pipeline every call runs through.
//!
//! A call is a [`Context`] passed down a [`Stack`]. Each middleware gets the context and the
//! rest of the chain ([`Next`]); it may change the context, call `next` (once, several times,
//! or not at all), and look at the result. After the last middleware the transport sends
//! the request and stores the response.

mod context;
mod operation;
mod stack;
mod standard;

use std::future::Future;
use std::pin::Pin;

pub use context::{Context, Request, Response};
pub use operation::{
    read_response, DeserializeOutput, DeserializeResponse, SerializeInput, SerializeRequest,
    Validate, ValidateInput,
};
pub use stack::{Stack, StackError, Step};
pub use standard::{ContentLength, InvocationId, ResolveEndpoint, UserAgent};

pub(crate) use stack::Entry;
pub(crate) use standard::request_of;

use crate::error::Failure;
use crate::retry::Retry;
use crate::signing::Sign;

/// How many headers the standard stack adds to a serialized request, at most: the user agents,
/// invocation id, length, attempt, date, payload hash, token and signature. Serializers make
/// room for them up front, so that a request's header map is allocated once.
///
/// # Example
/// ```
/// use lamina_runtime::middleware::ADDED_HEADERS;
/// let mut request = http::Request::new(bytes::Bytes::new());
/// request.headers_mut().reserve(2 + ADDED_HEADERS);
/// assert!(request.headers().capacity() >= 2 + ADDED_HEADERS);
/// ```
pub const ADDED_HEADERS: usize = 9;

/// A boxed future that can be sent between threads, as middleware return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One named stage of a call.
///
/// Implement it for middleware that needs to act after the rest of the chain ran (timing,
/// retries, reading the response); [`map_request`] covers the common case of changing the
/// request before it goes on.
///
/// # Example
/// ```
/// use lamina_runtime::error::Failure;
/// use lamina_runtime::middleware::{BoxFuture, Context, Middleware, Next};
///
/// /// Counts attempts that reached the transport.
/// struct CountAttempts(std::sync::atomic::AtomicU32);
///
/// impl Middleware for CountAttempts {
///     fn handle<'a>(
///         &'a self,
///         ctx: &'a mut Context,
///         next: Next<'a>,
///     ) -> BoxFuture<'a, Result<(), Failure>> {
///         Box::pin(async move {
///             self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
///             next.run(ctx).await
///         })
///     }
/// }
/// ```
pub trait Middleware: Send + Sync + 'static {
    /// Does this middleware's work on `ctx`, calling `next` to run the rest of the chain.
    fn handle<'a>(
        &'a self,
        ctx: &'a mut Context,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<(), Failure>>;

    /// Does this middleware's work when all of it comes before the rest of the call, and
    /// says so by returning `Some`.
    ///
    /// The chain then goes on to the next middleware itself, without a future of this one's
    /// own, which saves an allocation and a poll on every call; it calls `handle` only when
    /// `before` returns `None`. Middleware that wraps the rest of the call (a retry loop, a
    /// timer) keeps the default, `None`. One that returns `Some` can implement `handle` with
    /// [`handle_before`], for callers that run it directly.
    fn before(&self, ctx: &mut Context) -> Option<Result<(), Failure>> {
        let _ = ctx;
        None
    }
}

/// `handle` for middleware whose whole work is [`Middleware::before`]: that work, then the
/// rest of the chain.
///
/// # Example
/// ```
/// use lamina_runtime::error::Failure;
/// use lamina_runtime::middleware::{handle_before, BoxFuture, Context, Middleware, Next};
///
/// /// Marks every request as coming from a batch job.
/// struct BatchHeader;
///
/// impl Middleware for BatchHeader {
///     fn handle<'a>(
///         &'a self,
///         ctx: &'a mut Context,
///         next: Next<'a>,
///     ) -> BoxFuture<'a, Result<(), Failure>> {
///         handle_before(self, ctx, next)
///     }
///
///     fn before(&self, ctx: &mut Context) -> Option<Result<(), Failure>> {
///         if let Some(request) = ctx.request_mut() {
///             request.headers_mut().insert("x-batch", "yes".parse().unwrap());
///         }
///         Some(Ok(()))
///     }
/// }
/// ```
pub fn handle_before<'a, M: Middleware + ?Sized>(
    middleware: &'a M,
    ctx: &'a mut Context,
    next: Next<'a>,
) -> BoxFuture<'a, Result<(), Failure>> {
    if let Some(Err(failure)) = middleware.before(ctx) {
        return Box::pin(std::future::ready(Err(failure)));
    }
    next.run(ctx)
}

/// The rest of the chain after the current middleware, ending in the transport.
///
/// It is `Copy`, so a middleware such as a retry loop may run it more than once, setting the
/// request again before each run: the transport takes the request it sends.
#[derive(Clone, Copy)]
pub struct Next<'a> {
    rest: &'a [Entry],
}

impl<'a> Next<'a> {
    pub(crate) fn new(rest: &'a [Entry]) -> Self {
        Self { rest }
    }

    /// Runs the remaining middleware and then the transport.
    pub fn run(self, ctx: &'a mut Context) -> BoxFuture<'a, Result<(), Failure>> {
        let mut rest = self.rest;
        while let Some((first, after)) = rest.split_first() {
            match first.middleware.before(ctx) {
                Some(Ok(())) => rest = after,
                Some(Err(failure)) => return Box::pin(std::future::ready(Err(failure))),
                None => return first.middleware.handle(ctx, Next { rest: after }),
            }
        }
        Box::pin(crate::transport::send(ctx))
    }
}

/// Middleware that changes the request, then lets the call go on.
///
/// Returning an error stops the call before anything more is sent. Place it in the build
/// step or later: before serialization there is no request, and the call fails saying so.
///
/// # Example
/// ```
/// use lamina_runtime::middleware::{map_request, Stack, Step};
///
/// let mut stack = Stack::new();
/// let trace = map_request(|req| {
///     req.headers_mut().insert("x-trace", "abc".parse().unwrap());
///     Ok(())
/// });
/// stack.add(Step::Build, "trace-header", trace).unwrap();
/// ```
pub fn map_request<F>(f: F) -> MapRequest<F>
where
    F: Fn(&mut Request) -> Result<(), Failure> + Send + Sync + 'static,
{
    MapRequest(f)
}

/// The middleware [`map_request`] makes.
pub struct MapRequest<F>(F);

impl<F> Middleware for MapRequest<F>
where
    F: Fn(&mut Request) -> Result<(), Failure> + Send + Sync + 'static,
{
    fn handle<'a>(
        &'a self,
        ctx: &'a mut Context,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        handle_before(self, ctx, next)
    }

    fn before(&self, ctx: &mut Context) -> Option<Result<(), Failure>> {
        Some(request_of(ctx).and_then(|request| (self.0)(request)))
    }
}

/// The standard stack of an operation whose input is `I` and output `O`.
///
/// | step | middleware |
/// |---|---|
/// | initialize | `validateInput` |
/// | serialize | `serializeInput`, `resolveEndpoint` |
/// | build | `userAgent`, `invocationId`, `contentLength` |
/// | finalize | `retry`, `sign` |
/// | deserialize | `deserializeOutput` |
pub fn operation_stack<I, O>() -> Stack
where
    I: Validate + SerializeRequest + std::any::Any + Send + Sync,
    O: DeserializeResponse + std::any::Any + Send + Sync,
{
    let mut stack = Stack::new();
    let steps: [(Step, &str, std::sync::Arc<dyn Middleware>); 9] = [
        (
            Step::Initialize,
            "validateInput",
            std::sync::Arc::new(ValidateInput::<I>::new()),
        ),
        (
            Step::Serialize,
            "serializeInput",
            std::sync::Arc::new(SerializeInput::<I>::new()),
        ),
        (
            Step::Serialize,
            "resolveEndpoint",
            std::sync::Arc::new(ResolveEndpoint),
        ),
        (Step::Build, "userAgent", std::sync::Arc::new(UserAgent)),
        (
            Step::Build,
            "invocationId",
            std::sync::Arc::new(InvocationId),
        ),
        (
            Step::Build,
            "contentLength",
            std::sync::Arc::new(ContentLength),
        ),
        (Step::Finalize, "retry", std::sync::Arc::new(Retry)),
        (Step::Finalize, "sign", std::sync::Arc::new(Sign::default())),
        (
            Step::Deserialize,
            "deserializeOutput",
            std::sync::Arc::new(DeserializeOutput::<O>::new()),
        ),
    ];
    for (step, name, middleware) in steps {
        stack.push(step, name, middleware);
    }
    stack
}
