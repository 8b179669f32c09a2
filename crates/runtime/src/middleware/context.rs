//! The state of one call as it moves through the stack.

use std::any::Any;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use crate::client::Handle;
use crate::config::Config;
use crate::service::ServiceInfo;

/// An HTTP request as the stack builds it: the body is one buffer, shared rather than copied.
pub type Request = http::Request<Bytes>;

/// An HTTP response as the transport stores it.
pub type Response = http::Response<Bytes>;

/// Everything one call carries: the typed input, the request, the response and the output.
///
/// Each step fills in its part: serialization sets the request, the transport the response,
/// deserialization the output.
pub struct Context {
    handle: Arc<Handle>,
    operation: &'static str,
    input: Box<dyn Any + Send + Sync>,
    request: Option<Request>,
    response: Option<Response>,
    output: Option<Box<dyn Any + Send + Sync>>,
    attempts: u32,
    retry_delay: Duration,
    properties: http::Extensions,
}

impl Context {
    /// A context for calling `operation` with `input` through the client behind `handle`.
    pub fn new<I: Any + Send + Sync>(
        handle: Arc<Handle>,
        operation: &'static str,
        input: I,
    ) -> Self {
        Self {
            handle,
            operation,
            input: Box::new(input),
            request: None,
            response: None,
            output: None,
            attempts: 0,
            retry_delay: Duration::ZERO,
            properties: http::Extensions::new(),
        }
    }

    /// The operation's name in the model, such as `Invoke`.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The service the call is for.
    pub fn service(&self) -> &'static ServiceInfo {
        self.handle.service()
    }

    /// The client's configuration.
    pub fn config(&self) -> &Config {
        self.handle.config()
    }

    /// The client behind the call.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// The typed input, when it is of type `I`.
    pub fn input<I: Any>(&self) -> Option<&I> {
        self.input.downcast_ref()
    }

    /// The request, once the serialize step has built it and until the transport takes it
    /// to send.
    pub fn request(&self) -> Option<&Request> {
        self.request.as_ref()
    }

    /// The request, for changing it.
    pub fn request_mut(&mut self) -> Option<&mut Request> {
        self.request.as_mut()
    }

    /// Sets the request.
    pub fn set_request(&mut self, request: Request) {
        self.request = Some(request);
    }

    /// Takes the request out of the context.
    pub fn take_request(&mut self) -> Option<Request> {
        self.request.take()
    }

    /// The response, once the transport has stored one.
    pub fn response(&self) -> Option<&Response> {
        self.response.as_ref()
    }

    /// Sets the response.
    pub fn set_response(&mut self, response: Response) {
        self.response = Some(response);
    }

    /// Takes the response out of the context.
    pub fn take_response(&mut self) -> Option<Response> {
        self.response.take()
    }

    /// Sets the typed output.
    pub fn set_output<O: Any + Send + Sync>(&mut self, output: O) {
        self.output = Some(Box::new(output));
    }

    /// Takes the typed output, when there is one of type `O`.
    pub fn take_output<O: Any>(&mut self) -> Option<O> {
        let output = self.output.take()?;
        match output.downcast::<O>() {
            Ok(o) => Some(*o),
            Err(other) => {
                self.output = Some(other);
                None
            }
        }
    }

    /// How many times the transport has sent the request so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    pub(crate) fn count_attempt(&mut self) {
        self.attempts += 1;
    }

    /// How long the call has waited between attempts so far.
    pub fn retry_delay(&self) -> Duration {
        self.retry_delay
    }

    pub(crate) fn add_retry_delay(&mut self, delay: Duration) {
        self.retry_delay += delay;
    }

    /// Typed values middleware share with each other during one call.
    pub fn properties(&self) -> &http::Extensions {
        &self.properties
    }

    /// Typed values middleware share with each other, for changing them.
    pub fn properties_mut(&mut self) -> &mut http::Extensions {
        &mut self.properties
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("operation", &self.operation)
            .field("has_request", &self.request.is_some())
            .field("has_response", &self.response.is_some())
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}
