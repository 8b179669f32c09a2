//! The binary framing of `application/vnd.amazon.eventstream`: a body made of self-delimiting
//! messages, each carrying typed headers, a payload and two CRC32 checksums.
//!
//! One frame on the wire (all integers big-endian):
//!
//! ```text
//! total length    u32   the whole frame, from this field to the message checksum included
//! headers length  u32   the size of the header block alone
//! prelude CRC     u32   CRC32 of the two lengths
//! headers         ...   per header: name length u8, name (UTF-8), value type u8, value
//! payload         ...   the bytes left between the headers and the message CRC
//! message CRC     u32   CRC32 of every byte of the frame before it
//! ```
//!
//! [`FrameDecoder`] takes a body in chunks of any size and gives back whole [`Message`]s,
//! checking both checksums and refusing an oversized frame from its 12-byte prelude, before its
//! body is buffered. [`encode`] builds frames, for fakes and tests.
//!
//! # Example
//! ```
//! use lamina_runtime::event_stream::frame::{encode, FrameDecoder, FrameError, HeaderValue};
//!
//! let frame = encode(&[(":event-type", HeaderValue::from("PayloadChunk"))], b"hello");
//!
//! let mut decoder = FrameDecoder::default();
//! decoder.push(&frame[..5]);
//! assert!(decoder.next_message()?.is_none());
//! decoder.push(&frame[5..]);
//!
//! let message = decoder.next_message()?.expect("the whole frame arrived");
//! let event_type = message.header(":event-type").and_then(HeaderValue::as_str);
//! assert_eq!(event_type, Some("PayloadChunk"));
//! assert_eq!(message.payload().as_ref(), b"hello");
//! decoder.finish()?;
//! # Ok::<(), FrameError>(())
//! ```

use std::fmt;
use std::ops::Range;

use bytes::{Bytes, BytesMut};

/// The size of a frame's prelude: the two lengths and the prelude's checksum.
pub const PRELUDE_LEN: usize = 12;

/// The size of the smallest frame: a prelude and a message checksum, no headers, no payload.
pub const MIN_FRAME_LEN: usize = PRELUDE_LEN + CRC_LEN;

/// The largest frame [`FrameDecoder::default`] accepts, 16 MiB: far above what AWS services
/// send in one frame, small enough that a corrupt length cannot make the client buffer much.
pub const DEFAULT_MAX_FRAME_LEN: usize = 16 * 1024 * 1024;

/// The size of one CRC32 checksum.
const CRC_LEN: usize = 4;

/// The value type codes of the wire format.
mod code {
    pub(super) const TRUE: u8 = 0;
    pub(super) const FALSE: u8 = 1;
    pub(super) const BYTE: u8 = 2;
    pub(super) const INT16: u8 = 3;
    pub(super) const INT32: u8 = 4;
    pub(super) const INT64: u8 = 5;
    pub(super) const BYTE_ARRAY: u8 = 6;
    pub(super) const STRING: u8 = 7;
    pub(super) const TIMESTAMP: u8 = 8;
    pub(super) const UUID: u8 = 9;
}

/// The value of one message header, in one of the ten types the format defines.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderValue {
    /// A boolean (type codes 0 for true and 1 for false; no value bytes follow).
    Bool(bool),
    /// A signed byte (type 2).
    Byte(i8),
    /// A 16-bit signed integer (type 3).
    Int16(i16),
    /// A 32-bit signed integer (type 4).
    Int32(i32),
    /// A 64-bit signed integer (type 5).
    Int64(i64),
    /// Raw bytes of at most 65,535 (type 6).
    ByteArray(Bytes),
    /// UTF-8 text of at most 65,535 bytes (type 7): `:event-type`, `:message-type` and the
    /// like are strings.
    String(String),
    /// Milliseconds since the Unix epoch (type 8).
    Timestamp(i64),
    /// A UUID's 16 bytes (type 9).
    Uuid([u8; 16]),
}

impl HeaderValue {
    /// The text of a [`HeaderValue::String`]; `None` for every other type.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            HeaderValue::String(text) => Some(text),
            _ => None,
        }
    }

    /// The value of a [`HeaderValue::Bool`]; `None` for every other type.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            HeaderValue::Bool(value) => Some(*value),
            _ => None,
        }
    }

    /// The value of any of the four integer types, widened; `None` for every other type.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            HeaderValue::Byte(value) => Some(i64::from(*value)),
            HeaderValue::Int16(value) => Some(i64::from(*value)),
            HeaderValue::Int32(value) => Some(i64::from(*value)),
            HeaderValue::Int64(value) => Some(*value),
            _ => None,
        }
    }

    /// The bytes of a [`HeaderValue::ByteArray`]; `None` for every other type.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self {
            HeaderValue::ByteArray(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// The type's name, for error messages such as "`:event-type` is an int32, not a string".
    pub fn type_name(&self) -> &'static str {
        match self {
            HeaderValue::Bool(_) => "bool",
            HeaderValue::Byte(_) => "byte",
            HeaderValue::Int16(_) => "int16",
            HeaderValue::Int32(_) => "int32",
            HeaderValue::Int64(_) => "int64",
            HeaderValue::ByteArray(_) => "byte array",
            HeaderValue::String(_) => "string",
            HeaderValue::Timestamp(_) => "timestamp",
            HeaderValue::Uuid(_) => "uuid",
        }
    }
}

impl From<&str> for HeaderValue {
    fn from(text: &str) -> Self {
        HeaderValue::String(text.to_owned())
    }
}

impl From<String> for HeaderValue {
    fn from(text: String) -> Self {
        HeaderValue::String(text)
    }
}

/// One header of a message: a name and a typed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    name: String,
    value: HeaderValue,
}

impl Header {
    /// A header named `name` holding `value`.
    pub fn new(name: impl Into<String>, value: HeaderValue) -> Self {
        Header {
            name: name.into(),
            value,
        }
    }

    /// The header's name, such as `:event-type`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The header's value.
    pub fn value(&self) -> &HeaderValue {
        &self.value
    }
}

/// One decoded frame: its headers in wire order and its payload.
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    headers: Vec<Header>,
    payload: Bytes,
}

impl Message {
    /// A message with these headers and this payload, as a fake server would send it.
    pub fn new(headers: Vec<Header>, payload: impl Into<Bytes>) -> Self {
        Message {
            headers,
            payload: payload.into(),
        }
    }

    /// Every header, in the order the frame carried them.
    pub fn headers(&self) -> &[Header] {
        &self.headers
    }

    /// The value of the first header named `name`, if the frame carried one.
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|header| header.name == name)
            .map(Header::value)
    }

    /// The payload, sharing the decoder's buffer rather than copying it.
    pub fn payload(&self) -> &Bytes {
        &self.payload
    }

    /// The payload, giving up the headers.
    pub fn into_payload(self) -> Bytes {
        self.payload
    }

    /// The frame that carries this message, as [`encode`] builds it.
    ///
    /// # Panics
    /// In the same cases as [`encode`].
    pub fn encode(&self) -> Vec<u8> {
        let headers = self.headers.iter().map(|h| (h.name.as_str(), &h.value));
        encode_frame(headers, &self.payload)
    }
}

/// Headers in full, the payload by its size only: payloads can be megabytes.
impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("headers", &self.headers)
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

/// Builds the frame that carries `headers` (in this order) and `payload`: for fake servers,
/// fuzz seeds and tests, since a client only ever reads frames.
///
/// # Example
/// ```
/// use lamina_runtime::event_stream::frame::{encode, HeaderValue, MIN_FRAME_LEN};
///
/// let frame = encode(&[(":message-type", HeaderValue::from("event"))], b"{}");
/// assert_eq!(frame.len(), MIN_FRAME_LEN + (1 + 13 + 1 + 2 + 5) + 2);
/// ```
///
/// # Panics
/// When the input cannot be framed: a header name longer than 255 bytes, a string or byte
/// array value longer than 65,535 bytes, or a frame longer than `u32::MAX` bytes.
pub fn encode(headers: &[(&str, HeaderValue)], payload: &[u8]) -> Vec<u8> {
    encode_frame(headers.iter().map(|(name, value)| (*name, value)), payload)
}

/// [`encode`] over any sequence of headers.
fn encode_frame<'a>(
    headers: impl Iterator<Item = (&'a str, &'a HeaderValue)>,
    payload: &[u8],
) -> Vec<u8> {
    let mut block = Vec::new();
    for (name, value) in headers {
        write_header(&mut block, name, value);
    }

    let total = MIN_FRAME_LEN + block.len() + payload.len();
    let total = u32::try_from(total)
        .unwrap_or_else(|_| panic!("an event stream frame of {total} bytes exceeds u32::MAX"));
    let headers_len = u32::try_from(block.len()).unwrap_or(u32::MAX);

    let mut frame = Vec::with_capacity(total as usize);
    frame.extend_from_slice(&total.to_be_bytes());
    frame.extend_from_slice(&headers_len.to_be_bytes());
    let prelude_crc = crc32fast::hash(&frame);
    frame.extend_from_slice(&prelude_crc.to_be_bytes());

    frame.extend_from_slice(&block);
    frame.extend_from_slice(payload);
    let message_crc = crc32fast::hash(&frame);
    frame.extend_from_slice(&message_crc.to_be_bytes());
    frame
}

/// Appends one header's wire form to a header block.
fn write_header(block: &mut Vec<u8>, name: &str, value: &HeaderValue) {
    let name_len = u8::try_from(name.len()).unwrap_or_else(|_| {
        panic!(
            "header name `{name}` is {} bytes; at most 255 fit",
            name.len()
        )
    });
    block.push(name_len);
    block.extend_from_slice(name.as_bytes());

    match value {
        HeaderValue::Bool(true) => block.push(code::TRUE),
        HeaderValue::Bool(false) => block.push(code::FALSE),
        HeaderValue::Byte(value) => {
            block.push(code::BYTE);
            block.extend_from_slice(&value.to_be_bytes());
        }
        HeaderValue::Int16(value) => {
            block.push(code::INT16);
            block.extend_from_slice(&value.to_be_bytes());
        }
        HeaderValue::Int32(value) => {
            block.push(code::INT32);
            block.extend_from_slice(&value.to_be_bytes());
        }
        HeaderValue::Int64(value) => {
            block.push(code::INT64);
            block.extend_from_slice(&value.to_be_bytes());
        }
        HeaderValue::ByteArray(bytes) => {
            block.push(code::BYTE_ARRAY);
            write_short_bytes(block, name, bytes);
        }
        HeaderValue::String(text) => {
            block.push(code::STRING);
            write_short_bytes(block, name, text.as_bytes());
        }
        HeaderValue::Timestamp(millis) => {
            block.push(code::TIMESTAMP);
            block.extend_from_slice(&millis.to_be_bytes());
        }
        HeaderValue::Uuid(uuid) => {
            block.push(code::UUID);
            block.extend_from_slice(uuid);
        }
    }
}

/// Appends a value prefixed by its length as a u16.
fn write_short_bytes(block: &mut Vec<u8>, name: &str, value: &[u8]) {
    let len = u16::try_from(value.len()).unwrap_or_else(|_| {
        panic!(
            "header `{name}` holds {} bytes; at most 65535 fit",
            value.len()
        )
    });
    block.extend_from_slice(&len.to_be_bytes());
    block.extend_from_slice(value);
}

/// Why an event stream could not be read. After one, the stream's framing is lost: the
/// decoder that returned it gives the same error from then on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// The prelude's checksum does not match its two lengths, so neither can be trusted.
    PreludeChecksum {
        /// The checksum the frame carries.
        expected: u32,
        /// The checksum of the bytes that arrived.
        actual: u32,
    },
    /// The message checksum does not match the frame's bytes.
    MessageChecksum {
        /// The checksum the frame carries.
        expected: u32,
        /// The checksum of the bytes that arrived.
        actual: u32,
    },
    /// The prelude declares a frame larger than the decoder's limit; nothing past the prelude
    /// was buffered.
    TooLarge {
        /// The total length the prelude declares.
        declared: u32,
        /// The decoder's limit ([`FrameDecoder::max_frame_len`]).
        limit: usize,
    },
    /// The prelude declares a frame shorter than [`MIN_FRAME_LEN`].
    TooShort {
        /// The total length the prelude declares.
        declared: u32,
    },
    /// The prelude declares more header bytes than the frame's length leaves room for.
    HeadersOverflow {
        /// The headers length the prelude declares.
        headers_len: u32,
        /// The total length the prelude declares.
        total_len: u32,
    },
    /// A header in the header block cannot be read.
    BadHeader {
        /// Where the unreadable field starts, counted in bytes from the start of the frame.
        offset: usize,
        /// What is wrong with it.
        problem: HeaderProblem,
    },
    /// The stream ended inside a frame: the connection was cut or the body is incomplete.
    Truncated {
        /// The bytes of the unfinished frame that arrived.
        pending: usize,
        /// The frame's declared total length, once its prelude arrived.
        declared: Option<u32>,
    },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::PreludeChecksum { expected, actual } => write!(
                f,
                "event stream frame prelude fails its checksum (the frame says {expected:#010x}, \
                 its bytes give {actual:#010x}): the body is corrupt or is not an event stream"
            ),
            FrameError::MessageChecksum { expected, actual } => write!(
                f,
                "event stream frame fails its message checksum (the frame says \
                 {expected:#010x}, its bytes give {actual:#010x}): the frame was corrupted in \
                 transit"
            ),
            FrameError::TooLarge { declared, limit } => write!(
                f,
                "event stream frame declares {declared} bytes, over the limit of {limit}: it was \
                 refused before being buffered (raise the limit only for a trusted server)"
            ),
            FrameError::TooShort { declared } => write!(
                f,
                "event stream frame declares {declared} bytes, fewer than the {MIN_FRAME_LEN} \
                 every frame needs: the body is not an event stream"
            ),
            FrameError::HeadersOverflow {
                headers_len,
                total_len,
            } => write!(
                f,
                "event stream frame declares {headers_len} bytes of headers, more than its \
                 length of {total_len} bytes leaves room for: the body is not an event stream"
            ),
            FrameError::BadHeader { offset, problem } => write!(
                f,
                "event stream frame has an unreadable header at byte {offset} of the frame: \
                 {problem}"
            ),
            FrameError::Truncated {
                pending,
                declared: Some(declared),
            } => write!(
                f,
                "the event stream ended inside a frame: {pending} of its {declared} bytes \
                 arrived; the connection was cut or the response is incomplete"
            ),
            FrameError::Truncated {
                pending,
                declared: None,
            } => write!(
                f,
                "the event stream ended inside a frame: {pending} bytes arrived, fewer than a \
                 {PRELUDE_LEN}-byte prelude; the connection was cut or the response is \
                 incomplete"
            ),
        }
    }
}

impl std::error::Error for FrameError {}

/// What is wrong with a header, in a [`FrameError::BadHeader`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderProblem {
    /// The header block ends inside a header.
    Cut {
        /// The header's name, unless the block ends inside the name itself.
        name: Option<String>,
        /// The bytes the field needs.
        needed: usize,
        /// The bytes left in the header block.
        remaining: usize,
    },
    /// The header's name is not UTF-8.
    NameNotUtf8,
    /// The value type code is none of the ten the format defines (0 to 9).
    UnknownType {
        /// The header's name.
        name: String,
        /// The type code found.
        code: u8,
    },
    /// A string value is not UTF-8.
    ValueNotUtf8 {
        /// The header's name.
        name: String,
    },
}

impl fmt::Display for HeaderProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderProblem::Cut {
                name: Some(name),
                needed,
                remaining,
            } => write!(
                f,
                "the header block ends inside header `{name}` ({needed} more bytes needed, \
                 {remaining} left)"
            ),
            HeaderProblem::Cut {
                name: None,
                needed,
                remaining,
            } => write!(
                f,
                "the header block ends inside a header name ({needed} bytes needed, \
                 {remaining} left)"
            ),
            HeaderProblem::NameNotUtf8 => f.write_str("the header name is not UTF-8"),
            HeaderProblem::UnknownType { name, code } => write!(
                f,
                "header `{name}` has value type {code}, not one of the types 0 to 9"
            ),
            HeaderProblem::ValueNotUtf8 { name } => {
                write!(f, "the string value of header `{name}` is not UTF-8")
            }
        }
    }
}

/// Reads an event stream body given in chunks of any size: push each chunk, then take every
/// message that became whole; call [`FrameDecoder::finish`] when the body ends.
///
/// The decoder buffers at most one unfinished frame besides what was pushed and not yet taken,
/// and refuses a frame larger than its limit as soon as the frame's prelude is in.
///
/// # Example
/// ```
/// use lamina_runtime::event_stream::frame::{encode, FrameDecoder, FrameError};
///
/// let mut body = encode(&[], b"one");
/// body.extend(encode(&[], b"two"));
///
/// let mut decoder = FrameDecoder::new(1024);
/// let mut payloads = Vec::new();
/// for chunk in body.chunks(7) {
///     decoder.push(chunk);
///     while let Some(message) = decoder.next_message()? {
///         payloads.push(message.into_payload());
///     }
/// }
/// decoder.finish()?;
/// assert_eq!(payloads, ["one", "two"]);
/// # Ok::<(), FrameError>(())
/// ```
pub struct FrameDecoder {
    max_frame: usize,
    buffer: BytesMut,
    prelude: Option<Prelude>,
    failed: Option<FrameError>,
}

/// A prelude that passed its checksum and the decoder's limits.
#[derive(Debug, Clone, Copy)]
struct Prelude {
    total: usize,
    headers: usize,
    declared: u32,
}

impl FrameDecoder {
    /// A decoder that refuses frames longer than `max_frame_len` bytes (a limit below
    /// [`MIN_FRAME_LEN`] refuses every frame).
    pub fn new(max_frame_len: usize) -> Self {
        FrameDecoder {
            max_frame: max_frame_len,
            buffer: BytesMut::new(),
            prelude: None,
            failed: None,
        }
    }

    /// The longest frame this decoder accepts, in bytes.
    pub fn max_frame_len(&self) -> usize {
        self.max_frame
    }

    /// The bytes pushed and not yet returned as messages.
    pub fn buffered_len(&self) -> usize {
        self.buffer.len()
    }

    /// Appends the next chunk of the body. Once the decoder has returned an error, chunks are
    /// dropped unread.
    pub fn push(&mut self, chunk: &[u8]) {
        if self.failed.is_none() {
            self.buffer.extend_from_slice(chunk);
        }
    }

    /// The next message, once all of its frame has been pushed; `Ok(None)` while more bytes
    /// are needed. Call it until it gives `Ok(None)` after each push: one chunk may finish
    /// several frames.
    ///
    /// # Errors
    /// A [`FrameError`] when the frame's checksums fail, its prelude declares an impossible or
    /// too large length, or a header cannot be read. An oversized frame is refused as soon as
    /// its 12-byte prelude is in. The error is final: every later call returns it again.
    pub fn next_message(&mut self) -> Result<Option<Message>, FrameError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }

        let result = self.decode_next();
        if let Err(error) = &result {
            self.failed = Some(error.clone());
            self.buffer = BytesMut::new();
            self.prelude = None;
        }
        result
    }

    /// Checks that the body ended between frames: call it once the body is over and
    /// [`FrameDecoder::next_message`] has returned `Ok(None)`.
    ///
    /// # Errors
    /// [`FrameError::Truncated`] when part of a frame is still buffered (the connection was
    /// cut mid-frame), the prelude's own error when that part is a bad prelude, or the error
    /// the decoder already returned.
    pub fn finish(&self) -> Result<(), FrameError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        if self.buffer.is_empty() {
            return Ok(());
        }

        let declared = match self.prelude {
            Some(prelude) => Some(prelude.declared),
            None => match self.buffer.first_chunk::<PRELUDE_LEN>() {
                Some(bytes) => Some(read_prelude(bytes, self.max_frame)?.declared),
                None => None,
            },
        };
        Err(FrameError::Truncated {
            pending: self.buffer.len(),
            declared,
        })
    }

    /// [`FrameDecoder::next_message`] without the bookkeeping of a failure.
    fn decode_next(&mut self) -> Result<Option<Message>, FrameError> {
        let prelude = match self.prelude {
            Some(prelude) => prelude,
            None => {
                let Some(bytes) = self.buffer.first_chunk::<PRELUDE_LEN>() else {
                    return Ok(None);
                };
                let prelude = read_prelude(bytes, self.max_frame)?;
                self.prelude = Some(prelude);
                prelude
            }
        };

        if self.buffer.len() < prelude.total {
            return Ok(None);
        }

        self.prelude = None;
        let frame = self.buffer.split_to(prelude.total).freeze();
        decode_frame(frame, prelude).map(Some)
    }
}

/// The limit and the state, without the buffered bytes.
impl fmt::Debug for FrameDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameDecoder")
            .field("max_frame_len", &self.max_frame)
            .field("buffered_len", &self.buffer.len())
            .field("failed", &self.failed)
            .finish()
    }
}

/// A decoder with the [`DEFAULT_MAX_FRAME_LEN`] limit.
impl Default for FrameDecoder {
    fn default() -> Self {
        FrameDecoder::new(DEFAULT_MAX_FRAME_LEN)
    }
}

/// Checks a prelude's checksum and lengths against the frame limit `max_frame`.
fn read_prelude(bytes: &[u8; PRELUDE_LEN], max_frame: usize) -> Result<Prelude, FrameError> {
    let [t0, t1, t2, t3, h0, h1, h2, h3, c0, c1, c2, c3] = *bytes;
    let total_len = u32::from_be_bytes([t0, t1, t2, t3]);
    let headers_len = u32::from_be_bytes([h0, h1, h2, h3]);
    let expected = u32::from_be_bytes([c0, c1, c2, c3]);
    let actual = crc32fast::hash(&[t0, t1, t2, t3, h0, h1, h2, h3]);
    if expected != actual {
        return Err(FrameError::PreludeChecksum { expected, actual });
    }

    let total = usize::try_from(total_len).unwrap_or(usize::MAX);
    if total < MIN_FRAME_LEN {
        return Err(FrameError::TooShort {
            declared: total_len,
        });
    }
    if total > max_frame {
        return Err(FrameError::TooLarge {
            declared: total_len,
            limit: max_frame,
        });
    }

    let headers = usize::try_from(headers_len)
        .ok()
        .filter(|headers| {
            headers
                .checked_add(MIN_FRAME_LEN)
                .is_some_and(|n| n <= total)
        })
        .ok_or(FrameError::HeadersOverflow {
            headers_len,
            total_len,
        })?;
    Ok(Prelude {
        total,
        headers,
        declared: total_len,
    })
}

/// Checks a whole frame's message checksum and reads its headers and payload.
fn decode_frame(frame: Bytes, prelude: Prelude) -> Result<Message, FrameError> {
    let (covered, crc) = frame
        .split_last_chunk::<CRC_LEN>()
        .ok_or(FrameError::TooShort {
            declared: prelude.declared,
        })?;
    let expected = u32::from_be_bytes(*crc);
    let actual = crc32fast::hash(covered);
    if expected != actual {
        return Err(FrameError::MessageChecksum { expected, actual });
    }

    let overflow = FrameError::HeadersOverflow {
        headers_len: u32::try_from(prelude.headers).unwrap_or(u32::MAX),
        total_len: prelude.declared,
    };
    let headers_end = PRELUDE_LEN
        .checked_add(prelude.headers)
        .ok_or_else(|| overflow.clone())?;
    let payload_end = frame.len().saturating_sub(CRC_LEN);
    let block = slice(&frame, PRELUDE_LEN..headers_end).ok_or_else(|| overflow.clone())?;
    let payload = slice(&frame, headers_end..payload_end).ok_or(overflow)?;

    let mut cursor = Cursor {
        bytes: block,
        pos: 0,
        base: PRELUDE_LEN,
    };
    let mut headers = Vec::new();
    while cursor.remaining() > 0 {
        headers.push(read_header(&mut cursor)?);
    }
    Ok(Message { headers, payload })
}

/// `bytes[range]` sharing the allocation, or `None` when the range does not fit.
fn slice(bytes: &Bytes, range: Range<usize>) -> Option<Bytes> {
    (range.start <= range.end && range.end <= bytes.len()).then(|| bytes.slice(range))
}

/// A read position in a frame's header block.
struct Cursor {
    bytes: Bytes,
    pos: usize,
    /// Where the block starts in its frame, so errors can give offsets in the frame.
    base: usize,
}

impl Cursor {
    /// The bytes of the block not read yet.
    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// The read position, counted from the start of the frame.
    fn offset(&self) -> usize {
        self.base.saturating_add(self.pos)
    }

    /// The next `len` bytes, or a [`HeaderProblem::Cut`] error naming `name`.
    fn take(&mut self, len: usize, name: Option<&str>) -> Result<Bytes, FrameError> {
        let taken = self
            .pos
            .checked_add(len)
            .and_then(|end| Some((slice(&self.bytes, self.pos..end)?, end)));
        match taken {
            Some((bytes, end)) => {
                self.pos = end;
                Ok(bytes)
            }
            None => Err(self.cut(len, name)),
        }
    }

    /// The next `N` bytes as an array, or a [`HeaderProblem::Cut`] error naming `name`.
    fn array<const N: usize>(&mut self, name: Option<&str>) -> Result<[u8; N], FrameError> {
        let bytes = self.take(N, name)?;
        bytes
            .first_chunk::<N>()
            .copied()
            .ok_or_else(|| self.cut(N, name))
    }

    /// The error for a field of `needed` bytes that does not fit in the rest of the block.
    fn cut(&self, needed: usize, name: Option<&str>) -> FrameError {
        FrameError::BadHeader {
            offset: self.offset(),
            problem: HeaderProblem::Cut {
                name: name.map(str::to_owned),
                needed,
                remaining: self.remaining(),
            },
        }
    }
}

/// Reads the header at the cursor.
fn read_header(cursor: &mut Cursor) -> Result<Header, FrameError> {
    let [name_len] = cursor.array::<1>(None)?;
    let name_offset = cursor.offset();
    let name = cursor.take(usize::from(name_len), None)?;
    let name = String::from_utf8(name.to_vec()).map_err(|_| FrameError::BadHeader {
        offset: name_offset,
        problem: HeaderProblem::NameNotUtf8,
    })?;

    let type_offset = cursor.offset();
    let [type_code] = cursor.array::<1>(Some(&name))?;
    let named = Some(name.as_str());
    let value = match type_code {
        code::TRUE => HeaderValue::Bool(true),
        code::FALSE => HeaderValue::Bool(false),
        code::BYTE => HeaderValue::Byte(i8::from_be_bytes(cursor.array(named)?)),
        code::INT16 => HeaderValue::Int16(i16::from_be_bytes(cursor.array(named)?)),
        code::INT32 => HeaderValue::Int32(i32::from_be_bytes(cursor.array(named)?)),
        code::INT64 => HeaderValue::Int64(i64::from_be_bytes(cursor.array(named)?)),
        code::BYTE_ARRAY => {
            let len = u16::from_be_bytes(cursor.array(named)?);
            HeaderValue::ByteArray(cursor.take(usize::from(len), named)?)
        }
        code::STRING => {
            let len = u16::from_be_bytes(cursor.array(named)?);
            let value_offset = cursor.offset();
            let text = cursor.take(usize::from(len), named)?;
            let text = String::from_utf8(text.to_vec()).map_err(|_| FrameError::BadHeader {
                offset: value_offset,
                problem: HeaderProblem::ValueNotUtf8 { name: name.clone() },
            })?;
            HeaderValue::String(text)
        }
        code::TIMESTAMP => HeaderValue::Timestamp(i64::from_be_bytes(cursor.array(named)?)),
        code::UUID => HeaderValue::Uuid(cursor.array(named)?),
        unknown => {
            return Err(FrameError::BadHeader {
                offset: type_offset,
                problem: HeaderProblem::UnknownType {
                    name,
                    code: unknown,
                },
            })
        }
    };
    Ok(Header { name, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every type of header value, with its edge cases.
    fn every_header() -> Vec<(&'static str, HeaderValue)> {
        vec![
            ("true", HeaderValue::Bool(true)),
            ("false", HeaderValue::Bool(false)),
            ("byte", HeaderValue::Byte(-128)),
            ("int16", HeaderValue::Int16(i16::MIN)),
            ("int32", HeaderValue::Int32(-2)),
            ("int64", HeaderValue::Int64(i64::MAX)),
            (
                "bytes",
                HeaderValue::ByteArray(Bytes::from_static(b"\0\xff\x01")),
            ),
            ("no bytes", HeaderValue::ByteArray(Bytes::new())),
            (":event-type", HeaderValue::from("PayloadChunk")),
            ("empty", HeaderValue::from("")),
            ("unicode", HeaderValue::from("λ → ✓")),
            ("timestamp", HeaderValue::Timestamp(1_700_000_000_123)),
            ("uuid", HeaderValue::Uuid(*b"0123456789abcdef")),
        ]
    }

    /// Decodes a whole body pushed in one chunk, and checks that it ends between frames.
    fn decode_all(body: &[u8]) -> Result<Vec<Message>, FrameError> {
        let mut decoder = FrameDecoder::default();
        decoder.push(body);
        let mut messages = Vec::new();
        while let Some(message) = decoder.next_message()? {
            messages.push(message);
        }
        decoder.finish()?;
        Ok(messages)
    }

    /// A frame whose header block is `block` as given, with both checksums right.
    fn frame_with_block(block: &[u8], payload: &[u8]) -> Vec<u8> {
        let total = (MIN_FRAME_LEN + block.len() + payload.len()) as u32;
        let mut frame = total.to_be_bytes().to_vec();
        frame.extend_from_slice(&(block.len() as u32).to_be_bytes());
        frame.extend_from_slice(&crc32fast::hash(&frame).to_be_bytes());
        frame.extend_from_slice(block);
        frame.extend_from_slice(payload);
        frame.extend_from_slice(&crc32fast::hash(&frame).to_be_bytes());
        frame
    }

    /// A prelude declaring these lengths, with the right checksum.
    fn prelude(total: u32, headers: u32) -> Vec<u8> {
        let mut prelude = total.to_be_bytes().to_vec();
        prelude.extend_from_slice(&headers.to_be_bytes());
        prelude.extend_from_slice(&crc32fast::hash(&prelude).to_be_bytes());
        prelude
    }

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Headers as [`encode`] takes them.
    type Headers<'a> = &'a [(&'a str, HeaderValue)];

    #[test]
    fn known_frames_match_the_wire_format() {
        // Both computed outside this crate, with Python's zlib.crc32 and struct.pack.
        let cases: [(Headers, &[u8], &str); 2] = [
            (
                &[],
                br#"{"foo": "bar"}"#,
                "0000001e00000000baf2f68a7b22666f6f223a2022626172227dae7258e4",
            ),
            (
                &[
                    (":message-type", HeaderValue::String("event".into())),
                    ("n", HeaderValue::Int32(-2)),
                ],
                b"hi",
                "0000002f0000001d45b50b650d3a6d6573736167652d747970650700056576656e74016e04ff\
                 fffffe68697df375fc",
            ),
        ];

        for (headers, payload, wire) in cases {
            let wire = hex(wire);
            assert_eq!(encode(headers, payload), wire);

            let messages = decode_all(&wire).unwrap();
            assert_eq!(messages.len(), 1);
            assert_eq!(messages[0].payload().as_ref(), payload);
            let decoded: Vec<_> = messages[0]
                .headers()
                .iter()
                .map(|h| (h.name(), h.value().clone()))
                .collect();
            assert_eq!(decoded, headers);
        }
    }

    #[test]
    fn every_header_type_round_trips() {
        for (name, value) in every_header() {
            let frame = encode(&[(name, value.clone())], b"payload");
            let messages = decode_all(&frame).unwrap();

            assert_eq!(messages.len(), 1, "{name}");
            assert_eq!(messages[0].header(name), Some(&value), "{name}");
            assert_eq!(messages[0].headers().len(), 1, "{name}");
            assert_eq!(messages[0].payload().as_ref(), b"payload", "{name}");
        }

        let all = every_header();
        let messages = decode_all(&encode(&all, b"")).unwrap();
        let decoded: Vec<_> = messages[0]
            .headers()
            .iter()
            .map(|h| (h.name(), h.value().clone()))
            .collect();
        assert_eq!(decoded, all);
    }

    #[test]
    fn header_names_of_every_length_round_trip() {
        for len in [0, 1, 127, 255] {
            let name = "n".repeat(len);
            let frame = encode(&[(&name, HeaderValue::Bool(true))], b"x");
            let messages = decode_all(&frame).unwrap();
            assert_eq!(messages[0].headers()[0].name(), name);
        }

        let long = "s".repeat(usize::from(u16::MAX));
        let frame = encode(&[("long", HeaderValue::from(long.as_str()))], b"");
        let messages = decode_all(&frame).unwrap();
        assert_eq!(
            messages[0].header("long").and_then(HeaderValue::as_str),
            Some(&*long)
        );
    }

    #[test]
    fn accessors_answer_only_for_their_type() {
        let cases = [
            (HeaderValue::from("text"), Some("text"), None, None, false),
            (HeaderValue::Bool(false), None, Some(false), None, false),
            (HeaderValue::Byte(-1), None, None, Some(-1), false),
            (HeaderValue::Int16(300), None, None, Some(300), false),
            (
                HeaderValue::Int32(-70_000),
                None,
                None,
                Some(-70_000),
                false,
            ),
            (
                HeaderValue::Int64(1 << 40),
                None,
                None,
                Some(1 << 40),
                false,
            ),
            (HeaderValue::Timestamp(5), None, None, None, false),
            (
                HeaderValue::ByteArray(Bytes::from_static(b"b")),
                None,
                None,
                None,
                true,
            ),
        ];
        for (value, text, boolean, int, bytes) in cases {
            assert_eq!(value.as_str(), text, "{value:?}");
            assert_eq!(value.as_bool(), boolean, "{value:?}");
            assert_eq!(value.as_int(), int, "{value:?}");
            assert_eq!(value.as_bytes().is_some(), bytes, "{value:?}");
        }
        assert_eq!(HeaderValue::Int32(1).type_name(), "int32");
    }

    #[test]
    fn an_empty_frame_has_no_headers_and_no_payload() {
        let frame = encode(&[], b"");
        assert_eq!(frame.len(), MIN_FRAME_LEN);

        let messages = decode_all(&frame).unwrap();
        assert_eq!(messages.len(), 1);
        assert!(messages[0].headers().is_empty());
        assert!(messages[0].payload().is_empty());
        assert_eq!(messages[0].header(":event-type"), None);
    }

    #[test]
    fn several_frames_in_one_chunk_come_out_in_order() {
        let mut body = Vec::new();
        for i in 0..5u8 {
            body.extend(encode(
                &[("i", HeaderValue::Byte(i as i8))],
                &vec![i; usize::from(i)],
            ));
        }

        let messages = decode_all(&body).unwrap();
        assert_eq!(messages.len(), 5);
        for (i, message) in messages.iter().enumerate() {
            assert_eq!(
                message.header("i").and_then(HeaderValue::as_int),
                Some(i as i64)
            );
            assert_eq!(message.payload().as_ref(), vec![i as u8; i]);
        }
    }

    #[test]
    fn a_frame_pushed_byte_by_byte_comes_out_with_its_last_byte() {
        let frame = encode(
            &[(":event-type", HeaderValue::from("PayloadChunk"))],
            b"abc",
        );
        let mut decoder = FrameDecoder::default();

        for (i, byte) in frame.iter().enumerate() {
            decoder.push(std::slice::from_ref(byte));
            let message = decoder.next_message().unwrap();
            if i + 1 < frame.len() {
                assert!(
                    message.is_none(),
                    "a message after {} of {} bytes",
                    i + 1,
                    frame.len()
                );
                assert_eq!(decoder.buffered_len(), i + 1);
            } else {
                assert_eq!(message.unwrap().payload().as_ref(), b"abc");
            }
        }

        assert_eq!(decoder.next_message().unwrap(), None);
        assert_eq!(decoder.buffered_len(), 0);
        decoder.finish().unwrap();
    }

    #[test]
    fn a_corrupt_prelude_is_refused_by_its_checksum() {
        let frame = encode(&[], b"payload");
        let expected = u32::from_be_bytes(frame[8..12].try_into().unwrap());

        // A changed length or a changed checksum: either way the lengths are not trusted.
        for index in [0, 3, 5, 7, 8, 11] {
            let mut corrupt = frame.clone();
            corrupt[index] ^= 0x10;

            let error = decode_all(&corrupt).unwrap_err();
            let FrameError::PreludeChecksum {
                expected: carried,
                actual,
            } = error
            else {
                panic!("byte {index}: {error:?}");
            };
            assert_ne!(carried, actual, "byte {index}");
            assert_eq!(actual == expected, index >= 8, "byte {index}");
            assert!(
                error.to_string().contains("prelude fails its checksum"),
                "{error}"
            );
        }
    }

    #[test]
    fn a_corrupt_body_is_refused_by_the_message_checksum() {
        let frame = encode(&[("h", HeaderValue::from("v"))], b"payload");
        let carried = u32::from_be_bytes(frame[frame.len() - 4..].try_into().unwrap());

        for index in [12, 14, 17, frame.len() - 5, frame.len() - 1] {
            let mut corrupt = frame.clone();
            corrupt[index] ^= 0x01;

            let error = decode_all(&corrupt).unwrap_err();
            let body_crc = crc32fast::hash(&corrupt[..corrupt.len() - 4]);
            let corrupt_crc = u32::from_be_bytes(corrupt[corrupt.len() - 4..].try_into().unwrap());
            assert_eq!(
                error,
                FrameError::MessageChecksum {
                    expected: corrupt_crc,
                    actual: body_crc
                },
                "byte {index}"
            );
            assert_eq!(
                corrupt_crc == carried,
                index < frame.len() - 4,
                "byte {index}"
            );
            assert!(error.to_string().contains("message checksum"), "{error}");
        }
    }

    #[test]
    fn impossible_lengths_are_refused_from_the_prelude_alone() {
        let cases = [
            (
                prelude(2000, 0),
                FrameError::TooLarge {
                    declared: 2000,
                    limit: 1024,
                },
            ),
            (
                prelude(u32::MAX, 0),
                FrameError::TooLarge {
                    declared: u32::MAX,
                    limit: 1024,
                },
            ),
            (prelude(15, 0), FrameError::TooShort { declared: 15 }),
            (prelude(0, 0), FrameError::TooShort { declared: 0 }),
            (
                prelude(100, 85),
                FrameError::HeadersOverflow {
                    headers_len: 85,
                    total_len: 100,
                },
            ),
            (
                prelude(100, u32::MAX),
                FrameError::HeadersOverflow {
                    headers_len: u32::MAX,
                    total_len: 100,
                },
            ),
        ];

        for (prelude, expected) in cases {
            let mut decoder = FrameDecoder::new(1024);
            decoder.push(&prelude);
            assert_eq!(decoder.next_message(), Err(expected.clone()));

            // The error stays, and later bytes are not buffered.
            decoder.push(&[0; 4096]);
            assert_eq!(decoder.buffered_len(), 0);
            assert_eq!(decoder.next_message(), Err(expected.clone()));
            assert_eq!(decoder.finish(), Err(expected));
        }
    }

    #[test]
    fn a_frame_as_large_as_the_limit_is_accepted() {
        let frame = encode(&[], &[7; 100]);
        let mut decoder = FrameDecoder::new(frame.len());
        decoder.push(&frame);
        assert_eq!(
            decoder.next_message().unwrap().unwrap().payload().len(),
            100
        );

        let mut decoder = FrameDecoder::new(frame.len() - 1);
        decoder.push(&frame[..PRELUDE_LEN]);
        let error = decoder.next_message().unwrap_err();
        assert!(
            error.to_string().contains("over the limit of 115"),
            "{error}"
        );
    }

    #[test]
    fn finish_reports_a_frame_cut_short() {
        let frame = encode(&[("h", HeaderValue::Int64(1))], b"payload");
        let total = frame.len() as u32;
        let cases = [
            (0, Ok(())),
            (
                5,
                Err(FrameError::Truncated {
                    pending: 5,
                    declared: None,
                }),
            ),
            (
                PRELUDE_LEN,
                Err(FrameError::Truncated {
                    pending: 12,
                    declared: Some(total),
                }),
            ),
            (
                frame.len() - 1,
                Err(FrameError::Truncated {
                    pending: frame.len() - 1,
                    declared: Some(total),
                }),
            ),
            (frame.len(), Ok(())),
        ];

        for (len, expected) in cases {
            let mut decoder = FrameDecoder::default();
            decoder.push(&frame);
            assert!(decoder.next_message().unwrap().is_some());
            decoder.push(&frame[..len]);
            if len < frame.len() {
                assert_eq!(decoder.next_message(), Ok(None), "{len} bytes");
            } else {
                assert!(decoder.next_message().unwrap().is_some());
            }
            assert_eq!(decoder.finish(), expected, "{len} bytes");
        }

        let error = FrameError::Truncated {
            pending: 20,
            declared: Some(30),
        };
        assert!(
            error.to_string().contains("20 of its 30 bytes arrived"),
            "{error}"
        );
    }

    #[test]
    fn finish_reports_a_bad_prelude_it_was_not_asked_to_decode() {
        let mut decoder = FrameDecoder::new(64);
        decoder.push(&prelude(100, 0));
        assert_eq!(
            decoder.finish(),
            Err(FrameError::TooLarge {
                declared: 100,
                limit: 64
            })
        );
    }

    #[test]
    fn unreadable_headers_name_the_field_and_its_offset() {
        let cases: [(&[u8], usize, HeaderProblem); 7] = [
            (
                b"\x03ab",
                13,
                HeaderProblem::Cut {
                    name: None,
                    needed: 3,
                    remaining: 2,
                },
            ),
            (b"\x02\xff\xfe\x00", 13, HeaderProblem::NameNotUtf8),
            (
                b"\x01a",
                14,
                HeaderProblem::Cut {
                    name: Some("a".into()),
                    needed: 1,
                    remaining: 0,
                },
            ),
            (
                b"\x01a\x0a",
                14,
                HeaderProblem::UnknownType {
                    name: "a".into(),
                    code: 10,
                },
            ),
            (
                b"\x01a\x04\x00\x01",
                15,
                HeaderProblem::Cut {
                    name: Some("a".into()),
                    needed: 4,
                    remaining: 2,
                },
            ),
            (
                b"\x01a\x06\x00\x05abc",
                17,
                HeaderProblem::Cut {
                    name: Some("a".into()),
                    needed: 5,
                    remaining: 3,
                },
            ),
            (
                b"\x01a\x07\x00\x02\xc3\x28",
                17,
                HeaderProblem::ValueNotUtf8 { name: "a".into() },
            ),
        ];

        for (block, offset, problem) in cases {
            let error = decode_all(&frame_with_block(block, b"payload")).unwrap_err();
            assert_eq!(
                error,
                FrameError::BadHeader {
                    offset,
                    problem: problem.clone()
                },
                "{block:?}"
            );
            assert!(
                error.to_string().contains(&format!("byte {offset}")),
                "{error}"
            );
        }
    }

    #[test]
    fn a_second_header_cut_short_names_it() {
        let mut block = Vec::new();
        write_header(
            &mut block,
            ":event-type",
            &HeaderValue::from("PayloadChunk"),
        );
        block.extend_from_slice(b"\x05:name\x09\x00");

        let error = decode_all(&frame_with_block(&block, b"")).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("inside header `:name` (16 more bytes needed, 1 left)"),
            "{text}"
        );
    }

    #[test]
    fn payloads_share_the_buffer() {
        let mut body = encode(&[], &[1; 64]);
        body.extend(encode(&[], &[2; 64]));
        let messages = decode_all(&body).unwrap();

        let first = messages[0].payload().as_ptr() as usize;
        let second = messages[1].payload().as_ptr() as usize;
        assert_eq!(
            second - first,
            64 + MIN_FRAME_LEN,
            "the payloads are not one buffer"
        );
    }

    /// A random message: up to four headers of random types and up to 300 bytes of payload.
    fn random_message(rng: &mut fastrand::Rng) -> Message {
        let all = every_header();
        let headers = (0..rng.usize(0..5))
            .map(|i| {
                let (_, value) = all[rng.usize(..all.len())].clone();
                let value = match value {
                    HeaderValue::Int64(_) => HeaderValue::Int64(rng.i64(..)),
                    HeaderValue::String(_) => {
                        let len = rng.usize(..40);
                        HeaderValue::String((0..len).map(|_| rng.alphanumeric()).collect())
                    }
                    other => other,
                };
                Header::new(format!("header-{i}"), value)
            })
            .collect();
        let mut payload = vec![0; rng.usize(..300)];
        rng.fill(&mut payload);
        Message::new(headers, payload)
    }

    #[test]
    fn random_frames_split_at_random_points_decode_to_what_was_encoded() {
        let mut rng = fastrand::Rng::with_seed(8);

        for round in 0..300 {
            let messages: Vec<Message> = (0..rng.usize(1..12))
                .map(|_| random_message(&mut rng))
                .collect();
            let body: Vec<u8> = messages.iter().flat_map(Message::encode).collect();

            let mut decoder = FrameDecoder::new(1024);
            let mut decoded = Vec::new();
            let mut rest = body.as_slice();
            while !rest.is_empty() {
                let (chunk, tail) = rest.split_at(rng.usize(1..=rest.len().min(200)));
                rest = tail;
                decoder.push(chunk);
                while let Some(message) = decoder.next_message().unwrap() {
                    decoded.push(message);
                }
            }

            decoder.finish().unwrap();
            assert_eq!(decoded, messages, "round {round}");
        }
    }

    #[test]
    fn one_changed_byte_anywhere_is_always_caught() {
        let mut rng = fastrand::Rng::with_seed(9);

        for round in 0..2000 {
            let messages: Vec<Message> = (0..rng.usize(1..4))
                .map(|_| random_message(&mut rng))
                .collect();
            let mut body: Vec<u8> = messages.iter().flat_map(Message::encode).collect();
            let index = rng.usize(..body.len());
            body[index] ^= rng.u8(1..);

            assert!(
                decode_all(&body).is_err(),
                "round {round}: byte {index} changed"
            );
        }
    }

    /// The name of an error's variant, to count which paths random input reached.
    fn kind(error: &FrameError) -> &'static str {
        match error {
            FrameError::PreludeChecksum { .. } => "prelude checksum",
            FrameError::MessageChecksum { .. } => "message checksum",
            FrameError::TooLarge { .. } => "too large",
            FrameError::TooShort { .. } => "too short",
            FrameError::HeadersOverflow { .. } => "headers overflow",
            FrameError::BadHeader { .. } => "bad header",
            FrameError::Truncated { .. } => "truncated",
        }
    }

    /// Random bytes, often given a prelude and a message checksum that pass so that the
    /// header reader sees them too.
    fn garbage(rng: &mut fastrand::Rng) -> Vec<u8> {
        let mut input = vec![0; rng.usize(..200)];
        rng.fill(&mut input);
        if input.len() < PRELUDE_LEN || rng.u8(..4) == 0 {
            return input;
        }

        let total = rng.u32(10..=input.len() as u32 + 8);
        let headers = match rng.u8(..4) {
            0 => rng.u32(..),
            1 => 0,
            _ => rng.u32(..=total.saturating_sub(16).min(12)),
        };
        input[..PRELUDE_LEN].copy_from_slice(&prelude(total, headers));
        if rng.u8(..4) > 0 && total >= 16 && total as usize <= input.len() {
            let end = total as usize - CRC_LEN;
            let crc = crc32fast::hash(&input[..end]);
            input[end..end + CRC_LEN].copy_from_slice(&crc.to_be_bytes());
        }
        input
    }

    #[test]
    fn random_bytes_never_panic_and_errors_are_final() {
        let mut rng = fastrand::Rng::with_seed(10);
        let mut seen = std::collections::BTreeMap::new();

        for _ in 0..20_000 {
            let input = garbage(&mut rng);
            let mut decoder = FrameDecoder::new(rng.usize(100..300));
            let mut messages = 0;
            let outcome = input.chunks(rng.usize(1..64)).try_for_each(|chunk| {
                decoder.push(chunk);
                while decoder.next_message()?.is_some() {
                    messages += 1;
                }
                Ok(())
            });
            if messages > 0 {
                *seen.entry("decoded").or_insert(0) += 1;
            }

            let Err(error) = outcome.and_then(|()| decoder.finish()) else {
                continue;
            };
            *seen.entry(kind(&error)).or_insert(0) += 1;
            assert!(!error.to_string().is_empty());
            if !matches!(error, FrameError::Truncated { .. }) {
                assert_eq!(decoder.next_message(), Err(error.clone()));
                assert_eq!(decoder.finish(), Err(error));
            }
        }

        let every = [
            "bad header",
            "decoded",
            "headers overflow",
            "message checksum",
            "prelude checksum",
            "too large",
            "too short",
            "truncated",
        ];
        assert_eq!(seen.keys().copied().collect::<Vec<_>>(), every, "{seen:?}");
    }
}
