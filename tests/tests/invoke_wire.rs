//! Invoke's own semantics, over a real loopback socket, against a server inside the test
//! process that answers as Lambda does: what goes on the wire, and how every kind of answer
//! is typed.

use std::time::Duration;

use lamina::config::{Credentials, RetryConfig};
use lamina::error::{ConstructionFailure, Fault, SdkError};
use lamina::middleware::{map_request, Step};
use lamina::operation::invoke::InvokeError;
use lamina::types::{InvocationType, LogType, ThrottleReason};
use lamina::{Client, Config};
use lamina_e2e::server::{Recorded, Reply, TestServer};

fn client(server: &TestServer) -> Client {
    client_with(server, |c| c)
}

fn client_with(
    server: &TestServer,
    customize: impl FnOnce(lamina::ConfigBuilder) -> lamina::ConfigBuilder,
) -> Client {
    let builder = Config::builder()
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials(Credentials::new(
            "AKIDWIRE",
            "wire-secret",
            Some("session-token".into()),
            None,
            "test",
        ))
        .retry_config(RetryConfig::default().with_initial_backoff(Duration::from_millis(1)));
    Client::from_conf(customize(builder).build())
}

fn echo(request: &Recorded) -> Reply {
    Reply::new(200, request.body.clone())
        .header("Content-Type", "application/json")
        .header("X-Amz-Executed-Version", "$LATEST")
        .header("x-amzn-RequestId", "req-echo")
}

#[tokio::test]
async fn the_request_carries_every_member_where_the_model_puts_it() {
    let server = TestServer::start(echo).await;

    let output = client(&server)
        .invoke()
        .function_name("my-function")
        .invocation_type(InvocationType::RequestResponse)
        .log_type(LogType::Tail)
        .qualifier("$LATEST")
        .client_context("eyJjdXN0b20iOnt9fQ==")
        .tenant_id("tenant-1")
        .durable_execution_name("run-1")
        .payload(r#"{"n":1}"#)
        .send()
        .await
        .expect("the echo server answers 200");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path(), "/2015-03-31/functions/my-function/invocations");
    assert_eq!(r.query(), Some("Qualifier=%24LATEST"));
    assert_eq!(r.header("x-amz-invocation-type"), Some("RequestResponse"));
    assert_eq!(r.header("x-amz-log-type"), Some("Tail"));
    assert_eq!(
        r.header("x-amz-client-context"),
        Some("eyJjdXN0b20iOnt9fQ==")
    );
    assert_eq!(r.header("x-amz-tenant-id"), Some("tenant-1"));
    assert_eq!(r.header("x-amz-durable-execution-name"), Some("run-1"));
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    assert_eq!(r.header("content-length"), Some("7"));
    assert_eq!(r.body, br#"{"n":1}"#);

    let auth = r.header("authorization").expect("the request is signed");
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDWIRE/"),
        "{auth}"
    );
    assert!(auth.contains("/us-east-1/lambda/aws4_request"), "{auth}");
    for signed in [
        "content-length",
        "content-type",
        "host",
        "x-amz-date",
        "x-amz-security-token",
    ] {
        assert!(auth.contains(signed), "{signed} is not signed: {auth}");
    }
    assert_eq!(r.header("x-amz-security-token"), Some("session-token"));
    assert_eq!(r.header("x-amz-content-sha256").map(str::len), Some(64));
    assert!(r
        .header("user-agent")
        .is_some_and(|ua| ua.starts_with("lamina/")));
    assert!(r
        .header("x-amz-user-agent")
        .is_some_and(|ua| ua.contains("api/lambda#2015-03-31")));
    assert_eq!(r.header("amz-sdk-request"), Some("attempt=1; max=3"));
    assert_eq!(r.header("amz-sdk-invocation-id").map(str::len), Some(36));

    assert_eq!(output.status_code(), 200);
    assert_eq!(output.executed_version(), Some("$LATEST"));
    assert_eq!(output.payload().map(|p| &p[..]), Some(&br#"{"n":1}"#[..]));
    assert_eq!(output.response_metadata().request_id(), Some("req-echo"));
    assert_eq!(output.response_metadata().attempts(), 1);
}

#[tokio::test]
async fn hostile_function_names_stay_inside_their_path_segment() {
    let server = TestServer::start(echo).await;
    let client = client(&server);
    let cases = [
        (
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af",
        ),
        ("a/../../admin", "a%2F..%2F..%2Fadmin"),
        ("f?Qualifier=evil#x", "f%3FQualifier%3Devil%23x"),
        ("with space", "with%20space"),
        ("ünï", "%C3%BCn%C3%AF"),
    ];

    for (name, _) in cases {
        let mut call = client.invoke().function_name(name);
        call = call.customize_stack(|stack| stack.remove("validateInput"));
        call.send().await.expect("the echo server answers");
    }

    let paths: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    for ((name, encoded), target) in cases.iter().zip(&paths) {
        assert_eq!(
            target,
            &format!("/2015-03-31/functions/{encoded}/invocations"),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_function_error_is_a_successful_call_with_the_error_in_the_payload() {
    let server = TestServer::start(|_| {
        Reply::new(
            200,
            r#"{"errorMessage":"boom","errorType":"ValueError","stackTrace":[]}"#,
        )
        .header("X-Amz-Function-Error", "Unhandled")
        .header("X-Amz-Log-Result", "U1RBUlQgUmVxdWVzdElkOiAxCkVORA==")
        .header("X-Amz-Executed-Version", "7")
    })
    .await;

    let output = client(&server)
        .invoke()
        .function_name("f")
        .log_type(LogType::Tail)
        .send()
        .await
        .expect("function errors are not call errors");

    assert_eq!(output.function_error(), Some("Unhandled"));
    assert_eq!(
        output.log_result(),
        Some("U1RBUlQgUmVxdWVzdElkOiAxCkVORA==")
    );
    assert_eq!(output.executed_version(), Some("7"));
    let payload: serde_json::Value = serde_json::from_slice(output.payload().unwrap()).unwrap();
    assert_eq!(payload["errorType"], "ValueError");
}

#[tokio::test]
async fn event_and_dry_run_answers_have_their_status_and_no_payload() {
    let server = TestServer::start(|r| match r.header("x-amz-invocation-type") {
        Some("Event") => Reply::new(202, ""),
        Some("DryRun") => Reply::new(204, ""),
        _ => Reply::new(500, ""),
    })
    .await;
    let client = client(&server);

    let event = client
        .invoke()
        .function_name("f")
        .invocation_type("Event")
        .send()
        .await
        .unwrap();
    assert_eq!((event.status_code(), event.payload()), (202, None));

    let dry = client
        .invoke()
        .function_name("f")
        .invocation_type(InvocationType::DryRun)
        .send()
        .await
        .unwrap();
    assert_eq!((dry.status_code(), dry.payload()), (204, None));
}

#[tokio::test]
async fn a_modelled_error_code_in_the_header_becomes_its_variant() {
    let server = TestServer::start(|_| {
        Reply::lambda_error(
            404,
            "ResourceNotFoundException:http://internal.amazon.com/",
            "Function not found: f",
        )
    })
    .await;

    let err = client(&server)
        .invoke()
        .function_name("f")
        .send()
        .await
        .unwrap_err();

    let service = err.as_service_error().expect("a service error");
    let InvokeError::ResourceNotFoundException(e) = service else {
        panic!("expected ResourceNotFoundException, got {service:?}");
    };
    assert_eq!(e.message(), Some("Function not found: f"));
    assert_eq!(e.r#type(), Some("User"));
    assert!(service.is_resource_not_found_exception());
    assert_eq!(service.code(), Some("ResourceNotFoundException"));
    assert_eq!(service.fault(), Fault::Client);
    assert_eq!(service.modeled_http_status(), Some(404));
    assert_eq!(
        err.request_id(),
        Some("11111111-2222-3333-4444-555555555555")
    );
    assert_eq!(
        err.to_string(),
        "ResourceNotFoundException: Function not found: f \
         (request id: 11111111-2222-3333-4444-555555555555)"
    );
    assert_eq!(server.requests().len(), 1, "a client fault is not retried");
}

#[tokio::test]
async fn a_code_in_the_body_is_read_with_its_namespace_removed() {
    let server = TestServer::start(|_| {
        let body = serde_json::json!({
            "__type": "com.amazonaws.lambda#EC2UnexpectedException",
            "Message": "eni",
            "EC2ErrorCode": "E1",
        })
        .to_string();
        Reply::new(400, body).header("Content-Type", "application/json")
    })
    .await;

    let err = client(&server)
        .invoke()
        .function_name("f")
        .send()
        .await
        .unwrap_err();

    match err.into_service_error() {
        Some(InvokeError::Ec2UnexpectedException(e)) => {
            assert_eq!(e.ec2_error_code(), Some("E1"));
            assert_eq!(e.message(), Some("eni"));
            assert_eq!(lamina::error::Ec2UnexpectedException::FAULT, Fault::Server);
        }
        other => panic!("expected EC2UnexpectedException, got {other:?}"),
    }
}

#[tokio::test]
async fn a_throttle_carries_its_reason_and_retry_after_and_is_retried() {
    let server = TestServer::start(|_| {
        let body = serde_json::json!({
            "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
            "Type": "User",
            "message": "Rate exceeded",
        })
        .to_string();
        Reply::new(429, body)
            .header("X-Amzn-ErrorType", "TooManyRequestsException")
            .header("Retry-After", "0")
    })
    .await;
    let client = client_with(&server, |c| {
        c.retry_config(
            RetryConfig::default()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1)),
        )
    });

    let err = client.invoke().function_name("f").send().await.unwrap_err();

    let Some(InvokeError::TooManyRequestsException(e)) = err.as_service_error() else {
        panic!("expected TooManyRequestsException, got {err:?}");
    };
    assert_eq!(
        e.reason(),
        Some(&ThrottleReason::ReservedFunctionConcurrentInvocationLimitExceeded)
    );
    assert_eq!(e.retry_after_seconds(), Some("0"));
    assert_eq!(err.response_metadata().map(|m| m.attempts()), Some(3));

    let attempts: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("amz-sdk-request").unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        attempts,
        ["attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3"]
    );
    let ids: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| r.header("amz-sdk-invocation-id").map(str::to_owned))
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "one invocation id for every attempt"
    );
}

#[tokio::test]
async fn a_transient_server_error_then_success_is_one_successful_call() {
    let server = TestServer::start({
        let calls = std::sync::atomic::AtomicU32::new(0);
        move |r| {
            if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                Reply::lambda_error(500, "ServiceException", "try again")
            } else {
                echo(r)
            }
        }
    })
    .await;

    let output = client(&server)
        .invoke()
        .function_name("f")
        .payload("x")
        .send()
        .await
        .unwrap();

    assert_eq!(output.response_metadata().attempts(), 2);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_unknown_code_is_unhandled_but_keeps_its_code_and_message() {
    let server =
        TestServer::start(|_| Reply::lambda_error(400, "BrandNewException", "new in 2027")).await;

    let err = client(&server)
        .invoke()
        .function_name("f")
        .send()
        .await
        .unwrap_err();

    let service = err.as_service_error().unwrap();
    assert!(matches!(service, InvokeError::Unhandled(_)), "{service:?}");
    assert_eq!(service.code(), Some("BrandNewException"));
    assert_eq!(service.message(), Some("new in 2027"));
    assert_eq!(service.fault(), Fault::Client);
}

#[tokio::test]
async fn an_html_page_from_a_proxy_is_an_error_that_says_what_arrived() {
    let server = TestServer::start(|_| {
        Reply::new(502, "<html><body>Bad Gateway</body></html>").header("Content-Type", "text/html")
    })
    .await;
    let client = client_with(&server, |c| c.max_attempts(1));

    let err = client.invoke().function_name("f").send().await.unwrap_err();

    let service = err.as_service_error().unwrap();
    assert!(matches!(service, InvokeError::Unhandled(_)));
    assert_eq!(service.code(), None);
    assert_eq!(service.fault(), Fault::Server);
    let message = service.message().unwrap();
    assert!(
        message.contains("HTTP 502") && message.contains("text/html"),
        "{message}"
    );
}

#[tokio::test]
async fn bad_input_is_refused_by_name_and_nothing_is_sent() {
    let server = TestServer::start(echo).await;
    let client = client(&server);

    let missing = client.invoke().payload("{}").send().await.unwrap_err();
    let too_long = client
        .invoke()
        .function_name("f".repeat(300))
        .send()
        .await
        .unwrap_err();
    let header_injection = client
        .invoke()
        .function_name("f")
        .client_context("e30=\r\nX-Injected: 1")
        .send()
        .await
        .unwrap_err();

    for (err, field) in [
        (missing, "FunctionName"),
        (too_long, "FunctionName"),
        (header_injection, "ClientContext"),
    ] {
        let SdkError::Construction(e) = &err else {
            panic!("expected a construction error, got {err:?}");
        };
        assert_eq!(e.field(), Some(field), "{e}");
        assert!(e.to_string().contains("nothing was sent"), "{e}");
    }
    assert!(server.requests().is_empty(), "nothing reached the server");
}

#[tokio::test]
async fn a_middleware_that_refuses_the_request_stops_the_call_before_anything_is_sent() {
    let server = TestServer::start(echo).await;
    let client = client_with(&server, |c| {
        c.customize_stack(|stack| {
            stack.add_after(
                "contentLength",
                "requireTrace",
                map_request(|req| match req.headers().get("x-trace-id") {
                    Some(_) => Ok(()),
                    None => Err(SdkError::Construction(ConstructionFailure::invalid_field(
                        "x-trace-id",
                        "must be set on every call",
                    ))),
                }),
            )
        })
    });

    let err = client.invoke().function_name("f").send().await.unwrap_err();

    let SdkError::Construction(e) = &err else {
        panic!("expected a construction error, got {err:?}");
    };
    assert_eq!(e.field(), Some("x-trace-id"), "{e}");
    assert!(e.to_string().contains("must be set on every call"), "{e}");
    assert!(server.requests().is_empty(), "nothing reached the server");
}

#[tokio::test]
async fn a_middleware_added_by_the_user_is_seen_on_the_wire() {
    let server = TestServer::start(echo).await;
    let client = client_with(&server, |c| {
        c.customize_stack(|stack| {
            stack.add_after(
                "userAgent",
                "traceHeader",
                map_request(|req| {
                    req.headers_mut()
                        .insert("x-trace-id", "trace-42".parse().unwrap());
                    Ok(())
                }),
            )
        })
    });

    client.invoke().function_name("f").send().await.unwrap();

    let call = client.invoke().function_name("f");
    let order = call.middleware_stack().unwrap().identify();
    assert_eq!(
        order,
        [
            "validateInput - initialize",
            "invokePayloadLimit - initialize",
            "serializeInput - serialize",
            "resolveEndpoint - serialize",
            "userAgent - build",
            "traceHeader - build",
            "invocationId - build",
            "contentLength - build",
            "retry - finalize",
            "sign - finalize",
            "deserializeOutput - deserialize",
        ]
    );
    let request = &server.requests()[0];
    assert_eq!(request.header("x-trace-id"), Some("trace-42"));
    let auth = request.header("authorization").unwrap();
    assert!(
        auth.contains("x-trace-id"),
        "a header added in the build step is signed: {auth}"
    );
}

#[tokio::test]
async fn removing_a_middleware_for_one_call_changes_what_is_sent() {
    let server = TestServer::start(echo).await;
    let client = client(&server);

    client
        .invoke()
        .function_name("f")
        .customize_stack(|stack| stack.remove("userAgent"))
        .send()
        .await
        .unwrap();
    client.invoke().function_name("f").send().await.unwrap();

    let requests = server.requests();
    assert_eq!(requests[0].header("x-amz-user-agent"), None);
    assert!(
        requests[1].header("x-amz-user-agent").is_some(),
        "other calls keep it"
    );
}

#[tokio::test]
async fn stack_edits_that_cannot_apply_are_clear_errors_and_send_nothing() {
    let server = TestServer::start(echo).await;
    let client = client(&server);

    let duplicate = client
        .invoke()
        .function_name("f")
        .customize_stack(|stack| stack.add(Step::Build, "sign", map_request(|_| Ok(()))))
        .send()
        .await
        .unwrap_err();
    let missing = client
        .invoke()
        .function_name("f")
        .customize_stack(|stack| stack.add_before("noSuchStep", "x", map_request(|_| Ok(()))))
        .send()
        .await
        .unwrap_err();

    let source = |e: &SdkError<InvokeError>| {
        std::error::Error::source(e)
            .map(ToString::to_string)
            .unwrap_or_default()
    };
    assert!(
        source(&duplicate).contains("`sign` is already in the stack"),
        "{}",
        source(&duplicate)
    );
    assert!(
        source(&missing).contains("next to `noSuchStep`"),
        "{}",
        source(&missing)
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn debug_output_never_shows_the_payload_or_the_secret() {
    let server = TestServer::start(echo).await;
    let client = client(&server);

    let output = client
        .invoke()
        .function_name("f")
        .payload("top-secret-payload")
        .send()
        .await
        .unwrap();
    let input = lamina::operation::invoke::InvokeInput::builder()
        .function_name("f")
        .payload("top-secret-payload")
        .build()
        .unwrap();
    let builder = lamina::operation::invoke::InvokeInput::builder().payload("top-secret-payload");

    for shown in [
        format!("{output:?}"),
        format!("{input:?}"),
        format!("{builder:?}"),
        format!("{:?}", client.config()),
    ] {
        assert!(!shown.contains("top-secret-payload"), "{shown}");
        assert!(!shown.contains("wire-secret"), "{shown}");
    }
}

#[tokio::test]
async fn a_refused_connection_is_a_dispatch_error_that_names_the_endpoint() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(format!("http://127.0.0.1:{port}"))
        .credentials(Credentials::new("A", "B", None, None, "test"))
        .retry_config(RetryConfig::default().with_initial_backoff(Duration::from_millis(1)))
        .build();

    let err = Client::from_conf(config)
        .invoke()
        .function_name("f")
        .send()
        .await
        .unwrap_err();

    let SdkError::Dispatch(e) = &err else {
        panic!("expected a dispatch error, got {err:?}");
    };
    assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");
    assert!(
        std::error::Error::source(e).is_some(),
        "the cause is chained"
    );
}
