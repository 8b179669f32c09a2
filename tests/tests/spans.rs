//! Logs a user can follow: one span per operation and one per attempt, carrying the operation
//! name, the attempt number, the HTTP status and the request id.

use lamina::config::Credentials;
use lamina::{Client, Config};
use lamina_e2e::capture::Capture;
use lamina_e2e::server::{Reply, TestServer};

fn client(url: &str) -> Client {
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(url)
        .credentials(Credentials::new("AKIDSPANS", "secret", None, None, "test"))
        .build();
    Client::from_conf(config)
}

#[tokio::test]
async fn each_operation_and_attempt_has_a_span_with_status_and_request_id() {
    let server = TestServer::start(|request| {
        let retried = request.header("amz-sdk-request").unwrap_or_default();
        if retried.starts_with("attempt=1") {
            Reply::lambda_error(503, "ServiceException", "busy")
        } else {
            Reply::new(200, "{}").header("x-amzn-RequestId", "req-span-42")
        }
    })
    .await;
    let buffer = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(buffer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let output = client(server.url())
        .invoke()
        .function_name("traced")
        .send()
        .await
        .unwrap();

    assert_eq!(output.response_metadata().attempts(), 2);
    let log = buffer.text();
    let finished = log
        .lines()
        .find(|l| l.contains("call finished"))
        .unwrap_or_else(|| panic!("no line for the finished call:\n{log}"));
    for field in [
        "operation{service=\"Lambda\" operation=\"Invoke\" attempts=2 status=200",
        "request_id=\"req-span-42\"",
    ] {
        assert!(finished.contains(field), "{field} in {finished}");
    }
    let attempts: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("response received"))
        .collect();
    assert_eq!(attempts.len(), 2, "{log}");
    assert!(attempts[0].contains("attempt{attempt=1"), "{}", attempts[0]);
    assert!(attempts[0].contains("status=503"), "{}", attempts[0]);
    assert!(attempts[1].contains("attempt{attempt=2"), "{}", attempts[1]);
    assert!(
        attempts[1].contains("request_id=\"req-span-42\""),
        "{}",
        attempts[1]
    );
}
