//! End to end against moto, an independently written Lambda endpoint: a function created and
//! invoked through lamina in each mode, and signatures checked by moto itself. Only the IAM
//! role, which belongs to another service, is made through moto's API.
//!
//! `cargo xtask test` starts moto and sets `LAMINA_MOTO_ENDPOINT`; without it these tests say
//! they are skipped (and fail under CI).

use lamina::config::Credentials;
use lamina::error::{Fault, SdkError};
use lamina::types::{FunctionCode, InvocationType, Runtime};
use lamina::{Client, Config};
use lamina_e2e::moto::{Moto, MotoProcess, REGION, SERVER_VAR};

fn client(endpoint: &str, credentials: Credentials) -> Client {
    let config = Config::builder()
        .region(REGION)
        .endpoint_url(endpoint)
        .credentials(credentials)
        .build();
    Client::from_conf(config)
}

async fn function(moto: &Moto, name: &str) -> Client {
    let role = moto
        .create_role(&format!("{name}-role"))
        .await
        .expect("moto creates the role");
    let client = client(moto.endpoint(), Moto::test_credentials());
    let code = FunctionCode::builder()
        .zip_file(&b"PK\x05\x06lamina-test-code"[..])
        .build();
    client
        .create_function()
        .function_name(name)
        .runtime(Runtime::Python312)
        .role(role)
        .handler("index.handler")
        .code(code)
        .send()
        .await
        .expect("lamina creates the function");
    client
}

#[tokio::test]
async fn request_response_returns_the_function_result() {
    let Some(moto) = Moto::from_env_or_skip("request_response_returns_the_function_result") else {
        return;
    };
    let client = function(&moto, "e2e-sync").await;

    let output = client
        .invoke()
        .function_name("e2e-sync")
        .invocation_type(InvocationType::RequestResponse)
        .payload(r#"{"question": 42}"#)
        .send()
        .await
        .expect("moto answers");

    assert_eq!(output.status_code(), 200);
    assert_eq!(
        output.payload().map(|p| &p[..]),
        Some(&br#"{"question": 42}"#[..])
    );
    assert_eq!(output.function_error(), None);
    let meta = output.response_metadata();
    assert_eq!((meta.http_status(), meta.attempts()), (200, 1));
    assert!(meta.request_id().is_some_and(|id| !id.is_empty()));
}

#[tokio::test]
async fn event_and_dry_run_answer_202_and_204() {
    let Some(moto) = Moto::from_env_or_skip("event_and_dry_run_answer_202_and_204") else {
        return;
    };
    let client = function(&moto, "e2e-async").await;

    let event = client
        .invoke()
        .function_name("e2e-async")
        .invocation_type(InvocationType::Event)
        .payload("{}")
        .send()
        .await
        .expect("moto queues the event");
    let dry_run = client
        .invoke()
        .function_name("e2e-async")
        .invocation_type(InvocationType::DryRun)
        .send()
        .await
        .expect("moto accepts the dry run");

    assert_eq!(event.status_code(), 202);
    assert_eq!(dry_run.status_code(), 204);
    assert_eq!(dry_run.payload(), None);
}

#[tokio::test]
async fn an_arn_and_a_qualifier_reach_moto_intact() {
    let Some(moto) = Moto::from_env_or_skip("an_arn_and_a_qualifier_reach_moto_intact") else {
        return;
    };
    let client = function(&moto, "e2e-arn").await;

    let output = client
        .invoke()
        .function_name("arn:aws:lambda:us-east-1:123456789012:function:e2e-arn")
        .qualifier("$LATEST")
        .payload("\"by arn\"")
        .send()
        .await
        .expect("moto finds the function by ARN");

    assert_eq!(output.payload().map(|p| &p[..]), Some(&b"\"by arn\""[..]));
}

/// Signature checks are global to a moto server, so this test starts its own.
#[tokio::test]
async fn moto_verifies_lamina_signatures_and_rejects_a_wrong_secret() {
    let Some(_) =
        Moto::from_env_or_skip("moto_verifies_lamina_signatures_and_rejects_a_wrong_secret")
    else {
        return;
    };
    let server = std::env::var(SERVER_VAR).expect("cargo xtask test sets LAMINA_MOTO_SERVER");
    let process = MotoProcess::start(server.as_ref()).expect("a second moto starts");
    let moto = Moto::new(process.endpoint());
    function(&moto, "e2e-auth").await;
    let key = moto
        .enable_auth()
        .await
        .expect("moto turns signature checks on");

    let good = client(
        moto.endpoint(),
        Credentials::new(&key.id, &key.secret, None, None, "t"),
    );
    let with_body = good
        .invoke()
        .function_name("e2e-auth")
        .payload(r#"{"signed": true}"#)
        .send()
        .await;
    let without_body = good.invoke().function_name("e2e-auth").send().await;

    let bad = client(
        moto.endpoint(),
        Credentials::new(&key.id, "not-the-secret", None, None, "t"),
    );
    let rejected = bad
        .invoke()
        .function_name("e2e-auth")
        .payload("{}")
        .send()
        .await;

    assert_eq!(
        with_body
            .expect("a signed call with a body is accepted")
            .status_code(),
        200
    );
    assert_eq!(
        without_body
            .expect("a signed call without a body is accepted")
            .status_code(),
        200
    );
    let err = rejected.expect_err("a wrong secret is rejected");
    let SdkError::Service(service) = &err else {
        panic!("expected a service error, got {err:?}");
    };
    assert_eq!(service.code(), Some("SignatureDoesNotMatch"));
    assert_eq!(service.fault(), Fault::Client);
    assert_eq!(err.response_metadata().map(|m| m.http_status()), Some(403));
    assert_eq!(err.response_metadata().map(|m| m.attempts()), Some(1));
}
