//! Nothing a server sends can make lamina panic: every operation's response reader, the error
//! parser, the log tail and function errors, on generated hostile responses (any status, any
//! headers `http` accepts, any body).
//!
//! Each property runs a fixed number of cases with no failure files written, and prints how
//! many ran. A failing case is shrunk and printed; add it to the regression tests at the end.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::fmt::Debug;

use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderName, HeaderValue};
use lamina::error::SdkError;
use lamina::logs::LogTail;
use lamina::operation::invoke::InvokeOutput;
use lamina::FunctionError;
use lamina_runtime::middleware::{read_response, Response};
use lamina_runtime::protocol::rest_json::{error_metadata, response_metadata, JsonBody};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::{TestCaseError, TestRunner};
use serde_json::{Map, Value};

#[path = "hostile/model.rs"]
mod model;
#[path = "hostile/read.rs"]
mod read;
#[path = "hostile/wire.rs"]
mod wire;

use model::model;
use read::{operations, Operation, Read};
use wire::{header_value_of, ERROR_MEMBERS, READ_HEADERS};

/// The headers Invoke's output reads; a 2xx Invoke response fails only on one of these.
const INVOKE_HEADERS: &[&str] = &[
    "x-amz-function-error",
    "x-amz-log-result",
    "x-amz-executed-version",
    "x-amz-durable-execution-arn",
];

// ---------------------------------------------------------------------------------------------
// Hostile responses.

/// A response as a server could send it: any status, headers and body.
type Hostile = (u16, Vec<(HeaderName, HeaderValue)>, Bytes);

fn response_of((status, headers, body): &Hostile) -> Response {
    let mut response = http::Response::new(body.clone());
    *response.status_mut() = http::StatusCode::from_u16(*status).expect("100..=599 is a status");
    for (name, value) in headers {
        response.headers_mut().append(name.clone(), value.clone());
    }
    response
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![1 => 200..=299u16, 2 => 100..=599u16]
}

fn header_name() -> impl Strategy<Value = HeaderName> {
    prop_oneof![
        3 => select(READ_HEADERS).prop_map(HeaderName::from_static),
        1 => "[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,24}".prop_map(|name| {
            HeaderName::from_bytes(name.as_bytes()).expect("token characters make a name")
        }),
    ]
}

fn header_value() -> impl Strategy<Value = HeaderValue> {
    prop_oneof![
        vec(any::<u8>(), 0..48).prop_map(|bytes| header_value_of(&bytes)),
        text().prop_map(|text| header_value_of(text.as_bytes())),
        decorated_code().prop_map(|code| header_value_of(code.as_bytes())),
        log_tail_bytes().prop_map(|log| header_value_of(base64(&log).as_bytes())),
    ]
}

fn headers() -> impl Strategy<Value = Vec<(HeaderName, HeaderValue)>> {
    vec((header_name(), header_value()), 0..8)
}

/// Text of every kind a member may hold: unicode, model values, timestamps, numbers, base64.
fn text() -> BoxedStrategy<String> {
    let model = model();
    prop_oneof![
        "\\PC{0,24}",
        any::<String>(),
        select(model.enum_values.clone()),
        select(model.codes.clone()),
        date_time_text(),
        http_date_text(),
        any::<i64>().prop_map(|n| n.to_string()),
        "[0-9eE.+-]{1,24}",
        vec(any::<u8>(), 0..24).prop_map(|bytes| base64(&bytes)),
    ]
    .boxed()
}

/// RFC 3339 date-times, in and out of range.
fn date_time_text() -> impl Strategy<Value = String> {
    let part = || prop_oneof![0..=99u32, any::<u32>()];
    let offset = prop_oneof![
        Just("Z".to_owned()),
        (any::<bool>(), part(), part())
            .prop_map(|(plus, h, m)| { format!("{}{h:02}:{m:02}", if plus { '+' } else { '-' }) }),
        "\\PC{0,4}",
    ];
    (
        0..=9999u32,
        (part(), part(), part(), part(), part()),
        "(\\.[0-9]{0,12})?",
        offset,
    )
        .prop_map(|(year, (month, day, h, m, s), fraction, offset)| {
            format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}{fraction}{offset}")
        })
}

/// HTTP dates, mostly well-formed but for a part out of range (of any size or sign).
fn http_date_text() -> impl Strategy<Value = String> {
    let part = |range: std::ops::RangeInclusive<i64>| prop_oneof![3 => range, 1 => any::<i64>()];
    let month = select(&[
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]);
    (
        select(&["Mon", "Thu", "Sun"]),
        part(1..=31),
        month,
        part(1900..=2100),
        (part(0..=23), part(0..=59), part(0..=60)),
        prop_oneof![7 => Just("GMT"), 1 => Just("UTC")],
    )
        .prop_map(|(weekday, day, month, year, (h, m, s), zone)| {
            format!("{weekday}, {day:02} {month} {year} {h:02}:{m:02}:{s:02} {zone}")
        })
}

/// A code as servers decorate it: namespaces, URI suffixes, spaces, or garbage.
fn decorated_code() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            select(model().codes.clone()),
            "[A-Za-z]{1,20}",
            "\\PC{0,12}"
        ],
        select(&["", "aws.lambda#", "com.amazonaws.lambda#", "#", " "]),
        select(&[
            "",
            ":http://internal.amazon.com/coral/com.amazonaws.lambda/",
            ":",
            " ",
        ]),
    )
        .prop_map(|(code, prefix, suffix)| format!("{prefix}{code}{suffix}"))
}

fn member_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(model().members.clone()),
        1 => select(ERROR_MEMBERS).prop_map(str::to_owned),
        1 => "[A-Za-z_]{1,12}",
    ]
}

/// JSON values of any shape, keyed by the model's member names so that they reach the readers.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec((member_name(), inner), 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    vec((member_name(), json_value()), 0..10).prop_map(|members| members.into_iter().collect())
}

/// Bodies: empty, random bytes, JSON-ish soup, cut-off JSON, JSON objects and XML errors.
fn body() -> impl Strategy<Value = Bytes> {
    prop_oneof![
        1 => Just(Bytes::new()),
        1 => vec(any::<u8>(), 0..256).prop_map(Bytes::from),
        1 => "[{}\\[\\]\":,0-9a-zA-Z .eE+-]{0,64}".prop_map(Bytes::from),
        1 => (json_object(), any::<Index>()).prop_map(|(object, cut)| {
            let text = Value::Object(object).to_string().into_bytes();
            let at = cut.index(text.len() + 1);
            Bytes::copy_from_slice(&text[..at])
        }),
        3 => json_object().prop_map(|object| Bytes::from(Value::Object(object).to_string())),
        1 => (decorated_code(), text()).prop_map(|(code, message)| {
            let xml = format!("<Error><Code>{code}</Code><Message>{message}</Message></Error>");
            Bytes::from(xml)
        }),
    ]
}

fn hostile() -> impl Strategy<Value = Hostile> {
    (status(), headers(), body())
}

/// JSON shaped as the model's shape `target` says: mostly the right kinds with hostile
/// contents (numbers of any size, timestamps out of range), sometimes a value of another kind.
fn shaped(target: &str, depth: u32) -> BoxedStrategy<Value> {
    let shape = model().shapes.get(target);
    let kind = shape.and_then(|s| s["type"].as_str()).unwrap_or("document");
    let target_of = |member: &str| shape.and_then(|s| s[member]["target"].as_str());
    let number = || {
        prop_oneof![
            any::<i32>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
        ]
    };

    let right = match kind {
        _ if depth == 0 => Just(Value::Null).boxed(),
        "structure" | "union" => {
            let members = shape.and_then(|s| s["members"].as_object());
            let members: Vec<BoxedStrategy<Option<(String, Value)>>> = members
                .into_iter()
                .flatten()
                .map(|(name, member)| {
                    let json_name = member["traits"]["smithy.api#jsonName"].as_str();
                    let name = json_name.unwrap_or(name).to_owned();
                    let value = shaped(member["target"].as_str().unwrap_or(""), depth - 1);
                    proptest::option::of(value)
                        .prop_map(move |value| value.map(|value| (name.clone(), value)))
                        .boxed()
                })
                .collect();
            members
                .prop_map(|members| Value::Object(members.into_iter().flatten().collect()))
                .boxed()
        }
        "list" => vec(shaped(target_of("member").unwrap_or(""), depth - 1), 0..4)
            .prop_map(Value::Array)
            .boxed(),
        "map" => vec(
            (text(), shaped(target_of("value").unwrap_or(""), depth - 1)),
            0..4,
        )
        .prop_map(|entries| Value::Object(entries.into_iter().collect()))
        .boxed(),
        "enum" | "string" => prop_oneof![
            select(model().enum_values.clone()).prop_map(Value::String),
            text().prop_map(Value::String),
        ]
        .boxed(),
        "integer" | "long" | "short" | "byte" | "double" | "float" => number().boxed(),
        "boolean" => any::<bool>().prop_map(Value::Bool).boxed(),
        "timestamp" => prop_oneof![
            1 => number(),
            1 => date_time_text().prop_map(Value::String),
            2 => http_date_text().prop_map(Value::String),
        ]
        .boxed(),
        "blob" => prop_oneof![
            vec(any::<u8>(), 0..32).prop_map(|bytes| Value::String(base64(&bytes))),
            text().prop_map(Value::String),
        ]
        .boxed(),
        _ => json_value().boxed(),
    };
    prop_oneof![8 => right, 1 => json_value()].boxed()
}

/// Log text: arbitrary lines, sometimes with REPORT lines among them.
fn log_tail_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        vec(any::<u8>(), 0..64),
        (vec("[ -~\t]{0,40}", 0..4), report_line()).prop_map(|(lines, report)| {
            let mut text = lines.join("\n");
            text.push('\n');
            text.push_str(&report.line);
            text.into_bytes()
        }),
    ]
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

// ---------------------------------------------------------------------------------------------
// REPORT lines whose fields are either well-formed or broken.

/// One field of a REPORT line: its text, and its value when it is well-formed.
#[derive(Debug, Clone)]
struct Field<T> {
    text: String,
    value: Option<T>,
}

/// A REPORT line and what a correct reader finds in it.
#[derive(Debug, Clone)]
struct ReportLine {
    line: String,
    request_id: String,
    duration_micros: Option<u64>,
    billed_micros: Option<u64>,
    memory_mb: Option<u32>,
    max_memory_mb: Option<u32>,
    init: Option<Field<u64>>,
}

/// A duration in ms: well-formed (its value in µs), or broken in a way no reader may accept.
fn millis_field() -> impl Strategy<Value = Field<u64>> {
    let good = (0..10_000_000u64, 0..100u64).prop_map(|(ms, hundredths)| Field {
        text: format!("{ms}.{hundredths:02} ms"),
        value: Some(ms * 1000 + hundredths * 10),
    });
    let bad = prop_oneof![
        "-[1-9][0-9]{0,3}(\\.[0-9]{1,2})? ms",
        Just("NaN ms".to_owned()),
        Just("inf ms".to_owned()),
        "[1-9][0-9]{0,2}e[3-9][0-9]{2} ms",
        "[0-9]{1,4}",
        "[a-z]{1,6} ms",
        Just(String::new()),
    ]
    .prop_map(|text| Field { text, value: None });
    prop_oneof![3 => good, 1 => bad]
}

/// A size in MB: well-formed, or broken (negative, beyond u32, fractional, no unit).
fn megabytes_field() -> impl Strategy<Value = Field<u32>> {
    let good = any::<u32>().prop_map(|mb| Field {
        text: format!("{mb} MB"),
        value: Some(mb),
    });
    let bad = prop_oneof![
        "-[1-9][0-9]{0,3} MB",
        "[1-9][0-9]{10,13} MB",
        "[0-9]{1,3}\\.[0-9] MB",
        "[0-9]{1,3}",
    ]
    .prop_map(|text| Field { text, value: None });
    prop_oneof![3 => good, 1 => bad]
}

fn report_line() -> impl Strategy<Value = ReportLine> {
    (
        "[a-f0-9-]{1,36}",
        millis_field(),
        millis_field(),
        megabytes_field(),
        megabytes_field(),
        proptest::option::of(millis_field()),
    )
        .prop_map(|(request_id, duration, billed, memory, max_memory, init)| {
            let mut line = format!(
                "REPORT RequestId: {request_id}\tDuration: {}\tBilled Duration: {}\t\
                 Memory Size: {}\tMax Memory Used: {}\t",
                duration.text, billed.text, memory.text, max_memory.text
            );
            if let Some(init) = &init {
                line.push_str(&format!("Init Duration: {}\t", init.text));
            }
            ReportLine {
                line,
                request_id,
                duration_micros: duration.value,
                billed_micros: billed.value,
                memory_mb: memory.value,
                max_memory_mb: max_memory.value,
                init,
            }
        })
}

// ---------------------------------------------------------------------------------------------
// Running properties with a fixed budget.

/// Runs `test` on `cases` values of `strategy`, then prints how many cases ran.
fn check<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) -> u64 {
    let config = ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(cases)
    };
    let ran = Cell::new(0u64);
    let result = TestRunner::new(config).run(&strategy, |value| {
        ran.set(ran.get() + 1);
        test(value)
    });
    say(&format!("{name}: {} cases ran", ran.get()));
    if let Err(failure) = result {
        panic!("{name}: {failure}");
    }
    ran.get()
}

fn say(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout(), "hostile_responses: {line}");
}

/// The value of header `name` when the response carries it once, as text.
fn only_text_header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    let mut values = response.headers().get_all(name).iter();
    let first = values.next()?;
    values
        .next()
        .is_none()
        .then(|| first.to_str().ok())
        .flatten()
}

// ---------------------------------------------------------------------------------------------
// The properties.

#[test]
fn the_list_holds_every_operation_of_the_model() {
    let listed: BTreeSet<&str> = operations().iter().map(|op| op.name).collect();
    let modelled: BTreeSet<&str> = model().errors.keys().map(String::as_str).collect();

    assert_eq!(
        operations().len(),
        modelled.len(),
        "one entry per operation"
    );
    assert_eq!(listed, modelled);
}

#[test]
fn every_operation_reads_any_response_as_an_output_or_a_typed_error() {
    let operations = operations();
    let model = model();

    let ran = check("every operation's reader", 1000, hostile(), |hostile| {
        let response = response_of(&hostile);
        let status = hostile.0;

        for op in &operations {
            let read = (op.read)(&response);
            let name = op.name;
            match read {
                Read::Output { status: seen } => {
                    prop_assert!(
                        (200..300).contains(&status),
                        "{name}: {status} read as output"
                    );
                    prop_assert_eq!(seen, status, "{}: the output's status", name);
                }
                Read::Unreadable { status: seen, text } => {
                    prop_assert!((200..300).contains(&status), "{name}: {status} unreadable");
                    prop_assert_eq!(seen, status, "{}: the failure's status", name);
                    prop_assert!(text.contains(&format!("HTTP {status}")), "{name}: {text}");
                }
                Read::Service(error) => {
                    prop_assert!(
                        !(200..300).contains(&status),
                        "{name}: {status} as an error"
                    );
                    prop_assert_eq!(error.status, status, "{}: the error's status", name);
                    let modelled = &model.errors[name];
                    let known = error.code.as_ref().is_some_and(|c| modelled.contains(c));
                    prop_assert_eq!(
                        known,
                        !error.unhandled,
                        "{}: code {:?} typed as unhandled: {}",
                        name,
                        error.code,
                        error.unhandled
                    );
                    if error.code.is_none() {
                        prop_assert!(error.message.is_some(), "{name}: neither code nor message");
                    }
                    if let Some(id) = only_text_header(&response, "x-amzn-requestid") {
                        prop_assert_eq!(error.request_id.as_deref(), Some(id), "{}", name);
                    }
                    prop_assert!(!error.text.is_empty(), "{name}: an error without text");
                }
                Read::Other(text) => prop_assert!(false, "{name}: {text}"),
            }
        }
        Ok(())
    });

    say(&format!(
        "{ran} responses through {} readers",
        operations.len()
    ));
}

#[test]
fn every_operation_reads_a_body_shaped_like_its_output_or_names_what_is_wrong() {
    let operations = operations();
    let per_operation = operations.iter().enumerate().map(|(i, op)| {
        let body = shaped(&model().outputs[op.name], 6);
        (200..=299u16, headers(), body)
            .prop_map(move |(status, headers, body)| {
                (i, (status, headers, Bytes::from(body.to_string())))
            })
            .boxed()
    });
    let shaped_responses = proptest::strategy::Union::new(per_operation);

    check("shaped outputs", 2000, shaped_responses, |(op, hostile)| {
        let response = response_of(&hostile);
        let (name, status) = (operations[op].name, hostile.0);

        match (operations[op].read)(&response) {
            Read::Output { status: seen } => prop_assert_eq!(seen, status, "{}", name),
            Read::Unreadable { status: seen, text } => {
                prop_assert_eq!(seen, status, "{}", name);
                prop_assert!(text.contains("should be"), "{name}: {text}");
            }
            other => prop_assert!(false, "{name}: a 2xx read as {other:?}"),
        }
        Ok(())
    });
}

/// A modelled code, decorated and placed where servers put it, with what to expect.
fn placed_code() -> impl Strategy<Value = (usize, Hostile, String)> {
    let placements = select(&["x-amzn-errortype", "__type", "code"]);
    let prefix = select(&["", "aws.lambda#", "com.amazonaws.lambda#"]);
    let suffix = select(&[
        "",
        ":http://internal.amazon.com/coral/com.amazonaws.lambda/",
    ]);
    let error_status = prop_oneof![100..=199u16, 300..=599u16];
    let operation_count = operations().len();

    (
        (0..operation_count, any::<Index>()),
        (placements, prefix, suffix, any::<bool>()),
        (error_status, headers(), body(), json_object()),
    )
        .prop_map(
            move |((op, pick), (place, prefix, suffix, padded), parts)| {
                let (status, mut headers, mut body, mut object) = parts;
                let codes: Vec<&String> = model().errors[operations()[op].name].iter().collect();
                let code = codes[pick.index(codes.len())].clone();
                let pad = if padded { " " } else { "" };
                let decorated = format!("{pad}{prefix}{code}{suffix}{pad}");

                headers.retain(|(name, _)| name != "x-amzn-errortype");
                if place == "x-amzn-errortype" {
                    let value = HeaderValue::from_str(&decorated).expect("a code is header text");
                    headers.push((HeaderName::from_static("x-amzn-errortype"), value));
                } else {
                    object.remove("__type");
                    object.remove("code");
                    object.insert(place.to_owned(), Value::String(decorated));
                    body = Bytes::from(Value::Object(object).to_string());
                }
                (op, (status, headers, body), code)
            },
        )
}

#[test]
fn a_modelled_code_types_the_error_wherever_it_is_and_however_it_is_decorated() {
    let operations = operations();

    check(
        "modelled codes",
        1000,
        placed_code(),
        |(op, hostile, code)| {
            let response = response_of(&hostile);
            let name = operations[op].name;

            let Read::Service(error) = (operations[op].read)(&response) else {
                return Err(TestCaseError::fail(format!("{name}: not a service error")));
            };
            prop_assert_eq!(error.code.as_deref(), Some(code.as_str()), "{}", name);
            prop_assert!(
                !error.unhandled,
                "{name}: {code} is modelled but typed as unhandled"
            );
            prop_assert_eq!(error.status, hostile.0);
            Ok(())
        },
    );
}

#[test]
fn the_error_parser_gives_a_bare_code_or_says_what_arrived() {
    check("the error parser", 3000, hostile(), |hostile| {
        let response = response_of(&hostile);
        let body = JsonBody::parse(response.body());

        let meta = error_metadata(&response, &body, response_metadata(&response, 1));

        prop_assert_eq!(meta.response().http_status(), hostile.0);
        if let Some(code) = meta.code() {
            prop_assert!(!code.is_empty(), "an empty code");
            prop_assert!(!code.contains([':', '#']), "a decorated code: {code:?}");
            prop_assert_eq!(code.trim(), code, "a code with spaces around it");
        } else {
            prop_assert!(meta.message().is_some(), "neither code nor message");
        }
        Ok(())
    });
}

/// A 2xx Invoke response, often with a function error and a runtime's error payload.
fn invoke_response() -> impl Strategy<Value = Hostile> {
    let runtime_error = (text(), text(), vec(json_value(), 0..4), json_object()).prop_map(
        |(error_type, message, trace, mut object)| {
            object.insert("errorType".into(), Value::String(error_type));
            object.insert("errorMessage".into(), Value::String(message));
            object.insert("stackTrace".into(), Value::Array(trace));
            Bytes::from(Value::Object(object).to_string())
        },
    );
    let function_error = proptest::option::of(prop_oneof![
        select(&["Unhandled", "Handled"]).prop_map(HeaderValue::from_static),
        header_value(),
    ]);

    (
        200..=299u16,
        headers(),
        function_error,
        prop_oneof![body(), runtime_error],
    )
        .prop_map(|(status, mut headers, function_error, body)| {
            if let Some(value) = function_error {
                let name = HeaderName::from_static("x-amz-function-error");
                headers.retain(|(n, _)| *n != name);
                headers.push((name, value));
            }
            (status, headers, body)
        })
}

#[test]
fn a_successful_invoke_keeps_its_payload_byte_for_byte() {
    check("Invoke payloads", 1500, invoke_response(), |hostile| {
        let response = response_of(&hostile);
        let (status, _, body) = &hostile;

        let output = match read_response::<InvokeOutput>(&response, response_metadata(&response, 1))
        {
            Ok(output) => output,
            Err(SdkError::Response(failure)) => {
                let text = failure.to_string();
                let culprit = INVOKE_HEADERS.iter().find(|h| text.contains(*h));
                let culprit = culprit.and_then(|h| response.headers().get(*h));
                prop_assert!(
                    culprit.is_some_and(|v| v.to_str().is_err()),
                    "a failure not caused by a header that is not text: {text}"
                );
                return Ok(());
            }
            Err(other) => return Err(TestCaseError::fail(format!("2xx Invoke failed: {other}"))),
        };

        prop_assert_eq!(output.status_code(), i32::from(*status));
        prop_assert_eq!(output.payload(), (!body.is_empty()).then_some(body));
        let sent_error = response.headers().get("x-amz-function-error");
        let sent_error = sent_error.map(|v| v.to_str().expect("the output was read"));
        prop_assert_eq!(output.function_error(), sent_error);
        if let Some(log) = output.log_result() {
            if let Ok(tail) = LogTail::decode(log) {
                let _ = tail.report();
            }
        }

        let function_error = FunctionError::from_output(&output);
        prop_assert_eq!(function_error.is_some(), sent_error.is_some());
        if let Some(error) = function_error {
            prop_assert_eq!(Some(error.kind.as_str()), sent_error);
            prop_assert_eq!(&error.payload, body);
            let _ = error.to_string();
            let json: Value = serde_json::from_slice(body).unwrap_or_default();
            let text = |key: &str| json.get(key).and_then(Value::as_str);
            prop_assert_eq!(error.error_type.as_deref(), text("errorType"));
            prop_assert_eq!(error.error_message.as_deref(), text("errorMessage"));
            let frames = json.get("stackTrace").and_then(Value::as_array);
            prop_assert_eq!(error.stack_trace.len(), frames.map_or(0, Vec::len));
        }
        Ok(())
    });
}

#[test]
fn any_text_is_decoded_as_a_log_tail_or_refused_as_not_base64() {
    let encoded_or_not = prop_oneof![
        any::<String>(),
        "[A-Za-z0-9+/=\\s]{0,64}",
        log_tail_bytes().prop_map(|log| base64(&log)),
    ];

    check("log tail text", 2000, encoded_or_not, |text| {
        match LogTail::decode(&text) {
            Ok(tail) => {
                let _ = tail.report();
            }
            Err(e) => prop_assert!(e.to_string().contains("not base64"), "{e}"),
        }
        Ok(())
    });
}

#[test]
fn a_report_line_reads_back_what_it_says_and_nothing_when_broken() {
    let log = (vec(any::<u8>(), 0..48), report_line());

    check("REPORT lines", 2000, log, |(noise, report)| {
        let mut bytes = noise;
        bytes.push(b'\n');
        bytes.extend_from_slice(report.line.as_bytes());

        let tail = LogTail::decode(&base64(&bytes)).expect("base64 decodes");

        prop_assert_eq!(tail.text(), String::from_utf8_lossy(&bytes));
        let read = tail.report();
        let required = (
            report.duration_micros,
            report.billed_micros,
            report.memory_mb,
            report.max_memory_mb,
        );
        let (Some(duration), Some(billed), Some(memory), Some(max_memory)) = required else {
            prop_assert_eq!(read, None, "a broken field in {:?}", report.line);
            return Ok(());
        };
        let read = read.ok_or_else(|| TestCaseError::fail(format!("no report: {report:?}")))?;
        prop_assert_eq!(&read.request_id, &report.request_id);
        prop_assert!(
            close(read.duration, duration),
            "{:?} vs {duration}",
            read.duration
        );
        prop_assert!(
            close(read.billed_duration, billed),
            "{:?}",
            read.billed_duration
        );
        prop_assert_eq!(read.memory_size_mb, memory);
        prop_assert_eq!(read.max_memory_used_mb, max_memory);
        match report.init.and_then(|init| init.value) {
            Some(init) => prop_assert!(read.init_duration.is_some_and(|d| close(d, init))),
            None => prop_assert_eq!(read.init_duration, None),
        }
        Ok(())
    });
}

/// Whether `duration` is `micros` µs, give or take one for the float conversion.
fn close(duration: std::time::Duration, micros: u64) -> bool {
    duration.as_micros().abs_diff(u128::from(micros)) <= 1
}

// ---------------------------------------------------------------------------------------------
// Regressions: responses that once made a reader panic.

/// The operation called `name` in the list.
fn operation(name: &str) -> Operation {
    let mut operations = operations();
    let at = operations.iter().position(|op| op.name == name);
    operations.swap_remove(at.expect("the operation is listed"))
}

#[test]
fn a_timestamp_beyond_the_year_9999_or_off_the_clock_is_unreadable_not_a_panic() {
    let dates = [
        "Thu, 01 Jan 9223372036854775807 00:00:00 GMT",
        "Thu, 01 Jan 2000 -9223372036854775807:00:00 GMT",
        "Thu, 01 Jan 2000 00:00:9223372036854775807 GMT",
    ];
    for date in dates {
        let body = serde_json::json!({ "LastModified": date }).to_string();
        let response = response_of(&(200, Vec::new(), Bytes::from(body)));

        let read = (operation("GetFunctionEventInvokeConfig").read)(&response);

        let Read::Unreadable { text, .. } = read else {
            panic!("{date}: read as {read:?}");
        };
        assert!(
            text.contains("`LastModified` should be a timestamp"),
            "{text}"
        );
    }
}

#[test]
fn a_report_whose_duration_is_too_long_for_a_duration_has_no_report() {
    let text = "REPORT RequestId: 0\tDuration: 1e300 ms\tBilled Duration: 0.00 ms\t\
                Memory Size: 0 MB\tMax Memory Used: 0 MB\t";

    let tail = LogTail::decode(&base64(text.as_bytes())).unwrap();

    assert_eq!(tail.report(), None);
}
