//! Custom middleware: adding a header to every call, listing the stack a call runs through,
//! and removing a step.
//!
//! It runs against the in-process fake, which records the headers it receives:
//!
//! ```text
//! cargo run -p lamina --example middleware --features test-util
//! ```

use lamina::extensions::PAYLOAD_LIMIT;
use lamina::middleware::{map_request, Step};
use lamina::test_util::{FakeLambda, Invocation};
use lamina::Client;

/// The header every call of the client carries.
const TRACE_HEADER: &str = "x-example-trace";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeLambda::builder()
        .function("echo", |event: Invocation| async move {
            Ok(event.payload().clone())
        })
        .start()
        .await?;

    // Every call of this client gets the header, added in the build step: after the request
    // is serialized, before retries and signing.
    let config = fake
        .config_builder()
        .customize_stack(|stack| {
            let trace = map_request(|request| {
                let value = http::HeaderValue::from_static("example-1");
                request.headers_mut().insert(TRACE_HEADER, value);
                Ok(())
            });
            stack.add(Step::Build, "traceHeader", trace)
        })
        .build();
    let client = Client::from_conf(config);

    // The stack a call would run through, in order.
    let call = client.invoke().function_name("echo").payload(r#"{"n": 1}"#);
    println!("the stack of Invoke:");
    for entry in call.middleware_stack()?.identify() {
        println!("  {entry}");
    }
    call.send().await?;
    let sent = &fake.invocations()[0];
    println!(
        "the fake received {TRACE_HEADER}: {:?}",
        sent.headers.get(TRACE_HEADER)
    );

    // One call without the client-side payload-size check: the 7 MB payload reaches the
    // fake, which answers as Lambda does.
    let big = format!("\"{}\"", "x".repeat(7 * 1024 * 1024));
    let call = client
        .invoke()
        .function_name("echo")
        .payload(big)
        .customize_stack(|stack| stack.remove(PAYLOAD_LIMIT));
    println!("without {PAYLOAD_LIMIT}:");
    for entry in call.middleware_stack()?.identify() {
        println!("  {entry}");
    }
    match call.send().await {
        Ok(output) => println!("unexpectedly accepted, status {}", output.status_code()),
        Err(err) => println!("the server refused it: {err}"),
    }
    Ok(())
}
