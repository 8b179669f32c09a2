//! Printing results: one JSON object, or text for people.

use std::path::Path;

use lamina::error::{ProvideErrorMetadata, SdkError};
use lamina::operation::invoke::{InvokeError, InvokeOutput};
use lamina::waiter::WaiterError;
use serde_json::{json, Map, Value};

use crate::Exit;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Text,
}

/// Prints a successful call's output; `written` is where the payload went instead, and its
/// size, when `--outfile` was given.
pub(crate) fn success(out: &InvokeOutput, format: Format, written: Option<(&Path, usize)>) {
    let tail = out.log_tail();
    let log = match (&tail, out.log_result()) {
        (Some(Ok(tail)), _) => Some(tail.text().to_owned()),
        (_, raw) => raw.map(str::to_owned),
    };
    let report = tail.and_then(Result::ok).and_then(|t| t.report());
    let payload = match written {
        Some(_) => None,
        None => out.payload().map(|p| payload_value(p)),
    };

    match format {
        Format::Json => {
            let mut object = Map::new();
            object.insert("StatusCode".into(), json!(out.status_code()));
            insert_opt(&mut object, "ExecutedVersion", out.executed_version());
            insert_opt(&mut object, "FunctionError", out.function_error());
            insert_opt(&mut object, "LogResult", log.as_deref());
            insert_opt(
                &mut object,
                "DurableExecutionArn",
                out.durable_execution_arn(),
            );
            if let Some(payload) = payload {
                object.insert("Payload".into(), payload);
            }
            if let Some((path, size)) = written {
                object.insert(
                    "Outfile".into(),
                    json!({ "path": path.display().to_string(), "bytes": size }),
                );
            }
            let meta = out.response_metadata();
            object.insert(
                "$metadata".into(),
                json!({
                    "httpStatusCode": meta.http_status(),
                    "requestId": meta.request_id(),
                    "attempts": meta.attempts(),
                    "totalRetryDelay": meta.retry_delay().as_millis() as u64,
                }),
            );
            println!("{}", Value::Object(object));
        }
        Format::Text => {
            println!("status:   {}", out.status_code());
            if let Some(version) = out.executed_version() {
                println!("version:  {version}");
            }
            if let Some(error) = out.function_error() {
                println!("function error: {error}");
            }
            if let Some(report) = report {
                let init = report
                    .init_duration
                    .map(|d| format!(", cold start {:.1} ms", d.as_secs_f64() * 1e3))
                    .unwrap_or_default();
                println!(
                    "billed:   {} ms ({:.2} ms run{init}), {} of {} MB used",
                    report.billed_duration.as_millis(),
                    report.duration.as_secs_f64() * 1e3,
                    report.max_memory_used_mb,
                    report.memory_size_mb,
                );
            }
            if let Some(log) = log {
                println!("log:\n{}", log.trim_end());
            }
            if let Some((path, size)) = written {
                println!("payload:  {size} bytes written to {}", path.display());
            }
            match payload {
                Some(Value::String(text)) => println!("payload:\n{text}"),
                Some(value) => println!(
                    "payload:\n{}",
                    serde_json::to_string_pretty(&value).unwrap_or_default()
                ),
                None => {}
            }
        }
    }
}

/// Prints a failed call's error as JSON and gives the exit it means: bad input (nothing was
/// sent) or a failed call. For the generated commands.
pub(crate) fn call_failed<E>(err: SdkError<E>) -> Exit
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    println!("{}", json!({ "error": error_object(&err) }));
    match err {
        SdkError::Construction(e) => Exit::BadInput(e.to_string()),
        _ => Exit::CallFailed,
    }
}

/// Prints why a waiter stopped as JSON and gives the exit it means.
pub(crate) fn wait_failed<O, E>(err: WaiterError<O, E>) -> Exit
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let object = match &err {
        WaiterError::Operation { error, .. } => error_object(error),
        _ => json!({ "message": err.to_string() }),
    };
    println!("{}", json!({ "error": object }));
    Exit::CallFailed
}

/// Prints a failed call's error: JSON on standard output, or a sentence on standard error.
pub(crate) fn failure(err: &SdkError<InvokeError>, format: Format) {
    match format {
        Format::Json => println!("{}", json!({ "error": error_object(err) })),
        Format::Text => {
            eprintln!("lamina: the call failed: {err}");
            for cause in causes(err) {
                eprintln!("  caused by: {cause}");
            }
        }
    }
}

fn error_object<E>(err: &SdkError<E>) -> Value
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let mut object = Map::new();
    insert_opt(&mut object, "code", err.code());
    let message = match err {
        SdkError::Service(e) => e.message().map(str::to_owned),
        other => Some(other.to_string()),
    };
    insert_opt(&mut object, "message", message.as_deref());
    object.insert("fault".into(), json!(err.fault().as_str()));
    if let Some(meta) = err.response_metadata() {
        object.insert("httpStatusCode".into(), json!(meta.http_status()));
        insert_opt(&mut object, "requestId", meta.request_id());
        object.insert("attempts".into(), json!(meta.attempts()));
        let delay = meta.retry_delay().as_millis() as u64;
        object.insert("totalRetryDelay".into(), json!(delay));
    }
    if let SdkError::Dispatch(e) = err {
        object.insert("attempts".into(), json!(e.attempts()));
        let delay = e.retry_delay().as_millis() as u64;
        object.insert("totalRetryDelay".into(), json!(delay));
        let causes = causes(e);
        if !causes.is_empty() {
            object.insert("cause".into(), json!(causes.join(": ")));
        }
    }
    if let SdkError::Service(e) = err {
        let modelled = e.members().into_iter();
        for (name, value) in modelled.filter(|(name, _)| !name.eq_ignore_ascii_case("message")) {
            object.entry(name).or_insert_with(|| json!(value));
        }
    }
    Value::Object(object)
}

/// The texts of the errors behind `err`, nearest first.
pub(crate) fn causes(err: &dyn std::error::Error) -> Vec<String> {
    let mut causes = Vec::new();
    let mut source = err.source();
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    causes
}

fn insert_opt(object: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        object.insert(key.into(), json!(value));
    }
}

/// The payload as JSON when it parses, else as text.
fn payload_value(payload: &[u8]) -> Value {
    serde_json::from_slice(payload)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(payload).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_json_when_they_parse() {
        assert_eq!(payload_value(br#"{"a":1}"#), json!({"a": 1}));
        assert_eq!(payload_value(b"plain text"), json!("plain text"));
    }
}
