//! Receiving the events of a streamed response, one decoded message at a time.

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_core::Stream;

use super::frame::{FrameDecoder, FrameError, HeaderValue, Message, DEFAULT_MAX_FRAME_LEN};
use crate::datetime::DateTime;
use crate::error::BoxError;
use crate::json::{FromJson, JsonError};
use crate::middleware::Response;
use crate::transport::{BodyStream, StreamSlot};

/// An event type of a modelled event stream, decoded from one message.
///
/// Generated for each `streaming` union of a model.
pub trait DecodeEvent: Sized {
    /// The event of type `event_type` (the message's `:event-type` header) in `message`;
    /// a type the model does not know becomes the union's `Unknown` variant.
    fn decode(event_type: &str, message: &Message) -> Result<Self, EventStreamError>;
}

/// Why an event stream could not go on.
#[derive(Debug)]
#[non_exhaustive]
pub enum EventStreamError {
    /// The bytes were not valid event-stream framing, or a frame was over the limit.
    Frame(FrameError),
    /// The connection failed while the stream was being read.
    Transport(BoxError),
    /// The service sent an error message (`:message-type: error`) and ended the stream.
    Error {
        /// The `:error-code` header.
        code: String,
        /// The `:error-message` header.
        message: Option<String>,
    },
    /// The service sent an exception (`:message-type: exception`) and ended the stream.
    Exception {
        /// The `:exception-type` header.
        code: String,
        /// The exception's message, from its JSON payload.
        message: Option<String>,
    },
    /// A message was well framed but its content did not fit the model.
    Decode {
        /// The event type (or message type) that did not decode.
        event_type: String,
        /// What was wrong.
        reason: String,
    },
}

impl fmt::Display for EventStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Frame(_) => f.write_str("the event stream's framing is broken"),
            Self::Transport(_) => f.write_str("the connection broke while the stream was read"),
            Self::Error { code, message } | Self::Exception { code, message } => {
                let kind = match self {
                    Self::Error { .. } => "an error",
                    _ => "an exception",
                };
                write!(f, "the service ended the stream with {kind}: {code}")?;
                match message {
                    Some(message) => write!(f, ": {message}"),
                    None => Ok(()),
                }
            }
            Self::Decode { event_type, reason } => {
                write!(f, "the `{event_type}` event could not be read: {reason}")
            }
        }
    }
}

impl std::error::Error for EventStreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Frame(e) => Some(e),
            Self::Transport(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

impl From<FrameError> for EventStreamError {
    fn from(e: FrameError) -> Self {
        Self::Frame(e)
    }
}

/// The events of a streamed response, in order, read from the connection as they are asked
/// for: a reader that stops asking stops the client reading, so a slow reader never makes
/// the whole response pile up in memory.
///
/// Use [`recv`](Self::recv), or the [`Stream`] implementation. Tasks sharing one receiver
/// each get different events, whichever asks first.
///
/// # Example
/// ```
/// use lamina_runtime::event_stream::receiver::{DecodeEvent, EventReceiver, EventStreamError};
/// use lamina_runtime::event_stream::frame::{encode, HeaderValue, Message};
///
/// #[derive(Debug, PartialEq)]
/// struct Chunk(Vec<u8>);
///
/// impl DecodeEvent for Chunk {
///     fn decode(_event_type: &str, message: &Message) -> Result<Self, EventStreamError> {
///         Ok(Chunk(message.payload().to_vec()))
///     }
/// }
///
/// let frame = encode(
///     &[
///         (":message-type", HeaderValue::String("event".into())),
///         (":event-type", HeaderValue::String("Chunk".into())),
///     ],
///     b"hello",
/// );
/// let receiver = EventReceiver::<Chunk>::from_bytes(frame.into());
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(receiver.recv().await.unwrap(), Some(Chunk(b"hello".to_vec())));
/// assert_eq!(receiver.recv().await.unwrap(), None);
/// # });
/// ```
pub struct EventReceiver<T> {
    inner: Arc<Mutex<Inner>>,
    _events: PhantomData<fn() -> T>,
}

struct Inner {
    body: Option<BodyStream>,
    decoder: FrameDecoder,
    done: bool,
    /// Tasks waiting for an event besides the one the body will wake.
    waiting: Vec<Waker>,
}

impl<T> fmt::Debug for EventReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let done = self.inner.lock().map(|i| i.done).unwrap_or(true);
        f.debug_struct("EventReceiver")
            .field("done", &done)
            .finish_non_exhaustive()
    }
}

/// A receiver with no events: the stream has already ended.
impl<T> Default for EventReceiver<T> {
    fn default() -> Self {
        Self::from_body(None)
    }
}

impl<T> EventReceiver<T> {
    fn from_body(body: Option<BodyStream>) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                done: body.is_none(),
                body,
                decoder: FrameDecoder::new(DEFAULT_MAX_FRAME_LEN),
                waiting: Vec::new(),
            })),
            _events: PhantomData,
        }
    }

    /// The events of `response`: its body stream when the transport streamed it, else the
    /// body it read whole.
    pub fn from_response(response: &Response) -> Self {
        match response
            .extensions()
            .get::<StreamSlot>()
            .and_then(StreamSlot::take)
        {
            Some(body) => Self::from_body(Some(body)),
            None => Self::from_bytes(response.body().clone()),
        }
    }

    /// The events framed in `bytes`, for tests and for transports that read bodies whole.
    pub fn from_bytes(bytes: Bytes) -> Self {
        Self::from_body(Some(crate::transport::one_chunk(bytes)))
    }
}

impl<T: DecodeEvent> EventReceiver<T> {
    /// The next event, `None` once the stream has ended.
    ///
    /// An error ends the stream: later calls return `None`.
    pub async fn recv(&self) -> Result<Option<T>, EventStreamError> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Result<Option<T>, EventStreamError>> {
        let Ok(mut inner) = self.inner.lock() else {
            return Poll::Ready(Err(EventStreamError::Decode {
                event_type: "(any)".into(),
                reason: "a panic while the stream was read left it unusable".into(),
            }));
        };
        let result = inner.poll_next_message(cx);

        if result.is_pending() {
            if !inner.waiting.iter().any(|w| w.will_wake(cx.waker())) {
                inner.waiting.push(cx.waker().clone());
            }
            return Poll::Pending;
        }
        for waker in inner.waiting.drain(..) {
            waker.wake();
        }
        match result {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(None)) => Poll::Ready(Ok(None)),
            Poll::Ready(Ok(Some(message))) => {
                let event = event_of::<T>(&message);
                if event.is_err() {
                    inner.finish();
                }
                Poll::Ready(event.map(Some))
            }
            Poll::Ready(Err(e)) => {
                inner.finish();
                Poll::Ready(Err(e))
            }
        }
    }
}

impl<T: DecodeEvent> Stream for EventReceiver<T> {
    type Item = Result<T, EventStreamError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.poll_recv(cx).map(Result::transpose)
    }
}

impl Inner {
    /// Stops reading, dropping the connection's body.
    fn finish(&mut self) {
        self.done = true;
        self.body = None;
    }

    /// The next whole message, reading more of the body only when none is buffered.
    fn poll_next_message(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Message>, EventStreamError>> {
        loop {
            if self.done {
                return Poll::Ready(Ok(None));
            }
            if let Some(message) = self.decoder.next_message()? {
                return Poll::Ready(Ok(Some(message)));
            }
            let Some(body) = self.body.as_mut() else {
                self.done = true;
                return Poll::Ready(Ok(None));
            };

            match body.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => self.decoder.push(&chunk),
                Poll::Ready(Some(Err(e))) => {
                    return Poll::Ready(Err(EventStreamError::Transport(e)))
                }
                Poll::Ready(None) => {
                    self.finish();
                    self.decoder.finish()?;
                    return Poll::Ready(Ok(None));
                }
            }
        }
    }
}

/// The event, or the service's error, that `message` carries.
fn event_of<T: DecodeEvent>(message: &Message) -> Result<T, EventStreamError> {
    let header = |name: &str| message.header(name).and_then(|v| v.as_str());
    match header(":message-type") {
        Some("event") => match header(":event-type") {
            Some(event_type) => T::decode(event_type, message),
            None => Err(EventStreamError::Decode {
                event_type: "event".into(),
                reason: "the message has no :event-type header".into(),
            }),
        },
        Some("error") => Err(EventStreamError::Error {
            code: header(":error-code").unwrap_or("unknown").to_owned(),
            message: header(":error-message").map(str::to_owned),
        }),
        Some("exception") => {
            let json = serde_json::from_slice::<serde_json::Value>(message.payload()).ok();
            let text = json.as_ref().and_then(|j| {
                ["message", "Message"]
                    .iter()
                    .find_map(|k| j.get(k).and_then(|v| v.as_str()))
            });
            Err(EventStreamError::Exception {
                code: header(":exception-type").unwrap_or("unknown").to_owned(),
                message: text.map(str::to_owned),
            })
        }
        other => Err(EventStreamError::Decode {
            event_type: other.unwrap_or("(none)").to_owned(),
            reason: "the :message-type header is not event, error or exception".into(),
        }),
    }
}

/// The event structure `T` from the JSON payload of `message`.
pub fn json_event<T: FromJson>(event_type: &str, message: &Message) -> Result<T, EventStreamError> {
    let value = json_payload(event_type, message)?;
    T::from_json(&value).map_err(|e| decode_error(event_type, e))
}

/// The JSON payload of `message` (an empty payload is an empty object).
pub fn json_payload(
    event_type: &str,
    message: &Message,
) -> Result<serde_json::Value, EventStreamError> {
    if message.payload().is_empty() {
        return Ok(serde_json::Value::Object(Default::default()));
    }
    serde_json::from_slice(message.payload()).map_err(|e| EventStreamError::Decode {
        event_type: event_type.to_owned(),
        reason: format!("the payload is not JSON: {e}"),
    })
}

/// The payload of `message` as text.
pub fn text_payload(event_type: &str, message: &Message) -> Result<String, EventStreamError> {
    String::from_utf8(message.payload().to_vec()).map_err(|_| EventStreamError::Decode {
        event_type: event_type.to_owned(),
        reason: "the payload is not UTF-8 text".into(),
    })
}

/// A value an event header can hold, as a member of an event structure.
pub trait FromHeader: Sized {
    /// The member's value, or `None` when the header holds another type.
    fn from_header(value: &HeaderValue) -> Option<Self>;
}

impl FromHeader for String {
    fn from_header(value: &HeaderValue) -> Option<Self> {
        value.as_str().map(str::to_owned)
    }
}

impl FromHeader for bool {
    fn from_header(value: &HeaderValue) -> Option<Self> {
        value.as_bool()
    }
}

impl FromHeader for Bytes {
    fn from_header(value: &HeaderValue) -> Option<Self> {
        value.as_bytes().cloned()
    }
}

impl FromHeader for DateTime {
    fn from_header(value: &HeaderValue) -> Option<Self> {
        match value {
            HeaderValue::Timestamp(millis) => Some(DateTime::from_millis(*millis)),
            _ => None,
        }
    }
}

macro_rules! integer_headers {
    ($($t:ty),*) => {$(
        impl FromHeader for $t {
            fn from_header(value: &HeaderValue) -> Option<Self> {
                value.as_int().and_then(|i| <$t>::try_from(i).ok())
            }
        }
    )*};
}

integer_headers!(i8, i16, i32, i64);

/// The header `name` of `message` as a member of type `T`: `None` when it is absent, an error
/// when it holds a value of another type.
pub fn header<T: FromHeader>(
    event_type: &str,
    message: &Message,
    name: &str,
) -> Result<Option<T>, EventStreamError> {
    let Some(value) = message.header(name) else {
        return Ok(None);
    };
    T::from_header(value)
        .map(Some)
        .ok_or_else(|| EventStreamError::Decode {
            event_type: event_type.to_owned(),
            reason: format!("its `{name}` header holds a {}", value.type_name()),
        })
}

/// An event member that did not decode.
pub fn decode_error(event_type: &str, error: JsonError) -> EventStreamError {
    EventStreamError::Decode {
        event_type: event_type.to_owned(),
        reason: error.to_string(),
    }
}
