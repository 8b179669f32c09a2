//! The macro-generated client invokes a function over a loopback socket, and holds only the
//! operations it was asked for.

use lamina::config::Credentials;
use lamina::Config;
use lamina_e2e::server::{Reply, TestServer};
use lamina_macro_client::generated::operation::invoke::InvokeError;
use lamina_macro_client::Client;

#[tokio::test]
async fn the_generated_client_invokes_end_to_end() {
    let server = TestServer::start(|r| Reply::new(200, r.body.clone())).await;
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials(Credentials::new(
            "AKIDMACRO",
            "macro-secret",
            None,
            None,
            "test",
        ))
        .build();
    let client = Client::from_conf(config);

    let output = client
        .invoke()
        .function_name("f")
        .payload(r#"{"from": "macro"}"#)
        .send()
        .await
        .expect("the echo server answers");

    assert_eq!(
        output.payload().map(|p| &p[..]),
        Some(&br#"{"from": "macro"}"#[..])
    );
    let request = &server.requests()[0];
    assert_eq!(request.path(), "/2015-03-31/functions/f/invocations");
    assert!(request.header("authorization").is_some());
}

#[tokio::test]
async fn modelled_errors_are_typed_as_in_the_generated_crate() {
    let server =
        TestServer::start(|_| Reply::lambda_error(429, "TooManyRequestsException", "slow down"))
            .await;
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(server.url())
        .credentials(Credentials::new(
            "AKIDMACRO",
            "macro-secret",
            None,
            None,
            "test",
        ))
        .max_attempts(1)
        .build();

    let err = Client::from_conf(config)
        .invoke()
        .function_name("f")
        .send()
        .await
        .unwrap_err();

    assert!(matches!(
        err.as_service_error(),
        Some(InvokeError::TooManyRequestsException(_))
    ));
}
