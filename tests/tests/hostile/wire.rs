//! What hostile responses are made of, besides the model: the headers and body members lamina
//! reads, and header values from arbitrary bytes. Shared by the hostile_responses test and the
//! fuzz targets (`fuzz/src/lib.rs` takes it in with `#[path]`).

use http::HeaderValue;

/// The headers lamina reads from responses, generated more often than other names.
pub const READ_HEADERS: &[&str] = &[
    "x-amzn-errortype",
    "x-amzn-requestid",
    "x-amz-request-id",
    "x-amz-function-error",
    "x-amz-log-result",
    "x-amz-executed-version",
    "x-amz-durable-execution-arn",
    "retry-after",
    "content-type",
    "content-length",
];

/// Body members the error parser and function errors read, besides the model's members.
pub const ERROR_MEMBERS: &[&str] = &[
    "__type",
    "code",
    "message",
    "Message",
    "errorMessage",
    "errorType",
    "stackTrace",
    "Type",
];

/// A header value of `bytes`, without the bytes no header can carry (controls but tab, DEL).
pub fn header_value_of(bytes: &[u8]) -> HeaderValue {
    let kept: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|b| *b == b'\t' || (*b >= 0x20 && *b != 0x7f))
        .collect();
    HeaderValue::from_bytes(&kept).expect("only bytes a header may carry are left")
}
