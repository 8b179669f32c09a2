//! The middleware every operation has, written once over traits the generated code implements.

use std::any::Any;
use std::marker::PhantomData;

use super::{handle_before, BoxFuture, Context, Middleware, Next, Request, Response};
use crate::error::{
    ConstructionFailure, ErasedServiceError, ErrorMetadata, Failure, ResponseFailure,
    ResponseMetadata, SdkError,
};
use crate::protocol::rest_json::{self, JsonBody};

/// An input that can check itself against the model's constraints before anything is sent.
pub trait Validate {
    /// Checks lengths, patterns and other rules, naming the first member that breaks one.
    fn validate(&self) -> Result<(), ConstructionFailure>;
}

/// An input that knows how to become an HTTP request (path, query, headers and body).
pub trait SerializeRequest {
    /// Builds the request. Its URI holds only the path and query; the endpoint comes later.
    fn serialize_request(&self) -> Result<Request, ConstructionFailure>;
}

/// An output that can be read from a successful response, with the error type of its
/// operation.
pub trait DeserializeResponse: Sized {
    /// The operation's error enum.
    type Error: Any + Send + Sync;

    /// Reads the output from a successful (2xx) response.
    fn deserialize_response(
        response: &Response,
        meta: ResponseMetadata,
    ) -> Result<Self, ResponseFailure>;

    /// Builds the operation's error from an error response, its parsed body and metadata.
    fn deserialize_error(response: &Response, body: &JsonBody, meta: ErrorMetadata) -> Self::Error;
}

/// Initialize-step middleware that runs the input's [`Validate`] checks.
pub struct ValidateInput<I>(PhantomData<fn() -> I>);

impl<I> ValidateInput<I> {
    /// Validation for inputs of type `I`.
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<I> Default for ValidateInput<I> {
    fn default() -> Self {
        Self::new()
    }
}

impl<I: Validate + Any + Send + Sync> Middleware for ValidateInput<I> {
    fn handle<'a>(
        &'a self,
        ctx: &'a mut Context,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        handle_before(self, ctx, next)
    }

    fn before(&self, ctx: &mut Context) -> Option<Result<(), Failure>> {
        let input = match typed_input::<I>(ctx) {
            Ok(input) => input,
            Err(failure) => return Some(Err(failure)),
        };
        Some(input.validate().map_err(SdkError::Construction))
    }
}

/// Serialize-step middleware that turns the input into a request with [`SerializeRequest`].
pub struct SerializeInput<I>(PhantomData<fn() -> I>);

impl<I> SerializeInput<I> {
    /// Serialization for inputs of type `I`.
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<I> Default for SerializeInput<I> {
    fn default() -> Self {
        Self::new()
    }
}

impl<I: SerializeRequest + Any + Send + Sync> Middleware for SerializeInput<I> {
    fn handle<'a>(
        &'a self,
        ctx: &'a mut Context,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        handle_before(self, ctx, next)
    }

    fn before(&self, ctx: &mut Context) -> Option<Result<(), Failure>> {
        let request = typed_input::<I>(ctx)
            .and_then(|input| input.serialize_request().map_err(SdkError::Construction));
        Some(request.map(|request| ctx.set_request(request)))
    }
}

/// Deserialize-step middleware that reads the response into the output or the typed error.
pub struct DeserializeOutput<O>(PhantomData<fn() -> O>);

impl<O> DeserializeOutput<O> {
    /// Deserialization into outputs of type `O`.
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<O> Default for DeserializeOutput<O> {
    fn default() -> Self {
        Self::new()
    }
}

impl<O: DeserializeResponse + Any + Send + Sync> Middleware for DeserializeOutput<O> {
    fn handle<'a>(
        &'a self,
        ctx: &'a mut Context,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            next.run(ctx).await?;

            let response = ctx.response().ok_or_else(|| {
                SdkError::Construction(ConstructionFailure::other(
                    "a middleware removed the response before it was read",
                    None,
                ))
            })?;
            let meta = rest_json::response_metadata(response, ctx.attempts())
                .with_retry_delay(ctx.retry_delay());

            let output = read_response::<O>(response, meta)?;
            ctx.set_output(output);
            Ok(())
        })
    }
}

/// Reads a response into the output `O`, or into its operation's typed error: the work
/// [`DeserializeOutput`] does once the transport has answered, for code that holds a
/// response of its own (fuzzers, recorded exchanges).
///
/// A 2xx response becomes `O` through [`DeserializeResponse::deserialize_response`], and a
/// response it cannot read becomes [`SdkError::Response`]. Any other status is an error
/// response: its code and message are read with [`rest_json::error_metadata`] and typed by
/// [`DeserializeResponse::deserialize_error`], giving [`SdkError::Service`] whose
/// [`ErasedServiceError::downcast`] gives the operation's error enum back. `meta` is the
/// status, request id and attempts that the output or error will carry.
///
/// # Example
/// ```
/// use lamina_runtime::error::{ErrorMetadata, ResponseFailure, ResponseMetadata, SdkError};
/// use lamina_runtime::middleware::{read_response, DeserializeResponse, Response};
/// use lamina_runtime::protocol::rest_json::{response_metadata, JsonBody};
///
/// /// An output that is the length of its body; its errors are their metadata.
/// struct Length(usize);
///
/// impl DeserializeResponse for Length {
///     type Error = ErrorMetadata;
///
///     fn deserialize_response(
///         response: &Response,
///         _: ResponseMetadata,
///     ) -> Result<Self, ResponseFailure> {
///         Ok(Length(response.body().len()))
///     }
///
///     fn deserialize_error(_: &Response, _: &JsonBody, meta: ErrorMetadata) -> ErrorMetadata {
///         meta
///     }
/// }
///
/// let ok = http::Response::new(bytes::Bytes::from_static(b"four"));
/// let output = read_response::<Length>(&ok, response_metadata(&ok, 1)).unwrap();
/// assert_eq!(output.0, 4);
///
/// let failed = http::Response::builder()
///     .status(429)
///     .header("x-amzn-errortype", "TooManyRequestsException")
///     .body(bytes::Bytes::new())
///     .unwrap();
/// let meta = response_metadata(&failed, 1);
/// let Err(SdkError::Service(error)) = read_response::<Length>(&failed, meta) else {
///     panic!("a 429 is a service error");
/// };
/// let typed = error.downcast::<ErrorMetadata>().unwrap();
/// assert_eq!(typed.code(), Some("TooManyRequestsException"));
/// assert_eq!(typed.response().http_status(), 429);
/// ```
pub fn read_response<O: DeserializeResponse>(
    response: &Response,
    meta: ResponseMetadata,
) -> Result<O, Failure> {
    if response.status().is_success() {
        return O::deserialize_response(response, meta).map_err(SdkError::Response);
    }

    let body = JsonBody::parse(response.body());
    let error_meta = rest_json::error_metadata(response, &body, meta);
    let error = O::deserialize_error(response, &body, error_meta.clone());
    Err(SdkError::Service(ErasedServiceError::new(
        error_meta, error,
    )))
}

fn typed_input<I: Any>(ctx: &Context) -> Result<&I, Failure> {
    ctx.input::<I>().ok_or_else(|| {
        SdkError::Construction(ConstructionFailure::other(
            format!(
                "the {} input is not of the type its middleware expects",
                ctx.operation()
            ),
            None,
        ))
    })
}
