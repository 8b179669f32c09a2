//! What can go wrong with a call, and the metadata every error and output carries.
//!
//! A call fails in one of four places, and [`SdkError`] names which: the request could not be
//! built (nothing was sent), it could not be delivered, the answer could not be read, or the
//! service answered with an error. Service errors are operation-specific enums generated from
//! the model; every one of them offers the [`ProvideErrorMetadata`] accessors.

use std::any::Any;
use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

/// A boxed error used as the source of runtime failures.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// Who is to blame for a failure, as the model's `error` trait says.
///
/// # Example
/// ```
/// use lamina_runtime::error::Fault;
/// assert_eq!(Fault::Client.as_str(), "client");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The request was wrong; sending it again unchanged will fail again.
    Client,
    /// The service or something between it and the caller failed.
    Server,
}

impl Fault {
    /// The lower-case name used on the wire by other SDKs (`client` or `server`).
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::Client => "client",
            Fault::Server => "server",
        }
    }

    /// The fault implied by an HTTP status: 5xx is the server's, anything else the client's.
    pub fn from_status(status: u16) -> Self {
        if status >= 500 {
            Fault::Server
        } else {
            Fault::Client
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Facts about the HTTP exchange behind an output or an error.
///
/// # Example
/// ```
/// use lamina_runtime::error::ResponseMetadata;
/// let meta = ResponseMetadata::new(200, Some("req-1".into()), 1);
/// assert_eq!(meta.request_id(), Some("req-1"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseMetadata {
    http_status: u16,
    request_id: Option<String>,
    attempts: u32,
    retry_delay: Duration,
}

impl ResponseMetadata {
    /// Metadata for a response with this status, request id and attempt count.
    pub fn new(http_status: u16, request_id: Option<String>, attempts: u32) -> Self {
        Self {
            http_status,
            request_id,
            attempts,
            retry_delay: Duration::ZERO,
        }
    }

    /// The same metadata, noting how long the call waited between attempts in all.
    pub fn with_retry_delay(mut self, delay: Duration) -> Self {
        self.retry_delay = delay;
        self
    }

    /// How long the call waited between attempts in all (backoff, `Retry-After` and, in
    /// adaptive mode, the client's rate limit).
    pub fn retry_delay(&self) -> Duration {
        self.retry_delay
    }

    /// The HTTP status of the last response.
    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    /// The request id the service assigned (`x-amzn-RequestId`), when it sent one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// How many times the request was sent, retries included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// What the runtime read from an error response before the generated code typed it.
///
/// # Example
/// ```
/// use lamina_runtime::error::{ErrorMetadata, ResponseMetadata};
/// let meta = ErrorMetadata::new(
///     Some("ThrottledException".into()),
///     Some("slow down".into()),
///     ResponseMetadata::new(429, None, 1),
/// );
/// assert_eq!(meta.code(), Some("ThrottledException"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorMetadata {
    code: Option<String>,
    message: Option<String>,
    response: ResponseMetadata,
}

impl ErrorMetadata {
    /// Metadata with an error code, a message and the response it came from.
    pub fn new(code: Option<String>, message: Option<String>, response: ResponseMetadata) -> Self {
        Self {
            code,
            message,
            response,
        }
    }

    /// The error code, without any namespace or URI suffix.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The human-readable message the service sent.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The request id of the failed response.
    pub fn request_id(&self) -> Option<&str> {
        self.response.request_id()
    }

    /// The HTTP status, request id and attempts of the failed response.
    pub fn response(&self) -> &ResponseMetadata {
        &self.response
    }
}

/// The accessors every service error offers, modelled or not.
pub trait ProvideErrorMetadata {
    /// The error code the service sent, such as `ResourceNotFoundException`.
    fn code(&self) -> Option<&str>;

    /// The message the service sent.
    fn message(&self) -> Option<&str>;

    /// Whether the caller or the service is to blame.
    fn fault(&self) -> Fault;

    /// The request id of the failed response.
    fn request_id(&self) -> Option<&str>;

    /// The HTTP status, request id and attempts of the failed response.
    fn response_metadata(&self) -> &ResponseMetadata;

    /// The modelled members the service sent, by model name and as text (none by default).
    fn members(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Writes the shared part of a service error's `Display`: code, message and request id.
pub fn display_service_error(
    f: &mut fmt::Formatter<'_>,
    code: Option<&str>,
    message: Option<&str>,
    request_id: Option<&str>,
) -> fmt::Result {
    f.write_str(code.unwrap_or("unknown error"))?;
    if let Some(message) = message {
        write!(f, ": {message}")?;
    }
    if let Some(id) = request_id {
        write!(f, " (request id: {id})")?;
    }
    Ok(())
}

/// The request could not be built, so nothing was sent.
///
/// It names the field and the rule it broke, where there is one.
///
/// # Example
/// ```
/// use lamina_runtime::error::ConstructionFailure;
/// let err = ConstructionFailure::invalid_field("FunctionName", "is required");
/// assert_eq!(err.to_string(), "invalid input: FunctionName is required; nothing was sent");
/// ```
#[derive(Debug)]
pub struct ConstructionFailure {
    field: Option<String>,
    message: String,
    source: Option<BoxError>,
}

impl ConstructionFailure {
    /// An input member broke a rule of the model (required, length, pattern, header-safe).
    pub fn invalid_field(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self {
            field: Some(field.into()),
            message: rule.into(),
            source: None,
        }
    }

    /// Building the request failed for a reason that is not one field's.
    pub fn other(message: impl Into<String>, source: Option<BoxError>) -> Self {
        Self {
            field: None,
            message: message.into(),
            source,
        }
    }

    /// The input member at fault, by its model name.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The rule that was broken, or what went wrong.
    pub fn reason(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConstructionFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(
                f,
                "invalid input: {field} {}; nothing was sent",
                self.message
            ),
            None => write!(
                f,
                "could not build the request: {}; nothing was sent",
                self.message
            ),
        }
    }
}

impl StdError for ConstructionFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// Which part of delivering a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DispatchKind {
    /// No connection could be opened.
    Connect,
    /// A timeout ran out before a complete response arrived.
    Timeout,
    /// The connection failed while the request or response was in flight.
    Io,
    /// Credentials could not be found or loaded, so the request could not be signed.
    Credentials,
}

/// The request could not be delivered, or no complete response came back.
///
/// # Example
/// ```
/// use lamina_runtime::error::{DispatchFailure, DispatchKind};
/// let err = DispatchFailure::new(DispatchKind::Connect, "http://127.0.0.1:9", None);
/// assert!(err.to_string().contains("could not connect"));
/// ```
#[derive(Debug)]
pub struct DispatchFailure {
    kind: DispatchKind,
    target: String,
    attempts: u32,
    retry_delay: Duration,
    timeout: Option<(&'static str, Duration)>,
    status: Option<u16>,
    source: Option<BoxError>,
}

impl DispatchFailure {
    /// A failure of this kind while talking to `target` (a URL or a provider's name).
    pub fn new(kind: DispatchKind, target: impl Into<String>, source: Option<BoxError>) -> Self {
        Self {
            kind,
            target: target.into(),
            attempts: 0,
            retry_delay: Duration::ZERO,
            timeout: None,
            status: None,
            source,
        }
    }

    /// The same failure, which happened after a response's head with `status` had arrived,
    /// while its body was read.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// The status of the response whose body could not be read, when its head arrived.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The same failure, caused by the timeout called `name` (such as `connect timeout`)
    /// running out after `limit`.
    pub fn with_timeout(mut self, name: &'static str, limit: Duration) -> Self {
        self.timeout = Some((name, limit));
        self
    }

    /// The timeout that ran out, when one did: its name and its limit.
    pub fn timeout(&self) -> Option<(&'static str, Duration)> {
        self.timeout
    }

    /// The same failure, noting how long the call waited between attempts in all.
    pub fn with_retry_delay(mut self, delay: Duration) -> Self {
        self.retry_delay = delay;
        self
    }

    /// How long the call waited between attempts before it gave up.
    pub fn retry_delay(&self) -> Duration {
        self.retry_delay
    }

    /// The same failure, noting how many attempts were made in all.
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// How many times the request was sent before the call gave up (0 when unknown).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Which part of the delivery failed.
    pub fn kind(&self) -> DispatchKind {
        self.kind
    }

    /// True when the failure happened before any byte of the request could have arrived.
    pub fn is_before_send(&self) -> bool {
        matches!(self.kind, DispatchKind::Connect | DispatchKind::Credentials)
    }
}

impl fmt::Display for DispatchFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = &self.target;
        match (self.kind, self.timeout) {
            (DispatchKind::Connect, Some((name, limit))) => write!(
                f,
                "could not connect to {target} within {} s (the {name})",
                limit.as_secs_f64()
            )?,
            (_, Some((name, limit))) => write!(
                f,
                "no complete response from {target} within {} s (the {name})",
                limit.as_secs_f64()
            )?,
            (DispatchKind::Connect, None) => write!(f, "could not connect to {target}")?,
            (DispatchKind::Timeout, None) => write!(f, "timed out waiting for {target}")?,
            (DispatchKind::Io, None) => match self.status {
                Some(status) => write!(
                    f,
                    "the response from {target} (status {status}) broke off before its body \
                     was complete"
                )?,
                None => write!(f, "the connection to {target} failed")?,
            },
            (DispatchKind::Credentials, None) => {
                write!(f, "no credentials to sign the request ({target})")?
            }
        }
        if self.attempts > 1 {
            write!(f, ", after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

impl StdError for DispatchFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// A response arrived but could not be understood.
///
/// # Example
/// ```
/// use lamina_runtime::error::{ResponseFailure, ResponseMetadata};
/// let meta = ResponseMetadata::new(200, None, 1);
/// let err = ResponseFailure::new("header X-Amz-Executed-Version is not text", meta, None);
/// assert!(err.to_string().contains("X-Amz-Executed-Version"));
/// ```
#[derive(Debug)]
pub struct ResponseFailure {
    message: String,
    response: ResponseMetadata,
    source: Option<BoxError>,
}

impl ResponseFailure {
    /// The response described by `response` could not be read, for the reason in `message`.
    pub fn new(
        message: impl Into<String>,
        response: ResponseMetadata,
        source: Option<BoxError>,
    ) -> Self {
        Self {
            message: message.into(),
            response,
            source,
        }
    }

    /// The HTTP status, request id and attempts of the unreadable response.
    pub fn response_metadata(&self) -> &ResponseMetadata {
        &self.response
    }
}

impl fmt::Display for ResponseFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not read the HTTP {} response: {}",
            self.response.http_status(),
            self.message
        )?;
        if let Some(id) = self.response.request_id() {
            write!(f, " (request id: {id})")?;
        }
        Ok(())
    }
}

impl StdError for ResponseFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// Why a call failed: where it failed, and for service errors, the operation's typed error.
///
/// `E` is the operation's generated error enum, such as `InvokeError`.
///
/// # Example
/// ```
/// use lamina_runtime::error::{ConstructionFailure, Fault, SdkError, Unhandled};
/// let err: SdkError<Unhandled> =
///     SdkError::Construction(ConstructionFailure::invalid_field("Name", "is required"));
/// assert_eq!(err.fault(), Fault::Client);
/// assert!(err.code().is_none());
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum SdkError<E> {
    /// The request could not be built; nothing was sent.
    Construction(ConstructionFailure),
    /// The request could not be delivered or no complete response arrived.
    Dispatch(DispatchFailure),
    /// A response arrived but could not be read.
    Response(ResponseFailure),
    /// The service answered with an error.
    Service(E),
}

impl<E> SdkError<E> {
    /// The service error, if the service answered with one.
    pub fn as_service_error(&self) -> Option<&E> {
        match self {
            SdkError::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The service error, if the service answered with one, by value.
    pub fn into_service_error(self) -> Option<E> {
        match self {
            SdkError::Service(e) => Some(e),
            _ => None,
        }
    }

    /// Converts the service error with `f`, keeping the other variants.
    pub fn map_service_error<F>(self, f: impl FnOnce(E) -> F) -> SdkError<F> {
        match self {
            SdkError::Construction(e) => SdkError::Construction(e),
            SdkError::Dispatch(e) => SdkError::Dispatch(e),
            SdkError::Response(e) => SdkError::Response(e),
            SdkError::Service(e) => SdkError::Service(f(e)),
        }
    }
}

impl<E: ProvideErrorMetadata> SdkError<E> {
    /// The service's error code, for service errors.
    pub fn code(&self) -> Option<&str> {
        self.as_service_error().and_then(|e| e.code())
    }

    /// The service's message for service errors, the broken rule for construction errors,
    /// and `None` for delivery and response failures (their `Display` says what happened).
    pub fn message(&self) -> Option<&str> {
        match self {
            SdkError::Service(e) => e.message(),
            SdkError::Construction(e) => Some(e.reason()),
            _ => None,
        }
    }

    /// Who is to blame: the caller for bad input, the service side for delivery failures and
    /// unreadable answers, and the modelled fault for service errors.
    pub fn fault(&self) -> Fault {
        match self {
            SdkError::Construction(_) => Fault::Client,
            SdkError::Dispatch(_) | SdkError::Response(_) => Fault::Server,
            SdkError::Service(e) => e.fault(),
        }
    }

    /// The request id of the failed response, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        self.response_metadata().and_then(|m| m.request_id())
    }

    /// The HTTP status, request id and attempts, when a response arrived.
    pub fn response_metadata(&self) -> Option<&ResponseMetadata> {
        match self {
            SdkError::Service(e) => Some(e.response_metadata()),
            SdkError::Response(e) => Some(e.response_metadata()),
            _ => None,
        }
    }
}

/// `SdkError` is a transparent wrapper: it shows the inner error's text, and its source is
/// the inner error's source, so that a chain of causes never repeats a line.
impl<E: fmt::Display> fmt::Display for SdkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SdkError::Construction(e) => e.fmt(f),
            SdkError::Dispatch(e) => e.fmt(f),
            SdkError::Response(e) => e.fmt(f),
            SdkError::Service(e) => e.fmt(f),
        }
    }
}

impl<E: StdError + 'static> StdError for SdkError<E> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            SdkError::Construction(e) => e.source(),
            SdkError::Dispatch(e) => e.source(),
            SdkError::Response(e) => e.source(),
            SdkError::Service(e) => e.source(),
        }
    }
}

/// A service error on its way through the middleware stack, before it is given its type back.
///
/// Middleware sees every operation's errors through this one type; the generated `send` turns
/// it back into the operation's error enum.
pub struct ErasedServiceError {
    meta: ErrorMetadata,
    inner: Box<dyn Any + Send + Sync>,
}

impl ErasedServiceError {
    /// Wraps an operation's typed error, keeping a copy of its metadata for middleware to read.
    pub fn new<E: Any + Send + Sync>(meta: ErrorMetadata, error: E) -> Self {
        Self {
            meta,
            inner: Box::new(error),
        }
    }

    /// The code, message and response of the error.
    pub fn metadata(&self) -> &ErrorMetadata {
        &self.meta
    }

    /// Gives the typed error back, or this value unchanged when it holds another type.
    pub fn downcast<E: Any>(self) -> Result<E, Self> {
        match self.inner.downcast::<E>() {
            Ok(e) => Ok(*e),
            Err(inner) => Err(Self {
                meta: self.meta,
                inner,
            }),
        }
    }
}

impl fmt::Debug for ErasedServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErasedServiceError")
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ErasedServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display_service_error(
            f,
            self.meta.code(),
            self.meta.message(),
            self.meta.request_id(),
        )
    }
}

impl StdError for ErasedServiceError {}

/// The failure type inside the middleware stack: every operation's errors, type-erased.
pub type Failure = SdkError<ErasedServiceError>;

/// A service error whose code the model does not list for the operation (or no code at all).
///
/// # Example
/// ```
/// use lamina_runtime::error::{
///     ErrorMetadata, Fault, ProvideErrorMetadata, ResponseMetadata, Unhandled,
/// };
/// let response = ResponseMetadata::new(503, None, 1);
/// let meta = ErrorMetadata::new(Some("NewException".into()), None, response);
/// let err = Unhandled::new(meta);
/// assert_eq!(err.fault(), Fault::Server);
/// assert_eq!(err.code(), Some("NewException"));
/// ```
#[derive(Debug, Clone)]
pub struct Unhandled {
    meta: ErrorMetadata,
}

impl Unhandled {
    /// An error known only by what the runtime read from the response.
    pub fn new(meta: ErrorMetadata) -> Self {
        Self { meta }
    }

    /// The code, message and response of the error.
    pub fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

impl fmt::Display for Unhandled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        display_service_error(
            f,
            self.meta.code(),
            self.meta.message(),
            self.meta.request_id(),
        )
    }
}

impl StdError for Unhandled {}

impl ProvideErrorMetadata for Unhandled {
    fn code(&self) -> Option<&str> {
        self.meta.code()
    }

    fn message(&self) -> Option<&str> {
        self.meta.message()
    }

    fn fault(&self) -> Fault {
        Fault::from_status(self.meta.response().http_status())
    }

    fn request_id(&self) -> Option<&str> {
        self.meta.request_id()
    }

    fn response_metadata(&self) -> &ResponseMetadata {
        self.meta.response()
    }
}
