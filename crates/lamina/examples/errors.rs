//! Matching every way an Invoke can fail in one `match`: the function's own error, the
//! modelled service errors, and calls that could not be built or delivered.
//!
//! It runs against the in-process fake, so it needs no AWS account:
//!
//! ```text
//! cargo run -p lamina --example errors --features test-util
//! ```

use std::time::Duration;

use lamina::error::SdkError;
use lamina::operation::invoke::{InvokeError, InvokeOutput};
use lamina::test_util::{FakeLambda, FunctionFailure, Invocation};
use lamina::{Client, FunctionError};

/// Invokes `function` once and says in one line how it went.
async fn describe(client: &Client, function: &str, payload: Vec<u8>) -> String {
    let result = client
        .invoke()
        .function_name(function)
        .payload(payload)
        .send()
        .await;
    outcome(function, result)
}

/// The one `match`: each arm is a case a caller may handle differently.
fn outcome(function: &str, result: Result<InvokeOutput, SdkError<InvokeError>>) -> String {
    match result {
        // Lambda ran the function, which failed: still an HTTP 200, not an `Err`.
        Ok(output) if output.function_error().is_some() => {
            match FunctionError::from_output(&output) {
                Some(e) => format!("{function}: {e}"),
                None => format!("{function}: the function failed"),
            }
        }
        Ok(output) => format!("{function}: ok, status {}", output.status_code()),
        Err(SdkError::Service(InvokeError::ResourceNotFoundException(e))) => {
            format!(
                "{function}: no such function ({})",
                e.message().unwrap_or("no message")
            )
        }
        Err(SdkError::Service(InvokeError::TooManyRequestsException(e))) => format!(
            "{function}: throttled after {} attempts, reason {:?}, retry after {} s",
            e.response_metadata().attempts(),
            e.reason().map(|r| r.as_str()),
            e.retry_after_seconds().unwrap_or("?")
        ),
        Err(SdkError::Service(other)) => format!(
            "{function}: Lambda refused the call with {} (request id {})",
            other.code().unwrap_or("an unknown error"),
            other.request_id().unwrap_or("unknown")
        ),
        // Nothing was sent: the input broke a rule, which the error names.
        Err(SdkError::Construction(e)) => format!("{function}: not sent: {e}"),
        // Nothing usable came back: no connection, a timeout, a broken response.
        Err(SdkError::Dispatch(e)) => format!("{function}: not delivered: {e}"),
        Err(other) => format!("{function}: failed: {other}"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeLambda::builder()
        .function("ok", |_event: Invocation| async { Ok("{}") })
        .function("fail", |_event: Invocation| async {
            Err::<(), _>(FunctionFailure::new("ValueError", "the order has no items"))
        })
        .function("busy", |_event: Invocation| async { Ok(()) })
        .throttle("busy", 10)
        .start()
        .await?;
    let retries = lamina::config::RetryConfig::default()
        .with_initial_backoff(Duration::from_millis(10))
        .with_max_retry_after(Duration::from_millis(10));
    let client = Client::from_conf(fake.config_builder().retry_config(retries).build());

    println!("{}", describe(&client, "ok", b"{}".to_vec()).await);
    println!("{}", describe(&client, "fail", b"{}".to_vec()).await);
    println!("{}", describe(&client, "missing", b"{}".to_vec()).await);
    println!("{}", describe(&client, "busy", b"{}".to_vec()).await);
    println!("{}", describe(&client, "ok", b"not json".to_vec()).await);
    let too_big = vec![b' '; lamina::extensions::SYNC_PAYLOAD_LIMIT + 1];
    println!("{}", describe(&client, "ok", too_big).await);

    // A fake that has stopped: its port on 127.0.0.1 refuses connections.
    let stopped = FakeLambda::builder().start().await?;
    let config = stopped.config_builder().max_attempts(1).build();
    drop(stopped);
    println!(
        "{}",
        describe(&Client::from_conf(config), "ok", b"{}".to_vec()).await
    );
    Ok(())
}
