//! The AWS restJson1 protocol: HTTP bindings of members, and how errors are read.
//!
//! Generated serializers and deserializers call these functions; they hold everything about
//! the protocol that is the same for every operation.

use http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

use std::collections::HashMap;

use crate::datetime::DateTime;
use crate::error::{ConstructionFailure, ErrorMetadata, ResponseFailure, ResponseMetadata};
use crate::json::{self, FromJson};
use crate::middleware::Response;

/// Every byte except the unreserved characters of RFC 3986 is percent-encoded.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Appends `value` to `path` as one path segment, so that no value can change the rest of the
/// path: the way generated serializers build a request's path in one buffer.
///
/// `/`, `?`, `#`, spaces and non-ASCII characters are percent-encoded; a value that is empty
/// or only `.` or `..` is refused, because HTTP stacks resolve such segments away.
///
/// # Example
/// ```
/// use lamina_runtime::protocol::rest_json::push_label;
/// let mut path = String::from("/functions/");
/// push_label(&mut path, "FunctionName", "a/b?c#d").unwrap();
/// assert_eq!(path, "/functions/a%2Fb%3Fc%23d");
/// assert!(push_label(&mut path, "FunctionName", "..").is_err());
/// ```
pub fn push_label(path: &mut String, field: &str, value: &str) -> Result<(), ConstructionFailure> {
    check_segment(field, value)?;
    path.extend(utf8_percent_encode(value, UNRESERVED));
    Ok(())
}

/// Appends a greedy label to `path`: like [`push_label`], but `/` separates segments and is
/// kept.
///
/// # Example
/// ```
/// use lamina_runtime::protocol::rest_json::push_greedy_label;
/// let mut path = String::from("/objects/");
/// push_greedy_label(&mut path, "Key", "photos/my cat.png").unwrap();
/// assert_eq!(path, "/objects/photos/my%20cat.png");
/// ```
pub fn push_greedy_label(
    path: &mut String,
    field: &str,
    value: &str,
) -> Result<(), ConstructionFailure> {
    for (i, segment) in value.split('/').enumerate() {
        check_segment(field, segment)?;
        if i > 0 {
            path.push('/');
        }
        path.extend(utf8_percent_encode(segment, UNRESERVED));
    }
    Ok(())
}

fn check_segment(field: &str, value: &str) -> Result<(), ConstructionFailure> {
    match value {
        "" => Err(ConstructionFailure::invalid_field(
            field,
            "must not be empty in a path",
        )),
        "." | ".." => Err(ConstructionFailure::invalid_field(
            field,
            format!("must not be `{value}`: it would change the request path"),
        )),
        _ => Ok(()),
    }
}

/// Builds a query string from names and values, percent-encoding both.
///
/// # Example
/// ```
/// use lamina_runtime::protocol::rest_json::QueryWriter;
/// let mut query = QueryWriter::default();
/// query.push("Qualifier", "$LATEST");
/// query.push("x", "a b&c");
/// let mut path = String::from("/path");
/// query.append_to(&mut path);
/// assert_eq!(path, "/path?Qualifier=%24LATEST&x=a%20b%26c");
/// ```
#[derive(Debug, Default)]
pub struct QueryWriter {
    query: String,
}

impl QueryWriter {
    /// Adds `name=value`.
    pub fn push(&mut self, name: &str, value: &str) {
        self.query
            .push(if self.query.is_empty() { '?' } else { '&' });
        self.query.extend(utf8_percent_encode(name, UNRESERVED));
        self.query.push('=');
        self.query.extend(utf8_percent_encode(value, UNRESERVED));
    }

    /// Appends the query, if any, to `path`.
    ///
    /// # Example
    /// ```
    /// use lamina_runtime::protocol::rest_json::QueryWriter;
    /// let mut query = QueryWriter::default();
    /// query.push("Qualifier", "live");
    /// let mut path = String::from("/functions/f/invocations");
    /// query.append_to(&mut path);
    /// assert_eq!(path, "/functions/f/invocations?Qualifier=live");
    /// ```
    pub fn append_to(self, path: &mut String) {
        path.push_str(&self.query);
    }
}

/// A header value for `field`, refusing what headers cannot carry.
///
/// Line breaks would split the header and let a value add headers of its own; other
/// control characters and non-ASCII text cannot be sent or signed.
///
/// # Example
/// ```
/// use lamina_runtime::protocol::rest_json::header_value;
/// assert!(header_value("ClientContext", "e30=").is_ok());
/// let err = header_value("ClientContext", "a\r\nX-Evil: 1").unwrap_err();
/// assert!(err.to_string().contains("ClientContext"));
/// ```
pub fn header_value(field: &str, value: &str) -> Result<HeaderValue, ConstructionFailure> {
    if let Some(bad) = value.chars().find(|c| c.is_control() && *c != '\t') {
        let rule = format!(
            "holds the control character {:?}, which an HTTP header cannot carry",
            bad
        );
        return Err(ConstructionFailure::invalid_field(field, rule));
    }
    if !value.is_ascii() {
        return Err(ConstructionFailure::invalid_field(
            field,
            "holds non-ASCII text, which an HTTP header cannot carry; encode it first",
        ));
    }
    HeaderValue::from_str(value).map_err(|e| {
        ConstructionFailure::other(format!("{field} is not a valid header"), Some(e.into()))
    })
}

/// A header name made from model data (a prefix and a map key), refusing what is not a
/// valid header name.
pub fn header_name(field: &str, name: &str) -> Result<http::HeaderName, ConstructionFailure> {
    http::HeaderName::try_from(name).map_err(|_| {
        ConstructionFailure::invalid_field(field, format!("`{name}` is not a valid header name"))
    })
}

/// The base64 text of `bytes`, as blobs travel in headers and query strings.
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A value that can be read from the text of a header.
pub trait FromHeader: Sized {
    /// Parses the header text, or `None` when it is not a value of this type.
    fn from_header(text: &str) -> Option<Self>;

    /// What the value should look like, for error messages.
    fn expected() -> &'static str;
}

impl FromHeader for String {
    fn from_header(text: &str) -> Option<Self> {
        Some(text.to_owned())
    }

    fn expected() -> &'static str {
        "text"
    }
}

macro_rules! parsed_headers {
    ($($ty:ty => $what:literal),*) => {$(
        impl FromHeader for $ty {
            fn from_header(text: &str) -> Option<Self> {
                text.trim().parse().ok()
            }

            fn expected() -> &'static str {
                $what
            }
        }
    )*};
}

parsed_headers!(
    bool => "a boolean", i8 => "an integer", i16 => "an integer", i32 => "an integer",
    i64 => "an integer", f32 => "a number", f64 => "a number"
);

impl FromHeader for bytes::Bytes {
    fn from_header(text: &str) -> Option<Self> {
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::STANDARD;
        engine.decode(text.trim()).ok().map(Into::into)
    }

    fn expected() -> &'static str {
        "base64 text"
    }
}

impl FromHeader for DateTime {
    fn from_header(text: &str) -> Option<Self> {
        DateTime::parse_http_date(text.trim())
    }

    fn expected() -> &'static str {
        "an HTTP date"
    }
}

impl<T: FromHeader> FromHeader for Vec<T> {
    fn from_header(text: &str) -> Option<Self> {
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(T::from_header)
            .collect()
    }

    fn expected() -> &'static str {
        "a comma-separated list"
    }
}

/// Response header `name` as a `T`, if present; a value that does not parse is an error
/// naming the header.
///
/// Generated code names the header with a constant, so that reading it parses no name.
///
/// # Example
/// ```
/// use http::HeaderName;
/// use lamina_runtime::error::ResponseMetadata;
/// use lamina_runtime::protocol::rest_json::header;
/// let response = http::Response::builder()
///     .header("x-count", "12")
///     .body(bytes::Bytes::new())
///     .unwrap();
/// let meta = ResponseMetadata::default();
/// const COUNT: HeaderName = HeaderName::from_static("x-count");
/// assert_eq!(header::<i32>(&response, &COUNT, &meta).unwrap(), Some(12));
/// assert!(header::<bool>(&response, &COUNT, &meta).is_err());
/// ```
pub fn header<T: FromHeader>(
    response: &Response,
    name: &HeaderName,
    meta: &ResponseMetadata,
) -> Result<Option<T>, ResponseFailure> {
    let Some(value) = response.headers().get(name) else {
        return Ok(None);
    };
    let parsed = value.to_str().ok().and_then(T::from_header);
    match parsed {
        Some(value) => Ok(Some(value)),
        None => Err(ResponseFailure::new(
            format!("header {name} should be {}", T::expected()),
            meta.clone(),
            None,
        )),
    }
}

/// The headers whose names start with `prefix`, keyed by the rest of their names.
pub fn prefix_headers(response: &Response, prefix: &str) -> Option<HashMap<String, String>> {
    let found: HashMap<String, String> = response
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            let key = name.as_str().strip_prefix(prefix)?;
            Some((key.to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    (!found.is_empty()).then_some(found)
}

/// Member `name` of a JSON body as a `T`: a value of the wrong kind is an error naming it.
pub fn body_field<T: FromJson>(
    body: &JsonBody,
    name: &str,
    meta: &ResponseMetadata,
) -> Result<Option<T>, ResponseFailure> {
    json::field(body.object(), name)
        .map_err(|e| ResponseFailure::new(e.to_string(), meta.clone(), Some(Box::new(e))))
}

/// The whole body as a `T` (a structure, union or document payload); `None` when empty.
pub fn payload<T: FromJson>(
    response: &Response,
    meta: &ResponseMetadata,
) -> Result<Option<T>, ResponseFailure> {
    if response.body().is_empty() {
        return Ok(None);
    }
    let failed =
        |e: json::JsonError| ResponseFailure::new(e.to_string(), meta.clone(), Some(Box::new(e)));
    let value = json::parse(response.body()).map_err(failed)?;
    T::from_json(&value).map(Some).map_err(failed)
}

/// The status, request id and attempts of a response.
pub fn response_metadata(response: &Response, attempts: u32) -> ResponseMetadata {
    let request_id = request_id(response.headers()).map(str::to_owned);
    ResponseMetadata::new(response.status().as_u16(), request_id, attempts)
}

/// The request id AWS gave a response, from `x-amzn-RequestId` or `x-amz-request-id`.
pub fn request_id(headers: &http::HeaderMap) -> Option<&str> {
    const NAMES: [HeaderName; 2] = [
        HeaderName::from_static("x-amzn-requestid"),
        HeaderName::from_static("x-amz-request-id"),
    ];
    NAMES
        .iter()
        .find_map(|name| headers.get(name))
        .and_then(|v| v.to_str().ok())
}

/// The JSON object of a response body, or an empty one when the body is not a JSON object
/// (an HTML page from a proxy, say). Members of the wrong type read as absent.
#[derive(Debug, Default, Clone)]
pub struct JsonBody {
    fields: Map<String, Value>,
    is_json: bool,
}

impl JsonBody {
    /// Parses `body`; anything that is not a JSON object gives an empty body.
    pub fn parse(body: &[u8]) -> Self {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(fields)) => Self {
                fields,
                is_json: true,
            },
            _ => Self::default(),
        }
    }

    /// Parses a successful response's body, which must be empty or a JSON object.
    pub fn parse_strict(body: &[u8], meta: &ResponseMetadata) -> Result<Self, ResponseFailure> {
        let failed = |e: json::JsonError| {
            ResponseFailure::new(e.to_string(), meta.clone(), Some(Box::new(e)))
        };
        match json::parse(body).map_err(failed)? {
            Value::Object(fields) => Ok(Self {
                fields,
                is_json: true,
            }),
            _ => Err(failed(json::JsonError::expected("a JSON object"))),
        }
    }

    /// Whether the body was a JSON object.
    pub fn is_json(&self) -> bool {
        self.is_json
    }

    /// The members of the body.
    pub fn object(&self) -> &Map<String, Value> {
        &self.fields
    }

    /// The raw value of member `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.get(name)
    }

    /// Member `name` as text: strings as they are, numbers and booleans written out.
    pub fn string(&self, name: &str) -> Option<String> {
        match self.fields.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

/// Reads an error response's code and message.
///
/// The code comes from `X-Amzn-ErrorType`, else the body's `__type` or `code`, with any
/// namespace (`ns#`) and URI suffix (`:http://...`) removed. The message comes from
/// `message`, `Message` or `errorMessage`. When nothing names the error, the message says
/// what arrived instead.
///
/// # Example
/// ```
/// use lamina_runtime::protocol::rest_json::{error_metadata, response_metadata, JsonBody};
///
/// let response = http::Response::builder()
///     .status(404)
///     .header("x-amzn-errortype", "ResourceNotFoundException:http://internal.amazon.com/")
///     .body(bytes::Bytes::from_static(br#"{"Message":"Function not found"}"#))
///     .unwrap();
/// let body = JsonBody::parse(response.body());
/// let meta = error_metadata(&response, &body, response_metadata(&response, 1));
/// assert_eq!(meta.code(), Some("ResourceNotFoundException"));
/// assert_eq!(meta.message(), Some("Function not found"));
/// ```
pub fn error_metadata(
    response: &Response,
    body: &JsonBody,
    meta: ResponseMetadata,
) -> ErrorMetadata {
    const ERROR_TYPE: HeaderName = HeaderName::from_static("x-amzn-errortype");
    let from_header = response
        .headers()
        .get(ERROR_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !sanitize_code(v).is_empty())
        .map(str::to_owned);
    let xml = (!body.is_json())
        .then(|| std::str::from_utf8(response.body()).ok())
        .flatten();
    let code = from_header
        .or_else(|| body.string("__type"))
        .or_else(|| body.string("code"))
        .or_else(|| xml.and_then(|x| xml_element(x, "Code")))
        .map(|raw| sanitize_code(&raw).to_owned())
        .filter(|code| !code.is_empty());

    let message = ["message", "Message", "errorMessage"]
        .iter()
        .find_map(|name| body.string(name))
        .or_else(|| xml.and_then(|x| xml_element(x, "Message")))
        .or_else(|| code.is_none().then(|| describe_unnamed(response, body)));

    ErrorMetadata::new(code, message, meta)
}

/// The text of the first `<name>` element of an XML error document, as gateways and
/// emulators in front of a JSON service sometimes send.
fn xml_element(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    let text = xml[start..end].trim();
    (!text.is_empty() && !text.contains('<')).then(|| text.to_owned())
}

/// Removes a namespace prefix (`aws.lambda#`) and a URI suffix (`:http://...`) from a code.
pub fn sanitize_code(raw: &str) -> &str {
    let without_suffix = raw.split(':').next().unwrap_or(raw);
    let without_namespace = without_suffix.rsplit('#').next().unwrap_or(without_suffix);
    without_namespace.trim()
}

fn describe_unnamed(response: &Response, body: &JsonBody) -> String {
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("no content type");
    let what = if body.is_json() {
        "a JSON body without an error code"
    } else if response.body().is_empty() {
        "an empty body"
    } else {
        "a body that is not an AWS error"
    };
    format!(
        "HTTP {} with {what} ({content_type}, {} bytes); a proxy or load balancer may have \
         answered instead of the service",
        response.status().as_u16(),
        response.body().len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn response(status: u16, headers: &[(&str, &str)], body: &'static str) -> Response {
        let mut builder = http::Response::builder().status(status);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Bytes::from_static(body.as_bytes())).unwrap()
    }

    fn code_and_message(r: &Response) -> (Option<String>, Option<String>) {
        let body = JsonBody::parse(r.body());
        let meta = error_metadata(r, &body, response_metadata(r, 1));
        (
            meta.code().map(str::to_owned),
            meta.message().map(str::to_owned),
        )
    }

    #[test]
    fn labels_stay_inside_their_segment() {
        let cases = [
            ("my-function", "my-function"),
            (
                "arn:aws:lambda:us-east-1:123456789012:function:f",
                "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af",
            ),
            ("a/../b", "a%2F..%2Fb"),
            ("x?y#z", "x%3Fy%23z"),
            ("with space", "with%20space"),
            ("é", "%C3%A9"),
            ("my.func", "my.func"),
        ];
        for (raw, encoded) in cases {
            let mut path = String::new();
            push_label(&mut path, "FunctionName", raw).unwrap();
            assert_eq!(path, encoded, "{raw}");
        }
        for bad in ["", ".", ".."] {
            let err = push_label(&mut String::new(), "FunctionName", bad).unwrap_err();
            assert_eq!(err.field(), Some("FunctionName"));
        }
    }

    #[test]
    fn greedy_labels_keep_slashes_but_not_dot_segments() {
        let mut path = String::new();
        push_greedy_label(&mut path, "Key", "a b/c").unwrap();
        assert_eq!(path, "a%20b/c");
        assert!(push_greedy_label(&mut String::new(), "Key", "a/../b").is_err());
    }

    #[test]
    fn headers_refuse_line_breaks_and_non_ascii() {
        assert!(header_value("X", "fine value\twith tab").is_ok());
        for bad in ["a\rb", "a\nb", "a\0b", "ü"] {
            let err = header_value("ClientContext", bad).unwrap_err();
            assert_eq!(err.field(), Some("ClientContext"), "{bad:?}");
        }
    }

    #[test]
    fn error_code_comes_from_header_then_type_then_code() {
        let r = response(
            429,
            &[("X-Amzn-ErrorType", "TooManyRequestsException:http://x/")],
            "{}",
        );
        assert_eq!(
            code_and_message(&r).0.as_deref(),
            Some("TooManyRequestsException")
        );

        let r = response(
            400,
            &[],
            r#"{"__type":"aws.lambda#InvalidParameterValueException:http://y","message":"bad"}"#,
        );
        assert_eq!(
            code_and_message(&r),
            (
                Some("InvalidParameterValueException".into()),
                Some("bad".into())
            )
        );

        let r = response(400, &[], r#"{"code":"SomethingElse","errorMessage":"m"}"#);
        assert_eq!(
            code_and_message(&r),
            (Some("SomethingElse".into()), Some("m".into()))
        );
    }

    #[test]
    fn an_empty_error_type_header_falls_back_to_the_body() {
        let r = response(400, &[("X-Amzn-ErrorType", "")], r#"{"__type":"FromBody"}"#);
        assert_eq!(code_and_message(&r).0.as_deref(), Some("FromBody"));
    }

    #[test]
    fn a_proxy_page_gets_a_message_that_says_so() {
        let r = response(
            502,
            &[("content-type", "text/html")],
            "<html>Bad Gateway</html>",
        );
        let (code, message) = code_and_message(&r);
        assert_eq!(code, None);
        let message = message.unwrap();
        assert!(
            message.contains("HTTP 502") && message.contains("text/html"),
            "{message}"
        );
    }

    #[test]
    fn an_xml_error_document_still_gives_code_and_message() {
        let body = "<?xml version=\"1.0\"?><ErrorResponse><Errors><Error>\
                    <Code>SignatureDoesNotMatch</Code><Message>bad sig</Message>\
                    </Error></Errors></ErrorResponse>";
        let r = response(403, &[("content-type", "text/html")], body);
        assert_eq!(
            code_and_message(&r),
            (Some("SignatureDoesNotMatch".into()), Some("bad sig".into()))
        );
    }

    #[test]
    fn request_id_comes_from_either_header() {
        let r = response(200, &[("x-amzn-RequestId", "abc")], "");
        assert_eq!(response_metadata(&r, 2).request_id(), Some("abc"));
        let r = response(200, &[("x-amz-request-id", "def")], "");
        assert_eq!(response_metadata(&r, 2).request_id(), Some("def"));
    }
}
