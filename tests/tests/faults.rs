//! Faults over real sockets: a server in the test process misbehaves on purpose, and every
//! case ends in success or in an error that says what happened, with attempts bounded and no
//! panic. Also the retry quota, the invocation-safe policy and the adaptive mode, seen from
//! the outside.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lamina::config::{Credentials, RetryConfig, RetryMode, RetryPolicy};
use lamina::error::{DispatchKind, SdkError};
use lamina::operation::invoke::{InvokeError, InvokeOutput};
use lamina::{Client, Config, ConfigBuilder};
use lamina_e2e::faulty::{Act, FaultyServer};
use lamina_e2e::server::{Reply, TestServer};

fn client(url: &str, customize: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Client {
    let builder = Config::builder()
        .region("us-east-1")
        .endpoint_url(url)
        .credentials(Credentials::new("AKIDFAULT", "s", None, None, "test"))
        .retry_config(RetryConfig::default().with_initial_backoff(Duration::from_millis(1)));
    Client::from_conf(customize(builder).build())
}

async fn invoke(client: &Client) -> Result<InvokeOutput, SdkError<InvokeError>> {
    client
        .invoke()
        .function_name("f")
        .payload("{}")
        .send()
        .await
}

/// The error's text with every source in its chain.
fn describe(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

fn ok() -> Act {
    let headers = [
        ("x-amzn-requestid", "req-ok"),
        ("x-amz-executed-version", "$LATEST"),
    ];
    Act::respond(200, &headers, r#"{"ok":true}"#)
}

fn dispatch(err: &SdkError<InvokeError>) -> &lamina::error::DispatchFailure {
    match err {
        SdkError::Dispatch(failure) => failure,
        other => panic!("expected a dispatch failure, got {other:?}"),
    }
}

#[tokio::test]
async fn server_errors_then_success_is_one_call_that_reports_its_attempts() {
    let server = FaultyServer::start(|i| match i {
        0 | 1 => vec![Act::respond(
            503,
            &[("x-amzn-errortype", "ServiceException")],
            r#"{"Type":"Service","message":"busy"}"#,
        )],
        _ => vec![ok()],
    })
    .await;

    let output = invoke(&client(server.url(), |c| c)).await.unwrap();

    assert_eq!(output.response_metadata().attempts(), 3);
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn retry_after_is_honoured_up_to_its_cap() {
    let server = FaultyServer::start(|i| match i {
        0 => vec![Act::respond(
            429,
            &[
                ("x-amzn-errortype", "TooManyRequestsException"),
                ("retry-after", "3600"),
            ],
            r#"{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","message":"slow"}"#,
        )],
        _ => vec![ok()],
    })
    .await;
    let retry = RetryConfig::default()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_retry_after(Duration::from_millis(300));

    let output = invoke(&client(server.url(), |c| c.retry_config(retry)))
        .await
        .unwrap();

    assert_eq!(output.response_metadata().attempts(), 2);
    assert_eq!(
        output.response_metadata().retry_delay(),
        Duration::from_millis(300),
        "the server asked for an hour; the cap is 300 ms"
    );
}

#[tokio::test]
async fn a_reset_before_the_headers_is_retried_unless_the_call_is_invocation_safe() {
    let server = FaultyServer::start(|_| vec![Act::Reset]).await;

    let err = invoke(&client(server.url(), |c| c)).await.unwrap_err();

    let failure = dispatch(&err);
    assert_eq!(failure.kind(), DispatchKind::Io);
    assert_eq!(failure.attempts(), 3);
    assert_eq!(server.requests(), 3);
    let text = describe(&err);
    assert!(
        text.contains("connection") && text.contains("after 3 attempts"),
        "{text}"
    );

    let safe = client(server.url(), |c| {
        c.retry_policy(RetryPolicy::InvocationSafe)
    });
    let err = invoke(&safe).await.unwrap_err();
    assert_eq!(dispatch(&err).attempts(), 1, "the function may have run");
    assert_eq!(server.requests(), 4);
}

#[tokio::test]
async fn the_invocation_safe_policy_still_retries_throttles_and_refused_connections() {
    let server = FaultyServer::start(|i| match i {
        0 => vec![Act::respond(
            429,
            &[("x-amzn-errortype", "TooManyRequestsException")],
            r#"{"message":"slow down"}"#,
        )],
        _ => vec![ok()],
    })
    .await;
    let safe = |url: &str| client(url, |c| c.retry_policy(RetryPolicy::InvocationSafe));

    let output = invoke(&safe(server.url())).await.unwrap();
    assert_eq!(output.response_metadata().attempts(), 2);

    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let err = invoke(&safe(&closed)).await.unwrap_err();
    assert_eq!(dispatch(&err).kind(), DispatchKind::Connect);
    assert_eq!(dispatch(&err).attempts(), 3);
}

#[tokio::test]
async fn a_reset_after_the_headers_is_a_dispatch_error() {
    let server = FaultyServer::start(|_| {
        vec![
            Act::head(200, 100),
            Act::Write(b"{\"partial".to_vec()),
            Act::Reset,
        ]
    })
    .await;

    let err = invoke(&client(server.url(), |c| c.max_attempts(1)))
        .await
        .unwrap_err();

    let text = describe(&err);
    assert_eq!(dispatch(&err).kind(), DispatchKind::Io, "{text}");
    assert!(
        text.contains("(status 200) broke off before its body was complete"),
        "{text}"
    );
}

#[tokio::test]
async fn a_body_shorter_than_its_length_is_a_dispatch_error() {
    let server =
        FaultyServer::start(|_| vec![Act::head(200, 100), Act::Write(vec![b'x'; 10])]).await;

    let err = invoke(&client(server.url(), |c| c.max_attempts(2)))
        .await
        .unwrap_err();

    let failure = dispatch(&err);
    let text = describe(&err);
    assert_eq!(failure.kind(), DispatchKind::Io, "{text}");
    assert_eq!(failure.attempts(), 2);
    assert!(
        text.contains("broke off before its body was complete"),
        "{text}"
    );
}

#[tokio::test]
async fn a_stalled_response_ends_at_the_read_timeout_which_the_error_names() {
    let server = FaultyServer::start(|_| vec![Act::Stall(Duration::from_secs(30))]).await;
    let config = |c: ConfigBuilder| c.read_timeout(Duration::from_millis(300)).max_attempts(2);

    let err = invoke(&client(server.url(), config)).await.unwrap_err();

    let failure = dispatch(&err);
    assert_eq!(failure.kind(), DispatchKind::Timeout);
    assert_eq!(failure.attempts(), 2, "a timeout is retried");
    let text = describe(&err);
    assert!(text.contains("within 0.3 s (the read timeout)"), "{text}");
}

#[tokio::test]
async fn a_server_that_drips_a_byte_at_a_time_ends_at_the_attempt_timeout() {
    let mut response = b"HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\n".to_vec();
    response.extend_from_slice(br#"{"ok":true}"#);
    let server =
        FaultyServer::start(move |_| vec![Act::Drip(response.clone(), Duration::from_millis(100))])
            .await;
    let config = |c: ConfigBuilder| {
        c.attempt_timeout(Duration::from_millis(700))
            .max_attempts(1)
    };

    let err = invoke(&client(server.url(), config)).await.unwrap_err();

    let text = describe(&err);
    assert_eq!(dispatch(&err).kind(), DispatchKind::Timeout, "{text}");
    assert!(
        text.contains("within 0.7 s (the attempt timeout)"),
        "{text}"
    );
}

#[tokio::test]
async fn the_operation_timeout_bounds_the_whole_call_with_its_retries() {
    let server = FaultyServer::start(|_| vec![Act::Stall(Duration::from_secs(30))]).await;
    let config = |c: ConfigBuilder| c.operation_timeout(Duration::from_millis(400));

    let err = invoke(&client(server.url(), config)).await.unwrap_err();

    let text = describe(&err);
    assert!(
        text.contains("the Invoke call within 0.4 s (the operation timeout)"),
        "{text}"
    );
}

#[tokio::test]
async fn a_malformed_json_error_body_is_an_error_with_its_status() {
    let server = FaultyServer::start(|_| {
        vec![Act::respond(
            400,
            &[],
            r#"{"Type":"User","message":"unterminat"#,
        )]
    })
    .await;

    let err = invoke(&client(server.url(), |c| c)).await.unwrap_err();

    let meta = err.response_metadata().expect("a response arrived");
    assert_eq!(meta.http_status(), 400);
    assert_eq!(meta.attempts(), 1, "a 400 is not retried");
    let text = err.to_string();
    assert!(
        text.contains("HTTP 400 with a body that is not an AWS error"),
        "{text}"
    );
}

#[tokio::test]
async fn an_invalid_base64_log_tail_is_handed_over_as_it_came() {
    let server = FaultyServer::start(|_| {
        vec![Act::respond(
            200,
            &[("x-amz-log-result", "%%not*base64")],
            "{}",
        )]
    })
    .await;

    let output = invoke(&client(server.url(), |c| c)).await.unwrap();

    assert_eq!(output.log_result(), Some("%%not*base64"));
}

#[tokio::test]
async fn oversized_headers_are_a_dispatch_error() {
    let big = "x".repeat(2 << 20);
    let server =
        FaultyServer::start(move |_| vec![Act::respond(200, &[("x-big", &big)], "{}")]).await;

    let err = invoke(&client(server.url(), |c| c.max_attempts(1)))
        .await
        .unwrap_err();

    let text = describe(&err);
    assert!(matches!(err, SdkError::Dispatch(_)), "{text}");
    assert!(text.contains("too large"), "{text}");
}

/// Open file descriptors, live tokio tasks and resident memory of this process.
fn resources() -> (usize, usize, u64) {
    let fds = std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0);
    let tasks = tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks();
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split(' ')
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    (fds, tasks, pages * 4096)
}

#[tokio::test]
async fn a_thousand_failing_calls_leave_no_sockets_tasks_or_memory_behind() {
    if !std::path::Path::new("/proc/self/fd").exists() {
        println!("skipped: this system has no /proc to count sockets with");
        return;
    }
    let server = FaultyServer::start(|i| match i % 3 {
        0 => vec![Act::Reset],
        1 => vec![Act::respond(500, &[], "<html>oops</html>")],
        _ => vec![Act::head(200, 50), Act::Write(b"{".to_vec())],
    })
    .await;
    let client = client(server.url(), |c| c.max_attempts(1));
    for _ in 0..100 {
        let _ = invoke(&client).await.unwrap_err();
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = resources();

    for _ in 0..1000 {
        let _ = invoke(&client).await.unwrap_err();
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = resources();

    assert!(
        after.0 <= before.0,
        "file descriptors: {before:?} -> {after:?}"
    );
    assert!(after.1 <= before.1, "tasks: {before:?} -> {after:?}");
    assert!(
        after.2 <= before.2 + (4 << 20),
        "memory: {before:?} -> {after:?}"
    );
}

#[tokio::test]
async fn the_retry_quota_runs_out_in_an_outage_and_successes_refill_it() {
    let failing = Arc::new(AtomicBool::new(true));
    let flag = failing.clone();
    let server = TestServer::start(move |_| {
        if flag.load(Ordering::SeqCst) {
            Reply::lambda_error(503, "ServiceException", "down")
        } else {
            Reply::new(200, "{}")
        }
    })
    .await;
    let client = client(server.url(), |c| c);
    let attempts = |err: SdkError<InvokeError>| err.response_metadata().map(|m| m.attempts());

    for call in 0..50 {
        let err = invoke(&client).await.unwrap_err();
        assert_eq!(attempts(err), Some(3), "call {call} may retry twice");
    }
    let err = invoke(&client).await.unwrap_err();
    assert_eq!(attempts(err), Some(1), "500 tokens paid for 100 retries");

    failing.store(false, Ordering::SeqCst);
    for _ in 0..5 {
        invoke(&client).await.unwrap();
    }
    failing.store(true, Ordering::SeqCst);
    let err = invoke(&client).await.unwrap_err();
    assert_eq!(attempts(err), Some(2), "five successes paid for one retry");
}

#[tokio::test]
async fn adaptive_mode_slows_the_client_after_a_throttle() {
    let script = |i| match i {
        0 => vec![Act::respond(
            429,
            &[("x-amzn-errortype", "TooManyRequestsException")],
            r#"{"message":"slow down"}"#,
        )],
        _ => vec![ok()],
    };
    let standard_server = FaultyServer::start(script).await;
    let adaptive_server = FaultyServer::start(script).await;
    let standard = client(standard_server.url(), |c| c.max_attempts(1));
    let adaptive = client(adaptive_server.url(), |c| {
        c.max_attempts(1).retry_mode(RetryMode::Adaptive)
    });

    invoke(&standard).await.unwrap_err();
    invoke(&adaptive).await.unwrap_err();
    let unlimited = invoke(&standard).await.unwrap();
    let limited = invoke(&adaptive).await.unwrap();

    assert_eq!(unlimited.response_metadata().retry_delay(), Duration::ZERO);
    assert!(
        limited.response_metadata().retry_delay() > Duration::ZERO,
        "after a throttle the adaptive client waits for its sending rate"
    );
}
