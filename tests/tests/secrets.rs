//! Secrets stay secret: with a subscriber at TRACE for every target, whole calls (successful,
//! failing, retried, unreachable) log nothing of the secret key, the session token, the
//! signatures, or the members the model marks sensitive; and the `Debug` and `Display` of the
//! configuration, credentials, inputs, outputs and errors show none of them either.
//!
//! The subscriber is the process-wide one, as a library user would install it, so events from
//! tasks on any thread (reqwest's, hyper's) and `log` records are captured too. That is why
//! every call runs in the one test function that installs it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use lamina::config::{Credentials, RetryConfig};
use lamina::error::SdkError;
use lamina::middleware::map_request;
use lamina::operation::invoke::{InvokeError, InvokeInput};
use lamina::runtime::credentials::DefaultChain;
use lamina::runtime::profile::ProfileSet;
use lamina::types::{InvocationType, LogType};
use lamina::{Client, Config, FunctionError, InvokeJsonError};
use lamina_e2e::capture::Capture;
use lamina_e2e::server::{Recorded, Reply, TestServer};
use tracing_subscriber::fmt::format::FmtSpan;

const ACCESS_KEY_ID: &str = "AKIDSECRETSTEST";
const SECRET_KEY: &str = "SecretKey+Lamina/Do-Not-Log-7f3a9c";
const SESSION_TOKEN: &str = "SessionToken-Lamina-Do-Not-Log-51e0d2";
/// In the request payload; the payload is sensitive in the model.
const PAYLOAD_MARKER: &str = "PAYLOAD-MARKER-4111-1111-1111-1111";
/// In the payloads the function answers with; the output payload is sensitive too.
const ANSWER_MARKER: &str = "ANSWER-MARKER-9c41ab";
/// Inside the ClientContext.
const CLIENT_CONTEXT_MARKER: &str = "CLIENT-CONTEXT-MARKER-d00d";
/// An environment variable's value in GetFunction's answer; environment values are
/// sensitive in the model.
const ENV_MARKER: &str = "ENV-VALUE-MARKER-b4d5e6";

fn payload() -> String {
    format!(r#"{{"card":"{PAYLOAD_MARKER}"}}"#)
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn client_context() -> String {
    b64(&format!(
        r#"{{"custom":{{"who":"{CLIENT_CONTEXT_MARKER}"}}}}"#
    ))
}

/// Everything no log line, `Debug` or `Display` may contain.
fn secrets() -> Vec<(&'static str, String)> {
    vec![
        ("the secret key", SECRET_KEY.to_owned()),
        ("the session token", SESSION_TOKEN.to_owned()),
        ("the payload", PAYLOAD_MARKER.to_owned()),
        ("the payload in base64", b64(&payload())),
        ("the answer payload", ANSWER_MARKER.to_owned()),
        ("an environment variable's value", ENV_MARKER.to_owned()),
    ]
}

/// The ClientContext, which the model does not mark sensitive, still stays out of the logs.
fn client_context_values() -> Vec<(&'static str, String)> {
    vec![
        ("the ClientContext", client_context()),
        (
            "the ClientContext's content",
            CLIENT_CONTEXT_MARKER.to_owned(),
        ),
    ]
}

fn assert_hidden(what: &str, text: &str, secrets: &[(&'static str, String)]) {
    for (name, secret) in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{what} shows {name} ({secret}):\n{text}"
        );
    }
}

/// The `Signature=` value of an `Authorization` header.
fn signature_of(authorization: &str) -> Option<String> {
    let (_, rest) = authorization.split_once("Signature=")?;
    Some(rest.split(',').next().unwrap_or(rest).trim().to_owned())
}

/// A configuration with the secret credentials, quick retries, and a middleware after
/// signing that keeps each attempt's signature and, as a user's own middleware might, logs
/// the signed `Authorization` header at TRACE.
fn config(endpoint: &str, signatures: &Arc<Mutex<Vec<String>>>) -> Config {
    let kept = signatures.clone();
    Config::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(credentials())
        .retry_config(RetryConfig::default().with_initial_backoff(Duration::from_millis(1)))
        .customize_stack(move |stack| {
            let kept = kept.clone();
            let record = map_request(move |request| {
                let authorization = request.headers().get("authorization");
                tracing::trace!(target: "user_middleware", ?authorization, "signed");
                let signature = authorization
                    .and_then(|v| v.to_str().ok())
                    .and_then(signature_of);
                if let (Some(signature), Ok(mut all)) = (signature, kept.lock()) {
                    all.push(signature);
                }
                Ok(())
            });
            stack.add_after("sign", "recordSignature", record)
        })
        .build()
}

fn client(endpoint: &str, signatures: &Arc<Mutex<Vec<String>>>) -> Client {
    Client::from_conf(config(endpoint, signatures))
}

fn credentials() -> Credentials {
    Credentials::new(
        ACCESS_KEY_ID,
        SECRET_KEY,
        Some(SESSION_TOKEN.to_owned()),
        None,
        "secrets-test",
    )
}

fn invoke_answer(_: &Recorded) -> Reply {
    let tail = "START RequestId: r-1\nprocessing\nEND RequestId: r-1\n\
                REPORT RequestId: r-1\tDuration: 1.00 ms\tBilled Duration: 1 ms\n";
    Reply::new(200, format!(r#"{{"receipt":"{ANSWER_MARKER}"}}"#))
        .header("Content-Type", "application/json")
        .header("X-Amz-Executed-Version", "$LATEST")
        .header("X-Amz-Log-Result", &b64(tail))
        .header("x-amzn-RequestId", "req-secrets-ok")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_calls_at_trace_log_no_secret() {
    let capture = Capture::default();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
        .with_writer(capture.clone())
        .try_init()
        .expect("no other subscriber is installed in this test binary");

    let signatures = Arc::new(Mutex::new(Vec::new()));
    let mut shown = Vec::new();
    let mut servers = Vec::new();

    // No ClientContext here: the model does not mark it sensitive, so the input's `Debug`
    // shows it, as the official SDK's does. The logs must not show it all the same.
    let input = InvokeInput::builder()
        .function_name("pay")
        .payload(payload())
        .build()
        .expect("the input is valid");
    shown.push(("the input", format!("{input:?}")));
    shown.push(("the credentials", format!("{:?}", credentials())));
    let config = config("http://127.0.0.1:9", &signatures);
    shown.push(("the config", format!("{config:?}")));
    shown.push((
        "the credentials provider",
        format!("{:?}", config.credentials_provider()),
    ));

    // A successful RequestResponse call with a log tail.
    let server = TestServer::start(invoke_answer).await;
    let output = client(server.url(), &signatures)
        .invoke()
        .function_name("pay")
        .invocation_type(InvocationType::RequestResponse)
        .log_type(LogType::Tail)
        .client_context(client_context())
        .payload(payload())
        .send()
        .await
        .expect("the call succeeds");
    assert!(output.log_result().is_some());
    shown.push(("the output", format!("{output:?}")));
    servers.push(server);

    // The function fails: its error payload comes back with a 200.
    let server = TestServer::start(|_| {
        let body = format!(
            r#"{{"errorType":"CardDeclined","errorMessage":"declined","detail":"{ANSWER_MARKER}"}}"#
        );
        Reply::new(200, body)
            .header("X-Amz-Function-Error", "Unhandled")
            .header("x-amzn-RequestId", "req-secrets-fn")
    })
    .await;
    let output = client(server.url(), &signatures)
        .invoke()
        .function_name("pay")
        .client_context(client_context())
        .payload(payload())
        .send()
        .await
        .expect("a function error is a successful call");
    let error = FunctionError::from_output(&output).expect("the function failed");
    assert_eq!(error.error_type.as_deref(), Some("CardDeclined"));
    shown.push(("the function error's output", format!("{output:?}")));
    shown.push(("the function error", format!("{error:?} / {error}")));
    let request = serde_json::json!({ "card": PAYLOAD_MARKER });
    let failure = client(server.url(), &signatures)
        .invoke_json::<_, serde_json::Value>("pay", &request)
        .await
        .expect_err("the function failed");
    assert!(matches!(failure, InvokeJsonError::Function(_)), "{failure}");
    shown.push((
        "invoke_json's function error",
        format!("{failure:?} / {failure}"),
    ));
    servers.push(server);

    // The function answers JSON of another type than the caller expects.
    let server = TestServer::start(invoke_answer).await;
    let failure = client(server.url(), &signatures)
        .invoke_json::<_, HashMap<String, u32>>("pay", &request)
        .await
        .expect_err("a string is not a number");
    assert!(
        matches!(failure, InvokeJsonError::Deserialize { .. }),
        "{failure}"
    );
    shown.push((
        "invoke_json's parse error",
        format!("{failure:?} / {failure}"),
    ));
    servers.push(server);

    // A modelled service error, retried until the attempts run out.
    let server = TestServer::start(|_| {
        Reply::lambda_error(429, "TooManyRequestsException", "Rate exceeded")
    })
    .await;
    let failure = client(server.url(), &signatures)
        .invoke()
        .function_name("pay")
        .client_context(client_context())
        .payload(payload())
        .send()
        .await
        .expect_err("the service keeps throttling");
    assert!(matches!(
        failure.as_service_error(),
        Some(InvokeError::TooManyRequestsException(_))
    ));
    assert_eq!(server.requests().len(), 3);
    shown.push(("the throttling error", format!("{failure:?} / {failure}")));
    servers.push(server);

    // A server error twice, then success.
    let calls = Arc::new(AtomicUsize::new(0));
    let count = calls.clone();
    let server = TestServer::start(move |request| {
        if count.fetch_add(1, Ordering::SeqCst) < 2 {
            Reply::lambda_error(503, "ServiceException", "try again")
        } else {
            invoke_answer(request)
        }
    })
    .await;
    let output = client(server.url(), &signatures)
        .invoke()
        .function_name("pay")
        .client_context(client_context())
        .payload(payload())
        .send()
        .await
        .expect("the third attempt succeeds");
    assert_eq!(output.response_metadata().attempts(), 3);
    servers.push(server);

    // Nothing listens: every attempt fails to connect.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("bound address").port()
    };
    let before = signatures.lock().map(|s| s.len()).unwrap_or(0);
    let failure = client(&format!("http://127.0.0.1:{closed}"), &signatures)
        .invoke()
        .function_name("pay")
        .client_context(client_context())
        .payload(payload())
        .send()
        .await
        .expect_err("nothing listens on the port");
    assert!(matches!(failure, SdkError::Dispatch(_)), "{failure:?}");
    let after = signatures.lock().map(|s| s.len()).unwrap_or(0);
    assert_eq!(after - before, 3, "each attempt was signed");
    shown.push(("the connection error", format!("{failure:?} / {failure}")));

    // Another operation, whose answer holds sensitive environment values.
    let server = TestServer::start(|_| {
        let body = serde_json::json!({
            "Configuration": {
                "FunctionName": "pay",
                "Environment": { "Variables": { "CARD_KEY": ENV_MARKER } }
            }
        });
        Reply::new(200, body.to_string())
            .header("Content-Type", "application/json")
            .header("x-amzn-RequestId", "req-secrets-get")
    })
    .await;
    let output = client(server.url(), &signatures)
        .get_function()
        .function_name("pay")
        .send()
        .await
        .expect("GetFunction succeeds");
    let variables = output
        .configuration()
        .and_then(|c| c.environment())
        .and_then(|e| e.variables());
    assert_eq!(
        variables
            .and_then(|v| v.get("CARD_KEY"))
            .map(String::as_str),
        Some(ENV_MARKER),
        "the value is there for the caller"
    );
    shown.push(("the GetFunction output", format!("{output:?}")));
    servers.push(server);

    // Every signature the servers saw was kept by the recording middleware.
    let signatures = signatures.lock().map(|s| s.clone()).unwrap_or_default();
    let mut on_the_wire = 0;
    for request in servers.iter().flat_map(|s| s.requests()) {
        let authorization = request.header("authorization").expect("signed");
        let signature = signature_of(authorization).expect("a Signature= value");
        assert_eq!(signature.len(), 64, "{authorization}");
        assert!(signatures.contains(&signature), "{authorization}");
        on_the_wire += 1;
    }
    assert_eq!(on_the_wire, 1 + 2 + 1 + 3 + 3 + 1);
    assert_eq!(signatures.len(), on_the_wire + 3);

    let log = capture.text();
    assert!(!log.is_empty(), "the subscriber captured nothing");
    for marker in [
        "operation=\"Invoke\"",
        "operation=\"GetFunction\"",
        "attempt=3",
        "retrying",
        "TooManyRequestsException",
        "could not connect",
        "call finished",
        "user_middleware",
        "Sensitive",
    ] {
        assert!(log.contains(marker), "the log lacks {marker:?}:\n{log}");
    }

    let mut hidden = secrets();
    for signature in &signatures {
        hidden.push(("a signature", signature.clone()));
    }
    assert_hidden("the trace log", &log, &hidden);
    assert_hidden("the trace log", &log, &client_context_values());
    for (what, text) in shown {
        assert_hidden(what, &text, &hidden);
    }
}

#[test]
fn the_credentials_chain_and_profiles_print_no_secret() {
    let mut profiles = ProfileSet::default();
    profiles.add_credentials(&format!(
        "[default]\naws_access_key_id = {ACCESS_KEY_ID}\naws_secret_access_key = {SECRET_KEY}\n\
         aws_session_token = {SESSION_TOKEN}\n"
    ));
    let container_token = "ContainerToken-Do-Not-Log-0c0c";
    let lookup = |name: &str| match name {
        "AWS_SESSION_TOKEN" => Some(SESSION_TOKEN.to_owned()),
        "AWS_SECRET_ACCESS_KEY" => Some(SECRET_KEY.to_owned()),
        "AWS_CONTAINER_AUTHORIZATION_TOKEN" => Some(container_token.to_owned()),
        "AWS_EC2_METADATA_DISABLED" => Some("true".to_owned()),
        _ => None,
    };
    let chain = DefaultChain::new(&lookup, profiles.clone());
    let config = Config::builder().credentials(chain.clone()).build();

    let hidden = [
        ("the secret key", SECRET_KEY.to_owned()),
        ("the session token", SESSION_TOKEN.to_owned()),
        ("the container token", container_token.to_owned()),
    ];
    let chain_text = format!("{chain:?}");
    assert!(chain_text.contains("AWS_SESSION_TOKEN"), "{chain_text}");
    assert_hidden("the chain", &chain_text, &hidden);
    let profiles_text = format!("{profiles:?}");
    assert!(
        profiles_text.contains("aws_secret_access_key"),
        "{profiles_text}"
    );
    assert_hidden("the profiles", &profiles_text, &hidden);
    assert_hidden(
        "the provider",
        &format!("{:?}", config.credentials_provider()),
        &hidden,
    );
}
