//! The `test-util` feature through the real client: the fake Lambda answers every kind of
//! Invoke as Lambda does, and the replay connector catches requests that differ from the
//! recorded ones.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use lamina::config::{Credentials, RetryConfig};
use lamina::error::SdkError;
use lamina::extensions::{PAYLOAD_LIMIT, SYNC_PAYLOAD_LIMIT};
use lamina::operation::invoke::InvokeError;
use lamina::test_util::{
    FakeLambda, FakeLambdaBuilder, FunctionFailure, Invocation, ReplayClient, ReplayEvent,
};
use lamina::types::{InvocationType, LogType, ThrottleReason};
use lamina::{Client, Config, FunctionError, InvokeJsonError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Greeting {
    greeting: String,
}

/// A fake with `greet`, which greets the `name` of its event and logs it, and `fail`, which
/// always reports a `ValueError`.
async fn fake() -> FakeLambda {
    fake_with(|builder| builder).await
}

async fn fake_with(customize: impl FnOnce(FakeLambdaBuilder) -> FakeLambdaBuilder) -> FakeLambda {
    let builder = FakeLambda::builder()
        .function("greet", |event: Invocation| async move {
            let event: Value = event_json(&event)?;
            let name = event["name"].as_str().unwrap_or("stranger").to_owned();
            Ok(json!({ "greeting": format!("Hello, {name}!") }))
        })
        .function("fail", |_event: Invocation| async {
            Err::<Value, _>(
                FunctionFailure::new("ValueError", "the order has no items")
                    .with_stack_trace(["handler.py:3 in handle", "orders.py:12 in check"]),
            )
        });
    customize(builder).start().await.expect("the fake starts")
}

fn event_json(event: &Invocation) -> Result<Value, FunctionFailure> {
    event
        .context()
        .log(&format!("event of {} bytes", event.payload().len()));
    event.json()
}

/// A client of `fake` whose retries wait a millisecond, not seconds, whatever `Retry-After`
/// asks for.
fn quick_client(fake: &FakeLambda, attempts: u32) -> Client {
    let retries = RetryConfig::default()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_retry_after(Duration::from_millis(1))
        .with_max_attempts(attempts);
    Client::from_conf(fake.config_builder().retry_config(retries).build())
}

#[tokio::test]
async fn a_synchronous_call_gets_the_closures_payload_and_the_version() {
    let fake = fake().await;

    let output = fake
        .client()
        .invoke()
        .function_name("greet")
        .payload(r#"{"name": "Ada"}"#)
        .send()
        .await
        .expect("greet answers");

    assert_eq!(output.status_code(), 200);
    assert_eq!(output.executed_version(), Some("$LATEST"));
    assert_eq!(output.function_error(), None);
    let payload: Greeting = serde_json::from_slice(output.payload().unwrap()).unwrap();
    assert_eq!(payload.greeting, "Hello, Ada!");

    let calls = fake.invocations();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].function_name, "greet");
    assert_eq!(calls[0].invocation_type, InvocationType::RequestResponse);
    assert_eq!(calls[0].payload.as_ref(), br#"{"name": "Ada"}"#);
    assert_eq!(calls[0].status, 200);
    assert_eq!(
        output.response_metadata().request_id(),
        Some(calls[0].request_id.as_str())
    );
    assert!(
        calls[0].headers.contains_key("authorization"),
        "the client signed the call"
    );
}

#[tokio::test]
async fn invoke_json_round_trips_serde_types() {
    let fake = fake().await;

    let greeting: Greeting = fake
        .client()
        .invoke_json("greet", &json!({ "name": "Grace" }))
        .await
        .expect("greet answers");

    assert_eq!(greeting.greeting, "Hello, Grace!");
}

#[tokio::test]
async fn an_event_call_answers_202_at_once_and_the_closure_still_runs() {
    let ran = Arc::new(AtomicU32::new(0));
    let seen = Arc::clone(&ran);
    let fake = FakeLambda::builder()
        .function("count", move |event: Invocation| {
            let seen = Arc::clone(&seen);
            async move {
                assert_eq!(event.invocation_type(), &InvocationType::Event);
                seen.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        })
        .start()
        .await
        .unwrap();

    let output = fake
        .client()
        .invoke()
        .function_name("count")
        .invocation_type(InvocationType::Event)
        .payload("{}")
        .send()
        .await
        .expect("Event calls are accepted");
    fake.wait_for_events().await;

    assert_eq!(output.status_code(), 202);
    assert_eq!(output.payload().map(|p| p.len()).unwrap_or(0), 0);
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    assert_eq!(fake.invocations()[0].status, 202);
}

#[tokio::test]
async fn a_dry_run_answers_204_without_running_the_closure() {
    let ran = Arc::new(AtomicU32::new(0));
    let seen = Arc::clone(&ran);
    let fake = FakeLambda::builder()
        .function("count", move |_event: Invocation| {
            seen.fetch_add(1, Ordering::SeqCst);
            async { Ok(()) }
        })
        .start()
        .await
        .unwrap();

    let output = fake
        .client()
        .invoke()
        .function_name("count")
        .invocation_type(InvocationType::DryRun)
        .send()
        .await
        .expect("a dry run is accepted");

    assert_eq!(output.status_code(), 204);
    assert_eq!(ran.load(Ordering::SeqCst), 0);
    assert_eq!(
        fake.invocations()[0].invocation_type,
        InvocationType::DryRun
    );
}

#[tokio::test]
async fn a_function_error_is_a_200_that_function_error_reads() {
    let fake = fake().await;

    let output = fake
        .client()
        .invoke()
        .function_name("fail")
        .payload("{}")
        .send()
        .await
        .expect("a function error is not a failed call");
    let error = FunctionError::from_output(&output).expect("the output reports an error");

    assert_eq!(output.status_code(), 200);
    assert_eq!(output.function_error(), Some("Unhandled"));
    assert_eq!(error.kind, "Unhandled");
    assert_eq!(error.error_type.as_deref(), Some("ValueError"));
    assert_eq!(
        error.error_message.as_deref(),
        Some("the order has no items")
    );
    assert_eq!(
        error.stack_trace,
        ["handler.py:3 in handle", "orders.py:12 in check"]
    );
    assert_eq!(
        error.request_id,
        fake.invocations().first().map(|c| c.request_id.clone())
    );
}

#[tokio::test]
async fn invoke_json_turns_a_function_error_into_its_variant() {
    let fake = fake().await;

    let err = fake
        .client()
        .invoke_json::<_, Value>("fail", &json!({}))
        .await
        .unwrap_err();

    match &err {
        InvokeJsonError::Function(e) => {
            assert_eq!(e.error_type.as_deref(), Some("ValueError"));
            assert!(
                err.to_string()
                    .contains("ValueError: the order has no items"),
                "{err}"
            );
        }
        other => panic!("expected a function error, got {other:?}"),
    }
}

#[tokio::test]
async fn errors_and_panics_in_closures_become_function_errors() {
    let fake = FakeLambda::builder()
        .function("parse", |event: Invocation| async move {
            let n: u32 = std::str::from_utf8(event.payload())?
                .trim_matches('"')
                .parse()?;
            Ok(json!(n * 2))
        })
        .function("panic", |event: Invocation| async move {
            let event: Value = event.json()?;
            if event.is_null() {
                panic!("the handler gave up");
            }
            Ok(event)
        })
        .start()
        .await
        .unwrap();
    let client = fake.client();

    let doubled: u32 = client.invoke_json("parse", "21").await.unwrap();
    let parse = client
        .invoke_json::<_, u32>("parse", "twenty")
        .await
        .unwrap_err();
    let panic = client
        .invoke_json::<_, Value>("panic", &())
        .await
        .unwrap_err();

    assert_eq!(doubled, 42);
    let InvokeJsonError::Function(parse) = parse else {
        panic!("expected a function error, got {parse:?}");
    };
    assert!(
        parse
            .error_type
            .as_deref()
            .unwrap()
            .contains("ParseIntError"),
        "{parse:?}"
    );
    let InvokeJsonError::Function(panic) = panic else {
        panic!("expected a function error, got {panic:?}");
    };
    assert_eq!(panic.error_message.as_deref(), Some("the handler gave up"));
}

#[tokio::test]
async fn the_log_tail_holds_the_closures_lines_and_a_report_the_parser_reads() {
    let fake = fake_with(|b| b.memory_size(512).init_duration(Duration::from_millis(250))).await;
    let client = fake.client();
    let call = || {
        client
            .invoke()
            .function_name("greet")
            .log_type(LogType::Tail)
            .payload(r#"{"name":"Ada"}"#)
            .send()
    };

    let cold = call().await.unwrap();
    let warm = call().await.unwrap();

    let tail = cold.log_tail().expect("a tail was asked for").unwrap();
    let lines: Vec<&str> = tail.text().lines().collect();
    let id = cold.response_metadata().request_id().unwrap();
    assert_eq!(lines[0], format!("START RequestId: {id} Version: $LATEST"));
    assert_eq!(lines[1], "event of 14 bytes");
    assert_eq!(lines[2], format!("END RequestId: {id}"));
    assert!(lines[3].starts_with("REPORT "), "{lines:?}");

    let report = tail.report().expect("the REPORT line parses");
    assert_eq!(report.request_id, id);
    assert_eq!(report.memory_size_mb, 512);
    assert!(report.max_memory_used_mb <= 512);
    assert!(report.billed_duration >= report.duration);
    assert_eq!(report.init_duration, Some(Duration::from_millis(250)));

    let warm = warm.log_tail().unwrap().unwrap().report().unwrap();
    assert_eq!(
        warm.init_duration, None,
        "only the first run is a cold start"
    );
}

#[tokio::test]
async fn without_a_tail_asked_for_there_is_none() {
    let fake = fake().await;

    let output = fake
        .client()
        .invoke()
        .function_name("greet")
        .send()
        .await
        .unwrap();

    assert!(output.log_tail().is_none());
    let greeting: Greeting = serde_json::from_slice(output.payload().unwrap()).unwrap();
    assert_eq!(
        greeting.greeting, "Hello, stranger!",
        "no payload reaches it as {{}}"
    );
}

#[tokio::test]
async fn throttles_are_retried_by_the_client_until_they_pass() {
    let fake = fake_with(|b| b.throttle("greet", 2).retry_after(Duration::ZERO)).await;

    let greeting: Greeting = quick_client(&fake, 3)
        .invoke_json("greet", &json!({ "name": "Ada" }))
        .await
        .expect("the third attempt passes");

    assert_eq!(greeting.greeting, "Hello, Ada!");
    let statuses: Vec<u16> = fake.invocations().iter().map(|c| c.status).collect();
    assert_eq!(statuses, [429, 429, 200]);
}

#[tokio::test]
async fn a_throttle_outlasting_the_retries_is_a_typed_error_with_its_reason() {
    let fake = fake().await;
    fake.throttle("greet", 5);

    let err = quick_client(&fake, 2)
        .invoke()
        .function_name("greet")
        .send()
        .await
        .unwrap_err();

    let Some(InvokeError::TooManyRequestsException(e)) = err.as_service_error() else {
        panic!("expected a throttle, got {err:?}");
    };
    assert_eq!(
        e.reason(),
        Some(&ThrottleReason::ConcurrentInvocationLimitExceeded)
    );
    assert_eq!(e.retry_after_seconds(), Some("1"));
    assert_eq!(e.response_metadata().attempts(), 2);
    assert_eq!(fake.invocations().len(), 2);

    let output = quick_client(&fake, 4)
        .invoke()
        .function_name("greet")
        .send()
        .await
        .expect("the last three throttles are used up by this call's retries");
    assert_eq!(output.status_code(), 200);
}

#[tokio::test]
async fn an_unknown_function_is_resource_not_found() {
    let fake = fake().await;

    let err = fake
        .client()
        .invoke()
        .function_name("nope")
        .send()
        .await
        .unwrap_err();

    match err.as_service_error() {
        Some(InvokeError::ResourceNotFoundException(e)) => {
            let message = e.message().unwrap_or_default();
            assert!(message.contains("function:nope"), "{message}");
            assert!(message.contains("fail, greet"), "{message}");
            assert_eq!(e.r#type(), Some("User"));
        }
        other => panic!("expected ResourceNotFoundException, got {other:?}"),
    }
    assert_eq!(err.response_metadata().map(|m| m.http_status()), Some(404));
    assert_eq!(fake.invocations()[0].status, 404);
}

#[tokio::test]
async fn qualifiers_and_arns_reach_the_function() {
    let fake = FakeLambda::builder()
        .function("which", |event: Invocation| async move {
            Ok(json!({
                "name": event.function_name(),
                "qualifier": event.qualifier(),
                "arn": event.context().invoked_function_arn(),
            }))
        })
        .region("eu-west-1")
        .start()
        .await
        .unwrap();
    let client = fake.client();
    let call = |name: &str, qualifier: Option<&str>| {
        client
            .invoke()
            .function_name(name)
            .set_qualifier(qualifier.map(str::to_owned))
            .send()
    };
    let answer = |output: lamina::operation::invoke::InvokeOutput| -> Value {
        serde_json::from_slice(output.payload().unwrap()).unwrap()
    };

    let alias = answer(call("which:live", None).await.unwrap());
    let version = answer(call("which", Some("7")).await.unwrap());
    let arn = "arn:aws:lambda:eu-west-1:123456789012:function:which";
    let by_arn = answer(call(arn, None).await.unwrap());

    assert_eq!(alias["qualifier"], "live");
    assert_eq!(alias["arn"], format!("{arn}:live"));
    assert_eq!(version["qualifier"], "7");
    assert_eq!(by_arn["name"], "which");
    assert_eq!(by_arn["qualifier"], Value::Null);
    let recorded = fake.invocations();
    assert_eq!(recorded[0].qualifier.as_deref(), Some("live"));
    assert_eq!(recorded[1].qualifier.as_deref(), Some("7"));

    let err = call("which:live", Some("7")).await.unwrap_err();
    let Some(InvokeError::InvalidParameterValueException(e)) = err.as_service_error() else {
        panic!("expected InvalidParameterValueException, got {err:?}");
    };
    assert!(e.message().unwrap().contains("`live`"), "{e}");
}

#[tokio::test]
async fn a_payload_over_six_megabytes_is_request_too_large() {
    let fake = fake().await;
    let big = format!("\"{}\"", "x".repeat(SYNC_PAYLOAD_LIMIT));

    let refused = fake
        .client()
        .invoke()
        .function_name("greet")
        .payload(big.clone())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(refused, SdkError::Construction(_)),
        "the client refuses before sending: {refused}"
    );
    assert!(fake.invocations().is_empty());

    let err = fake
        .client()
        .invoke()
        .function_name("greet")
        .payload(big)
        .customize_stack(|stack| stack.remove(PAYLOAD_LIMIT))
        .send()
        .await
        .unwrap_err();

    assert!(
        matches!(
            err.as_service_error(),
            Some(InvokeError::RequestTooLargeException(_))
        ),
        "{err:?}"
    );
    assert_eq!(fake.invocations()[0].status, 413);
}

#[tokio::test]
async fn a_payload_that_is_not_json_is_refused_and_the_client_context_arrives_decoded() {
    let fake = FakeLambda::builder()
        .function("context", |event: Invocation| async move {
            Ok(json!({ "context": event.client_context() }))
        })
        .start()
        .await
        .unwrap();
    let client = fake.client();
    let context = base64::engine::general_purpose::STANDARD.encode(r#"{"custom":{"a":1}}"#);

    let err = client
        .invoke()
        .function_name("context")
        .payload("not json")
        .send()
        .await
        .unwrap_err();
    let output = client
        .invoke()
        .function_name("context")
        .client_context(context)
        .send()
        .await
        .unwrap();

    assert!(
        matches!(
            err.as_service_error(),
            Some(InvokeError::InvalidRequestContentException(_))
        ),
        "{err:?}"
    );
    let answer: Value = serde_json::from_slice(output.payload().unwrap()).unwrap();
    assert_eq!(answer["context"], r#"{"custom":{"a":1}}"#);
}

/// Where the recorded `greet` call went.
const GREET_URI: &str =
    "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/greet/invocations?Qualifier=live";

/// The recorded exchange of one synchronous `greet` call.
fn greet_event(body: &str) -> ReplayEvent {
    ReplayEvent::new(
        http::Request::post(GREET_URI)
            .header("x-amz-log-type", "Tail")
            .header("x-amz-date", "20240101T000000Z")
            .header("authorization", "AWS4-HMAC-SHA256 recorded")
            .body(body.to_owned())
            .unwrap(),
        http::Response::builder()
            .status(200)
            .header("x-amz-executed-version", "7")
            .header("x-amzn-requestid", "recorded-1")
            .body(r#"{"greeting":"Hello, Ada!"}"#)
            .unwrap(),
    )
}

fn replay_client(replay: &ReplayClient) -> Client {
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new(
            "AKIDREPLAY",
            "replay-secret",
            None,
            None,
            "test",
        ))
        .retry_config(RetryConfig::default().with_max_attempts(1))
        .connector(replay.clone())
        .build();
    Client::from_conf(config)
}

#[tokio::test]
async fn a_replay_answers_with_the_recording_and_accepts_the_same_requests() {
    let replay = ReplayClient::new([greet_event(r#"{ "name": "Ada" }"#)]);

    let output = replay_client(&replay)
        .invoke()
        .function_name("greet")
        .qualifier("live")
        .log_type(LogType::Tail)
        .payload(r#"{"name":"Ada"}"#)
        .send()
        .await
        .expect("the recorded response answers");

    assert_eq!(output.executed_version(), Some("7"));
    assert_eq!(output.response_metadata().request_id(), Some("recorded-1"));
    replay
        .check_requests()
        .expect("the same request, signed anew");
    let sent = replay.actual_requests();
    assert_eq!(sent.len(), 1);
    assert_ne!(
        sent[0].headers().get("authorization").unwrap(),
        "AWS4-HMAC-SHA256 recorded"
    );
}

#[tokio::test]
async fn a_replay_mismatch_names_the_request_and_what_differs() {
    let replay = ReplayClient::new([greet_event(r#"{"name": "Ada"}"#)]);

    replay_client(&replay)
        .invoke()
        .function_name("greet")
        .qualifier("dev")
        .payload(r#"{"name":"Bob"}"#)
        .send()
        .await
        .expect("the recorded response answers whatever was sent");
    let mismatch = replay.check_requests().unwrap_err();
    let text = mismatch.to_string();

    assert_eq!(mismatch.differences().len(), 3, "{text}");
    assert!(
        text.contains("request 1: query: expected `Qualifier=live`, sent `Qualifier=dev`"),
        "{text}"
    );
    assert!(
        text.contains(
            r#"request 1: body (compared as JSON): at `/name`: expected "Ada", sent "Bob""#
        ),
        "{text}"
    );
    assert!(
        text.contains("request 1: header `x-amz-log-type`: expected `Tail`, sent no such header"),
        "{text}"
    );
    let panic = std::panic::catch_unwind(|| replay.assert_requests_match()).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("the requests sent differ from the recorded ones"),
        "{message}"
    );

    let chosen = replay.clone().check_headers(["Content-Type"]);
    let text = chosen.check_requests().unwrap_err().to_string();
    assert!(
        text.contains(
            "header `content-type`: expected no such header, sent `application/octet-stream`"
        ),
        "only the chosen header is compared, in both directions: {text}"
    );
    assert!(!text.contains("x-amz-log-type"), "{text}");
}

#[tokio::test]
async fn a_replay_out_of_responses_fails_the_call_and_the_check() {
    let replay = ReplayClient::new([greet_event(r#"{"name":"Ada"}"#)]);
    let client = replay_client(&replay);
    let call = || {
        client
            .invoke()
            .function_name("greet")
            .qualifier("live")
            .log_type(LogType::Tail)
            .payload(r#"{"name":"Ada"}"#)
            .send()
    };

    call().await.expect("the first call has a recording");
    let err = call().await.unwrap_err();

    let SdkError::Dispatch(failure) = &err else {
        panic!("expected a dispatch error, got {err:?}");
    };
    let cause = std::error::Error::source(failure).unwrap().to_string();
    assert!(err.to_string().contains("the replay client"), "{err}");
    assert!(
        cause.contains("no recorded response is left for request 2")
            && cause.contains("only 1 was recorded"),
        "{cause}"
    );
    let text = replay.check_requests().unwrap_err().to_string();
    assert!(
        text.contains("1 request was recorded, but 2 were sent"),
        "{text}"
    );
}
