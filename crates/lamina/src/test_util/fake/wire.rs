//! How the fake answers one request, as Lambda does on the wire: routing, the function
//! name and qualifier, validation, throttles, running the closure, and the log tail.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, Method, StatusCode};
use percent_encoding::percent_decode_str;
use serde_json::json;

use super::function::{FunctionFailure, Handler, Invocation, InvocationContext};
use super::{RecordedInvocation, Shared};
use crate::extensions::{ASYNC_PAYLOAD_LIMIT, SYNC_PAYLOAD_LIMIT};
use crate::types::{InvocationType, LogType};

/// The account id in the ARNs the fake reports.
pub(super) const ACCOUNT: &str = "123456789012";

/// How much of an invocation's log `X-Amz-Log-Result` carries: its last 4 KB.
const LOG_TAIL_BYTES: usize = 4 * 1024;

/// The memory the fake reports as used: it cannot measure a closure's memory.
const MEMORY_USED_MB: u32 = 32;

/// The path every Invoke request goes to, around the percent-encoded function name.
const PATH_PREFIX: &str = "/2015-03-31/functions/";
const PATH_SUFFIX: &str = "/invocations";

/// A request body, as far as the server read it.
pub(super) enum Body {
    /// The whole body.
    Complete(Bytes),
    /// The body is longer than the server reads.
    TooLarge,
    /// The body could not be read.
    Broken(String),
}

/// An HTTP response as the fake sends it.
pub(super) type Response = http::Response<Bytes>;

/// The response to one request; an Invoke request is recorded with the status it got.
pub(super) async fn answer(shared: &Arc<Shared>, head: Parts, body: Body) -> Response {
    let request_id = crate::runtime::client::idempotency_token();

    let Some(raw_name) = invoke_path(&head) else {
        let message = format!(
            "the fake Lambda answers only Invoke (POST {PATH_PREFIX}{{name}}{PATH_SUFFIX}), \
             not {} {}",
            head.method,
            head.uri.path()
        );
        return error(404, "UnknownOperationException", &message, &request_id);
    };
    let name = percent_decode_str(raw_name)
        .decode_utf8_lossy()
        .into_owned();

    let mut record = RecordedInvocation {
        function_name: name.clone(),
        qualifier: None,
        invocation_type: InvocationType::RequestResponse,
        log_type: None,
        payload: Bytes::new(),
        headers: head.headers.clone(),
        status: 0,
        request_id: request_id.clone(),
    };
    let response = respond(shared, &head, body, &name, &mut record).await;

    record.status = response.status().as_u16();
    shared.record(record);
    response
}

/// The encoded function name when `head` is an Invoke request.
fn invoke_path(head: &Parts) -> Option<&str> {
    let name = head
        .uri
        .path()
        .strip_prefix(PATH_PREFIX)?
        .strip_suffix(PATH_SUFFIX)?;
    (head.method == Method::POST && !name.is_empty() && !name.contains('/')).then_some(name)
}

/// A request the fake understood and will answer by its invocation type.
struct Call {
    target: Target,
    invocation_type: InvocationType,
    log_type: Option<LogType>,
    client_context: Option<String>,
    handler: Handler,
    payload: Bytes,
}

/// An error Lambda answers a request it refuses with: the status, the code and the message.
struct Refusal {
    status: u16,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn new(status: u16, code: &'static str, message: String) -> Self {
        Self {
            status,
            code,
            message,
        }
    }

    fn invalid(message: String) -> Self {
        Self::new(400, "InvalidParameterValueException", message)
    }
}

/// Everything after routing: checks the request, then dry-runs, throttles or runs it.
async fn respond(
    shared: &Arc<Shared>,
    head: &Parts,
    body: Body,
    name: &str,
    record: &mut RecordedInvocation,
) -> Response {
    let id = record.request_id.clone();
    let call = match read_call(shared, head, body, name, record) {
        Ok(call) => call,
        Err(no) => return error(no.status, no.code, &no.message, &id),
    };

    if call.invocation_type == InvocationType::DryRun {
        return base(204, &id).body(Bytes::new()).unwrap_or_default();
    }
    if let Some(left) = shared.take_throttle(&call.target.name) {
        return throttled(shared.settings.retry_after, left, &id);
    }

    let invocation = Invocation {
        function_name: call.target.name.clone(),
        qualifier: call.target.qualifier.clone(),
        invocation_type: call.invocation_type.clone(),
        payload: call.payload,
        client_context: call.client_context,
        context: InvocationContext {
            request_id: id.clone(),
            invoked_function_arn: call.target.arn(&shared.settings.region),
            log: Arc::new(Mutex::new(String::new())),
        },
    };
    if call.invocation_type == InvocationType::Event {
        let shared = Arc::clone(shared);
        let done = shared.event_started();
        tokio::spawn(async move {
            run(&shared, call.handler, invocation).await;
            drop(done);
        });
        return base(202, &id).body(Bytes::new()).unwrap_or_default();
    }

    let ran = run(shared, call.handler, invocation).await;
    let mut response = base(200, &id)
        .header("content-type", "application/json")
        .header("x-amz-executed-version", "$LATEST");
    if ran.failed {
        response = response.header("x-amz-function-error", "Unhandled");
    }
    if call.log_type == Some(LogType::Tail) {
        let tail = base64::engine::general_purpose::STANDARD.encode(last_bytes(&ran.log));
        response = response.header("x-amz-log-result", tail);
    }
    response.body(ran.payload).unwrap_or_default()
}

/// Reads the function, the headers and the payload, filling in `record` as they are
/// understood; a request Lambda would refuse gets the error response it would send.
fn read_call(
    shared: &Shared,
    head: &Parts,
    body: Body,
    name: &str,
    record: &mut RecordedInvocation,
) -> Result<Call, Refusal> {
    if let Body::Complete(bytes) = &body {
        record.payload = bytes.clone();
    }
    let invalid = Refusal::invalid;

    let query_qualifier = query_param(head.uri.query(), "Qualifier");
    let target = Target::parse(name, query_qualifier.as_deref()).map_err(invalid)?;
    record.function_name = target.name.clone();
    record.qualifier = target.qualifier.clone();

    let invocation_type = match header(&head.headers, "x-amz-invocation-type") {
        None => InvocationType::RequestResponse,
        Some(value) => InvocationType::from(value),
    };
    record.invocation_type = invocation_type.clone();
    if let InvocationType::Unknown(value) = &invocation_type {
        let value = value.as_str();
        return Err(invalid(format!(
            "X-Amz-Invocation-Type `{value}` is not one of RequestResponse, Event, DryRun"
        )));
    }
    let log_type = header(&head.headers, "x-amz-log-type").map(LogType::from);
    record.log_type = log_type.clone();
    if let Some(LogType::Unknown(value)) = &log_type {
        let value = value.as_str();
        return Err(invalid(format!(
            "X-Amz-Log-Type `{value}` is not one of None, Tail"
        )));
    }
    let client_context = header(&head.headers, "x-amz-client-context")
        .map(decode_context)
        .transpose()
        .map_err(invalid)?;

    let Some(handler) = shared.functions.get(&target.name).cloned() else {
        let message = format!(
            "function not found: {} (the fake has {})",
            target.arn(&shared.settings.region),
            shared.function_list()
        );
        return Err(Refusal::new(404, "ResourceNotFoundException", message));
    };
    let payload = checked_payload(body, &invocation_type)?;

    Ok(Call {
        target,
        invocation_type,
        log_type,
        client_context,
        handler,
        payload,
    })
}

/// The payload when Lambda would take it: within the invocation type's limit and JSON; no
/// payload reaches the function as `{}`.
fn checked_payload(body: Body, invocation_type: &InvocationType) -> Result<Bytes, Refusal> {
    let limit = match invocation_type {
        InvocationType::Event => ASYNC_PAYLOAD_LIMIT,
        _ => SYNC_PAYLOAD_LIMIT,
    };
    let payload = match body {
        Body::Complete(bytes) if bytes.len() <= limit => bytes,
        Body::Complete(_) | Body::TooLarge => {
            let message = format!(
                "the payload is over {limit} bytes, the most a {} invocation accepts",
                invocation_type.as_str()
            );
            return Err(Refusal::new(413, "RequestTooLargeException", message));
        }
        Body::Broken(reason) => {
            let message = format!("the request body could not be read: {reason}");
            return Err(Refusal::new(400, "InvalidRequestContentException", message));
        }
    };

    if payload.iter().all(u8::is_ascii_whitespace) {
        return Ok(Bytes::from_static(b"{}"));
    }
    match serde_json::from_slice::<serde_json::Value>(&payload) {
        Ok(_) => Ok(payload),
        Err(e) => {
            let message = format!("the payload is not JSON: {e}");
            Err(Refusal::new(400, "InvalidRequestContentException", message))
        }
    }
}

/// What running a function gave: its payload (or error payload) and its whole log.
struct Ran {
    payload: Bytes,
    failed: bool,
    log: String,
}

/// Runs the closure in its own task, so that a panic becomes a function error, and writes
/// the log Lambda would: `START`, the function's lines, `END` and `REPORT`.
async fn run(shared: &Shared, handler: Handler, invocation: Invocation) -> Ran {
    let context = invocation.context.clone();
    let name = invocation.function_name.clone();
    let cold = shared.first_run(&name);

    let started = Instant::now();
    let result = tokio::spawn(handler(invocation)).await;
    let elapsed = started.elapsed();

    let result = result.unwrap_or_else(|join| {
        let reason = match join.try_into_panic() {
            Ok(panic) => panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "the closure panicked".to_owned()),
            Err(_) => "the closure's task was cancelled".to_owned(),
        };
        tracing::warn!(function = %name, %reason, "a fake Lambda function panicked");
        context.log(&format!("the handler panicked: {reason}"));
        Err(FunctionFailure::new("Runtime.HandlerPanicked", reason))
    });
    let (payload, failed) = match result {
        Ok(payload) => (payload, false),
        Err(failure) => (failure.to_payload(), true),
    };

    let init = cold.then_some(shared.settings.init_duration).flatten();
    let log = log_text(&context, elapsed, shared.settings.memory_size_mb, init);
    Ran {
        payload,
        failed,
        log,
    }
}

/// An invocation's whole log, in the format of Lambda's managed runtimes.
fn log_text(
    context: &InvocationContext,
    duration: Duration,
    memory_size_mb: u32,
    init: Option<Duration>,
) -> String {
    let id = context.request_id();
    let millis = duration.as_secs_f64() * 1e3;
    let billed = (millis.ceil() as u64).max(1);
    let used = MEMORY_USED_MB.min(memory_size_mb);

    let mut text = format!("START RequestId: {id} Version: $LATEST\n");
    text.push_str(&context.logged());
    text.push_str(&format!("END RequestId: {id}\n"));
    text.push_str(&format!(
        "REPORT RequestId: {id}\tDuration: {millis:.2} ms\tBilled Duration: {billed} ms\t\
         Memory Size: {memory_size_mb} MB\tMax Memory Used: {used} MB\t"
    ));
    if let Some(init) = init {
        let init = init.as_secs_f64() * 1e3;
        text.push_str(&format!("Init Duration: {init:.2} ms\t"));
    }
    text.push('\n');
    text
}

/// The last [`LOG_TAIL_BYTES`] of `text`, cut at a character boundary.
fn last_bytes(text: &str) -> &str {
    let mut start = text.len().saturating_sub(LOG_TAIL_BYTES);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// A function name as Lambda accepts it: a name, a partial ARN or an ARN, with or without
/// a qualifier.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    name: String,
    qualifier: Option<String>,
}

impl Target {
    /// Reads `raw` (already percent-decoded) and the `Qualifier` query parameter, which
    /// must agree with a qualifier in the name.
    fn parse(raw: &str, query_qualifier: Option<&str>) -> Result<Self, String> {
        let parts: Vec<&str> = raw.split(':').collect();
        let (name, qualifier) = match parts.as_slice() {
            [name] => (*name, None),
            [name, qualifier] => (*name, Some(*qualifier)),
            ["arn", _, "lambda", _, _, "function", name] | [_, "function", name] => (*name, None),
            ["arn", _, "lambda", _, _, "function", name, qualifier]
            | [_, "function", name, qualifier] => (*name, Some(*qualifier)),
            _ => {
                return Err(format!(
                    "FunctionName `{raw}` is neither a name, `name:qualifier`, a partial ARN \
                     nor a function ARN"
                ))
            }
        };
        if name.is_empty() || qualifier == Some("") {
            return Err(format!("FunctionName `{raw}` has an empty part"));
        }

        let qualifier = match (qualifier, query_qualifier) {
            (Some(a), Some(b)) if a != b => {
                return Err(format!(
                    "the qualifier in FunctionName (`{a}`) differs from the Qualifier \
                     parameter (`{b}`)"
                ))
            }
            (a, b) => a.or(b).map(str::to_owned),
        };
        Ok(Self {
            name: name.to_owned(),
            qualifier,
        })
    }

    /// The function's ARN in `region`, with the qualifier when there is one.
    fn arn(&self, region: &str) -> String {
        let mut arn = format!("arn:aws:lambda:{region}:{ACCOUNT}:function:{}", self.name);
        if let Some(qualifier) = &self.qualifier {
            arn.push(':');
            arn.push_str(qualifier);
        }
        arn
    }
}

/// The decoded value of query parameter `key`.
fn query_param(query: Option<&str>, key: &str) -> Option<String> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| percent_decode_str(v).decode_utf8_lossy().into_owned())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The client context as text, from the base64 the caller sends.
fn decode_context(encoded: &str) -> Result<String, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|e| format!("X-Amz-Client-Context is not base64: {e}"))?;
    String::from_utf8(bytes).map_err(|_| "X-Amz-Client-Context is not UTF-8 text".to_owned())
}

/// A response head with the status and the request id every Lambda response carries.
fn base(status: u16, request_id: &str) -> http::response::Builder {
    http::Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("x-amzn-requestid", request_id)
}

/// A Lambda error: the code in `X-Amzn-ErrorType`, and `Type` and `message` in the body.
fn error(status: u16, code: &str, message: &str, request_id: &str) -> Response {
    let kind = if status >= 500 { "Service" } else { "User" };
    let body = json!({ "Type": kind, "message": message });
    base(status, request_id)
        .header("content-type", "application/json")
        .header("x-amzn-errortype", code)
        .body(Bytes::from(body.to_string()))
        .unwrap_or_default()
}

/// A `TooManyRequestsException` asking the caller to wait `retry_after`.
fn throttled(retry_after: Duration, left: u32, request_id: &str) -> Response {
    let seconds = retry_after.as_secs_f64().ceil() as u64;
    let message = format!(
        "rate exceeded: the fake was told to throttle this function ({left} more call{} to \
         throttle)",
        if left == 1 { "" } else { "s" }
    );
    let body = json!({
        "Type": "User",
        "message": message,
        "Reason": "ConcurrentInvocationLimitExceeded",
        "retryAfterSeconds": seconds.to_string(),
    });
    base(429, request_id)
        .header("content-type", "application/json")
        .header("x-amzn-errortype", "TooManyRequestsException")
        .header("retry-after", seconds.to_string())
        .body(Bytes::from(body.to_string()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(raw: &str, query: Option<&str>) -> Result<(String, Option<String>), String> {
        Target::parse(raw, query).map(|t| (t.name, t.qualifier))
    }

    #[test]
    fn names_partial_arns_and_arns_give_the_name_and_qualifier() {
        let plain = |name: &str| Ok((name.to_owned(), None));
        let with = |name: &str, q: &str| Ok((name.to_owned(), Some(q.to_owned())));

        assert_eq!(target("greet", None), plain("greet"));
        assert_eq!(target("greet:live", None), with("greet", "live"));
        assert_eq!(target("greet", Some("7")), with("greet", "7"));
        assert_eq!(target("123456789012:function:greet", None), plain("greet"));
        let arn = "arn:aws:lambda:eu-west-1:123456789012:function:greet";
        assert_eq!(target(arn, None), plain("greet"));
        assert_eq!(
            target(&format!("{arn}:$LATEST"), None),
            with("greet", "$LATEST")
        );
        assert_eq!(target(&format!("{arn}:3"), Some("3")), with("greet", "3"));
    }

    #[test]
    fn odd_names_and_disagreeing_qualifiers_are_refused_with_the_reason() {
        let err = target("greet:live", Some("3")).unwrap_err();
        assert!(err.contains("`live`") && err.contains("`3`"), "{err}");

        let err = target("a:b:c:d:e", None).unwrap_err();
        assert!(err.contains("`a:b:c:d:e`"), "{err}");
        assert!(target("greet:", None).unwrap_err().contains("empty part"));
    }

    #[test]
    fn the_log_keeps_its_last_four_kilobytes_whole_characters_only() {
        let text = format!("{}{}", "é".repeat(3000), "end");

        let tail = last_bytes(&text);

        assert!(tail.len() <= LOG_TAIL_BYTES);
        assert!(tail.len() >= LOG_TAIL_BYTES - 1);
        assert!(tail.ends_with("end"));
        assert_eq!(last_bytes("short"), "short");
    }

    #[test]
    fn the_report_line_reads_back_with_the_logs_parser() {
        let context = InvocationContext {
            request_id: "req-1".into(),
            invoked_function_arn: "arn".into(),
            log: Arc::new(Mutex::new(String::new())),
        };
        context.log("hello");
        let init = Some(Duration::from_millis(120));

        let text = log_text(&context, Duration::from_micros(1_500), 256, init);
        let encoded = base64::engine::general_purpose::STANDARD.encode(&text);
        let report = crate::logs::LogTail::decode(&encoded)
            .unwrap()
            .report()
            .unwrap();

        assert!(text.starts_with("START RequestId: req-1 Version: $LATEST\nhello\nEND"));
        assert_eq!(report.request_id, "req-1");
        assert_eq!(report.duration, Duration::from_micros(1_500));
        assert_eq!(report.billed_duration, Duration::from_millis(2));
        assert_eq!(report.memory_size_mb, 256);
        assert_eq!(report.init_duration, init);
    }
}
