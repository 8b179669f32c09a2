//! What a fake function is: a closure from an [`Invocation`] to a payload or a
//! [`FunctionFailure`], and what it gets to work with.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::middleware::BoxFuture;
use crate::types::InvocationType;

/// A registered function, with its closure's future boxed.
pub(super) type Handler =
    Arc<dyn Fn(Invocation) -> BoxFuture<'static, Result<Bytes, FunctionFailure>> + Send + Sync>;

/// Boxes `f` as a [`Handler`].
pub(super) fn handler<F, Fut, P>(f: F) -> Handler
where
    F: Fn(Invocation) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<P, FunctionFailure>> + Send + 'static,
    P: IntoPayload,
{
    Arc::new(move |invocation| {
        let run = f(invocation);
        Box::pin(async move { run.await.map(IntoPayload::into_payload) })
    })
}

/// One call of a fake function: the event it was sent and the context it runs in.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub(super) function_name: String,
    pub(super) qualifier: Option<String>,
    pub(super) invocation_type: InvocationType,
    pub(super) payload: Bytes,
    pub(super) client_context: Option<String>,
    pub(super) context: InvocationContext,
}

impl Invocation {
    /// The function's name, without ARN or qualifier.
    pub fn function_name(&self) -> &str {
        &self.function_name
    }

    /// The version or alias the caller asked for, if any.
    pub fn qualifier(&self) -> Option<&str> {
        self.qualifier.as_deref()
    }

    /// `RequestResponse` or `Event` (a `DryRun` never runs the function).
    pub fn invocation_type(&self) -> &InvocationType {
        &self.invocation_type
    }

    /// The event as sent; `{}` when the caller sent no payload, as Lambda does.
    pub fn payload(&self) -> &Bytes {
        &self.payload
    }

    /// The event parsed as `T`. A payload that does not fit becomes a function error of type
    /// `Runtime.UnmarshalError`, so `?` reports it to the caller as a runtime would.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, FunctionFailure> {
        serde_json::from_slice(&self.payload).map_err(|e| {
            FunctionFailure::new(
                "Runtime.UnmarshalError",
                format!("the event does not fit the handler's type: {e}"),
            )
        })
    }

    /// The client context the caller sent (`X-Amz-Client-Context`), decoded from base64.
    pub fn client_context(&self) -> Option<&str> {
        self.client_context.as_deref()
    }

    /// The invocation's context: its request id, its ARN and its log.
    pub fn context(&self) -> &InvocationContext {
        &self.context
    }
}

/// The context of one invocation, as a Lambda runtime gives a handler.
///
/// Cloning it shares the log, so a clone moved into a spawned task still writes to this
/// invocation's log tail.
#[derive(Clone)]
pub struct InvocationContext {
    pub(super) request_id: String,
    pub(super) invoked_function_arn: String,
    pub(super) log: Arc<Mutex<String>>,
}

impl InvocationContext {
    /// The invocation's request id, also sent back as `x-amzn-RequestId`.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The ARN the function was invoked by, with the qualifier when one was given.
    pub fn invoked_function_arn(&self) -> &str {
        &self.invoked_function_arn
    }

    /// Writes `line` to the invocation's log, which a caller asking for `LogType::Tail`
    /// gets back between the `START` and `END` lines.
    pub fn log(&self, line: &str) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.push_str(line);
        if !line.ends_with('\n') {
            log.push('\n');
        }
    }

    /// What was logged so far.
    pub(super) fn logged(&self) -> String {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl fmt::Debug for InvocationContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InvocationContext")
            .field("request_id", &self.request_id)
            .field("invoked_function_arn", &self.invoked_function_arn)
            .finish_non_exhaustive()
    }
}

/// An error a fake function reports: the caller gets HTTP 200 with
/// `X-Amz-Function-Error: Unhandled` and `{"errorMessage", "errorType", "stackTrace"}`.
///
/// Any [`std::error::Error`] converts into one with `?`: its type name becomes the
/// `errorType`, its message and those of its sources the `errorMessage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionFailure {
    error_type: String,
    error_message: String,
    stack_trace: Vec<String>,
}

impl FunctionFailure {
    /// A failure with this `errorType` and `errorMessage`, and no stack trace.
    pub fn new(error_type: impl Into<String>, error_message: impl Into<String>) -> Self {
        Self {
            error_type: error_type.into(),
            error_message: error_message.into(),
            stack_trace: Vec::new(),
        }
    }

    /// The same failure with these frames as its `stackTrace`.
    pub fn with_stack_trace(mut self, frames: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.stack_trace = frames.into_iter().map(Into::into).collect();
        self
    }

    /// The `errorType`.
    pub fn error_type(&self) -> &str {
        &self.error_type
    }

    /// The `errorMessage`.
    pub fn error_message(&self) -> &str {
        &self.error_message
    }

    /// The `stackTrace`, a frame a line.
    pub fn stack_trace(&self) -> &[String] {
        &self.stack_trace
    }

    /// The payload Lambda returns for this failure.
    pub(super) fn to_payload(&self) -> Bytes {
        let body = serde_json::json!({
            "errorMessage": self.error_message,
            "errorType": self.error_type,
            "stackTrace": self.stack_trace,
        });
        Bytes::from(body.to_string())
    }
}

impl<E: std::error::Error> From<E> for FunctionFailure {
    fn from(error: E) -> Self {
        let mut message = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }

        Self::new(std::any::type_name::<E>(), message)
    }
}

impl fmt::Display for FunctionFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_type, self.error_message)
    }
}

/// What a fake function may return as its payload.
///
/// # Example
/// ```
/// use lamina::test_util::IntoPayload;
///
/// assert_eq!(serde_json::json!({"ok": true}).into_payload().as_ref(), br#"{"ok":true}"#);
/// assert_eq!(().into_payload().as_ref(), b"null");
/// assert_eq!("raw text".into_payload().as_ref(), b"raw text");
/// ```
pub trait IntoPayload {
    /// The payload bytes sent back to the caller.
    fn into_payload(self) -> Bytes;
}

impl IntoPayload for serde_json::Value {
    /// The value as compact JSON.
    fn into_payload(self) -> Bytes {
        Bytes::from(self.to_string())
    }
}

impl IntoPayload for () {
    /// `null`, as a handler that returns nothing answers.
    fn into_payload(self) -> Bytes {
        Bytes::from_static(b"null")
    }
}

impl IntoPayload for Bytes {
    /// The bytes as they are.
    fn into_payload(self) -> Bytes {
        self
    }
}

impl IntoPayload for Vec<u8> {
    /// The bytes as they are.
    fn into_payload(self) -> Bytes {
        Bytes::from(self)
    }
}

impl IntoPayload for String {
    /// The text as it is, not quoted as a JSON string.
    fn into_payload(self) -> Bytes {
        Bytes::from(self)
    }
}

impl IntoPayload for &'static str {
    /// The text as it is, not quoted as a JSON string.
    fn into_payload(self) -> Bytes {
        Bytes::from_static(self.as_bytes())
    }
}
