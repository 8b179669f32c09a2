//! The `lamina` binary against a Lambda-shaped server on loopback: output and exit codes.

use std::process::{Command, Output, Stdio};

use lamina_e2e::server::{Reply, TestServer};
use serde_json::Value;

fn lamina(server: &TestServer, args: &[&str]) -> Output {
    lamina_at(server.url(), args)
}

fn lamina_at(endpoint: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lamina"))
        .arg("invoke")
        .args(["--region", "us-east-1", "--endpoint-url", endpoint])
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "AKIDCLI")
        .env("AWS_SECRET_ACCESS_KEY", "cli-secret")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .output()
        .expect("the lamina binary runs")
}

fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_successful_call_prints_one_json_object_and_exits_0() {
    let server = TestServer::start(|r| {
        Reply::new(200, r.body.clone())
            .header("X-Amz-Executed-Version", "3")
            .header("X-Amz-Log-Result", "aGVsbG8gbG9n")
            .header("x-amzn-RequestId", "req-cli")
    })
    .await;

    let output = lamina(
        &server,
        &[
            "--function-name",
            "f",
            "--payload",
            r#"{"a":1}"#,
            "--client-context",
            r#"{"c":1}"#,
        ],
    );

    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json = stdout_json(&output);
    assert_eq!(json["StatusCode"], 200);
    assert_eq!(json["ExecutedVersion"], "3");
    assert_eq!(json["LogResult"], "hello log");
    assert_eq!(json["Payload"], serde_json::json!({"a": 1}));
    assert_eq!(json["$metadata"]["requestId"], "req-cli");
    assert_eq!(json["$metadata"]["attempts"], 1);
    let sent = &server.requests()[0];
    assert_eq!(sent.header("x-amz-client-context"), Some("eyJjIjoxfQ=="));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_function_error_exits_3_with_the_error_payload() {
    let server = TestServer::start(|_| {
        Reply::new(200, r#"{"errorMessage":"bad","errorType":"Oops"}"#)
            .header("X-Amz-Function-Error", "Unhandled")
    })
    .await;

    let output = lamina(&server, &["--function-name", "f"]);

    assert_eq!(output.status.code(), Some(3));
    let json = stdout_json(&output);
    assert_eq!(json["FunctionError"], "Unhandled");
    assert_eq!(json["Payload"]["errorType"], "Oops");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_error_exits_1_with_its_fields() {
    let server = TestServer::start(|_| {
        Reply::new(
            429,
            r#"{"Type":"User","message":"slow down","Reason":"CallerRateLimitExceeded"}"#,
        )
        .header("X-Amzn-ErrorType", "TooManyRequestsException")
        .header("Retry-After", "3")
        .header("x-amzn-RequestId", "req-429")
    })
    .await;

    let output = lamina(&server, &["--function-name", "f"]);

    assert_eq!(output.status.code(), Some(1));
    let error = &stdout_json(&output)["error"];
    assert_eq!(error["code"], "TooManyRequestsException");
    assert_eq!(error["message"], "slow down");
    assert_eq!(error["fault"], "client");
    assert_eq!(error["httpStatusCode"], 429);
    assert_eq!(error["requestId"], "req-429");
    assert_eq!(error["Reason"], "CallerRateLimitExceeded");
    assert_eq!(error["retryAfterSeconds"], "3");
    assert!(error["attempts"].as_u64().is_some_and(|n| n >= 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_exits_2_and_sends_nothing() {
    let server = TestServer::start(|_| Reply::new(200, "")).await;

    let bad_context = lamina(
        &server,
        &["--function-name", "f", "--client-context", "{nope"],
    );
    let bad_file = lamina(
        &server,
        &["--function-name", "f", "--payload", "@/no/such/file"],
    );
    let bad_name = lamina(&server, &["--function-name", ""]);
    let no_name = lamina(&server, &[]);
    let bad_type = lamina(
        &server,
        &["--function-name", "f", "--invocation-type", "Bogus"],
    );
    let not_json = lamina(&server, &["--function-name", "f", "--payload", "{oops"]);

    for output in [
        &bad_context,
        &bad_file,
        &bad_name,
        &no_name,
        &bad_type,
        &not_json,
    ] {
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert!(String::from_utf8_lossy(&bad_context.stderr).contains("--client-context"));
    assert!(String::from_utf8_lossy(&bad_name.stderr).contains("FunctionName"));
    assert!(String::from_utf8_lossy(&bad_type.stderr).contains("RequestResponse"));
    assert!(String::from_utf8_lossy(&not_json.stderr).contains("--payload is not JSON"));
    let refused = stdout_json(&bad_name);
    assert_eq!(refused["error"]["fault"], "client");
    assert!(server.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn text_output_shows_status_log_and_pretty_payload() {
    let server = TestServer::start(|_| {
        Reply::new(200, r#"{"ok":true}"#).header("X-Amz-Log-Result", "U1RBUlQ=")
    })
    .await;

    let output = lamina(&server, &["--function-name", "f", "--output", "text"]);

    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("status:   200"), "{text}");
    assert!(text.contains("START"), "{text}");
    assert!(text.contains("\"ok\": true"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_failure_exits_1_and_reports_the_attempts() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let endpoint = format!("http://127.0.0.1:{port}");

    let output = lamina_at(&endpoint, &["--function-name", "f"]);

    assert_eq!(output.status.code(), Some(1));
    let error = &stdout_json(&output)["error"];
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("could not connect"),
        "{error}"
    );
    assert_eq!(error["attempts"], 1);
    assert_eq!(error["fault"], "server");
}
