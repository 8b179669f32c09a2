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
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "",
        "without -v nothing is logged"
    );
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
    let injected = lamina(
        &server,
        &["--function-name", "f", "--tenant-id", "t1\r\nx-evil: yes"],
    );

    for output in [
        &bad_context,
        &bad_file,
        &bad_name,
        &no_name,
        &bad_type,
        &not_json,
        &injected,
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
    let injected = String::from_utf8_lossy(&injected.stderr);
    assert!(
        injected.contains("TenantId"),
        "the member is named: {injected}"
    );
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

fn lamina_cmd(server: &TestServer, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lamina"))
        .args(args)
        .args(["--region", "us-east-1", "--endpoint-url", server.url()])
        .env("AWS_ACCESS_KEY_ID", "AKIDCLI")
        .env("AWS_SECRET_ACCESS_KEY", "cli-secret")
        .env("AWS_MAX_ATTEMPTS", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the lamina binary runs")
}

/// ListFunctions in pages of two; the marker names the page.
fn three_pages(request: &lamina_e2e::server::Recorded) -> Reply {
    let marker = request
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("Marker=")))
        .unwrap_or("p0")
        .to_owned();
    let functions: Vec<_> = (0..2)
        .map(|i| serde_json::json!({"FunctionName": format!("{marker}-{i}")}))
        .collect();
    let next = match marker.as_str() {
        "p0" => Some("p1"),
        "p1" => Some("p2"),
        _ => None,
    };
    let mut body = serde_json::json!({"Functions": functions});
    if let Some(next) = next {
        body["NextMarker"] = next.into();
    }
    Reply::new(200, body.to_string())
}

fn names(json: &Value) -> Vec<String> {
    json["Functions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["FunctionName"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn list_commands_merge_every_page() {
    let server = TestServer::start(three_pages).await;

    let output = lamina_cmd(&server, &["list-functions"]);

    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json = stdout_json(&output);
    assert_eq!(
        names(&json),
        ["p0-0", "p0-1", "p1-0", "p1-1", "p2-0", "p2-1"]
    );
    assert!(
        json.get("NextToken").is_none() && json.get("NextMarker").is_none(),
        "{json}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn max_items_and_starting_token_resume_mid_page() {
    let server = TestServer::start(three_pages).await;

    let first = stdout_json(&lamina_cmd(
        &server,
        &["list-functions", "--max-items", "3"],
    ));
    let token = first["NextToken"]
        .as_str()
        .expect("a token to resume from")
        .to_owned();
    let rest = stdout_json(&lamina_cmd(
        &server,
        &["list-functions", "--starting-token", &token],
    ));

    assert_eq!(names(&first), ["p0-0", "p0-1", "p1-0"]);
    assert_eq!(names(&rest), ["p1-1", "p2-0", "p2-1"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn generated_commands_take_json_for_structures_and_report_errors() {
    let server = TestServer::start(|r| {
        if r.path().ends_with("/functions") {
            Reply::new(201, r#"{"FunctionName": "made", "MemorySize": 256}"#)
        } else {
            Reply::lambda_error(404, "ResourceNotFoundException", "Function not found: nope")
        }
    })
    .await;

    let created = lamina_cmd(
        &server,
        &[
            "create-function",
            "--function-name",
            "made",
            "--role",
            "arn:aws:iam::123456789012:role/r",
            "--code",
            r#"{"ZipFile": "UEsFBg=="}"#,
            "--memory-size",
            "256",
            "--architectures",
            r#"["arm64"]"#,
        ],
    );
    let missing = lamina_cmd(&server, &["get-function", "--function-name", "nope"]);
    let bad_json = lamina_cmd(
        &server,
        &[
            "create-function",
            "--function-name",
            "x",
            "--role",
            "r",
            "--code",
            "{oops",
        ],
    );

    assert_eq!(
        created.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert_eq!(stdout_json(&created)["MemorySize"], 256);
    let sent: Value = serde_json::from_slice(&server.requests()[0].body).unwrap();
    assert_eq!(sent["Code"]["ZipFile"], "UEsFBg==");
    assert_eq!(sent["Architectures"], serde_json::json!(["arm64"]));
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        stdout_json(&missing)["error"]["code"],
        "ResourceNotFoundException"
    );
    assert_eq!(bad_json.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_json.stderr).contains("--code must be JSON"));
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_exits_0_once_the_function_is_active() {
    let server = TestServer::start(|_| {
        Reply::new(
            200,
            r#"{"Configuration": {"FunctionName": "f", "State": "Active"}}"#,
        )
    })
    .await;

    let output = lamina_cmd(
        &server,
        &["wait", "function-active-v2", "--function-name", "f"],
    );

    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout_json(&output)["Configuration"]["State"], "Active");
}

#[test]
fn resolve_endpoint_prints_the_url_or_the_rules_error() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_lamina"))
            .arg("resolve-endpoint")
            .args(args)
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .expect("the lamina binary runs")
    };

    let plain = run(&["--region", "eu-west-1"]);
    let fips_dual = run(&[
        "--region",
        "us-gov-west-1",
        "--use-fips",
        "--use-dual-stack",
    ]);
    let refused = run(&[
        "--region",
        "us-east-1",
        "--use-fips",
        "--endpoint-url",
        "http://h:1",
    ]);

    assert_eq!(
        String::from_utf8_lossy(&plain.stdout),
        "https://lambda.eu-west-1.amazonaws.com/\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&fips_dual.stdout),
        "https://lambda-fips.us-gov-west-1.api.aws/\n"
    );
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("FIPS and custom endpoint are not supported"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_and_timeout_flags_win_over_the_environment() {
    let busy = TestServer::start(|_| Reply::lambda_error(503, "ServiceException", "busy")).await;
    let output = lamina(&busy, &["--function-name", "f", "--max-attempts", "3"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        busy.requests().len(),
        3,
        "--max-attempts 3 beats AWS_MAX_ATTEMPTS=1"
    );

    let safe = [
        "--function-name",
        "f",
        "--max-attempts",
        "3",
        "--invocation-safe",
    ];
    lamina(&busy, &safe);
    assert_eq!(
        busy.requests().len(),
        4,
        "--invocation-safe does not retry a 503"
    );

    let stalled = lamina_e2e::faulty::FaultyServer::start(|_| {
        vec![lamina_e2e::faulty::Act::Stall(
            std::time::Duration::from_secs(30),
        )]
    })
    .await;
    let output = lamina_at(
        stalled.url(),
        &[
            "--function-name",
            "f",
            "--read-timeout",
            "0.3",
            "--retry-mode",
            "adaptive",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let error = stdout_json(&output)["error"]["message"].to_string();
    assert!(error.contains("0.3 s (the read timeout)"), "{error}");
}

#[test]
fn bad_retry_and_timeout_flags_exit_2_naming_the_flag() {
    for (flag, value) in [
        ("--connect-timeout", "0"),
        ("--read-timeout", "soon"),
        ("--max-attempts", "0"),
        ("--retry-mode", "eager"),
    ] {
        let output = lamina_at("http://127.0.0.1:9", &["--function-name", "f", flag, value]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}: {stderr}");
        assert!(stderr.contains(flag), "{flag} {value}: {stderr}");
    }
}

/// The `Signature=` values of the requests `server` received.
fn signatures(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter_map(|r| r.header("authorization")?.split_once("Signature="))
        .map(|(_, signature)| signature.to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn trace_output_shows_no_secret() {
    let secret_key = "CliSecretKey+Do-Not-Log/4e1f";
    let session_token = "CliSessionToken-Do-Not-Log-9a7b";
    let payload_marker = "CLI-PAYLOAD-MARKER-5500";
    let payload = format!(r#"{{"card":"{payload_marker}"}}"#);
    let context_marker = "CLI-CONTEXT-MARKER-77aa";
    let context = format!(r#"{{"custom":{{"who":"{context_marker}"}}}}"#);
    let run = |server: &TestServer, attempts: &str| {
        Command::new(env!("CARGO_BIN_EXE_lamina"))
            .args(["-vv", "invoke", "--region", "us-east-1"])
            .args(["--endpoint-url", server.url(), "--function-name", "pay"])
            .args(["--payload", &payload, "--client-context", &context])
            .args(["--max-attempts", attempts])
            .env("AWS_ACCESS_KEY_ID", "AKIDCLISECRETS")
            .env("AWS_SECRET_ACCESS_KEY", secret_key)
            .env("AWS_SESSION_TOKEN", session_token)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .output()
            .expect("the lamina binary runs")
    };

    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = calls.clone();
    let flaky = TestServer::start(move |_| {
        if count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            Reply::lambda_error(503, "ServiceException", "try again")
        } else {
            Reply::new(200, r#"{"ok":true}"#).header("x-amzn-RequestId", "req-cli-ok")
        }
    })
    .await;
    let succeeded = run(&flaky, "3");
    assert_eq!(succeeded.status.code(), Some(0), "{succeeded:?}");
    let throttling = TestServer::start(|_| {
        Reply::lambda_error(429, "TooManyRequestsException", "Rate exceeded")
    })
    .await;
    let throttled = run(&throttling, "2");
    assert_eq!(throttled.status.code(), Some(1), "{throttled:?}");

    let mut hidden = vec![
        secret_key.to_owned(),
        session_token.to_owned(),
        payload_marker.to_owned(),
        base64_of(&payload),
        context_marker.to_owned(),
        base64_of(&context),
    ];
    let signed = [signatures(&flaky), signatures(&throttling)].concat();
    assert_eq!(signed.len(), 4, "every attempt was signed");
    hidden.extend(signed);
    for output in [&succeeded, &throttled] {
        let stderr = String::from_utf8_lossy(&output.stderr);
        for marker in ["operation=\"Invoke\"", "attempt=2", "call finished"] {
            assert!(
                stderr.contains(marker),
                "stderr lacks {marker:?}:\n{stderr}"
            );
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        for secret in &hidden {
            assert!(
                !stderr.contains(secret.as_str()),
                "stderr shows {secret}:\n{stderr}"
            );
            assert!(
                !stdout.contains(secret.as_str()),
                "stdout shows {secret}:\n{stdout}"
            );
        }
    }
}

fn base64_of(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[tokio::test(flavor = "multi_thread")]
async fn outfile_gets_a_binary_payload_byte_for_byte() {
    let bytes: Vec<u8> = vec![0, 159, 146, 150, 255, b'\n', 0];
    let body = bytes.clone();
    let server = TestServer::start(move |_| Reply::new(200, body.clone())).await;
    let dir = std::env::temp_dir().join(format!("lamina-outfile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("result.bin");
    let path_arg = path.display().to_string();

    let output = lamina(&server, &["--function-name", "f", "--outfile", &path_arg]);

    assert_eq!(output.status.code(), Some(0));
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    let json = stdout_json(&output);
    assert_eq!(
        json.get("Payload"),
        None,
        "the payload went to the file: {json}"
    );
    assert_eq!(json["Outfile"]["bytes"], bytes.len());
    assert_eq!(json["Outfile"]["path"], path_arg);

    let text = lamina(
        &server,
        &[
            "--function-name",
            "f",
            "--outfile",
            &path_arg,
            "--output",
            "text",
        ],
    );
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains(&format!("7 bytes written to {path_arg}")),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn text_output_summarizes_the_report_line() {
    let log = "START RequestId: r1\nhi\nEND RequestId: r1\nREPORT RequestId: r1\t\
               Duration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\t\
               Max Memory Used: 41 MB\tInit Duration: 150.00 ms\t\n";
    let encoded = base64_of(log);
    let server = TestServer::start(move |_| {
        Reply::new(200, r#"{"ok":true}"#).header("X-Amz-Log-Result", &encoded)
    })
    .await;

    let output = lamina(&server, &["--function-name", "f", "--output", "text"]);

    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("billed:   13 ms (12.34 ms run, cold start 150.0 ms), 41 of 128 MB used"),
        "{text}"
    );
    assert!(text.contains("END RequestId: r1"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_spinner_is_drawn_when_standard_error_is_not_a_terminal() {
    let server = lamina_e2e::faulty::FaultyServer::start(|_| {
        vec![
            lamina_e2e::faulty::Act::Stall(std::time::Duration::from_millis(1500)),
            lamina_e2e::faulty::Act::respond(200, &[], r#"{"slow":true}"#),
        ]
    })
    .await;

    let output = lamina_at(server.url(), &["--function-name", "f"]);

    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(stdout_json(&output)["Payload"]["slow"], true);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("waiting for"), "{stderr}");
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef lamina"),
        ("fish", "complete -c lamina"),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_lamina"))
            .args(["completions", shell])
            .output()
            .unwrap();

        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(script.contains(marker), "{shell}: {script:.300}");
        assert!(
            script.contains("list-functions"),
            "{shell} completes subcommands"
        );
        assert!(script.contains("function-name"), "{shell} completes flags");
    }

    let bad = Command::new(env!("CARGO_BIN_EXE_lamina"))
        .args(["completions", "cmd.exe"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn every_subcommand_has_examples_in_its_help() {
    let help = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_lamina"))
            .args(args)
            .arg("--help")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let top = help(&[]);
    let commands: Vec<&str> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() > 30, "{top}");

    for command in commands {
        let text = help(&[command]);
        assert!(
            text.contains("Examples"),
            "lamina {command} --help:\n{text}"
        );
        assert!(
            !text.starts_with("The flags of"),
            "lamina {command} --help starts with what the command does:\n{text}"
        );
    }
    let wait = help(&["wait", "function-active-v2"]);
    assert!(
        wait.contains("lamina wait function-active-v2 --function-name FUNCTION_NAME"),
        "{wait}"
    );
    let list = help(&["list-functions"]);
    assert!(
        list.contains("lamina list-functions --max-items 10"),
        "{list}"
    );
}

/// A streamed answer: `pieces` as payload chunks, then a completion event with `complete`.
fn streamed(pieces: &[&[u8]], complete: &str) -> Vec<u8> {
    use lamina::runtime::event_stream::frame::{encode, HeaderValue};
    let frame = |event: &str, payload: &[u8]| {
        encode(
            &[
                (":message-type", HeaderValue::from("event")),
                (":event-type", HeaderValue::from(event)),
            ],
            payload,
        )
    };
    let mut body = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    let frames = pieces
        .iter()
        .map(|p| frame("PayloadChunk", p))
        .chain([frame("InvokeComplete", complete.as_bytes())]);
    for f in frames {
        body.extend(format!("{:x}\r\n", f.len()).into_bytes());
        body.extend(f);
        body.extend(b"\r\n");
    }
    body.extend(b"0\r\n\r\n");
    body
}

fn lamina_stream(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lamina"))
        .arg("invoke-with-response-stream")
        .args(["--region", "us-east-1", "--endpoint-url", url])
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "AKIDCLI")
        .env("AWS_SECRET_ACCESS_KEY", "cli-secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::null())
        .output()
        .expect("the lamina binary runs")
}

#[tokio::test(flavor = "multi_thread")]
async fn invoke_with_response_stream_writes_the_chunks_to_standard_output() {
    use lamina_e2e::faulty::{Act, FaultyServer};
    let log = base64_of("START RequestId: s1\nEND RequestId: s1\n");
    let complete = format!(r#"{{"LogResult":"{log}"}}"#);
    let body = streamed(&[b"Hello, ", &[0, 255], b"world\n"], &complete);
    let server = FaultyServer::start(move |_| vec![Act::Write(body.clone())]).await;

    let output = lamina_stream(
        server.url(),
        &["--function-name", "s", "--log-type", "Tail"],
    );

    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert_eq!(output.stdout, b"Hello, \x00\xffworld\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("END RequestId: s1"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_streamed_function_error_exits_3_with_the_error_on_standard_error() {
    use lamina_e2e::faulty::{Act, FaultyServer};
    let complete = r#"{"ErrorCode":"Unhandled","ErrorDetails":"{\"errorMessage\":\"boom\"}"}"#;
    let body = streamed(&[b"partial"], complete);
    let server = FaultyServer::start(move |_| vec![Act::Write(body.clone())]).await;

    let output = lamina_stream(server.url(), &["--function-name", "s"]);

    assert_eq!(output.status.code(), Some(3), "{output:?}");
    assert_eq!(output.stdout, b"partial");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the function failed with Unhandled: {\"errorMessage\":\"boom\"}"),
        "{stderr}"
    );
}
